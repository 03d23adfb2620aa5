//! The embedded chain's own tests, on the `chain-probe` contract (real wasm, real VM).

use embedded_chain::{account, near, Chain, Gas, NearToken, ReceiptStatus};
use serde_json::json;

fn probe_wasm() -> Vec<u8> {
    wasm_build::wasm("chain-probe", &[])
}

/// A chain with two probe contracts, `a.test.near` and `b.test.near`, and a user.
fn setup() -> (Chain, embedded_chain::AccountId, embedded_chain::AccountId, embedded_chain::AccountId) {
    let mut chain = Chain::new();
    let wasm = probe_wasm();
    let a = chain.create_account("a", near(10));
    let b = chain.create_account("b", near(10));
    let user = chain.create_account("user", near(100));
    chain.deploy(&a, &wasm).assert_success();
    chain.deploy(&b, &wasm).assert_success();
    (chain, a, b, user)
}

#[test]
fn call_writes_state_and_view_reads_it() {
    let (mut chain, a, _, user) = setup();
    let out = chain.call(&user, &a, "set").args_json(json!({"value": "42"})).transact();
    out.assert_success();
    assert_eq!(out.logs(), vec!["set 42"]);
    assert!(out.first_vm_gas().as_gas() > 0);
    let v: String = chain.view_json(&a, "get", json!({}));
    assert_eq!(v, "42");
}

#[test]
fn callback_sees_success_and_failure() {
    let (mut chain, a, b, user) = setup();
    chain.call(&user, &b, "set").args_json(json!({"value": "7"})).transact().assert_success();

    let ok = chain.call(&user, &a, "call_and_report").args_json(json!({"target": b, "method": "get"})).transact();
    assert_eq!(ok.json::<String>().unwrap(), "ok:7");
    // call, callee, callback: one block per hop.
    let heights: Vec<u64> = ok.receipts.iter().filter(|r| !r.is_refund).map(|r| r.block_height).collect();
    assert_eq!(heights.len(), 3);
    assert!(heights.windows(2).all(|w| w[1] == w[0] + 1), "{heights:?}");

    let failed = chain.call(&user, &a, "call_and_report").args_json(json!({"target": b, "method": "fail"})).transact();
    // The callee failed, the callback saw it and the transaction still succeeds.
    assert_eq!(failed.json::<String>().unwrap(), "failed");
    assert_eq!(failed.receipt_failures().len(), 1);
    assert!(failed.receipt_failures()[0].contains("probe: callee failed"));
    assert_eq!(chain.view_json::<String>(&a, "last_callback", json!({})), "failed");
}

#[test]
fn promise_and_delivers_both_results() {
    let (mut chain, a, b, user) = setup();
    chain.call(&user, &a, "set").args_json(json!({"value": "1"})).transact().assert_success();
    chain.call(&user, &b, "set").args_json(json!({"value": "2"})).transact().assert_success();
    let out = chain.call(&user, &a, "join").args_json(json!({"a": a, "b": b})).transact();
    assert_eq!(out.json::<Vec<String>>().unwrap(), vec!["ok:\"1\"", "ok:\"2\""]);
}

#[test]
fn panic_reverts_state_and_refunds_deposit() {
    let (mut chain, a, _, user) = setup();
    chain.call(&user, &a, "set").args_json(json!({"value": "5"})).transact().assert_success();
    let before = chain.balance(&user);
    let contract_before = chain.balance(&a);
    let out = chain.call(&user, &a, "write_then_panic").args_json(json!({"value": "99"})).deposit(near(3)).transact();
    out.assert_failure_contains("Smart contract panicked: probe: deliberate panic");
    assert_eq!(chain.view_json::<String>(&a, "get", json!({})), "5");
    assert_eq!(chain.balance(&a), contract_before);
    // The deposit came back; only gas was spent.
    let spent = before.as_yoctonear() - chain.balance(&user).as_yoctonear();
    assert!(spent < near(1).as_yoctonear() / 100, "spent {spent}");
    assert_eq!(spent, out.tokens_burnt, "the user pays exactly the gas burnt");
}

#[test]
fn storage_staking_failure_reverts() {
    let mut chain = Chain::new();
    // 2 NEAR covers the code (~180 kB = 1.8 NEAR) but not 100 kB more.
    let poor = chain.create_account("poor", near(2));
    let user = chain.create_account("user", near(100));
    chain.deploy(&poor, &probe_wasm()).assert_success();
    let usage = chain.view_account(&poor).unwrap().storage_usage;
    let out = chain.call(&user, &poor, "fill").args_json(json!({"bytes": "100000"})).transact();
    out.assert_failure_contains(&format!("The account {poor} wouldn't have enough balance to cover storage"));
    assert_eq!(chain.view_account(&poor).unwrap().storage_usage, usage);
    assert!(chain.view_state(&poor, b"fill").is_empty());
    // A small write fits.
    chain.call(&user, &poor, "fill").args_json(json!({"bytes": "100"})).transact().assert_success();
    // The value's record, plus the contract's STATE record near-sdk writes back.
    let state_record = 5 + 8 + 4 + 40;
    assert_eq!(chain.view_account(&poor).unwrap().storage_usage, usage + 4 + 100 + 40 + state_record);
}

#[test]
fn gas_exhaustion_fails_and_charges_the_gas() {
    let (mut chain, a, _, user) = setup();
    let out =
        chain.call(&user, &a, "burn").args_json(json!({"rounds": "100000000"})).gas(Gas::from_teragas(5)).transact();
    out.assert_failure_contains("Exceeded the prepaid gas");
    assert_eq!(out.first_vm_gas(), Gas::from_teragas(5));
    // Above the protocol maximum the transaction is refused outright.
    let max = chain.runtime_config().wasm_config.limit_config.max_total_prepaid_gas;
    let refused = chain.call(&user, &a, "get").gas(max.saturating_add(Gas::from_gas(1))).transact();
    refused.assert_failure_contains("exceeds the limit");
    assert!(refused.receipts.is_empty());
}

#[test]
fn factory_creates_sub_account_and_deploys() {
    let (mut chain, a, _, user) = setup();
    let code = probe_wasm();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&code);
    let out = chain
        .call(&user, &a, "create_child")
        .args_json(json!({"name": "kid", "code": b64}))
        .deposit(near(3))
        .gas(Gas::from_teragas(200))
        .transact();
    assert!(out.json::<bool>().unwrap(), "{:?}", out.receipt_failures());
    let kid = account(&format!("kid.{a}"));
    let view = chain.view_account(&kid).expect("child exists");
    assert_eq!(view.code_size, code.len() as u64);
    assert_eq!(view.amount, near(3));
    chain.call(&user, &kid, "set").args_json(json!({"value": "3"})).transact().assert_success();

    // Naming rules: a grandchild can't be created by the grandparent; short
    // top-level names are reserved to the registrar.
    let root = chain.root();
    chain
        .create_sub_account(&root, &account("x.y.test.near"), near(1))
        .assert_failure_contains("can't be created by account AccountId(\"test.near\")");
    chain
        .create_sub_account(&root, &account("short"), near(1))
        .assert_failure_contains("can only be created by AccountId(\"registrar\")");
    chain.create_sub_account(&root, &a, near(1)).assert_failure_contains("because it already exists");
}

#[test]
fn transfer_moves_balance() {
    let (mut chain, a, _, user) = setup();
    let before = chain.balance(&a);
    chain.transfer(&user, &a, near(2)).assert_success();
    assert_eq!(chain.balance(&a), before.saturating_add(near(2)));
    // A contract sends tokens.
    let to = chain.create_account("to", near(1));
    chain.call(&user, &a, "send").args_json(json!({"to": to, "amount": near(1)})).transact().assert_success();
    assert_eq!(chain.balance(&to), near(2));
    // Transfers to a missing account fail and the tokens come back.
    let ghost = account("ghost.test.near");
    let before = chain.balance(&user);
    let out = chain.transfer(&user, &ghost, near(5));
    out.assert_failure_contains("doesn't exist");
    assert_eq!(before.as_yoctonear() - chain.balance(&user).as_yoctonear(), out.tokens_burnt);
}

#[test]
fn view_cannot_write() {
    let (chain, a, _, _) = setup();
    let err = chain.view(&a, "write_in_view", json!({})).unwrap_err().to_string();
    assert!(
        err.contains("is not allowed in view calls") || err.contains("ProhibitedInView") || err.contains("view"),
        "{err}"
    );
    assert_eq!(chain.view_json::<String>(&a, "get", json!({})), "0");
}

#[test]
fn unused_gas_is_split_by_weight() {
    let (mut chain, a, b, user) = setup();
    let out = chain.call(&user, &a, "split_gas").args_json(json!({"target": b})).gas(Gas::from_teragas(200)).transact();
    let seen: Vec<String> = out.json().unwrap();
    let gas: Vec<u64> =
        seen.iter().map(|s| s.trim_start_matches("ok:\"").trim_end_matches('"').parse().unwrap()).collect();
    let ratio = gas[1] as f64 / gas[0] as f64;
    assert!((ratio - 3.0).abs() < 0.01, "weights 1:3 gave {gas:?}");
}

#[test]
fn time_and_context_advance_per_block() {
    let (mut chain, a, _, user) = setup();
    let h0 = chain.block_height();
    let t0 = chain.block_timestamp();
    chain.fast_forward(10);
    assert_eq!(chain.block_height(), h0 + 10);
    assert_eq!(chain.block_timestamp(), t0 + 10 * chain.block_time_ns());
    let out = chain.call(&user, &a, "whoami").transact();
    let ctx: Vec<String> = out.json().unwrap();
    assert_eq!(ctx[0], user.to_string());
    assert_eq!(ctx[1], user.to_string());
    // The transaction is included in the next block (h0 + 11); its receipt to
    // another account runs one block later (nearcore: only a receipt to the
    // signer itself runs in the converting block).
    assert_eq!(ctx[2].parse::<u64>().unwrap(), h0 + 12);
}

#[test]
fn events_and_refunds_are_reported() {
    let (mut chain, a, _, user) = setup();
    let out = chain.call(&user, &a, "deposit_echo").deposit(NearToken::from_yoctonear(5)).transact();
    assert_eq!(out.json::<String>().unwrap(), "5");
    assert!(out.receipts.iter().any(|r| r.is_refund), "unused gas is refunded");
    assert!(out.receipts.iter().all(|r| !matches!(r.status, ReceiptStatus::Failure(_))));
    let raw = chain.view_state(&a, b"STATE");
    assert_eq!(raw.len(), 1);
}

#[test]
fn access_keys_are_listed_deleted_and_needed_to_sign() {
    let (mut chain, a, _, user) = setup();
    let key = embedded_chain::genesis_key(&a);
    let keys = chain.view_access_keys(&a).unwrap();
    assert_eq!(keys, vec![embedded_chain::AccessKeyView { public_key: key.to_string(), full_access: true }]);
    let usage = chain.view_account(&a).unwrap().storage_usage;

    // Only the account itself can delete its key; a missing key is an error.
    chain
        .tx(&user, &a)
        .delete_key(key.clone())
        .transact()
        .assert_failure_contains("doesn't have permission to account");
    assert_eq!(chain.view_access_keys(&a).unwrap().len(), 1);
    chain.delete_key(&a, &key).assert_success();
    assert_eq!(chain.view_access_keys(&a).unwrap(), vec![]);
    assert!(chain.view_account(&a).unwrap().storage_usage < usage, "the key's bytes are freed");

    // Without a key nobody can sign as the account any more: no deploy, no call, no transfer.
    let balance = chain.balance(&a);
    chain.deploy(&a, b"\0asm").assert_failure_contains("Signer AccountId(\"a.test.near\") doesn't have access key");
    chain
        .call(&a, &a, "set")
        .args_json(json!({"value": "1"}))
        .transact()
        .assert_failure_contains("doesn't have access key");
    chain.transfer(&a, &user, near(1)).assert_failure_contains("doesn't have access key");
    chain.delete_key(&a, &key).assert_failure_contains("doesn't have access key");
    assert_eq!(chain.balance(&a), balance);
    // Its contract still runs for everyone else.
    chain.call(&user, &a, "set").args_json(json!({"value": "2"})).transact().assert_success();
    assert_eq!(chain.view_access_keys(&account("nobody.test.near")), None);
}

#[test]
fn a_function_call_key_signs_only_calls_without_deposit_to_its_receiver() {
    let (mut chain, a, b, user) = setup();
    let user_key = embedded_chain::genesis_key(&user);
    let app_key = embedded_chain::genesis_key(&account("app-key"));
    chain
        .tx(&user, &user)
        .action(embedded_chain::actions::add_function_call_key(app_key.clone(), &a, vec!["set".into()], None))
        .transact()
        .assert_success();
    chain.delete_key(&user, &user_key).assert_success();
    assert_eq!(
        chain.view_access_keys(&user).unwrap(),
        vec![embedded_chain::AccessKeyView { public_key: app_key.to_string(), full_access: false }]
    );
    chain.call(&user, &a, "set").args_json(json!({"value": "3"})).transact().assert_success();
    chain
        .call(&user, &b, "set")
        .args_json(json!({"value": "3"}))
        .transact()
        .assert_failure_contains("doesn't match the access key receiver_id");
    chain.call(&user, &a, "get").transact().assert_failure_contains("isn't allowed by the access key");
    chain
        .call(&user, &a, "set")
        .args_json(json!({"value": "4"}))
        .deposit(NearToken::from_yoctonear(1))
        .transact()
        .assert_failure_contains("deposit with a function call action is not allowed");
    chain.transfer(&user, &a, near(1)).assert_failure_contains("Full-access keys are required");
}
