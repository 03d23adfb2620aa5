//! Code upgrades (owner only, or disabled) and state migration, the suite's
//! way (`ai_commons_primitives::upgrade`).
//!
//! The owner controls the code and nothing else: no method lets it touch a
//! grant. An upgrade deploys the new code and calls `migrate` in one batch,
//! so the state is never left unread by new code and a failed migration
//! reverts the deploy.

use crate::errors::*;
use crate::events::{ConsentEvent, ContractUpgraded, OwnerChange};
use crate::{Contract, ContractExt, CONTRACT_VERSION, STATE_VERSION};
use ai_commons_primitives::upgrade::{code_from_input, deploy_and_migrate, migrate_one_layout};
use ai_commons_primitives::Digest32;
use near_sdk::{env, near, AccountId, NearToken, Promise};

impl Contract {
    fn require_owner(&self) -> AccountId {
        let Some(owner) = &self.owner else { env::panic_str(ERR_UPGRADES_DISABLED) };
        if env::predecessor_account_id() != *owner {
            env::panic_str(ERR_NOT_OWNER);
        }
        owner.clone()
    }
}

#[near]
impl Contract {
    /// Hands the upgrade right to `new_owner`, or disables upgrades for good
    /// with `null`. Caller: the owner, with exactly 1 yoctoNEAR (the DAO
    /// sends it through a `function_calls` proposal). Emits `owner_changed`.
    #[payable]
    pub fn set_owner(&mut self, new_owner: Option<AccountId>) {
        if env::attached_deposit() != NearToken::from_yoctonear(1) {
            env::panic_str(ERR_ONE_YOCTO);
        }
        let old_owner = self.require_owner();
        self.owner = new_owner.clone();
        ConsentEvent::OwnerChanged(OwnerChange { old_owner: Some(old_owner), new_owner }).emit();
    }

    /// Deploys new code, passed as the raw call input (not JSON), and calls
    /// `migrate` on it in the same batch, so a failed migration reverts the
    /// deploy. Caller: the owner (by default the DAO, through an
    /// `upgrade_contract` proposal); fails when upgrades are disabled. No
    /// deposit. Emits `contract_upgraded`; `migrate` emits `contract_migrated`.
    pub fn upgrade(&self) -> Promise {
        self.require_owner();
        let code = code_from_input();
        ConsentEvent::ContractUpgraded(ContractUpgraded { code_hash: Digest32::sha256(&code) }).emit();
        deploy_and_migrate(code)
    }

    /// Reads the stored state (of this or an older layout) and rewrites it in
    /// the current layout. Private: only the contract account itself (the
    /// `upgrade` batch) may call it — checked here as well as by
    /// `#[private]`. Emits `contract_migrated`.
    #[private]
    #[init(ignore_state)]
    pub fn migrate() -> Self {
        // Every state version so far shares one layout.
        let (mut state, migrated) = migrate_one_layout::<Contract>(STATE_VERSION, CONTRACT_VERSION);
        state.state_version = STATE_VERSION;
        ConsentEvent::ContractMigrated(migrated).emit();
        state
    }

    /// View: the version of the deployed code (`2.0.0-upgrade-test` when
    /// built with feature `upgrade-test`).
    pub fn contract_version(&self) -> String {
        CONTRACT_VERSION.to_string()
    }
}
