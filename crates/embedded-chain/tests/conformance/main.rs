//! Conformance of the embedded chain to nearcore: each module pins one rule of
//! the protocol to the exact gas the VM profile shows, and cites the nearcore
//! function or parameter it follows.

mod trie_gas;
