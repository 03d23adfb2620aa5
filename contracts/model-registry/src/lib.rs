//! model-registry: a community's models and their immutable versions, with
//! DAO-governed status and aliases whose every move is kept.
//!
//! * Publishers (open, or an owner-managed allow-list) register models and
//!   submit versions, paying for the storage they add.
//! * The owner — the community DAO — approves, deprecates and revokes
//!   versions and moves protected aliases.
//! * Aliases ("production", "staging", ...) keep an append-only history, so
//!   "which version was production at time T" is a logarithmic-time view.
//!
//! Every change method does a constant number of storage reads and writes,
//! independent of how many models, versions or alias moves exist.

use ai_commons_primitives::ids::MAX_SLUG_LEN;
use ai_commons_primitives::{Digest32, StateVersion};
use near_sdk::store::{IterableSet, LookupMap, Vector};
use near_sdk::{env, near, require, AccountId, BorshStorageKey, PanicOnDefault};

pub mod errors;
pub mod events;
pub mod limits;
pub mod types;

mod admin;
mod aliases;
mod models;
mod storage;
mod upgrade;
mod versions;
mod views;

#[cfg(test)]
mod tests;

pub use types::*;

use errors::*;
use events::RegistryEvent;

/// State version of [`Contract`]; bump it (and teach `migrate` the previous
/// layout) whenever a stored field is added, removed or reordered.
#[cfg(not(feature = "upgrade-test"))]
pub const STATE_VERSION: StateVersion = 1;
#[cfg(feature = "upgrade-test")]
pub const STATE_VERSION: StateVersion = 2;

/// What `contract_version()` reports.
#[cfg(not(feature = "upgrade-test"))]
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");
#[cfg(feature = "upgrade-test")]
pub const CONTRACT_VERSION: &str = "2.0.0-upgrade-test";

#[near(serializers = [borsh])]
#[derive(BorshStorageKey)]
enum StorageKey {
    Publishers,
    ProtectedAliases,
    ModelIds,
    Models,
    Versions,
    VersionByDigest,
    AliasPointers,
    AliasHistory,
    AliasSlots,
}

#[near(contract_state)]
#[derive(PanicOnDefault)]
pub struct Contract {
    /// Must stay the first field: `migrate` reads it to pick the decoder.
    state_version: StateVersion,
    /// Governing account (the community DAO).
    owner: AccountId,
    /// When true anyone may register models; otherwise only `publishers`.
    open_publishing: bool,
    /// Allow-list of publishers, managed by the owner.
    publishers: IterableSet<AccountId>,
    /// Aliases only the owner may move (bounded by `MAX_PROTECTED_ALIASES`).
    protected_aliases: IterableSet<String>,
    /// Model ids in registration order (for paginated listing).
    model_ids: Vector<String>,
    models: LookupMap<String, Model>,
    versions: LookupMap<VersionKey, ModelVersion>,
    /// Weights digest -> the one version that holds it.
    version_by_digest: LookupMap<Digest32, VersionKey>,
    /// (model, alias) -> current target and history length.
    alias_pointers: LookupMap<AliasKey, AliasPointer>,
    /// (model, alias, index) -> one move; append-only.
    alias_history: LookupMap<AliasHistoryKey, AliasEntry>,
    /// (model, slot) -> alias name, slots 0..model.alias_count.
    alias_slots: LookupMap<AliasSlotKey, String>,
}

#[near]
impl Contract {
    /// Creates the registry. `owner` is the community DAO account;
    /// `open_publishing` (default false) lets anyone register models.
    /// Protected aliases start as `["production"]`.
    /// Emits `registry_initialized`.
    #[init]
    pub fn new(owner: AccountId, open_publishing: Option<bool>) -> Self {
        let open_publishing = open_publishing.unwrap_or(false);
        let mut protected_aliases = IterableSet::new(StorageKey::ProtectedAliases);
        for alias in limits::DEFAULT_PROTECTED_ALIASES {
            protected_aliases.insert(alias.to_string());
        }
        RegistryEvent::RegistryInitialized { owner: &owner, open_publishing }.emit();
        Self {
            state_version: STATE_VERSION,
            owner,
            open_publishing,
            publishers: IterableSet::new(StorageKey::Publishers),
            protected_aliases,
            model_ids: Vector::new(StorageKey::ModelIds),
            models: LookupMap::new(StorageKey::Models),
            versions: LookupMap::new(StorageKey::Versions),
            version_by_digest: LookupMap::new(StorageKey::VersionByDigest),
            alias_pointers: LookupMap::new(StorageKey::AliasPointers),
            alias_history: LookupMap::new(StorageKey::AliasHistory),
            alias_slots: LookupMap::new(StorageKey::AliasSlots),
        }
    }
}

impl Contract {
    fn assert_owner(&self) {
        require!(env::predecessor_account_id() == self.owner, ERR_NOT_OWNER);
    }

    fn is_allowed_publisher(&self, account_id: &AccountId) -> bool {
        self.open_publishing || self.publishers.contains(account_id)
    }

    fn model_or_panic(&self, model_id: &str) -> &Model {
        // Longer than any model id (a slug): no such model, and a storage key
        // built from it could exceed NEAR's 2 kB key limit (a host error).
        if model_id.len() > MAX_SLUG_LEN {
            env::panic_str(ERR_MODEL_NOT_FOUND);
        }
        self.models.get(model_id).unwrap_or_else(|| env::panic_str(ERR_MODEL_NOT_FOUND))
    }

    fn version_key(model_id: &str, version: u32) -> VersionKey {
        VersionKey { model_id: model_id.to_string(), version }
    }
}

/// Panics with the shared validator's message when `result` is an error.
fn check(result: Result<(), String>) {
    if let Err(message) = result {
        env::panic_str(&message);
    }
}

/// A required free-form text field: non-empty and at most `max` bytes.
fn check_text(what: &str, value: &str, max: usize, empty_error: &str) {
    require!(!value.trim().is_empty(), empty_error);
    check(ai_commons_primitives::validate_bounded(what, value, max));
}
