//! The treasury invariant: the DAO can always record the votes it pays for,
//! decide and finalize its proposals, refund their bonds, and execute what
//! passed, whatever was spent before.
//!
//! The DAO holds `balance = storage staking + locked bonds + reserve + free`.
//! The *reserve* is what open proposals may still cost the DAO:
//!
//! - while a proposal is voting: one largest vote record (longest voter id,
//!   longest reason, longest link to the previous voter) per member of its
//!   electorate snapshot, plus the growth of its header's newest-voter name;
//! - until it is executed (or ends without passing): the storage its
//!   execution may add to the DAO (a member record, a role, a policy, the
//!   community contracts) and the fixed deposit it sends to a community
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

use crate::errors::*;
use crate::execution::{ALIAS_DEPOSIT, ATTESTER_DEPOSIT, SNAPSHOT_DEPOSIT, TEE_DEPOSIT, VERSION_STATUS_DEPOSIT};
use crate::proposals::RECORD_OVERHEAD;
use crate::types::{KindLabel, Proposal};
use crate::{Contract, MAX_REASON_LEN};
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
/// A proposal header grows by at most this when its newest-voter name goes
/// from none to the longest account id.
pub const LAST_VOTER_GROWTH: u64 = MAX_ACCOUNT_OPTION - 1;

/// Storage an `add_member` execution adds: the member record (key and 32-byte
/// value), its slot in the member list, and one new role combination.
const ADD_MEMBER_BYTES: u64 = (RECORD_OVERHEAD + 1 + MAX_ACCOUNT + 32) + (RECORD_OVERHEAD + 1 + 4 + MAX_ACCOUNT) + 6;
/// A new role combination (mask and count) in the combination table.
const CHANGE_ROLES_BYTES: u64 = 6;
/// A per-kind policy entry (label and the longest policy).
const CHANGE_POLICY_BYTES: u64 = 1 + 8 + (1 + 8) + 8 + 8;
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
        KindLabel::ChangeRoles => (CHANGE_ROLES_BYTES, zero),
        KindLabel::ChangePolicy => (CHANGE_POLICY_BYTES, zero),
        KindLabel::ChangeRolePermissions => (NEW_ROLE_BYTES, zero),
        KindLabel::SetCommunityContracts => (COMMUNITY_BYTES, zero),
        KindLabel::DeprecateModelVersion | KindLabel::RevokeModelVersion => (0, VERSION_STATUS_DEPOSIT),
        KindLabel::MoveAlias => (0, ALIAS_DEPOSIT),
        KindLabel::AdmitAttester => (0, ATTESTER_DEPOSIT),
        KindLabel::RecordTrainingSnapshot => (0, SNAPSHOT_DEPOSIT),
        KindLabel::SetTeePolicy | KindLabel::ApproveTeeMeasurements => (0, TEE_DEPOSIT),
        _ => (0, zero),
    }
}

/// Bytes the votes on a proposal with this electorate may add.
pub(crate) fn voting_reserve(electorate: u32) -> u64 {
    electorate as u64 * MAX_VOTE_BYTES + LAST_VOTER_GROWTH
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
