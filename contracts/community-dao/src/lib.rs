//! community-dao: the community's government. Members with roles, vote policies
//! per proposal kind, snapshot voting whose cost does not grow with the
//! community, and typed proposals that act on the DAO itself, move NEAR, call
//! contracts, upgrade the DAO, and govern the community's model registry,
//! attester set and consent snapshots.
//!
//! Layout: `lib.rs` (state, init, storage keys), `types.rs`, `errors.rs`,
//! `events.rs`, `members.rs` (roles, members, electorate counts), `outcome.rs`
//! (voting arithmetic), `proposals.rs` (create, cancel, finalize, status index,
//! bond), `votes.rs`, `execution.rs`, `upgrade.rs`, `views.rs`.

mod errors;
mod events;
mod execution;
mod members;
mod outcome;
mod proposals;
mod types;
mod upgrade;
mod views;
mod votes;

#[cfg(test)]
mod tests;

pub use errors::*;
pub use events::DaoEvent;
pub use members::{RoleCombo, RoleTable};
pub use outcome::{decide, Outcome};
pub use types::*;

use ai_commons_primitives::validate_bounded;
use near_sdk::json_types::U64;
use near_sdk::state::ContractState;
use near_sdk::store::{Lazy, LookupMap, Vector};
use near_sdk::{env, near, AccountId, BorshStorageKey, NearToken, PanicOnDefault};

/// Layout version of the state this code reads and writes.
#[cfg(not(feature = "upgrade-test"))]
pub const STATE_VERSION: u16 = 1;
#[cfg(feature = "upgrade-test")]
pub const STATE_VERSION: u16 = 2;

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

#[derive(BorshStorageKey)]
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
    Voters,
    StatusIndex,
    Code,
}

/// The DAO's root state: small, read on every call. Anything bigger or read
/// rarely (config text, policies, roles) sits behind a `Lazy`; anything that
/// grows sits in a map keyed per item.
///
/// Declared as `#[near(contract_state)]` would declare it, except that the
/// root is persisted by our own [`ContractState`] impl (below), which skips
/// writing it back when a call left it unchanged.
#[near_sdk::near_bindgen]
#[derive(near_sdk::borsh::BorshSerialize, near_sdk::borsh::BorshDeserialize, PanicOnDefault)]
#[borsh(crate = "near_sdk::borsh")]
pub struct Contract {
    /// Layout version; `migrate` brings older layouts up to [`STATE_VERSION`].
    state_version: u16,
    /// Name, purpose, metadata (read only by views).
    config: Lazy<Config>,
    /// Default and per-kind vote policies (read at proposal creation).
    policies: Lazy<VotePolicies>,
    /// Roles and per-kind electorate counts (read at proposal creation and membership changes).
    roles: Lazy<RoleTable>,
    /// Member count per distinct role combination, sorted by mask: lets role
    /// permission changes recompute electorates without visiting members.
    role_combos: Lazy<Vec<RoleCombo>>,
    /// Bond every proposal locks until it ends.
    proposal_bond: NearToken,
    /// The community's registry, attestation and consent contracts.
    community: CommunityContracts,
    /// One record per member.
    members: LookupMap<AccountId, Member>,
    /// Member accounts for listing; `Member::list_index` points here.
    member_list: Vector<AccountId>,
    /// Proposal headers (status, snapshot, tally) by id.
    proposals: LookupMap<u64, Proposal>,
    /// Proposal description and kind by id (immutable).
    proposal_bodies: LookupMap<u64, ProposalBody>,
    /// One vote per (proposal, voter).
    votes: LookupMap<(u64, AccountId), VoteRecord>,
    /// Voters of a proposal in first-vote order: (proposal, n) -> voter.
    voters: LookupMap<(u64, u32), AccountId>,
    /// Per-status index: (status, position) -> proposal id; `Proposal::status_pos`.
    status_index: LookupMap<(u8, u64), u64>,
    status_counts: [u64; ProposalStatus::COUNT],
    next_proposal_id: u64,
    /// Sum of the bonds of proposals still holding one: not spendable.
    locked_bonds: NearToken,
    /// The root state's bytes as this call read them (not stored).
    #[borsh(skip)]
    loaded_root: Option<Vec<u8>>,
}

/// near-sdk reads the root state before every method that takes `self` and
/// writes it back after every `&mut self` method. That write costs ~0.1 Tgas
/// (the `storage_write` base fee, the value and evicted bytes, the trie nodes
/// on its path), and many calls do not change the root at all — a vote that
/// does not decide its proposal touches only the proposal, the vote and the
/// voter list — so the root is written only when its bytes changed.
impl ContractState for Contract {
    fn state_read() -> Option<Self> {
        let bytes = env::storage_read(Self::state_key())?;
        let mut contract: Self = near_sdk::borsh::from_slice(&bytes)
            .unwrap_or_else(|_| env::panic_str("Cannot deserialize the contract state."));
        contract.loaded_root = Some(bytes);
        Some(contract)
    }

    fn state_write(&self) -> bool {
        let bytes =
            near_sdk::borsh::to_vec(self).unwrap_or_else(|_| env::panic_str("Cannot serialize the contract state."));
        if self.loaded_root.as_deref() == Some(bytes.as_slice()) {
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
        if members.is_empty() {
            env::panic_str(ERR_NO_MEMBERS);
        }
        if members.len() > MAX_INITIAL_MEMBERS {
            env::panic_str(&format!("{ERR_TOO_MANY_MEMBERS}: at most {MAX_INITIAL_MEMBERS}"));
        }
        let role_names = table.roles.iter().map(|r| r.name.clone()).collect();
        let mut dao = Self {
            state_version: STATE_VERSION,
            config: Lazy::new(StorageKey::Config, Config { name: name.clone(), purpose, metadata }),
            policies: Lazy::new(StorageKey::Policies, vote_policies),
            roles: Lazy::new(StorageKey::Roles, table),
            role_combos: Lazy::new(StorageKey::RoleCombos, Vec::new()),
            proposal_bond,
            community: CommunityContracts { registry, attestation, consent },
            members: LookupMap::new(StorageKey::Members),
            member_list: Vector::new(StorageKey::MemberList),
            proposals: LookupMap::new(StorageKey::Proposals),
            proposal_bodies: LookupMap::new(StorageKey::ProposalBodies),
            votes: LookupMap::new(StorageKey::Votes),
            voters: LookupMap::new(StorageKey::Voters),
            status_index: LookupMap::new(StorageKey::StatusIndex),
            status_counts: [0; ProposalStatus::COUNT],
            next_proposal_id: 0,
            locked_bonds: NearToken::from_yoctonear(0),
            loaded_root: None,
        };
        for m in members {
            let mask = check_ok(dao.roles.get().mask_of(&m.roles));
            if dao.members.contains_key(&m.account_id) {
                env::panic_str(&format!("{ERR_DUPLICATE_MEMBER}: {}", m.account_id));
            }
            dao.insert_member(m.account_id, mask);
        }
        DaoEvent::DaoCreated { name, members: U64(dao.member_list.len() as u64), roles: role_names }.emit();
        dao
    }
}

/// Unwraps a validation result, failing the call with its message.
pub(crate) fn check_ok<T>(r: Result<T, String>) -> T {
    r.unwrap_or_else(|e| env::panic_str(&e))
}
