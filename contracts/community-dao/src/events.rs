//! NEP-297 events, standard `community_dao`, version `1.0.0`.
//!
//! Each state change has exactly one event describing it. A call that makes two
//! changes (a vote that also decides its proposal; an execution that adds a
//! member) emits one event per change.

use crate::agents::AgentStatus;
use crate::types::{CommunityContracts, KindLabel, KindSet, ProposalStatus, VoteChoice, VotePolicy};
use ai_commons_primitives::upgrade::ContractMigrated;
use ai_commons_primitives::{Digest32, ModelId, VersionNumber};
use near_sdk::json_types::U64;
use near_sdk::{near, AccountId, NearToken};

#[near(event_json(standard = "community_dao"))]
#[derive(Debug, Clone)]
pub enum DaoEvent {
    #[event_version("1.0.0")]
    DaoCreated { name: String, members: U64, roles: Vec<String> },
    #[event_version("1.0.0")]
    ProposalAdded {
        id: U64,
        proposer: AccountId,
        kind: KindLabel,
        deadline: U64,
        electorate: u32,
        quorum_votes: u32,
        bond: NearToken,
        storage_deposit: NearToken,
    },
    /// `previous`: the caller's earlier vote, present when this one replaced it.
    /// The running tally is in `get_proposal`; indexers can sum the events.
    #[event_version("1.0.0")]
    VoteCast {
        id: U64,
        voter: AccountId,
        choice: VoteChoice,
        #[serde(skip_serializing_if = "Option::is_none")]
        previous: Option<VoteChoice>,
        /// Weight counted, when not 1: a delegate's own plus its delegators'
        /// (an agent has no weight of its own).
        #[serde(skip_serializing_if = "Option::is_none")]
        weight: Option<u32>,
        /// The delegate this in-person vote took the voter's weight back from.
        #[serde(skip_serializing_if = "Option::is_none")]
        overrode: Option<AccountId>,
        /// An agent's vote: the inference receipt it cited.
        #[serde(skip_serializing_if = "Option::is_none")]
        receipt_id: Option<U64>,
    },
    /// Voting ended (passed, rejected, expired, spam) or the proposer cancelled.
    /// `bond_refunded` went back to the proposer; a spam bond stays with the DAO.
    #[event_version("1.0.0")]
    ProposalStatusChanged { id: U64, from: ProposalStatus, to: ProposalStatus, bond_refunded: NearToken },
    #[event_version("1.0.0")]
    ProposalExecutionStarted { id: U64, kind: KindLabel, attempt: u32 },
    #[event_version("1.0.0")]
    ProposalExecuted { id: U64, kind: KindLabel, attempt: u32 },
    #[event_version("1.0.0")]
    ProposalExecutionFailed { id: U64, kind: KindLabel, attempt: u32, reason: String },
    #[event_version("1.0.0")]
    MemberAdded { account_id: AccountId, roles: Vec<String>, proposal_id: U64 },
    #[event_version("1.0.0")]
    MemberRemoved { account_id: AccountId, proposal_id: U64 },
    /// An `add_members` proposal executed: the new members (their roles are in the proposal).
    #[event_version("1.0.0")]
    MembersAdded { account_ids: Vec<AccountId>, proposal_id: U64 },
    #[event_version("1.0.0")]
    MembersRemoved { account_ids: Vec<AccountId>, proposal_id: U64 },
    /// Listed accounts may claim until `claim_deadline`; `list_id` is the approving proposal's id.
    #[event_version("1.0.0")]
    MembershipListApproved { list_id: U64, root: Digest32, claim_deadline: U64 },
    /// `storage_deposit`: what the claimer paid for its member record and claim marker.
    #[event_version("1.0.0")]
    MembershipClaimed { account_id: AccountId, roles: Vec<String>, list_id: U64, storage_deposit: NearToken },
    #[event_version("1.0.0")]
    MemberLeft { account_id: AccountId },
    #[event_version("1.0.0")]
    MemberRolesChanged { account_id: AccountId, roles: Vec<String>, proposal_id: U64 },
    /// `agent_suspenders`: present when the proposal replaced them.
    #[event_version("1.0.0")]
    VotePolicyChanged {
        label: Option<KindLabel>,
        policy: VotePolicy,
        #[serde(skip_serializing_if = "Option::is_none")]
        agent_suspenders: Option<Vec<String>>,
        proposal_id: U64,
    },
    #[event_version("1.0.0")]
    RolePermissionsChanged { role: String, can_propose: KindSet, can_vote: KindSet, proposal_id: U64 },
    #[event_version("1.0.0")]
    CommunityContractsChanged { community: CommunityContracts, proposal_id: U64 },
    #[event_version("1.0.0")]
    CodeStored { code_hash: Digest32, bytes: U64, stored_by: AccountId },
    #[event_version("1.0.0")]
    ContractMigrated(ContractMigrated),
    /// `delegator` lends its vote to `delegate` for `kinds` until `expires_at`,
    /// on proposals with id `from_proposal` and later (also emitted when a
    /// delegator's roles change and its delegation follows).
    #[event_version("1.0.0")]
    DelegationSet {
        delegator: AccountId,
        delegate: AccountId,
        kinds: KindSet,
        #[serde(skip_serializing_if = "Option::is_none")]
        expires_at: Option<U64>,
        from_proposal: U64,
    },
    /// Withdrawn by the delegator, or ended because it left the community.
    #[event_version("1.0.0")]
    DelegationRemoved { delegator: AccountId, delegate: AccountId, from_proposal: U64 },
    #[event_version("1.0.0")]
    AgentRegistered(AgentMandateEvent),
    /// An `update_agent` proposal replaced the agent's mandate (same account, status, delegations).
    #[event_version("1.0.0")]
    AgentMandateChanged(AgentMandateEvent),
    /// Suspended or retired: by proposal `proposal_id`, or at once by member `by` (`suspend_agent`).
    #[event_version("1.0.0")]
    AgentStatusChanged {
        account_id: AccountId,
        status: AgentStatus,
        reason: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        proposal_id: Option<U64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        by: Option<AccountId>,
    },
}

/// The data of `agent_registered` and `agent_mandate_changed`: the mandate and the proposal.
#[derive(near_sdk::serde::Serialize, Debug, Clone)]
#[serde(crate = "near_sdk::serde")]
pub struct AgentMandateEvent {
    pub account_id: AccountId,
    pub mandate_uri: String,
    pub mandate_hash: Digest32,
    pub model_id: ModelId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<VersionNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    pub can_vote: KindSet,
    pub can_propose: KindSet,
    pub expires_at: U64,
    pub proposal_id: U64,
}
