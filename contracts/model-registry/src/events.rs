//! NEP-297 events, standard `model_registry`, version 1.0.0. Every state
//! change emits exactly one of these.

use ai_commons_primitives::upgrade::{ContractMigrated, ContractUpgraded};
use ai_commons_primitives::{Digest32, VersionNumber};
use near_sdk::json_types::U64;
use near_sdk::{near, AccountId};

#[near(event_json(standard = "model_registry"))]
#[derive(Debug)]
pub enum RegistryEvent<'a> {
    #[event_version("1.0.0")]
    RegistryInitialized { owner: &'a AccountId, open_publishing: bool },
    #[event_version("1.0.0")]
    OwnerChanged { old_owner: &'a AccountId, new_owner: &'a AccountId },
    #[event_version("1.0.0")]
    PublisherAdded { account_id: &'a AccountId },
    #[event_version("1.0.0")]
    PublisherRemoved { account_id: &'a AccountId },
    #[event_version("1.0.0")]
    OpenPublishingSet { open: bool },
    #[event_version("1.0.0")]
    AliasProtectionSet { alias: &'a str, protected: bool },
    #[event_version("1.0.0")]
    ModelRegistered { model_id: &'a str, publisher: &'a AccountId, card_digest: &'a Digest32 },
    #[event_version("1.0.0")]
    VersionSubmitted {
        model_id: &'a str,
        version: VersionNumber,
        weights_digest: &'a Digest32,
        publisher: &'a AccountId,
    },
    #[event_version("1.0.0")]
    VersionApproved { model_id: &'a str, version: VersionNumber },
    #[event_version("1.0.0")]
    VersionDeprecated { model_id: &'a str, version: VersionNumber, reason: Option<&'a str> },
    /// `cleared_aliases`: aliases that pointed to the version and were cleared.
    #[event_version("1.0.0")]
    VersionRevoked { model_id: &'a str, version: VersionNumber, reason: &'a str, cleared_aliases: Vec<String> },
    #[event_version("1.0.0")]
    AliasSet {
        model_id: &'a str,
        alias: &'a str,
        version: VersionNumber,
        previous_version: Option<VersionNumber>,
        set_by: &'a AccountId,
        at: U64,
    },
    #[event_version("1.0.0")]
    AliasCleared { model_id: &'a str, alias: &'a str, previous_version: VersionNumber, set_by: &'a AccountId, at: U64 },
    #[event_version("1.0.0")]
    ContractUpgraded(ContractUpgraded),
    #[event_version("1.0.0")]
    ContractMigrated(ContractMigrated),
}
