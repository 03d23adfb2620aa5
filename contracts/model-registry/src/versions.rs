//! Submitting versions and the owner's status transitions.
//!
//! Status machine (anything else is rejected with a named error):
//!   Submitted --approve--> Approved --deprecate--> Deprecated
//!   Submitted | Approved | Deprecated --revoke--> Revoked (final)
//! Deprecating keeps aliases that point to the version (it still works, it is
//! just discouraged; no alias can newly point to it). Revoking clears every
//! alias of the model that points to the version, each with a history entry,
//! in the same call — the model's aliases are at most `MAX_ALIAS_SLOTS_PER_MODEL`.

use crate::errors::*;
use crate::events::RegistryEvent;
use crate::limits::*;
use crate::{check, check_text, Contract, ContractExt, ModelVersion, ParentRef, TrainingRecord};
use ai_commons_primitives::ids::MAX_SLUG_LEN;
use ai_commons_primitives::interfaces::ModelRegistryInterface;
use ai_commons_primitives::{
    validate, validate_bounded, Digest32, StorageMeter, VersionNumber, VersionStatus, VersionStatusView,
};
use near_sdk::json_types::U64;
use near_sdk::{env, near, require};

#[near]
impl Contract {
    /// Adds the next version of `model_id` (numbered from 1) and returns its
    /// number. Caller: the model's publisher, while allowed to publish.
    /// `weights_digest` must be new to the whole registry; a `parent` given as
    /// `{model_id, version}` must exist. Deposit: storage of the version
    /// (~0.05 NEAR covers the largest), excess refunded.
    /// Emits `version_submitted`.
    #[payable]
    #[allow(clippy::too_many_arguments)]
    pub fn submit_version(
        &mut self,
        model_id: String,
        weights_digest: Digest32,
        artifact_uri: String,
        parent: Option<ParentRef>,
        training: TrainingRecord,
        eval_report_digest: Option<Digest32>,
        metadata: Option<String>,
    ) -> VersionNumber {
        let publisher = env::predecessor_account_id();
        let model = self.model_or_panic(&model_id);
        require!(model.publisher == publisher, ERR_NOT_MODEL_PUBLISHER);
        require!(self.is_allowed_publisher(&publisher), ERR_NOT_ALLOWED_PUBLISHER);
        let version = model.version_count + 1;

        require!(!weights_digest.is_zero(), ERR_ZERO_WEIGHTS_DIGEST);
        require!(!self.version_by_digest.contains_key(&weights_digest), ERR_DIGEST_REGISTERED);
        check_text("artifact_uri", &artifact_uri, MAX_URI_LEN, ERR_EMPTY_ARTIFACT_URI);
        match &parent {
            Some(ParentRef::Version { model_id, version }) => {
                require!(
                    model_id.len() <= MAX_SLUG_LEN
                        && self.versions.contains_key(&Self::version_key(model_id, *version)),
                    ERR_PARENT_NOT_FOUND
                )
            }
            Some(ParentRef::Digest { digest }) => {
                require!(!digest.is_zero(), ERR_ZERO_PARENT_DIGEST)
            }
            None => {}
        }
        require!(!training.code_digest.is_zero(), ERR_ZERO_CODE_DIGEST);
        require!(training.consent_contract.is_some() == training.consent_snapshot_id.is_some(), ERR_CONSENT_PAIR);
        if let Some(metadata) = &metadata {
            check(validate_bounded("metadata", metadata, MAX_METADATA_LEN));
        }

        let meter = StorageMeter::start();
        let now = U64(env::block_timestamp());
        let key = Self::version_key(&model_id, version);
        self.versions.insert(
            key.clone(),
            ModelVersion {
                weights_digest,
                artifact_uri,
                parent,
                training,
                eval_report_digest,
                metadata,
                created_at: now,
                status: VersionStatus::Submitted,
                status_reason: None,
                status_changed_at: now,
            },
        );
        self.version_by_digest.insert(weights_digest, key);
        if let Some(model) = self.models.get_mut(&model_id) {
            model.version_count = version;
        }
        RegistryEvent::VersionSubmitted {
            model_id: &model_id,
            version,
            weights_digest: &weights_digest,
            publisher: &publisher,
        }
        .emit();
        self.settle_storage(meter, &publisher);
        version
    }
}

/// What other contracts call (`ai_commons_primitives::interfaces`): implemented
/// as the trait, so a signature cannot drift from what callers compile against.
#[near]
impl ModelRegistryInterface for Contract {
    /// Compact status for other contracts; `None` for an unknown model or version.
    fn version_status(&self, model_id: String, version: VersionNumber) -> Option<VersionStatusView> {
        self.versions
            .get(&Self::version_key(&model_id, version))
            .map(|record| VersionStatusView { status: record.status, weights_digest: record.weights_digest })
    }

    /// Submitted -> Approved. Caller: the owner. Deposit: none needed (an
    /// attached deposit is refunded). Emits `version_approved`.
    #[payable]
    fn approve_version(&mut self, model_id: String, version: VersionNumber) {
        self.assert_owner();
        let meter = StorageMeter::start();
        let record = self.version_mut_or_panic(&model_id, version);
        require!(record.status == VersionStatus::Submitted, ERR_APPROVE_NOT_SUBMITTED);
        record.status = VersionStatus::Approved;
        record.status_changed_at = U64(env::block_timestamp());
        RegistryEvent::VersionApproved { model_id: &model_id, version }.emit();
        self.settle_storage(meter, &env::predecessor_account_id());
    }

    /// Approved -> Deprecated, with an optional reason. Aliases pointing to
    /// the version stay. Caller: the owner. Deposit: storage of the reason
    /// (~0.006 NEAR for the longest), excess refunded.
    /// Emits `version_deprecated`.
    #[payable]
    fn deprecate_version(&mut self, model_id: String, version: VersionNumber, reason: Option<String>) {
        self.assert_owner();
        if let Some(reason) = &reason {
            check(validate::validate_reason(reason));
        }
        let meter = StorageMeter::start();
        let record = self.version_mut_or_panic(&model_id, version);
        require!(record.status == VersionStatus::Approved, ERR_DEPRECATE_NOT_APPROVED);
        record.status = VersionStatus::Deprecated;
        record.status_reason = reason.clone();
        record.status_changed_at = U64(env::block_timestamp());
        RegistryEvent::VersionDeprecated { model_id: &model_id, version, reason: reason.as_deref() }.emit();
        self.settle_storage(meter, &env::predecessor_account_id());
    }

    /// Submitted | Approved | Deprecated -> Revoked (final), with a reason.
    /// Every alias of the model that points to the version is cleared (one
    /// history entry each). Caller: the owner. Deposit: storage of the reason
    /// and alias entries (0.05 NEAR covers the longest reason with the
    /// publisher's 16 aliases; each owner-created alias cleared adds at most
    /// ~0.003 NEAR), excess refunded.
    /// Emits `version_revoked` (listing the cleared aliases).
    #[payable]
    fn revoke_version(&mut self, model_id: String, version: VersionNumber, reason: String) {
        self.assert_owner();
        check(validate::validate_reason(&reason));
        let meter = StorageMeter::start();
        let now = U64(env::block_timestamp());
        let record = self.version_mut_or_panic(&model_id, version);
        let previous = record.status;
        require!(previous != VersionStatus::Revoked, ERR_ALREADY_REVOKED);
        record.status = VersionStatus::Revoked;
        record.status_reason = Some(reason.clone());
        record.status_changed_at = now;
        // Only Approved versions ever become alias targets (and stay so when
        // deprecated); a Submitted one cannot be pointed to.
        let cleared_aliases = if previous == VersionStatus::Submitted {
            Vec::new()
        } else {
            let by = env::predecessor_account_id();
            self.clear_aliases_pointing_to(&model_id, version, &by, now)
        };
        RegistryEvent::VersionRevoked { model_id: &model_id, version, reason: &reason, cleared_aliases }.emit();
        self.settle_storage(meter, &env::predecessor_account_id());
    }

    /// Points `alias` of `model_id` at `version`, which must be Approved.
    /// Caller: the owner for a protected alias; the model's publisher or the
    /// owner otherwise. Deposit: storage of the history entry (plus the alias
    /// on first use; 0.01 NEAR is always enough), excess refunded.
    /// Emits `alias_set`. (The body lives with the other alias code, `aliases.rs`.)
    #[payable]
    fn set_alias(&mut self, model_id: String, alias: String, version: VersionNumber) {
        self.point_alias(model_id, alias, version)
    }
}

impl Contract {
    fn version_mut_or_panic(&mut self, model_id: &str, version: VersionNumber) -> &mut ModelVersion {
        self.model_or_panic(model_id);
        self.versions
            .get_mut(&Self::version_key(model_id, version))
            .unwrap_or_else(|| env::panic_str(ERR_VERSION_NOT_FOUND))
    }
}
