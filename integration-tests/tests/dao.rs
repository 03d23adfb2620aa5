//! community-dao end to end on the embedded chain, with the real wasm: the
//! whole proposal lifecycle, bonds (checked to the yoctoNEAR), snapshot
//! semantics, timelocks, failed and retried executions, every refusal (state,
//! balance and storage unchanged), a proposal that moves an alias on the real
//! model-registry, and a self-upgrade that keeps all state.

use ai_commons_tests::community::zero;
use ai_commons_tests::community::{near, Community, Wasm, PROPOSAL_BOND, VOTING_PERIOD_NS};
use ai_commons_tests::{Backend, BackendExt, Embedded, Outcome};
use base64::Engine;
use embedded_chain::{AccountId, Gas, NearToken};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

const STANDARD: &str = "community_dao";
const NS_PER_SEC: u64 = 1_000_000_000;

/// The suite's wasm and the DAO's "next version" (feature `upgrade-test`).
struct Codes {
    suite: Wasm,
    dao_v2: Vec<u8>,
}

/// Builds the wasm once per process. The feature build goes first: wasm-build
/// writes every build of a package to the same file before copying a feature
/// build aside, so building the plain suite last leaves the plain DAO in place.
fn codes() -> &'static Codes {
    static CODES: OnceLock<Codes> = OnceLock::new();
    CODES.get_or_init(|| {
        let dao_v2 = wasm_build::wasm("community-dao", &["upgrade-test"]);
        let suite = Wasm::load();
        assert_ne!(suite.dao, dao_v2, "the upgrade-test build must differ from the plain DAO");
        Codes { suite, dao_v2 }
    })
}

fn setup() -> (Embedded, Community) {
    let mut b = Embedded::new();
    let c = Community::deploy(&mut b, &codes().suite, &["alice", "bob", "carol"]).community;
    (b, c)
}

fn yocto(t: NearToken) -> u128 {
    t.as_yoctonear()
}

/// Tokens the signer paid for the gas of a transaction (the chain's accounting is exact).
fn burnt(out: &Outcome) -> u128 {
    out.tx.as_ref().expect("embedded outcome").tokens_burnt
}

fn council(c: &Community) -> (AccountId, AccountId, AccountId) {
    (c.council[0].clone(), c.council[1].clone(), c.council[2].clone())
}

/// The single `community_dao` event named `name`, checked to be NEP-297 version 1.0.0.
#[track_caller]
fn event(out: &Outcome, name: &str) -> Value {
    let found = out.events_named(STANDARD, name);
    assert_eq!(found.len(), 1, "expected one {name} event, got {:?}", out.event_names());
    assert_eq!(found[0].version, "1.0.0", "{name} event version");
    found[0].data.clone()
}

/// Names of the `community_dao` events, in order.
fn dao_events(out: &Outcome) -> Vec<String> {
    out.events.iter().filter(|e| e.standard == STANDARD).map(|e| e.event.clone()).collect()
}

fn vote_reason(b: &mut Embedded, c: &Community, voter: &AccountId, id: u64, choice: &str, reason: &str) -> Outcome {
    b.call_json(voter, &c.dao, "vote", json!({"id": id.to_string(), "choice": choice, "reason": reason}), zero())
}

fn finalize(b: &mut Embedded, c: &Community, caller: &AccountId, id: u64) -> Outcome {
    b.call_json(caller, &c.dao, "finalize", json!({"id": id.to_string()}), zero())
}

fn cancel(b: &mut Embedded, c: &Community, caller: &AccountId, id: u64) -> Outcome {
    b.call_json(caller, &c.dao, "cancel_proposal", json!({"id": id.to_string()}), zero())
}

fn add_raw(
    b: &mut Embedded,
    c: &Community,
    proposer: &AccountId,
    description: &str,
    kind: Value,
    deposit: NearToken,
) -> Outcome {
    b.call_json(proposer, &c.dao, "add_proposal", json!({"description": description, "kind": kind}), deposit)
}

fn text() -> Value {
    json!({"type": "text"})
}

/// Produces blocks until a transaction sent next runs after proposal `id`'s deadline.
fn past_deadline(b: &mut Embedded, c: &Community, id: u64) {
    let deadline: u64 = c.proposal(b, id)["deadline"].as_str().unwrap().parse().unwrap();
    let now = b.block_timestamp();
    if now < deadline {
        b.fast_forward((deadline - now) / NS_PER_SEC + 1);
    }
}

/// Proposes, has `voters` vote yes until the proposal is decided, checks it
/// passed, executes it and checks it executed. Returns the id.
#[track_caller]
fn pass(
    b: &mut Embedded,
    c: &Community,
    proposer: &AccountId,
    voters: &[&AccountId],
    description: &str,
    kind: Value,
) -> u64 {
    let id = c.propose(b, proposer, description, kind);
    for voter in voters {
        if c.status(b, id) != "active" {
            break;
        }
        c.vote(b, voter, id, "yes").assert_success();
    }
    assert_eq!(c.status(b, id), "passed", "proposal {id} ({description}) should have passed");
    let out = c.execute(b, proposer, id);
    out.assert_success();
    assert_eq!(c.status(b, id), "executed", "proposal {id} ({description}): {:?}", out.events);
    id
}

fn config(b: &Embedded, c: &Community) -> Value {
    b.view(&c.dao, "get_config", json!({}))
}

/// The per-status index agrees with every proposal's status, and the counts with both.
#[track_caller]
fn assert_status_index(b: &Embedded, c: &Community) {
    let all: Vec<Value> = b.view(&c.dao, "get_proposals", json!({"limit": 100}));
    let counts = &config(b, c)["status_counts"];
    for status in ["active", "passed", "rejected", "expired", "executed", "failed", "cancelled", "spam"] {
        let mut listed: Vec<String> = b
            .view::<Vec<Value>>(&c.dao, "get_proposals_by_status", json!({"status": status, "limit": 100}))
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect();
        listed.sort();
        let mut expected: Vec<String> =
            all.iter().filter(|p| p["status"] == status).map(|p| p["id"].as_str().unwrap().to_string()).collect();
        expected.sort();
        assert_eq!(listed, expected, "status index of {status}");
        assert_eq!(counts[status], json!(expected.len().to_string()), "count of {status}");
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::STANDARD.encode(v.to_string())
}

#[test]
fn a_proposal_is_added_voted_passed_early_and_executed_once() {
    let mut b = Embedded::new();
    let deployment = Community::deploy(&mut b, &codes().suite, &["alice", "bob", "carol"]);
    let c = deployment.community;
    let (alice, bob, carol) = council(&c);
    let created =
        deployment.steps.iter().find(|(acc, _, out)| *acc == c.dao && !out.events.is_empty()).expect("dao init");
    let data = event(&created.2, "dao_created");
    assert_eq!(data["members"], "3");
    assert_eq!(data["roles"], json!(["council", "member"]));

    let dave = b.create_account("dave", near(10));
    let stranger = b.create_account("stranger", near(10));
    let kind = json!({"type": "add_member", "account_id": dave, "roles": ["member"]});
    let deposit = c.proposal_deposit(&b, &alice, "Welcome dave", &kind);
    assert!(deposit > PROPOSAL_BOND);
    let (alice0, dao0) = (b.balance(&alice), b.balance(&c.dao));

    // Add: exactly bond + storage moves from the proposer to the DAO.
    let out = c.add_proposal(&mut b, &alice, "Welcome dave", kind.clone());
    let id: u64 = out.json::<String>().parse().unwrap();
    assert_eq!(id, 0);
    let added = event(&out, "proposal_added");
    assert_eq!(added["id"], "0");
    assert_eq!(added["proposer"], json!(alice));
    assert_eq!(added["kind"], "add_member");
    assert_eq!(added["electorate"], 3);
    assert_eq!(added["quorum_votes"], 2);
    assert_eq!(added["bond"], json!(PROPOSAL_BOND));
    assert_eq!(
        yocto(deposit) - yocto(PROPOSAL_BOND),
        added["storage_deposit"].as_str().unwrap().parse::<u128>().unwrap()
    );
    assert_eq!(yocto(b.balance(&c.dao)), yocto(dao0) + yocto(deposit));
    assert_eq!(yocto(alice0) - yocto(b.balance(&alice)), yocto(deposit) + burnt(&out));

    let p = c.proposal(&b, id);
    assert_eq!(p["status"], "active");
    assert_eq!(p["kind"], kind);
    assert_eq!(p["description"], "Welcome dave");
    assert_eq!(p["tally"], json!({"yes": 0, "no": 0, "abstain": 0, "spam": 0}));
    assert_eq!(p["bond_held"], json!(PROPOSAL_BOND));
    assert_eq!(
        p["deadline"].as_str().unwrap().parse::<u64>().unwrap()
            - p["created_at"].as_str().unwrap().parse::<u64>().unwrap(),
        VOTING_PERIOD_NS
    );
    assert_eq!(config(&b, &c)["locked_bonds"], json!(PROPOSAL_BOND));

    // A voter may change its vote until the deadline; one record per voter.
    let out = c.vote(&mut b, &bob, id, "no");
    assert_eq!(out.json::<String>(), "active");
    let cast = event(&out, "vote_cast");
    assert_eq!((cast["choice"].clone(), cast["previous"].clone()), (json!("no"), Value::Null));
    let out = c.vote(&mut b, &bob, id, "yes");
    let cast = event(&out, "vote_cast");
    assert_eq!((cast["choice"].clone(), cast["previous"].clone()), (json!("yes"), json!("no")));
    assert_eq!(c.proposal(&b, id)["tally"], json!({"yes": 1, "no": 0, "abstain": 0, "spam": 0}));
    assert_eq!(c.status(&b, id), "active");

    // The second yes decides it against the whole electorate: early pass, bond back.
    let (alice1, dao1) = (b.balance(&alice), b.balance(&c.dao));
    let out = vote_reason(&mut b, &c, &carol, id, "yes", "welcome, dave");
    assert_eq!(out.json::<String>(), "passed");
    assert_eq!(dao_events(&out), ["vote_cast", "proposal_status_changed"]);
    let changed = event(&out, "proposal_status_changed");
    assert_eq!((changed["from"].clone(), changed["to"].clone()), (json!("active"), json!("passed")));
    assert_eq!(changed["bond_refunded"], json!(PROPOSAL_BOND));
    assert_eq!(yocto(b.balance(&alice)), yocto(alice1) + yocto(PROPOSAL_BOND));
    assert_eq!(yocto(b.balance(&c.dao)), yocto(dao1) - yocto(PROPOSAL_BOND));

    // Newest voter first; a page continues after the last voter of the one before.
    let votes: Vec<Value> = b.view(&c.dao, "get_votes", json!({"id": "0"}));
    assert_eq!(votes.len(), 2);
    assert_eq!((votes[0]["voter"].clone(), votes[0]["reason"].clone()), (json!(carol), json!("welcome, dave")));
    assert_eq!((votes[1]["voter"].clone(), votes[1]["choice"].clone()), (json!(bob), json!("yes")));
    let page: Vec<Value> = b.view(&c.dao, "get_votes", json!({"id": "0", "after": carol, "limit": 1}));
    assert_eq!(page, votes[1..]);
    let p = c.proposal(&b, id);
    assert_eq!(p["voter_count"], 2);
    assert_eq!(p["bond_held"], "0");
    assert_eq!(p["executable_at"], p["decided_at"]);
    b.assert_refused(&c.dao, "proposal is not active", |b| c.vote(b, &alice, id, "no"));

    // Anyone executes, once.
    let out = c.execute(&mut b, &stranger, id);
    assert_eq!(out.json::<String>(), "executed");
    assert_eq!(dao_events(&out), ["member_added", "proposal_executed"]);
    let member = event(&out, "member_added");
    assert_eq!(
        (member["account_id"].clone(), member["roles"].clone(), member["proposal_id"].clone()),
        (json!(dave), json!(["member"]), json!("0"))
    );
    assert_eq!(event(&out, "proposal_executed")["attempt"], 1);
    let m: Value = b.view(&c.dao, "get_member", json!({"account_id": dave}));
    assert_eq!(m["roles"], json!(["member"]));
    let p = c.proposal(&b, id);
    assert_eq!(p["status"], "executed");
    assert_eq!(p["execution_attempts"], 1);
    assert!(p["executed_at"].is_string());
    b.assert_refused(&c.dao, "proposal already executed", |b| c.execute(b, &stranger, id));
    b.assert_refused(&c.dao, "proposal already executed", |b| c.execute(b, &alice, id));

    let cfg = config(&b, &c);
    assert_eq!(cfg["member_count"], "4");
    assert_eq!(cfg["proposal_count"], "1");
    assert_eq!(cfg["locked_bonds"], "0");
    assert_eq!(cfg["status_counts"]["executed"], "1");
    assert_eq!(cfg["status_counts"]["active"], "0");
    let executed: Vec<Value> = b.view(&c.dao, "get_proposals_by_status", json!({"status": "executed"}));
    assert_eq!(executed.len(), 1);
    assert_eq!(executed[0]["id"], "0");
}

#[test]
fn rejected_expired_and_deadline_decided_proposals() {
    let (mut b, c) = setup();
    let (alice, bob, carol) = council(&c);
    let stranger = b.create_account("stranger", near(10));

    // Rejected early: two no votes out of three, the bond goes back.
    let r = c.propose(&mut b, &alice, "Rename the collective", text());
    c.vote(&mut b, &bob, r, "no").assert_success();
    let alice0 = b.balance(&alice);
    let out = c.vote(&mut b, &carol, r, "no");
    assert_eq!(out.json::<String>(), "rejected");
    let changed = event(&out, "proposal_status_changed");
    assert_eq!(changed["to"], "rejected");
    assert_eq!(changed["bond_refunded"], json!(PROPOSAL_BOND));
    assert_eq!(yocto(b.balance(&alice)), yocto(alice0) + yocto(PROPOSAL_BOND));
    b.assert_refused(&c.dao, "proposal has not passed: status is rejected", |b| c.execute(b, &bob, r));

    // Expired: one abstention does not reach the quorum of 2.
    let e = c.propose(&mut b, &alice, "Adopt a logo", text());
    c.vote(&mut b, &bob, e, "abstain").assert_success();
    b.assert_refused(&c.dao, "voting period is not over", |b| finalize(b, &c, &stranger, e));
    past_deadline(&mut b, &c, e);
    b.assert_refused(&c.dao, "voting period is over", |b| c.vote(b, &carol, e, "yes"));
    b.assert_refused(&c.dao, "voting period is over", |b| c.vote(b, &bob, e, "yes"));
    let (alice0, dao0) = (b.balance(&alice), b.balance(&c.dao));
    let out = finalize(&mut b, &c, &stranger, e);
    assert_eq!(out.json::<String>(), "expired");
    let changed = event(&out, "proposal_status_changed");
    assert_eq!((changed["from"].clone(), changed["to"].clone()), (json!("active"), json!("expired")));
    assert_eq!(changed["bond_refunded"], json!(PROPOSAL_BOND));
    assert_eq!(yocto(b.balance(&alice)), yocto(alice0) + yocto(PROPOSAL_BOND));
    assert_eq!(yocto(b.balance(&c.dao)), yocto(dao0) - yocto(PROPOSAL_BOND));
    b.assert_refused(&c.dao, "proposal is not active", |b| finalize(b, &c, &stranger, e));
    b.assert_refused(&c.dao, "proposal has not passed: status is expired", |b| c.execute(b, &stranger, e));

    // Undecided until the deadline (1 yes, 1 no of 3), then passed by finalize.
    let f = c.propose(&mut b, &alice, "Meet monthly", text());
    assert_eq!(c.vote(&mut b, &bob, f, "yes").json::<String>(), "active");
    assert_eq!(c.vote(&mut b, &carol, f, "no").json::<String>(), "active");
    past_deadline(&mut b, &c, f);
    let out = finalize(&mut b, &c, &stranger, f);
    assert_eq!(out.json::<String>(), "passed");
    assert_eq!(event(&out, "proposal_status_changed")["to"], "passed");
    assert_eq!(c.execute(&mut b, &stranger, f).json::<String>(), "executed");

    let cfg = config(&b, &c);
    for (status, n) in [("rejected", "1"), ("expired", "1"), ("executed", "1"), ("active", "0")] {
        assert_eq!(cfg["status_counts"][status], n, "{status}");
    }
    assert_eq!(cfg["locked_bonds"], "0");
    assert_status_index(&b, &c);
}

#[test]
fn the_proposer_cancels_before_any_vote_and_gets_the_bond_back() {
    let (mut b, c) = setup();
    let (alice, bob, _) = council(&c);
    let p = c.propose(&mut b, &alice, "Oops", text());
    let storage = c.proposal(&b, p)["storage_deposit"].clone();
    b.assert_refused(&c.dao, "only the proposer may cancel", |b| cancel(b, &c, &bob, p));

    let (alice0, dao0) = (b.balance(&alice), b.balance(&c.dao));
    let out = cancel(&mut b, &c, &alice, p);
    out.assert_success();
    let changed = event(&out, "proposal_status_changed");
    assert_eq!((changed["from"].clone(), changed["to"].clone()), (json!("active"), json!("cancelled")));
    assert_eq!(changed["bond_refunded"], json!(PROPOSAL_BOND));
    assert_eq!(yocto(b.balance(&alice)), yocto(alice0) + yocto(PROPOSAL_BOND) - burnt(&out));
    assert_eq!(yocto(b.balance(&c.dao)), yocto(dao0) - yocto(PROPOSAL_BOND));
    let view = c.proposal(&b, p);
    assert_eq!(view["status"], "cancelled");
    assert_eq!(view["bond_held"], "0");
    assert_eq!(view["storage_deposit"], storage, "the proposal stays as history");
    b.assert_refused(&c.dao, "proposal is not active", |b| cancel(b, &c, &alice, p));
    b.assert_refused(&c.dao, "proposal is not active", |b| c.vote(b, &bob, p, "yes"));

    let q = c.propose(&mut b, &alice, "Voted on", text());
    c.vote(&mut b, &bob, q, "abstain").assert_success();
    b.assert_refused(&c.dao, "proposal already has votes", |b| cancel(b, &c, &alice, q));
    assert_eq!(config(&b, &c)["status_counts"]["cancelled"], "1");
}

#[test]
fn spam_keeps_the_bond_a_normal_end_refunds_it() {
    let (mut b, c) = setup();
    let (alice, bob, carol) = council(&c);

    // Spam: the DAO keeps the bond; the proposer gets nothing back.
    let s = c.propose(&mut b, &alice, "Buy my token", text());
    let (alice0, dao0) = (b.balance(&alice), b.balance(&c.dao));
    assert_eq!(c.vote(&mut b, &bob, s, "spam").json::<String>(), "active");
    let out = c.vote(&mut b, &carol, s, "spam");
    assert_eq!(out.json::<String>(), "spam");
    let changed = event(&out, "proposal_status_changed");
    assert_eq!(changed["to"], "spam");
    assert_eq!(changed["bond_refunded"], "0");
    assert_eq!(b.balance(&alice), alice0, "a spam bond is not refunded");
    assert_eq!(b.balance(&c.dao), dao0, "the DAO keeps the spam bond");
    assert_eq!(c.proposal(&b, s)["bond_held"], "0");
    assert_eq!(config(&b, &c)["locked_bonds"], "0", "the kept bond is the DAO's own money now");
    b.assert_refused(&c.dao, "proposal has not passed: status is spam", |b| c.execute(b, &bob, s));

    // The same proposer, a normal end: the bond comes back exactly.
    let n = c.propose(&mut b, &alice, "A fair proposal", text());
    let (alice0, dao0) = (b.balance(&alice), b.balance(&c.dao));
    c.vote(&mut b, &bob, n, "yes").assert_success();
    let out = c.vote(&mut b, &carol, n, "yes");
    assert_eq!(out.json::<String>(), "passed");
    assert_eq!(yocto(b.balance(&alice)), yocto(alice0) + yocto(PROPOSAL_BOND));
    assert_eq!(yocto(b.balance(&c.dao)), yocto(dao0) - yocto(PROPOSAL_BOND));
}

#[test]
fn open_proposals_keep_their_snapshot_of_members_roles_and_policy() {
    let (mut b, c) = setup();
    let (alice, bob, carol) = council(&c);
    let dave = b.create_account("dave", near(10));
    let erin = b.create_account("erin", near(10));
    let frank = b.create_account("frank", near(10));

    // P0 is open before dave and erin join.
    let p0 = c.propose(&mut b, &alice, "Before dave joined", text());
    pass(
        &mut b,
        &c,
        &alice,
        &[&alice, &bob, &carol],
        "Welcome dave",
        json!({"type": "add_member", "account_id": dave, "roles": ["council"]}),
    );
    pass(
        &mut b,
        &c,
        &alice,
        &[&alice, &bob, &carol],
        "Welcome erin",
        json!({"type": "add_member", "account_id": erin, "roles": ["member"]}),
    );
    assert_eq!(b.view::<u32>(&c.dao, "get_electorate", json!({"kind": "text"})), 5);
    let snapshot = c.proposal(&b, p0);
    assert_eq!((snapshot["electorate"].clone(), snapshot["quorum_votes"].clone()), (json!(3), json!(2)));
    for late in [&dave, &erin] {
        assert!(!b.view::<bool>(&c.dao, "can_vote", json!({"id": p0.to_string(), "account_id": late})));
        b.assert_refused(&c.dao, "caller held no voting role for this proposal when it was created", |b| {
            c.vote(b, late, p0, "yes")
        });
    }
    assert!(b.view::<bool>(&c.dao, "can_vote", json!({"id": p0.to_string(), "account_id": bob})));

    // Role permissions changed after creation do not reach an open proposal.
    let add = c.propose(
        &mut b,
        &alice,
        "Welcome frank",
        json!({"type": "add_member", "account_id": frank, "roles": ["member"]}),
    );
    b.assert_refused(&c.dao, "caller held no voting role", |b| c.vote(b, &erin, add, "yes"));
    let out_id = pass(
        &mut b,
        &c,
        &alice,
        &[&alice, &bob, &carol, &dave],
        "Members vote on everything",
        json!({"type": "change_role_permissions", "role": "member", "can_propose": ["text"], "can_vote": "all"}),
    );
    assert!(out_id > add);
    assert_eq!(b.view::<u32>(&c.dao, "get_electorate", json!({"kind": "add_member"})), 5);
    assert_eq!(c.proposal(&b, add)["electorate"], 4);
    assert!(!b.view::<bool>(&c.dao, "can_vote", json!({"id": add.to_string(), "account_id": erin})));
    b.assert_refused(&c.dao, "caller held no voting role", |b| c.vote(b, &erin, add, "yes"));

    // A removed member cannot vote, even on a proposal it could vote on before.
    pass(
        &mut b,
        &c,
        &alice,
        &[&alice, &carol, &dave, &erin],
        "Bob steps down",
        json!({"type": "remove_member", "account_id": bob}),
    );
    b.assert_refused(&c.dao, "caller is not a member", |b| c.vote(b, &bob, p0, "yes"));
    assert_eq!(c.proposal(&b, p0)["electorate"], 3);

    // A policy changed after creation does not change an open proposal's rules.
    let old = c.propose(&mut b, &alice, "Judged by the old policy", text());
    let old_view = c.proposal(&b, old);
    assert_eq!((old_view["electorate"].clone(), old_view["quorum_votes"].clone()), (json!(4), json!(2)));
    let strict = json!({"voting_period_ns": (2 * VOTING_PERIOD_NS).to_string(), "quorum": {"count": 100}, "threshold": {"num": 1, "den": 1}, "timelock_ns": "0"});
    let out_id = pass(
        &mut b,
        &c,
        &alice,
        &[&alice, &carol, &dave, &erin],
        "Unanimity from now on",
        json!({"type": "change_policy", "label": null, "policy": strict}),
    );
    let policy: Value = b.view(&c.dao, "get_policy", json!({}));
    assert_eq!(policy["default"], strict);
    assert!(out_id > old);
    let still = c.proposal(&b, old);
    assert_eq!(still["policy"], old_view["policy"]);
    assert_eq!(still["deadline"], old_view["deadline"]);
    assert_eq!(still["quorum_votes"], 2);
    // Two yes of four: enough under the snapshot (half, quorum 2), not under unanimity.
    c.vote(&mut b, &carol, old, "yes").assert_success();
    assert_eq!(c.vote(&mut b, &dave, old, "yes").json::<String>(), "passed");

    let new = c.propose(&mut b, &alice, "Judged by the new policy", text());
    let new_view = c.proposal(&b, new);
    assert_eq!(new_view["policy"], strict);
    assert_eq!(new_view["quorum_votes"], 4, "a count quorum is capped at the electorate");
    let span = new_view["deadline"].as_str().unwrap().parse::<u64>().unwrap()
        - new_view["created_at"].as_str().unwrap().parse::<u64>().unwrap();
    assert_eq!(span, 2 * VOTING_PERIOD_NS);
    c.vote(&mut b, &carol, new, "yes").assert_success();
    assert_eq!(c.vote(&mut b, &dave, new, "yes").json::<String>(), "active", "unanimity needs every vote");
    assert_status_index(&b, &c);
}

#[test]
fn a_timelock_holds_execution_until_it_is_over() {
    let (mut b, c) = setup();
    let (alice, bob, carol) = council(&c);
    let timelock_ns = 600 * NS_PER_SEC;
    let policy = json!({"voting_period_ns": VOTING_PERIOD_NS.to_string(), "quorum": {"fraction": {"num": 1, "den": 2}}, "threshold": {"num": 1, "den": 2}, "timelock_ns": timelock_ns.to_string()});
    let (_, out) = c.pass_and_execute(
        &mut b,
        "Text proposals wait ten minutes",
        json!({"type": "change_policy", "label": "text", "policy": policy}),
    );
    assert_eq!(out.json::<String>(), "executed");
    let changed = event(&out, "vote_policy_changed");
    assert_eq!((changed["label"].clone(), changed["policy"].clone()), (json!("text"), policy.clone()));
    let policies: Value = b.view(&c.dao, "get_policy", json!({}));
    assert_eq!(policies["per_kind"]["text"], policy);

    let t = c.propose(&mut b, &alice, "A timelocked decision", text());
    c.vote(&mut b, &bob, t, "yes").assert_success();
    assert_eq!(c.vote(&mut b, &carol, t, "yes").json::<String>(), "passed");
    let p = c.proposal(&b, t);
    let decided: u64 = p["decided_at"].as_str().unwrap().parse().unwrap();
    let executable: u64 = p["executable_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(executable, decided + timelock_ns);

    let out = b.assert_refused(&c.dao, "timelock not over", |b| c.execute(b, &bob, t));
    assert!(out.status.unwrap_err().contains(&format!("executable at {executable}")));
    // Up to ten seconds before the end: still refused.
    b.fast_forward((executable - b.block_timestamp()) / NS_PER_SEC - 10);
    b.assert_refused(&c.dao, "timelock not over", |b| c.execute(b, &bob, t));
    assert_eq!(c.status(&b, t), "passed");
    b.fast_forward(10);
    assert!(b.block_timestamp() >= executable);
    let out = c.execute(&mut b, &bob, t);
    assert_eq!(out.json::<String>(), "executed");
    assert_eq!(event(&out, "proposal_executed")["kind"], "text");

    // Other kinds keep the default policy: no timelock.
    let m = c.propose(
        &mut b,
        &alice,
        "Untimed",
        json!({"type": "add_member", "account_id": carol.as_str().replace("carol", "zed"), "roles": ["member"]}),
    );
    c.vote(&mut b, &bob, m, "yes").assert_success();
    c.vote(&mut b, &carol, m, "yes").assert_success();
    assert_eq!(c.execute(&mut b, &bob, m).json::<String>(), "executed");
}

#[test]
fn a_failed_execution_is_recorded_and_retried_after_the_cause_is_fixed() {
    let (mut b, c) = setup();
    let stranger = b.create_account("stranger", near(10));
    let paula = b.create_account("paula", near(10));

    // Function calls to a contract that fails: the registry has no such model yet.
    let args = b64(&json!({"model_id": "ghost", "version": 1}));
    let (id, out) = c.pass_and_execute(
        &mut b,
        "Approve ghost v1 by a raw call",
        json!({"type": "function_calls", "receiver_id": c.registry, "actions": [
            {"method_name": "approve_version", "args": args, "deposit": "0", "gas": "20000000000000"}
        ]}),
    );
    assert_eq!(out.json::<String>(), "failed");
    assert_eq!(dao_events(&out), ["proposal_execution_started", "proposal_execution_failed"]);
    assert_eq!(event(&out, "proposal_execution_started")["attempt"], 1);
    assert_eq!(event(&out, "proposal_execution_failed")["reason"], "cross-contract call failed");
    assert!(out.receipt_failures.iter().any(|f| f.contains("model not found")), "{:?}", out.receipt_failures);
    let p = c.proposal(&b, id);
    assert_eq!(
        (p["status"].clone(), p["execution_attempts"].clone(), p["executing"].clone()),
        (json!("failed"), json!(1), json!(false))
    );
    assert_eq!(config(&b, &c)["status_counts"]["failed"], "1");

    // Fix the cause: the publisher registers the model and submits v1.
    b.call_json(
        &paula,
        &c.registry,
        "register_model",
        json!({
        "model_id": "ghost", "name": "Ghost", "task": "text-generation", "license": "mit",
        "card_uri": "ipfs://ghost", "card_digest": "11".repeat(32)}),
        near(1),
    )
    .assert_success();
    b.call_json(
        &paula,
        &c.registry,
        "submit_version",
        json!({
        "model_id": "ghost", "weights_digest": "22".repeat(32), "artifact_uri": "ipfs://ghost-v1",
        "training": {"code_digest": "33".repeat(32)}}),
        near(1),
    )
    .assert_success();

    // Anyone retries.
    let out = c.execute(&mut b, &stranger, id);
    assert_eq!(out.json::<String>(), "executed");
    assert_eq!(event(&out, "proposal_execution_started")["attempt"], 2);
    assert_eq!(event(&out, "proposal_executed")["attempt"], 2);
    assert_eq!(out.events_named("model_registry", "version_approved").len(), 1);
    let status: Value = b.view(&c.registry, "version_status", json!({"model_id": "ghost", "version": 1}));
    assert_eq!(status["status"], "approved");
    let cfg = config(&b, &c);
    assert_eq!(
        (cfg["status_counts"]["failed"].clone(), cfg["status_counts"]["executed"].clone()),
        (json!("0"), json!("1"))
    );
    b.assert_refused(&c.dao, "proposal already executed", |b| c.execute(b, &stranger, id));

    // A transfer the treasury cannot fund fails without sending anything; funded, the retry pays.
    let grantee = b.create_account("grantee", near(1));
    let amount = near(80);
    let (id, out) = c.pass_and_execute(
        &mut b,
        "A big grant",
        json!({"type": "transfer", "receiver_id": grantee, "amount": amount}),
    );
    assert_eq!(out.json::<String>(), "failed");
    assert_eq!(dao_events(&out), ["proposal_execution_failed"]);
    assert!(event(&out, "proposal_execution_failed")["reason"].as_str().unwrap().starts_with("insufficient treasury"));
    assert_eq!(b.balance(&grantee), near(1));
    let root = b.chain.root();
    b.chain.transfer(&root, &c.dao, near(50)).assert_success();
    let out = c.execute(&mut b, &stranger, id);
    assert_eq!(out.json::<String>(), "executed");
    assert_eq!(dao_events(&out), ["proposal_execution_started", "proposal_executed"]);
    assert_eq!(yocto(b.balance(&grantee)), yocto(near(1)) + yocto(amount));
    assert_eq!(c.proposal(&b, id)["execution_attempts"], 2);
    b.assert_refused(&c.dao, "proposal already executed", |b| c.execute(b, &stranger, id));
    assert_status_index(&b, &c);
}

#[test]
fn every_change_method_refuses_callers_deposits_and_arguments_it_must_not_accept() {
    let (mut b, c) = setup();
    let (alice, bob, carol) = council(&c);
    let stranger = b.create_account("stranger", near(20));
    let erin = b.create_account("erin", near(10));
    pass(
        &mut b,
        &c,
        &alice,
        &[&alice, &bob],
        "Welcome erin",
        json!({"type": "add_member", "account_id": erin, "roles": ["member"]}),
    );
    let some_deposit = near(1);

    // add_proposal: callers.
    b.assert_refused(&c.dao, "caller is not a member", |b| add_raw(b, &c, &stranger, "hi", text(), some_deposit));
    b.assert_refused(&c.dao, "caller has no role that may propose this kind", |b| {
        add_raw(
            b,
            &c,
            &erin,
            "me too",
            json!({"type": "add_member", "account_id": stranger, "roles": ["member"]}),
            some_deposit,
        )
    });

    // add_proposal: deposits (exact amount only, named in the error).
    let required = c.proposal_deposit(&b, &alice, "hi", &text());
    let named = format!("wrong deposit: attach exactly {} yoctoNEAR", yocto(required));
    for deposit in [
        zero(),
        NearToken::from_yoctonear(yocto(required) - 1),
        NearToken::from_yoctonear(yocto(required) + 1),
        PROPOSAL_BOND,
    ] {
        b.assert_refused(&c.dao, &named, |b| add_raw(b, &c, &alice, "hi", text(), deposit));
    }

    // add_proposal: malformed arguments.
    for kind in [
        json!({"type": "fly_to_the_moon"}),
        json!({"type": "transfer"}),
        json!("text"),
        json!({"type": "add_member", "account_id": "Not An Account!", "roles": ["member"]}),
        json!({"type": "transfer", "receiver_id": stranger, "amount": "-1"}),
    ] {
        b.assert_refused(&c.dao, "Failed to deserialize input from JSON", |b| {
            add_raw(b, &c, &alice, "bad", kind.clone(), required)
        });
    }
    b.assert_refused(&c.dao, "Failed to deserialize input from JSON", |b| {
        b.call(&alice, &c.dao, "add_proposal", b"{not json".to_vec(), required, Gas::from_teragas(100))
    });
    let policy = |period: &str, quorum: Value, threshold: Value| json!({"voting_period_ns": period, "quorum": quorum, "threshold": threshold, "timelock_ns": "0"});
    for (needle, kind) in [
        ("unknown role: king", json!({"type": "add_member", "account_id": stranger, "roles": ["king"]})),
        ("a member needs 1 to 4 distinct roles", json!({"type": "add_member", "account_id": stranger, "roles": []})),
        ("account is already a member", json!({"type": "add_member", "account_id": bob, "roles": ["member"]})),
        ("account is not a member", json!({"type": "remove_member", "account_id": stranger})),
        ("amount must be positive", json!({"type": "transfer", "receiver_id": stranger, "amount": "0"})),
        ("the dao itself cannot be the target", json!({"type": "transfer", "receiver_id": c.dao, "amount": "1"})),
        (
            "the dao itself cannot be the target",
            json!({"type": "function_calls", "receiver_id": c.dao, "actions": [{"method_name": "finalize", "args": "", "deposit": "0", "gas": "1"}]}),
        ),
        (
            "function calls need 1 to 8 actions",
            json!({"type": "function_calls", "receiver_id": c.registry, "actions": []}),
        ),
        (
            "action gas must be 1 to 250 Tgas in total",
            json!({"type": "function_calls", "receiver_id": c.registry, "actions": [{"method_name": "x", "args": "", "deposit": "0", "gas": "0"}]}),
        ),
        ("code not stored", json!({"type": "upgrade_self", "code_hash": "ab".repeat(32), "migrate_args": null})),
        (
            "voting period must be 1 second to 365 days",
            json!({"type": "change_policy", "label": null, "policy": policy("0", json!({"count": 1}), json!({"num": 1, "den": 2}))}),
        ),
        (
            "threshold must have 0 < num <= den",
            json!({"type": "change_policy", "label": "text", "policy": policy("1000000000", json!({"count": 1}), json!({"num": 3, "den": 2}))}),
        ),
        (
            "set at least one community contract",
            json!({"type": "set_community_contracts", "registry": null, "attestation": null, "consent": null}),
        ),
        (
            "version must be at least 1",
            json!({"type": "move_alias", "model_id": "llama", "alias": "production", "version": 0}),
        ),
        ("alias may only contain", json!({"type": "move_alias", "model_id": "llama", "alias": "Prod!", "version": 1})),
        (
            "reason must not be empty",
            json!({"type": "revoke_model_version", "model_id": "llama", "version": 1, "reason": ""}),
        ),
    ] {
        b.assert_refused(&c.dao, needle, |b| add_raw(b, &c, &alice, "invalid", kind.clone(), required));
    }
    b.assert_refused(&c.dao, "description is too long", |b| {
        add_raw(b, &c, &alice, &"x".repeat(4097), text(), required)
    });

    // vote: callers, deadline, arguments.
    let open = c.propose(&mut b, &alice, "Open question", text());
    let members_only = c.propose(
        &mut b,
        &alice,
        "Welcome a friend",
        json!({"type": "add_member", "account_id": stranger, "roles": ["member"]}),
    );
    b.assert_refused(&c.dao, "caller is not a member", |b| c.vote(b, &stranger, open, "yes"));
    b.assert_refused(&c.dao, "caller held no voting role for this proposal when it was created", |b| {
        c.vote(b, &erin, members_only, "yes")
    });
    b.assert_refused(&c.dao, "proposal not found", |b| c.vote(b, &bob, 99, "yes"));
    b.assert_refused(&c.dao, "Failed to deserialize input from JSON", |b| c.vote(b, &bob, open, "maybe"));
    b.assert_refused(&c.dao, "reason is too long: 281 bytes, at most 280", |b| {
        vote_reason(b, &c, &bob, open, "yes", &"r".repeat(281))
    });

    // finalize / execute / cancel on an open proposal.
    b.assert_refused(&c.dao, "voting period is not over", |b| finalize(b, &c, &stranger, open));
    b.assert_refused(&c.dao, "proposal has not passed: status is active", |b| c.execute(b, &stranger, open));
    b.assert_refused(&c.dao, "proposal not found", |b| c.execute(b, &stranger, 99));
    b.assert_refused(&c.dao, "only the proposer may cancel", |b| cancel(b, &c, &stranger, open));

    // Methods that take no deposit refuse one.
    for (method, args) in [
        ("vote", json!({"id": open.to_string(), "choice": "yes"})),
        ("cancel_proposal", json!({"id": open.to_string()})),
        ("finalize", json!({"id": open.to_string()})),
        ("execute", json!({"id": open.to_string()})),
    ] {
        b.assert_refused(&c.dao, &format!("Method {method} doesn't accept deposit"), |b| {
            b.call_json(&alice, &c.dao, method, args.clone(), NearToken::from_yoctonear(1))
        });
    }

    // Initialization happens once.
    b.assert_refused(&c.dao, "The contract has already been initialized", |b| {
        b.call_json(&stranger, &c.dao, "new", json!({
            "name": "Hijack", "purpose": "", "metadata": "", "roles": [{"name": "boss", "can_propose": "all", "can_vote": "all"}],
            "members": [{"account_id": stranger, "roles": ["boss"]}],
            "vote_policies": {"default": {"voting_period_ns": "1000000000", "quorum": {"count": 1}, "threshold": {"num": 1, "den": 1}, "timelock_ns": "0"}},
            "proposal_bond": "0", "registry": null, "attestation": null, "consent": null}), zero())
    });

    // Private methods: only the DAO itself may call them.
    for caller in [&stranger, &alice] {
        b.assert_refused(&c.dao, "is private", |b| {
            b.call_json(caller, &c.dao, "on_execute", json!({"id": open.to_string()}), zero())
        });
        b.assert_refused(&c.dao, "is private", |b| b.call_json(caller, &c.dao, "migrate", json!({}), zero()));
    }

    // store_code: members only, non-empty, deposit covering its storage.
    let code = b"\0asm-not-really-but-bytes".to_vec();
    let cost = (73 + code.len() as u128) * 10u128.pow(19);
    b.assert_refused(&c.dao, "caller is not a member", |b| {
        b.call(&stranger, &c.dao, "store_code", code.clone(), near(1), Gas::from_teragas(100))
    });
    b.assert_refused(&c.dao, "code is empty", |b| {
        b.call(&alice, &c.dao, "store_code", Vec::new(), near(1), Gas::from_teragas(100))
    });
    b.assert_refused(&c.dao, &format!("wrong deposit: attach at least {cost} yoctoNEAR"), |b| {
        b.call(&alice, &c.dao, "store_code", code.clone(), NearToken::from_yoctonear(cost - 1), Gas::from_teragas(100))
    });

    // After the deadline nobody votes any more, not even to change a vote.
    c.vote(&mut b, &bob, open, "yes").assert_success();
    past_deadline(&mut b, &c, members_only);
    for voter in [&alice, &bob, &carol] {
        b.assert_refused(&c.dao, "voting period is over", |b| c.vote(b, voter, open, "no"));
    }

    // execute checks the gas an external kind needs before doing anything.
    let g =
        c.propose(&mut b, &alice, "A small grant", json!({"type": "transfer", "receiver_id": erin, "amount": near(1)}));
    c.vote(&mut b, &bob, g, "yes").assert_success();
    c.vote(&mut b, &carol, g, "yes").assert_success();
    b.assert_refused(&c.dao, "not enough gas attached", |b| {
        b.call_gas(&stranger, &c.dao, "execute", json!({"id": g.to_string()}), zero(), Gas::from_teragas(30))
    });
    assert_eq!(c.proposal(&b, g)["execution_attempts"], 0);
    assert_eq!(c.execute(&mut b, &stranger, g).json::<String>(), "executed");
}

#[test]
fn a_proposal_moves_a_model_alias_on_the_real_registry() {
    let (mut b, c) = setup();
    let paula = b.create_account("paula", near(10));
    let model = "commons-chat";
    let out = b.call_json(
        &paula,
        &c.registry,
        "register_model",
        json!({
        "model_id": model, "name": "Commons Chat", "task": "text-generation", "license": "apache-2.0",
        "card_uri": "ipfs://card", "card_digest": "ca".repeat(32)}),
        near(1),
    );
    out.assert_success();
    let out = b.call_json(
        &paula,
        &c.registry,
        "submit_version",
        json!({
        "model_id": model, "weights_digest": "01".repeat(32), "artifact_uri": "ipfs://v1",
        "training": {"code_digest": "c0".repeat(32)}}),
        near(1),
    );
    assert_eq!(out.json::<u32>(), 1);
    // The publisher cannot move the protected alias itself.
    b.assert_refused(&c.registry, "alias is protected", |b| {
        b.call_json(
            &paula,
            &c.registry,
            "set_alias",
            json!({"model_id": model, "alias": "production", "version": 1}),
            near(1),
        )
    });

    let (_, out) = c.pass_and_execute(
        &mut b,
        "Approve v1",
        json!({"type": "approve_model_version", "model_id": model, "version": 1}),
    );
    assert_eq!(out.json::<String>(), "executed");
    assert_eq!(out.events_named("model_registry", "version_approved").len(), 1);

    let dao0 = b.balance(&c.dao);
    let registry0 = b.storage_usage(&c.registry);
    let (id, out) = c.pass_and_execute(
        &mut b,
        "Put v1 in production",
        json!({"type": "move_alias", "model_id": model, "alias": "production", "version": 1}),
    );
    assert_eq!(out.json::<String>(), "executed");
    let names: Vec<String> = out.event_names();
    assert_eq!(names, ["proposal_execution_started", "alias_set", "proposal_executed"]);
    let set = out.events_named("model_registry", "alias_set")[0];
    assert_eq!(set.version, "1.0.0");
    assert_eq!((set.data["version"].clone(), set.data["set_by"].clone()), (json!(1), json!(c.dao)));
    assert_eq!(event(&out, "proposal_executed")["kind"], "move_alias");
    assert_eq!(c.status(&b, id), "executed");

    let alias: Value = b.view(&c.registry, "get_alias", json!({"model_id": model, "alias": "production"}));
    assert_eq!(alias["version"], 1);
    assert_eq!(alias["protected"], true);
    assert_eq!(alias["last_change"]["set_by"], json!(c.dao));
    let history: Vec<Value> =
        b.view(&c.registry, "get_alias_history", json!({"model_id": model, "alias": "production"}));
    assert_eq!(history.len(), 1);
    assert_eq!((history[0]["version"].clone(), history[0]["set_by"].clone()), (json!(1), json!(c.dao)));

    // The treasury paid exactly the alias's storage (the rest of the 0.01 NEAR came back)
    // and the bond went back to the proposer; the DAO gained the proposal's storage deposit.
    let storage = c.proposal(&b, id)["storage_deposit"].as_str().unwrap().parse::<u128>().unwrap();
    let alias_storage = (b.storage_usage(&c.registry) - registry0) as u128 * 10u128.pow(19);
    assert_eq!(yocto(b.balance(&c.dao)), yocto(dao0) + storage - alias_storage);
}

#[test]
fn an_upgrade_proposal_deploys_the_next_version_and_all_state_survives() {
    let (mut b, c) = setup();
    let (alice, bob, carol) = council(&c);
    let dave = b.create_account("dave", near(10));
    let stranger = b.create_account("stranger", near(20));
    assert_eq!(b.view::<String>(&c.dao, "contract_version", json!({})), env!("CARGO_PKG_VERSION"));
    assert_eq!(config(&b, &c)["state_version"], 1);

    // State made by the current code: a member added, a rejected proposal, an open one with a vote.
    pass(
        &mut b,
        &c,
        &alice,
        &[&alice, &bob, &carol],
        "Welcome dave",
        json!({"type": "add_member", "account_id": dave, "roles": ["council"]}),
    );
    let rejected = c.propose(&mut b, &bob, "Rejected idea", text());
    for voter in [&alice, &carol, &dave] {
        c.vote(&mut b, voter, rejected, "no").assert_success();
    }
    assert_eq!(c.status(&b, rejected), "rejected");
    let open = c.propose(&mut b, &carol, "Still open across the upgrade", text());
    vote_reason(&mut b, &c, &bob, open, "yes", "keep me").assert_success();

    // Store the next version's code.
    let code = codes().dao_v2.clone();
    let hash = sha256_hex(&code);
    let cost = (73 + code.len() as u128) * 10u128.pow(19);
    b.assert_refused(&c.dao, "caller is not a member", |b| {
        b.call(&stranger, &c.dao, "store_code", code.clone(), near(10), Gas::from_teragas(300))
    });
    let (alice0, storage0) = (b.balance(&alice), b.storage_usage(&c.dao));
    let out = b.call(&alice, &c.dao, "store_code", code.clone(), near(10), Gas::from_teragas(300));
    assert_eq!(out.json::<String>(), hash);
    let stored = event(&out, "code_stored");
    assert_eq!(
        (stored["code_hash"].clone(), stored["bytes"].clone(), stored["stored_by"].clone()),
        (json!(hash), json!(code.len().to_string()), json!(alice))
    );
    assert_eq!(b.storage_usage(&c.dao) - storage0, 73 + code.len() as u64);
    assert_eq!(yocto(alice0) - yocto(b.balance(&alice)), cost + burnt(&out), "the excess deposit comes back");
    assert!(b.view::<bool>(&c.dao, "has_code", json!({"code_hash": hash})));
    b.assert_refused(&c.dao, "code already stored", |b| {
        b.call(&alice, &c.dao, "store_code", code.clone(), near(10), Gas::from_teragas(300))
    });

    let before_members: Value = b.view(&c.dao, "get_members", json!({}));
    let before_proposals: Value = b.view(&c.dao, "get_proposals", json!({}));
    let before_votes: Value = b.view(&c.dao, "get_votes", json!({"id": open.to_string()}));
    let before_policy: Value = b.view(&c.dao, "get_policy", json!({}));

    // The upgrade proposal: deploy + migrate in one batch, reported through on_execute.
    let up = c.propose(
        &mut b,
        &alice,
        "Upgrade to v2",
        json!({"type": "upgrade_self", "code_hash": hash, "migrate_args": null}),
    );
    for voter in [&bob, &carol] {
        c.vote(&mut b, voter, up, "yes").assert_success();
    }
    assert_eq!(c.status(&b, up), "passed");
    let out = c.execute(&mut b, &stranger, up);
    assert_eq!(out.json::<String>(), "executed");
    assert_eq!(dao_events(&out), ["proposal_execution_started", "contract_migrated", "proposal_executed"]);
    let migrated = event(&out, "contract_migrated");
    assert_eq!(
        migrated,
        json!({"from_state_version": 1, "to_state_version": 2, "contract_version": "2.0.0-upgrade-test"})
    );

    assert_eq!(b.view::<String>(&c.dao, "contract_version", json!({})), "2.0.0-upgrade-test");
    let cfg = config(&b, &c);
    assert_eq!(cfg["state_version"], 2);
    assert_eq!(cfg["contract_version"], "2.0.0-upgrade-test");
    assert_eq!(b.view::<Value>(&c.dao, "get_members", json!({})), before_members);
    assert_eq!(b.view::<Value>(&c.dao, "get_votes", json!({"id": open.to_string()})), before_votes);
    assert_eq!(b.view::<Value>(&c.dao, "get_policy", json!({})), before_policy);
    let after_proposals: Vec<Value> = b.view(&c.dao, "get_proposals", json!({}));
    let before_proposals = before_proposals.as_array().unwrap();
    assert_eq!(after_proposals.len(), before_proposals.len() + 1);
    assert_eq!(&after_proposals[..before_proposals.len()], &before_proposals[..]);
    assert_eq!(after_proposals[up as usize]["status"], "executed");
    assert!(b.view::<bool>(&c.dao, "has_code", json!({"code_hash": hash})));

    // The new code keeps working on the old state: the open proposal passes and executes.
    assert_eq!(c.vote(&mut b, &dave, open, "yes").json::<String>(), "passed");
    assert_eq!(c.execute(&mut b, &stranger, open).json::<String>(), "executed");
    b.assert_refused(&c.dao, "proposal already executed", |b| c.execute(b, &stranger, up));
    b.assert_refused(&c.dao, "is private", |b| b.call_json(&alice, &c.dao, "migrate", json!({}), zero()));
    assert_status_index(&b, &c);
}

#[test]
fn every_function_calls_proposal_accepted_can_execute_in_one_transaction() {
    let (mut b, c) = setup();
    let (alice, bob, carol) = council(&c);
    let stranger = b.create_account("stranger", near(10));
    let action = |method: &str, tgas: u64| json!({"method_name": method, "args": "", "deposit": "0", "gas": Gas::from_teragas(tgas).as_gas().to_string()});

    // More than 250 Tgas of actions could pass a vote but never execute (a
    // transaction carries at most 300 Tgas): refused at creation.
    let too_big = json!({"type": "function_calls", "receiver_id": c.registry, "actions": [action("get_config", 126), action("contract_version", 125)]});
    let required = NearToken::from_yoctonear(yocto(PROPOSAL_BOND) + yocto(near(1)));
    b.assert_refused(&c.dao, "action gas must be 1 to 250 Tgas in total", |b| {
        add_raw(b, &c, &alice, "too big", too_big, required)
    });

    // The largest accepted batch executes with the most gas a transaction may attach.
    let kind = json!({"type": "function_calls", "receiver_id": c.registry, "actions": [action("get_config", 125), action("contract_version", 125)]});
    let id = c.propose(&mut b, &alice, "Two calls, 250 Tgas", kind);
    c.vote(&mut b, &bob, id, "yes").assert_success();
    c.vote(&mut b, &carol, id, "yes").assert_success();
    b.assert_refused(&c.dao, "not enough gas attached: this execution needs 285 Tgas", |b| {
        b.call_gas(&stranger, &c.dao, "execute", json!({"id": id.to_string()}), zero(), Gas::from_teragas(280))
    });
    let out = b.call_gas(&stranger, &c.dao, "execute", json!({"id": id.to_string()}), zero(), Gas::from_teragas(300));
    assert_eq!(out.json::<String>(), "executed");
    assert!(out.receipt_failures.is_empty(), "{:?}", out.receipt_failures);
    assert_eq!(dao_events(&out), ["proposal_execution_started", "proposal_executed"]);
}
