//! Delegation and community agents end to end, on the embedded chain: an
//! agent's vote is checked across the DAO, the attestation contract and the
//! registry, and every refused vote leaves the DAO's state, balance and
//! storage exactly as they were.

use ai_commons_tests::community::zero;
use ai_commons_tests::community::{millinear, near, sha, Community};
use ai_commons_tests::{Backend, BackendExt, Embedded, Wasm};
use attestation_signer::{commit, random_salt, AttesterSigner, Digest32, InferenceReceipt, U64};
use embedded_chain::{AccountId, Gas};
use serde_json::{json, Value};

const MODEL: &str = "commons-chat";

fn weights(v: u32) -> Digest32 {
    sha(&format!("{MODEL} v{v} weights"))
}

/// Signs a receipt of `MODEL` v`version` for `requester` and stores it; returns its id.
fn stored_receipt(
    b: &mut Embedded,
    c: &Community,
    signer: &AttesterSigner,
    requester: &AccountId,
    version: u32,
    nonce: u64,
) -> String {
    let salt = random_salt();
    let receipt = InferenceReceipt {
        model_id: MODEL.into(),
        version,
        weights_digest: weights(version),
        request_commitment: commit(&salt, b"is this proposal within the mandate?"),
        response_commitment: commit(&salt, b"no"),
        requester: requester.as_str().parse().unwrap(),
        attester_key: signer.public_key(),
        nonce: U64(nonce),
        timestamp: U64(b.block_timestamp()),
    };
    let signature = signer.sign(&receipt, &c.attestation.as_str().parse().unwrap());
    let out = b.call_gas(
        requester,
        &c.attestation,
        "submit_receipt",
        json!({"receipt": receipt, "signature": signature}),
        millinear(20),
        Gas::from_teragas(150),
    );
    out.assert_success();
    out.json()
}

fn agent_vote(b: &mut Embedded, c: &Community, agent: &AccountId, id: u64, receipt: &str) -> ai_commons_tests::Outcome {
    b.call_gas(
        agent,
        &c.dao,
        "vote_as_agent",
        json!({"id": id.to_string(), "choice": "no", "receipt_id": receipt}),
        zero(),
        Gas::from_teragas(30),
    )
}

fn admit(b: &mut Embedded, c: &Community, operator: &AccountId, signer: &AttesterSigner) {
    let kind = json!({
        "type": "admit_attester", "operator": operator, "public_keys": [signer.public_key().to_string()],
        "tee_kind": "intel-tdx", "measurements": [sha("mrtd")], "models": [MODEL], "expires_at": null,
    });
    c.pass_and_execute(b, "admit an attester", kind).1.assert_success();
}

#[test]
fn an_agent_vote_is_checked_against_its_receipt_and_refusals_change_nothing() {
    let wasm = Wasm::load();
    let mut b = Embedded::new();
    let c = Community::deploy(&mut b, &wasm, &["alice", "bob", "carol"]).community;
    let (alice, bob) = (c.council[0].clone(), c.council[1].clone());

    // A model with two approved versions; the agent's mandate names v1.
    let paula = b.create_account("paula", near(10));
    b.call_json(
        &paula,
        &c.registry,
        "register_model",
        json!({
            "model_id": MODEL, "name": "Commons Chat", "task": "text-generation", "license": "mit",
            "card_uri": "ipfs://card", "card_digest": sha("card"),
        }),
        millinear(20),
    )
    .assert_success();
    for v in 1..=2u32 {
        let parent = if v == 1 { Value::Null } else { json!({"model_id": MODEL, "version": v - 1}) };
        b.call_json(&paula, &c.registry, "submit_version", json!({
            "model_id": MODEL, "weights_digest": weights(v), "artifact_uri": format!("ipfs://v{v}"), "parent": parent,
            "training": {"code_digest": sha("code"), "dataset_digest": null, "consent_contract": null, "consent_snapshot_id": null},
            "eval_report_digest": null, "metadata": null,
        }), millinear(50)).assert_success();
        let kind = json!({"type": "approve_model_version", "model_id": MODEL, "version": v});
        c.pass_and_execute(&mut b, "approve", kind).1.assert_success();
    }
    let (node, node_b) = (b.create_account("node", near(10)), b.create_account("nodeb", near(10)));
    let signer = AttesterSigner::from_seed(*sha("node seed").as_bytes());
    let signer_b = AttesterSigner::from_seed(*sha("node b seed").as_bytes());
    admit(&mut b, &c, &node, &signer);
    admit(&mut b, &c, &node_b, &signer_b);

    let agent = b.create_account("agent", near(10));
    let register = json!({
        "type": "register_agent", "account_id": agent, "mandate_uri": "ipfs://mandate", "mandate_hash": sha("mandate"),
        "model_id": MODEL, "version": 1, "can_vote": ["text"], "can_propose": [],
        "expires_at": (b.block_timestamp() + 30 * 24 * 3600 * 1_000_000_000u64).to_string(),
    });
    c.pass_and_execute(&mut b, "register the agent", register).1.assert_success();
    b.call_json(&bob, &c.dao, "delegate", json!({"delegate": agent, "kinds": ["text"]}), millinear(10))
        .assert_success();

    let early = stored_receipt(&mut b, &c, &signer, &agent, 1, 1);
    b.fast_forward(2);
    let id = c.propose(&mut b, &alice, "Adopt the charter", json!({"type": "text"}));
    b.fast_forward(2);
    let other_requester = stored_receipt(&mut b, &c, &signer, &paula, 1, 2);
    let other_version = stored_receipt(&mut b, &c, &signer, &agent, 2, 3);
    let by_revoked = stored_receipt(&mut b, &c, &signer_b, &agent, 1, 1);
    let good = stored_receipt(&mut b, &c, &signer, &agent, 1, 4);
    let revoke = json!({"type": "revoke_attester", "operator": node_b, "reason": "firmware advisory"});
    c.pass_and_execute(&mut b, "revoke node b", revoke).1.assert_success();

    for (receipt, error) in [
        (&other_requester, "receipt was requested by another account"),
        (&other_version, "receipt model or version does not match the agent mandate"),
        (&by_revoked, "receipt attester is revoked"),
        (&early, "receipt was signed before the proposal was created"),
        (&"999".to_string(), "receipt not found"),
    ] {
        b.assert_refused(&c.dao, error, |b| agent_vote(b, &c, &agent, id, receipt));
    }
    // Checks the DAO can make at once fail before any cross-contract call.
    b.assert_refused(&c.dao, "caller is not a community agent", |b| agent_vote(b, &c, &paula, id, &good));
    let stranger = b.create_account("stranger", near(5));
    let callback = json!({"id": id.to_string(), "agent_id": agent, "choice": "yes", "receipt_id": good});
    b.assert_refused(&c.dao, "is private", |b| b.call_json(&stranger, &c.dao, "on_agent_vote", callback, zero()));

    let out = agent_vote(&mut b, &c, &agent, id, &good);
    out.assert_success();
    assert!(out.total_gas <= 15_000_000_000_000, "agent vote burnt {} gas", out.total_gas);
    let vote: Value = b.view(&c.dao, "get_vote", json!({"id": id.to_string(), "account_id": agent}));
    assert_eq!((&vote["weight"], &vote["receipt_id"], &vote["choice"]), (&json!(1), &json!(good), &json!("no")));
    assert_eq!(c.proposal(&b, id)["tally"]["no"], json!(1));
    b.assert_refused(&c.dao, "agent already voted on this proposal", |b| agent_vote(b, &c, &agent, id, &good));

    // Bob overrides his agent: the agent's vote loses his weight.
    c.vote(&mut b, &bob, id, "yes").assert_success();
    let vote: Value = b.view(&c.dao, "get_vote", json!({"id": id.to_string(), "account_id": agent}));
    assert_eq!(vote["weight"], json!(0));
    let tally = &c.proposal(&b, id)["tally"];
    assert_eq!((&tally["yes"], &tally["no"]), (&json!(1), &json!(0)));
    let actions: Vec<Value> = b.view(&c.dao, "get_agent_actions", json!({"account_id": agent}));
    let names: Vec<&str> = actions.iter().filter_map(|a| a["action"].as_str()).collect();
    assert_eq!(names, ["registered", "voted"]);
    assert_eq!(actions[1]["receipt_id"], json!(good));
}

#[test]
fn delegation_refusals_change_nothing_and_a_snapshot_holds() {
    let wasm = Wasm::load();
    let mut b = Embedded::new();
    let c = Community::deploy(&mut b, &wasm, &["alice", "bob", "carol", "dave"]).community;
    let (alice, bob, carol) = (c.council[0].clone(), c.council[1].clone(), c.council[2].clone());
    let stranger = b.create_account("stranger", near(5));
    let delegate = |b: &mut Embedded, who: &AccountId, to: &AccountId| {
        b.call_json(who, &c.dao, "delegate", json!({"delegate": to, "kinds": "all"}), millinear(10))
    };
    // The delegator pays the storage its delegation adds (the chain reverts the writes).
    b.assert_refused(&c.dao, "insufficient deposit for storage", |b| {
        b.call_json(&bob, &c.dao, "delegate", json!({"delegate": alice, "kinds": "all"}), zero())
    });
    b.assert_refused(&c.dao, "cannot delegate to yourself", |b| delegate(b, &bob, &bob));
    b.assert_refused(&c.dao, "delegate is neither a member nor a community agent", |b| delegate(b, &bob, &stranger));
    b.assert_refused(&c.dao, "caller is not a member", |b| delegate(b, &stranger, &alice));
    b.assert_refused(&c.dao, "caller has no delegation", |b| {
        b.call_json(&bob, &c.dao, "undelegate", json!({}), millinear(10))
    });
    let past = json!({"delegate": alice, "kinds": ["text"], "expires_at": "1"});
    b.assert_refused(&c.dao, "expires_at must be in the future", |b| {
        b.call_json(&bob, &c.dao, "delegate", past, zero())
    });

    delegate(&mut b, &bob, &alice).assert_success();
    let open = c.propose(&mut b, &carol, "before the change", json!({"type": "text"}));
    delegate(&mut b, &bob, &carol).assert_success();
    let weight = |b: &Embedded, id: u64, who: &AccountId| -> u32 {
        b.view(&c.dao, "get_delegated_weight", json!({"id": id.to_string(), "account_id": who}))
    };
    assert_eq!((weight(&b, open, &alice), weight(&b, open, &carol)), (1, 0), "the open proposal keeps its count");
    c.vote(&mut b, &alice, open, "yes").assert_success();
    let vote: Value = b.view(&c.dao, "get_vote", json!({"id": open.to_string(), "account_id": alice}));
    assert_eq!(vote["weight"], json!(2));
    let delegators: Vec<Value> = b.view(&c.dao, "get_delegators", json!({"account_id": carol}));
    assert_eq!(delegators.len(), 1);
    assert_eq!(delegators[0]["delegator"], json!(bob));
}

/// A role the policy names suspends an agent at once; its delegators vote
/// themselves; the DAO changes its mandate in place and retires it by
/// proposal. Every refusal leaves the DAO's state, balance and storage as they were.
#[test]
fn a_council_role_suspends_an_agent_at_once_and_a_proposal_changes_its_mandate() {
    let wasm = Wasm::load();
    let mut b = Embedded::new();
    let c = Community::deploy(&mut b, &wasm, &["alice", "bob", "carol"]).community;
    let (alice, bob) = (c.council[0].clone(), c.council[1].clone());
    let dave = b.create_account("dave", near(10));
    let add = json!({"type": "add_member", "account_id": dave, "roles": ["member"]});
    c.pass_and_execute(&mut b, "welcome dave", add).1.assert_success();
    let stranger = b.create_account("stranger", near(5));

    let agent = b.create_account("agent", near(10));
    let expires = (b.block_timestamp() + 30 * 24 * 3600 * 1_000_000_000u64).to_string();
    let register = json!({
        "type": "register_agent", "account_id": agent, "mandate_uri": "ipfs://mandate", "mandate_hash": sha("mandate"),
        "model_id": MODEL, "version": 1, "can_vote": ["text"], "can_propose": [], "expires_at": expires,
    });
    c.pass_and_execute(&mut b, "register the agent", register).1.assert_success();
    b.call_json(&bob, &c.dao, "delegate", json!({"delegate": agent, "kinds": ["text"]}), millinear(10))
        .assert_success();
    let id = c.propose(&mut b, &alice, "Adopt the charter", json!({"type": "text"}));

    let suspend = |b: &mut Embedded, who: &AccountId, deposit| {
        b.call_json(who, &c.dao, "suspend_agent", json!({"account_id": agent, "reason": "off mandate"}), deposit)
    };
    // No role may by default.
    let denied = "caller holds no role the policy lets suspend agents at once";
    b.assert_refused(&c.dao, denied, |b| suspend(b, &alice, millinear(10)));

    // The policy grants it to the council, through `change_policy`.
    let policy: Value = b.view(&c.dao, "get_policy", json!({}));
    let grant =
        json!({"type": "change_policy", "label": null, "policy": policy["default"], "agent_suspenders": ["council"]});
    c.pass_and_execute(&mut b, "council may suspend agents", grant).1.assert_success();
    let policy: Value = b.view(&c.dao, "get_policy", json!({}));
    assert_eq!(policy["agent_suspenders"], json!(["council"]));

    b.assert_refused(&c.dao, denied, |b| suspend(b, &dave, millinear(10)));
    b.assert_refused(&c.dao, "caller is not a member", |b| suspend(b, &stranger, millinear(10)));
    b.assert_refused(&c.dao, "insufficient deposit for storage", |b| suspend(b, &alice, zero()));
    b.assert_refused(&c.dao, "account is not a community agent: dave", |b| {
        b.call_json(&alice, &c.dao, "suspend_agent", json!({"account_id": dave, "reason": "x"}), millinear(10))
    });

    let out = suspend(&mut b, &alice, millinear(10));
    out.assert_success();
    assert!(out.total_gas <= 5_000_000_000_000, "suspension at once burnt {} gas", out.total_gas);
    let logs = out.logs.join("\n");
    assert!(
        logs.contains(r#""event":"agent_status_changed""#) && logs.contains(&format!(r#""by":"{alice}""#)),
        "{logs}"
    );
    let view: Value = b.view(&c.dao, "get_agent", json!({"account_id": agent}));
    assert_eq!(view["status"], json!("suspended"));
    let actions: Vec<Value> = b.view(&c.dao, "get_agent_actions", json!({"account_id": agent}));
    let last = actions.last().unwrap();
    assert_eq!(
        (&last["action"], &last["by"], &last["reason"]),
        (&json!("suspended"), &json!(alice), &json!("off mandate"))
    );
    assert_eq!(last["proposal_id"], Value::Null);

    // Suspended: it casts no vote (refused before any cross-contract call); Bob votes himself.
    b.assert_refused(&c.dao, "agent is suspended, retired or expired", |b| agent_vote(b, &c, &agent, id, "1"));
    c.vote(&mut b, &bob, id, "yes").assert_success();
    let vote: Value = b.view(&c.dao, "get_vote", json!({"id": id.to_string(), "account_id": bob}));
    assert_eq!(vote["overrode"], json!(agent));
    b.assert_refused(&c.dao, "agent is already suspended or retired", |b| suspend(b, &bob, millinear(10)));

    // The community changes its mandate in place: same account, status, delegations, log.
    let update = json!({
        "type": "update_agent", "account_id": agent, "mandate_uri": "ipfs://mandate-v2", "mandate_hash": sha("mandate v2"),
        "model_id": MODEL, "alias": "production", "can_vote": ["text", "transfer"], "can_propose": ["text"],
        "expires_at": expires,
    });
    let (changed, out) = c.pass_and_execute(&mut b, "mandate v2", update.clone());
    out.assert_success();
    assert!(out.logs.join("\n").contains(r#""event":"agent_mandate_changed""#));
    let view: Value = b.view(&c.dao, "get_agent", json!({"account_id": agent}));
    assert_eq!(
        (&view["mandate_uri"], &view["alias"], &view["version"], &view["status"]),
        (&json!("ipfs://mandate-v2"), &json!("production"), &Value::Null, &json!("suspended"))
    );
    let delegators: Vec<Value> = b.view(&c.dao, "get_delegators", json!({"account_id": agent}));
    assert_eq!(delegators.len(), 1);
    let actions: Vec<Value> = b.view(&c.dao, "get_agent_actions", json!({"account_id": agent}));
    let names: Vec<&str> = actions.iter().filter_map(|a| a["action"].as_str()).collect();
    assert_eq!(names, ["registered", "suspended", "mandate_changed"]);
    assert_eq!(actions[2]["proposal_id"], json!(changed.to_string()));

    // Retired by proposal: no suspension, no change any more.
    let retire = json!({"type": "retire_agent", "account_id": agent, "reason": "replaced"});
    c.pass_and_execute(&mut b, "retire the agent", retire).1.assert_success();
    b.assert_refused(&c.dao, "agent is already suspended or retired", |b| suspend(b, &alice, millinear(10)));
    let deposit = c.proposal_deposit(&b, &alice, "again", &json!({"type": "text"}));
    b.assert_refused(&c.dao, "a retired agent cannot be changed", |b| {
        b.call_json(&alice, &c.dao, "add_proposal", json!({"description": "again", "kind": update}), deposit)
    });
}
