//! NEP-642 gas prices (protocol 85, `AccountCostIncrease`): what the signer
//! is charged up front, what is burnt, what comes back; and the refund of the
//! execution fees of the actions a failed action did not reach.

use crate::support::{at, exec, probe_wasm, purchase_price, refunds_to, send, snapshot, yocto, ActionCosts};
use embedded_chain::{near, ActionError, ActionErrorKind, Chain, Gas, InvalidTxError, NearToken, TxExecutionError};
use serde_json::json;

// nearcore `tx_cost`: the signer pays `send fees × gas price + (execution fees
// + attached gas) × max(gas price, min_gas_purchase_price) + deposits` when
// the transaction is accepted (`verify_and_charge_tx_ephemeral`:
// `NotEnoughBalance` below that); gas is burnt at the gas price and the rest
// comes back in refund receipts, so the signer ends up paying exactly
// `tokens_burnt` and its deposits. The signer here holds 182 bytes, a
// zero-balance account (NEP-448), so no storage stake stands in the way.
#[test]
fn the_signer_is_charged_the_purchase_price_up_front_and_pays_the_gas_price() {
    let mut chain = Chain::new();
    let contract = chain.create_account("contract", near(10));
    chain.deploy(&contract, &probe_wasm()).assert_success();
    let (attached, deposit) = (Gas::from_teragas(20), yocto(5));
    let bytes = ("deposit_echo".len() + "{}".len()) as u64;
    let send_gas = send(&chain, ActionCosts::new_action_receipt, false)
        + send(&chain, ActionCosts::function_call_base, false)
        + send(&chain, ActionCosts::function_call_byte, false) * bytes;
    let exec_gas = exec(&chain, ActionCosts::new_action_receipt)
        + exec(&chain, ActionCosts::function_call_base)
        + exec(&chain, ActionCosts::function_call_byte) * bytes;
    let (price, buy) = (chain.gas_price(), purchase_price(&chain));
    assert!(buy > price, "at the minimum gas price, gas is bought at min_gas_purchase_price");
    let cost = at(send_gas, price) + at(exec_gas + attached.as_gas(), buy) + deposit.as_yoctonear();
    let call = |chain: &mut Chain, signer| {
        chain.call(signer, &contract, "deposit_echo").args(b"{}".to_vec()).deposit(deposit).gas(attached).transact()
    };

    // One yoctoNEAR short: refused, nothing changes.
    let short = chain.create_account("short", yocto(cost - 1));
    let before = snapshot(&chain, &short, &[&short]);
    let refused = call(&mut chain, &short);
    let err =
        InvalidTxError::NotEnoughBalance { signer_id: short.clone(), balance: yocto(cost - 1), cost: yocto(cost) };
    assert_eq!(refused.invalid_tx_error(), Some(&err));
    assert_eq!(
        serde_json::to_value(&err).unwrap(),
        json!({"NotEnoughBalance": {"signer_id": short, "balance": (cost - 1).to_string(), "cost": cost.to_string()}})
    );
    assert_eq!(snapshot(&chain, &short, &[&short]), before);

    // Exactly enough: accepted.
    let exact = chain.create_account("exact", yocto(cost));
    let out = call(&mut chain, &exact);
    assert_eq!(out.json::<NearToken>().unwrap(), deposit);
    assert_eq!(out.conversion_gas_burnt, send_gas);
    for receipt in out.receipts.iter().filter(|r| !r.is_refund) {
        assert_eq!(receipt.tokens_burnt, at(receipt.gas_burnt, price), "burnt at the gas price");
    }
    assert_eq!(out.tokens_burnt, at(out.total_gas_burnt, price));
    let paid = out.tokens_burnt + deposit.as_yoctonear();
    assert_eq!(chain.balance(&exact), yocto(cost - paid));
    assert_eq!(refunds_to(&out, &exact), cost - paid, "the refund receipts carry the rest");
}

// nearcore `apply_action_receipt`: the actions of a receipt run in order and
// stop at the first that fails; only the execution fees of the actions that
// ran are burnt, those of the actions after it are refunded with the unused
// gas, and the deposits of the whole receipt come back.
#[test]
fn a_failed_action_refunds_the_execution_fees_of_the_actions_after_it() {
    let mut chain = Chain::new();
    let user = chain.create_account("user", near(100));
    let contract = chain.create_account("contract", near(10));
    chain.deploy(&contract, &probe_wasm()).assert_success();
    let (user_before, contract_before) = (chain.balance(&user), chain.balance(&contract));

    let out = chain
        .tx(&user, &contract)
        .transfer(yocto(1))
        .call_raw("fail", b"{}".to_vec(), NearToken::ZERO, Gas::from_teragas(10))
        .transfer(yocto(1))
        .transfer(yocto(1))
        .transact();

    let Err(TxExecutionError::ActionError(ActionError { index, kind })) = &out.status else {
        panic!("the call fails: {:?}", out.status)
    };
    assert_eq!(*index, Some(1));
    assert!(matches!(kind, ActionErrorKind::FunctionCallError(_)), "{kind:?}");
    let bytes = ("fail".len() + "{}".len()) as u64;
    let conversion = send(&chain, ActionCosts::new_action_receipt, false)
        + 3 * send(&chain, ActionCosts::transfer, false)
        + send(&chain, ActionCosts::function_call_base, false)
        + send(&chain, ActionCosts::function_call_byte, false) * bytes;
    assert_eq!(out.conversion_gas_burnt, conversion);
    let [receipt] = out.receipts_on(&contract).collect::<Vec<_>>()[..] else { panic!("one receipt on the contract") };
    // The receipt, the first transfer and the call ran; the last two transfers did not.
    let ran = exec(&chain, ActionCosts::new_action_receipt)
        + exec(&chain, ActionCosts::transfer)
        + exec(&chain, ActionCosts::function_call_base)
        + exec(&chain, ActionCosts::function_call_byte) * bytes;
    assert_eq!(receipt.gas_burnt, ran + receipt.vm_gas_burnt);
    assert_eq!(out.tokens_burnt, at(conversion + receipt.gas_burnt, chain.gas_price()));
    assert_eq!(user_before.as_yoctonear() - chain.balance(&user).as_yoctonear(), out.tokens_burnt);
    assert_eq!(chain.balance(&contract), contract_before);
}
