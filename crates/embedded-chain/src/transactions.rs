//! Transactions: validation as nearcore's `runtime/runtime/src/verifier.rs`
//! does it (`validate_transaction`, `validate_actions`,
//! `verify_and_charge_tx_ephemeral`), conversion into the first receipt, and
//! the outcome store.

use crate::fees::{cost, purchase_price, receipt_gas};
use crate::keys::permits;
use crate::outcome::TxOutcome;
use crate::receipt::{total_deposit, total_prepaid_gas, Action, Receipt, ReceiptKind};
use crate::state::{Chain, PROTOCOL_VERSION, TX_VALIDITY_PERIOD};
use near_crypto::Signature;
use near_primitives::account::{AccessKey, AccessKeyPermission};
use near_primitives::errors::{ActionsValidationError, InvalidAccessKeyError, InvalidTxError};
use near_primitives::transaction::{SignedTransaction, Transaction, TransactionV0, ValidatedTransaction};
use near_primitives::utils::create_receipt_id_from_transaction;
use near_primitives_core::types::{AccountId, Balance, Gas};

/// NEP-448: an account of at most this many bytes needs no storage stake
/// (nearcore `ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT`).
pub const ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT: u64 = 770;

impl Chain {
    /// Submits a signed transaction (nearcore's borsh `SignedTransaction`):
    /// checked as nearcore checks it — signature, size, actions, block hash
    /// within the validity window, access key, nonce, permissions, allowance,
    /// balance and storage stake — then included in the next block and run to
    /// the end. A refused transaction changes nothing, is not stored and
    /// reports an `InvalidTxError`.
    pub fn submit_signed(&mut self, tx: SignedTransaction) -> TxOutcome {
        self.run_transaction(tx, true)
    }

    /// Test convenience: `signer` sends `actions` to `receiver` with the first
    /// of its access keys that may sign them (and that key's next nonce, on
    /// the latest block), checked as a signed transaction is except for the
    /// signature. An account without such a key cannot act, as on chain.
    pub fn submit(&mut self, signer: &AccountId, receiver: &AccountId, actions: Vec<Action>) -> TxOutcome {
        let Some(account) = self.accounts.get(signer) else {
            let err = InvalidTxError::SignerDoesNotExist { signer_id: signer.clone() };
            return TxOutcome::refused(signer, receiver, Default::default(), err);
        };
        let mut refusal = None;
        let key = account.keys.iter().find_map(|(public_key, key)| match permits(key, receiver, &actions) {
            Ok(()) => Some((public_key.clone(), key.nonce)),
            Err(e) => {
                refusal.get_or_insert(e);
                None
            }
        });
        let Some((public_key, nonce)) = key else {
            let err = refusal.unwrap_or_else(|| InvalidAccessKeyError::AccessKeyNotFound {
                account_id: signer.clone(),
                public_key: Box::new(crate::keys::genesis_key(signer)),
            });
            return TxOutcome::refused(
                signer,
                receiver,
                Default::default(),
                InvalidTxError::InvalidAccessKeyError(err),
            );
        };
        let key_type = public_key.key_type();
        let tx = Transaction::V0(TransactionV0 {
            signer_id: signer.clone(),
            public_key,
            nonce: nonce + 1,
            receiver_id: receiver.clone(),
            block_hash: self.head().hash,
            actions,
        });
        self.run_transaction(SignedTransaction::new(Signature::empty(key_type), tx), false)
    }

    fn run_transaction(&mut self, signed: SignedTransaction, check_signature: bool) -> TxOutcome {
        let tx_hash = signed.get_hash();
        let signer = signed.transaction.signer_id().clone();
        let receiver = signed.transaction.receiver_id().clone();
        let refused = |err: InvalidTxError| TxOutcome::refused(&signer, &receiver, tx_hash, err);
        let signed = if check_signature {
            match ValidatedTransaction::new(&self.config, signed, PROTOCOL_VERSION) {
                Ok(v) => v.into_signed_tx(),
                Err((err, _)) => return refused(err),
            }
        } else {
            if let Err(err) = ValidatedTransaction::check_valid_for_config(&self.config, &signed, PROTOCOL_VERSION) {
                return refused(err);
            }
            signed
        };
        let tx = &signed.transaction;
        if let Err(err) = self.validate_actions(tx.actions()) {
            return refused(InvalidTxError::ActionsValidation(err));
        }
        // nearcore `check_transaction_validity_period`: a block hash the chain
        // does not know is `Expired` (so is one more than the validity period
        // behind the head, which is why older blocks need not be kept); the
        // chain has no forks, so `InvalidChain` never arises.
        match self.block_by_hash(tx.block_hash()) {
            Some(base) if self.block_height() - base.height <= TX_VALIDITY_PERIOD => {}
            _ => return refused(InvalidTxError::Expired),
        }
        let Some(account) = self.accounts.get(&signer) else {
            return refused(InvalidTxError::SignerDoesNotExist { signer_id: signer.clone() });
        };
        let Some(key) = account.keys.get(tx.public_key()) else {
            return refused(InvalidTxError::InvalidAccessKeyError(InvalidAccessKeyError::AccessKeyNotFound {
                account_id: signer.clone(),
                public_key: Box::new(tx.public_key().clone()),
            }));
        };
        // The block that includes the transaction.
        let height = self.block_height() + 1;
        let gas_price = self.gas_price();
        let sir = signer == receiver;
        let (send, prepaid) = receipt_gas(&self.config, sir, tx.actions(), &receiver);
        let receipt_gas_price = purchase_price(&self.config, gas_price);
        let deposits = total_deposit(tx.actions());
        let total_cost =
            cost(send, gas_price).saturating_add(cost(prepaid, receipt_gas_price)).saturating_add(deposits);
        let mut account = account.clone();
        let mut key: AccessKey = key.clone();
        if let Err(err) = verify_and_charge(&self.config, &signer, &mut account, &mut key, tx, total_cost, height) {
            return refused(err);
        }
        // Accepted: charge the signer, bump the key's nonce, include the
        // transaction in the next block.
        let public_key = tx.public_key().clone();
        let actions = tx.actions().to_vec();
        self.record_transaction(&signed);
        self.accounts.insert(signer.clone(), account);
        self.accounts.get_mut(&signer).expect("signer").keys.insert(public_key.clone(), key);
        self.next_block();
        let mut outcome = TxOutcome::accepted(&signer, &receiver, tx_hash, height);
        outcome.conversion_gas_burnt = send.as_gas();
        outcome.total_gas_burnt = send.as_gas();
        outcome.tokens_burnt = cost(send, gas_price).as_yoctonear();
        let first = Receipt {
            id: create_receipt_id_from_transaction(&tx_hash, height),
            predecessor: signer.clone(),
            receiver: receiver.clone(),
            kind: ReceiptKind::Action {
                signer: signer.clone(),
                signer_public_key: public_key,
                gas_price: receipt_gas_price,
                actions,
                input_data_ids: Vec::new(),
                output_data_receivers: Vec::new(),
                refund_to: signer.clone(),
            },
        };
        let first_id = first.id;
        outcome.receipt_id = Some(first_id);
        // nearcore runs a receipt whose receiver is the signer in the block that
        // converts the transaction (a local receipt); others go out to the next.
        let statuses = self.process(first, sir, &mut outcome);
        outcome.status = crate::execution::resolve(first_id, &statuses);
        for receipt in &outcome.receipts {
            self.receipt_txs.insert(receipt.receipt_id, tx_hash);
        }
        self.tx_outcomes.insert(tx_hash, outcome.clone());
        outcome
    }

    /// nearcore `validate_actions` (the checks the chain's actions need); a
    /// delegate action's inner actions are validated the same way.
    fn validate_actions(&self, actions: &[Action]) -> Result<(), ActionsValidationError> {
        let limits = &self.config.wasm_config.limit_config;
        if actions.len() as u64 > limits.max_actions_per_receipt {
            return Err(ActionsValidationError::TotalNumberOfActionsExceeded {
                total_number_of_actions: actions.len() as u64,
                limit: limits.max_actions_per_receipt,
            });
        }
        let deploys =
            actions.iter().filter(|a| matches!(a, Action::DeployContract(_) | Action::DeployGlobalContract(_))).count();
        if deploys as u64 > limits.max_deploy_actions_per_receipt {
            return Err(ActionsValidationError::TotalNumberOfDeployActionsExceeded {
                number_of_deploy_actions: deploys as u64,
                limit: limits.max_deploy_actions_per_receipt,
            });
        }
        let mut delegates = 0;
        for (i, action) in actions.iter().enumerate() {
            match action {
                Action::DeleteAccount(_) if i + 1 != actions.len() => {
                    return Err(ActionsValidationError::DeleteActionMustBeFinal)
                }
                Action::Delegate(signed) => {
                    delegates += 1;
                    if delegates > 1 {
                        return Err(ActionsValidationError::DelegateActionMustBeOnlyOne);
                    }
                    self.validate_actions(&signed.delegate_action.get_actions())?;
                }
                Action::DeployGlobalContract(deploy) if deploy.code.len() as u64 > limits.max_contract_size => {
                    return Err(ActionsValidationError::ContractSizeExceeded {
                        size: deploy.code.len() as u64,
                        limit: limits.max_contract_size,
                    });
                }
                Action::FunctionCall(call) => {
                    if call.gas == Gas::ZERO {
                        return Err(ActionsValidationError::FunctionCallZeroAttachedGas);
                    }
                    // Protocol 87 `RejectEmptyMethodName` (nearcore `validate_function_call_action`).
                    if call.method_name.is_empty() {
                        return Err(ActionsValidationError::FunctionCallEmptyMethodName);
                    }
                    if call.method_name.len() as u64 > limits.max_length_method_name {
                        return Err(ActionsValidationError::FunctionCallMethodNameLengthExceeded {
                            length: call.method_name.len() as u64,
                            limit: limits.max_length_method_name,
                        });
                    }
                    if call.args.len() as u64 > limits.max_arguments_length {
                        return Err(ActionsValidationError::FunctionCallArgumentsLengthExceeded {
                            length: call.args.len() as u64,
                            limit: limits.max_arguments_length,
                        });
                    }
                }
                Action::DeployContract(deploy) if deploy.code.len() as u64 > limits.max_contract_size => {
                    return Err(ActionsValidationError::ContractSizeExceeded {
                        size: deploy.code.len() as u64,
                        limit: limits.max_contract_size,
                    });
                }
                Action::AddKey(add) => {
                    if let AccessKeyPermission::FunctionCall(permission) = &add.access_key.permission {
                        let mut total = 0u64;
                        for name in &permission.method_names {
                            if name.len() as u64 > limits.max_length_method_name {
                                return Err(ActionsValidationError::AddKeyMethodNameLengthExceeded {
                                    length: name.len() as u64,
                                    limit: limits.max_length_method_name,
                                });
                            }
                            total += name.len() as u64 + 1;
                        }
                        if total > limits.max_number_bytes_method_names {
                            return Err(ActionsValidationError::AddKeyMethodNamesNumberOfBytesExceeded {
                                total_number_of_bytes: total,
                                limit: limits.max_number_bytes_method_names,
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        let total_prepaid = total_prepaid_gas(actions);
        if total_prepaid > limits.max_total_prepaid_gas {
            return Err(ActionsValidationError::TotalPrepaidGasExceeded {
                total_prepaid_gas: total_prepaid,
                limit: limits.max_total_prepaid_gas,
            });
        }
        Ok(())
    }
}

/// nearcore `verify_and_charge_tx_ephemeral`: nonce, balance, allowance,
/// storage stake and key permissions, in nearcore's order; charges `account`
/// and `key` only when every check passes.
fn verify_and_charge(
    config: &near_parameters::RuntimeConfig,
    signer: &AccountId,
    account: &mut crate::state::AccountRecord,
    key: &mut AccessKey,
    tx: &Transaction,
    total_cost: Balance,
    height: u64,
) -> Result<(), InvalidTxError> {
    let nonce = tx.nonce().nonce();
    if nonce <= key.nonce {
        return Err(InvalidTxError::InvalidNonce { tx_nonce: nonce, ak_nonce: key.nonce });
    }
    let upper_bound = height * AccessKey::ACCESS_KEY_NONCE_RANGE_MULTIPLIER;
    if nonce >= upper_bound {
        return Err(InvalidTxError::NonceTooLarge { tx_nonce: nonce, upper_bound });
    }
    let Some(new_amount) = account.amount.checked_sub(total_cost) else {
        return Err(InvalidTxError::NotEnoughBalance {
            signer_id: signer.clone(),
            balance: account.amount,
            cost: total_cost,
        });
    };
    if let AccessKeyPermission::FunctionCall(permission) = &mut key.permission {
        if let Some(allowance) = &mut permission.allowance {
            *allowance = allowance.checked_sub(total_cost).ok_or_else(|| {
                InvalidTxError::InvalidAccessKeyError(InvalidAccessKeyError::NotEnoughAllowance {
                    account_id: signer.clone(),
                    public_key: Box::new(tx.public_key().clone()),
                    allowance: *allowance,
                    cost: total_cost,
                })
            })?;
        }
    }
    // nearcore `check_storage_stake` on the balance left after the charge.
    let required =
        config.fees.storage_usage_config.storage_amount_per_byte.saturating_mul(account.storage_usage as u128);
    let available = new_amount.saturating_add(account.locked);
    if available < required && account.storage_usage > ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT {
        return Err(InvalidTxError::LackBalanceForState {
            signer_id: signer.clone(),
            amount: required.saturating_sub(available),
        });
    }
    permits(key, tx.receiver_id(), tx.actions()).map_err(InvalidTxError::InvalidAccessKeyError)?;
    key.nonce = nonce;
    account.amount = new_amount;
    Ok(())
}
