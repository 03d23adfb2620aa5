//! # embedded-chain
//!
//! An in-process NEAR chain for tests, benchmarks and demos, built on the
//! crates nearcore itself runs: `near-vm-runner` (the wasmtime VM) and
//! `near-parameters` (the real gas, fee and storage parameters of protocol
//! [`PROTOCOL_VERSION`]). It plays the role cw-multi-test plays for CosmWasm,
//! but every contract call runs the real wasm in the real VM.
//!
//! What it models, as nearcore does where a contract can tell:
//! - accounts with balance, locked balance, storage usage (account record,
//!   access keys, code, contract data) and code; account naming rules;
//! - transactions of several actions, converted to receipts with the
//!   protocol's send and execution fees charged to the signer;
//! - receipts executed one block per hop; a failed receipt reverts all its
//!   changes and refunds its deposits; unused gas is refunded to the signer;
//!   promises (`then`, `and`, batches) become receipts; callbacks receive each
//!   dependency's `Successful(bytes)` or `Failed`; unused gas is shared among
//!   calls by their gas weights;
//! - storage staking checked after each receipt, with the protocol's error;
//! - trie-node gas as nearcore charges it at protocol 88 (the rule, with the
//!   nearcore functions it follows, is in the `trie` module; conformance tests
//!   in `tests/conformance`): a write or remove pays for the nodes on its key's
//!   path in a trie holding the chain's keys, plus the value it replaces, so it
//!   grows with state as O(log16 n); reads and `has_key` pay none (flat
//!   storage); a key written earlier in the block is served from memory; a
//!   block sees the trie it started with;
//! - views (read-only, view gas limit), account and raw state views;
//! - block height and time (configurable block time; fast-forward).
//! - history and snapshots (the `store` module): every accepted transaction
//!   and executed receipt, kept in nearcore's types for RPC servers
//!   ([`Chain::transaction`], [`Chain::receipt`]); the whole chain as one
//!   checksummed snapshot ([`Chain::snapshot`], [`Chain::restore`]); the
//!   sandbox patches a node offers (`patch_account`, `patch_access_key`, `patch_code`).
//!
//! - access keys: full-access and function-call keys (added and deleted by
//!   actions, listed by `view_access_keys`); a transaction's signer must hold
//!   a key that may sign it (a full-access key, or a function-call key for one
//!   call without deposit to the key's receiver and methods);
//!
//! What it leaves out: validators and staking, access-key nonces and
//! signatures (which of the signer's keys signed is not modelled), promise yield/resume, global contracts, gas price changes and the
//! gas refund penalty, and sending a deleted account's balance to its
//! beneficiary.

mod apply;
mod builder;
mod cache;
mod execution;
mod ext;
mod fees;
mod keys;
mod outcome;
mod receipt;
mod state;
mod store;
mod transactions;
mod trie;
mod views;

pub use builder::{CallBuilder, TxBuilder};
pub use cache::cache_dir;
pub use fees::GAS_PRICE;
pub use keys::{genesis_key, is_full_access, signer_of};
pub use near_crypto::{PublicKey, Signer};
pub use near_primitives::account::{AccessKey, AccessKeyPermission, FunctionCallPermission};
pub use near_primitives::errors::{
    ActionError, ActionErrorKind, ActionsValidationError, InvalidAccessKeyError, InvalidTxError, TxExecutionError,
};
pub use near_primitives::transaction::{SignedTransaction, Transaction, TransactionV0};
pub use near_primitives_core::hash::CryptoHash;
pub use near_primitives_core::types::{AccountId, Balance as NearToken, Gas};
pub use outcome::{error_message, Event, ReceiptOutcome, ReceiptStatus, TxOutcome, ViewResult};
pub use receipt::{actions, Action};
pub use state::{
    AccountRecord, BlockInfo, Chain, CHAIN_ID, DEFAULT_BLOCK_TIME_NS, DEFAULT_CALL_GAS, GENESIS_TIMESTAMP_NS,
    PROTOCOL_VERSION, TX_VALIDITY_PERIOD,
};
pub use store::{History, RestoreError};
pub use transactions::ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT;
pub use views::{AccessKeyView, AccountView, ViewError};

/// Parses an account id, panicking on an invalid one (for tests and demos).
pub fn account(id: &str) -> AccountId {
    id.parse().unwrap_or_else(|e| panic!("invalid account id {id:?}: {e}"))
}

/// `n` NEAR.
pub const fn near(n: u128) -> NearToken {
    NearToken::from_yoctonear(n * 1_000_000_000_000_000_000_000_000)
}

/// `n` milliNEAR.
pub const fn millinear(n: u128) -> NearToken {
    NearToken::from_yoctonear(n * 1_000_000_000_000_000_000_000)
}
