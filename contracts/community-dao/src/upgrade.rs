//! Upgrades. Members store wasm by its sha256 (`store_code`); then
//! * an `upgrade_self` proposal deploys it to the DAO and calls `migrate` in one
//!   batch promise, and `migrate` brings the state layout up to this code's
//!   [`STATE_VERSION`];
//! * an `upgrade_contract` proposal sends it to the owner-only `upgrade` of one
//!   of the linked community contracts (registry, attestation, consent), which
//!   deploys it and calls its own `migrate` in one batch. The DAO is the owner
//!   of those contracts, so this is the only way they change code.

use crate::errors::*;
use crate::events::DaoEvent;
use crate::proposals::RECORD_OVERHEAD;
use crate::types::CommunityContract;
use crate::{Contract, ContractExt, Root, StorageKey, CONTRACT_VERSION, STATE_VERSION};
use ai_commons_primitives::storage::storage_cost;
use ai_commons_primitives::upgrade::{require_self, ContractMigrated};
use ai_commons_primitives::{Digest32, StorageMeter};
use near_sdk::json_types::U64;
use near_sdk::{env, near, AccountId, Gas, IntoStorageKey, NearToken, Promise};

/// Gas sent with a community contract's `upgrade`: it reads the code (its
/// input), deploys it and gives `migrate` [`GAS_FOR_MIGRATE`](ai_commons_primitives::upgrade::GAS_FOR_MIGRATE).
pub const UPGRADE_CONTRACT_GAS: Gas = Gas::from_tgas(100);

/// Storage key of stored code: the `Code` prefix followed by the 32-byte hash.
pub(crate) fn code_key(hash: &Digest32) -> Vec<u8> {
    let mut key = StorageKey::Code.into_storage_key();
    key.extend_from_slice(hash.as_bytes());
    key
}

impl Contract {
    /// The account of a linked community contract, or why there is none.
    pub(crate) fn community_contract(&self, contract: CommunityContract) -> Result<AccountId, String> {
        match contract {
            CommunityContract::Registry => self.registry(),
            CommunityContract::Attestation => self.attestation(),
            CommunityContract::Consent => self.consent(),
        }
    }

    /// Checks an `upgrade_contract` proposal: the contract is linked and the code stored.
    pub(crate) fn check_upgrade_contract(
        &self,
        contract: CommunityContract,
        code_hash: &Digest32,
    ) -> Result<(), String> {
        self.community_contract(contract)?;
        if !env::storage_has_key(&code_key(code_hash)) {
            return Err(format!("{ERR_CODE_NOT_FOUND}: {code_hash}"));
        }
        Ok(())
    }

    /// The promise of an `upgrade_contract` execution: the stored code as the
    /// raw input of the target's `upgrade`.
    pub(crate) fn upgrade_contract_promise(
        &self,
        contract: CommunityContract,
        code_hash: &Digest32,
    ) -> Result<Promise, String> {
        let target = self.community_contract(contract)?;
        let code =
            env::storage_read(&code_key(code_hash)).ok_or_else(|| format!("{ERR_CODE_NOT_FOUND}: {code_hash}"))?;
        Ok(Promise::new(target).function_call("upgrade", code, NearToken::from_yoctonear(0), UPGRADE_CONTRACT_GAS))
    }
}

#[near]
impl Contract {
    /// Stores raw wasm (the whole call input, not JSON) under its sha256 for a
    /// later `upgrade_self` or `upgrade_contract` proposal. Caller: a member. Deposit: at least the
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
        require_self();
        let mut state: Root = env::state_read().unwrap_or_else(|| env::panic_str(ERR_NO_STATE));
        let from = state.state_version;
        if !(1..=STATE_VERSION).contains(&from) {
            env::panic_str(&format!("{ERR_UNKNOWN_STATE_VERSION}: {from}"));
        }
        // Layout 1 is the only layout so far; version 2 (feature `upgrade-test`)
        // shares it and only bumps the version.
        state.state_version = STATE_VERSION;
        DaoEvent::ContractMigrated(ContractMigrated {
            from_state_version: from,
            to_state_version: STATE_VERSION,
            contract_version: CONTRACT_VERSION.to_string(),
        })
        .emit();
        Contract::with_root(state)
    }

    /// View: the version of the deployed code (`2.0.0-upgrade-test` when
    /// built with feature `upgrade-test`).
    pub fn contract_version(&self) -> String {
        CONTRACT_VERSION.to_string()
    }
}
