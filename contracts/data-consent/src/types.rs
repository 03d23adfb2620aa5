//! Stored records, storage keys of composite collections, and the JSON views.

use ai_commons_primitives::{ConsentPurpose, Digest32, ModelId};
use near_sdk::json_types::U64;
use near_sdk::{near, AccountId, NearToken};

/// Identifies one grant slot: (user, grantee, purpose).
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SlotKey {
    pub user: AccountId,
    pub grantee: AccountId,
    pub purpose: ConsentPurpose,
}

/// Identifies one consent chain and its grantor index: (grantee, purpose).
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ChainKey {
    pub grantee: AccountId,
    pub purpose: ConsentPurpose,
}

/// A manager authorization: (user, manager).
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ManagerKey {
    pub user: AccountId,
    pub manager: AccountId,
}

#[near(serializers = [borsh, json])]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum GrantStatus {
    Active,
    Revoked,
}

/// One stored grant slot. Every field is fixed-size except the three set at
/// grant time, so a revoke (status, version, updated_at) rewrites the record
/// in place without growing storage.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentGrant {
    /// `None`: the grant covers every model of the grantee.
    pub model_id: Option<ModelId>,
    /// `None`: the grant covers all of the user's data.
    pub categories: Option<Vec<String>>,
    /// Digest of what the user contributes.
    pub data_commitment: Option<Digest32>,
    /// Nanoseconds; the grant is not in force from this moment on.
    pub expires_at: Option<u64>,
    /// Bumped on every change of the slot (grant, update, revoke).
    pub version: u64,
    pub status: GrantStatus,
    pub created_at: u64,
    pub updated_at: u64,
    /// Position in the user's grant index (kept dense by swap-remove).
    pub user_index: u32,
    /// Position in the (grantee, purpose) grantor index.
    pub grantor_index: u32,
}

/// A user's NEP-145 storage account.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageAccount {
    /// Everything deposited for this account, minus withdrawals.
    pub total: NearToken,
    /// Bytes this account's grants, managers and consent history occupy
    /// (the account record itself is covered by the minimum balance).
    pub used_bytes: u64,
    /// Length of the user's grant index.
    pub grant_count: u32,
}

/// Who may act for a user, for which grantee, until when.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentManager {
    /// `None`: any grantee.
    pub grantee: Option<AccountId>,
    pub expires_at: Option<u64>,
    pub added_at: u64,
}

/// Head of the append-only consent chain of one (grantee, purpose).
#[near(serializers = [borsh])]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConsentChain {
    /// Sequence number of the last event (0: no event yet).
    pub seq: u64,
    /// `head_n = sha256(head_{n-1} || borsh(ChainEvent_n))`, `head_0` = 32 zero bytes.
    pub head: Digest32,
    /// Length of the grantor index (users with a slot for this chain).
    pub grantor_count: u32,
}

/// One span of a slot's history during which the grant was active:
/// from the event `from_seq` up to (excluding) the event `until_seq`.
/// Fixed size, so closing a span rewrites it in place.
#[near(serializers = [borsh])]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LivePeriod {
    pub from_seq: u64,
    /// `u64::MAX` while the span is still open.
    pub until_seq: u64,
    pub expires_at: Option<u64>,
}

impl LivePeriod {
    pub const OPEN: u64 = u64::MAX;
}

/// A grantee's record of its consent chain before training.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrainingSnapshot {
    pub grantee: AccountId,
    pub purpose: ConsentPurpose,
    pub seq: u64,
    pub chain_head: Digest32,
    pub timestamp: u64,
    pub note: Option<String>,
}

/// What kind of change a chain event records.
#[near(serializers = [borsh, json])]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ChainEventKind {
    /// A new slot, or a revoked slot made active again.
    Grant,
    /// An active slot re-granted with new terms.
    Update,
    Revoke,
    Delete,
}

/// The hashed record of one consent change. Its borsh encoding is the
/// public hash-chain format (see README): do not reorder fields.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainEvent {
    pub seq: u64,
    pub user: AccountId,
    pub grantee: AccountId,
    pub purpose: ConsentPurpose,
    pub version: u64,
    pub kind: ChainEventKind,
    pub model_id: Option<ModelId>,
    pub data_commitment: Option<Digest32>,
    pub expires_at: Option<u64>,
    pub timestamp: u64,
}

impl ChainEvent {
    /// The chain head after this event, given the head before it.
    pub fn next_head(&self, prev: &Digest32) -> Digest32 {
        let mut buf = Vec::with_capacity(160);
        buf.extend_from_slice(prev.as_bytes());
        buf.extend_from_slice(&near_sdk::borsh::to_vec(self).unwrap_or_default());
        Digest32::sha256(&buf)
    }
}

// ---------------------------------------------------------------- JSON views

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantView {
    pub user: AccountId,
    pub grantee: AccountId,
    pub purpose: ConsentPurpose,
    pub model_id: Option<ModelId>,
    pub categories: Option<Vec<String>>,
    pub data_commitment: Option<Digest32>,
    pub expires_at: Option<U64>,
    pub version: U64,
    pub status: GrantStatus,
    pub created_at: U64,
    pub updated_at: U64,
}

impl GrantView {
    pub fn new(key: &SlotKey, grant: &ConsentGrant) -> Self {
        Self {
            user: key.user.clone(),
            grantee: key.grantee.clone(),
            purpose: key.purpose,
            model_id: grant.model_id.clone(),
            categories: grant.categories.clone(),
            data_commitment: grant.data_commitment,
            expires_at: grant.expires_at.map(U64),
            version: U64(grant.version),
            status: grant.status,
            created_at: U64(grant.created_at),
            updated_at: U64(grant.updated_at),
        }
    }
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManagerView {
    pub user: AccountId,
    pub manager: AccountId,
    pub grantee: Option<AccountId>,
    pub expires_at: Option<U64>,
    pub added_at: U64,
}

impl ManagerView {
    pub fn new(key: &ManagerKey, m: &ConsentManager) -> Self {
        Self {
            user: key.user.clone(),
            manager: key.manager.clone(),
            grantee: m.grantee.clone(),
            expires_at: m.expires_at.map(U64),
            added_at: U64(m.added_at),
        }
    }
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainHeadView {
    pub grantee: AccountId,
    pub purpose: ConsentPurpose,
    pub seq: U64,
    pub head: Digest32,
    pub grantor_count: u32,
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotView {
    pub id: U64,
    pub grantee: AccountId,
    pub purpose: ConsentPurpose,
    pub seq: U64,
    pub chain_head: Digest32,
    pub timestamp: U64,
    pub note: Option<String>,
}

impl SnapshotView {
    pub fn new(id: u64, s: &TrainingSnapshot) -> Self {
        Self {
            id: U64(id),
            grantee: s.grantee.clone(),
            purpose: s.purpose,
            seq: U64(s.seq),
            chain_head: s.chain_head,
            timestamp: U64(s.timestamp),
            note: s.note.clone(),
        }
    }
}

/// NEP-145 balance.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageBalance {
    pub total: NearToken,
    pub available: NearToken,
}

/// NEP-145 bounds.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageBalanceBounds {
    pub min: NearToken,
    pub max: Option<NearToken>,
}
