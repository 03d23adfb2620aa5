//! Property tests (proptest) of the voting arithmetic (`outcome.rs`,
//! `Quorum::votes_required`, `Tally`) and of the proposal status machine,
//! driven through the contract's own methods on the mocked chain.
//!
//! Case counts are fixed and small enough for `cargo test` to stay fast, and
//! so is the seed, so every run checks the same cases (set `PROPTEST_RNG_SEED`
//! to try others; proptest prints the failing input, shrunk).

use super::*;
use crate::outcome::{decide, Outcome};
use proptest::prelude::*;
use proptest::test_runner::{Config as PtConfig, RngSeed, TestCaseError};

const CASES: u32 = 512;
const SEED: u64 = 0x05ee_dda0;

/// `cases` cases from the fixed seed (or `PROPTEST_RNG_SEED`), no regression files.
fn config(cases: u32) -> PtConfig {
    let mut config = PtConfig { cases, failure_persistence: None, ..PtConfig::default() };
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(SEED);
    }
    config
}

/// A u32 biased towards the edges: 0, 1, small numbers, and values near `u32::MAX`.
fn edgy_u32() -> impl Strategy<Value = u32> {
    prop_oneof![
        3 => Just(0u32),
        3 => Just(1u32),
        3 => Just(u32::MAX),
        3 => (u32::MAX - 16)..=u32::MAX,
        6 => 0u32..=20,
        4 => any::<u32>(),
    ]
}

/// A valid fraction as `validate_policy` accepts it: `0 < den`, `num <= den`
/// (threshold fractions also need `num > 0`; the quorum may be 0).
fn fraction(min_num: u32) -> impl Strategy<Value = Fraction> {
    (edgy_u32().prop_map(|d| d.max(1)), any::<u64>()).prop_map(move |(den, pick)| {
        let span = (den - min_num) as u64 + 1;
        Fraction { num: min_num + (pick % span) as u32, den }
    })
}

fn quorum() -> impl Strategy<Value = Quorum> {
    prop_oneof![edgy_u32().prop_map(Quorum::Count), fraction(0).prop_map(Quorum::Fraction)]
}

/// An electorate and a tally that fits in it (cast <= electorate), both
/// anywhere in 0..=u32::MAX.
fn electorate_and_tally() -> impl Strategy<Value = (u32, Tally)> {
    (edgy_u32(), any::<[u64; 4]>()).prop_map(|(electorate, picks)| {
        let mut left = electorate as u64;
        let mut take = |pick: u64| {
            // Often all or nothing of what is left, so edges are reached.
            let n = match pick % 4 {
                0 => 0,
                1 => left,
                _ => pick % (left + 1),
            };
            left -= n;
            n as u32
        };
        let tally = Tally { yes: take(picks[0]), no: take(picks[1]), abstain: take(picks[2]), spam: take(picks[3]) };
        (electorate, tally)
    })
}

/// `part / whole >= f`, computed without any overflow.
fn at_least(part: u64, whole: u64, f: Fraction) -> bool {
    part as u128 * f.den as u128 >= f.num as u128 * whole as u128
}

/// The deadline rule, written independently from the module doc.
fn oracle_final(t: &Tally, quorum_votes: u32, threshold: Fraction) -> Outcome {
    let (yes, no, abstain, spam) = (t.yes as u64, t.no as u64, t.abstain as u64, t.spam as u64);
    let decisive = yes + no + spam;
    if yes + no + abstain + spam < quorum_votes as u64 {
        Outcome::Expired
    } else if yes > 0 && at_least(yes, decisive, threshold) {
        Outcome::Passed
    } else if spam > 0 && at_least(spam, decisive, threshold) {
        Outcome::Spam
    } else {
        Outcome::Rejected
    }
}

fn plus(t: &Tally, yes: u32, no: u32, abstain: u32, spam: u32) -> Tally {
    Tally { yes: t.yes + yes, no: t.no + no, abstain: t.abstain + abstain, spam: t.spam + spam }
}

proptest! {
    #![proptest_config(config(CASES))]

    /// Quorum: a count is capped at the electorate; a fraction is
    /// `ceil(num * electorate / den)`, never above the electorate, for every
    /// electorate up to `u32::MAX` (no overflow).
    #[test]
    fn quorum_votes_required(q in quorum(), electorate in edgy_u32()) {
        let got = q.votes_required(electorate);
        prop_assert!(got <= electorate);
        match q {
            Quorum::Count(n) => prop_assert_eq!(got, n.min(electorate)),
            Quorum::Fraction(f) => {
                let exact = (f.num as u128 * electorate as u128).div_ceil(f.den as u128);
                prop_assert_eq!(got as u128, exact);
                // The smallest count that reaches the fraction of the electorate.
                prop_assert!(at_least(got as u64, electorate as u64, f));
                prop_assert!(got == 0 || !at_least(got as u64 - 1, electorate as u64, f));
            }
        }
    }

    /// Quorum is monotonic in the electorate.
    #[test]
    fn quorum_monotonic(q in quorum(), a in edgy_u32(), b in edgy_u32()) {
        let (small, large) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(q.votes_required(small) <= q.votes_required(large));
    }

    /// At the deadline `decide` is exactly the documented rule: expired
    /// without quorum, else passed, spam or rejected (spam counts as no,
    /// abstain only towards the quorum), at every edge of u32.
    #[test]
    fn deadline_matches_the_rule(
        (electorate, t) in electorate_and_tally(),
        q in quorum(),
        threshold in fraction(1),
    ) {
        let quorum_votes = q.votes_required(electorate);
        prop_assert_eq!(decide(&t, electorate, quorum_votes, threshold, true), oracle_final(&t, quorum_votes, threshold));
    }

    /// Early decisions are sound and complete, for any electorate:
    /// - early pass: the proposal passes at the deadline even if every member
    ///   who has not voted votes no (and so for any other completion);
    /// - early reject / spam: it fails at the deadline even if every member
    ///   who has not voted votes yes;
    /// - undecided: both are still possible.
    #[test]
    fn early_decisions_are_sound_and_complete(
        (electorate, t) in electorate_and_tally(),
        q in quorum(),
        threshold in fraction(1),
    ) {
        let quorum_votes = q.votes_required(electorate);
        let remaining = electorate - t.cast();
        let all_no = decide(&plus(&t, 0, remaining, 0, 0), electorate, quorum_votes, threshold, true);
        let all_yes = decide(&plus(&t, remaining, 0, 0, 0), electorate, quorum_votes, threshold, true);
        let nobody = decide(&t, electorate, quorum_votes, threshold, true);
        let early = decide(&t, electorate, quorum_votes, threshold, false);
        let worst_passes = all_no == Outcome::Passed && nobody == Outcome::Passed;
        let best_passes = all_yes == Outcome::Passed;
        match early {
            Outcome::Passed => prop_assert!(worst_passes, "early pass but {all_no:?} / {nobody:?}"),
            Outcome::Rejected | Outcome::Spam => {
                prop_assert!(!best_passes, "early reject but all-yes gives {all_yes:?}");
                // The label is the one the tally has now.
                prop_assert_eq!(early, if t.spam > 0 && at_least(t.spam as u64, (t.yes + t.no + t.spam) as u64, threshold) {
                    Outcome::Spam
                } else {
                    Outcome::Rejected
                });
            }
            Outcome::Undecided => prop_assert!(best_passes && !worst_passes, "undecided but best {all_yes:?}, worst {all_no:?} / {nobody:?}"),
            Outcome::Expired => prop_assert!(false, "expired before the deadline"),
        }
    }

    /// Exhaustive check on small electorates: an early decision is `Passed`
    /// iff every way the remaining members could vote (or not vote) passes at
    /// the deadline, `Rejected`/`Spam` iff none does, `Undecided` otherwise.
    #[test]
    fn early_decisions_match_every_completion(
        electorate in 0u32..=10,
        picks in any::<[u32; 4]>(),
        q in prop_oneof![(0u32..=12).prop_map(Quorum::Count), (0u32..=6, 1u32..=6).prop_map(|(n, d)| Quorum::Fraction(Fraction { num: n.min(d), den: d }))],
        threshold in (1u32..=6, 1u32..=6).prop_map(|(n, d)| Fraction { num: n.min(d), den: d }),
    ) {
        let mut left = electorate;
        let mut take = |p: u32| { let n = p % (left + 1); left -= n; n };
        let t = Tally { yes: take(picks[0]), no: take(picks[1]), abstain: take(picks[2]), spam: take(picks[3]) };
        let quorum_votes = q.votes_required(electorate);
        let r = electorate - t.cast();
        let (mut passing, mut failing) = (0, 0);
        for y in 0..=r {
            for n in 0..=r - y {
                for a in 0..=r - y - n {
                    for s in 0..=r - y - n - a {
                        match decide(&plus(&t, y, n, a, s), electorate, quorum_votes, threshold, true) {
                            Outcome::Passed => passing += 1,
                            _ => failing += 1,
                        }
                    }
                }
            }
        }
        let expected = match (passing, failing) {
            (_, 0) => "passed",
            (0, _) => "failed",
            _ => "undecided",
        };
        let got = match decide(&t, electorate, quorum_votes, threshold, false) {
            Outcome::Passed => "passed",
            Outcome::Rejected | Outcome::Spam => "failed",
            Outcome::Undecided => "undecided",
            Outcome::Expired => "expired",
        };
        prop_assert_eq!(got, expected, "tally {:?} of {} (quorum {}, threshold {:?})", t, electorate, quorum_votes, threshold);
    }

    /// Tally: replacing votes keeps it equal to the count of each voter's
    /// latest choice, and `cast` is their number.
    #[test]
    fn tally_is_the_sum_of_latest_votes(ops in prop::collection::vec((0usize..6, 0usize..4), 0..64)) {
        let choices = [VoteChoice::Yes, VoteChoice::No, VoteChoice::Abstain, VoteChoice::Spam];
        let mut tally = Tally::default();
        let mut latest: [Option<VoteChoice>; 6] = [None; 6];
        for (voter, c) in ops {
            if let Some(old) = latest[voter] {
                tally.remove(old);
            }
            tally.add(choices[c]);
            latest[voter] = Some(choices[c]);
            let count = |c: VoteChoice| latest.iter().filter(|v| **v == Some(c)).count() as u32;
            prop_assert_eq!(tally, Tally {
                yes: count(VoteChoice::Yes), no: count(VoteChoice::No),
                abstain: count(VoteChoice::Abstain), spam: count(VoteChoice::Spam),
            });
            prop_assert_eq!(tally.cast(), latest.iter().flatten().count() as u32);
        }
    }
}

// ------------------------------------------------------------ status machine

/// One thing a participant does, as the state machine test draws it.
#[derive(Clone, Debug)]
enum Op {
    /// `who` proposes a text (internal) or an approve-model (external) proposal.
    Propose {
        who: usize,
        external: bool,
    },
    Vote {
        who: usize,
        proposal: usize,
        choice: usize,
    },
    Cancel {
        who: usize,
        proposal: usize,
    },
    Finalize {
        proposal: usize,
    },
    /// Execute, then (if a promise went out) run the callback with this result.
    Execute {
        proposal: usize,
        callback_ok: bool,
    },
    /// Time passes, in hours.
    Wait {
        hours: u64,
    },
}

const PEOPLE: [&str; 5] = [ALICE, BOB, CAROL, DAVE, EVE];
const CHOICES: [VoteChoice; 4] = [VoteChoice::Yes, VoteChoice::No, VoteChoice::Abstain, VoteChoice::Spam];

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        // Mostly external (approve-model) proposals: only they can fail and be retried.
        2 => (0usize..5, 0u8..4).prop_map(|(who, k)| Op::Propose { who, external: k > 0 }),
        6 => (0usize..5, 0usize..3, 0usize..4).prop_map(|(who, proposal, choice)| Op::Vote { who, proposal, choice }),
        1 => (0usize..5, 0usize..3).prop_map(|(who, proposal)| Op::Cancel { who, proposal }),
        2 => (0usize..3).prop_map(|proposal| Op::Finalize { proposal }),
        4 => (0usize..3, any::<bool>()).prop_map(|(proposal, callback_ok)| Op::Execute { proposal, callback_ok }),
        1 => prop_oneof![Just(0u64), Just(1), Just(23), Just(25)].prop_map(|hours| Op::Wait { hours }),
    ]
}

fn is_final(s: ProposalStatus) -> bool {
    matches!(
        s,
        ProposalStatus::Rejected
            | ProposalStatus::Expired
            | ProposalStatus::Spam
            | ProposalStatus::Cancelled
            | ProposalStatus::Executed
    )
}

/// The status changes the contract may make, by any method.
fn allowed(from: ProposalStatus, to: ProposalStatus) -> bool {
    use ProposalStatus::*;
    from == to
        || matches!(
            (from, to),
            (Active, Passed | Rejected | Expired | Spam | Cancelled) | (Passed | Failed, Executed | Failed)
        )
}

/// What the model remembers of each proposal: every voter's latest choice.
#[derive(Default, Clone)]
struct Model {
    votes: Vec<std::collections::BTreeMap<&'static str, VoteChoice>>,
    /// When each proposal's voting ended, once it has.
    decided: Vec<Option<U64>>,
}

fn check_invariants(
    w: &World,
    model: &mut Model,
    before: &[ProposalStatus],
) -> Result<Vec<ProposalStatus>, TestCaseError> {
    let views = w.dao.get_proposals(None, Some(100));
    prop_assert_eq!(views.len(), model.votes.len());
    let mut counts = [0u64; ProposalStatus::COUNT];
    let mut statuses = Vec::new();
    for (i, p) in views.iter().enumerate() {
        counts[p.status.index()] += 1;
        if let Some(from) = before.get(i) {
            prop_assert!(allowed(*from, p.status), "proposal {i}: {:?} -> {:?}", from, p.status);
            prop_assert!(!is_final(*from) || *from == p.status, "proposal {i} left final status {:?}", from);
        } else {
            prop_assert_eq!(p.status, ProposalStatus::Active, "a new proposal starts active");
        }
        // The tally is the sum of each voter's latest vote, as stored and as the model has it.
        let count = |c: VoteChoice| model.votes[i].values().filter(|v| **v == c).count() as u32;
        let expected = Tally {
            yes: count(VoteChoice::Yes),
            no: count(VoteChoice::No),
            abstain: count(VoteChoice::Abstain),
            spam: count(VoteChoice::Spam),
        };
        prop_assert_eq!(p.tally, expected, "proposal {} tally", i);
        prop_assert_eq!(p.voter_count as usize, model.votes[i].len());
        let stored = w.dao.get_votes(p.id, None, Some(100));
        prop_assert_eq!(stored.len(), model.votes[i].len());
        for v in &stored {
            prop_assert_eq!(Some(&v.choice), model.votes[i].get(v.voter.as_str()));
        }
        // Only a proposal nobody voted on can be cancelled.
        if p.status == ProposalStatus::Cancelled {
            prop_assert_eq!(p.voter_count, 0, "proposal {} cancelled after votes", i);
        }
        // An active proposal is one the arithmetic has not decided yet.
        if p.status == ProposalStatus::Active {
            prop_assert_eq!(
                decide(&p.tally, p.electorate, p.quorum_votes, p.policy.threshold, false),
                Outcome::Undecided
            );
        }
        // Voting ends once: its time is set when it ends and never moves again.
        model.decided.resize(views.len(), None);
        match model.decided[i] {
            Some(at) => prop_assert_eq!(p.decided_at, Some(at), "proposal {} decided again", i),
            None => model.decided[i] = p.decided_at,
        }
        prop_assert_eq!(p.decided_at.is_none(), p.status == ProposalStatus::Active, "proposal {} decided_at", i);
        statuses.push(p.status);
    }
    let config = w.dao.get_config();
    for s in ProposalStatus::ALL {
        prop_assert_eq!(config.status_counts.get(s), counts[s.index()], "count of {}", s.as_str());
        prop_assert_eq!(w.dao.get_proposals_by_status(s, None, Some(100)).len() as u64, counts[s.index()]);
    }
    Ok(statuses)
}

/// Runs one operation; `Ok(true)` if the contract accepted it. A refused
/// operation must leave everything a client can observe unchanged.
fn apply(w: &mut World, model: &mut Model, op: &Op) -> Result<bool, TestCaseError> {
    let before = w.fingerprint();
    let ids = model.votes.len();
    let pick = |i: usize| if ids == 0 { 0 } else { (i % ids) as u64 };
    let result = catch_unwind(AssertUnwindSafe(|| match *op {
        Op::Propose { who, external } => {
            let kind = if external {
                ProposalKind::ApproveModelVersion { model_id: "m".into(), version: 1 }
            } else {
                ProposalKind::Text
            };
            // A stranger's quote fails (not a member): that refusal is the step's.
            let deposit = w.deposit_for(PEOPLE[who], "why", &kind);
            w.pay(PEOPLE[who], deposit);
            w.dao.add_proposal("why".into(), kind);
            None
        }
        Op::Vote { who, proposal, choice } => {
            w.as_(PEOPLE[who]);
            w.dao.vote(U64(pick(proposal)), CHOICES[choice], None);
            Some((pick(proposal) as usize, PEOPLE[who], CHOICES[choice]))
        }
        Op::Cancel { who, proposal } => {
            w.as_(PEOPLE[who]);
            w.dao.cancel_proposal(U64(pick(proposal)));
            None
        }
        Op::Finalize { proposal } => {
            w.as_(EVE);
            w.dao.finalize(U64(pick(proposal)));
            None
        }
        Op::Execute { proposal, callback_ok } => {
            let id = pick(proposal);
            if w.execute(id).is_none() {
                let result = if callback_ok { PromiseResult::Successful(vec![]) } else { PromiseResult::Failed };
                w.callback(id, result);
            }
            None
        }
        Op::Wait { hours } => {
            w.now += hours * HOUR;
            None
        }
    }));
    match result {
        Ok(vote) => {
            if matches!(op, Op::Propose { .. }) {
                model.votes.push(Default::default());
            }
            if let Some((id, voter, choice)) = vote {
                model.votes[id].insert(voter, choice);
            }
            Ok(true)
        }
        Err(_) => {
            prop_assert_eq!(w.fingerprint(), before, "refused {:?} changed state", op);
            Ok(false)
        }
    }
}

/// Random sequences of proposals, votes (and changed votes), cancels,
/// finalizations, executions with succeeding or failing callbacks and
/// waits, by council members, a text-only member and a stranger. After
/// every step: each status change is one the machine allows (Active ->
/// Passed | Rejected | Expired | Spam | Cancelled, Passed | Failed ->
/// Executed | Failed), nothing leaves a final status, every tally equals
/// the sum of the latest votes, an active proposal is undecided, and the
/// per-status counts and index agree with the proposals. A refused step
/// changes nothing; a vote is only accepted on an active proposal.
///
/// The cases run under one `TestRunner`, which also records every status and status change the sequences reached:
/// the test fails if some were never reached, so it cannot pass vacuously.
#[test]
fn status_machine() {
    use proptest::test_runner::TestRunner;
    use std::cell::RefCell;
    let reached: RefCell<std::collections::BTreeSet<(usize, usize)>> = Default::default();
    let mut runner = TestRunner::new(config(256));
    let result = runner.run(&prop::collection::vec(op(), 1..32), |ops| {
        // The mocked chain keeps its storage across `testing_env!` calls on one
        // thread: start every case from an empty one.
        near_sdk::mock::with_mocked_blockchain(|b| drop(b.take_storage()));
        let mut w = World::new();
        let mut model = Model::default();
        let mut statuses = check_invariants(&w, &mut model, &[])?;
        for op in &ops {
            let accepted = apply(&mut w, &mut model, op)?;
            if accepted {
                if let Op::Vote { proposal, .. } = op {
                    let id = proposal % model.votes.len();
                    prop_assert_eq!(
                        statuses[id],
                        ProposalStatus::Active,
                        "vote accepted on a {:?} proposal",
                        statuses[id]
                    );
                }
            }
            let next = check_invariants(&w, &mut model, &statuses)?;
            for (i, to) in next.iter().enumerate() {
                let from = statuses.get(i).copied().unwrap_or(ProposalStatus::Active);
                reached.borrow_mut().insert((from.index(), to.index()));
            }
            statuses = next;
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    use ProposalStatus::*;
    let expected = [
        (Active, Passed),
        (Active, Rejected),
        (Active, Expired),
        (Active, Spam),
        (Active, Cancelled),
        (Passed, Executed),
        (Passed, Failed),
        (Failed, Executed),
    ];
    let reached = reached.into_inner();
    for t in expected {
        assert!(reached.contains(&(t.0.index(), t.1.index())), "no sequence moved a proposal {:?} -> {:?}", t.0, t.1);
    }
}
