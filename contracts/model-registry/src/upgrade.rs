//! Code upgrades (owner only: the DAO) and state migration, the suite's way
//! (`ai_commons_primitives::upgrade`): `upgrade` deploys the new code and
//! calls `migrate` in one batch, so a failed migration reverts the deploy.
//!
//! The first field of the stored state is its `StateVersion`. `migrate`
//! reads it from the raw state and decodes the rest with the matching
//! layout. Layout 1 is the current one; when a field changes, keep the old
//! struct here as `ContractV1`, bump `STATE_VERSION` and add a conversion arm.

use crate::events::RegistryEvent;
use crate::{Contract, ContractExt, CONTRACT_VERSION, STATE_VERSION};
use ai_commons_primitives::upgrade::{code_from_input, deploy_and_migrate, migrate_one_layout, ContractUpgraded};
use ai_commons_primitives::Digest32;
use near_sdk::{near, Promise};

#[near]
impl Contract {
    /// Deploys the wasm passed as the raw call input (not JSON) and calls
    /// `migrate` on it in the same batch, so a failed migration reverts the
    /// deploy. Caller: the owner (the DAO, through an `upgrade_contract`
    /// proposal). No deposit. Emits `contract_upgraded`; `migrate` emits
    /// `contract_migrated`.
    pub fn upgrade(&self) -> Promise {
        self.assert_owner();
        let code = code_from_input();
        RegistryEvent::ContractUpgraded(ContractUpgraded { code_hash: Digest32::sha256(&code) }).emit();
        deploy_and_migrate(code)
    }

    /// Rewrites the stored state in the current layout. Caller: the contract
    /// account itself (the `upgrade` batch); private. Emits `contract_migrated`.
    #[private]
    #[init(ignore_state)]
    pub fn migrate() -> Self {
        // Every state version so far shares one layout.
        let (mut state, migrated) = migrate_one_layout::<Contract>(STATE_VERSION, CONTRACT_VERSION);
        state.state_version = STATE_VERSION;
        RegistryEvent::ContractMigrated(migrated).emit();
        state
    }

    /// View: the version of the deployed code (`2.0.0-upgrade-test` when
    /// built with feature `upgrade-test`).
    pub fn contract_version(&self) -> String {
        CONTRACT_VERSION.to_string()
    }
}
