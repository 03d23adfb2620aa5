//! Managers: accounts a user names (their AI agent, a wallet app) to grant,
//! revoke and delete on their behalf, optionally only for one grantee and
//! until an expiry. Only the user adds or removes them.

use crate::errors::*;
use crate::events::{ConsentEvent, ManagerRemoval};
use crate::types::*;
use crate::{require_future, Contract, ContractExt};
use ai_commons_primitives::StorageMeter;
use near_sdk::json_types::U64;
use near_sdk::{env, near, AccountId};

#[near]
impl Contract {
    /// Names (or re-scopes) `manager` as acting for the caller: only for
    /// `grantee` if given, until `expires_at` (nanoseconds, in the future) if
    /// given. Caller: the user. No deposit: storage comes from the caller's
    /// storage balance. Emits `manager_added`.
    pub fn add_manager(
        &mut self,
        manager: AccountId,
        grantee: Option<AccountId>,
        expires_at: Option<U64>,
    ) -> ManagerView {
        let user = env::predecessor_account_id();
        if manager == user {
            env::panic_str(ERR_MANAGER_IS_USER);
        }
        let expires_at = expires_at.map(|e| e.0);
        require_future(expires_at);
        let account = self.storage_account(&user);
        let meter = StorageMeter::start();
        let key = ManagerKey { user: user.clone(), manager };
        let record = ConsentManager { grantee, expires_at, added_at: env::block_timestamp() };
        self.managers.insert(key.clone(), record.clone());
        self.settle_storage(&user, account, meter);
        let view = ManagerView::new(&key, &record);
        ConsentEvent::ManagerAdded(view.clone()).emit();
        view
    }

    /// Removes `manager` at once; its bytes go back to the caller's storage
    /// balance. Caller: the user, any time. No deposit. Emits `manager_removed`.
    pub fn remove_manager(&mut self, manager: AccountId) {
        let user = env::predecessor_account_id();
        let account = self.storage_account(&user);
        let meter = StorageMeter::start();
        let key = ManagerKey { user: user.clone(), manager };
        if self.managers.remove(&key).is_none() {
            env::panic_str(ERR_NO_MANAGER);
        }
        self.settle_storage(&user, account, meter);
        ConsentEvent::ManagerRemoved(ManagerRemoval { user, manager: key.manager }).emit();
    }

    /// View: a manager the user named, `null` if none (expired ones are
    /// listed until the user removes them).
    pub fn get_manager(&self, user: AccountId, manager: AccountId) -> Option<ManagerView> {
        let key = ManagerKey { user, manager };
        self.managers.get(&key).map(|m| ManagerView::new(&key, m))
    }
}
