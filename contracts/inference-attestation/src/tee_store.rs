//! Where admission by quote keeps its state: plain keys read and written with
//! borsh, not near-sdk collections. Each collection type instantiates its own
//! caching code (a few kB of wasm per key/value pair), and every call, receipts
//! included, pays ~1.09 Mgas per byte of code it loads; these few records need
//! none of that machinery.
//!
//! Keys start with the byte of their `StorageKey` variant, so they cannot meet
//! the contract's collections:
//! - `[TeeState]`: [`TeeState`] (policy, list lengths, withdrawal counter);
//! - `[TeeMeasurementSets] 0 ‖ id` and `[TeePlatforms] 0 ‖ ppid`: a listed
//!   entry, `u32le(position) ‖ borsh(value)`; `[...] 1 ‖ u32le(position)`: the
//!   id at that position (a [`Listing`]: O(1) insert, remove and page);
//! - `[TeeChallenges] ‖ challenge`: a `TeeChallenge`;
//! - `[TeeEvidence] ‖ operator`: a `TeeEvidence`.

use crate::errors::ERR_STATE_CORRUPT;
use crate::StorageKey;
use ai_commons_primitives::tee::TeePolicy;
use ai_commons_primitives::Page;
use near_sdk::borsh::{self, BorshDeserialize, BorshSerialize};
use near_sdk::{env, near};

/// `prefix ‖ suffix`.
pub(crate) fn key(prefix: StorageKey, suffix: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + suffix.len());
    k.push(prefix as u8);
    k.extend_from_slice(suffix);
    k
}

/// The borsh value at `key`, if any.
pub(crate) fn read<T: BorshDeserialize>(key: &[u8]) -> Option<T> {
    env::storage_read(key).map(|bytes| decode(&bytes))
}

fn decode<T: BorshDeserialize>(bytes: &[u8]) -> T {
    borsh::from_slice(bytes).unwrap_or_else(|_| env::panic_str(ERR_STATE_CORRUPT))
}

/// Writes `value` (borsh) at `key`.
pub(crate) fn write<T: BorshSerialize>(key: &[u8], value: &T) {
    env::storage_write(key, &borsh::to_vec(value).unwrap_or_else(|_| env::abort()));
}

/// The owner's side of admission by quote: the policy, how many measurement
/// sets and platforms are listed, and how many withdrawals there have been.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct TeeState {
    pub policy: Option<TeePolicy>,
    pub measurement_set_count: u32,
    pub platform_count: u32,
    /// Bumped by every withdrawal of a measurement set or platform and every
    /// policy change: an attester admitted at the current value has lost
    /// nothing since, so its receipts skip reading its set and platform.
    pub withdrawals: u64,
}

impl TeeState {
    pub(crate) fn load() -> Self {
        read(&key(StorageKey::TeeState, &[])).unwrap_or_default()
    }

    pub(crate) fn save(&self) {
        write(&key(StorageKey::TeeState, &[]), self);
    }
}

/// A listed collection over plain keys: entries by id, and ids by position
/// so views can page. Removal moves the last entry into the freed position.
#[derive(Clone, Copy)]
pub(crate) struct Listing(pub StorageKey);

impl Listing {
    fn entry_key(self, id: &[u8]) -> Vec<u8> {
        let mut suffix = Vec::with_capacity(1 + id.len());
        suffix.push(0);
        suffix.extend_from_slice(id);
        key(self.0, &suffix)
    }

    fn position_key(self, position: u32) -> Vec<u8> {
        let mut suffix = [1u8; 5];
        suffix[1..].copy_from_slice(&position.to_le_bytes());
        key(self.0, &suffix)
    }

    /// The value listed under `id`, if any.
    pub(crate) fn get<V: BorshDeserialize>(self, id: &[u8]) -> Option<V> {
        env::storage_read(&self.entry_key(id)).map(|bytes| decode(bytes.get(4..).unwrap_or_default()))
    }

    pub(crate) fn contains(self, id: &[u8]) -> bool {
        env::storage_has_key(&self.entry_key(id))
    }

    /// Lists `value` under a new `id` at position `*count`, and counts it.
    pub(crate) fn insert<V: BorshSerialize>(self, id: &[u8], value: &V, count: &mut u32) {
        let mut entry = count.to_le_bytes().to_vec();
        value.serialize(&mut entry).unwrap_or_else(|_| env::abort());
        env::storage_write(&self.entry_key(id), &entry);
        env::storage_write(&self.position_key(*count), id);
        *count += 1;
    }

    /// Unlists `id`; false if it was not listed.
    pub(crate) fn remove(self, id: &[u8], count: &mut u32) -> bool {
        let Some(entry) = env::storage_read(&self.entry_key(id)) else {
            return false;
        };
        let position = entry.get(..4).and_then(|b| b.try_into().ok()).map(u32::from_le_bytes);
        let position = position.unwrap_or_else(|| env::panic_str(ERR_STATE_CORRUPT));
        env::storage_remove(&self.entry_key(id));
        let last = count.saturating_sub(1);
        if position != last {
            // The last id moves into the freed position; its entry learns where.
            let moved =
                env::storage_read(&self.position_key(last)).unwrap_or_else(|| env::panic_str(ERR_STATE_CORRUPT));
            let moved_key = self.entry_key(&moved);
            let mut moved_entry = env::storage_read(&moved_key).unwrap_or_else(|| env::panic_str(ERR_STATE_CORRUPT));
            moved_entry[..4].copy_from_slice(&position.to_le_bytes());
            env::storage_write(&moved_key, &moved_entry);
            env::storage_write(&self.position_key(position), &moved);
        }
        env::storage_remove(&self.position_key(last));
        *count = last;
        true
    }

    /// Ids and values of one page of the `count` listed entries.
    pub(crate) fn page<V: BorshDeserialize>(
        self,
        count: u32,
        from_index: Option<u64>,
        limit: Option<u32>,
    ) -> Vec<(Vec<u8>, V)> {
        let range = Page::new(from_index, limit).range(u64::from(count));
        (range.start..range.end)
            .filter_map(|position| {
                let id = env::storage_read(&self.position_key(position as u32))?;
                let value = self.get(&id)?;
                Some((id, value))
            })
            .collect()
    }
}
