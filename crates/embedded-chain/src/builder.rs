//! Builders for the convenience API: a transaction as an account, without
//! keys or signatures (see [`Chain::submit`]); signed delegate actions.

use crate::keys::{genesis_key, signer_of};
use crate::outcome::TxOutcome;
use crate::receipt::{actions, Action};
use crate::state::{acc, Chain, DEFAULT_CALL_GAS};
use near_crypto::PublicKey;
use near_primitives::action::delegate::{DelegateAction, NonDelegateAction, SignedDelegateAction};
use near_primitives::action::{GlobalContractDeployMode, GlobalContractIdentifier};
use near_primitives_core::types::{AccountId, Balance, Gas};

impl Chain {
    /// Starts a transaction from `signer` to `receiver`.
    pub fn tx(&mut self, signer: &AccountId, receiver: &AccountId) -> TxBuilder<'_> {
        TxBuilder { chain: self, signer: signer.clone(), receiver: receiver.clone(), actions: Vec::new() }
    }

    /// Starts a function call transaction.
    pub fn call(&mut self, signer: &AccountId, receiver: &AccountId, method: &str) -> CallBuilder<'_> {
        CallBuilder {
            chain: self,
            signer: signer.clone(),
            receiver: receiver.clone(),
            method: method.to_string(),
            args: b"{}".to_vec(),
            deposit: Balance::ZERO,
            gas: DEFAULT_CALL_GAS,
        }
    }

    /// Creates `name.<root>` funded with `balance` by the root account; panics on failure.
    #[track_caller]
    pub fn create_account(&mut self, name: &str, balance: Balance) -> AccountId {
        let id = acc(&format!("{name}.{}", self.root));
        let root = self.root.clone();
        self.create_sub_account(&root, &id, balance).assert_success();
        id
    }

    /// `parent` creates `id` with a full access key and `balance` (one transaction).
    pub fn create_sub_account(&mut self, parent: &AccountId, id: &AccountId, balance: Balance) -> TxOutcome {
        self.tx(parent, id).create_account().transfer(balance).add_full_access_key(genesis_key(id)).transact()
    }

    /// Deletes `key` from `account` (signed by the account itself).
    pub fn delete_key(&mut self, account: &AccountId, key: &PublicKey) -> TxOutcome {
        self.tx(account, account).delete_key(key.clone()).transact()
    }

    /// Deploys `wasm` to `account` (signed by the account itself).
    pub fn deploy(&mut self, account: &AccountId, wasm: &[u8]) -> TxOutcome {
        self.tx(account, account).deploy(wasm.to_vec()).transact()
    }

    pub fn transfer(&mut self, from: &AccountId, to: &AccountId, amount: Balance) -> TxOutcome {
        self.tx(from, to).transfer(amount).transact()
    }

    /// NEP-366: `sender` signs a delegate action of `actions` to `receiver`
    /// with the key of [`signer_of`] `sender` and that key's next nonce, valid
    /// up to block `max_block_height`. Panics if `sender` has no such key or an
    /// action is itself a delegate action (nesting is not allowed).
    pub fn delegate_action(
        &self,
        sender: &AccountId,
        receiver: &AccountId,
        actions: Vec<Action>,
        max_block_height: u64,
    ) -> SignedDelegateAction {
        let signer = signer_of(sender);
        let public_key = signer.public_key();
        let nonce = self
            .view_access_key(sender, &public_key)
            .unwrap_or_else(|| panic!("delegate_action: {sender} has no key of signer_of({sender})"))
            .nonce
            + 1;
        let actions = actions
            .into_iter()
            .map(|a| NonDelegateAction::try_from(a).expect("delegate_action: a delegate action cannot be nested"))
            .collect();
        let delegate_action = DelegateAction {
            sender_id: sender.clone(),
            receiver_id: receiver.clone(),
            actions,
            nonce,
            max_block_height,
            public_key,
        };
        SignedDelegateAction::sign(&signer, delegate_action)
    }

    /// `relayer` relays `signed`: a transaction to its sender whose only
    /// action is the delegate action; the relayer pays its gas and deposits.
    pub fn relay(&mut self, relayer: &AccountId, signed: SignedDelegateAction) -> TxOutcome {
        let sender = signed.delegate_action.sender_id.clone();
        self.tx(relayer, &sender).delegate(signed).transact()
    }

    /// NEP-591: `account` deploys `wasm` as a global contract (signed by itself).
    pub fn deploy_global_contract(
        &mut self,
        account: &AccountId,
        wasm: &[u8],
        mode: GlobalContractDeployMode,
    ) -> TxOutcome {
        self.tx(account, account).deploy_global_contract(wasm.to_vec(), mode).transact()
    }

    /// NEP-591: `account` makes the global contract `identifier` its contract (signed by itself).
    pub fn use_global_contract(&mut self, account: &AccountId, identifier: GlobalContractIdentifier) -> TxOutcome {
        self.tx(account, account).use_global_contract(identifier).transact()
    }
}

/// Builds a transaction of several actions.
pub struct TxBuilder<'a> {
    chain: &'a mut Chain,
    signer: AccountId,
    receiver: AccountId,
    actions: Vec<Action>,
}

impl TxBuilder<'_> {
    pub fn create_account(mut self) -> Self {
        self.actions.push(actions::create_account());
        self
    }

    pub fn deploy(mut self, code: Vec<u8>) -> Self {
        self.actions.push(actions::deploy(code));
        self
    }

    pub fn transfer(mut self, amount: Balance) -> Self {
        self.actions.push(actions::transfer(amount));
        self
    }

    pub fn add_full_access_key(mut self, key: PublicKey) -> Self {
        self.actions.push(actions::add_full_access_key(key));
        self
    }

    pub fn delete_key(mut self, key: PublicKey) -> Self {
        self.actions.push(actions::delete_key(key));
        self
    }

    pub fn delete_account(mut self, beneficiary: AccountId) -> Self {
        self.actions.push(actions::delete_account(beneficiary));
        self
    }

    pub fn call(mut self, method: &str, args: serde_json::Value, deposit: Balance, gas: Gas) -> Self {
        self.actions.push(actions::function_call(method, serde_json::to_vec(&args).expect("json"), deposit, gas));
        self
    }

    pub fn call_raw(mut self, method: &str, args: Vec<u8>, deposit: Balance, gas: Gas) -> Self {
        self.actions.push(actions::function_call(method, args, deposit, gas));
        self
    }

    pub fn deploy_global_contract(mut self, code: Vec<u8>, mode: GlobalContractDeployMode) -> Self {
        self.actions.push(actions::deploy_global_contract(code, mode));
        self
    }

    pub fn use_global_contract(mut self, identifier: GlobalContractIdentifier) -> Self {
        self.actions.push(actions::use_global_contract(identifier));
        self
    }

    pub fn delegate(mut self, signed: SignedDelegateAction) -> Self {
        self.actions.push(actions::delegate(signed));
        self
    }

    pub fn action(mut self, action: Action) -> Self {
        self.actions.push(action);
        self
    }

    pub fn transact(self) -> TxOutcome {
        self.chain.submit(&self.signer, &self.receiver, self.actions)
    }
}

/// Builds a single function call transaction.
pub struct CallBuilder<'a> {
    chain: &'a mut Chain,
    signer: AccountId,
    receiver: AccountId,
    method: String,
    args: Vec<u8>,
    deposit: Balance,
    gas: Gas,
}

impl CallBuilder<'_> {
    pub fn args_json(mut self, args: impl serde::Serialize) -> Self {
        self.args = serde_json::to_vec(&args).expect("json args");
        self
    }

    pub fn args(mut self, args: Vec<u8>) -> Self {
        self.args = args;
        self
    }

    pub fn deposit(mut self, deposit: Balance) -> Self {
        self.deposit = deposit;
        self
    }

    pub fn gas(mut self, gas: Gas) -> Self {
        self.gas = gas;
        self
    }

    pub fn transact(self) -> TxOutcome {
        let action = actions::function_call(&self.method, self.args, self.deposit, self.gas);
        self.chain.submit(&self.signer, &self.receiver, vec![action])
    }
}
