//! community-dao: the community's government. Members with roles, vote policies
//! per proposal kind, snapshot voting whose cost does not grow with the
//! community, and typed proposals that act on the DAO itself, move NEAR, call
//! contracts, upgrade the DAO, and govern the community's model registry,
//! attester set and consent snapshots.
//!
//! Layout: `lib.rs` (state, init, storage keys), `types.rs`, `kind_json.rs`
//! (JSON input of proposal kinds), `base64.rs` (bytes as base64 in JSON),
//! `errors.rs`, `events.rs`, `members.rs` (roles, members, electorate counts),
//! `membership.rs` (batch add/remove, Merkle membership lists and claims,
//! leaving), `outcome.rs` (voting arithmetic), `proposals.rs` (create, cancel, finalize,
//! status index, bond), `votes.rs`, `execution.rs`, `upgrade.rs`, `views.rs`,
//! `table.rs` (uncached storage maps), `delegation.rs` (delegation, weights,
//! override), `agents.rs` (community AI agents and their receipt-checked votes).

mod agents;
mod base64;
mod delegation;
mod errors;
mod events;
mod execution;
mod kind_json;
mod members;
mod membership;
mod named_enum;
mod outcome;
mod proposals;
mod table;
mod treasury;
mod types;
mod upgrade;
mod views;
mod votes;

#[cfg(test)]
mod tests;

pub use agents::{Agent, AgentAction, AgentActionKind, AgentStatus, AgentView};
pub use base64::Base64Bytes;
pub use delegation::{DelegationView, MAX_BUCKETS};
pub use errors::*;
pub use events::DaoEvent;
pub use members::{RoleCombo, RoleTable};
pub use membership::{MembershipList, MembershipListView, MAX_BATCH_MEMBERS};
pub use outcome::{decide, Outcome};
pub use treasury::{LAST_VOTER_GROWTH, MAX_VOTE_BYTES, VOTING_BYTES_PER_MEMBER};
pub use types::*;

use ai_commons_primitives::{validate_bounded, StateVersion};
use near_sdk::json_types::U64;
use near_sdk::state::ContractState;
use near_sdk::store::{Lazy, Vector};
use near_sdk::{env, near, AccountId, BorshStorageKey, NearToken, PanicOnDefault};
use table::Table;

/// Layout version of the state this code reads and writes.
#[cfg(not(feature = "upgrade-test"))]
pub const STATE_VERSION: StateVersion = 1;
#[cfg(feature = "upgrade-test")]
pub const STATE_VERSION: StateVersion = 2;

/// What `contract_version()` reports.
#[cfg(not(feature = "upgrade-test"))]
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");
#[cfg(feature = "upgrade-test")]
pub const CONTRACT_VERSION: &str = "2.0.0-upgrade-test";

pub const MAX_NAME_LEN: usize = 128;
pub const MAX_PURPOSE_LEN: usize = 1024;
pub const MAX_METADATA_LEN: usize = 4096;
pub const MAX_DESCRIPTION_LEN: usize = 4096;
pub const MAX_REASON_LEN: usize = 280;
pub const MAX_ROLES: usize = 16;
pub const MAX_ROLES_PER_MEMBER: usize = 4;
pub const MAX_INITIAL_MEMBERS: usize = 100;
pub const MAX_ARGS_LEN: usize = 16 * 1024;

#[derive(BorshStorageKey, Clone, Copy)]
#[near]
pub(crate) enum StorageKey {
    Config,
    Policies,
    Roles,
    RoleCombos,
    Members,
    MemberList,
    Proposals,
    ProposalBodies,
    Votes,
    StatusIndex,
    Code,
    Delegations,
    DelegateHeads,
    DelegateCheckpoints,
    DelegatorList,
    Withdrawn,
    Agents,
    AgentActions,
    MembershipLists,
    MembershipClaims,
}

/// The DAO's root record, stored under near-sdk's `STATE` key: scalars and the
/// handles of the rarely read or growing parts (config text, policies, roles
/// behind a `Lazy`; the member list). A call reads it only when it touches one
/// of these fields, and writes it back only when its bytes changed: a vote that
/// does not decide its proposal never reads it at all.
#[near(serializers = [borsh])]
pub struct Root {
    /// Layout version; `migrate` brings older layouts up to [`STATE_VERSION`].
    pub(crate) state_version: StateVersion,
    /// Name, purpose, metadata (read only by views).
    pub(crate) config: Lazy<Config>,
    /// Default and per-kind vote policies (read at proposal creation).
    pub(crate) policies: Lazy<VotePolicies>,
    /// Roles and per-kind electorate counts (read at proposal creation and membership changes).
    pub(crate) roles: Lazy<RoleTable>,
    /// Member count per distinct role combination, sorted by mask: lets role
    /// permission changes recompute electorates without visiting members.
    pub(crate) role_combos: Lazy<Vec<RoleCombo>>,
    /// Bond every proposal locks until it ends.
    pub(crate) proposal_bond: NearToken,
    /// The community's registry, attestation and consent contracts.
    pub(crate) community: CommunityContracts,
    /// Member accounts for listing; `Member::list_index` points here.
    pub(crate) member_list: Vector<AccountId>,
    pub(crate) status_counts: [u64; ProposalStatus::COUNT],
    pub(crate) next_proposal_id: u64,
    /// Sum of the bonds of proposals still holding one: not spendable.
    pub(crate) locked_bonds: NearToken,
    /// Storage open proposals may still make the DAO pay for (votes, execution): not spendable.
    pub(crate) reserved_bytes: u64,
    /// Fixed deposits passed proposals will send when executed: not spendable.
    pub(crate) reserved_deposits: NearToken,
}

/// The contract as a call sees it: the root record, loaded on first use, and
/// the per-item maps, whose prefixes are fixed and so need no stored handle.
/// Votes are stored per (proposal, voter) by `votes.rs` directly.
#[near_sdk::near_bindgen]
#[derive(PanicOnDefault)]
pub struct Contract {
    root: RootCell,
    /// One record per member.
    members: Table<AccountId, Member>,
    /// Proposal headers (status, snapshot, tally) by id.
    proposals: Table<u64, Proposal>,
    /// Proposal description and kind by id (immutable).
    proposal_bodies: Table<u64, ProposalBody>,
    /// Per-status index: (status, position) -> proposal id; `Proposal::status_pos`.
    status_index: Table<(u8, u64), u64>,
}

/// The root record, read on first access. Keeps the bytes it was read from
/// (`None` for a root made by this call: `new`, `migrate`) so that an unchanged
/// root is not written back; that write would cost ~0.1 Tgas (the
/// `storage_write` base fee, the bytes, the trie nodes on its path).
struct RootCell(std::cell::OnceCell<(Root, Option<Vec<u8>>)>);

impl RootCell {
    fn get(&self) -> &Root {
        &self
            .0
            .get_or_init(|| {
                let bytes =
                    env::storage_read(Contract::state_key()).unwrap_or_else(|| env::panic_str(ERR_NOT_INITIALIZED));
                let root = near_sdk::borsh::from_slice(&bytes).unwrap_or_else(|_| env::panic_str(ERR_BAD_STATE));
                (root, Some(bytes))
            })
            .0
    }

    fn get_mut(&mut self) -> &mut Root {
        self.get();
        &mut self.0.get_mut().unwrap_or_else(|| env::abort()).0
    }
}

impl Contract {
    pub(crate) fn with_root(root: Root) -> Self {
        Contract { root: RootCell(std::cell::OnceCell::from((root, None))), ..Contract::handle() }
    }

    /// A contract whose root is not read yet.
    fn handle() -> Self {
        Contract {
            root: RootCell(std::cell::OnceCell::new()),
            members: Table::new(StorageKey::Members),
            proposals: Table::new(StorageKey::Proposals),
            proposal_bodies: Table::new(StorageKey::ProposalBodies),
            status_index: Table::new(StorageKey::StatusIndex),
        }
    }

    pub(crate) fn root(&self) -> &Root {
        self.root.get()
    }

    pub(crate) fn root_mut(&mut self) -> &mut Root {
        self.root.get_mut()
    }
}

/// A contract's borsh form is its root record's: what the `STATE` key holds.
/// near-sdk's `ContractState` asks for these impls; our impl below reads and
/// writes the root itself.
impl near_sdk::borsh::BorshSerialize for Contract {
    fn serialize<W: std::io::Write>(&self, writer: &mut W) -> std::io::Result<()> {
        self.root().serialize(writer)
    }
}

impl near_sdk::borsh::BorshDeserialize for Contract {
    fn deserialize_reader<R: std::io::Read>(reader: &mut R) -> std::io::Result<Self> {
        Ok(Contract::with_root(Root::deserialize_reader(reader)?))
    }
}

/// near-sdk reads the root state before every method that takes `self` and
/// writes it back after every `&mut self` method. Here reading is deferred to
/// the first use of the root (see [`Root`]), and writing happens only if the
/// root was used and its bytes changed.
impl ContractState for Contract {
    fn state_read() -> Option<Self> {
        Some(Contract::handle())
    }

    fn state_write(&self) -> bool {
        let Some((root, read)) = self.root.0.get() else {
            return true; // never read: unchanged
        };
        let bytes = near_sdk::borsh::to_vec(root).unwrap_or_else(|_| env::panic_str(ERR_BAD_STATE));
        if read.as_deref() == Some(bytes.as_slice()) {
            return true; // unchanged: the stored root is already these bytes
        }
        env::storage_write(Self::state_key(), &bytes)
    }
}

#[near]
impl Contract {
    /// Creates the DAO. Called once, by anyone deploying it (usually in the
    /// deploy batch). Emits `dao_created`.
    ///
    /// `roles`: at most 16, unique slug names. `members`: 1 to 100 accounts, each
    /// with 1 to 4 of those roles. `vote_policies`: a default plus per-kind overrides.
    #[init]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        name: String,
        purpose: String,
        metadata: String,
        roles: Vec<Role>,
        members: Vec<MemberInput>,
        vote_policies: VotePolicies,
        proposal_bond: NearToken,
        registry: Option<AccountId>,
        attestation: Option<AccountId>,
        consent: Option<AccountId>,
    ) -> Self {
        let check = |r: Result<(), String>| r.unwrap_or_else(|e| env::panic_str(&e));
        check(validate_bounded("name", &name, MAX_NAME_LEN));
        check(validate_bounded("purpose", &purpose, MAX_PURPOSE_LEN));
        check(validate_bounded("metadata", &metadata, MAX_METADATA_LEN));
        check(proposals::validate_policy(&vote_policies.default));
        for policy in vote_policies.per_kind.values() {
            check(proposals::validate_policy(policy));
        }
        let table = check_ok(RoleTable::new(roles));
        check_ok(table.check_role_list(&vote_policies.agent_suspenders));
        if members.is_empty() {
            env::panic_str(ERR_NO_MEMBERS);
        }
        if members.len() > MAX_INITIAL_MEMBERS {
            env::panic_str(&format!("{ERR_TOO_MANY_MEMBERS}: at most {MAX_INITIAL_MEMBERS}"));
        }
        let role_names = table.roles.iter().map(|r| r.name.clone()).collect();
        let mut dao = Contract::with_root(Root {
            state_version: STATE_VERSION,
            config: Lazy::new(StorageKey::Config, Config { name: name.clone(), purpose, metadata }),
            policies: Lazy::new(StorageKey::Policies, vote_policies),
            roles: Lazy::new(StorageKey::Roles, table),
            role_combos: Lazy::new(StorageKey::RoleCombos, Vec::new()),
            proposal_bond,
            community: CommunityContracts { registry, attestation, consent },
            member_list: Vector::new(StorageKey::MemberList),
            status_counts: [0; ProposalStatus::COUNT],
            next_proposal_id: 0,
            locked_bonds: NearToken::from_yoctonear(0),
            reserved_bytes: 0,
            reserved_deposits: NearToken::from_yoctonear(0),
        });
        for m in members {
            let mask = check_ok(dao.root().roles.get().mask_of(&m.roles));
            if dao.members.contains_key(&m.account_id) {
                env::panic_str(&err_with(ERR_DUPLICATE_MEMBER, m.account_id.as_str()));
            }
            dao.insert_member(m.account_id, mask);
        }
        DaoEvent::DaoCreated { name, members: U64(dao.root().member_list.len() as u64), roles: role_names }.emit();
        dao
    }
}

/// The storage key of a `LookupMap` entry: the prefix followed by the borsh key.
pub(crate) fn storage_key<K: near_sdk::borsh::BorshSerialize>(prefix: StorageKey, key: &K) -> Vec<u8> {
    let mut k = near_sdk::IntoStorageKey::into_storage_key(prefix);
    k.extend(near_sdk::borsh::to_vec(key).unwrap_or_default());
    k
}

/// Unwraps a validation result, failing the call with its message.
pub(crate) fn check_ok<T>(r: Result<T, String>) -> T {
    r.unwrap_or_else(|e| env::panic_str(&e))
}
