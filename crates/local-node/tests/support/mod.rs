//! Starts the `local-node` binary on a free port and talks raw HTTP to it,
//! so tests see exactly the bytes and statuses a client sees.

#![allow(dead_code)]

use base64::Engine;
use embedded_chain::{signer_of, AccountId, CryptoHash};
use near_primitives::action::Action;
use near_primitives::transaction::{Transaction, TransactionV0};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running node process (killed on drop).
pub struct NodeProc {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// What it printed before `ready`.
    pub lines: Vec<String>,
}

impl NodeProc {
    /// Starts `local-node --port 0 <args>` and waits until it is ready.
    pub fn start(args: &[&str]) -> NodeProc {
        let mut child = Command::new(env!("CARGO_BIN_EXE_local-node"))
            .arg("--port")
            .arg("0")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn local-node");
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            if out.read_line(&mut line).expect("read stdout") == 0 {
                panic!("local-node exited before it was ready: {lines:?} (status {:?})", child.wait());
            }
            let line = line.trim_end().to_string();
            if line == "ready" {
                break;
            }
            lines.push(line);
        }
        // Keep draining stdout so the node never blocks on a full pipe.
        std::thread::spawn(move || for _ in out.lines() {});
        let url = lines.first().expect("url line").clone();
        let addr = url.strip_prefix("http://").unwrap_or_else(|| panic!("first line is the url: {url}")).to_string();
        NodeProc { child, addr, lines }
    }

    /// SIGKILL, as a crash would.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn rpc(&self, method: &str, params: Value) -> (u16, Value) {
        rpc(&self.addr, method, params)
    }

    /// The result of a call that must succeed.
    #[track_caller]
    pub fn ok(&self, method: &str, params: Value) -> Value {
        let (status, reply) = self.rpc(method, params);
        assert_eq!(status, 200, "{method}: {reply}");
        assert!(reply.get("error").is_none(), "{method} failed: {reply}");
        reply["result"].clone()
    }

    /// The error object of a call that must fail.
    #[track_caller]
    pub fn err(&self, method: &str, params: Value) -> (u16, Value) {
        let (status, reply) = self.rpc(method, params);
        assert!(reply.get("result").is_none(), "{method} should fail: {reply}");
        (status, reply["error"].clone())
    }
}

impl Drop for NodeProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP reply: status, headers (lowercase names), body.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }
}

/// One HTTP/1.1 request on a fresh connection; `head` is extra header lines.
pub fn http(addr: &str, method: &str, path: &str, head: &[&str], body: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for h in head {
        request.push_str(h);
        request.push_str("\r\n");
    }
    if !head.iter().any(|h| h.to_ascii_lowercase().starts_with("transfer-encoding")) {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    // The server may answer (and stop reading) before a too-large body is sent.
    let _ = stream.write_all(request.as_bytes()).and_then(|_| stream.write_all(body));
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP reply: {:?}", String::from_utf8_lossy(&raw[..raw.len().min(200)])));
    let head_text = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head_text.lines();
    let status: u16 = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Reply { status, headers, body: raw[split + 4..].to_vec() }
}

/// A JSON-RPC call: (HTTP status, reply).
pub fn rpc(addr: &str, method: &str, params: Value) -> (u16, Value) {
    let body = json!({"jsonrpc": "2.0", "id": "t", "method": method, "params": params});
    let reply = http(addr, "POST", "/", &["Content-Type: application/json"], body.to_string().as_bytes());
    (reply.status, reply.json())
}

pub fn id(s: &str) -> AccountId {
    s.parse().unwrap()
}

/// `signer` signs `actions` to `receiver` with its genesis key; base64 of the borsh.
pub fn sign(
    signer: &AccountId,
    receiver: &AccountId,
    nonce: u64,
    block_hash: CryptoHash,
    actions: Vec<Action>,
) -> String {
    let key = signer_of(signer);
    let tx = Transaction::V0(TransactionV0 {
        signer_id: signer.clone(),
        public_key: key.public_key(),
        nonce,
        receiver_id: receiver.clone(),
        block_hash,
        actions,
    });
    let signature = key.sign(tx.get_hash_and_size().0.as_ref());
    let signed = near_primitives::transaction::SignedTransaction::new(signature, tx);
    base64::engine::general_purpose::STANDARD.encode(borsh::to_vec(&signed).unwrap())
}

impl NodeProc {
    /// The latest block's hash.
    pub fn head_hash(&self) -> CryptoHash {
        let block = self.ok("block", json!({"finality": "final"}));
        block["header"]["hash"].as_str().unwrap().parse().unwrap()
    }

    pub fn head_height(&self) -> u64 {
        self.ok("block", json!({"finality": "final"}))["header"]["height"].as_u64().unwrap()
    }

    /// The nonce of `account`'s genesis key.
    pub fn nonce(&self, account: &AccountId) -> u64 {
        let key = signer_of(account).public_key();
        let r = self.ok(
            "query",
            json!({"request_type": "view_access_key", "finality": "final", "account_id": account, "public_key": key}),
        );
        r["nonce"].as_u64().unwrap_or_else(|| panic!("no nonce: {r}"))
    }

    /// `view_account` as JSON (`None` when unknown).
    pub fn account(&self, account: &AccountId) -> Option<Value> {
        let (_, reply) =
            self.rpc("query", json!({"request_type": "view_account", "finality": "final", "account_id": account}));
        reply.get("result").cloned()
    }

    /// Signs with the next nonce on the head and sends with `broadcast_tx_commit`.
    pub fn send(&self, signer: &AccountId, receiver: &AccountId, actions: Vec<Action>) -> (u16, Value) {
        let tx = sign(signer, receiver, self.nonce(signer) + 1, self.head_hash(), actions);
        self.rpc("broadcast_tx_commit", json!([tx]))
    }
}

/// A fresh empty directory under the temp dir.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("local-node-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}
