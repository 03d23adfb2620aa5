//! NEP-297 events, standard `inference_attestation`, version `1.0.0`.
//! Every state change emits exactly one of these.

use crate::tee::{MeasurementSet, TeePolicy};
use ai_commons_primitives::receipt::Ed25519PublicKey;
use ai_commons_primitives::upgrade::{ContractMigrated, ContractUpgraded};
use ai_commons_primitives::{Digest32, ModelId, VersionNumber};
use near_sdk::json_types::U64;
use near_sdk::{near, AccountId, NearToken};

#[near(event_json(standard = "inference_attestation"))]
#[derive(Debug)]
pub enum AttestationEvent {
    /// A new attester was admitted.
    #[event_version("1.0.0")]
    AttesterAdmitted(AttesterRecordEvent),
    /// An existing, unrevoked attester was admitted again with new details (keys, models, expiry).
    #[event_version("1.0.0")]
    AttesterUpdated(AttesterRecordEvent),
    /// An attester was revoked; receipts signed at or after `revoked_at` are rejected.
    #[event_version("1.0.0")]
    AttesterRevoked { operator: AccountId, revoked_at: U64, reason: String },
    /// A receipt passed every check and was stored.
    #[event_version("1.0.0")]
    ReceiptStored {
        receipt_id: U64,
        operator: AccountId,
        requester: AccountId,
        model_id: ModelId,
        version: VersionNumber,
        nonce: U64,
        submitter: AccountId,
        storage_cost: NearToken,
    },
    /// The registry check failed: the nonce was released and the deposit refunded.
    #[event_version("1.0.0")]
    ReceiptRejected {
        operator: AccountId,
        requester: AccountId,
        model_id: ModelId,
        version: VersionNumber,
        nonce: U64,
        submitter: AccountId,
        reason: String,
    },
    #[event_version("1.0.0")]
    OwnerChanged { old_owner: AccountId, new_owner: AccountId },
    #[event_version("1.0.0")]
    RegistryChanged { old_registry: AccountId, new_registry: AccountId },
    #[event_version("1.0.0")]
    MaxClockSkewChanged { old_max_clock_skew_ns: U64, new_max_clock_skew_ns: U64 },
    /// The owner started a code upgrade (deploy + `migrate` in one batch).
    #[event_version("1.0.0")]
    ContractUpgraded(ContractUpgraded),
    /// The owner set the admission-by-quote policy.
    #[event_version("1.0.0")]
    TeePolicySet(TeePolicy),
    /// The owner approved a TDX measurement set.
    #[event_version("1.0.0")]
    TeeMeasurementsApproved { id: Digest32, set: MeasurementSet },
    /// The owner withdrew a measurement set; attesters admitted with it lapse.
    #[event_version("1.0.0")]
    TeeMeasurementsWithdrawn { id: Digest32, reason: String },
    /// The owner allowed a platform (PPID).
    #[event_version("1.0.0")]
    TeePlatformAllowed { ppid: String },
    /// The owner withdrew a platform; attesters on it lapse.
    #[event_version("1.0.0")]
    TeePlatformWithdrawn { ppid: String, reason: String },
    /// A challenge was issued for one admission by quote.
    #[event_version("1.0.0")]
    TeeChallengeIssued { challenge: Digest32, issued_to: AccountId, expires_at: U64 },
    /// An attester was admitted (or re-admitted) on the strength of a verified TDX quote.
    #[event_version("1.0.0")]
    AttesterAdmittedByQuote {
        operator: AccountId,
        public_key: Ed25519PublicKey,
        measurement_set: Digest32,
        ppid: String,
        tcb_status: String,
        weights_digests: Vec<Digest32>,
        expires_at: U64,
    },
    /// An admission by quote was refused in the callback: the challenge and
    /// key were released and the deposit refunded.
    #[event_version("1.0.0")]
    TeeAdmissionRefused { operator: AccountId, reason: String },
    /// `migrate` ran after a code upgrade.
    #[event_version("1.0.0")]
    ContractMigrated(ContractMigrated),
}

/// The data of `attester_admitted` / `attester_updated`.
#[near(serializers = [json])]
#[derive(Debug, Clone)]
pub struct AttesterRecordEvent {
    pub operator: AccountId,
    pub public_keys: Vec<Ed25519PublicKey>,
    pub tee_kind: String,
    pub measurements: Vec<Digest32>,
    pub models: Option<Vec<ModelId>>,
    pub expires_at: Option<U64>,
}
