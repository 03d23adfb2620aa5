//! Read-only views. Lists are paginated with `from_index` / `limit` (default 20,
//! at most 100).

use crate::types::*;
use crate::{Contract, ContractExt, CONTRACT_VERSION};
use ai_commons_primitives::Page;
use near_sdk::json_types::U64;
use near_sdk::{near, AccountId};

impl Contract {
    fn proposal_view(&self, id: u64, p: &Proposal) -> Option<ProposalView> {
        let body = self.proposal_bodies.get(&id)?;
        let decided = p.decided_at != 0 || p.status != ProposalStatus::Active;
        let executable = matches!(p.status, ProposalStatus::Passed | ProposalStatus::Failed);
        Some(ProposalView {
            id: U64(id),
            proposer: p.proposer.clone(),
            description: body.description.clone(),
            kind: body.kind.clone(),
            label: p.kind,
            status: p.status,
            policy: p.policy,
            electorate: p.electorate,
            quorum_votes: p.quorum_votes,
            created_at: U64(p.created_at),
            deadline: U64(p.deadline),
            decided_at: decided.then_some(U64(p.decided_at)),
            executable_at: executable.then_some(U64(p.decided_at + p.policy.timelock_ns.0)),
            executed_at: (p.executed_at != 0).then_some(U64(p.executed_at)),
            tally: p.tally,
            voter_count: p.voter_count,
            bond_held: p.bond,
            storage_deposit: p.storage_deposit,
            execution_attempts: p.execution_attempts,
            executing: p.executing,
        })
    }

    fn vote_view(&self, id: u64, voter: &AccountId) -> Option<VoteView> {
        self.votes.get(&(id, voter.clone())).map(|v| VoteView {
            voter: voter.clone(),
            choice: v.choice,
            reason: v.reason.clone(),
            voted_at: U64(v.voted_at),
        })
    }
}

#[near]
impl Contract {
    pub fn get_config(&self) -> ConfigView {
        let c = self.config.get();
        ConfigView {
            name: c.name.clone(),
            purpose: c.purpose.clone(),
            metadata: c.metadata.clone(),
            contract_version: CONTRACT_VERSION.to_string(),
            state_version: self.state_version,
            proposal_bond: self.proposal_bond,
            community: self.community.clone(),
            member_count: U64(self.member_list.len() as u64),
            proposal_count: U64(self.next_proposal_id),
            locked_bonds: self.locked_bonds,
            status_counts: ProposalStatus::ALL
                .iter()
                .map(|s| (s.as_str().to_string(), U64(self.status_counts[s.index()])))
                .collect(),
        }
    }

    /// The default vote policy and the per-kind overrides.
    pub fn get_policy(&self) -> VotePolicies {
        self.policies.get().clone()
    }

    pub fn get_roles(&self) -> Vec<Role> {
        self.roles.get().roles.clone()
    }

    /// Members who may vote on `kind` now (a new proposal's electorate).
    pub fn get_electorate(&self, kind: KindLabel) -> u32 {
        self.roles.get().electorate[kind.index()]
    }

    pub fn get_member(&self, account_id: AccountId) -> Option<MemberView> {
        let m = self.members.get(&account_id)?.clone();
        Some(self.member_view(account_id, &m))
    }

    /// Members in list order (removal swaps the last member into the gap).
    pub fn get_members(&self, from_index: Option<u64>, limit: Option<u32>) -> Vec<MemberView> {
        Page::new(from_index, limit)
            .range(self.member_list.len() as u64)
            .filter_map(|i| {
                let account = self.member_list.get(i as u32)?.clone();
                let m = self.members.get(&account)?.clone();
                Some(self.member_view(account, &m))
            })
            .collect()
    }

    pub fn get_member_count(&self) -> U64 {
        U64(self.member_list.len() as u64)
    }

    pub fn get_proposal(&self, id: U64) -> Option<ProposalView> {
        let p = self.proposals.get(&id.0)?;
        self.proposal_view(id.0, p)
    }

    /// Proposals by id, ascending.
    pub fn get_proposals(&self, from_index: Option<u64>, limit: Option<u32>) -> Vec<ProposalView> {
        Page::new(from_index, limit)
            .range(self.next_proposal_id)
            .filter_map(|id| self.proposal_view(id, self.proposals.get(&id)?))
            .collect()
    }

    /// Proposals with `status`. Order within a status is not stable: a proposal
    /// leaving a status is replaced by the last one (O(1) moves).
    pub fn get_proposals_by_status(
        &self,
        status: ProposalStatus,
        from_index: Option<u64>,
        limit: Option<u32>,
    ) -> Vec<ProposalView> {
        Page::new(from_index, limit)
            .range(self.status_counts[status.index()])
            .filter_map(|pos| {
                let id = *self.status_index.get(&(status as u8, pos))?;
                self.proposal_view(id, self.proposals.get(&id)?)
            })
            .collect()
    }

    pub fn get_vote(&self, id: U64, account_id: AccountId) -> Option<VoteView> {
        self.vote_view(id.0, &account_id)
    }

    /// Votes on a proposal in first-vote order.
    pub fn get_votes(&self, id: U64, from_index: Option<u64>, limit: Option<u32>) -> Vec<VoteView> {
        let count = self.proposals.get(&id.0).map_or(0, |p| p.voter_count);
        Page::new(from_index, limit)
            .range(count as u64)
            .filter_map(|n| {
                let voter = self.voters.get(&(id.0, n as u32))?;
                self.vote_view(id.0, voter)
            })
            .collect()
    }

    /// Whether `account_id` may vote on proposal `id` (ignoring status and deadline).
    pub fn can_vote(&self, id: U64, account_id: AccountId) -> bool {
        self.proposals.get(&id.0).is_some_and(|p| self.is_eligible(id.0, p, &account_id))
    }
}
