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
use crate::{check_ok, storage_key, Contract, ContractExt, StorageKey, MAX_REASON_LEN};
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
        // A first vote joins the head of the voter list; a changed one keeps its place.
        let old = read_vote(id, &voter);
        let previous = old.as_ref().map(|v| v.choice);
        let prev = match old {
            Some(old) => {
                p.tally.remove(old.choice);
                old.prev
            }
            None => {
                p.voter_count += 1;
                p.last_voter.replace(voter.clone())
            }
        };
        write_vote(id, &voter, &VoteRecord { choice, reason, voted_at: now, prev });
        p.tally.add(choice);
        DaoEvent::VoteCast { id: U64(id), voter, choice, previous }.emit();
        let outcome = decide(&p.tally, p.electorate, p.quorum_votes, p.policy.threshold, false);
        self.apply_outcome(id, &mut p, outcome);
        let status = p.status;
        self.proposals.set(&id, &p);
        status
    }
}
