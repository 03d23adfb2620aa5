//! Conformance of the embedded chain to nearcore protocol 88: each test pins
//! one rule of the protocol to exact figures (gas, balances, storage bytes)
//! derived from the protocol parameters (`Chain::runtime_config()`) or the VM
//! profile, and cites the nearcore function or parameter it follows.

mod accounts;
mod delegate;
mod fees;
mod gas_price;
mod global_contracts;
mod implicit;
mod support;
mod transactions;
mod trie_gas;
