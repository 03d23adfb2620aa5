//! A community's whole life, step by step (issue 7's main job). Each step
//! records who did what, the outcome, its gas and the storage it added, and
//! checks that the chain behaved as described: any deviation is an error.

use crate::backend::{Backend, BackendExt, Outcome};
use crate::community::{millinear, near, sha, Community, Deployment, Wasm};
use crate::tdx::{self, TdMeasurements, TestEnclave};
use ai_commons_primitives::membership::MembershipTree;
use anyhow::{ensure, Result};
use attestation_signer::{commit, random_salt, AttesterSigner, Digest32, InferenceReceipt, U64};
use base64::Engine;
use embedded_chain::{AccountId, Gas, NearToken};
use serde::Serialize;
use serde_json::{json, Value};

/// One line of the transcript.
#[derive(Clone, Debug, Serialize)]
pub struct Step {
    pub phase: u8,
    pub actor: String,
    pub action: String,
    pub ok: bool,
    pub detail: String,
    /// Gas burnt by the whole transaction (0 for views).
    pub gas_burnt: u64,
    /// Bytes the contract's account gained (negative: freed).
    pub storage_bytes: i64,
}

/// The transcript of a run; prints each step as it happens when `echo` is set.
#[derive(Debug, Default, Serialize)]
pub struct Transcript {
    pub backend: String,
    pub steps: Vec<Step>,
    #[serde(skip)]
    pub echo: bool,
}

impl Transcript {
    pub fn new(backend: &str, echo: bool) -> Self {
        Transcript { backend: backend.to_string(), steps: Vec::new(), echo }
    }

    fn phase(&self, n: u8, title: &str) {
        if self.echo {
            println!("\n== {n}. {title}");
        }
    }

    fn push(&mut self, step: Step) {
        if self.echo {
            let mark = if step.ok { "ok " } else { "ERR" };
            let cost = if step.gas_burnt > 0 {
                format!("  [{:.2} Tgas, {:+} bytes]", step.gas_burnt as f64 / 1e12, step.storage_bytes)
            } else {
                String::new()
            };
            println!("  {mark} {:<26} {}{cost}", step.actor, step.action);
            if !step.detail.is_empty() {
                println!("      {}", step.detail);
            }
        }
        self.steps.push(step);
    }

    /// Records a transaction's outcome.
    fn tx(&mut self, phase: u8, actor: &AccountId, action: &str, out: &Outcome, storage_bytes: i64, detail: String) {
        let detail = match &out.status {
            Ok(_) => detail,
            Err(e) => format!("{detail}{}failed: {e}", if detail.is_empty() { "" } else { "; " }),
        };
        self.push(Step {
            phase,
            actor: short(actor),
            action: action.to_string(),
            ok: out.is_success(),
            detail,
            gas_burnt: out.total_gas,
            storage_bytes,
        });
    }

    /// Records a transaction that must fail (its refusal is the expected behaviour).
    fn expected_failure(&mut self, phase: u8, actor: &AccountId, action: &str, out: &Outcome) {
        let (ok, detail) = match &out.status {
            Err(e) => (true, format!("refused as expected: {e}")),
            Ok(_) => (false, "accepted, but it must be refused".to_string()),
        };
        self.push(Step {
            phase,
            actor: short(actor),
            action: action.to_string(),
            ok,
            detail,
            gas_burnt: out.total_gas,
            storage_bytes: 0,
        });
    }

    /// Records a check made from views.
    fn check(&mut self, phase: u8, actor: &str, action: &str, detail: String) {
        self.push(Step {
            phase,
            actor: actor.to_string(),
            action: action.to_string(),
            ok: true,
            detail,
            gas_burnt: 0,
            storage_bytes: 0,
        });
    }
}

fn short(id: &AccountId) -> String {
    id.as_str().trim_end_matches(".test.near").to_string()
}

/// What the run produced, for tests that look closer.
pub struct LifecycleReport {
    pub community: Community,
    pub snapshot_id: u64,
    pub receipt_id: u64,
}

/// Runs `f`, measuring the storage `contract` gains.
fn measured<B: Backend + ?Sized>(b: &mut B, contract: &AccountId, f: impl FnOnce(&mut B) -> Outcome) -> (Outcome, i64) {
    let before = b.storage_usage(contract) as i64;
    let out = f(b);
    (out, b.storage_usage(contract) as i64 - before)
}

/// Passes a proposal through the DAO and records each step.
fn govern<B: Backend + ?Sized>(
    b: &mut B,
    t: &mut Transcript,
    c: &Community,
    phase: u8,
    description: &str,
    kind: Value,
) -> Result<u64> {
    let proposer = c.council[0].clone();
    let (out, bytes) = measured(b, &c.dao, |b| c.add_proposal(b, &proposer, description, kind.clone()));
    let id: u64 = match &out.status {
        Ok(_) => out.json::<String>().parse()?,
        Err(e) => anyhow::bail!("add_proposal {description:?} failed: {e}"),
    };
    t.tx(phase, &proposer, &format!("proposes #{id}: {description}"), &out, bytes, String::new());
    for voter in c.council.clone() {
        if c.status(b, id) != "active" {
            break;
        }
        let (out, bytes) = measured(b, &c.dao, |b| c.vote(b, &voter, id, "yes"));
        ensure!(out.is_success(), "vote on #{id} by {voter} failed: {:?}", out.status);
        t.tx(phase, &voter, &format!("votes yes on #{id}"), &out, bytes, format!("status now {}", c.status(b, id)));
    }
    ensure!(c.status(b, id) == "passed", "proposal #{id} did not pass: {}", c.status(b, id));
    let executor = c.council.last().expect("council").clone();
    let out = c.execute(b, &executor, id);
    let status = c.status(b, id);
    t.tx(phase, &executor, &format!("executes #{id}"), &out, 0, format!("status {status}"));
    ensure!(out.is_success() && status == "executed", "executing #{id} failed: {:?} (status {status})", out.status);
    Ok(id)
}

/// A signed inference: the receipt, its signature, and the private salt.
struct Inference {
    receipt: InferenceReceipt,
    signature: String,
    salt: [u8; 32],
    input: String,
    output: String,
}

fn infer(
    signer: &AttesterSigner,
    contract: &AccountId,
    requester: &AccountId,
    model: (&str, u32, Digest32),
    nonce: u64,
    now: u64,
    (input, output): (&str, &str),
) -> Inference {
    let salt = random_salt();
    let receipt = InferenceReceipt {
        model_id: model.0.to_string(),
        version: model.1,
        weights_digest: model.2,
        request_commitment: commit(&salt, input.as_bytes()),
        response_commitment: commit(&salt, output.as_bytes()),
        requester: requester.as_str().parse().expect("account"),
        attester_key: signer.public_key(),
        nonce: U64(nonce),
        timestamp: U64(now),
    };
    let contract: attestation_signer::AccountId = contract.as_str().parse().expect("account");
    let signature = signer.sign(&receipt, &contract);
    Inference { receipt, signature, salt, input: input.to_string(), output: output.to_string() }
}

/// Deploys a tee-verifier with the TEST root CA, has the DAO set the TEE
/// policy and approve the test enclave's measurements, and admits `tee-node`
/// by a quote binding its key to `weights`. Returns the node and its signer.
fn admit_by_quote<B: Backend + ?Sized>(
    b: &mut B,
    t: &mut Transcript,
    c: &Community,
    model: &str,
    weights: Digest32,
) -> Result<(AccountId, AttesterSigner)> {
    let verifier = b.create_account("tee-verifier", near(20));
    let out = b.deploy(&verifier, &wasm_build::wasm("tee-verifier", &[]));
    ensure!(out.is_success(), "deploy tee-verifier: {:?}", out.status);
    let root = base64::engine::general_purpose::STANDARD.encode(tdx::test_root_der());
    let out = b.call_json(&verifier, &verifier, "new", json!({"root_ca_der": root}), NearToken::from_yoctonear(0));
    ensure!(out.is_success(), "tee-verifier new: {:?}", out.status);
    let view: Value = b.view(&verifier, "get_root_ca", json!({}));
    ensure!(view["intel_sgx_root"] == json!(false), "the demo verifier must say its root is not Intel's: {view}");
    t.tx(
        5,
        &verifier,
        "deploys the tee-verifier with the TEST root CA",
        &out,
        0,
        "LOCAL DEMO ONLY: its root is a test CA, not Intel's SGX root (get_root_ca: intel_sgx_root false)".into(),
    );
    let day = 86_400 * 1_000_000_000u64;
    govern(
        b,
        t,
        c,
        5,
        "Trust the tee-verifier, accept UpToDate TDX for 30 days",
        json!({
            "type": "set_tee_policy", "tee_policy": {
                "verifier": verifier, "accepted_tcb_statuses": ["UpToDate"], "max_admission_age_ns": (30 * day).to_string(),
                "challenge_ttl_ns": "600000000000", "restrict_platforms": false,
            },
        }),
    )?;
    let m = TdMeasurements::labelled("commons-node v1");
    let h = hex::encode;
    govern(
        b,
        t,
        c,
        5,
        "Approve the commons-node v1 TD measurements",
        json!({
            "type": "approve_tee_measurements", "tee_measurements": {
                "label": "commons-node v1", "mr_td": h(m.mr_td), "rtmr0": h(m.rtmrs[0]), "rtmr1": h(m.rtmrs[1]),
                "rtmr2": h(m.rtmrs[2]), "rtmr3": h(m.rtmrs[3]),
            },
        }),
    )?;
    let node = b.create_account("tee-node", near(10));
    let signer = AttesterSigner::from_seed(*sha("tee node seed").as_bytes());
    let deposits: Value = b.view(&c.attestation, "get_tee_config", json!({}));
    let yocto = |v: &Value| -> Result<NearToken> { Ok(NearToken::from_yoctonear(v.as_str().unwrap_or("0").parse()?)) };
    let out =
        b.call_json(&node, &c.attestation, "issue_tee_challenge", json!({}), yocto(&deposits["challenge_deposit"])?);
    ensure!(out.is_success(), "issue_tee_challenge: {:?}", out.status);
    let challenge: Digest32 = out.json();
    t.tx(5, &node, "asks for a fresh admission challenge", &out, 0, format!("challenge {challenge}"));
    let contract: attestation_signer::AccountId = c.attestation.as_str().parse()?;
    let report_data =
        attestation_signer::tee::admission_report_data(&contract, &signer.public_key(), &[weights], &challenge);
    let enclave = TestEnclave::new(m);
    let quote = enclave.quote(&report_data);
    let now = b.block_timestamp();
    let collateral = enclave.collateral(now - day, now + 30 * day);
    let admission_deposit = yocto(&deposits["admission_deposit"])?;
    let (out, bytes) = measured(b, &c.attestation, |b| {
        b.call_gas(
            &node,
            &c.attestation,
            "admit_attester_by_quote",
            json!({
                "quote": base64::engine::general_purpose::STANDARD.encode(&quote), "collateral": collateral,
                "public_key": signer.public_key().to_string(), "weights_digests": [weights], "challenge": challenge,
            }),
            admission_deposit,
            Gas::from_teragas(300),
        )
    });
    ensure!(out.is_success(), "admit_attester_by_quote: {:?} {:?}", out.status, out.receipt_failures);
    let verify_gas = out.tx.as_ref().map(|tx| tx.vm_gas_on(&verifier).as_gas()).unwrap_or(0);
    t.tx(
        5,
        &node,
        &format!("is admitted by its TDX quote for {model} v1's weights"),
        &out,
        bytes,
        format!(
            "quote verified on chain ({:.1} Tgas in the verifier); report data binds key, weights, challenge",
            verify_gas as f64 / 1e12
        ),
    );
    let attester: Value = b.view(&c.attestation, "get_attester", json!({"operator": node}));
    ensure!(
        attester["tee_kind"] == json!("intel-tdx-quote") && attester["active"] == json!(true),
        "attester {attester}"
    );
    Ok((node, signer))
}

/// Runs the whole lifecycle on `b`. Every step is checked; the first deviation
/// is returned as an error.
pub fn run<B: Backend + ?Sized>(b: &mut B, wasm: &Wasm, t: &mut Transcript) -> Result<LifecycleReport> {
    let zero = NearToken::from_yoctonear(0);

    // 1. Deploy and initialize the four contracts as one community.
    t.phase(1, "deploy the four contracts as one community");
    let Deployment { community: c, steps } = Community::deploy(b, wasm, &["alice", "bob", "carol"]);
    for (account, what, out) in &steps {
        t.tx(1, account, what, out, 0, String::new());
    }
    let config: Value = b.view(&c.dao, "get_config", json!({}));
    t.check(1, "anyone", "views the DAO config", format!("{config}"));

    // 2. Members join through passed proposals.
    t.phase(2, "members join through passed proposals and a claimed membership list");
    let dave = b.create_account("dave", near(20));
    let erin = b.create_account("erin", near(20));
    govern(
        b,
        t,
        &c,
        2,
        "Welcome dave to the council",
        json!({"type": "add_member", "account_id": dave, "roles": ["council"]}),
    )?;
    govern(
        b,
        t,
        &c,
        2,
        "Welcome erin as a member",
        json!({"type": "add_member", "account_id": erin, "roles": ["member"]}),
    )?;
    let count: u64 = b.view::<String>(&c.dao, "get_member_count", json!({})).parse()?;
    ensure!(count == 5, "expected 5 members, got {count}");
    t.check(2, "anyone", "counts members", format!("{count} members"));

    // A membership list approved as a Merkle root; a listed account claims its place.
    let frank = b.create_account("frank", near(10));
    let mut entries: Vec<(String, Vec<String>)> =
        (0..999).map(|i| (format!("listed{i:03}.example.near"), vec!["member".to_string()])).collect();
    entries.insert(500, (frank.to_string(), vec!["member".to_string()]));
    let tree = MembershipTree::build(&entries).map_err(anyhow::Error::msg)?;
    let deadline = b.block_timestamp() + 30 * 24 * 3600 * 1_000_000_000;
    let list_id = govern(
        b,
        t,
        &c,
        2,
        "Approve the founding list of 1,000 members",
        json!({"type": "approve_membership_list", "root": tree.root(), "claim_deadline": deadline.to_string()}),
    )?;
    let proof = tree.proof(500).ok_or_else(|| anyhow::anyhow!("no proof for frank"))?;
    let roles = ["member"];
    let deposit: String = b.view(
        &c.dao,
        "get_claim_deposit",
        json!({"account_id": frank, "list_id": list_id.to_string(), "roles": roles}),
    );
    let deposit = NearToken::from_yoctonear(deposit.parse()?);
    let (out, bytes) = measured(b, &c.dao, |b| {
        b.call_json(
            &frank,
            &c.dao,
            "claim_membership",
            json!({"list_id": list_id.to_string(), "roles": roles, "proof": proof}),
            deposit,
        )
    });
    ensure!(out.is_success(), "frank's claim failed: {:?}", out.status);
    t.tx(
        2,
        &frank,
        &format!("claims its place in list #{list_id} with a proof of {} hashes", proof.len()),
        &out,
        bytes,
        format!(
            "paid {} yoctoNEAR for its own storage; {:.2} Tgas of VM gas",
            deposit.as_yoctonear(),
            out.vm_gas as f64 / 1e12
        ),
    );
    let member: Value = b.view(&c.dao, "get_member", json!({"account_id": frank}));
    ensure!(member["roles"] == json!(["member"]), "frank's member record: {member}");
    let out = b.call_json(
        &frank,
        &c.dao,
        "claim_membership",
        json!({"list_id": list_id.to_string(), "roles": roles, "proof": proof}),
        deposit,
    );
    t.expected_failure(2, &frank, "claims again with the same proof", &out);
    ensure!(matches!(&out.status, Err(e) if e.contains("already a member")), "a second claim: {:?}", out.status);
    let count: u64 = b.view::<String>(&c.dao, "get_member_count", json!({})).parse()?;
    ensure!(count == 6, "expected 6 members after the claim, got {count}");
    t.check(2, "anyone", "counts members", format!("{count} members"));

    // 3. Users grant training consent; the community sponsors one user's storage.
    t.phase(3, "users grant training consent (one sponsored by the community)");
    let ursula = b.create_account("ursula", near(10));
    let victor = b.create_account("victor", near(10));
    let (out, bytes) =
        measured(b, &c.consent, |b| b.call_json(&ursula, &c.consent, "storage_deposit", json!({}), millinear(50)));
    ensure!(out.is_success(), "ursula's storage deposit failed: {:?}", out.status);
    t.tx(3, &ursula, "deposits storage for herself (NEP-145)", &out, bytes, String::new());
    let sponsor_args = base64::engine::general_purpose::STANDARD.encode(json!({"account_id": victor}).to_string());
    govern(
        b,
        t,
        &c,
        3,
        "Sponsor victor's consent storage",
        json!({"type": "function_calls", "receiver_id": c.consent, "actions": [
            {"method_name": "storage_deposit", "args": sponsor_args, "deposit": millinear(50), "gas": "20000000000000"}
        ]}),
    )?;
    let balance: Value = b.view(&c.consent, "storage_balance_of", json!({"account_id": victor}));
    ensure!(!balance.is_null(), "victor has no storage balance after the sponsorship");
    t.check(3, "anyone", "views victor's sponsored storage balance", format!("{balance}"));
    for (user, data) in [(&ursula, "ursula's chat logs, 2026"), (&victor, "victor's code reviews")] {
        let args = json!({
            "grantee": c.dao, "purpose": "training", "categories": ["text"],
            "data_commitment": sha(data),
        });
        let (out, bytes) = measured(b, &c.consent, |b| b.call_json(user, &c.consent, "grant", args.clone(), zero));
        ensure!(out.is_success(), "grant by {user} failed: {:?}", out.status);
        t.tx(3, user, "grants training consent to the community", &out, bytes, String::new());
        let allowed: bool =
            b.view(&c.consent, "is_allowed", json!({"user": user, "grantee": c.dao, "purpose": "training"}));
        ensure!(allowed, "is_allowed is false right after {user}'s grant");
    }
    t.check(3, "anyone", "is_allowed(ursula|victor, community, training)", "true, true".into());

    // 4. Snapshot, model v1 citing it, approval, production alias.
    t.phase(4, "consent snapshot, model v1, approval, production alias");
    govern(
        b,
        t,
        &c,
        4,
        "Snapshot training consent before the v1 run",
        json!({"type": "record_training_snapshot", "purpose": "training", "note": "v1 training run"}),
    )?;
    let snapshot_id: u64 = b.view::<String>(&c.consent, "get_snapshot_count", json!({})).parse()?;
    let snapshot: Value = b.view(&c.consent, "get_snapshot", json!({"id": snapshot_id.to_string()}));
    ensure!(snapshot["grantee"] == json!(c.dao), "snapshot grantee is {:?}", snapshot["grantee"]);
    t.check(
        4,
        "anyone",
        &format!("views snapshot #{snapshot_id}"),
        format!(
            "seq {} head {}",
            snapshot["seq"],
            snapshot["chain_head"].as_str().or(snapshot["head"].as_str()).unwrap_or("?")
        ),
    );

    let paula = b.create_account("paula", near(10));
    let model = "commons-chat";
    let (out, bytes) = measured(b, &c.registry, |b| {
        b.call_json(
            &paula,
            &c.registry,
            "register_model",
            json!({
                "model_id": model, "name": "Commons Chat", "task": "text-generation", "license": "apache-2.0",
                "card_uri": "ipfs://bafy-commons-chat-card", "card_digest": sha("model card v1"),
            }),
            millinear(20),
        )
    });
    ensure!(out.is_success(), "register_model failed: {:?}", out.status);
    t.tx(4, &paula, &format!("registers model {model}"), &out, bytes, String::new());
    let weights_v1 = sha("commons-chat v1 weights manifest");
    let submit = |b: &mut B, weights: Digest32, parent: Value, note: &str| {
        b.call_json(
            &paula,
            &c.registry,
            "submit_version",
            json!({
                "model_id": model, "weights_digest": weights, "artifact_uri": format!("ipfs://bafy-{note}"),
                "parent": parent,
                "training": {"code_digest": sha("training container"), "dataset_digest": sha("dataset"),
                             "consent_contract": c.consent, "consent_snapshot_id": snapshot_id.to_string()},
                "eval_report_digest": sha(&format!("eval {note}")), "metadata": format!("{{\"run\":\"{note}\"}}"),
            }),
            millinear(50),
        )
    };
    let (out, bytes) = measured(b, &c.registry, |b| submit(b, weights_v1, Value::Null, "v1"));
    ensure!(out.json::<u32>() == 1, "v1 got number {:?}", out.status);
    t.tx(4, &paula, &format!("submits {model} v1 citing snapshot #{snapshot_id}"), &out, bytes, String::new());
    govern(
        b,
        t,
        &c,
        4,
        "Approve commons-chat v1",
        json!({"type": "approve_model_version", "model_id": model, "version": 1}),
    )?;
    govern(
        b,
        t,
        &c,
        4,
        "Put v1 in production",
        json!({"type": "move_alias", "model_id": model, "alias": "production", "version": 1}),
    )?;
    let alias: Value = b.view(&c.registry, "get_alias", json!({"model_id": model, "alias": "production"}));
    ensure!(alias["version"] == json!(1), "production points to {alias}");
    let v1_time = b.block_timestamp();
    t.check(4, "anyone", "views alias production", format!("{model} v{}", alias["version"]));

    // 5. An attester is admitted through a proposal.
    t.phase(5, "an attester is admitted through a proposal, another by its TDX quote");
    let node = b.create_account("node", near(10));
    let signer = AttesterSigner::from_seed(*sha("attester node seed").as_bytes());
    govern(
        b,
        t,
        &c,
        5,
        "Admit node as an attester (TDX)",
        json!({
            "type": "admit_attester", "operator": node, "public_keys": [signer.public_key().to_string()],
            "tee_kind": "intel-tdx", "measurements": [sha("mrtd"), sha("rtmr0")], "models": [model], "expires_at": null,
        }),
    )?;
    let attester: Value = b.view(&c.attestation, "get_attester", json!({"operator": node}));
    ensure!(attester["active"] == json!(true), "attester not active: {attester}");
    t.check(5, "anyone", "views attester node", format!("active, key {}", signer.public_key()));

    // 5b. A second node is admitted by a TDX quote, checked on chain.
    let tee_node = admit_by_quote(b, t, &c, model, weights_v1)?;

    // 6. A private request gets a signed receipt, verified and stored on chain.
    t.phase(6, "a signed receipt for a private request is verified and stored");
    let inference = infer(
        &signer,
        &c.attestation,
        &ursula,
        (model, 1, weights_v1),
        1,
        b.block_timestamp(),
        ("Summarize our community charter in one line.", "Members govern shared models in public."),
    );
    t.check(
        6,
        "node",
        "serves ursula off chain and signs the receipt",
        format!("request commitment {}", inference.receipt.request_commitment),
    );
    let (out, bytes) = measured(b, &c.attestation, |b| {
        b.call_gas(
            &ursula,
            &c.attestation,
            "submit_receipt",
            json!({"receipt": inference.receipt, "signature": inference.signature}),
            millinear(20),
            Gas::from_teragas(150),
        )
    });
    ensure!(out.is_success(), "submit_receipt failed: {:?}", out.status);
    let receipt_id: u64 = out.json::<String>().parse()?;
    ensure!(!out.events_named("inference_attestation", "receipt_stored").is_empty(), "no receipt_stored event");
    t.tx(
        6,
        &ursula,
        &format!("submits the receipt (stored as #{receipt_id})"),
        &out,
        bytes,
        "signature verified, registry confirmed v1 approved".into(),
    );

    let wendy = b.create_account("wendy", near(5));
    let by_quote = infer(
        &tee_node.1,
        &c.attestation,
        &wendy,
        (model, 1, weights_v1),
        1,
        b.block_timestamp(),
        ("Is this answer from the approved weights?", "Yes: the node's quote bound them."),
    );
    let (out, bytes) = measured(b, &c.attestation, |b| {
        b.call_gas(
            &wendy,
            &c.attestation,
            "submit_receipt",
            json!({"receipt": by_quote.receipt, "signature": by_quote.signature}),
            millinear(20),
            Gas::from_teragas(150),
        )
    });
    ensure!(out.is_success(), "submit_receipt (quote-admitted node) failed: {:?}", out.status);
    let id: String = out.json();
    let stored: Value = b.view(&c.attestation, "get_receipt", json!({"receipt_id": id}));
    ensure!(stored["admission"] == json!("tdx_quote"), "receipt by the quote-admitted node: {stored}");
    t.tx(6, &wendy, "submits a receipt the quote-admitted node signed", &out, bytes, "admission: tdx_quote".into());

    // 7. The user checks the receipt and re-derives the commitments.
    t.phase(7, "the user checks the receipt from views");
    let stored: Value = b.view(&c.attestation, "get_receipt", json!({"receipt_id": receipt_id.to_string()}));
    let request = commit(&inference.salt, inference.input.as_bytes());
    let response = commit(&inference.salt, inference.output.as_bytes());
    let stored_receipt = if stored.get("receipt").is_some() { &stored["receipt"] } else { &stored };
    ensure!(stored_receipt["request_commitment"] == json!(request), "request commitment mismatch: {stored}");
    ensure!(stored_receipt["response_commitment"] == json!(response), "response commitment mismatch: {stored}");
    ensure!(stored_receipt["model_id"] == json!(model), "model mismatch: {stored}");
    let mine: Vec<Value> = b.view(&c.attestation, "get_receipts_by_requester", json!({"requester": ursula}));
    ensure!(mine.len() == 1, "ursula should have one receipt, has {}", mine.len());
    t.check(
        7,
        "ursula",
        &format!("re-derives both commitments of receipt #{receipt_id}"),
        "sha256(salt ‖ input) and sha256(salt ‖ output) match".into(),
    );

    // 8. Revocation, deprecation for v2, attester revocation.
    t.phase(8, "consent revoked, v1 deprecated for v2, attester revoked");
    let (out, bytes) = measured(b, &c.consent, |b| {
        b.call_json(&ursula, &c.consent, "revoke", json!({"grantee": c.dao, "purpose": "training"}), zero)
    });
    ensure!(out.is_success(), "revoke failed: {:?}", out.status);
    t.tx(8, &ursula, "revokes her training consent", &out, bytes, String::new());
    let allowed: bool =
        b.view(&c.consent, "is_allowed", json!({"user": ursula, "grantee": c.dao, "purpose": "training"}));
    let live: bool =
        b.view(&c.consent, "was_live_at_snapshot", json!({"user": ursula, "snapshot_id": snapshot_id.to_string()}));
    ensure!(!allowed && live, "after revoke: is_allowed {allowed} (want false), live at snapshot {live} (want true)");
    t.check(
        8,
        "anyone",
        "is_allowed(ursula) / was_live_at_snapshot(ursula)",
        "false / true: revocation is not retroactive".into(),
    );

    let weights_v2 = sha("commons-chat v2 weights manifest");
    let (out, bytes) =
        measured(b, &c.registry, |b| submit(b, weights_v2, json!({"model_id": model, "version": 1}), "v2"));
    ensure!(out.json::<u32>() == 2, "v2 got number {:?}", out.status);
    t.tx(8, &paula, &format!("submits {model} v2 (parent v1)"), &out, bytes, String::new());
    govern(
        b,
        t,
        &c,
        8,
        "Approve commons-chat v2",
        json!({"type": "approve_model_version", "model_id": model, "version": 2}),
    )?;
    govern(
        b,
        t,
        &c,
        8,
        "Move production to v2",
        json!({"type": "move_alias", "model_id": model, "alias": "production", "version": 2}),
    )?;
    govern(
        b,
        t,
        &c,
        8,
        "Deprecate v1",
        json!({"type": "deprecate_model_version", "model_id": model, "version": 1, "reason": "superseded by v2"}),
    )?;
    let status_v1: Value = b.view(&c.registry, "version_status", json!({"model_id": model, "version": 1}));
    ensure!(status_v1["status"] == json!("deprecated"), "v1 status {status_v1}");
    let at_v1: Value = b.view(
        &c.registry,
        "get_alias_at",
        json!({"model_id": model, "alias": "production", "timestamp": v1_time.to_string()}),
    );
    let now: Value = b.view(&c.registry, "get_alias", json!({"model_id": model, "alias": "production"}));
    ensure!(now["version"] == json!(2), "production now {now}");
    t.check(8, "anyone", "production at the v1 time / now", format!("{} / v{}", at_v1, now["version"]));

    govern(
        b,
        t,
        &c,
        8,
        "Revoke attester node",
        json!({"type": "revoke_attester", "operator": node, "reason": "TEE firmware advisory"}),
    )?;
    let late = infer(&signer, &c.attestation, &victor, (model, 2, weights_v2), 2, b.block_timestamp(), ("hello", "hi"));
    let count_before: String = b.view(&c.attestation, "get_receipt_count_by_attester", json!({"operator": node}));
    let out = b.call_gas(
        &victor,
        &c.attestation,
        "submit_receipt",
        json!({"receipt": late.receipt, "signature": late.signature}),
        millinear(20),
        Gas::from_teragas(150),
    );
    let refused = matches!(&out.status, Err(e) if e.contains("revoked"));
    t.expected_failure(8, &victor, "submits a receipt the revoked attester signed", &out);
    ensure!(refused, "a receipt from a revoked attester was not refused: {:?}", out.status);
    let count_after: String = b.view(&c.attestation, "get_receipt_count_by_attester", json!({"operator": node}));
    ensure!(count_before == count_after, "receipt count changed after a refused receipt");
    let stored_again: Value = b.view(&c.attestation, "get_receipt", json!({"receipt_id": receipt_id.to_string()}));
    t.check(
        8,
        "anyone",
        &format!("views receipt #{receipt_id} signed before the revocation"),
        format!("still stored; attester_revoked = {}", stored_again["attester_revoked"]),
    );

    // 9. Delegation and a community AI agent.
    t.phase(9, "members delegate to a colleague and to a community agent; the agent votes citing its receipt");
    let agent = b.create_account("agent", near(10));
    govern(
        b,
        t,
        &c,
        9,
        "Register the community's charter agent",
        json!({
            "type": "register_agent", "account_id": agent, "mandate_uri": "ipfs://bafy-charter-agent-mandate",
            "mandate_hash": sha("charter agent mandate v1"), "model_id": model, "alias": "production",
            "can_vote": ["text"], "can_propose": ["text"],
            "expires_at": (b.block_timestamp() + 30 * 24 * 3600 * 1_000_000_000).to_string(),
        }),
    )?;
    let node2 = b.create_account("node2", near(10));
    let signer2 = AttesterSigner::from_seed(*sha("attester node2 seed").as_bytes());
    govern(
        b,
        t,
        &c,
        9,
        "Admit node2 as an attester (TDX)",
        json!({
            "type": "admit_attester", "operator": node2, "public_keys": [signer2.public_key().to_string()],
            "tee_kind": "intel-tdx", "measurements": [sha("mrtd"), sha("rtmr0")], "models": [model], "expires_at": null,
        }),
    )?;
    let bob = c.council[1].clone();
    let alice = c.council[0].clone();
    for (who, to) in [(&bob, &alice), (&dave, &agent), (&erin, &agent)] {
        let (out, bytes) = measured(b, &c.dao, |b| {
            b.call_json(who, &c.dao, "delegate", json!({"delegate": to, "kinds": ["text"]}), millinear(10))
        });
        ensure!(out.is_success(), "{who} delegating to {to} failed: {:?}", out.status);
        t.tx(9, who, &format!("delegates text votes to {}", short(to)), &out, bytes, String::new());
    }
    let (out, bytes) =
        measured(b, &c.dao, |b| c.add_proposal(b, &alice, "Adopt the community charter v2", json!({"type": "text"})));
    let charter: u64 = out.json::<String>().parse()?;
    t.tx(9, &alice, &format!("proposes #{charter}: Adopt the community charter v2"), &out, bytes, String::new());
    let (out, bytes) = measured(b, &c.dao, |b| c.vote(b, &alice, charter, "yes"));
    ensure!(out.is_success(), "alice's vote failed: {:?}", out.status);
    let v: Value = b.view(&c.dao, "get_vote", json!({"id": charter.to_string(), "account_id": alice}));
    ensure!(v["weight"] == json!(2), "alice should vote with bob's weight too: {v}");
    t.tx(9, &alice, &format!("votes yes on #{charter}"), &out, bytes, "weight 2 (her own and bob's)".into());
    // The agent runs its mandated model (production: v2) through node2, then votes citing the receipt.
    let inference = infer(
        &signer2,
        &c.attestation,
        &agent,
        (model, 2, weights_v2),
        1,
        b.block_timestamp(),
        ("Does charter v2 follow our mandate?", "It narrows the council's powers: vote no."),
    );
    let out = b.call_gas(
        &agent,
        &c.attestation,
        "submit_receipt",
        json!({"receipt": inference.receipt, "signature": inference.signature}),
        millinear(20),
        Gas::from_teragas(150),
    );
    ensure!(out.is_success(), "the agent's receipt was refused: {:?}", out.status);
    let agent_receipt: String = out.json();
    t.tx(9, &agent, &format!("submits its inference receipt (#{agent_receipt})"), &out, 0, String::new());
    let (out, bytes) = measured(b, &c.dao, |b| {
        b.call_gas(
            &agent,
            &c.dao,
            "vote_as_agent",
            json!({"id": charter.to_string(), "choice": "no", "receipt_id": agent_receipt, "reason": "mandate §3"}),
            zero,
            Gas::from_teragas(30),
        )
    });
    ensure!(out.is_success(), "the agent's vote failed: {:?}", out.status);
    ensure!(out.total_gas <= 15_000_000_000_000, "the agent's vote burnt {} gas, above 15 Tgas", out.total_gas);
    let v: Value = b.view(&c.dao, "get_vote", json!({"id": charter.to_string(), "account_id": agent}));
    ensure!(v["weight"] == json!(2) && v["receipt_id"] == json!(agent_receipt), "agent vote: {v}");
    t.tx(
        9,
        &agent,
        &format!("votes no on #{charter} citing receipt #{agent_receipt}"),
        &out,
        bytes,
        "weight 2 (dave's and erin's), receipt checked across contracts".to_string(),
    );
    let (out, bytes) = measured(b, &c.dao, |b| c.vote(b, &dave, charter, "yes"));
    ensure!(out.is_success(), "dave's override failed: {:?}", out.status);
    let v: Value = b.view(&c.dao, "get_vote", json!({"id": charter.to_string(), "account_id": agent}));
    ensure!(v["weight"] == json!(1), "dave's override should leave the agent weight 1: {v}");
    t.tx(
        9,
        &dave,
        &format!("overrides the agent: votes yes on #{charter} in person"),
        &out,
        bytes,
        format!("agent's vote now weight 1; status {}", c.status(b, charter)),
    );
    govern(
        b,
        t,
        &c,
        9,
        "Suspend the charter agent",
        json!({"type": "suspend_agent", "account_id": agent, "reason": "review of its mandate"}),
    )?;
    let (out, _) = measured(b, &c.dao, |b| {
        c.add_proposal(b, &alice, "Publish the charter in three languages", json!({"type": "text"}))
    });
    let next: u64 = out.json::<String>().parse()?;
    let out = b.call_gas(
        &agent,
        &c.dao,
        "vote_as_agent",
        json!({"id": next.to_string(), "choice": "yes", "receipt_id": agent_receipt}),
        zero,
        Gas::from_teragas(30),
    );
    let refused = matches!(&out.status, Err(e) if e.contains("suspended"));
    t.expected_failure(9, &agent, &format!("votes on #{next} while suspended"), &out);
    ensure!(refused, "a suspended agent's vote was not refused: {:?}", out.status);
    // The community rewrites the mandate in place: same account, delegations and log; still suspended.
    govern(
        b,
        t,
        &c,
        9,
        "Narrow the charter agent's mandate (v2)",
        json!({
            "type": "update_agent", "account_id": agent, "mandate_uri": "ipfs://bafy-charter-agent-mandate-v2",
            "mandate_hash": sha("charter agent mandate v2"), "model_id": model, "alias": "production",
            "can_vote": ["text"], "can_propose": [],
            "expires_at": (b.block_timestamp() + 30 * 24 * 3600 * 1_000_000_000).to_string(),
        }),
    )?;
    let view: Value = b.view(&c.dao, "get_agent", json!({"account_id": agent}));
    let delegators: Vec<Value> = b.view(&c.dao, "get_delegators", json!({"account_id": agent}));
    ensure!(
        view["mandate_uri"] == json!("ipfs://bafy-charter-agent-mandate-v2")
            && view["status"] == json!("suspended")
            && delegators.len() == 2,
        "mandate v2 should keep the agent, its status and its delegators: {view}"
    );
    t.check(9, "anyone", "reads the agent's new mandate", "mandate v2, still suspended, 2 delegators kept".into());
    let actions: Vec<Value> = b.view(&c.dao, "get_agent_actions", json!({"account_id": agent}));
    let names: Vec<&str> = actions.iter().filter_map(|a| a["action"].as_str()).collect();
    ensure!(names == ["registered", "voted", "suspended", "mandate_changed"], "agent actions: {actions:?}");
    t.check(9, "anyone", "lists the agent's actions", format!("{names:?}"));

    Ok(LifecycleReport { community: c, snapshot_id, receipt_id })
}
