//! Code upgrades (owner only: the DAO) and state migration, the suite's way
//! (`ai_commons_primitives::upgrade`): `upgrade` deploys the new code and
//! calls `migrate` in one batch, so a failed migration reverts the deploy.

use crate::events::AttestationEvent;
use crate::{Contract, ContractExt, CONTRACT_VERSION, STATE_VERSION};
use ai_commons_primitives::upgrade::{code_from_input, deploy_and_migrate, migrate_one_layout, ContractUpgraded};
use ai_commons_primitives::Digest32;
use near_sdk::{near, Promise};

#[near]
impl Contract {
    /// Deploys the wasm passed as the raw call input (not JSON) and calls
    /// `migrate` in the same batch, so a failed migration reverts the deploy.
    /// Caller: the owner (the DAO, through an `upgrade_contract` proposal).
    /// No deposit. Emits `contract_upgraded`; `migrate` emits `contract_migrated`.
    pub fn upgrade(&self) -> Promise {
        self.assert_owner();
        let code = code_from_input();
        AttestationEvent::ContractUpgraded(ContractUpgraded { code_hash: Digest32::sha256(&code) }).emit();
        deploy_and_migrate(code)
    }

    /// Reads the stored state in whatever layout it was written and returns
    /// it in the current layout. Caller: this contract only (the upgrade
    /// batch); private. Emits `contract_migrated`.
    #[private]
    #[init(ignore_state)]
    pub fn migrate() -> Self {
        // Every state version so far shares one layout.
        let (mut state, migrated) = migrate_one_layout::<Contract>(STATE_VERSION, CONTRACT_VERSION);
        state.state_version = STATE_VERSION;
        AttestationEvent::ContractMigrated(migrated).emit();
        state
    }

    /// View: the version of the deployed code (`2.0.0-upgrade-test` when
    /// built with feature `upgrade-test`).
    pub fn contract_version(&self) -> String {
        CONTRACT_VERSION.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::*;
    use crate::testing::*;
    use ai_commons_primitives::upgrade::STATE_KEY;
    use near_sdk::env;
    use near_sdk::mock::MockAction;
    use near_sdk::test_utils::{get_created_receipts, get_logs, VMContextBuilder};
    use near_sdk::{testing_env, AccountId, NearToken};

    fn call_with_input(who: AccountId, input: &[u8]) {
        let mut context = VMContextBuilder::new()
            .current_account_id(contract_id())
            .predecessor_account_id(who.clone())
            .signer_account_id(who)
            .block_timestamp(NOW)
            .build();
        context.input = input.into();
        testing_env!(context);
    }

    #[test]
    fn migrate_keeps_state_and_emits() {
        let contract = setup();
        env::state_write(&contract);
        call(contract_id(), NearToken::from_yoctonear(0), NOW);
        let migrated = Contract::migrate();
        assert_eq!(
            get_logs(),
            vec![format!(
                r#"EVENT_JSON:{{"standard":"inference_attestation","version":"1.0.0","event":"contract_migrated","data":{{"from_state_version":1,"to_state_version":{STATE_VERSION},"contract_version":"{CONTRACT_VERSION}"}}}}"#
            )]
        );
        assert_eq!(migrated.get_config().owner, owner());
        assert_eq!(migrated.get_config().state_version, STATE_VERSION);
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
    fn unknown_versions_are_refused() {
        call(contract_id(), NearToken::from_yoctonear(0), NOW);
        assert_eq!(panic_message(Contract::migrate), ERR_NO_STATE);
        env::storage_write(STATE_KEY, &[9, 0, 1, 2]);
        assert_eq!(panic_message(Contract::migrate), format!("{ERR_UNKNOWN_STATE_VERSION}: 9"));
    }

    #[test]
    fn only_the_owner_upgrades_with_deploy_and_migrate_in_one_batch() {
        let contract = setup();
        call_with_input(stranger(), b"\0asm v2");
        assert_eq!(panic_message(|| contract.upgrade()), ERR_NOT_OWNER);
        call_with_input(contract_id(), b"\0asm v2");
        assert_eq!(panic_message(|| contract.upgrade()), ERR_NOT_OWNER);
        call_with_input(owner(), b"");
        assert_eq!(panic_message(|| contract.upgrade()), ERR_NO_CODE);
        call_with_input(owner(), b"{\"code\":1}");
        assert_eq!(panic_message(|| contract.upgrade()), ai_commons_primitives::code::ERR_NOT_WASM);
        call_with_input(owner(), b"\0asm v2");
        let _ = contract.upgrade();
        let hash = Digest32::sha256(b"\0asm v2");
        assert_eq!(
            get_logs(),
            vec![format!(
                r#"EVENT_JSON:{{"standard":"inference_attestation","version":"1.0.0","event":"contract_upgraded","data":{{"code_hash":"{hash}"}}}}"#
            )]
        );
        let receipts = get_created_receipts();
        assert_eq!(receipts.len(), 1);
        match &receipts[0].actions[..] {
            [MockAction::DeployContract { code, .. }, MockAction::FunctionCallWeight { method_name, .. }] => {
                assert_eq!(code, b"\0asm v2");
                assert_eq!(method_name, b"migrate");
            }
            other => panic!("expected deploy + migrate, got {other:?}"),
        }
    }
}
