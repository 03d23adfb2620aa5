//! Voting. A vote reads the root state, the proposal header, the voter's member
//! record and the voter's previous vote, and writes the header and the vote
//! (plus one voter-list slot on a first vote): constant cost, whatever the
//! number of members, proposals or votes.

use crate::errors::*;
use crate::events::DaoEvent;
use crate::outcome::decide;
use crate::types::*;
use crate::{check_ok, Contract, ContractExt, MAX_REASON_LEN};
use ai_commons_primitives::validate_bounded;
use near_sdk::json_types::U64;
use near_sdk::{env, near, AccountId};

impl Contract {
    /// Whether `account_id` may vote on proposal `id`: it held, when the proposal
    /// was created, a role that could vote on the proposal's kind.
    pub(crate) fn is_eligible(&self, id: u64, p: &Proposal, account_id: &AccountId) -> bool {
        self.members.get(account_id).is_some_and(|m| m.roles_at_proposal(id) & p.voting_roles != 0)
    }
}

#[near]
impl Contract {
    /// Votes yes / no / abstain / spam on an active proposal before its deadline,
    /// with an optional reason of at most 280 bytes. Calling again replaces the
    /// caller's vote. Caller: a member who held a voting role for the proposal's
    /// kind when it was created. No deposit (vote storage is the DAO's cost; see
    /// README). Emits `vote_cast`, and `proposal_status_changed` when this vote
    /// decides the proposal. Returns the proposal's status.
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
        match self.members.get(&voter) {
            None => env::panic_str(ERR_NOT_MEMBER),
            Some(m) if m.roles_at_proposal(id) & p.voting_roles == 0 => env::panic_str(ERR_NOT_ELIGIBLE),
            Some(_) => {}
        }
        let key = (id, voter.clone());
        let previous = self.votes.get(&key).map(|v| v.choice);
        match previous {
            Some(prev) => p.tally.remove(prev),
            None => {
                // `set`, not `insert`: the slot is new, and `insert` would read it
                // first (one storage read, ~80 Ggas, for a value we never use).
                self.voters.set((id, p.voter_count), Some(voter.clone()));
                p.voter_count += 1;
            }
        }
        p.tally.add(choice);
        self.votes.insert(key, VoteRecord { choice, reason, voted_at: now });
        DaoEvent::VoteCast { id: U64(id), voter, choice, previous, tally: p.tally }.emit();
        let outcome = decide(&p.tally, p.electorate, p.quorum_votes, p.policy.threshold, false);
        self.apply_outcome(id, &mut p, outcome);
        let status = p.status;
        self.proposals.insert(id, p);
        status
    }
}
