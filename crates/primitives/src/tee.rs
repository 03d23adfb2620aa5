//! Hardware attestation (Intel TDX / SGX DCAP) types shared by the
//! tee-verifier contract, inference-attestation and the off-chain signer.
//!
//! The tee-verifier returns a [`VerifiedQuote`]; inference-attestation checks
//! it against the DAO's policy and the report data an enclave must put in its
//! quote, [`admission_report_data`]: `sha256(domain ‖ attestation account ‖
//! signing key ‖ weights digests ‖ challenge)` in the first 32 bytes, zeros in
//! the last 32.

use crate::Digest32;
use near_sdk::borsh::{BorshDeserialize, BorshSerialize};
use near_sdk::json_types::{Base64VecU8, U64};
use near_sdk::serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use near_sdk::{ext_contract, near};
use std::fmt;
use std::str::FromStr;

/// Domain separator of the admission report data (version 1).
pub const ADMISSION_DOMAIN: &[u8] = b"ai-commons/tee-admission/v1";

/// Fixed-size byte strings that are borsh as the raw bytes and JSON as
/// lowercase hex: one implementation for every such type.
macro_rules! hex_bytes {
    ($(#[$doc:meta])* $name:ident, $len:literal, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
        #[borsh(crate = "near_sdk::borsh")]
        pub struct $name(pub [u8; $len]);

        impl $name {
            pub const LEN: usize = $len;

            pub fn to_hex(&self) -> String {
                hex::encode(self.0)
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_hex(s).map(Self).map_err(|e| format!("invalid {}: {e}", $what))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.to_hex())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.to_hex())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = <String as Deserialize>::deserialize(deserializer)?;
                s.parse().map_err(de::Error::custom)
            }
        }
    };
}

/// `N` bytes from exactly `2 N` lowercase hex chars.
fn parse_hex<const N: usize>(s: &str) -> Result<[u8; N], String> {
    if s.len() != 2 * N {
        return Err(format!("expected {} hex chars, got {}", 2 * N, s.len()));
    }
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err("hex must be lowercase".into());
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(s, &mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

hex_bytes!(
    /// A 48-byte TDX measurement register (MRTD, RTMR0-3): borsh as the raw
    /// bytes, JSON as 96 lowercase hex chars.
    Measurement48,
    48,
    "measurement"
);

hex_bytes!(
    /// The 64 bytes of report data an enclave put in its quote: borsh as the
    /// raw bytes, JSON as 128 lowercase hex chars.
    ReportData,
    64,
    "report data"
);

/// Which trusted execution environment produced a quote.
#[near(serializers = [json, borsh])]
#[serde(rename_all = "snake_case")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TeeType {
    Tdx,
    Sgx,
}

/// What the tee-verifier returns for a quote whose signatures, certificate
/// chain, CRLs and collateral all checked out at block time. Policy (which
/// TCB statuses and measurements are acceptable) is the caller's business.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedQuote {
    pub tee: TeeType,
    /// Converged TCB status as Intel names it: `UpToDate`, `SWHardeningNeeded`,
    /// `ConfigurationNeeded`, `ConfigurationAndSWHardeningNeeded`, `OutOfDate`,
    /// `OutOfDateConfigurationNeeded`, `Revoked`.
    pub tcb_status: String,
    /// Intel security advisories (`INTEL-SA-…`) that apply to this platform.
    pub advisory_ids: Vec<String>,
    /// TDX only: the TD's build-time measurement and runtime registers.
    pub mr_td: Option<Measurement48>,
    pub rtmr0: Option<Measurement48>,
    pub rtmr1: Option<Measurement48>,
    pub rtmr2: Option<Measurement48>,
    pub rtmr3: Option<Measurement48>,
    /// SGX only: the enclave's measurement and signer.
    pub mr_enclave: Option<Digest32>,
    pub mr_signer: Option<Digest32>,
    /// The 64 bytes the enclave put in its report.
    pub report_data: Base64VecU8,
    /// Platform Provisioning ID and FMSPC from the PCK certificate (hex).
    pub ppid: String,
    pub fmspc: String,
    /// Block time the quote was verified at (ns).
    pub verified_at: U64,
    /// First moment (ns) any piece of the collateral stops being valid.
    pub collateral_expires_at: U64,
    /// SHA-256 of the root CA DER the verifier trusts.
    pub root_ca_sha256: Digest32,
}

/// What the tee-verifier's `verify_quote_for_admission` returns, borsh
/// encoded: the fields of a [`VerifiedQuote`] an admission checks or keeps as
/// evidence, without JSON, so the caller's callback decodes it in a few
/// hundred instructions and carries no JSON reader for it.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
#[borsh(crate = "near_sdk::borsh")]
pub struct AdmissionReport {
    pub tee: TeeType,
    pub tcb_status: String,
    pub advisory_ids: Vec<String>,
    /// TDX only: MRTD, RTMR0, RTMR1, RTMR2, RTMR3.
    pub td_registers: Option<[Measurement48; 5]>,
    pub report_data: ReportData,
    /// Platform Provisioning ID and FMSPC from the PCK certificate (lowercase hex).
    pub ppid: String,
    pub fmspc: String,
    /// Block time of the verification (ns).
    pub verified_at: u64,
    /// First moment (ns) any piece of the collateral stops being valid.
    pub collateral_expires_at: u64,
    pub root_ca_sha256: Digest32,
    /// The RTMR3 event log the caller passed, checked to replay to the
    /// quote's RTMR3 (see [`MAX_RTMR3_EVENTS`]); empty when none was passed.
    pub rtmr3_event_log: Vec<Measurement48>,
}

/// Most RTMR3 event-log entries an admission may pass.
pub const MAX_RTMR3_EVENTS: usize = 32;

/// What a community decided about admission by quote (inference-attestation's
/// `set_tee_policy`, proposed through the DAO's `set_tee_policy` kind).
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeePolicy {
    /// The tee-verifier account whose reports are trusted.
    pub verifier: near_sdk::AccountId,
    /// Converged TCB statuses accepted, e.g. `["UpToDate"]`.
    pub accepted_tcb_statuses: Vec<String>,
    /// An admission lasts at most this long (ns), and never past its collateral.
    pub max_admission_age_ns: U64,
    /// A challenge must be used within this long (ns) of being issued.
    pub challenge_ttl_ns: U64,
    /// When true, only approved platforms (PPIDs) are admitted.
    pub restrict_platforms: bool,
}

/// The five registers of a TD the community approves (the arguments of
/// inference-attestation's `approve_tee_measurements`).
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeeMeasurements {
    /// What it is, e.g. "commons-node 1.4.2 (compose sha256:…)".
    pub label: String,
    pub mr_td: Measurement48,
    pub rtmr0: Measurement48,
    pub rtmr1: Measurement48,
    pub rtmr2: Measurement48,
    /// The application (compose file / image) as extended into RTMR3.
    pub rtmr3: Measurement48,
}

/// The tee-verifier's interface, as other contracts call it.
#[ext_contract(ext_tee_verifier)]
pub trait TeeVerifierInterface {
    /// `quote`: the raw DCAP quote; `collateral`: its collateral as JSON
    /// (dcap-qvl's `QuoteCollateralV3`, as a PCCS client returns it).
    fn verify_quote(&self, quote: Base64VecU8, collateral: String) -> VerifiedQuote;

    /// The same check, borsh in and out: `quote` raw bytes, `collateral` its
    /// JSON, `rtmr3_event_log` the digests extended into RTMR3 in order (may
    /// be empty; otherwise they must replay to the quote's RTMR3); returns an
    /// [`AdmissionReport`] (what inference-attestation calls).
    fn verify_quote_for_admission(
        &self,
        #[serializer(borsh)] quote: Vec<u8>,
        #[serializer(borsh)] collateral: String,
        #[serializer(borsh)] rtmr3_event_log: Vec<Measurement48>,
    ) -> AdmissionReport;
}

/// The bytes hashed into an admission's report data, in order:
/// `domain ‖ u32le(len(account)) ‖ account ‖ signing key (32) ‖
/// u32le(n) ‖ n weights digests (32 each) ‖ challenge (32)`.
pub fn admission_preimage(
    attestation_account: &str,
    signing_key: &[u8; 32],
    weights_digests: &[Digest32],
    challenge: &Digest32,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        ADMISSION_DOMAIN.len() + 4 + attestation_account.len() + 32 + 4 + 32 * weights_digests.len() + 32,
    );
    out.extend_from_slice(ADMISSION_DOMAIN);
    out.extend_from_slice(&(attestation_account.len() as u32).to_le_bytes());
    out.extend_from_slice(attestation_account.as_bytes());
    out.extend_from_slice(signing_key);
    out.extend_from_slice(&(weights_digests.len() as u32).to_le_bytes());
    for d in weights_digests {
        out.extend_from_slice(d.as_bytes());
    }
    out.extend_from_slice(challenge.as_bytes());
    out
}

/// The 64-byte report data for an admission, given the SHA-256 of
/// [`admission_preimage`]: the digest, then 32 zero bytes.
pub fn admission_report_data(preimage_sha256: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(preimage_sha256);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measurement_json_is_lowercase_hex() {
        let m = Measurement48([0xcd; 48]);
        let json = near_sdk::serde_json::to_string(&m).unwrap();
        assert_eq!(json, format!("\"{}\"", "cd".repeat(48)));
        assert_eq!(near_sdk::serde_json::from_str::<Measurement48>(&json).unwrap(), m);
        let err = near_sdk::serde_json::from_str::<Measurement48>("\"ab\"").unwrap_err();
        assert!(err.to_string().contains("expected 96 hex chars"));
        assert!("CD".repeat(48).parse::<Measurement48>().is_err());
    }

    #[test]
    fn preimage_layout_is_length_prefixed() {
        let p = admission_preimage("ia.near", &[7; 32], &[Digest32([1; 32]), Digest32([2; 32])], &Digest32([9; 32]));
        let mut want = ADMISSION_DOMAIN.to_vec();
        want.extend_from_slice(&7u32.to_le_bytes());
        want.extend_from_slice(b"ia.near");
        want.extend_from_slice(&[7; 32]);
        want.extend_from_slice(&2u32.to_le_bytes());
        want.extend_from_slice(&[1; 32]);
        want.extend_from_slice(&[2; 32]);
        want.extend_from_slice(&[9; 32]);
        assert_eq!(p, want);
        // A different digest order is a different binding.
        let q = admission_preimage("ia.near", &[7; 32], &[Digest32([2; 32]), Digest32([1; 32])], &Digest32([9; 32]));
        assert_ne!(p, q);
    }

    #[test]
    fn report_data_is_digest_then_zeros() {
        let rd = admission_report_data(&[5; 32]);
        assert_eq!(&rd[..32], &[5; 32]);
        assert_eq!(&rd[32..], &[0; 32]);
    }
}
