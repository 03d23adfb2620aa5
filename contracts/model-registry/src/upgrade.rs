//! State migration after a code upgrade (deploy + `migrate` in one batch).
//!
//! The first field of the stored state is its layout version. `migrate`
//! reads it from the raw state and decodes the rest with the matching
//! layout. Layout 1 is the current one; when a field changes, keep the old
//! struct here as `ContractV1`, bump `STATE_LAYOUT_VERSION` and add a
//! conversion arm.

use crate::errors::*;
use crate::events::RegistryEvent;
use crate::{Contract, ContractExt, STATE_LAYOUT_VERSION};
use near_sdk::borsh::BorshDeserialize;
use near_sdk::{env, near, require};

/// Key under which near-sdk keeps the contract struct.
const STATE_KEY: &[u8] = b"STATE";

#[near]
impl Contract {
    /// Rewrites the stored state in the current layout. Caller: the contract
    /// account itself (batched after a deploy). Emits `state_migrated`.
    #[private]
    #[init(ignore_state)]
    pub fn migrate() -> Self {
        // `#[private]` is enforced by the wasm entry point; checking here too
        // keeps the rule when the method is called in-process (unit tests).
        require!(env::predecessor_account_id() == env::current_account_id(), ERR_MIGRATE_NOT_SELF);
        let raw = env::storage_read(STATE_KEY).unwrap_or_else(|| env::panic_str(ERR_NO_STATE));
        let from_layout = raw
            .get(..2)
            .map(|bytes| u16::from_le_bytes([bytes[0], bytes[1]]))
            .unwrap_or_else(|| env::panic_str(ERR_CORRUPT_STATE));
        let mut state = match from_layout {
            1 => Contract::try_from_slice(&raw).unwrap_or_else(|_| env::panic_str(ERR_CORRUPT_STATE)),
            _ => env::panic_str(ERR_UNKNOWN_LAYOUT),
        };
        state.layout_version = STATE_LAYOUT_VERSION;
        RegistryEvent::StateMigrated { from_layout, to_layout: STATE_LAYOUT_VERSION }.emit();
        state
    }
}
