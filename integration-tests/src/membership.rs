//! Costs of membership at scale on a community-dao of 1,000 seeded members:
//! one `add_members` / `remove_members` proposal of 100 accounts, approving a
//! membership list, claiming from a list of 10 and of 1,000,000 entries (the
//! proof grows with log2 of the list; nothing else does), and leaving.
//! Used by the bench and by `tests/costs.rs`.

use crate::community::near;
use crate::seed::{self, measure, Cost, DaoFixture};
use ai_commons_primitives::membership::MembershipTree;
use embedded_chain::{AccountId, Gas, NearToken};
use serde_json::{json, Value};

/// Members the fixture DAO starts with.
pub const MEMBERS: u32 = 1_000;
/// Accounts in each batch proposal.
pub const BATCH: usize = 100;
/// Entries of the large membership list.
pub const LARGE_LIST: usize = 1_000_000;
/// Entries of the small membership list.
pub const SMALL_LIST: usize = 10;

/// What membership operations cost.
#[derive(Clone, Debug)]
pub struct MembershipCosts {
    /// `execute` of an `add_members` proposal of [`BATCH`] accounts.
    pub add_members: Cost,
    /// `execute` of a `remove_members` proposal of the same accounts.
    pub remove_members: Cost,
    /// `execute` of an `approve_membership_list` proposal.
    pub approve_list: Cost,
    /// `claim_membership` from a list of [`SMALL_LIST`] entries, and its proof length.
    pub claim_small: (Cost, usize),
    /// `claim_membership` from a list of [`LARGE_LIST`] entries, and its proof length.
    pub claim_large: (Cost, usize),
    /// `leave` by a member who joined by claim.
    pub leave: Cost,
    /// Seconds it took to build the large list's tree off chain.
    pub large_tree_seconds: f64,
}

/// A list of `n` entries with `claimer` (role `member`) at `at`, the others made-up accounts.
fn list(root: &AccountId, claimer: &AccountId, n: usize, at: usize) -> MembershipTree {
    let member = vec!["member".to_string()];
    let entries: Vec<(String, Vec<String>)> = (0..n)
        .map(|i| {
            let account = if i == at { claimer.to_string() } else { format!("l{i:07}.{root}") };
            (account, member.clone())
        })
        .collect();
    MembershipTree::build(&entries).expect("a list")
}

fn deposit_for(f: &DaoFixture, kind: &Value) -> NearToken {
    let s: String = f.chain.view_json(
        &f.dao,
        "get_proposal_deposit",
        json!({"proposer": f.founder, "description": "membership", "kind": kind}),
    );
    NearToken::from_yoctonear(s.parse().expect("yocto"))
}

/// Proposes `kind` as the founder (the only voter on membership kinds), votes
/// it through and measures its execution.
fn pass_and_measure(f: &mut DaoFixture, kind: Value) -> (Cost, u64) {
    let deposit = deposit_for(f, &kind);
    let (dao, founder) = (f.dao.clone(), f.founder.clone());
    let out = f
        .chain
        .call(&founder, &dao, "add_proposal")
        .args_json(json!({"description": "membership", "kind": kind}))
        .deposit(deposit)
        .transact();
    out.assert_success();
    let id: String = out.json().expect("id");
    let out = f.chain.call(&founder, &dao, "vote").args_json(json!({"id": id, "choice": "yes"})).transact();
    assert_eq!(out.json::<String>().expect("status"), "passed");
    let (cost, out) = measure(&mut f.chain, &dao, |c| {
        c.call(&founder, &dao, "execute").args_json(json!({"id": id})).gas(Gas::from_teragas(300)).transact()
    });
    assert_eq!(out.json::<String>().expect("status"), "executed");
    (cost, id.parse().expect("id"))
}

fn claim(f: &mut DaoFixture, claimer: &AccountId, list_id: u64, tree: &MembershipTree, at: usize) -> (Cost, usize) {
    let proof = tree.proof(at).expect("proof");
    let roles = vec!["member".to_string()];
    let deposit: String = f.chain.view_json(
        &f.dao,
        "get_claim_deposit",
        json!({"account_id": claimer, "list_id": list_id.to_string(), "roles": roles}),
    );
    let dao = f.dao.clone();
    let (cost, _) = measure(&mut f.chain, &dao, |c| {
        c.call(claimer, &dao, "claim_membership")
            .args_json(json!({"list_id": list_id.to_string(), "roles": roles, "proof": proof}))
            .deposit(NearToken::from_yoctonear(deposit.parse().expect("yocto")))
            .gas(Gas::from_teragas(30))
            .transact()
    });
    (cost, proof.len())
}

/// Measures every membership operation on a fresh fixture of [`MEMBERS`] members.
pub fn membership_costs(dao_wasm: &[u8]) -> MembershipCosts {
    let mut f = seed::dao_fixture(dao_wasm, MEMBERS);
    let root = f.chain.root();
    let batch: Vec<String> = (0..BATCH).map(|i| format!("b{i:06}.{root}")).collect();
    let members: Vec<Value> = batch.iter().map(|a| json!({"account_id": a, "roles": ["member"]})).collect();
    let (add_members, _) = pass_and_measure(&mut f, json!({"type": "add_members", "members": members}));
    let (remove_members, _) = pass_and_measure(&mut f, json!({"type": "remove_members", "account_ids": batch}));

    let deadline = (f.chain.block_timestamp() + 30 * 24 * 3600 * 1_000_000_000).to_string();
    let small_claimer = f.chain.create_account("claimer-small", near(5));
    let small = list(&root, &small_claimer, SMALL_LIST, 7);
    let (approve_list, small_id) = pass_and_measure(
        &mut f,
        json!({"type": "approve_membership_list", "root": small.root(), "claim_deadline": deadline}),
    );
    let claim_small = claim(&mut f, &small_claimer, small_id, &small, 7);

    let large_claimer = f.chain.create_account("claimer-large", near(5));
    let started = std::time::Instant::now();
    let at = 654_321;
    let large = list(&root, &large_claimer, LARGE_LIST, at);
    let large_tree_seconds = started.elapsed().as_secs_f64();
    let (_, large_id) = pass_and_measure(
        &mut f,
        json!({"type": "approve_membership_list", "root": large.root(), "claim_deadline": deadline}),
    );
    let claim_large = claim(&mut f, &large_claimer, large_id, &large, at);

    let dao = f.dao.clone();
    let (leave, _) =
        measure(&mut f.chain, &dao, |c| c.call(&large_claimer, &dao, "leave").args_json(json!({})).transact());
    MembershipCosts { add_members, remove_members, approve_list, claim_small, claim_large, leave, large_tree_seconds }
}
