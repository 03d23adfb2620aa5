//! Actions and receipts as the chain routes them.
//!
//! Actions are nearcore's own (`near_primitives::action::Action`): a signed
//! transaction's actions run as they arrive. Receipts are the chain's own
//! struct, with ids computed as nearcore computes them (see `execution.rs`).

use near_crypto::PublicKey;
use near_primitives::account::{AccessKey, AccessKeyPermission, FunctionCallPermission};
use near_primitives::action::delegate::SignedDelegateAction;
pub use near_primitives::action::Action;
use near_primitives::action::{
    AddKeyAction, CreateAccountAction, DeleteAccountAction, DeleteKeyAction, DeployContractAction,
    DeployGlobalContractAction, FunctionCallAction, GlobalContractDeployMode, GlobalContractIdentifier, TransferAction,
    UseGlobalContractAction,
};
use near_primitives_core::hash::CryptoHash;
use near_primitives_core::types::{AccountId, Balance, Gas};
use std::sync::Arc;

/// Constructors of the actions tests and demos use most.
pub mod actions {
    use super::*;

    pub fn create_account() -> Action {
        Action::CreateAccount(CreateAccountAction {})
    }

    pub fn deploy(code: Vec<u8>) -> Action {
        Action::DeployContract(DeployContractAction { code })
    }

    pub fn function_call(method: &str, args: Vec<u8>, deposit: Balance, gas: Gas) -> Action {
        Action::FunctionCall(Box::new(FunctionCallAction { method_name: method.to_string(), args, gas, deposit }))
    }

    pub fn transfer(deposit: Balance) -> Action {
        Action::Transfer(TransferAction { deposit })
    }

    pub fn add_full_access_key(public_key: PublicKey) -> Action {
        Action::AddKey(Box::new(AddKeyAction { public_key, access_key: AccessKey::full_access() }))
    }

    /// A function-call key for `receiver` (`methods` empty: any method), with an
    /// optional allowance.
    pub fn add_function_call_key(
        public_key: PublicKey,
        receiver: &AccountId,
        methods: Vec<String>,
        allowance: Option<Balance>,
    ) -> Action {
        let permission = AccessKeyPermission::FunctionCall(FunctionCallPermission {
            allowance,
            receiver_id: receiver.to_string(),
            method_names: methods,
        });
        Action::AddKey(Box::new(AddKeyAction { public_key, access_key: AccessKey { nonce: 0, permission } }))
    }

    pub fn delete_key(public_key: PublicKey) -> Action {
        Action::DeleteKey(Box::new(DeleteKeyAction { public_key }))
    }

    pub fn delete_account(beneficiary_id: AccountId) -> Action {
        Action::DeleteAccount(DeleteAccountAction { beneficiary_id })
    }

    /// NEP-591: deploys `code` as a global contract, identified by its code
    /// hash (immutable) or by the deploying account (which may redeploy it).
    pub fn deploy_global_contract(code: Vec<u8>, mode: GlobalContractDeployMode) -> Action {
        Action::DeployGlobalContract(DeployGlobalContractAction { code: code.into(), deploy_mode: mode })
    }

    /// NEP-591: makes the receiver's contract the global contract `identifier`.
    pub fn use_global_contract(identifier: GlobalContractIdentifier) -> Action {
        Action::UseGlobalContract(Box::new(UseGlobalContractAction { contract_identifier: identifier }))
    }

    /// NEP-366: a relayed delegate action (the only action of its transaction).
    pub fn delegate(signed: SignedDelegateAction) -> Action {
        Action::Delegate(Box::new(signed))
    }
}

/// Short description of an action for outcomes (`FunctionCall(method)`, `Transfer(n)`, ...).
pub(crate) fn describe(action: &Action) -> String {
    match action {
        Action::CreateAccount(_) => "CreateAccount".into(),
        Action::DeployContract(a) => format!("DeployContract({} bytes)", a.code.len()),
        Action::FunctionCall(a) => format!("FunctionCall({})", a.method_name),
        Action::Transfer(a) => format!("Transfer({})", a.deposit.as_yoctonear()),
        Action::AddKey(_) => "AddKey".into(),
        Action::DeleteKey(_) => "DeleteKey".into(),
        Action::DeleteAccount(a) => format!("DeleteAccount({})", a.beneficiary_id),
        Action::Delegate(d) => format!("Delegate({})", d.delegate_action.sender_id),
        Action::DeployGlobalContract(a) => format!("DeployGlobalContract({} bytes)", a.code.len()),
        Action::UseGlobalContract(a) => format!("UseGlobalContract({})", identifier_text(&a.contract_identifier)),
        other => format!("{other:?}").split(['(', ' ']).next().unwrap_or("Action").to_string(),
    }
}

/// Tokens an action attaches (a delegate action: its inner actions', which
/// the relayer pays; nearcore `total_deposit`).
pub(crate) fn deposit(action: &Action) -> Balance {
    match action {
        Action::FunctionCall(a) => a.deposit,
        Action::Transfer(a) => a.deposit,
        Action::Delegate(d) => total_deposit(&d.delegate_action.get_actions()),
        _ => Balance::ZERO,
    }
}

/// Tokens `actions` attach (nearcore `total_deposit`).
pub(crate) fn total_deposit(actions: &[Action]) -> Balance {
    actions.iter().fold(Balance::ZERO, |sum, a| sum.saturating_add(deposit(a)))
}

/// Gas `actions` attach (nearcore `total_prepaid_gas`).
pub(crate) fn total_prepaid_gas(actions: &[Action]) -> Gas {
    actions.iter().fold(Gas::ZERO, |sum, a| sum.saturating_add(prepaid_gas(a)))
}

/// Gas an action attaches for its execution (a delegate action: its inner
/// calls'; nearcore `total_prepaid_gas`).
pub(crate) fn prepaid_gas(action: &Action) -> Gas {
    match action {
        Action::FunctionCall(a) => a.gas,
        Action::Delegate(d) => total_prepaid_gas(&d.delegate_action.get_actions()),
        _ => Gas::ZERO,
    }
}

/// A receipt created by a contract during execution, before it is routed.
#[derive(Clone, Debug)]
pub(crate) struct NewReceipt {
    pub receiver: AccountId,
    pub actions: Vec<Action>,
    pub input_data_ids: Vec<CryptoHash>,
    pub output_data_receivers: Vec<(CryptoHash, AccountId)>,
    pub refund_to: Option<AccountId>,
}

impl NewReceipt {
    pub fn new(receiver: AccountId, input_data_ids: Vec<CryptoHash>) -> Self {
        Self { receiver, actions: Vec::new(), input_data_ids, output_data_receivers: Vec::new(), refund_to: None }
    }
}

/// What a receipt carries through the chain.
#[derive(Clone, Debug)]
pub(crate) enum ReceiptKind {
    Action {
        signer: AccountId,
        /// The key that signed the transaction (what `signer_account_pk` returns).
        signer_public_key: PublicKey,
        /// Price at which the receipt's gas was bought (NEP-642: at least the
        /// protocol's `min_gas_purchase_price`).
        gas_price: Balance,
        actions: Vec<Action>,
        input_data_ids: Vec<CryptoHash>,
        output_data_receivers: Vec<(CryptoHash, AccountId)>,
        refund_to: AccountId,
    },
    /// A balance refund from the protocol: unused gas (`access_key`: the key
    /// that signed, whose allowance gets the refund back too) or a failed
    /// receipt's deposits.
    Refund { amount: Balance, access_key: Option<PublicKey> },
    /// NEP-591: stores a global contract's code under its identifier
    /// (nearcore's `GlobalContractDistribution` receipt, sent to `system`;
    /// with one shard it is applied once).
    GlobalContractDistribution { identifier: GlobalContractIdentifier, code: Arc<[u8]> },
}

#[derive(Clone, Debug)]
pub(crate) struct Receipt {
    pub id: CryptoHash,
    pub predecessor: AccountId,
    pub receiver: AccountId,
    pub kind: ReceiptKind,
}

/// A global contract identifier as outcomes show it (the code hash in base58, or the account id).
pub(crate) fn identifier_text(identifier: &GlobalContractIdentifier) -> String {
    match identifier {
        GlobalContractIdentifier::CodeHash(hash) => hash.to_string(),
        GlobalContractIdentifier::AccountId(account) => account.to_string(),
    }
}
