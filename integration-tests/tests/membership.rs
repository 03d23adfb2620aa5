//! Membership at scale end to end on the embedded chain (real wasm, real VM):
//! batches of 100 members added and removed by one proposal, a membership list
//! approved as a Merkle root and claimed with proofs built by
//! `ai_commons_primitives::membership::MembershipTree`, members leaving, and
//! every refusal with its message and the DAO's state, balance and storage
//! unchanged.

use ai_commons_primitives::membership::MembershipTree;
use ai_commons_primitives::Digest32;
use ai_commons_tests::community::{near, Community, PROPOSAL_BOND};
use ai_commons_tests::community::{wasm, zero};
use ai_commons_tests::{Backend, BackendExt, Embedded, Outcome};
use embedded_chain::{AccountId, NearToken};
use serde_json::{json, Value};

const STANDARD: &str = "community_dao";
const NS_PER_SEC: u64 = 1_000_000_000;
const KINDS: [&str; 20] = [
    "text",
    "add_member",
    "remove_member",
    "change_roles",
    "change_policy",
    "change_role_permissions",
    "transfer",
    "function_calls",
    "upgrade_self",
    "set_community_contracts",
    "approve_model_version",
    "deprecate_model_version",
    "revoke_model_version",
    "move_alias",
    "admit_attester",
    "revoke_attester",
    "record_training_snapshot",
    "add_members",
    "remove_members",
    "approve_membership_list",
];

fn setup() -> (Embedded, Community) {
    let mut b = Embedded::new();
    let c = Community::deploy(&mut b, wasm(), &["alice", "bob", "carol"]).community;
    (b, c)
}

#[track_caller]
fn event(out: &Outcome, name: &str) -> Value {
    let found = out.events_named(STANDARD, name);
    assert_eq!(found.len(), 1, "expected one {name} event, got {:?}", out.event_names());
    assert_eq!(found[0].version, "1.0.0");
    found[0].data.clone()
}

fn electorates(b: &Embedded, c: &Community) -> Vec<u32> {
    KINDS.iter().map(|k| b.view::<u32>(&c.dao, "get_electorate", json!({"kind": k}))).collect()
}

fn member_count(b: &Embedded, c: &Community) -> u64 {
    b.view::<String>(&c.dao, "get_member_count", json!({})).parse().unwrap()
}

/// `n` account ids (not created on chain: members need no account to be listed).
fn accounts(b: &Embedded, prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i:03}.{}", b.chain.root())).collect()
}

fn add_raw(b: &mut Embedded, c: &Community, who: &AccountId, kind: Value, deposit: NearToken) -> Outcome {
    b.call_json(who, &c.dao, "add_proposal", json!({"description": "batch", "kind": kind}), deposit)
}

#[test]
fn one_proposal_adds_100_members_and_another_removes_them_with_exact_electorates() {
    let (mut b, c) = setup();
    let alice = c.council[0].clone();
    let before = electorates(&b, &c);
    let open = c.propose(&mut b, &alice, "open before the batch", json!({"type": "text"}));
    let names = accounts(&b, "new", 100);
    let members: Vec<Value> = names.iter().map(|a| json!({"account_id": a, "roles": ["member"]})).collect();
    let (out, grown) = pass_then_execute(&mut b, &c, json!({"type": "add_members", "members": members}));
    let added = event(&out, "members_added");
    assert_eq!(added["account_ids"].as_array().unwrap().len(), 100);
    assert_eq!(added["account_ids"][99], json!(names[99]));
    assert_eq!(member_count(&b, &c), 103);
    let after = electorates(&b, &c);
    for (i, k) in KINDS.iter().enumerate() {
        let extra = if *k == "text" { 100 } else { 0 };
        assert_eq!(after[i], before[i] + extra, "electorate of {k}");
    }
    // Each member: its record (40 + key + 32) and its member-list slot (40 + 5 + 4 + name), paid by the treasury.
    let per_member: i64 = names.iter().map(|a| (40 + 1 + 4 + a.len() + 32 + 40 + 5 + 4 + a.len()) as i64).sum();
    assert_eq!(grown, per_member + 6, "the members and one new role combination");
    println!("add_members(100): execute {:.2} Tgas total", out.total_gas as f64 / 1e12);
    // The snapshot: a member added after `open` was created cannot vote on it.
    let newcomer: AccountId = names[0].parse().unwrap();
    assert!(!b.view::<bool>(&c.dao, "can_vote", json!({"id": open.to_string(), "account_id": newcomer})));
    assert_eq!(c.proposal(&b, open)["electorate"], json!(3));

    let (out, freed) = pass_then_execute(&mut b, &c, json!({"type": "remove_members", "account_ids": names}));
    assert_eq!(event(&out, "members_removed")["account_ids"].as_array().unwrap().len(), 100);
    println!("remove_members(100): execute {:.2} Tgas total", out.total_gas as f64 / 1e12);
    assert_eq!(freed, -grown, "removing frees exactly what adding stored");
    assert_eq!(member_count(&b, &c), 3);
    assert_eq!(electorates(&b, &c), before);
    let listed: Vec<Value> = b.view(&c.dao, "get_members", json!({}));
    assert_eq!(
        listed.iter().map(|m| m["account_id"].clone()).collect::<Vec<_>>(),
        json!(c.council).as_array().unwrap().clone()
    );
}

/// Proposes `kind` as the first council member, has the council pass it, then
/// executes it; returns the execution and the DAO's storage change during it.
fn pass_then_execute(b: &mut Embedded, c: &Community, kind: Value) -> (Outcome, i64) {
    let alice = c.council[0].clone();
    let id = c.propose(b, &alice, "batch", kind);
    for voter in c.council.clone() {
        if c.status(b, id) == "active" {
            c.vote(b, &voter, id, "yes").assert_success();
        }
    }
    let storage0 = b.storage_usage(&c.dao) as i64;
    let out = c.execute(b, &alice, id);
    out.assert_success();
    assert_eq!(c.status(b, id), "executed", "{:?}", out.events);
    let grown = b.storage_usage(&c.dao) as i64 - storage0;
    (out, grown)
}

#[test]
fn batches_with_duplicates_members_or_unknown_roles_are_refused_at_add_proposal() {
    let (mut b, c) = setup();
    let (alice, bob) = (c.council[0].clone(), c.council[1].clone());
    let deposit = near(2);
    let m = |a: &str, r: &[&str]| json!({"account_id": a, "roles": r});
    let fresh = accounts(&b, "x", 101);
    let too_many: Vec<Value> = fresh.iter().map(|a| m(a, &["member"])).collect();
    for (needle, kind) in [
        ("a batch needs 1 to 100 accounts", json!({"type": "add_members", "members": []})),
        ("a batch needs 1 to 100 accounts", json!({"type": "add_members", "members": too_many})),
        (
            &*format!("duplicate member: {}", fresh[0]),
            json!({"type": "add_members", "members": [m(&fresh[0], &["member"]), m(&fresh[0], &["council"])]}),
        ),
        (
            &*format!("account is already a member: {bob}"),
            json!({"type": "add_members", "members": [m(&fresh[0], &["member"]), m(bob.as_str(), &["member"])]}),
        ),
        ("unknown role: king", json!({"type": "add_members", "members": [m(&fresh[0], &["king"])]})),
        ("a batch needs 1 to 100 accounts", json!({"type": "remove_members", "account_ids": []})),
        (
            &*format!("account is not a member: {}", fresh[1]),
            json!({"type": "remove_members", "account_ids": [bob, fresh[1]]}),
        ),
        (&*format!("duplicate member: {bob}"), json!({"type": "remove_members", "account_ids": [bob, bob]})),
        ("cannot remove the last member", json!({"type": "remove_members", "account_ids": c.council})),
        (
            "membership root must not be zero",
            json!({"type": "approve_membership_list", "root": "00".repeat(32), "claim_deadline": (b.block_timestamp() + NS_PER_SEC * 3600).to_string()}),
        ),
        (
            "claim deadline must be in the future",
            json!({"type": "approve_membership_list", "root": "11".repeat(32), "claim_deadline": "1"}),
        ),
    ] {
        b.assert_refused(&c.dao, needle, |b| add_raw(b, &c, &alice, kind.clone(), deposit));
    }
    assert_eq!(b.view::<Vec<Value>>(&c.dao, "get_proposals", json!({})).len(), 0);
}

/// A list of `n` entries with the given real accounts first (member role;
/// `ben` council + member), and its tree.
fn list(b: &Embedded, real: &[&AccountId], n: usize) -> (Vec<(String, Vec<String>)>, MembershipTree) {
    let mut entries: Vec<(String, Vec<String>)> = real
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let roles = if i == 1 { vec!["member".to_string(), "council".to_string()] } else { vec!["member".into()] };
            (a.to_string(), roles)
        })
        .collect();
    entries.extend(accounts(b, "listed", n - real.len()).into_iter().map(|a| (a, vec!["member".to_string()])));
    let tree = MembershipTree::build(&entries).unwrap();
    (entries, tree)
}

fn claim(
    b: &mut Embedded,
    c: &Community,
    who: &AccountId,
    list: u64,
    roles: &[String],
    proof: &[Digest32],
    deposit: NearToken,
) -> Outcome {
    b.call_json(
        who,
        &c.dao,
        "claim_membership",
        json!({"list_id": list.to_string(), "roles": roles, "proof": proof}),
        deposit,
    )
}

fn claim_deposit(b: &Embedded, c: &Community, who: &AccountId, list: u64, roles: &[String]) -> NearToken {
    let s: String =
        b.view(&c.dao, "get_claim_deposit", json!({"account_id": who, "list_id": list.to_string(), "roles": roles}));
    NearToken::from_yoctonear(s.parse().unwrap())
}

#[test]
fn a_membership_list_is_approved_and_listed_accounts_claim_with_their_proofs() {
    let (mut b, c) = setup();
    let alice = c.council[0].clone();
    let ann = b.create_account("ann", near(10));
    let ben = b.create_account("ben", near(10));
    let eve = b.create_account("eve", near(10));
    let (entries, tree) = list(&b, &[&ann, &ben], 1000);
    let open = c.propose(&mut b, &alice, "open before the claims", json!({"type": "text"}));
    let deadline = b.block_timestamp() + 7 * 24 * 3600 * NS_PER_SEC;
    let (list_id, out) = c.pass_and_execute(
        &mut b,
        "the founding list",
        json!({"type": "approve_membership_list", "root": tree.root(), "claim_deadline": deadline.to_string()}),
    );
    out.assert_success();
    assert_eq!(
        event(&out, "membership_list_approved"),
        json!({"list_id": list_id.to_string(), "root": tree.root(), "claim_deadline": deadline.to_string()})
    );
    let view: Value = b.view(&c.dao, "get_membership_list", json!({"list_id": list_id.to_string()}));
    assert_eq!(view["root"], json!(tree.root()));
    let text_before = b.view::<u32>(&c.dao, "get_electorate", json!({"kind": "text"}));
    let transfer_before = b.view::<u32>(&c.dao, "get_electorate", json!({"kind": "transfer"}));

    // Ben claims with the exact deposit the view names: he pays his own storage.
    let roles = entries[1].1.clone();
    let deposit = claim_deposit(&b, &c, &ben, list_id, &roles);
    let (ben0, dao0, storage0) = (b.balance(&ben), b.balance(&c.dao), b.storage_usage(&c.dao));
    let out = claim(&mut b, &c, &ben, list_id, &roles, &tree.proof(1).unwrap(), deposit);
    out.assert_success();
    let claimed = event(&out, "membership_claimed");
    assert_eq!(claimed["roles"], json!(["council", "member"]));
    assert_eq!(claimed["storage_deposit"], json!(deposit.as_yoctonear().to_string()));
    let bytes = b.storage_usage(&c.dao) - storage0;
    assert_eq!(deposit.as_yoctonear(), bytes as u128 * 10u128.pow(19), "the deposit is exactly the bytes stored");
    let burnt = out.tx.as_ref().unwrap().tokens_burnt;
    assert_eq!(b.balance(&ben).as_yoctonear(), ben0.as_yoctonear() - deposit.as_yoctonear() - burnt);
    assert!(b.balance(&c.dao) >= dao0.saturating_add(deposit), "the DAO keeps the deposit (plus its gas reward)");
    println!("claim_membership (list of 1,000): {} Tgas VM", out.vm_gas as f64 / 1e12);
    assert!(out.vm_gas < 3_000_000_000_000);
    let member: Value = b.view(&c.dao, "get_member", json!({"account_id": ben}));
    assert_eq!(member["roles"], json!(["council", "member"]));
    assert_eq!(b.view::<u32>(&c.dao, "get_electorate", json!({"kind": "text"})), text_before + 1);
    assert_eq!(b.view::<u32>(&c.dao, "get_electorate", json!({"kind": "transfer"})), transfer_before + 1);
    assert!(b.view::<bool>(
        &c.dao,
        "is_membership_claimed",
        json!({"list_id": list_id.to_string(), "account_id": ben})
    ));
    // The snapshot: not on a proposal created before the claim; on the next one.
    c.vote(&mut b, &ben, open, "yes")
        .assert_failure("caller held no voting role for this proposal when it was created");
    let later = c.propose(&mut b, &alice, "after the claims", json!({"type": "text"}));
    c.vote(&mut b, &ben, later, "yes").assert_success();

    // Refusals, each leaving the DAO's state, balance and storage as they were.
    let ann_roles = entries[0].1.clone();
    let one = near(1);
    let proof = |i: usize| tree.proof(i).unwrap();
    b.assert_refused(&c.dao, "proof does not match the membership list", |b| {
        claim(b, &c, &ann, list_id, &ann_roles, &proof(5), one)
    });
    b.assert_refused(&c.dao, "proof does not match the membership list", |b| {
        claim(b, &c, &eve, list_id, &ann_roles, &proof(0), one)
    });
    b.assert_refused(&c.dao, "proof does not match the membership list", |b| {
        claim(b, &c, &ann, list_id, &["council".to_string()], &proof(0), one)
    });
    b.assert_refused(&c.dao, &format!("membership list not found: {}", list_id + 9), |b| {
        claim(b, &c, &ann, list_id + 9, &ann_roles, &proof(0), one)
    });
    b.assert_refused(&c.dao, &format!("account is already a member: {ben}"), |b| {
        claim(b, &c, &ben, list_id, &roles, &proof(1), one)
    });
    let short = NearToken::from_yoctonear(claim_deposit(&b, &c, &ann, list_id, &ann_roles).as_yoctonear() - 1);
    b.assert_refused(&c.dao, "insufficient deposit for storage", |b| {
        claim(b, &c, &ann, list_id, &ann_roles, &proof(0), short)
    });

    // Ben leaves, then replays his proof: refused, an entry is claimed once.
    let out = b.call_json(&ben, &c.dao, "leave", json!({}), zero());
    out.assert_success();
    assert_eq!(event(&out, "member_left"), json!({"account_id": ben}));
    assert_eq!(b.view::<u32>(&c.dao, "get_electorate", json!({"kind": "text"})), text_before);
    b.assert_refused(&c.dao, "membership already claimed from this list", |b| {
        claim(b, &c, &ben, list_id, &roles, &proof(1), one)
    });

    // After the deadline, Ann's valid claim is refused.
    let now = b.block_timestamp();
    b.fast_forward((deadline - now) / NS_PER_SEC + 1);
    b.assert_refused(&c.dao, "claim deadline has passed", |b| claim(b, &c, &ann, list_id, &ann_roles, &proof(0), one));
}

#[test]
fn a_member_who_leaves_keeps_its_cast_votes_and_gets_its_open_bond_back() {
    let (mut b, c) = setup();
    let (alice, bob, carol) = (c.council[0].clone(), c.council[1].clone(), c.council[2].clone());
    let own = c.propose(&mut b, &carol, "carol's idea", json!({"type": "text"}));
    let other = c.propose(&mut b, &alice, "alice's idea", json!({"type": "text"}));
    c.vote(&mut b, &carol, other, "no").assert_success();
    let out = b.call_json(&carol, &c.dao, "leave", json!({}), zero());
    out.assert_success();
    assert_eq!(out.event_names(), vec!["member_left".to_string()]);
    assert_eq!(member_count(&b, &c), 2);
    // Carol's vote stays on the record and in the tally; she cannot vote again.
    assert_eq!(c.proposal(&b, other)["tally"]["no"], json!(1));
    b.assert_refused(&c.dao, "caller is not a member", |b| c.vote(b, &carol, other, "yes"));
    b.assert_refused(&c.dao, "caller is not a member", |b| b.call_json(&carol, &c.dao, "leave", json!({}), zero()));
    // Her open proposal runs on (electorate frozen at 3) and refunds her bond when it passes.
    let carol0 = b.balance(&carol);
    c.vote(&mut b, &alice, own, "yes").assert_success();
    let out = c.vote(&mut b, &bob, own, "yes");
    out.assert_success();
    assert_eq!(c.status(&b, own), "passed");
    assert_eq!(
        event(&out, "proposal_status_changed")["bond_refunded"],
        json!(PROPOSAL_BOND.as_yoctonear().to_string())
    );
    assert_eq!(b.balance(&carol), carol0.saturating_add(PROPOSAL_BOND));
    // The last two: one may leave, the last may not.
    b.call_json(&bob, &c.dao, "leave", json!({}), zero()).assert_success();
    b.assert_refused(&c.dao, "cannot remove the last member", |b| {
        b.call_json(&alice, &c.dao, "leave", json!({}), zero())
    });
}
