//! Aliases: movable pointers to Approved versions with an append-only history.
//!
//! Per (model, alias) the registry keeps a pointer `{version, history_len}` and
//! history entries `0..history_len`, each `{version | none, set_by, at}`. Block
//! timestamps never decrease, so the history is sorted by `at` and
//! `get_alias_at` answers with a binary search (O(log n) reads).

use crate::errors::*;
use crate::events::RegistryEvent;
use crate::limits::{MAX_ALIASES_PER_MODEL, MAX_ALIAS_SLOTS_PER_MODEL};
use crate::{check, AliasEntry, AliasHistoryKey, AliasKey, AliasPointer, AliasSlotKey, Contract, ContractExt};
use ai_commons_primitives::{StorageMeter, VersionNumber, VersionStatus};
use near_sdk::json_types::U64;
use near_sdk::{env, near, require, AccountId};

#[near]
impl Contract {
    /// Points `alias` of `model_id` at `version`, which must be Approved.
    /// Caller: the owner for a protected alias; the model's publisher (while
    /// allowed to publish) or the owner otherwise. A publisher creates a new
    /// alias only while the model has fewer than `MAX_ALIASES_PER_MODEL`; the
    /// owner may go up to `MAX_ALIAS_SLOTS_PER_MODEL`, so a publisher can
    /// never use up the owner's room. Deposit: storage of the history entry (plus the alias
    /// on first use; 0.01 NEAR is always enough), excess refunded.
    /// Emits `alias_set`. Exported as `set_alias` (`ModelRegistryInterface`, versions.rs).
    pub(crate) fn point_alias(&mut self, model_id: String, alias: String, version: VersionNumber) {
        let caller = env::predecessor_account_id();
        self.assert_may_move_alias(&model_id, &alias, &caller);
        let status = self
            .versions
            .get(&Self::version_key(&model_id, version))
            .unwrap_or_else(|| env::panic_str(ERR_VERSION_NOT_FOUND))
            .status;
        require!(status == VersionStatus::Approved, ERR_ALIAS_TARGET_NOT_APPROVED);

        let meter = StorageMeter::start();
        let key = AliasKey { model_id: model_id.clone(), alias: alias.clone() };
        let previous_version = match self.alias_pointers.get(&key) {
            Some(pointer) => {
                require!(pointer.version != Some(version), ERR_ALIAS_UNCHANGED);
                pointer.version
            }
            None => {
                self.create_alias_slot(&model_id, &alias, caller == self.owner);
                self.alias_pointers.insert(key.clone(), AliasPointer { version: None, history_len: 0 });
                None
            }
        };
        let at = U64(env::block_timestamp());
        self.append_alias_entry(key, Some(version), &caller, at);
        RegistryEvent::AliasSet { model_id: &model_id, alias: &alias, version, previous_version, set_by: &caller, at }
            .emit();
        self.settle_storage(meter, &caller);
    }

    /// Clears `alias` of `model_id` (it points nowhere until set again).
    /// Caller and deposit as for `set_alias`. Emits `alias_cleared`.
    #[payable]
    pub fn clear_alias(&mut self, model_id: String, alias: String) {
        let caller = env::predecessor_account_id();
        self.assert_may_move_alias(&model_id, &alias, &caller);
        let key = AliasKey { model_id: model_id.clone(), alias: alias.clone() };
        let previous_version = self
            .alias_pointers
            .get(&key)
            .and_then(|pointer| pointer.version)
            .unwrap_or_else(|| env::panic_str(ERR_ALIAS_NOT_SET));

        let meter = StorageMeter::start();
        let at = U64(env::block_timestamp());
        self.append_alias_entry(key, None, &caller, at);
        RegistryEvent::AliasCleared { model_id: &model_id, alias: &alias, previous_version, set_by: &caller, at }
            .emit();
        self.settle_storage(meter, &caller);
    }
}

impl Contract {
    fn assert_may_move_alias(&self, model_id: &str, alias: &str, caller: &AccountId) {
        let model = self.model_or_panic(model_id);
        check(ai_commons_primitives::validate::validate_alias(alias));
        if *caller == self.owner {
            return;
        }
        require!(!self.protected_aliases.contains(alias), ERR_ALIAS_PROTECTED);
        require!(model.publisher == *caller, ERR_NOT_ALIAS_SETTER);
        // A publisher taken off the allow-list loses every publisher right.
        require!(self.is_allowed_publisher(caller), ERR_NOT_ALLOWED_PUBLISHER);
    }

    pub(crate) fn is_protected_alias(&self, alias: &str) -> bool {
        self.protected_aliases.contains(alias)
    }

    /// Takes the model's next alias slot. The publisher's room ends at
    /// `MAX_ALIASES_PER_MODEL` aliases, the owner's at
    /// `MAX_ALIAS_SLOTS_PER_MODEL`.
    fn create_alias_slot(&mut self, model_id: &str, alias: &str, by_owner: bool) {
        let model = self.models.get_mut(model_id).unwrap_or_else(|| env::panic_str(ERR_MODEL_NOT_FOUND));
        let room = if by_owner { MAX_ALIAS_SLOTS_PER_MODEL } else { MAX_ALIASES_PER_MODEL };
        require!(model.alias_count < room, ERR_TOO_MANY_ALIASES);
        let slot = model.alias_count;
        model.alias_count += 1;
        self.alias_slots.insert(AliasSlotKey { model_id: model_id.to_string(), slot }, alias.to_string());
    }

    /// Appends one history entry and moves the pointer. The pointer must exist.
    fn append_alias_entry(&mut self, key: AliasKey, version: Option<VersionNumber>, by: &AccountId, at: U64) {
        let pointer = self.alias_pointers.get_mut(&key).unwrap_or_else(|| env::panic_str(ERR_ALIAS_NOT_SET));
        let index = pointer.history_len;
        pointer.history_len += 1;
        pointer.version = version;
        self.alias_history.insert(
            AliasHistoryKey { model_id: key.model_id, alias: key.alias, index },
            AliasEntry { version, set_by: by.clone(), at },
        );
    }

    /// Clears every alias of `model_id` that points to `version`; returns
    /// their names. Visits at most `MAX_ALIAS_SLOTS_PER_MODEL` aliases.
    pub(crate) fn clear_aliases_pointing_to(
        &mut self,
        model_id: &str,
        version: VersionNumber,
        by: &AccountId,
        at: U64,
    ) -> Vec<String> {
        let alias_count = self.model_or_panic(model_id).alias_count;
        let mut cleared = Vec::new();
        for slot in 0..alias_count.min(MAX_ALIAS_SLOTS_PER_MODEL) {
            let Some(alias) = self.alias_slots.get(&AliasSlotKey { model_id: model_id.to_string(), slot }).cloned()
            else {
                continue;
            };
            let key = AliasKey { model_id: model_id.to_string(), alias };
            if self.alias_pointers.get(&key).is_some_and(|p| p.version == Some(version)) {
                cleared.push(key.alias.clone());
                self.append_alias_entry(key, None, by, at);
            }
        }
        cleared
    }
}

/// Index of the last entry with `at(index) <= t` among `len` entries sorted by
/// `at`, or `None` if every entry is later than `t`. Calls `at` at most
/// ⌈log2(len + 1)⌉ times.
pub(crate) fn last_entry_at_or_before(len: u32, t: u64, mut at: impl FnMut(u32) -> u64) -> Option<u32> {
    // Invariant: entries [0, lo) are <= t, entries [hi, len) are > t.
    let (mut lo, mut hi) = (0u32, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if at(mid) <= t {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo.checked_sub(1)
}
