//! Membership at scale: batches of 100, Merkle membership lists and claims,
//! leaving; every refusal with its exact error and nothing changed.

use super::*;
use ai_commons_primitives::membership::MembershipTree;

fn batch(prefix: &str, n: usize, role: &str) -> Vec<MemberInput> {
    (0..n).map(|i| MemberInput { account_id: acc(&format!("{prefix}{i}.near")), roles: vec![role.into()] }).collect()
}

/// Passes a proposal with two yes votes and `finalize` after the deadline (the
/// electorate may be too large for two votes to decide it early).
fn pass_by_finalize(w: &mut World, kind: ProposalKind) -> u64 {
    let id = w.propose(ALICE, kind);
    w.vote(ALICE, id, VoteChoice::Yes);
    w.vote(BOB, id, VoteChoice::Yes);
    w.now += DAY;
    w.as_(EVE);
    assert_eq!(w.dao.finalize(U64(id)), ProposalStatus::Passed);
    id
}

fn electorates(w: &World) -> Vec<u32> {
    KindLabel::ALL.iter().map(|k| w.dao.get_electorate(*k)).collect()
}

/// Everything a membership change could touch, besides `World::fingerprint`.
fn fingerprint(w: &World, list: u64, accounts: &[&str]) -> String {
    let claimed: Vec<bool> = accounts.iter().map(|a| w.dao.is_membership_claimed(U64(list), acc(a))).collect();
    format!("{}|{:?}|{claimed:?}", w.fingerprint(), w.dao.get_membership_list(U64(list)))
}

#[test]
fn a_batch_of_100_joins_and_leaves_with_exact_electorates_and_the_snapshot_kept() {
    let mut w = World::new();
    let open = w.propose(ALICE, ProposalKind::Text);
    let before = electorates(&w);
    let mut members = batch("c", 40, "council");
    members.extend(batch("m", 60, "member"));
    let id = w.pass(ALICE, ProposalKind::AddMembers { members: members.clone() });
    assert_eq!(w.execute(id), Some(ProposalStatus::Executed));
    let logs = get_logs();
    assert_eq!(event_names(&logs), vec!["members_added", "proposal_executed"]);
    let added = event(&logs, "members_added")["data"].clone();
    assert_eq!(added["account_ids"].as_array().unwrap().len(), 100);
    assert_eq!(added["account_ids"][0], "c0.near");
    assert_eq!(added["proposal_id"], "1");
    assert_eq!(w.dao.get_member_count(), U64(104));
    for k in KindLabel::ALL {
        let extra = if k == KindLabel::Text { 100 } else { 40 };
        assert_eq!(w.dao.get_electorate(k), before[k.index()] + extra, "{k:?}");
    }
    assert_eq!(w.dao.get_member(acc("m7.near")).unwrap().roles, vec!["member".to_string()]);
    // Joined after `open` was created: no vote on it, and its electorate is unchanged.
    w.as_("c3.near");
    w.rejects(ERR_NOT_ELIGIBLE, |d| {
        d.vote(U64(open), VoteChoice::Yes, None);
    });
    assert_eq!(w.dao.get_proposal(U64(open)).unwrap().electorate, 4);

    let removed: Vec<AccountId> = members.iter().map(|m| m.account_id.clone()).collect();
    let id = pass_by_finalize(&mut w, ProposalKind::RemoveMembers { account_ids: removed });
    assert_eq!(w.execute(id), Some(ProposalStatus::Executed));
    assert_eq!(event_names(&get_logs()), vec!["members_removed", "proposal_executed"]);
    assert_eq!(w.dao.get_member_count(), U64(4));
    assert_eq!(electorates(&w), before);
    assert!(w.dao.get_member(acc("c0.near")).is_none());
    let listed: Vec<String> = w.dao.get_members(None, None).into_iter().map(|m| m.account_id.to_string()).collect();
    assert_eq!(listed, vec![ALICE, BOB, CAROL, DAVE]);
}

#[test]
fn batches_are_refused_at_creation_with_the_reason() {
    let mut w = World::new();
    let m = |a: &str, r: &[&str]| MemberInput { account_id: acc(a), roles: r.iter().map(|s| s.to_string()).collect() };
    let cases: Vec<(ProposalKind, String)> = vec![
        (ProposalKind::AddMembers { members: vec![] }, ERR_BATCH_SIZE.into()),
        (ProposalKind::AddMembers { members: batch("x", 101, "member") }, ERR_BATCH_SIZE.into()),
        (
            ProposalKind::AddMembers { members: vec![m("zed.near", &["member"]), m("zed.near", &["council"])] },
            format!("{ERR_DUPLICATE_MEMBER}: zed.near"),
        ),
        (
            ProposalKind::AddMembers { members: vec![m("zed.near", &["member"]), m(DAVE, &["member"])] },
            format!("{ERR_ALREADY_MEMBER}: {DAVE}"),
        ),
        (ProposalKind::AddMembers { members: vec![m("zed.near", &["admin"])] }, format!("{ERR_UNKNOWN_ROLE}: admin")),
        (ProposalKind::AddMembers { members: vec![m("zed.near", &[])] }, ERR_MEMBER_ROLES.into()),
        (ProposalKind::RemoveMembers { account_ids: vec![] }, ERR_BATCH_SIZE.into()),
        (
            ProposalKind::RemoveMembers { account_ids: vec![acc(DAVE), acc(EVE)] },
            format!("{ERR_UNKNOWN_MEMBER}: {EVE}"),
        ),
        (
            ProposalKind::RemoveMembers { account_ids: vec![acc(DAVE), acc(DAVE)] },
            format!("{ERR_DUPLICATE_MEMBER}: {DAVE}"),
        ),
        (
            ProposalKind::RemoveMembers { account_ids: vec![acc(ALICE), acc(BOB), acc(CAROL), acc(DAVE)] },
            ERR_LAST_MEMBER.into(),
        ),
        (
            ProposalKind::ApproveMembershipList { root: Digest32([0; 32]), claim_deadline: U64(T0 + DAY) },
            ERR_ZERO_ROOT.into(),
        ),
        (
            ProposalKind::ApproveMembershipList { root: Digest32([1; 32]), claim_deadline: U64(T0) },
            ERR_CLAIM_DEADLINE_PAST.into(),
        ),
    ];
    for (kind, expected) in cases {
        w.pay(ALICE, NearToken::from_near(2));
        w.rejects(&expected, |d| {
            d.add_proposal("why".into(), kind);
        });
    }
}

#[test]
fn a_batch_that_no_longer_fits_fails_whole_and_can_be_retried() {
    let mut w = World::new();
    let members = batch("z", 3, "member");
    let first = w.propose(ALICE, ProposalKind::AddMember { account_id: acc("z1.near"), roles: vec!["member".into()] });
    let batch_id = w.propose(ALICE, ProposalKind::AddMembers { members });
    for id in [first, batch_id] {
        w.vote(ALICE, id, VoteChoice::Yes);
        w.vote(BOB, id, VoteChoice::Yes);
    }
    assert_eq!(w.execute(first), Some(ProposalStatus::Executed));
    let count = w.dao.get_member_count();
    assert_eq!(w.execute(batch_id), Some(ProposalStatus::Failed));
    assert_eq!(
        event(&get_logs(), "proposal_execution_failed")["data"]["reason"],
        format!("{ERR_ALREADY_MEMBER}: z1.near")
    );
    assert_eq!(w.dao.get_member_count(), count, "nothing of the batch was applied");
    assert!(w.dao.get_member(acc("z0.near")).is_none());
    w.as_("z1.near");
    w.dao.leave();
    assert_eq!(w.execute(batch_id), Some(ProposalStatus::Executed));
    assert_eq!(w.dao.get_member_count(), U64(count.0 + 2));
}

const LIST: [(&str, &[&str]); 5] = [
    ("ann.near", &["member"]),
    ("ben.near", &["council", "member"]),
    ("cat.near", &["member"]),
    ("dan.near", &["council"]),
    (DAVE, &["member"]),
];

fn list_tree() -> MembershipTree {
    let entries: Vec<(&str, Vec<String>)> =
        LIST.iter().map(|(a, r)| (*a, r.iter().map(|s| s.to_string()).collect())).collect();
    MembershipTree::build(&entries).unwrap()
}

fn roles_of(i: usize) -> Vec<String> {
    LIST[i].1.iter().map(|s| s.to_string()).collect()
}

/// Approves the list; returns its id.
fn approve_list(w: &mut World, deadline: u64) -> u64 {
    let root = list_tree().root();
    let id = w.pass(ALICE, ProposalKind::ApproveMembershipList { root, claim_deadline: U64(deadline) });
    assert_eq!(w.execute(id), Some(ProposalStatus::Executed));
    assert_eq!(
        get_logs()[0],
        format!(
            r#"EVENT_JSON:{{"standard":"community_dao","version":"1.0.0","event":"membership_list_approved","data":{{"list_id":"{id}","root":"{root}","claim_deadline":"{deadline}"}}}}"#
        )
    );
    id
}

/// Writes what the long-lived test contract still caches (its member list and
/// lazy root fields), as the end of every call does on chain, so that a claim
/// measures only its own bytes.
fn flush(w: &mut World) {
    let root = w.dao.root_mut();
    root.member_list.flush();
    root.role_combos.flush();
    root.roles.flush();
}

fn claim(w: &mut World, who: &str, list: u64, roles: Vec<String>, proof: Vec<Digest32>, deposit: NearToken) {
    flush(w);
    w.pay(who, deposit);
    w.dao.claim_membership(U64(list), roles, proof);
}

#[test]
fn a_listed_account_claims_with_its_proof_and_pays_its_storage() {
    let mut w = World::new();
    let open = w.propose(ALICE, ProposalKind::Text);
    let list = approve_list(&mut w, T0 + 7 * DAY);
    let tree = list_tree();
    let view = w.dao.get_membership_list(U64(list)).unwrap();
    assert_eq!((view.root, view.claim_deadline, view.approved_at), (tree.root(), U64(T0 + 7 * DAY), U64(T0)));
    w.as_("ben.near");
    let deposit = w.dao.get_claim_deposit(acc("ben.near"), U64(list), roles_of(1));
    let text_before = w.dao.get_electorate(KindLabel::Text);
    let transfer_before = w.dao.get_electorate(KindLabel::Transfer);
    // Roles in another order than the list: same leaf.
    claim(&mut w, "ben.near", list, vec!["member".into(), "council".into()], tree.proof(1).unwrap(), deposit);
    assert_eq!(
        get_logs(),
        vec![format!(
            r#"EVENT_JSON:{{"standard":"community_dao","version":"1.0.0","event":"membership_claimed","data":{{"account_id":"ben.near","roles":["council","member"],"list_id":"{list}","storage_deposit":"{}"}}}}"#,
            deposit.as_yoctonear()
        )]
    );
    assert!(get_created_receipts().is_empty(), "the exact deposit leaves nothing to refund");
    assert!(w.dao.is_membership_claimed(U64(list), acc("ben.near")));
    assert_eq!(w.dao.get_member(acc("ben.near")).unwrap().roles, vec!["council".to_string(), "member".to_string()]);
    assert_eq!(w.dao.get_electorate(KindLabel::Text), text_before + 1);
    assert_eq!(w.dao.get_electorate(KindLabel::Transfer), transfer_before + 1);
    // Joined after `open`: cannot vote on it; can on the next proposal.
    assert!(!w.dao.can_vote(U64(open), acc("ben.near")));
    let later = w.propose(ALICE, ProposalKind::Text);
    assert!(w.dao.can_vote(U64(later), acc("ben.near")));

    // An overpaying claimer gets the excess back.
    w.as_("ann.near");
    let exact = w.dao.get_claim_deposit(acc("ann.near"), U64(list), roles_of(0));
    claim(&mut w, "ann.near", list, roles_of(0), tree.proof(0).unwrap(), NearToken::from_near(1));
    assert_eq!(transfers_to("ann.near"), vec![NearToken::from_near(1).saturating_sub(exact)]);
}

#[test]
fn claims_are_refused_with_the_reason_and_change_nothing() {
    let mut w = World::new();
    let list = approve_list(&mut w, T0 + 7 * DAY);
    let tree = list_tree();
    let accounts = ["ann.near", "ben.near", "cat.near", "eve.near", DAVE];
    let one = NearToken::from_near(1);
    let check =
        |w: &mut World, who: &str, list_id: u64, roles: Vec<String>, proof: Vec<Digest32>, dep, expected: &str| {
            let before = fingerprint(w, list, &accounts);
            w.pay(who, dep);
            w.rejects(expected, |d| d.claim_membership(U64(list_id), roles, proof));
            assert_eq!(fingerprint(w, list, &accounts), before);
        };
    check(
        &mut w,
        "ann.near",
        list + 1,
        roles_of(0),
        tree.proof(0).unwrap(),
        one,
        &format!("{ERR_LIST_NOT_FOUND}: {}", list + 1),
    );
    // Someone else's proof, another account's entry, other roles.
    check(&mut w, "ann.near", list, roles_of(0), tree.proof(2).unwrap(), one, ERR_BAD_PROOF);
    check(&mut w, EVE, list, roles_of(0), tree.proof(0).unwrap(), one, ERR_BAD_PROOF);
    check(&mut w, "ann.near", list, vec!["council".into()], tree.proof(0).unwrap(), one, ERR_BAD_PROOF);
    check(
        &mut w,
        "ann.near",
        list,
        vec!["admin".into()],
        tree.proof(0).unwrap(),
        one,
        &format!("{ERR_UNKNOWN_ROLE}: admin"),
    );
    check(
        &mut w,
        "ann.near",
        list,
        roles_of(0),
        vec![Digest32([1; 32]); 65],
        one,
        &format!("{ERR_PROOF_TOO_LONG}: at most 64 hashes"),
    );
    // Dave is listed but already a member.
    check(&mut w, DAVE, list, roles_of(4), tree.proof(4).unwrap(), one, &format!("{ERR_ALREADY_MEMBER}: {DAVE}"));
    // A short deposit.
    w.as_("cat.near");
    let need = w.dao.get_claim_deposit(acc("cat.near"), U64(list), roles_of(2));
    let short = NearToken::from_yoctonear(need.as_yoctonear() - 1);
    let before = fingerprint(&w, list, &accounts);
    flush(&mut w);
    w.pay("cat.near", short);
    let err = catch_unwind(AssertUnwindSafe(|| w.dao.claim_membership(U64(list), roles_of(2), tree.proof(2).unwrap())))
        .expect_err("short deposit");
    assert!(panic_message(err).starts_with("insufficient deposit for storage"));
    // (The mocked host keeps writes made before a panic; on chain the receipt reverts. The
    // end-to-end test checks the state on the real VM.)
    let _ = before;
}

#[test]
fn claims_close_at_the_deadline_and_a_used_entry_cannot_be_replayed() {
    let mut w = World::new();
    let list = approve_list(&mut w, T0 + DAY);
    let tree = list_tree();
    let accounts = ["ann.near"];
    let one = NearToken::from_near(1);
    let check = |w: &mut World, who: &str, roles: Vec<String>, proof: Vec<Digest32>, expected: &str| {
        let before = fingerprint(w, list, &accounts);
        w.pay(who, one);
        w.rejects(expected, |d| d.claim_membership(U64(list), roles, proof));
        assert_eq!(fingerprint(w, list, &accounts), before);
    };
    w.now = T0 + DAY;
    check(&mut w, "ann.near", roles_of(0), tree.proof(0).unwrap(), ERR_CLAIM_CLOSED);
    // One nanosecond before it, the same claim succeeds.
    w.now = T0 + DAY - 1;
    claim(&mut w, "ann.near", list, roles_of(0), tree.proof(0).unwrap(), one);
    assert!(w.dao.get_member(acc("ann.near")).is_some());
    // Leaving, then replaying the same proof: refused, the entry is used.
    w.as_("ann.near");
    w.dao.leave();
    assert_eq!(
        get_logs(),
        vec![
            r#"EVENT_JSON:{"standard":"community_dao","version":"1.0.0","event":"member_left","data":{"account_id":"ann.near"}}"#
        ]
    );
    check(&mut w, "ann.near", roles_of(0), tree.proof(0).unwrap(), ERR_ALREADY_CLAIMED);
}

#[test]
fn a_member_who_leaves_keeps_its_votes_and_gets_its_bonds_back() {
    let mut w = World::new();
    let own = w.propose(DAVE, ProposalKind::Text);
    let voted = w.propose(ALICE, ProposalKind::Text);
    w.vote(DAVE, voted, VoteChoice::Yes);
    let electorate = w.dao.get_electorate(KindLabel::Text);
    w.as_(DAVE);
    w.dao.leave();
    assert_eq!(w.dao.get_electorate(KindLabel::Text), electorate - 1);
    assert!(w.dao.get_member(acc(DAVE)).is_none());
    // Its vote stays; it cannot vote again.
    assert_eq!(w.dao.get_vote(U64(voted), acc(DAVE)).unwrap().choice, VoteChoice::Yes);
    assert_eq!(w.dao.get_proposal(U64(voted)).unwrap().tally.yes, 1);
    w.as_(DAVE);
    w.rejects(ERR_NOT_MEMBER, |d| {
        d.vote(U64(voted), VoteChoice::No, None);
    });
    // Its open proposal runs on; the bond goes back to it when voting ends.
    w.vote(ALICE, own, VoteChoice::Yes);
    assert_eq!(w.vote(BOB, own, VoteChoice::Yes), ProposalStatus::Passed);
    assert_eq!(transfers_to(DAVE), vec![bond()]);
    // Not a member (any more): refused.
    w.as_(DAVE);
    w.rejects(ERR_NOT_MEMBER, |d| d.leave());
}

#[test]
fn the_last_member_cannot_leave() {
    testing_env!(context(DAO, zero(), T0));
    let dao = Contract::new(
        "solo".into(),
        "".into(),
        "".into(),
        roles(),
        vec![MemberInput { account_id: acc(ALICE), roles: vec!["council".into()] }],
        policies(),
        bond(),
        None,
        None,
        None,
    );
    let mut w = World { dao, now: T0 };
    w.as_(ALICE);
    w.rejects(ERR_LAST_MEMBER, |d| d.leave());
}

#[test]
fn a_list_whose_deadline_passed_before_execution_is_recorded_failed() {
    let mut w = World::new();
    let id =
        w.pass(ALICE, ProposalKind::ApproveMembershipList { root: list_tree().root(), claim_deadline: U64(T0 + HOUR) });
    w.now = T0 + HOUR;
    assert_eq!(w.execute(id), Some(ProposalStatus::Failed));
    assert_eq!(event(&get_logs(), "proposal_execution_failed")["data"]["reason"], ERR_CLAIM_DEADLINE_PAST);
    assert_eq!(w.dao.get_membership_list(U64(id)), None);
}
