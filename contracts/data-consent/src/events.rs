//! NEP-297 events, standard `data_consent`, version `1.0.0`. Every state
//! change emits exactly one of these, after all its checks have passed.

use crate::types::{ChainEvent, ChainEventKind, ManagerView, SnapshotView};
pub use ai_commons_primitives::upgrade::{ContractMigrated, ContractUpgraded};
use ai_commons_primitives::{ConsentPurpose, Digest32, ModelId};
use near_sdk::json_types::U64;
use near_sdk::{near, AccountId, NearToken};

/// A consent change: every field of the hashed [`ChainEvent`] (same names),
/// the chain head after it, and context that is not hashed (`categories`,
/// `actor`). Replaying these in `seq` order per (grantee, purpose)
/// reproduces `get_chain_head`.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentChange {
    pub seq: U64,
    pub user: AccountId,
    pub grantee: AccountId,
    pub purpose: ConsentPurpose,
    pub version: U64,
    pub kind: ChainEventKind,
    pub model_id: Option<ModelId>,
    pub data_commitment: Option<Digest32>,
    pub expires_at: Option<U64>,
    pub timestamp: U64,
    pub chain_head: Digest32,
    /// Not hashed: the data categories of the grant.
    pub categories: Option<Vec<String>>,
    /// Not hashed: the account that made the change (the user or a manager).
    pub actor: AccountId,
}

impl ConsentChange {
    pub fn new(ev: &ChainEvent, chain_head: Digest32, categories: Option<Vec<String>>, actor: AccountId) -> Self {
        Self {
            seq: U64(ev.seq),
            user: ev.user.clone(),
            grantee: ev.grantee.clone(),
            purpose: ev.purpose,
            version: U64(ev.version),
            kind: ev.kind,
            model_id: ev.model_id.clone(),
            data_commitment: ev.data_commitment,
            expires_at: ev.expires_at.map(U64),
            timestamp: U64(ev.timestamp),
            chain_head,
            categories,
            actor,
        }
    }
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageChange {
    pub account_id: AccountId,
    /// Who sent (deposit) or received (withdraw, unregister) the amount.
    pub by: AccountId,
    pub amount: NearToken,
    /// Total storage balance after the change.
    pub total: NearToken,
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManagerRemoval {
    pub user: AccountId,
    pub manager: AccountId,
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnerChange {
    pub old_owner: Option<AccountId>,
    pub new_owner: Option<AccountId>,
}

#[near(event_json(standard = "data_consent"))]
#[derive(Clone, Debug)]
pub enum ConsentEvent {
    #[event_version("1.0.0")]
    ContractInitialized(OwnerChange),
    #[event_version("1.0.0")]
    StorageDeposit(StorageChange),
    #[event_version("1.0.0")]
    StorageWithdraw(StorageChange),
    #[event_version("1.0.0")]
    StorageUnregister(StorageChange),
    #[event_version("1.0.0")]
    ManagerAdded(ManagerView),
    #[event_version("1.0.0")]
    ManagerRemoved(ManagerRemoval),
    #[event_version("1.0.0")]
    ConsentGranted(ConsentChange),
    #[event_version("1.0.0")]
    ConsentUpdated(ConsentChange),
    #[event_version("1.0.0")]
    ConsentRevoked(ConsentChange),
    #[event_version("1.0.0")]
    ConsentDeleted(ConsentChange),
    #[event_version("1.0.0")]
    SnapshotRecorded(SnapshotView),
    #[event_version("1.0.0")]
    OwnerChanged(OwnerChange),
    #[event_version("1.0.0")]
    ContractUpgraded(ContractUpgraded),
    #[event_version("1.0.0")]
    ContractMigrated(ContractMigrated),
}

impl ConsentEvent {
    /// The event for a consent change of `kind`.
    pub fn consent(change: ConsentChange) -> Self {
        match change.kind {
            ChainEventKind::Grant => Self::ConsentGranted(change),
            ChainEventKind::Update => Self::ConsentUpdated(change),
            ChainEventKind::Revoke => Self::ConsentRevoked(change),
            ChainEventKind::Delete => Self::ConsentDeleted(change),
        }
    }
}
