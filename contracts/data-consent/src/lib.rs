//! data-consent: each user's consent grants, revocable at once, provable at
//! training time.
//!
//! One shared deployment serves every user and community. A grant slot per
//! (user, grantee, purpose) is created, changed, revoked or deleted only by
//! the user or by a manager the user named; the owner set at init (if any)
//! controls code upgrades and nothing else. Every consent change is appended
//! to the (grantee, purpose) hash chain a grantee cites in training
//! snapshots. Storage follows NEP-145: grants are paid from the user's
//! storage balance, which anyone may top up.
//!
//! Modules: `grants` (grant / revoke / delete), `managers`, `chain` (hash
//! chain, slot history, snapshots), `storage` (NEP-145 and charging),
//! `views`, `upgrade`, `events`, `errors`, `types`.

use ai_commons_primitives::{validate_bounded, validate_slug, ModelId, StateVersion};
use near_sdk::store::LookupMap;
use near_sdk::{env, near, AccountId, BorshStorageKey, PanicOnDefault};

pub mod chain;
pub mod errors;
pub mod events;
pub mod grants;
pub mod managers;
pub mod storage;
pub mod types;
pub mod upgrade;
pub mod views;

#[cfg(test)]
mod tests;

use crate::errors::*;
use crate::events::{ConsentEvent, OwnerChange};
use crate::types::*;

/// State version of [`Contract`]; `migrate` reads older layouts.
#[cfg(not(feature = "upgrade-test"))]
pub const STATE_VERSION: StateVersion = 1;
#[cfg(feature = "upgrade-test")]
pub const STATE_VERSION: StateVersion = 2;

/// What `contract_version()` reports.
#[cfg(not(feature = "upgrade-test"))]
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");
#[cfg(feature = "upgrade-test")]
pub const CONTRACT_VERSION: &str = "2.0.0-upgrade-test";
/// Most data categories one grant may name.
pub const MAX_CATEGORIES: usize = 16;
/// Longest category name, in bytes.
pub const MAX_CATEGORY_LEN: usize = 32;
/// Longest snapshot note, in bytes.
pub use ai_commons_primitives::validate::MAX_NOTE_LEN;
/// Most users one `is_allowed_batch` call checks.
pub const MAX_BATCH: usize = 100;

#[derive(BorshStorageKey)]
#[near]
enum StorageKey {
    Accounts,
    Managers,
    Grants,
    UserGrants,
    Grantors,
    Chains,
    History,
    HistoryLen,
    Snapshots,
}

#[near(contract_state)]
#[derive(PanicOnDefault)]
pub struct Contract {
    /// State version of this struct; see [`STATE_VERSION`]. First field.
    state_version: StateVersion,
    /// May upgrade the code (and hand that right on). `None`: upgrades disabled.
    owner: Option<AccountId>,
    /// NEP-145 storage accounts.
    accounts: LookupMap<AccountId, StorageAccount>,
    /// Managers a user named.
    managers: LookupMap<ManagerKey, ConsentManager>,
    /// Grant slots.
    grants: LookupMap<SlotKey, ConsentGrant>,
    /// Per-user grant index: (user, i) -> (grantee, purpose), i < grant_count.
    user_grants: LookupMap<(AccountId, u32), ChainKey>,
    /// Per-(grantee, purpose) grantor index: (chain, i) -> user, i < grantor_count.
    grantors: LookupMap<(ChainKey, u32), AccountId>,
    /// Consent chain heads per (grantee, purpose).
    chains: LookupMap<ChainKey, ConsentChain>,
    /// Per-slot history of live periods: (slot, i) -> period, i < history_len.
    history: LookupMap<(SlotKey, u32), LivePeriod>,
    /// Number of live periods a slot ever had (kept after the slot is deleted).
    history_len: LookupMap<SlotKey, u32>,
    /// Training snapshots by id (1-based).
    snapshots: LookupMap<u64, TrainingSnapshot>,
    /// Number of snapshots recorded; the last id.
    snapshot_count: u64,
}

#[near]
impl Contract {
    /// Creates the contract. Deploy and call in one batch. `owner` controls
    /// upgrades only (`None`: upgrades disabled forever). Emits `contract_initialized`.
    #[init]
    pub fn new(owner: Option<AccountId>) -> Self {
        ConsentEvent::ContractInitialized(OwnerChange { old_owner: None, new_owner: owner.clone() }).emit();
        Self {
            state_version: STATE_VERSION,
            owner,
            accounts: LookupMap::new(StorageKey::Accounts),
            managers: LookupMap::new(StorageKey::Managers),
            grants: LookupMap::new(StorageKey::Grants),
            user_grants: LookupMap::new(StorageKey::UserGrants),
            grantors: LookupMap::new(StorageKey::Grantors),
            chains: LookupMap::new(StorageKey::Chains),
            history: LookupMap::new(StorageKey::History),
            history_len: LookupMap::new(StorageKey::HistoryLen),
            snapshots: LookupMap::new(StorageKey::Snapshots),
            snapshot_count: 0,
        }
    }
}

impl Contract {
    /// Writes every cached collection entry, so `env::storage_usage()`
    /// reflects this call's changes before storage is settled.
    fn flush(&mut self) {
        self.accounts.flush();
        self.managers.flush();
        self.grants.flush();
        self.user_grants.flush();
        self.grantors.flush();
        self.chains.flush();
        self.history.flush();
        self.history_len.flush();
        self.snapshots.flush();
    }

    /// Resolves who a grant change is for and checks the caller may make it:
    /// the user themself (`user` omitted or equal to the caller), or a
    /// manager the user named that has not expired and covers `grantee`.
    /// Returns (user, actor, the end of the actor's authority: `None` for the
    /// user and for a manager without expiry).
    fn authorize(&self, user: Option<AccountId>, grantee: &AccountId) -> (AccountId, AccountId, Option<u64>) {
        let caller = env::predecessor_account_id();
        let user = match user {
            None => return (caller.clone(), caller, None),
            Some(user) if user == caller => return (user, caller, None),
            Some(user) => user,
        };
        let key = ManagerKey { user, manager: caller };
        let Some(manager) = self.managers.get(&key) else { env::panic_str(ERR_NOT_USER_OR_MANAGER) };
        if manager.expires_at.is_some_and(|at| at <= env::block_timestamp()) {
            env::panic_str(ERR_MANAGER_EXPIRED);
        }
        if manager.grantee.as_ref().is_some_and(|g| g != grantee) {
            env::panic_str(ERR_MANAGER_OUT_OF_SCOPE);
        }
        (key.user, key.manager, manager.expires_at)
    }
}

/// The expiry a grant gets: the one asked for, but never later than the end
/// of the authority of whoever makes it (a manager's `expires_at`), so a
/// manager cannot leave consent live after its own authority ends.
fn clamp_expiry(requested: Option<u64>, authority_ends: Option<u64>) -> Option<u64> {
    match (requested, authority_ends) {
        (Some(at), Some(end)) => Some(at.min(end)),
        (requested, None) => requested,
        (None, end) => end,
    }
}

fn require_future(expires_at: Option<u64>) {
    if expires_at.is_some_and(|at| at <= env::block_timestamp()) {
        env::panic_str(ERR_EXPIRY_NOT_FUTURE);
    }
}

fn validate_model_id(model_id: &Option<ModelId>) {
    if let Some(m) = model_id {
        validate_slug("model id", m).unwrap_or_else(|e| env::panic_str(&e));
    }
}

fn validate_categories(categories: &Option<Vec<String>>) {
    let Some(categories) = categories else { return };
    if categories.is_empty() {
        env::panic_str(ERR_CATEGORIES_EMPTY);
    }
    if categories.len() > MAX_CATEGORIES {
        env::panic_str(&format!("{ERR_CATEGORIES_TOO_MANY}: {}, at most {MAX_CATEGORIES}", categories.len()));
    }
    for (i, c) in categories.iter().enumerate() {
        validate_bounded("category", c, MAX_CATEGORY_LEN).unwrap_or_else(|e| env::panic_str(&e));
        validate_slug("category", c).unwrap_or_else(|e| env::panic_str(&e));
        if categories[..i].contains(c) {
            env::panic_str(&format!("{ERR_CATEGORY_DUPLICATE}: {c}"));
        }
    }
}
