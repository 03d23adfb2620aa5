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
//! - signed transactions (nearcore's borsh `SignedTransaction`, ed25519 and
//!   secp256k1 signatures, [`Chain::submit_signed`]) checked as nearcore
//!   checks them: size, actions, block hash within [`TX_VALIDITY_PERIOD`]
//!   (`Expired` otherwise), access key, nonce (strictly increasing, below
//!   `height × 10^6`), balance, allowance, the signer's storage stake and the
//!   key's permissions; refusals are nearcore's `InvalidTxError` values and
//!   change nothing. [`Chain::submit`] and the builders are a test
//!   convenience: the same checks without a signature;
//! - transactions of several actions, converted to receipts: send fees burnt
//!   at the gas price, execution fees and attached gas bought at
//!   `max(gas price, min_gas_purchase_price)` (NEP-642), burnt at the gas
//!   price, the difference refunded; a receipt that creates an account pays
//!   `account_creation_charge` for it;
//! - receipts executed one block per hop (a transaction's receipt to its own
//!   signer in the block that includes it); a failed receipt reverts all its
//!   changes, refunds its deposits and the execution fees of the actions it
//!   did not reach; unused gas is refunded to the signer (and to the
//!   allowance of the function-call key that signed); a refund to an account
//!   that no longer exists is burnt;
//! - promises (`then`, `and`, batches) become receipts; callbacks receive each
//!   dependency's `Successful(bytes)` or `Failed`; unused gas is shared among
//!   calls by their gas weights;
//! - storage staking checked after each receipt, with the protocol's error;
//!   NEP-448 zero-balance accounts (up to 770 bytes) need no stake;
//! - account deletion: last action only, refused with a locked balance or
//!   more than 10,000 bytes of state, the balance paid to the beneficiary in a
//!   receipt of its own;
//! - trie-node gas: each storage access pays `touching_trie_node` for the nodes
//!   on its path in a trie holding the chain's keys (cached nodes pay the cached
//!   fee), so gas grows with state as O(log16 n), as on chain;
//! - views (read-only, view gas limit), account and raw state views;
//! - block height and time (configurable block time; fast-forward);
//! - access keys with nonces: full-access and function-call keys (allowance,
//!   receiver, method names), added and deleted by actions, listed by
//!   `view_access_keys`;
//!
//! The tests in `tests/conformance/` pin these rules to exact figures derived
//! from the protocol parameters, each citing the nearcore function it follows.
//!
//! What it leaves out: validators and staking (a locked balance exists only by
//! [`Chain::patch_locked`]), forks, implicit accounts created by a transfer,
//! promise yield/resume, global contracts, and gas price changes between
//! blocks (every block charges the minimum gas price; the gas refund penalty
//! is zero at protocol 88).

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
pub use transactions::ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT;
pub use views::{AccessKeyView, AccountView};

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
