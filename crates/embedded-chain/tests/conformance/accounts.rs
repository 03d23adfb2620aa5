//! Accounts: NEP-448 zero-balance accounts, the signer's storage stake at
//! submission, and which block a transaction's first receipt runs in.

use crate::support::{at, exec, probe_wasm, purchase_price, send, snapshot, yocto, ActionCosts};
use embedded_chain::{
    account, actions, genesis_key, near, AccessKey, AccountId, ActionError, ActionErrorKind, Chain, InvalidTxError,
    PublicKey, TxExecutionError, ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT,
};
use serde_json::json;

/// Bytes an access key adds to its account (nearcore `action_add_key`:
/// borsh of the public key and of the access key, plus `num_extra_bytes_record`).
fn key_bytes(chain: &Chain, public_key: &PublicKey, key: &AccessKey) -> u64 {
    let extra = chain.runtime_config().fees.storage_usage_config.num_extra_bytes_record;
    (borsh::object_length(public_key).unwrap() + borsh::object_length(key).unwrap()) as u64 + extra
}

/// Creates `id` (a sub-account of `parent`) with no balance, a full-access
/// key and a function-call key whose method names bring the account to
/// exactly `bytes` of storage. Returns the outcome and the bytes the names
/// count for the key's fee (each name plus one, nearcore `total_send_fees`).
fn create_with_storage(
    chain: &mut Chain,
    parent: &AccountId,
    id: &AccountId,
    bytes: u64,
) -> (embedded_chain::TxOutcome, u64) {
    let full = genesis_key(id);
    let mut used = chain.runtime_config().fees.storage_usage_config.num_bytes_account
        + key_bytes(chain, &full, &AccessKey::full_access());
    let app = genesis_key(&account("app"));
    let add_app = |names: Vec<String>| actions::add_function_call_key(app.clone(), id, names, None);
    let embedded_chain::Action::AddKey(empty) = add_app(Vec::new()) else { unreachable!() };
    used += key_bytes(chain, &app, &empty.access_key);
    // Each method name adds its borsh length (4 + its bytes); names of at most 256 bytes.
    let mut left = bytes - used;
    let mut names = Vec::new();
    while left > 0 {
        let len = if left <= 260 {
            left - 4
        } else if left - 260 < 5 {
            250
        } else {
            256
        };
        names.push("m".repeat(len as usize));
        left -= len + 4;
    }
    let fee_bytes = names.iter().map(|n| n.len() as u64 + 1).sum();
    let out = chain.tx(parent, id).create_account().add_full_access_key(full).action(add_app(names)).transact();
    (out, fee_bytes)
}

// NEP-448 (nearcore `check_storage_stake`, `is_zero_balance_account`): an
// account of at most `ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT` (770) bytes needs
// no balance for its storage. It is created with none, and it can sign while
// holding far less than its bytes would stake.
#[test]
fn an_account_of_770_bytes_needs_no_balance() {
    // A constant of nearcore's `verifier.rs`, not a runtime parameter.
    assert_eq!(ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT, 770);
    let mut chain = Chain::new();
    let parent = chain.create_account("parent", near(10));
    let zero = account("zero.parent.test.near");

    create_with_storage(&mut chain, &parent, &zero, ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT).0.assert_success();

    let view = chain.view_account(&zero).expect("created");
    assert_eq!((view.storage_usage, view.amount), (ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT, yocto(0)));
    // Given just what a transfer costs, it transfers.
    let transfer_cost = at(
        send(&chain, ActionCosts::new_action_receipt, false) + send(&chain, ActionCosts::transfer, false),
        chain.gas_price(),
    ) + at(
        exec(&chain, ActionCosts::new_action_receipt) + exec(&chain, ActionCosts::transfer),
        purchase_price(&chain),
    ) + 1;
    assert!(
        transfer_cost < chain.storage_byte_cost().as_yoctonear() * ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT as u128,
        "less than its storage would stake"
    );
    chain.transfer(&parent, &zero, yocto(transfer_cost)).assert_success();
    chain.transfer(&zero, &parent, yocto(1)).assert_success();
}

// NEP-448: one byte over the limit, the account must stake all its bytes; a
// receipt that leaves it short fails with `LackBalanceForState` (nearcore
// `apply_action_receipt` after the actions, `index: None`) and nothing of it
// stays.
#[test]
fn an_account_of_771_bytes_needs_its_storage_stake() {
    let mut chain = Chain::new();
    let parent = chain.create_account("parent", near(10));
    let heavy = account("heavy.parent.test.near");
    let before = chain.balance(&parent);

    let (out, name_bytes) = create_with_storage(&mut chain, &parent, &heavy, ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT + 1);

    let amount = chain.storage_byte_cost().saturating_mul(ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT as u128 + 1);
    assert_eq!(
        out.status,
        Err(TxExecutionError::ActionError(ActionError {
            index: None,
            kind: ActionErrorKind::LackBalanceForState { account_id: heavy.clone(), amount },
        }))
    );
    assert!(chain.view_account(&heavy).is_none());
    // All three actions ran, so all their execution fees are burnt; no creation charge.
    let [receipt] = out.receipts_on(&heavy).collect::<Vec<_>>()[..] else { panic!("one receipt on the account") };
    let ran = exec(&chain, ActionCosts::new_action_receipt)
        + exec(&chain, ActionCosts::create_account)
        + exec(&chain, ActionCosts::add_full_access_key)
        + exec(&chain, ActionCosts::add_function_call_key_base)
        + exec(&chain, ActionCosts::add_function_call_key_byte) * name_bytes;
    assert_eq!(receipt.gas_burnt, ran);
    assert_eq!(receipt.tokens_burnt, at(ran, chain.gas_price()));
    assert_eq!(before.as_yoctonear() - chain.balance(&parent).as_yoctonear(), out.tokens_burnt);
}

// nearcore `verify_and_charge_tx_ephemeral` → `check_storage_stake`: the
// signer must still cover its storage after paying for the transaction, or
// the transaction is refused (`InvalidTxError::LackBalanceForState`) and
// changes nothing.
#[test]
fn the_signer_must_keep_its_storage_stake_after_paying_for_the_transaction() {
    let mut chain = Chain::new();
    let owner = chain.create_account("owner", near(5));
    let root = chain.root();
    chain.deploy(&owner, &probe_wasm()).assert_success();
    let view = chain.view_account(&owner).unwrap();
    assert!(view.storage_usage > ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT);
    let required = chain.storage_byte_cost().as_yoctonear() * view.storage_usage as u128;
    let gas_cost = at(
        send(&chain, ActionCosts::new_action_receipt, false) + send(&chain, ActionCosts::transfer, false),
        chain.gas_price(),
    ) + at(
        exec(&chain, ActionCosts::new_action_receipt) + exec(&chain, ActionCosts::transfer),
        purchase_price(&chain),
    );
    // A transfer that would leave one yoctoNEAR less than the stake.
    let deposit = view.amount.as_yoctonear() - required - gas_cost + 1;
    let before = snapshot(&chain, &owner, &[&owner]);

    let out = chain.transfer(&owner, &root, yocto(deposit));

    let err = InvalidTxError::LackBalanceForState { signer_id: owner.clone(), amount: yocto(1) };
    assert_eq!(out.invalid_tx_error(), Some(&err));
    assert_eq!(
        serde_json::to_value(&err).unwrap(),
        json!({"LackBalanceForState": {"signer_id": owner, "amount": "1"}})
    );
    assert_eq!(snapshot(&chain, &owner, &[&owner]), before);
    // One yoctoNEAR less leaves exactly the stake: accepted.
    chain.transfer(&owner, &root, yocto(deposit - 1)).assert_success();
}

// nearcore `Runtime::apply`: a transaction whose receiver is its signer
// becomes a local receipt, run in the block that includes the transaction;
// any other receipt runs in a later block, one per hop.
#[test]
fn a_receipt_to_the_signer_runs_in_the_transactions_block_others_one_block_later() {
    let mut chain = Chain::new();
    let user = chain.create_account("user", near(100));
    let contract = chain.create_account("contract", near(10));
    let wasm = probe_wasm();
    chain.deploy(&user, &wasm).assert_success();
    chain.deploy(&contract, &wasm).assert_success();

    let head = chain.block_height();
    let local = chain.call(&user, &user, "set").args_json(json!({"value": "1"})).transact();
    local.assert_success();
    assert_eq!(local.block_height, head + 1, "included in the next block");
    let first = local.receipts.iter().find(|r| !r.is_refund).unwrap();
    assert_eq!(first.block_height, local.block_height);

    let remote = chain.call(&user, &contract, "set").args_json(json!({"value": "2"})).transact();
    remote.assert_success();
    let first = remote.receipts.iter().find(|r| !r.is_refund).unwrap();
    assert_eq!(first.block_height, remote.block_height + 1);

    // A local receipt's own receipts go out to the next block.
    let chained =
        chain.call(&user, &user, "call_and_report").args_json(json!({"target": contract, "method": "get"})).transact();
    assert_eq!(chained.json::<String>().unwrap(), "ok:2");
    let heights: Vec<u64> = chained.receipts.iter().filter(|r| !r.is_refund).map(|r| r.block_height).collect();
    let h = chained.block_height;
    assert_eq!(heights, vec![h, h + 1, h + 2]);
}
