//! Signed transactions (nearcore's borsh `SignedTransaction`, signed with
//! near-crypto) submitted with `Chain::submit_signed`: hashes and ids as
//! nearcore computes them, and each reason nearcore refuses a transaction,
//! as its structured error and that error's JSON. A refused transaction
//! changes nothing: balance, key nonce and allowance, storage, height.

use crate::support::ActionCosts;
use crate::support::{
    at, exec, next_nonce, probe_wasm, purchase_price, send, sign, signed, snapshot, transaction, yocto,
};
use embedded_chain::{
    account, actions, near, signer_of, AccessKey, AccessKeyPermission, AccountId, Action, Chain, CryptoHash, Gas,
    InvalidAccessKeyError, InvalidTxError, NearToken, TX_VALIDITY_PERIOD,
};
use serde_json::json;

/// A chain with `user` and two probe contracts, `a` and `b`.
fn setup() -> (Chain, AccountId, AccountId, AccountId) {
    let mut chain = Chain::new();
    let user = chain.create_account("user", near(100));
    let a = chain.create_account("a", near(10));
    let b = chain.create_account("b", near(10));
    let wasm = probe_wasm();
    chain.deploy(&a, &wasm).assert_success();
    chain.deploy(&b, &wasm).assert_success();
    (chain, user, a, b)
}

fn set(value: &str, deposit: NearToken) -> Action {
    actions::function_call("set", json!({"value": value}).to_string().into_bytes(), deposit, Gas::from_teragas(30))
}

/// Submits `tx`, asserts it was refused with `expected` (whose JSON, as
/// nearcore serializes it, is `expected_json`) and that `signer` and its keys
/// of `key_owners` are as they were.
#[track_caller]
fn assert_refused(
    chain: &mut Chain,
    tx: embedded_chain::SignedTransaction,
    key_owners: &[&AccountId],
    expected: InvalidTxError,
    expected_json: serde_json::Value,
) {
    let signer = tx.transaction.signer_id().clone();
    let before = snapshot(chain, &signer, key_owners);
    let hash = tx.get_hash();
    let out = chain.submit_signed(tx);
    assert_eq!(out.invalid_tx_error(), Some(&expected));
    assert_eq!(serde_json::to_value(&expected).unwrap(), expected_json);
    assert!(out.receipts.is_empty());
    assert_eq!(snapshot(chain, &signer, key_owners), before, "a refused transaction changes nothing");
    assert!(chain.tx_outcome(&hash).is_none_or(|stored| stored.is_success()), "refusals are not stored");
}

// nearcore `SignedTransaction::get_hash`: the hash is sha256 of the borsh
// transaction (what the signature signs); the first receipt's id is
// `create_receipt_id_from_transaction`: sha256(tx hash ‖ block height ‖ 0),
// and outcomes are found by both. The key's nonce becomes the transaction's.
#[test]
fn a_signed_transaction_is_accepted_and_found_by_its_hash_and_receipt_ids() {
    let (mut chain, user, a, _) = setup();
    let nonce = next_nonce(&chain, &user, &user);
    let tx = transaction(&user, &user, &a, nonce, chain.head().hash, vec![set("5", NearToken::ZERO)]);
    let hash = CryptoHash::hash_borsh(&tx);
    let signed = sign(tx, &user);
    assert_eq!(signed.get_hash(), hash);

    let out = chain.submit_signed(signed);
    out.assert_success();

    assert_eq!(out.tx_hash, hash);
    assert_eq!(chain.tx_outcome(&hash).map(|o| o.tx_hash), Some(hash));
    let mut bytes = hash.as_ref().to_vec();
    bytes.extend(out.block_height.to_le_bytes());
    bytes.extend(0u64.to_le_bytes());
    let first = CryptoHash::hash_bytes(&bytes);
    assert_eq!(out.receipts[0].receipt_id, first);
    assert_eq!(chain.receipt_outcome(&first).map(|r| r.executor.as_str()), Some(a.as_str()));
    for receipt in &out.receipts {
        assert_eq!(chain.receipt_outcome(&receipt.receipt_id).map(|r| r.receipt_id), Some(receipt.receipt_id));
    }
    assert_eq!(chain.view_access_key(&user, &signer_of(&user).public_key()).unwrap().nonce, nonce);
    assert_eq!(chain.view_json::<String>(&a, "get", json!({})), "5");
}

// nearcore `verify_and_charge_tx_ephemeral`: the nonce must exceed the key's
// (`InvalidNonce`): a transaction cannot be replayed.
#[test]
fn a_replayed_transaction_is_refused_with_invalid_nonce() {
    let (mut chain, user, a, _) = setup();
    let tx = signed(&chain, &user, &a, vec![set("1", NearToken::ZERO)]);
    let nonce = tx.transaction.nonce().nonce();
    chain.submit_signed(tx.clone()).assert_success();

    assert_refused(
        &mut chain,
        tx,
        &[&user],
        InvalidTxError::InvalidNonce { tx_nonce: nonce, ak_nonce: nonce },
        json!({"InvalidNonce": {"tx_nonce": nonce, "ak_nonce": nonce}}),
    );
}

// nearcore `verify_and_charge_tx_ephemeral`: the nonce must be below
// `block height × ACCESS_KEY_NONCE_RANGE_MULTIPLIER` (10^6) of the block
// that includes it (`NonceTooLarge`).
#[test]
fn a_nonce_from_too_far_ahead_is_refused() {
    let (mut chain, user, a, _) = setup();
    let upper_bound = (chain.block_height() + 1) * AccessKey::ACCESS_KEY_NONCE_RANGE_MULTIPLIER;
    let tx =
        |nonce| sign(transaction(&user, &user, &a, nonce, chain.head().hash, vec![set("1", NearToken::ZERO)]), &user);
    let (too_large, largest) = (tx(upper_bound), tx(upper_bound - 1));

    assert_refused(
        &mut chain,
        too_large,
        &[&user],
        InvalidTxError::NonceTooLarge { tx_nonce: upper_bound, upper_bound },
        json!({"NonceTooLarge": {"tx_nonce": upper_bound, "upper_bound": upper_bound}}),
    );
    chain.submit_signed(largest).assert_success();
}

// nearcore `ValidatedTransaction::new`: the signature must verify against the
// transaction's public key (`InvalidSignature`).
#[test]
fn a_transaction_signed_by_another_key_is_refused() {
    let (mut chain, user, a, _) = setup();
    let tx = transaction(
        &user,
        &user,
        &a,
        next_nonce(&chain, &user, &user),
        chain.head().hash,
        vec![set("1", NearToken::ZERO)],
    );
    let forged = sign(tx, &account("mallory.test.near"));

    assert_refused(&mut chain, forged, &[&user], InvalidTxError::InvalidSignature, json!("InvalidSignature"));
}

// nearcore `verify_and_charge_transaction`: the signing key must be one of
// the signer's access keys (`AccessKeyNotFound`).
#[test]
fn a_key_the_signer_does_not_hold_is_refused() {
    let (mut chain, user, a, _) = setup();
    let stranger = account("stranger");
    let tx = sign(transaction(&user, &stranger, &a, 1, chain.head().hash, vec![set("1", NearToken::ZERO)]), &stranger);
    let public_key = signer_of(&stranger).public_key();

    assert_refused(
        &mut chain,
        tx,
        &[&user, &stranger],
        InvalidTxError::InvalidAccessKeyError(InvalidAccessKeyError::AccessKeyNotFound {
            account_id: user.clone(),
            public_key: Box::new(public_key.clone()),
        }),
        json!({"InvalidAccessKeyError": {"AccessKeyNotFound": {"account_id": user, "public_key": public_key}}}),
    );
}

// nearcore `check_transaction_validity_period`: the block hash must name a
// block at most `transaction_validity_period` blocks behind the head; an
// older or unknown one is `Expired` (a header that cannot be found maps to
// `Expired` too).
#[test]
fn a_block_hash_older_than_the_validity_period_or_unknown_is_refused() {
    let (mut chain, user, a, _) = setup();
    let base = chain.head().hash;
    let on = |chain: &Chain, block_hash| {
        sign(
            transaction(&user, &user, &a, next_nonce(chain, &user, &user), block_hash, vec![set("1", NearToken::ZERO)]),
            &user,
        )
    };

    let unknown = on(&chain, CryptoHash::hash_bytes(b"no such block"));
    assert_refused(&mut chain, unknown, &[&user], InvalidTxError::Expired, json!("Expired"));
    chain.fast_forward(TX_VALIDITY_PERIOD);
    // The head is exactly the validity period ahead of the base: still valid.
    chain.submit_signed(on(&chain, base)).assert_success();
    let expired = on(&chain, base);
    assert_refused(&mut chain, expired, &[&user], InvalidTxError::Expired, json!("Expired"));
}

/// Gives `user` a function-call key of [`signer_of`] `owner` for `receiver`'s
/// `set`, with `allowance`.
fn add_app_key(chain: &mut Chain, user: &AccountId, owner: &AccountId, receiver: &AccountId, allowance: Option<u128>) {
    let key = actions::add_function_call_key(
        signer_of(owner).public_key(),
        receiver,
        vec!["set".to_string()],
        allowance.map(yocto),
    );
    chain.tx(user, user).action(key).transact().assert_success();
}

/// `actions` from `user` to `receiver`, signed with the key of `owner`.
fn with_key(
    chain: &Chain,
    user: &AccountId,
    owner: &AccountId,
    receiver: &AccountId,
    actions: Vec<Action>,
) -> embedded_chain::SignedTransaction {
    sign(transaction(user, owner, receiver, next_nonce(chain, user, owner), chain.head().hash, actions), owner)
}

// nearcore `verify_and_charge_tx_ephemeral`: a function-call key signs one
// `FunctionCall` without deposit to its receiver and one of its methods:
// otherwise `ReceiverMismatch`, `MethodNameMismatch`,
// `DepositWithFunctionCall`, `RequiresFullAccess`.
#[test]
fn a_function_call_key_signs_only_calls_without_deposit_to_its_receiver_and_methods() {
    let (mut chain, user, a, b) = setup();
    let app = account("app");
    add_app_key(&mut chain, &user, &app, &a, None);
    let keys: &[&AccountId] = &[&user, &app];
    let access = InvalidTxError::InvalidAccessKeyError;

    let tx = with_key(&chain, &user, &app, &b, vec![set("1", NearToken::ZERO)]);
    assert_refused(
        &mut chain,
        tx,
        keys,
        access(InvalidAccessKeyError::ReceiverMismatch { tx_receiver: b.clone(), ak_receiver: a.to_string() }),
        json!({"InvalidAccessKeyError": {"ReceiverMismatch": {"tx_receiver": b, "ak_receiver": a}}}),
    );
    let get = actions::function_call("get", b"{}".to_vec(), NearToken::ZERO, Gas::from_teragas(30));
    let tx = with_key(&chain, &user, &app, &a, vec![get]);
    assert_refused(
        &mut chain,
        tx,
        keys,
        access(InvalidAccessKeyError::MethodNameMismatch { method_name: "get".into() }),
        json!({"InvalidAccessKeyError": {"MethodNameMismatch": {"method_name": "get"}}}),
    );
    let tx = with_key(&chain, &user, &app, &a, vec![set("1", yocto(1))]);
    assert_refused(
        &mut chain,
        tx,
        keys,
        access(InvalidAccessKeyError::DepositWithFunctionCall),
        json!({"InvalidAccessKeyError": "DepositWithFunctionCall"}),
    );
    let tx = with_key(&chain, &user, &app, &a, vec![actions::transfer(yocto(1))]);
    assert_refused(
        &mut chain,
        tx,
        keys,
        access(InvalidAccessKeyError::RequiresFullAccess),
        json!({"InvalidAccessKeyError": "RequiresFullAccess"}),
    );
    let tx = with_key(&chain, &user, &app, &a, vec![set("1", NearToken::ZERO), set("2", NearToken::ZERO)]);
    assert_refused(
        &mut chain,
        tx,
        keys,
        access(InvalidAccessKeyError::RequiresFullAccess),
        json!({"InvalidAccessKeyError": "RequiresFullAccess"}),
    );

    chain.submit_signed(with_key(&chain, &user, &app, &a, vec![set("9", NearToken::ZERO)])).assert_success();
    assert_eq!(chain.view_json::<String>(&a, "get", json!({})), "9");
}

// nearcore `verify_and_charge_tx_ephemeral`: a function-call key's allowance
// pays the transaction's whole cost up front (`NotEnoughAllowance` when it
// cannot); the gas refund goes back to the allowance too (nearcore
// `try_refund_allowance`), so the allowance ends lower by exactly the tokens
// burnt.
#[test]
fn a_function_call_key_spends_its_allowance_on_gas() {
    let (mut chain, user, a, _) = setup();
    let bytes = ("set".len() + json!({"value": "1"}).to_string().len()) as u64;
    let send_gas = send(&chain, ActionCosts::new_action_receipt, false)
        + send(&chain, ActionCosts::function_call_base, false)
        + send(&chain, ActionCosts::function_call_byte, false) * bytes;
    let exec_gas = exec(&chain, ActionCosts::new_action_receipt)
        + exec(&chain, ActionCosts::function_call_base)
        + exec(&chain, ActionCosts::function_call_byte) * bytes
        + Gas::from_teragas(30).as_gas();
    let cost = at(send_gas, chain.gas_price()) + at(exec_gas, purchase_price(&chain));
    let (low, exact) = (account("low"), account("exact"));
    add_app_key(&mut chain, &user, &low, &a, Some(cost - 1));
    add_app_key(&mut chain, &user, &exact, &a, Some(cost));

    let tx = with_key(&chain, &user, &low, &a, vec![set("1", NearToken::ZERO)]);
    let public_key = signer_of(&low).public_key();
    assert_refused(
        &mut chain,
        tx,
        &[&user, &low, &exact],
        InvalidTxError::InvalidAccessKeyError(InvalidAccessKeyError::NotEnoughAllowance {
            account_id: user.clone(),
            public_key: Box::new(public_key.clone()),
            allowance: yocto(cost - 1),
            cost: yocto(cost),
        }),
        json!({"InvalidAccessKeyError": {"NotEnoughAllowance": {
            "account_id": user, "public_key": public_key, "allowance": (cost - 1).to_string(), "cost": cost.to_string(),
        }}}),
    );

    let before = chain.balance(&user);
    let out = chain.submit_signed(with_key(&chain, &user, &exact, &a, vec![set("1", NearToken::ZERO)]));
    out.assert_success();
    let key = chain.view_access_key(&user, &signer_of(&exact).public_key()).unwrap();
    let AccessKeyPermission::FunctionCall(permission) = key.permission else { panic!("a function-call key") };
    assert_eq!(permission.allowance, Some(yocto(cost - out.tokens_burnt)));
    assert_eq!(before.as_yoctonear() - chain.balance(&user).as_yoctonear(), out.tokens_burnt);

    // What is left no longer covers the same call.
    let tx = with_key(&chain, &user, &exact, &a, vec![set("1", NearToken::ZERO)]);
    let public_key = signer_of(&exact).public_key();
    let left = cost - out.tokens_burnt;
    assert_refused(
        &mut chain,
        tx,
        &[&user, &exact],
        InvalidTxError::InvalidAccessKeyError(InvalidAccessKeyError::NotEnoughAllowance {
            account_id: user.clone(),
            public_key: Box::new(public_key.clone()),
            allowance: yocto(left),
            cost: yocto(cost),
        }),
        json!({"InvalidAccessKeyError": {"NotEnoughAllowance": {
            "account_id": user, "public_key": public_key, "allowance": left.to_string(), "cost": cost.to_string(),
        }}}),
    );
}

// nearcore `ValidatedTransaction::new` → `Signature::verify`: secp256k1 keys
// sign transactions as ed25519 keys do, and a secp256k1 signature by another
// key is `InvalidSignature`.
#[test]
fn a_secp256k1_key_signs_transactions_too() {
    let (mut chain, user, a, _) = setup();
    let secp = |seed: &str| near_crypto::InMemorySigner::from_seed(user.clone(), near_crypto::KeyType::SECP256K1, seed);
    let (key, other) = (secp("user secp256k1"), secp("someone else"));
    chain.tx(&user, &user).add_full_access_key(key.public_key()).transact().assert_success();
    let nonce = chain.view_access_key(&user, &key.public_key()).unwrap().nonce + 1;
    let tx = |by: &embedded_chain::Signer| {
        let tx = embedded_chain::Transaction::V0(embedded_chain::TransactionV0 {
            signer_id: user.clone(),
            public_key: key.public_key(),
            nonce,
            receiver_id: a.clone(),
            block_hash: chain.head().hash,
            actions: vec![set("8", NearToken::ZERO)],
        });
        let hash = CryptoHash::hash_borsh(&tx);
        embedded_chain::SignedTransaction::new(by.sign(hash.as_ref()), tx)
    };
    let (forged, genuine) = (tx(&other), tx(&key));

    assert_refused(&mut chain, forged, &[&user], InvalidTxError::InvalidSignature, json!("InvalidSignature"));
    chain.submit_signed(genuine).assert_success();
    assert_eq!(chain.view_access_key(&user, &key.public_key()).unwrap().nonce, nonce);
    assert_eq!(chain.view_json::<String>(&a, "get", json!({})), "8");
}

// nearcore `validate_function_call_action` (protocol 87,
// `RejectEmptyMethodName`): a function call needs a method name; without one
// the transaction is refused at submission.
#[test]
fn a_call_without_a_method_name_is_refused() {
    let (mut chain, user, a, _) = setup();
    let call = actions::function_call("", b"{}".to_vec(), NearToken::ZERO, Gas::from_teragas(30));
    let tx = signed(&chain, &user, &a, vec![call]);

    assert_refused(
        &mut chain,
        tx,
        &[&user],
        InvalidTxError::ActionsValidation(embedded_chain::ActionsValidationError::FunctionCallEmptyMethodName),
        json!({"ActionsValidation": "FunctionCallEmptyMethodName"}),
    );
}

// nearcore `verify_and_charge_transaction`: the signer must exist
// (`SignerDoesNotExist`), even with a valid signature.
#[test]
fn a_signer_that_does_not_exist_is_refused() {
    let (mut chain, _, a, _) = setup();
    let ghost = account("ghost.test.near");
    let tx = sign(transaction(&ghost, &ghost, &a, 1, chain.head().hash, vec![set("1", NearToken::ZERO)]), &ghost);

    assert_refused(
        &mut chain,
        tx,
        &[&ghost],
        InvalidTxError::SignerDoesNotExist { signer_id: ghost.clone() },
        json!({"SignerDoesNotExist": {"signer_id": ghost}}),
    );
}

// nearcore `action_add_key`: a new key's nonce starts at
// `(block height - 1) × ACCESS_KEY_NONCE_RANGE_MULTIPLIER`, so transactions
// signed for an earlier key with the same public key cannot be replayed.
#[test]
fn a_new_key_starts_at_the_nonce_of_its_block_height() {
    let (mut chain, user, a, _) = setup();
    let app = account("app");
    let out = chain
        .tx(&user, &user)
        .action(actions::add_function_call_key(signer_of(&app).public_key(), &a, Vec::new(), None))
        .transact();
    out.assert_success();

    let added = out.receipts.iter().find(|r| !r.is_refund).unwrap();
    let key = chain.view_access_key(&user, &signer_of(&app).public_key()).unwrap();
    assert_eq!(key.nonce, (added.block_height - 1) * AccessKey::ACCESS_KEY_NONCE_RANGE_MULTIPLIER);
}
