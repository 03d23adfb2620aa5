//! Voting arithmetic: when a proposal is decided and how. Pure functions of the
//! tally and the snapshot taken at creation, so a vote costs the same whatever
//! the size of the community.
//!
//! - cast = yes + no + abstain + spam; it must reach the quorum.
//! - decisive = yes + no + spam (spam counts as no).
//! - pass: yes > 0 and yes / decisive >= threshold.
//! - spam: the proposal does not pass and spam / decisive >= threshold.
//! - Early pass: quorum reached and yes meets the threshold even if every member
//!   of the electorate who has not voted yet votes no.
//! - Early reject: the proposal cannot pass even if every remaining member votes yes.
//! - At the deadline: expired without quorum, else passed, spam or rejected.

use crate::types::{Fraction, Tally};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Undecided,
    Passed,
    Rejected,
    Spam,
    Expired,
}

fn meets(part: u32, whole: u32, f: Fraction) -> bool {
    part as u128 * f.den as u128 >= f.num as u128 * whole as u128
}

fn passes(yes: u32, decisive: u32, threshold: Fraction) -> bool {
    yes > 0 && meets(yes, decisive, threshold)
}

fn failed_outcome(t: &Tally, decisive: u32, threshold: Fraction) -> Outcome {
    if t.spam > 0 && meets(t.spam, decisive, threshold) {
        Outcome::Spam
    } else {
        Outcome::Rejected
    }
}

/// Decides a proposal. `voting_over` is true once the deadline has passed.
pub fn decide(t: &Tally, electorate: u32, quorum_votes: u32, threshold: Fraction, voting_over: bool) -> Outcome {
    let cast = t.cast();
    let decisive = t.yes + t.no + t.spam;
    if voting_over {
        return if cast < quorum_votes {
            Outcome::Expired
        } else if passes(t.yes, decisive, threshold) {
            Outcome::Passed
        } else {
            failed_outcome(t, decisive, threshold)
        };
    }
    let remaining = electorate.saturating_sub(cast);
    if cast >= quorum_votes && passes(t.yes, decisive + remaining, threshold) {
        return Outcome::Passed;
    }
    if !passes(t.yes + remaining, decisive + remaining, threshold) {
        return failed_outcome(t, decisive, threshold);
    }
    Outcome::Undecided
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Quorum;

    const HALF: Fraction = Fraction { num: 1, den: 2 };
    const TWO_THIRDS: Fraction = Fraction { num: 2, den: 3 };

    fn t(yes: u32, no: u32, abstain: u32, spam: u32) -> Tally {
        Tally { yes, no, abstain, spam }
    }

    #[test]
    fn quorum_count_is_capped_and_fraction_rounds_up() {
        assert_eq!(Quorum::Count(3).votes_required(10), 3);
        assert_eq!(Quorum::Count(30).votes_required(10), 10);
        assert_eq!(Quorum::Count(0).votes_required(10), 0);
        let third = Quorum::Fraction(Fraction { num: 1, den: 3 });
        assert_eq!(third.votes_required(10), 4);
        assert_eq!(third.votes_required(9), 3);
        assert_eq!(Quorum::Fraction(Fraction { num: 0, den: 1 }).votes_required(9), 0);
        assert_eq!(Quorum::Fraction(Fraction { num: 1, den: 1 }).votes_required(u32::MAX), u32::MAX);
    }

    #[test]
    fn early_pass_needs_majority_of_whole_electorate_and_quorum() {
        // 10 voters, half: 4 yes is not enough (6 could still vote no), 5 yes is.
        assert_eq!(decide(&t(4, 0, 0, 0), 10, 1, HALF, false), Outcome::Undecided);
        assert_eq!(decide(&t(5, 0, 0, 0), 10, 1, HALF, false), Outcome::Passed);
        // Quorum of 7 not reached yet: even a decisive yes waits.
        assert_eq!(decide(&t(5, 0, 0, 0), 10, 7, HALF, false), Outcome::Undecided);
        assert_eq!(decide(&t(5, 0, 2, 0), 10, 7, HALF, false), Outcome::Passed);
        // Two thirds of 9: 6 yes.
        assert_eq!(decide(&t(5, 0, 0, 0), 9, 0, TWO_THIRDS, false), Outcome::Undecided);
        assert_eq!(decide(&t(6, 0, 0, 0), 9, 0, TWO_THIRDS, false), Outcome::Passed);
    }

    #[test]
    fn early_reject_once_it_cannot_pass() {
        // 10 voters, half: 5 no -> 5 remaining yes would still tie -> tie passes (>=).
        assert_eq!(decide(&t(0, 5, 0, 0), 10, 0, HALF, false), Outcome::Undecided);
        assert_eq!(decide(&t(0, 6, 0, 0), 10, 0, HALF, false), Outcome::Rejected);
        // Unanimity: a single no rejects at once.
        let all = Fraction { num: 1, den: 1 };
        assert_eq!(decide(&t(3, 1, 0, 0), 5, 0, all, false), Outcome::Rejected);
        assert_eq!(decide(&t(5, 0, 0, 0), 5, 5, all, false), Outcome::Passed);
        // All abstain: nobody left to vote yes.
        assert_eq!(decide(&t(0, 0, 3, 0), 3, 0, HALF, false), Outcome::Rejected);
    }

    #[test]
    fn abstain_counts_for_quorum_not_threshold() {
        // 1 yes, 0 no, 3 abstain of 4: quorum 4 reached, 1/1 yes.
        assert_eq!(decide(&t(1, 0, 3, 0), 4, 4, HALF, false), Outcome::Passed);
        // At the deadline: abstentions alone reach quorum but nobody said yes.
        assert_eq!(decide(&t(0, 0, 3, 0), 10, 3, HALF, true), Outcome::Rejected);
        assert_eq!(decide(&t(1, 1, 1, 0), 10, 3, HALF, true), Outcome::Passed);
        assert_eq!(decide(&t(1, 1, 0, 0), 10, 3, HALF, true), Outcome::Expired);
    }

    #[test]
    fn deadline_outcomes() {
        assert_eq!(decide(&t(2, 1, 0, 0), 10, 3, TWO_THIRDS, true), Outcome::Passed);
        assert_eq!(decide(&t(1, 1, 0, 0), 10, 2, TWO_THIRDS, true), Outcome::Rejected);
        assert_eq!(decide(&t(3, 0, 0, 0), 10, 4, HALF, true), Outcome::Expired);
        assert_eq!(decide(&t(0, 0, 0, 0), 10, 0, HALF, true), Outcome::Rejected);
        assert_eq!(decide(&t(1, 0, 0, 2), 10, 3, HALF, true), Outcome::Spam);
        assert_eq!(decide(&t(1, 1, 0, 1), 10, 3, TWO_THIRDS, true), Outcome::Rejected);
    }

    #[test]
    fn spam_counts_as_no_and_marks_spam_when_it_reaches_threshold() {
        // 3 voters, half: two spam votes -> cannot pass -> spam.
        assert_eq!(decide(&t(0, 0, 0, 2), 3, 0, HALF, false), Outcome::Spam);
        // One no and one spam of 3 (two thirds): cannot pass, spam share 1/2 < 2/3 -> rejected.
        assert_eq!(decide(&t(0, 1, 0, 1), 3, 0, TWO_THIRDS, false), Outcome::Rejected);
        // Three quarters: 3 spam of 4 decisive reach it; 2 of 4 do not (plain rejection).
        let three_quarters = Fraction { num: 3, den: 4 };
        assert_eq!(decide(&t(1, 0, 0, 3), 4, 0, three_quarters, false), Outcome::Spam);
        assert_eq!(decide(&t(2, 0, 0, 2), 4, 0, three_quarters, false), Outcome::Rejected);
    }
}
