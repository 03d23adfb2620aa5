//! What a node keeps beyond the state, and the chain as one file.
//!
//! - [`History`]: every accepted transaction (as signed) and every receipt
//!   the chain ran, in nearcore's own types (`SignedTransaction`,
//!   `near_primitives::receipt::Receipt`), so an RPC server can answer `tx`
//!   and `EXPERIMENTAL_receipt` with the shapes neard answers.
//! - [`Chain::snapshot`] / [`Chain::restore`]: the whole chain (accounts,
//!   keys, contract data, code, the kept blocks, outcomes and history) as one
//!   borsh blob behind a magic, a format version and a SHA-256 of the body, so
//!   a truncated or corrupted file is refused instead of half-loaded.

use crate::outcome::{Event, ReceiptOutcome, ReceiptStatus, TxOutcome};
use crate::receipt::{Receipt as ChainReceipt, ReceiptKind};
use crate::state::{AccountRecord, BlockInfo, Chain};
use crate::trie::{account_key, data_key, TrieShape};
use borsh::{BorshDeserialize, BorshSerialize};
use near_crypto::{KeyType, PublicKey};
use near_primitives::account::AccessKey;
use near_primitives::action::GlobalContractIdentifier;
use near_primitives::action::{Action, TransferAction};
use near_primitives::errors::TxExecutionError;
use near_primitives::receipt::{ActionReceiptV2, DataReceiver, Receipt, ReceiptEnum, ReceiptV0};
use near_primitives::transaction::SignedTransaction;
use near_primitives_core::account::AccountContract;
use near_primitives_core::hash::CryptoHash;
use near_primitives_core::types::{AccountId, Balance};
use near_vm_runner::ContractCode;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Accepted transactions and executed receipts, by hash / id.
#[derive(Clone, Debug, Default)]
pub struct History {
    pub(crate) transactions: HashMap<CryptoHash, SignedTransaction>,
    pub(crate) receipts: HashMap<CryptoHash, Receipt>,
}

/// First bytes of a snapshot file.
const MAGIC: &[u8; 8] = b"EMBCHAIN";
/// Format of the body that follows; bumped on any change to [`Snapshot`].
const FORMAT: u32 = 1;

/// Why a snapshot could not be restored.
#[derive(Debug)]
pub enum RestoreError {
    /// Not a snapshot (wrong magic) or of another format version.
    Format(String),
    /// The body's hash does not match: truncated or corrupted.
    Corrupt,
    /// The body does not decode.
    Decode(std::io::Error),
}

impl std::fmt::Display for RestoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RestoreError::Format(why) => write!(f, "not a chain snapshot: {why}"),
            RestoreError::Corrupt => write!(f, "chain snapshot is corrupt (checksum mismatch)"),
            RestoreError::Decode(e) => write!(f, "chain snapshot does not decode: {e}"),
        }
    }
}

impl std::error::Error for RestoreError {}

#[derive(BorshSerialize, BorshDeserialize)]
struct AccountEntry {
    id: AccountId,
    amount: u128,
    locked: u128,
    storage_usage: u64,
    contract: AccountContract,
    keys: Vec<(PublicKey, AccessKey)>,
}

#[derive(BorshSerialize, BorshDeserialize)]
struct BlockEntry {
    height: u64,
    hash: CryptoHash,
    prev_hash: CryptoHash,
    timestamp_ns: u64,
    gas_price: u128,
}

#[derive(BorshSerialize, BorshDeserialize)]
enum StatusEntry {
    Value(Vec<u8>),
    Promise(CryptoHash),
    Failure(TxExecutionError),
}

#[derive(BorshSerialize, BorshDeserialize)]
struct ReceiptOutcomeEntry {
    receipt_id: CryptoHash,
    block_height: u64,
    block_hash: CryptoHash,
    receipt_ids: Vec<CryptoHash>,
    predecessor: String,
    executor: String,
    actions: Vec<String>,
    logs: Vec<String>,
    gas_burnt: u64,
    tokens_burnt: u128,
    vm_gas_burnt: u64,
    vm_profile: Vec<(String, u64)>,
    status: StatusEntry,
    is_refund: bool,
}

#[derive(BorshSerialize, BorshDeserialize)]
struct TxOutcomeEntry {
    tx_hash: CryptoHash,
    block_height: u64,
    receipt_id: Option<CryptoHash>,
    status: Result<Vec<u8>, TxExecutionError>,
    receipts: Vec<ReceiptOutcomeEntry>,
    conversion_gas_burnt: u64,
    total_gas_burnt: u64,
    tokens_burnt: u128,
    signer: String,
    receiver: String,
}

/// One account's contract data: (key, value) pairs in key order.
type DataEntry = (AccountId, Vec<(Vec<u8>, Vec<u8>)>);

#[derive(BorshSerialize, BorshDeserialize)]
struct Snapshot {
    root: AccountId,
    block_time_ns: u64,
    accounts: Vec<AccountEntry>,
    data: Vec<DataEntry>,
    codes: Vec<Vec<u8>>,
    /// NEP-591 global contracts: identifier and code.
    global_contracts: Vec<(GlobalContractIdentifier, Vec<u8>)>,
    blocks: Vec<BlockEntry>,
    outcomes: Vec<TxOutcomeEntry>,
    transactions: Vec<SignedTransaction>,
    receipts: Vec<Receipt>,
}

fn status_entry(status: &ReceiptStatus) -> StatusEntry {
    match status {
        ReceiptStatus::Value(v) => StatusEntry::Value(v.clone()),
        ReceiptStatus::Promise(id) => StatusEntry::Promise(*id),
        ReceiptStatus::Failure(e) => StatusEntry::Failure(e.clone()),
    }
}

fn receipt_outcome_entry(r: &ReceiptOutcome) -> ReceiptOutcomeEntry {
    ReceiptOutcomeEntry {
        receipt_id: r.receipt_id,
        block_height: r.block_height,
        block_hash: r.block_hash,
        receipt_ids: r.receipt_ids.clone(),
        predecessor: r.predecessor.clone(),
        executor: r.executor.clone(),
        actions: r.actions.clone(),
        logs: r.logs.clone(),
        gas_burnt: r.gas_burnt,
        tokens_burnt: r.tokens_burnt,
        vm_gas_burnt: r.vm_gas_burnt,
        vm_profile: r.vm_profile.clone(),
        status: status_entry(&r.status),
        is_refund: r.is_refund,
    }
}

fn receipt_outcome(e: ReceiptOutcomeEntry) -> ReceiptOutcome {
    // Events are what the logs say (as when the receipt ran).
    let events = e.logs.iter().filter_map(|l| Event::parse(l)).collect();
    ReceiptOutcome {
        receipt_id: e.receipt_id,
        block_height: e.block_height,
        block_hash: e.block_hash,
        receipt_ids: e.receipt_ids,
        predecessor: e.predecessor,
        executor: e.executor,
        actions: e.actions,
        logs: e.logs,
        events,
        gas_burnt: e.gas_burnt,
        tokens_burnt: e.tokens_burnt,
        vm_gas_burnt: e.vm_gas_burnt,
        vm_profile: e.vm_profile,
        status: match e.status {
            StatusEntry::Value(v) => ReceiptStatus::Value(v),
            StatusEntry::Promise(id) => ReceiptStatus::Promise(id),
            StatusEntry::Failure(err) => ReceiptStatus::Failure(err),
        },
        is_refund: e.is_refund,
    }
}

impl Chain {
    /// Records a receipt as it runs, in nearcore's form (refunds come from
    /// `system`, as nearcore's `new_balance_refund` / `new_gas_refund` make them).
    pub(crate) fn record_receipt(&mut self, receipt: &ChainReceipt) {
        let system: AccountId = "system".parse().expect("valid account id");
        let (predecessor, action) = match &receipt.kind {
            ReceiptKind::Action {
                signer,
                signer_public_key,
                gas_price,
                actions,
                input_data_ids,
                output_data_receivers,
                refund_to,
            } => (
                receipt.predecessor.clone(),
                ActionReceiptV2 {
                    signer_id: signer.clone(),
                    refund_to: (*refund_to != receipt.predecessor).then(|| refund_to.clone()),
                    signer_public_key: signer_public_key.clone(),
                    gas_price: *gas_price,
                    output_data_receivers: output_data_receivers
                        .iter()
                        .map(|(data_id, receiver_id)| DataReceiver {
                            data_id: *data_id,
                            receiver_id: receiver_id.clone(),
                        })
                        .collect(),
                    input_data_ids: input_data_ids.clone(),
                    actions: actions.clone(),
                },
            ),
            ReceiptKind::Refund { amount, access_key } => (
                system.clone(),
                ActionReceiptV2 {
                    signer_id: if access_key.is_some() { receipt.receiver.clone() } else { system.clone() },
                    refund_to: None,
                    signer_public_key: access_key.clone().unwrap_or_else(|| PublicKey::empty(KeyType::ED25519)),
                    gas_price: Balance::ZERO,
                    output_data_receivers: Vec::new(),
                    input_data_ids: Vec::new(),
                    actions: vec![Action::Transfer(TransferAction { deposit: *amount })],
                },
            ),
            // A global contract's distribution to `system` is the protocol's own
            // bookkeeping: its outcome is kept, not a receipt in history.
            ReceiptKind::GlobalContractDistribution { .. } => return,
        };
        let recorded = Receipt::V0(ReceiptV0 {
            predecessor_id: predecessor,
            receiver_id: receipt.receiver.clone(),
            receipt_id: receipt.id,
            receipt: ReceiptEnum::ActionV2(action),
        });
        self.history.receipts.insert(receipt.id, recorded);
    }

    /// Records an accepted transaction.
    pub(crate) fn record_transaction(&mut self, tx: &SignedTransaction) {
        self.history.transactions.insert(tx.get_hash(), tx.clone());
    }

    /// An accepted transaction by its hash, as it was submitted (the chain's
    /// unsigned convenience transactions carry an empty signature).
    pub fn transaction(&self, tx_hash: &CryptoHash) -> Option<&SignedTransaction> {
        self.history.transactions.get(tx_hash)
    }

    /// A receipt the chain ran, by id, as nearcore's `Receipt`.
    pub fn receipt(&self, receipt_id: &CryptoHash) -> Option<&Receipt> {
        self.history.receipts.get(receipt_id)
    }

    /// The kept block at `height`, if any (only the last
    /// [`crate::TX_VALIDITY_PERIOD`] + 1 blocks are kept; heights skipped by a
    /// long fast-forward have none).
    pub fn block_at(&self, height: u64) -> Option<&BlockInfo> {
        let first = self.blocks.front()?.height;
        let block = self.blocks.get(height.checked_sub(first)? as usize)?;
        (block.height == height).then_some(block).or_else(|| self.blocks.iter().find(|b| b.height == height))
    }

    /// The oldest kept block.
    pub fn earliest_block(&self) -> &BlockInfo {
        self.blocks.front().expect("the chain has a genesis block")
    }

    /// The whole chain as bytes (see the module docs); [`Chain::restore`]
    /// reads them back. Deterministic: the same chain gives the same bytes.
    pub fn snapshot(&self) -> Vec<u8> {
        let mut accounts: Vec<AccountEntry> = self
            .accounts
            .iter()
            .map(|(id, a)| AccountEntry {
                id: id.clone(),
                amount: a.amount.as_yoctonear(),
                locked: a.locked.as_yoctonear(),
                storage_usage: a.storage_usage,
                contract: a.contract.clone(),
                keys: a.keys.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            })
            .collect();
        accounts.sort_by(|a, b| a.id.cmp(&b.id));
        let mut data: Vec<DataEntry> = self
            .data
            .iter()
            .map(|(id, d)| (id.clone(), d.iter().map(|(k, v)| (k.clone(), v.clone())).collect()))
            .collect();
        data.sort_by(|a, b| a.0.cmp(&b.0));
        let mut global_contracts: Vec<(GlobalContractIdentifier, Vec<u8>)> =
            self.global_contracts.iter().map(|(id, c)| (id.clone(), c.code().to_vec())).collect();
        global_contracts.sort_by_key(|a| borsh::to_vec(&a.0).unwrap_or_default());
        let mut codes: Vec<(CryptoHash, Vec<u8>)> = self.codes.iter().map(|(h, c)| (*h, c.code().to_vec())).collect();
        codes.sort_by_key(|c| c.0);
        let blocks = self
            .blocks
            .iter()
            .map(|b| BlockEntry {
                height: b.height,
                hash: b.hash,
                prev_hash: b.prev_hash,
                timestamp_ns: b.timestamp_ns,
                gas_price: b.gas_price.as_yoctonear(),
            })
            .collect();
        let mut outcomes: Vec<TxOutcomeEntry> = self
            .tx_outcomes
            .values()
            .map(|o| TxOutcomeEntry {
                tx_hash: o.tx_hash,
                block_height: o.block_height,
                receipt_id: o.receipt_id,
                status: o.status.clone(),
                receipts: o.receipts.iter().map(receipt_outcome_entry).collect(),
                conversion_gas_burnt: o.conversion_gas_burnt,
                total_gas_burnt: o.total_gas_burnt,
                tokens_burnt: o.tokens_burnt,
                signer: o.signer.clone(),
                receiver: o.receiver.clone(),
            })
            .collect();
        outcomes.sort_by_key(|o| (o.block_height, o.tx_hash));
        let mut transactions: Vec<SignedTransaction> = self.history.transactions.values().cloned().collect();
        transactions.sort_by_key(|t| t.get_hash());
        let mut receipts: Vec<(CryptoHash, Receipt)> =
            self.history.receipts.iter().map(|(id, r)| (*id, r.clone())).collect();
        receipts.sort_by_key(|r| r.0);
        let snapshot = Snapshot {
            root: self.root.clone(),
            block_time_ns: self.block_time_ns,
            accounts,
            data,
            codes: codes.into_iter().map(|c| c.1).collect(),
            global_contracts,
            blocks,
            outcomes,
            transactions,
            receipts: receipts.into_iter().map(|r| r.1).collect(),
        };
        let body = borsh::to_vec(&snapshot).expect("borsh of in-memory data");
        let mut out = Vec::with_capacity(body.len() + 44);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT.to_le_bytes());
        out.extend_from_slice(&Sha256::digest(&body));
        out.extend_from_slice(&body);
        out
    }

    /// A chain from [`Chain::snapshot`] bytes; refuses anything else
    /// (another format, a truncated or corrupted file) with a [`RestoreError`].
    pub fn restore(bytes: &[u8]) -> Result<Chain, RestoreError> {
        if bytes.len() < 44 || &bytes[..8] != MAGIC {
            return Err(RestoreError::Format("missing header".into()));
        }
        let format = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if format != FORMAT {
            return Err(RestoreError::Format(format!("format {format}, expected {FORMAT}")));
        }
        let body = &bytes[44..];
        let digest: [u8; 32] = Sha256::digest(body).into();
        if digest[..] != bytes[12..44] {
            return Err(RestoreError::Corrupt);
        }
        let s: Snapshot = borsh::from_slice(body).map_err(RestoreError::Decode)?;
        let mut chain = Chain::with_block_time(s.block_time_ns);
        chain.root = s.root;
        chain.shape = TrieShape::default();
        chain.accounts = BTreeMap::new();
        for a in s.accounts {
            chain.shape.insert(account_key(a.id.as_str()));
            let mut record = AccountRecord::new(Balance::from_yoctonear(a.amount), a.storage_usage);
            record.locked = Balance::from_yoctonear(a.locked);
            record.contract = a.contract;
            record.keys = a.keys.into_iter().collect();
            chain.accounts.insert(a.id, record);
        }
        chain.data = HashMap::new();
        for (id, entries) in s.data {
            for (key, _) in &entries {
                chain.shape.insert(data_key(id.as_str(), key));
            }
            chain.data.insert(id, entries.into_iter().collect());
        }
        chain.codes = s
            .codes
            .into_iter()
            .map(|code| {
                let code = Arc::new(ContractCode::new(code, None));
                (*code.hash(), code)
            })
            .collect();
        chain.global_contracts =
            s.global_contracts.into_iter().map(|(id, code)| (id, Arc::new(ContractCode::new(code, None)))).collect();
        if s.blocks.is_empty() {
            return Err(RestoreError::Format("no blocks".into()));
        }
        chain.blocks = s
            .blocks
            .into_iter()
            .map(|b| BlockInfo {
                height: b.height,
                hash: b.hash,
                prev_hash: b.prev_hash,
                timestamp_ns: b.timestamp_ns,
                gas_price: Balance::from_yoctonear(b.gas_price),
            })
            .collect();
        chain.tx_outcomes = HashMap::new();
        chain.receipt_txs = HashMap::new();
        for o in s.outcomes {
            for r in &o.receipts {
                chain.receipt_txs.insert(r.receipt_id, o.tx_hash);
            }
            let outcome = TxOutcome {
                tx_hash: o.tx_hash,
                block_height: o.block_height,
                receipt_id: o.receipt_id,
                status: o.status,
                receipts: o.receipts.into_iter().map(receipt_outcome).collect(),
                conversion_gas_burnt: o.conversion_gas_burnt,
                total_gas_burnt: o.total_gas_burnt,
                tokens_burnt: o.tokens_burnt,
                signer: o.signer,
                receiver: o.receiver,
            };
            chain.tx_outcomes.insert(o.tx_hash, outcome);
        }
        chain.history = History {
            transactions: s.transactions.into_iter().map(|t| (t.get_hash(), t)).collect(),
            receipts: s.receipts.into_iter().map(|r| (*r.receipt_id(), r)).collect(),
        };
        Ok(chain)
    }
}

impl Chain {
    /// Sets an account's balances as a sandbox's `patch_state` does with an
    /// `Account` record, creating the account (its record's storage only) if
    /// it does not exist. Nothing else runs.
    pub fn patch_account(&mut self, id: &AccountId, amount: Balance, locked: Balance) {
        let record_bytes = self.config.fees.storage_usage_config.num_bytes_account;
        if !self.accounts.contains_key(id) {
            self.shape.insert(account_key(id.as_str()));
        }
        let account = self.accounts.entry(id.clone()).or_insert_with(|| AccountRecord::new(amount, record_bytes));
        account.amount = amount;
        account.locked = locked;
    }

    /// Sets (or replaces) an access key of an existing account, storage counted
    /// as the `AddKey` action counts it (sandbox `patch_state` with an
    /// `AccessKey` record). Returns `false` if the account does not exist.
    pub fn patch_access_key(&mut self, id: &AccountId, public_key: &PublicKey, key: AccessKey) -> bool {
        let bytes = crate::keys::access_key_storage(&self.config, public_key, &key);
        let Some(account) = self.accounts.get_mut(id) else { return false };
        if let Some(old) = account.keys.insert(public_key.clone(), key) {
            account.storage_usage -= crate::keys::access_key_storage(&self.config, public_key, &old);
        }
        account.storage_usage += bytes;
        true
    }

    /// Sets an existing account's code (sandbox `patch_state` with a
    /// `Contract` record), storage usage following. Returns `false` if the
    /// account does not exist.
    pub fn patch_code(&mut self, id: &AccountId, code: Vec<u8>) -> bool {
        let code = Arc::new(ContractCode::new(code, None));
        let Some(account) = self.accounts.get_mut(id) else { return false };
        let old_len = match &account.contract {
            AccountContract::Local(h) => self.codes.get(h).map(|c| c.code().len() as u64).unwrap_or(0),
            AccountContract::Global(_) => 32,
            AccountContract::GlobalByAccount(id) => id.len() as u64,
            AccountContract::None => 0,
        };
        account.storage_usage = account.storage_usage - old_len + code.code().len() as u64;
        account.contract = AccountContract::Local(*code.hash());
        self.codes.insert(*code.hash(), code);
        true
    }
}

impl Chain {
    /// The code deployed to `id`, if any.
    pub fn code(&self, id: &AccountId) -> Option<&[u8]> {
        let account = self.accounts.get(id)?;
        match &account.contract {
            AccountContract::Local(hash) => self.codes.get(hash).map(|c| c.code()),
            AccountContract::Global(hash) => {
                self.global_contracts.get(&GlobalContractIdentifier::CodeHash(*hash)).map(|c| c.code())
            }
            AccountContract::GlobalByAccount(owner) => {
                self.global_contracts.get(&GlobalContractIdentifier::AccountId(owner.clone())).map(|c| c.code())
            }
            AccountContract::None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{near, signer_of};

    fn busy_chain() -> Chain {
        let mut chain = Chain::new();
        let alice = chain.create_account("alice", near(10));
        chain.transfer(&alice, &chain.root(), near(1)).assert_success();
        chain.patch_state(&alice, b"k".to_vec(), b"v".to_vec());
        chain.fast_forward(3);
        chain
    }

    #[test]
    fn a_restored_chain_is_the_same_chain() {
        let chain = busy_chain();
        let bytes = chain.snapshot();
        let restored = Chain::restore(&bytes).expect("restores");
        assert_eq!(restored.snapshot(), bytes, "snapshot -> restore -> snapshot is the identity");
        let alice: AccountId = "alice.test.near".parse().unwrap();
        assert_eq!(restored.view_account(&alice), chain.view_account(&alice));
        assert_eq!(restored.view_state(&alice, b""), chain.view_state(&alice, b""));
        assert_eq!(restored.head(), chain.head());
        assert_eq!(restored.trie_key_count(), chain.trie_key_count());
        let key = signer_of(&alice).public_key();
        assert_eq!(restored.view_access_key(&alice, &key), chain.view_access_key(&alice, &key));
        for (hash, outcome) in &chain.tx_outcomes {
            let back = restored.tx_outcome(hash).expect("outcome kept");
            assert_eq!(back.status, outcome.status);
            assert_eq!(back.receipts.len(), outcome.receipts.len());
            assert!(restored.transaction(hash).is_some());
            for r in &outcome.receipts {
                assert_eq!(restored.receipt(&r.receipt_id), chain.receipt(&r.receipt_id));
                assert_eq!(restored.receipt_outcome(&r.receipt_id).map(|o| o.gas_burnt), Some(r.gas_burnt));
            }
        }
        // The restored chain goes on: nonces continue, and it is still deterministic.
        let mut a = chain;
        let mut b = restored;
        a.transfer(&alice, &a.root(), near(1)).assert_success();
        b.transfer(&alice, &b.root(), near(1)).assert_success();
        assert_eq!(a.snapshot(), b.snapshot());
    }

    #[test]
    fn a_damaged_snapshot_is_refused() {
        let bytes = busy_chain().snapshot();
        let mut flipped = bytes.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 1;
        assert!(matches!(Chain::restore(&flipped), Err(RestoreError::Corrupt)));
        assert!(matches!(Chain::restore(&bytes[..bytes.len() - 1]), Err(RestoreError::Corrupt)));
        assert!(matches!(Chain::restore(b"garbage"), Err(RestoreError::Format(_))));
        let mut other_format = bytes.clone();
        other_format[8] = 99;
        assert!(matches!(Chain::restore(&other_format), Err(RestoreError::Format(_))));
    }
}
