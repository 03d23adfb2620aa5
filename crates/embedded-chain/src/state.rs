//! The chain's state: accounts and their access keys, contract data and code,
//! blocks; genesis and the sandbox-style patches.

use crate::keys::{access_key_storage, signer_of};
use crate::outcome::{ReceiptOutcome, TxOutcome};
use crate::trie::{account_key, data_key, TrieShape};
use near_crypto::PublicKey;
use near_parameters::{RuntimeConfig, RuntimeConfigStore};
use near_primitives::account::AccessKey;
use near_primitives::action::GlobalContractIdentifier;
use near_primitives::block_header::{BlockHeader, BlockHeaderInnerLite};
use near_primitives_core::account::AccountContract;
use near_primitives_core::hash::CryptoHash;
use near_primitives_core::types::{AccountId, Balance, Gas};
use near_vm_runner::ContractCode;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

/// Protocol version whose parameters the chain runs with (mainnet at the time of writing).
pub const PROTOCOL_VERSION: u32 = 88;
/// Genesis block timestamp: 2026-01-01T00:00:00Z, in nanoseconds.
pub const GENESIS_TIMESTAMP_NS: u64 = 1_767_225_600_000_000_000;
/// Default time between blocks.
pub const DEFAULT_BLOCK_TIME_NS: u64 = 1_000_000_000;
/// Gas attached to a call when the caller does not say.
pub const DEFAULT_CALL_GAS: Gas = Gas::from_teragas(100);
/// Blocks a transaction's `block_hash` stays valid for (mainnet genesis
/// `transaction_validity_period`).
pub const TX_VALIDITY_PERIOD: u64 = 86_400;
/// Chain id the VM reports (`env::chain_id`) and blocks are hashed with.
pub const CHAIN_ID: &str = "embedded";

/// An account as the chain stores it.
#[derive(Clone, Debug)]
pub struct AccountRecord {
    pub amount: Balance,
    pub locked: Balance,
    /// Bytes the account occupies: its record, keys, code and contract data.
    pub storage_usage: u64,
    /// The account's contract: none, its own code (by hash), or a global
    /// contract by code hash or by the account that deployed it (NEP-591).
    pub contract: AccountContract,
    /// Access keys (nonce and permission) by public key.
    pub keys: BTreeMap<PublicKey, AccessKey>,
}

impl AccountRecord {
    pub(crate) fn new(amount: Balance, storage_usage: u64) -> Self {
        AccountRecord {
            amount,
            locked: Balance::ZERO,
            storage_usage,
            contract: AccountContract::None,
            keys: BTreeMap::new(),
        }
    }
}

/// One block of the chain: what a transaction's `block_hash` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockInfo {
    pub height: u64,
    /// Computed as nearcore computes a header's hash (`BlockHeader::compute_hash`
    /// over a `BlockHeaderInnerLite` and an inner-rest part): the chain has no
    /// validators or chunks, so the fields it cannot fill are zero and the
    /// inner rest holds the chain id and gas price.
    pub hash: CryptoHash,
    pub prev_hash: CryptoHash,
    pub timestamp_ns: u64,
    pub gas_price: Balance,
}

/// An in-process NEAR chain running the real VM. See the crate docs.
pub struct Chain {
    pub(crate) config: Arc<RuntimeConfig>,
    pub(crate) accounts: BTreeMap<AccountId, AccountRecord>,
    pub(crate) data: HashMap<AccountId, BTreeMap<Vec<u8>, Vec<u8>>>,
    pub(crate) codes: HashMap<CryptoHash, Arc<ContractCode>>,
    /// NEP-591 global contracts by identifier (code hash or deploying account).
    pub(crate) global_contracts: HashMap<GlobalContractIdentifier, Arc<ContractCode>>,
    pub(crate) shape: TrieShape,
    /// The last `TX_VALIDITY_PERIOD + 1` blocks, oldest first.
    pub(crate) blocks: VecDeque<BlockInfo>,
    pub(crate) block_time_ns: u64,
    pub(crate) root: AccountId,
    /// Outcomes by transaction hash, and the transaction of each receipt id.
    pub(crate) tx_outcomes: HashMap<CryptoHash, TxOutcome>,
    pub(crate) receipt_txs: HashMap<CryptoHash, CryptoHash>,
    /// Accepted transactions and executed receipts in nearcore's types (store.rs).
    pub(crate) history: crate::store::History,
}

pub(crate) fn acc(s: &str) -> AccountId {
    s.parse().expect("valid account id")
}

impl Default for Chain {
    fn default() -> Self {
        Self::new()
    }
}

impl Chain {
    /// A chain at genesis with `near`, `registrar` and the root account `test.near`
    /// (which holds almost all tokens, like a sandbox's `test.near`). Every
    /// genesis account has the full-access key of [`signer_of`] its id.
    pub fn new() -> Self {
        Self::with_block_time(DEFAULT_BLOCK_TIME_NS)
    }

    /// Same as [`Chain::new`], with blocks `block_time_ns` apart.
    pub fn with_block_time(block_time_ns: u64) -> Self {
        Self::genesis(GENESIS_TIMESTAMP_NS, block_time_ns)
    }

    /// Same as [`Chain::new`], with the genesis block at `timestamp_ns`: for
    /// fixtures valid only in a window of time (signed attestation collateral).
    pub fn starting_at(timestamp_ns: u64) -> Self {
        Self::genesis(timestamp_ns, DEFAULT_BLOCK_TIME_NS)
    }

    fn genesis(timestamp_ns: u64, block_time_ns: u64) -> Self {
        let store = RuntimeConfigStore::new(None);
        let config = store.get_config(PROTOCOL_VERSION).clone();
        let mut chain = Chain {
            config,
            accounts: BTreeMap::new(),
            data: HashMap::new(),
            codes: HashMap::new(),
            global_contracts: HashMap::new(),
            shape: TrieShape::default(),
            blocks: VecDeque::new(),
            block_time_ns,
            root: acc("test.near"),
            tx_outcomes: HashMap::new(),
            receipt_txs: HashMap::new(),
            history: Default::default(),
        };
        chain.push_block(1, CryptoHash::default(), timestamp_ns);
        let yocto_per_near = 10u128.pow(24);
        chain.genesis_account(acc("near"), Balance::from_yoctonear(1_000_000 * yocto_per_near));
        chain.genesis_account(acc("registrar"), Balance::from_yoctonear(1_000_000 * yocto_per_near));
        chain.genesis_account(acc("test.near"), Balance::from_yoctonear(1_000_000_000 * yocto_per_near));
        chain
    }

    fn genesis_account(&mut self, id: AccountId, amount: Balance) {
        let mut record = AccountRecord::new(amount, self.config.fees.storage_usage_config.num_bytes_account);
        let key = signer_of(&id).public_key();
        let access_key = AccessKey::full_access();
        record.storage_usage += access_key_storage(&self.config, &key, &access_key);
        record.keys.insert(key, access_key);
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

    /// The latest block.
    pub fn head(&self) -> &BlockInfo {
        self.blocks.back().expect("the chain has a genesis block")
    }

    /// A block of the last [`TX_VALIDITY_PERIOD`] by hash.
    pub fn block_by_hash(&self, hash: &CryptoHash) -> Option<&BlockInfo> {
        self.blocks.iter().rev().find(|b| b.hash == *hash)
    }

    pub fn block_height(&self) -> u64 {
        self.head().height
    }

    pub fn block_timestamp(&self) -> u64 {
        self.head().timestamp_ns
    }

    pub fn block_time_ns(&self) -> u64 {
        self.block_time_ns
    }

    /// The gas price of the next block.
    pub fn gas_price(&self) -> Balance {
        self.head().gas_price
    }

    /// Produces `blocks` empty blocks.
    pub fn fast_forward(&mut self, blocks: u64) {
        // Only the last TX_VALIDITY_PERIOD + 1 blocks are kept: a long jump
        // hashes just those (their chain starts from the last skipped height).
        let keep = TX_VALIDITY_PERIOD + 1;
        if blocks > keep {
            let head = self.head().clone();
            let skipped = blocks - keep;
            let prev = CryptoHash::hash_borsh((CHAIN_ID, head.height + skipped, "skipped"));
            self.blocks.clear();
            self.push_block(head.height + skipped, prev, head.timestamp_ns + skipped * self.block_time_ns);
            for _ in 1..keep {
                self.next_block();
            }
            return;
        }
        for _ in 0..blocks {
            self.next_block();
        }
    }

    pub(crate) fn next_block(&mut self) {
        let head = self.head().clone();
        self.push_block(head.height + 1, head.hash, head.timestamp_ns + self.block_time_ns);
    }

    fn push_block(&mut self, height: u64, prev_hash: CryptoHash, timestamp_ns: u64) {
        let gas_price = Balance::from_yoctonear(crate::fees::GAS_PRICE);
        let inner_lite = BlockHeaderInnerLite { height, timestamp: timestamp_ns, ..Default::default() };
        let inner_rest = borsh::to_vec(&(CHAIN_ID, gas_price.as_yoctonear())).expect("borsh");
        let hash = BlockHeader::compute_hash(prev_hash, &borsh::to_vec(&inner_lite).expect("borsh"), &inner_rest);
        self.blocks.push_back(BlockInfo { height, hash, prev_hash, timestamp_ns, gas_price });
        while self.blocks.len() as u64 > TX_VALIDITY_PERIOD + 1 {
            self.blocks.pop_front();
        }
    }

    /// The code hash of the global contract `identifier` (`None`: not deployed).
    pub fn global_contract_hash(&self, identifier: &GlobalContractIdentifier) -> Option<CryptoHash> {
        self.global_contracts.get(identifier).map(|code| *code.hash())
    }

    /// Number of keys in the chain's state trie (drives trie-node gas).
    pub fn trie_key_count(&self) -> usize {
        self.shape.len()
    }

    /// The outcome of a transaction by its hash (transactions refused at
    /// submission are not stored, as on chain).
    pub fn tx_outcome(&self, tx_hash: &CryptoHash) -> Option<&TxOutcome> {
        self.tx_outcomes.get(tx_hash)
    }

    /// The outcome of a receipt by its id.
    pub fn receipt_outcome(&self, receipt_id: &CryptoHash) -> Option<&ReceiptOutcome> {
        let tx = self.tx_outcomes.get(self.receipt_txs.get(receipt_id)?)?;
        tx.receipts.iter().find(|r| r.receipt_id == *receipt_id)
    }

    // ----- sandbox-style patches -------------------------------------------------

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

    /// Moves `amount` of an account's balance into its locked balance, as a
    /// sandbox's `patch_state` of the account record can (the chain runs no
    /// staking): for tests of what a staking account may not do.
    pub fn patch_locked(&mut self, id: &AccountId, amount: Balance) {
        let account = self.accounts.get_mut(id).expect("patch_locked: account exists");
        account.amount = account.amount.checked_sub(amount).expect("patch_locked: balance covers the amount");
        account.locked = account.locked.saturating_add(amount);
    }

    /// Gives `id` a full-access key by patching state (sandbox-style, as
    /// nearcore's `sandbox_patch_state` can), storage counted as the
    /// `AddKey` action counts it. For tests that act as an account whose keys
    /// were deleted, e.g. the DAO calling its contracts directly; no
    /// transaction can do this.
    pub fn patch_full_access_key(&mut self, id: &AccountId, key: &PublicKey) {
        let access_key = AccessKey::full_access();
        let bytes = access_key_storage(&self.config, key, &access_key);
        let account = self.accounts.get_mut(id).expect("patch_full_access_key: account exists");
        if account.keys.insert(key.clone(), access_key).is_none() {
            account.storage_usage += bytes;
        }
    }
}
