//! NEP-297 events, standard `community_dao`, version `1.0.0`.
//!
//! Each state change has exactly one event describing it. A call that makes two
//! changes (a vote that also decides its proposal; an execution that adds a
//! member) emits one event per change.

use crate::types::{CommunityContracts, KindLabel, KindSet, ProposalStatus, VoteChoice, VotePolicy};
use ai_commons_primitives::upgrade::ContractMigrated;
use ai_commons_primitives::Digest32;
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
    #[event_version("1.0.0")]
    MemberRolesChanged { account_id: AccountId, roles: Vec<String>, proposal_id: U64 },
    #[event_version("1.0.0")]
    VotePolicyChanged { label: Option<KindLabel>, policy: VotePolicy, proposal_id: U64 },
    #[event_version("1.0.0")]
    RolePermissionsChanged { role: String, can_propose: KindSet, can_vote: KindSet, proposal_id: U64 },
    #[event_version("1.0.0")]
    CommunityContractsChanged { community: CommunityContracts, proposal_id: U64 },
    #[event_version("1.0.0")]
    CodeStored { code_hash: Digest32, bytes: U64, stored_by: AccountId },
    #[event_version("1.0.0")]
    ContractMigrated(ContractMigrated),
}
