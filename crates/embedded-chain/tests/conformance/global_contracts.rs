//! NEP-591 global contracts, as nearcore protocol 88 runs them:
//! `runtime/runtime/src/global_contracts.rs` (`action_deploy_global_contract`,
//! `action_use_global_contract`, the distribution receipt,
//! `AccountContractAccessExt::code`) and the `action_deploy_global_contract*`,
//! `action_use_global_contract*` and `global_contract_storage_amount_per_byte`
//! parameters.

use embedded_chain::{
    near, AccountId, ActionError, ActionErrorKind, Chain, CryptoHash, GlobalContractDeployMode,
    GlobalContractIdentifier, TxExecutionError, TxOutcome,
};
use near_parameters::{ActionCosts, ExtCosts};
use serde_json::json;

fn probe_wasm() -> Vec<u8> {
    wasm_build::wasm("chain-probe", &[])
}

/// The probe's code with a custom section of `extra` bytes appended: the same
/// contract, a different code (hash and size), for a redeploy.
fn probe_wasm_with_section(extra: usize) -> Vec<u8> {
    let mut wasm = probe_wasm();
    let name = b"redeploy";
    let payload = vec![0x2a; extra];
    let size = 1 + name.len() + payload.len();
    assert!(size < 128 && name.len() < 128, "one-byte LEB128 lengths");
    wasm.push(0); // custom section id
    wasm.push(size as u8);
    wasm.push(name.len() as u8);
    wasm.extend_from_slice(name);
    wasm.extend_from_slice(&payload);
    wasm
}

fn send(chain: &Chain, cost: ActionCosts, sir: bool) -> u64 {
    chain.runtime_config().fees.fee(cost).send_fee(sir).gas.as_gas()
}

fn exec(chain: &Chain, cost: ActionCosts) -> u64 {
    chain.runtime_config().fees.fee(cost).exec_fee().gas.as_gas()
}

fn price(chain: &Chain) -> u128 {
    chain.gas_price().as_yoctonear()
}

/// `global_contract_storage_amount_per_byte` times the code's length.
fn storage_cost(chain: &Chain, code: &[u8]) -> u128 {
    chain.runtime_config().fees.storage_usage_config.global_contract_storage_amount_per_byte.as_yoctonear()
        * code.len() as u128
}

/// Gas of deploying `code` as a global contract to oneself: conversion (send,
/// sir) and execution of the receipt.
fn deploy_global_gas(chain: &Chain, code: &[u8]) -> (u64, u64) {
    let n = code.len() as u64;
    let conversion = send(chain, ActionCosts::new_action_receipt, true)
        + send(chain, ActionCosts::deploy_global_contract_base, true)
        + send(chain, ActionCosts::deploy_global_contract_byte, true) * n;
    let execution = exec(chain, ActionCosts::new_action_receipt)
        + exec(chain, ActionCosts::deploy_global_contract_base)
        + exec(chain, ActionCosts::deploy_global_contract_byte) * n;
    (conversion, execution)
}

/// Gas of using a global contract of identifier length `n` (sir).
fn use_global_gas(chain: &Chain, n: u64) -> u64 {
    send(chain, ActionCosts::new_action_receipt, true)
        + send(chain, ActionCosts::use_global_contract_base, true)
        + send(chain, ActionCosts::use_global_contract_byte, true) * n
        + exec(chain, ActionCosts::new_action_receipt)
        + exec(chain, ActionCosts::use_global_contract_base)
        + exec(chain, ActionCosts::use_global_contract_byte) * n
}

/// The `contract_loading_bytes` gas of the call's receipt on `account`
/// (what the VM charges per byte of the code it loads).
fn loading_bytes_gas(out: &TxOutcome, account: &AccountId) -> u64 {
    let receipt = out.receipts_on(account).find(|r| !r.is_refund).expect("a receipt on the account");
    receipt.vm_profile.iter().find(|(name, _)| name == "contract_loading_bytes").map(|(_, gas)| *gas).unwrap_or(0)
}

fn loading_byte_cost(chain: &Chain) -> u64 {
    chain.runtime_config().wasm_config.ext_costs.gas_cost(ExtCosts::contract_loading_bytes).as_gas()
}

fn code_hash(code: &[u8]) -> CryptoHash {
    CryptoHash::hash_bytes(code)
}

#[test]
fn a_global_contract_by_hash_burns_its_storage_once_and_runs_for_its_users() {
    // nearcore `action_deploy_global_contract`: the deployer pays
    // `global_contract_storage_amount_per_byte` per byte, burnt (its storage
    // usage does not grow); a distribution receipt (to `system`) stores the
    // code. `action_use_global_contract`: the user's contract becomes
    // `Global(hash)`, its storage usage grows by the 32-byte identifier.
    let mut chain = Chain::new();
    let wasm = probe_wasm();
    let lib = chain.create_account("lib", near(100));
    let user = chain.create_account("user", near(5));
    let lib_before = chain.view_account(&lib).unwrap();

    let out = chain.deploy_global_contract(&lib, &wasm, GlobalContractDeployMode::CodeHash);
    out.assert_success();
    let (conversion, execution) = deploy_global_gas(&chain, &wasm);
    assert_eq!(out.conversion_gas_burnt, conversion);
    assert_eq!(out.total_gas_burnt, conversion + execution);
    assert_eq!(out.tokens_burnt, (conversion + execution) as u128 * price(&chain) + storage_cost(&chain, &wasm));
    let lib_after = chain.view_account(&lib).unwrap();
    assert_eq!(lib_before.amount.as_yoctonear() - lib_after.amount.as_yoctonear(), out.tokens_burnt);
    assert_eq!(lib_after.storage_usage, lib_before.storage_usage);
    assert_eq!(lib_after.code_hash, CryptoHash::default().to_string(), "the deployer's own contract is untouched");
    let hash = code_hash(&wasm);
    let distribution = out.receipts.iter().find(|r| r.executor == "system").expect("a distribution receipt");
    assert_eq!(distribution.actions, vec![format!("GlobalContractDistribution({hash})")]);
    assert_eq!(chain.global_contract_hash(&GlobalContractIdentifier::CodeHash(hash)), Some(hash));

    let user_before = chain.view_account(&user).unwrap();
    let out = chain.use_global_contract(&user, GlobalContractIdentifier::CodeHash(hash));
    out.assert_success();
    assert_eq!(out.total_gas_burnt, use_global_gas(&chain, 32));
    let user_after = chain.view_account(&user).unwrap();
    assert_eq!(user_after.storage_usage, user_before.storage_usage + 32);
    assert_eq!(user_after.code_hash, hash.to_string());
    assert_eq!(user_after.code_size, wasm.len() as u64);
    assert_eq!(user_before.amount.as_yoctonear() - user_after.amount.as_yoctonear(), out.tokens_burnt);

    // Calls on the user run the global code, in the user's own state.
    let caller = chain.create_account("caller", near(5));
    let out = chain.call(&caller, &user, "set").args_json(json!({"value": "11"})).transact();
    out.assert_success();
    assert_eq!(loading_bytes_gas(&out, &user), loading_byte_cost(&chain) * wasm.len() as u64);
    assert_eq!(chain.view_json::<String>(&user, "get", json!({})), "11");
}

#[test]
fn a_global_contract_by_account_is_updated_for_every_user_by_a_redeploy() {
    // nearcore `action_use_global_contract`: `GlobalByAccount(id)`, storage
    // usage grows by the id's length; `AccountContractAccessExt::code` loads
    // the code deployed under the id now, so a redeploy reaches every user.
    let mut chain = Chain::new();
    let wasm = probe_wasm();
    let lib = chain.create_account("lib", near(100));
    let user = chain.create_account("user", near(5));
    let caller = chain.create_account("caller", near(5));
    chain.deploy_global_contract(&lib, &wasm, GlobalContractDeployMode::AccountId).assert_success();
    let by_account = GlobalContractIdentifier::AccountId(lib.clone());
    assert_eq!(chain.global_contract_hash(&by_account), Some(code_hash(&wasm)));

    let user_before = chain.view_account(&user).unwrap();
    let out = chain.use_global_contract(&user, by_account.clone());
    out.assert_success();
    assert_eq!(out.total_gas_burnt, use_global_gas(&chain, lib.len() as u64));
    let user_after = chain.view_account(&user).unwrap();
    assert_eq!(user_after.storage_usage, user_before.storage_usage + lib.len() as u64);
    assert_eq!(user_after.code_hash, code_hash(&wasm).to_string());
    chain.call(&caller, &user, "set").args_json(json!({"value": "3"})).transact().assert_success();
    let first = chain.call(&caller, &user, "get").transact();
    assert_eq!(loading_bytes_gas(first.assert_success(), &user), loading_byte_cost(&chain) * wasm.len() as u64);

    // The owner redeploys: same identifier, new code, for the user too.
    let before_redeploy = chain.view_account(&user).unwrap();
    let wasm2 = probe_wasm_with_section(40);
    let lib_before = chain.balance(&lib);
    let out = chain.deploy_global_contract(&lib, &wasm2, GlobalContractDeployMode::AccountId);
    out.assert_success();
    let (conversion, execution) = deploy_global_gas(&chain, &wasm2);
    assert_eq!(out.tokens_burnt, (conversion + execution) as u128 * price(&chain) + storage_cost(&chain, &wasm2));
    assert_eq!(lib_before.as_yoctonear() - chain.balance(&lib).as_yoctonear(), out.tokens_burnt);
    let user_now = chain.view_account(&user).unwrap();
    assert_eq!(user_now.code_hash, code_hash(&wasm2).to_string());
    assert_eq!(user_now.code_size, wasm2.len() as u64);
    assert_eq!(user_now.storage_usage, before_redeploy.storage_usage, "the user's storage does not follow the code");
    let second = chain.call(&caller, &user, "get").transact();
    assert_eq!(loading_bytes_gas(second.assert_success(), &user), loading_byte_cost(&chain) * wasm2.len() as u64);
    assert_eq!(second.json::<String>().unwrap(), "3", "the user's state survives the code change");
}

#[test]
fn using_a_global_contract_that_does_not_exist_fails_and_changes_nothing() {
    // nearcore `action_use_global_contract`: GlobalContractDoesNotExist.
    let mut chain = Chain::new();
    let user = chain.create_account("user", near(5));
    let before = chain.view_account(&user).unwrap();
    let missing = GlobalContractIdentifier::CodeHash(code_hash(b"no such code"));
    let out = chain.use_global_contract(&user, missing.clone());
    assert_eq!(
        out.status,
        Err(TxExecutionError::ActionError(ActionError {
            index: Some(0),
            kind: ActionErrorKind::GlobalContractDoesNotExist { identifier: missing },
        }))
    );
    let after = chain.view_account(&user).unwrap();
    assert_eq!((after.storage_usage, &after.code_hash), (before.storage_usage, &before.code_hash));
    assert_eq!(before.amount.as_yoctonear() - after.amount.as_yoctonear(), out.tokens_burnt);
}

#[test]
fn deploying_a_global_contract_without_the_balance_for_its_storage_fails() {
    // nearcore `action_deploy_global_contract`: a balance below the storage
    // cost is LackBalanceForState with the whole cost; nothing is stored.
    let mut chain = Chain::new();
    let wasm = probe_wasm();
    let poor = chain.create_account("poor", near(1));
    assert!(storage_cost(&chain, &wasm) > near(1).as_yoctonear(), "the probe's global storage costs more than 1 NEAR");
    let before = chain.view_account(&poor).unwrap();
    let out = chain.deploy_global_contract(&poor, &wasm, GlobalContractDeployMode::AccountId);
    assert_eq!(
        out.status,
        Err(TxExecutionError::ActionError(ActionError {
            index: Some(0),
            kind: ActionErrorKind::LackBalanceForState {
                account_id: poor.clone(),
                amount: embedded_chain::NearToken::from_yoctonear(storage_cost(&chain, &wasm)),
            },
        }))
    );
    assert!(!out.receipts.iter().any(|r| r.executor == "system"), "no distribution receipt");
    assert_eq!(chain.global_contract_hash(&GlobalContractIdentifier::AccountId(poor.clone())), None);
    let after = chain.view_account(&poor).unwrap();
    assert_eq!(after.storage_usage, before.storage_usage);
    assert_eq!(before.amount.as_yoctonear() - after.amount.as_yoctonear(), out.tokens_burnt);
}

#[test]
fn a_local_deploy_replaces_a_global_contract_and_its_identifier_bytes() {
    // nearcore `action_deploy_contract` / `clear_account_contract_storage_usage`:
    // the global identifier's bytes leave the storage usage, the code's come in.
    let mut chain = Chain::new();
    let wasm = probe_wasm();
    let lib = chain.create_account("lib", near(100));
    let user = chain.create_account("user", near(10));
    chain.deploy_global_contract(&lib, &wasm, GlobalContractDeployMode::CodeHash).assert_success();
    chain.use_global_contract(&user, GlobalContractIdentifier::CodeHash(code_hash(&wasm))).assert_success();
    let with_global = chain.view_account(&user).unwrap();
    let local = probe_wasm_with_section(10);
    chain.deploy(&user, &local).assert_success();
    let with_local = chain.view_account(&user).unwrap();
    assert_eq!(with_local.storage_usage, with_global.storage_usage - 32 + local.len() as u64);
    assert_eq!(with_local.code_hash, code_hash(&local).to_string());
}
