//! Two holes of community-dao, closed and shown end to end on the embedded
//! chain with the real wasm:
//!
//! 1. The treasury invariant: a transfer that would eat into what open
//!    proposals may still cost the DAO is refused naming the amounts; a plain
//!    top-up makes it executable; with the free treasury spent to the last
//!    yoctoNEAR, votes are still recorded, proposals decided, finalized,
//!    cancelled and executed, and every bond refunded.
//! 2. Proposals their target contract would refuse are refused by
//!    `add_proposal`, with the target's own message, changing nothing.

use ai_commons_tests::community::{near, Community, PROPOSAL_BOND};
use ai_commons_tests::community::{wasm, zero};
use ai_commons_tests::{Backend, BackendExt, Embedded, Outcome};
use attestation_signer::AttesterSigner;
use embedded_chain::{AccountId, NearToken};
use serde_json::{json, Value};

const STANDARD: &str = "community_dao";
const NS_PER_SEC: u64 = 1_000_000_000;
/// Prefix of a target contract's message when the DAO refuses a proposal at creation.
const AT_CREATION: &str = "refused at creation, the target contract would refuse it: ";

fn setup() -> (Embedded, Community) {
    let mut b = Embedded::new();
    let c = Community::deploy(&mut b, wasm(), &["alice", "bob", "carol"]).community;
    (b, c)
}

fn yocto(v: &Value) -> u128 {
    v.as_str().unwrap_or_else(|| panic!("yocto amount expected, got {v}")).parse().expect("yocto amount")
}

/// Tokens the signer paid for the gas of a transaction (the chain's accounting is exact).
fn burnt(out: &Outcome) -> u128 {
    out.tx.as_ref().expect("embedded outcome").tokens_burnt
}

fn balance(b: &Embedded, account: &AccountId) -> u128 {
    b.balance(account).as_yoctonear()
}

fn config(b: &Embedded, c: &Community) -> Value {
    b.view(&c.dao, "get_config", json!({}))
}

/// The single `community_dao` event named `name`.
#[track_caller]
fn event(out: &Outcome, name: &str) -> Value {
    let found = out.events_named(STANDARD, name);
    assert_eq!(found.len(), 1, "expected one {name} event, got {:?}", out.event_names());
    found[0].data.clone()
}

/// The treasury as the DAO accounts for it, checked against the chain: the
/// balance covers storage staking, locked bonds and the reserve, and the rest
/// is what `get_config` calls available.
#[track_caller]
fn check_treasury(b: &Embedded, c: &Community) -> (u128, u128) {
    let cfg = config(b, c);
    let staked = b.chain.storage_byte_cost().as_yoctonear() * b.storage_usage(&c.dao) as u128;
    let (locked, reserved, available) =
        (yocto(&cfg["locked_bonds"]), yocto(&cfg["reserved"]), yocto(&cfg["available_treasury"]));
    let held = staked + locked + reserved;
    let bal = balance(b, &c.dao);
    assert!(bal >= held, "the DAO holds {bal}, less than staking {staked} + bonds {locked} + reserve {reserved}");
    assert_eq!(available, bal - held, "available treasury");
    (available, reserved)
}

fn past_deadline(b: &mut Embedded, c: &Community, id: u64) {
    let deadline: u64 = c.proposal(b, id)["deadline"].as_str().unwrap().parse().unwrap();
    let now = b.block_timestamp();
    if now < deadline {
        b.fast_forward((deadline - now) / NS_PER_SEC + 1);
    }
}

/// Sends `amount` to the DAO with a plain transfer (no method call).
fn top_up(b: &mut Embedded, from: &AccountId, dao: &AccountId, amount: u128) {
    let out: Outcome = b.chain.transfer(from, dao, NearToken::from_yoctonear(amount)).into();
    out.assert_success();
}

/// Asserts that `who`'s balance moved by `delta` plus the gas of `out`.
#[track_caller]
fn assert_paid_only_gas_and(b: &Embedded, who: &AccountId, before: u128, out: &Outcome, refund: u128) {
    assert_eq!(balance(b, who), before - burnt(out) + refund, "{who}'s balance");
}

// ----- hole 1: the treasury invariant -----------------------------------------

#[test]
fn a_drained_treasury_still_records_votes_decides_finalizes_refunds_and_executes() {
    let (mut b, c) = setup();
    let (alice, bob, carol) = (c.council[0].clone(), c.council[1].clone(), c.council[2].clone());
    let grantee = b.create_account("grantee", near(1));
    let patron = b.create_account("patron", near(100));
    let dave = b.create_account("dave", near(5));

    // What a text proposal will cost alice (priced now: once the treasury is
    // drained, the view refuses as add_proposal does).
    let deposit = c.proposal_deposit(&b, &alice, "one more", &json!({"type": "text"}));

    // Proposals that are open while the treasury is drained.
    let to_finalize = c.propose(&mut b, &alice, "left to expire", json!({"type": "text"}));
    let to_decide = c.propose(&mut b, &bob, "decided after the drain", json!({"type": "text"}));
    let to_cancel = c.propose(&mut b, &carol, "withdrawn after the drain", json!({"type": "text"}));
    let add_dave = c.propose(
        &mut b,
        &alice,
        "welcome dave",
        json!({"type": "add_member", "account_id": dave, "roles": ["member"]}),
    );
    let (free, reserved) = check_treasury(&b, &c);
    assert!(reserved > 0, "open proposals reserve what their votes and executions may cost");

    // A transfer of everything free at creation time. Its own votes then use
    // storage, so at execution it no longer fits: refused, naming the amounts,
    // recorded as failed, nothing sent.
    let transfer = c.propose(
        &mut b,
        &alice,
        "grant everything",
        json!({"type": "transfer", "receiver_id": grantee, "amount": free.to_string()}),
    );
    c.vote(&mut b, &alice, transfer, "yes").assert_success();
    c.vote(&mut b, &bob, transfer, "yes").assert_success();
    assert_eq!(c.status(&b, transfer), "passed");
    let (available, reserved) = check_treasury(&b, &c);
    assert!(available < free, "the transfer's votes took storage");
    let (dao_before, grantee_before) = (balance(&b, &c.dao), balance(&b, &grantee));
    let usage_before = b.storage_usage(&c.dao);
    let out = c.execute(&mut b, &carol, transfer);
    out.assert_success();
    assert_eq!(
        event(&out, "proposal_execution_failed")["reason"],
        json!(format!("insufficient treasury: need {free} yoctoNEAR, available {available}, reserved {reserved}"))
    );
    assert_eq!(c.status(&b, transfer), "failed");
    assert_eq!(balance(&b, &c.dao), dao_before, "nothing left the DAO");
    assert_eq!(balance(&b, &grantee), grantee_before, "nothing reached the grantee");
    assert_eq!(b.storage_usage(&c.dao), usage_before);

    // Anyone tops the treasury up with a plain transfer; the retry executes
    // and leaves exactly nothing free.
    top_up(&mut b, &patron, &c.dao, free - available);
    assert_eq!(check_treasury(&b, &c).0, free);
    let out = c.execute(&mut b, &carol, transfer);
    out.assert_success();
    assert_eq!(event(&out, "proposal_executed")["attempt"], json!(2));
    assert_eq!(c.status(&b, transfer), "executed");
    assert_eq!(balance(&b, &grantee), grantee_before + free);
    let (available, reserved) = check_treasury(&b, &c);
    assert_eq!(available, 0, "the free treasury is spent to the last yoctoNEAR");

    // A further spend is refused at execution (with the amounts) and a new
    // proposal whose reserve nothing covers is refused at creation,
    // changing nothing.
    let kind = json!({"type": "text"});
    let view = b.view_raw(
        &c.dao,
        "get_proposal_deposit",
        &json!({"proposer": alice, "description": "one more", "kind": kind}),
    );
    assert!(
        view.is_err_and(|e| e.contains("treasury cannot cover the reserve of this proposal")),
        "the view refuses too"
    );
    let alice_before = balance(&b, &alice);
    let out =
        b.assert_refused(&c.dao, "treasury cannot cover the reserve of this proposal; top up the dao: need ", |b| {
            b.call_json(&alice, &c.dao, "add_proposal", json!({"description": "one more", "kind": kind}), deposit)
        });
    assert!(
        out.status.as_ref().unwrap_err().contains(&format!("available 0, reserved {reserved}")),
        "{:?}",
        out.status
    );
    assert_paid_only_gas_and(&b, &alice, alice_before, &out, 0);

    // With nothing free: the first votes of a proposal are still stored
    // (the DAO pays their storage), the deciding vote decides and refunds
    // the bond, the passed add_member executes (the DAO pays the member's
    // storage), a cancel and a finalize refund their bonds.
    c.vote(&mut b, &alice, to_decide, "yes").assert_success();
    let bob_before = balance(&b, &bob);
    let out = c.vote(&mut b, &carol, to_decide, "yes");
    assert_eq!(out.json::<String>(), "passed");
    assert_eq!(event(&out, "proposal_status_changed")["bond_refunded"], json!(PROPOSAL_BOND));
    assert_eq!(balance(&b, &bob), bob_before + PROPOSAL_BOND.as_yoctonear());
    c.execute(&mut b, &carol, to_decide).assert_success();
    assert_eq!(c.status(&b, to_decide), "executed");

    c.vote(&mut b, &bob, add_dave, "yes").assert_success();
    let alice_before = balance(&b, &alice);
    let out = c.vote(&mut b, &carol, add_dave, "yes");
    assert_eq!(out.json::<String>(), "passed");
    assert_eq!(balance(&b, &alice), alice_before + PROPOSAL_BOND.as_yoctonear());
    let out = c.execute(&mut b, &bob, add_dave);
    out.assert_success();
    assert_eq!(event(&out, "member_added")["account_id"], json!(dave));
    let member: Value = b.view(&c.dao, "get_member", json!({"account_id": dave}));
    assert_eq!(member["roles"], json!(["member"]));

    let carol_before = balance(&b, &carol);
    let out = b.call_json(&carol, &c.dao, "cancel_proposal", json!({"id": to_cancel.to_string()}), zero());
    out.assert_success();
    assert_eq!(c.status(&b, to_cancel), "cancelled");
    assert_paid_only_gas_and(&b, &carol, carol_before, &out, PROPOSAL_BOND.as_yoctonear());

    past_deadline(&mut b, &c, to_finalize);
    let alice_before = balance(&b, &alice);
    let out = b.call_json(&patron, &c.dao, "finalize", json!({"id": to_finalize.to_string()}), zero());
    assert_eq!(out.json::<String>(), "expired");
    assert_eq!(balance(&b, &alice), alice_before + PROPOSAL_BOND.as_yoctonear());

    // Every bond refunded, nothing reserved any more, and what the ended
    // proposals had reserved beyond what they used is free again.
    let cfg = config(&b, &c);
    assert_eq!(cfg["locked_bonds"], json!("0"));
    assert_eq!(cfg["reserved"], json!("0"));
    assert_eq!(cfg["reserved_storage_bytes"], json!("0"));
    let (available, _) = check_treasury(&b, &c);
    assert!(available > 0, "released reserve is free again");
}

/// The fixed deposit an AI-governance proposal sends is reserved from
/// creation: a transfer passed meanwhile cannot take it, and the alias move
/// executes after the treasury was drained.
#[test]
fn a_passed_community_call_keeps_its_deposit_through_a_drain() {
    let (mut b, c) = setup();
    let (alice, bob) = (c.council[0].clone(), c.council[1].clone());
    let grantee = b.create_account("grantee", near(1));
    let publisher = b.create_account("publisher", near(10));
    // A model version approved through the DAO, then an alias move proposed.
    let sha = ai_commons_tests::community::sha;
    b.call_json(
        &publisher,
        &c.registry,
        "register_model",
        json!({
            "model_id": "m", "name": "M", "task": "text-generation", "license": "mit",
            "card_uri": "ipfs://card", "card_digest": sha("card"),
        }),
        ai_commons_tests::community::millinear(20),
    )
    .assert_success();
    b.call_json(&publisher, &c.registry, "submit_version", json!({
        "model_id": "m", "weights_digest": sha("w1"), "artifact_uri": "ipfs://w1", "parent": null,
        "training": {"code_digest": sha("code"), "dataset_digest": null, "consent_contract": null, "consent_snapshot_id": null},
        "eval_report_digest": null, "metadata": null,
    }), ai_commons_tests::community::millinear(50)).assert_success();
    c.pass_and_execute(&mut b, "approve m v1", json!({"type": "approve_model_version", "model_id": "m", "version": 1}))
        .1
        .assert_success();
    let alias = c.propose(
        &mut b,
        &alice,
        "m v1 to production",
        json!({"type": "move_alias", "model_id": "m", "alias": "production", "version": 1}),
    );
    c.vote(&mut b, &alice, alias, "yes").assert_success();
    c.vote(&mut b, &bob, alias, "yes").assert_success();
    assert_eq!(c.status(&b, alias), "passed");
    let cfg = config(&b, &c);
    assert_eq!(cfg["reserved_deposits"], json!("10000000000000000000000"), "set_alias's 0.01 NEAR is reserved");

    // Drain: a transfer of everything free, topped up to fit after its votes.
    let (free, _) = check_treasury(&b, &c);
    let transfer = c.propose(
        &mut b,
        &alice,
        "grant everything",
        json!({"type": "transfer", "receiver_id": grantee, "amount": free.to_string()}),
    );
    c.vote(&mut b, &alice, transfer, "yes").assert_success();
    c.vote(&mut b, &bob, transfer, "yes").assert_success();
    let (available, _) = check_treasury(&b, &c);
    top_up(&mut b, &grantee, &c.dao, free - available);
    c.execute(&mut b, &bob, transfer).assert_success();
    assert_eq!(c.status(&b, transfer), "executed");
    assert_eq!(check_treasury(&b, &c).0, 0);

    // The alias move still has its deposit and executes on the registry.
    let out = c.execute(&mut b, &bob, alias);
    out.assert_success();
    assert_eq!(c.status(&b, alias), "executed", "{:?}", out.receipt_failures);
    let resolved: Value = b.view(&c.registry, "get_alias", json!({"model_id": "m", "alias": "production"}));
    assert_eq!(resolved["version"], json!(1), "{resolved}");
    assert_eq!(config(&b, &c)["reserved_deposits"], json!("0"));
    check_treasury(&b, &c);
}

// ----- hole 2: target rules checked at creation ----------------------------------

/// Proposes `kind` and asserts the DAO refuses it with the target's `message`,
/// changing nothing but the proposer's balance by the gas it burnt.
#[track_caller]
fn refused_at_creation(b: &mut Embedded, c: &Community, kind: Value, message: &str) {
    let alice = c.council[0].clone();
    // The view refuses with the same message; the call is made with a generous deposit.
    let needle = format!("{AT_CREATION}{message}");
    let deposit = near(2);
    let before = balance(b, &alice);
    let proposals = config(b, c)["proposal_count"].clone();
    let out = b.assert_refused(&c.dao, &needle, |b| {
        b.call_json(&alice, &c.dao, "add_proposal", json!({"description": "refused", "kind": kind}), deposit)
    });
    assert_paid_only_gas_and(b, &alice, before, &out, 0);
    assert_eq!(config(b, c)["proposal_count"], proposals);
    let view =
        b.view_raw(&c.dao, "get_proposal_deposit", &json!({"proposer": alice, "description": "x", "kind": kind}));
    assert!(view.as_ref().is_err_and(|e| e.contains(&needle)), "get_proposal_deposit: {view:?}");
}

fn key(seed: u8) -> String {
    AttesterSigner::from_seed([seed; 32]).public_key().to_string()
}

fn admit(keys: Vec<String>, tee: &str, measurements: Vec<String>, models: Value, expires_at: Value) -> Value {
    json!({
        "type": "admit_attester", "operator": "node.near", "public_keys": keys, "tee_kind": tee,
        "measurements": measurements, "models": models, "expires_at": expires_at,
    })
}

#[test]
fn proposals_their_target_would_refuse_are_refused_at_creation() {
    let (mut b, c) = setup();
    let alice = c.council[0].clone();
    let m = |i: u8| hex::encode([i; 32]);
    let far = (b.block_timestamp() + 365 * 24 * 3600 * NS_PER_SEC).to_string();

    // inference-attestation: admit_attester's rules.
    let cases: Vec<(Value, String)> = vec![
        (admit(vec![], "sev", vec![], json!(null), json!(null)), "public_keys must not be empty".into()),
        (admit((1..=5).map(key).collect(), "sev", vec![], json!(null), json!(null)), "too many public_keys".into()),
        (
            admit(vec![key(1), key(2), key(1)], "sev", vec![], json!(null), json!(null)),
            "public_keys contains a duplicate".into(),
        ),
        (
            admit(vec!["ed25519:not-base58!".into()], "sev", vec![], json!(null), json!(null)),
            "invalid ed25519 public key: bad base58".into(),
        ),
        (
            admit(vec!["ed25519:3VNr6P".into()], "sev", vec![], json!(null), json!(null)),
            "invalid ed25519 public key: expected 32 bytes, got 4".into(),
        ),
        (admit(vec![key(1)], "", vec![], json!(null), json!(null)), "tee_kind must not be empty".into()),
        (
            admit(vec![key(1)], &"t".repeat(65), vec![], json!(null), json!(null)),
            "tee_kind is too long: 65 bytes, at most 64".into(),
        ),
        (
            admit(vec![key(1)], "sev", (0..17).map(m).collect(), json!(null), json!(null)),
            "too many measurements".into(),
        ),
        (
            admit(vec![key(1)], "sev", vec![m(1), m(1)], json!(null), json!(null)),
            "measurements contains a duplicate".into(),
        ),
        (
            admit(vec![key(1)], "sev", vec![], json!([]), json!(null)),
            "models must not be empty; pass null to allow all models".into(),
        ),
        (
            admit(
                vec![key(1)],
                "sev",
                vec![],
                json!((0..33).map(|i| format!("m{i}")).collect::<Vec<_>>()),
                json!(null),
            ),
            "too many models".into(),
        ),
        (admit(vec![key(1)], "sev", vec![], json!(["m", "m"]), json!(null)), "models contains a duplicate".into()),
        (
            admit(vec![key(1)], "sev", vec![], json!(null), json!(b.block_timestamp().to_string())),
            "expires_at must be in the future at the earliest execution".into(),
        ),
        (
            json!({"type": "revoke_attester", "operator": "node.near", "reason": "  "}),
            "reason must not be empty".into(),
        ),
        (
            json!({"type": "revoke_attester", "operator": "node.near", "reason": "r".repeat(513)}),
            "reason is too long: 513 bytes, at most 512".into(),
        ),
        // model-registry: reasons and alias names.
        (
            json!({"type": "revoke_model_version", "model_id": "m", "version": 1, "reason": ""}),
            "reason must not be empty".into(),
        ),
        (
            json!({"type": "deprecate_model_version", "model_id": "m", "version": 1, "reason": "r".repeat(513)}),
            "reason is too long: 513 bytes, at most 512".into(),
        ),
        (
            json!({"type": "move_alias", "model_id": "m", "alias": "Production", "version": 1}),
            "alias may only contain a-z, 0-9, '-', '_' and '.'".into(),
        ),
        // data-consent: the snapshot note.
        (
            json!({"type": "record_training_snapshot", "purpose": "training", "note": "n".repeat(257)}),
            "note is too long: 257 bytes, at most 256".into(),
        ),
    ];
    for (kind, message) in &cases {
        refused_at_creation(&mut b, &c, kind.clone(), message);
    }
    assert_eq!(config(&b, &c)["proposal_count"], json!("0"));

    // The targets give these very messages: an attestation contract and a
    // registry owned by alice, and the community's consent contract, called
    // directly with the same arguments.
    let attest2 = b.create_account("attest2", near(10));
    b.deploy(&attest2, &wasm().attestation).assert_success();
    b.call_json(&attest2, &attest2, "new", json!({"owner": alice, "registry": c.registry}), zero()).assert_success();
    for (kind, message) in cases.iter().filter(|(k, _)| k["type"] == "admit_attester") {
        let mut args = kind.clone();
        args.as_object_mut().unwrap().remove("type");
        let out = b.call_json(&alice, &attest2, "admit_attester", args, near(1));
        let expected = if message.starts_with("expires_at") {
            "expires_at must be in the future" // checked against the block time when called
        } else {
            message.as_str()
        };
        out.assert_failure(expected);
    }
    let out =
        b.call_json(&alice, &attest2, "revoke_attester", json!({"operator": "node.near", "reason": "  "}), zero());
    out.assert_failure("reason must not be empty");
    let registry2 = b.create_account("registry2", near(10));
    b.deploy(&registry2, &wasm().registry).assert_success();
    b.call_json(&registry2, &registry2, "new", json!({"owner": alice, "open_publishing": true}), zero())
        .assert_success();
    let out =
        b.call_json(&alice, &registry2, "revoke_version", json!({"model_id": "m", "version": 1, "reason": ""}), zero());
    out.assert_failure("reason must not be empty");
    let out = b.call_json(
        &alice,
        &registry2,
        "deprecate_version",
        json!({"model_id": "m", "version": 1, "reason": "r".repeat(513)}),
        zero(),
    );
    out.assert_failure("reason is too long: 513 bytes, at most 512");
    let out = b.call_json(
        &alice,
        &c.consent,
        "record_snapshot",
        json!({"purpose": "training", "note": "n".repeat(257)}),
        near(1),
    );
    out.assert_failure("note is too long: 257 bytes, at most 256");

    // At the limits the DAO accepts, and the target executes what it accepted.
    let accepted =
        admit((1..=4).map(key).collect(), &"t".repeat(64), (0..16).map(m).collect(), json!(null), json!(far));
    let (id, out) = c.pass_and_execute(&mut b, "admit a node with four keys", accepted);
    out.assert_success();
    assert_eq!(c.status(&b, id), "executed", "{:?}", out.receipt_failures);
    let attester: Value = b.view(&c.attestation, "get_attester", json!({"operator": "node.near"}));
    assert_eq!(attester["public_keys"].as_array().map(Vec::len), Some(4));
    let note = json!({"type": "record_training_snapshot", "purpose": "training", "note": "n".repeat(256)});
    let (id, out) = c.pass_and_execute(&mut b, "snapshot with the longest note", note);
    out.assert_success();
    assert_eq!(c.status(&b, id), "executed", "{:?}", out.receipt_failures);
}
