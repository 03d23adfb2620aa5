//! The shape of the shard trie, and which of its nodes a storage access pays
//! for, following nearcore at protocol 88 (near-vm-runner 0.38).
//!
//! # The rule
//!
//! A contract's storage host functions reach the state through nearcore's
//! `RuntimeExt` (`runtime/runtime/src/ext.rs`), which asks `TrieUpdate::get_ref`
//! (`core/store/src/trie/update.rs`) for the key and charges the contract for
//! the trie nodes the lookup recorded in the chunk's `AccountingAccessTracker`
//! (`AccountingState::commit_counts_since`: first touches as
//! `touching_trie_node`, repeated ones as `read_cached_trie_node`):
//!
//! 1. **Served from memory.** `TrieUpdate::get_ref` first looks in its
//!    `prospective` changes (this receipt's writes and removes) and then in its
//!    `committed` changes (those of every receipt already applied in this
//!    chunk; a failed receipt's are rolled back). A key found there is
//!    answered without touching the trie: it pays no trie node, for any host
//!    function. A removed key counts as written (its change is `None`).
//! 2. **`storage_read`, `storage_has_key`: no trie nodes.** With flat storage
//!    on (`flat_storage_reads`, protocol 61 on; `StorageGetMode::FlatStorage`)
//!    they look up in `KeyLookupMode::MemOrFlatOrTrie`, and
//!    `Trie::get_optimized_ref` tracks nodes only when
//!    `mode == KeyLookupMode::MemOrTrie || self.use_access_tracker`; the
//!    tracker flag is off for chunk producers (`Trie::new_with_memtries`) and
//!    validators (`Trie::from_recorded_storage` with flat storage used). Memtries
//!    (`lookup_from_memory` with `use_trie_accounting_cache = false`) and flat
//!    storage (`lookup_from_flat_storage`) both record nothing. `storage_read`
//!    then dereferences the value (`RuntimeExtValuePtr::deref`), but
//!    near-vm-runner's `storage_read` passes a `FreeGasCounter`: the value's
//!    node is free, yet it enters the chunk's accounting cache.
//! 3. **`storage_write`, `storage_remove`: the path, plus the old value.** They
//!    look up in `KeyLookupMode::MemOrTrie`, which always tracks: one node per
//!    trie node the lookup visits (`Trie::lookup_from_state_column`, or
//!    `memtrie_lookup` in `core/store/src/trie/mem/lookup.rs`, which visit the
//!    same nodes: from the root down to the key's leaf, or to the node where a
//!    missing key's path ends). If the key holds a value, `deref_value` fetches
//!    it through `Trie::deref_optimized`: one more node.
//! 4. **The trie is the chunk's starting trie.** Writes stay in the
//!    `TrieUpdate` until the chunk is finalised, so every lookup in a chunk
//!    walks the trie as it was when the chunk began.
//! 5. **Cached or not, the same price.** The accounting cache lives for the
//!    chunk (`ApplyState::trie_access_tracker_state`, one per chunk) and is
//!    keyed by node hash; a node (or value) already in it is charged
//!    `read_cached_trie_node`, a new one `touching_trie_node`. Since protocol
//!    82 (`wasm_touching_trie_node` = `wasm_read_cached_trie_node` =
//!    2.28 Ggas) only the profile row differs, never the gas.
//!
//! # The model
//!
//! The embedded chain stands a block for a chunk. [`TrieShape`] keeps every
//! key of the chain's trie that can lie on a contract-data path (account
//! records, column 0, and contract data, column 9, as nearcore's `TrieKey`
//! serialises them; access keys and code live in other columns, which only add
//! children to the column branch every path crosses) and walks the
//! Patricia-Merkle trie nearcore builds over exactly those keys: a leaf for a
//! lone key, an extension over a shared run of nibbles, a branch where keys
//! part (holding the value of a key that ends there). Between
//! [`TrieShape::begin_chunk`] and [`TrieShape::end_chunk`] inserts and removes
//! are held back (rule 4) and remembered as written (rule 1), and touched
//! nodes are remembered for the profile split (rule 5). A node is identified
//! by its position, a value by its SHA-256; nearcore identifies both by hash,
//! so two byte-identical subtrees at different positions, which nearcore would
//! count as one cached node, count here as two touches: the profile row can
//! differ in that corner, the gas cannot.

use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::ops::Bound;

/// Column byte nearcore uses for contract data in the state trie.
const COL_CONTRACT_DATA: u8 = 9;
/// Column byte nearcore uses for account records.
const COL_ACCOUNT: u8 = 0;

/// Trie key of a contract-data record.
pub(crate) fn data_key(account: &str, key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + account.len() + key.len());
    out.push(COL_CONTRACT_DATA);
    out.extend_from_slice(account.as_bytes());
    out.push(b',');
    out.extend_from_slice(key);
    out
}

/// Trie key of an account record.
pub(crate) fn account_key(account: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + account.len());
    out.push(COL_ACCOUNT);
    out.extend_from_slice(account.as_bytes());
    out
}

/// What the accounting cache holds: a trie node (by its depth in nibbles and
/// the nibbles above it) or a value (by its SHA-256).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum NodeId {
    Node(u32, Vec<u8>),
    Value([u8; 32]),
}

impl NodeId {
    /// The value node of `value`.
    pub(crate) fn value(value: &[u8]) -> NodeId {
        NodeId::Value(Sha256::digest(value).into())
    }
}

/// Trie nodes an access pays for, split as the VM charges them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct NodeCharge {
    /// First touches in the chunk: `touching_trie_node`.
    pub touched: u64,
    /// Nodes already touched in the chunk: `read_cached_trie_node`.
    pub cached: u64,
}

/// State of the chunk being applied (see the module docs).
#[derive(Clone, Default)]
struct Chunk {
    /// Keys set (`true`) or removed (`false`) by receipts committed earlier in
    /// the chunk, applied to the trie when the chunk ends.
    written: BTreeMap<Vec<u8>, bool>,
    /// The chunk's accounting cache.
    touched: RefCell<HashSet<NodeId>>,
}

/// Every key of the (single-shard) trie, ordered, and the chunk being applied.
#[derive(Default, Clone)]
pub(crate) struct TrieShape {
    keys: BTreeSet<Vec<u8>>,
    chunk: Option<Chunk>,
}

fn nibble(key: &[u8], i: usize) -> u8 {
    let b = key[i / 2];
    if i.is_multiple_of(2) {
        b >> 4
    } else {
        b & 0x0f
    }
}

/// Length, in nibbles, of the common prefix of `a` and `b`.
fn common_nibbles(a: &[u8], b: &[u8]) -> u32 {
    let bytes = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let mut n = 2 * bytes;
    if bytes < a.len() && bytes < b.len() && a[bytes] >> 4 == b[bytes] >> 4 {
        n += 1;
    }
    n as u32
}

/// Smallest byte string greater than every string starting with `prefix`.
fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut out = prefix.to_vec();
    while let Some(last) = out.pop() {
        if last != 0xff {
            out.push(last + 1);
            return Some(out);
        }
    }
    None
}

/// `[start, end)` bounds of the keys whose first `depth` nibbles equal `key`'s.
fn nibble_prefix_range(key: &[u8], depth: u32) -> (Vec<u8>, Option<Vec<u8>>) {
    let depth = depth as usize;
    let whole = depth / 2;
    if depth.is_multiple_of(2) {
        let start = key[..whole].to_vec();
        let end = prefix_successor(&start);
        (start, end)
    } else {
        let high = nibble(key, depth - 1);
        let mut start = key[..whole].to_vec();
        start.push(high << 4);
        let end = if high < 15 {
            let mut end = key[..whole].to_vec();
            end.push((high + 1) << 4);
            Some(end)
        } else {
            prefix_successor(&key[..whole])
        };
        (start, end)
    }
}

/// The node at `depth` nibbles on `key`'s path.
fn node_at(key: &[u8], depth: u32) -> NodeId {
    let mut prefix = key[..(depth as usize).div_ceil(2)].to_vec();
    if depth % 2 == 1 {
        if let Some(last) = prefix.last_mut() {
            *last &= 0xf0;
        }
    }
    NodeId::Node(depth, prefix)
}

impl TrieShape {
    /// Adds `key` to the trie (when the chunk ends, inside one).
    pub(crate) fn insert(&mut self, key: Vec<u8>) {
        match &mut self.chunk {
            Some(chunk) => {
                chunk.written.insert(key, true);
            }
            None => {
                self.keys.insert(key);
            }
        }
    }

    /// Removes `key` from the trie (when the chunk ends, inside one).
    pub(crate) fn remove(&mut self, key: &[u8]) {
        match &mut self.chunk {
            Some(chunk) => {
                chunk.written.insert(key.to_vec(), false);
            }
            None => {
                self.keys.remove(key);
            }
        }
    }

    /// Keys in the trie (as of the chunk's start, inside one).
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Starts applying a chunk: from here on the trie stays as it is, writes are
    /// held back and remembered, and touched nodes are cached.
    pub(crate) fn begin_chunk(&mut self) {
        self.end_chunk();
        self.chunk = Some(Chunk::default());
    }

    /// Finalises the chunk: its writes reach the trie, its cache is dropped.
    pub(crate) fn end_chunk(&mut self) {
        if let Some(chunk) = self.chunk.take() {
            for (key, present) in chunk.written {
                if present {
                    self.keys.insert(key);
                } else {
                    self.keys.remove(&key);
                }
            }
        }
    }

    /// Whether a chunk is being applied (outside one, in views, nothing is cached).
    pub(crate) fn in_chunk(&self) -> bool {
        self.chunk.is_some()
    }

    /// Whether a receipt committed earlier in this chunk set or removed `key`
    /// (nearcore: `TrieUpdate`'s committed changes).
    pub(crate) fn written_in_chunk(&self, key: &[u8]) -> bool {
        self.chunk.as_ref().is_some_and(|c| c.written.contains_key(key))
    }

    /// First and last key whose first `depth` nibbles equal `key`'s.
    fn subtree(&self, key: &[u8], depth: u32) -> Option<(&[u8], &[u8])> {
        let (start, end) = nibble_prefix_range(key, depth);
        let upper = match &end {
            Some(end) => Bound::Excluded(&end[..]),
            None => Bound::Unbounded,
        };
        let mut range = self.keys.range::<[u8], _>((Bound::Included(&start[..]), upper));
        let first = range.next()?;
        let last = range.next_back().unwrap_or(first);
        Some((first, last))
    }

    /// The nodes a lookup of `key` visits, root first, as nearcore's
    /// `Trie::lookup_from_state_column` walks them: into a leaf (whether or not
    /// it holds `key`), along an extension while `key` follows it, into a
    /// branch and on to the child for `key`'s next nibble while there is one.
    pub(crate) fn lookup(&self, key: &[u8]) -> Vec<NodeId> {
        let key_nibbles = 2 * key.len() as u32;
        let mut nodes = Vec::new();
        let mut depth = 0;
        // The keys below the node at `depth`; none: the path ends before it.
        while let Some((first, last)) = self.subtree(key, depth) {
            if first == last {
                nodes.push(node_at(key, depth)); // a leaf
                break;
            }
            let split = common_nibbles(first, last);
            if split > depth {
                nodes.push(node_at(key, depth)); // an extension over depth..split
                if common_nibbles(key, first) < split {
                    break;
                }
            }
            nodes.push(node_at(key, split)); // a branch
            if split == key_nibbles {
                break; // `key` ends here: the branch holds its value, if any
            }
            depth = split + 1;
        }
        nodes
    }

    /// Charges `nodes` to the chunk's accounting cache: new ones are touched,
    /// the others cached. Outside a chunk (views) nothing is cached.
    pub(crate) fn touch(&self, nodes: impl IntoIterator<Item = NodeId>) -> NodeCharge {
        let mut charge = NodeCharge::default();
        let Some(chunk) = &self.chunk else {
            charge.touched = nodes.into_iter().count() as u64;
            return charge;
        };
        let mut touched = chunk.touched.borrow_mut();
        for node in nodes {
            if touched.insert(node) {
                charge.touched += 1;
            } else {
                charge.cached += 1;
            }
        }
        charge
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(keys: &[&[u8]]) -> TrieShape {
        let mut s = TrieShape::default();
        for k in keys {
            s.insert(k.to_vec());
        }
        s
    }

    #[test]
    fn an_empty_trie_has_no_nodes() {
        assert!(TrieShape::default().lookup(b"abc").is_empty());
    }

    #[test]
    fn a_single_key_is_one_leaf_whoever_looks() {
        let s = shape(&[b"abc"]);
        assert_eq!(s.lookup(b"abc").len(), 1);
        // A missing key's lookup still reads the leaf to find it holds another key.
        assert_eq!(s.lookup(b"xyz").len(), 1);
    }

    #[test]
    fn keys_parting_at_the_first_nibble_hang_from_a_root_branch() {
        let s = shape(&[&[0x10], &[0x20]]);
        assert_eq!(s.lookup(&[0x10]).len(), 2, "branch, leaf");
        assert_eq!(s.lookup(&[0x30]).len(), 1, "the branch has no child 3");
    }

    #[test]
    fn a_shared_prefix_is_an_extension() {
        let s = shape(&[&[0xaa, 0x10], &[0xaa, 0x20]]);
        assert_eq!(s.lookup(&[0xaa, 0x10]).len(), 3, "extension, branch, leaf");
        assert_eq!(s.lookup(&[0xaa, 0x30]).len(), 2, "extension, branch without child 3");
        assert_eq!(s.lookup(&[0xab, 0x10]).len(), 1, "the key leaves the extension");
    }

    #[test]
    fn a_key_that_is_a_prefix_of_another_ends_at_a_branch() {
        let s = shape(&[&[0xaa], &[0xaa, 0x10]]);
        assert_eq!(s.lookup(&[0xaa]).len(), 2, "extension, branch with value");
        assert_eq!(s.lookup(&[0xaa, 0x10]).len(), 3, "extension, branch, leaf");
    }

    #[test]
    fn the_path_grows_logarithmically() {
        let key = |i: u32| data_key("dao.test.near", &i.to_be_bytes());
        let mut small = TrieShape::default();
        for i in 0u32..16 {
            small.insert(key(i));
        }
        let mut large = TrieShape::default();
        for i in 0u32..4096 {
            large.insert(key(i));
        }
        let (small, large) = (small.lookup(&key(3)).len(), large.lookup(&key(3)).len());
        assert!(large > small, "{large} > {small}");
        assert!(large <= small + 4, "{large} <= {small} + 4");
    }

    #[test]
    fn a_chunk_sees_its_starting_trie_and_remembers_its_writes() {
        let mut s = shape(&[&[0x10]]);
        s.begin_chunk();
        s.insert(vec![0x20]);
        s.remove(&[0x10]);
        assert_eq!(s.len(), 1);
        assert_eq!(s.lookup(&[0x20]).len(), 1, "still the lone leaf of 0x10");
        assert!(s.written_in_chunk(&[0x20]) && s.written_in_chunk(&[0x10]));
        assert!(!s.written_in_chunk(&[0x30]));
        s.end_chunk();
        assert!(!s.written_in_chunk(&[0x20]));
        assert_eq!(s.len(), 1);
        assert_eq!(s.lookup(&[0x20]).len(), 1, "now 0x20's own leaf");
        assert_eq!(s.lookup(&[0x20]), vec![NodeId::Node(0, vec![])]);
    }

    #[test]
    fn nodes_are_cached_for_the_rest_of_the_chunk() {
        let mut s = shape(&[&[0x10], &[0x20]]);
        s.begin_chunk();
        assert_eq!(s.touch(s.lookup(&[0x10])), NodeCharge { touched: 2, cached: 0 });
        assert_eq!(s.touch(s.lookup(&[0x20])), NodeCharge { touched: 1, cached: 1 });
        assert_eq!(s.touch([NodeId::value(b"v")]), NodeCharge { touched: 1, cached: 0 });
        assert_eq!(s.touch([NodeId::value(b"v")]), NodeCharge { touched: 0, cached: 1 });
        s.begin_chunk();
        assert_eq!(s.touch(s.lookup(&[0x20])), NodeCharge { touched: 2, cached: 0 });
    }
}
