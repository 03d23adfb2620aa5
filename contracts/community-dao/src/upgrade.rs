//! Self-upgrade: members store wasm by its sha256, an `upgrade_self` proposal
//! deploys it and calls `migrate` in one batch promise, and `migrate` brings the
//! state layout up to this code's [`STATE_VERSION`].

use crate::errors::*;
use crate::events::DaoEvent;
use crate::proposals::RECORD_OVERHEAD;
use crate::{Contract, ContractExt, Root, StorageKey, CONTRACT_VERSION, STATE_VERSION};
use ai_commons_primitives::storage::storage_cost;
use ai_commons_primitives::{Digest32, StorageMeter};
use near_sdk::json_types::U64;
use near_sdk::{env, near, require, IntoStorageKey};

/// Storage key of stored code: the `Code` prefix followed by the 32-byte hash.
pub(crate) fn code_key(hash: &Digest32) -> Vec<u8> {
    let mut key = StorageKey::Code.into_storage_key();
    key.extend_from_slice(hash.as_bytes());
    key
}

#[near]
impl Contract {
    /// Stores raw wasm (the whole call input, not JSON) under its sha256 for a
    /// later `upgrade_self` proposal. Caller: a member. Deposit: at least the
    /// storage the code takes, 40 + 33 + code length bytes (excess refunded). Emits `code_stored`. Returns the hash.
    #[payable]
    pub fn store_code(&mut self) -> Digest32 {
        let caller = env::predecessor_account_id();
        if !self.members.contains_key(&caller) {
            env::panic_str(ERR_NOT_MEMBER);
        }
        let code = env::input().unwrap_or_default();
        if code.is_empty() {
            env::panic_str(ERR_CODE_EMPTY);
        }
        if let Err(e) = ai_commons_primitives::validate_wasm(&code) {
            env::panic_str(e);
        }
        let hash = Digest32::sha256(&code);
        let key = code_key(&hash);
        if env::storage_has_key(&key) {
            env::panic_str(&format!("{ERR_CODE_EXISTS}: {hash}"));
        }
        // Check the deposit before writing, so a short deposit changes nothing.
        let bytes = RECORD_OVERHEAD + key.len() as u64 + code.len() as u64;
        let attached = env::attached_deposit();
        if attached < storage_cost(bytes) {
            env::panic_str(&format!(
                "{ERR_DEPOSIT}: attach at least {} yoctoNEAR for {bytes} bytes of storage, attached {}",
                storage_cost(bytes).as_yoctonear(),
                attached.as_yoctonear()
            ));
        }
        let meter = StorageMeter::start();
        env::storage_write(&key, &code);
        let _ = meter.charge(&caller, attached);
        DaoEvent::CodeStored { code_hash: hash, bytes: U64(code.len() as u64), stored_by: caller }.emit();
        hash
    }

    /// Whether code with this hash is stored.
    pub fn has_code(&self, code_hash: Digest32) -> bool {
        env::storage_has_key(&code_key(&code_hash))
    }

    /// Reads the state left by the previous code and upgrades its layout.
    /// Caller: the DAO itself (the `upgrade_self` batch). Emits `contract_migrated`.
    #[private]
    #[init(ignore_state)]
    pub fn migrate() -> Self {
        require!(env::predecessor_account_id() == env::current_account_id(), ERR_PRIVATE);
        let mut state: Root = env::state_read().unwrap_or_else(|| env::panic_str(ERR_NO_STATE));
        let from = state.state_version;
        if from > STATE_VERSION {
            env::panic_str(&format!("{ERR_NEWER_STATE}: {from} > {STATE_VERSION}"));
        }
        // Layout 1 is the only layout so far; version 2 (feature `upgrade-test`)
        // shares it and only bumps the version.
        state.state_version = STATE_VERSION;
        DaoEvent::ContractMigrated {
            from_state_version: from,
            to_state_version: STATE_VERSION,
            contract_version: CONTRACT_VERSION.to_string(),
        }
        .emit();
        Contract::with_root(state)
    }

    /// The code's version (`2.0.0-upgrade-test` when built with feature `upgrade-test`).
    pub fn contract_version(&self) -> String {
        CONTRACT_VERSION.to_string()
    }
}
