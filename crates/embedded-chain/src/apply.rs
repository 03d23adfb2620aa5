//! Applying a receipt's actions to a working copy of its receiver, as
//! nearcore's `runtime/runtime/src/actions.rs` does; nothing is committed here.

use crate::ext::{ChainExt, Overlay};
use crate::fees::{total_prepaid_exec_fees, total_prepaid_send_fees};
use crate::keys::{access_key_storage, permits};
use crate::receipt::total_prepaid_gas;
use crate::receipt::{Action, NewReceipt, Receipt, ReceiptKind};
use crate::state::{AccountRecord, Chain};
use crate::transactions::ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT;
use near_crypto::PublicKey;
use near_parameters::ActionCosts;
use near_primitives::account::AccessKey;
use near_primitives::action::delegate::SignedDelegateAction;
use near_primitives::action::{GlobalContractDeployMode, GlobalContractIdentifier};
use near_primitives::errors::{ActionError, ActionErrorKind, FunctionCallError, InvalidAccessKeyError};
use near_primitives::utils::{create_action_hash_from_receipt_id, create_random_seed};
use near_primitives_core::account::id::AccountType;
use near_primitives_core::account::AccountContract;
use near_primitives_core::hash::hash;
use near_primitives_core::types::{AccountId, Balance, Gas};
use near_vm_runner::logic::types::{PromiseResult, ReturnData};
use near_vm_runner::logic::VMContext;
use near_vm_runner::ContractCode;
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
    /// Receipts the protocol sends for this receipt's actions, in action order.
    pub protocol_receipts: Vec<ProtocolReceipt>,
    /// Gas a delegate action burns: its inner actions' send fees (nearcore
    /// `apply_delegate_action`, `total_prepaid_send_fees`).
    pub delegate_gas_burnt: Gas,
    /// Gas a delegate action passes on to the receipt of its inner actions
    /// (their execution fees and attached gas, and that receipt's own fee).
    pub delegate_gas_passed_on: Gas,
    /// Tokens burnt for global contract storage (nearcore
    /// `action_deploy_global_contract`: `global_contract_storage_amount_per_byte` per byte).
    pub global_storage_burnt: Balance,
}

/// A receipt an action makes the protocol send (not a contract's promise).
pub(crate) enum ProtocolReceipt {
    /// A delegate action's inner actions, from its sender to their receiver.
    Delegate { receiver: AccountId, actions: Vec<Action> },
    /// A global contract's code, to be stored under its identifier.
    Distribution { identifier: GlobalContractIdentifier, code: Arc<[u8]> },
}

/// Whether a transfer to a missing `id` creates it (nearcore
/// `account_is_implicit`, `check_transfer_to_nonexisting_account`): 64-hex
/// NEAR-implicit and `0s` deterministic ids always, `0x` ETH-implicit and `0u`
/// universal ids when the protocol enables them.
pub(crate) fn is_implicit(config: &near_parameters::RuntimeConfig, id: &AccountId) -> bool {
    match id.get_account_type() {
        AccountType::NearImplicitAccount | AccountType::NearDeterministicAccount => true,
        AccountType::EthImplicitAccount => config.wasm_config.eth_implicit_accounts,
        AccountType::UniversalAccount => config.wasm_config.universal_accounts,
        AccountType::NamedAccount => false,
    }
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
            protocol_receipts: Vec::new(),
            delegate_gas_burnt: Gas::ZERO,
            delegate_gas_passed_on: Gas::ZERO,
            global_storage_burnt: Balance::ZERO,
        };
        let promise_results: Arc<[PromiseResult]> = promise_results.into();
        let mut actor = receipt.predecessor.clone();
        for (index, action) in actions.iter().enumerate() {
            let fail = |mut r: ActionsResult, kind: ActionErrorKind| {
                r.status = Err(ActionError { index: Some(index as u64), kind });
                r
            };
            let is_last = index + 1 == actions.len();
            let missing = result.deleted || result.account.is_none();
            // nearcore `check_account_existence`: only `CreateAccount`, or a
            // transfer alone to an implicit account id, may find no account.
            let implicit_creation = missing
                && matches!(action, Action::Transfer(_))
                && actions.len() == 1
                && is_implicit(&self.config, receiver);
            if missing && !matches!(action, Action::CreateAccount(_)) && !implicit_creation {
                return fail(result, ActionErrorKind::AccountDoesNotExist { account_id: receiver.clone() });
            }
            let needs_actor = matches!(
                action,
                Action::DeployContract(_)
                    | Action::AddKey(_)
                    | Action::DeleteKey(_)
                    | Action::DeleteAccount(_)
                    | Action::DeployGlobalContract(_)
                    | Action::UseGlobalContract(_)
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
                    // An implicit account is created by a transfer alone, so
                    // that no one can add keys or code to it (NEP-71).
                    if is_implicit(&self.config, receiver) {
                        return fail(
                            result,
                            ActionErrorKind::OnlyImplicitAccountCreationAllowed { account_id: receiver.clone() },
                        );
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
                    // nearcore `action_deploy_contract`: the old contract's
                    // bytes (code, or a global contract's identifier) go first.
                    let old = self.contract_storage_usage(account, result.new_code.as_ref());
                    account.storage_usage = account.storage_usage - old + code.code().len() as u64;
                    account.contract = AccountContract::Local(*code.hash());
                    result.new_code = Some(code);
                }
                Action::DeployGlobalContract(deploy) => {
                    // nearcore `action_deploy_global_contract`: the code's storage
                    // is paid once, by burning it from the deployer's balance;
                    // a distribution receipt then stores the code.
                    let account = result.account.as_mut().expect("checked");
                    let per_byte = storage.global_contract_storage_amount_per_byte;
                    let storage_cost = per_byte.saturating_mul(deploy.code.len() as u128);
                    let Some(left) = account.amount.checked_sub(storage_cost) else {
                        return fail(
                            result,
                            ActionErrorKind::LackBalanceForState { account_id: receiver.clone(), amount: storage_cost },
                        );
                    };
                    account.amount = left;
                    result.global_storage_burnt = result.global_storage_burnt.saturating_add(storage_cost);
                    let identifier = match deploy.deploy_mode {
                        GlobalContractDeployMode::CodeHash => GlobalContractIdentifier::CodeHash(hash(&deploy.code)),
                        GlobalContractDeployMode::AccountId => GlobalContractIdentifier::AccountId(receiver.clone()),
                    };
                    result
                        .protocol_receipts
                        .push(ProtocolReceipt::Distribution { identifier, code: deploy.code.clone() });
                }
                Action::UseGlobalContract(use_global) => {
                    // nearcore `action_use_global_contract`.
                    let identifier = &use_global.contract_identifier;
                    if !self.global_contracts.contains_key(identifier) {
                        return fail(
                            result,
                            ActionErrorKind::GlobalContractDoesNotExist { identifier: identifier.clone() },
                        );
                    }
                    let account = result.account.as_mut().expect("checked");
                    let old = self.contract_storage_usage(account, result.new_code.as_ref());
                    account.storage_usage = account.storage_usage - old + identifier.len() as u64;
                    account.contract = match identifier {
                        GlobalContractIdentifier::CodeHash(h) => AccountContract::Global(*h),
                        GlobalContractIdentifier::AccountId(id) => AccountContract::GlobalByAccount(id.clone()),
                    };
                    result.new_code = None;
                }
                Action::Delegate(signed) => {
                    let account = result.account.as_mut().expect("checked");
                    if let Err(kind) = check_delegate(signed, receiver, account, height) {
                        return fail(result, kind);
                    }
                    // nearcore `apply_delegate_action`: the inner actions go out
                    // in a receipt from the sender; the relayer prepaid their
                    // send fees (burnt now) and everything the receipt needs to
                    // run (passed on to it).
                    let inner = &signed.delegate_action;
                    let inner_actions = inner.get_actions();
                    let send = total_prepaid_send_fees(&self.config, std::slice::from_ref(action));
                    let required = total_prepaid_exec_fees(&self.config, &inner_actions, &inner.receiver_id)
                        .saturating_add(total_prepaid_gas(&inner_actions))
                        .saturating_add(self.config.fees.fee(ActionCosts::new_action_receipt).exec_fee().gas);
                    result.delegate_gas_burnt = result.delegate_gas_burnt.saturating_add(send);
                    result.delegate_gas_passed_on = result.delegate_gas_passed_on.saturating_add(required);
                    result.protocol_receipts.push(ProtocolReceipt::Delegate {
                        receiver: inner.receiver_id.clone(),
                        actions: inner_actions,
                    });
                }
                Action::FunctionCall(call) => {
                    let account = result.account.clone().expect("checked");
                    let code = match result.new_code.clone() {
                        Some(c) if account.contract == AccountContract::Local(*c.hash()) => c,
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
                            _ => receipt.predecessor.clone(),
                        },
                        promise_results: promise_results.clone(),
                        attached_deposit: call.deposit,
                        random_seed: create_random_seed(action_hash, self.head().hash),
                        output_data_receivers: if is_last { output_receivers.to_vec() } else { Vec::new() },
                        ..self.vm_context(receiver, &account, call.args.clone(), call.gas)
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
                Action::Transfer(transfer) if implicit_creation => {
                    // nearcore `action_implicit_account_creation_transfer`.
                    let account = match receiver.get_account_type() {
                        AccountType::NearImplicitAccount => {
                            // The account gets the full-access key its id encodes.
                            let public_key = PublicKey::from_near_implicit_account(receiver)
                                .expect("a NEAR-implicit id encodes an ed25519 key");
                            let key = AccessKey {
                                nonce: (height - 1) * AccessKey::ACCESS_KEY_NONCE_RANGE_MULTIPLIER,
                                permission: near_primitives::account::AccessKeyPermission::FullAccess,
                            };
                            let mut account = AccountRecord::new(transfer.deposit, storage.num_bytes_account);
                            account.storage_usage += access_key_storage(&self.config, &public_key, &key);
                            account.keys.insert(public_key, key);
                            account
                        }
                        AccountType::EthImplicitAccount => {
                            // nearcore gives it the ETH wallet contract, a global
                            // contract whose code this chain does not ship.
                            let message = format!(
                                "creating eth-implicit account {receiver} is not supported by the embedded chain \
                                 (it needs nearcore's eth wallet global contract)"
                            );
                            return fail(
                                result,
                                ActionErrorKind::FunctionCallError(FunctionCallError::ExecutionError(message)),
                            );
                        }
                        // NEP-616 deterministic and universal ids: an account
                        // without keys or code, until a state init gives it some.
                        _ => AccountRecord::new(transfer.deposit, storage.num_bytes_account),
                    };
                    result.account = Some(account);
                    result.deleted = false;
                    result.created_account = true;
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
                    // (code, or global contract identifier, excluded) is too large to delete in one receipt is refused.
                    let code_len = self.contract_storage_usage(account, result.new_code.as_ref());
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

impl Chain {
    /// Bytes an account's contract occupies in its storage usage (nearcore
    /// `get_contract_storage_usage`): the code of a local contract (`pending`:
    /// code deployed earlier in this receipt), the identifier of a global one.
    fn contract_storage_usage(&self, account: &AccountRecord, pending: Option<&Arc<ContractCode>>) -> u64 {
        match &account.contract {
            AccountContract::Local(h) => match pending.filter(|c| c.hash() == h) {
                Some(code) => code.code().len() as u64,
                None => self.codes.get(h).map(|c| c.code().len() as u64).unwrap_or(0),
            },
            contract => contract.identifier_storage_usage(),
        }
    }
}

/// nearcore `apply_delegate_action` and `validate_delegate_action_key`: the
/// signature over the NEP-461-prefixed delegate action, expiry, sender, the
/// sender's key, nonce and permission; on success the key's nonce moves to the
/// delegate action's.
fn check_delegate(
    signed: &SignedDelegateAction,
    receiver: &AccountId,
    account: &mut AccountRecord,
    height: u64,
) -> Result<(), ActionErrorKind> {
    if !signed.verify() {
        return Err(ActionErrorKind::DelegateActionInvalidSignature);
    }
    let inner = &signed.delegate_action;
    if height > inner.max_block_height {
        return Err(ActionErrorKind::DelegateActionExpired);
    }
    if inner.sender_id != *receiver {
        return Err(ActionErrorKind::DelegateActionSenderDoesNotMatchTxReceiver {
            sender_id: inner.sender_id.clone(),
            receiver_id: receiver.clone(),
        });
    }
    let Some(key) = account.keys.get_mut(&inner.public_key) else {
        return Err(ActionErrorKind::DelegateActionAccessKeyError(InvalidAccessKeyError::AccessKeyNotFound {
            account_id: inner.sender_id.clone(),
            public_key: Box::new(inner.public_key.clone()),
        }));
    };
    if inner.nonce <= key.nonce {
        return Err(ActionErrorKind::DelegateActionInvalidNonce { delegate_nonce: inner.nonce, ak_nonce: key.nonce });
    }
    let upper_bound = height * AccessKey::ACCESS_KEY_NONCE_RANGE_MULTIPLIER;
    if inner.nonce >= upper_bound {
        return Err(ActionErrorKind::DelegateActionNonceTooLarge { delegate_nonce: inner.nonce, upper_bound });
    }
    // A function-call key signs one call without deposit to its receiver and
    // methods, checked in the order of a transaction's (FixDelegateActionDepositWithFunctionCallError).
    permits(key, &inner.receiver_id, &inner.get_actions()).map_err(ActionErrorKind::DelegateActionAccessKeyError)?;
    key.nonce = inner.nonce;
    Ok(())
}
