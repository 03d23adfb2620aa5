//! Checks and listings. All views are O(1) or O(page) reads; list views are
//! paginated with [`Page`] (default 20, at most 100 items).

use crate::errors::*;
use crate::types::*;
use crate::{Contract, ContractExt, MAX_BATCH};
use ai_commons_primitives::{ConsentPurpose, ModelId, Page};
use near_sdk::json_types::U64;
use near_sdk::{env, near, AccountId};

/// Whether `grant` allows use for `model_id` at time `at`: active, not
/// expired at `at`, and model scope matching (a grant without a model scope
/// covers every model; a scoped grant does not answer a model-less query).
pub(crate) fn allows(grant: &ConsentGrant, model_id: Option<&str>, at: u64) -> bool {
    grant.status == GrantStatus::Active
        && grant.expires_at.is_none_or(|e| at < e)
        && match (&grant.model_id, model_id) {
            (None, _) => true,
            (Some(scope), Some(asked)) => scope == asked,
            (Some(_), None) => false,
        }
}

#[near]
impl Contract {
    /// Check for up to 100 users at once; answers in the order of `users`.
    pub fn is_allowed_batch(
        &self,
        users: Vec<AccountId>,
        grantee: AccountId,
        purpose: ConsentPurpose,
        model_id: Option<ModelId>,
        at: Option<U64>,
    ) -> Vec<bool> {
        if users.len() > MAX_BATCH {
            env::panic_str(&format!("{ERR_BATCH_TOO_LARGE}: {}, at most {MAX_BATCH}", users.len()));
        }
        let at = at.map_or_else(env::block_timestamp, |a| a.0);
        users
            .into_iter()
            .map(|user| {
                let key = SlotKey { user, grantee: grantee.clone(), purpose };
                self.grants.get(&key).is_some_and(|g| allows(g, model_id.as_deref(), at))
            })
            .collect()
    }

    /// View: one grant slot (active or revoked), `null` if none.
    pub fn get_grant(&self, user: AccountId, grantee: AccountId, purpose: ConsentPurpose) -> Option<GrantView> {
        let key = SlotKey { user, grantee, purpose };
        self.grants.get(&key).map(|g| GrantView::new(&key, g))
    }

    /// View: a page of the user's grant slots (index order is not stable
    /// across deletions: a delete moves the last slot into the gap).
    pub fn get_grants_of(&self, user: AccountId, from_index: Option<u64>, limit: Option<u32>) -> Vec<GrantView> {
        let len = self.accounts.get(&user).map_or(0, |a| a.grant_count);
        Page::new(from_index, limit)
            .range(len as u64)
            .filter_map(|i| {
                let entry = self.user_grants.get(&(user.clone(), i as u32))?;
                let key = SlotKey { user: user.clone(), grantee: entry.grantee.clone(), purpose: entry.purpose };
                self.grants.get(&key).map(|g| GrantView::new(&key, g))
            })
            .collect()
    }

    /// View: a page of the users holding a grant slot (active or revoked) for
    /// (`grantee`, `purpose`) — what a training pipeline reads, then checks
    /// with `is_allowed_batch`. Total: `get_chain_head(..).grantor_count`.
    pub fn get_grantors(
        &self,
        grantee: AccountId,
        purpose: ConsentPurpose,
        from_index: Option<u64>,
        limit: Option<u32>,
    ) -> Vec<AccountId> {
        let key = ChainKey { grantee, purpose };
        let len = self.chains.get(&key).map_or(0, |c| c.grantor_count);
        Page::new(from_index, limit)
            .range(len as u64)
            .filter_map(|i| self.grantors.get(&(key.clone(), i as u32)).cloned())
            .collect()
    }

    /// View: the account that may upgrade the code, `null` if upgrades are disabled.
    pub fn owner(&self) -> Option<AccountId> {
        self.owner.clone()
    }
}
