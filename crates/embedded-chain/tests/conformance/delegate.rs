//! NEP-366 delegate actions (meta transactions), as nearcore protocol 88 runs
//! them: `runtime/runtime/src/actions.rs` (`apply_delegate_action`,
//! `validate_delegate_action_key`), `verifier.rs` / `action_validation.rs`
//! (`validate_actions`) and `config.rs` (`tx_cost`, `total_send_fees`,
//! `total_prepaid_send_fees`, `total_prepaid_exec_fees`).

use embedded_chain::actions::{add_function_call_key, function_call, transfer};
use embedded_chain::{
    millinear, near, signer_of, AccountId, AccountView, Action, ActionError, ActionErrorKind, ActionsValidationError,
    Chain, DelegateAction, Gas, InvalidAccessKeyError, InvalidTxError, NearToken, ReceiptOutcome, ReceiptStatus,
    SignedDelegateAction, Signer, TxExecutionError, TxOutcome,
};
use near_crypto::{InMemorySigner, KeyType};
use near_parameters::ActionCosts;
use serde_json::json;

fn probe_wasm() -> Vec<u8> {
    wasm_build::wasm("chain-probe", &[])
}

struct Setup {
    chain: Chain,
    relayer: AccountId,
    sender: AccountId,
    probe: AccountId,
    bob: AccountId,
}

/// A relayer with funds, a sender with little, the probe contract, and bob.
fn setup() -> Setup {
    let mut chain = Chain::new();
    let relayer = chain.create_account("relayer", near(100));
    let sender = chain.create_account("sender", near(1));
    let probe = chain.create_account("probe", near(10));
    let bob = chain.create_account("bob", near(1));
    chain.deploy(&probe, &probe_wasm()).assert_success();
    Setup { chain, relayer, sender, probe, bob }
}

fn send(chain: &Chain, cost: ActionCosts, sir: bool) -> u64 {
    chain.runtime_config().fees.fee(cost).send_fee(sir).gas.as_gas()
}

fn exec(chain: &Chain, cost: ActionCosts) -> u64 {
    chain.runtime_config().fees.fee(cost).exec_fee().gas.as_gas()
}

/// Send fee of a function call of `bytes` method-name-and-argument bytes.
fn call_send(chain: &Chain, bytes: u64, sir: bool) -> u64 {
    send(chain, ActionCosts::function_call_base, sir) + send(chain, ActionCosts::function_call_byte, sir) * bytes
}

fn call_exec(chain: &Chain, bytes: u64) -> u64 {
    exec(chain, ActionCosts::function_call_base) + exec(chain, ActionCosts::function_call_byte) * bytes
}

fn receipt_on<'a>(out: &'a TxOutcome, executor: &AccountId) -> &'a ReceiptOutcome {
    out.receipts
        .iter()
        .find(|r| r.executor == executor.as_str() && !r.is_refund)
        .unwrap_or_else(|| panic!("no receipt ran on {executor}: {:?}", out.receipts))
}

/// The delegate receipt's failure, as nearcore reports it (the only action, index 0).
fn delegate_failure(kind: ActionErrorKind) -> Result<Vec<u8>, TxExecutionError> {
    Err(TxExecutionError::ActionError(ActionError { index: Some(0), kind }))
}

/// What a refused delegate action must leave as it was.
struct Snapshot {
    sender: AccountView,
    sender_keys: Vec<(String, u64)>,
    bob: NearToken,
    relayer: NearToken,
}

fn snapshot(s: &Setup) -> Snapshot {
    let keys = s
        .chain
        .view_access_keys(&s.sender)
        .expect("sender exists")
        .into_iter()
        .map(|k| {
            let key = s.chain.view_access_key(&s.sender, &k.public_key.parse().expect("key")).expect("key");
            (k.public_key, key.nonce)
        })
        .collect();
    Snapshot {
        sender: s.chain.view_account(&s.sender).expect("sender"),
        sender_keys: keys,
        bob: s.chain.balance(&s.bob),
        relayer: s.chain.balance(&s.relayer),
    }
}

/// A refused delegate action changed nothing but the relayer's balance, which
/// paid exactly the tokens the transaction burnt (its deposits came back).
fn assert_refused_unchanged(s: &Setup, before: &Snapshot, out: &TxOutcome) {
    let after = snapshot(s);
    assert_eq!(after.sender, before.sender, "sender account unchanged");
    assert_eq!(after.sender_keys, before.sender_keys, "sender keys and nonces unchanged");
    assert_eq!(after.bob, before.bob, "inner transfer not made");
    assert_eq!(
        before.relayer.as_yoctonear() - after.relayer.as_yoctonear(),
        out.tokens_burnt,
        "relayer paid only the burnt gas"
    );
    assert!(
        !out.receipts.iter().any(|r| r.predecessor == s.sender.as_str() && !r.is_refund),
        "no inner receipt was sent from the sender"
    );
}

fn resign(signer: &Signer, delegate: DelegateAction) -> SignedDelegateAction {
    SignedDelegateAction::sign(signer, delegate)
}

#[test]
fn relayed_delegate_action_runs_as_the_sender_and_the_relayer_pays() {
    // nearcore `apply_delegate_action`: the inner actions go out from the
    // sender (predecessor) with the relayer as signer; `tx_cost`: the relayer
    // pays the delegate's and the inner actions' send fees at conversion, and
    // buys the inner actions' send fees again (`total_prepaid_send_fees`,
    // burnt by the delegate receipt) plus their execution.
    let mut s = setup();
    let set_args = serde_json::to_vec(&json!({"value": "7"})).unwrap();
    let inner = vec![
        function_call("set", set_args.clone(), NearToken::ZERO, Gas::from_teragas(10)),
        function_call("whoami", b"{}".to_vec(), NearToken::ZERO, Gas::from_teragas(10)),
    ];
    let max_block_height = s.chain.block_height() + 100;
    let signed = s.chain.delegate_action(&s.sender, &s.probe, inner, max_block_height);
    let nonce = signed.delegate_action.nonce;
    let sender_before = s.chain.view_account(&s.sender).unwrap();
    let relayer_before = s.chain.balance(&s.relayer);

    let out = s.chain.relay(&s.relayer, signed);
    out.assert_success();

    // The inner calls ran on the probe as the sender, signed by the relayer.
    let ran = receipt_on(&out, &s.probe);
    assert_eq!(ran.predecessor, s.sender.as_str());
    let ReceiptStatus::Value(who) = &ran.status else { panic!("inner receipt failed: {:?}", ran.status) };
    let who: Vec<String> = serde_json::from_slice(who).unwrap();
    assert_eq!((who[0].as_str(), who[1].as_str()), (s.sender.as_str(), s.relayer.as_str()));
    let value: String = s.chain.view_json(&s.probe, "get", json!({}));
    assert_eq!(value, "7");

    // The sender's key took the delegate action's nonce; nothing else of the sender moved.
    let key = s.chain.view_access_key(&s.sender, &signer_of(&s.sender).public_key()).unwrap();
    assert_eq!(key.nonce, nonce);
    assert_eq!(s.chain.view_account(&s.sender).unwrap(), sender_before);

    // Fees: relayer -> sender is not sir, sender -> probe is not sir either.
    let set_bytes = ("set".len() + set_args.len()) as u64;
    let who_bytes = ("whoami".len() + 2) as u64;
    let inner_send = call_send(&s.chain, set_bytes, false) + call_send(&s.chain, who_bytes, false);
    let receipt_send = send(&s.chain, ActionCosts::new_action_receipt, false);
    let receipt_exec = exec(&s.chain, ActionCosts::new_action_receipt);
    assert_eq!(out.conversion_gas_burnt, receipt_send + send(&s.chain, ActionCosts::delegate, false) + inner_send);
    let delegate = receipt_on(&out, &s.sender);
    assert_eq!(delegate.actions, vec![format!("Delegate({})", s.sender)]);
    assert_eq!(delegate.gas_burnt, receipt_exec + exec(&s.chain, ActionCosts::delegate) + inner_send);
    assert_eq!(
        ran.gas_burnt,
        receipt_exec + call_exec(&s.chain, set_bytes) + call_exec(&s.chain, who_bytes) + ran.vm_gas_burnt
    );
    assert_eq!(out.total_gas_burnt, out.conversion_gas_burnt + delegate.gas_burnt + ran.gas_burnt);
    assert_eq!(out.tokens_burnt, out.total_gas_burnt as u128 * s.chain.gas_price().as_yoctonear());
    // The relayer paid exactly what was burnt: every unused gas came back to it.
    assert_eq!(relayer_before.as_yoctonear() - s.chain.balance(&s.relayer).as_yoctonear(), out.tokens_burnt);
    assert!(out.receipts.iter().filter(|r| r.is_refund).all(|r| r.executor == s.relayer.as_str()));
}

#[test]
fn relayer_pays_the_inner_deposit_and_a_failure_refunds_it_to_the_sender() {
    // nearcore `tx_cost` / `total_deposit`: the relayer pays the inner deposits;
    // a failed inner receipt refunds them to its predecessor, the sender
    // (`Receipt::balance_refund_receiver`).
    let mut s = setup();
    let max_block_height = s.chain.block_height() + 100;
    let signed = s.chain.delegate_action(&s.sender, &s.bob, vec![transfer(millinear(250))], max_block_height);
    let (relayer_before, bob_before) = (s.chain.balance(&s.relayer), s.chain.balance(&s.bob));
    let out = s.chain.relay(&s.relayer, signed);
    out.assert_success();
    assert_eq!(s.chain.balance(&s.bob).as_yoctonear() - bob_before.as_yoctonear(), millinear(250).as_yoctonear());
    assert_eq!(
        relayer_before.as_yoctonear() - s.chain.balance(&s.relayer).as_yoctonear(),
        millinear(250).as_yoctonear() + out.tokens_burnt
    );

    let call = function_call("fail", b"{}".to_vec(), millinear(300), Gas::from_teragas(10));
    let max_block_height = s.chain.block_height() + 100;
    let signed = s.chain.delegate_action(&s.sender, &s.probe, vec![call], max_block_height);
    let (relayer_before, sender_before) = (s.chain.balance(&s.relayer), s.chain.balance(&s.sender));
    let out = s.chain.relay(&s.relayer, signed);
    assert!(receipt_on(&out, &s.probe).is_failure());
    assert_eq!(s.chain.balance(&s.sender).as_yoctonear() - sender_before.as_yoctonear(), millinear(300).as_yoctonear());
    assert_eq!(
        relayer_before.as_yoctonear() - s.chain.balance(&s.relayer).as_yoctonear(),
        millinear(300).as_yoctonear() + out.tokens_burnt
    );
}

#[test]
fn a_replayed_delegate_action_is_refused() {
    // nearcore `validate_delegate_action_key`: DelegateActionInvalidNonce.
    let mut s = setup();
    let max_block_height = s.chain.block_height() + 100;
    let signed = s.chain.delegate_action(&s.sender, &s.bob, vec![transfer(millinear(5))], max_block_height);
    let nonce = signed.delegate_action.nonce;
    s.chain.relay(&s.relayer, signed.clone()).assert_success();
    let before = snapshot(&s);
    let out = s.chain.relay(&s.relayer, signed);
    assert_eq!(
        out.status,
        delegate_failure(ActionErrorKind::DelegateActionInvalidNonce { delegate_nonce: nonce, ak_nonce: nonce })
    );
    assert_refused_unchanged(&s, &before, &out);
}

#[test]
fn an_expired_delegate_action_is_refused() {
    // nearcore `apply_delegate_action`: block height > max_block_height is
    // DelegateActionExpired (the delegate receipt runs two blocks after the head).
    let mut s = setup();
    let max_block_height = s.chain.block_height() + 1;
    let signed = s.chain.delegate_action(&s.sender, &s.bob, vec![transfer(millinear(5))], max_block_height);
    let before = snapshot(&s);
    let out = s.chain.relay(&s.relayer, signed);
    assert_eq!(out.status, delegate_failure(ActionErrorKind::DelegateActionExpired));
    assert_eq!(receipt_on(&out, &s.sender).block_height, max_block_height + 1);
    assert_refused_unchanged(&s, &before, &out);
}

#[test]
fn a_delegate_action_signed_by_another_key_is_refused() {
    // nearcore `apply_delegate_action`: `SignedDelegateAction::verify` over the
    // NEP-461-prefixed hash fails: DelegateActionInvalidSignature.
    let mut s = setup();
    let max_block_height = s.chain.block_height() + 100;
    let signed = s.chain.delegate_action(&s.sender, &s.bob, vec![transfer(millinear(5))], max_block_height);
    let forged = resign(&signer_of(&s.relayer), signed.delegate_action);
    let before = snapshot(&s);
    let out = s.chain.relay(&s.relayer, forged);
    assert_eq!(out.status, delegate_failure(ActionErrorKind::DelegateActionInvalidSignature));
    assert_refused_unchanged(&s, &before, &out);
}

#[test]
fn a_delegate_action_with_a_key_the_sender_lacks_is_refused() {
    // nearcore `validate_delegate_action_key`: AccessKeyNotFound (validly
    // signed, but by a key that is not the sender's).
    let mut s = setup();
    let max_block_height = s.chain.block_height() + 100;
    let mut delegate =
        s.chain.delegate_action(&s.sender, &s.bob, vec![transfer(millinear(5))], max_block_height).delegate_action;
    let stranger = signer_of(&s.relayer);
    delegate.public_key = stranger.public_key();
    let before = snapshot(&s);
    let out = s.chain.relay(&s.relayer, resign(&stranger, delegate));
    let kind = ActionErrorKind::DelegateActionAccessKeyError(InvalidAccessKeyError::AccessKeyNotFound {
        account_id: s.sender.clone(),
        public_key: Box::new(stranger.public_key()),
    });
    assert_eq!(out.status, delegate_failure(kind));
    assert_refused_unchanged(&s, &before, &out);
}

#[test]
fn a_delegate_action_must_be_relayed_to_its_sender() {
    // nearcore `apply_delegate_action`: DelegateActionSenderDoesNotMatchTxReceiver.
    let mut s = setup();
    let max_block_height = s.chain.block_height() + 100;
    let signed = s.chain.delegate_action(&s.sender, &s.bob, vec![transfer(millinear(5))], max_block_height);
    let before = snapshot(&s);
    let (relayer, bob) = (s.relayer.clone(), s.bob.clone());
    let out = s.chain.tx(&relayer, &bob).delegate(signed).transact();
    let kind =
        ActionErrorKind::DelegateActionSenderDoesNotMatchTxReceiver { sender_id: s.sender.clone(), receiver_id: bob };
    assert_eq!(out.status, delegate_failure(kind));
    assert_refused_unchanged(&s, &before, &out);
}

#[test]
fn a_delegate_nonce_beyond_the_block_bound_is_refused() {
    // nearcore `validate_delegate_action_key`: nonce >= block height *
    // ACCESS_KEY_NONCE_RANGE_MULTIPLIER is DelegateActionNonceTooLarge.
    let mut s = setup();
    let max_block_height = s.chain.block_height() + 100;
    let mut delegate =
        s.chain.delegate_action(&s.sender, &s.bob, vec![transfer(millinear(5))], max_block_height).delegate_action;
    // The delegate receipt runs two blocks after the head.
    let upper_bound = (s.chain.block_height() + 2) * embedded_chain::AccessKey::ACCESS_KEY_NONCE_RANGE_MULTIPLIER;
    delegate.nonce = upper_bound;
    let signed = resign(&signer_of(&s.sender), delegate);
    let before = snapshot(&s);
    let out = s.chain.relay(&s.relayer, signed);
    assert_eq!(
        out.status,
        delegate_failure(ActionErrorKind::DelegateActionNonceTooLarge { delegate_nonce: upper_bound, upper_bound })
    );
    assert_refused_unchanged(&s, &before, &out);
}

#[test]
fn a_function_call_key_signs_only_the_delegated_calls_it_permits() {
    // nearcore `validate_delegate_action_key`: a function-call key signs one
    // call without deposit to its receiver and methods (RequiresFullAccess,
    // MethodNameMismatch), and its own nonce moves when it does.
    let mut s = setup();
    let key = InMemorySigner::from_seed(s.sender.clone(), KeyType::ED25519, "sender-function-call-key");
    let (sender, probe) = (s.sender.clone(), s.probe.clone());
    s.chain
        .tx(&sender, &sender)
        .action(add_function_call_key(key.public_key(), &probe, vec!["set".into()], None))
        .transact()
        .assert_success();
    let delegate_with = |chain: &Chain, receiver: &AccountId, actions: Vec<Action>| {
        let nonce = chain.view_access_key(&sender, &key.public_key()).unwrap().nonce + 1;
        let delegate = DelegateAction {
            sender_id: sender.clone(),
            receiver_id: receiver.clone(),
            actions: actions.into_iter().map(|a| a.try_into().unwrap()).collect(),
            nonce,
            max_block_height: chain.block_height() + 100,
            public_key: key.public_key(),
        };
        resign(&key, delegate)
    };

    let signed = delegate_with(&s.chain, &s.bob, vec![transfer(millinear(5))]);
    let before = snapshot(&s);
    let out = s.chain.relay(&s.relayer, signed);
    let kind = ActionErrorKind::DelegateActionAccessKeyError(InvalidAccessKeyError::RequiresFullAccess);
    assert_eq!(out.status, delegate_failure(kind));
    assert_refused_unchanged(&s, &before, &out);

    let whoami = function_call("whoami", b"{}".to_vec(), NearToken::ZERO, Gas::from_teragas(10));
    let signed = delegate_with(&s.chain, &s.probe, vec![whoami]);
    let before = snapshot(&s);
    let out = s.chain.relay(&s.relayer, signed);
    let kind = ActionErrorKind::DelegateActionAccessKeyError(InvalidAccessKeyError::MethodNameMismatch {
        method_name: "whoami".into(),
    });
    assert_eq!(out.status, delegate_failure(kind));
    assert_refused_unchanged(&s, &before, &out);

    let set = function_call("set", br#"{"value":"9"}"#.to_vec(), NearToken::ZERO, Gas::from_teragas(10));
    let signed = delegate_with(&s.chain, &s.probe, vec![set]);
    let nonce = signed.delegate_action.nonce;
    s.chain.relay(&s.relayer, signed).assert_success();
    assert_eq!(s.chain.view_json::<String>(&s.probe, "get", json!({})), "9");
    assert_eq!(s.chain.view_access_key(&s.sender, &key.public_key()).unwrap().nonce, nonce);
}

#[test]
fn two_delegate_actions_in_one_transaction_are_refused_at_submission() {
    // nearcore `validate_actions`: DelegateActionMustBeOnlyOne; a refused
    // transaction changes nothing, not even the relayer's nonce.
    let mut s = setup();
    let max_block_height = s.chain.block_height() + 100;
    let a = s.chain.delegate_action(&s.sender, &s.bob, vec![transfer(millinear(5))], max_block_height);
    let b = s.chain.delegate_action(&s.sender, &s.bob, vec![transfer(millinear(6))], max_block_height);
    let before = snapshot(&s);
    let relayer_key = s.chain.view_access_key(&s.relayer, &signer_of(&s.relayer).public_key()).unwrap();
    let (relayer, sender) = (s.relayer.clone(), s.sender.clone());
    let out = s.chain.tx(&relayer, &sender).delegate(a).delegate(b).transact();
    assert_eq!(
        out.invalid_tx_error(),
        Some(&InvalidTxError::ActionsValidation(ActionsValidationError::DelegateActionMustBeOnlyOne))
    );
    assert_refused_unchanged(&s, &before, &out);
    assert_eq!(out.tokens_burnt, 0);
    assert_eq!(s.chain.view_access_key(&s.relayer, &signer_of(&s.relayer).public_key()).unwrap(), relayer_key);
}

#[test]
fn a_delegate_actions_inner_actions_are_validated_at_submission() {
    // nearcore `validate_delegate_action`: the inner actions go through
    // `validate_actions` too (here FunctionCallZeroAttachedGas), so the
    // relayer's transaction is refused and nothing changes.
    let mut s = setup();
    let max_block_height = s.chain.block_height() + 100;
    let no_gas = function_call("whoami", b"{}".to_vec(), NearToken::ZERO, Gas::ZERO);
    let signed = s.chain.delegate_action(&s.sender, &s.probe, vec![no_gas], max_block_height);
    let before = snapshot(&s);
    let out = s.chain.relay(&s.relayer, signed);
    assert_eq!(
        out.invalid_tx_error(),
        Some(&InvalidTxError::ActionsValidation(ActionsValidationError::FunctionCallZeroAttachedGas))
    );
    assert_refused_unchanged(&s, &before, &out);
    assert_eq!(out.tokens_burnt, 0);
}
