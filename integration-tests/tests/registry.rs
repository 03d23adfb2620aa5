//! model-registry end to end on the embedded chain, with the real wasm and the
//! real community-dao as its owner: the whole life of a model (register,
//! versions with parents, approval, alias moves and their history across time,
//! deprecation, revocation) and every refusal, with state, balance and storage
//! asserted unchanged.

use ai_commons_tests::community::{near, Community};
use ai_commons_tests::community::{wasm, zero};
use ai_commons_tests::{Backend, BackendExt, Embedded, Outcome};
use embedded_chain::{AccountId, NearToken};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const STANDARD: &str = "model_registry";
const MODEL: &str = "commons-chat";
const NS_PER_SEC: u64 = 1_000_000_000;
const YOCTO_PER_BYTE: u128 = 10_000_000_000_000_000_000;

fn yocto(t: NearToken) -> u128 {
    t.as_yoctonear()
}

fn burnt(out: &Outcome) -> u128 {
    out.tx.as_ref().expect("embedded outcome").tokens_burnt
}

/// 64 lowercase hex characters: the sha256 of `s`.
fn digest(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// The single `model_registry` event named `name` (NEP-297, version 1.0.0).
#[track_caller]
fn event(out: &Outcome, name: &str) -> Value {
    let found = out.events_named(STANDARD, name);
    assert_eq!(found.len(), 1, "expected one {name} event, got {:?}", out.event_names());
    assert_eq!(found[0].version, "1.0.0", "{name} event version");
    found[0].data.clone()
}

struct World {
    b: Embedded,
    c: Community,
    paula: AccountId,
    stranger: AccountId,
}

fn setup() -> World {
    let mut b = Embedded::new();
    let c = Community::deploy(&mut b, wasm(), &["alice", "bob", "carol"]).community;
    let paula = b.create_account("paula", near(20));
    let stranger = b.create_account("stranger", near(20));
    World { b, c, paula, stranger }
}

fn model_args(model_id: &str) -> Value {
    json!({
        "model_id": model_id, "name": "Commons Chat", "task": "text-generation", "license": "apache-2.0",
        "card_uri": "ipfs://bafy-card", "card_digest": digest("model card"),
    })
}

fn version_args(model_id: &str, weights: &str, parent: Value) -> Value {
    json!({
        "model_id": model_id, "weights_digest": digest(weights), "artifact_uri": format!("ipfs://{weights}"),
        "parent": parent,
        "training": {"code_digest": digest("trainer"), "dataset_digest": digest("dataset"),
                     "consent_contract": "consent.test.near", "consent_snapshot_id": "1"},
        "eval_report_digest": digest(&format!("eval {weights}")), "metadata": "{\"params\":\"8b\"}",
    })
}

impl World {
    fn register(&mut self, who: &AccountId, args: Value, deposit: NearToken) -> Outcome {
        self.b.call_json(who, &self.c.registry, "register_model", args, deposit)
    }

    fn submit(&mut self, who: &AccountId, args: Value, deposit: NearToken) -> Outcome {
        self.b.call_json(who, &self.c.registry, "submit_version", args, deposit)
    }

    fn set_alias(&mut self, who: &AccountId, alias: &str, version: u32, deposit: NearToken) -> Outcome {
        self.b.call_json(
            who,
            &self.c.registry,
            "set_alias",
            json!({"model_id": MODEL, "alias": alias, "version": version}),
            deposit,
        )
    }

    /// Passes and executes a DAO proposal; returns the execute outcome.
    #[track_caller]
    fn govern(&mut self, description: &str, kind: Value) -> Outcome {
        let (id, out) = self.c.pass_and_execute(&mut self.b, description, kind);
        out.assert_success();
        assert_eq!(self.c.status(&self.b, id), "executed", "{description}: {:?}", out.receipt_failures);
        out
    }

    fn view<T: serde::de::DeserializeOwned>(&self, method: &str, args: Value) -> T {
        self.b.view(&self.c.registry, method, args)
    }

    fn status(&self, version: u32) -> Value {
        self.view("version_status", json!({"model_id": MODEL, "version": version}))
    }

    fn alias_at(&self, alias: &str, t: u64) -> Value {
        self.view("get_alias_at", json!({"model_id": MODEL, "alias": alias, "timestamp": t.to_string()}))
    }

    /// Registers MODEL by paula and submits `n` versions (v1 has no parent, later ones the previous).
    fn model_with_versions(&mut self, n: u32) {
        let paula = self.paula.clone();
        self.register(&paula, model_args(MODEL), near(1)).assert_success();
        for v in 1..=n {
            let parent = if v == 1 { Value::Null } else { json!({"model_id": MODEL, "version": v - 1}) };
            assert_eq!(self.submit(&paula, version_args(MODEL, &format!("w{v}"), parent), near(1)).json::<u32>(), v);
        }
    }
}

fn u64_of(v: &Value) -> u64 {
    v.as_str().expect("U64 string").parse().expect("u64")
}

#[test]
fn a_model_lives_its_whole_life_on_chain() {
    let mut w = setup();
    let paula = w.paula.clone();
    let dao = w.c.dao.clone();
    let registry = w.c.registry.clone();

    // Register: the publisher pays exactly the bytes it adds; the excess comes back.
    let (paula0, reg0, bytes0) = (w.b.balance(&paula), w.b.balance(&registry), w.b.storage_usage(&registry));
    let out = w.register(&paula, model_args(MODEL), near(1));
    out.assert_success();
    let data = event(&out, "model_registered");
    assert_eq!(data, json!({"model_id": MODEL, "publisher": paula, "card_digest": digest("model card")}));
    let cost = (w.b.storage_usage(&registry) - bytes0) as u128 * YOCTO_PER_BYTE;
    assert!(cost > 0);
    assert_eq!(yocto(w.b.balance(&registry)), yocto(reg0) + cost);
    assert_eq!(yocto(paula0) - yocto(w.b.balance(&paula)), cost + burnt(&out));
    let model: Value = w.view("get_model", json!({"model_id": MODEL}));
    assert_eq!(
        (model["publisher"].clone(), model["version_count"].clone(), model["name"].clone()),
        (json!(paula), json!(0), json!("Commons Chat"))
    );

    // Versions: v1, v2 (parent v1), v3 (parent: external weights by digest).
    let out = w.submit(&paula, version_args(MODEL, "w1", Value::Null), near(1));
    assert_eq!(out.json::<u32>(), 1);
    assert_eq!(
        event(&out, "version_submitted"),
        json!({"model_id": MODEL, "version": 1, "weights_digest": digest("w1"), "publisher": paula})
    );
    let out = w.submit(&paula, version_args(MODEL, "w2", json!({"model_id": MODEL, "version": 1})), near(1));
    assert_eq!(out.json::<u32>(), 2);
    assert_eq!(event(&out, "version_submitted")["version"], 2);
    let out = w.submit(&paula, version_args(MODEL, "w3", json!({"digest": digest("external base")})), near(1));
    assert_eq!(out.json::<u32>(), 3);

    let versions: Vec<Value> = w.view("get_versions", json!({"model_id": MODEL}));
    assert_eq!(versions.len(), 3);
    assert_eq!(versions[0]["parent"], Value::Null);
    assert_eq!(versions[1]["parent"], json!({"model_id": MODEL, "version": 1}));
    assert_eq!(versions[2]["parent"], json!({"digest": digest("external base")}));
    assert_eq!(versions[1]["training"]["consent_snapshot_id"], "1");
    assert!(versions.iter().all(|v| v["status"] == "submitted"));
    let by_digest: Value = w.view("get_version_by_digest", json!({"digest": digest("w2")}));
    assert_eq!((by_digest["model_id"].clone(), by_digest["version"].clone()), (json!(MODEL), json!(2)));
    assert_eq!(w.view::<Value>("get_version_by_digest", json!({"digest": digest("nobody")})), Value::Null);
    assert_eq!(w.status(1), json!({"status": "submitted", "weights_digest": digest("w1")}));
    assert_eq!(w.status(9), Value::Null);

    // The DAO approves v1 and puts it in production.
    let out = w.govern("Approve v1", json!({"type": "approve_model_version", "model_id": MODEL, "version": 1}));
    assert_eq!(event(&out, "version_approved"), json!({"model_id": MODEL, "version": 1}));
    assert_eq!(w.status(1)["status"], "approved");
    let v1: Value = w.view("get_version", json!({"model_id": MODEL, "version": 1}));
    assert!(u64_of(&v1["status_changed_at"]) > u64_of(&v1["created_at"]));
    let out = w.govern(
        "v1 to production",
        json!({"type": "move_alias", "model_id": MODEL, "alias": "production", "version": 1}),
    );
    let set = event(&out, "alias_set");
    assert_eq!(
        (set["version"].clone(), set["previous_version"].clone(), set["set_by"].clone()),
        (json!(1), Value::Null, json!(dao))
    );
    let t1 = u64_of(&set["at"]);

    // Ten minutes later, v2 replaces it.
    w.b.fast_forward(600);
    w.govern("Approve v2", json!({"type": "approve_model_version", "model_id": MODEL, "version": 2}));
    let out = w.govern(
        "v2 to production",
        json!({"type": "move_alias", "model_id": MODEL, "alias": "production", "version": 2}),
    );
    let set = event(&out, "alias_set");
    assert_eq!((set["version"].clone(), set["previous_version"].clone()), (json!(2), json!(1)));
    let t2 = u64_of(&set["at"]);
    assert!(t2 >= t1 + 600 * NS_PER_SEC);

    // The publisher moves an unprotected alias itself.
    let out = w.set_alias(&paula, "staging", 2, near(1));
    assert_eq!(event(&out, "alias_set")["set_by"], json!(paula));

    let production: Value = w.view("get_alias", json!({"model_id": MODEL, "alias": "production"}));
    assert_eq!(
        (production["version"].clone(), production["protected"].clone(), production["history_len"].clone()),
        (json!(2), json!(true), json!(2))
    );
    assert_eq!(production["last_change"]["set_by"], json!(dao));
    let staging: Value = w.view("get_alias", json!({"model_id": MODEL, "alias": "staging"}));
    assert_eq!((staging["version"].clone(), staging["protected"].clone()), (json!(2), json!(false)));
    let aliases: Vec<Value> = w.view("get_aliases", json!({"model_id": MODEL}));
    assert_eq!(aliases.iter().map(|a| a["alias"].clone()).collect::<Vec<_>>(), [json!("production"), json!("staging")]);
    let history: Vec<Value> = w.view("get_alias_history", json!({"model_id": MODEL, "alias": "production"}));
    assert_eq!(
        history,
        vec![
            json!({"index": 0, "version": 1, "set_by": dao, "at": t1.to_string()}),
            json!({"index": 1, "version": 2, "set_by": dao, "at": t2.to_string()}),
        ]
    );

    // Which version was production at time T.
    assert_eq!(w.alias_at("production", t1 - 1), Value::Null, "not set yet");
    assert_eq!(w.alias_at("production", t1)["version"], 1);
    assert_eq!(w.alias_at("production", t1 + 300 * NS_PER_SEC)["version"], 1);
    assert_eq!(w.alias_at("production", t2 - 1)["version"], 1);
    assert_eq!(w.alias_at("production", t2)["version"], 2);
    assert_eq!(w.alias_at("production", w.b.block_timestamp())["index"], 1);

    // v1 is deprecated by proposal: still readable, no longer an alias target.
    w.b.fast_forward(60);
    let out = w.govern(
        "Deprecate v1",
        json!({"type": "deprecate_model_version", "model_id": MODEL, "version": 1, "reason": "superseded by v2"}),
    );
    assert_eq!(
        event(&out, "version_deprecated"),
        json!({"model_id": MODEL, "version": 1, "reason": "superseded by v2"})
    );
    assert_eq!(w.status(1)["status"], "deprecated");
    let v1: Value = w.view("get_version", json!({"model_id": MODEL, "version": 1}));
    assert_eq!(v1["status_reason"], "superseded by v2");
    w.b.assert_refused(&registry, "an alias may only point to an approved version", |b| {
        b.call_json(
            &paula,
            &registry,
            "set_alias",
            json!({"model_id": MODEL, "alias": "staging", "version": 1}),
            near(1),
        )
    });

    // v2 is revoked by proposal: every alias pointing to it is cleared, the history stays.
    w.b.fast_forward(60);
    let out = w.govern(
        "Revoke v2",
        json!({"type": "revoke_model_version", "model_id": MODEL, "version": 2, "reason": "poisoned training data"}),
    );
    let revoked = event(&out, "version_revoked");
    assert_eq!(
        revoked,
        json!({"model_id": MODEL, "version": 2, "reason": "poisoned training data", "cleared_aliases": ["production", "staging"]})
    );
    let t3 = w.b.block_timestamp();
    assert_eq!(w.status(2)["status"], "revoked");
    let production: Value = w.view("get_alias", json!({"model_id": MODEL, "alias": "production"}));
    assert_eq!((production["version"].clone(), production["history_len"].clone()), (Value::Null, json!(3)));
    assert_eq!(production["last_change"]["set_by"], json!(dao));
    assert_eq!(w.alias_at("production", t2)["version"], 2, "the past does not change");
    assert_eq!(w.alias_at("production", t3)["version"], Value::Null);
    w.b.assert_refused(&registry, "alias does not point to a version", |b| {
        b.call_json(&paula, &registry, "clear_alias", json!({"model_id": MODEL, "alias": "staging"}), near(1))
    });

    // v3 approved; the publisher points staging at it, then clears it.
    w.govern("Approve v3", json!({"type": "approve_model_version", "model_id": MODEL, "version": 3}));
    w.set_alias(&paula, "staging", 3, near(1)).assert_success();
    let out = w.b.call_json(&paula, &registry, "clear_alias", json!({"model_id": MODEL, "alias": "staging"}), near(1));
    let cleared = event(&out, "alias_cleared");
    assert_eq!((cleared["previous_version"].clone(), cleared["set_by"].clone()), (json!(3), json!(paula)));
    let history: Vec<Value> = w.view("get_alias_history", json!({"model_id": MODEL, "alias": "staging"}));
    let moves: Vec<Value> = history.iter().map(|h| h["version"].clone()).collect();
    assert_eq!(moves, [json!(2), Value::Null, json!(3), Value::Null]);

    let statuses: Vec<Value> = (1..=3).map(|v| w.status(v)["status"].clone()).collect();
    assert_eq!(statuses, [json!("deprecated"), json!("revoked"), json!("approved")]);
    let config: Value = w.view("get_config", json!({}));
    assert_eq!((config["owner"].clone(), config["model_count"].clone()), (json!(dao), json!("1")));
}

#[test]
fn a_dao_alias_move_to_an_unapproved_version_fails_and_is_retried_after_approval() {
    let mut w = setup();
    w.model_with_versions(1);
    let dao = w.c.dao.clone();

    let dao0 = w.b.balance(&dao);
    let (id, out) = w.c.pass_and_execute(
        &mut w.b,
        "v1 to production",
        json!({"type": "move_alias", "model_id": MODEL, "alias": "production", "version": 1}),
    );
    assert_eq!(out.json::<String>(), "failed");
    assert!(
        out.receipt_failures.iter().any(|f| f.contains("an alias may only point to an approved version")),
        "{:?}",
        out.receipt_failures
    );
    assert!(out.events_named(STANDARD, "alias_set").is_empty());
    assert_eq!(w.view::<Value>("get_alias", json!({"model_id": MODEL, "alias": "production"})), Value::Null);
    let storage: u128 = w.c.proposal(&w.b, id)["storage_deposit"].as_str().unwrap().parse().unwrap();
    assert_eq!(yocto(w.b.balance(&dao)), yocto(dao0) + storage, "the alias deposit came back to the treasury");

    // A version the registry does not know fails the same way.
    let (_, out) = w.c.pass_and_execute(
        &mut w.b,
        "Approve v7",
        json!({"type": "approve_model_version", "model_id": MODEL, "version": 7}),
    );
    assert_eq!(out.json::<String>(), "failed");
    assert!(out.receipt_failures.iter().any(|f| f.contains("version not found")), "{:?}", out.receipt_failures);

    w.govern("Approve v1", json!({"type": "approve_model_version", "model_id": MODEL, "version": 1}));
    let out = w.c.execute(&mut w.b, &w.c.council[2].clone(), id);
    assert_eq!(out.json::<String>(), "executed");
    assert_eq!(event(&out, "alias_set")["set_by"], json!(dao));
    let alias: Value = w.view("get_alias", json!({"model_id": MODEL, "alias": "production"}));
    assert_eq!(alias["version"], 1);
    assert_eq!(w.c.proposal(&w.b, id)["execution_attempts"], 2);
}

#[test]
fn blank_reasons_are_refused_when_the_proposal_is_made_not_after_it_passed() {
    // The registry refuses a blank reason; a DAO proposal carrying one could
    // pass but never execute, so the DAO refuses it at creation.
    let mut w = setup();
    w.model_with_versions(1);
    w.govern("Approve v1", json!({"type": "approve_model_version", "model_id": MODEL, "version": 1}));
    let alice = w.c.council[0].clone();
    for kind in [
        json!({"type": "deprecate_model_version", "model_id": MODEL, "version": 1, "reason": ""}),
        json!({"type": "deprecate_model_version", "model_id": MODEL, "version": 1, "reason": "   "}),
        json!({"type": "revoke_model_version", "model_id": MODEL, "version": 1, "reason": " "}),
    ] {
        let dao = w.c.dao.clone();
        w.b.assert_refused(&dao, "reason must not be empty", |b| {
            b.call_json(&alice, &dao, "add_proposal", json!({"description": "blank", "kind": kind}), near(1))
        });
    }
    // Without a reason, deprecation is fine.
    w.govern(
        "Deprecate v1",
        json!({"type": "deprecate_model_version", "model_id": MODEL, "version": 1, "reason": null}),
    );
    assert_eq!(w.status(1)["status"], "deprecated");
}

#[test]
fn every_change_method_refuses_what_it_must_not_accept() {
    let mut w = setup();
    w.model_with_versions(2);
    w.govern("Approve v2", json!({"type": "approve_model_version", "model_id": MODEL, "version": 2}));
    let (paula, stranger) = (w.paula.clone(), w.stranger.clone());
    let registry = w.c.registry.clone();
    let b = &mut w.b;
    let call = |b: &mut Embedded, who: &AccountId, method: &str, args: Value, deposit: NearToken| {
        b.call_json(who, &registry, method, args, deposit)
    };

    // Only the owner (the DAO) approves, deprecates, revokes and administers.
    for (method, args, deposit) in [
        ("approve_version", json!({"model_id": MODEL, "version": 1}), zero()),
        ("deprecate_version", json!({"model_id": MODEL, "version": 2, "reason": "mine"}), near(1)),
        ("revoke_version", json!({"model_id": MODEL, "version": 2, "reason": "mine"}), near(1)),
        ("add_publisher", json!({"account_id": stranger}), near(1)),
        ("remove_publisher", json!({"account_id": stranger}), zero()),
        ("set_open_publishing", json!({"open": false}), zero()),
        ("set_alias_protection", json!({"alias": "staging", "protected": true}), near(1)),
        ("set_owner", json!({"new_owner": paula}), zero()),
    ] {
        for who in [&paula, &stranger] {
            b.assert_refused(&registry, "only the owner may call this method", |b| {
                call(b, who, method, args.clone(), deposit)
            });
        }
    }

    // Initialization happens once; migration only from the contract account.
    b.assert_refused(&registry, "The contract has already been initialized", |b| {
        call(b, &stranger, "new", json!({"owner": stranger}), zero())
    });
    b.assert_refused(&registry, "is private", |b| call(b, &stranger, "migrate", json!({}), zero()));
    b.assert_refused(&registry, "Method set_owner doesn't accept deposit", |b| {
        call(b, &paula, "set_owner", json!({"new_owner": paula}), near(1))
    });

    // Aliases: protected ones only by the owner, others by the publisher or the owner.
    for who in [&paula, &stranger] {
        b.assert_refused(&registry, "alias is protected: only the owner may move it", |b| {
            call(b, who, "set_alias", json!({"model_id": MODEL, "alias": "production", "version": 2}), near(1))
        });
    }
    b.assert_refused(&registry, "only the model's publisher or the owner may move this alias", |b| {
        call(b, &stranger, "set_alias", json!({"model_id": MODEL, "alias": "staging", "version": 2}), near(1))
    });
    b.assert_refused(&registry, "an alias may only point to an approved version", |b| {
        call(b, &paula, "set_alias", json!({"model_id": MODEL, "alias": "staging", "version": 1}), near(1))
    });
    b.assert_refused(&registry, "version not found", |b| {
        call(b, &paula, "set_alias", json!({"model_id": MODEL, "alias": "staging", "version": 9}), near(1))
    });
    b.assert_refused(&registry, "model not found", |b| {
        call(b, &paula, "set_alias", json!({"model_id": "ghost", "alias": "staging", "version": 1}), near(1))
    });
    b.assert_refused(&registry, "alias may only contain", |b| {
        call(b, &paula, "set_alias", json!({"model_id": MODEL, "alias": "Staging!", "version": 2}), near(1))
    });

    // Versions: only the model's publisher, new digests, known models and parents.
    b.assert_refused(&registry, "only the model's publisher may submit versions", |b| {
        call(b, &stranger, "submit_version", version_args(MODEL, "w-stranger", Value::Null), near(1))
    });
    b.assert_refused(&registry, "weights digest is already registered", |b| {
        call(b, &paula, "submit_version", version_args(MODEL, "w1", Value::Null), near(1))
    });
    call(b, &stranger, "register_model", model_args("other-model"), near(1)).assert_success();
    b.assert_refused(&registry, "weights digest is already registered", |b| {
        call(b, &stranger, "submit_version", version_args("other-model", "w2", Value::Null), near(1))
    });
    b.assert_refused(&registry, "model not found", |b| {
        call(b, &paula, "submit_version", version_args("ghost", "w-ghost", Value::Null), near(1))
    });
    b.assert_refused(&registry, "parent version not found", |b| {
        call(
            b,
            &paula,
            "submit_version",
            version_args(MODEL, "w-orphan", json!({"model_id": MODEL, "version": 42})),
            near(1),
        )
    });
    b.assert_refused(&registry, "model id is already registered", |b| {
        call(b, &stranger, "register_model", model_args(MODEL), near(1))
    });

    // Unknown versions for the owner's transitions, through the DAO: the call fails, nothing changes.
    // (Direct owner calls are covered by the contract's unit tests; here the owner is a DAO.)

    // Oversized and malformed fields.
    let long = |n: usize| "x".repeat(n);
    let with = |base: Value, field: &str, value: Value| {
        let mut v = base;
        v[field] = value;
        v
    };
    for (needle, args) in [
        ("name is too long: 129 bytes, at most 128", with(model_args("m1"), "name", json!(long(129)))),
        ("task is too long: 65 bytes, at most 64", with(model_args("m1"), "task", json!(long(65)))),
        ("license is too long: 65 bytes, at most 64", with(model_args("m1"), "license", json!(long(65)))),
        ("card_uri is too long: 513 bytes, at most 512", with(model_args("m1"), "card_uri", json!(long(513)))),
        ("model_id must be 1 to 64 characters", with(model_args("m1"), "model_id", json!(long(65)))),
        ("model_id may only contain", with(model_args("m1"), "model_id", json!("Bad Model"))),
        ("name must not be empty", with(model_args("m1"), "name", json!(" "))),
        ("card_digest must not be all zeros", with(model_args("m1"), "card_digest", json!("00".repeat(32)))),
        ("Failed to deserialize input from JSON", with(model_args("m1"), "card_digest", json!("not-a-digest"))),
    ] {
        b.assert_refused(&registry, needle, |b| call(b, &paula, "register_model", args.clone(), near(1)));
    }
    let v = || version_args(MODEL, "w-new", Value::Null);
    for (needle, args) in [
        ("artifact_uri is too long: 513 bytes, at most 512", with(v(), "artifact_uri", json!(long(513)))),
        ("metadata is too long: 2049 bytes, at most 2048", with(v(), "metadata", json!(long(2049)))),
        ("artifact_uri must not be empty", with(v(), "artifact_uri", json!(""))),
        ("weights_digest must not be all zeros", with(v(), "weights_digest", json!("00".repeat(32)))),
        ("parent digest must not be all zeros", with(v(), "parent", json!({"digest": "00".repeat(32)}))),
        (
            "consent_contract and consent_snapshot_id must be given together",
            with(v(), "training", json!({"code_digest": digest("t"), "consent_snapshot_id": "3"})),
        ),
        ("Failed to deserialize input from JSON", with(v(), "weights_digest", json!("ABCD"))),
    ] {
        b.assert_refused(&registry, needle, |b| call(b, &paula, "submit_version", args.clone(), near(1)));
    }

    // Missing or short deposits.
    b.assert_refused(&registry, "insufficient deposit for storage", |b| {
        call(b, &paula, "register_model", model_args("m2"), zero())
    });
    b.assert_refused(&registry, "insufficient deposit for storage", |b| {
        call(b, &paula, "submit_version", version_args(MODEL, "w-free", Value::Null), zero())
    });
    b.assert_refused(&registry, "insufficient deposit for storage", |b| {
        call(b, &paula, "submit_version", version_args(MODEL, "w-cheap", Value::Null), NearToken::from_yoctonear(1))
    });
    b.assert_refused(&registry, "insufficient deposit for storage", |b| {
        call(b, &paula, "set_alias", json!({"model_id": MODEL, "alias": "staging", "version": 2}), zero())
    });

    // None of that left a trace: still two versions, no staging alias.
    let versions: Vec<Value> = w.view("get_versions", json!({"model_id": MODEL}));
    assert_eq!(versions.len(), 2);
    assert_eq!(w.view::<Value>("get_alias", json!({"model_id": MODEL, "alias": "staging"})), Value::Null);
    let config: Value = w.view("get_config", json!({}));
    assert_eq!((config["owner"].clone(), config["model_count"].clone()), (json!(w.c.dao), json!("2")));

    // The status machine, driven by the DAO: approving twice or deprecating a submitted version fails.
    for (description, kind, needle) in [
        (
            "Approve v2 again",
            json!({"type": "approve_model_version", "model_id": MODEL, "version": 2}),
            "only a submitted version can be approved",
        ),
        (
            "Deprecate v1",
            json!({"type": "deprecate_model_version", "model_id": MODEL, "version": 1, "reason": null}),
            "only an approved version can be deprecated",
        ),
        (
            "Revoke in ghost",
            json!({"type": "revoke_model_version", "model_id": "ghost", "version": 1, "reason": "none"}),
            "model not found",
        ),
    ] {
        let before = w.b.snapshot(&registry);
        let (_, out) = w.c.pass_and_execute(&mut w.b, description, kind);
        assert_eq!(out.json::<String>(), "failed", "{description}");
        assert!(out.receipt_failures.iter().any(|f| f.contains(needle)), "{description}: {:?}", out.receipt_failures);
        assert!(w.b.snapshot(&registry) == before, "{description} changed the registry");
    }
}
