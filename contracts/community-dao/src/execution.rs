//! Executing passed proposals. Anyone may call `execute` once the timelock is
//! over, and pays the gas; the deciding voter never does. Kinds that change the
//! DAO apply at once; kinds that act elsewhere send one promise whose private
//! callback `on_execute` records Executed or Failed. A failed execution can be
//! retried; an execution in flight or a finished one cannot be started again.

use crate::errors::*;
use crate::events::DaoEvent;
use crate::proposals::validate_policy;
use crate::types::*;
use crate::{Contract, ContractExt};
use ai_commons_primitives::interfaces::{ext_data_consent, ext_inference_attestation, ext_model_registry};
use ai_commons_primitives::storage::storage_cost;
use near_sdk::json_types::U64;
use near_sdk::{env, near, require, Gas, GasWeight, NearToken, Promise, PromiseError, PromiseOrValue};

fn zero() -> NearToken {
    NearToken::from_yoctonear(0)
}

/// Gas for the `on_execute` callback.
pub const CALLBACK_GAS: Gas = Gas::from_tgas(15);
/// Gas for each call to the registry, attestation or consent contract.
pub const COMMUNITY_CALL_GAS: Gas = Gas::from_tgas(30);
/// Minimum gas for `migrate` after a self-upgrade.
pub const MIGRATE_GAS: Gas = Gas::from_tgas(50);
/// Gas `execute` itself needs besides the calls it schedules.
pub const EXECUTE_OVERHEAD: Gas = Gas::from_tgas(20);
/// Deposit sent with `set_alias` (excess refunded to the DAO by the registry).
pub const ALIAS_DEPOSIT: NearToken = NearToken::from_millinear(10);
/// Deposit sent with `record_snapshot` (excess refunded by data-consent).
pub const SNAPSHOT_DEPOSIT: NearToken = NearToken::from_millinear(10);
/// Storage deposit sent with `admit_attester` (excess refunded by the attestation contract).
pub const ATTESTER_DEPOSIT: NearToken = NearToken::from_millinear(100);
/// Storage deposit sent with the TEE policy and measurement calls (excess refunded).
pub const TEE_DEPOSIT: NearToken = NearToken::from_millinear(20);
/// Deposit attached to `deprecate_version` / `revoke_version`: the registry
/// stores the reason (and, on revoke, alias history entries) and refunds the excess.
pub const VERSION_STATUS_DEPOSIT: NearToken = NearToken::from_millinear(50);

impl Contract {
    /// Applies a kind that changes the DAO itself. Validates before it mutates,
    /// so an `Err` leaves the state unchanged.
    fn apply_internal(&mut self, id: u64, kind: &ProposalKind) -> Result<(), String> {
        let proposal_id = U64(id);
        match kind {
            ProposalKind::Text => {}
            ProposalKind::AddMember { account_id, roles } => {
                let mask = self.root().roles.get().mask_of(roles)?;
                if self.members.contains_key(account_id) {
                    return Err(err_with(ERR_ALREADY_MEMBER, account_id.as_str()));
                }
                self.insert_member(account_id.clone(), mask);
                let roles = self.root().roles.get().names_of(mask);
                DaoEvent::MemberAdded { account_id: account_id.clone(), roles, proposal_id }.emit();
            }
            ProposalKind::RemoveMember { account_id } => {
                self.remove_member(account_id)?;
                DaoEvent::MemberRemoved { account_id: account_id.clone(), proposal_id }.emit();
            }
            ProposalKind::ChangeRoles { account_id, roles } => {
                let mask = self.root().roles.get().mask_of(roles)?;
                self.change_member_roles(account_id, mask)?;
                let roles = self.root().roles.get().names_of(mask);
                DaoEvent::MemberRolesChanged { account_id: account_id.clone(), roles, proposal_id }.emit();
            }
            ProposalKind::ChangePolicy { label, policy, agent_suspenders } => {
                validate_policy(policy)?;
                if let Some(names) = agent_suspenders {
                    self.root().roles.get().check_role_list(names)?;
                }
                let table = self.root_mut().policies.get_mut();
                match label {
                    Some(l) => {
                        table.per_kind.insert(*l, *policy);
                    }
                    None => table.default = *policy,
                }
                if let Some(names) = agent_suspenders {
                    table.agent_suspenders = names.clone();
                }
                DaoEvent::VotePolicyChanged {
                    label: *label,
                    policy: *policy,
                    agent_suspenders: agent_suspenders.clone(),
                    proposal_id,
                }
                .emit();
            }
            ProposalKind::ChangeRolePermissions { role, can_propose, can_vote } => {
                self.set_role_permissions(role, *can_propose, *can_vote)?;
                DaoEvent::RolePermissionsChanged {
                    role: role.clone(),
                    can_propose: *can_propose,
                    can_vote: *can_vote,
                    proposal_id,
                }
                .emit();
            }
            ProposalKind::SetCommunityContracts { registry, attestation, consent } => {
                if let Some(a) = registry {
                    self.root_mut().community.registry = Some(a.clone());
                }
                if let Some(a) = attestation {
                    self.root_mut().community.attestation = Some(a.clone());
                }
                if let Some(a) = consent {
                    self.root_mut().community.consent = Some(a.clone());
                }
                DaoEvent::CommunityContractsChanged { community: self.root().community.clone(), proposal_id }.emit();
            }
            ProposalKind::RegisterAgent { .. }
            | ProposalKind::UpdateAgent { .. }
            | ProposalKind::SuspendAgent { .. }
            | ProposalKind::RetireAgent { .. } => self.apply_agent_kind(id, kind)?,
            ProposalKind::AddMembers { members } => self.apply_add_members(id, members)?,
            ProposalKind::RemoveMembers { account_ids } => self.apply_remove_members(id, account_ids)?,
            ProposalKind::ApproveMembershipList { root, claim_deadline } => {
                crate::membership::apply_membership_list(id, root, claim_deadline.0)?
            }
            _ => return Err("not an internal proposal kind".into()),
        }
        Ok(())
    }

    /// Gas the promise of an external kind needs (without the callback).
    fn external_gas(kind: &ProposalKind) -> Gas {
        match kind {
            ProposalKind::Transfer { .. } => Gas::from_gas(0),
            ProposalKind::FunctionCalls { actions, .. } => Gas::from_gas(actions.iter().map(|a| a.gas.0).sum()),
            ProposalKind::UpgradeSelf { .. } => MIGRATE_GAS,
            ProposalKind::UpgradeContract { .. } => crate::upgrade::UPGRADE_CONTRACT_GAS,
            _ => COMMUNITY_CALL_GAS,
        }
    }

    /// Builds the promise of a kind that acts outside the DAO.
    fn external_promise(&self, kind: &ProposalKind) -> Result<Promise, String> {
        Ok(match kind {
            ProposalKind::Transfer { receiver_id, amount } => {
                self.require_treasury(*amount, zero())?;
                Promise::new(receiver_id.clone()).transfer(*amount)
            }
            ProposalKind::FunctionCalls { receiver_id, actions } => {
                let total = actions.iter().fold(NearToken::from_yoctonear(0), |acc, a| acc.saturating_add(a.deposit));
                self.require_treasury(total, zero())?;
                actions.iter().fold(Promise::new(receiver_id.clone()), |promise, a| {
                    promise.function_call(a.method_name.clone(), a.args.0.clone(), a.deposit, Gas::from_gas(a.gas.0))
                })
            }
            ProposalKind::UpgradeSelf { code_hash, migrate_args } => {
                let code = env::storage_read(&crate::upgrade::code_key(code_hash))
                    .ok_or_else(|| format!("{ERR_CODE_NOT_FOUND}: {code_hash}"))?;
                // Deploying makes the account stake storage for the new code: a
                // spend like a transfer (counted whole, the old code's bytes aside).
                self.require_treasury(storage_cost(code.len() as u64), zero())?;
                let args = migrate_args.as_ref().map(|a| a.0.clone()).unwrap_or_default();
                Promise::new(env::current_account_id()).deploy_contract(code).function_call_weight(
                    "migrate",
                    args,
                    NearToken::from_yoctonear(0),
                    MIGRATE_GAS,
                    GasWeight(1),
                )
            }
            ProposalKind::ApproveModelVersion { model_id, version } => ext_model_registry::ext(self.registry()?)
                .with_static_gas(COMMUNITY_CALL_GAS)
                .approve_version(model_id.clone(), *version),
            ProposalKind::DeprecateModelVersion { model_id, version, reason } => {
                let registry = self.registry()?;
                self.require_treasury(VERSION_STATUS_DEPOSIT, VERSION_STATUS_DEPOSIT)?;
                ext_model_registry::ext(registry)
                    .with_static_gas(COMMUNITY_CALL_GAS)
                    .with_attached_deposit(VERSION_STATUS_DEPOSIT)
                    .deprecate_version(model_id.clone(), *version, reason.clone())
            }
            ProposalKind::RevokeModelVersion { model_id, version, reason } => {
                let registry = self.registry()?;
                self.require_treasury(VERSION_STATUS_DEPOSIT, VERSION_STATUS_DEPOSIT)?;
                ext_model_registry::ext(registry)
                    .with_static_gas(COMMUNITY_CALL_GAS)
                    .with_attached_deposit(VERSION_STATUS_DEPOSIT)
                    .revoke_version(model_id.clone(), *version, reason.clone())
            }
            ProposalKind::MoveAlias { model_id, alias, version } => {
                let registry = self.registry()?;
                self.require_treasury(ALIAS_DEPOSIT, ALIAS_DEPOSIT)?;
                ext_model_registry::ext(registry)
                    .with_static_gas(COMMUNITY_CALL_GAS)
                    .with_attached_deposit(ALIAS_DEPOSIT)
                    .set_alias(model_id.clone(), alias.clone(), *version)
            }
            ProposalKind::AdmitAttester { operator, public_keys, tee_kind, measurements, models, expires_at } => {
                let attestation = self.attestation()?;
                self.require_treasury(ATTESTER_DEPOSIT, ATTESTER_DEPOSIT)?;
                ext_inference_attestation::ext(attestation)
                    .with_static_gas(COMMUNITY_CALL_GAS)
                    .with_attached_deposit(ATTESTER_DEPOSIT)
                    .admit_attester(
                        operator.clone(),
                        public_keys.clone(),
                        tee_kind.clone(),
                        measurements.clone(),
                        models.clone(),
                        *expires_at,
                    )
            }
            ProposalKind::RevokeAttester { operator, reason } => ext_inference_attestation::ext(self.attestation()?)
                .with_static_gas(COMMUNITY_CALL_GAS)
                .revoke_attester(operator.clone(), reason.clone()),
            ProposalKind::RecordTrainingSnapshot { purpose, note } => {
                let consent = self.consent()?;
                self.require_treasury(SNAPSHOT_DEPOSIT, SNAPSHOT_DEPOSIT)?;
                ext_data_consent::ext(consent)
                    .with_static_gas(COMMUNITY_CALL_GAS)
                    .with_attached_deposit(SNAPSHOT_DEPOSIT)
                    .record_snapshot(*purpose, note.clone())
            }
            ProposalKind::UpgradeContract { contract, code_hash } => {
                self.upgrade_contract_promise(*contract, code_hash)?
            }
            // Arguments written as text: serde_json's `Value` would add kilobytes of wasm every vote loads.
            ProposalKind::SetTeePolicy { tee_policy } => {
                let policy = near_sdk::serde_json::to_string(tee_policy).map_err(|e| e.to_string())?;
                self.tee_call("set_tee_policy", format!("{{\"policy\":{policy}}}").into_bytes(), TEE_DEPOSIT)?
            }
            ProposalKind::ApproveTeeMeasurements { tee_measurements } => {
                let args = near_sdk::serde_json::to_vec(tee_measurements).map_err(|e| e.to_string())?;
                self.tee_call("approve_tee_measurements", args, TEE_DEPOSIT)?
            }
            ProposalKind::ApproveTeeAppEvent { tee_measurements } => {
                let mut args = near_sdk::serde_json::to_vec(tee_measurements).map_err(|e| e.to_string())?;
                // The same object with the flag: `{...}` becomes `{...,"rtmr3_is_event":true}`.
                args.pop();
                args.extend_from_slice(b",\"rtmr3_is_event\":true}");
                self.tee_call("approve_tee_measurements", args, TEE_DEPOSIT)?
            }
            ProposalKind::WithdrawTeeMeasurements { measurement_set, reason } => {
                let reason = near_sdk::serde_json::to_string(reason).map_err(|e| e.to_string())?;
                let args = format!("{{\"id\":\"{measurement_set}\",\"reason\":{reason}}}");
                self.tee_call("withdraw_tee_measurements", args.into_bytes(), NearToken::from_yoctonear(0))?
            }
            // A PPID is lowercase hex (checked at add_proposal): no escaping needed.
            ProposalKind::AllowTeePlatform { ppid } => {
                self.tee_call("allow_tee_platform", ["{\"ppid\":\"", ppid, "\"}"].concat().into_bytes(), TEE_DEPOSIT)?
            }
            ProposalKind::WithdrawTeePlatform { ppid, reason } => {
                let reason = near_sdk::serde_json::to_string(reason).map_err(|e| e.to_string())?;
                let args = ["{\"ppid\":\"", ppid, "\",\"reason\":", &reason, "}"].concat();
                self.tee_call("withdraw_tee_platform", args.into_bytes(), NearToken::from_yoctonear(0))?
            }
            _ => return Err("not an external proposal kind".into()),
        })
    }

    /// A call to the attestation contract's admission-by-quote owner methods.
    fn tee_call(&self, method: &str, args: Vec<u8>, deposit: NearToken) -> Result<Promise, String> {
        let attestation = self.attestation()?;
        // The proposal reserved its deposit at creation (treasury.rs).
        self.require_treasury(deposit, deposit)?;
        Ok(Promise::new(attestation).function_call(method.to_string(), args, deposit, COMMUNITY_CALL_GAS))
    }

    fn mark_executed(&mut self, id: u64, p: &mut Proposal) {
        self.move_status(id, p, ProposalStatus::Executed);
        self.release_execution(p);
        p.executed_at = env::block_timestamp();
        DaoEvent::ProposalExecuted { id: U64(id), kind: p.kind, attempt: p.execution_attempts }.emit();
    }

    fn mark_failed(&mut self, id: u64, p: &mut Proposal, reason: String) {
        self.move_status(id, p, ProposalStatus::Failed);
        DaoEvent::ProposalExecutionFailed { id: U64(id), kind: p.kind, attempt: p.execution_attempts, reason }.emit();
    }
}

#[near]
impl Contract {
    /// Executes a passed (or failed, to retry) proposal once its timelock is over.
    /// Caller: anyone; the caller pays the gas. No deposit. Internal kinds apply at
    /// once and emit their own event plus `proposal_executed` (or
    /// `proposal_execution_failed`, recorded, retryable). External kinds emit
    /// `proposal_execution_started` and report through `on_execute`.
    pub fn execute(&mut self, id: U64) -> PromiseOrValue<ProposalStatus> {
        let id = id.0;
        let mut p = self.proposal(id);
        match p.status {
            ProposalStatus::Passed | ProposalStatus::Failed => {}
            ProposalStatus::Executed => env::panic_str(ERR_ALREADY_EXECUTED),
            other => env::panic_str(&format!("{ERR_NOT_PASSED}: status is {}", other.as_str())),
        }
        if p.executing {
            env::panic_str(ERR_IN_FLIGHT);
        }
        let executable_at = p.decided_at + p.policy.timelock_ns.0;
        if env::block_timestamp() < executable_at {
            env::panic_str(&format!("{ERR_TIMELOCK}: executable at {executable_at}"));
        }
        let kind =
            self.proposal_bodies.get(&id).map(|b| b.kind).unwrap_or_else(|| env::panic_str(ERR_PROPOSAL_NOT_FOUND));
        if !p.kind.is_internal() {
            let needed = Self::external_gas(&kind).saturating_add(CALLBACK_GAS).saturating_add(EXECUTE_OVERHEAD);
            let left = env::prepaid_gas().saturating_sub(env::used_gas());
            if left < needed {
                env::panic_str(&format!(
                    "{ERR_GAS}: this execution needs {} Tgas, attached {} Tgas",
                    needed.as_tgas(),
                    env::prepaid_gas().as_tgas()
                ));
            }
        }
        p.execution_attempts += 1;
        let result = if p.kind.is_internal() {
            self.apply_internal(id, &kind).map(|_| None)
        } else {
            self.external_promise(&kind).map(Some)
        };
        let out = match result {
            Ok(None) => {
                self.mark_executed(id, &mut p);
                PromiseOrValue::Value(p.status)
            }
            Ok(Some(promise)) => {
                p.executing = true;
                DaoEvent::ProposalExecutionStarted { id: U64(id), kind: p.kind, attempt: p.execution_attempts }.emit();
                let callback = Self::ext(env::current_account_id()).with_static_gas(CALLBACK_GAS).on_execute(U64(id));
                PromiseOrValue::Promise(promise.then(callback))
            }
            Err(reason) => {
                self.mark_failed(id, &mut p, reason);
                PromiseOrValue::Value(p.status)
            }
        };
        self.proposals.set(&id, &p);
        out
    }

    /// Callback of an external execution: records Executed or Failed.
    /// Caller: the DAO itself only. Emits `proposal_executed` or
    /// `proposal_execution_failed`.
    #[private]
    pub fn on_execute(&mut self, id: U64) -> ProposalStatus {
        require!(env::predecessor_account_id() == env::current_account_id(), ERR_PRIVATE);
        let mut p = self.proposal(id.0);
        if !p.executing {
            env::panic_str(ERR_NO_EXECUTION);
        }
        p.executing = false;
        let succeeded = env::promise_results_count() == 1
            && !matches!(env::promise_result_checked(0, 0), Err(PromiseError::Failed));
        if succeeded {
            self.mark_executed(id.0, &mut p);
        } else {
            self.mark_failed(id.0, &mut p, "cross-contract call failed".into());
        }
        let status = p.status;
        self.proposals.set(&id.0, &p);
        status
    }
}
