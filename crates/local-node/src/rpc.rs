//! The JSON-RPC methods, answered as neard answers them.
//!
//! Every reply is built from `near-jsonrpc-primitives` / `near-primitives`
//! types; every error is one of nearcore's error objects (`RpcError` with its
//! `name` / `cause`), so a client parses both as it parses neard's.

use crate::views::{block_view, final_outcome, final_outcome_with_receipts, node_key};
use crate::Node;
use embedded_chain::{BlockInfo, Chain, CryptoHash, TxOutcome, ViewError, CHAIN_ID, PROTOCOL_VERSION};
use near_chain_configs::{GenesisConfig, ProtocolConfig, ProtocolConfigView};
use near_jsonrpc_primitives::errors::RpcError;
use near_jsonrpc_primitives::message::{Message, Request};
use near_jsonrpc_primitives::types::blocks::RpcBlockError;
use near_jsonrpc_primitives::types::config::{RpcProtocolConfigError, RpcProtocolConfigResponse};
use near_jsonrpc_primitives::types::gas_price::{RpcGasPriceError, RpcGasPriceResponse};
use near_jsonrpc_primitives::types::query::{QueryResponseKind, RpcQueryError, RpcQueryResponse};
use near_jsonrpc_primitives::types::receipts::RpcReceiptError;
use near_jsonrpc_primitives::types::sandbox::{RpcSandboxFastForwardResponse, RpcSandboxPatchStateError};
use near_jsonrpc_primitives::types::transactions::{RpcTransactionError, RpcTransactionResponse};
use near_jsonrpc_primitives::types::validator::RpcValidatorError;
use near_primitives::account::{Account, AccountContract};
use near_primitives::state_record::StateRecord;
use near_primitives::transaction::SignedTransaction;
use near_primitives::types::{
    AccountInfo, BlockId, BlockReference, EpochReference, Finality, StoreKey, StoreValue, SyncCheckpoint,
};
use near_primitives::version::Version;
use near_primitives::views::{
    AccessKeyInfoView, AccessKeyList, AccessKeyView, AccountView, CallResult, ContractCodeView,
    CurrentEpochValidatorInfo, EpochValidatorInfo, FinalExecutionOutcomeViewEnum, GasPriceView, NextEpochValidatorInfo,
    QueryRequest, StateItem, StatusResponse, StatusSyncInfo, TxExecutionStatus, ValidatorInfo, ViewStateResult,
};
use near_primitives_core::types::{AccountId, Balance};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// HTTP status of a reply, as neard sets it: 400 for a request that does not
/// validate, 408 for a timeout, 500 for an internal error, 200 otherwise.
pub fn http_status(message: &Message) -> u16 {
    use near_jsonrpc_primitives::errors::RpcErrorKind;
    let Message::Response(response) = message else { return 200 };
    let Err(err) = &response.result else { return 200 };
    match &err.error_struct {
        Some(RpcErrorKind::RequestValidationError(_)) => 400,
        Some(RpcErrorKind::HandlerError(cause)) if cause.get("name") == Some(&json!("TIMEOUT_ERROR")) => 408,
        Some(RpcErrorKind::InternalError(_)) => 500,
        _ => 200,
    }
}

/// Answers one HTTP body: a JSON-RPC request, or the parse error neard gives.
pub fn handle(node: &Node, body: &[u8]) -> Message {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return Message::error(RpcError::parse_error(format!("invalid json: {e}"))),
    };
    match serde_json::from_value::<Message>(value) {
        Ok(Message::Request(request)) => {
            let id = request.id.clone();
            Message::response(id, dispatch(node, request))
        }
        _ => Message::error(RpcError::parse_error("JSON RPC Request format was expected".to_owned())),
    }
}

fn parse<T: DeserializeOwned>(value: Value) -> Result<T, RpcError> {
    serde_json::from_value(value).map_err(|e| RpcError::parse_error(format!("Failed parsing args: {e}")))
}

/// `[x]` (a legacy positional form) as `Some(x)`.
fn singleton(params: &Value) -> Option<Value> {
    match params {
        Value::Array(items) if items.len() == 1 => Some(items[0].clone()),
        _ => None,
    }
}

fn internal(e: impl std::fmt::Display) -> RpcError {
    RpcError::new_internal_error(None, e.to_string())
}

fn to_value<T: serde::Serialize>(v: T) -> Result<Value, RpcError> {
    serde_json::to_value(v).map_err(|e| RpcError::serialization_error(e.to_string()))
}

fn dispatch(node: &Node, request: Request) -> Result<Value, RpcError> {
    let params = request.params;
    match request.method.as_str() {
        "status" => status(node),
        "health" => Ok(Value::Null),
        "block" => block(node, params),
        "gas_price" => gas_price(node, params),
        "query" => query(node, params),
        "send_tx" => send_tx(node, params),
        "broadcast_tx_commit" => broadcast_tx_commit(node, params),
        "broadcast_tx_async" => broadcast_tx_async(node, params),
        "tx" => tx_status(node, params, false),
        "EXPERIMENTAL_tx_status" => tx_status(node, params, true),
        "EXPERIMENTAL_receipt" => receipt(node, params),
        "EXPERIMENTAL_protocol_config" => protocol_config(node, params),
        "genesis_config" | "EXPERIMENTAL_genesis_config" => to_value(genesis_config(&node.chain())),
        "validators" => validators(node, params),
        "sandbox_fast_forward" => fast_forward(node, params),
        "sandbox_patch_state" => patch_state(node, params),
        other => Err(RpcError::method_not_found(other.to_owned())),
    }
}

// ----- blocks ------------------------------------------------------------------

/// The block a reference names (every block is final at once).
fn find_block(chain: &Chain, reference: &BlockReference) -> Option<BlockInfo> {
    match reference {
        BlockReference::Finality(_) => Some(chain.head().clone()),
        BlockReference::BlockId(BlockId::Height(h)) => chain.block_at(*h).cloned(),
        BlockReference::BlockId(BlockId::Hash(hash)) => chain.block_by_hash(hash).cloned(),
        BlockReference::SyncCheckpoint(SyncCheckpoint::Genesis | SyncCheckpoint::EarliestAvailable) => {
            Some(chain.earliest_block().clone())
        }
    }
}

fn unknown_block_message(reference: &BlockReference) -> String {
    match reference {
        BlockReference::BlockId(BlockId::Height(h)) => {
            format!("DB Not Found Error: BLOCK HEIGHT: {h} \n Cause: Unknown")
        }
        BlockReference::BlockId(BlockId::Hash(h)) => format!("DB Not Found Error: BLOCK HEADER: {h}"),
        other => format!("block {other:?} not found"),
    }
}

/// A block reference from `params`: an object (`finality` / `block_id` /
/// `sync_checkpoint`) or the legacy `[block_id]`.
fn block_reference(params: Value) -> Result<BlockReference, RpcError> {
    if let Some(id) = singleton(&params) {
        return Ok(BlockReference::BlockId(parse(id)?));
    }
    parse(params)
}

fn block(node: &Node, params: Value) -> Result<Value, RpcError> {
    let reference = block_reference(params)?;
    let chain = node.chain();
    match find_block(&chain, &reference) {
        Some(b) => to_value(block_view(&chain, &b)),
        None => Err(RpcBlockError::UnknownBlock { error_message: unknown_block_message(&reference) }.into()),
    }
}

fn gas_price(node: &Node, params: Value) -> Result<Value, RpcError> {
    let block_id: Option<BlockId> = match &params {
        Value::Null => None,
        Value::Array(items) if items.len() == 1 => parse(items[0].clone())?,
        Value::Object(o) => match o.get("block_id") {
            None | Some(Value::Null) => None,
            Some(v) => Some(parse(v.clone())?),
        },
        _ => return Err(RpcError::parse_error("Failed parsing args: expected [block_id] or {\"block_id\"}".into())),
    };
    let chain = node.chain();
    let block = match &block_id {
        None => Some(chain.head().clone()),
        Some(id) => find_block(&chain, &BlockReference::BlockId(id.clone())),
    };
    match block {
        Some(b) => to_value(RpcGasPriceResponse { gas_price_view: GasPriceView { gas_price: b.gas_price } }),
        None => Err(RpcGasPriceError::UnknownBlock {
            error_message: unknown_block_message(&BlockReference::BlockId(
                block_id.expect("a missing block has an id"),
            )),
        }
        .into()),
    }
}

// ----- status, genesis, validators --------------------------------------------

fn utc(ns: u64) -> near_time::Utc {
    near_time::Utc::from_unix_timestamp_nanos(ns as i128).unwrap_or(near_time::Utc::UNIX_EPOCH)
}

fn status(node: &Node) -> Result<Value, RpcError> {
    let chain = node.chain();
    let head = chain.head().clone();
    let earliest = chain.earliest_block().clone();
    let root = chain.root();
    to_value(StatusResponse {
        version: Version {
            version: env!("CARGO_PKG_VERSION").into(),
            build: "local-node (embedded chain)".into(),
            commit: "unknown".into(),
            rustc_version: String::new(),
        },
        chain_id: CHAIN_ID.into(),
        protocol_version: PROTOCOL_VERSION,
        latest_protocol_version: PROTOCOL_VERSION,
        rpc_addr: node.addr().map(|a| a.to_string()),
        validators: vec![ValidatorInfo { account_id: root.clone() }],
        sync_info: StatusSyncInfo {
            latest_block_hash: head.hash,
            latest_block_height: head.height,
            latest_state_root: CryptoHash::default(),
            latest_block_time: utc(head.timestamp_ns),
            syncing: false,
            earliest_block_hash: Some(earliest.hash),
            earliest_block_height: Some(earliest.height),
            earliest_block_time: Some(utc(earliest.timestamp_ns)),
            epoch_id: None,
            epoch_start_height: Some(earliest.height),
        },
        validator_account_id: Some(root),
        validator_public_key: Some(node_key(&chain)),
        node_public_key: node_key(&chain),
        node_key: None,
        uptime_sec: node.uptime().as_secs() as i64,
        genesis_hash: earliest.hash,
        detailed_debug_status: None,
    })
}

/// The node's genesis: the protocol and chain id it runs, the root as its only validator.
pub fn genesis_config(chain: &Chain) -> GenesisConfig {
    let root = chain.root();
    let genesis = chain.earliest_block();
    let secs = (genesis.timestamp_ns / 1_000_000_000) as i64;
    GenesisConfig {
        protocol_version: PROTOCOL_VERSION,
        genesis_time: chrono::DateTime::from_timestamp(secs, (genesis.timestamp_ns % 1_000_000_000) as u32)
            .unwrap_or_default(),
        chain_id: CHAIN_ID.into(),
        genesis_height: genesis.height,
        num_block_producer_seats: 1,
        epoch_length: 43_200,
        min_gas_price: genesis.gas_price,
        max_gas_price: genesis.gas_price,
        transaction_validity_period: embedded_chain::TX_VALIDITY_PERIOD,
        validators: vec![AccountInfo {
            account_id: root.clone(),
            public_key: node_key(chain),
            amount: Balance::from_near(50_000),
        }],
        total_supply: Balance::from_yoctonear(1_002_000_000 * 10u128.pow(24)),
        ..GenesisConfig::default()
    }
}

fn protocol_config(node: &Node, params: Value) -> Result<Value, RpcError> {
    let reference = block_reference(params)?;
    let chain = node.chain();
    if find_block(&chain, &reference).is_none() {
        return Err(RpcProtocolConfigError::UnknownBlock { error_message: unknown_block_message(&reference) }.into());
    }
    let config =
        ProtocolConfig { genesis_config: genesis_config(&chain), runtime_config: chain.runtime_config().clone() };
    to_value(RpcProtocolConfigResponse { config_view: ProtocolConfigView::from(config) })
}

fn validators(node: &Node, params: Value) -> Result<Value, RpcError> {
    let reference = match &params {
        Value::Null => EpochReference::Latest,
        Value::Array(items) if items.len() == 1 && items[0].is_null() => EpochReference::Latest,
        Value::Array(items) if items.len() == 1 => EpochReference::BlockId(parse(items[0].clone())?),
        _ => parse::<near_jsonrpc_primitives::types::validator::RpcValidatorRequest>(params)?.epoch_reference,
    };
    let chain = node.chain();
    if let EpochReference::BlockId(id) = &reference {
        if find_block(&chain, &BlockReference::BlockId(id.clone())).is_none() {
            return Err(RpcValidatorError::UnknownEpoch.into());
        }
    }
    let root = chain.root();
    let stake = Balance::from_near(50_000);
    let produced = chain.head().height - chain.earliest_block().height + 1;
    to_value(EpochValidatorInfo {
        current_validators: vec![CurrentEpochValidatorInfo {
            account_id: root.clone(),
            public_key: node_key(&chain),
            is_slashed: false,
            stake,
            shards_produced: vec![near_primitives::types::ShardId::new(0)],
            num_produced_blocks: produced,
            num_expected_blocks: produced,
            num_produced_chunks: produced,
            num_expected_chunks: produced,
            num_produced_chunks_per_shard: vec![produced],
            num_expected_chunks_per_shard: vec![produced],
            num_produced_endorsements: 0,
            num_expected_endorsements: 0,
            num_produced_endorsements_per_shard: vec![0],
            num_expected_endorsements_per_shard: vec![0],
            shards_endorsed: Vec::new(),
        }],
        next_validators: vec![NextEpochValidatorInfo {
            account_id: root,
            public_key: node_key(&chain),
            stake,
            shards: vec![near_primitives::types::ShardId::new(0)],
        }],
        current_fishermen: Vec::new(),
        next_fishermen: Vec::new(),
        current_proposals: Vec::new(),
        prev_epoch_kickout: Vec::new(),
        epoch_start_height: chain.earliest_block().height,
        epoch_height: 1,
        validator_reward_paid_prev_epoch: Default::default(),
    })
}

// ----- query -------------------------------------------------------------------

/// A legacy `query` path (`account/ID`, `access_key/ID[/KEY]`, `code/ID`,
/// `contract/ID` with a base58 key prefix, `call/ID/METHOD` with base58 args).
fn legacy_query(path: &str, data: &str) -> Result<QueryRequest, RpcError> {
    let bad = |why: &str| RpcError::parse_error(format!("Failed parsing args: {why}"));
    let data = bs58::decode(data).into_vec().map_err(|e| bad(&format!("data is not base58: {e}")))?;
    let parts: Vec<&str> = path.splitn(3, '/').collect();
    let account = |s: &str| -> Result<AccountId, RpcError> { s.parse().map_err(|e| bad(&format!("{e}"))) };
    Ok(match parts.as_slice() {
        ["account", id] => QueryRequest::ViewAccount { account_id: account(id)? },
        ["access_key", id] => {
            QueryRequest::ViewAccessKeyList { account_id: account(id)?, after_key: None, limit: None }
        }
        ["access_key", id, key] => QueryRequest::ViewAccessKey {
            account_id: account(id)?,
            public_key: key.parse().map_err(|e| bad(&format!("{e}")))?,
        },
        ["code", id] => QueryRequest::ViewCode { account_id: account(id)? },
        ["contract", id] => QueryRequest::ViewState {
            account_id: account(id)?,
            prefix: StoreKey::from(data),
            after_key: None,
            limit: None,
            include_proof: false,
        },
        ["call", id, method] => {
            QueryRequest::CallFunction { account_id: account(id)?, method_name: method.to_string(), args: data.into() }
        }
        _ => return Err(bad(&format!("unknown path {path:?}"))),
    })
}

fn query_request(params: Value) -> Result<(BlockReference, QueryRequest), RpcError> {
    let latest = BlockReference::Finality(Finality::None);
    match &params {
        Value::Array(items) => {
            let path = items
                .first()
                .and_then(Value::as_str)
                .ok_or_else(|| RpcError::parse_error("Failed parsing args: expected [path, data]".into()))?;
            let data = items.get(1).and_then(Value::as_str).unwrap_or("");
            Ok((latest, legacy_query(path, data)?))
        }
        Value::Object(o) if o.contains_key("path") => {
            let path = o["path"].as_str().ok_or_else(|| RpcError::parse_error("Failed parsing args: path".into()))?;
            let data = o.get("data").and_then(Value::as_str).unwrap_or("");
            Ok((latest, legacy_query(path, data)?))
        }
        _ => {
            let r: near_jsonrpc_primitives::types::query::RpcQueryRequest = parse(params)?;
            Ok((r.block_reference, r.request))
        }
    }
}

fn query(node: &Node, params: Value) -> Result<Value, RpcError> {
    let (reference, request) = query_request(params)?;
    let chain = node.chain();
    let Some(block) = find_block(&chain, &reference) else {
        let err = RpcQueryError::UnknownBlock { block_reference: reference.clone() };
        let data = json!(unknown_block_message(&reference));
        return Err(RpcError::new_internal_or_handler_error(Some(data), to_value(err)?));
    };
    // Views read the latest state (the chain keeps no history of state).
    let (height, hash) = (block.height, block.hash);
    let unknown = |id: &AccountId| RpcQueryError::UnknownAccount {
        requested_account_id: id.clone(),
        block_height: height,
        block_hash: hash,
    };
    let kind = match &request {
        QueryRequest::ViewAccount { account_id } => {
            let a = chain.view_account(account_id).ok_or_else(|| unknown(account_id))?;
            let code_hash: CryptoHash = a.code_hash.parse().map_err(internal)?;
            let contract = if code_hash == CryptoHash::default() {
                AccountContract::None
            } else {
                AccountContract::Local(code_hash)
            };
            let account = Account::new(a.amount, a.locked, contract, a.storage_usage);
            QueryResponseKind::ViewAccount(AccountView::from(&account))
        }
        QueryRequest::ViewCode { account_id } => {
            chain.view_account(account_id).ok_or_else(|| unknown(account_id))?;
            let code = chain.code(account_id).ok_or_else(|| RpcQueryError::NoContractCode {
                contract_account_id: account_id.clone(),
                block_height: height,
                block_hash: hash,
            })?;
            QueryResponseKind::ViewCode(ContractCodeView { hash: CryptoHash::hash_bytes(code), code: code.to_vec() })
        }
        QueryRequest::ViewAccessKey { account_id, public_key } => {
            chain.view_account(account_id).ok_or_else(|| unknown(account_id))?;
            match chain.view_access_key(account_id, public_key) {
                Some(key) => QueryResponseKind::AccessKey(AccessKeyView::from(key)),
                // neard answers an unknown key as a result carrying `error` (process_query_response).
                None => {
                    return Ok(json!({
                        "error": format!("access key {public_key} does not exist while viewing"),
                        "logs": [],
                        "block_height": height,
                        "block_hash": hash,
                    }))
                }
            }
        }
        QueryRequest::ViewAccessKeyList { account_id, after_key, limit } => {
            let listed = chain.view_access_keys(account_id).ok_or_else(|| unknown(account_id))?;
            let mut keys = Vec::new();
            for k in listed {
                let public_key: near_crypto::PublicKey = k.public_key.parse().map_err(internal)?;
                let handle: near_crypto::PublicKeyHandle = (&public_key).into();
                if after_key.as_ref().is_some_and(|after| handle <= *after) {
                    continue;
                }
                let key = chain.view_access_key(account_id, &public_key).ok_or_else(|| internal("key vanished"))?;
                keys.push(AccessKeyInfoView { public_key: handle, access_key: AccessKeyView::from(key) });
            }
            let mut last_key = None;
            if let Some(limit) = limit {
                if keys.len() > limit.get() as usize {
                    keys.truncate(limit.get() as usize);
                    last_key = keys.last().map(|k| k.public_key.clone());
                }
            }
            QueryResponseKind::AccessKeyList(AccessKeyList { keys, last_key })
        }
        QueryRequest::ViewState { account_id, prefix, after_key, limit, .. } => {
            chain.view_account(account_id).ok_or_else(|| unknown(account_id))?;
            let prefix: &[u8] = &prefix[..];
            let after: Option<Vec<u8>> = after_key.as_ref().map(|k| k.to_vec());
            let mut entries: Vec<(Vec<u8>, Vec<u8>)> = chain
                .view_state(account_id, prefix)
                .into_iter()
                .filter(|(k, _)| after.as_ref().is_none_or(|a| k > a))
                .collect();
            let mut last_key = None;
            if let Some(limit) = limit {
                let limit = limit.get() as usize;
                if entries.len() > limit {
                    entries.truncate(limit);
                    last_key = entries.last().map(|(k, _)| StoreKey::from(k.clone()));
                }
            }
            let values = entries
                .into_iter()
                .map(|(k, v)| StateItem { key: StoreKey::from(k), value: StoreValue::from(v) })
                .collect();
            QueryResponseKind::ViewState(ViewStateResult { values, proof: Vec::new(), last_key })
        }
        QueryRequest::CallFunction { account_id, method_name, args } => {
            match chain.view_raw(account_id, method_name, &args[..]) {
                Ok(r) => QueryResponseKind::CallResult(CallResult { result: r.result, logs: r.logs }),
                Err(ViewError::UnknownAccount { requested_account_id }) => {
                    return Err(unknown(&requested_account_id).into())
                }
                Err(ViewError::NoContractCode { contract_account_id }) => {
                    return Err(RpcQueryError::NoContractCode {
                        contract_account_id,
                        block_height: height,
                        block_hash: hash,
                    }
                    .into())
                }
                // neard answers a failed view as a result carrying `error` (process_query_response).
                // The text as neard words it: "wasm execution failed with error: ...".
                Err(e @ ViewError::ContractExecutionError { .. }) => {
                    let error = e.to_string();
                    return Ok(json!({"error": error, "logs": [], "block_height": height, "block_hash": hash}));
                }
            }
        }
        other => {
            return Err(
                RpcQueryError::InternalError { error_message: format!("query {other:?} is not supported") }.into()
            )
        }
    };
    to_value(RpcQueryResponse { kind, block_height: height, block_hash: hash })
}

// ----- transactions ------------------------------------------------------------

fn signed_tx_from_base64(value: Value) -> Result<SignedTransaction, RpcError> {
    parse(value)
}

fn positional_tx(params: Value) -> Result<SignedTransaction, RpcError> {
    match singleton(&params) {
        Some(b64) => signed_tx_from_base64(b64),
        None => match params.get("signed_tx_base64") {
            Some(b64) => signed_tx_from_base64(b64.clone()),
            None => Err(RpcError::parse_error("Failed parsing args: expected [signed_tx_base64]".into())),
        },
    }
}

/// Submits `tx` (a transaction the chain has seen answers with its known
/// outcome, as neard does); a refused one is `INVALID_TRANSACTION` and
/// changes nothing.
fn submit(node: &Node, tx: SignedTransaction) -> Result<(Value, CryptoHash), RpcError> {
    let hash = tx.get_hash();
    let result = node
        .change(|chain| -> Result<Value, RpcError> {
            let outcome: TxOutcome = match chain.tx_outcome(&hash) {
                Some(known) => known.clone(),
                None => chain.submit_signed(tx),
            };
            if let Some(err) = outcome.invalid_tx_error() {
                return Err(RpcTransactionError::InvalidTransaction { context: err.clone() }.into());
            }
            let view = final_outcome(chain, &outcome).ok_or_else(|| internal("the chain lost the transaction"))?;
            to_value(view)
        })
        .map_err(internal)??;
    Ok((result, hash))
}

fn with_status(outcome: Value, status: TxExecutionStatus) -> Result<Value, RpcError> {
    let Value::Object(mut map) = outcome else { return Err(internal("outcome is not an object")) };
    map.insert("final_execution_status".into(), to_value(status)?);
    Ok(Value::Object(map))
}

fn send_tx(node: &Node, params: Value) -> Result<Value, RpcError> {
    let request: near_jsonrpc_primitives::types::transactions::RpcSendTransactionRequest = parse(params)?;
    let (outcome, _) = submit(node, request.signed_transaction)?;
    // Blocks are final at once: any wait is over as soon as the transaction ran.
    match request.wait_until {
        TxExecutionStatus::None | TxExecutionStatus::Included | TxExecutionStatus::IncludedFinal => {
            to_value(RpcTransactionResponse {
                final_execution_outcome: None,
                final_execution_status: request.wait_until,
            })
        }
        _ => with_status(outcome, TxExecutionStatus::Final),
    }
}

fn broadcast_tx_commit(node: &Node, params: Value) -> Result<Value, RpcError> {
    let (outcome, _) = submit(node, positional_tx(params)?)?;
    with_status(outcome, TxExecutionStatus::Final)
}

fn broadcast_tx_async(node: &Node, params: Value) -> Result<Value, RpcError> {
    let tx = positional_tx(params)?;
    let hash = tx.get_hash();
    // neard answers with the hash at once, whatever becomes of the transaction
    // (a refused one is then unknown to `tx`).
    let _ = submit(node, tx);
    to_value(hash)
}

fn tx_status(node: &Node, params: Value, with_receipts: bool) -> Result<Value, RpcError> {
    let hash = match &params {
        Value::Array(items) if items.len() == 2 => parse::<CryptoHash>(items[0].clone())?,
        Value::Array(items) if items.len() == 1 => signed_tx_from_base64(items[0].clone())?.get_hash(),
        _ => {
            let r: near_jsonrpc_primitives::types::transactions::RpcTransactionStatusRequest = parse(params)?;
            r.transaction_info.to_tx_hash_and_account().0
        }
    };
    let chain = node.chain();
    let unknown = || RpcError::from(RpcTransactionError::UnknownTransaction { requested_transaction_hash: hash });
    let outcome = chain.tx_outcome(&hash).ok_or_else(unknown)?;
    let view = if with_receipts {
        FinalExecutionOutcomeViewEnum::FinalExecutionOutcomeWithReceipt(
            final_outcome_with_receipts(&chain, outcome).ok_or_else(unknown)?,
        )
    } else {
        FinalExecutionOutcomeViewEnum::FinalExecutionOutcome(final_outcome(&chain, outcome).ok_or_else(unknown)?)
    };
    to_value(RpcTransactionResponse {
        final_execution_outcome: Some(view),
        final_execution_status: TxExecutionStatus::Final,
    })
}

fn receipt(node: &Node, params: Value) -> Result<Value, RpcError> {
    let request: near_jsonrpc_primitives::types::receipts::RpcReceiptRequest = parse(params)?;
    let id = request.receipt_reference.receipt_id;
    let chain = node.chain();
    match chain.receipt(&id) {
        Some(r) => to_value(near_primitives::views::ReceiptView::from(r.clone())),
        None => Err(RpcReceiptError::UnknownReceipt { receipt_id: id }.into()),
    }
}

// ----- sandbox -----------------------------------------------------------------

/// Most blocks one `sandbox_fast_forward` may skip (a thousand years of
/// one-second blocks): heights and timestamps stay far from overflowing.
pub const MAX_FAST_FORWARD: u64 = 1_000 * 365 * 86_400;

fn fast_forward(node: &Node, params: Value) -> Result<Value, RpcError> {
    let request: near_jsonrpc_primitives::types::sandbox::RpcSandboxFastForwardRequest = parse(params)?;
    if request.delta_height > MAX_FAST_FORWARD {
        return Err(RpcError::parse_error(format!(
            "Failed parsing args: delta_height must be at most {MAX_FAST_FORWARD}"
        )));
    }
    node.change(|chain| chain.fast_forward(request.delta_height)).map_err(internal)?;
    to_value(RpcSandboxFastForwardResponse {})
}

fn patch_state(node: &Node, params: Value) -> Result<Value, RpcError> {
    let request: near_jsonrpc_primitives::types::sandbox::RpcSandboxPatchStateRequest = parse(params)?;
    let refuse = |why: String| RpcError::from(RpcSandboxPatchStateError::InternalError { error_message: why });
    // Checked first, applied after: a request with one bad record changes nothing.
    {
        let chain = node.chain();
        let mut created: Vec<&AccountId> = Vec::new();
        for record in &request.records {
            let exists = |id: &AccountId| chain.view_account(id).is_some() || created.contains(&id);
            match record {
                StateRecord::Account { account_id, .. } => created.push(account_id),
                StateRecord::Data { account_id, .. } | StateRecord::Contract { account_id, .. } => {
                    if !exists(account_id) {
                        return Err(refuse(format!("account {account_id} does not exist")));
                    }
                }
                StateRecord::AccessKey { account_id, public_key, .. } => {
                    if !exists(account_id) {
                        return Err(refuse(format!("account {account_id} does not exist")));
                    }
                    if matches!(public_key, near_crypto::PublicKeyHandle::MlDsa65(_)) {
                        return Err(refuse("ML-DSA-65 access keys are not supported".into()));
                    }
                }
                other => return Err(refuse(format!("state record {other} is not supported"))),
            }
        }
    }
    node.change(|chain| {
        for record in request.records {
            match record {
                StateRecord::Account { account_id, account } => {
                    chain.patch_account(&account_id, account.amount(), account.locked())
                }
                StateRecord::Data { account_id, data_key, value } => {
                    chain.patch_state(&account_id, data_key.into(), value.into())
                }
                StateRecord::Contract { account_id, code } => {
                    chain.patch_code(&account_id, code);
                }
                StateRecord::AccessKey { account_id, public_key, access_key } => {
                    let public_key = match public_key {
                        near_crypto::PublicKeyHandle::ED25519(k) => near_crypto::PublicKey::ED25519(k),
                        near_crypto::PublicKeyHandle::SECP256K1(k) => near_crypto::PublicKey::SECP256K1(k),
                        near_crypto::PublicKeyHandle::MlDsa65(_) => continue,
                    };
                    chain.patch_access_key(&account_id, &public_key, access_key);
                }
                _ => {}
            }
        }
    })
    .map_err(internal)?;
    to_value(near_jsonrpc_primitives::types::sandbox::RpcSandboxPatchStateResponse {})
}
