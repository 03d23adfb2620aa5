//! Trie-node gas at protocol 88 (the rule is written out in the module docs of
//! `crates/embedded-chain/src/trie.rs`), on `chain-probe`'s raw storage ops.
//!
//! Every test starts from a chain where the probe `a.test.near` is the only
//! account with contract data, so the trie is small enough to draw. Trie keys
//! are nearcore's `TrieKey` bytes: account records are `0x00 ‖ account`,
//! contract data `0x09 ‖ "a.test.near" ‖ "," ‖ key`; the probe's data prefix is
//! 13 bytes, 26 nibbles. With data keys `k1` and `k2` (`6b 31`, `6b 32`) the
//! trie is:
//!
//! ```text
//! extension "0" (every key's first nibble)           depth 0
//! └ branch at nibble 1: 0 → the account records, 9 → the data
//!   └ extension over nibbles 2..29 ("a.test.near,k" and the 3 of 0x31/0x32)
//!     └ branch at nibble 29: 1 → leaf of k1, 2 → leaf of k2
//! ```
//!
//! so a lookup of `k1` visits 5 nodes, of a missing `k3` 4 (the branch at 29
//! has no child 3) and of a missing `x` (`78`) 3 (it leaves the extension at
//! nibble 26). With `k1` alone the data is a single leaf under the column
//! branch: 3 nodes.

use embedded_chain::{near, AccountId, Chain, ReceiptOutcome};
use near_parameters::ExtCosts;

/// `wasm_touching_trie_node` and `wasm_read_cached_trie_node` at protocol 88
/// (near-parameters `res/runtime_configs/82.yaml`: equal since protocol 82).
const NODE_GAS: u64 = 2_280_000_000;

struct Probe {
    chain: Chain,
    probe: AccountId,
    user: AccountId,
}

/// A chain whose only contract data is the probe's `keys` (each set to
/// `<key>-0`), written by one earlier transaction.
fn probe_with(keys: &[&str]) -> Probe {
    let mut chain = Chain::new();
    let probe = chain.create_account("a", near(10));
    let user = chain.create_account("user", near(100));
    chain.deploy(&probe, &wasm_build::wasm("chain-probe", &[])).assert_success();
    let mut p = Probe { chain, probe, user };
    if !keys.is_empty() {
        let writes: Vec<String> = keys.iter().map(|k| format!("w {k} {k}-0")).collect();
        p.ops(&writes.join(";"));
    }
    p
}

impl Probe {
    /// Runs `ops` (chain-probe's raw-text `;`-separated `w KEY VALUE`, `r KEY`, `h KEY`,
    /// `d KEY`) in one receipt; returns its outcome and what each op saw.
    fn ops(&mut self, ops: &str) -> (ReceiptOutcome, Vec<String>) {
        let out = self.chain.call(&self.user, &self.probe, "ops").args(ops.as_bytes().to_vec()).transact();
        out.assert_success();
        let seen = String::from_utf8(out.raw().to_vec()).expect("ops returns text");
        (out.receipts[0].clone(), seen.split(';').map(String::from).collect())
    }

    /// Runs each `|`-separated batch of ops in its own receipt, all in one block;
    /// returns those receipts' outcomes.
    fn ops_in_receipts(&mut self, batches: &str) -> Vec<ReceiptOutcome> {
        let out =
            self.chain.call(&self.user, &self.probe, "ops_in_receipts").args(batches.as_bytes().to_vec()).transact();
        out.assert_success();
        let receipts: Vec<ReceiptOutcome> =
            out.receipts.iter().filter(|r| r.actions == ["FunctionCall(ops)"]).cloned().collect();
        assert_eq!(receipts.len(), batches.split('|').count());
        assert!(receipts.iter().all(|r| r.block_height == receipts[0].block_height), "one block");
        receipts
    }

    fn fee(&self, cost: ExtCosts) -> u64 {
        self.chain.runtime_config().wasm_config.ext_costs.gas_cost(cost).as_gas()
    }
}

/// The profile's (touching_trie_node, read_cached_trie_node) rows, in nodes.
fn nodes(receipt: &ReceiptOutcome) -> (u64, u64) {
    let row = |name: &str| {
        let gas = receipt.vm_profile.iter().find(|(cost, _)| cost == name).map(|(_, gas)| *gas).unwrap_or(0);
        assert_eq!(gas % NODE_GAS, 0, "{name}: {gas} gas is not a whole number of nodes");
        gas / NODE_GAS
    };
    (row("touching_trie_node"), row("read_cached_trie_node"))
}

/// Gas of a profile row (0 when the VM did not charge it).
fn row(receipt: &ReceiptOutcome, name: &str) -> u64 {
    receipt.vm_profile.iter().find(|(cost, _)| cost == name).map(|(_, gas)| *gas).unwrap_or(0)
}

#[test]
fn a_touched_and_a_cached_node_cost_the_same() {
    // near-parameters 82.yaml: wasm_touching_trie_node new = wasm_read_cached_trie_node = 2.28 Ggas;
    // nearcore's runtime/runtime/src/ext.rs test_equalize_trie_node_touch_and_read_cost pins it.
    let chain = Chain::new();
    let costs = &chain.runtime_config().wasm_config.ext_costs;
    assert_eq!(costs.gas_cost(ExtCosts::touching_trie_node).as_gas(), NODE_GAS);
    assert_eq!(costs.gas_cost(ExtCosts::read_cached_trie_node).as_gas(), NODE_GAS);
}

#[test]
fn a_read_pays_no_trie_node() {
    // RuntimeExt::storage_get looks up in KeyLookupMode::MemOrFlatOrTrie (StorageGetMode::FlatStorage,
    // flat_storage_reads since protocol 61); Trie::get_optimized_ref tracks nodes only for
    // MemOrTrie or use_access_tracker (off in Trie::new_with_memtries), and near-vm-runner's
    // storage_read dereferences the value with a FreeGasCounter.
    let mut p = probe_with(&["k1", "k2"]);
    let (receipt, seen) = p.ops("r k1;r k3;r x");
    assert_eq!(seen, ["k1-0", "-", "-"]);
    assert_eq!(nodes(&receipt), (0, 0));
    assert_eq!(row(&receipt, "storage_read_base"), 3 * p.fee(ExtCosts::storage_read_base), "the reads ran");
}

#[test]
fn has_key_pays_no_trie_node() {
    // RuntimeExt::storage_has_key: TrieUpdate::get_ref in KeyLookupMode::MemOrFlatOrTrie, presence
    // only, no value dereference.
    let mut p = probe_with(&["k1", "k2"]);
    let (receipt, seen) = p.ops("h k1;h k3");
    assert_eq!(seen, ["true", "false"]);
    assert_eq!(nodes(&receipt), (0, 0));
    assert_eq!(row(&receipt, "storage_has_key_base"), 2 * p.fee(ExtCosts::storage_has_key_base));
}

#[test]
fn writing_a_new_key_pays_the_nodes_its_lookup_visits() {
    // RuntimeExt::storage_set looks up in KeyLookupMode::MemOrTrie, which always tracks
    // (Trie::get_optimized_ref, use_trie_accounting_cache): one node per node
    // Trie::lookup_from_state_column / memtrie_lookup visits, here until the path ends.
    let mut p = probe_with(&["k1", "k2"]);
    let (receipt, seen) = p.ops("w k3 v");
    assert_eq!(seen, ["-"]);
    assert_eq!(nodes(&receipt), (4, 0), "extension, branch, extension, branch without child 3");
    let (receipt, _) = p.ops("w x v");
    assert_eq!(nodes(&receipt), (3, 0), "extension, branch, and the extension x leaves");
    // The very first data key: the trie holds account records only, under one
    // extension over their common "00", which the data key's "09" leaves.
    let mut empty = probe_with(&[]);
    let (receipt, _) = empty.ops("w k1 v");
    assert_eq!(nodes(&receipt), (1, 0));
}

#[test]
fn rewriting_a_key_pays_its_path_and_its_old_value() {
    // RuntimeExt::storage_set: the MemOrTrie lookup (5 nodes to k1's leaf), then
    // TrieUpdateValuePtr::deref_value -> Trie::deref_optimized fetches the evicted value: one more.
    let mut p = probe_with(&["k1", "k2"]);
    let (receipt, seen) = p.ops("w k1 v");
    assert_eq!(seen, ["k1-0"]);
    assert_eq!(nodes(&receipt), (6, 0));
    assert_eq!(row(&receipt, "touching_trie_node"), 6 * NODE_GAS);
}

#[test]
fn removing_a_key_pays_its_path_and_its_old_value() {
    // RuntimeExt::storage_remove: the same MemOrTrie lookup and deref_value as a write.
    let mut p = probe_with(&["k1", "k2"]);
    let (receipt, seen) = p.ops("d k1");
    assert_eq!(seen, ["k1-0"]);
    assert_eq!(nodes(&receipt), (6, 0));
    // A missing key: the path to where it would be, no value.
    let (receipt, seen) = p.ops("d k3");
    assert_eq!(seen, ["-"]);
    assert_eq!(nodes(&receipt), (3, 0), "k1 is gone: extension, column branch, k2's lone leaf");
}

#[test]
fn a_receipt_pays_once_for_a_key_it_wrote_and_a_node_once_per_block() {
    // TrieUpdate::get_ref answers from its prospective changes (this receipt's writes and
    // removes) without touching the trie; the chunk's AccountingState counts a node already
    // touched as read_cached_trie_node, and a value read by storage_read (FreeGasCounter) is
    // already in it.
    let mut p = probe_with(&["k1", "k2"]);
    let (receipt, seen) = p.ops(concat!(
        "w k1 a;", // 5 path + old value: 6 touched
        "r k1;",   // nothing
        "w k1 b;", // in memory: nothing
        "d k1;",   // in memory: nothing
        "h k1;",   // nothing
        "w k1 c;", // removed by this receipt, still in memory: nothing
        "r k2;",   // nothing, but k2's value enters the cache
        "w k2 d",  // 4 shared nodes cached, k2's leaf touched, value cached
    ));
    assert_eq!(seen, ["k1-0", "a", "a", "b", "false", "-", "k2-0", "k2-0"]);
    assert_eq!(nodes(&receipt), (6 + 1, 4 + 1));
}

#[test]
fn a_key_written_by_an_earlier_receipt_of_the_block_is_served_from_memory() {
    // TrieUpdate::get_ref also answers from its committed changes: those of the receipts
    // applied earlier in the chunk (a block here). Until the chunk is finalised every lookup
    // walks the trie the chunk started with, and the accounting cache
    // (ApplyState::trie_access_tracker_state) lives for the whole chunk.
    let mut p = probe_with(&["k1"]);
    let receipts = p.ops_in_receipts(concat!(
        "w k2 v2|", // A: new key; the trie holds k1 alone: extension, branch, k1's leaf
        "w k1 v1|", // B: the same 3 nodes, cached; k1's old value is new
        "r k2|",    // C: nothing
        "w k2 w2|", // D: written by A: nothing
        "d k2",     // E: nothing either
    ));
    assert_eq!(receipts.iter().map(nodes).collect::<Vec<_>>(), [(3, 0), (1, 3), (0, 0), (0, 0), (0, 0)]);

    // The next block sees the finalised trie {k1} (A's k2 was removed by E): k1's lone leaf
    // again, and its value v1; nothing is cached any more.
    let (receipt, seen) = p.ops("w k1 x");
    assert_eq!(seen, ["v1"]);
    assert_eq!(nodes(&receipt), (4, 0));
}

#[test]
fn a_block_sees_the_trie_it_started_with() {
    // Writes stay in the TrieUpdate until the chunk is finalised (TrieUpdate::finalize), so a
    // key inserted earlier in the block does not lengthen another key's path until the next one.
    let mut p = probe_with(&["k1"]);
    let receipts = p.ops_in_receipts("w k2 v2|w k1 v1");
    // k1's path in the starting trie {k1}: extension, branch, leaf (cached after A), plus its value.
    assert_eq!(nodes(&receipts[1]), (1, 3));
    // A block later the trie is {k1, k2}: k1's path is 5 nodes, plus its value.
    let (receipt, _) = p.ops("w k1 x");
    assert_eq!(nodes(&receipt), (6, 0));
}
