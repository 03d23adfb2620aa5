//! Bad input, concurrent clients, restarts and a node killed mid-write.

mod support;

use embedded_chain::{actions, genesis_key, near, AccountId};
use serde_json::{json, Value};
use support::{http, id, sign, NodeProc};

/// What a refused request must leave alone: the head, and the root's balance and nonce.
fn observed(node: &NodeProc) -> (u64, Value, u64) {
    let root = id("test.near");
    (node.head_height(), node.account(&root).unwrap()["amount"].clone(), node.nonce(&root))
}

#[test]
fn bad_requests_get_neards_errors_and_change_nothing() {
    let node = NodeProc::start(&[]);
    let before = observed(&node);

    // Garbage bytes: PARSE_ERROR, HTTP 400.
    let reply = http(&node.addr, "POST", "/", &["Content-Type: application/json"], b"\x00\xffnot json{{");
    assert_eq!(reply.status, 400);
    let error = &reply.json()["error"];
    assert_eq!(error["name"], "REQUEST_VALIDATION_ERROR");
    assert_eq!(error["cause"]["name"], "PARSE_ERROR");
    assert_eq!(error["code"], -32700);

    // Valid JSON that is not a request.
    let reply = http(&node.addr, "POST", "/", &[], br#"{"hello": 1}"#);
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error"]["cause"]["name"], "PARSE_ERROR");

    // Deeply nested JSON: refused by the parser's depth limit, not a crash.
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let reply = http(&node.addr, "POST", "/", &[], nested.as_bytes());
    assert_eq!(reply.status, 400);
    assert!(reply.json()["error"]["data"].as_str().unwrap().contains("recursion limit"), "{}", reply.json());
    let nested_params = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"query","params":{}{}}}"#,
        "{\"a\":".repeat(10_000),
        "}".repeat(10_000)
    );
    assert_eq!(http(&node.addr, "POST", "/", &[], nested_params.as_bytes()).status, 400);

    // A body over 10 MB: 413, with the length declared or chunked.
    let big = vec![b' '; 10 * 1024 * 1024 + 1];
    let reply = http(&node.addr, "POST", "/", &["Content-Type: application/json"], &big);
    assert_eq!(reply.status, 413);
    assert!(reply.json()["error"]["data"].as_str().unwrap().contains("exceeds 10485760 bytes"));
    let mut chunked = Vec::new();
    for _ in 0..11 {
        chunked.extend_from_slice(format!("{:x}\r\n", 1024 * 1024).as_bytes());
        chunked.extend(std::iter::repeat_n(b' ', 1024 * 1024));
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let reply = http(&node.addr, "POST", "/", &["Transfer-Encoding: chunked"], &chunked);
    assert_eq!(reply.status, 413);
    // Exactly at the limit is read (and then fails as JSON, not as size).
    let mut at_limit = br#"{"jsonrpc":"2.0","id":1,"method":"health","params":[]}"#.to_vec();
    at_limit.resize(10 * 1024 * 1024, b' ');
    let reply = http(&node.addr, "POST", "/", &[], &at_limit);
    assert_eq!(reply.status, 200, "{}", reply.json());

    // Unknown method: METHOD_NOT_FOUND, HTTP 400.
    let (status, error) = node.err("no_such_method", json!([]));
    assert_eq!(status, 400);
    assert_eq!(error["cause"]["name"], "METHOD_NOT_FOUND");
    assert_eq!(error["cause"]["info"]["method_name"], "no_such_method");

    // Bad params: PARSE_ERROR, HTTP 400.
    let (status, error) = node.err("block", json!({"finality": "sometimes"}));
    assert_eq!(status, 400);
    assert_eq!(error["cause"]["name"], "PARSE_ERROR");
    let (status, error) = node.err("sandbox_fast_forward", json!({"delta_height": u64::MAX}));
    assert_eq!(status, 400);
    assert!(error["data"].as_str().unwrap().contains("delta_height must be at most"), "{error}");
    let (status, _) =
        node.err("query", json!({"request_type": "view_account", "finality": "final", "account_id": "Not Valid"}));
    assert_eq!(status, 400);

    // Handler errors: HTTP 200 with nearcore's names.
    let (status, error) = node
        .err("query", json!({"request_type": "view_account", "finality": "final", "account_id": "nobody.test.near"}));
    assert_eq!(status, 200);
    assert_eq!(error["name"], "HANDLER_ERROR");
    assert_eq!(error["cause"]["name"], "UNKNOWN_ACCOUNT");
    assert_eq!(error["cause"]["info"]["requested_account_id"], "nobody.test.near");
    let (_, error) = node.err("block", json!({"block_id": 999_999_999}));
    assert_eq!(error["cause"]["name"], "UNKNOWN_BLOCK");
    let (_, error) =
        node.err("query", json!({"request_type": "view_code", "finality": "final", "account_id": "test.near"}));
    assert_eq!(error["cause"]["name"], "NO_CONTRACT_CODE");
    let (_, error) = node.err("tx", json!(["11111111111111111111111111111111", "test.near"]));
    assert_eq!(error["cause"]["name"], "UNKNOWN_TRANSACTION");
    let (_, error) = node.err("EXPERIMENTAL_receipt", json!({"receipt_id": "11111111111111111111111111111111"}));
    assert_eq!(error["cause"]["name"], "UNKNOWN_RECEIPT");
    let (_, error) = node.err(
        "sandbox_patch_state",
        json!({"records": [{"Data": {"account_id": "nobody.near", "data_key": "", "value": ""}}]}),
    );
    assert_eq!(error["name"], "INTERNAL_ERROR");

    // A transaction with a wrong signature: INVALID_TRANSACTION, nothing changes.
    let root = id("test.near");
    let mut tx = sign(&root, &root, before.2 + 1, node.head_hash(), vec![actions::transfer(near(1))]);
    let mut bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &tx).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01; // the signature's last byte
    tx = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &bytes);
    let (status, error) = node.err("broadcast_tx_commit", json!([tx]));
    assert_eq!(status, 200);
    assert_eq!(error["cause"]["name"], "INVALID_TRANSACTION");
    assert_eq!(error["data"]["TxExecutionError"]["InvalidTxError"], "InvalidSignature", "{error}");
    assert_eq!(observed(&node), before);

    // A replayed nonce: InvalidNonce (what clients retry on), nothing changes.
    let (status, reply) = node.send(&root, &root, vec![actions::transfer(near(1))]);
    assert_eq!(status, 200, "{reply}");
    let after_one = observed(&node);
    let stale = sign(&root, &id("near"), after_one.2, node.head_hash(), vec![actions::transfer(near(1))]);
    let (_, error) = node.err("broadcast_tx_commit", json!([stale]));
    assert_eq!(error["cause"]["name"], "INVALID_TRANSACTION");
    let nonce_error = &error["data"]["TxExecutionError"]["InvalidTxError"]["InvalidNonce"];
    assert_eq!(nonce_error["ak_nonce"].as_u64(), Some(after_one.2), "{error}");
    let (_, error) = node.err("send_tx", json!({"signed_tx_base64": stale, "wait_until": "FINAL"}));
    assert_eq!(error["cause"]["name"], "INVALID_TRANSACTION");
    assert_eq!(observed(&node), after_one);
    // The same transaction sent again answers its known outcome and runs once.
    let tx = sign(&root, &id("near"), after_one.2 + 1, node.head_hash(), vec![actions::transfer(near(1))]);
    let first = node.ok("broadcast_tx_commit", json!([tx]));
    let after_two = observed(&node);
    let again = node.ok("broadcast_tx_commit", json!([tx]));
    assert_eq!(first["transaction"]["hash"], again["transaction"]["hash"]);
    assert_eq!(observed(&node), after_two);
}

#[test]
fn cors_as_neard() {
    let node = NodeProc::start(&[]);
    let preflight = http(
        &node.addr,
        "OPTIONS",
        "/",
        &[
            "Origin: http://localhost:5173",
            "Access-Control-Request-Method: POST",
            "Access-Control-Request-Headers: content-type",
        ],
        b"",
    );
    assert_eq!(preflight.status, 200);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("http://localhost:5173"));
    assert!(preflight.header("access-control-allow-methods").unwrap().contains("POST"));
    assert!(preflight.header("access-control-allow-headers").unwrap().contains("content-type"));
    let body = br#"{"jsonrpc":"2.0","id":1,"method":"health","params":[]}"#;
    let reply = http(&node.addr, "POST", "/", &["Origin: https://example.org"], body);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("access-control-allow-origin"), Some("https://example.org"));
}

#[test]
fn concurrent_clients_are_served_correctly() {
    let node = NodeProc::start(&[]);
    let root = id("test.near");
    let clients: Vec<AccountId> = (0..8).map(|i| id(&format!("c{i}.test.near"))).collect();
    for c in &clients {
        let create =
            vec![actions::create_account(), actions::transfer(near(10)), actions::add_full_access_key(genesis_key(c))];
        let (status, reply) = node.send(&root, c, create);
        assert_eq!(status, 200, "{reply}");
    }
    let root_before: u128 = node.account(&root).unwrap()["amount"].as_str().unwrap().parse().unwrap();
    let starts: Vec<u64> = clients.iter().map(|c| node.nonce(c)).collect();
    const EACH: u64 = 5;
    let addr = node.addr.clone();
    let threads: Vec<_> = clients
        .iter()
        .cloned()
        .map(|c| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                // Each client signs its own nonces and sends 1 NEAR to the root at a time,
                // interleaved with views from the others.
                let start = support::rpc(
                    &addr,
                    "query",
                    json!({"request_type": "view_access_key", "finality": "final", "account_id": c, "public_key": genesis_key(&c)}),
                )
                .1["result"]["nonce"]
                    .as_u64()
                    .unwrap();
                let block = support::rpc(&addr, "block", json!({"finality": "final"})).1;
                let hash = block["result"]["header"]["hash"].as_str().unwrap().parse().unwrap();
                for n in 1..=EACH {
                    let tx = sign(&c, &id("test.near"), start + n, hash, vec![actions::transfer(near(1))]);
                    let (status, reply) = support::rpc(&addr, "broadcast_tx_commit", json!([tx]));
                    assert_eq!(status, 200, "{reply}");
                    assert_eq!(reply["result"]["status"]["SuccessValue"], "", "{reply}");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("client thread");
    }
    let root_after: u128 = node.account(&root).unwrap()["amount"].as_str().unwrap().parse().unwrap();
    assert_eq!(root_after - root_before, 8 * EACH as u128 * near(1).as_yoctonear());
    for (c, start) in clients.iter().zip(&starts) {
        assert_eq!(node.nonce(c), start + EACH);
        let amount: u128 = node.account(c).unwrap()["amount"].as_str().unwrap().parse().unwrap();
        assert!(amount < near(10 - EACH as u128).as_yoctonear(), "{c} paid transfers and gas");
    }
}

#[test]
fn state_survives_a_restart_and_a_kill_mid_write() {
    let dir = support::temp_dir("state");
    let state = dir.to_str().unwrap();
    let node = NodeProc::start(&["--state-dir", state]);
    // Keys are written where near-cli-rs and near-workspaces look.
    let keychain = support::read_json(&dir.join("keys/localnet/test.near.json"));
    assert_eq!(keychain["account_id"], "test.near");
    assert_eq!(keychain["public_key"], genesis_key(&id("test.near")).to_string());
    assert!(keychain["private_key"].as_str().unwrap().starts_with("ed25519:"));
    let validator = support::read_json(&dir.join("keys/validator_key.json"));
    assert_eq!(validator["secret_key"], keychain["private_key"]);

    let bob = id("bob.test.near");
    let create =
        vec![actions::create_account(), actions::transfer(near(5)), actions::add_full_access_key(genesis_key(&bob))];
    let (status, reply) = node.send(&id("test.near"), &bob, create);
    assert_eq!(status, 200, "{reply}");
    let tx_hash = reply["result"]["transaction"]["hash"].clone();
    let height = node.head_height();
    let bob_view = node.account(&bob).unwrap();
    node.kill();

    // A write cut short by the kill leaves a torn temporary file.
    std::fs::write(dir.join("chain.snapshot.tmp"), b"EMBCHAIN\x01\x00\x00\x00torn").unwrap();
    let node = NodeProc::start(&["--state-dir", state]);
    assert!(node.lines.iter().any(|l| l.contains("resumed from")), "{:?}", node.lines);
    assert_eq!(node.head_height(), height);
    assert_eq!(node.account(&bob).unwrap()["amount"], bob_view["amount"]);
    assert_eq!(node.ok("tx", json!([tx_hash, "test.near"]))["transaction"]["hash"], tx_hash);
    assert!(!dir.join("chain.snapshot.tmp").exists(), "the torn file is discarded");
    // The restarted chain goes on: nonces continue where they were.
    let bob_nonce = node.nonce(&bob);
    let (status, reply) = node.send(&bob, &id("test.near"), vec![actions::transfer(near(1))]);
    assert_eq!(status, 200, "{reply}");
    assert_eq!(node.nonce(&bob), bob_nonce + 1);
    node.kill();

    // A corrupted snapshot is refused with a clear error, not replaced by a new chain.
    let path = dir.join("chain.snapshot");
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_local-node"))
        .args(["--port", "0", "--state-dir", state])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("corrupt"), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn cli_help_and_bad_arguments() {
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_local-node")).arg("--help").output().unwrap();
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for flag in ["--port", "--state-dir", "--key-dir", "--network", "--block-time", "--community"] {
        assert!(text.contains(flag), "--help lists {flag}");
    }
    // scripts/node.sh answers --help without building or starting anything.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let script = std::process::Command::new("bash").arg(root.join("scripts/node.sh")).arg("--help").output().unwrap();
    assert!(script.status.success(), "{}", String::from_utf8_lossy(&script.stderr));
    assert!(String::from_utf8_lossy(&script.stdout).contains("--state-dir"));
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_local-node")).arg("--port").arg("x").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--port"));
}

#[test]
fn blocks_on_an_interval() {
    let node = NodeProc::start(&["--block-time", "100"]);
    let first = node.head_height();
    std::thread::sleep(std::time::Duration::from_millis(1000));
    assert!(node.head_height() >= first + 3, "blocks are produced every 100 ms");
}
