//! Code upgrades (owner only, or disabled) and state migration.
//!
//! The owner controls the code and nothing else: no method lets it touch a
//! grant. An upgrade deploys the new code and calls `migrate` in one batch,
//! so the state is never left unread by new code.

use crate::errors::*;
use crate::events::{CodeUpgrade, ConsentEvent, LayoutChange, OwnerChange};
use crate::{Contract, ContractExt, STATE_VERSION};
use ai_commons_primitives::Digest32;
use near_sdk::{env, near, AccountId, Gas, NearToken, Promise};

/// Gas for the `migrate` call batched after the deploy.
const GAS_FOR_MIGRATE: Gas = Gas::from_tgas(50);

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
    /// with `null`. Caller: the owner, with exactly 1 yoctoNEAR (a full-access
    /// key). Emits `owner_changed`.
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
    /// `migrate` on it in the same batch. Caller: the owner; fails when
    /// upgrades are disabled. Emits `contract_upgraded` with the code hash.
    pub fn upgrade(&self) -> Promise {
        let owner = self.require_owner();
        let code = env::input().filter(|c| !c.is_empty()).unwrap_or_else(|| env::panic_str(ERR_NO_CODE));
        if let Err(e) = ai_commons_primitives::validate_wasm(&code) {
            env::panic_str(e);
        }
        let code_hash = Digest32::sha256(&code);
        ConsentEvent::ContractUpgraded(CodeUpgrade { owner, code_hash }).emit();
        Promise::new(env::current_account_id()).deploy_contract(code).function_call(
            "migrate",
            b"{}".to_vec(),
            NearToken::from_yoctonear(0),
            GAS_FOR_MIGRATE,
        )
    }

    /// Reads the stored state (of this or an older layout) and rewrites it in
    /// the current layout. Private: only the contract account itself (the
    /// `upgrade` batch) may call it — checked here as well as by
    /// `#[private]`. Emits `contract_migrated`.
    #[private]
    #[init(ignore_state)]
    pub fn migrate() -> Self {
        if env::predecessor_account_id() != env::current_account_id() {
            env::panic_str(ERR_PRIVATE);
        }
        let Some(state) = env::state_read::<Contract>() else { env::panic_str(ERR_NO_STATE) };
        // Layout 1 is the only layout so far. When layout 2 lands, read
        // `ContractV1` here (its own struct) and convert.
        if state.layout_version != STATE_VERSION {
            env::panic_str(&format!("{ERR_UNKNOWN_LAYOUT}: {}", state.layout_version));
        }
        ConsentEvent::ContractMigrated(LayoutChange { layout_version: STATE_VERSION }).emit();
        state
    }
}
