//! The chain's records as nearcore's RPC views (`near_primitives::views`).

use embedded_chain::{BlockInfo, Chain, CryptoHash, ReceiptOutcome, ReceiptStatus, TxOutcome, PROTOCOL_VERSION};
use near_crypto::{KeyType, PublicKey, Signature};
use near_primitives::types::ShardId;
use near_primitives::views::{
    BlockHeaderView, BlockView, ChunkHeaderView, ExecutionMetadataView, ExecutionOutcomeView,
    ExecutionOutcomeWithIdView, ExecutionStatusView, FinalExecutionOutcomeView, FinalExecutionOutcomeWithReceiptView,
    FinalExecutionStatus, ReceiptView, SignedTransactionView,
};
use near_primitives_core::types::{AccountId, Balance, Gas};

/// Total supply reported in block headers: what the genesis accounts hold.
const TOTAL_SUPPLY: u128 = 1_002_000_000 * 10u128.pow(24);

fn chunk_hash(block: &BlockInfo) -> CryptoHash {
    CryptoHash::hash_borsh(("chunk", block.hash))
}

/// The block `block` as `block` answers it: one shard, one chunk; the node
/// is its own only validator (`test.near`); every block is final at once.
pub fn block_view(chain: &Chain, block: &BlockInfo) -> BlockView {
    let author = chain.root();
    let prev_height = (block.height > chain.earliest_block().height).then(|| block.height - 1);
    let header = BlockHeaderView {
        height: block.height,
        prev_height,
        epoch_id: CryptoHash::default(),
        next_epoch_id: CryptoHash::default(),
        hash: block.hash,
        prev_hash: block.prev_hash,
        prev_state_root: CryptoHash::default(),
        block_body_hash: None,
        chunk_receipts_root: CryptoHash::default(),
        chunk_headers_root: CryptoHash::default(),
        chunk_tx_root: CryptoHash::default(),
        outcome_root: CryptoHash::default(),
        chunks_included: 1,
        challenges_root: CryptoHash::default(),
        timestamp: block.timestamp_ns,
        timestamp_nanosec: block.timestamp_ns,
        random_value: CryptoHash::hash_borsh(("random", block.hash)),
        validator_proposals: Vec::new(),
        chunk_mask: vec![true],
        gas_price: block.gas_price,
        block_ordinal: Some(block.height),
        rent_paid: Balance::ZERO,
        validator_reward: Balance::ZERO,
        total_supply: Balance::from_yoctonear(TOTAL_SUPPLY),
        challenges_result: Vec::new(),
        last_final_block: block.hash,
        last_ds_final_block: block.hash,
        next_bp_hash: CryptoHash::default(),
        block_merkle_root: CryptoHash::default(),
        epoch_sync_data_hash: None,
        approvals: Vec::new(),
        signature: Signature::empty(KeyType::ED25519),
        latest_protocol_version: PROTOCOL_VERSION,
        chunk_endorsements: None,
        shard_split: None,
        prev_last_certified_block_epoch_id: None,
        spice_chunk_endorsement_stats: None,
        chunk_execution_root: None,
    };
    let chunk = ChunkHeaderView {
        chunk_hash: chunk_hash(block),
        prev_block_hash: block.prev_hash,
        outcome_root: CryptoHash::default(),
        prev_state_root: CryptoHash::default(),
        encoded_merkle_root: CryptoHash::default(),
        encoded_length: 0,
        height_created: block.height,
        height_included: block.height,
        shard_id: ShardId::new(0),
        gas_used: Gas::ZERO,
        gas_limit: Gas::from_teragas(1_000),
        rent_paid: Balance::ZERO,
        validator_reward: Balance::ZERO,
        balance_burnt: Balance::ZERO,
        outgoing_receipts_root: CryptoHash::default(),
        tx_root: CryptoHash::default(),
        validator_proposals: Vec::new(),
        congestion_info: None,
        bandwidth_requests: None,
        proposed_split: None,
        signature: Signature::empty(KeyType::ED25519),
    };
    BlockView { author, header, chunks: vec![chunk] }
}

fn metadata() -> ExecutionMetadataView {
    ExecutionMetadataView { version: 1, gas_profile: None, contracts: None }
}

fn block_hash_at(chain: &Chain, height: u64) -> CryptoHash {
    chain.block_at(height).map(|b| b.hash).unwrap_or_default()
}

fn receipt_outcome_view(r: &ReceiptOutcome) -> ExecutionOutcomeWithIdView {
    let status = match &r.status {
        ReceiptStatus::Value(v) => ExecutionStatusView::SuccessValue(v.clone()),
        ReceiptStatus::Promise(id) => ExecutionStatusView::SuccessReceiptId(*id),
        ReceiptStatus::Failure(e) => ExecutionStatusView::Failure(e.clone()),
    };
    ExecutionOutcomeWithIdView {
        proof: Vec::new(),
        block_hash: r.block_hash,
        id: r.receipt_id,
        outcome: ExecutionOutcomeView {
            logs: r.logs.clone(),
            receipt_ids: r.receipt_ids.clone(),
            gas_burnt: Gas::from_gas(r.gas_burnt),
            tokens_burnt: Balance::from_yoctonear(r.tokens_burnt),
            executor_id: r.executor.parse().unwrap_or_else(|_| "system".parse().expect("valid")),
            status,
            metadata: metadata(),
        },
    }
}

/// A transaction's final outcome as `tx` / `broadcast_tx_commit` answer it.
/// `None` if the chain does not hold the transaction itself.
pub fn final_outcome(chain: &Chain, outcome: &TxOutcome) -> Option<FinalExecutionOutcomeView> {
    let tx = chain.transaction(&outcome.tx_hash)?;
    let signer: AccountId = outcome.signer.parse().ok()?;
    let status = match &outcome.status {
        Ok(v) => FinalExecutionStatus::SuccessValue(v.clone()),
        Err(e) => FinalExecutionStatus::Failure(e.clone()),
    };
    let transaction_outcome = ExecutionOutcomeWithIdView {
        proof: Vec::new(),
        block_hash: block_hash_at(chain, outcome.block_height),
        id: outcome.tx_hash,
        outcome: ExecutionOutcomeView {
            logs: Vec::new(),
            receipt_ids: outcome.receipt_id.into_iter().collect(),
            gas_burnt: Gas::from_gas(outcome.conversion_gas_burnt),
            tokens_burnt: Balance::from_yoctonear(
                outcome.tokens_burnt.saturating_sub(outcome.receipts.iter().map(|r| r.tokens_burnt).sum()),
            ),
            executor_id: signer,
            status: match outcome.receipt_id {
                Some(id) => ExecutionStatusView::SuccessReceiptId(id),
                None => ExecutionStatusView::Unknown,
            },
            metadata: metadata(),
        },
    };
    Some(FinalExecutionOutcomeView {
        status,
        transaction: SignedTransactionView::from(tx.clone()),
        transaction_outcome,
        receipts_outcome: outcome.receipts.iter().map(receipt_outcome_view).collect(),
    })
}

/// [`final_outcome`] with every receipt (`EXPERIMENTAL_tx_status`).
pub fn final_outcome_with_receipts(chain: &Chain, outcome: &TxOutcome) -> Option<FinalExecutionOutcomeWithReceiptView> {
    let final_outcome = final_outcome(chain, outcome)?;
    let receipts = outcome
        .receipts
        .iter()
        .filter_map(|r| chain.receipt(&r.receipt_id))
        .map(|r| ReceiptView::from(r.clone()))
        .collect();
    Some(FinalExecutionOutcomeWithReceiptView { final_outcome, receipts })
}

/// The public key of the node (the root's).
pub fn node_key(chain: &Chain) -> PublicKey {
    embedded_chain::genesis_key(&chain.root())
}
