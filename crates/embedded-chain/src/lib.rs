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
//! - trie-node gas as nearcore charges it at protocol 88 (the rule, with the
//!   nearcore functions it follows, is in the `trie` module; conformance tests
//!   in `tests/conformance`): a write or remove pays for the nodes on its key's
//!   path in a trie holding the chain's keys, plus the value it replaces, so it
//!   grows with state as O(log16 n); reads and `has_key` pay none (flat
//!   storage); a key written earlier in the block is served from memory; a
//!   block sees the trie it started with;
//! - views (read-only, view gas limit), account and raw state views;
//! - block height and time (configurable block time; fast-forward);
//! - access keys with nonces: full-access and function-call keys (allowance,
//!   receiver, method names), added and deleted by actions, listed by
//!   `view_access_keys`;
//! - history and snapshots (the `store` module): every accepted transaction
//!   and executed receipt, kept in nearcore's types for RPC servers
//!   ([`Chain::transaction`], [`Chain::receipt`]); the whole chain as one
//!   checksummed snapshot ([`Chain::snapshot`], [`Chain::restore`]); the
//!   sandbox patches a node offers (`patch_account`, `patch_access_key`, `patch_code`);
//!
//! The tests in `tests/conformance/` pin these rules to exact figures derived
//! from the protocol parameters, each citing the nearcore function it follows.
//!
//! - NEP-366 delegate actions (meta transactions): a relayer's transaction
//!   carries the sender's signed delegate action; it is checked as nearcore's
//!   `apply_delegate_action` checks it (NEP-461 signature, expiry, sender,
//!   the sender's key, nonce and permissions; the key's nonce moves), then
//!   its inner actions run as a receipt from the sender, paid by the relayer
//!   (send fees burnt at conversion and again by the delegate receipt,
//!   deposits and gas prepaid; gas refunds go to the relayer, a failed inner
//!   receipt's deposits to the sender). [`Chain::delegate_action`] signs one
//!   with [`signer_of`] the sender, [`Chain::relay`] sends it;
//! - NEP-591 global contracts: `DeployGlobalContract` by code hash or by
//!   account burns `global_contract_storage_amount_per_byte` per byte from
//!   the deployer and sends a distribution receipt (to `system`) that stores
//!   the code; `UseGlobalContract` makes an account's contract
//!   [`AccountContract::Global`] or [`AccountContract::GlobalByAccount`]
//!   (storage: the identifier's bytes; a missing one fails with
//!   `GlobalContractDoesNotExist`); calls load the global code as deployed
//!   now, so a redeploy by account reaches every user; contracts may create
//!   both actions through promises;
//! - implicit accounts: a lone transfer to a missing 64-hex NEAR-implicit id
//!   creates it with the full-access key the id encodes, to a NEP-616 `0s`
//!   deterministic or `0u` universal id creates it without keys; transfers to
//!   implicit ids pay the creation fees nearcore charges by the receiver's id;
//!
//! What it leaves out: validators and staking (a locked balance exists only by
//! [`Chain::patch_locked`]), forks, promise yield/resume,
//! deterministic and universal state init, gas keys, gas price changes and
//! the gas refund penalty, and `0x` ETH-implicit accounts (nearcore gives
//! them the ETH wallet global contract, whose code the chain does not ship: a
//! transfer creating one fails with an error that says so). Global contract
//! code is not counted in the trie shape that drives trie-node gas (it lives
//! outside any account's state).

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
pub use near_primitives::action::delegate::{DelegateAction, NonDelegateAction, SignedDelegateAction};
pub use near_primitives::action::{GlobalContractDeployMode, GlobalContractIdentifier};
pub use near_primitives::errors::{
    ActionError, ActionErrorKind, ActionsValidationError, InvalidAccessKeyError, InvalidTxError, TxExecutionError,
};
pub use near_primitives::transaction::{SignedTransaction, Transaction, TransactionV0};
pub use near_primitives_core::account::AccountContract;
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
