//! Grant, update, revoke and delete a consent slot.
//!
//! Only the user, or a manager the user named (not expired, covering the
//! grantee), may change a slot. Each change bumps the slot's version,
//! appends one event to the (grantee, purpose) chain and emits one NEP-297
//! event carrying the hashed fields and the resulting chain head.

use crate::errors::*;
use crate::events::{ConsentChange, ConsentEvent};
use crate::types::*;
use crate::{clamp_expiry, require_future, validate_categories, validate_model_id, Contract, ContractExt};
use ai_commons_primitives::{ConsentPurpose, Digest32, ModelId, StorageMeter};
use near_sdk::json_types::U64;
use near_sdk::{env, near, AccountId};

#[near]
impl Contract {
    /// Grants (or re-grants with new terms) `grantee` the use of the user's
    /// data for `purpose`, optionally only for `model_id`, only for
    /// `categories` (1 to 16 slugs of at most 32 bytes), with a
    /// `data_commitment` and an `expires_at` (nanoseconds, in the future).
    /// A grant made (or updated) by a manager whose authority ends at T
    /// expires at T at the latest: a later or missing `expires_at` is clamped
    /// to T, and the event and returned grant show the effective expiry. The
    /// user may extend it by granting again themself.
    ///
    /// Caller: the user, or with `user` set, a manager that user named.
    /// No deposit: the storage is charged to the user's storage balance
    /// (`storage_deposit`); the call fails, changing nothing, if it is short.
    /// Emits `consent_granted` (new or revoked slot) or `consent_updated`
    /// (active slot).
    #[allow(clippy::too_many_arguments)]
    pub fn grant(
        &mut self,
        grantee: AccountId,
        purpose: ConsentPurpose,
        model_id: Option<ModelId>,
        categories: Option<Vec<String>>,
        data_commitment: Option<Digest32>,
        expires_at: Option<U64>,
        user: Option<AccountId>,
    ) -> GrantView {
        let (user, actor, authority_ends) = self.authorize(user, &grantee);
        let expires_at = expires_at.map(|e| e.0);
        validate_model_id(&model_id);
        validate_categories(&categories);
        require_future(expires_at);
        let expires_at = clamp_expiry(expires_at, authority_ends);
        let mut account = self.storage_account(&user);

        let now = env::block_timestamp();
        let meter = StorageMeter::start();
        let key = SlotKey { user: user.clone(), grantee: grantee.clone(), purpose };
        let chain_key = ChainKey { grantee, purpose };
        let mut chain = self.chains.get(&chain_key).cloned().unwrap_or_default();

        let (grant, kind) = match self.grants.get(&key).cloned() {
            Some(previous) => {
                let kind = match previous.status {
                    GrantStatus::Active => ChainEventKind::Update,
                    GrantStatus::Revoked => ChainEventKind::Grant,
                };
                let grant = ConsentGrant {
                    model_id,
                    categories,
                    data_commitment,
                    expires_at,
                    version: previous.version + 1,
                    status: GrantStatus::Active,
                    updated_at: now,
                    ..previous
                };
                (grant, kind)
            }
            None => {
                let user_index = account.grant_count;
                let grantor_index = chain.grantor_count;
                self.user_grants.insert((user.clone(), user_index), chain_key.clone());
                self.grantors.insert((chain_key.clone(), grantor_index), user.clone());
                account.grant_count += 1;
                chain.grantor_count += 1;
                let grant = ConsentGrant {
                    model_id,
                    categories,
                    data_commitment,
                    expires_at,
                    version: 1,
                    status: GrantStatus::Active,
                    created_at: now,
                    updated_at: now,
                    user_index,
                    grantor_index,
                };
                (grant, ChainEventKind::Grant)
            }
        };

        let event = Self::append_event(&mut chain, &key, &grant, kind);
        if kind == ChainEventKind::Update {
            self.close_period(&key, event.seq);
        }
        self.open_period(&key, event.seq, grant.expires_at);
        let change = ConsentChange::new(&event, chain.head, grant.categories.clone(), actor);
        self.grants.insert(key.clone(), grant.clone());
        self.chains.insert(chain_key, chain);
        self.settle_storage(&user, account, meter);

        ConsentEvent::consent(change).emit();
        GrantView::new(&key, &grant)
    }

    /// Revokes the active grant of the user to `grantee` for `purpose`,
    /// effective at once and not retroactive (snapshots taken before keep
    /// saying it was live). Always allowed to the user (or a manager with
    /// `user` set); costs only gas — never a deposit or storage balance: the
    /// slot, its open live period and the chain head are rewritten in place.
    /// Emits `consent_revoked`.
    pub fn revoke(&mut self, grantee: AccountId, purpose: ConsentPurpose, user: Option<AccountId>) -> GrantView {
        let (user, actor, _) = self.authorize(user, &grantee);
        let meter = StorageMeter::start();
        let key = SlotKey { user, grantee: grantee.clone(), purpose };
        let Some(mut grant) = self.grants.get(&key).cloned() else { env::panic_str(ERR_NO_GRANT) };
        if grant.status != GrantStatus::Active {
            env::panic_str(ERR_GRANT_NOT_ACTIVE);
        }
        let chain_key = ChainKey { grantee, purpose };
        let mut chain = self.chains.get(&chain_key).cloned().unwrap_or_default();

        grant.status = GrantStatus::Revoked;
        grant.version += 1;
        grant.updated_at = env::block_timestamp();
        let event = Self::append_event(&mut chain, &key, &grant, ChainEventKind::Revoke);
        self.close_period(&key, event.seq);
        let change = ConsentChange::new(&event, chain.head, grant.categories.clone(), actor);
        self.grants.insert(key.clone(), grant.clone());
        self.chains.insert(chain_key, chain);
        self.flush();
        if meter.bytes_added() > 0 {
            env::panic_str(ERR_REVOKE_GREW_STORAGE);
        }

        ConsentEvent::consent(change).emit();
        GrantView::new(&key, &grant)
    }

    /// Deletes the user's grant slot for (`grantee`, `purpose`), active or
    /// revoked; an active grant ends at once, as with `revoke`. The bytes of
    /// the slot and its index entries go back to the user's storage balance;
    /// the slot's live-period history stays (training snapshots may cite it).
    /// Caller: the user, or a manager with `user` set. No deposit.
    /// Emits `consent_deleted`.
    pub fn delete_grant(&mut self, grantee: AccountId, purpose: ConsentPurpose, user: Option<AccountId>) {
        let (user, actor, _) = self.authorize(user, &grantee);
        let mut account = self.storage_account(&user);
        let meter = StorageMeter::start();
        let key = SlotKey { user: user.clone(), grantee: grantee.clone(), purpose };
        let Some(mut grant) = self.grants.remove(&key) else { env::panic_str(ERR_NO_GRANT) };
        let chain_key = ChainKey { grantee, purpose };
        let mut chain = self.chains.get(&chain_key).cloned().unwrap_or_default();

        let was_active = grant.status == GrantStatus::Active;
        grant.version += 1;
        let event = Self::append_event(&mut chain, &key, &grant, ChainEventKind::Delete);
        if was_active {
            self.close_period(&key, event.seq);
        }
        self.remove_from_user_index(&user, grant.user_index, &mut account);
        self.remove_from_grantors(&chain_key, grant.grantor_index, &mut chain);
        let change = ConsentChange::new(&event, chain.head, grant.categories.clone(), actor);
        self.chains.insert(chain_key, chain);
        self.settle_storage(&user, account, meter);

        ConsentEvent::consent(change).emit();
    }
}

impl Contract {
    /// Swap-removes entry `index` of the user's grant index: O(1).
    fn remove_from_user_index(&mut self, user: &AccountId, index: u32, account: &mut StorageAccount) {
        let last = account.grant_count.checked_sub(1).unwrap_or_else(|| env::panic_str(ERR_INDEX_CORRUPT));
        let Some(last_entry) = self.user_grants.remove(&(user.clone(), last)) else {
            env::panic_str(ERR_INDEX_CORRUPT)
        };
        if index != last {
            let moved =
                SlotKey { user: user.clone(), grantee: last_entry.grantee.clone(), purpose: last_entry.purpose };
            match self.grants.get_mut(&moved) {
                Some(grant) => grant.user_index = index,
                None => env::panic_str(ERR_INDEX_CORRUPT),
            }
            self.user_grants.insert((user.clone(), index), last_entry);
        }
        account.grant_count = last;
    }

    /// Swap-removes entry `index` of the (grantee, purpose) grantor index: O(1).
    fn remove_from_grantors(&mut self, chain_key: &ChainKey, index: u32, chain: &mut ConsentChain) {
        let last = chain.grantor_count.checked_sub(1).unwrap_or_else(|| env::panic_str(ERR_INDEX_CORRUPT));
        let Some(last_user) = self.grantors.remove(&(chain_key.clone(), last)) else {
            env::panic_str(ERR_INDEX_CORRUPT)
        };
        if index != last {
            let moved =
                SlotKey { user: last_user.clone(), grantee: chain_key.grantee.clone(), purpose: chain_key.purpose };
            match self.grants.get_mut(&moved) {
                Some(grant) => grant.grantor_index = index,
                None => env::panic_str(ERR_INDEX_CORRUPT),
            }
            self.grantors.insert((chain_key.clone(), index), last_user);
        }
        chain.grantor_count = last;
    }
}
