//! The shape of the shard trie, for charging trie-node touches the way nearcore does.
//!
//! nearcore charges `touching_trie_node` for every trie node on the path to a key
//! the contract reads or writes, and the cheaper `read_cached_trie_node` for nodes
//! already touched earlier in the same receipt. The path length depends on how
//! many keys the trie holds and how they share prefixes, so a contract whose state
//! grows pays a little more per access: O(log16 n). We keep every contract-data
//! key of the chain (as nearcore's `TrieKey::ContractData`: column byte, account
//! id, `,`, key) in one ordered set and count the nodes of the Patricia-Merkle
//! path a key would have in a trie holding exactly that set.

use std::collections::{BTreeSet, HashSet};
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

/// Identity of a trie node: its depth in nibbles and the nibbles above it.
pub(crate) type NodeId = (u32, Vec<u8>);

/// Every key of the (single-shard) trie, ordered.
#[derive(Default, Clone)]
pub(crate) struct TrieShape {
    keys: BTreeSet<Vec<u8>>,
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

impl TrieShape {
    pub(crate) fn insert(&mut self, key: Vec<u8>) {
        self.keys.insert(key);
    }

    pub(crate) fn remove(&mut self, key: &[u8]) {
        self.keys.remove(key);
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Depths (in nibbles) of the branch nodes on the path to `key`, deepest first.
    fn branch_depths(&self, key: &[u8]) -> Vec<u32> {
        let mut depths = Vec::new();
        let mut pred = self.keys.range::<[u8], _>((Bound::Unbounded, Bound::Excluded(key))).next_back();
        let mut succ = self.keys.range::<[u8], _>((Bound::Excluded(key), Bound::Unbounded)).next();
        loop {
            let depth = match (pred, succ) {
                (None, None) => break,
                (Some(p), None) => common_nibbles(key, p),
                (None, Some(s)) => common_nibbles(key, s),
                (Some(p), Some(s)) => common_nibbles(key, p).max(common_nibbles(key, s)),
            };
            depths.push(depth);
            if depth == 0 {
                break;
            }
            // Everything sharing `depth` nibbles with `key` hangs below this branch;
            // the next branch up is where `key` parts from the nearest key outside it.
            let (start, end) = nibble_prefix_range(key, depth);
            pred = self.keys.range::<[u8], _>((Bound::Unbounded, Bound::Excluded(&start[..]))).next_back();
            succ = match &end {
                Some(end) => self.keys.range::<[u8], _>((Bound::Included(&end[..]), Bound::Unbounded)).next(),
                None => None,
            };
        }
        depths
    }

    /// The nodes a lookup of `key` touches, root first.
    pub(crate) fn path(&self, key: &[u8]) -> Vec<NodeId> {
        let mut branches = self.branch_depths(key);
        branches.reverse();
        let key_nibbles = 2 * key.len() as u32;
        let node = |depth: u32| -> NodeId {
            let bytes = (depth as usize).div_ceil(2);
            let mut prefix = key[..bytes].to_vec();
            if depth % 2 == 1 {
                if let Some(last) = prefix.last_mut() {
                    *last &= 0xf0;
                }
            }
            (depth, prefix)
        };
        let mut nodes = Vec::with_capacity(branches.len() * 2 + 2);
        let mut at = 0u32;
        for &depth in &branches {
            if depth > at {
                nodes.push(node(at)); // extension node covering nibbles at..depth
            }
            nodes.push(node(depth)); // branch node
            at = depth + 1;
        }
        if branches.last().is_none_or(|&d| d < key_nibbles) {
            nodes.push(node(at.min(key_nibbles))); // leaf holding the rest of the key
        }
        nodes
    }
}

/// Nodes touched during one receipt: the first touch of a node costs a full
/// trie-node fee, later touches the cached fee.
#[derive(Default)]
pub(crate) struct TouchedNodes {
    seen: HashSet<NodeId>,
}

impl TouchedNodes {
    /// Returns `(new, cached)` counts for touching `path`.
    pub(crate) fn touch(&mut self, path: Vec<NodeId>) -> (u64, u64) {
        let mut new = 0;
        let mut cached = 0;
        for node in path {
            if self.seen.insert(node) {
                new += 1;
            } else {
                cached += 1;
            }
        }
        (new, cached)
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
    fn single_key_is_one_leaf() {
        let s = shape(&[b"abc"]);
        assert_eq!(s.path(b"abc").len(), 1);
    }

    #[test]
    fn two_keys_diverging_at_root() {
        // 0x1.. and 0x2.. differ in the first nibble: root branch + leaf.
        let s = shape(&[&[0x10], &[0x20]]);
        assert_eq!(s.path(&[0x10]).len(), 2);
    }

    #[test]
    fn shared_prefix_adds_extension() {
        // Same first byte, differ in second: extension(0..2) + branch(2) + leaf.
        let s = shape(&[&[0xaa, 0x10], &[0xaa, 0x20]]);
        assert_eq!(s.path(&[0xaa, 0x10]).len(), 3);
    }

    #[test]
    fn path_grows_logarithmically() {
        let mut s = TrieShape::default();
        for i in 0u32..4096 {
            s.insert(data_key("dao.test.near", &i.to_be_bytes()));
        }
        let small = {
            let mut t = TrieShape::default();
            for i in 0u32..16 {
                t.insert(data_key("dao.test.near", &i.to_be_bytes()));
            }
            t.path(&data_key("dao.test.near", &3u32.to_be_bytes())).len()
        };
        let large = s.path(&data_key("dao.test.near", &3u32.to_be_bytes())).len();
        assert!(large > small, "{large} > {small}");
        assert!(large <= small + 4, "{large} <= {small} + 4");
    }

    #[test]
    fn cached_touches() {
        let s = shape(&[&[0x10], &[0x20]]);
        let mut t = TouchedNodes::default();
        assert_eq!(t.touch(s.path(&[0x10])), (2, 0));
        assert_eq!(t.touch(s.path(&[0x20])), (1, 1));
    }
}
