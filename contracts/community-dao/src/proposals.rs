//! Creating, cancelling and finalizing proposals; the per-status index; bonds.

use crate::errors::*;
use crate::events::DaoEvent;
use crate::outcome::{decide, Outcome};
use crate::types::*;
use crate::{check_ok, storage_key, Contract, ContractExt, StorageKey, MAX_ARGS_LEN, MAX_DESCRIPTION_LEN};
use ai_commons_primitives::storage::storage_cost;
use ai_commons_primitives::{validate, validate_bounded, validate_slug, StorageMeter};
use near_sdk::json_types::U64;
use near_sdk::{env, near, require, AccountId, Gas, NearToken, Promise};

const NS_PER_SEC: u64 = 1_000_000_000;
const MAX_PERIOD_NS: u64 = 365 * 24 * 3600 * NS_PER_SEC;
/// Bytes NEAR charges per stored record on top of key and value.
pub(crate) const RECORD_OVERHEAD: u64 = 40;
const MAX_ACTIONS: usize = 8;
/// Most gas the actions of one `function_calls` proposal may ask for in total.
/// `execute` must attach them plus the callback and its own overhead, and a
/// transaction carries at most 300 Tgas: 250 + 15 (callback) + 20 (overhead)
/// leaves 15 Tgas for the gas `execute` burns before it checks. A larger total
/// could pass a vote but never execute.
pub(crate) const MAX_TOTAL_ACTION_GAS: Gas = Gas::from_tgas(250);
const _: () = assert!(
    MAX_TOTAL_ACTION_GAS.as_gas()
        + crate::execution::CALLBACK_GAS.as_gas()
        + crate::execution::EXECUTE_OVERHEAD.as_gas()
        + Gas::from_tgas(15).as_gas()
        <= Gas::from_tgas(300).as_gas()
);

pub(crate) fn validate_policy(p: &VotePolicy) -> Result<(), String> {
    if p.voting_period_ns.0 < NS_PER_SEC || p.voting_period_ns.0 > MAX_PERIOD_NS {
        return Err(ERR_BAD_PERIOD.into());
    }
    if p.timelock_ns.0 > MAX_PERIOD_NS {
        return Err(ERR_BAD_TIMELOCK.into());
    }
    if let Quorum::Fraction(f) = p.quorum {
        if f.den == 0 || f.num > f.den {
            return Err(format!("quorum: {ERR_BAD_FRACTION}"));
        }
    }
    if p.threshold.num == 0 || p.threshold.den == 0 || p.threshold.num > p.threshold.den {
        return Err(ERR_BAD_THRESHOLD.into());
    }
    Ok(())
}

/// A target contract's rule: its own message, prefixed so the proposer sees
/// the proposal was refused at creation, before anyone voted on it.
fn target(r: Result<(), String>) -> Result<(), String> {
    r.map_err(|e| err_with(ERR_TARGET_REFUSES, &e))
}

fn validate_version(v: u32) -> Result<(), String> {
    if v == 0 {
        return Err(ERR_BAD_VERSION.into());
    }
    Ok(())
}

fn record_bytes(key: Vec<u8>, value_len: usize) -> u64 {
    RECORD_OVERHEAD + key.len() as u64 + value_len as u64
}

impl Contract {
    /// Checks a proposal kind against the current state at creation time, and
    /// against the target contract's own rules (`ai_commons_primitives::validate`,
    /// the functions the target applies). `executable_from`: the earliest time
    /// the proposal could execute (now plus its timelock: it may pass at once).
    pub(crate) fn validate_kind(&self, kind: &ProposalKind, executable_from: u64) -> Result<(), String> {
        let me = env::current_account_id();
        match kind {
            ProposalKind::Text => {}
            ProposalKind::AddMember { account_id, roles } => {
                self.root().roles.get().mask_of(roles)?;
                if self.members.contains_key(account_id) {
                    return Err(err_with(ERR_ALREADY_MEMBER, account_id.as_str()));
                }
            }
            ProposalKind::RemoveMember { account_id } => {
                if !self.members.contains_key(account_id) {
                    return Err(err_with(ERR_UNKNOWN_MEMBER, account_id.as_str()));
                }
            }
            ProposalKind::ChangeRoles { account_id, roles } => {
                self.root().roles.get().mask_of(roles)?;
                if !self.members.contains_key(account_id) {
                    return Err(err_with(ERR_UNKNOWN_MEMBER, account_id.as_str()));
                }
            }
            ProposalKind::ChangePolicy { policy, agent_suspenders, .. } => {
                validate_policy(policy)?;
                if let Some(names) = agent_suspenders {
                    self.root().roles.get().check_role_list(names)?;
                }
            }
            ProposalKind::ChangeRolePermissions { role, .. } => self.check_role_permissions(role)?,
            ProposalKind::Transfer { receiver_id, amount } => {
                if amount.is_zero() {
                    return Err(ERR_ZERO_AMOUNT.into());
                }
                if *receiver_id == me {
                    return Err(ERR_SELF_TARGET.into());
                }
            }
            ProposalKind::FunctionCalls { receiver_id, actions } => {
                if *receiver_id == me {
                    return Err(ERR_SELF_TARGET.into());
                }
                if actions.is_empty() || actions.len() > MAX_ACTIONS {
                    return Err(ERR_BAD_ACTIONS.into());
                }
                let mut gas: u64 = 0;
                let mut args = 0usize;
                for a in actions {
                    if a.method_name.is_empty() || a.method_name.len() > 256 {
                        return Err(ERR_BAD_METHOD.into());
                    }
                    if a.gas.0 == 0 {
                        return Err(ERR_BAD_GAS.into());
                    }
                    gas = gas.saturating_add(a.gas.0);
                    args += a.args.0.len();
                }
                if gas > MAX_TOTAL_ACTION_GAS.as_gas() {
                    return Err(ERR_BAD_GAS.into());
                }
                if args > MAX_ARGS_LEN {
                    return Err(format!("args are too long: {args} bytes, at most {MAX_ARGS_LEN}"));
                }
            }
            ProposalKind::UpgradeSelf { code_hash, migrate_args } => {
                if !env::storage_has_key(&crate::upgrade::code_key(code_hash)) {
                    return Err(format!("{ERR_CODE_NOT_FOUND}: {code_hash}"));
                }
                if migrate_args.as_ref().is_some_and(|a| a.0.len() > MAX_ARGS_LEN) {
                    return Err(format!("migrate args are too long: at most {MAX_ARGS_LEN} bytes"));
                }
            }
            ProposalKind::SetCommunityContracts { registry, attestation, consent } => {
                if registry.is_none() && attestation.is_none() && consent.is_none() {
                    return Err(ERR_NOTHING_TO_SET.into());
                }
            }
            ProposalKind::ApproveModelVersion { model_id, version } => {
                self.registry()?;
                validate_slug("model id", model_id)?;
                validate_version(*version)?;
            }
            ProposalKind::DeprecateModelVersion { model_id, version, reason } => {
                self.registry()?;
                validate_slug("model id", model_id)?;
                validate_version(*version)?;
                if let Some(reason) = reason {
                    target(validate::validate_reason(reason))?;
                }
            }
            ProposalKind::RevokeModelVersion { model_id, version, reason } => {
                self.registry()?;
                validate_slug("model id", model_id)?;
                validate_version(*version)?;
                target(validate::validate_reason(reason))?;
            }
            ProposalKind::MoveAlias { model_id, alias, version } => {
                self.registry()?;
                validate_slug("model id", model_id)?;
                target(validate::validate_alias(alias))?;
                validate_version(*version)?;
            }
            ProposalKind::AdmitAttester { public_keys, tee_kind, measurements, models, expires_at, .. } => {
                self.attestation()?;
                for key in public_keys {
                    target(validate::validate_attester_key(key))?;
                }
                // The attester's expiry must still be ahead when the proposal can first execute.
                target(validate::validate_attester_fields(
                    public_keys,
                    tee_kind,
                    measurements,
                    models.as_deref(),
                    expires_at.map(|t| t.0),
                    executable_from,
                ))
                .map_err(|e| {
                    if e.ends_with(validate::ERR_EXPIRY_IN_PAST) {
                        format!("{e} at the earliest execution, {executable_from}")
                    } else {
                        e
                    }
                })?;
            }
            ProposalKind::RevokeAttester { reason, .. } => {
                self.attestation()?;
                target(validate::validate_reason(reason))?;
            }
            ProposalKind::RecordTrainingSnapshot { note, .. } => {
                self.consent()?;
                target(validate::validate_snapshot_note(note.as_deref()))?;
            }
            ProposalKind::UpgradeContract { contract, code_hash } => {
                self.check_upgrade_contract(*contract, code_hash)?
            }
            ProposalKind::RegisterAgent { .. }
            | ProposalKind::UpdateAgent { .. }
            | ProposalKind::SuspendAgent { .. }
            | ProposalKind::RetireAgent { .. } => self.validate_agent_kind(kind)?,
            ProposalKind::AddMembers { members } => {
                self.check_add_members(members)?;
            }
            ProposalKind::RemoveMembers { account_ids } => self.check_remove_members(account_ids)?,
            ProposalKind::ApproveMembershipList { root, claim_deadline } => {
                crate::membership::check_membership_list(root, claim_deadline.0)?
            }
            ProposalKind::SetTeePolicy { tee_policy } => {
                self.attestation()?;
                target(validate::validate_tee_policy(tee_policy))?;
            }
            ProposalKind::ApproveTeeMeasurements { tee_measurements }
            | ProposalKind::ApproveTeeAppEvent { tee_measurements } => {
                self.attestation()?;
                target(validate::validate_tee_label(&tee_measurements.label))?;
            }
            ProposalKind::WithdrawTeeMeasurements { reason, .. } => {
                self.attestation()?;
                target(validate::validate_reason(reason))?;
            }
            ProposalKind::AllowTeePlatform { ppid } => {
                self.attestation()?;
                target(validate::validate_tee_ppid(ppid))?;
            }
            ProposalKind::WithdrawTeePlatform { ppid, reason } => {
                self.attestation()?;
                target(validate::validate_tee_ppid(ppid))?;
                target(validate::validate_reason(reason))?;
            }
        }
        Ok(())
    }

    pub(crate) fn registry(&self) -> Result<AccountId, String> {
        self.root().community.registry.clone().ok_or_else(|| ERR_REGISTRY_UNSET.to_string())
    }

    pub(crate) fn attestation(&self) -> Result<AccountId, String> {
        self.root().community.attestation.clone().ok_or_else(|| ERR_ATTESTATION_UNSET.to_string())
    }

    pub(crate) fn consent(&self) -> Result<AccountId, String> {
        self.root().community.consent.clone().ok_or_else(|| ERR_CONSENT_UNSET.to_string())
    }

    /// Builds the header a new proposal would get, checking every rule but the deposit.
    /// Also says whether the proposer is a community agent (not a member).
    fn draft_proposal(&self, proposer: &AccountId, description: &str, kind: &ProposalKind) -> (Proposal, bool) {
        check_ok(validate_bounded("description", description, MAX_DESCRIPTION_LEN));
        let label = kind.label();
        let roles = self.root().roles.get();
        let by_agent = match self.members.get(proposer) {
            Some(member) if roles.can_propose(member.roles, label) => false,
            Some(_) => env::panic_str(ERR_CANNOT_PROPOSE),
            // A community agent may propose the kinds its mandate lists.
            None if self.agent_may_propose(proposer, label) => true,
            None if self.agent(proposer).is_some() => env::panic_str(ERR_CANNOT_PROPOSE),
            None => env::panic_str(ERR_NOT_MEMBER),
        };
        let policy = self.root().policies.get().policy_for(label);
        let now = env::block_timestamp();
        // A proposal may pass at its first vote: its earliest execution is a timelock from now.
        check_ok(self.validate_kind(kind, now + policy.timelock_ns.0));
        let electorate = roles.electorate[label.index()];
        if electorate == 0 {
            env::panic_str(ERR_NO_ELECTORATE);
        }
        let header = Proposal {
            proposer: proposer.clone(),
            kind: label,
            status: ProposalStatus::Active,
            policy,
            electorate,
            quorum_votes: policy.quorum.votes_required(electorate),
            voting_roles: roles.voting_roles(label),
            created_at: now,
            deadline: now + policy.voting_period_ns.0,
            decided_at: 0,
            executed_at: 0,
            tally: Tally::default(),
            voter_count: 0,
            last_voter: None,
            bond: self.root().proposal_bond,
            storage_deposit: NearToken::from_yoctonear(0),
            execution_attempts: 0,
            executing: false,
            status_pos: self.root().status_counts[ProposalStatus::Active.index()],
        };
        (header, by_agent)
    }

    /// Bytes a new proposal adds: its header, its body and its status-index entry.
    fn proposal_storage_bytes(&self, header: &Proposal, body: &ProposalBody, by_agent: bool) -> u64 {
        let id = self.root().next_proposal_id;
        // `to_vec`, not `object_length`: the wasm already has the serializers for
        // a `Vec` writer, and a counting writer would add a second copy of each.
        let header_len = near_sdk::borsh::to_vec(header).map_or(0, |v| v.len());
        let body_len = near_sdk::borsh::to_vec(body).map_or(0, |v| v.len());
        record_bytes(storage_key(StorageKey::Proposals, &id), header_len)
            + record_bytes(storage_key(StorageKey::ProposalBodies, &id), body_len)
            + record_bytes(storage_key(StorageKey::StatusIndex, &(ProposalStatus::Active as u8, header.status_pos)), 8)
            + if by_agent { crate::agents::proposed_action_bytes(&header.proposer) } else { 0 }
    }

    /// Moves a proposal to `to` in the status index (O(1): swap-remove from the
    /// old status list, append to the new one) and updates counts.
    pub(crate) fn move_status(&mut self, id: u64, p: &mut Proposal, to: ProposalStatus) {
        let from = p.status;
        if from == to {
            return;
        }
        let last = self.root().status_counts[from.index()] - 1;
        if p.status_pos != last {
            let last_id = self
                .status_index
                .get(&(from as u8, last))
                .unwrap_or_else(|| env::panic_str("status index is inconsistent"));
            self.status_index.set(&(from as u8, p.status_pos), &last_id);
            if let Some(mut other) = self.proposals.get(&last_id) {
                other.status_pos = p.status_pos;
                self.proposals.set(&last_id, &other);
            }
        }
        self.status_index.remove(&(from as u8, last));
        self.root_mut().status_counts[from.index()] -= 1;
        let pos = self.root().status_counts[to.index()];
        self.status_index.set(&(to as u8, pos), &id);
        self.root_mut().status_counts[to.index()] += 1;
        p.status = to;
        p.status_pos = pos;
    }

    /// Ends voting: records the outcome, refunds or forfeits the bond, emits
    /// `proposal_status_changed`. The caller writes `p` back.
    pub(crate) fn end_voting(&mut self, id: u64, p: &mut Proposal, to: ProposalStatus) {
        let from = p.status;
        self.move_status(id, p, to);
        p.decided_at = env::block_timestamp();
        let bond = p.bond;
        p.bond = NearToken::from_yoctonear(0);
        self.root_mut().locked_bonds = self.root().locked_bonds.saturating_sub(bond);
        self.release_voting(p);
        if to != ProposalStatus::Passed {
            self.release_execution(p);
        }
        let refunded = if to == ProposalStatus::Spam { NearToken::from_yoctonear(0) } else { bond };
        if !refunded.is_zero() {
            Promise::new(p.proposer.clone()).transfer(refunded).detach();
        }
        DaoEvent::ProposalStatusChanged { id: U64(id), from, to, bond_refunded: refunded }.emit();
    }

    pub(crate) fn apply_outcome(&mut self, id: u64, p: &mut Proposal, outcome: Outcome) {
        let to = match outcome {
            Outcome::Undecided => return,
            Outcome::Passed => ProposalStatus::Passed,
            Outcome::Rejected => ProposalStatus::Rejected,
            Outcome::Spam => ProposalStatus::Spam,
            Outcome::Expired => ProposalStatus::Expired,
        };
        self.end_voting(id, p, to);
    }

    pub(crate) fn proposal(&self, id: u64) -> Proposal {
        self.proposals.get(&id).unwrap_or_else(|| env::panic_str(ERR_PROPOSAL_NOT_FOUND))
    }
}

#[near]
impl Contract {
    /// Creates a proposal. Caller: a member with a role that may propose this kind, or an active
    /// community agent whose mandate lists the kind (logged in its actions).
    /// Deposit: exactly `get_proposal_deposit(proposer, description, kind)` =
    /// bond + storage of the proposal (short and excess deposits both fail, naming
    /// the amount). The free treasury must cover what the proposal may still
    /// cost the DAO (its votes, its execution; see `treasury.rs`), which is
    /// reserved until voting ends or it executes; refused otherwise, naming the
    /// amounts. AI-governance kinds are checked with their target contract's
    /// own rules (`ai_commons_primitives::validate`). Emits `proposal_added`.
    /// Returns the proposal id.
    #[payable]
    pub fn add_proposal(&mut self, description: String, kind: ProposalKind) -> U64 {
        let proposer = env::predecessor_account_id();
        let (mut header, by_agent) = self.draft_proposal(&proposer, &description, &kind);
        let body = ProposalBody { description, kind };
        let bytes = self.proposal_storage_bytes(&header, &body, by_agent);
        let storage = storage_cost(bytes);
        let required = self.root().proposal_bond.saturating_add(storage);
        let attached = env::attached_deposit();
        if attached != required {
            env::panic_str(&format!(
                "{ERR_DEPOSIT}: attach exactly {} yoctoNEAR (bond {} + storage {} for {} bytes), attached {}",
                required.as_yoctonear(),
                self.root().proposal_bond.as_yoctonear(),
                storage.as_yoctonear(),
                bytes,
                attached.as_yoctonear()
            ));
        }
        check_ok(self.check_reserve(&header, attached));
        header.storage_deposit = storage;
        let id = self.root().next_proposal_id;
        let meter = StorageMeter::start();
        self.proposals.set(&id, &header);
        self.proposal_bodies.set(&id, &body);
        self.status_index.set(&(ProposalStatus::Active as u8, header.status_pos), &id);
        if by_agent {
            self.agent_proposed(&proposer, id);
        }
        require!(meter.bytes_added() == bytes, "storage estimate differs from storage used");
        self.root_mut().status_counts[ProposalStatus::Active.index()] += 1;
        self.root_mut().next_proposal_id += 1;
        self.root_mut().locked_bonds = self.root().locked_bonds.saturating_add(header.bond);
        self.reserve(&header);
        DaoEvent::ProposalAdded {
            id: U64(id),
            proposer,
            kind: header.kind,
            deadline: U64(header.deadline),
            electorate: header.electorate,
            quorum_votes: header.quorum_votes,
            bond: header.bond,
            storage_deposit: storage,
        }
        .emit();
        U64(id)
    }

    /// The exact deposit `add_proposal` needs from `proposer` for this proposal,
    /// or fails with the reason `add_proposal` would fail with (a target's rule,
    /// a reserve the free treasury cannot cover). View: anyone, no deposit.
    pub fn get_proposal_deposit(&self, proposer: AccountId, description: String, kind: ProposalKind) -> NearToken {
        let (header, by_agent) = self.draft_proposal(&proposer, &description, &kind);
        check_ok(self.check_reserve(&header, NearToken::from_yoctonear(0)));
        let bytes = self.proposal_storage_bytes(&header, &ProposalBody { description, kind }, by_agent);
        self.root().proposal_bond.saturating_add(storage_cost(bytes))
    }

    /// Withdraws an active proposal nobody has voted on. Caller: the proposer.
    /// No deposit. Refunds the bond (the proposal's storage stays as history).
    /// Emits `proposal_status_changed` (to `cancelled`).
    pub fn cancel_proposal(&mut self, id: U64) {
        let mut p = self.proposal(id.0);
        if p.proposer != env::predecessor_account_id() {
            env::panic_str(ERR_NOT_PROPOSER);
        }
        if p.status != ProposalStatus::Active {
            env::panic_str(ERR_NOT_ACTIVE);
        }
        if p.voter_count > 0 {
            env::panic_str(ERR_HAS_VOTES);
        }
        self.end_voting(id.0, &mut p, ProposalStatus::Cancelled);
        self.proposals.set(&id.0, &p);
    }

    /// Decides an active proposal whose voting period is over: expired without
    /// quorum, else passed, spam or rejected. Caller: anyone. No deposit.
    /// Emits `proposal_status_changed`. Returns the new status.
    pub fn finalize(&mut self, id: U64) -> ProposalStatus {
        let mut p = self.proposal(id.0);
        if p.status != ProposalStatus::Active {
            env::panic_str(ERR_NOT_ACTIVE);
        }
        if env::block_timestamp() < p.deadline {
            env::panic_str(ERR_VOTING_NOT_OVER);
        }
        let outcome = decide(&p.tally, p.electorate, p.quorum_votes, p.policy.threshold, true);
        self.apply_outcome(id.0, &mut p, outcome);
        let status = p.status;
        self.proposals.set(&id.0, &p);
        status
    }
}
