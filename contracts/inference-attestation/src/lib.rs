//! inference-attestation: signed receipts that prove which model answered.
//!
//! Attesters (inference nodes) are admitted and revoked by the owner (the
//! community DAO). Anyone holding a receipt an attester signed may submit it:
//! the contract checks the attester, the clock, the signature and the nonce,
//! reserves the nonce, asks the community's model-registry whether the version
//! is Approved with the same weights digest, and stores the receipt in the
//! callback only if so. See README.md for the methods and the signed byte layout.

use ai_commons_primitives::receipt::Ed25519PublicKey;
use ai_commons_primitives::StateVersion;
use near_sdk::state::ContractState;
use near_sdk::store::{LookupMap, LookupSet, Vector};
use near_sdk::{env, json_types::U64, near, require, AccountId, BorshStorageKey, PanicOnDefault};

pub mod attesters;
pub mod errors;
pub mod events;
pub mod receipts;
pub mod storage;
pub mod tee;
mod tee_store;
#[cfg(test)]
mod testing;
pub mod upgrade;
pub mod views;

use attesters::Attester;
use errors::*;
use receipts::{IndexKey, NonceKey, StoredReceipt};

/// State version of [`Contract`]; bump it (and teach `migrate`) when fields change.
#[cfg(not(feature = "upgrade-test"))]
pub const STATE_VERSION: StateVersion = 1;
#[cfg(feature = "upgrade-test")]
pub const STATE_VERSION: StateVersion = 2;

/// What `contract_version()` reports.
#[cfg(not(feature = "upgrade-test"))]
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");
#[cfg(feature = "upgrade-test")]
pub const CONTRACT_VERSION: &str = "2.0.0-upgrade-test";
/// Default window around block time a receipt timestamp must fall in: 5 minutes.
pub const DEFAULT_MAX_CLOCK_SKEW_NS: u64 = 5 * 60 * 1_000_000_000;
const MIN_CLOCK_SKEW_NS: u64 = 1_000_000_000;
const MAX_CLOCK_SKEW_NS: u64 = 24 * 60 * 60 * 1_000_000_000;

#[near]
#[derive(BorshStorageKey, Clone, Copy)]
pub(crate) enum StorageKey {
    Attesters,
    AttesterIds,
    AttesterKeys,
    UsedNonces,
    Receipts,
    IndexCounts,
    IndexEntries,
    // Admission by quote (tee.rs): plain keys under these prefixes
    // (tee_store.rs), not fields of the state: adding them changed no layout.
    TeeState,
    TeeMeasurementSets,
    TeePlatforms,
    TeeChallenges,
    TeeEvidence,
}

/// The root record (the `STATE` key). Its `ContractState` impl below writes
/// it back only when its bytes changed.
#[near(serializers = [borsh])]
#[near_sdk::near_bindgen]
#[derive(PanicOnDefault)]
pub struct Contract {
    /// State version of this struct. First field, so `migrate` can read it
    /// from the raw state before choosing which layout to decode.
    state_version: StateVersion,
    /// Governing account (the community DAO): admits and revokes attesters.
    owner: AccountId,
    /// The community's model-registry, asked about every submitted receipt.
    registry: AccountId,
    /// A receipt's timestamp must be within ± this many ns of block time.
    max_clock_skew_ns: u64,
    /// Operator account → attester record.
    attesters: LookupMap<AccountId, Attester>,
    /// Operators in admission order, for paginated listing.
    attester_ids: Vector<AccountId>,
    /// Signing key → operator. A key belongs to at most one operator, forever.
    attester_keys: LookupMap<Ed25519PublicKey, AccountId>,
    /// (operator, nonce) pairs that are reserved or spent.
    used_nonces: LookupSet<NonceKey>,
    /// Receipt id → stored receipt. Ids start at 0 and never repeat.
    receipts: LookupMap<u64, StoredReceipt>,
    next_receipt_id: u64,
    /// Number of receipts per index key (requester, model, model version, attester).
    index_counts: LookupMap<IndexKey, u64>,
    /// (index key, position) → receipt id: O(1) storage per receipt per index.
    index_entries: LookupMap<(IndexKey, u64), u64>,
}

thread_local! {
    /// The root's bytes as `state_read` found them in this call.
    static STATE_AS_READ: std::cell::RefCell<Option<Vec<u8>>> = const { std::cell::RefCell::new(None) };
}

/// near-sdk reads the root before every method that takes `self` and writes
/// it back after every `&mut self` one. A submitted receipt leaves the root
/// as it was (its nonce and the collections live under their own keys), and
/// rewriting unchanged bytes would cost ~0.1 Tgas (the `storage_write` base
/// fee, the bytes, the trie nodes on its path): so it is written only if its
/// bytes changed.
impl ContractState for Contract {
    fn state_read() -> Option<Self> {
        let bytes = env::storage_read(Self::state_key())?;
        let state = near_sdk::borsh::from_slice(&bytes).unwrap_or_else(|_| env::panic_str(ERR_STATE_CORRUPT));
        STATE_AS_READ.with(|read| *read.borrow_mut() = Some(bytes));
        Some(state)
    }

    fn state_write(&self) -> bool {
        let bytes = near_sdk::borsh::to_vec(self).unwrap_or_else(|_| env::panic_str(ERR_STATE_CORRUPT));
        if STATE_AS_READ.with(|read| read.borrow().as_deref() == Some(bytes.as_slice())) {
            return true;
        }
        env::storage_write(Self::state_key(), &bytes)
    }
}

#[near]
impl Contract {
    /// Creates the contract. `owner` is the community DAO, `registry` its
    /// model-registry; `max_clock_skew_ns` defaults to 5 minutes. Caller: the
    /// deployer, once (deploy and init in one transaction). No event.
    #[init]
    pub fn new(owner: AccountId, registry: AccountId, max_clock_skew_ns: Option<U64>) -> Self {
        let max_clock_skew_ns = max_clock_skew_ns.map_or(DEFAULT_MAX_CLOCK_SKEW_NS, |v| v.0);
        validate_clock_skew(max_clock_skew_ns);
        Self {
            state_version: STATE_VERSION,
            owner,
            registry,
            max_clock_skew_ns,
            attesters: LookupMap::new(StorageKey::Attesters),
            attester_ids: Vector::new(StorageKey::AttesterIds),
            attester_keys: LookupMap::new(StorageKey::AttesterKeys),
            used_nonces: LookupSet::new(StorageKey::UsedNonces),
            receipts: LookupMap::new(StorageKey::Receipts),
            next_receipt_id: 0,
            index_counts: LookupMap::new(StorageKey::IndexCounts),
            index_entries: LookupMap::new(StorageKey::IndexEntries),
        }
    }
}

impl Contract {
    pub(crate) fn assert_owner(&self) {
        require!(env::predecessor_account_id() == self.owner, ERR_NOT_OWNER);
    }

    /// Belt and braces for `#[private]` (whose check lives only in the wasm
    /// entry point): also enforced when the method body runs.
    pub(crate) fn assert_self() {
        ai_commons_primitives::upgrade::require_self();
    }

    /// Writes cached collection entries to storage so `env::storage_usage()` sees them.
    pub(crate) fn flush(&mut self) {
        self.attesters.flush();
        self.attester_ids.flush();
        self.attester_keys.flush();
        self.receipts.flush();
        self.index_counts.flush();
        self.index_entries.flush();
    }
}

pub(crate) fn validate_clock_skew(ns: u64) {
    require!((MIN_CLOCK_SKEW_NS..=MAX_CLOCK_SKEW_NS).contains(&ns), ERR_CLOCK_SKEW);
}
