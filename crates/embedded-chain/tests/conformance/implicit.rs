//! Implicit accounts created by a transfer, as nearcore protocol 88 does it:
//! `runtime/runtime/src/actions.rs` (`action_implicit_account_creation_transfer`,
//! `check_account_existence`, `check_transfer_to_nonexisting_account`) and
//! near-parameters' `transfer_send_fee` / `transfer_exec_fee` (a transfer to an
//! implicit id pays for the account and key it may create).

use embedded_chain::actions::{create_account, transfer};
use embedded_chain::{
    millinear, near, AccessKey, AccountId, ActionError, ActionErrorKind, Chain, SignedTransaction, Transaction,
    TransactionV0, TxExecutionError, TxOutcome,
};
use near_crypto::{InMemorySigner, KeyType, SecretKey};
use near_parameters::ActionCosts;
use near_primitives::utils::derive_near_implicit_account_id;

fn send(chain: &Chain, cost: ActionCosts) -> u64 {
    // Every transfer here goes to another account: not sir.
    chain.runtime_config().fees.fee(cost).send_fee(false).gas.as_gas()
}

fn exec(chain: &Chain, cost: ActionCosts) -> u64 {
    chain.runtime_config().fees.fee(cost).exec_fee().gas.as_gas()
}

fn price(chain: &Chain) -> u128 {
    chain.gas_price().as_yoctonear()
}

fn transfer_receipt(out: &TxOutcome, to: &AccountId) -> (u64, u128, u64) {
    let r = out.receipts.iter().find(|r| r.executor == to.as_str() && !r.is_refund).expect("the transfer receipt");
    (r.gas_burnt, r.tokens_burnt, r.block_height)
}

#[test]
fn a_transfer_creates_a_near_implicit_account_with_the_key_its_id_encodes() {
    // nearcore `action_implicit_account_creation_transfer`: the account holds
    // the deposit and the full-access key `PublicKey::from_near_implicit_account`,
    // whose nonce starts at `(block height - 1) * ACCESS_KEY_NONCE_RANGE_MULTIPLIER`;
    // storage = num_bytes_account + key + access key record + num_extra_bytes_record.
    // `transfer_send_fee` / `transfer_exec_fee`: transfer + create_account + add_full_access_key.
    let mut chain = Chain::new();
    let payer = chain.create_account("payer", near(10));
    let secret = SecretKey::from_seed(KeyType::ED25519, "implicit-owner");
    let public_key = secret.public_key();
    let id = derive_near_implicit_account_id(public_key.unwrap_as_ed25519());
    assert!(chain.view_account(&id).is_none());

    let deposit = millinear(50);
    let payer_before = chain.balance(&payer);
    let out = chain.transfer(&payer, &id, deposit);
    out.assert_success();

    let storage = &chain.runtime_config().fees.storage_usage_config;
    let expected_storage = storage.num_bytes_account
        + borsh::object_length(&public_key).unwrap() as u64
        + borsh::object_length(&AccessKey::full_access()).unwrap() as u64
        + storage.num_extra_bytes_record;
    let view = chain.view_account(&id).expect("the transfer created the account");
    assert_eq!(view.amount, deposit);
    assert_eq!(view.storage_usage, expected_storage);
    let (gas, tokens, height) = transfer_receipt(&out, &id);
    let key = chain.view_access_key(&id, &public_key).expect("the key the id encodes");
    assert_eq!(
        key,
        AccessKey { nonce: (height - 1) * AccessKey::ACCESS_KEY_NONCE_RANGE_MULTIPLIER, ..AccessKey::full_access() }
    );
    assert_eq!(chain.view_access_keys(&id).unwrap().len(), 1);

    let conversion = send(&chain, ActionCosts::new_action_receipt)
        + send(&chain, ActionCosts::transfer)
        + send(&chain, ActionCosts::create_account)
        + send(&chain, ActionCosts::add_full_access_key);
    let execution = exec(&chain, ActionCosts::new_action_receipt)
        + exec(&chain, ActionCosts::transfer)
        + exec(&chain, ActionCosts::create_account)
        + exec(&chain, ActionCosts::add_full_access_key);
    assert_eq!(out.conversion_gas_burnt, conversion);
    assert_eq!(gas, execution);
    // NEP-642: the receipt that creates the account pays the account creation charge.
    assert!(tokens >= chain.runtime_config().account_creation_charge.as_yoctonear());
    assert_eq!(out.tokens_burnt, conversion as u128 * price(&chain) + tokens);
    assert_eq!(
        payer_before.as_yoctonear() - chain.balance(&payer).as_yoctonear(),
        deposit.as_yoctonear() + out.tokens_burnt
    );

    // Whoever holds the secret key controls the account: it signs a transfer back.
    let signer = InMemorySigner::from_secret_key(id.clone(), secret);
    let tx = Transaction::V0(TransactionV0 {
        signer_id: id.clone(),
        public_key: public_key.clone(),
        nonce: key.nonce + 1,
        receiver_id: payer.clone(),
        block_hash: chain.head().hash,
        actions: vec![transfer(millinear(10))],
    });
    let signature = signer.sign(tx.get_hash_and_size().0.as_ref());
    chain.submit_signed(SignedTransaction::new(signature, tx)).assert_success();
    assert_eq!(chain.view_access_key(&id, &public_key).unwrap().nonce, key.nonce + 1);
}

#[test]
fn a_second_transfer_to_an_implicit_account_only_adds_but_pays_the_implicit_fees() {
    // nearcore `action_transfer` on an existing account; `transfer_exec_fee`
    // charges by the receiver's id, so the creation fees are paid again (and
    // no account creation charge: nothing is created).
    let mut chain = Chain::new();
    let payer = chain.create_account("payer", near(10));
    let public_key = SecretKey::from_seed(KeyType::ED25519, "implicit-twice").public_key();
    let id = derive_near_implicit_account_id(public_key.unwrap_as_ed25519());
    chain.transfer(&payer, &id, millinear(20)).assert_success();
    let first = chain.view_account(&id).unwrap();
    let key = chain.view_access_key(&id, &public_key).unwrap();

    let out = chain.transfer(&payer, &id, millinear(30));
    out.assert_success();
    let second = chain.view_account(&id).unwrap();
    assert_eq!(second.amount.as_yoctonear(), first.amount.as_yoctonear() + millinear(30).as_yoctonear());
    assert_eq!(second.storage_usage, first.storage_usage);
    assert_eq!(chain.view_access_key(&id, &public_key).unwrap(), key, "the key is not re-created");
    let execution = exec(&chain, ActionCosts::new_action_receipt)
        + exec(&chain, ActionCosts::transfer)
        + exec(&chain, ActionCosts::create_account)
        + exec(&chain, ActionCosts::add_full_access_key);
    let (gas, tokens, _) = transfer_receipt(&out, &id);
    assert_eq!(gas, execution);
    assert_eq!(tokens, execution as u128 * price(&chain));
}

#[test]
fn an_implicit_account_is_created_only_by_a_lone_transfer() {
    // nearcore `check_account_existence`: CreateAccount of an implicit id is
    // OnlyImplicitAccountCreationAllowed; a transfer with other actions finds
    // no account (AccountDoesNotExist). Deposits come back; nothing is created.
    let mut chain = Chain::new();
    let payer = chain.create_account("payer", near(10));
    let public_key = SecretKey::from_seed(KeyType::ED25519, "implicit-hijack").public_key();
    let id = derive_near_implicit_account_id(public_key.unwrap_as_ed25519());

    let before = chain.balance(&payer);
    let out = chain.tx(&payer, &id).action(create_account()).transfer(millinear(10)).transact();
    assert_eq!(
        out.status,
        Err(TxExecutionError::ActionError(ActionError {
            index: Some(0),
            kind: ActionErrorKind::OnlyImplicitAccountCreationAllowed { account_id: id.clone() },
        }))
    );
    assert!(chain.view_account(&id).is_none());
    assert_eq!(before.as_yoctonear() - chain.balance(&payer).as_yoctonear(), out.tokens_burnt);

    let before = chain.balance(&payer);
    let out = chain.tx(&payer, &id).transfer(millinear(10)).transfer(millinear(10)).transact();
    assert_eq!(
        out.status,
        Err(TxExecutionError::ActionError(ActionError {
            index: Some(0),
            kind: ActionErrorKind::AccountDoesNotExist { account_id: id.clone() },
        }))
    );
    assert!(chain.view_account(&id).is_none());
    assert_eq!(before.as_yoctonear() - chain.balance(&payer).as_yoctonear(), out.tokens_burnt);
}

#[test]
fn a_transfer_creates_a_deterministic_account_without_keys() {
    // nearcore `action_implicit_account_creation_transfer` for a NEP-616 `0s`
    // id (`create_deterministic_account`): balance and `num_bytes_account`,
    // no key and no code until a state init; `transfer_exec_fee` adds
    // create_account only.
    let mut chain = Chain::new();
    let payer = chain.create_account("payer", near(10));
    let id: AccountId = format!("0s{}", "ab".repeat(20)).parse().unwrap();
    let out = chain.transfer(&payer, &id, millinear(20));
    out.assert_success();
    let view = chain.view_account(&id).expect("created");
    assert_eq!(view.amount, millinear(20));
    assert_eq!(view.storage_usage, chain.runtime_config().fees.storage_usage_config.num_bytes_account);
    assert_eq!(chain.view_access_keys(&id).unwrap(), vec![]);
    let execution = exec(&chain, ActionCosts::new_action_receipt)
        + exec(&chain, ActionCosts::transfer)
        + exec(&chain, ActionCosts::create_account);
    assert_eq!(transfer_receipt(&out, &id).0, execution);
}

#[test]
fn a_transfer_to_a_new_eth_implicit_account_is_refused_clearly() {
    // nearcore 88 creates a `0x` account with the ETH wallet global contract
    // (`eth_wallet_global_contract_hash`), whose code the embedded chain does
    // not ship: the transfer fails with a message saying so, and its deposit
    // comes back.
    let mut chain = Chain::new();
    let payer = chain.create_account("payer", near(10));
    let id: AccountId = format!("0x{}", "cd".repeat(20)).parse().unwrap();
    let before = chain.balance(&payer);
    let out = chain.transfer(&payer, &id, millinear(20));
    out.assert_failure_contains("eth-implicit");
    assert!(chain.view_account(&id).is_none());
    assert_eq!(before.as_yoctonear() - chain.balance(&payer).as_yoctonear(), out.tokens_burnt);
}
