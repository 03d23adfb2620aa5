//! The chain: accounts, transactions, receipts, blocks and views.

use crate::cache::shared_cache;
use crate::ext::{ChainExt, Overlay};
use crate::outcome::{Event, ReceiptOutcome, ReceiptStatus, TxOutcome, ViewResult};
use crate::receipt::{Action, NewReceipt, Receipt, ReceiptKind};
use crate::trie::{account_key, data_key, TrieShape};
use near_crypto::PublicKey;
use near_parameters::{ActionCosts, RuntimeConfig, RuntimeConfigStore, RuntimeFeesConfig};
use near_primitives_core::account::AccountContract;
use near_primitives_core::config::ViewConfig;
use near_primitives_core::hash::CryptoHash;
use near_primitives_core::types::{AccountId, Balance, Gas};
use near_vm_runner::logic::types::{PromiseResult, ReturnData};
use near_vm_runner::logic::VMContext;
use near_vm_runner::ContractCode;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

/// Protocol version whose parameters the chain runs with (mainnet at the time of writing).
pub const PROTOCOL_VERSION: u32 = 88;
/// Gas price in yoctoNEAR per gas unit (the protocol's minimum gas price).
pub const GAS_PRICE: u128 = 100_000_000;
/// Genesis block timestamp: 2026-01-01T00:00:00Z, in nanoseconds.
pub const GENESIS_TIMESTAMP_NS: u64 = 1_767_225_600_000_000_000;
/// Default time between blocks.
pub const DEFAULT_BLOCK_TIME_NS: u64 = 1_000_000_000;
/// Gas attached to a call when the caller does not say.
pub const DEFAULT_CALL_GAS: Gas = Gas::from_teragas(100);

/// An account as the chain stores it.
#[derive(Clone, Debug)]
pub struct AccountRecord {
    pub amount: Balance,
    pub locked: Balance,
    /// Bytes the account occupies: its record, keys, code and contract data.
    pub storage_usage: u64,
    pub code_hash: Option<CryptoHash>,
    /// Access keys by public key (`ed25519:...`).
    pub keys: BTreeMap<String, AccessKeyRecord>,
}

/// One access key of an account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessKeyRecord {
    /// Bytes the key occupies in the account's storage.
    pub bytes: u64,
    /// `None`: a full-access key. `Some((receiver, methods))`: a function-call
    /// key, valid only for calls without deposit to `receiver` (and to
    /// `methods`, when not empty).
    pub function_call: Option<(AccountId, Vec<String>)>,
}

impl AccessKeyRecord {
    pub fn is_full_access(&self) -> bool {
        self.function_call.is_none()
    }

    /// Whether this key may sign a transaction of `actions` to `receiver`.
    fn may_sign(&self, receiver: &AccountId, actions: &[Action]) -> bool {
        let Some((key_receiver, methods)) = &self.function_call else { return true };
        // nearcore: a function-call key signs exactly one function call without deposit.
        key_receiver == receiver
            && matches!(actions, [Action::FunctionCall { method_name, deposit, .. }]
                if deposit.is_zero() && (methods.is_empty() || methods.contains(method_name)))
    }
}

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
    /// Base58 code hash, as RPC shows it (`11111111111111111111111111111111` = no code).
    pub code_hash: String,
    pub code_size: u64,
}

/// An in-process NEAR chain running the real VM. See the crate docs.
pub struct Chain {
    config: Arc<RuntimeConfig>,
    accounts: BTreeMap<AccountId, AccountRecord>,
    data: HashMap<AccountId, BTreeMap<Vec<u8>, Vec<u8>>>,
    codes: HashMap<CryptoHash, Arc<ContractCode>>,
    shape: TrieShape,
    height: u64,
    timestamp: u64,
    block_time_ns: u64,
    next_receipt_id: u64,
    next_data_id: u64,
    root: AccountId,
    chain_id: String,
}

fn acc(s: &str) -> AccountId {
    s.parse().expect("valid account id")
}

fn fee(fees: &RuntimeFeesConfig, cost: ActionCosts) -> &near_parameters::Fee {
    fees.fee(cost)
}

/// Borsh size of an access key record, as nearcore stores it.
fn access_key_bytes(public_key: &PublicKey, function_call: &Option<(Option<Balance>, AccountId, Vec<String>)>) -> u64 {
    let pk = borsh::to_vec(public_key).map(|v| v.len() as u64).unwrap_or(33);
    let permission = match function_call {
        None => 1,
        Some((allowance, receiver, methods)) => {
            1 + if allowance.is_some() { 17 } else { 1 }
                + 4
                + receiver.len() as u64
                + 4
                + methods.iter().map(|m| 4 + m.len() as u64).sum::<u64>()
        }
    };
    pk + 8 + permission
}

/// Send fee (`sir`: sender is receiver) and execution fee of one action.
fn action_fees(fees: &RuntimeFeesConfig, sir: bool, action: &Action) -> (Gas, Gas) {
    let one = |c: ActionCosts| (fee(fees, c).send_fee(sir).gas, fee(fees, c).exec_fee().gas);
    let per_byte = |base: ActionCosts, byte: ActionCosts, n: u64| {
        let (bs, be) = one(base);
        let (ys, ye) = one(byte);
        (bs.saturating_add(ys.saturating_mul(n)), be.saturating_add(ye.saturating_mul(n)))
    };
    match action {
        Action::CreateAccount => one(ActionCosts::create_account),
        Action::DeployContract(code) => {
            per_byte(ActionCosts::deploy_contract_base, ActionCosts::deploy_contract_byte, code.len() as u64)
        }
        Action::FunctionCall { method_name, args, .. } => per_byte(
            ActionCosts::function_call_base,
            ActionCosts::function_call_byte,
            (method_name.len() + args.len()) as u64,
        ),
        Action::Transfer(_) => one(ActionCosts::transfer),
        Action::AddKey { function_call: None, .. } => one(ActionCosts::add_full_access_key),
        Action::AddKey { function_call: Some((_, _, methods)), .. } => per_byte(
            ActionCosts::add_function_call_key_base,
            ActionCosts::add_function_call_key_byte,
            methods.iter().map(|m| m.len() as u64 + 1).sum(),
        ),
        Action::DeleteKey(_) => one(ActionCosts::delete_key),
        Action::DeleteAccount(_) => one(ActionCosts::delete_account),
        Action::Unsupported(_) => (Gas::ZERO, Gas::ZERO),
    }
}

struct CodeRef(Arc<ContractCode>);

impl near_vm_runner::Contract for CodeRef {
    fn hash(&self) -> CryptoHash {
        *self.0.hash()
    }

    fn get_code(&self) -> Option<Arc<ContractCode>> {
        Some(self.0.clone())
    }
}

/// The result of running one action receipt, before it is committed.
struct ActionsResult {
    status: Result<ReturnData, String>,
    account: Option<AccountRecord>,
    overlay: Overlay,
    deleted: bool,
    new_code: Option<Arc<ContractCode>>,
    new_receipts: Vec<NewReceipt>,
    logs: Vec<String>,
    vm_gas_burnt: Gas,
    vm_profile: Vec<(String, u64)>,
    /// Gas of the function calls that was not spent (to be refunded to the signer).
    gas_used_by_calls: Gas,
}

impl Default for Chain {
    fn default() -> Self {
        Self::new()
    }
}

impl Chain {
    /// A chain at genesis with `near`, `registrar` and the root account `test.near`
    /// (which holds almost all tokens, like a sandbox's `test.near`).
    pub fn new() -> Self {
        Self::with_block_time(DEFAULT_BLOCK_TIME_NS)
    }

    /// Same as [`Chain::new`], with blocks `block_time_ns` apart.
    pub fn with_block_time(block_time_ns: u64) -> Self {
        let store = RuntimeConfigStore::new(None);
        let config = store.get_config(PROTOCOL_VERSION).clone();
        let mut chain = Chain {
            config,
            accounts: BTreeMap::new(),
            data: HashMap::new(),
            codes: HashMap::new(),
            shape: TrieShape::default(),
            height: 1,
            timestamp: GENESIS_TIMESTAMP_NS,
            block_time_ns,
            next_receipt_id: 0,
            next_data_id: 0,
            root: acc("test.near"),
            chain_id: "embedded".to_string(),
        };
        let yocto_per_near = 10u128.pow(24);
        chain.genesis_account(acc("near"), Balance::from_yoctonear(1_000_000 * yocto_per_near));
        chain.genesis_account(acc("registrar"), Balance::from_yoctonear(1_000_000 * yocto_per_near));
        chain.genesis_account(acc("test.near"), Balance::from_yoctonear(1_000_000_000 * yocto_per_near));
        chain
    }

    /// Same as [`Chain::new`], with the genesis block at `timestamp_ns`: for
    /// fixtures valid only in a window of time (signed attestation collateral).
    pub fn starting_at(timestamp_ns: u64) -> Self {
        let mut chain = Self::new();
        chain.timestamp = timestamp_ns;
        chain
    }

    fn genesis_account(&mut self, id: AccountId, amount: Balance) {
        let mut record = AccountRecord {
            amount,
            locked: Balance::ZERO,
            storage_usage: self.config.fees.storage_usage_config.num_bytes_account,
            code_hash: None,
            keys: BTreeMap::new(),
        };
        let key = genesis_key(&id);
        let bytes = access_key_bytes(&key, &None) + self.config.fees.storage_usage_config.num_extra_bytes_record;
        record.keys.insert(key.to_string(), AccessKeyRecord { bytes, function_call: None });
        record.storage_usage += bytes;
        self.shape.insert(account_key(id.as_str()));
        self.accounts.insert(id, record);
    }

    /// The protocol parameters in force.
    pub fn runtime_config(&self) -> &RuntimeConfig {
        &self.config
    }

    /// Cost of one byte of storage.
    pub fn storage_byte_cost(&self) -> Balance {
        self.config.fees.storage_usage_config.storage_amount_per_byte
    }

    /// The account that funds test accounts (`test.near`).
    pub fn root(&self) -> AccountId {
        self.root.clone()
    }

    pub fn block_height(&self) -> u64 {
        self.height
    }

    pub fn block_timestamp(&self) -> u64 {
        self.timestamp
    }

    pub fn block_time_ns(&self) -> u64 {
        self.block_time_ns
    }

    /// Produces `blocks` empty blocks.
    pub fn fast_forward(&mut self, blocks: u64) {
        for _ in 0..blocks {
            self.next_block();
        }
    }

    fn next_block(&mut self) {
        self.height += 1;
        self.timestamp += self.block_time_ns;
    }

    /// Number of keys in the chain's state trie (drives trie-node gas).
    pub fn trie_key_count(&self) -> usize {
        self.shape.len()
    }

    // ----- views -------------------------------------------------------------

    /// The access keys of `id`, in public key order (`None`: no such account).
    pub fn view_access_keys(&self, id: &AccountId) -> Option<Vec<AccessKeyView>> {
        self.accounts.get(id).map(|a| {
            a.keys
                .iter()
                .map(|(public_key, key)| AccessKeyView {
                    public_key: public_key.clone(),
                    full_access: key.is_full_access(),
                })
                .collect()
        })
    }

    pub fn view_account(&self, id: &AccountId) -> Option<AccountView> {
        self.accounts.get(id).map(|a| AccountView {
            amount: a.amount,
            locked: a.locked,
            storage_usage: a.storage_usage,
            code_hash: a.code_hash.map(|h| h.to_string()).unwrap_or_else(|| CryptoHash::default().to_string()),
            code_size: a.code_hash.and_then(|h| self.codes.get(&h)).map(|c| c.code().len() as u64).unwrap_or(0),
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

    /// Writes raw contract state, as a sandbox's `patch_state` does: the account's
    /// storage usage follows, nothing else runs. For seeding large states in benches.
    pub fn patch_state(&mut self, id: &AccountId, key: Vec<u8>, value: Vec<u8>) {
        let extra = self.config.fees.storage_usage_config.num_extra_bytes_record;
        let account = self.accounts.get_mut(id).expect("patch_state: account exists");
        let data = self.data.entry(id.clone()).or_default();
        let added = key.len() as u64 + value.len() as u64 + extra;
        self.shape.insert(data_key(id.as_str(), &key));
        if let Some(old) = data.insert(key.clone(), value) {
            account.storage_usage -= key.len() as u64 + old.len() as u64 + extra;
        }
        account.storage_usage += added;
    }

    /// Adds tokens to an account out of thin air (sandbox-style), e.g. to cover
    /// the storage of a patched state.
    pub fn patch_balance(&mut self, id: &AccountId, amount: Balance) {
        let account = self.accounts.get_mut(id).expect("patch_balance: account exists");
        account.amount = account.amount.saturating_add(amount);
    }

    /// Gives `id` a full-access key by patching state (sandbox-style, as
    /// nearcore's `sandbox_patch_state` can), storage counted as the
    /// `AddKey` action counts it. For tests that act as an account whose keys
    /// were deleted, e.g. the DAO calling its contracts directly; no
    /// transaction can do this.
    pub fn patch_full_access_key(&mut self, id: &AccountId, key: &PublicKey) {
        let bytes = access_key_bytes(key, &None) + self.config.fees.storage_usage_config.num_extra_bytes_record;
        let account = self.accounts.get_mut(id).expect("patch_full_access_key: account exists");
        if account.keys.insert(key.to_string(), AccessKeyRecord { bytes, function_call: None }).is_none() {
            account.storage_usage += bytes;
        }
    }

    /// Calls `method` in view mode: it may read but not write state, create
    /// promises or read the caller. Fails with the contract's error message.
    pub fn view_raw(&self, id: &AccountId, method: &str, args: &[u8]) -> Result<ViewResult, String> {
        let account = self.accounts.get(id).ok_or_else(|| format!("account {id} does not exist while viewing"))?;
        let code = self.code_of(id, account)?;
        let empty = BTreeMap::new();
        let committed = self.data.get(id).unwrap_or(&empty);
        let mut overlay = Overlay::new();
        let mut next_data_id = self.next_data_id;
        let mut ext = ChainExt {
            account_id: id.clone(),
            committed,
            overlay: &mut overlay,
            shape: &self.shape,
            receipts: Vec::new(),
            gas_weights: Vec::new(),
            next_data_id: &mut next_data_id,
            chain_id: self.chain_id.clone(),
        };
        let max_gas = self.config.wasm_config.limit_config.max_gas_burnt;
        let context = VMContext {
            view_config: Some(ViewConfig { max_gas_burnt: max_gas }),
            ..self.vm_context(id, account, &code, args.to_vec(), max_gas)
        };
        let outcome = self.run_vm(code, method, &mut ext, &context)?;
        match outcome.aborted {
            Some(err) => Err(err.to_string()),
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
    pub fn view(&self, id: &AccountId, method: &str, args: serde_json::Value) -> Result<ViewResult, String> {
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
    fn vm_context(
        &self,
        id: &AccountId,
        account: &AccountRecord,
        code: &ContractCode,
        input: Vec<u8>,
        gas: Gas,
    ) -> VMContext {
        VMContext {
            current_account_id: id.clone(),
            signer_account_id: id.clone(),
            signer_account_pk: vec![0; 33],
            predecessor_account_id: id.clone(),
            refund_to_account_id: id.clone(),
            input: input.into(),
            promise_results: Vec::new().into(),
            block_height: self.height,
            block_timestamp: self.timestamp,
            epoch_height: self.height / 43_200,
            account_balance: account.amount,
            account_locked_balance: account.locked,
            storage_usage: account.storage_usage,
            account_contract: AccountContract::Local(*code.hash()),
            attached_deposit: Balance::ZERO,
            prepaid_gas: gas,
            random_seed: vec![0; 32],
            view_config: None,
            output_data_receivers: Vec::new(),
        }
    }

    fn code_of(&self, id: &AccountId, account: &AccountRecord) -> Result<Arc<ContractCode>, String> {
        account
            .code_hash
            .and_then(|h| self.codes.get(&h).cloned())
            .ok_or_else(|| format!("Cannot find contract code for account {id}"))
    }

    fn run_vm(
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

    // ----- transactions ------------------------------------------------------

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

    /// Validates and converts a transaction, then runs every receipt it causes.
    pub fn submit(&mut self, signer: &AccountId, receiver: &AccountId, actions: Vec<Action>) -> TxOutcome {
        let mut outcome = TxOutcome {
            status: Ok(Vec::new()),
            receipts: Vec::new(),
            conversion_gas_burnt: 0,
            total_gas_burnt: 0,
            tokens_burnt: 0,
            signer: signer.to_string(),
            receiver: receiver.to_string(),
        };
        let fees = self.config.fees.clone();
        let sir = signer == receiver;
        let receipt_fee = fee(&fees, ActionCosts::new_action_receipt);
        let mut burnt = receipt_fee.send_fee(sir).gas;
        let mut prepaid = receipt_fee.exec_fee().gas;
        let mut deposits = Balance::ZERO;
        let mut prepaid_calls = Gas::ZERO;
        for action in &actions {
            let (send, exec) = action_fees(&fees, sir, action);
            burnt = burnt.saturating_add(send);
            prepaid = prepaid.saturating_add(exec).saturating_add(action.prepaid_gas());
            prepaid_calls = prepaid_calls.saturating_add(action.prepaid_gas());
            deposits = deposits.saturating_add(action.deposit());
        }
        let max_prepaid = self.config.wasm_config.limit_config.max_total_prepaid_gas;
        if prepaid_calls > max_prepaid {
            outcome.status = Err(format!(
                "Invalid transaction: total prepaid gas {} exceeds the limit {}",
                prepaid_calls.as_gas(),
                max_prepaid.as_gas()
            ));
            return outcome;
        }
        let gas_cost = Balance::from_yoctonear(GAS_PRICE * (burnt.as_gas() as u128 + prepaid.as_gas() as u128));
        let total_cost = gas_cost.saturating_add(deposits);
        let Some(signer_account) = self.accounts.get_mut(signer) else {
            outcome.status = Err(format!("Invalid transaction: signer account {signer} does not exist"));
            return outcome;
        };
        // Signatures and nonces are not modelled, but a transaction still needs
        // a key of the signer that may sign it (nearcore: InvalidAccessKeyError).
        if !signer_account.keys.values().any(|key| key.may_sign(receiver, &actions)) {
            outcome.status = Err(format!(
                "Invalid transaction: signer {signer} has no access key that may sign this transaction to {receiver}"
            ));
            return outcome;
        }
        if signer_account.amount < total_cost {
            outcome.status = Err(format!(
                "Invalid transaction: sender {signer} does not have enough balance {} for operation costing {}",
                signer_account.amount.as_yoctonear(),
                total_cost.as_yoctonear()
            ));
            return outcome;
        }
        signer_account.amount = signer_account.amount.saturating_sub(total_cost);
        outcome.conversion_gas_burnt = burnt.as_gas();
        outcome.total_gas_burnt = burnt.as_gas();
        outcome.tokens_burnt = GAS_PRICE * burnt.as_gas() as u128;

        let first_id = self.new_receipt_id();
        let first = Receipt {
            id: first_id,
            predecessor: signer.clone(),
            receiver: receiver.clone(),
            kind: ReceiptKind::Action {
                signer: signer.clone(),
                actions,
                input_data_ids: Vec::new(),
                output_data_receivers: Vec::new(),
                refund_to: signer.clone(),
            },
        };
        let statuses = self.process(first, &mut outcome);
        outcome.status = resolve(first_id, &statuses);
        outcome
    }

    fn new_receipt_id(&mut self) -> u64 {
        self.next_receipt_id += 1;
        self.next_receipt_id
    }

    /// Runs receipts block by block until none is left: each hop is one block.
    fn process(&mut self, first: Receipt, outcome: &mut TxOutcome) -> HashMap<u64, ReceiptStatus> {
        let mut statuses = HashMap::new();
        let mut incoming: VecDeque<Receipt> = VecDeque::from([first]);
        let mut waiting: Vec<Receipt> = Vec::new();
        let mut data: HashMap<CryptoHash, Option<Vec<u8>>> = HashMap::new();
        loop {
            // Receipts whose inputs have all arrived join this block.
            let mut ready = Vec::new();
            waiting.retain(|r| {
                let complete = match &r.kind {
                    ReceiptKind::Action { input_data_ids, .. } => input_data_ids.iter().all(|d| data.contains_key(d)),
                    ReceiptKind::Refund(_) => true,
                };
                if complete {
                    ready.push(r.clone());
                }
                !complete
            });
            if incoming.is_empty() && ready.is_empty() {
                break;
            }
            self.next_block();
            let block: Vec<Receipt> = incoming.drain(..).chain(ready).collect();
            // A block stands for a chunk: its receipts see the trie it started with (trie.rs).
            self.shape.begin_chunk();
            for receipt in block {
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

    /// Executes one receipt and commits or reverts it. Returns the receipts it produced.
    fn execute(
        &mut self,
        receipt: Receipt,
        data: &mut HashMap<CryptoHash, Option<Vec<u8>>>,
        statuses: &mut HashMap<u64, ReceiptStatus>,
        outcome: &mut TxOutcome,
    ) -> Vec<Receipt> {
        let (signer, actions, input_data_ids, output_data_receivers, refund_to) = match receipt.kind.clone() {
            ReceiptKind::Refund(amount) => {
                if let Some(account) = self.accounts.get_mut(&receipt.receiver) {
                    account.amount = account.amount.saturating_add(amount);
                }
                outcome.receipts.push(ReceiptOutcome {
                    receipt_id: receipt.id,
                    block_height: self.height,
                    predecessor: receipt.predecessor.to_string(),
                    executor: receipt.receiver.to_string(),
                    actions: vec![format!("Transfer({})", amount.as_yoctonear())],
                    logs: Vec::new(),
                    events: Vec::new(),
                    gas_burnt: 0,
                    vm_gas_burnt: 0,
                    vm_profile: Vec::new(),
                    status: ReceiptStatus::Value(Vec::new()),
                    is_refund: true,
                });
                statuses.insert(receipt.id, ReceiptStatus::Value(Vec::new()));
                return Vec::new();
            }
            ReceiptKind::Action { signer, actions, input_data_ids, output_data_receivers, refund_to } => {
                (signer, actions, input_data_ids, output_data_receivers, refund_to)
            }
        };
        let promise_results: Vec<PromiseResult> = input_data_ids
            .iter()
            .map(|id| match data.get(id).cloned().flatten() {
                Some(bytes) => PromiseResult::Successful(bytes.into()),
                None => PromiseResult::Failed,
            })
            .collect();
        let fees = self.config.fees.clone();
        let mut exec_fees = fee(&fees, ActionCosts::new_action_receipt).exec_fee().gas;
        for action in &actions {
            exec_fees = exec_fees.saturating_add(action_fees(&fees, false, action).1);
        }
        let prepaid_calls: Gas = actions.iter().fold(Gas::ZERO, |g, a| g.saturating_add(a.prepaid_gas()));
        let deposits: Balance = actions.iter().fold(Balance::ZERO, |d, a| d.saturating_add(a.deposit()));
        let receivers: Vec<AccountId> = output_data_receivers.iter().map(|(_, r)| r.clone()).collect();

        let result = self.apply_actions(&receipt, &signer, &actions, promise_results, &receivers);
        let gas_burnt = exec_fees.saturating_add(result.vm_gas_burnt);
        let mut produced = Vec::new();
        let status = match result.status {
            Ok(return_data) => {
                self.commit(&receipt.receiver, result.account, result.overlay, result.deleted, result.new_code);
                // Route the receipts the contract created.
                let mut global_ids = Vec::with_capacity(result.new_receipts.len());
                for _ in &result.new_receipts {
                    global_ids.push(self.new_receipt_id());
                }
                let mut routed: Vec<Receipt> = result
                    .new_receipts
                    .into_iter()
                    .zip(&global_ids)
                    .map(|(r, id)| Receipt {
                        id: *id,
                        predecessor: receipt.receiver.clone(),
                        receiver: r.receiver,
                        kind: ReceiptKind::Action {
                            signer: signer.clone(),
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
                        ReceiptStatus::Promise(global_ids[index as usize])
                    }
                };
                let unused = prepaid_calls.saturating_sub(result.gas_used_by_calls);
                if unused.as_gas() > 0 {
                    produced.push(self.refund(&signer, Balance::from_yoctonear(GAS_PRICE * unused.as_gas() as u128)));
                }
                produced.extend(routed);
                status
            }
            Err(message) => {
                for (data_id, _) in &output_data_receivers {
                    data.insert(*data_id, None);
                }
                if !deposits.is_zero() {
                    produced.push(self.refund(&refund_to, deposits));
                }
                let unused = prepaid_calls.saturating_sub(result.vm_gas_burnt);
                if unused.as_gas() > 0 {
                    produced.push(self.refund(&signer, Balance::from_yoctonear(GAS_PRICE * unused.as_gas() as u128)));
                }
                ReceiptStatus::Failure(message)
            }
        };
        outcome.total_gas_burnt += gas_burnt.as_gas();
        outcome.tokens_burnt += GAS_PRICE * gas_burnt.as_gas() as u128;
        outcome.receipts.push(ReceiptOutcome {
            receipt_id: receipt.id,
            block_height: self.height,
            predecessor: receipt.predecessor.to_string(),
            executor: receipt.receiver.to_string(),
            actions: actions.iter().map(Action::describe).collect(),
            events: result.logs.iter().filter_map(|l| Event::parse(l)).collect(),
            logs: result.logs,
            gas_burnt: gas_burnt.as_gas(),
            vm_gas_burnt: result.vm_gas_burnt.as_gas(),
            vm_profile: result.vm_profile,
            status: status.clone(),
            is_refund: false,
        });
        statuses.insert(receipt.id, status);
        produced
    }

    fn refund(&mut self, to: &AccountId, amount: Balance) -> Receipt {
        Receipt {
            id: self.new_receipt_id(),
            predecessor: acc("system"),
            receiver: to.clone(),
            kind: ReceiptKind::Refund(amount),
        }
    }

    fn commit(
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

    /// Applies a receipt's actions to a working copy of the receiver; nothing is
    /// committed here.
    fn apply_actions(
        &self,
        receipt: &Receipt,
        signer: &AccountId,
        actions: &[Action],
        promise_results: Vec<PromiseResult>,
        output_receivers: &[AccountId],
    ) -> ActionsResult {
        let receiver = &receipt.receiver;
        let storage = &self.config.fees.storage_usage_config;
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
        };
        let promise_results: Arc<[PromiseResult]> = promise_results.into();
        let mut actor = receipt.predecessor.clone();
        let fail = |mut r: ActionsResult, msg: String| {
            r.status = Err(msg);
            r
        };
        for (index, action) in actions.iter().enumerate() {
            let is_last = index + 1 == actions.len();
            if result.deleted {
                return fail(result, format!("Can't complete the action because account {receiver} doesn't exist"));
            }
            if !matches!(action, Action::CreateAccount) && result.account.is_none() {
                return fail(result, format!("Can't complete the action because account {receiver} doesn't exist"));
            }
            let needs_actor = matches!(
                action,
                Action::DeployContract(_) | Action::AddKey { .. } | Action::DeleteKey(_) | Action::DeleteAccount(_)
            );
            if needs_actor && actor != *receiver {
                return fail(
                    result,
                    format!("Actor {actor} doesn't have permission to account {receiver} to complete the action"),
                );
            }
            match action {
                Action::CreateAccount => {
                    if result.account.is_some() {
                        return fail(
                            result,
                            format!("Can't create a new account {receiver}, because it already exists"),
                        );
                    }
                    let creation = &self.config.account_creation_config;
                    let predecessor = &receipt.predecessor;
                    if receiver.is_top_level() {
                        if receiver.len() < creation.min_allowed_top_level_account_length as usize
                            && *predecessor != creation.registrar_account_id
                        {
                            return fail(result, format!(
                                "A top-level account ID {receiver} can't be created by {predecessor}, short top-level account IDs can only be created by {}",
                                creation.registrar_account_id
                            ));
                        }
                    } else if !receiver.is_sub_account_of(predecessor) {
                        return fail(
                            result,
                            format!("A sub-account ID {receiver} can't be created by account {predecessor}"),
                        );
                    }
                    result.account = Some(AccountRecord {
                        amount: Balance::ZERO,
                        locked: Balance::ZERO,
                        storage_usage: storage.num_bytes_account,
                        code_hash: None,
                        keys: BTreeMap::new(),
                    });
                    actor = receiver.clone();
                }
                Action::DeployContract(code) => {
                    let code = Arc::new(ContractCode::new(code.clone(), None));
                    let account = result.account.as_mut().expect("checked");
                    let old_len =
                        account.code_hash.and_then(|h| self.codes.get(&h)).map(|c| c.code().len() as u64).unwrap_or(0);
                    let old_len = result.new_code.as_ref().map(|c| c.code().len() as u64).unwrap_or(old_len);
                    account.storage_usage = account.storage_usage - old_len + code.code().len() as u64;
                    account.code_hash = Some(*code.hash());
                    result.new_code = Some(code);
                }
                Action::FunctionCall { method_name, args, deposit, gas } => {
                    let account = result.account.clone().expect("checked");
                    let code = match result.new_code.clone() {
                        Some(c) if account.code_hash == Some(*c.hash()) => c,
                        _ => match self.code_of(receiver, &account) {
                            Ok(c) => c,
                            Err(e) => return fail(result, e),
                        },
                    };
                    let empty = BTreeMap::new();
                    let committed = self.data.get(receiver).unwrap_or(&empty);
                    let mut next_data_id = self.next_data_id + 1_000_000 * receipt.id;
                    let mut overlay = std::mem::take(&mut result.overlay);
                    let mut ext = ChainExt {
                        account_id: receiver.clone(),
                        committed,
                        overlay: &mut overlay,
                        shape: &self.shape,
                        receipts: Vec::new(),
                        gas_weights: Vec::new(),
                        next_data_id: &mut next_data_id,
                        chain_id: self.chain_id.clone(),
                    };
                    let context = VMContext {
                        signer_account_id: signer.clone(),
                        signer_account_pk: borsh::to_vec(&genesis_key(signer)).unwrap_or_default(),
                        predecessor_account_id: receipt.predecessor.clone(),
                        refund_to_account_id: match &receipt.kind {
                            ReceiptKind::Action { refund_to, .. } => refund_to.clone(),
                            ReceiptKind::Refund(_) => receipt.predecessor.clone(),
                        },
                        promise_results: promise_results.clone(),
                        attached_deposit: *deposit,
                        random_seed: CryptoHash::hash_bytes(
                            &[receipt.id.to_le_bytes(), self.height.to_le_bytes()].concat(),
                        )
                        .as_bytes()
                        .to_vec(),
                        output_data_receivers: if is_last { output_receivers.to_vec() } else { Vec::new() },
                        ..self.vm_context(receiver, &account, &code, args.clone(), *gas)
                    };
                    let vm = match self.run_vm(code, method_name, &mut ext, &context) {
                        Ok(vm) => vm,
                        Err(e) => {
                            drop(ext);
                            result.overlay = overlay;
                            return fail(result, e);
                        }
                    };
                    let ChainExt { receipts: mut new_receipts, gas_weights, .. } = ext;
                    result.overlay = overlay;
                    result.vm_gas_burnt = result.vm_gas_burnt.saturating_add(vm.burnt_gas);
                    result.vm_profile = gas_profile(&vm.profile, vm.burnt_gas);
                    result.logs.extend(vm.logs.iter().cloned());
                    if let Some(err) = vm.aborted {
                        result.gas_used_by_calls = result.vm_gas_burnt;
                        return fail(result, err.to_string());
                    }
                    // Unused gas goes to the calls that asked for a share, by weight.
                    let mut used = vm.used_gas;
                    let unused = gas.saturating_sub(vm.used_gas);
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
                            if let Action::FunctionCall { gas, .. } = &mut new_receipts[*r].actions[*a] {
                                *gas = gas.saturating_add(Gas::from_gas(share));
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
                Action::Transfer(amount) => {
                    let account = result.account.as_mut().expect("checked");
                    account.amount = account.amount.saturating_add(*amount);
                }
                Action::AddKey { public_key, function_call } => {
                    let account = result.account.as_mut().expect("checked");
                    let name = public_key.to_string();
                    if account.keys.contains_key(&name) {
                        return fail(
                            result,
                            format!("The public key {name} is already used for an existing access key"),
                        );
                    }
                    let bytes = access_key_bytes(public_key, function_call) + storage.num_extra_bytes_record;
                    let function_call =
                        function_call.as_ref().map(|(_, receiver, methods)| (receiver.clone(), methods.clone()));
                    account.keys.insert(name, AccessKeyRecord { bytes, function_call });
                    account.storage_usage += bytes;
                }
                Action::DeleteKey(public_key) => {
                    let account = result.account.as_mut().expect("checked");
                    let name = public_key.to_string();
                    match account.keys.remove(&name) {
                        Some(key) => account.storage_usage -= key.bytes,
                        None => {
                            return fail(
                                result,
                                format!("Account {receiver} tries to remove an access key that doesn't exist"),
                            )
                        }
                    }
                }
                Action::DeleteAccount(_beneficiary) => {
                    // The balance is burnt here; nearcore sends it to the beneficiary,
                    // which our callers never rely on.
                    result.deleted = true;
                }
                Action::Unsupported(what) => {
                    return fail(result, format!("action {what} is not supported by the embedded chain"));
                }
            }
            // Non-call actions leave no return value.
            result.status = Ok(ReturnData::None);
        }
        // Storage staking: the receiver must still cover the bytes it occupies.
        if let (false, Some(account)) = (result.deleted, &result.account) {
            let required = storage.storage_amount_per_byte.saturating_mul(account.storage_usage as u128);
            let available = account.amount.saturating_add(account.locked);
            if available < required {
                let more = required.saturating_sub(available);
                return fail(result, format!(
                    "The account {receiver} wouldn't have enough balance to cover storage, required to have {} yoctoNEAR more",
                    more.as_yoctonear()
                ));
            }
        }
        result
    }
}

/// Follows returned promises from `id` to the value the transaction ends with.
fn resolve(mut id: u64, statuses: &HashMap<u64, ReceiptStatus>) -> Result<Vec<u8>, String> {
    loop {
        match statuses.get(&id) {
            Some(ReceiptStatus::Value(v)) => return Ok(v.clone()),
            Some(ReceiptStatus::Failure(e)) => return Err(e.clone()),
            Some(ReceiptStatus::Promise(next)) => id = *next,
            None => return Err(format!("receipt {id} never executed (its inputs never arrived)")),
        }
    }
}

/// The deterministic full-access key the chain gives an account it creates.
pub fn genesis_key(id: &AccountId) -> PublicKey {
    let seed: [u8; 32] = CryptoHash::hash_bytes(id.as_bytes()).0;
    PublicKey::ED25519(near_crypto::ED25519PublicKey(seed))
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
        self.actions.push(Action::CreateAccount);
        self
    }

    pub fn deploy(mut self, code: Vec<u8>) -> Self {
        self.actions.push(Action::DeployContract(code));
        self
    }

    pub fn transfer(mut self, amount: Balance) -> Self {
        self.actions.push(Action::Transfer(amount));
        self
    }

    pub fn add_full_access_key(mut self, key: PublicKey) -> Self {
        self.actions.push(Action::AddKey { public_key: key, function_call: None });
        self
    }

    pub fn delete_key(mut self, key: PublicKey) -> Self {
        self.actions.push(Action::DeleteKey(key));
        self
    }

    pub fn delete_account(mut self, beneficiary: AccountId) -> Self {
        self.actions.push(Action::DeleteAccount(beneficiary));
        self
    }

    pub fn call(mut self, method: &str, args: serde_json::Value, deposit: Balance, gas: Gas) -> Self {
        self.actions.push(Action::function_call(method, serde_json::to_vec(&args).expect("json"), deposit, gas));
        self
    }

    pub fn call_raw(mut self, method: &str, args: Vec<u8>, deposit: Balance, gas: Gas) -> Self {
        self.actions.push(Action::function_call(method, args, deposit, gas));
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
        let action = Action::function_call(&self.method, self.args, self.deposit, self.gas);
        self.chain.submit(&self.signer, &self.receiver, vec![action])
    }
}

/// The VM's gas profile as (cost name, gas) pairs, largest first, zeros left
/// out; `wasm_instructions` is what the profile's host costs leave of `burnt`.
fn gas_profile(profile: &near_vm_runner::ProfileDataV3, burnt: Gas) -> Vec<(String, u64)> {
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
