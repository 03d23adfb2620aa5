//! data-consent hole, end to end on the embedded chain: a manager whose
//! authority ends at T cannot leave a grant live after T. A grant it makes or
//! updates is clamped to expire at T (the event shows the effective expiry);
//! after T the grant is no longer allowed, the expired manager can neither
//! extend, revoke nor delete it, and the user extends it themself.
//!
//! Every refusal leaves the contract's state, balance and storage unchanged.

use ai_commons_tests::community::{millinear, near};
use ai_commons_tests::community::{wasm, zero};
use ai_commons_tests::{Backend, BackendExt, Embedded, Outcome};
use embedded_chain::AccountId;
use serde_json::{json, Value};

const SECOND: u64 = 1_000_000_000;
const EXPIRED: &str = "manager authorization has expired";

fn u64_of(v: &Value) -> u64 {
    v.as_str().unwrap_or_else(|| panic!("expected a U64 string, got {v}")).parse().expect("u64")
}

struct World {
    b: Embedded,
    consent: AccountId,
    alice: AccountId,
    agent: AccountId,
    lab: AccountId,
}

impl World {
    /// data-consent deployed; alice has a storage balance.
    fn new() -> Self {
        let mut b = Embedded::new();
        let consent = b.create_account("consent", near(10));
        b.deploy(&consent, &wasm().consent).assert_success();
        b.call_json(&consent, &consent, "new", json!({"owner": null}), zero()).assert_success();
        let alice = b.create_account("alice", near(10));
        let agent = b.create_account("agent", near(10));
        let lab = b.create_account("lab", near(10));
        b.call_json(&alice, &consent, "storage_deposit", json!({}), millinear(100)).assert_success();
        World { b, consent, alice, agent, lab }
    }

    #[track_caller]
    fn ok(&mut self, who: &AccountId, method: &str, args: Value) -> Outcome {
        let consent = self.consent.clone();
        let out = self.b.call_json(who, &consent, method, args, zero());
        out.assert_success();
        out
    }

    #[track_caller]
    fn refused(&mut self, who: &AccountId, method: &str, args: Value, needle: &str) {
        let consent = self.consent.clone();
        let (who, method, target) = (who.clone(), method.to_string(), consent.clone());
        self.b.assert_refused(&consent, needle, move |b| b.call_json(&who, &target, &method, args, zero()));
    }

    fn allowed(&self, purpose: &str, at: Option<u64>) -> bool {
        let mut args = json!({"user": self.alice, "grantee": self.lab, "purpose": purpose});
        if let Some(at) = at {
            args["at"] = json!(at.to_string());
        }
        self.b.view(&self.consent, "is_allowed", args)
    }

    fn grant_expiry(&self, purpose: &str) -> Option<u64> {
        let grant: Value = self.b.view(
            &self.consent,
            "get_grant",
            json!({"user": self.alice, "grantee": self.lab, "purpose": purpose}),
        );
        (!grant["expires_at"].is_null()).then(|| u64_of(&grant["expires_at"]))
    }

    /// The agent acts for alice.
    fn as_manager(&self, mut args: Value) -> Value {
        args["user"] = json!(self.alice);
        args
    }

    /// Moves block time past `t`.
    fn pass(&mut self, t: u64) {
        while self.b.block_timestamp() <= t {
            self.b.fast_forward(5);
        }
    }
}

/// The single `data_consent` event of `out` named `name`.
#[track_caller]
fn event(out: &Outcome, name: &str) -> Value {
    let found = out.events_named("data_consent", name);
    assert_eq!(found.len(), 1, "expected one {name} event, got {:?}", out.event_names());
    found[0].data.clone()
}

#[test]
fn a_managers_grant_ends_with_its_authority_and_the_user_extends_it() {
    let mut w = World::new();
    let (alice, agent) = (w.alice.clone(), w.agent.clone());
    let t = w.b.block_timestamp() + 60 * SECOND;
    w.ok(&alice, "add_manager", json!({"manager": agent, "expires_at": t.to_string()}));

    // No expiry asked: the grant gets the manager's; the event shows it.
    let lab = w.lab.clone();
    let out = w.ok(&agent, "grant", w.as_manager(json!({"grantee": lab, "purpose": "training"})));
    let data = event(&out, "consent_granted");
    assert_eq!((u64_of(&data["expires_at"]), data["actor"].clone()), (t, json!(agent)));
    assert_eq!(u64_of(&out.json::<Value>()["expires_at"]), t);
    assert_eq!(w.grant_expiry("training"), Some(t));
    // A later expiry is clamped the same way; an earlier one is kept.
    let far = t + 365 * 24 * 3600 * SECOND;
    let out = w.ok(
        &agent,
        "grant",
        w.as_manager(json!({"grantee": lab, "purpose": "evaluation", "expires_at": far.to_string()})),
    );
    assert_eq!(u64_of(&event(&out, "consent_granted")["expires_at"]), t);
    let early = t - 30 * SECOND;
    w.ok(
        &agent,
        "grant",
        w.as_manager(json!({"grantee": lab, "purpose": "analytics", "expires_at": early.to_string()})),
    );
    assert_eq!(w.grant_expiry("analytics"), Some(early));

    // Live until T, not after.
    assert!(w.allowed("training", None));
    assert!(w.allowed("training", Some(t - 1)));
    assert!(!w.allowed("training", Some(t)));
    w.pass(t);
    assert!(!w.allowed("training", None));
    assert!(!w.allowed("evaluation", None));

    // The expired manager can neither extend, revoke nor delete: nothing changes.
    w.refused(&agent, "grant", w.as_manager(json!({"grantee": lab, "purpose": "training"})), EXPIRED);
    w.refused(&agent, "revoke", w.as_manager(json!({"grantee": lab, "purpose": "training"})), EXPIRED);
    w.refused(&agent, "delete_grant", w.as_manager(json!({"grantee": lab, "purpose": "evaluation"})), EXPIRED);
    assert!(!w.allowed("training", None));

    // The user extends it themself: allowed again, with no expiry.
    let out = w.ok(&alice, "grant", json!({"grantee": lab, "purpose": "training"}));
    let data = event(&out, "consent_updated");
    assert_eq!((data["expires_at"].clone(), data["actor"].clone()), (Value::Null, json!(alice)));
    assert!(w.allowed("training", None));
    assert_eq!(w.grant_expiry("training"), None);
}

#[test]
fn a_manager_updating_the_users_own_grant_cannot_extend_it_past_its_authority() {
    let mut w = World::new();
    let (alice, agent, lab) = (w.alice.clone(), w.agent.clone(), w.lab.clone());
    // The user's own grant, without expiry.
    w.ok(&alice, "grant", json!({"grantee": lab, "purpose": "training"}));
    let t = w.b.block_timestamp() + 60 * SECOND;
    w.ok(&alice, "add_manager", json!({"manager": agent, "grantee": lab, "expires_at": t.to_string()}));

    // The manager re-grants with new terms: the update expires with its authority.
    let out =
        w.ok(&agent, "grant", w.as_manager(json!({"grantee": lab, "purpose": "training", "model_id": "commons-chat"})));
    let data = event(&out, "consent_updated");
    assert_eq!((u64_of(&data["expires_at"]), data["model_id"].clone()), (t, json!("commons-chat")));
    w.pass(t);
    let args = json!({"user": alice, "grantee": lab, "purpose": "training", "model_id": "commons-chat"});
    assert!(!w.b.view::<bool>(&w.consent, "is_allowed", args.clone()));
    w.refused(&agent, "revoke", w.as_manager(json!({"grantee": lab, "purpose": "training"})), EXPIRED);

    // The user extends it to a date of their choosing.
    let later = w.b.block_timestamp() + 3600 * SECOND;
    w.ok(
        &alice,
        "grant",
        json!({"grantee": lab, "purpose": "training", "model_id": "commons-chat", "expires_at": later.to_string()}),
    );
    assert!(w.b.view::<bool>(&w.consent, "is_allowed", args));
    assert_eq!(w.grant_expiry("training"), Some(later));
}
