//! Receipts: block-by-block execution, routing of the receipts contracts
//! create, gas and deposit refunds (NEP-642 prices), and committing or
//! reverting each receipt's changes.

use crate::apply::ProtocolReceipt;
use crate::ext::Overlay;
use crate::fees::{cost, exec_fees, prepaid_of_receipt};
use crate::outcome::{Event, ReceiptOutcome, ReceiptStatus, TxOutcome};
use crate::receipt::{describe, identifier_text, total_deposit, Receipt, ReceiptKind};
use crate::state::{acc, AccountRecord, Chain};
use crate::trie::{account_key, data_key};
use near_crypto::PublicKey;
use near_parameters::ActionCosts;
use near_primitives::account::AccessKeyPermission;
use near_primitives::errors::{ActionError, ActionErrorKind, TxExecutionError};
use near_primitives::utils::create_receipt_id_from_receipt_id;
use near_primitives_core::hash::CryptoHash;
use near_primitives_core::types::{AccountId, Balance};
use near_vm_runner::logic::types::{PromiseResult, ReturnData};
use near_vm_runner::ContractCode;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

impl Chain {
    /// Runs receipts block by block until none is left: each hop is one block.
    /// `local`: the first receipt runs in the current block (nearcore runs a
    /// transaction's receipt to its own signer in the block that converts it).
    pub(crate) fn process(
        &mut self,
        first: Receipt,
        local: bool,
        outcome: &mut TxOutcome,
    ) -> HashMap<CryptoHash, ReceiptStatus> {
        let mut statuses = HashMap::new();
        let mut incoming: VecDeque<Receipt> = VecDeque::from([first]);
        let mut waiting: Vec<Receipt> = Vec::new();
        let mut data: HashMap<CryptoHash, Option<Vec<u8>>> = HashMap::new();
        let mut same_block = local;
        loop {
            // Receipts whose inputs have all arrived join this block.
            let mut ready = Vec::new();
            waiting.retain(|r| {
                let complete = match &r.kind {
                    ReceiptKind::Action { input_data_ids, .. } => input_data_ids.iter().all(|d| data.contains_key(d)),
                    ReceiptKind::Refund { .. } | ReceiptKind::GlobalContractDistribution { .. } => true,
                };
                if complete {
                    ready.push(r.clone());
                }
                !complete
            });
            if incoming.is_empty() && ready.is_empty() {
                break;
            }
            if !std::mem::take(&mut same_block) {
                self.next_block();
            }
            let block: Vec<Receipt> = incoming.drain(..).chain(ready).collect();
            // A block stands for a chunk: its receipts see the trie it started with (trie.rs).
            self.shape.begin_chunk();
            for receipt in block {
                self.record_receipt(&receipt);
                let produced = self.execute(receipt, &mut data, &mut statuses, outcome);
                for r in produced {
                    match &r.kind {
                        ReceiptKind::Action { input_data_ids, .. } if !input_data_ids.is_empty() => waiting.push(r),
                        _ => incoming.push_back(r),
                    }
                }
            }
            self.shape.end_chunk();
        }
        statuses
    }

    /// Applies a refund receipt: the balance, and for a gas refund the signing
    /// key's allowance (nearcore `apply_action_receipt`, `try_refund_allowance`).
    /// A refund to an account that no longer exists fails and its amount is
    /// burnt (nearcore `check_account_existence`: the refund's `Transfer`
    /// fails with `AccountDoesNotExist`).
    fn apply_refund(
        &mut self,
        receiver: &AccountId,
        amount: Balance,
        access_key: &Option<PublicKey>,
    ) -> Result<(), ActionError> {
        let Some(account) = self.accounts.get_mut(receiver) else {
            return Err(ActionError {
                index: Some(0),
                kind: ActionErrorKind::AccountDoesNotExist { account_id: receiver.clone() },
            });
        };
        account.amount = account.amount.saturating_add(amount);
        let Some(key) = access_key.as_ref().and_then(|pk| account.keys.get_mut(pk)) else { return Ok(()) };
        if let AccessKeyPermission::FunctionCall(permission) = &mut key.permission {
            if let Some(allowance) = &mut permission.allowance {
                *allowance = allowance.saturating_add(amount);
            }
        }
        Ok(())
    }

    /// Executes one receipt and commits or reverts it. Returns the receipts it produced.
    fn execute(
        &mut self,
        receipt: Receipt,
        data: &mut HashMap<CryptoHash, Option<Vec<u8>>>,
        statuses: &mut HashMap<CryptoHash, ReceiptStatus>,
        outcome: &mut TxOutcome,
    ) -> Vec<Receipt> {
        let height = self.block_height();
        let (signer, signer_public_key, receipt_gas_price, actions, input_data_ids, output_data_receivers, refund_to) =
            match receipt.kind.clone() {
                ReceiptKind::Refund { amount, access_key } => {
                    let status = match self.apply_refund(&receipt.receiver, amount, &access_key) {
                        Ok(()) => ReceiptStatus::Value(Vec::new()),
                        Err(error) => ReceiptStatus::Failure(TxExecutionError::ActionError(error)),
                    };
                    outcome.receipts.push(ReceiptOutcome {
                        receipt_id: receipt.id,
                        block_height: height,
                        block_hash: self.head().hash,
                        receipt_ids: Vec::new(),
                        predecessor: receipt.predecessor.to_string(),
                        executor: receipt.receiver.to_string(),
                        actions: vec![format!("Transfer({})", amount.as_yoctonear())],
                        logs: Vec::new(),
                        events: Vec::new(),
                        gas_burnt: 0,
                        tokens_burnt: 0,
                        vm_gas_burnt: 0,
                        vm_profile: Vec::new(),
                        status: status.clone(),
                        is_refund: true,
                    });
                    statuses.insert(receipt.id, status);
                    return Vec::new();
                }
                ReceiptKind::GlobalContractDistribution { identifier, code } => {
                    self.apply_distribution(&receipt, identifier, code, height, statuses, outcome);
                    return Vec::new();
                }
                ReceiptKind::Action {
                    signer,
                    signer_public_key,
                    gas_price,
                    actions,
                    input_data_ids,
                    output_data_receivers,
                    refund_to,
                } => (signer, signer_public_key, gas_price, actions, input_data_ids, output_data_receivers, refund_to),
            };
        let promise_results: Vec<PromiseResult> = input_data_ids
            .iter()
            .map(|id| match data.get(id).cloned().flatten() {
                Some(bytes) => PromiseResult::Successful(bytes.into()),
                None => PromiseResult::Failed,
            })
            .collect();
        // nearcore `apply_action_receipt` (AccountCostIncrease): gas is burnt at
        // `min(purchase price, block gas price)`.
        let gas_price = self.gas_price().min(receipt_gas_price);
        let fees = self.config.fees.clone();
        // Everything bought for this receipt (nearcore `apply_action_receipt`:
        // prepaid gas plus prepaid execution fees, a delegate action's included).
        let prepaid = prepaid_of_receipt(&self.config, &actions, &receipt.receiver);
        let deposits: Balance = total_deposit(&actions);
        let receivers: Vec<AccountId> = output_data_receivers.iter().map(|(_, r)| r.clone()).collect();

        let result = self.apply_actions(&receipt, &signer, &signer_public_key, &actions, promise_results, &receivers);
        // Execution fees are burnt for the actions that ran; when an action
        // fails, those of the actions after it are refunded (nearcore
        // `apply_action_receipt`: `exec_fees` of executed actions only).
        let ran = match &result.status {
            Err(e) => match e.index {
                Some(i) => &actions[..=(i as usize).min(actions.len().saturating_sub(1))],
                None => &actions[..],
            },
            Ok(_) => &actions[..],
        };
        let burnt_fees = exec_fees(&self.config, ran, &receipt.receiver);
        let gas_burnt = burnt_fees.saturating_add(result.vm_gas_burnt).saturating_add(result.delegate_gas_burnt);
        // NEP-642: burnt gas is paid at the burn price. A receipt that creates
        // an account (and leaves it existing) pays `account_creation_charge`
        // in all for it: on top of the gas it burns, the charge less the
        // `create_account` execution fee already burnt, taken out of the price
        // surplus of its gas (nearcore `refund_unspent_gas_and_deposits`,
        // `created_account`).
        let mut tokens_burnt = cost(gas_burnt, gas_price);
        if result.status.is_ok() && result.created_account && !result.deleted {
            let create_exec = fees.fee(ActionCosts::create_account).exec_fee().gas;
            let desired = self.config.account_creation_charge.saturating_sub(cost(create_exec, gas_price));
            let surplus = cost(gas_burnt, receipt_gas_price.saturating_sub(gas_price));
            tokens_burnt = tokens_burnt.saturating_add(desired.min(surplus));
        }
        let mut produced = Vec::new();
        let mut refund_index = 0usize;
        let status_ok = result.status.is_ok();
        let (status, gas_kept) = match result.status {
            Ok(return_data) => {
                self.commit(&receipt.receiver, result.account, result.overlay, result.deleted, result.new_code);
                // New receipts are numbered in the order nearcore creates them:
                // the receipts of the calls, those the protocol sends for the
                // actions (delegate, distribution), the beneficiary payment of a
                // `DeleteAccount` (always the last action), then the refunds.
                let ids: Vec<CryptoHash> = (0..result.new_receipts.len())
                    .map(|i| create_receipt_id_from_receipt_id(&receipt.id, height, i))
                    .collect();
                refund_index = ids.len();
                // Then those the protocol sends for the actions, in action order.
                for sent in result.protocol_receipts {
                    let id = create_receipt_id_from_receipt_id(&receipt.id, height, refund_index);
                    refund_index += 1;
                    produced.push(match sent {
                        // nearcore `apply_delegate_action`: from the sender, paid
                        // by the relayer (the signer, who gets the gas refunds);
                        // deposits of a failure go back to the sender.
                        ProtocolReceipt::Delegate { receiver, actions } => Receipt {
                            id,
                            predecessor: receipt.receiver.clone(),
                            receiver,
                            kind: ReceiptKind::Action {
                                signer: signer.clone(),
                                signer_public_key: signer_public_key.clone(),
                                gas_price: receipt_gas_price,
                                actions,
                                input_data_ids: Vec::new(),
                                output_data_receivers: Vec::new(),
                                refund_to: receipt.receiver.clone(),
                            },
                        },
                        // nearcore `initiate_distribution`: a receipt to `system`.
                        ProtocolReceipt::Distribution { identifier, code } => Receipt {
                            id,
                            predecessor: receipt.receiver.clone(),
                            receiver: acc("system"),
                            kind: ReceiptKind::GlobalContractDistribution { identifier, code },
                        },
                    });
                }
                if let Some((beneficiary, amount)) = result.beneficiary_payment {
                    produced.push(self.refund_receipt(&receipt, height, &mut refund_index, &beneficiary, amount, None));
                }
                let mut routed: Vec<Receipt> = result
                    .new_receipts
                    .into_iter()
                    .zip(&ids)
                    .map(|(r, id)| Receipt {
                        id: *id,
                        predecessor: receipt.receiver.clone(),
                        receiver: r.receiver,
                        kind: ReceiptKind::Action {
                            signer: signer.clone(),
                            signer_public_key: signer_public_key.clone(),
                            gas_price: receipt_gas_price,
                            actions: r.actions,
                            input_data_ids: r.input_data_ids,
                            output_data_receivers: r.output_data_receivers,
                            refund_to: r.refund_to.unwrap_or_else(|| receipt.receiver.clone()),
                        },
                    })
                    .collect();
                let status = match return_data {
                    ReturnData::Value(v) => {
                        for (data_id, _) in &output_data_receivers {
                            data.insert(*data_id, Some(v.clone()));
                        }
                        ReceiptStatus::Value(v)
                    }
                    ReturnData::None => {
                        for (data_id, _) in &output_data_receivers {
                            data.insert(*data_id, Some(Vec::new()));
                        }
                        ReceiptStatus::Value(Vec::new())
                    }
                    ReturnData::ReceiptIndex(index) => {
                        // Whoever waits on this receipt now waits on the returned promise.
                        if let ReceiptKind::Action { output_data_receivers: out, .. } = &mut routed[index as usize].kind
                        {
                            out.extend(output_data_receivers.iter().cloned());
                        }
                        ReceiptStatus::Promise(ids[index as usize])
                    }
                };
                produced.extend(routed);
                (status, result.gas_used_by_calls.saturating_add(result.delegate_gas_passed_on))
            }
            Err(error) => {
                for (data_id, _) in &output_data_receivers {
                    data.insert(*data_id, None);
                }
                if !deposits.is_zero() {
                    produced.push(self.refund_receipt(&receipt, height, &mut refund_index, &refund_to, deposits, None));
                }
                (ReceiptStatus::Failure(TxExecutionError::ActionError(error)), result.vm_gas_burnt)
            }
        };
        // Gas refund: everything bought for this receipt at its purchase price
        // that was neither burnt nor passed on to the receipts it created, plus
        // the difference between purchase and gas price of the gas burnt.
        let bought = cost(prepaid, receipt_gas_price);
        let passed_on = cost(gas_kept.saturating_sub(result.vm_gas_burnt), receipt_gas_price);
        let gas_refund = bought.saturating_sub(passed_on).saturating_sub(tokens_burnt);
        if !gas_refund.is_zero() {
            let key = Some(signer_public_key.clone());
            produced.insert(0, self.refund_receipt(&receipt, height, &mut refund_index, &signer, gas_refund, key));
        }
        // The storage of a deployed global contract is burnt too, apart from
        // gas (nearcore counts it in the receipt outcome's `tokens_burnt`).
        let tokens_burnt =
            tokens_burnt.saturating_add(if status_ok { result.global_storage_burnt } else { Balance::ZERO });
        outcome.total_gas_burnt += gas_burnt.as_gas();
        outcome.tokens_burnt += tokens_burnt.as_yoctonear();
        outcome.receipts.push(ReceiptOutcome {
            receipt_id: receipt.id,
            block_height: height,
            block_hash: self.head().hash,
            receipt_ids: produced.iter().map(|r| r.id).collect(),
            predecessor: receipt.predecessor.to_string(),
            executor: receipt.receiver.to_string(),
            actions: actions.iter().map(describe).collect(),
            events: result.logs.iter().filter_map(|l| Event::parse(l)).collect(),
            logs: result.logs,
            gas_burnt: gas_burnt.as_gas(),
            tokens_burnt: tokens_burnt.as_yoctonear(),
            vm_gas_burnt: result.vm_gas_burnt.as_gas(),
            vm_profile: result.vm_profile,
            status: status.clone(),
            is_refund: false,
        });
        statuses.insert(receipt.id, status);
        produced
    }

    /// Applies a global contract distribution receipt: the code is stored
    /// under its identifier, replacing what an account deployed before
    /// (nearcore `apply_distribution_current_shard`).
    fn apply_distribution(
        &mut self,
        receipt: &Receipt,
        identifier: near_primitives::action::GlobalContractIdentifier,
        code: Arc<[u8]>,
        height: u64,
        statuses: &mut HashMap<CryptoHash, ReceiptStatus>,
        outcome: &mut TxOutcome,
    ) {
        let action = format!("GlobalContractDistribution({})", identifier_text(&identifier));
        self.global_contracts.insert(identifier, Arc::new(ContractCode::new(code.to_vec(), None)));
        outcome.receipts.push(ReceiptOutcome {
            receipt_id: receipt.id,
            block_height: height,
            predecessor: receipt.predecessor.to_string(),
            executor: receipt.receiver.to_string(),
            block_hash: self.head().hash,
            receipt_ids: Vec::new(),
            actions: vec![action],
            logs: Vec::new(),
            events: Vec::new(),
            gas_burnt: 0,
            tokens_burnt: 0,
            vm_gas_burnt: 0,
            vm_profile: Vec::new(),
            status: ReceiptStatus::Value(Vec::new()),
            is_refund: false,
        });
        statuses.insert(receipt.id, ReceiptStatus::Value(Vec::new()));
    }

    fn refund_receipt(
        &self,
        parent: &Receipt,
        height: u64,
        index: &mut usize,
        to: &AccountId,
        amount: Balance,
        access_key: Option<PublicKey>,
    ) -> Receipt {
        let id = create_receipt_id_from_receipt_id(&parent.id, height, *index);
        *index += 1;
        Receipt {
            id,
            predecessor: acc("system"),
            receiver: to.clone(),
            kind: ReceiptKind::Refund { amount, access_key },
        }
    }

    pub(crate) fn commit(
        &mut self,
        id: &AccountId,
        account: Option<AccountRecord>,
        overlay: Overlay,
        deleted: bool,
        new_code: Option<Arc<ContractCode>>,
    ) {
        if let Some(code) = new_code {
            self.codes.insert(*code.hash(), code);
        }
        if deleted {
            self.accounts.remove(id);
            self.shape.remove(&account_key(id.as_str()));
            if let Some(state) = self.data.remove(id) {
                for key in state.keys() {
                    self.shape.remove(&data_key(id.as_str(), key));
                }
            }
            return;
        }
        let Some(account) = account else { return };
        if !self.accounts.contains_key(id) {
            self.shape.insert(account_key(id.as_str()));
        }
        self.accounts.insert(id.clone(), account);
        if overlay.is_empty() {
            return;
        }
        let state = self.data.entry(id.clone()).or_default();
        for (key, value) in overlay {
            let trie_key = data_key(id.as_str(), &key);
            match value {
                Some(v) => {
                    state.insert(key, v);
                    self.shape.insert(trie_key);
                }
                None => {
                    state.remove(&key);
                    self.shape.remove(&trie_key);
                }
            }
        }
    }
}

/// Follows returned promises from `id` to the value the transaction ends with.
pub(crate) fn resolve(
    mut id: CryptoHash,
    statuses: &HashMap<CryptoHash, ReceiptStatus>,
) -> Result<Vec<u8>, TxExecutionError> {
    loop {
        match statuses.get(&id) {
            Some(ReceiptStatus::Value(v)) => return Ok(v.clone()),
            Some(ReceiptStatus::Failure(e)) => return Err(e.clone()),
            Some(ReceiptStatus::Promise(next)) => id = *next,
            None => panic!("receipt {id} never executed (its inputs never arrived): a bug in the embedded chain"),
        }
    }
}
