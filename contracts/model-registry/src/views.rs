//! Read-only methods. Lists are paginated with the shared `Page` rule
//! (default 20, at most 100 items).

use crate::aliases::last_entry_at_or_before;
use crate::limits::*;
use crate::*;
use ai_commons_primitives::{Digest32, Page, VersionNumber};
use near_sdk::json_types::U64;

#[near]
impl Contract {
    /// Owner, publishing mode, protected aliases, counts and size limits.
    pub fn get_config(&self) -> ConfigView {
        ConfigView {
            owner: self.owner.clone(),
            open_publishing: self.open_publishing,
            protected_aliases: self.protected_aliases.iter().cloned().collect(),
            model_count: U64(self.model_ids.len() as u64),
            publisher_count: U64(self.publishers.len() as u64),
            state_version: self.state_version,
            limits: LimitsView {
                max_name_len: MAX_NAME_LEN as u32,
                max_task_len: MAX_TASK_LEN as u32,
                max_license_len: MAX_LICENSE_LEN as u32,
                max_uri_len: MAX_URI_LEN as u32,
                max_metadata_len: MAX_METADATA_LEN as u32,
                max_reason_len: MAX_REASON_LEN as u32,
                max_aliases_per_model: MAX_ALIASES_PER_MODEL,
                max_protected_aliases: MAX_PROTECTED_ALIASES,
                owner_reserved_aliases: OWNER_RESERVED_ALIASES,
            },
        }
    }

    /// Whether `account_id` is on the publisher allow-list.
    pub fn is_publisher(&self, account_id: AccountId) -> bool {
        self.publishers.contains(&account_id)
    }

    /// The publisher allow-list, paginated.
    pub fn get_publishers(&self, from_index: Option<u64>, limit: Option<u32>) -> Vec<AccountId> {
        let range = Page::new(from_index, limit).range(self.publishers.len() as u64);
        self.publishers.iter().skip(range.start as usize).take((range.end - range.start) as usize).cloned().collect()
    }

    /// A model's metadata and publisher; `None` for an unknown id.
    pub fn get_model(&self, model_id: String) -> Option<ModelView> {
        self.models.get(&model_id).map(|model| ModelView { model_id, model: model.clone() })
    }

    /// Models in registration order, paginated.
    pub fn get_models(&self, from_index: Option<u64>, limit: Option<u32>) -> Vec<ModelView> {
        Page::new(from_index, limit)
            .range(self.model_ids.len() as u64)
            .filter_map(|i| self.model_ids.get(i as u32))
            .filter_map(|model_id| self.get_model(model_id.clone()))
            .collect()
    }

    /// One immutable version with its status; `None` when model or version is unknown.
    pub fn get_version(&self, model_id: String, version: VersionNumber) -> Option<VersionView> {
        self.versions.get(&Self::version_key(&model_id, version)).map(|record| VersionView {
            model_id,
            version,
            record: record.clone(),
        })
    }

    /// Versions of a model in number order; `from_index` 0 is version 1.
    /// Empty for an unknown model.
    pub fn get_versions(&self, model_id: String, from_index: Option<u64>, limit: Option<u32>) -> Vec<VersionView> {
        let count = self.models.get(&model_id).map_or(0, |model| model.version_count);
        Page::new(from_index, limit)
            .range(count as u64)
            .filter_map(|i| self.get_version(model_id.clone(), i as u32 + 1))
            .collect()
    }

    /// The version whose weights have this digest.
    pub fn get_version_by_digest(&self, digest: Digest32) -> Option<VersionView> {
        let key = self.version_by_digest.get(&digest)?;
        self.get_version(key.model_id.clone(), key.version)
    }

    /// Current target of an alias (`version: null` when cleared); `None` if
    /// the alias was never set.
    pub fn get_alias(&self, model_id: String, alias: String) -> Option<AliasView> {
        let key = AliasKey { model_id, alias };
        let pointer = self.alias_pointers.get(&key)?;
        let last_change = self.alias_entry(&key, pointer.history_len.checked_sub(1)?)?;
        Some(AliasView {
            protected: self.is_protected_alias(&key.alias),
            version: pointer.version,
            history_len: pointer.history_len,
            last_change,
            alias: key.alias,
        })
    }

    /// Aliases of a model in creation order, paginated.
    pub fn get_aliases(&self, model_id: String, from_index: Option<u64>, limit: Option<u32>) -> Vec<AliasView> {
        let count = self.models.get(&model_id).map_or(0, |model| model.alias_count);
        Page::new(from_index, limit)
            .range(count as u64)
            .filter_map(|slot| self.alias_slots.get(&AliasSlotKey { model_id: model_id.clone(), slot: slot as u32 }))
            .filter_map(|alias| self.get_alias(model_id.clone(), alias.clone()))
            .collect()
    }

    /// Moves of an alias, oldest first, paginated.
    pub fn get_alias_history(
        &self,
        model_id: String,
        alias: String,
        from_index: Option<u64>,
        limit: Option<u32>,
    ) -> Vec<AliasEntryView> {
        let key = AliasKey { model_id, alias };
        let len = self.alias_pointers.get(&key).map_or(0, |pointer| pointer.history_len);
        Page::new(from_index, limit)
            .range(len as u64)
            .filter_map(|i| {
                let index = i as u32;
                self.alias_entry(&key, index).map(|entry| AliasEntryView { index, entry })
            })
            .collect()
    }

    /// The alias move in force at `timestamp` (ns): the last one made at or
    /// before it (`version: null` if the alias was cleared then). `None` if
    /// the alias had not been set yet. Binary search: O(log n) reads.
    pub fn get_alias_at(&self, model_id: String, alias: String, timestamp: U64) -> Option<AliasEntryView> {
        let key = AliasKey { model_id, alias };
        let len = self.alias_pointers.get(&key)?.history_len;
        let index = last_entry_at_or_before(len, timestamp.0, |i| {
            self.alias_entry(&key, i).map_or(u64::MAX, |entry| entry.at.0)
        })?;
        self.alias_entry(&key, index).map(|entry| AliasEntryView { index, entry })
    }
}

impl Contract {
    fn alias_entry(&self, key: &AliasKey, index: u32) -> Option<AliasEntry> {
        self.alias_history
            .get(&AliasHistoryKey { model_id: key.model_id.clone(), alias: key.alias.clone(), index })
            .cloned()
    }
}
