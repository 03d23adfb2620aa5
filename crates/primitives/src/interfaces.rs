//! Cross-contract interfaces: the calls one AI Commons contract makes on another.
//!
//! Argument names here are the JSON field names of the callee's methods.
//! Each callee implements its trait (`#[near] impl ModelRegistryInterface for
//! Contract`), so these signatures are its own; a change here that the callee
//! does not follow fails to compile.

use crate::{ConsentPurpose, Digest32, ModelId, VersionNumber, VersionStatusView};
use near_sdk::json_types::U64;
use near_sdk::{ext_contract, AccountId};

/// Methods of `model-registry` that other contracts call.
#[ext_contract(ext_model_registry)]
pub trait ModelRegistryInterface {
    /// Compact status of one version; `None` when model or version is unknown.
    fn version_status(&self, model_id: ModelId, version: VersionNumber) -> Option<VersionStatusView>;
    fn approve_version(&mut self, model_id: ModelId, version: VersionNumber);
    fn deprecate_version(&mut self, model_id: ModelId, version: VersionNumber, reason: Option<String>);
    fn revoke_version(&mut self, model_id: ModelId, version: VersionNumber, reason: String);
    fn set_alias(&mut self, model_id: ModelId, alias: String, version: VersionNumber);
}

/// Methods of `data-consent` that other contracts call.
#[ext_contract(ext_data_consent)]
pub trait DataConsentInterface {
    fn is_allowed(
        &self,
        user: AccountId,
        grantee: AccountId,
        purpose: ConsentPurpose,
        model_id: Option<ModelId>,
        at: Option<U64>,
    ) -> bool;
    /// Called by a grantee before training: records the head of its
    /// (grantee, purpose) consent chain and returns the snapshot id.
    fn record_snapshot(&mut self, purpose: ConsentPurpose, note: Option<String>) -> U64;
}

/// Methods of `inference-attestation` that other contracts call.
#[ext_contract(ext_inference_attestation)]
pub trait InferenceAttestationInterface {
    /// Owner only; payable (the record's storage, excess refunded).
    /// `public_keys` are `"ed25519:<base58>"` strings.
    fn admit_attester(
        &mut self,
        operator: AccountId,
        public_keys: Vec<String>,
        tee_kind: String,
        measurements: Vec<Digest32>,
        models: Option<Vec<ModelId>>,
        expires_at: Option<U64>,
    );
    fn revoke_attester(&mut self, operator: AccountId, reason: String);
}
