//! Read-only views. Lists are paginated with `from_index` / `limit` (default 20,
//! at most 100); votes, which are linked rather than indexed, with `after` / `limit`.

use crate::types::*;
use crate::votes::read_vote;
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
            description: body.description,
            kind: body.kind,
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

    fn vote_view(voter: AccountId, v: VoteRecord) -> VoteView {
        VoteView { voter, choice: v.choice, reason: v.reason, voted_at: U64(v.voted_at) }
    }
}

#[near]
impl Contract {
    /// The community's name, purpose, metadata, code and state versions, bond, linked contracts, counts and locked bonds.
    pub fn get_config(&self) -> ConfigView {
        let c = self.root().config.get();
        ConfigView {
            name: c.name.clone(),
            purpose: c.purpose.clone(),
            metadata: c.metadata.clone(),
            contract_version: CONTRACT_VERSION.to_string(),
            state_version: self.root().state_version,
            proposal_bond: self.root().proposal_bond,
            community: self.root().community.clone(),
            member_count: U64(self.root().member_list.len() as u64),
            proposal_count: U64(self.root().next_proposal_id),
            locked_bonds: self.root().locked_bonds,
            reserved_storage_bytes: U64(self.root().reserved_bytes),
            reserved_deposits: self.root().reserved_deposits,
            reserved: self.reserved(),
            available_treasury: self.available_treasury(),
            status_counts: StatusCounts(self.root().status_counts),
        }
    }

    /// The default vote policy and the per-kind overrides.
    pub fn get_policy(&self) -> VotePolicies {
        self.root().policies.get().clone()
    }

    /// The roles, each with the proposal kinds it may propose and vote on.
    pub fn get_roles(&self) -> Vec<Role> {
        self.root().roles.get().roles.clone()
    }

    /// Members who may vote on `kind` now (a new proposal's electorate).
    pub fn get_electorate(&self, kind: KindLabel) -> u32 {
        self.root().roles.get().electorate[kind.index()]
    }

    /// A member and its roles; `None` for a non-member.
    pub fn get_member(&self, account_id: AccountId) -> Option<MemberView> {
        let m = self.members.get(&account_id)?;
        Some(self.member_view(account_id, &m))
    }

    /// Members in list order (removal swaps the last member into the gap).
    pub fn get_members(&self, from_index: Option<u64>, limit: Option<u32>) -> Vec<MemberView> {
        Page::new(from_index, limit)
            .range(self.root().member_list.len() as u64)
            .filter_map(|i| {
                let account = self.root().member_list.get(i as u32)?.clone();
                let m = self.members.get(&account)?;
                Some(self.member_view(account, &m))
            })
            .collect()
    }

    /// How many members the community has.
    pub fn get_member_count(&self) -> U64 {
        U64(self.root().member_list.len() as u64)
    }

    /// A proposal with its frozen policy, tally and status; `None` for an unknown id.
    pub fn get_proposal(&self, id: U64) -> Option<ProposalView> {
        let p = self.proposals.get(&id.0)?;
        self.proposal_view(id.0, &p)
    }

    /// Proposals by id, ascending.
    pub fn get_proposals(&self, from_index: Option<u64>, limit: Option<u32>) -> Vec<ProposalView> {
        Page::new(from_index, limit)
            .range(self.root().next_proposal_id)
            .filter_map(|id| self.proposal_view(id, &self.proposals.get(&id)?))
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
            .range(self.root().status_counts[status.index()])
            .filter_map(|pos| {
                let id = self.status_index.get(&(status as u8, pos))?;
                self.proposal_view(id, &self.proposals.get(&id)?)
            })
            .collect()
    }

    /// How `account_id` voted on proposal `id`; `None` when it has not voted.
    pub fn get_vote(&self, id: U64, account_id: AccountId) -> Option<VoteView> {
        read_vote(id.0, &account_id).map(|v| Self::vote_view(account_id, v))
    }

    /// Votes on a proposal, newest voter first (a changed vote keeps its place).
    /// A page starts after the voter `after` (the last voter of the previous
    /// page) or, without it, at the newest voter; `limit`: default 20, at most 100.
    pub fn get_votes(&self, id: U64, after: Option<AccountId>, limit: Option<u32>) -> Vec<VoteView> {
        let limit = Page::new(None, limit).limit as usize;
        let mut next = match after {
            Some(voter) => read_vote(id.0, &voter).and_then(|v| v.prev),
            None => self.proposals.get(&id.0).and_then(|p| p.last_voter),
        };
        let mut page = Vec::new();
        while let Some(voter) = next.take() {
            if page.len() == limit {
                break;
            }
            let Some(v) = read_vote(id.0, &voter) else { break };
            next = v.prev.clone();
            page.push(Self::vote_view(voter, v));
        }
        page
    }

    /// Whether `account_id` may vote on proposal `id` (ignoring status and deadline).
    pub fn can_vote(&self, id: U64, account_id: AccountId) -> bool {
        self.proposals.get(&id.0).is_some_and(|p| self.is_eligible(id.0, &p, &account_id))
    }
}
