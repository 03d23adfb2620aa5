//! Stored records, storage keys of the per-model maps, and the JSON views.

use ai_commons_primitives::{Digest32, ModelId, VersionNumber, VersionStatus};
use near_sdk::json_types::U64;
use near_sdk::{near, AccountId};

/// A registered model. Metadata is written once; only the counters grow.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Model {
    pub name: String,
    pub task: String,
    pub license: String,
    pub card_uri: String,
    pub card_digest: Digest32,
    /// The account that registered the model; the only one that may submit versions.
    pub publisher: AccountId,
    pub created_at: U64,
    /// Versions are numbered 1..=version_count.
    pub version_count: VersionNumber,
    /// Aliases ever created for this model (slots 0..alias_count).
    pub alias_count: u32,
}

/// Where a version came from, pinned: either a version in this registry or
/// the digest of weights kept elsewhere (e.g. an external base model).
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
#[serde(untagged)]
pub enum ParentRef {
    Version { model_id: ModelId, version: VersionNumber },
    Digest { digest: Digest32 },
}

/// What a version was trained with and under whose consent.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrainingRecord {
    /// Digest of the training code or container image.
    pub code_digest: Digest32,
    pub dataset_digest: Option<Digest32>,
    /// The data-consent contract whose snapshot the training cites.
    pub consent_contract: Option<AccountId>,
    pub consent_snapshot_id: Option<U64>,
}

/// One version of a model. Immutable once written, except the status block
/// (`status`, `status_reason`, `status_changed_at`).
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelVersion {
    pub weights_digest: Digest32,
    pub artifact_uri: String,
    pub parent: Option<ParentRef>,
    pub training: TrainingRecord,
    pub eval_report_digest: Option<Digest32>,
    pub metadata: Option<String>,
    pub created_at: U64,
    pub status: VersionStatus,
    pub status_reason: Option<String>,
    /// Equals `created_at` until the first status change (fixed size, so
    /// approving a version adds no storage).
    pub status_changed_at: U64,
}

/// Key of a version; also the value of the digest index.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct VersionKey {
    pub model_id: ModelId,
    pub version: VersionNumber,
}

/// Key of an alias's current pointer.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct AliasKey {
    pub model_id: ModelId,
    pub alias: String,
}

/// Key of one entry of an alias's append-only history.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct AliasHistoryKey {
    pub model_id: ModelId,
    pub alias: String,
    pub index: u32,
}

/// Key of the n-th alias name of a model (so aliases can be listed).
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct AliasSlotKey {
    pub model_id: ModelId,
    pub slot: u32,
}

/// Current state of an alias: where it points and how long its history is.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AliasPointer {
    pub version: Option<VersionNumber>,
    pub history_len: u32,
}

/// One move of an alias. `version: None` means the alias was cleared.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AliasEntry {
    pub version: Option<VersionNumber>,
    pub set_by: AccountId,
    /// Block timestamp (ns) of the move; non-decreasing along the history.
    pub at: U64,
}

// ---- views -------------------------------------------------------------

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelView {
    pub model_id: ModelId,
    #[serde(flatten)]
    pub model: Model,
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionView {
    pub model_id: ModelId,
    pub version: VersionNumber,
    #[serde(flatten)]
    pub record: ModelVersion,
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AliasView {
    pub alias: String,
    pub version: Option<VersionNumber>,
    pub protected: bool,
    pub history_len: u32,
    /// The move that produced the current pointer.
    pub last_change: AliasEntry,
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AliasEntryView {
    /// Position in the alias's history (0 = first move).
    pub index: u32,
    #[serde(flatten)]
    pub entry: AliasEntry,
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitsView {
    pub max_name_len: u32,
    pub max_task_len: u32,
    pub max_license_len: u32,
    pub max_uri_len: u32,
    pub max_metadata_len: u32,
    pub max_reason_len: u32,
    /// Aliases a model's publisher may create (see `owner_reserved_aliases`).
    pub max_aliases_per_model: u32,
    pub max_protected_aliases: u32,
    /// Further aliases per model only the owner may create.
    pub owner_reserved_aliases: u32,
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigView {
    pub owner: AccountId,
    pub open_publishing: bool,
    pub protected_aliases: Vec<String>,
    pub model_count: U64,
    pub publisher_count: U64,
    pub state_version: ai_commons_primitives::StateVersion,
    pub limits: LimitsView,
}
