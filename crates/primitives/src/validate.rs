//! The argument rules of the calls the community DAO makes on the other
//! contracts, written once. The callee applies them when it is called; the DAO
//! applies the very same functions when a proposal is created, so a proposal
//! its target would refuse is refused before anyone votes on it, and the two
//! sides cannot drift apart.
//!
//! Every function returns `Err(message)` with the callee's own message; the
//! callee panics with it, the DAO prefixes it. Nothing here reads contract
//! state (whether a model, version or attester exists is the callee's to
//! say at execution).

use crate::receipt::Ed25519PublicKey;
use crate::{validate_bounded, validate_slug, Digest32, ModelId};

// ----- limits -----------------------------------------------------------------

/// Signing keys one attester may hold.
pub const MAX_KEYS_PER_ATTESTER: usize = 4;
/// Longest TEE kind ("intel-tdx", "amd-sev-snp", ...).
pub const MAX_TEE_KIND_LEN: usize = 64;
/// Enclave measurements one attester may list.
pub const MAX_MEASUREMENTS: usize = 16;
/// Models one attester may be limited to.
pub const MAX_MODELS_PER_ATTESTER: usize = 32;
/// Longest reason for revoking an attester or deprecating / revoking a model version.
pub const MAX_REASON_LEN: usize = 512;
/// Longest note of a training snapshot (data-consent `record_snapshot`).
pub const MAX_NOTE_LEN: usize = 256;

// ----- messages (the callees' own) ---------------------------------------------

pub const ERR_NO_KEYS: &str = "public_keys must not be empty";
pub const ERR_TOO_MANY_KEYS: &str = "too many public_keys";
pub const ERR_DUPLICATE_KEY: &str = "public_keys contains a duplicate";
pub const ERR_TEE_KIND_EMPTY: &str = "tee_kind must not be empty";
pub const ERR_TOO_MANY_MEASUREMENTS: &str = "too many measurements";
pub const ERR_DUPLICATE_MEASUREMENT: &str = "measurements contains a duplicate";
pub const ERR_MODELS_EMPTY: &str = "models must not be empty; pass null to allow all models";
pub const ERR_TOO_MANY_MODELS: &str = "too many models";
pub const ERR_DUPLICATE_MODEL: &str = "models contains a duplicate";
pub const ERR_EXPIRY_IN_PAST: &str = "expires_at must be in the future";
pub const ERR_REASON_EMPTY: &str = "reason must not be empty";

fn has_duplicates<T: PartialEq>(items: &[T]) -> bool {
    items.iter().enumerate().any(|(i, a)| items[..i].contains(a))
}

fn ensure(ok: bool, message: &str) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(message.to_string())
    }
}

// ----- inference-attestation ------------------------------------------------------

/// One attester key as the attestation contract's JSON input reads it:
/// `"ed25519:<base58 of 32 bytes>"` (same message on a malformed key). Two
/// well-formed keys are equal exactly when their strings are (base58 of a
/// fixed length is canonical), so the DAO checks the rest of
/// [`validate_attester_fields`] on the strings it stores.
pub fn validate_attester_key(key: &str) -> Result<(), String> {
    key.parse::<Ed25519PublicKey>().map(|_| ()).map_err(|e| e.0)
}

/// `admit_attester`'s arguments: 1 to [`MAX_KEYS_PER_ATTESTER`] distinct keys,
/// a TEE kind of 1 to [`MAX_TEE_KIND_LEN`] bytes, at most [`MAX_MEASUREMENTS`]
/// distinct measurements, `models` either `None` (every model) or 1 to
/// [`MAX_MODELS_PER_ATTESTER`] distinct model-id slugs, and an expiry after `now`.
pub fn validate_attester_fields<K: PartialEq>(
    public_keys: &[K],
    tee_kind: &str,
    measurements: &[Digest32],
    models: Option<&[ModelId]>,
    expires_at: Option<u64>,
    now: u64,
) -> Result<(), String> {
    ensure(!public_keys.is_empty(), ERR_NO_KEYS)?;
    ensure(public_keys.len() <= MAX_KEYS_PER_ATTESTER, ERR_TOO_MANY_KEYS)?;
    ensure(!has_duplicates(public_keys), ERR_DUPLICATE_KEY)?;
    ensure(!tee_kind.is_empty(), ERR_TEE_KIND_EMPTY)?;
    validate_bounded("tee_kind", tee_kind, MAX_TEE_KIND_LEN)?;
    ensure(measurements.len() <= MAX_MEASUREMENTS, ERR_TOO_MANY_MEASUREMENTS)?;
    ensure(!has_duplicates(measurements), ERR_DUPLICATE_MEASUREMENT)?;
    if let Some(models) = models {
        ensure(!models.is_empty(), ERR_MODELS_EMPTY)?;
        ensure(models.len() <= MAX_MODELS_PER_ATTESTER, ERR_TOO_MANY_MODELS)?;
        for model in models {
            validate_slug("model id", model)?;
        }
        ensure(!has_duplicates(models), ERR_DUPLICATE_MODEL)?;
    }
    if let Some(expires_at) = expires_at {
        ensure(expires_at > now, ERR_EXPIRY_IN_PAST)?;
    }
    Ok(())
}

// ----- reasons and notes ------------------------------------------------------------

/// A reason for `revoke_attester` (inference-attestation) and for
/// `deprecate_version` / `revoke_version` (model-registry): not blank, at most
/// [`MAX_REASON_LEN`] bytes.
pub fn validate_reason(reason: &str) -> Result<(), String> {
    ensure(!reason.trim().is_empty(), ERR_REASON_EMPTY)?;
    validate_bounded("reason", reason, MAX_REASON_LEN)
}

/// The optional note of data-consent's `record_snapshot`: at most [`MAX_NOTE_LEN`] bytes.
pub fn validate_snapshot_note(note: Option<&str>) -> Result<(), String> {
    note.map_or(Ok(()), |n| validate_bounded("note", n, MAX_NOTE_LEN))
}

// ----- inference-attestation: admission by TDX quote ------------------------------------

/// TCB statuses one admission policy may accept.
pub const MAX_TCB_STATUSES: usize = 8;
/// Longest TCB status name.
pub const MAX_TCB_STATUS_LEN: usize = 64;
/// Longest label of a measurement set.
pub const MAX_TEE_LABEL_LEN: usize = 128;
/// Shortest admission age and challenge lifetime (ns): 1 minute.
pub const MIN_TEE_AGE_NS: u64 = 60 * 1_000_000_000;
/// Longest admission (ns): 366 days.
pub const MAX_ADMISSION_AGE_NS: u64 = 366 * 24 * 3600 * 1_000_000_000;
/// Longest challenge lifetime (ns): 1 day.
pub const MAX_CHALLENGE_TTL_NS: u64 = 24 * 3600 * 1_000_000_000;
pub const ERR_TEE_NO_STATUSES: &str = "accepted_tcb_statuses must not be empty";
pub const ERR_TEE_TOO_MANY_STATUSES: &str = "too many accepted_tcb_statuses";
pub const ERR_TEE_REVOKED_STATUS: &str = "a revoked tcb can never be accepted";
pub const ERR_TEE_ADMISSION_AGE: &str = "max_admission_age_ns must be between 1 minute and 366 days";
pub const ERR_TEE_CHALLENGE_TTL: &str = "challenge_ttl_ns must be between 1 minute and 1 day";
pub const ERR_TEE_LABEL_EMPTY: &str = "label must not be empty";

/// The policy of inference-attestation's `set_tee_policy`: 1 to
/// [`MAX_TCB_STATUSES`] accepted statuses, never `Revoked`; an admission age
/// of 1 minute to 366 days; a challenge lifetime of 1 minute to 1 day.
pub fn validate_tee_policy(policy: &crate::tee::TeePolicy) -> Result<(), String> {
    let statuses = &policy.accepted_tcb_statuses;
    ensure(!statuses.is_empty(), ERR_TEE_NO_STATUSES)?;
    ensure(statuses.len() <= MAX_TCB_STATUSES, ERR_TEE_TOO_MANY_STATUSES)?;
    for status in statuses {
        validate_bounded("tcb status", status, MAX_TCB_STATUS_LEN)?;
        ensure(status != "Revoked", ERR_TEE_REVOKED_STATUS)?;
    }
    ensure((MIN_TEE_AGE_NS..=MAX_ADMISSION_AGE_NS).contains(&policy.max_admission_age_ns.0), ERR_TEE_ADMISSION_AGE)?;
    ensure((MIN_TEE_AGE_NS..=MAX_CHALLENGE_TTL_NS).contains(&policy.challenge_ttl_ns.0), ERR_TEE_CHALLENGE_TTL)
}

/// Message of a platform id that is not lowercase hex of 1 to 32 bytes.
pub const ERR_TEE_PPID: &str = "ppid must be lowercase hex of at most 32 bytes";

/// A platform id (PPID) of `allow_tee_platform` / `withdraw_tee_platform`:
/// lowercase hex of 1 to 32 bytes, as the verifier reports it.
pub fn validate_tee_ppid(ppid: &str) -> Result<(), String> {
    let hex = ppid.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    ensure(!ppid.is_empty() && ppid.len() <= 64 && ppid.len().is_multiple_of(2) && hex, ERR_TEE_PPID)
}

/// The label of a measurement set (`approve_tee_measurements`): not blank, at
/// most [`MAX_TEE_LABEL_LEN`] bytes.
pub fn validate_tee_label(label: &str) -> Result<(), String> {
    ensure(!label.trim().is_empty(), ERR_TEE_LABEL_EMPTY)?;
    validate_bounded("label", label, MAX_TEE_LABEL_LEN)
}

// ----- model-registry ----------------------------------------------------------------

/// An alias name for model-registry's `set_alias`: a slug.
pub fn validate_alias(alias: &str) -> Result<(), String> {
    validate_slug("alias", alias)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_000;

    fn key(seed: u8) -> Ed25519PublicKey {
        Ed25519PublicKey([seed; 32])
    }

    fn admit(
        keys: &[Ed25519PublicKey],
        tee: &str,
        ms: &[Digest32],
        models: Option<&[&str]>,
        exp: Option<u64>,
    ) -> String {
        let models: Option<Vec<ModelId>> = models.map(|m| m.iter().map(|s| s.to_string()).collect());
        validate_attester_fields(keys, tee, ms, models.as_deref(), exp, NOW).err().unwrap_or_default()
    }

    #[test]
    fn attester_fields_accept_a_valid_admission() {
        let ms = [Digest32([1; 32]), Digest32([2; 32])];
        assert_eq!(admit(&[key(1), key(2)], "intel-tdx", &ms, Some(&["llama", "mistral"]), Some(NOW + 1)), "");
        assert_eq!(admit(&[key(1)], "Intel TDX (any bytes)", &[], None, None), "");
        let four: Vec<_> = (1..=4).map(key).collect();
        assert_eq!(admit(&four, "sev", &[], None, None), "");
    }

    #[test]
    fn attester_keys_are_one_to_four_distinct() {
        assert_eq!(admit(&[], "sev", &[], None, None), ERR_NO_KEYS);
        let five: Vec<_> = (1..=5).map(key).collect();
        assert_eq!(admit(&five, "sev", &[], None, None), ERR_TOO_MANY_KEYS);
        assert_eq!(admit(&[key(1), key(2), key(1)], "sev", &[], None, None), ERR_DUPLICATE_KEY);
    }

    #[test]
    fn attester_tee_kind_is_bounded() {
        assert_eq!(admit(&[key(1)], "", &[], None, None), ERR_TEE_KIND_EMPTY);
        assert_eq!(admit(&[key(1)], &"x".repeat(64), &[], None, None), "");
        assert_eq!(admit(&[key(1)], &"x".repeat(65), &[], None, None), "tee_kind is too long: 65 bytes, at most 64");
    }

    #[test]
    fn attester_measurements_are_bounded_and_distinct() {
        let ms: Vec<_> = (0..17).map(|i| Digest32([i; 32])).collect();
        assert_eq!(admit(&[key(1)], "sev", &ms[..16], None, None), "");
        assert_eq!(admit(&[key(1)], "sev", &ms, None, None), ERR_TOO_MANY_MEASUREMENTS);
        assert_eq!(admit(&[key(1)], "sev", &[ms[3], ms[3]], None, None), ERR_DUPLICATE_MEASUREMENT);
    }

    #[test]
    fn attester_models_are_null_or_one_to_32_distinct_slugs() {
        assert_eq!(admit(&[key(1)], "sev", &[], Some(&[]), None), ERR_MODELS_EMPTY);
        let names: Vec<String> = (0..33).map(|i| format!("m{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(admit(&[key(1)], "sev", &[], Some(&refs[..32]), None), "");
        assert_eq!(admit(&[key(1)], "sev", &[], Some(&refs), None), ERR_TOO_MANY_MODELS);
        assert_eq!(admit(&[key(1)], "sev", &[], Some(&["a", "b", "a"]), None), ERR_DUPLICATE_MODEL);
        assert!(admit(&[key(1)], "sev", &[], Some(&["Bad Model"]), None).starts_with("model id may only"));
    }

    #[test]
    fn attester_expiry_is_after_now() {
        assert_eq!(admit(&[key(1)], "sev", &[], None, Some(NOW)), ERR_EXPIRY_IN_PAST);
        assert_eq!(admit(&[key(1)], "sev", &[], None, Some(NOW - 1)), ERR_EXPIRY_IN_PAST);
        assert_eq!(admit(&[key(1)], "sev", &[], None, Some(NOW + 1)), "");
    }

    #[test]
    fn attester_keys_parse_like_the_contract_input() {
        let good = key(9).to_string();
        assert_eq!(validate_attester_key(&good), Ok(()));
        assert_eq!(
            validate_attester_key("k").unwrap_err(),
            "invalid ed25519 public key: expected \"ed25519:<base58>\""
        );
        assert!(validate_attester_key("ed25519:0OIl")
            .unwrap_err()
            .starts_with("invalid ed25519 public key: bad base58"));
        assert_eq!(
            validate_attester_key("ed25519:abc").unwrap_err(),
            "invalid ed25519 public key: expected 32 bytes, got 3"
        );
        assert!(validate_attester_key("secp256k1:abc").is_err());
        // Keys as strings: the duplicate rule holds on them as on the parsed keys.
        let strings = [key(1).to_string(), key(2).to_string(), key(1).to_string()];
        assert_eq!(validate_attester_fields(&strings, "sev", &[], None, None, NOW).unwrap_err(), ERR_DUPLICATE_KEY);
    }

    #[test]
    fn reasons_are_not_blank_and_at_most_512_bytes() {
        assert_eq!(validate_reason("key leaked"), Ok(()));
        assert_eq!(validate_reason("").unwrap_err(), ERR_REASON_EMPTY);
        assert_eq!(validate_reason(" \t\n").unwrap_err(), ERR_REASON_EMPTY);
        assert_eq!(validate_reason(&"r".repeat(512)), Ok(()));
        assert_eq!(validate_reason(&"r".repeat(513)).unwrap_err(), "reason is too long: 513 bytes, at most 512");
    }

    #[test]
    fn snapshot_notes_are_at_most_256_bytes() {
        assert_eq!(validate_snapshot_note(None), Ok(()));
        assert_eq!(validate_snapshot_note(Some("")), Ok(()));
        assert_eq!(validate_snapshot_note(Some(&"n".repeat(256))), Ok(()));
        assert_eq!(
            validate_snapshot_note(Some(&"n".repeat(257))).unwrap_err(),
            "note is too long: 257 bytes, at most 256"
        );
    }

    #[test]
    fn aliases_are_slugs() {
        assert_eq!(validate_alias("production"), Ok(()));
        assert!(validate_alias("").unwrap_err().starts_with("alias must be 1 to 64"));
        assert!(validate_alias("Prod").unwrap_err().starts_with("alias may only"));
    }
}
