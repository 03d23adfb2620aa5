//! Attesters: admitted, updated and revoked by the owner; plus the owner's
//! configuration setters.

use crate::events::{AttestationEvent, AttesterRecordEvent};
use crate::storage::settle;
use crate::{errors::*, validate_clock_skew, Contract, ContractExt};
use ai_commons_primitives::interfaces::InferenceAttestationInterface;
use ai_commons_primitives::receipt::Ed25519PublicKey;
use ai_commons_primitives::{validate, Digest32, ModelId, StorageMeter};
use near_sdk::json_types::U64;
use near_sdk::{env, near, require, AccountId};

pub use ai_commons_primitives::validate::{
    MAX_KEYS_PER_ATTESTER, MAX_MEASUREMENTS, MAX_MODELS_PER_ATTESTER, MAX_REASON_LEN, MAX_TEE_KIND_LEN,
};

/// An inference node the owner trusts to sign receipts.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attester {
    /// Keys it signs receipts with (at most [`MAX_KEYS_PER_ATTESTER`]).
    pub public_keys: Vec<Ed25519PublicKey>,
    /// TEE technology, e.g. "intel-tdx", "amd-sev-snp", "nvidia-cc".
    pub tee_kind: String,
    /// Expected enclave measurement digests (at most [`MAX_MEASUREMENTS`]).
    pub measurements: Vec<Digest32>,
    /// Models it may serve; `None` = every model of the registry.
    pub models: Option<Vec<ModelId>>,
    /// Receipts signed at or after this time (ns) are rejected.
    pub expires_at: Option<u64>,
    /// Block time of the first admission.
    pub admitted_at: u64,
    /// Block time of revocation; 0 while not revoked. A plain u64 (not an
    /// Option) so that revoking never grows storage and never needs a deposit.
    pub revoked_at: u64,
}

impl Attester {
    pub fn revoked_at(&self) -> Option<u64> {
        (self.revoked_at != 0).then_some(self.revoked_at)
    }

    pub fn may_serve(&self, model_id: &str) -> bool {
        self.models.as_ref().is_none_or(|models| models.iter().any(|m| m == model_id))
    }

    /// Whether a receipt signed at `at` (ns) may come from this attester.
    pub fn is_active_at(&self, at: u64) -> bool {
        self.revoked_at().is_none_or(|revoked| at < revoked) && self.expires_at.is_none_or(|expires| at < expires)
    }
}

/// What the DAO calls (`ai_commons_primitives::interfaces`): implemented as
/// the trait, so a signature cannot drift from what callers compile against.
#[near]
impl InferenceAttestationInterface for Contract {
    /// Admits `operator` as an attester, or replaces the details of an
    /// attester that is not revoked (key rotation, models, expiry).
    ///
    /// Caller: owner. Deposit: storage of the record (excess and freed bytes
    /// refunded to the owner). Emits `attester_admitted` or `attester_updated`.
    /// Keys stay bound to their operator forever: a key dropped in an update
    /// can never sign for anyone again.
    /// `public_keys` are `"ed25519:<base58>"` strings; an invalid one fails
    /// with `invalid public key: ...`.
    #[payable]
    fn admit_attester(
        &mut self,
        operator: AccountId,
        public_keys: Vec<String>,
        tee_kind: String,
        measurements: Vec<Digest32>,
        models: Option<Vec<ModelId>>,
        expires_at: Option<U64>,
    ) {
        self.assert_owner();
        // The message `validate::validate_attester_key` gives, which the DAO checks at proposal creation.
        let public_keys = public_keys
            .iter()
            .map(|k| k.parse::<Ed25519PublicKey>().unwrap_or_else(|e| env::panic_str(&e.0)))
            .collect();
        self.admit_attester_keys(operator, public_keys, tee_kind, measurements, models, expires_at)
    }

    /// Revokes `operator` now. Receipts signed at or after this moment are
    /// rejected; receipts already stored stay, flagged `attester_revoked` in
    /// views. Revocation is final for this operator account.
    ///
    /// Caller: owner. Deposit: none (revoking never grows storage; the reason
    /// lives in the event). Emits `attester_revoked`.
    fn revoke_attester(&mut self, operator: AccountId, reason: String) {
        self.assert_owner();
        validate::validate_reason(&reason).unwrap_or_else(|e| env::panic_str(&e));
        let attester = self.attesters.get_mut(&operator).unwrap_or_else(|| env::panic_str(ERR_ATTESTER_UNKNOWN));
        require!(attester.revoked_at().is_none(), ERR_ATTESTER_ALREADY_REVOKED);
        // Block time is never 0 on a real chain; max(1) keeps the sentinel unambiguous.
        let revoked_at = env::block_timestamp().max(1);
        attester.revoked_at = revoked_at;
        AttestationEvent::AttesterRevoked { operator, revoked_at: U64(revoked_at), reason }.emit();
    }

    /// One receipt by id, with whether its attester was revoked since; `None`
    /// for an unknown id. Caller: anyone (a view; the DAO reads it to check an
    /// agent's vote).
    fn get_receipt(&self, receipt_id: U64) -> Option<ai_commons_primitives::receipt::ReceiptView> {
        self.receipts.get(&receipt_id.0).map(|stored| self.receipt_view(receipt_id.0, stored))
    }
}

impl Contract {
    /// `admit_attester` with parsed keys (what the exported method runs after
    /// parsing; native callers such as unit tests use it directly). Caller:
    /// the owner. Emits `attester_admitted` or `attester_updated`.
    pub fn admit_attester_keys(
        &mut self,
        operator: AccountId,
        public_keys: Vec<Ed25519PublicKey>,
        tee_kind: String,
        measurements: Vec<Digest32>,
        models: Option<Vec<ModelId>>,
        expires_at: Option<U64>,
    ) {
        self.assert_owner();
        require!(tee_kind != crate::tee::TEE_KIND_TDX_QUOTE, ERR_TEE_KIND_RESERVED);
        let expires_at = expires_at.map(|t| t.0);
        validate::validate_attester_fields(
            &public_keys,
            &tee_kind,
            &measurements,
            models.as_deref(),
            expires_at,
            env::block_timestamp(),
        )
        .unwrap_or_else(|e| env::panic_str(&e));
        let existing = self.attesters.get(&operator).cloned();
        if let Some(existing) = &existing {
            require!(existing.revoked_at().is_none(), ERR_ATTESTER_REVOKED);
            require!(existing.tee_kind != crate::tee::TEE_KIND_TDX_QUOTE, ERR_TEE_KIND_RESERVED);
        }
        for key in &public_keys {
            if let Some(bound_to) = self.attester_keys.get(key) {
                require!(bound_to == &operator, ERR_KEY_TAKEN);
            }
        }

        let meter = StorageMeter::start();
        if existing.is_none() {
            self.attester_ids.push(operator.clone());
        }
        for key in &public_keys {
            self.attester_keys.insert(*key, operator.clone());
        }
        let record = Attester {
            public_keys: public_keys.clone(),
            tee_kind: tee_kind.clone(),
            measurements: measurements.clone(),
            models: models.clone(),
            expires_at,
            admitted_at: existing.as_ref().map_or(env::block_timestamp(), |a| a.admitted_at),
            revoked_at: 0,
        };
        self.attesters.insert(operator.clone(), record);
        self.flush();
        settle(meter, &env::predecessor_account_id(), env::attached_deposit());

        let data = AttesterRecordEvent {
            operator,
            public_keys,
            tee_kind,
            measurements,
            models,
            expires_at: expires_at.map(U64),
        };
        if existing.is_some() {
            AttestationEvent::AttesterUpdated(data).emit();
        } else {
            AttestationEvent::AttesterAdmitted(data).emit();
        }
    }
}

#[near]
impl Contract {
    /// Hands governance to `new_owner`. Caller: owner. Emits `owner_changed`.
    pub fn set_owner(&mut self, new_owner: AccountId) {
        self.assert_owner();
        let old_owner = std::mem::replace(&mut self.owner, new_owner.clone());
        AttestationEvent::OwnerChanged { old_owner, new_owner }.emit();
    }

    /// Points at another model-registry. Caller: owner. Emits `registry_changed`.
    pub fn set_registry(&mut self, new_registry: AccountId) {
        self.assert_owner();
        let old_registry = std::mem::replace(&mut self.registry, new_registry.clone());
        AttestationEvent::RegistryChanged { old_registry, new_registry }.emit();
    }

    /// Sets the accepted clock window (1 s ..= 1 day). Caller: owner.
    /// Emits `max_clock_skew_changed`.
    pub fn set_max_clock_skew(&mut self, max_clock_skew_ns: U64) {
        self.assert_owner();
        validate_clock_skew(max_clock_skew_ns.0);
        let old = std::mem::replace(&mut self.max_clock_skew_ns, max_clock_skew_ns.0);
        AttestationEvent::MaxClockSkewChanged {
            old_max_clock_skew_ns: U64(old),
            new_max_clock_skew_ns: max_clock_skew_ns,
        }
        .emit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use near_sdk::test_utils::get_logs;
    use near_sdk::NearToken;

    fn key(seed: u8) -> Ed25519PublicKey {
        attestation_signer::AttesterSigner::from_seed([seed; 32]).public_key()
    }

    #[test]
    fn the_interface_method_takes_key_strings_and_refuses_bad_ones() {
        call(owner(), NearToken::from_yoctonear(0), NOW);
        let mut contract = Contract::new(owner(), registry(), None);
        call(stranger(), near(100), NOW);
        let admit = |c: &mut Contract, keys: Vec<String>| {
            c.admit_attester(operator(), keys, "intel-tdx".into(), vec![], None, None)
        };
        // The owner check comes before the keys are even parsed.
        assert_eq!(panic_message(|| admit(&mut contract, vec!["nonsense".into()])), ERR_NOT_OWNER);
        call(owner(), near(100), NOW);
        let msg = panic_message(|| admit(&mut contract, vec![key(1).to_string(), "ed25519:xyz".into()]));
        assert_eq!(msg, validate::validate_attester_key("ed25519:xyz").unwrap_err());
        assert!(contract.get_attester(operator()).is_none(), "nothing was admitted");
        admit(&mut contract, vec![key(1).to_string()]);
        assert_eq!(contract.get_attester(operator()).unwrap().public_keys, vec![key(1)]);
    }

    #[test]
    fn owner_admits_an_attester_and_pays_its_storage() {
        call(owner(), NearToken::from_yoctonear(0), NOW);
        let mut contract = Contract::new(owner(), registry(), None);
        call(owner(), near(100), NOW);
        contract.admit_attester_keys(
            operator(),
            vec![key(1)],
            "intel-tdx".into(),
            vec![Digest32([0x5e; 32])],
            Some(vec!["llama-3-8b".into()]),
            Some(U64(NOW + 10)),
        );
        assert_eq!(
            get_logs(),
            vec![format!(
                "EVENT_JSON:{{\"standard\":\"inference_attestation\",\"version\":\"1.0.0\",\"event\":\"attester_admitted\",\"data\":{{\"operator\":\"node1.near\",\"public_keys\":[\"{}\"],\"tee_kind\":\"intel-tdx\",\"measurements\":[\"{}\"],\"models\":[\"llama-3-8b\"],\"expires_at\":\"{}\"}}}}",
                key(1),
                "5e".repeat(32),
                NOW + 10
            )]
        );
        let view = contract.get_attester(operator()).unwrap();
        assert!(view.active);
        assert_eq!(view.admitted_at, U64(NOW));
        assert_eq!(view.revoked_at, None);
        assert_eq!(contract.get_attester_by_key(key(1)).unwrap().operator, operator());
        // 100 mNEAR attached, the record costs a few hundred bytes: the rest comes back.
        let refunds = transfers();
        assert_eq!(refunds.len(), 1);
        assert_eq!(refunds[0].0, owner());
        assert!(refunds[0].1 > near(90) && refunds[0].1 < near(100));
    }

    #[test]
    fn admitting_without_a_deposit_fails() {
        call(owner(), NearToken::from_yoctonear(0), NOW);
        let mut contract = Contract::new(owner(), registry(), None);
        let msg =
            panic_message(|| contract.admit_attester_keys(operator(), vec![key(1)], "sev".into(), vec![], None, None));
        assert!(msg.starts_with("insufficient deposit for storage: attached 0 yoctoNEAR"), "{msg}");
    }

    #[test]
    fn only_the_owner_governs() {
        let mut contract = setup();
        call(stranger(), near(100), NOW);
        let not_owner = |msg: String| assert_eq!(msg, ERR_NOT_OWNER);
        not_owner(panic_message(|| {
            contract.admit_attester_keys(stranger(), vec![key(9)], "sev".into(), vec![], None, None)
        }));
        not_owner(panic_message(|| contract.revoke_attester(operator(), "compromised".into())));
        not_owner(panic_message(|| contract.set_owner(stranger())));
        not_owner(panic_message(|| contract.set_registry(stranger())));
        not_owner(panic_message(|| contract.set_max_clock_skew(U64(SECOND))));
        assert!(contract.get_attester(stranger()).is_none());
        assert!(contract.get_attester(operator()).unwrap().active);
        assert_eq!(contract.get_config().owner, owner());
        assert_eq!(contract.get_config().registry, registry());
        assert!(get_logs().is_empty());
    }

    #[test]
    fn admission_arguments_are_validated() {
        let mut contract = setup();
        call(owner(), near(100), NOW);
        let mut admit = |keys: Vec<Ed25519PublicKey>, tee: &str, models: Option<Vec<ModelId>>, exp: Option<u64>| {
            panic_message(|| {
                contract.admit_attester_keys(account("node2.near"), keys, tee.into(), vec![], models, exp.map(U64))
            })
        };
        assert_eq!(admit(vec![], "sev", None, None), ERR_NO_KEYS);
        assert_eq!(admit(vec![key(2), key(2)], "sev", None, None), ERR_DUPLICATE_KEY);
        assert_eq!(admit((2..7).map(key).collect(), "sev", None, None), ERR_TOO_MANY_KEYS);
        assert_eq!(admit(vec![key(1)], "sev", None, None), ERR_KEY_TAKEN);
        assert_eq!(admit(vec![key(2)], "", None, None), ERR_TEE_KIND_EMPTY);
        assert_eq!(admit(vec![key(2)], &"x".repeat(65), None, None), "tee_kind is too long: 65 bytes, at most 64");
        assert_eq!(admit(vec![key(2)], "sev", Some(vec![]), None), ERR_MODELS_EMPTY);
        assert!(admit(vec![key(2)], "sev", Some(vec!["Bad Model".into()]), None).starts_with("model id may only"));
        assert_eq!(admit(vec![key(2)], "sev", None, Some(NOW)), ERR_EXPIRY_IN_PAST);
        assert!(contract.get_attester(account("node2.near")).is_none());
    }

    #[test]
    fn readmission_updates_and_dropped_keys_stay_bound() {
        let mut contract = setup();
        call(owner(), near(100), NOW);
        contract.admit_attester_keys(operator(), vec![key(2)], "amd-sev-snp".into(), vec![], None, None);
        assert!(last_log().contains("\"event\":\"attester_updated\""));
        let view = contract.get_attester(operator()).unwrap();
        assert_eq!(view.public_keys, vec![key(2)]);
        assert_eq!(view.admitted_at, U64(NOW - 3600 * SECOND));
        // key(1) was dropped: it still points at node1 and cannot move to node2.
        let msg = panic_message(|| {
            contract.admit_attester_keys(account("node2.near"), vec![key(1)], "sev".into(), vec![], None, None)
        });
        assert_eq!(msg, ERR_KEY_TAKEN);
    }

    #[test]
    fn revocation_is_timestamped_final_and_emitted() {
        let mut contract = setup();
        call(owner(), NearToken::from_yoctonear(0), NOW);
        assert_eq!(panic_message(|| contract.revoke_attester(operator(), " ".into())), ERR_REASON_EMPTY);
        assert_eq!(panic_message(|| contract.revoke_attester(stranger(), "x".into())), ERR_ATTESTER_UNKNOWN);
        contract.revoke_attester(operator(), "tdx quote no longer verifies".into());
        assert_eq!(
            get_logs(),
            vec![format!(
                "EVENT_JSON:{{\"standard\":\"inference_attestation\",\"version\":\"1.0.0\",\"event\":\"attester_revoked\",\"data\":{{\"operator\":\"node1.near\",\"revoked_at\":\"{NOW}\",\"reason\":\"tdx quote no longer verifies\"}}}}"
            )]
        );
        let view = contract.get_attester(operator()).unwrap();
        assert_eq!(view.revoked_at, Some(U64(NOW)));
        assert!(!view.active);
        assert_eq!(
            panic_message(|| contract.revoke_attester(operator(), "again".into())),
            ERR_ATTESTER_ALREADY_REVOKED
        );
        call(owner(), near(100), NOW);
        let msg =
            panic_message(|| contract.admit_attester_keys(operator(), vec![key(1)], "sev".into(), vec![], None, None));
        assert_eq!(msg, ERR_ATTESTER_REVOKED);
    }

    #[test]
    fn owner_hands_over_and_sets_config() {
        let mut contract = setup();
        call(owner(), NearToken::from_yoctonear(0), NOW);
        contract.set_owner(account("dao2.near"));
        assert_eq!(
            last_log(),
            r#"EVENT_JSON:{"standard":"inference_attestation","version":"1.0.0","event":"owner_changed","data":{"old_owner":"dao.near","new_owner":"dao2.near"}}"#
        );
        assert_eq!(panic_message(|| contract.set_registry(stranger())), ERR_NOT_OWNER);
        call(account("dao2.near"), NearToken::from_yoctonear(0), NOW);
        contract.set_registry(account("registry2.near"));
        assert_eq!(
            last_log(),
            r#"EVENT_JSON:{"standard":"inference_attestation","version":"1.0.0","event":"registry_changed","data":{"old_registry":"registry.near","new_registry":"registry2.near"}}"#
        );
        contract.set_max_clock_skew(U64(60 * SECOND));
        assert_eq!(
            last_log(),
            r#"EVENT_JSON:{"standard":"inference_attestation","version":"1.0.0","event":"max_clock_skew_changed","data":{"old_max_clock_skew_ns":"300000000000","new_max_clock_skew_ns":"60000000000"}}"#
        );
        assert_eq!(panic_message(|| contract.set_max_clock_skew(U64(0))), ERR_CLOCK_SKEW);
        let config = contract.get_config();
        assert_eq!(config.owner, account("dao2.near"));
        assert_eq!(config.registry, account("registry2.near"));
        assert_eq!(config.max_clock_skew_ns, U64(60 * SECOND));
    }

    #[test]
    fn new_validates_the_clock_window() {
        call(owner(), NearToken::from_yoctonear(0), NOW);
        assert_eq!(panic_message(|| Contract::new(owner(), registry(), Some(U64(25 * 3600 * SECOND)))), ERR_CLOCK_SKEW);
        let contract = Contract::new(owner(), registry(), Some(U64(30 * SECOND)));
        let config = contract.get_config();
        assert_eq!(config.max_clock_skew_ns, U64(30 * SECOND));
        assert_eq!(config.receipt_domain, "ai-commons/inference-receipt");
        assert_eq!(config.receipt_format_version, 1);
        assert_eq!(config.receipt_count, U64(0));
    }
}
