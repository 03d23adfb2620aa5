//! The main job: one community's whole life on the embedded chain.
//!
//! Usage: `lifecycle [--json FILE]`. Exits non-zero if any step does not
//! behave as described.

use ai_commons_tests::lifecycle::{run, Transcript};
use ai_commons_tests::{Backend, Embedded, Wasm};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut json_path = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--json" => {
                json_path = args.get(i + 1).cloned();
                if json_path.is_none() {
                    eprintln!("error: --json needs a file path");
                    return ExitCode::from(2);
                }
                i += 2;
            }
            "-h" | "--help" => {
                println!("lifecycle [--json FILE]: runs a community's whole life on the embedded chain and prints a transcript");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("error: unknown argument {other:?} (try --help)");
                return ExitCode::from(2);
            }
        }
    }
    println!(
        "AI Commons: a community's lifecycle on the embedded chain (real NEAR VM, protocol {})",
        embedded_chain::PROTOCOL_VERSION
    );
    let started = std::time::Instant::now();
    let wasm = Wasm::load();
    let mut backend = Embedded::new();
    let mut transcript = Transcript::new(backend.name(), true);
    let result = run(&mut backend, &wasm, &mut transcript);
    let total_gas: u64 = transcript.steps.iter().map(|s| s.gas_burnt).sum();
    println!(
        "\n{} steps, {:.1} Tgas burnt in all, {:.1} s wall time",
        transcript.steps.len(),
        total_gas as f64 / 1e12,
        started.elapsed().as_secs_f64()
    );
    if let Some(path) = json_path {
        let json = serde_json::to_string_pretty(&transcript).expect("transcript json");
        if let Err(e) = std::fs::write(&path, json) {
            eprintln!("error: cannot write {path}: {e}");
            return ExitCode::FAILURE;
        }
        println!("transcript written to {path}");
    }
    match result {
        Ok(report) => {
            println!(
                "lifecycle complete: snapshot #{}, receipt #{} stored and verified",
                report.snapshot_id, report.receipt_id
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("\nLIFECYCLE FAILED: {e:#}");
            ExitCode::FAILURE
        }
    }
}
