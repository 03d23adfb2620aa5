//! Code upgrades: the owner deploys new code and runs `migrate` in one batch.

use crate::events::AttestationEvent;
use crate::{errors::*, Contract, ContractExt, STATE_LAYOUT_VERSION};
use near_sdk::borsh::BorshDeserialize;
use near_sdk::{env, near, Gas, NearToken, Promise};

/// Gas left for `migrate` in the upgrade batch.
pub const GAS_FOR_MIGRATE: Gas = Gas::from_tgas(50);
const STATE_KEY: &[u8] = b"STATE";

#[near]
impl Contract {
    /// Deploys the wasm passed as the raw call input (not JSON) and calls
    /// `migrate` in the same batch, so a failed migration reverts the deploy.
    /// Caller: owner. Deposit: none. `migrate` emits `contract_migrated`.
    pub fn upgrade(&mut self) -> Promise {
        self.assert_owner();
        let code = env::input().unwrap_or_default();
        near_sdk::require!(!code.is_empty(), "upgrade needs the new wasm as call input");
        if let Err(e) = ai_commons_primitives::validate_wasm(&code) {
            env::panic_str(e);
        }
        Promise::new(env::current_account_id())
            .deploy_contract(code)
            .function_call("migrate", Vec::new(), NearToken::from_yoctonear(0), GAS_FOR_MIGRATE)
            .as_return()
    }

    /// Reads the stored state in whatever layout it was written and returns
    /// it in the current layout. Caller: this contract only (the upgrade
    /// batch). Emits `contract_migrated`.
    #[private]
    #[init(ignore_state)]
    pub fn migrate() -> Self {
        Self::assert_self();
        let raw = env::storage_read(STATE_KEY).unwrap_or_else(|| env::panic_str(ERR_NO_STATE));
        let from_layout = *raw.first().unwrap_or_else(|| env::panic_str(ERR_STATE_CORRUPT));
        let state = match from_layout {
            // Layout 1 is current. A future layout 2 decodes `ContractV1` here
            // and converts it field by field.
            1 => Contract::try_from_slice(&raw).unwrap_or_else(|_| env::panic_str(ERR_STATE_CORRUPT)),
            other => env::panic_str(&format!("{ERR_UNKNOWN_LAYOUT}: {other}")),
        };
        AttestationEvent::ContractMigrated { from_layout, to_layout: STATE_LAYOUT_VERSION }.emit();
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use near_sdk::test_utils::get_logs;

    #[test]
    fn migrate_keeps_state_and_emits() {
        let contract = setup();
        env::state_write(&contract);
        call(contract_id(), NearToken::from_yoctonear(0), NOW);
        let migrated = Contract::migrate();
        assert_eq!(
            get_logs(),
            vec![
                r#"EVENT_JSON:{"standard":"inference_attestation","version":"1.0.0","event":"contract_migrated","data":{"from_layout":1,"to_layout":1}}"#
            ]
        );
        assert_eq!(migrated.get_config().owner, owner());
        assert!(migrated.get_attester(operator()).is_some());
    }

    #[test]
    fn a_stranger_cannot_migrate() {
        let contract = setup();
        env::state_write(&contract);
        call(stranger(), NearToken::from_yoctonear(0), NOW);
        assert_eq!(panic_message(Contract::migrate), ERR_PRIVATE);
        call(owner(), NearToken::from_yoctonear(0), NOW);
        assert_eq!(panic_message(Contract::migrate), ERR_PRIVATE);
    }

    #[test]
    fn unknown_layouts_are_refused() {
        call(contract_id(), NearToken::from_yoctonear(0), NOW);
        assert_eq!(panic_message(Contract::migrate), ERR_NO_STATE);
        env::storage_write(STATE_KEY, &[9, 1, 2]);
        assert_eq!(panic_message(Contract::migrate), format!("{ERR_UNKNOWN_LAYOUT}: 9"));
    }

    #[test]
    fn only_the_owner_upgrades() {
        let mut contract = setup();
        call(stranger(), NearToken::from_yoctonear(0), NOW);
        assert_eq!(panic_message(|| contract.upgrade()), ERR_NOT_OWNER);
        call(owner(), NearToken::from_yoctonear(0), NOW);
        assert_eq!(panic_message(|| contract.upgrade()), "upgrade needs the new wasm as call input");
        let mut ctx = near_sdk::test_utils::VMContextBuilder::new().build();
        ctx.current_account_id = contract_id();
        ctx.predecessor_account_id = owner();
        ctx.input = b"{\"code\":1}".to_vec().into();
        near_sdk::testing_env!(ctx);
        assert_eq!(panic_message(|| contract.upgrade()), ai_commons_primitives::code::ERR_NOT_WASM);
    }
}
