//! inference-attestation end to end on the embedded chain, with the real
//! model-registry and inference-attestation wasm of one community: a receipt
//! for an approved version is stored; every kind of bad receipt is refused
//! with a clear error, nothing stored, the nonce free again where the
//! registry said no and the submitter charged gas only; attesters are
//! governed by the DAO alone; the callbacks are private.

use ai_commons_tests::community::{millinear, near, sha, Community, Deployment};
use ai_commons_tests::community::{wasm, zero};
use ai_commons_tests::{Backend, BackendExt, Embedded, Outcome};
use attestation_signer::{commit, receipt_digest, AttesterSigner, Digest32, InferenceReceipt, U64};
use embedded_chain::{AccountId, Gas, NearToken};
use serde_json::{json, Value};

const STD: &str = "inference_attestation";
const SECOND: u64 = 1_000_000_000;
const MODEL: &str = "commons-chat";
const OTHER_MODEL: &str = "other-model";
const SUBMIT_GAS: Gas = Gas::from_teragas(100);

fn sdk_account(id: &AccountId) -> attestation_signer::AccountId {
    id.as_str().parse().expect("account id")
}

/// A community with model `commons-chat` v1 approved, v2 approved then
/// revoked, v3 submitted only; `other-model` v1 approved; attester `node`
/// admitted (through the DAO) for `commons-chat` only.
struct World {
    b: Embedded,
    c: Community,
    publisher: AccountId,
    node: AccountId,
    signer: AttesterSigner,
    requester: AccountId,
    relayer: AccountId,
    weights: [Digest32; 3],
    other_weights: Digest32,
}

#[track_caller]
fn govern(b: &mut Embedded, c: &Community, description: &str, kind: Value) -> Outcome {
    let (id, out) = c.pass_and_execute(b, description, kind);
    out.assert_success();
    assert_eq!(c.status(b, id), "executed", "proposal {description:?}");
    out
}

impl World {
    fn new() -> Self {
        let mut b = Embedded::new();
        let Deployment { community: c, .. } = Community::deploy(&mut b, wasm(), &["alice", "bob", "carol"]);
        let publisher = b.create_account("paula", near(10));
        let node = b.create_account("node", near(10));
        let requester = b.create_account("ursula", near(10));
        let relayer = b.create_account("relayer", near(10));
        let weights = [sha("v1 weights"), sha("v2 weights"), sha("v3 weights")];
        let other_weights = sha("other v1 weights");

        for (model, digests) in [(MODEL, weights.to_vec()), (OTHER_MODEL, vec![other_weights])] {
            b.call_json(
                &publisher,
                &c.registry,
                "register_model",
                json!({
                    "model_id": model, "name": model, "task": "text-generation", "license": "apache-2.0",
                    "card_uri": format!("ipfs://card-{model}"), "card_digest": sha(model),
                }),
                millinear(20),
            )
            .assert_success();
            for (i, digest) in digests.iter().enumerate() {
                let out = b.call_json(&publisher, &c.registry, "submit_version", json!({
                    "model_id": model, "weights_digest": digest, "artifact_uri": format!("ipfs://{model}-{i}"),
                    "training": {"code_digest": sha("code"), "dataset_digest": null, "consent_contract": null, "consent_snapshot_id": null},
                }), millinear(50));
                assert_eq!(out.json::<u32>(), i as u32 + 1);
            }
        }
        govern(&mut b, &c, "Approve v1", json!({"type": "approve_model_version", "model_id": MODEL, "version": 1}));
        govern(&mut b, &c, "Approve v2", json!({"type": "approve_model_version", "model_id": MODEL, "version": 2}));
        govern(
            &mut b,
            &c,
            "Revoke v2",
            json!({"type": "revoke_model_version", "model_id": MODEL, "version": 2, "reason": "poisoned data"}),
        );
        govern(
            &mut b,
            &c,
            "Approve other v1",
            json!({"type": "approve_model_version", "model_id": OTHER_MODEL, "version": 1}),
        );

        let signer = AttesterSigner::from_seed(sha("node seed").0);
        let out = govern(
            &mut b,
            &c,
            "Admit node",
            json!({
                "type": "admit_attester", "operator": node, "public_keys": [signer.public_key().to_string()],
                "tee_kind": "intel-tdx", "measurements": [sha("mrtd")], "models": [MODEL], "expires_at": null,
            }),
        );
        assert_eq!(out.events_named(STD, "attester_admitted").len(), 1, "the DAO's execution admitted the attester");

        for (v, status) in [(1, "approved"), (2, "revoked"), (3, "submitted")] {
            let s: Value = b.view(&c.registry, "version_status", json!({"model_id": MODEL, "version": v}));
            assert_eq!(s["status"], status, "v{v}");
        }
        World { b, c, publisher, node, signer, requester, relayer, weights, other_weights }
    }

    /// A receipt by `signer` for `model` `version` served to the requester, signed now.
    fn receipt(
        &self,
        signer: &AttesterSigner,
        model: &str,
        version: u32,
        weights: Digest32,
        nonce: u64,
    ) -> InferenceReceipt {
        let salt = [nonce as u8; 32];
        InferenceReceipt {
            model_id: model.to_string(),
            version,
            weights_digest: weights,
            request_commitment: commit(&salt, format!("question {nonce}").as_bytes()),
            response_commitment: commit(&salt, format!("answer {nonce}").as_bytes()),
            requester: sdk_account(&self.requester),
            attester_key: signer.public_key(),
            nonce: U64(nonce),
            timestamp: U64(self.b.block_timestamp()),
        }
    }

    fn v1(&self, nonce: u64) -> InferenceReceipt {
        self.receipt(&self.signer, MODEL, 1, self.weights[0], nonce)
    }

    fn sign(&self, signer: &AttesterSigner, receipt: &InferenceReceipt) -> String {
        signer.sign(receipt, &sdk_account(&self.c.attestation))
    }

    fn submit_as(
        &mut self,
        who: &AccountId,
        receipt: &InferenceReceipt,
        signature: &str,
        deposit: NearToken,
        gas: Gas,
    ) -> Outcome {
        let args = json!({"receipt": receipt, "signature": signature});
        self.b.call_gas(who, &self.c.attestation, "submit_receipt", args, deposit, gas)
    }

    fn deposit(&self) -> NearToken {
        let config: Value = self.view("get_config", json!({}));
        NearToken::from_yoctonear(config["submit_deposit"].as_str().unwrap().parse().unwrap())
    }

    #[track_caller]
    fn view<T: serde::de::DeserializeOwned>(&self, method: &str, args: Value) -> T {
        self.b.view(&self.c.attestation, method, args)
    }

    fn nonce_used(&self, operator: &AccountId, nonce: u64) -> bool {
        self.view("is_nonce_used", json!({"operator": operator, "nonce": nonce.to_string()}))
    }

    fn receipt_count(&self) -> String {
        self.view::<Value>("get_config", json!({}))["receipt_count"].as_str().unwrap().to_string()
    }

    /// Submits `receipt` (by the relayer, with the full deposit) and asserts it
    /// is refused with `needle`, the contract unchanged, no receipt stored, the
    /// nonce free and the relayer charged exactly the gas burnt.
    #[track_caller]
    fn refused(&mut self, receipt: &InferenceReceipt, signature: &str, deposit: NearToken, needle: &str) -> Outcome {
        let relayer = self.relayer.clone();
        let contract = self.c.attestation.clone();
        let count = self.receipt_count();
        let before = self.b.balance(&relayer);
        let args = json!({"receipt": receipt, "signature": signature});
        let out = self.b.assert_refused(&contract, needle, |b| {
            b.call_gas(&relayer, &contract, "submit_receipt", args, deposit, SUBMIT_GAS)
        });
        let burnt = out.tx.as_ref().expect("embedded outcome").tokens_burnt;
        assert_eq!(
            before.as_yoctonear() - self.b.balance(&relayer).as_yoctonear(),
            burnt,
            "the submitter pays the gas burnt and nothing else (deposit back)"
        );
        assert_eq!(self.receipt_count(), count, "nothing stored");
        assert!(out.events_named(STD, "receipt_stored").is_empty());
        out
    }

    /// `refused`, for a receipt the registry turned down in the callback:
    /// `receipt_rejected` emitted with the reason, the nonce released.
    #[track_caller]
    fn rejected_by_registry(&mut self, receipt: &InferenceReceipt, reason: &str) {
        let signature = self.sign(&self.signer, receipt);
        let deposit = self.deposit();
        let out = self.refused(receipt, &signature, deposit, &format!("receipt rejected: {reason}"));
        let rejected = out.events_named(STD, "receipt_rejected");
        assert_eq!(rejected.len(), 1, "one event per submission: {:?}", out.event_names());
        let data = &rejected[0].data;
        assert_eq!(data["reason"], reason);
        assert_eq!(data["operator"], json!(self.node));
        assert_eq!(data["submitter"], json!(self.relayer));
        assert_eq!(data["nonce"], json!(receipt.nonce));
        assert!(!self.nonce_used(&self.node.clone(), receipt.nonce.0), "the nonce is free again");
        // The registry really was asked: the callback ran and fail_rejected_receipt failed the transaction.
        let tx = out.tx.as_ref().unwrap();
        assert!(tx.receipts.iter().any(|r| r.executor == self.c.registry.as_str()), "registry consulted");
        let refund = tx.receipts.iter().any(|r| {
            r.predecessor == self.c.attestation.as_str()
                && r.executor == self.relayer.as_str()
                && r.actions == vec![format!("Transfer({})", deposit.as_yoctonear())]
        });
        assert!(
            refund,
            "the whole deposit was transferred back: {:?}",
            tx.receipts.iter().map(|r| (&r.predecessor, &r.executor, &r.actions)).collect::<Vec<_>>()
        );
    }
}

#[test]
fn a_receipt_for_an_approved_version_is_stored_with_events_views_and_counts() {
    let mut w = World::new();
    let receipt = w.v1(1);
    let signature = w.sign(&w.signer, &receipt);
    let deposit = w.deposit();
    assert_eq!(deposit, millinear(17), "submit_deposit: 1 700 bytes");
    let relayer = w.relayer.clone();
    let balance_before = w.b.balance(&relayer);
    let contract_usage = w.b.storage_usage(&w.c.attestation);
    let contract_balance = w.b.balance(&w.c.attestation);

    // A relayer submits what the attester signed for the requester.
    let out = w.submit_as(&relayer, &receipt, &signature, deposit, SUBMIT_GAS);
    out.assert_success();
    assert_eq!(out.json::<String>(), "0");
    assert!(out.receipt_failures.is_empty(), "{:?}", out.receipt_failures);
    assert_eq!(
        out.events.iter().filter(|e| e.standard == STD).count(),
        1,
        "exactly one event: {:?}",
        out.event_names()
    );
    let stored = &out.events_named(STD, "receipt_stored")[0].data;
    assert_eq!(stored["receipt_id"], "0");
    assert_eq!(stored["operator"], json!(w.node));
    assert_eq!(stored["requester"], json!(w.requester));
    assert_eq!(stored["model_id"], MODEL);
    assert_eq!(stored["version"], 1);
    assert_eq!(stored["nonce"], "1");
    assert_eq!(stored["submitter"], json!(relayer));
    let cost: u128 = stored["storage_cost"].as_str().unwrap().parse().unwrap();

    // The submitter paid the gas and the exact bytes; the rest came back.
    let burnt = out.tx.as_ref().unwrap().tokens_burnt;
    assert_eq!(balance_before.as_yoctonear() - w.b.balance(&relayer).as_yoctonear(), burnt + cost);
    let added = w.b.storage_usage(&w.c.attestation) - contract_usage;
    assert_eq!(
        cost,
        added as u128 * w.b.chain.storage_byte_cost().as_yoctonear(),
        "storage_cost = bytes added × byte cost"
    );
    assert!(added <= 1_700, "{added} bytes");
    assert_eq!(w.b.balance(&w.c.attestation).as_yoctonear() - contract_balance.as_yoctonear(), cost);

    // Views.
    let view: Value = w.view("get_receipt", json!({"receipt_id": "0"}));
    assert_eq!(view["id"], "0");
    assert_eq!(view["receipt"], json!(receipt));
    assert_eq!(view["operator"], json!(w.node));
    assert_eq!(view["submitter"], json!(relayer));
    assert_eq!(view["attester_revoked"], false);
    assert!(view["attester_revoked_at"].is_null());
    assert!(w.nonce_used(&w.node, 1));
    assert!(!w.nonce_used(&w.node, 2));

    // A second receipt, submitted by the attester itself, for another requester.
    let mut second = w.v1(2);
    second.requester = sdk_account(&w.publisher);
    let sig2 = w.sign(&w.signer, &second);
    // It attaches far more than needed: everything beyond the bytes comes back.
    let node = w.node.clone();
    let node_before = w.b.balance(&node);
    let out = w.submit_as(&node, &second, &sig2, near(1), SUBMIT_GAS);
    out.assert_success();
    assert_eq!(out.json::<String>(), "1");
    let cost2: u128 =
        out.events_named(STD, "receipt_stored")[0].data["storage_cost"].as_str().unwrap().parse().unwrap();
    let burnt2 = out.tx.as_ref().unwrap().tokens_burnt;
    assert_eq!(node_before.as_yoctonear() - w.b.balance(&node).as_yoctonear(), burnt2 + cost2);

    let ids =
        |list: Vec<Value>| -> Vec<String> { list.iter().map(|r| r["id"].as_str().unwrap().to_string()).collect() };
    assert_eq!(ids(w.view("get_receipts_by_requester", json!({"requester": w.requester}))), vec!["0"]);
    assert_eq!(ids(w.view("get_receipts_by_requester", json!({"requester": w.publisher}))), vec!["1"]);
    assert_eq!(ids(w.view("get_receipts_by_model", json!({"model_id": MODEL}))), vec!["0", "1"]);
    assert_eq!(ids(w.view("get_receipts_by_model", json!({"model_id": MODEL, "version": 1}))), vec!["0", "1"]);
    assert!(ids(w.view("get_receipts_by_model", json!({"model_id": MODEL, "version": 3}))).is_empty());
    assert_eq!(
        ids(w.view("get_receipts_by_model", json!({"model_id": MODEL, "from_index": 1, "limit": 1}))),
        vec!["1"]
    );
    assert_eq!(ids(w.view("get_receipts_by_attester", json!({"operator": w.node}))), vec!["0", "1"]);
    assert_eq!(w.view::<String>("get_receipt_count_by_requester", json!({"requester": w.requester})), "1");
    assert_eq!(w.view::<String>("get_receipt_count_by_model", json!({"model_id": MODEL, "version": null})), "2");
    assert_eq!(w.view::<String>("get_receipt_count_by_model", json!({"model_id": MODEL, "version": 1})), "2");
    assert_eq!(w.view::<String>("get_receipt_count_by_model", json!({"model_id": MODEL, "version": 2})), "0");
    assert_eq!(w.view::<String>("get_receipt_count_by_attester", json!({"operator": w.node})), "2");
    let attester: Value = w.view("get_attester", json!({"operator": w.node}));
    assert_eq!(attester["receipt_count"], "2");
    assert_eq!(attester["active"], true);
    let by_key: Value = w.view("get_attester_by_key", json!({"public_key": w.signer.public_key().to_string()}));
    assert_eq!(by_key["operator"], json!(w.node));
    assert_eq!(w.receipt_count(), "2");
}

#[test]
fn registry_refusals_store_nothing_free_the_nonce_and_refund_the_deposit() {
    let mut w = World::new();
    let (w1, w2, w3) = (w.weights[0], w.weights[1], w.weights[2]);

    let revoked = w.receipt(&w.signer, MODEL, 2, w2, 10);
    w.rejected_by_registry(&revoked, "model commons-chat version 2 is revoked in the registry, not approved");

    let unknown = w.receipt(&w.signer, MODEL, 9, w1, 11);
    w.rejected_by_registry(&unknown, "model commons-chat version 9 is not in the registry");

    let submitted = w.receipt(&w.signer, MODEL, 3, w3, 12);
    w.rejected_by_registry(&submitted, "model commons-chat version 3 is submitted in the registry, not approved");

    let wrong_digest = w.receipt(&w.signer, MODEL, 1, w2, 13);
    w.rejected_by_registry(
        &wrong_digest,
        &format!("weights digest {w2} does not match the registry's {w1} for model commons-chat version 1"),
    );
    assert_eq!(w.receipt_count(), "0");
    assert_eq!(w.view::<String>("get_receipt_count_by_model", json!({"model_id": MODEL, "version": null})), "0");
    assert!(w.view::<Value>("get_receipt", json!({"receipt_id": "0"})).is_null());

    // The nonce really is free: once the DAO approves v3, the same signed
    // receipt (still inside the clock window) is accepted.
    govern(&mut w.b, &w.c, "Approve v3", json!({"type": "approve_model_version", "model_id": MODEL, "version": 3}));
    let signature = w.sign(&w.signer, &submitted);
    let relayer = w.relayer.clone();
    let deposit = w.deposit();
    let out = w.submit_as(&relayer, &submitted, &signature, deposit, SUBMIT_GAS);
    out.assert_success();
    assert_eq!(out.json::<String>(), "0");
    assert!(w.nonce_used(&w.node, 12));
    assert!(!w.nonce_used(&w.node, 10) && !w.nonce_used(&w.node, 11) && !w.nonce_used(&w.node, 13));
}

#[test]
fn bad_receipts_are_refused_at_submission_and_change_nothing() {
    let mut w = World::new();
    let deposit = w.deposit();

    // A stored receipt, to replay.
    let first = w.v1(1);
    let first_sig = w.sign(&w.signer, &first);
    let relayer = w.relayer.clone();
    w.submit_as(&relayer, &first, &first_sig, deposit, SUBMIT_GAS).assert_success();
    let node = w.node.clone();

    // Replayed nonce: the same receipt again, and another receipt reusing the nonce.
    w.refused(&first, &first_sig, deposit, "nonce already used by this attester");
    let reuse = w.v1(1);
    let reuse_sig = w.sign(&w.signer, &reuse);
    w.refused(&reuse, &reuse_sig, deposit, "nonce already used by this attester");
    assert!(w.nonce_used(&node, 1), "a stored receipt's nonce stays spent");

    // Bad signatures: a field changed after signing; another key's signature;
    // a receipt signed for another contract account; not a signature at all.
    let r = w.v1(2);
    let sig = w.sign(&w.signer, &r);
    let mut tampered = r.clone();
    tampered.response_commitment = sha("another answer");
    w.refused(&tampered, &sig, deposit, "invalid receipt signature");
    let mut tampered = r.clone();
    tampered.requester = sdk_account(&w.publisher);
    w.refused(&tampered, &sig, deposit, "invalid receipt signature");
    let thief = AttesterSigner::from_seed([7; 32]);
    let mut as_thief = r.clone();
    as_thief.attester_key = thief.public_key();
    let thief_sig = w.sign(&thief, &as_thief);
    w.refused(&r, &thief_sig, deposit, "invalid receipt signature");
    let elsewhere = w.signer.sign(&r, &"attestation2.test.near".parse().unwrap());
    w.refused(&r, &elsewhere, deposit, "invalid receipt signature");
    w.refused(&r, "ed25519:3yZe7d", deposit, "invalid ed25519 signature");
    // An unregistered key.
    w.refused(&as_thief, &thief_sig, deposit, "attester key is not registered");

    // Clock: stale and future timestamps.
    let now = w.b.block_timestamp();
    let mut stale = w.v1(3);
    stale.timestamp = U64(now - 301 * SECOND);
    let stale_sig = w.sign(&w.signer, &stale);
    w.refused(&stale, &stale_sig, deposit, "receipt timestamp is too old: signed at");
    let mut future = w.v1(3);
    future.timestamp = U64(now + 310 * SECOND);
    let future_sig = w.sign(&w.signer, &future);
    w.refused(&future, &future_sig, deposit, "receipt timestamp is in the future");

    // A model the attester may not serve (approved in the registry, though).
    let other = w.receipt(&w.signer, OTHER_MODEL, 1, w.other_weights, 4);
    let other_sig = w.sign(&w.signer, &other);
    w.refused(&other, &other_sig, deposit, "attester may not serve this model: other-model");

    // Short deposit, no deposit, too little gas.
    let r = w.v1(5);
    let sig = w.sign(&w.signer, &r);
    let short = NearToken::from_yoctonear(deposit.as_yoctonear() - 1);
    w.refused(
        &r,
        &sig,
        short,
        &format!(
            "attach a deposit to pay for the receipt's storage: attached {} yoctoNEAR, required {} yoctoNEAR",
            short.as_yoctonear(),
            deposit.as_yoctonear()
        ),
    );
    w.refused(&r, &sig, zero(), "attach a deposit to pay for the receipt's storage");
    let contract = w.c.attestation.clone();
    let args = json!({"receipt": r, "signature": sig});
    w.b.assert_refused(&contract, "not enough gas attached for the registry check", |b| {
        b.call_gas(&relayer, &contract, "submit_receipt", args, deposit, Gas::from_teragas(45))
    });

    // Malformed fields.
    let mut zero_commit = w.v1(6);
    zero_commit.request_commitment = Digest32([0; 32]);
    let zsig = w.sign(&w.signer, &zero_commit);
    w.refused(&zero_commit, &zsig, deposit, "receipt commitments must not be zero");

    for nonce in 2..=6 {
        assert!(!w.nonce_used(&node, nonce), "nonce {nonce} untouched");
    }
    assert_eq!(w.receipt_count(), "1");
    // Every check passed after all: the untouched nonce 5 is still usable.
    w.submit_as(&relayer, &r, &sig, deposit, SUBMIT_GAS).assert_success();
}

#[test]
fn a_revoked_attester_signs_nothing_after_its_revocation() {
    let mut w = World::new();
    let node2 = w.b.create_account("node2", near(10));
    let signer2 = AttesterSigner::from_seed([2; 32]);
    govern(
        &mut w.b,
        &w.c,
        "Admit node2",
        json!({
            "type": "admit_attester", "operator": node2, "public_keys": [signer2.public_key().to_string()],
            "tee_kind": "amd-sev-snp", "measurements": [], "models": null, "expires_at": null,
        }),
    );
    let deposit = w.deposit();
    let relayer = w.relayer.clone();
    // One stored before the revocation, one signed before it but submitted after.
    let mut stored = w.receipt(&signer2, MODEL, 1, w.weights[0], 1);
    stored.requester = sdk_account(&relayer);
    let sig = w.sign(&signer2, &stored);
    w.submit_as(&relayer, &stored, &sig, deposit, SUBMIT_GAS).assert_success();
    let early = w.receipt(&signer2, OTHER_MODEL, 1, w.other_weights, 2);
    let early_sig = w.sign(&signer2, &early);

    let out = govern(
        &mut w.b,
        &w.c,
        "Revoke node2",
        json!({"type": "revoke_attester", "operator": node2, "reason": "TEE advisory"}),
    );
    let event = &out.events_named(STD, "attester_revoked")[0].data;
    assert_eq!(event["operator"], json!(node2));
    assert_eq!(event["reason"], "TEE advisory");
    let attester: Value = w.view("get_attester", json!({"operator": node2}));
    assert_eq!(attester["active"], false);
    assert_eq!(attester["revoked_at"], event["revoked_at"]);

    // Signed after the revocation: refused, nothing stored.
    let late = w.receipt(&signer2, MODEL, 1, w.weights[0], 3);
    let late_sig = w.sign(&signer2, &late);
    w.refused(&late, &late_sig, deposit, "receipt was signed after the attester was revoked");
    assert!(!w.nonce_used(&node2, 3));

    // Signed before it: still accepted, flagged, like the one stored before.
    w.submit_as(&relayer, &early, &early_sig, deposit, SUBMIT_GAS).assert_success();
    for id in ["0", "1"] {
        let view: Value = w.view("get_receipt", json!({"receipt_id": id}));
        assert_eq!(view["attester_revoked"], true, "{view}");
        assert_eq!(view["attester_revoked_at"], event["revoked_at"]);
    }
    // Revocation is final: the DAO cannot re-admit the operator.
    let (_, out) = w.c.pass_and_execute(
        &mut w.b,
        "Re-admit node2",
        json!({
            "type": "admit_attester", "operator": node2, "public_keys": [signer2.public_key().to_string()],
            "tee_kind": "amd-sev-snp", "measurements": [], "models": null, "expires_at": null,
        }),
    );
    assert!(
        out.receipt_failures.iter().any(|f| f.contains("attester is revoked"))
            || out.status.as_ref().is_err_and(|e| e.contains("attester is revoked")),
        "re-admission must fail in the attestation contract: {:?} / {:?}",
        out.status,
        out.receipt_failures
    );
    assert_eq!(w.view::<Value>("get_attester", json!({"operator": node2}))["active"], false);
}

#[test]
fn only_the_dao_admits_and_revokes_attesters() {
    let mut w = World::new();
    let stranger = w.b.create_account("mallory", near(10));
    let member = w.c.council[0].clone();
    let contract = w.c.attestation.clone();
    let node = w.node.clone();
    let key = AttesterSigner::from_seed([9; 32]).public_key().to_string();
    let admit = json!({"operator": stranger, "public_keys": [key], "tee_kind": "intel-tdx", "measurements": [], "models": null, "expires_at": null});
    for who in [&stranger, &member, &node] {
        let args = admit.clone();
        w.b.assert_refused(&contract, "only the owner may call this method", |b| {
            b.call_json(who, &contract, "admit_attester", args, millinear(10))
        });
        w.b.assert_refused(&contract, "only the owner may call this method", |b| {
            b.call_json(who, &contract, "revoke_attester", json!({"operator": node, "reason": "hostile"}), zero())
        });
        w.b.assert_refused(&contract, "only the owner may call this method", |b| {
            b.call_json(who, &contract, "set_registry", json!({"new_registry": who}), zero())
        });
    }
    assert!(w.view::<Value>("get_attester", json!({"operator": stranger})).is_null());
    assert_eq!(w.view::<Value>("get_attester", json!({"operator": node}))["active"], true);
    let config: Value = w.view("get_config", json!({}));
    assert_eq!(config["owner"], json!(w.c.dao));
    assert_eq!(config["attester_count"], 1);

    // The DAO does both.
    let out = govern(
        &mut w.b,
        &w.c,
        "Revoke node",
        json!({"type": "revoke_attester", "operator": node, "reason": "rotating hardware"}),
    );
    assert_eq!(out.events_named(STD, "attester_revoked").len(), 1);
    assert_eq!(w.view::<Value>("get_attester", json!({"operator": node}))["active"], false);
}

#[test]
fn the_callbacks_are_private() {
    let mut w = World::new();
    let stranger = w.b.create_account("mallory", near(10));
    let contract = w.c.attestation.clone();
    let receipt = w.v1(1);
    let callback_args = json!({
        "operator": w.node, "receipt": receipt, "submitter": stranger,
        "deposit": near(1).as_yoctonear().to_string(), "reserved_bytes": "0",
    });
    // The DAO and registry accounts hold no key since the deploy (nobody can
    // sign for them); a council member and the node stand in for other callers.
    for who in [stranger.clone(), w.c.council[0].clone(), w.node.clone()] {
        let args = callback_args.clone();
        w.b.assert_refused(&contract, "is private", |b| {
            b.call_json(&who, &contract, "on_version_status", args, zero())
        });
        w.b.assert_refused(&contract, "is private", |b| {
            b.call_json(&who, &contract, "fail_rejected_receipt", json!({"reason": "x"}), zero())
        });
    }
    assert_eq!(w.receipt_count(), "0");
    assert!(!w.nonce_used(&w.node, 1));
}

#[test]
fn the_receipt_digest_view_equals_the_signers_digest() {
    let w = World::new();
    let contract = sdk_account(&w.c.attestation);
    for receipt in [w.v1(1), w.receipt(&w.signer, OTHER_MODEL, 7, w.other_weights, u64::MAX)] {
        let on_chain: String = w.view("receipt_digest", json!({"receipt": receipt}));
        assert_eq!(on_chain, receipt_digest(&receipt, &contract).to_hex());
        // The digest names the contract: another account gives another digest.
        let elsewhere = receipt_digest(&receipt, &"attestation2.test.near".parse().unwrap());
        assert_ne!(on_chain, elsewhere.to_hex());
    }
    let config: Value = w.view("get_config", json!({}));
    assert_eq!(config["receipt_domain"], "ai-commons/inference-receipt");
    assert_eq!(config["receipt_format_version"], 1);
}
