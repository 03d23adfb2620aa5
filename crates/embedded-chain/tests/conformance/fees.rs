//! Fees of a function call, a transfer, account creation and account
//! deletion: gas burnt when the transaction becomes a receipt (send fees) and
//! when the receipt runs (execution fees), and the tokens that gas costs.

use crate::support::{at, exec, probe_wasm, purchase_price, send, snapshot, yocto, ActionCosts};
use embedded_chain::{
    account, near, ActionError, ActionErrorKind, ActionsValidationError, Chain, CryptoHash, Gas, InvalidTxError,
    ReceiptStatus, TxExecutionError,
};
use serde_json::json;

/// Send fees of a receipt of one function call of `bytes` (method name plus
/// arguments): nearcore `total_send_fees` plus the `new_action_receipt` send fee.
fn call_send(chain: &Chain, sir: bool, bytes: u64) -> u64 {
    send(chain, ActionCosts::new_action_receipt, sir)
        + send(chain, ActionCosts::function_call_base, sir)
        + send(chain, ActionCosts::function_call_byte, sir) * bytes
}

/// Execution fees of the same receipt: nearcore `exec_fee` plus the
/// `new_action_receipt` execution fee.
fn call_exec(chain: &Chain, bytes: u64) -> u64 {
    exec(chain, ActionCosts::new_action_receipt)
        + exec(chain, ActionCosts::function_call_base)
        + exec(chain, ActionCosts::function_call_byte) * bytes
}

// nearcore `total_send_fees` / `exec_fee` for `FunctionCall`: base plus per
// byte of method name and arguments, with the `send_not_sir` fees when the
// receiver is not the signer; the receipt's gas is the execution fees plus
// what the VM burnt, all at the block's gas price. Protocol 87
// (`RemoveGasRewards`): no share of the gas goes to the contract
// (`burnt_gas_reward` = 0).
#[test]
fn a_function_call_pays_send_and_execution_fees_per_byte_of_method_and_args() {
    let mut chain = Chain::new();
    let user = chain.create_account("user", near(100));
    let contract = chain.create_account("contract", near(10));
    chain.deploy(&contract, &probe_wasm()).assert_success();
    let args = br#"{"value":"42"}"#.to_vec();
    let bytes = ("set".len() + args.len()) as u64;
    let (user_before, contract_before) = (chain.balance(&user), chain.balance(&contract));

    let out = chain.call(&user, &contract, "set").args(args).gas(Gas::from_teragas(30)).transact();
    out.assert_success();

    let price = chain.gas_price();
    assert_eq!(out.conversion_gas_burnt, call_send(&chain, false, bytes));
    let [call] = out.receipts_on(&contract).collect::<Vec<_>>()[..] else { panic!("one receipt on the contract") };
    assert!(call.vm_gas_burnt > 0);
    assert_eq!(call.gas_burnt, call_exec(&chain, bytes) + call.vm_gas_burnt);
    assert_eq!(call.tokens_burnt, at(call.gas_burnt, price));
    assert_eq!(out.total_gas_burnt, out.conversion_gas_burnt + call.gas_burnt);
    assert_eq!(out.tokens_burnt, at(out.total_gas_burnt, price));
    // The signer pays exactly what was burnt: the rest of the gas it bought comes back.
    assert_eq!(user_before.as_yoctonear() - chain.balance(&user).as_yoctonear(), out.tokens_burnt);
    assert_eq!(*chain.runtime_config().fees.burnt_gas_reward.numer(), 0);
    assert_eq!(chain.balance(&contract), contract_before);
}

// nearcore `total_send_fees` with `sender_is_receiver`: a call to the signer's
// own contract pays the `send_sir` fees, which differ per byte from
// `send_not_sir` at protocol 88 (`action_function_call_per_byte`).
#[test]
fn a_call_to_the_signers_own_contract_pays_the_sir_send_fees() {
    let mut chain = Chain::new();
    let user = chain.create_account("user", near(100));
    chain.deploy(&user, &probe_wasm()).assert_success();
    let args = br#"{"value":"7"}"#.to_vec();
    let bytes = ("set".len() + args.len()) as u64;
    assert_ne!(call_send(&chain, true, bytes), call_send(&chain, false, bytes));
    let before = chain.balance(&user);

    let out = chain.call(&user, &user, "set").args(args).gas(Gas::from_teragas(30)).transact();
    out.assert_success();

    assert_eq!(out.conversion_gas_burnt, call_send(&chain, true, bytes));
    let [call] = out.receipts_on(&user).collect::<Vec<_>>()[..] else { panic!("one receipt on the user") };
    assert_eq!(call.gas_burnt, call_exec(&chain, bytes) + call.vm_gas_burnt);
    assert_eq!(out.tokens_burnt, at(out.conversion_gas_burnt + call.gas_burnt, chain.gas_price()));
    assert_eq!(before.as_yoctonear() - chain.balance(&user).as_yoctonear(), out.tokens_burnt);
}

// nearcore `total_send_fees` / `exec_fee` for `Transfer` to a named account
// (`action_transfer`; no implicit-account creation fees).
#[test]
fn a_transfer_pays_the_transfer_and_receipt_fees() {
    let mut chain = Chain::new();
    let alice = chain.create_account("alice", near(10));
    let bob = chain.create_account("bob", near(1));
    let (alice_before, bob_before) = (chain.balance(&alice), chain.balance(&bob));
    let amount = near(2);

    let out = chain.transfer(&alice, &bob, amount);
    out.assert_success();

    let conversion = send(&chain, ActionCosts::new_action_receipt, false) + send(&chain, ActionCosts::transfer, false);
    let execution = exec(&chain, ActionCosts::new_action_receipt) + exec(&chain, ActionCosts::transfer);
    assert_eq!(out.conversion_gas_burnt, conversion);
    let [receipt] = out.receipts_on(&bob).collect::<Vec<_>>()[..] else { panic!("one receipt on bob") };
    assert_eq!((receipt.gas_burnt, receipt.vm_gas_burnt), (execution, 0));
    assert_eq!(out.tokens_burnt, at(conversion + execution, chain.gas_price()));
    assert_eq!(chain.balance(&bob), bob_before.saturating_add(amount));
    assert_eq!(
        alice_before.as_yoctonear() - chain.balance(&alice).as_yoctonear(),
        amount.as_yoctonear() + out.tokens_burnt
    );
}

// nearcore fees of `CreateAccount`, `Transfer` and `AddKey` (full access), and
// NEP-642 `account_creation_charge` (protocol 85, `AccountCostIncrease`):
// the receipt that creates an account burns its gas at the gas price, then
// `min(account_creation_charge - create_account execution fee at that price,
// price surplus of its gas)` more, out of what would have been refunded
// (nearcore `refund_unspent_gas_and_deposits`, `created_account`).
#[test]
fn creating_an_account_pays_its_fees_and_the_account_creation_charge() {
    let mut chain = Chain::new();
    let parent = chain.create_account("parent", near(100));
    let child = account("kid.parent.test.near");
    let before = chain.balance(&parent);

    let out = chain.create_sub_account(&parent, &child, near(1));
    out.assert_success();

    let fees = [ActionCosts::new_action_receipt, ActionCosts::create_account, ActionCosts::transfer];
    let conversion = fees.iter().map(|&c| send(&chain, c, false)).sum::<u64>()
        + send(&chain, ActionCosts::add_full_access_key, false);
    let execution = fees.iter().map(|&c| exec(&chain, c)).sum::<u64>() + exec(&chain, ActionCosts::add_full_access_key);
    assert_eq!(out.conversion_gas_burnt, conversion);
    let [create] = out.receipts_on(&child).collect::<Vec<_>>()[..] else { panic!("one receipt on the child") };
    assert_eq!(create.gas_burnt, execution);

    let (burn, buy) = (chain.gas_price(), purchase_price(&chain));
    let charge = chain.runtime_config().account_creation_charge.as_yoctonear();
    let desired = charge - at(exec(&chain, ActionCosts::create_account), burn);
    let surplus = at(execution, buy.saturating_sub(burn));
    assert_eq!(create.tokens_burnt, at(execution, burn) + desired.min(surplus));
    assert!(create.tokens_burnt >= charge, "an account costs at least the creation charge");
    assert_eq!(out.tokens_burnt, at(conversion, burn) + create.tokens_burnt);
    assert_eq!(chain.balance(&child), near(1));
    assert_eq!(
        before.as_yoctonear() - chain.balance(&parent).as_yoctonear(),
        near(1).as_yoctonear() + out.tokens_burnt
    );

    // Creating it again fails at the first action: no charge (nearcore
    // `created_account` needs the receipt to succeed), the later actions'
    // execution fees and the deposit come back.
    let before = chain.balance(&parent);
    let again = chain.create_sub_account(&parent, &child, near(1));
    assert_eq!(
        again.status,
        Err(TxExecutionError::ActionError(ActionError {
            index: Some(0),
            kind: ActionErrorKind::AccountAlreadyExists { account_id: child.clone() },
        }))
    );
    let [failed] = again.receipts_on(&child).collect::<Vec<_>>()[..] else { panic!("one receipt on the child") };
    let ran = exec(&chain, ActionCosts::new_action_receipt) + exec(&chain, ActionCosts::create_account);
    assert_eq!((failed.gas_burnt, failed.tokens_burnt), (ran, at(ran, burn)));
    assert_eq!(before.as_yoctonear() - chain.balance(&parent).as_yoctonear(), again.tokens_burnt);
}

// nearcore `action_delete_account`: the account's balance goes to the
// beneficiary in a receipt of its own (a balance refund from `system`,
// numbered after the receipts of the calls and before the gas refund), and
// fees of `DeleteAccount`. Deleting itself, the signer's own gas refund finds
// no account and is burnt (the refund's `Transfer` fails with
// `AccountDoesNotExist`).
#[test]
fn deleting_an_account_pays_its_balance_to_the_beneficiary() {
    let mut chain = Chain::new();
    let doomed = chain.create_account("doomed", near(5));
    let heir = chain.create_account("heir", near(1));
    let (doomed_before, heir_before) = (chain.balance(&doomed), chain.balance(&heir));

    let out = chain.tx(&doomed, &doomed).delete_account(heir.clone()).transact();
    out.assert_success();

    let conversion =
        send(&chain, ActionCosts::new_action_receipt, true) + send(&chain, ActionCosts::delete_account, true);
    let execution = exec(&chain, ActionCosts::new_action_receipt) + exec(&chain, ActionCosts::delete_account);
    assert_eq!(out.conversion_gas_burnt, conversion);
    // Charged at submission: send fees at the gas price, the rest at the purchase price.
    let charged = at(conversion, chain.gas_price()) + at(execution, purchase_price(&chain));
    let paid = doomed_before.as_yoctonear() - charged;
    assert_eq!(chain.balance(&heir).as_yoctonear(), heir_before.as_yoctonear() + paid);
    assert!(chain.view_account(&doomed).is_none());

    let delete = out.receipts.iter().find(|r| !r.is_refund).expect("the delete receipt");
    let payout = out.receipts.iter().find(|r| r.is_refund && r.executor == heir.as_str()).expect("the payout");
    assert_eq!((payout.predecessor.as_str(), payout.block_height), ("system", delete.block_height + 1));
    assert_eq!(payout.actions, vec![format!("Transfer({paid})")]);
    // Ids as nearcore derives them (`create_receipt_id_from_receipt_id`):
    // sha256(parent id ‖ block height ‖ index), the payout first, the gas refund second.
    let child_id = |index: u64| {
        let mut bytes = delete.receipt_id.as_ref().to_vec();
        bytes.extend(delete.block_height.to_le_bytes());
        bytes.extend(index.to_le_bytes());
        CryptoHash::hash_bytes(&bytes)
    };
    assert_eq!(payout.receipt_id, child_id(0));
    let lost = out.receipts.iter().find(|r| r.is_refund && r.executor == doomed.as_str()).expect("the gas refund");
    assert_eq!(lost.receipt_id, child_id(1));
    assert_eq!(
        lost.status,
        ReceiptStatus::Failure(TxExecutionError::ActionError(ActionError {
            index: Some(0),
            kind: ActionErrorKind::AccountDoesNotExist { account_id: doomed.clone() },
        }))
    );
    assert!(chain.view_account(&doomed).is_none(), "a refund does not bring the account back");
}

// nearcore `apply_action_receipt`: the receipts a receipt creates are
// numbered in the order its actions create them, so a call's promises come
// before the payout of the `DeleteAccount` after it, and the gas refund last.
#[test]
fn the_payout_is_numbered_after_the_receipts_of_the_calls_before_it() {
    let mut chain = Chain::new();
    let doomed = chain.create_account("doomed", near(5));
    let heir = chain.create_account("heir", near(1));
    let friend = chain.create_account("friend", near(1));
    chain.deploy(&doomed, &probe_wasm()).assert_success();
    let friend_before = chain.balance(&friend);

    let out = chain
        .tx(&doomed, &doomed)
        .call("send", json!({"to": friend, "amount": near(1)}), yocto(0), Gas::from_teragas(30))
        .delete_account(heir.clone())
        .transact();
    out.assert_success();

    let batch = out.receipts.iter().find(|r| !r.is_refund && r.executor == doomed.as_str()).expect("the batch");
    let child_id = |index: u64| {
        let mut bytes = batch.receipt_id.as_ref().to_vec();
        bytes.extend(batch.block_height.to_le_bytes());
        bytes.extend(index.to_le_bytes());
        CryptoHash::hash_bytes(&bytes)
    };
    let gift = out.receipts.iter().find(|r| !r.is_refund && r.executor == friend.as_str()).expect("the transfer");
    let payout = out.receipts.iter().find(|r| r.is_refund && r.executor == heir.as_str()).expect("the payout");
    let refund = out.receipts.iter().find(|r| r.is_refund && r.executor == doomed.as_str()).expect("the gas refund");
    assert_eq!([gift.receipt_id, payout.receipt_id, refund.receipt_id], [child_id(0), child_id(1), child_id(2)]);
    assert_eq!(chain.balance(&friend), friend_before.saturating_add(near(1)));
    assert!(chain.view_account(&doomed).is_none());
}

// nearcore `action_delete_account`: the payout is sent only when the balance
// is not zero. The account here holds exactly what its own deletion costs
// (182 bytes: a zero-balance account, NEP-448), so nothing is left to pay out.
#[test]
fn an_empty_account_is_deleted_without_a_payout() {
    let mut chain = Chain::new();
    let heir = chain.create_account("heir", near(1));
    let conversion =
        send(&chain, ActionCosts::new_action_receipt, true) + send(&chain, ActionCosts::delete_account, true);
    let execution = exec(&chain, ActionCosts::new_action_receipt) + exec(&chain, ActionCosts::delete_account);
    let cost = at(conversion, chain.gas_price()) + at(execution, purchase_price(&chain));
    let empty = chain.create_account("empty", yocto(cost));
    let heir_before = chain.balance(&heir);

    let out = chain.tx(&empty, &empty).delete_account(heir.clone()).transact();
    out.assert_success();

    assert!(chain.view_account(&empty).is_none());
    assert!(out.receipts.iter().all(|r| r.executor != heir.as_str()), "no payout receipt");
    assert_eq!(chain.balance(&heir), heir_before);
}

// nearcore `action_delete_account`: no check that the beneficiary exists;
// the payout to a missing one fails and its amount is burnt.
#[test]
fn a_payout_to_a_missing_beneficiary_is_burnt() {
    let mut chain = Chain::new();
    let doomed = chain.create_account("doomed", near(5));
    let nobody = account("nobody.test.near");

    let out = chain.tx(&doomed, &doomed).delete_account(nobody.clone()).transact();
    out.assert_success();

    assert!(chain.view_account(&doomed).is_none());
    assert!(chain.view_account(&nobody).is_none());
    let payout = out.receipts.iter().find(|r| r.executor == nobody.as_str()).expect("the payout");
    assert_eq!(
        payout.status,
        ReceiptStatus::Failure(TxExecutionError::ActionError(ActionError {
            index: Some(0),
            kind: ActionErrorKind::AccountDoesNotExist { account_id: nobody.clone() },
        }))
    );
}

// nearcore `check_actor_permissions`: an account with a locked (staked)
// balance cannot be deleted (`DeleteAccountStaking`).
#[test]
fn a_staking_account_cannot_be_deleted() {
    let mut chain = Chain::new();
    let staker = chain.create_account("staker", near(5));
    let heir = chain.create_account("heir", near(1));
    chain.patch_locked(&staker, near(1));
    let (before, heir_before) = (chain.balance(&staker), chain.balance(&heir));

    let out = chain.tx(&staker, &staker).delete_account(heir.clone()).transact();

    assert_eq!(
        out.status,
        Err(TxExecutionError::ActionError(ActionError {
            index: Some(0),
            kind: ActionErrorKind::DeleteAccountStaking { account_id: staker.clone() },
        }))
    );
    let view = chain.view_account(&staker).expect("still there");
    assert_eq!(view.locked, near(1));
    assert_eq!(before.as_yoctonear() - view.amount.as_yoctonear(), out.tokens_burnt);
    assert_eq!(chain.balance(&heir), heir_before);
}

// nearcore `action_delete_account`: an account whose storage, its code left
// out, exceeds `Account::MAX_ACCOUNT_DELETION_STORAGE_USAGE` (10,000 bytes)
// cannot be deleted (`DeleteAccountWithLargeState`); at exactly the limit it can.
#[test]
fn an_account_with_more_than_ten_thousand_bytes_of_state_cannot_be_deleted() {
    const LIMIT: u64 = near_primitives::account::Account::MAX_ACCOUNT_DELETION_STORAGE_USAGE;
    let mut chain = Chain::new();
    let heir = chain.create_account("heir", near(1));
    let wasm = probe_wasm();
    let mut filled = |name: &str, non_code_bytes: u64| {
        let id = chain.create_account(name, near(10));
        chain.deploy(&id, &wasm).assert_success();
        chain.call(&id, &id, "fill").args_json(json!({"bytes": "100"})).transact().assert_success();
        let view = chain.view_account(&id).unwrap();
        let fill = 100 + non_code_bytes - (view.storage_usage - view.code_size);
        chain.call(&id, &id, "fill").args_json(json!({"bytes": fill.to_string()})).transact().assert_success();
        let view = chain.view_account(&id).unwrap();
        assert_eq!(view.storage_usage - view.code_size, non_code_bytes);
        id
    };
    let large = filled("large", LIMIT + 1);
    let at_limit = filled("limit", LIMIT);

    let out = chain.tx(&large, &large).delete_account(heir.clone()).transact();
    assert_eq!(
        out.status,
        Err(TxExecutionError::ActionError(ActionError {
            index: Some(0),
            kind: ActionErrorKind::DeleteAccountWithLargeState { account_id: large.clone() },
        }))
    );
    assert!(chain.view_account(&large).is_some());
    chain.tx(&at_limit, &at_limit).delete_account(heir).transact().assert_success();
    assert!(chain.view_account(&at_limit).is_none());
}

// nearcore `validate_actions`: `DeleteAccount` must be the last action of a
// transaction, checked at submission (`DeleteActionMustBeFinal`): nothing runs.
#[test]
fn delete_account_must_be_the_last_action() {
    let mut chain = Chain::new();
    let doomed = chain.create_account("doomed", near(5));
    let heir = chain.create_account("heir", near(1));
    let before = snapshot(&chain, &doomed, &[&doomed]);

    let out = chain.tx(&doomed, &doomed).delete_account(heir).transfer(yocto(1)).transact();

    let err = InvalidTxError::ActionsValidation(ActionsValidationError::DeleteActionMustBeFinal);
    assert_eq!(out.invalid_tx_error(), Some(&err));
    assert_eq!(serde_json::to_value(&err).unwrap(), json!({"ActionsValidation": "DeleteActionMustBeFinal"}));
    assert!(out.receipts.is_empty());
    assert_eq!(snapshot(&chain, &doomed, &[&doomed]), before);
}
