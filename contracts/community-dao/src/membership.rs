//! Membership at the scale of real communities.
//!
//! - **Batches**: an `add_members` / `remove_members` proposal adds or removes
//!   1 to 100 accounts. Everything is checked at `add_proposal` (duplicates,
//!   existing or unknown members, unknown roles, removing everyone) and again,
//!   all before any change, at execution: a batch applies whole or not at all.
//!   The records of added members are paid by the DAO, as for `add_member`:
//!   the community decided to add them. The proposal reserves the storage of
//!   the largest batch at creation (`treasury.rs`), so its execution is covered.
//! - **Lists**: an `approve_membership_list` proposal stores the Merkle root of
//!   a list of `(account, roles)` entries of any size and a claim deadline
//!   (the tree rule is `ai_commons_primitives::membership`; the list id is the
//!   proposal id). Until the deadline a listed account joins by calling
//!   `claim_membership` with its roles and proof: one proof check (at most 64
//!   hashes) and a constant number of reads and writes, whatever the list's size.
//!   The **claimer pays** the storage of its member record, its slot in the
//!   member list and its claim marker: a list of a million entries costs the
//!   proposer nothing and the DAO nothing until someone claims. (Reserving
//!   storage for every entry at approval would make the proposer pay for
//!   entries that may never be claimed.)
//! - **Replay**: each claim leaves a marker `(list, account)` that is never
//!   removed, so an entry is claimed once: a member who leaves, or is removed,
//!   cannot rejoin with the same proof (a new proposal or a new list can
//!   re-admit it).
//! - **Leaving**: `leave` removes the caller like a `remove_member` proposal
//!   (the last member cannot leave). Its votes already cast stay counted (it
//!   was eligible when it cast them); it cannot vote again on anything open.
//!   Its open proposals stay open; their bonds stay with them and go back to
//!   its account when voting ends, as for any proposal (it may still cancel
//!   one nobody voted on). The freed record's storage stake returns to the
//!   DAO, which paid it for members added by proposal (the record does not say
//!   who paid; a claimer's deposit is the price of joining).
//! - **Snapshot**: every path goes through `insert_member` / `remove_member`,
//!   so a member who joins after a proposal's creation cannot vote on it and
//!   the per-kind electorate counts stay exact.

use crate::errors::*;
use crate::events::DaoEvent;
use crate::proposals::RECORD_OVERHEAD;
use crate::table::Table;
use crate::types::{KindLabel, MemberInput, RoleMask};
use crate::{storage_key, Contract, ContractExt, StorageKey};
use ai_commons_primitives::membership::{leaf_hash, root_from_proof, MAX_PROOF_LEN};
use ai_commons_primitives::storage::storage_cost;
use ai_commons_primitives::{Digest32, StorageMeter};
use near_sdk::json_types::U64;
use near_sdk::{env, near, AccountId, NearToken};

/// Most accounts one `add_members` / `remove_members` proposal may list.
pub const MAX_BATCH_MEMBERS: usize = 100;

/// Bytes of a stored `Member` record (borsh: u16 + u64 + u16 + u64 + u64 + u32).
const MEMBER_RECORD_LEN: u64 = 32;
/// Bytes one more distinct role combination adds to the combination table.
const ROLE_COMBO_LEN: u64 = 6;

/// An approved membership list.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MembershipList {
    pub root: Digest32,
    pub claim_deadline: u64,
    pub approved_at: u64,
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MembershipListView {
    /// The id of the proposal that approved the list.
    pub list_id: U64,
    pub root: Digest32,
    pub claim_deadline: U64,
    pub approved_at: U64,
}

const LISTS: Table<u64, MembershipList> = Table::new(StorageKey::MembershipLists);
const CLAIMS: Table<(u64, AccountId), ()> = Table::new(StorageKey::MembershipClaims);

fn check_batch_size(n: usize) -> Result<(), String> {
    if n == 0 || n > MAX_BATCH_MEMBERS {
        return Err(ERR_BATCH_SIZE.into());
    }
    Ok(())
}

/// Checks the arguments of an `approve_membership_list` proposal.
pub(crate) fn check_membership_list(root: &Digest32, claim_deadline: u64) -> Result<(), String> {
    if root.is_zero() {
        return Err(ERR_ZERO_ROOT.into());
    }
    if claim_deadline <= env::block_timestamp() {
        return Err(ERR_CLAIM_DEADLINE_PAST.into());
    }
    Ok(())
}

/// Stores an approved list (execution of `approve_membership_list`); emits `membership_list_approved`.
pub(crate) fn apply_membership_list(id: u64, root: &Digest32, claim_deadline: u64) -> Result<(), String> {
    check_membership_list(root, claim_deadline)?;
    LISTS.set(&id, &MembershipList { root: *root, claim_deadline, approved_at: env::block_timestamp() });
    DaoEvent::MembershipListApproved { list_id: U64(id), root: *root, claim_deadline: U64(claim_deadline) }.emit();
    Ok(())
}

/// Bytes a member record and its member-list slot take.
fn member_bytes(account_id: &AccountId) -> u64 {
    let record = RECORD_OVERHEAD + storage_key(StorageKey::Members, account_id).len() as u64 + MEMBER_RECORD_LEN;
    // The member list is a `store::Vector`: key = its prefix + u32 index, value = the borsh account id.
    let slot = RECORD_OVERHEAD + storage_key(StorageKey::MemberList, &0u32).len() as u64 + 4 + account_id.len() as u64;
    record + slot
}

fn claim_marker_bytes(list_id: u64, account_id: &AccountId) -> u64 {
    RECORD_OVERHEAD + storage_key(StorageKey::MembershipClaims, &(list_id, account_id)).len() as u64
}

impl Contract {
    /// Checks an `add_members` batch against the current state; returns each member's role mask.
    pub(crate) fn check_add_members(&self, members: &[MemberInput]) -> Result<Vec<RoleMask>, String> {
        check_batch_size(members.len())?;
        let table = self.root().roles.get();
        let mut masks = Vec::with_capacity(members.len());
        for (i, m) in members.iter().enumerate() {
            masks.push(table.mask_of(&m.roles)?);
            if members[..i].iter().any(|o| o.account_id == m.account_id) {
                return Err(err_with(ERR_DUPLICATE_MEMBER, m.account_id.as_str()));
            }
            if self.members.contains_key(&m.account_id) {
                return Err(err_with(ERR_ALREADY_MEMBER, m.account_id.as_str()));
            }
        }
        Ok(masks)
    }

    /// Checks a `remove_members` batch: distinct current members, and at least one member left.
    pub(crate) fn check_remove_members(&self, account_ids: &[AccountId]) -> Result<(), String> {
        check_batch_size(account_ids.len())?;
        for (i, a) in account_ids.iter().enumerate() {
            if account_ids[..i].contains(a) {
                return Err(err_with(ERR_DUPLICATE_MEMBER, a.as_str()));
            }
            if !self.members.contains_key(a) {
                return Err(err_with(ERR_UNKNOWN_MEMBER, a.as_str()));
            }
        }
        if account_ids.len() as u64 >= self.root().member_list.len() as u64 {
            return Err(ERR_LAST_MEMBER.into());
        }
        Ok(())
    }

    /// Executes `add_members`: checks the whole batch and the treasury, then adds every member.
    pub(crate) fn apply_add_members(&mut self, id: u64, members: &[MemberInput]) -> Result<(), String> {
        let masks = self.check_add_members(members)?;
        // Reserved at creation for the largest batch (`treasury.rs`): normally always covered.
        let bytes: u64 = members.iter().map(|m| member_bytes(&m.account_id) + ROLE_COMBO_LEN).sum();
        let (reserved, _) = crate::treasury::execution_reserve(KindLabel::AddMembers);
        self.require_treasury(storage_cost(bytes), storage_cost(reserved))?;
        for (m, mask) in members.iter().zip(masks) {
            self.insert_member(m.account_id.clone(), mask);
        }
        let account_ids = members.iter().map(|m| m.account_id.clone()).collect();
        DaoEvent::MembersAdded { account_ids, proposal_id: U64(id) }.emit();
        Ok(())
    }

    /// Executes `remove_members`: checks the whole batch, then removes every member.
    pub(crate) fn apply_remove_members(&mut self, id: u64, account_ids: &[AccountId]) -> Result<(), String> {
        self.check_remove_members(account_ids)?;
        for a in account_ids {
            self.remove_member(a)?;
        }
        DaoEvent::MembersRemoved { account_ids: account_ids.to_vec(), proposal_id: U64(id) }.emit();
        Ok(())
    }

    /// Everything a claim checks before it changes anything; returns the role mask.
    fn check_claim(
        &self,
        list_id: u64,
        account_id: &AccountId,
        roles: &[String],
        proof: &[Digest32],
    ) -> Result<RoleMask, String> {
        let list = LISTS.get(&list_id).ok_or_else(|| format!("{ERR_LIST_NOT_FOUND}: {list_id}"))?;
        if env::block_timestamp() >= list.claim_deadline {
            return Err(ERR_CLAIM_CLOSED.into());
        }
        if self.members.contains_key(account_id) {
            return Err(err_with(ERR_ALREADY_MEMBER, account_id.as_str()));
        }
        if CLAIMS.contains_key(&(list_id, account_id.clone())) {
            return Err(ERR_ALREADY_CLAIMED.into());
        }
        if proof.len() > MAX_PROOF_LEN {
            return Err(format!("{ERR_PROOF_TOO_LONG}: at most {MAX_PROOF_LEN} hashes"));
        }
        let mask = self.root().roles.get().mask_of(roles)?;
        if root_from_proof(leaf_hash(account_id.as_str(), roles), proof) != list.root {
            return Err(ERR_BAD_PROOF.into());
        }
        Ok(mask)
    }
}

#[near]
impl Contract {
    /// Joins the community as a listed entry of an approved membership list.
    /// Caller: the listed account itself, before the list's claim deadline, not
    /// a member, not having claimed from this list before. `roles`: the entry's
    /// roles (any order); `proof`: its Merkle proof (see `crates/primitives`
    /// `membership`). Deposit: at least `get_claim_deposit(caller, list_id, roles)`
    /// (its member record, member-list slot and claim marker), excess refunded.
    /// Emits `membership_claimed`. The new member may vote on proposals created
    /// from now on.
    #[payable]
    pub fn claim_membership(&mut self, list_id: U64, roles: Vec<String>, proof: Vec<Digest32>) {
        let account_id = env::predecessor_account_id();
        let mask = crate::check_ok(self.check_claim(list_id.0, &account_id, &roles, &proof));
        let meter = StorageMeter::start();
        self.insert_member(account_id.clone(), mask);
        CLAIMS.set(&(list_id.0, account_id.clone()), &());
        // The member list and the role combinations write on drop; write them now to measure them.
        self.root_mut().member_list.flush();
        self.root_mut().role_combos.flush();
        let bytes = meter.bytes_added();
        let roles = self.root().roles.get().names_of(mask);
        let cost = storage_cost(bytes);
        let attached = env::attached_deposit();
        if attached < cost {
            env::panic_str(&format!(
                "insufficient deposit for storage: attached {} yoctoNEAR, required {} yoctoNEAR ({} bytes)",
                attached.as_yoctonear(),
                cost.as_yoctonear(),
                bytes
            ));
        }
        let refund = attached.saturating_sub(cost);
        if !refund.is_zero() {
            near_sdk::Promise::new(account_id.clone()).transfer(refund).detach();
        }
        DaoEvent::MembershipClaimed { account_id, roles, list_id, storage_deposit: cost }.emit();
    }

    /// Leaves the community. Caller: a member (not the last one). No deposit.
    /// Votes already cast stay; open proposals of the caller keep their bonds,
    /// refunded to it when voting ends. Emits `member_left`.
    pub fn leave(&mut self) {
        let account_id = env::predecessor_account_id();
        if !self.members.contains_key(&account_id) {
            env::panic_str(ERR_NOT_MEMBER);
        }
        crate::check_ok(self.remove_member(&account_id));
        DaoEvent::MemberLeft { account_id }.emit();
    }

    /// An approved membership list (`list_id` = the approving proposal's id); `None` if there is none.
    pub fn get_membership_list(&self, list_id: U64) -> Option<MembershipListView> {
        LISTS.get(&list_id.0).map(|l| MembershipListView {
            list_id,
            root: l.root,
            claim_deadline: U64(l.claim_deadline),
            approved_at: U64(l.approved_at),
        })
    }

    /// Whether `account_id` has claimed its entry of list `list_id`.
    pub fn is_membership_claimed(&self, list_id: U64, account_id: AccountId) -> bool {
        CLAIMS.contains_key(&(list_id.0, account_id))
    }

    /// The deposit `claim_membership` charges `account_id` for a claim with
    /// `roles` from list `list_id`, or fails naming an unknown role.
    pub fn get_claim_deposit(&self, account_id: AccountId, list_id: U64, roles: Vec<String>) -> NearToken {
        let mask = crate::check_ok(self.root().roles.get().mask_of(&roles));
        let new_combo = !self.root().role_combos.get().iter().any(|c| c.mask == mask);
        let bytes = member_bytes(&account_id)
            + claim_marker_bytes(list_id.0, &account_id)
            + if new_combo { ROLE_COMBO_LEN } else { 0 };
        storage_cost(bytes)
    }
}
