//! The main job's lifecycle as a test: on the embedded chain by default, and
//! with `--features sandbox` through near-workspaces (a real NEAR client)
//! attached to the suite's local node, which each test starts on a free port.

use ai_commons_tests::lifecycle::{run, Transcript};
use ai_commons_tests::{Backend, BackendExt, Embedded, Wasm};
use serde_json::json;

fn check_transcript(t: &Transcript) {
    assert!(t.steps.iter().all(|s| s.ok), "a step failed: {:?}", t.steps.iter().find(|s| !s.ok));
    // Every phase of issue 7 ran.
    for phase in 1..=9u8 {
        assert!(t.steps.iter().any(|s| s.phase == phase), "phase {phase} missing");
    }
}

#[test]
fn lifecycle_on_the_embedded_chain() {
    let wasm = Wasm::load();
    let mut b = Embedded::new();
    let mut t = Transcript::new(b.name(), false);
    let report = run(&mut b, &wasm, &mut t).unwrap_or_else(|e| panic!("lifecycle failed: {e:#}"));
    check_transcript(&t);
    let c = &report.community;
    // The final state, read back from views.
    let receipt: serde_json::Value =
        b.view(&c.attestation, "get_receipt", json!({"receipt_id": report.receipt_id.to_string()}));
    assert_eq!(receipt["attester_revoked"], json!(true), "receipts signed before revocation stay, flagged: {receipt}");
    let executed: Vec<serde_json::Value> =
        b.view(&c.dao, "get_proposals_by_status", json!({"status": "executed", "limit": 100}));
    // 11, plus 4 delegation/agent kinds and the membership list (phases 2 and 9), and the TEE
    // policy and measurement set (phase 5).
    assert_eq!(executed.len(), 18);
    // The membership list approved in phase 2 was claimed by frank.
    let claimed = t.steps.iter().filter(|s| s.phase == 2 && s.action.starts_with("claims its place in list #"));
    assert_eq!(claimed.count(), 1);
    let count: String = b.view(&c.dao, "get_member_count", json!({}));
    assert_eq!(count, "6");
    let node: serde_json::Value = b.view(&c.attestation, "get_attester", json!({"operator": "tee-node.test.near"}));
    assert_eq!(node["tee_kind"], json!("intel-tdx-quote"), "phase 5 admitted a node by quote");
    assert!(t.steps.iter().any(|s| s.detail.contains("test CA, not Intel's")), "the demo says its root is a test root");
    // Gas and storage were reported for every transaction step.
    assert!(t.steps.iter().filter(|s| s.gas_burnt > 0).count() > 40);
    // The transcript serializes for other tools.
    let json = serde_json::to_value(&t).unwrap();
    assert_eq!(json["steps"].as_array().unwrap().len(), t.steps.len());
}

#[test]
fn lifecycle_binary_writes_a_json_transcript() {
    let dir = std::env::temp_dir().join(format!("ai-commons-transcript-{}", std::process::id()));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lifecycle")).arg("--json").arg(&dir).output().unwrap();
    assert!(
        out.status.success(),
        "lifecycle failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("lifecycle complete"), "{stdout}");
    let transcript: serde_json::Value = serde_json::from_slice(&std::fs::read(&dir).unwrap()).unwrap();
    assert_eq!(transcript["backend"], "embedded chain");
    std::fs::remove_file(&dir).ok();
    // Bad arguments exit with 2.
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_lifecycle")).arg("--nope").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// A local node on a free port, and near-workspaces attached to it.
#[cfg(feature = "sandbox")]
fn workspaces_on_a_local_node() -> (local_node::RunningNode, ai_commons_tests::sandbox::Sandbox) {
    let node = local_node::spawn(local_node::Config { port: 0, ..Default::default() }).expect("local node");
    let b = ai_commons_tests::sandbox::Sandbox::attach(&node.url, &node.keys.root, &node.keys.root_secret_key)
        .expect("near-workspaces attaches to the local node");
    (node, b)
}

#[cfg(feature = "sandbox")]
#[test]
fn lifecycle_through_near_workspaces() {
    let wasm = Wasm::load();
    let (_node, mut b) = workspaces_on_a_local_node();
    let mut t = Transcript::new(b.name(), false);
    run(&mut b, &wasm, &mut t).unwrap_or_else(|e| panic!("lifecycle failed through near-workspaces: {e:#}"));
    check_transcript(&t);
}

#[test]
fn failure_paths_on_the_embedded_chain() {
    let mut b = Embedded::new();
    let checks = ai_commons_tests::failures::run(&mut b, &Wasm::load()).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(checks.len(), 6, "{checks:?}");
}

#[cfg(feature = "sandbox")]
#[test]
fn failure_paths_through_near_workspaces() {
    let (_node, mut b) = workspaces_on_a_local_node();
    let checks = ai_commons_tests::failures::run(&mut b, &Wasm::load()).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(checks.len(), 6, "{checks:?}");
}

/// A neard sandbox binary, when one is available.
#[cfg(feature = "sandbox")]
#[test]
#[ignore = "needs a neard sandbox binary: set NEAR_SANDBOX_BIN_PATH and run with --features sandbox -- --ignored"]
fn lifecycle_on_a_neard_sandbox() {
    let wasm = Wasm::load();
    let mut b = ai_commons_tests::sandbox::Sandbox::start().expect("sandbox");
    let mut t = Transcript::new(b.name(), false);
    run(&mut b, &wasm, &mut t).unwrap_or_else(|e| panic!("lifecycle failed on the sandbox: {e:#}"));
    check_transcript(&t);
}
