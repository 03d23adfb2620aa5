//! The consent hash chain per (grantee, purpose), each slot's history of
//! live periods, and training snapshots.
//!
//! Every consent change appends one [`ChainEvent`]:
//! `head_n = sha256(head_{n-1} || borsh(event_n))`, `head_0 = [0; 32]`.
//! The chain head is a fixed-size record, so an append rewrites it in place.
//! A slot's history is a list of [`LivePeriod`]s ordered by `from_seq`; a
//! grant opens one, an update closes the open one and opens the next, a
//! revoke or delete closes it (in place). "Was the grant live at snapshot
//! S" is a binary search over that list: O(log n) reads.

use crate::errors::*;
use crate::events::ConsentEvent;
use crate::types::*;
use crate::views::allows;
use crate::{Contract, ContractExt};
use ai_commons_primitives::interfaces::DataConsentInterface;
use ai_commons_primitives::{validate, ConsentPurpose, Digest32, ModelId, StorageMeter};
use near_sdk::json_types::U64;
use near_sdk::{env, near, AccountId};

impl Contract {
    /// Appends the event of a change of `grant` (already in its new state)
    /// to `chain` and returns it; the caller writes `chain` back.
    pub(crate) fn append_event(
        chain: &mut ConsentChain,
        key: &SlotKey,
        grant: &ConsentGrant,
        kind: ChainEventKind,
    ) -> ChainEvent {
        chain.seq += 1;
        let event = ChainEvent {
            seq: chain.seq,
            user: key.user.clone(),
            grantee: key.grantee.clone(),
            purpose: key.purpose,
            version: grant.version,
            kind,
            model_id: grant.model_id.clone(),
            data_commitment: grant.data_commitment,
            expires_at: grant.expires_at,
            timestamp: env::block_timestamp(),
        };
        chain.head = event.next_head(&chain.head);
        event
    }

    /// Starts a live period of `key` at event `seq`.
    pub(crate) fn open_period(&mut self, key: &SlotKey, seq: u64, expires_at: Option<u64>) {
        let len = self.history_len.get(key).copied().unwrap_or(0);
        let period = LivePeriod { from_seq: seq, until_seq: LivePeriod::OPEN, expires_at };
        self.history.insert((key.clone(), len), period);
        self.history_len.insert(key.clone(), len + 1);
    }

    /// Ends the open live period of `key` at event `seq` (rewritten in place).
    pub(crate) fn close_period(&mut self, key: &SlotKey, seq: u64) {
        let len = self.history_len.get(key).copied().unwrap_or(0);
        let last = len.checked_sub(1).unwrap_or_else(|| env::panic_str(ERR_INDEX_CORRUPT));
        match self.history.get_mut(&(key.clone(), last)) {
            Some(period) if period.until_seq == LivePeriod::OPEN => period.until_seq = seq,
            _ => env::panic_str(ERR_INDEX_CORRUPT),
        }
    }

    fn period(&self, key: &SlotKey, index: u32) -> LivePeriod {
        match self.history.get(&(key.clone(), index)) {
            Some(period) => *period,
            None => env::panic_str(ERR_INDEX_CORRUPT),
        }
    }

    /// Whether `key` was live after the events up to `seq` and not expired at `at`.
    pub(crate) fn live_at(&self, key: &SlotKey, seq: u64, at: u64) -> bool {
        let len = self.history_len.get(key).copied().unwrap_or(0);
        // Count of periods that started at or before `seq` (periods are ordered by from_seq).
        let (mut lo, mut hi) = (0u32, len);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.period(key, mid).from_seq <= seq {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if lo == 0 {
            return false;
        }
        let period = self.period(key, lo - 1);
        period.until_seq > seq && period.expires_at.is_none_or(|e| at < e)
    }
}

/// What other contracts call (`ai_commons_primitives::interfaces`): implemented
/// as the trait, so a signature cannot drift from what callers compile against.
#[near]
impl DataConsentInterface for Contract {
    /// Check (view, also callable from other contracts): may `grantee` use
    /// `user`'s data for `purpose` (and `model_id`) at `at` (nanoseconds,
    /// default now)? `at` only moves the expiry check: the grant is taken as
    /// it stands now. For the past, use snapshots (`was_live_at_snapshot`).
    fn is_allowed(
        &self,
        user: AccountId,
        grantee: AccountId,
        purpose: ConsentPurpose,
        model_id: Option<ModelId>,
        at: Option<U64>,
    ) -> bool {
        let at = at.map_or_else(env::block_timestamp, |a| a.0);
        let key = SlotKey { user, grantee, purpose };
        self.grants.get(&key).is_some_and(|g| allows(g, model_id.as_deref(), at))
    }

    /// Called by a grantee before training: records the current head of its
    /// (caller, `purpose`) consent chain — sequence number and hash — with
    /// the block time and an optional `note` (at most 256 bytes). Payable:
    /// the attached deposit pays the snapshot's storage, the rest is
    /// refunded. Emits `snapshot_recorded`. Returns the snapshot id (from 1).
    #[payable]
    fn record_snapshot(&mut self, purpose: ConsentPurpose, note: Option<String>) -> U64 {
        let grantee = env::predecessor_account_id();
        validate::validate_snapshot_note(note.as_deref()).unwrap_or_else(|e| env::panic_str(&e));
        let meter = StorageMeter::start();
        let chain_key = ChainKey { grantee: grantee.clone(), purpose };
        let chain = self.chains.get(&chain_key).cloned().unwrap_or_default();
        let id = self.snapshot_count + 1;
        let snapshot = TrainingSnapshot {
            grantee: grantee.clone(),
            purpose,
            seq: chain.seq,
            chain_head: chain.head,
            timestamp: env::block_timestamp(),
            note,
        };
        self.snapshots.insert(id, snapshot.clone());
        self.snapshot_count = id;
        self.flush();
        meter.charge(&grantee, env::attached_deposit());
        ConsentEvent::SnapshotRecorded(SnapshotView::new(id, &snapshot)).emit();
        U64(id)
    }
}

#[near]
impl Contract {
    /// View: one snapshot, `null` if unknown.
    pub fn get_snapshot(&self, id: U64) -> Option<SnapshotView> {
        self.snapshots.get(&id.0).map(|s| SnapshotView::new(id.0, s))
    }

    /// View: the number of snapshots recorded (= the last id).
    pub fn get_snapshot_count(&self) -> U64 {
        U64(self.snapshot_count)
    }

    /// View: head of the (grantee, purpose) chain; seq 0 and a zero hash
    /// when it has no event yet.
    pub fn get_chain_head(&self, grantee: AccountId, purpose: ConsentPurpose) -> ChainHeadView {
        let key = ChainKey { grantee, purpose };
        let chain = self.chains.get(&key).cloned().unwrap_or_default();
        ChainHeadView {
            grantee: key.grantee,
            purpose: key.purpose,
            seq: U64(chain.seq),
            head: chain.head,
            grantor_count: chain.grantor_count,
        }
    }

    /// View: whether `user`'s grant to the snapshot's grantee for its purpose
    /// was live when the snapshot was taken: active after the chain events
    /// the snapshot covers and not expired at the snapshot's time. Later
    /// revocations, updates or deletion do not change the answer. Fails for
    /// an unknown snapshot id.
    pub fn was_live_at_snapshot(&self, user: AccountId, snapshot_id: U64) -> bool {
        let Some(snapshot) = self.snapshots.get(&snapshot_id.0) else {
            env::panic_str(&format!("{ERR_UNKNOWN_SNAPSHOT}: {}", snapshot_id.0))
        };
        let key = SlotKey { user, grantee: snapshot.grantee.clone(), purpose: snapshot.purpose };
        self.live_at(&key, snapshot.seq, snapshot.timestamp)
    }
}

/// The zero digest that starts every chain (`head_0`).
pub const GENESIS_HEAD: Digest32 = Digest32([0u8; 32]);
