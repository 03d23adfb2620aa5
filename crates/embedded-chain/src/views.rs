//! Views (read-only calls, accounts, keys, raw state) and the VM plumbing
//! calls and views share.

use crate::cache::shared_cache;
use crate::ext::{ChainExt, Overlay};
use crate::keys::is_full_access;
use crate::outcome::ViewResult;
use crate::state::{AccountRecord, Chain, CHAIN_ID};
use near_crypto::PublicKey;
use near_primitives::account::AccessKey;
use near_primitives::action::GlobalContractIdentifier;
use near_primitives::errors::{CompilationError, FunctionCallError};
use near_primitives_core::account::AccountContract;
use near_primitives_core::config::ViewConfig;
use near_primitives_core::hash::CryptoHash;
use near_primitives_core::types::{AccountId, Balance, Gas};
use near_vm_runner::logic::types::ReturnData;
use near_vm_runner::logic::VMContext;
use near_vm_runner::ContractCode;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What `view_access_keys` returns for one key.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AccessKeyView {
    pub public_key: String,
    /// `true` for a full-access key, `false` for a function-call key.
    pub full_access: bool,
}

/// What `view_account` returns.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct AccountView {
    pub amount: Balance,
    pub locked: Balance,
    pub storage_usage: u64,
    /// Base58 code hash, as RPC shows it (`11111111111111111111111111111111` =
    /// no code); for an account using a global contract, the global code's hash.
    pub code_hash: String,
    pub code_size: u64,
}

/// Why a view failed, as nearcore's `query` reports it (`UNKNOWN_ACCOUNT`,
/// `NO_CONTRACT_CODE`, `CONTRACT_EXECUTION_ERROR`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ViewError {
    UnknownAccount {
        requested_account_id: AccountId,
    },
    NoContractCode {
        contract_account_id: AccountId,
    },
    /// The method failed: its error as the VM reports it.
    ContractExecutionError {
        vm_error: String,
    },
}

impl std::fmt::Display for ViewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ViewError::UnknownAccount { requested_account_id } => {
                write!(f, "account {requested_account_id} does not exist while viewing")
            }
            ViewError::NoContractCode { contract_account_id } => {
                write!(f, "Contract code for contract ID #{contract_account_id} has never been observed on the node")
            }
            ViewError::ContractExecutionError { vm_error } => write!(f, "wasm execution failed with error: {vm_error}"),
        }
    }
}

impl std::error::Error for ViewError {}

struct CodeRef(Arc<ContractCode>);

impl near_vm_runner::Contract for CodeRef {
    fn hash(&self) -> CryptoHash {
        *self.0.hash()
    }

    fn get_code(&self) -> Option<Arc<ContractCode>> {
        Some(self.0.clone())
    }
}

impl Chain {
    /// The access keys of `id`, in public key order (`None`: no such account).
    pub fn view_access_keys(&self, id: &AccountId) -> Option<Vec<AccessKeyView>> {
        self.accounts.get(id).map(|a| {
            a.keys
                .iter()
                .map(|(public_key, key)| AccessKeyView {
                    public_key: public_key.to_string(),
                    full_access: is_full_access(key),
                })
                .collect()
        })
    }

    pub fn view_account(&self, id: &AccountId) -> Option<AccountView> {
        self.accounts.get(id).map(|a| AccountView {
            amount: a.amount,
            locked: a.locked,
            storage_usage: a.storage_usage,
            code_hash: self.contract_code(a).map(|c| *c.hash()).unwrap_or_default().to_string(),
            code_size: self.contract_code(a).map(|c| c.code().len() as u64).unwrap_or(0),
        })
    }

    /// Balance of `id` (zero if it does not exist).
    pub fn balance(&self, id: &AccountId) -> Balance {
        self.accounts.get(id).map(|a| a.amount).unwrap_or(Balance::ZERO)
    }

    /// Raw contract state of `id` whose keys start with `prefix`, in key order.
    pub fn view_state(&self, id: &AccountId, prefix: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.data
            .get(id)
            .map(|d| {
                d.range(prefix.to_vec()..)
                    .take_while(|(k, _)| k.starts_with(prefix))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Calls `method` in view mode: it may read but not write state, create
    /// promises or read the caller. Fails with the contract's error message.
    pub fn view_raw(&self, id: &AccountId, method: &str, args: &[u8]) -> Result<ViewResult, ViewError> {
        let account =
            self.accounts.get(id).ok_or_else(|| ViewError::UnknownAccount { requested_account_id: id.clone() })?;
        let code =
            self.code_of(id, account).map_err(|_| ViewError::NoContractCode { contract_account_id: id.clone() })?;
        let empty = BTreeMap::new();
        let committed = self.data.get(id).unwrap_or(&empty);
        let mut overlay = Overlay::new();
        let mut ext = ChainExt {
            account_id: id.clone(),
            committed,
            overlay: &mut overlay,
            shape: &self.shape,
            receipts: Vec::new(),
            gas_weights: Vec::new(),
            action_hash: CryptoHash::default(),
            block_height: self.block_height(),
            data_count: 0,
            unsupported: None,
            chain_id: CHAIN_ID.to_string(),
        };
        let max_gas = self.config.wasm_config.limit_config.max_gas_burnt;
        let context = VMContext {
            view_config: Some(ViewConfig { max_gas_burnt: max_gas }),
            ..self.vm_context(id, account, args.to_vec(), max_gas)
        };
        let outcome = self
            .run_vm(code, method, &mut ext, &context)
            .map_err(|vm_error| ViewError::ContractExecutionError { vm_error })?;
        match outcome.aborted {
            Some(err) => Err(ViewError::ContractExecutionError { vm_error: err.to_string() }),
            None => Ok(ViewResult {
                result: match outcome.return_data {
                    ReturnData::Value(v) => v,
                    _ => Vec::new(),
                },
                logs: outcome.logs,
                vm_gas_burnt: outcome.burnt_gas.as_gas(),
            }),
        }
    }

    /// `view_raw` with JSON arguments.
    pub fn view(&self, id: &AccountId, method: &str, args: serde_json::Value) -> Result<ViewResult, ViewError> {
        self.view_raw(id, method, &serde_json::to_vec(&args).expect("json"))
    }

    /// `view` parsed as JSON; panics with the error (for tests and the demo).
    #[track_caller]
    pub fn view_json<T: serde::de::DeserializeOwned>(
        &self,
        id: &AccountId,
        method: &str,
        args: serde_json::Value,
    ) -> T {
        match self.view(id, method, args) {
            Ok(v) => v.json().unwrap_or_else(|e| panic!("view {id}.{method}: bad JSON: {e}")),
            Err(e) => panic!("view {id}.{method} failed: {e}"),
        }
    }

    /// The context of a call to `id` by itself with nothing attached; callers
    /// override what differs (caller, deposit, promise results, view mode).
    pub(crate) fn vm_context(&self, id: &AccountId, account: &AccountRecord, input: Vec<u8>, gas: Gas) -> VMContext {
        VMContext {
            current_account_id: id.clone(),
            signer_account_id: id.clone(),
            signer_account_pk: vec![0; 33],
            predecessor_account_id: id.clone(),
            refund_to_account_id: id.clone(),
            input: input.into(),
            promise_results: Vec::new().into(),
            block_height: self.block_height(),
            block_timestamp: self.block_timestamp(),
            epoch_height: self.block_height() / 43_200,
            account_balance: account.amount,
            account_locked_balance: account.locked,
            storage_usage: account.storage_usage,
            account_contract: account.contract.clone(),
            attached_deposit: Balance::ZERO,
            prepaid_gas: gas,
            random_seed: vec![0; 32],
            view_config: None,
            output_data_receivers: Vec::new(),
        }
    }

    pub(crate) fn code_of(
        &self,
        id: &AccountId,
        account: &AccountRecord,
    ) -> Result<Arc<ContractCode>, FunctionCallError> {
        self.contract_code(account).ok_or_else(|| {
            FunctionCallError::CompilationError(CompilationError::CodeDoesNotExist { account_id: id.clone() })
        })
    }

    /// The code an account runs: its own, or the global contract it uses as
    /// deployed now (a redeploy by account id reaches every user; nearcore
    /// `AccountContractAccessExt::code`).
    pub(crate) fn contract_code(&self, account: &AccountRecord) -> Option<Arc<ContractCode>> {
        match &account.contract {
            AccountContract::None => None,
            AccountContract::Local(hash) => self.codes.get(hash).cloned(),
            AccountContract::Global(hash) => {
                self.global_contracts.get(&GlobalContractIdentifier::CodeHash(*hash)).cloned()
            }
            AccountContract::GlobalByAccount(owner) => {
                self.global_contracts.get(&GlobalContractIdentifier::AccountId(owner.clone())).cloned()
            }
        }
    }

    pub(crate) fn run_vm(
        &self,
        code: Arc<ContractCode>,
        method: &str,
        ext: &mut ChainExt<'_>,
        context: &VMContext,
    ) -> Result<near_vm_runner::logic::VMOutcome, String> {
        let wasm_config = self.config.wasm_config.clone();
        let gas_counter = context.make_gas_counter(&wasm_config);
        let prepared = near_vm_runner::prepare(&CodeRef(code), wasm_config, Some(shared_cache()), gas_counter, method);
        prepared
            .run(ext, context, self.config.fees.clone())
            .map_err(|e| format!("VM runner error (a bug in the chain or the VM): {e:?}"))
    }

    /// One access key of `id` (nonce and permission).
    pub fn view_access_key(&self, id: &AccountId, public_key: &PublicKey) -> Option<AccessKey> {
        self.accounts.get(id)?.keys.get(public_key).cloned()
    }
}

/// The VM's gas profile as (cost name, gas) pairs, largest first, zeros left
/// out; `wasm_instructions` is what the profile's host costs leave of `burnt`.
pub(crate) fn gas_profile(profile: &near_vm_runner::ProfileDataV3, burnt: Gas) -> Vec<(String, u64)> {
    let mut host = 0u64;
    let mut rows: Vec<(String, u64)> = profile
        .wasm_ext_profile
        .iter()
        .map(|(cost, gas)| (format!("{cost:?}"), gas.as_gas()))
        .chain(profile.actions_profile.iter().map(|(cost, gas)| (format!("{cost:?}"), gas.as_gas())))
        .filter(|(_, gas)| *gas > 0)
        .inspect(|(_, gas)| host += gas)
        .collect();
    rows.push(("wasm_instructions".into(), burnt.as_gas().saturating_sub(host)));
    rows.sort_by_key(|row| std::cmp::Reverse(row.1));
    rows
}
