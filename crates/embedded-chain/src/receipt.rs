//! Actions and receipts as the chain routes them.

use near_crypto::PublicKey;
use near_primitives_core::hash::CryptoHash;
use near_primitives_core::types::{AccountId, Balance, Gas};

/// One action of a transaction or receipt.
#[derive(Clone, Debug)]
pub enum Action {
    CreateAccount,
    DeployContract(Vec<u8>),
    FunctionCall {
        method_name: String,
        args: Vec<u8>,
        deposit: Balance,
        gas: Gas,
    },
    Transfer(Balance),
    /// `function_call`: `(allowance, receiver, method names)` for a function-call key.
    AddKey {
        public_key: PublicKey,
        function_call: Option<(Option<Balance>, AccountId, Vec<String>)>,
    },
    DeleteKey(PublicKey),
    DeleteAccount(AccountId),
    /// An action the embedded chain does not implement; executing it fails the receipt.
    Unsupported(&'static str),
}

impl Action {
    pub fn function_call(method: &str, args: Vec<u8>, deposit: Balance, gas: Gas) -> Self {
        Action::FunctionCall { method_name: method.to_string(), args, deposit, gas }
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            Action::CreateAccount => "CreateAccount".into(),
            Action::DeployContract(code) => format!("DeployContract({} bytes)", code.len()),
            Action::FunctionCall { method_name, .. } => format!("FunctionCall({method_name})"),
            Action::Transfer(amount) => format!("Transfer({})", amount.as_yoctonear()),
            Action::AddKey { .. } => "AddKey".into(),
            Action::DeleteKey(_) => "DeleteKey".into(),
            Action::DeleteAccount(b) => format!("DeleteAccount({b})"),
            Action::Unsupported(what) => format!("Unsupported({what})"),
        }
    }

    pub(crate) fn deposit(&self) -> Balance {
        match self {
            Action::FunctionCall { deposit, .. } => *deposit,
            Action::Transfer(amount) => *amount,
            _ => Balance::ZERO,
        }
    }

    pub(crate) fn prepaid_gas(&self) -> Gas {
        match self {
            Action::FunctionCall { gas, .. } => *gas,
            _ => Gas::ZERO,
        }
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
        actions: Vec<Action>,
        input_data_ids: Vec<CryptoHash>,
        output_data_receivers: Vec<(CryptoHash, AccountId)>,
        refund_to: AccountId,
    },
    /// A balance refund from the protocol (unused gas or a failed receipt's deposits).
    Refund(Balance),
}

#[derive(Clone, Debug)]
pub(crate) struct Receipt {
    pub id: u64,
    pub predecessor: AccountId,
    pub receiver: AccountId,
    pub kind: ReceiptKind,
}
