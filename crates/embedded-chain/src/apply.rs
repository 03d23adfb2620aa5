//! Applying a receipt's actions to a working copy of its receiver, as
//! nearcore's `runtime/runtime/src/actions.rs` does; nothing is committed here.

use crate::ext::{ChainExt, Overlay};
use crate::keys::access_key_storage;
use crate::receipt::{Action, NewReceipt, Receipt, ReceiptKind};
use crate::state::{AccountRecord, Chain};
use crate::transactions::ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT;
use crate::trie::TouchedNodes;
use near_crypto::PublicKey;
use near_primitives::account::AccessKey;
use near_primitives::errors::{ActionError, ActionErrorKind, FunctionCallError};
use near_primitives::utils::{create_action_hash_from_receipt_id, create_random_seed};
use near_primitives_core::types::{AccountId, Balance, Gas};
use near_vm_runner::logic::types::{PromiseResult, ReturnData};
use near_vm_runner::logic::VMContext;
use near_vm_runner::ContractCode;
use std::cell::RefCell;
use std::sync::Arc;

/// The result of running one action receipt, before it is committed.
pub(crate) struct ActionsResult {
    pub status: Result<ReturnData, ActionError>,
    pub account: Option<AccountRecord>,
    pub overlay: Overlay,
    pub deleted: bool,
    pub new_code: Option<Arc<ContractCode>>,
    pub new_receipts: Vec<NewReceipt>,
    pub logs: Vec<String>,
    pub vm_gas_burnt: Gas,
    pub vm_profile: Vec<(String, u64)>,
    /// Gas of the function calls burnt or passed on to new receipts.
    pub gas_used_by_calls: Gas,
    /// The receipt created its receiver (it pays at least `account_creation_charge`).
    pub created_account: bool,
    /// A deleted account's balance, owed to its beneficiary.
    pub beneficiary_payment: Option<(AccountId, Balance)>,
}

/// The message of a VM error as nearcore records it: a function call's
/// execution errors are kept as their text (`FunctionCallError::ExecutionError`).
pub(crate) fn vm_error(err: &near_vm_runner::logic::errors::FunctionCallError) -> FunctionCallError {
    use near_primitives::errors::MethodResolveError as Primitive;
    use near_vm_runner::logic::errors::{FunctionCallError as Vm, MethodResolveError as VmResolve};
    match err {
        Vm::MethodResolveError(VmResolve::MethodEmptyName) => {
            FunctionCallError::MethodResolveError(Primitive::MethodEmptyName)
        }
        Vm::MethodResolveError(VmResolve::MethodNotFound) => {
            FunctionCallError::MethodResolveError(Primitive::MethodNotFound)
        }
        Vm::MethodResolveError(VmResolve::MethodInvalidSignature) => {
            FunctionCallError::MethodResolveError(Primitive::MethodInvalidSignature)
        }
        other => FunctionCallError::ExecutionError(other.to_string()),
    }
}

impl Chain {
    pub(crate) fn apply_actions(
        &self,
        receipt: &Receipt,
        signer: &AccountId,
        signer_public_key: &PublicKey,
        actions: &[Action],
        promise_results: Vec<PromiseResult>,
        output_receivers: &[AccountId],
    ) -> ActionsResult {
        let receiver = &receipt.receiver;
        let storage = &self.config.fees.storage_usage_config;
        let height = self.block_height();
        let mut result = ActionsResult {
            status: Ok(ReturnData::None),
            account: self.accounts.get(receiver).cloned(),
            overlay: Overlay::new(),
            deleted: false,
            new_code: None,
            new_receipts: Vec::new(),
            logs: Vec::new(),
            vm_gas_burnt: Gas::ZERO,
            vm_profile: Vec::new(),
            gas_used_by_calls: Gas::ZERO,
            created_account: false,
            beneficiary_payment: None,
        };
        let promise_results: Arc<[PromiseResult]> = promise_results.into();
        let touched = RefCell::new(TouchedNodes::default());
        let mut actor = receipt.predecessor.clone();
        for (index, action) in actions.iter().enumerate() {
            let fail = |mut r: ActionsResult, kind: ActionErrorKind| {
                r.status = Err(ActionError { index: Some(index as u64), kind });
                r
            };
            let is_last = index + 1 == actions.len();
            if (result.deleted || result.account.is_none()) && !matches!(action, Action::CreateAccount(_)) {
                return fail(result, ActionErrorKind::AccountDoesNotExist { account_id: receiver.clone() });
            }
            let needs_actor = matches!(
                action,
                Action::DeployContract(_) | Action::AddKey(_) | Action::DeleteKey(_) | Action::DeleteAccount(_)
            );
            if needs_actor && actor != *receiver {
                return fail(
                    result,
                    ActionErrorKind::ActorNoPermission { account_id: receiver.clone(), actor_id: actor.clone() },
                );
            }
            match action {
                Action::CreateAccount(_) => {
                    if result.account.is_some() && !result.deleted {
                        return fail(result, ActionErrorKind::AccountAlreadyExists { account_id: receiver.clone() });
                    }
                    let creation = &self.config.account_creation_config;
                    let predecessor = &receipt.predecessor;
                    if receiver.is_top_level() {
                        if receiver.len() < creation.min_allowed_top_level_account_length as usize
                            && *predecessor != creation.registrar_account_id
                        {
                            return fail(
                                result,
                                ActionErrorKind::CreateAccountOnlyByRegistrar {
                                    account_id: receiver.clone(),
                                    registrar_account_id: creation.registrar_account_id.clone(),
                                    predecessor_id: predecessor.clone(),
                                },
                            );
                        }
                    } else if !receiver.is_sub_account_of(predecessor) {
                        return fail(
                            result,
                            ActionErrorKind::CreateAccountNotAllowed {
                                account_id: receiver.clone(),
                                predecessor_id: predecessor.clone(),
                            },
                        );
                    }
                    result.account = Some(AccountRecord::new(Balance::ZERO, storage.num_bytes_account));
                    result.deleted = false;
                    result.created_account = true;
                    actor = receiver.clone();
                }
                Action::DeployContract(deploy) => {
                    let code = Arc::new(ContractCode::new(deploy.code.clone(), None));
                    let account = result.account.as_mut().expect("checked");
                    let old_len =
                        account.code_hash.and_then(|h| self.codes.get(&h)).map(|c| c.code().len() as u64).unwrap_or(0);
                    let old_len = result.new_code.as_ref().map(|c| c.code().len() as u64).unwrap_or(old_len);
                    account.storage_usage = account.storage_usage - old_len + code.code().len() as u64;
                    account.code_hash = Some(*code.hash());
                    result.new_code = Some(code);
                }
                Action::FunctionCall(call) => {
                    let account = result.account.clone().expect("checked");
                    let code = match result.new_code.clone() {
                        Some(c) if account.code_hash == Some(*c.hash()) => c,
                        _ => match self.code_of(receiver, &account) {
                            Ok(c) => c,
                            Err(e) => return fail(result, ActionErrorKind::FunctionCallError(e)),
                        },
                    };
                    let action_hash = create_action_hash_from_receipt_id(&receipt.id, height, index);
                    let empty = Default::default();
                    let committed = self.data.get(receiver).unwrap_or(&empty);
                    let mut overlay = std::mem::take(&mut result.overlay);
                    let mut ext = ChainExt {
                        account_id: receiver.clone(),
                        committed,
                        overlay: &mut overlay,
                        shape: &self.shape,
                        touched: &touched,
                        receipts: Vec::new(),
                        gas_weights: Vec::new(),
                        action_hash,
                        block_height: height,
                        data_count: 0,
                        unsupported: None,
                        chain_id: crate::state::CHAIN_ID.to_string(),
                    };
                    let context = VMContext {
                        signer_account_id: signer.clone(),
                        signer_account_pk: borsh::to_vec(signer_public_key).unwrap_or_default(),
                        predecessor_account_id: receipt.predecessor.clone(),
                        refund_to_account_id: match &receipt.kind {
                            ReceiptKind::Action { refund_to, .. } => refund_to.clone(),
                            ReceiptKind::Refund { .. } => receipt.predecessor.clone(),
                        },
                        promise_results: promise_results.clone(),
                        attached_deposit: call.deposit,
                        random_seed: create_random_seed(action_hash, self.head().hash),
                        output_data_receivers: if is_last { output_receivers.to_vec() } else { Vec::new() },
                        ..self.vm_context(receiver, &account, &code, call.args.clone(), call.gas)
                    };
                    let vm = match self.run_vm(code, &call.method_name, &mut ext, &context) {
                        Ok(vm) => vm,
                        Err(e) => {
                            drop(ext);
                            result.overlay = overlay;
                            return fail(
                                result,
                                ActionErrorKind::FunctionCallError(FunctionCallError::ExecutionError(e)),
                            );
                        }
                    };
                    let ChainExt { receipts: mut new_receipts, gas_weights, unsupported, .. } = ext;
                    result.overlay = overlay;
                    result.vm_gas_burnt = result.vm_gas_burnt.saturating_add(vm.burnt_gas);
                    result.vm_profile = crate::views::gas_profile(&vm.profile, vm.burnt_gas);
                    result.logs.extend(vm.logs.iter().cloned());
                    if let Some(err) = &vm.aborted {
                        result.gas_used_by_calls = result.vm_gas_burnt;
                        return fail(result, ActionErrorKind::FunctionCallError(vm_error(err)));
                    }
                    if let Some(what) = unsupported {
                        result.gas_used_by_calls = result.vm_gas_burnt;
                        let message = format!("promise action {what} is not supported by the embedded chain");
                        return fail(
                            result,
                            ActionErrorKind::FunctionCallError(FunctionCallError::ExecutionError(message)),
                        );
                    }
                    // Unused gas goes to the calls that asked for a share, by weight.
                    let mut used = vm.used_gas;
                    let unused = call.gas.saturating_sub(vm.used_gas);
                    let weight_sum: u128 = gas_weights.iter().map(|(_, _, w)| w.0 as u128).sum();
                    if weight_sum > 0 && unused.as_gas() > 0 {
                        let mut distributed = 0u64;
                        for (i, (r, a, w)) in gas_weights.iter().enumerate() {
                            let share = if i + 1 == gas_weights.len() {
                                unused.as_gas() - distributed
                            } else {
                                (unused.as_gas() as u128 * w.0 as u128 / weight_sum) as u64
                            };
                            distributed += share;
                            if let Action::FunctionCall(call) = &mut new_receipts[*r].actions[*a] {
                                call.gas = call.gas.saturating_add(Gas::from_gas(share));
                            }
                        }
                        used = used.saturating_add(Gas::from_gas(distributed));
                    }
                    result.gas_used_by_calls = result.gas_used_by_calls.saturating_add(used);
                    let account = result.account.as_mut().expect("checked");
                    account.amount = vm.balance;
                    account.storage_usage = vm.storage_usage;
                    // Receipt indices are per call; shift references into this receipt's list.
                    let base = result.new_receipts.len();
                    result.new_receipts.extend(new_receipts);
                    result.status = Ok(match vm.return_data {
                        ReturnData::ReceiptIndex(i) => ReturnData::ReceiptIndex(i + base as u64),
                        other => other,
                    });
                    continue;
                }
                Action::Transfer(transfer) => {
                    let account = result.account.as_mut().expect("checked");
                    account.amount = account.amount.saturating_add(transfer.deposit);
                }
                Action::AddKey(add) => {
                    let account = result.account.as_mut().expect("checked");
                    if account.keys.contains_key(&add.public_key) {
                        return fail(
                            result,
                            ActionErrorKind::AddKeyAlreadyExists {
                                account_id: receiver.clone(),
                                public_key: Box::new(add.public_key.clone()),
                            },
                        );
                    }
                    // nearcore `action_add_key`: a new key's nonce starts at
                    // `(block height - 1) * ACCESS_KEY_NONCE_RANGE_MULTIPLIER`.
                    let key = AccessKey {
                        nonce: (height - 1) * AccessKey::ACCESS_KEY_NONCE_RANGE_MULTIPLIER,
                        permission: add.access_key.permission.clone(),
                    };
                    account.storage_usage += access_key_storage(&self.config, &add.public_key, &key);
                    account.keys.insert(add.public_key.clone(), key);
                }
                Action::DeleteKey(delete) => {
                    let account = result.account.as_mut().expect("checked");
                    match account.keys.remove(&delete.public_key) {
                        Some(key) => {
                            account.storage_usage -= access_key_storage(&self.config, &delete.public_key, &key)
                        }
                        None => {
                            return fail(
                                result,
                                ActionErrorKind::DeleteKeyDoesNotExist {
                                    account_id: receiver.clone(),
                                    public_key: Box::new(delete.public_key.clone()),
                                },
                            )
                        }
                    }
                }
                Action::DeleteAccount(delete) => {
                    let account = result.account.as_ref().expect("checked");
                    if !account.locked.is_zero() {
                        return fail(result, ActionErrorKind::DeleteAccountStaking { account_id: receiver.clone() });
                    }
                    // nearcore `action_delete_account`: an account whose state
                    // (code excluded) is too large to delete in one receipt is refused.
                    let code_len =
                        account.code_hash.and_then(|h| self.codes.get(&h)).map(|c| c.code().len() as u64).unwrap_or(0);
                    if account.storage_usage.saturating_sub(code_len)
                        > near_primitives::account::Account::MAX_ACCOUNT_DELETION_STORAGE_USAGE
                    {
                        return fail(
                            result,
                            ActionErrorKind::DeleteAccountWithLargeState { account_id: receiver.clone() },
                        );
                    }
                    // The balance, if any, goes to the beneficiary in a receipt of its own.
                    if !account.amount.is_zero() {
                        result.beneficiary_payment = Some((delete.beneficiary_id.clone(), account.amount));
                    }
                    result.deleted = true;
                }
                other => {
                    let what = crate::receipt::describe(other);
                    return fail(
                        result,
                        ActionErrorKind::FunctionCallError(FunctionCallError::ExecutionError(format!(
                            "{what} is not supported by the embedded chain"
                        ))),
                    );
                }
            }
            // Non-call actions leave no return value.
            result.status = Ok(ReturnData::None);
        }
        // Storage staking: the receiver must still cover the bytes it occupies
        // (nearcore `check_storage_stake`; NEP-448 zero-balance accounts are exempt).
        if let (false, Some(account)) = (result.deleted, &result.account) {
            let required = storage.storage_amount_per_byte.saturating_mul(account.storage_usage as u128);
            let available = account.amount.saturating_add(account.locked);
            if available < required && account.storage_usage > ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT {
                let amount = required.saturating_sub(available);
                result.status = Err(ActionError {
                    index: None,
                    kind: ActionErrorKind::LackBalanceForState { account_id: receiver.clone(), amount },
                });
            }
        }
        result
    }
}
