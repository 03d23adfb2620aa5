//! model-registry holes, end to end on the embedded chain with the real
//! community-dao as the owner:
//! - a publisher that fills its model's alias room cannot stop the DAO from
//!   setting (or clearing) `production`;
//! - a publisher taken off the allow-list (`remove_publisher`, or
//!   `set_open_publishing(false)` while not on it) loses every publisher
//!   right: register models, submit versions, set and clear aliases.
//!
//! Every refusal leaves the registry's state, balance and storage unchanged.

use ai_commons_tests::community::wasm;
use ai_commons_tests::community::{millinear, near, Community};
use ai_commons_tests::{Backend, BackendExt, Embedded, Outcome};
use base64::Engine;
use embedded_chain::{AccountId, NearToken};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const MODEL: &str = "commons-chat";
/// What the registry reports for a publisher off the allow-list.
const NOT_ALLOWED: &str = "caller is not an allowed publisher";
const TOO_MANY: &str = "model already has the maximum number of aliases";
/// Aliases a publisher may create per model (`get_config().limits`).
const PUBLISHER_ROOM: u64 = 16;

fn digest(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::STANDARD.encode(v.to_string())
}

fn model_args(model_id: &str) -> Value {
    json!({
        "model_id": model_id, "name": "Commons Chat", "task": "text-generation", "license": "apache-2.0",
        "card_uri": "ipfs://card", "card_digest": digest("card"),
    })
}

fn version_args(model_id: &str, weights: &str) -> Value {
    json!({
        "model_id": model_id, "weights_digest": digest(weights), "artifact_uri": format!("ipfs://{weights}"),
        "parent": null,
        "training": {"code_digest": digest("trainer"), "dataset_digest": null,
                     "consent_contract": null, "consent_snapshot_id": null},
        "eval_report_digest": null, "metadata": null,
    })
}

struct World {
    b: Embedded,
    c: Community,
}

impl World {
    fn new() -> Self {
        let mut b = Embedded::new();
        let c = Community::deploy(&mut b, wasm(), &["alice", "bob", "carol"]).community;
        World { b, c }
    }

    fn call(&mut self, who: &AccountId, method: &str, args: Value, deposit: NearToken) -> Outcome {
        let registry = self.c.registry.clone();
        self.b.call_json(who, &registry, method, args, deposit)
    }

    #[track_caller]
    fn ok(&mut self, who: &AccountId, method: &str, args: Value) -> Outcome {
        let out = self.call(who, method, args, millinear(50));
        out.assert_success();
        out
    }

    /// Asserts the call is refused with `needle` and changes nothing in the
    /// registry (state, balance, storage).
    #[track_caller]
    fn refused(&mut self, who: &AccountId, method: &str, args: Value, needle: &str) {
        let registry = self.c.registry.clone();
        let (who, method) = (who.clone(), method.to_string());
        let target = registry.clone();
        self.b.assert_refused(&registry, needle, move |b| b.call_json(&who, &target, &method, args, millinear(50)));
    }

    fn view<T: serde::de::DeserializeOwned>(&self, method: &str, args: Value) -> T {
        self.b.view(&self.c.registry, method, args)
    }

    fn alias(&self, alias: &str) -> Value {
        self.view("get_alias", json!({"model_id": MODEL, "alias": alias}))
    }

    /// Passes and executes a DAO proposal; asserts it executed.
    #[track_caller]
    fn govern(&mut self, description: &str, kind: Value) -> Outcome {
        let (id, out) = self.c.pass_and_execute(&mut self.b, description, kind);
        out.assert_success();
        assert_eq!(self.c.status(&self.b, id), "executed", "{description}: {:?}", out.receipt_failures);
        out
    }

    /// The DAO calls `method` of the registry through a `function_calls` proposal.
    #[track_caller]
    fn dao_calls(&mut self, method: &str, args: Value, deposit: NearToken) -> Outcome {
        let registry = self.c.registry.clone();
        self.govern(
            &format!("registry.{method}"),
            json!({"type": "function_calls", "receiver_id": registry, "actions": [
                {"method_name": method, "args": b64(&args), "deposit": deposit.as_yoctonear().to_string(),
                 "gas": "30000000000000"}
            ]}),
        )
    }

    /// `publisher` registers MODEL and submits v1; the DAO approves it.
    fn approved_model(&mut self, publisher: &AccountId) {
        self.ok(publisher, "register_model", model_args(MODEL));
        self.ok(publisher, "submit_version", version_args(MODEL, "w1"));
        self.govern("Approve v1", json!({"type": "approve_model_version", "model_id": MODEL, "version": 1}));
    }
}

#[test]
fn a_publisher_filling_its_alias_room_cannot_block_production() {
    let mut w = World::new();
    let paula = w.b.create_account("paula", near(20));
    w.approved_model(&paula);

    // The publisher uses up its whole room; one more is refused, nothing stored.
    for i in 0..PUBLISHER_ROOM {
        w.ok(&paula, "set_alias", json!({"model_id": MODEL, "alias": format!("slot-{i}"), "version": 1}));
    }
    w.refused(&paula, "set_alias", json!({"model_id": MODEL, "alias": "one-more", "version": 1}), TOO_MANY);

    // The DAO still puts v1 in production through a proposal ...
    let out = w.govern(
        "v1 to production",
        json!({"type": "move_alias", "model_id": MODEL, "alias": "production", "version": 1}),
    );
    assert_eq!(out.events_named("model_registry", "alias_set").len(), 1);
    assert_eq!(w.alias("production")["version"], 1);
    assert_eq!(w.alias("production")["protected"], true);
    // ... protects and sets another alias, clears production, and can set it again.
    w.dao_calls("set_alias_protection", json!({"alias": "canary", "protected": true}), millinear(10));
    w.govern("v1 to canary", json!({"type": "move_alias", "model_id": MODEL, "alias": "canary", "version": 1}));
    assert_eq!(w.alias("canary")["version"], 1);
    w.dao_calls("clear_alias", json!({"model_id": MODEL, "alias": "production"}), millinear(10));
    assert_eq!(w.alias("production")["version"], Value::Null);
    w.govern("v1 back", json!({"type": "move_alias", "model_id": MODEL, "alias": "production", "version": 1}));
    assert_eq!(w.alias("production")["version"], 1);
    // The DAO also clears one of the publisher's aliases; the publisher's room stays full.
    w.dao_calls("clear_alias", json!({"model_id": MODEL, "alias": "slot-0"}), millinear(10));
    assert_eq!(w.alias("slot-0")["version"], Value::Null);
    w.refused(&paula, "set_alias", json!({"model_id": MODEL, "alias": "one-more", "version": 1}), TOO_MANY);
    let aliases: Vec<Value> = w.view("get_aliases", json!({"model_id": MODEL, "limit": 100}));
    assert_eq!(aliases.len() as u64, PUBLISHER_ROOM + 2);

    // Revoking v1 clears every alias still on it, the DAO's and the publisher's alike.
    let out = w.govern(
        "Revoke v1",
        json!({"type": "revoke_model_version", "model_id": MODEL, "version": 1, "reason": "bad weights"}),
    );
    let revoked = out.events_named("model_registry", "version_revoked");
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0].data["cleared_aliases"].as_array().map(Vec::len), Some(PUBLISHER_ROOM as usize + 1));
    let aliases: Vec<Value> = w.view("get_aliases", json!({"model_id": MODEL, "limit": 100}));
    assert!(aliases.iter().all(|a| a["version"].is_null()), "{aliases:?}");
    // The two limits are public.
    let config: Value = w.view("get_config", json!({}));
    assert_eq!(config["limits"]["max_aliases_per_model"], PUBLISHER_ROOM);
    assert_eq!(config["limits"]["owner_reserved_aliases"], 16);
}

#[test]
fn a_publisher_removed_from_the_allow_list_loses_every_publisher_right() {
    let mut w = World::new();
    let paula = w.b.create_account("paula", near(20));
    // Allow-list paula, close publishing: she keeps her rights.
    w.dao_calls("add_publisher", json!({"account_id": paula}), millinear(10));
    w.dao_calls("set_open_publishing", json!({"open": false}), NearToken::from_yoctonear(0));
    w.approved_model(&paula);
    w.ok(&paula, "submit_version", version_args(MODEL, "w2"));
    w.govern("Approve v2", json!({"type": "approve_model_version", "model_id": MODEL, "version": 2}));
    w.ok(&paula, "set_alias", json!({"model_id": MODEL, "alias": "staging", "version": 1}));
    w.ok(&paula, "set_alias", json!({"model_id": MODEL, "alias": "canary", "version": 2}));

    // Removed: every publisher method is refused and changes nothing.
    w.dao_calls("remove_publisher", json!({"account_id": paula}), NearToken::from_yoctonear(0));
    w.refused(&paula, "register_model", model_args("another"), NOT_ALLOWED);
    w.refused(&paula, "submit_version", version_args(MODEL, "w3"), NOT_ALLOWED);
    w.refused(&paula, "set_alias", json!({"model_id": MODEL, "alias": "staging", "version": 2}), NOT_ALLOWED);
    w.refused(&paula, "set_alias", json!({"model_id": MODEL, "alias": "fresh", "version": 2}), NOT_ALLOWED);
    w.refused(&paula, "clear_alias", json!({"model_id": MODEL, "alias": "canary"}), NOT_ALLOWED);
    assert_eq!(w.alias("staging")["version"], 1);
    assert_eq!(w.alias("canary")["version"], 2);
    assert_eq!(w.alias("fresh"), Value::Null);

    // The DAO still moves her model's aliases.
    w.govern("staging to v2", json!({"type": "move_alias", "model_id": MODEL, "alias": "staging", "version": 2}));
    assert_eq!(w.alias("staging")["version"], 2);
    // Allow-listed again, she moves them again.
    w.dao_calls("add_publisher", json!({"account_id": paula}), millinear(10));
    w.ok(&paula, "clear_alias", json!({"model_id": MODEL, "alias": "canary"}));
    assert_eq!(w.alias("canary")["version"], Value::Null);
}

#[test]
fn closing_publishing_takes_every_right_from_publishers_not_on_the_list() {
    let mut w = World::new();
    // Publishing is open: quinn publishes without being on the list.
    let quinn = w.b.create_account("quinn", near(20));
    w.approved_model(&quinn);
    w.ok(&quinn, "set_alias", json!({"model_id": MODEL, "alias": "staging", "version": 1}));

    w.dao_calls("set_open_publishing", json!({"open": false}), NearToken::from_yoctonear(0));
    w.refused(&quinn, "register_model", model_args("another"), NOT_ALLOWED);
    w.refused(&quinn, "submit_version", version_args(MODEL, "w2"), NOT_ALLOWED);
    w.refused(&quinn, "set_alias", json!({"model_id": MODEL, "alias": "canary", "version": 1}), NOT_ALLOWED);
    w.refused(&quinn, "clear_alias", json!({"model_id": MODEL, "alias": "staging"}), NOT_ALLOWED);
    assert_eq!(w.alias("staging")["version"], 1);
    let model: Value = w.view("get_model", json!({"model_id": MODEL}));
    assert_eq!(model["version_count"], 1);

    // Opened again, the rights come back.
    w.dao_calls("set_open_publishing", json!({"open": true}), NearToken::from_yoctonear(0));
    w.ok(&quinn, "clear_alias", json!({"model_id": MODEL, "alias": "staging"}));
}

#[test]
fn the_owner_room_is_bounded_and_revoking_a_full_model_fits_the_daos_call() {
    let mut w = World::new();
    let paula = w.b.create_account("paula", near(20));
    w.approved_model(&paula);
    for i in 0..PUBLISHER_ROOM {
        w.ok(&paula, "set_alias", json!({"model_id": MODEL, "alias": format!("slot-{i}"), "version": 1}));
    }
    // The owner's reserved room: 16 more aliases, then the total cap.
    for i in 0..16 {
        w.govern(
            &format!("owner alias {i}"),
            json!({"type": "move_alias", "model_id": MODEL, "alias": format!("owner-{i}"), "version": 1}),
        );
    }
    let (id, out) = w.c.pass_and_execute(
        &mut w.b,
        "one alias too many",
        json!({"type": "move_alias", "model_id": MODEL, "alias": "owner-16", "version": 1}),
    );
    assert_eq!(w.c.status(&w.b, id), "failed");
    assert!(out.receipt_failures.iter().any(|f| f.contains(TOO_MANY)), "{:?}", out.receipt_failures);
    assert_eq!(w.alias("owner-16"), Value::Null);

    // Revoking v1 clears all 32 aliases within the DAO's 30 Tgas and 0.05 NEAR.
    let out = w.govern(
        "Revoke v1",
        json!({"type": "revoke_model_version", "model_id": MODEL, "version": 1, "reason": "bad weights"}),
    );
    let revoked = out.events_named("model_registry", "version_revoked");
    assert_eq!(revoked[0].data["cleared_aliases"].as_array().map(Vec::len), Some(32));
}
