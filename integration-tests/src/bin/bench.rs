//! The cost bench: wall time and gas of a call on the embedded chain, wasm
//! sizes, and the gas and storage of every contract's hot operations with
//! small and large states (seeded by the contracts' own code, see
//! `ai_commons_tests::seed`), and membership at scale (`ai_commons_tests::membership`).
//!
//! Usage: `cargo run -p ai-commons-tests --bin bench [-- --json FILE] [--quick] [--baseline FILE]`
//! (`--quick`: small states only, for a fast look). The last section compares
//! every gas, size and storage figure with a baseline run
//! (`integration-tests/bench/baseline-wave1.json`: the bench before the chain
//! followed nearcore's protocol-88 rules, see that folder's README) and lists
//! what moved.

use ai_commons_tests::seed::{self, Cost, Seeding};
use ai_commons_tests::Wasm;
use serde_json::{json, Value};
use std::process::ExitCode;
use std::time::Instant;

fn tgas(gas: u64) -> String {
    format!("{:.4}", gas as f64 / 1e12)
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn bytes(b: i64) -> String {
    format!("{b:+}")
}

/// The VM's fee for loading `code_len` bytes of wasm, charged on every call.
fn loading_gas(code_len: usize) -> u64 {
    let chain = embedded_chain::Chain::new();
    let costs = &chain.runtime_config().wasm_config.ext_costs;
    costs.gas_cost(near_parameters::ExtCosts::contract_loading_base).as_gas()
        + costs.gas_cost(near_parameters::ExtCosts::contract_loading_bytes).as_gas() * code_len as u64
}

fn cost_json(c: &Cost) -> Value {
    json!({"vm_gas": c.vm_gas, "total_gas": c.total_gas, "storage_bytes": c.bytes, "vm_profile": c.profile})
}

/// Prints rows of cells, columns padded to their widest cell (first column
/// left-aligned, the others right-aligned).
fn table(rows: &[Vec<String>]) {
    let widths: Vec<usize> =
        (0..rows[0].len()).map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
    for (n, row) in rows.iter().enumerate() {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(
                |(i, cell)| {
                    if i == 0 {
                        format!("{cell:<w$}", w = widths[i])
                    } else {
                        format!("{cell:>w$}", w = widths[i])
                    }
                },
            )
            .collect();
        println!("  {}", line.join("  ").trim_end());
        if n == 0 {
            println!("  {}", widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("  "));
        }
    }
}

/// Reports how a fixture's state came to be (on stderr, with the progress).
fn seeded(what: &str, n: u32, s: &Seeding) {
    let how = if s.cached { "read from the seed cache" } else { "seeded natively" };
    eprintln!(
        "  {what} with {}: {} keys {how} and installed in {:.1} s",
        thousands(n as u64),
        thousands(s.keys as u64),
        s.seconds
    );
}

fn seeding_json(s: &Seeding) -> Value {
    json!({"keys": s.keys, "seconds": s.seconds, "from_cache": s.cached})
}

/// Set in the child process that does the work (see [`main`]).
const CHILD_ENV: &str = "AI_COMMONS_BENCH_CHILD";

/// Runs the bench in a child process and forwards its output, except the
/// `EVENT_JSON:` lines on stderr: in debug builds near-sdk's mocked blockchain
/// echoes every log of natively run contract code to stderr, and seeding
/// emits hundreds of thousands of them.
fn main() -> ExitCode {
    if std::env::var_os(CHILD_ENV).is_some() {
        return bench();
    }
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(_) => return bench(),
    };
    let child = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env(CHILD_ENV, "1")
        .stderr(std::process::Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(_) => return bench(),
    };
    let stderr = child.stderr.take().expect("piped stderr");
    for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)) {
        match line {
            Ok(line) if line.starts_with("EVENT_JSON:") => {}
            Ok(line) => eprintln!("{line}"),
            Err(_) => break,
        }
    }
    match child.wait() {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}

fn bench() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut json_path = None;
    let mut quick = false;
    let mut baseline_path = Some(DEFAULT_BASELINE.to_string());
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
            "--quick" => {
                quick = true;
                i += 1;
            }
            "--baseline" => {
                baseline_path = args.get(i + 1).cloned();
                if baseline_path.is_none() {
                    eprintln!("error: --baseline needs a file path (or `none`)");
                    return ExitCode::from(2);
                }
                if baseline_path.as_deref() == Some("none") {
                    baseline_path = None;
                }
                i += 2;
            }
            "-h" | "--help" => {
                println!("bench [--json FILE] [--quick] [--baseline FILE|none]: prints the cost tables of AI Commons on the embedded chain,");
                println!("  then what moved since the baseline run (default {DEFAULT_BASELINE})");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("error: unknown argument {other:?} (try --help)");
                return ExitCode::from(2);
            }
        }
    }
    let started = Instant::now();
    let wasm = Wasm::load();
    let probe = wasm_build::wasm("chain-probe", &[]);
    let mut report = serde_json::Map::new();
    println!(
        "AI Commons cost bench: embedded chain, real NEAR VM (near-vm-runner 0.38, protocol {}). Gas in Tgas (1 Tgas = 1e12 gas).",
        embedded_chain::PROTOCOL_VERSION
    );
    println!("VM gas = gas burnt by the contract's code (wasm + host functions + trie nodes); total = whole transaction incl. fees.");
    println!("Storage = bytes the contract account gained (as the protocol counts them: key + value + 40 per record).");
    println!("Large states are seeded by running the contracts' own methods natively (near-sdk mocked blockchain), then patched in.");

    // 1. The embedded chain.
    let (warmup, calls) = (20, 200);
    let t = seed::time_simple_call(&probe, warmup, calls);
    println!("\n1. Embedded chain: a simple function call (chain-probe `set`, {calls} calls after {warmup} warm-up)");
    table(&[
        vec!["measure".into(), "value".into()],
        vec!["wall time, median".into(), format!("{:.3} ms", t.median_us / 1e3)],
        vec!["wall time, p90".into(), format!("{:.3} ms", t.p90_us / 1e3)],
        vec!["VM gas".into(), format!("{} Tgas", tgas(t.vm_gas))],
        vec!["total gas burnt".into(), format!("{} Tgas", tgas(t.total_gas))],
    ]);
    report.insert(
        "embedded_chain".into(),
        json!({"method": "chain-probe set", "calls": calls, "warmup": warmup, "median_us": t.median_us, "p90_us": t.p90_us,
               "vm_gas": t.vm_gas, "total_gas": t.total_gas}),
    );

    // 2. Wasm sizes.
    println!("\n2. Wasm size (as wasm-build and scripts/build.sh build them: release profile, then wasm-opt -Oz)");
    let sizes = [
        ("community-dao", wasm.dao.len()),
        ("model-registry", wasm.registry.len()),
        ("data-consent", wasm.consent.len()),
        ("inference-attestation", wasm.attestation.len()),
        ("tee-verifier", wasm_build::wasm("tee-verifier", &[]).len()),
    ];
    let mut rows = vec![vec!["contract".to_string(), "bytes".to_string(), "code-loading fee per call".to_string()]];
    rows.extend(
        sizes.iter().map(|(name, len)| vec![name.to_string(), thousands(*len as u64), tgas(loading_gas(*len))]),
    );
    table(&rows);
    println!("  (every call pays contract_loading_base + contract_loading_bytes x wasm bytes; it is part of the VM gas below)");
    report.insert(
        "wasm".into(),
        json!(sizes
            .iter()
            .map(|(n, l)| (n.to_string(), json!({"bytes": l, "loading_gas": loading_gas(*l)})))
            .collect::<serde_json::Map<_, _>>()),
    );

    // 3. community-dao.
    let member_counts: &[u32] = if quick { &[10, 1_000] } else { &[10, 1_000, 100_000] };
    let mut rows = vec![[
        "members",
        "add_proposal VM",
        "total",
        "bytes",
        "vote VM",
        "w/o loading",
        "total",
        "bytes",
        "2nd vote VM",
        "changed vote VM",
        "deciding vote VM",
        "reserve bytes",
        "reserve NEAR",
        "state keys",
    ]
    .map(String::from)
    .to_vec()];
    let mut dao_json = Vec::new();
    let mut largest = None;
    for &n in member_counts {
        let mut f = seed::dao_fixture(&wasm.dao, n);
        seeded("community-dao members", n, &f.seeding);
        let c = seed::dao_costs(&mut f);
        rows.push(vec![
            thousands(n as u64),
            tgas(c.add_proposal.vm_gas),
            tgas(c.add_proposal.total_gas),
            bytes(c.add_proposal.bytes),
            tgas(c.vote.vm_gas),
            tgas(c.vote.vm_gas - loading_gas(wasm.dao.len())),
            tgas(c.vote.total_gas),
            bytes(c.vote.bytes),
            tgas(c.second_vote.vm_gas),
            tgas(c.changed_vote.vm_gas),
            c.deciding_vote.as_ref().map_or("–".to_string(), |d| tgas(d.vm_gas)),
            thousands(c.reserve.bytes),
            format!("{:.4}", c.reserve.yocto as f64 / 1e24),
            thousands(f.seeding.keys as u64),
        ]);
        dao_json.push(json!({"members": n, "add_proposal": cost_json(&c.add_proposal), "vote": cost_json(&c.vote),
                             "second_vote": cost_json(&c.second_vote), "changed_vote": cost_json(&c.changed_vote),
                             "deciding_vote": c.deciding_vote.as_ref().map(cost_json),
                             "reserve": {"storage_bytes": c.reserve.bytes, "yocto": c.reserve.yocto.to_string()},
                             "seeding": seeding_json(&f.seeding)}));
        largest = Some((n, c));
    }
    println!("\n3. community-dao: a text proposal and votes on it, by members who joined through add_member proposals");
    table(&rows);
    println!(
        "  (vote, 2nd vote, changed vote: votes that do not end voting; the deciding vote also moves the proposal"
    );
    println!("   in the status index and refunds the bond, measured with up to 100 members;");
    println!(
        "   reserve: treasury the open proposal holds back for the votes it may still store, released when it ends)"
    );
    if let Some((n, c)) = largest {
        println!("\n   Where a vote's VM gas goes at {} members (the VM's gas profile):", thousands(n as u64));
        let mut rows =
            vec![vec!["cost (Tgas, entries of 1 Ggas or more)".to_string(), "vote".into(), "changed vote".into()]];
        for (name, gas) in &c.vote.profile {
            let changed = c.changed_vote.profile.iter().find(|(n, _)| n == name).map_or(0, |(_, g)| *g);
            if *gas >= 1_000_000_000 || changed >= 1_000_000_000 {
                rows.push(vec![name.clone(), tgas(*gas), tgas(changed)]);
            }
        }
        table(&rows);
    }
    report.insert("community_dao".into(), json!(dao_json));

    // 3b. community-dao: delegation.
    let delegator_counts: &[u32] = if quick { &[1, 100] } else { &[1, 100, 10_000] };
    let mut header = vec!["operation".to_string()];
    let mut results = Vec::new();
    for &n in delegator_counts {
        let mut f = seed::delegation_fixture(&wasm.dao, n);
        seeded("community-dao delegators", n, &f.dao.seeding);
        results.push(seed::delegation_costs(&mut f));
        let n = thousands(n as u64);
        header.extend([format!("VM @{n}"), format!("total @{n}"), format!("bytes @{n}")]);
    }
    let mut rows = vec![header];
    for (name, pick) in [
        (
            "delegate's vote",
            (|r: &seed::DelegationCosts| r.delegate_vote.clone()) as fn(&seed::DelegationCosts) -> Cost,
        ),
        ("override (delegator votes in person)", |r| r.override_vote.clone()),
        ("delegate", |r| r.delegate.clone()),
        ("undelegate", |r| r.undelegate.clone()),
    ] {
        let mut row = vec![name.to_string()];
        for r in &results {
            let c = pick(r);
            row.extend([tgas(c.vm_gas), tgas(c.total_gas), bytes(c.bytes)]);
        }
        rows.push(row);
    }
    println!("\n3b. community-dao: delegation, by the number of members delegating to one delegate (text proposals;");
    println!("    the DAO has 2n + 3 members, so the delegate's weight n + 1 decides nothing)");
    table(&rows);
    report.insert(
        "community_dao_delegation".into(),
        json!(results
            .iter()
            .map(|r| json!({"delegators": r.delegators, "delegate_vote": cost_json(&r.delegate_vote),
                            "override": cost_json(&r.override_vote), "delegate": cost_json(&r.delegate),
                            "undelegate": cost_json(&r.undelegate)}))
            .collect::<Vec<_>>()),
    );

    // 4. model-registry.
    let version_counts: &[u32] = if quick { &[10] } else { &[10, 10_000] };
    let mut results = Vec::new();
    for &n in version_counts {
        let mut f = seed::registry_fixture(&wasm.registry, n);
        seeded("model-registry versions", n, &f.seeding);
        results.push(seed::registry_costs(&mut f));
    }
    let mut header = vec!["operation".to_string()];
    for r in &results {
        let n = thousands(r.versions as u64);
        header.extend([format!("VM @{n}"), format!("total @{n}"), format!("bytes @{n}")]);
    }
    let mut rows = vec![header];
    for (name, pick) in [
        ("submit_version", (|r: &seed::RegistryCosts| r.submit_version.clone()) as fn(&seed::RegistryCosts) -> Cost),
        ("approve_version", |r| r.approve_version.clone()),
        ("set_alias (production)", |r| r.set_alias.clone()),
    ] {
        let mut row = vec![name.to_string()];
        for r in &results {
            let c = pick(r);
            row.extend([tgas(c.vm_gas), tgas(c.total_gas), bytes(c.bytes)]);
        }
        rows.push(row);
    }
    let mut row = vec!["version_status (view)".to_string()];
    for r in &results {
        row.extend([tgas(r.version_status_gas), "-".into(), "+0".into()]);
    }
    rows.push(row);
    println!("\n4. model-registry: version n+1 of a model with n versions (each approved and made production in turn)");
    table(&rows);
    report.insert(
        "model_registry".into(),
        json!(results
            .iter()
            .map(|r| json!({"versions": r.versions, "submit_version": cost_json(&r.submit_version),
                            "approve_version": cost_json(&r.approve_version), "set_alias": cost_json(&r.set_alias),
                            "version_status_view_vm_gas": r.version_status_gas}))
            .collect::<Vec<_>>()),
    );

    // 5. data-consent.
    let grant_counts: &[u32] = if quick { &[10] } else { &[10, 100_000] };
    let mut results = Vec::new();
    for &n in grant_counts {
        let mut f = seed::consent_fixture(&wasm.consent, n);
        seeded("data-consent grants", n, &f.seeding);
        results.push(seed::consent_costs(&mut f));
    }
    let mut header = vec!["operation".to_string()];
    for r in &results {
        let n = thousands(r.grants as u64);
        header.extend([format!("VM @{n}"), format!("total @{n}"), format!("bytes @{n}")]);
    }
    let mut rows = vec![header];
    for (name, pick) in [
        ("grant", (|r: &seed::ConsentCosts| r.grant.clone()) as fn(&seed::ConsentCosts) -> Cost),
        ("revoke", |r| r.revoke.clone()),
    ] {
        let mut row = vec![name.to_string()];
        for r in &results {
            let c = pick(r);
            row.extend([tgas(c.vm_gas), tgas(c.total_gas), bytes(c.bytes)]);
        }
        rows.push(row);
    }
    let mut row = vec!["is_allowed (view)".to_string()];
    for r in &results {
        row.extend([tgas(r.is_allowed_gas), "-".into(), "+0".into()]);
    }
    rows.push(row);
    println!(
        "\n5. data-consent: a new user's grant, check and revoke with n grants in the contract (all to one grantee)"
    );
    table(&rows);
    report.insert(
        "data_consent".into(),
        json!(results
            .iter()
            .map(|r| json!({"grants": r.grants, "grant": cost_json(&r.grant), "revoke": cost_json(&r.revoke),
                            "is_allowed_view_vm_gas": r.is_allowed_gas}))
            .collect::<Vec<_>>()),
    );

    // 6. inference-attestation.
    let receipt_counts: &[u32] = if quick { &[10] } else { &[10, 100_000] };
    let mut results = Vec::new();
    for &n in receipt_counts {
        let mut f = seed::attestation_fixture(&wasm.registry, &wasm.attestation, n);
        seeded("inference-attestation receipts", n, &f.seeding);
        results.push(seed::attestation_costs(&mut f));
    }
    let mut header = vec!["operation".to_string()];
    for r in &results {
        header.push(format!("@{} receipts", thousands(r.receipts as u64)));
    }
    let mut rows = vec![header];
    let mut row = |name: &str, f: &dyn Fn(&seed::AttestationCosts) -> String| {
        let mut row = vec![name.to_string()];
        row.extend(results.iter().map(f));
        rows.push(row);
    };
    row("submit_receipt: total gas of the transaction", &|r| tgas(r.submit.total_gas));
    row("  VM gas, attestation (submit + callback)", &|r| tgas(r.submit.vm_gas));
    row("  VM gas, registry (version_status)", &|r| tgas(r.submit_registry_vm_gas));
    row("  storage bytes, attestation", &|r| bytes(r.submit.bytes));
    for (i, (view, _)) in results[0].views.iter().enumerate() {
        let name = format!("{view} (view, VM gas)");
        row(&name, &|r| tgas(r.views[i].1));
    }
    println!(
        "\n6. inference-attestation: one more receipt submitted (signature, nonce, registry round trip, storage) and every view, \
         with n receipts stored (paginated views: limit {})",
        seed::VIEW_PAGE
    );
    table(&rows);
    report.insert(
        "inference_attestation".into(),
        json!(results
            .iter()
            .map(|r| json!({"receipts": r.receipts, "submit": cost_json(&r.submit),
                            "submit_registry_vm_gas": r.submit_registry_vm_gas,
                            "views_vm_gas": r.views.iter().map(|(v, g)| (v.to_string(), json!(g))).collect::<serde_json::Map<_, _>>()}))
            .collect::<Vec<_>>()),
    );

    // 7. community-dao: membership at scale.
    let m = ai_commons_tests::membership::membership_costs(&wasm.dao);
    println!(
        "\n7. community-dao: membership at scale, on a DAO of {} members (batches of {}; claims from lists of {} and {} entries)",
        thousands(ai_commons_tests::membership::MEMBERS as u64),
        ai_commons_tests::membership::BATCH,
        thousands(ai_commons_tests::membership::SMALL_LIST as u64),
        thousands(ai_commons_tests::membership::LARGE_LIST as u64),
    );
    let row = |name: String, c: &Cost| vec![name, tgas(c.vm_gas), tgas(c.total_gas), bytes(c.bytes)];
    table(&[
        ["operation", "VM", "total", "bytes"].map(String::from).to_vec(),
        row(format!("execute add_members ({} accounts)", ai_commons_tests::membership::BATCH), &m.add_members),
        row(format!("execute remove_members ({} accounts)", ai_commons_tests::membership::BATCH), &m.remove_members),
        row("execute approve_membership_list".into(), &m.approve_list),
        row(
            format!(
                "claim_membership, list of {} ({} hashes)",
                thousands(ai_commons_tests::membership::SMALL_LIST as u64),
                m.claim_small.1
            ),
            &m.claim_small.0,
        ),
        row(
            format!(
                "claim_membership, list of {} ({} hashes)",
                thousands(ai_commons_tests::membership::LARGE_LIST as u64),
                m.claim_large.1
            ),
            &m.claim_large.0,
        ),
        row("leave".into(), &m.leave),
    ]);
    println!(
        "  (a claim's bytes are the claimer's member record, member-list slot and claim marker, paid by the claimer;\n   \
         the tree of {} entries was built off chain in {:.1} s by ai_commons_primitives::membership::MembershipTree)",
        thousands(ai_commons_tests::membership::LARGE_LIST as u64),
        m.large_tree_seconds
    );
    report.insert(
        "membership".into(),
        json!({"members": ai_commons_tests::membership::MEMBERS, "batch": ai_commons_tests::membership::BATCH,
               "add_members": cost_json(&m.add_members), "remove_members": cost_json(&m.remove_members),
               "approve_membership_list": cost_json(&m.approve_list),
               "claim_small_list": {"entries": ai_commons_tests::membership::SMALL_LIST, "proof_len": m.claim_small.1, "cost": cost_json(&m.claim_small.0)},
               "claim_large_list": {"entries": ai_commons_tests::membership::LARGE_LIST, "proof_len": m.claim_large.1, "cost": cost_json(&m.claim_large.0)},
               "leave": cost_json(&m.leave), "large_tree_build_seconds": m.large_tree_seconds}),
    );

    // 8. tee-verifier and admission by quote.
    let t = ai_commons_tests::tdx::costs();
    println!("\n8. Hardware-rooted attesters: a TDX quote verified on chain (tee-verifier, dcap-qvl), admission by quote, receipts");
    table(&[
        vec!["operation".into(), "VM gas".into(), "total".into(), "bytes".into()],
        vec![
            "verify_quote: dcap-qvl's real TDX sample, Intel root".into(),
            tgas(t.verify_intel.vm_gas),
            tgas(t.verify_intel.total_gas),
            "+0".into(),
        ],
        vec![
            "verify_quote: test-CA quote, test root".into(),
            tgas(t.verify_test.vm_gas),
            tgas(t.verify_test.total_gas),
            "+0".into(),
        ],
        vec![
            "issue_tee_challenge".into(),
            tgas(t.challenge.vm_gas),
            tgas(t.challenge.total_gas),
            bytes(t.challenge.bytes),
        ],
        vec![
            "admit_attester_by_quote: whole transaction".into(),
            "-".into(),
            tgas(t.admission.total_gas),
            bytes(t.admission.bytes),
        ],
        vec!["  VM gas in the verifier".into(), tgas(t.admission_verifier_vm_gas), "-".into(), "-".into()],
        vec![
            "  VM gas in inference-attestation (call + callback)".into(),
            tgas(t.admission_attestation_vm_gas),
            "-".into(),
            "-".into(),
        ],
        vec![
            "submit_receipt, attester admitted by the DAO".into(),
            tgas(t.receipt_by_dao.vm_gas),
            tgas(t.receipt_by_dao.total_gas),
            bytes(t.receipt_by_dao.bytes),
        ],
        vec![
            "submit_receipt, attester admitted by quote".into(),
            tgas(t.receipt_by_quote.vm_gas),
            tgas(t.receipt_by_quote.total_gas),
            bytes(t.receipt_by_quote.bytes),
        ],
    ]);
    println!("  (verify_quote must stay under 200 Tgas and the admission under the 300 Tgas a transaction may attach; tests/tee.rs asserts both)");
    report.insert(
        "tee".into(),
        json!({"verify_intel_sample": cost_json(&t.verify_intel), "verify_test_ca": cost_json(&t.verify_test),
               "issue_tee_challenge": cost_json(&t.challenge), "admission": cost_json(&t.admission),
               "admission_verifier_vm_gas": t.admission_verifier_vm_gas,
               "admission_attestation_vm_gas": t.admission_attestation_vm_gas,
               "receipt_by_dao": cost_json(&t.receipt_by_dao), "receipt_by_quote": cost_json(&t.receipt_by_quote)}),
    );

    if let Some(path) = baseline_path {
        let path = std::path::Path::new(&path);
        let path = if path.is_absolute() { path.to_path_buf() } else { wasm_build::workspace_root().join(path) };
        match std::fs::read_to_string(&path).map(|text| serde_json::from_str::<Value>(&text)) {
            Ok(Ok(baseline)) => {
                let now = Value::Object(report.clone());
                let moved = moved_since(&baseline, &now);
                println!("\n9. Moved since the baseline ({}): gas, sizes and storage that changed", path.display());
                let mut rows =
                    vec![vec!["figure".to_string(), "before".to_string(), "after".to_string(), "change".to_string()]];
                let show = |path: &str, n: u64| if path.contains("gas") { tgas(n) } else { thousands(n) };
                rows.extend(moved.iter().map(|m| {
                    vec![
                        m.path.clone(),
                        show(&m.path, m.before),
                        show(&m.path, m.after),
                        format!("{:+.1}%", m.change_pct()),
                    ]
                }));
                table(&rows);
                println!("  ({} figures moved; gas in Tgas, sizes and storage in bytes)", moved.len());
                report.insert(
                    "moved_since_baseline".into(),
                    json!({"baseline": path.display().to_string(), "figures": moved.iter().map(|m| json!({
                        "figure": m.path, "before": m.before, "after": m.after})).collect::<Vec<_>>()}),
                );
            }
            Ok(Err(e)) => eprintln!("warning: baseline {} is not JSON: {e}", path.display()),
            Err(e) => eprintln!("warning: cannot read baseline {}: {e}", path.display()),
        }
    }
    println!("\nbench finished in {:.1} s", started.elapsed().as_secs_f64());
    if let Some(path) = json_path {
        if let Err(e) = std::fs::write(&path, serde_json::to_string_pretty(&Value::Object(report)).expect("json")) {
            eprintln!("error: cannot write {path}: {e}");
            return ExitCode::FAILURE;
        }
        println!("results written to {path}");
    }
    ExitCode::SUCCESS
}

/// Baseline the last section compares with, relative to the workspace root.
const DEFAULT_BASELINE: &str = "integration-tests/bench/baseline-wave1.json";

/// One figure that differs between the baseline and this run.
struct Moved {
    path: String,
    before: u64,
    after: u64,
}

impl Moved {
    fn change_pct(&self) -> f64 {
        (self.after as f64 - self.before as f64) * 100.0 / (self.before.max(1) as f64)
    }
}

/// Integer figures (gas, bytes, storage, yoctoNEAR scaled to u64 where they fit)
/// present in both reports under the same path that differ; wall times,
/// profiles and counts of calls are left out (they are not costs).
fn moved_since(before: &Value, after: &Value) -> Vec<Moved> {
    fn walk(path: &str, before: &Value, after: &Value, out: &mut Vec<Moved>) {
        match (before, after) {
            (Value::Object(b), Value::Object(a)) => {
                for (key, av) in a {
                    if matches!(
                        key.as_str(),
                        "vm_profile"
                            | "median_us"
                            | "p90_us"
                            | "calls"
                            | "warmup"
                            | "seconds"
                            | "seeding"
                            | "large_tree_build_seconds"
                    ) {
                        continue;
                    }
                    if let Some(bv) = b.get(key) {
                        walk(&if path.is_empty() { key.clone() } else { format!("{path}.{key}") }, bv, av, out);
                    }
                }
            }
            (Value::Array(b), Value::Array(a)) => {
                for (i, (bv, av)) in b.iter().zip(a).enumerate() {
                    walk(&format!("{path}[{i}]"), bv, av, out);
                }
            }
            (Value::Number(b), Value::Number(a)) => {
                if let (Some(b), Some(a)) = (b.as_u64(), a.as_u64()) {
                    if a != b {
                        out.push(Moved { path: path.to_string(), before: b, after: a });
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk("", before, after, &mut out);
    out
}
