//! Membership lists as Merkle roots: the one rule the DAO and its clients share.
//!
//! A DAO proposal approves the root of a list of `(account, roles)` entries;
//! each listed account later joins by presenting its entry and a proof. The
//! contract verifies with [`root_from_proof`]; lists and proofs are built off
//! chain with [`MembershipTree`]. Both use the functions below, so they cannot
//! drift.
//!
//! The rule (SHA-256 throughout; `u32le` = 4-byte little-endian length):
//! - **Leaf** = `sha256("ai-commons/membership-leaf/v1" ‖ u32le(len account) ‖ account
//!   ‖ u32le(number of roles) ‖ for each role, sorted by bytes: u32le(len) ‖ role)`.
//!   The roles are sorted before hashing, so their order in a claim does not matter;
//!   the account and role names are their UTF-8 bytes.
//! - **Node** = `sha256("ai-commons/membership-node/v1" ‖ min(a, b) ‖ max(a, b))`:
//!   a *sorted-pair* tree, so a proof is only the sibling hashes, with no left/right bits.
//! - The two domain strings keep a leaf from ever being read as a node (and neither
//!   can be replayed as another suite's digest).
//! - **Tree**: the leaves in list order form level 0; each level pairs neighbours
//!   (0,1), (2,3), ...; an odd last node is carried up unchanged. The root of one
//!   leaf is the leaf itself. A proof lists, from the leaf up, the sibling of the
//!   running node at every level where it has one.
//!
//! Known answer: the leaf of `("alice.near", ["member"])` is
//! `6bc1a0664c6a7f87da376b564a92648ba32b21ec70302136ea797cebde4be2ee`.
//!
//! A list of 1,000,000 entries has proofs of 20 hashes; [`MAX_PROOF_LEN`] bounds
//! what a claim may present (2^64 entries).

use crate::Digest32;

/// Domain of a leaf hash.
pub const LEAF_DOMAIN: &[u8] = b"ai-commons/membership-leaf/v1";
/// Domain of an inner-node hash.
pub const NODE_DOMAIN: &[u8] = b"ai-commons/membership-node/v1";
/// Longest proof a claim may present.
pub const MAX_PROOF_LEN: usize = 64;

/// SHA-256: the host function on chain, the `sha2` crate elsewhere (same digest).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    #[cfg(target_arch = "wasm32")]
    {
        near_sdk::env::sha256_array(data)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        use sha2::Digest;
        sha2::Sha256::digest(data).into()
    }
}

fn push_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// The bytes a leaf hashes (see the module docs): the domain, the account, the sorted roles.
pub fn leaf_preimage(account_id: &str, roles: &[String]) -> Vec<u8> {
    // Insertion sort: a member holds a handful of roles, and `sort_unstable`
    // would put a general sort routine (kilobytes) into every contract using this.
    let mut sorted: Vec<&str> = Vec::with_capacity(roles.len());
    for role in roles {
        let at = sorted.iter().position(|r| *r > role.as_str()).unwrap_or(sorted.len());
        sorted.insert(at, role);
    }
    let mut out = Vec::with_capacity(LEAF_DOMAIN.len() + 8 + account_id.len() + roles.len() * 20);
    out.extend_from_slice(LEAF_DOMAIN);
    push_bytes(&mut out, account_id.as_bytes());
    out.extend_from_slice(&(sorted.len() as u32).to_le_bytes());
    for role in sorted {
        push_bytes(&mut out, role.as_bytes());
    }
    out
}

/// The leaf of `(account_id, roles)`.
pub fn leaf_hash(account_id: &str, roles: &[String]) -> Digest32 {
    Digest32(sha256(&leaf_preimage(account_id, roles)))
}

/// The parent of two nodes (order-independent).
pub fn node_hash(a: &Digest32, b: &Digest32) -> Digest32 {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let mut buf = [0u8; NODE_DOMAIN.len() + 64];
    buf[..NODE_DOMAIN.len()].copy_from_slice(NODE_DOMAIN);
    buf[NODE_DOMAIN.len()..NODE_DOMAIN.len() + 32].copy_from_slice(&lo.0);
    buf[NODE_DOMAIN.len() + 32..].copy_from_slice(&hi.0);
    Digest32(sha256(&buf))
}

/// The root a leaf and its proof lead to; the claim is valid when it equals the approved root.
pub fn root_from_proof(leaf: Digest32, proof: &[Digest32]) -> Digest32 {
    proof.iter().fold(leaf, |node, sibling| node_hash(&node, sibling))
}

/// Off-chain builder: the tree of a list of `(account, roles)` entries, its
/// root and every entry's proof. Keeps every level (2n hashes for n entries:
/// 64 MB for 1,000,000).
#[cfg(not(target_arch = "wasm32"))]
pub struct MembershipTree {
    levels: Vec<Vec<Digest32>>,
}

#[cfg(not(target_arch = "wasm32"))]
impl MembershipTree {
    /// Builds the tree of `entries` in the given order. Fails on an empty list.
    pub fn build<A: AsRef<str>>(entries: &[(A, Vec<String>)]) -> Result<Self, String> {
        let leaves: Vec<Digest32> = entries.iter().map(|(a, roles)| leaf_hash(a.as_ref(), roles)).collect();
        Self::from_leaves(leaves)
    }

    /// Builds the tree over leaves already hashed with [`leaf_hash`].
    pub fn from_leaves(leaves: Vec<Digest32>) -> Result<Self, String> {
        if leaves.is_empty() {
            return Err("a membership list needs at least one entry".into());
        }
        let mut levels = vec![leaves];
        while levels.last().is_some_and(|l| l.len() > 1) {
            let below = levels.last().map(Vec::as_slice).unwrap_or_default();
            let above = below
                .chunks(2)
                .map(|pair| match pair {
                    [a, b] => node_hash(a, b),
                    [a] => *a,
                    _ => unreachable!("chunks(2) yields one or two"),
                })
                .collect();
            levels.push(above);
        }
        Ok(Self { levels })
    }

    pub fn root(&self) -> Digest32 {
        self.levels.last().and_then(|l| l.first()).copied().unwrap_or_default()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.levels[0].len()
    }

    pub fn is_empty(&self) -> bool {
        self.levels[0].is_empty()
    }

    /// The proof of the entry at `index` (list order), or `None` past the end.
    pub fn proof(&self, index: usize) -> Option<Vec<Digest32>> {
        if index >= self.len() {
            return None;
        }
        let mut proof = Vec::new();
        let mut i = index;
        for level in &self.levels[..self.levels.len() - 1] {
            let sibling = i ^ 1;
            if sibling < level.len() {
                proof.push(level[sibling]);
            }
            i /= 2;
        }
        Some(proof)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(r: &[&str]) -> Vec<String> {
        r.iter().map(|s| s.to_string()).collect()
    }

    fn entries(n: usize) -> Vec<(String, Vec<String>)> {
        (0..n)
            .map(|i| (format!("user{i}.near"), roles(if i % 3 == 0 { &["council", "member"] } else { &["member"] })))
            .collect()
    }

    #[test]
    fn leaf_encoding_is_the_documented_bytes_and_role_order_does_not_matter() {
        let pre = leaf_preimage("ab.near", &roles(&["member", "council"]));
        let mut expected = b"ai-commons/membership-leaf/v1".to_vec();
        expected.extend([7, 0, 0, 0]);
        expected.extend(b"ab.near");
        expected.extend([2, 0, 0, 0, 7, 0, 0, 0]);
        expected.extend(b"council");
        expected.extend([6, 0, 0, 0]);
        expected.extend(b"member");
        assert_eq!(pre, expected);
        assert_eq!(
            leaf_hash("ab.near", &roles(&["member", "council"])),
            leaf_hash("ab.near", &roles(&["council", "member"]))
        );
        assert_ne!(leaf_hash("ab.near", &roles(&["member"])), leaf_hash("ab.near", &roles(&["council"])));
        let sorted = leaf_preimage("ab.near", &roles(&["a", "b", "c", "d"]));
        for order in [["d", "c", "b", "a"], ["b", "d", "a", "c"], ["c", "a", "d", "b"]] {
            assert_eq!(leaf_preimage("ab.near", &roles(&order)), sorted, "{order:?}");
        }
        // A known answer (computed with Python's hashlib), so a client in another language can check its encoding.
        assert_eq!(
            leaf_hash("alice.near", &roles(&["member"])).to_hex(),
            "6bc1a0664c6a7f87da376b564a92648ba32b21ec70302136ea797cebde4be2ee"
        );
    }

    #[test]
    fn node_is_domain_separated_and_order_independent() {
        let a = Digest32([1; 32]);
        let b = Digest32([2; 32]);
        assert_eq!(node_hash(&a, &b), node_hash(&b, &a));
        let mut pre = NODE_DOMAIN.to_vec();
        pre.extend([1; 32]);
        pre.extend([2; 32]);
        assert_eq!(node_hash(&a, &b).0, sha256(&pre));
        let mut plain = vec![1u8; 32];
        plain.extend([2; 32]);
        assert_ne!(node_hash(&a, &b).0, sha256(&plain));
    }

    #[test]
    fn every_proof_verifies_for_every_size_and_nothing_else_does() {
        for n in [1usize, 2, 3, 4, 5, 7, 8, 9, 33] {
            let list = entries(n);
            let tree = MembershipTree::build(&list).unwrap();
            assert_eq!(tree.len(), n);
            for (i, (account, r)) in list.iter().enumerate() {
                let proof = tree.proof(i).unwrap();
                assert!(proof.len() <= (usize::BITS - (n - 1).leading_zeros()) as usize);
                assert_eq!(root_from_proof(leaf_hash(account, r), &proof), tree.root(), "n={n} i={i}");
                // Another account, other roles, or another entry's proof lead elsewhere.
                assert_ne!(root_from_proof(leaf_hash("mallory.near", r), &proof), tree.root());
                assert_ne!(root_from_proof(leaf_hash(account, &roles(&["admin"])), &proof), tree.root());
                if n > 2 {
                    let other = tree.proof((i + 1) % n).unwrap();
                    assert_ne!(root_from_proof(leaf_hash(account, r), &other), tree.root(), "n={n} i={i}");
                }
            }
            assert!(tree.proof(n).is_none());
        }
        assert!(MembershipTree::build::<String>(&[]).is_err());
    }

    #[test]
    fn a_single_entry_is_its_own_root_and_three_entries_carry_the_odd_node() {
        let list = entries(3);
        let tree = MembershipTree::build(&list).unwrap();
        let l: Vec<Digest32> = list.iter().map(|(a, r)| leaf_hash(a, r)).collect();
        assert_eq!(tree.root(), node_hash(&node_hash(&l[0], &l[1]), &l[2]));
        assert_eq!(tree.proof(2).unwrap(), vec![node_hash(&l[0], &l[1])]);
        let one = MembershipTree::build(&list[..1]).unwrap();
        assert_eq!(one.root(), l[0]);
        assert!(one.proof(0).unwrap().is_empty());
    }
}
