//! How every contract of the suite upgrades: the same way, with the same words.
//!
//! * The owner (the community DAO) calls `upgrade` with the new wasm as the
//!   raw call input. The contract emits `contract_upgraded` and returns one
//!   batch promise to itself: deploy the code, then call `migrate`. A failed
//!   `migrate` fails the batch, so the deploy is reverted and the old code
//!   keeps running on its untouched state.
//! * `migrate` is private, reads the [`StateVersion`] stored first in the
//!   state, decodes that layout, and emits `contract_migrated` with the
//!   shape of [`ContractMigrated`].
//! * `contract_version` is a view on every contract.

use crate::errors::{ERR_NO_CODE, ERR_NO_STATE, ERR_PRIVATE, ERR_STATE_CORRUPT};
use crate::Digest32;
use near_sdk::{env, near, Gas, NearToken, Promise};

/// Layout version of a contract's stored state. By convention it is the
/// first field of the state struct (so its first two bytes, little endian),
/// and each contract names its current one `STATE_VERSION`.
pub type StateVersion = u16;

/// Key under which near-sdk stores the contract struct.
pub const STATE_KEY: &[u8] = b"STATE";

/// Gas the `migrate` call of an upgrade batch gets.
pub const GAS_FOR_MIGRATE: Gas = Gas::from_tgas(50);

/// Data of the `contract_migrated` event every contract emits from `migrate`.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractMigrated {
    pub from_state_version: StateVersion,
    pub to_state_version: StateVersion,
    /// `contract_version()` of the code that migrated.
    pub contract_version: String,
}

/// Data of the `contract_upgraded` event every contract emits from `upgrade`.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractUpgraded {
    /// sha256 of the wasm being deployed.
    pub code_hash: Digest32,
}

/// Panics with [`ERR_PRIVATE`] unless the contract account itself is the
/// caller. `#[private]` checks this in the wasm entry point only; calling
/// this in the body keeps the rule in unit tests too.
pub fn require_self() {
    if env::predecessor_account_id() != env::current_account_id() {
        env::panic_str(ERR_PRIVATE);
    }
}

/// The new code of an `upgrade` call: its whole raw input, which must be a
/// wasm module (it must not be empty and must start with the wasm magic).
pub fn code_from_input() -> Vec<u8> {
    let code = env::input().filter(|code| !code.is_empty()).unwrap_or_else(|| env::panic_str(ERR_NO_CODE));
    if let Err(e) = crate::code::validate_wasm(&code) {
        env::panic_str(e);
    }
    code
}

/// One batch promise to this contract: deploy `code`, then call `migrate`
/// (no arguments) with [`GAS_FOR_MIGRATE`]. If `migrate` fails the whole
/// batch reverts, deploy included.
pub fn deploy_and_migrate(code: Vec<u8>) -> Promise {
    Promise::new(env::current_account_id()).deploy_contract(code).function_call(
        "migrate",
        Vec::new(),
        NearToken::from_yoctonear(0),
        GAS_FOR_MIGRATE,
    )
}

/// The raw stored state and the [`StateVersion`] in its first two bytes.
/// Panics with [`ERR_NO_STATE`] when there is no state, [`ERR_STATE_CORRUPT`]
/// when it is shorter than a version.
pub fn read_versioned_state() -> (StateVersion, Vec<u8>) {
    let raw = env::storage_read(STATE_KEY).unwrap_or_else(|| env::panic_str(ERR_NO_STATE));
    let version = match raw.get(..2) {
        Some(bytes) => StateVersion::from_le_bytes([bytes[0], bytes[1]]),
        None => env::panic_str(ERR_STATE_CORRUPT),
    };
    (version, raw)
}

/// The shared body of `migrate` while every state version a contract has
/// written shares one layout (version 2 of the `upgrade-test` builds only
/// bumps the number): checks that the contract itself calls, reads the stored
/// version, decodes versions `1..=current` as `T` and refuses any other.
/// Returns the state and the `contract_migrated` data for the contract to set
/// its `state_version` and emit. When a layout changes, that contract matches
/// on [`read_versioned_state`] itself and decodes the old struct.
pub fn migrate_one_layout<T: near_sdk::borsh::BorshDeserialize>(
    current: StateVersion,
    contract_version: &str,
) -> (T, ContractMigrated) {
    require_self();
    let (from, raw) = read_versioned_state();
    if !(1..=current).contains(&from) {
        env::panic_str(&format!("{}: {from}", crate::errors::ERR_UNKNOWN_STATE_VERSION));
    }
    let state = T::try_from_slice(&raw).unwrap_or_else(|_| env::panic_str(ERR_STATE_CORRUPT));
    let event = ContractMigrated {
        from_state_version: from,
        to_state_version: current,
        contract_version: contract_version.to_string(),
    };
    (state, event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use near_sdk::test_utils::VMContextBuilder;
    use near_sdk::testing_env;

    fn as_caller(caller: &str) {
        let mut ctx = VMContextBuilder::new();
        ctx.current_account_id("c.near".parse().unwrap()).predecessor_account_id(caller.parse().unwrap());
        testing_env!(ctx.build());
    }

    /// Runs `f`, which must panic with a message containing `expected`.
    fn panics_with(expected: &str, f: impl FnOnce() + std::panic::UnwindSafe) {
        let err = std::panic::catch_unwind(f).expect_err("should panic");
        let message = err.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(message.contains(expected), "{message:?} does not contain {expected:?}");
    }

    #[test]
    fn only_the_contract_itself_passes_require_self() {
        as_caller("c.near");
        require_self();
        as_caller("stranger.near");
        panics_with(ERR_PRIVATE, require_self);
    }

    #[test]
    fn the_state_version_is_the_first_two_bytes() {
        as_caller("c.near");
        panics_with(ERR_NO_STATE, || drop(read_versioned_state()));
        env::storage_write(STATE_KEY, &[7]);
        panics_with(ERR_STATE_CORRUPT, || drop(read_versioned_state()));
        env::storage_write(STATE_KEY, &[2, 1, 9]);
        assert_eq!(read_versioned_state(), (0x0102, vec![2, 1, 9]));
    }

    #[test]
    fn an_upgrade_without_code_is_refused() {
        as_caller("c.near");
        panics_with(ERR_NO_CODE, || drop(code_from_input()));
    }

    #[test]
    fn the_migration_event_shape() {
        let data = ContractMigrated { from_state_version: 1, to_state_version: 2, contract_version: "0.1.0".into() };
        assert_eq!(
            near_sdk::serde_json::to_string(&data).unwrap(),
            r#"{"from_state_version":1,"to_state_version":2,"contract_version":"0.1.0"}"#
        );
    }
}
