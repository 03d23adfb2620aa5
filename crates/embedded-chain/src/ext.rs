//! The chain's implementation of the VM's `External`: one account's storage
//! (committed state + this receipt's overlay), trie-node charging (the rule is
//! in [`crate::trie`]), and the receipts a contract creates.

use crate::receipt::{actions, Action, NewReceipt};
use crate::trie::{data_key, NodeCharge, NodeId, TrieShape};
use near_crypto::PublicKey;
use near_primitives::action::{DeployGlobalContractAction, StakeAction, UseGlobalContractAction};
use near_primitives::utils::create_receipt_id_from_action_hash;
use near_primitives_core::hash::{CryptoHash, YieldId};
use near_primitives_core::types::{AccountId, Balance, Gas, GasWeight, Nonce, NonceIndex};
use near_primitives_core::universal_state_init::{DecodeMode, RawStateInit, StateInitError, UniversalStateInitCounts};
use near_vm_runner::logic::errors::HostError;
use near_vm_runner::logic::mocks::mock_external::MockedValuePtr;
use near_vm_runner::logic::types::{ActionIndex, GlobalContractDeployMode, GlobalContractIdentifier, ReceiptIndex};
use near_vm_runner::logic::{External, StorageAccessTracker, VMLogicError, ValuePtr};
use std::collections::BTreeMap;

type Result<T, E = VMLogicError> = std::result::Result<T, E>;

/// Writes of one receipt not yet committed: `None` marks a deletion.
pub(crate) type Overlay = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

pub(crate) struct ChainExt<'a> {
    pub account_id: AccountId,
    pub committed: &'a BTreeMap<Vec<u8>, Vec<u8>>,
    pub overlay: &'a mut Overlay,
    /// The trie as of the chunk's start, the chunk's writes and its accounting cache.
    pub shape: &'a TrieShape,
    pub receipts: Vec<NewReceipt>,
    pub gas_weights: Vec<(usize, usize, GasWeight)>,
    /// Hash of the action being run: data ids derive from it (near-primitives `utils`).
    pub action_hash: CryptoHash,
    pub block_height: u64,
    pub data_count: u64,
    /// A promise action the chain does not run (the call fails with its name).
    pub unsupported: Option<&'static str>,
    pub chain_id: String,
}

fn unsupported(what: &str) -> VMLogicError {
    // The closest host error the VM has; the message names what is missing.
    VMLogicError::HostError(HostError::ProhibitedInView {
        method_name: format!("{what} (not supported by the embedded chain)"),
    })
}

impl ChainExt<'_> {
    fn read(&self, key: &[u8]) -> Option<Vec<u8>> {
        match self.overlay.get(key) {
            Some(v) => v.clone(),
            None => self.committed.get(key).cloned(),
        }
    }

    /// Whether `key` is answered from memory: written by this receipt or by one
    /// committed earlier in the chunk (nearcore: `TrieUpdate::get_ref` finds it
    /// in its prospective or committed changes and never reaches the trie).
    fn in_memory(&self, key: &[u8]) -> bool {
        self.overlay.contains_key(key) || self.shape.written_in_chunk(&data_key(self.account_id.as_str(), key))
    }

    /// What a write or remove of `key` pays (nearcore: `RuntimeExt::storage_set`
    /// and `storage_remove` look up in `KeyLookupMode::MemOrTrie`, which tracks
    /// every node on the path, then `deref_value` the old value): the nodes the
    /// lookup visits plus the old value's, unless the key is in memory.
    fn charge_write(&self, tracker: &mut dyn StorageAccessTracker, key: &[u8], old: Option<&[u8]>) -> Result<()> {
        if self.in_memory(key) {
            return Ok(());
        }
        let path = self.shape.lookup(&data_key(self.account_id.as_str(), key));
        let NodeCharge { touched, cached } = self.shape.touch(path.into_iter().chain(old.map(NodeId::value)));
        tracker.trie_node_touched(touched)?;
        tracker.cached_trie_node_access(cached)?;
        Ok(())
    }

    /// A read of `key` pays no trie node (nearcore: flat-storage lookups in
    /// `KeyLookupMode::MemOrFlatOrTrie` track none, and near-vm-runner's
    /// `storage_read` dereferences the value with a `FreeGasCounter`), but a
    /// value read from the trie enters the chunk's accounting cache.
    fn note_read(&self, key: &[u8], value: Option<&[u8]>) {
        if let (Some(value), true) = (value, self.shape.in_chunk() && !self.in_memory(key)) {
            self.shape.touch([NodeId::value(value)]);
        }
    }

    fn push_action(&mut self, receipt_index: ReceiptIndex, action: Action) -> usize {
        let actions = &mut self.receipts[receipt_index as usize].actions;
        actions.push(action);
        actions.len() - 1
    }

    pub(crate) fn new_data_id(&mut self) -> CryptoHash {
        let id = create_receipt_id_from_action_hash(&self.action_hash, self.block_height, self.data_count);
        self.data_count += 1;
        id
    }
}

impl External for ChainExt<'_> {
    fn storage_set(
        &mut self,
        tracker: &mut dyn StorageAccessTracker,
        key: &[u8],
        value: &[u8],
    ) -> Result<Option<Vec<u8>>> {
        let old = self.read(key);
        if let Some(old) = &old {
            tracker.deref_write_evicted_value_bytes(old.len() as u64)?;
        }
        self.charge_write(tracker, key, old.as_deref())?;
        self.overlay.insert(key.to_vec(), Some(value.to_vec()));
        Ok(old)
    }

    fn storage_get<'b>(
        &'b self,
        _tracker: &mut dyn StorageAccessTracker,
        key: &[u8],
    ) -> Result<Option<Box<dyn ValuePtr + 'b>>> {
        let value = self.read(key);
        self.note_read(key, value.as_deref());
        Ok(value.map(|v| Box::new(MockedValuePtr::new(v)) as Box<dyn ValuePtr>))
    }

    fn storage_remove(&mut self, tracker: &mut dyn StorageAccessTracker, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let old = self.read(key);
        if let Some(old) = &old {
            tracker.deref_removed_value_bytes(old.len() as u64)?;
        }
        self.charge_write(tracker, key, old.as_deref())?;
        // nearcore records the removal even of a missing key: later accesses in
        // the chunk find it in memory.
        self.overlay.insert(key.to_vec(), None);
        Ok(old)
    }

    fn storage_has_key(&mut self, _tracker: &mut dyn StorageAccessTracker, key: &[u8]) -> Result<bool> {
        // No trie node and no value dereference (nearcore: `RuntimeExt::storage_has_key`
        // looks up in `KeyLookupMode::MemOrFlatOrTrie` and only checks presence).
        Ok(self.read(key).is_some())
    }

    fn generate_data_id(&mut self) -> CryptoHash {
        self.new_data_id()
    }

    fn get_recorded_storage_size(&self) -> usize {
        0
    }

    fn storage_proof_size_before_receipt(&self) -> usize {
        0
    }

    fn validator_stake(&self, _account_id: &AccountId) -> Result<Option<Balance>> {
        Ok(None)
    }

    fn validator_total_stake(&self) -> Result<Balance> {
        Ok(Balance::ZERO)
    }

    fn chain_id(&self) -> String {
        self.chain_id.clone()
    }

    fn create_action_receipt(
        &mut self,
        receipt_indices: Vec<ReceiptIndex>,
        receiver_id: AccountId,
    ) -> Result<ReceiptIndex> {
        let mut input_data_ids = Vec::with_capacity(receipt_indices.len());
        for index in receipt_indices {
            let data_id = self.new_data_id();
            let dependency =
                self.receipts.get_mut(index as usize).ok_or(HostError::InvalidReceiptIndex { receipt_index: index })?;
            dependency.output_data_receivers.push((data_id, receiver_id.clone()));
            input_data_ids.push(data_id);
        }
        self.receipts.push(NewReceipt::new(receiver_id, input_data_ids));
        Ok(self.receipts.len() as u64 - 1)
    }

    fn create_promise_yield_receipt(&mut self, _receiver_id: AccountId) -> Result<(ReceiptIndex, CryptoHash)> {
        Err(unsupported("promise_yield_create"))
    }

    fn create_promise_yield_receipt_with_id(
        &mut self,
        _receiver_id: AccountId,
        _user_yield_id: YieldId,
    ) -> Result<Option<(ReceiptIndex, CryptoHash)>> {
        Err(unsupported("promise_yield_create"))
    }

    fn submit_promise_resume_data(&mut self, _data_id: CryptoHash, _data: Vec<u8>) -> Result<bool> {
        Err(unsupported("promise_yield_resume"))
    }

    fn submit_promise_resume_data_with_yield_id(&mut self, _id: YieldId, _data: Vec<u8>) -> Result<bool> {
        Err(unsupported("promise_yield_resume"))
    }

    fn append_action_create_account(&mut self, receipt_index: ReceiptIndex) {
        self.push_action(receipt_index, actions::create_account());
    }

    fn append_action_deploy_contract(&mut self, receipt_index: ReceiptIndex, code: Vec<u8>) {
        self.push_action(receipt_index, actions::deploy(code));
    }

    fn append_action_deploy_global_contract(
        &mut self,
        receipt_index: ReceiptIndex,
        code: Vec<u8>,
        mode: GlobalContractDeployMode,
    ) {
        let deploy_mode = match mode {
            GlobalContractDeployMode::CodeHash => near_primitives::action::GlobalContractDeployMode::CodeHash,
            GlobalContractDeployMode::AccountId => near_primitives::action::GlobalContractDeployMode::AccountId,
        };
        let action = DeployGlobalContractAction { code: code.into(), deploy_mode };
        self.push_action(receipt_index, Action::DeployGlobalContract(action));
    }

    fn append_action_use_global_contract(&mut self, receipt_index: ReceiptIndex, id: GlobalContractIdentifier) {
        let contract_identifier = match id {
            GlobalContractIdentifier::CodeHash(hash) => {
                near_primitives::action::GlobalContractIdentifier::CodeHash(hash)
            }
            GlobalContractIdentifier::AccountId(account) => {
                near_primitives::action::GlobalContractIdentifier::AccountId(account)
            }
        };
        self.push_action(
            receipt_index,
            Action::UseGlobalContract(Box::new(UseGlobalContractAction { contract_identifier })),
        );
    }

    fn append_action_deterministic_state_init(
        &mut self,
        receipt_index: ReceiptIndex,
        _contract_id: GlobalContractIdentifier,
        _amount: Balance,
    ) -> ActionIndex {
        let _ = receipt_index;
        self.unsupported = Some("deterministic_state_init");
        0
    }

    fn set_deterministic_state_init_data_entry(
        &mut self,
        _receipt_index: ReceiptIndex,
        _action_index: ActionIndex,
        _key: Vec<u8>,
        _value: Vec<u8>,
    ) -> Result<()> {
        Err(unsupported("deterministic_state_init"))
    }

    fn check_state_init(&self, _state_init: &RawStateInit) -> std::result::Result<(), StateInitError> {
        Ok(())
    }

    fn state_init_send_counts(&self, state_init: &RawStateInit, _mode: DecodeMode) -> UniversalStateInitCounts {
        let _ = state_init;
        UniversalStateInitCounts::default()
    }

    fn append_action_universal_state_init(&mut self, receipt_index: ReceiptIndex, _s: RawStateInit, _amount: Balance) {
        let _ = receipt_index;
        self.unsupported = Some("universal_state_init");
    }

    fn append_action_function_call_weight(
        &mut self,
        receipt_index: ReceiptIndex,
        method_name: Vec<u8>,
        args: Vec<u8>,
        attached_deposit: Balance,
        prepaid_gas: Gas,
        gas_weight: GasWeight,
    ) -> Result<()> {
        let method_name = String::from_utf8(method_name).map_err(|_| HostError::InvalidMethodName)?;
        let action_index =
            self.push_action(receipt_index, actions::function_call(&method_name, args, attached_deposit, prepaid_gas));
        if gas_weight.0 > 0 {
            self.gas_weights.push((receipt_index as usize, action_index, gas_weight));
        }
        Ok(())
    }

    fn append_action_transfer(&mut self, receipt_index: ReceiptIndex, deposit: Balance) {
        self.push_action(receipt_index, actions::transfer(deposit));
    }

    fn append_action_transfer_to_gas_key(&mut self, receipt_index: ReceiptIndex, _pk: PublicKey, _d: Balance) {
        let _ = receipt_index;
        self.unsupported = Some("transfer_to_gas_key");
    }

    fn append_action_add_gas_key_with_full_access(
        &mut self,
        receipt_index: ReceiptIndex,
        _pk: PublicKey,
        _n: NonceIndex,
    ) {
        let _ = receipt_index;
        self.unsupported = Some("add_gas_key");
    }

    fn append_action_add_gas_key_with_function_call(
        &mut self,
        receipt_index: ReceiptIndex,
        _public_key: PublicKey,
        _num_nonces: NonceIndex,
        _allowance: Option<Balance>,
        _receiver_id: AccountId,
        _method_names: Vec<Vec<u8>>,
    ) -> Result<()> {
        let _ = receipt_index;
        self.unsupported = Some("add_gas_key");
        Ok(())
    }

    fn append_action_stake(&mut self, receipt_index: ReceiptIndex, stake: Balance, public_key: PublicKey) {
        self.push_action(receipt_index, Action::Stake(Box::new(StakeAction { stake, public_key })));
    }

    fn append_action_add_key_with_full_access(
        &mut self,
        receipt_index: ReceiptIndex,
        public_key: PublicKey,
        _nonce: Nonce,
    ) {
        self.push_action(receipt_index, actions::add_full_access_key(public_key));
    }

    fn append_action_add_key_with_function_call(
        &mut self,
        receipt_index: ReceiptIndex,
        public_key: PublicKey,
        _nonce: Nonce,
        allowance: Option<Balance>,
        receiver_id: AccountId,
        method_names: Vec<Vec<u8>>,
    ) -> Result<()> {
        let method_names = method_names
            .into_iter()
            .map(|m| String::from_utf8(m).map_err(|_| HostError::InvalidMethodName))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        self.push_action(
            receipt_index,
            actions::add_function_call_key(public_key, &receiver_id, method_names, allowance),
        );
        Ok(())
    }

    fn append_action_delete_key(&mut self, receipt_index: ReceiptIndex, public_key: PublicKey) {
        self.push_action(receipt_index, actions::delete_key(public_key));
    }

    fn append_action_delete_account(&mut self, receipt_index: ReceiptIndex, beneficiary_id: AccountId) {
        self.push_action(receipt_index, actions::delete_account(beneficiary_id));
    }

    fn get_receipt_receiver(&self, receipt_index: ReceiptIndex) -> &AccountId {
        &self.receipts[receipt_index as usize].receiver
    }

    fn set_refund_to(&mut self, receipt_index: ReceiptIndex, refund_to: AccountId) {
        self.receipts[receipt_index as usize].refund_to = Some(refund_to);
    }

    fn post_quantum_keys_enabled(&self) -> bool {
        false
    }
}
