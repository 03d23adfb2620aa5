//! What a transaction did: per-receipt outcomes and the final result, shaped
//! like near-workspaces' `ExecutionFinalResult`.

use near_primitives::errors::{ActionErrorKind, FunctionCallError, InvalidTxError, TxExecutionError};
use near_primitives_core::hash::CryptoHash;
use near_primitives_core::types::{AccountId, Gas};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A NEP-297 event parsed from an `EVENT_JSON:` log line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    pub standard: String,
    pub version: String,
    pub event: String,
    pub data: serde_json::Value,
}

impl Event {
    /// Parses one log line; `None` unless it is a well-formed NEP-297 event.
    pub fn parse(log: &str) -> Option<Event> {
        let json = log.strip_prefix("EVENT_JSON:")?;
        let value: serde_json::Value = serde_json::from_str(json).ok()?;
        Some(Event {
            standard: value.get("standard")?.as_str()?.to_string(),
            version: value.get("version")?.as_str()?.to_string(),
            event: value.get("event")?.as_str()?.to_string(),
            data: value.get("data").cloned().unwrap_or(serde_json::Value::Null),
        })
    }
}

/// How one receipt ended.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ReceiptStatus {
    /// Finished with this value (empty when the method returned nothing).
    Value(Vec<u8>),
    /// Finished by returning a promise: its result is the result of that receipt.
    Promise(CryptoHash),
    /// Failed with this error (nearcore's structured form).
    Failure(TxExecutionError),
}

/// One executed receipt.
#[derive(Clone, Debug, Serialize)]
pub struct ReceiptOutcome {
    /// The receipt's id, derived as nearcore derives it (near-primitives `utils`).
    pub receipt_id: CryptoHash,
    pub block_height: u64,
    /// Hash of the block it ran in.
    pub block_hash: CryptoHash,
    /// Ids of the receipts it created (calls, refunds, a beneficiary's payment).
    pub receipt_ids: Vec<CryptoHash>,
    pub predecessor: String,
    pub executor: String,
    /// Short description of the actions (`FunctionCall(method)`, `Transfer`, ...).
    pub actions: Vec<String>,
    pub logs: Vec<String>,
    pub events: Vec<Event>,
    /// Gas burnt by this receipt: action execution fees plus wasm execution.
    pub gas_burnt: u64,
    /// Tokens burnt for that gas at the block's gas price (at least the
    /// protocol's `account_creation_charge` for a receipt that creates an
    /// account), plus the storage of a global contract it deployed.
    pub tokens_burnt: u128,
    /// Gas burnt by the contract code itself (the VM's `burnt_gas`).
    pub vm_gas_burnt: u64,
    /// Where `vm_gas_burnt` went: (host-function or action cost, gas), largest
    /// first, with `wasm_instructions` for the code's own instructions.
    pub vm_profile: Vec<(String, u64)>,
    pub status: ReceiptStatus,
    /// Refund receipts are created by the protocol (predecessor `system`).
    pub is_refund: bool,
}

impl ReceiptOutcome {
    pub fn is_failure(&self) -> bool {
        matches!(self.status, ReceiptStatus::Failure(_))
    }
}

/// The outcome of a transaction and every receipt it caused.
#[derive(Clone, Debug, Serialize)]
pub struct TxOutcome {
    /// The transaction's hash (`sha256` of its borsh form, as nearcore hashes it).
    pub tx_hash: CryptoHash,
    /// The block that included it (0 when it was refused).
    pub block_height: u64,
    /// The receipt the transaction was converted into (`None` when refused).
    pub receipt_id: Option<CryptoHash>,
    /// Final result: the value of the first receipt, following returned promises,
    /// or nearcore's error (`InvalidTxError` when the transaction was refused).
    pub status: Result<Vec<u8>, TxExecutionError>,
    pub receipts: Vec<ReceiptOutcome>,
    /// Gas burnt converting the transaction into its first receipt.
    pub conversion_gas_burnt: u64,
    /// Gas burnt by the transaction and every receipt it caused.
    pub total_gas_burnt: u64,
    /// Tokens burnt for that gas, in yoctoNEAR.
    pub tokens_burnt: u128,
    pub signer: String,
    pub receiver: String,
}

/// The text of an error as a user reads it: a contract's own message (e.g.
/// `Smart contract panicked: ...`) as it is, any other error as nearcore displays it.
pub fn error_message(error: &TxExecutionError) -> String {
    match error {
        TxExecutionError::ActionError(e) => match &e.kind {
            ActionErrorKind::FunctionCallError(FunctionCallError::ExecutionError(message)) => message.clone(),
            ActionErrorKind::FunctionCallError(other) => format!("{other:?}"),
            kind => kind.to_string(),
        },
        TxExecutionError::InvalidTxError(e) => e.to_string(),
    }
}

impl TxOutcome {
    pub(crate) fn accepted(signer: &AccountId, receiver: &AccountId, tx_hash: CryptoHash, height: u64) -> Self {
        TxOutcome {
            tx_hash,
            block_height: height,
            receipt_id: None,
            status: Ok(Vec::new()),
            receipts: Vec::new(),
            conversion_gas_burnt: 0,
            total_gas_burnt: 0,
            tokens_burnt: 0,
            signer: signer.to_string(),
            receiver: receiver.to_string(),
        }
    }

    /// A transaction refused at submission: nothing ran, nothing changed.
    pub(crate) fn refused(signer: &AccountId, receiver: &AccountId, tx_hash: CryptoHash, err: InvalidTxError) -> Self {
        TxOutcome {
            status: Err(TxExecutionError::InvalidTxError(err)),
            block_height: 0,
            ..Self::accepted(signer, receiver, tx_hash, 0)
        }
    }

    /// The error that refused the transaction at submission, if it was refused.
    pub fn invalid_tx_error(&self) -> Option<&InvalidTxError> {
        match &self.status {
            Err(TxExecutionError::InvalidTxError(e)) => Some(e),
            _ => None,
        }
    }

    pub fn is_success(&self) -> bool {
        self.status.is_ok()
    }

    pub fn is_failure(&self) -> bool {
        self.status.is_err()
    }

    /// The final error message, if the transaction failed (see [`error_message`]).
    pub fn failure_message(&self) -> Option<String> {
        self.status.as_ref().err().map(error_message)
    }

    /// Panics with the failure (and every receipt failure) unless the transaction succeeded.
    #[track_caller]
    pub fn assert_success(&self) -> &Self {
        if let Err(e) = &self.status {
            panic!(
                "transaction {} -> {} failed: {}\nreceipt failures: {:?}",
                self.signer,
                self.receiver,
                error_message(e),
                self.receipt_failures()
            );
        }
        self
    }

    /// Panics unless the transaction failed with a message containing `needle`.
    #[track_caller]
    pub fn assert_failure_contains(&self, needle: &str) -> &Self {
        match &self.status {
            Ok(v) => panic!(
                "expected failure containing {needle:?}, but {} -> {} succeeded with {:?}",
                self.signer,
                self.receiver,
                String::from_utf8_lossy(v)
            ),
            Err(e) => {
                let message = error_message(e);
                assert!(message.contains(needle), "expected failure containing {needle:?}, got {message:?}")
            }
        }
        self
    }

    /// Messages of every failed receipt (a transaction can succeed while a
    /// detached receipt fails, as on chain).
    pub fn receipt_failures(&self) -> Vec<String> {
        self.receipts
            .iter()
            .filter_map(|r| match &r.status {
                ReceiptStatus::Failure(e) => Some(error_message(e)),
                _ => None,
            })
            .collect()
    }

    /// The final value as raw bytes.
    #[track_caller]
    pub fn raw(&self) -> &[u8] {
        self.assert_success();
        self.status.as_ref().expect("checked above")
    }

    /// The final value parsed as JSON.
    pub fn json<T: DeserializeOwned>(&self) -> anyhow::Result<T> {
        match &self.status {
            Ok(v) => Ok(serde_json::from_slice(v)?),
            Err(e) => anyhow::bail!("transaction failed: {}", error_message(e)),
        }
    }

    /// The final value parsed as borsh.
    pub fn borsh<T: borsh::BorshDeserialize>(&self) -> anyhow::Result<T> {
        match &self.status {
            Ok(v) => Ok(borsh::from_slice(v)?),
            Err(e) => anyhow::bail!("transaction failed: {}", error_message(e)),
        }
    }

    /// Every log line of every receipt, in execution order.
    pub fn logs(&self) -> Vec<&str> {
        self.receipts.iter().flat_map(|r| r.logs.iter().map(String::as_str)).collect()
    }

    /// Every NEP-297 event of every receipt, in execution order.
    pub fn events(&self) -> Vec<&Event> {
        self.receipts.iter().flat_map(|r| r.events.iter()).collect()
    }

    /// Events of one standard with one name.
    pub fn events_named(&self, standard: &str, event: &str) -> Vec<&Event> {
        self.events().into_iter().filter(|e| e.standard == standard && e.event == event).collect()
    }

    /// Receipts executed by `account` (refunds excluded).
    pub fn receipts_on<'a>(&'a self, account: &'a AccountId) -> impl Iterator<Item = &'a ReceiptOutcome> + 'a {
        self.receipts.iter().filter(move |r| !r.is_refund && r.executor == account.as_str())
    }

    /// Gas the contract code of `account` burnt, summed over its receipts.
    pub fn vm_gas_on(&self, account: &AccountId) -> Gas {
        Gas::from_gas(self.receipts_on(account).map(|r| r.vm_gas_burnt).sum())
    }

    /// VM gas burnt by the first receipt (the called method itself).
    pub fn first_vm_gas(&self) -> Gas {
        Gas::from_gas(self.receipts.iter().find(|r| !r.is_refund).map(|r| r.vm_gas_burnt).unwrap_or(0))
    }
}

/// Result of a view call.
#[derive(Clone, Debug)]
pub struct ViewResult {
    pub result: Vec<u8>,
    pub logs: Vec<String>,
    pub vm_gas_burnt: u64,
}

impl ViewResult {
    pub fn json<T: DeserializeOwned>(&self) -> anyhow::Result<T> {
        Ok(serde_json::from_slice(&self.result)?)
    }

    pub fn borsh<T: borsh::BorshDeserialize>(&self) -> anyhow::Result<T> {
        Ok(borsh::from_slice(&self.result)?)
    }
}
