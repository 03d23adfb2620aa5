//! Domain enums that cross contract boundaries.

use crate::Digest32;
use near_sdk::near;

/// Why data may be used. A closed set: a grant names exactly one.
#[near(serializers = [borsh, json])]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum ConsentPurpose {
    Training,
    FineTuning,
    Evaluation,
    Inference,
    Analytics,
}

impl ConsentPurpose {
    pub const ALL: [ConsentPurpose; 5] = [
        ConsentPurpose::Training,
        ConsentPurpose::FineTuning,
        ConsentPurpose::Evaluation,
        ConsentPurpose::Inference,
        ConsentPurpose::Analytics,
    ];

    /// Stable one-byte tag, used in storage keys and hash-chain encodings.
    pub fn tag(self) -> u8 {
        self as u8
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ConsentPurpose::Training => "training",
            ConsentPurpose::FineTuning => "fine_tuning",
            ConsentPurpose::Evaluation => "evaluation",
            ConsentPurpose::Inference => "inference",
            ConsentPurpose::Analytics => "analytics",
        }
    }
}

/// Life of a model version: Submitted → Approved → Deprecated | Revoked.
#[near(serializers = [borsh, json])]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    Submitted,
    Approved,
    Deprecated,
    Revoked,
}

/// What `model-registry.version_status` returns to other contracts.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionStatusView {
    pub status: VersionStatus,
    pub weights_digest: Digest32,
}
