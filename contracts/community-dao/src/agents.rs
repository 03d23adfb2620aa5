//! Community AI agents: accounts the DAO registers by proposal with a mandate
//! (URI and hash of the text they must follow), the model they must run
//! (registry model id and version, or an alias resolved when they vote), the
//! proposal kinds they may vote on and propose, and an expiry. Members may
//! delegate to an agent; an agent votes with the weight delegated to it (it
//! has none of its own) and must cite an inference receipt of the
//! community's attestation contract.
//!
//! An agent's vote is two steps. `vote_as_agent` checks everything the DAO
//! knows (agent active, kind in its mandate, proposal open, no earlier vote,
//! some weight) and asks the attestation contract for the receipt (and the
//! registry for the alias, when the mandate names one); the private callback
//! `on_agent_vote` checks the receipt (requester is the agent, model and
//! version match the mandate, attester not revoked, signed after the proposal
//! was created), checks the DAO side again (the proposal may have closed, the
//! agent been suspended or a concurrent vote landed meanwhile) and records
//! the vote with the receipt id. Nothing is written before the callback: a
//! refusal, at either step, fails the transaction with its error and leaves
//! no trace, so there is nothing to reserve or release (see the README).
//!
//! The DAO suspends or retires an agent by proposal, and changes its mandate
//! in place by proposal (`update_agent`: same account, status, delegations
//! and log). If the policy names roles in `agent_suspenders`, a member holding
//! one may also suspend an agent at once (`suspend_agent`); the community
//! re-activates it by a `register_agent` proposal, or retires it.
//!
//! Every action of an agent (registered, voted, proposed, mandate changed,
//! suspended, retired) is appended to its action log (`get_agent_actions`)
//! and has its event.

use crate::delegation::{received_on, withdrawn};
use crate::errors::*;
use crate::events::{AgentMandateEvent, DaoEvent};
use crate::types::*;
use crate::votes::read_vote;
use crate::{check_ok, storage_key, Contract, ContractExt, StorageKey, MAX_REASON_LEN};
use ai_commons_primitives::interfaces::{ext_inference_attestation, ext_model_registry};
use ai_commons_primitives::{validate_bounded, validate_slug, Digest32, ModelId, Page, StorageMeter, VersionNumber};
use near_sdk::json_types::U64;
use near_sdk::serde::Deserialize;
use near_sdk::{borsh, env, near, require, AccountId, Gas, Promise, PromiseError};

/// Gas for the attestation contract's `get_receipt` and the registry's `alias_version`.
pub const AGENT_VIEW_GAS: Gas = Gas::from_tgas(4);
/// Gas for `on_agent_vote`.
pub const AGENT_CALLBACK_GAS: Gas = Gas::from_tgas(4);
pub const MAX_URI_LEN: usize = 512;

#[near(serializers = [borsh, json])]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AgentStatus {
    Active,
    Suspended,
    Retired,
}

/// A registered agent. `version` or `alias` names the model it must run.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agent {
    pub mandate_uri: String,
    pub mandate_hash: Digest32,
    pub model_id: ModelId,
    pub version: Option<VersionNumber>,
    pub alias: Option<String>,
    pub can_vote: KindSet,
    pub can_propose: KindSet,
    pub expires_at: u64,
    pub status: AgentStatus,
    /// The proposal that registered it.
    pub registered_by: u64,
    /// Length of its action log.
    pub actions: u32,
}

impl Agent {
    pub fn is_active(&self, now: u64) -> bool {
        self.status == AgentStatus::Active && now < self.expires_at
    }
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentView {
    pub account_id: AccountId,
    pub mandate_uri: String,
    pub mandate_hash: Digest32,
    pub model_id: ModelId,
    pub version: Option<VersionNumber>,
    pub alias: Option<String>,
    pub can_vote: KindSet,
    pub can_propose: KindSet,
    pub expires_at: U64,
    pub status: AgentStatus,
    pub registered_by: U64,
    pub action_count: u32,
}

#[near(serializers = [borsh, json])]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AgentActionKind {
    Registered,
    Voted,
    Proposed,
    Suspended,
    Retired,
    /// Its mandate was replaced by an `update_agent` proposal.
    MandateChanged,
}

/// One entry of an agent's action log.
///
/// Borsh: the fields as derived, with `proposal_id` as a plain `u64`, then,
/// for an action taken without a proposal (a suspension at once), `by` and
/// `reason`; such an entry's `proposal_id` is `None` and its stored id unused.
/// Entries of proposals keep the layout they always had.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentAction {
    pub action: AgentActionKind,
    /// The proposal voted on, made, or that registered / changed / suspended /
    /// retired it; `None` for a suspension at once (see `by`).
    pub proposal_id: Option<U64>,
    pub at: U64,
    pub choice: Option<VoteChoice>,
    /// The inference receipt a vote cited.
    pub receipt_id: Option<U64>,
    /// Weight a vote carried.
    pub weight: Option<u32>,
    /// The member who suspended it at once (`suspend_agent`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<AccountId>,
    /// Why, for a suspension at once (a proposal's reason is in the proposal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl borsh::BorshSerialize for AgentAction {
    fn serialize<W: std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        use borsh::BorshSerialize as S;
        S::serialize(&self.action, w)?;
        S::serialize(&self.proposal_id.map_or(0, |id| id.0), w)?;
        S::serialize(&self.at.0, w)?;
        S::serialize(&self.choice, w)?;
        S::serialize(&self.receipt_id.map(|r| r.0), w)?;
        S::serialize(&self.weight, w)?;
        if let Some(by) = &self.by {
            S::serialize(by, w)?;
            S::serialize(self.reason.as_deref().unwrap_or_default(), w)?;
        }
        Ok(())
    }
}

impl borsh::BorshDeserialize for AgentAction {
    fn deserialize_reader<R: std::io::Read>(r: &mut R) -> std::io::Result<Self> {
        use borsh::BorshDeserialize as D;
        let action = D::deserialize_reader(r)?;
        let proposal_id = u64::deserialize_reader(r)?;
        let at = u64::deserialize_reader(r)?;
        let choice = D::deserialize_reader(r)?;
        let receipt_id = Option::<u64>::deserialize_reader(r)?.map(U64);
        let weight = D::deserialize_reader(r)?;
        // `by` (an account id: length, then bytes) and `reason`, or the end of the entry.
        let by = match crate::types::trailing_u32(r)? {
            Some(len) => {
                let mut bytes = vec![0; len as usize];
                r.read_exact(&mut bytes)?;
                let invalid = || std::io::Error::from(std::io::ErrorKind::InvalidData);
                let text = String::from_utf8(bytes).map_err(|_| invalid())?;
                Some(text.parse::<AccountId>().map_err(|_| invalid())?)
            }
            None => None,
        };
        let reason = match by {
            Some(_) => Some(String::deserialize_reader(r)?),
            None => None,
        };
        let proposal_id = by.is_none().then_some(U64(proposal_id));
        Ok(AgentAction { action, proposal_id, at: U64(at), choice, receipt_id, weight, by, reason })
    }
}

/// The part of the attestation contract's `get_receipt` answer the DAO checks.
#[derive(Deserialize)]
#[serde(crate = "near_sdk::serde")]
struct ReceiptCheck {
    receipt: SignedFields,
    attester_revoked: bool,
}

#[derive(Deserialize)]
#[serde(crate = "near_sdk::serde")]
struct SignedFields {
    model_id: String,
    version: VersionNumber,
    requester: AccountId,
    timestamp: U64,
}

/// The reason of a suspension or retirement: not blank, at most [`MAX_REASON_LEN`] bytes.
fn check_reason(reason: &str) -> Result<(), String> {
    if reason.trim().is_empty() {
        return Err(ERR_EMPTY_REASON.into());
    }
    validate_bounded("reason", reason, MAX_REASON_LEN)
}

fn agent_key(account_id: &AccountId) -> Vec<u8> {
    storage_key(StorageKey::Agents, account_id)
}

fn action_key(account_id: &AccountId, n: u32) -> Vec<u8> {
    storage_key(StorageKey::AgentActions, &(account_id, n))
}

fn result_json<T: near_sdk::serde::de::DeserializeOwned>(index: u64) -> T {
    match env::promise_result_checked(index, 16 * 1024) {
        Ok(bytes) => near_sdk::serde_json::from_slice(&bytes).unwrap_or_else(|_| env::panic_str(ERR_RECEIPT_CALL)),
        Err(PromiseError::Failed) | Err(_) => env::panic_str(ERR_RECEIPT_CALL),
    }
}

/// Bytes the action-log entry of a proposal made by `account_id` stores (the
/// agent pays them with its proposal's storage).
pub(crate) fn proposed_action_bytes(account_id: &AccountId) -> u64 {
    let entry = Contract::entry(AgentActionKind::Proposed, Some(0));
    let value = borsh::to_vec(&entry).map_or(0, |v| v.len() as u64);
    crate::proposals::RECORD_OVERHEAD + action_key(account_id, 0).len() as u64 + value
}

impl Contract {
    pub(crate) fn agent(&self, account_id: &AccountId) -> Option<Agent> {
        env::storage_read(&agent_key(account_id))
            .map(|b| borsh::from_slice(&b).unwrap_or_else(|_| env::panic_str(ERR_BAD_STATE)))
    }

    fn set_agent(&self, account_id: &AccountId, agent: &Agent) {
        let bytes = borsh::to_vec(agent).unwrap_or_else(|_| env::panic_str(ERR_BAD_STATE));
        env::storage_write(&agent_key(account_id), &bytes);
    }

    /// Appends to `account_id`'s action log (the caller writes `agent` back).
    pub(crate) fn log_agent_action(&self, account_id: &AccountId, agent: &mut Agent, entry: AgentAction) {
        let bytes = borsh::to_vec(&entry).unwrap_or_else(|_| env::panic_str(ERR_BAD_STATE));
        env::storage_write(&action_key(account_id, agent.actions), &bytes);
        agent.actions += 1;
    }

    fn entry(action: AgentActionKind, proposal_id: Option<u64>) -> AgentAction {
        AgentAction {
            action,
            proposal_id: proposal_id.map(U64),
            at: U64(env::block_timestamp()),
            choice: None,
            receipt_id: None,
            weight: None,
            by: None,
            reason: None,
        }
    }

    /// The roles whose holders may suspend an agent at once (policy `agent_suspenders`).
    fn agent_suspender_roles(&self) -> RoleMask {
        let table = self.root().roles.get();
        self.root()
            .policies
            .get()
            .agent_suspenders
            .iter()
            .filter_map(|name| table.index_of(name))
            .fold(0, |mask, i| mask | (1 << i))
    }

    /// Whether `account_id` is an active agent that may propose `label`.
    pub(crate) fn agent_may_propose(&self, account_id: &AccountId, label: KindLabel) -> bool {
        self.agent(account_id).is_some_and(|a| a.is_active(env::block_timestamp()) && a.can_propose.contains(label))
    }

    /// Logs a proposal made by an agent (from `add_proposal`).
    pub(crate) fn agent_proposed(&self, account_id: &AccountId, id: u64) {
        if let Some(mut agent) = self.agent(account_id) {
            self.log_agent_action(account_id, &mut agent, Self::entry(AgentActionKind::Proposed, Some(id)));
            self.set_agent(account_id, &agent);
        }
    }

    /// The mandate fields of `register_agent` and `update_agent`.
    fn validate_mandate(
        &self,
        mandate_uri: &str,
        model_id: &str,
        version: &Option<VersionNumber>,
        alias: &Option<String>,
        can_vote: KindSet,
        expires_at: U64,
    ) -> Result<(), String> {
        self.attestation()?;
        validate_bounded("mandate uri", mandate_uri, MAX_URI_LEN)?;
        if mandate_uri.is_empty() {
            return Err(ERR_EMPTY_MANDATE.into());
        }
        validate_slug("model id", model_id)?;
        match (version, alias) {
            (Some(v), None) if *v > 0 => {}
            (None, Some(a)) => {
                validate_slug("alias", a)?;
                self.registry()?;
            }
            _ => return Err(ERR_AGENT_MODEL.into()),
        }
        if can_vote == KindSet::NONE {
            return Err(ERR_EMPTY_SCOPE.into());
        }
        if expires_at.0 <= env::block_timestamp() {
            return Err(ERR_EXPIRY_PAST.into());
        }
        Ok(())
    }

    /// A registered agent, or the error naming the account.
    fn known_agent(&self, account_id: &AccountId) -> Result<Agent, String> {
        self.agent(account_id).ok_or_else(|| err_with(ERR_UNKNOWN_AGENT, account_id.as_str()))
    }

    /// Checks the arguments of the agent kinds (at creation and again at execution).
    pub(crate) fn validate_agent_kind(&self, kind: &ProposalKind) -> Result<(), String> {
        match kind {
            ProposalKind::RegisterAgent {
                account_id,
                mandate_uri,
                model_id,
                version,
                alias,
                can_vote,
                expires_at,
                ..
            } => {
                self.validate_mandate(mandate_uri, model_id, version, alias, *can_vote, *expires_at)?;
                if self.members.contains_key(account_id) {
                    return Err(err_with(ERR_AGENT_IS_MEMBER, account_id.as_str()));
                }
                if self.agent(account_id).is_some_and(|a| a.status != AgentStatus::Suspended) {
                    return Err(err_with(ERR_AGENT_EXISTS, account_id.as_str()));
                }
            }
            ProposalKind::UpdateAgent {
                account_id,
                mandate_uri,
                model_id,
                version,
                alias,
                can_vote,
                expires_at,
                ..
            } => {
                self.validate_mandate(mandate_uri, model_id, version, alias, *can_vote, *expires_at)?;
                if self.known_agent(account_id)?.status == AgentStatus::Retired {
                    return Err(err_with(ERR_AGENT_RETIRED, account_id.as_str()));
                }
            }
            ProposalKind::SuspendAgent { account_id, reason } | ProposalKind::RetireAgent { account_id, reason } => {
                check_reason(reason)?;
                let agent = self.known_agent(account_id)?;
                let suspend = matches!(kind, ProposalKind::SuspendAgent { .. });
                if agent.status == AgentStatus::Retired || (suspend && agent.status == AgentStatus::Suspended) {
                    return Err(err_with(ERR_AGENT_STATUS, account_id.as_str()));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Executes an agent kind (validated again first, so an `Err` changes nothing).
    pub(crate) fn apply_agent_kind(&mut self, id: u64, kind: &ProposalKind) -> Result<(), String> {
        self.validate_agent_kind(kind)?;
        let proposal_id = U64(id);
        match kind {
            ProposalKind::RegisterAgent {
                account_id,
                mandate_uri,
                mandate_hash,
                model_id,
                version,
                alias,
                can_vote,
                can_propose,
                expires_at,
            }
            | ProposalKind::UpdateAgent {
                account_id,
                mandate_uri,
                mandate_hash,
                model_id,
                version,
                alias,
                can_vote,
                can_propose,
                expires_at,
            } => {
                let register = matches!(kind, ProposalKind::RegisterAgent { .. });
                let old = self.agent(account_id);
                let mut agent = Agent {
                    mandate_uri: mandate_uri.clone(),
                    mandate_hash: *mandate_hash,
                    model_id: model_id.clone(),
                    version: *version,
                    alias: alias.clone(),
                    can_vote: *can_vote,
                    can_propose: *can_propose,
                    expires_at: expires_at.0,
                    // An update keeps the status (validated: not retired) and the registering proposal.
                    status: if register {
                        AgentStatus::Active
                    } else {
                        old.as_ref().map_or(AgentStatus::Active, |a| a.status)
                    },
                    registered_by: if register { id } else { old.as_ref().map_or(id, |a| a.registered_by) },
                    actions: old.map_or(0, |a| a.actions),
                };
                let action = if register { AgentActionKind::Registered } else { AgentActionKind::MandateChanged };
                self.log_agent_action(account_id, &mut agent, Self::entry(action, Some(id)));
                self.set_agent(account_id, &agent);
                let data = AgentMandateEvent {
                    account_id: account_id.clone(),
                    mandate_uri: mandate_uri.clone(),
                    mandate_hash: *mandate_hash,
                    model_id: model_id.clone(),
                    version: *version,
                    alias: alias.clone(),
                    can_vote: *can_vote,
                    can_propose: *can_propose,
                    expires_at: *expires_at,
                    proposal_id,
                };
                if register { DaoEvent::AgentRegistered(data) } else { DaoEvent::AgentMandateChanged(data) }.emit();
            }
            ProposalKind::SuspendAgent { account_id, reason } | ProposalKind::RetireAgent { account_id, reason } => {
                let mut agent = self.known_agent(account_id)?;
                let (status, action) = match kind {
                    ProposalKind::SuspendAgent { .. } => (AgentStatus::Suspended, AgentActionKind::Suspended),
                    _ => (AgentStatus::Retired, AgentActionKind::Retired),
                };
                agent.status = status;
                self.log_agent_action(account_id, &mut agent, Self::entry(action, Some(id)));
                self.set_agent(account_id, &agent);
                DaoEvent::AgentStatusChanged {
                    account_id: account_id.clone(),
                    status,
                    reason: reason.clone(),
                    proposal_id: Some(proposal_id),
                    by: None,
                }
                .emit();
            }
            _ => return Err("not an agent proposal kind".into()),
        }
        Ok(())
    }

    /// The DAO-side checks of an agent's vote; returns the agent and its weight.
    fn check_agent_vote(&self, id: u64, p: &Proposal, agent_id: &AccountId) -> (Agent, u32) {
        let now = env::block_timestamp();
        let agent = self.agent(agent_id).unwrap_or_else(|| env::panic_str(ERR_NOT_AGENT));
        if !agent.is_active(now) {
            env::panic_str(ERR_AGENT_INACTIVE);
        }
        if p.status != ProposalStatus::Active {
            env::panic_str(ERR_NOT_ACTIVE);
        }
        if now >= p.deadline {
            env::panic_str(ERR_VOTING_OVER);
        }
        if !agent.can_vote.contains(p.kind) {
            env::panic_str(ERR_AGENT_SCOPE);
        }
        if read_vote(id, agent_id).is_some() {
            env::panic_str(ERR_AGENT_VOTED);
        }
        let weight = received_on(agent_id, id, p).saturating_sub(withdrawn(id, agent_id));
        if weight == 0 {
            env::panic_str(ERR_AGENT_NO_WEIGHT);
        }
        (agent, weight)
    }
}

#[near]
impl Contract {
    /// An agent's vote on an open proposal, citing inference receipt
    /// `receipt_id` of the community's attestation contract. Caller: an active
    /// agent whose mandate covers the proposal's kind and which carries
    /// delegated weight on it. No deposit. Attach at least 15 Tgas. Emits
    /// nothing itself: `on_agent_vote` records the vote (`vote_cast` with the
    /// receipt id) or fails with the reason.
    pub fn vote_as_agent(&mut self, id: U64, choice: VoteChoice, receipt_id: U64, reason: Option<String>) -> Promise {
        if let Some(r) = &reason {
            check_ok(validate_bounded("reason", r, MAX_REASON_LEN));
        }
        let agent_id = env::predecessor_account_id();
        let p = self.proposal(id.0);
        let (agent, _) = self.check_agent_vote(id.0, &p, &agent_id);
        let attestation = check_ok(self.attestation());
        let receipt =
            ext_inference_attestation::ext(attestation).with_static_gas(AGENT_VIEW_GAS).get_receipt(receipt_id);
        let checks = match &agent.alias {
            Some(alias) => receipt.and(
                ext_model_registry::ext(check_ok(self.registry()))
                    .with_static_gas(AGENT_VIEW_GAS)
                    .alias_version(agent.model_id.clone(), alias.clone()),
            ),
            None => receipt,
        };
        checks.then(
            Self::ext(env::current_account_id())
                .with_static_gas(AGENT_CALLBACK_GAS)
                .on_agent_vote(id, agent_id, choice, receipt_id, reason),
        )
    }

    /// Callback of `vote_as_agent`: checks the receipt (and the alias) and the
    /// DAO side again, then records the vote. Caller: the DAO itself only
    /// (arguments in borsh: a JSON reader per callback would grow the wasm).
    /// Emits `vote_cast` (with `receipt_id` and `weight`), and
    /// `proposal_status_changed` when the vote decides the proposal.
    #[private]
    pub fn on_agent_vote(
        &mut self,
        #[serializer(borsh)] id: U64,
        #[serializer(borsh)] agent_id: AccountId,
        #[serializer(borsh)] choice: VoteChoice,
        #[serializer(borsh)] receipt_id: U64,
        #[serializer(borsh)] reason: Option<String>,
    ) -> ProposalStatus {
        require!(env::predecessor_account_id() == env::current_account_id(), ERR_PRIVATE);
        let mut p = self.proposal(id.0);
        let (mut agent, weight) = self.check_agent_vote(id.0, &p, &agent_id);
        let found: Option<ReceiptCheck> = result_json(0);
        let r = found.unwrap_or_else(|| env::panic_str(ERR_RECEIPT_NOT_FOUND));
        if r.receipt.requester != agent_id {
            env::panic_str(ERR_RECEIPT_REQUESTER);
        }
        let version = match &agent.alias {
            Some(_) => {
                let alias: Option<VersionNumber> = result_json(1);
                alias.unwrap_or_else(|| env::panic_str(ERR_ALIAS_UNSET))
            }
            None => agent.version.unwrap_or_default(),
        };
        if r.receipt.model_id != agent.model_id || r.receipt.version != version {
            env::panic_str(ERR_RECEIPT_MODEL);
        }
        if r.attester_revoked {
            env::panic_str(ERR_RECEIPT_ATTESTER_REVOKED);
        }
        if r.receipt.timestamp.0 <= p.created_at {
            env::panic_str(ERR_RECEIPT_TOO_OLD);
        }
        let entry = AgentAction {
            choice: Some(choice),
            receipt_id: Some(receipt_id),
            weight: Some(weight),
            ..Self::entry(AgentActionKind::Voted, Some(id.0))
        };
        self.log_agent_action(&agent_id, &mut agent, entry);
        self.set_agent(&agent_id, &agent);
        let cast = crate::votes::Cast { weight, overrode: None, receipt: Some(receipt_id.0), reason };
        self.record_vote(id.0, &mut p, agent_id, choice, cast);
        let status = p.status;
        self.proposals.set(&id.0, &p);
        status
    }

    /// Suspends community agent `account_id` at once, without a proposal: it
    /// casts no further vote, and its delegators vote themselves. The
    /// community re-activates it (`register_agent`) or retires it by proposal.
    /// Caller: a member holding a role the policy names in `agent_suspenders`
    /// (none by default; set by a `change_policy` proposal). `reason`: not
    /// blank, at most 280 bytes. Deposit: the storage of the action-log entry
    /// (the caller's id and the reason: 0.01 NEAR covers any), the rest is
    /// refunded. Emits `agent_status_changed` with `by` and no `proposal_id`.
    #[payable]
    pub fn suspend_agent(&mut self, account_id: AccountId, reason: String) {
        let meter = StorageMeter::start();
        let caller = env::predecessor_account_id();
        let member = self.members.get(&caller).unwrap_or_else(|| env::panic_str(ERR_NOT_MEMBER));
        if member.roles & self.agent_suspender_roles() == 0 {
            env::panic_str(ERR_CANNOT_SUSPEND);
        }
        check_ok(check_reason(&reason));
        let mut agent = check_ok(self.known_agent(&account_id));
        if agent.status != AgentStatus::Active {
            env::panic_str(&err_with(ERR_AGENT_STATUS, account_id.as_str()));
        }
        agent.status = AgentStatus::Suspended;
        let entry = AgentAction {
            by: Some(caller.clone()),
            reason: Some(reason.clone()),
            ..Self::entry(AgentActionKind::Suspended, None)
        };
        self.log_agent_action(&account_id, &mut agent, entry);
        self.set_agent(&account_id, &agent);
        meter.charge(&caller, env::attached_deposit());
        DaoEvent::AgentStatusChanged {
            account_id,
            status: AgentStatus::Suspended,
            reason,
            proposal_id: None,
            by: Some(caller),
        }
        .emit();
    }

    /// A registered agent (any status); `None` for an unknown account.
    pub fn get_agent(&self, account_id: AccountId) -> Option<AgentView> {
        let a = self.agent(&account_id)?;
        Some(AgentView {
            account_id,
            mandate_uri: a.mandate_uri,
            mandate_hash: a.mandate_hash,
            model_id: a.model_id,
            version: a.version,
            alias: a.alias,
            can_vote: a.can_vote,
            can_propose: a.can_propose,
            expires_at: U64(a.expires_at),
            status: a.status,
            registered_by: U64(a.registered_by),
            action_count: a.actions,
        })
    }

    /// An agent's actions, oldest first: registration, votes (with the receipt
    /// each cited), proposals, suspension, retirement. `from_index` / `limit`:
    /// default 20, at most 100.
    pub fn get_agent_actions(
        &self,
        account_id: AccountId,
        from_index: Option<u64>,
        limit: Option<u32>,
    ) -> Vec<AgentAction> {
        let count = self.agent(&account_id).map_or(0, |a| a.actions);
        Page::new(from_index, limit)
            .range(count as u64)
            .filter_map(|i| {
                let bytes = env::storage_read(&action_key(&account_id, i as u32))?;
                borsh::from_slice(&bytes).ok()
            })
            .collect()
    }
}
