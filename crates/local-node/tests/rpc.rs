//! Every method of the node, over HTTP, as a client sees it.

mod support;

use embedded_chain::{actions, genesis_key, near, signer_of, NearToken};
use serde_json::{json, Value};
use support::{id, sign, NodeProc};

fn probe() -> Vec<u8> {
    wasm_build::wasm("chain-probe", &[])
}

/// Creates `name.test.near` with its genesis key and `near` NEAR.
fn create(node: &NodeProc, name: &str, amount: u128) -> embedded_chain::AccountId {
    let account = id(&format!("{name}.test.near"));
    let actions = vec![
        actions::create_account(),
        actions::transfer(near(amount)),
        actions::add_full_access_key(genesis_key(&account)),
    ];
    let (status, reply) = node.send(&id("test.near"), &account, actions);
    assert_eq!(status, 200, "{reply}");
    assert!(reply["result"]["status"]["SuccessValue"].is_string(), "{reply}");
    account
}

#[test]
fn status_health_blocks_gas_price_genesis_validators() {
    let node = NodeProc::start(&[]);
    let status = node.ok("status", json!([]));
    assert_eq!(status["protocol_version"], 88);
    assert_eq!(status["validators"][0]["account_id"], "test.near");
    let height = status["sync_info"]["latest_block_height"].as_u64().unwrap();
    assert!(status["sync_info"]["latest_block_time"].as_str().unwrap().starts_with("20"), "{status}");
    assert_eq!(node.ok("health", json!([])), Value::Null);

    // block: by finality, by height, by hash, legacy [height]; all the same block.
    let by_finality = node.ok("block", json!({"finality": "final"}));
    assert_eq!(by_finality["header"]["height"].as_u64(), Some(height));
    assert_eq!(by_finality["author"], "test.near");
    let hash = by_finality["header"]["hash"].clone();
    assert_eq!(node.ok("block", json!({"block_id": height}))["header"]["hash"], hash);
    assert_eq!(node.ok("block", json!({"block_id": hash}))["header"]["height"].as_u64(), Some(height));
    assert_eq!(node.ok("block", json!([height]))["header"]["hash"], hash);
    assert!(by_finality["header"]["timestamp_nanosec"].is_string());
    assert_eq!(by_finality["chunks"].as_array().unwrap().len(), 1);

    // The HTTP GET endpoints neard has.
    let get = support::http(&node.addr, "GET", "/status", &[], b"");
    assert_eq!(get.status, 200);
    assert_eq!(get.json()["chain_id"], status["chain_id"]);
    assert_eq!(support::http(&node.addr, "GET", "/health", &[], b"").status, 200);

    let price = node.ok("gas_price", json!([null]));
    assert!(price["gas_price"].as_str().unwrap().parse::<u128>().unwrap() > 0);
    assert_eq!(node.ok("gas_price", json!({"block_id": height}))["gas_price"], price["gas_price"]);

    let genesis = node.ok("genesis_config", json!({}));
    assert_eq!(genesis["protocol_version"], 88);
    assert_eq!(genesis["validators"][0]["account_id"], "test.near");
    assert_eq!(node.ok("EXPERIMENTAL_genesis_config", json!({}))["chain_id"], genesis["chain_id"]);
    let config = node.ok("EXPERIMENTAL_protocol_config", json!({"finality": "final"}));
    assert_eq!(config["protocol_version"], 88);
    assert!(config["runtime_config"]["storage_amount_per_byte"].is_string(), "{config}");

    let validators = node.ok("validators", json!([null]));
    assert_eq!(validators["current_validators"][0]["account_id"], "test.near");
    assert_eq!(node.ok("validators", json!({"latest": null}))["current_validators"], validators["current_validators"]);

    // sandbox_fast_forward moves the head.
    node.ok("sandbox_fast_forward", json!({"delta_height": 10}));
    assert_eq!(node.head_height(), height + 10);
}

#[test]
fn queries_transactions_and_receipts() {
    let node = NodeProc::start(&[]);
    let root = id("test.near");
    let alice = create(&node, "alice", 100);

    // view_account in both forms.
    let account = node.ok("query", json!({"request_type": "view_account", "finality": "final", "account_id": alice}));
    assert_eq!(account["amount"], near(100).as_yoctonear().to_string());
    assert_eq!(account["code_hash"], "11111111111111111111111111111111");
    assert!(account["block_height"].as_u64().is_some() && account["block_hash"].is_string());
    let legacy = node.ok("query", json!(["account/alice.test.near", ""]));
    assert_eq!(legacy["amount"], account["amount"]);
    let legacy_obj = node.ok("query", json!({"path": "account/alice.test.near", "data": ""}));
    assert_eq!(legacy_obj["amount"], account["amount"]);

    // Keys: one full-access key (its nonce starts from the block height, as nearcore sets it).
    let keys =
        node.ok("query", json!({"request_type": "view_access_key_list", "finality": "final", "account_id": alice}));
    assert_eq!(keys["keys"].as_array().unwrap().len(), 1);
    assert_eq!(keys["keys"][0]["public_key"], genesis_key(&alice).to_string());
    assert_eq!(keys["keys"][0]["access_key"]["permission"], "FullAccess");
    let legacy_keys = node.ok("query", json!([format!("access_key/{alice}"), ""]));
    assert_eq!(legacy_keys["keys"], keys["keys"]);
    let nonce = node.nonce(&alice);

    // Deploy the probe with send_tx and read the outcome back with tx.
    let code = probe();
    let tx = sign(&alice, &alice, nonce + 1, node.head_hash(), vec![actions::deploy(code.clone())]);
    let sent = node.ok("send_tx", json!({"signed_tx_base64": tx, "wait_until": "FINAL"}));
    assert_eq!(sent["final_execution_status"], "FINAL");
    assert_eq!(sent["status"]["SuccessValue"], "");
    let tx_hash = sent["transaction"]["hash"].as_str().unwrap().to_string();
    assert_eq!(sent["transaction_outcome"]["id"], tx_hash.as_str());
    let code_view = node.ok("query", json!({"request_type": "view_code", "finality": "final", "account_id": alice}));
    assert_eq!(
        code_view["code_base64"].as_str().unwrap().len(),
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &code).len()
    );
    assert_eq!(node.nonce(&alice), nonce + 1);

    // A change call through broadcast_tx_commit, then views of it.
    let set =
        actions::function_call("set", br#"{"value":"42"}"#.to_vec(), NearToken::ZERO, embedded_chain::DEFAULT_CALL_GAS);
    let (status, reply) = node.send(&alice, &alice, vec![set]);
    assert_eq!(status, 200, "{reply}");
    let outcome = &reply["result"];
    assert_eq!(outcome["final_execution_status"], "FINAL");
    let receipt_id = outcome["receipts_outcome"][0]["id"].as_str().unwrap().to_string();
    assert!(outcome["receipts_outcome"][0]["outcome"]["gas_burnt"].as_u64().unwrap() > 0);
    let args = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, b"{}");
    let call = node.ok(
        "query",
        json!({"request_type": "call_function", "finality": "final", "account_id": alice, "method_name": "get", "args_base64": args}),
    );
    let bytes: Vec<u8> = serde_json::from_value(call["result"].clone()).unwrap();
    assert_eq!(bytes, br#""42""#);
    let legacy_call = node.ok("query", json!([format!("call/{alice}/get"), bs58_empty()]));
    assert_eq!(legacy_call["result"], call["result"]);

    // view_state sees the contract's key.
    let state = node.ok(
        "query",
        json!({"request_type": "view_state", "finality": "final", "account_id": alice, "prefix_base64": ""}),
    );
    assert!(!state["values"].as_array().unwrap().is_empty(), "{state}");

    // tx / EXPERIMENTAL_tx_status / EXPERIMENTAL_receipt.
    let hash = outcome["transaction"]["hash"].as_str().unwrap();
    let by_tx = node.ok("tx", json!([hash, alice]));
    assert_eq!(by_tx["receipts_outcome"], outcome["receipts_outcome"]);
    let by_obj = node.ok("tx", json!({"tx_hash": hash, "sender_account_id": alice, "wait_until": "EXECUTED"}));
    assert_eq!(by_obj["status"], outcome["status"]);
    let with_receipts = node.ok("EXPERIMENTAL_tx_status", json!({"tx_hash": hash, "sender_account_id": alice}));
    assert!(!with_receipts["receipts"].as_array().unwrap().is_empty());
    assert_eq!(with_receipts["receipts"][0]["receipt_id"], receipt_id.as_str());
    let receipt = node.ok("EXPERIMENTAL_receipt", json!({"receipt_id": receipt_id}));
    assert_eq!(receipt["receiver_id"], alice.as_str());
    assert_eq!(receipt["receipt"]["Action"]["actions"][0]["FunctionCall"]["method_name"], "set");

    // A failing call reports nearcore's structured failure, not a transport error.
    let fail = actions::function_call("fail", b"{}".to_vec(), NearToken::ZERO, embedded_chain::DEFAULT_CALL_GAS);
    let (status, reply) = node.send(&alice, &alice, vec![fail]);
    assert_eq!(status, 200);
    assert!(reply["result"]["status"]["Failure"]["ActionError"].is_object(), "{reply}");
    // A failing view answers as neard does: a result carrying `error`.
    let failed_view = node.ok(
        "query",
        json!({"request_type": "call_function", "finality": "final", "account_id": alice, "method_name": "fail", "args_base64": ""}),
    );
    assert!(failed_view["error"].as_str().unwrap().contains("wasm execution failed"), "{failed_view}");

    // broadcast_tx_async answers the hash; the transaction then shows in tx.
    let transfer = sign(&root, &alice, node.nonce(&root) + 1, node.head_hash(), vec![actions::transfer(near(1))]);
    let hash = node.ok("broadcast_tx_async", json!([transfer]));
    let done = node.ok("tx", json!({"tx_hash": hash, "sender_account_id": root}));
    assert_eq!(done["status"]["SuccessValue"], "");

    // sandbox_patch_state: a data record, then view_state sees it.
    let key = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, b"patched");
    let value = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, b"yes");
    node.ok(
        "sandbox_patch_state",
        json!({"records": [{"Data": {"account_id": alice, "data_key": key, "value": value}}]}),
    );
    let patched = node.ok(
        "query",
        json!({"request_type": "view_state", "finality": "final", "account_id": alice, "prefix_base64": key}),
    );
    assert_eq!(patched["values"][0]["value"], value);
    let _ = signer_of(&alice);
}

fn bs58_empty() -> &'static str {
    ""
}

/// Calls a JSON view through `query` and parses its JSON result.
fn view(node: &NodeProc, account: &str, method: &str, args: Value) -> Value {
    let args = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, args.to_string());
    let r = node.ok(
        "query",
        json!({"request_type": "call_function", "finality": "final", "account_id": account, "method_name": method, "args_base64": args}),
    );
    let bytes: Vec<u8> = serde_json::from_value(r["result"].clone()).unwrap_or_else(|_| panic!("{method}: {r}"));
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn community_flag_deploys_and_wires_the_four_contracts() {
    let node = NodeProc::start(&["--community"]);
    assert!(node.lines.iter().any(|l| l == "community dao: dao.test.near"), "{:?}", node.lines);
    assert_eq!(view(&node, "dao.test.near", "get_member_count", json!({})), json!("3"));
    let registry = view(&node, "registry.test.near", "get_config", json!({}));
    assert_eq!(registry["owner"], "dao.test.near", "{registry}");
    let attestation = view(&node, "attestation.test.near", "get_config", json!({}));
    assert_eq!(attestation["registry"], "registry.test.near", "{attestation}");
    // As scripts/deploy.sh leaves them: no full-access key on a contract account.
    let keys = node.ok(
        "query",
        json!({"request_type": "view_access_key_list", "finality": "final", "account_id": "dao.test.near"}),
    );
    assert_eq!(keys["keys"], json!([]));
}
