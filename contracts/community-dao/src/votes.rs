//! Voting. One record per (proposal, voter) under the `Votes` prefix; a
//! proposal's voters are linked newest first from `Proposal::last_voter`
//! through `VoteRecord::prev`, so listing them needs no index of its own.
//!
//! A vote that does not decide its proposal touches three records and nothing
//! else (not even the root state): it reads the proposal header, the voter's
//! member record and previous vote, and writes the vote and the header. That
//! is a constant cost, whatever the number of members, proposals or votes,
//! and the same for a first and a changed vote.
//!
//! (Writing the vote blind and learning the replaced one from the write's
//! evicted value would spare first votes a read, ~0.08 Tgas, but a changed
//! vote would then have to write its record twice to keep its place in the
//! list, ~0.14 Tgas more, and lift the most a vote can cost above 1 Tgas.)

use crate::errors::*;
use crate::events::DaoEvent;
use crate::outcome::decide;
use crate::types::*;
use crate::{check_ok, delegation, storage_key, Contract, ContractExt, StorageKey, MAX_REASON_LEN};
use ai_commons_primitives::validate_bounded;
use near_sdk::json_types::U64;
use near_sdk::{borsh, env, near, AccountId};

fn vote_key(id: u64, voter: &AccountId) -> Vec<u8> {
    storage_key(StorageKey::Votes, &(id, voter))
}

fn decode(bytes: Vec<u8>) -> VoteRecord {
    borsh::from_slice(&bytes).unwrap_or_else(|_| env::panic_str(ERR_BAD_STATE))
}

/// The vote `voter` cast on proposal `id`, if any.
pub(crate) fn read_vote(id: u64, voter: &AccountId) -> Option<VoteRecord> {
    env::storage_read(&vote_key(id, voter)).map(decode)
}

fn write_vote(id: u64, voter: &AccountId, record: &VoteRecord) {
    let bytes = borsh::to_vec(record).unwrap_or_else(|_| env::panic_str(ERR_BAD_STATE));
    env::storage_write(&vote_key(id, voter), &bytes);
}

impl Contract {
    /// Whether `account_id` may vote on proposal `id`: it held, when the proposal
    /// was created, a role that could vote on the proposal's kind.
    pub(crate) fn is_eligible(&self, id: u64, p: &Proposal, account_id: &AccountId) -> bool {
        self.members.get(account_id).is_some_and(|m| m.roles_at_proposal(id) & p.voting_roles != 0)
    }
}

/// What a vote carries besides its choice.
pub(crate) struct Cast {
    pub weight: u32,
    pub overrode: Option<AccountId>,
    pub receipt: Option<u64>,
    pub reason: Option<String>,
}

impl Contract {
    /// Records a first vote of `voter` (not yet in the voter list): writes its
    /// record, counts its weight, emits `vote_cast` and applies the outcome.
    /// The caller writes `p` back.
    pub(crate) fn record_vote(&mut self, id: u64, p: &mut Proposal, voter: AccountId, choice: VoteChoice, cast: Cast) {
        p.voter_count += 1;
        let prev = p.last_voter.replace(voter.clone());
        let Cast { weight, overrode, receipt, reason } = cast;
        let record = VoteRecord {
            choice,
            reason,
            voted_at: env::block_timestamp(),
            prev,
            weight,
            overrode: overrode.clone(),
            receipt,
        };
        write_vote(id, &voter, &record);
        p.tally.add_weight(choice, weight);
        DaoEvent::VoteCast {
            id: U64(id),
            voter,
            choice,
            previous: None,
            weight: (weight != 1).then_some(weight),
            overrode,
            receipt_id: receipt.map(U64),
        }
        .emit();
        let outcome = decide(&p.tally, p.electorate, p.quorum_votes, p.policy.threshold, false);
        self.apply_outcome(id, p, outcome);
    }

    /// The delegation side of `voter`'s first in-person vote on `p`: the weight
    /// it carries for its delegators, and the delegate it takes its own weight
    /// back from (already taken: the caller records the vote).
    fn delegation_part(&self, id: u64, p: &mut Proposal, voter: &AccountId, flags: u8) -> (u32, Option<AccountId>) {
        let received = if flags & Member::DELEGATE != 0 {
            delegation::received_on(voter, id, p).saturating_sub(delegation::withdrawn(id, voter))
        } else {
            0
        };
        if flags & Member::DELEGATOR == 0 {
            return (received, None);
        }
        let Some(d) = delegation::read_delegation(voter) else { return (received, None) };
        let terms = match d.terms_at(id) {
            delegation::TermsAt::Unknown => env::panic_str(ERR_DELEGATION_CHANGED),
            delegation::TermsAt::Known(t) => t.filter(|t| t.counts_on(p)),
        };
        let Some(terms) = terms else { return (received, None) };
        let delegate = terms.delegate.clone();
        match read_vote(id, &delegate) {
            // The delegate voted with this weight: take it back from its vote.
            Some(mut v) => {
                v.weight -= 1;
                p.tally.remove_weight(v.choice, 1);
                write_vote(id, &delegate, &v);
            }
            // Not yet: its vote will count one less.
            None => delegation::add_withdrawn(id, &delegate),
        }
        (received, Some(delegate))
    }
}

#[near]
impl Contract {
    /// Votes yes / no / abstain / spam on an active proposal before its deadline,
    /// with an optional reason of at most 280 bytes. Calling again replaces the
    /// caller's vote (same weight). Caller: a member who held a voting role for
    /// the proposal's kind when it was created. It votes with its own weight plus
    /// its delegators' on this proposal (those who voted in person excepted); a
    /// delegator voting in person takes its weight back from its delegate's vote,
    /// before or after the delegate voted. No deposit (vote storage is the DAO's
    /// cost; see README). Emits `vote_cast`, and `proposal_status_changed` when
    /// this vote decides the proposal. Returns the proposal's status.
    pub fn vote(&mut self, id: U64, choice: VoteChoice, reason: Option<String>) -> ProposalStatus {
        if let Some(r) = &reason {
            check_ok(validate_bounded("reason", r, MAX_REASON_LEN));
        }
        let id = id.0;
        let mut p = self.proposal(id);
        if p.status != ProposalStatus::Active {
            env::panic_str(ERR_NOT_ACTIVE);
        }
        let now = env::block_timestamp();
        if now >= p.deadline {
            env::panic_str(ERR_VOTING_OVER);
        }
        let voter = env::predecessor_account_id();
        let flags = match self.members.get(&voter) {
            None => env::panic_str(ERR_NOT_MEMBER),
            Some(m) if m.roles_at_proposal(id) & p.voting_roles == 0 => env::panic_str(ERR_NOT_ELIGIBLE),
            Some(m) => m.flags,
        };
        match read_vote(id, &voter) {
            // A changed vote keeps its place in the list, its weight and its override.
            Some(old) => {
                p.tally.remove_weight(old.choice, old.weight);
                p.tally.add_weight(choice, old.weight);
                let previous = Some(old.choice);
                let weight = old.weight;
                let overrode = old.overrode.clone();
                write_vote(id, &voter, &VoteRecord { choice, reason, voted_at: now, ..old });
                DaoEvent::VoteCast {
                    id: U64(id),
                    voter,
                    choice,
                    previous,
                    weight: (weight != 1).then_some(weight),
                    overrode,
                    receipt_id: None,
                }
                .emit();
                let outcome = decide(&p.tally, p.electorate, p.quorum_votes, p.policy.threshold, false);
                self.apply_outcome(id, &mut p, outcome);
            }
            None => {
                let (received, overrode) =
                    if flags == 0 { (0, None) } else { self.delegation_part(id, &mut p, &voter, flags) };
                let cast = Cast { weight: 1 + received, overrode, receipt: None, reason };
                self.record_vote(id, &mut p, voter, choice, cast);
            }
        }
        let status = p.status;
        self.proposals.set(&id, &p);
        status
    }
}
