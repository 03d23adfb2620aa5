//! Delegation and community agents: weights with overlapping scopes, expiry at
//! the boundary, snapshots, override before and after the delegate votes,
//! membership changes, agents' receipt-checked votes and every refusal (exact
//! error, nothing changed).

use super::*;

const AGENT: &str = "agent.near";

/// Everything `World::fingerprint` shows, plus delegations, delegate lists,
/// weights on every proposal and the agent's record and actions.
fn fingerprint(w: &World) -> String {
    let accounts = [ALICE, BOB, CAROL, DAVE, EVE, AGENT];
    let ids: Vec<U64> = w.dao.get_proposals(None, Some(100)).iter().map(|p| p.id).collect();
    let per_account: Vec<_> = accounts
        .iter()
        .map(|a| {
            json!({
                "delegation": w.dao.get_delegation(acc(a)),
                "delegators": w.dao.get_delegators(acc(a), None, Some(100)),
                "on": ids.iter().map(|id| w.dao.get_delegated_weight(acc(a), None, Some(*id))).collect::<Vec<_>>(),
                "vote": ids.iter().map(|id| w.dao.get_vote(*id, acc(a))).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::to_string(&json!({
        "world": w.fingerprint(),
        "accounts": per_account,
        "agent": w.dao.get_agent(acc(AGENT)),
        "actions": w.dao.get_agent_actions(acc(AGENT), None, Some(100)),
    }))
    .unwrap()
}

/// Like `World::rejects`, with the delegation views in the fingerprint.
fn rejects(w: &mut World, expected: &str, f: impl FnOnce(&mut Contract)) {
    let before = fingerprint(w);
    let err = catch_unwind(AssertUnwindSafe(|| f(&mut w.dao))).expect_err("call should fail");
    assert_eq!(panic_message(err), expected);
    assert_eq!(fingerprint(w), before, "state changed by a failed call");
    assert!(get_logs().is_empty(), "failed call emitted {:?}", get_logs());
}

fn delegate(w: &mut World, who: &str, to: &str, kinds: KindSet, expires_at: Option<u64>) {
    w.pay(who, NearToken::from_millinear(10));
    w.dao.delegate(acc(to), kinds, expires_at.map(U64));
}

fn text() -> KindSet {
    KindSet::of(&[KindLabel::Text])
}

fn transfer() -> ProposalKind {
    ProposalKind::Transfer { receiver_id: acc(EVE), amount: NearToken::from_near(1) }
}

fn weight_of(w: &World, id: u64, who: &str) -> u32 {
    w.dao.get_vote(U64(id), acc(who)).unwrap().weight
}

fn tally(w: &World, id: u64) -> Tally {
    w.dao.get_proposal(U64(id)).unwrap().tally
}

/// A community with one more council member, so that two votes do not decide.
fn world() -> World {
    // A quorum of everyone keeps proposals open while the tests vote.
    testing_env!(context(DAO, zero(), T0));
    let mut all = members();
    all.push(MemberInput { account_id: acc("frank.near"), roles: vec!["council".into()] });
    all.push(MemberInput { account_id: acc("gina.near"), roles: vec!["council".into()] });
    let dao = Contract::new(
        "Open Models".into(),
        "govern our models".into(),
        "{}".into(),
        roles(),
        all,
        VotePolicies {
            default: policy(DAY, Quorum::Fraction(Fraction { num: 1, den: 1 }), 1, 2, 0),
            per_kind: Default::default(),
            agent_suspenders: vec![],
        },
        bond(),
        Some(acc(REGISTRY)),
        Some(acc(ATTESTATION)),
        None,
    );
    World { dao, now: T0 }
}

#[test]
fn a_delegate_votes_with_its_delegators_weight_in_their_scopes() {
    let mut w = world();
    // Bob lends text only, Carol everything, Dave (text-only role) everything.
    delegate(&mut w, BOB, ALICE, text(), None);
    let logs = get_logs();
    assert_eq!(
        logs,
        vec![
            r#"EVENT_JSON:{"standard":"community_dao","version":"1.0.0","event":"delegation_set","data":{"delegator":"bob.near","delegate":"alice.near","kinds":["text"],"from_proposal":"0"}}"#
        ]
    );
    delegate(&mut w, CAROL, ALICE, KindSet::ALL, None);
    delegate(&mut w, DAVE, ALICE, KindSet::ALL, None);
    w.as_(EVE);
    assert_eq!(w.dao.get_delegated_weight(acc(ALICE), Some(KindLabel::Text), None), 3);
    // Dave's role cannot vote on transfers: his delegation does not count there.
    assert_eq!(w.dao.get_delegated_weight(acc(ALICE), Some(KindLabel::Transfer), None), 1);
    assert_eq!(w.dao.get_delegators(acc(ALICE), None, None).len(), 3);

    let t = w.propose(ALICE, ProposalKind::Text);
    let x = w.propose(ALICE, transfer());
    w.vote(ALICE, t, VoteChoice::Yes);
    let vote = event(&get_logs(), "vote_cast");
    assert_eq!(vote["data"]["weight"], 4);
    assert_eq!(tally(&w, t).yes, 4);
    w.vote(ALICE, x, VoteChoice::No);
    assert_eq!(tally(&w, x).no, 2);
    // A changed vote keeps its weight.
    w.vote(ALICE, x, VoteChoice::Yes);
    assert_eq!((tally(&w, x).yes, tally(&w, x).no), (2, 0));
    // The electorate is unchanged by delegation: weight is counted against it.
    assert_eq!(w.dao.get_proposal(U64(t)).unwrap().electorate, 6);
}

#[test]
fn expiry_is_exact_at_the_boundary() {
    let mut w = world();
    let end = T0 + HOUR;
    delegate(&mut w, BOB, ALICE, text(), Some(end));
    w.now = end - 1;
    let before = w.propose(CAROL, ProposalKind::Text);
    w.now = end;
    let at = w.propose(CAROL, ProposalKind::Text);
    w.vote(ALICE, before, VoteChoice::Yes);
    w.vote(ALICE, at, VoteChoice::Yes);
    assert_eq!(weight_of(&w, before, ALICE), 2, "created 1 ns before expiry: counts");
    assert_eq!(weight_of(&w, at, ALICE), 1, "created at expiry: does not count");
    // Bob's in-person vote overrides only where his delegation counted.
    w.vote(BOB, before, VoteChoice::No);
    assert_eq!(w.dao.get_vote(U64(before), acc(BOB)).unwrap().overrode, Some(acc(ALICE)));
    w.vote(BOB, at, VoteChoice::No);
    assert_eq!(w.dao.get_vote(U64(at), acc(BOB)).unwrap().overrode, None);
    assert_eq!((weight_of(&w, before, ALICE), weight_of(&w, at, ALICE)), (1, 1));
    // An expired delegation is no longer offered as weight.
    w.as_(EVE);
    assert_eq!(w.dao.get_delegated_weight(acc(ALICE), Some(KindLabel::Text), None), 0);
}

#[test]
fn a_change_after_creation_does_not_move_the_count() {
    let mut w = world();
    delegate(&mut w, BOB, ALICE, text(), None);
    let old = w.propose(CAROL, ProposalKind::Text);
    delegate(&mut w, BOB, CAROL, text(), None);
    let new = w.propose(CAROL, ProposalKind::Text);
    w.as_(EVE);
    assert_eq!(w.dao.get_delegated_weight(acc(ALICE), None, Some(U64(old))), 1);
    assert_eq!(w.dao.get_delegated_weight(acc(CAROL), None, Some(U64(old))), 0);
    assert_eq!(w.dao.get_delegated_weight(acc(ALICE), None, Some(U64(new))), 0);
    assert_eq!(w.dao.get_delegated_weight(acc(CAROL), None, Some(U64(new))), 1);
    // Withdrawing now leaves both open proposals as they were.
    w.pay(BOB, NearToken::from_millinear(10));
    w.dao.undelegate();
    assert_eq!(event_names(&get_logs()), vec!["delegation_removed"]);
    let newest = w.propose(CAROL, ProposalKind::Text);
    w.vote(ALICE, old, VoteChoice::Yes);
    w.vote(CAROL, new, VoteChoice::Yes);
    w.vote(CAROL, newest, VoteChoice::Yes);
    assert_eq!((weight_of(&w, old, ALICE), weight_of(&w, new, CAROL), weight_of(&w, newest, CAROL)), (2, 2, 1));
}

#[test]
fn old_proposals_read_archived_checkpoints() {
    let mut w = world();
    let mut ids = Vec::new();
    // Alice's weight changes in every epoch: 1, 2, 3, 2, 1 delegators.
    let steps: [(&str, bool); 5] = [(BOB, true), (CAROL, true), ("frank.near", true), (BOB, false), (CAROL, false)];
    for (who, on) in steps {
        if on {
            delegate(&mut w, who, ALICE, text(), None);
        } else {
            w.pay(who, NearToken::from_millinear(10));
            w.dao.undelegate();
        }
        ids.push(w.propose(ALICE, ProposalKind::Text));
    }
    w.as_(EVE);
    let weights: Vec<u32> = ids.iter().map(|id| w.dao.get_delegated_weight(acc(ALICE), None, Some(U64(*id)))).collect();
    assert_eq!(weights, vec![1, 2, 3, 2, 1]);
    w.vote(ALICE, ids[1], VoteChoice::Yes);
    assert_eq!(weight_of(&w, ids[1], ALICE), 3);
}

#[test]
fn override_before_and_after_the_delegate_votes() {
    let mut w = world();
    delegate(&mut w, BOB, ALICE, text(), None);
    delegate(&mut w, CAROL, ALICE, text(), None);
    let after = w.propose(DAVE, ProposalKind::Text);
    let before = w.propose(DAVE, ProposalKind::Text);

    // After: Alice voted with 3; Bob takes his weight back.
    w.vote(ALICE, after, VoteChoice::Yes);
    w.vote(BOB, after, VoteChoice::No);
    let logs = get_logs();
    assert_eq!(event(&logs, "vote_cast")["data"]["overrode"], "alice.near");
    assert_eq!(weight_of(&w, after, ALICE), 2);
    assert_eq!((tally(&w, after).yes, tally(&w, after).no), (2, 1));
    // Bob changing his vote takes nothing more.
    w.vote(BOB, after, VoteChoice::Abstain);
    assert_eq!((tally(&w, after).yes, tally(&w, after).no, tally(&w, after).abstain), (2, 0, 1));

    // Before: Bob votes first; Alice's vote counts one less.
    w.vote(BOB, before, VoteChoice::No);
    w.as_(EVE);
    assert_eq!(w.dao.get_delegated_weight(acc(ALICE), None, Some(U64(before))), 1);
    w.vote(ALICE, before, VoteChoice::Yes);
    assert_eq!(weight_of(&w, before, ALICE), 2);
    assert_eq!((tally(&w, before).yes, tally(&w, before).no), (2, 1));
    assert_eq!(tally(&w, before).cast(), 3);
}

#[test]
fn delegating_twice_in_one_epoch_keeps_the_snapshot_and_three_changes_block_the_override() {
    let mut w = world();
    delegate(&mut w, BOB, ALICE, text(), None);
    let p = w.propose(DAVE, ProposalKind::Text);
    delegate(&mut w, BOB, CAROL, text(), None);
    delegate(&mut w, BOB, DAVE, text(), None); // same epoch: still one change since p
    w.vote(ALICE, p, VoteChoice::Yes);
    assert_eq!(weight_of(&w, p, ALICE), 2);
    let q = w.propose(DAVE, ProposalKind::Text);
    let _ = q;
    delegate(&mut w, BOB, CAROL, text(), None); // a second change since p
    w.as_(BOB);
    rejects(&mut w, ERR_DELEGATION_CHANGED, |dao| {
        dao.vote(U64(p), VoteChoice::No, None);
    });
    // On the proposal created between the changes the override works.
    w.vote(BOB, q, VoteChoice::No);
    assert_eq!(w.dao.get_vote(U64(q), acc(BOB)).unwrap().overrode, Some(acc(DAVE)));
}

#[test]
fn membership_changes_carry_delegations() {
    let mut w = world();
    delegate(&mut w, BOB, ALICE, text(), None);
    delegate(&mut w, CAROL, ALICE, text(), None);
    delegate(&mut w, DAVE, BOB, text(), None);
    let open = w.propose(ALICE, ProposalKind::Text);
    // Carol leaves: her delegation ends for later proposals, not for `open`.
    let rm = w.propose(ALICE, ProposalKind::RemoveMember { account_id: acc(CAROL) });
    vote_all(&mut w, rm);
    assert_eq!(w.status(rm), ProposalStatus::Passed);
    w.execute(rm);
    assert_eq!(event_names(&get_logs()), vec!["delegation_removed", "member_removed", "proposal_executed"]);
    assert_eq!(w.dao.get_delegation(acc(CAROL)), None);
    let later = w.propose(ALICE, ProposalKind::Text);
    w.as_(EVE);
    assert_eq!(w.dao.get_delegated_weight(acc(ALICE), None, Some(U64(open))), 2);
    assert_eq!(w.dao.get_delegated_weight(acc(ALICE), None, Some(U64(later))), 1);

    // Bob (a delegate) is removed: he can no longer vote; Dave votes himself.
    let rm = w.propose(ALICE, ProposalKind::RemoveMember { account_id: acc(BOB) });
    vote_all(&mut w, rm);
    w.execute(rm);
    w.as_(BOB);
    rejects(&mut w, ERR_NOT_MEMBER, |dao| {
        dao.vote(U64(later), VoteChoice::Yes, None);
    });
    w.vote(DAVE, later, VoteChoice::No);
    assert_eq!(w.dao.get_vote(U64(later), acc(DAVE)).unwrap().overrode, Some(acc(BOB)));
    // Nobody delegates to a former member.
    w.as_(DAVE);
    rejects(&mut w, ERR_BAD_DELEGATE, |dao| dao.delegate(acc(BOB), KindSet::ALL, None));
}

#[test]
fn a_role_change_moves_the_delegators_weight_from_the_next_proposal() {
    let mut w = world();
    delegate(&mut w, DAVE, ALICE, KindSet::ALL, None);
    let before = w.propose(ALICE, transfer());
    let id = w.propose(ALICE, ProposalKind::ChangeRoles { account_id: acc(DAVE), roles: vec!["council".into()] });
    vote_all(&mut w, id);
    w.execute(id);
    assert_eq!(event_names(&get_logs()), vec!["delegation_set", "member_roles_changed", "proposal_executed"]);
    let after = w.propose(ALICE, transfer());
    w.as_(EVE);
    assert_eq!(w.dao.get_delegated_weight(acc(ALICE), None, Some(U64(before))), 0);
    assert_eq!(w.dao.get_delegated_weight(acc(ALICE), None, Some(U64(after))), 1);
}

#[test]
fn bad_delegations_are_refused_and_change_nothing() {
    let mut w = world();
    delegate(&mut w, BOB, ALICE, text(), None);
    w.as_(BOB);
    rejects(&mut w, ERR_SELF_DELEGATION, |dao| dao.delegate(acc(BOB), KindSet::ALL, None));
    rejects(&mut w, ERR_BAD_DELEGATE, |dao| dao.delegate(acc(EVE), KindSet::ALL, None));
    rejects(&mut w, ERR_EMPTY_SCOPE, |dao| dao.delegate(acc(CAROL), KindSet::NONE, None));
    rejects(&mut w, ERR_EXPIRY_PAST, |dao| dao.delegate(acc(CAROL), KindSet::ALL, Some(U64(T0))));
    rejects(&mut w, ERR_SAME_DELEGATION, |dao| dao.delegate(acc(ALICE), text(), None));
    w.as_(EVE);
    rejects(&mut w, ERR_NOT_MEMBER, |dao| dao.delegate(acc(CAROL), KindSet::ALL, None));
    w.as_(CAROL);
    rejects(&mut w, ERR_NO_DELEGATION, |dao| dao.undelegate());
}

#[test]
fn a_delegate_keeps_a_bounded_number_of_buckets() {
    testing_env!(context(DAO, zero(), T0));
    let mut list = vec![MemberInput { account_id: acc(ALICE), roles: vec!["council".into()] }];
    for i in 0..=MAX_BUCKETS {
        list.push(MemberInput { account_id: acc(&format!("m{i}.near")), roles: vec!["council".into()] });
    }
    let dao = Contract::new("n".into(), "p".into(), "{}".into(), roles(), list, policies(), bond(), None, None, None);
    let mut w = World { dao, now: T0 };
    for i in 0..MAX_BUCKETS {
        delegate(&mut w, &format!("m{i}.near"), ALICE, KindSet::ALL, Some(T0 + DAY + i as u64));
    }
    // Same terms as an existing bucket: fine. A 33rd distinct expiry: refused.
    delegate(&mut w, &format!("m{MAX_BUCKETS}.near"), ALICE, KindSet::ALL, Some(T0 + DAY));
    w.as_(&format!("m{MAX_BUCKETS}.near"));
    let expected = format!("{ERR_TOO_MANY_BUCKETS}: at most {MAX_BUCKETS}");
    let before = w.dao.get_delegation(acc(&format!("m{MAX_BUCKETS}.near")));
    let err = catch_unwind(AssertUnwindSafe(|| w.dao.delegate(acc(ALICE), KindSet::ALL, Some(U64(T0 + 2 * DAY)))))
        .expect_err("33rd bucket");
    assert_eq!(panic_message(err), expected);
    assert_eq!(w.dao.get_delegation(acc(&format!("m{MAX_BUCKETS}.near"))), before);
}

// ---------------------------------------------------------------- agents

fn register(model: (Option<u32>, Option<&str>)) -> ProposalKind {
    ProposalKind::RegisterAgent {
        account_id: acc(AGENT),
        mandate_uri: "ipfs://mandate-v1".into(),
        mandate_hash: Digest32([9; 32]),
        model_id: "llama".into(),
        version: model.0,
        alias: model.1.map(String::from),
        can_vote: text(),
        can_propose: text(),
        expires_at: U64(T0 + 30 * DAY),
    }
}

/// Every member who may vote on `id` votes yes, until it is decided.
fn vote_all(w: &mut World, id: u64) {
    for who in [ALICE, BOB, CAROL, DAVE, "frank.near", "gina.near"] {
        if w.status(id) == ProposalStatus::Active && w.dao.can_vote(U64(id), acc(who)) {
            w.vote(who, id, VoteChoice::Yes);
        }
    }
}

fn pass_all(w: &mut World, kind: ProposalKind) -> u64 {
    let id = w.propose(ALICE, kind);
    vote_all(w, id);
    assert_eq!(w.status(id), ProposalStatus::Passed);
    assert_eq!(w.execute(id), Some(ProposalStatus::Executed));
    id
}

fn receipt_json(requester: &str, model: &str, version: u32, timestamp: u64, revoked: bool) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": "7",
        "receipt": {
            "model_id": model, "version": version, "weights_digest": "00".repeat(32),
            "request_commitment": "11".repeat(32), "response_commitment": "22".repeat(32),
            "requester": requester, "attester_key": "ed25519:abc", "nonce": "1", "timestamp": timestamp.to_string(),
        },
        "operator": "node.near", "submitter": requester, "stored_at": timestamp.to_string(),
        "attester_revoked": revoked, "attester_revoked_at": null,
    }))
    .unwrap()
}

fn agent_callback(w: &mut World, id: u64, results: Vec<PromiseResult>) -> ProposalStatus {
    testing_env!(
        context(DAO, zero(), w.now),
        near_sdk::test_vm_config(),
        RuntimeFeesConfig::test(),
        Default::default(),
        results,
    );
    w.dao.on_agent_vote(U64(id), acc(AGENT), VoteChoice::Yes, U64(7), Some("per mandate §2".into()))
}

fn agent_world() -> (World, u64) {
    let mut w = world();
    pass_all(&mut w, register((Some(2), None)));
    assert_eq!(event_names(&get_logs()), vec!["agent_registered", "proposal_executed"]);
    delegate(&mut w, DAVE, AGENT, text(), None);
    delegate(&mut w, BOB, AGENT, text(), None);
    w.now += HOUR;
    let id = w.propose(ALICE, ProposalKind::Text);
    (w, id)
}

#[test]
fn an_agent_votes_citing_its_receipt_and_its_actions_are_listed() {
    let (mut w, id) = agent_world();
    w.as_(AGENT);
    let _ = w.dao.vote_as_agent(U64(id), VoteChoice::Yes, U64(7), Some("per mandate §2".into()));
    assert!(get_logs().is_empty(), "nothing recorded before the receipt is checked");
    let calls = calls_to(ATTESTATION);
    assert_eq!(calls.len(), 1);
    assert_eq!((calls[0].0.as_str(), &calls[0].1), ("get_receipt", &json!({"receipt_id": "7"})));
    // Bob overrides before the agent's vote lands.
    w.vote(BOB, id, VoteChoice::No);
    let created = w.dao.get_proposal(U64(id)).unwrap().created_at.0;
    let ok = receipt_json(AGENT, "llama", 2, created + 1, false);
    agent_callback(&mut w, id, vec![PromiseResult::Successful(ok)]);
    let vote = event(&get_logs(), "vote_cast");
    assert_eq!(vote["data"]["receipt_id"], "7");
    assert!(vote["data"].get("weight").is_none(), "weight 1 is left out");
    let v = w.dao.get_vote(U64(id), acc(AGENT)).unwrap();
    assert_eq!((v.weight, v.receipt_id, v.overrode), (1, Some(U64(7)), None));
    let actions = w.dao.get_agent_actions(acc(AGENT), None, None);
    let kinds: Vec<_> = actions.iter().map(|a| a.action).collect();
    assert_eq!(kinds, vec![AgentActionKind::Registered, AgentActionKind::Voted]);
    assert_eq!(
        (actions[1].receipt_id, actions[1].weight, actions[1].proposal_id),
        (Some(U64(7)), Some(1), Some(U64(id)))
    );
    // A second vote is refused at once.
    w.as_(AGENT);
    rejects(&mut w, ERR_AGENT_VOTED, |dao| {
        let _ = dao.vote_as_agent(U64(id), VoteChoice::No, U64(8), None);
    });
}

#[test]
fn an_agent_vote_with_a_bad_receipt_is_refused_and_changes_nothing() {
    let (mut w, id) = agent_world();
    let created = w.dao.get_proposal(U64(id)).unwrap().created_at.0;
    let cases = [
        (receipt_json(BOB, "llama", 2, created + 1, false), ERR_RECEIPT_REQUESTER),
        (receipt_json(AGENT, "mistral", 2, created + 1, false), ERR_RECEIPT_MODEL),
        (receipt_json(AGENT, "llama", 1, created + 1, false), ERR_RECEIPT_MODEL),
        (receipt_json(AGENT, "llama", 2, created + 1, true), ERR_RECEIPT_ATTESTER_REVOKED),
        (receipt_json(AGENT, "llama", 2, created, false), ERR_RECEIPT_TOO_OLD),
        (b"null".to_vec(), ERR_RECEIPT_NOT_FOUND),
    ];
    for (result, expected) in cases {
        let before = fingerprint(&w);
        let err = catch_unwind(AssertUnwindSafe(|| {
            agent_callback(&mut w, id, vec![PromiseResult::Successful(result)]);
        }))
        .expect_err(expected);
        assert_eq!(panic_message(err), expected);
        assert_eq!(fingerprint(&w), before);
        assert!(get_logs().is_empty());
    }
    let err = catch_unwind(AssertUnwindSafe(|| {
        agent_callback(&mut w, id, vec![PromiseResult::Failed]);
    }))
    .expect_err("failed call");
    assert_eq!(panic_message(err), ERR_RECEIPT_CALL);
    // A stranger cannot call the callback.
    w.as_(AGENT);
    rejects(&mut w, ERR_PRIVATE, |dao| {
        dao.on_agent_vote(U64(id), acc(AGENT), VoteChoice::Yes, U64(7), None);
    });
}

#[test]
fn an_agent_vote_landing_after_the_proposal_closed_is_refused() {
    let (mut w, id) = agent_world();
    w.as_(AGENT);
    let _ = w.dao.vote_as_agent(U64(id), VoteChoice::Yes, U64(7), None);
    w.now += DAY;
    let created = w.dao.get_proposal(U64(id)).unwrap().created_at.0;
    let err = catch_unwind(AssertUnwindSafe(|| {
        agent_callback(
            &mut w,
            id,
            vec![PromiseResult::Successful(receipt_json(AGENT, "llama", 2, created + 1, false))],
        );
    }))
    .expect_err("closed");
    assert_eq!(panic_message(err), ERR_VOTING_OVER);
}

#[test]
fn a_suspended_agent_casts_no_vote_and_its_delegators_vote_themselves() {
    let (mut w, id) = agent_world();
    pass_all(&mut w, ProposalKind::SuspendAgent { account_id: acc(AGENT), reason: "drifted from mandate".into() });
    assert_eq!(event(&get_logs(), "agent_status_changed")["data"]["status"], "suspended");
    w.as_(AGENT);
    rejects(&mut w, ERR_AGENT_INACTIVE, |dao| {
        let _ = dao.vote_as_agent(U64(id), VoteChoice::Yes, U64(7), None);
    });
    w.vote(DAVE, id, VoteChoice::Yes);
    assert_eq!(w.dao.get_vote(U64(id), acc(DAVE)).unwrap().overrode, Some(acc(AGENT)));
    w.as_(DAVE);
    rejects(&mut w, ERR_AGENT_INACTIVE, |dao| dao.delegate(acc(AGENT), text(), None));
    let actions: Vec<_> = w.dao.get_agent_actions(acc(AGENT), None, None).iter().map(|a| a.action).collect();
    assert_eq!(actions, vec![AgentActionKind::Registered, AgentActionKind::Suspended]);
}

#[test]
fn an_alias_mandate_is_resolved_when_the_agent_votes() {
    let mut w = world();
    pass_all(&mut w, register((None, Some("production"))));
    delegate(&mut w, DAVE, AGENT, text(), None);
    w.now += HOUR;
    let id = w.propose(ALICE, ProposalKind::Text);
    w.as_(AGENT);
    let _ = w.dao.vote_as_agent(U64(id), VoteChoice::Yes, U64(7), None);
    let calls = calls_to(REGISTRY);
    assert_eq!(calls[0].0, "alias_version");
    assert_eq!(calls[0].1, json!({"model_id": "llama", "alias": "production"}));
    let created = w.dao.get_proposal(U64(id)).unwrap().created_at.0;
    let alias = |v: u32| PromiseResult::Successful(serde_json::to_vec(&json!(v)).unwrap());
    let receipt = || PromiseResult::Successful(receipt_json(AGENT, "llama", 3, created + 1, false));
    let err = catch_unwind(AssertUnwindSafe(|| {
        agent_callback(&mut w, id, vec![receipt(), alias(2)]);
    }))
    .expect_err("alias moved elsewhere");
    assert_eq!(panic_message(err), ERR_RECEIPT_MODEL);
    agent_callback(&mut w, id, vec![receipt(), alias(3)]);
    assert_eq!(w.dao.get_vote(U64(id), acc(AGENT)).unwrap().receipt_id, Some(U64(7)));
}

#[test]
fn agent_kinds_are_validated_at_creation_and_an_agent_may_propose_its_kinds() {
    let mut w = world();
    let bad = |f: &dyn Fn(&mut ProposalKind)| {
        let mut k = register((Some(2), None));
        f(&mut k);
        k
    };
    let cases: Vec<(ProposalKind, String)> = vec![
        (register((None, None)), ERR_AGENT_MODEL.into()),
        (register((Some(2), Some("production"))), ERR_AGENT_MODEL.into()),
        (register((Some(0), None)), ERR_AGENT_MODEL.into()),
        (
            bad(&|k| {
                if let ProposalKind::RegisterAgent { account_id, .. } = k {
                    *account_id = acc(BOB)
                }
            }),
            format!("{ERR_AGENT_IS_MEMBER}: bob.near"),
        ),
        (
            bad(&|k| {
                if let ProposalKind::RegisterAgent { expires_at, .. } = k {
                    *expires_at = U64(T0)
                }
            }),
            ERR_EXPIRY_PAST.into(),
        ),
        (
            bad(&|k| {
                if let ProposalKind::RegisterAgent { can_vote, .. } = k {
                    *can_vote = KindSet::NONE
                }
            }),
            ERR_EMPTY_SCOPE.into(),
        ),
        (
            ProposalKind::SuspendAgent { account_id: acc(AGENT), reason: "x".into() },
            format!("{ERR_UNKNOWN_AGENT}: agent.near"),
        ),
    ];
    for (kind, expected) in cases {
        w.pay(ALICE, bond());
        rejects(&mut w, &expected, |dao| {
            dao.add_proposal("why".into(), kind);
        });
    }
    pass_all(&mut w, register((Some(2), None)));
    // The agent proposes a kind its mandate lists, and nothing else.
    let id = w.propose(AGENT, ProposalKind::Text);
    let actions = w.dao.get_agent_actions(acc(AGENT), None, None);
    assert_eq!((actions[1].action, actions[1].proposal_id), (AgentActionKind::Proposed, Some(U64(id))));
    w.pay(AGENT, bond());
    rejects(&mut w, ERR_CANNOT_PROPOSE, |dao| {
        dao.add_proposal("why".into(), transfer());
    });
    // Delegating kinds outside its mandate is refused.
    w.as_(DAVE);
    rejects(&mut w, ERR_AGENT_SCOPE, |dao| dao.delegate(acc(AGENT), KindSet::ALL, None));
}

#[test]
fn a_role_table_written_before_the_agent_kinds_reads_with_zero_counts_for_them() {
    let table = RoleTable { roles: roles(), electorate: std::array::from_fn(|i| i as u32 + 1) };
    let bytes = near_sdk::borsh::to_vec(&table).unwrap();
    // The layout of 18 labels (before the agent, membership and TEE kinds): a count fewer per newer kind.
    let newer = KindLabel::COUNT - 18;
    let old = &bytes[..bytes.len() - newer * 4];
    let read: RoleTable = near_sdk::borsh::from_slice(old).unwrap();
    assert_eq!(read.roles, table.roles);
    assert_eq!(&read.electorate[..18], &table.electorate[..18]);
    assert_eq!(&read.electorate[18..], &vec![0; newer][..]);
    assert_eq!(near_sdk::borsh::from_slice::<RoleTable>(&bytes).unwrap(), table);
}

// ------------------------------------------------ suspension at once, mandate changes

/// Passes a `change_policy` that keeps the default policy and names `roles` as agent suspenders.
fn grant_suspenders(w: &mut World, roles: &[&str]) -> u64 {
    let policy = w.dao.get_policy().default;
    let names: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
    let id = pass_all(w, ProposalKind::ChangePolicy { label: None, policy, agent_suspenders: Some(names) });
    assert_eq!(w.dao.get_policy().agent_suspenders, roles);
    id
}

fn suspend(w: &mut World, who: &str, reason: &str) {
    w.pay(who, NearToken::from_millinear(10));
    w.dao.suspend_agent(acc(AGENT), reason.into());
}

#[test]
fn a_granted_role_suspends_an_agent_at_once_and_its_delegators_vote_themselves() {
    let (mut w, id) = agent_world();
    // Default: no role may.
    assert!(w.dao.get_policy().agent_suspenders.is_empty());
    w.pay(ALICE, NearToken::from_millinear(10));
    rejects(&mut w, ERR_CANNOT_SUSPEND, |dao| dao.suspend_agent(acc(AGENT), "drift".into()));

    grant_suspenders(&mut w, &["council"]);
    let change = event(&get_logs(), "vote_policy_changed");
    assert_eq!(change["data"]["agent_suspenders"], json!(["council"]));
    // A member without the role, a stranger, a blank reason, an unknown agent, no deposit.
    w.pay(DAVE, NearToken::from_millinear(10));
    rejects(&mut w, ERR_CANNOT_SUSPEND, |dao| dao.suspend_agent(acc(AGENT), "drift".into()));
    w.pay(EVE, NearToken::from_millinear(10));
    rejects(&mut w, ERR_NOT_MEMBER, |dao| dao.suspend_agent(acc(AGENT), "drift".into()));
    w.pay(ALICE, NearToken::from_millinear(10));
    rejects(&mut w, ERR_EMPTY_REASON, |dao| dao.suspend_agent(acc(AGENT), " ".into()));
    w.pay(ALICE, NearToken::from_millinear(10));
    rejects(&mut w, &format!("{ERR_UNKNOWN_AGENT}: bob.near"), |dao| dao.suspend_agent(acc(BOB), "drift".into()));
    // (Without a deposit the call fails after its writes, which the chain
    // reverts: end-to-end in integration-tests/tests/delegation.rs.)

    let now = w.now;
    suspend(&mut w, ALICE, "voted against its mandate on #3");
    assert_eq!(
        get_logs(),
        vec![
            r#"EVENT_JSON:{"standard":"community_dao","version":"1.0.0","event":"agent_status_changed","data":{"account_id":"agent.near","status":"suspended","reason":"voted against its mandate on #3","by":"alice.near"}}"#
        ]
    );
    assert_eq!(w.dao.get_agent(acc(AGENT)).unwrap().status, AgentStatus::Suspended);
    let actions = w.dao.get_agent_actions(acc(AGENT), None, None);
    let last = actions.last().unwrap();
    assert_eq!(
        (last.action, last.proposal_id, last.at, last.by.clone(), last.reason.as_deref()),
        (AgentActionKind::Suspended, None, U64(now), Some(acc(ALICE)), Some("voted against its mandate on #3"))
    );
    let listed = serde_json::to_value(last).unwrap();
    assert_eq!(listed["by"], "alice.near");
    assert_eq!(listed["proposal_id"], Value::Null);

    // Suspended: no vote; its delegators vote themselves; no second suspension.
    w.as_(AGENT);
    rejects(&mut w, ERR_AGENT_INACTIVE, |dao| {
        let _ = dao.vote_as_agent(U64(id), VoteChoice::Yes, U64(7), None);
    });
    w.vote(DAVE, id, VoteChoice::No);
    assert_eq!(w.dao.get_vote(U64(id), acc(DAVE)).unwrap().overrode, Some(acc(AGENT)));
    assert_eq!(tally(&w, id).no, 1);
    w.pay(BOB, NearToken::from_millinear(10));
    rejects(&mut w, &format!("{ERR_AGENT_STATUS}: agent.near"), |dao| dao.suspend_agent(acc(AGENT), "again".into()));

    // Re-activated by proposal, then retired: a retired agent cannot be suspended.
    pass_all(&mut w, register((Some(2), None)));
    pass_all(&mut w, ProposalKind::RetireAgent { account_id: acc(AGENT), reason: "replaced".into() });
    w.pay(ALICE, NearToken::from_millinear(10));
    rejects(&mut w, &format!("{ERR_AGENT_STATUS}: agent.near"), |dao| dao.suspend_agent(acc(AGENT), "drift".into()));

    // The grant is withdrawn by policy too.
    grant_suspenders(&mut w, &[]);
    w.pay(ALICE, NearToken::from_millinear(10));
    rejects(&mut w, ERR_CANNOT_SUSPEND, |dao| dao.suspend_agent(acc(AGENT), "drift".into()));
}

#[test]
fn agent_suspenders_must_be_existing_distinct_roles() {
    let mut w = world();
    let policy = w.dao.get_policy().default;
    let kind = |names: &[&str]| ProposalKind::ChangePolicy {
        label: None,
        policy,
        agent_suspenders: Some(names.iter().map(|n| n.to_string()).collect()),
    };
    for (names, expected) in [
        (&["council", "jury"][..], format!("{ERR_UNKNOWN_ROLE}: jury")),
        (&["council", "council"][..], format!("{ERR_DUPLICATE_ROLE}: council")),
        (&[""][..], "role name must be 1 to 64 characters".to_string()),
    ] {
        w.pay(ALICE, bond());
        rejects(&mut w, &expected, |dao| {
            dao.add_proposal("why".into(), kind(names));
        });
    }
}

fn update(f: impl FnOnce(&mut ProposalKind)) -> ProposalKind {
    let mut kind = ProposalKind::UpdateAgent {
        account_id: acc(AGENT),
        mandate_uri: "ipfs://mandate-v2".into(),
        mandate_hash: Digest32([10; 32]),
        model_id: "llama".into(),
        version: None,
        alias: Some("production".into()),
        can_vote: KindSet::of(&[KindLabel::Text, KindLabel::Transfer]),
        can_propose: KindSet::NONE,
        expires_at: U64(T0 + 60 * DAY),
    };
    f(&mut kind);
    kind
}

#[test]
fn update_agent_changes_the_mandate_in_place() {
    let (mut w, id) = agent_world();
    let delegators = w.dao.get_delegators(acc(AGENT), None, None);
    let registered_by = w.dao.get_agent(acc(AGENT)).unwrap().registered_by;
    let change = pass_all(&mut w, update(|_| {}));
    assert_eq!(
        get_logs()[0],
        format!(
            r#"EVENT_JSON:{{"standard":"community_dao","version":"1.0.0","event":"agent_mandate_changed","data":{{"account_id":"agent.near","mandate_uri":"ipfs://mandate-v2","mandate_hash":"{}","model_id":"llama","alias":"production","can_vote":["text","transfer"],"can_propose":[],"expires_at":"{}","proposal_id":"{change}"}}}}"#,
            "0a".repeat(32),
            T0 + 60 * DAY
        )
    );
    let agent = w.dao.get_agent(acc(AGENT)).unwrap();
    assert_eq!(
        (agent.mandate_uri.as_str(), agent.version, agent.alias.as_deref(), agent.expires_at, agent.status),
        ("ipfs://mandate-v2", None, Some("production"), U64(T0 + 60 * DAY), AgentStatus::Active)
    );
    assert_eq!(agent.registered_by, registered_by);
    assert_eq!(w.dao.get_delegators(acc(AGENT), None, None), delegators);
    assert_eq!(w.dao.get_delegated_weight(acc(AGENT), None, Some(U64(id))), 2);
    let actions: Vec<_> = w.dao.get_agent_actions(acc(AGENT), None, None).iter().map(|a| a.action).collect();
    assert_eq!(actions, vec![AgentActionKind::Registered, AgentActionKind::MandateChanged]);
    // Its vote now resolves the alias of the new mandate.
    w.as_(AGENT);
    let _ = w.dao.vote_as_agent(U64(id), VoteChoice::Yes, U64(7), None);
    assert_eq!(calls_to(REGISTRY)[0].0, "alias_version");

    // A suspended agent's mandate may change; it stays suspended.
    pass_all(&mut w, ProposalKind::SuspendAgent { account_id: acc(AGENT), reason: "review".into() });
    pass_all(
        &mut w,
        update(|k| {
            if let ProposalKind::UpdateAgent { mandate_uri, .. } = k {
                *mandate_uri = "ipfs://v3".into()
            }
        }),
    );
    let agent = w.dao.get_agent(acc(AGENT)).unwrap();
    assert_eq!((agent.mandate_uri.as_str(), agent.status), ("ipfs://v3", AgentStatus::Suspended));
}

#[test]
fn update_agent_is_validated_at_creation() {
    let (mut w, _) = agent_world();
    let cases: Vec<(ProposalKind, String)> = vec![
        (
            update(|k| {
                if let ProposalKind::UpdateAgent { account_id, .. } = k {
                    *account_id = acc(EVE)
                }
            }),
            format!("{ERR_UNKNOWN_AGENT}: eve.near"),
        ),
        (
            update(|k| {
                if let ProposalKind::UpdateAgent { version, .. } = k {
                    *version = Some(3)
                }
            }),
            ERR_AGENT_MODEL.into(),
        ),
        (
            update(|k| {
                if let ProposalKind::UpdateAgent { mandate_uri, .. } = k {
                    mandate_uri.clear()
                }
            }),
            ERR_EMPTY_MANDATE.into(),
        ),
        (
            update(|k| {
                if let ProposalKind::UpdateAgent { can_vote, .. } = k {
                    *can_vote = KindSet::NONE
                }
            }),
            ERR_EMPTY_SCOPE.into(),
        ),
        (
            update(|k| {
                if let ProposalKind::UpdateAgent { expires_at, .. } = k {
                    *expires_at = U64(T0)
                }
            }),
            ERR_EXPIRY_PAST.into(),
        ),
    ];
    for (kind, expected) in cases {
        w.pay(ALICE, bond());
        rejects(&mut w, &expected, |dao| {
            dao.add_proposal("why".into(), kind);
        });
    }
    pass_all(&mut w, ProposalKind::RetireAgent { account_id: acc(AGENT), reason: "replaced".into() });
    w.pay(ALICE, bond());
    rejects(&mut w, &format!("{ERR_AGENT_RETIRED}: agent.near"), |dao| {
        dao.add_proposal("why".into(), update(|_| {}));
    });
}
