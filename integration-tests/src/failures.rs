//! The failure paths around the lifecycle, written once over [`Backend`] so they
//! run on the embedded chain and on a sandbox alike. Each check makes a call
//! that must be refused and then reads views to show nothing changed.

use crate::backend::{Backend, BackendExt, Outcome};
use crate::community::{millinear, near, sha, Community, Wasm, VOTING_PERIOD_NS};
use anyhow::{ensure, Result};
use attestation_signer::{commit, AttesterSigner, InferenceReceipt, U64};
use embedded_chain::{AccountId, Gas, NearToken};
use serde_json::{json, Value};

fn refused(out: &Outcome, needle: &str, what: &str) -> Result<()> {
    match &out.status {
        Ok(_) => anyhow::bail!("{what}: accepted, but it must be refused"),
        Err(e) => ensure!(e.contains(needle), "{what}: refused with {e:?}, expected a message containing {needle:?}"),
    }
    Ok(())
}

/// Runs every failure check on a fresh community; returns the names of the checks.
pub fn run<B: Backend + ?Sized>(b: &mut B, wasm: &Wasm) -> Result<Vec<&'static str>> {
    let mut done = Vec::new();
    let zero = NearToken::from_yoctonear(0);
    let c = Community::deploy(b, wasm, &["alice", "bob", "carol"]).community;
    let alice = c.council[0].clone();
    let mallory = b.create_account("mallory", near(20));
    let proposals = |b: &B| -> usize { b.view::<Vec<Value>>(&c.dao, "get_proposals", json!({"limit": 100})).len() };

    // DAO: a stranger cannot propose; a short deposit is refused; nothing is stored.
    let kind = json!({"type": "text"});
    // The view only prices members' proposals: offer a member's price and more.
    let deposit = c.proposal_deposit(b, &alice, "spam", &kind).saturating_add(near(1));
    let out = b.call_json(&mallory, &c.dao, "add_proposal", json!({"description": "spam", "kind": kind}), deposit);
    refused(&out, "caller is not a member", "stranger proposes")?;
    let short = NearToken::from_yoctonear(c.proposal_deposit(b, &alice, "hello", &kind).as_yoctonear() - 1);
    let out = b.call_json(&alice, &c.dao, "add_proposal", json!({"description": "hello", "kind": kind}), short);
    refused(&out, "wrong deposit", "short proposal deposit")?;
    ensure!(proposals(b) == 0, "a refused proposal was stored");
    done.push("dao: stranger and short deposit refused, nothing stored");

    // DAO: a vote after the deadline, and a second execution, are refused.
    let id = c.propose(b, &alice, "late votes", json!({"type": "text"}));
    let blocks = VOTING_PERIOD_NS / 1_000_000_000 + 10;
    let start = b.block_timestamp();
    while b.block_timestamp() < start + VOTING_PERIOD_NS + 1_000_000_000 {
        b.fast_forward(blocks);
    }
    let out = c.vote(b, &alice, id, "yes");
    refused(&out, "voting period is over", "vote after the deadline")?;
    ensure!(c.proposal(b, id)["tally"]["yes"] == json!(0), "a late vote was counted");
    let (executed, out) = c.pass_and_execute(b, "welcome dave", json!({"type": "text"}));
    out.assert_success();
    let again = c.execute(b, &alice, executed);
    refused(&again, "already executed", "double execution")?;
    done.push("dao: late vote and double execution refused");

    // DAO: the execution callback is private.
    let out = b.call_json(&mallory, &c.dao, "on_execute", json!({"id": executed.to_string()}), zero);
    refused(&out, "private", "stranger calls on_execute")?;
    done.push("dao: callback is private");

    // Registry: only the owner approves; the version stays submitted.
    let paula = b.create_account("paula", near(10));
    b.call_json(
        &paula,
        &c.registry,
        "register_model",
        json!({
            "model_id": "m", "name": "M", "task": "text-generation", "license": "mit",
            "card_uri": "ipfs://card", "card_digest": sha("card"),
        }),
        millinear(20),
    )
    .assert_success();
    let weights = sha("weights");
    b.call_json(&paula, &c.registry, "submit_version", json!({
        "model_id": "m", "weights_digest": weights, "artifact_uri": "ipfs://w", "parent": null,
        "training": {"code_digest": sha("code"), "dataset_digest": null, "consent_contract": null, "consent_snapshot_id": null},
        "eval_report_digest": null, "metadata": null,
    }), millinear(50)).assert_success();
    let out = b.call_json(&paula, &c.registry, "approve_version", json!({"model_id": "m", "version": 1}), zero);
    refused(&out, "only the owner", "publisher approves its own version")?;
    let status: Value = b.view(&c.registry, "version_status", json!({"model_id": "m", "version": 1}));
    ensure!(status["status"] == json!("submitted"), "status changed: {status}");
    let dup = b.call_json(&paula, &c.registry, "submit_version", json!({
        "model_id": "m", "weights_digest": weights, "artifact_uri": "ipfs://w2", "parent": null,
        "training": {"code_digest": sha("code"), "dataset_digest": null, "consent_contract": null, "consent_snapshot_id": null},
        "eval_report_digest": null, "metadata": null,
    }), millinear(50));
    refused(&dup, "digest", "duplicate weights digest")?;
    done.push("registry: owner-only approval and unique digests");

    // Consent: nobody but the user touches a grant.
    let ursula = b.create_account("ursula", near(10));
    b.call_json(&ursula, &c.consent, "storage_deposit", json!({}), millinear(50)).assert_success();
    b.call_json(&ursula, &c.consent, "grant", json!({"grantee": c.dao, "purpose": "training"}), zero).assert_success();
    for intruder in [&mallory, &c.dao] {
        let out = b.call_json(
            intruder,
            &c.consent,
            "revoke",
            json!({"grantee": c.dao, "purpose": "training", "user": ursula}),
            zero,
        );
        ensure!(out.status.is_err(), "{intruder} revoked ursula's grant");
    }
    let allowed: bool =
        b.view(&c.consent, "is_allowed", json!({"user": ursula, "grantee": c.dao, "purpose": "training"}));
    ensure!(allowed, "ursula's grant was changed by someone else");
    done.push("consent: a stranger and the grantee cannot touch a grant");

    // Attestation: replayed nonces and receipts signed for another contract are refused.
    c.pass_and_execute(b, "approve m v1", json!({"type": "approve_model_version", "model_id": "m", "version": 1}))
        .1
        .assert_success();
    let node = b.create_account("node", near(10));
    let signer = AttesterSigner::from_seed(*sha("failure paths node").as_bytes());
    c.pass_and_execute(
        b,
        "admit node",
        json!({
            "type": "admit_attester", "operator": node, "public_keys": [signer.public_key().to_string()],
            "tee_kind": "intel-tdx", "measurements": [sha("mrtd")], "models": null, "expires_at": null,
        }),
    )
    .1
    .assert_success();
    let salt = [7u8; 32];
    let receipt = InferenceReceipt {
        model_id: "m".into(),
        version: 1,
        weights_digest: weights,
        request_commitment: commit(&salt, b"in"),
        response_commitment: commit(&salt, b"out"),
        requester: ursula.as_str().parse().expect("account"),
        attester_key: signer.public_key(),
        nonce: U64(1),
        timestamp: U64(b.block_timestamp()),
    };
    let ours: attestation_signer::AccountId = c.attestation.as_str().parse().expect("account");
    let submit = |b: &mut B, receipt: &InferenceReceipt, signature: &str, who: &AccountId| {
        b.call_gas(
            who,
            &c.attestation,
            "submit_receipt",
            json!({"receipt": receipt, "signature": signature}),
            millinear(20),
            Gas::from_teragas(150),
        )
    };
    let signature = signer.sign(&receipt, &ours);
    submit(b, &receipt, &signature, &ursula).assert_success();
    let replay = submit(b, &receipt, &signature, &mallory);
    refused(&replay, "nonce already used", "replayed receipt")?;
    let elsewhere: attestation_signer::AccountId = "attestation.other.near".parse().expect("account");
    let mut other = receipt.clone();
    other.nonce = U64(2);
    let foreign = signer.sign(&other, &elsewhere);
    let out = submit(b, &other, &foreign, &ursula);
    ensure!(out.status.is_err(), "a receipt signed for another contract was accepted");
    let count: String = b.view(&c.attestation, "get_receipt_count_by_attester", json!({"operator": node}));
    ensure!(count == "1", "receipt count is {count}, expected 1");
    let used: bool = b.view(&c.attestation, "is_nonce_used", json!({"operator": node, "nonce": "2"}));
    ensure!(!used, "a refused receipt spent its nonce");
    done.push("attestation: replay and cross-contract signatures refused");

    Ok(done)
}
