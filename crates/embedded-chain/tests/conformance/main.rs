//! Conformance tests: each pins one behaviour of nearcore protocol 88 on the
//! embedded chain, with figures derived from the protocol parameters
//! (`Chain::runtime_config()`) or the VM profile, and names the nearcore
//! function or parameter it follows.

mod delegate;
mod global_contracts;
mod implicit;
mod trie_gas;
