//! NEP-297 events, standard `inference_attestation`, version `1.0.0`.
//! Every state change emits exactly one of these.

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
