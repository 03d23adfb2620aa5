//! The treasury invariant: the DAO can always record the votes it pays for,
//! decide and finalize its proposals, refund their bonds, and execute what
//! passed, whatever was spent before.
//!
//! The DAO holds `balance = storage staking + locked bonds + reserve + free`.
//! The *reserve* is what open proposals may still cost the DAO:
//!
//! - while a proposal is voting: one largest vote record (longest voter id,
//!   longest reason, longest link to the previous voter, delegation weight,
//!   override and receipt) and one override counter per member of its
//!   electorate snapshot, plus the growth of its header's newest-voter name;
//! - until it is executed (or ends without passing): the storage its
//!   execution may add to the DAO (a member record, up to 100 for a batch, a
//!   membership list, a role, a policy, the community contracts, an agent
//!   record or its log entry) and the fixed deposit it sends to a community
//!   contract (`set_alias`, `record_snapshot`, `admit_attester`, ...).
//!
//! `add_proposal` takes the proposal's reserve from the free part (refused when
//! it does not fit, so a top-up comes first); the voting part is released when
//! voting ends (deciding vote, `finalize`, `cancel_proposal`), the execution
//! part when the proposal is executed or ends without passing. Spends whose
//! size a proposal chooses (a transfer, function-call deposits, the storage of
//! new code) are checked at execution against the free part only, and a
//! refused execution is recorded as failed and can be retried after a top-up.
//! Votes already stored for an open proposal are counted both in the storage
//! staking and in its reserve: conservative, never short. A vote never reads
//! or writes the root record: the reserve lives there and moves only when a
//! proposal is created, decided or executed.

use crate::agents::MAX_URI_LEN;
use crate::errors::*;
use crate::execution::{ALIAS_DEPOSIT, ATTESTER_DEPOSIT, SNAPSHOT_DEPOSIT, TEE_DEPOSIT, VERSION_STATUS_DEPOSIT};
use crate::proposals::RECORD_OVERHEAD;
use crate::types::{KindLabel, Proposal};
use crate::{Contract, MAX_BUCKETS, MAX_REASON_LEN, MAX_ROLES};
use ai_commons_primitives::ids::MAX_SLUG_LEN;
use ai_commons_primitives::storage::storage_cost;
use near_sdk::{env, NearToken};

/// Longest account id NEAR allows.
const MAX_ACCOUNT_LEN: u64 = 64;
/// Borsh size of the longest `Option<AccountId>`: tag, length, bytes.
const MAX_ACCOUNT_OPTION: u64 = 1 + 4 + MAX_ACCOUNT_LEN;
/// Borsh size of the longest `AccountId`.
const MAX_ACCOUNT: u64 = 4 + MAX_ACCOUNT_LEN;

/// The largest vote record: key (prefix, proposal id, voter), value (choice,
/// reason of [`MAX_REASON_LEN`] bytes, time, previous voter) and NEAR's
/// per-record overhead.
pub const MAX_VOTE_BYTES: u64 =
    RECORD_OVERHEAD + (1 + 8 + MAX_ACCOUNT) + (1 + (1 + 4 + MAX_REASON_LEN as u64) + 8 + MAX_ACCOUNT_OPTION);
/// What delegation may add to a vote record: its weight, the delegate an
/// override names and an agent's receipt id (stored only when not 1 / none).
pub const MAX_VOTE_DELEGATION_EXTRA: u64 = 4 + MAX_ACCOUNT_OPTION + (1 + 8);
/// A (proposal, delegate) `withdrawn` counter: an override before the
/// delegate voted. Each member overrides at most once per proposal.
pub const MAX_WITHDRAWN_BYTES: u64 = RECORD_OVERHEAD + (1 + 8 + MAX_ACCOUNT) + 4;
/// An agent's vote also appends to its action log: (action, proposal, time,
/// choice, receipt, weight) under (prefix, agent, index).
pub const MAX_AGENT_ACTION_BYTES: u64 = RECORD_OVERHEAD + (1 + MAX_ACCOUNT + 4) + (1 + 8 + 8 + 2 + (1 + 8) + (1 + 4));
/// Bytes a proposal reserves per member of its electorate: its largest vote
/// record, or an agent's vote and its log entry (an agent's vote takes the
/// place of the votes of the delegators it carries, one at least), and the
/// counter its override may create.
pub const VOTING_BYTES_PER_MEMBER: u64 =
    MAX_VOTE_BYTES + MAX_VOTE_DELEGATION_EXTRA + MAX_AGENT_ACTION_BYTES + MAX_WITHDRAWN_BYTES;
/// A proposal header grows by at most this when its newest-voter name goes
/// from none to the longest account id.
pub const LAST_VOTER_GROWTH: u64 = MAX_ACCOUNT_OPTION - 1;

/// Storage an `add_member` execution adds: the member record (key and 32-byte
/// value), its slot in the member list, and one new role combination.
const ADD_MEMBER_BYTES: u64 = (RECORD_OVERHEAD + 1 + MAX_ACCOUNT + 32) + (RECORD_OVERHEAD + 1 + 4 + MAX_ACCOUNT) + 6;
/// Storage an `add_members` execution may add: the most members a batch
/// holds, each as for `add_member` (a new role combination each at worst).
const ADD_MEMBERS_BYTES: u64 = crate::membership::MAX_BATCH_MEMBERS as u64 * ADD_MEMBER_BYTES;
/// An approved membership list: key (prefix, list id) and value (root, deadline, approval time).
const MEMBERSHIP_LIST_BYTES: u64 = RECORD_OVERHEAD + (1 + 8) + (32 + 8 + 8);
/// A new role combination (mask and count) in the combination table.
const CHANGE_ROLES_BYTES: u64 = 6;
/// A member with a delegation changing roles or leaving moves its delegation
/// (`delegation.rs`): the delegate's archived checkpoint (at most
/// `MAX_BUCKETS` buckets), a new bucket in its head, the terms kept as the
/// delegator's previous ones.
const DELEGATION_CHANGE_BYTES: u64 =
    (RECORD_OVERHEAD + 1 + MAX_ACCOUNT + 4 + 8 + 4 + MAX_BUCKETS as u64 * 18) + 18 + (1 + MAX_ACCOUNT + 4 + 8 + 2);
/// A per-kind policy entry (label and the longest policy), and the longest
/// list of agent suspender roles (every role, each of the longest name).
const CHANGE_POLICY_BYTES: u64 = (1 + 8 + (1 + 8) + 8 + 8) + (4 + MAX_ROLES as u64 * (4 + MAX_SLUG_LEN as u64));
/// A proposal's entry in an agent's action log (action, proposal, time, no vote).
const AGENT_ACTION_BYTES: u64 = RECORD_OVERHEAD + (1 + MAX_ACCOUNT + 4) + (1 + 8 + 8 + 1 + 1 + 1);
/// A new agent record at its largest (the longest mandate uri, model id and
/// alias) and its log entry: what `register_agent` and `update_agent` may add.
const AGENT_BYTES: u64 = RECORD_OVERHEAD
    + (1 + MAX_ACCOUNT)
    + ((4 + MAX_URI_LEN as u64)
        + 32
        + (4 + MAX_SLUG_LEN as u64)
        + (1 + 4)
        + (1 + 4 + MAX_SLUG_LEN as u64)
        + 4
        + 4
        + 8
        + 1
        + 8
        + 4)
    + AGENT_ACTION_BYTES;
/// A new role (name of at most 64 bytes and its two kind sets).
const NEW_ROLE_BYTES: u64 = 4 + 64 + 4 + 4;
/// The three community contracts going from unset to the longest account ids.
const COMMUNITY_BYTES: u64 = 3 * (MAX_ACCOUNT_OPTION - 1);

/// What a proposal's execution needs from the treasury besides spends it
/// chooses: bytes of storage the DAO pays and the fixed deposit it sends.
pub(crate) fn execution_reserve(label: KindLabel) -> (u64, NearToken) {
    let zero = NearToken::from_yoctonear(0);
    match label {
        KindLabel::AddMember => (ADD_MEMBER_BYTES, zero),
        KindLabel::ChangeRoles => (CHANGE_ROLES_BYTES + DELEGATION_CHANGE_BYTES, zero),
        KindLabel::RemoveMember => (DELEGATION_CHANGE_BYTES, zero),
        KindLabel::ChangePolicy => (CHANGE_POLICY_BYTES, zero),
        KindLabel::ChangeRolePermissions => (NEW_ROLE_BYTES, zero),
        KindLabel::SetCommunityContracts => (COMMUNITY_BYTES, zero),
        KindLabel::AddMembers => (ADD_MEMBERS_BYTES, zero),
        KindLabel::ApproveMembershipList => (MEMBERSHIP_LIST_BYTES, zero),
        KindLabel::RegisterAgent | KindLabel::UpdateAgent => (AGENT_BYTES, zero),
        KindLabel::SuspendAgent | KindLabel::RetireAgent => (AGENT_ACTION_BYTES, zero),
        KindLabel::DeprecateModelVersion | KindLabel::RevokeModelVersion => (0, VERSION_STATUS_DEPOSIT),
        KindLabel::MoveAlias => (0, ALIAS_DEPOSIT),
        KindLabel::AdmitAttester => (0, ATTESTER_DEPOSIT),
        KindLabel::RecordTrainingSnapshot => (0, SNAPSHOT_DEPOSIT),
        KindLabel::SetTeePolicy
        | KindLabel::ApproveTeeMeasurements
        | KindLabel::ApproveTeeAppEvent
        | KindLabel::AllowTeePlatform => (0, TEE_DEPOSIT),
        _ => (0, zero),
    }
}

/// Bytes the votes on a proposal with this electorate may add.
pub(crate) fn voting_reserve(electorate: u32) -> u64 {
    electorate as u64 * VOTING_BYTES_PER_MEMBER + LAST_VOTER_GROWTH
}

/// `"<what>: need X yoctoNEAR, available Y, reserved Z"`.
fn shortfall(what: &str, need: NearToken, available: NearToken, reserved: NearToken) -> String {
    format!(
        "{what}: need {} yoctoNEAR, available {}, reserved {}",
        need.as_yoctonear(),
        available.as_yoctonear(),
        reserved.as_yoctonear()
    )
}

impl Contract {
    /// The NEAR the reserve stands for.
    pub(crate) fn reserved(&self) -> NearToken {
        storage_cost(self.root().reserved_bytes).saturating_add(self.root().reserved_deposits)
    }

    /// NEAR the DAO may spend: balance minus storage staking, the bonds it
    /// holds and the reserve of open proposals.
    pub(crate) fn available_treasury(&self) -> NearToken {
        env::account_balance()
            .saturating_sub(storage_cost(env::storage_usage()))
            .saturating_sub(self.root().locked_bonds)
            .saturating_sub(self.reserved())
    }

    /// Refuses a spend of `amount` the free treasury (plus `own`, what this
    /// proposal has reserved for it) cannot cover, naming the amounts.
    pub(crate) fn require_treasury(&self, amount: NearToken, own: NearToken) -> Result<(), String> {
        let available = self.available_treasury().saturating_add(own);
        if amount > available {
            return Err(shortfall(ERR_INSUFFICIENT_TREASURY, amount, available, self.reserved().saturating_sub(own)));
        }
        Ok(())
    }

    /// Refuses a new proposal whose reserve the free treasury cannot cover.
    /// `attached`: the deposit of the call, already in the balance but paying
    /// the proposal's own storage and bond.
    pub(crate) fn check_reserve(&self, header: &Proposal, attached: NearToken) -> Result<(), String> {
        let (bytes, deposit) = execution_reserve(header.kind);
        let need = storage_cost(voting_reserve(header.electorate) + bytes).saturating_add(deposit);
        let available = self.available_treasury().saturating_sub(attached);
        if need > available {
            return Err(shortfall(ERR_RESERVE, need, available, self.reserved()));
        }
        Ok(())
    }

    /// Reserves what a new proposal may still cost the DAO.
    pub(crate) fn reserve(&mut self, header: &Proposal) {
        let (bytes, deposit) = execution_reserve(header.kind);
        let root = self.root_mut();
        root.reserved_bytes += voting_reserve(header.electorate) + bytes;
        root.reserved_deposits = root.reserved_deposits.saturating_add(deposit);
    }

    /// Releases the voting part of a proposal's reserve (voting has ended).
    pub(crate) fn release_voting(&mut self, p: &Proposal) {
        let root = self.root_mut();
        root.reserved_bytes = root.reserved_bytes.saturating_sub(voting_reserve(p.electorate));
    }

    /// Releases the execution part of a proposal's reserve (executed, or
    /// voting ended without passing).
    pub(crate) fn release_execution(&mut self, p: &Proposal) {
        let (bytes, deposit) = execution_reserve(p.kind);
        let root = self.root_mut();
        root.reserved_bytes = root.reserved_bytes.saturating_sub(bytes);
        root.reserved_deposits = root.reserved_deposits.saturating_sub(deposit);
    }
}
