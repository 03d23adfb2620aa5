//! data-consent end to end on the embedded chain, with the real wasm: grant →
//! check → revoke → check, expiry by block time, managers, sponsored storage,
//! snapshots that later revocations do not change, the hash chain replayed
//! from the emitted events alone, and refusals that change nothing.

use ai_commons_tests::community::{self, millinear, near};
use ai_commons_tests::community::{wasm, zero};
use ai_commons_tests::{Backend, BackendExt, Embedded, Outcome};
use borsh::BorshSerialize;
use embedded_chain::{AccountId, Event, NearToken};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const SECOND: u64 = 1_000_000_000;
const STD: &str = "data_consent";

fn sha(data: &str) -> String {
    community::sha(data).to_string()
}

/// One data-consent deployment (upgrades owned by `owner`) and the events of
/// every successful change, in order.
struct World {
    b: Embedded,
    consent: AccountId,
    owner: AccountId,
    events: Vec<Event>,
}

impl World {
    fn new() -> Self {
        let mut b = Embedded::new();
        let owner = b.create_account("dao", near(20));
        let consent = b.create_account("consent", near(10));
        b.deploy(&consent, &wasm().consent).assert_success();
        let out = b.call_json(&consent, &consent, "new", json!({"owner": owner}), zero());
        out.assert_success();
        assert_eq!(out.event_names(), vec!["contract_initialized"]);
        World { b, consent, owner, events: Vec::new() }
    }

    fn account(&mut self, name: &str) -> AccountId {
        self.b.create_account(name, near(10))
    }

    /// A change call; a successful one's events join the log.
    fn call(&mut self, signer: &AccountId, method: &str, args: Value, deposit: NearToken) -> Outcome {
        let out = self.b.call_json(signer, &self.consent, method, args, deposit);
        if out.is_success() {
            self.events.extend(out.events.iter().cloned());
        }
        out
    }

    #[track_caller]
    fn ok(&mut self, signer: &AccountId, method: &str, args: Value) -> Outcome {
        let out = self.call(signer, method, args, zero());
        out.assert_success();
        out
    }

    #[track_caller]
    fn view<T: serde::de::DeserializeOwned>(&self, method: &str, args: Value) -> T {
        self.b.view(&self.consent, method, args)
    }

    fn min_balance(&self) -> u128 {
        let bounds: Value = self.view("storage_balance_bounds", json!({}));
        bounds["min"].as_str().unwrap().parse().unwrap()
    }

    #[track_caller]
    fn deposit_for(&mut self, payer: &AccountId, user: &AccountId, amount: NearToken) -> Outcome {
        let out = self.call(payer, "storage_deposit", json!({"account_id": user}), amount);
        out.assert_success();
        out
    }

    fn allowed(&self, user: &AccountId, grantee: &AccountId, purpose: &str) -> bool {
        self.view("is_allowed", json!({"user": user, "grantee": grantee, "purpose": purpose}))
    }

    fn grant_of(&self, user: &AccountId, grantee: &AccountId, purpose: &str) -> Value {
        self.view("get_grant", json!({"user": user, "grantee": grantee, "purpose": purpose}))
    }

    /// Asserts `call` fails with `needle` and leaves the contract's state,
    /// balance and storage exactly as they were.
    #[track_caller]
    fn refused(&mut self, signer: &AccountId, method: &str, args: Value, deposit: NearToken, needle: &str) -> Outcome {
        let consent = self.consent.clone();
        let signer = signer.clone();
        let method = method.to_string();
        let target = consent.clone();
        self.b.assert_refused(&consent, needle, move |b| b.call_json(&signer, &target, &method, args, deposit))
    }
}

fn u64_of(v: &Value) -> u64 {
    v.as_str().unwrap_or_else(|| panic!("expected a U64 string, got {v}")).parse().unwrap()
}

fn yocto(v: &Value) -> u128 {
    v.as_str().unwrap_or_else(|| panic!("expected a yocto string, got {v}")).parse().unwrap()
}

// ------------------------------------------------------------ hash chain

/// `ChainEvent` exactly as the README's "Hash chain encoding" table lists it,
/// written from that table (not from the contract's types).
#[derive(BorshSerialize)]
struct ChainEventBytes {
    seq: u64,
    user: String,
    grantee: String,
    purpose: u8,
    version: u64,
    kind: u8,
    model_id: Option<String>,
    data_commitment: Option<[u8; 32]>,
    expires_at: Option<u64>,
    timestamp: u64,
}

fn purpose_tag(p: &str) -> u8 {
    match p {
        "training" => 0,
        "fine_tuning" => 1,
        "evaluation" => 2,
        "inference" => 3,
        "analytics" => 4,
        other => panic!("unknown purpose {other}"),
    }
}

fn kind_tag(k: &str) -> u8 {
    match k {
        "grant" => 0,
        "update" => 1,
        "revoke" => 2,
        "delete" => 3,
        other => panic!("unknown kind {other}"),
    }
}

fn chain_event(data: &Value) -> ChainEventBytes {
    let opt_u64 = |v: &Value| if v.is_null() { None } else { Some(u64_of(v)) };
    ChainEventBytes {
        seq: u64_of(&data["seq"]),
        user: data["user"].as_str().unwrap().to_string(),
        grantee: data["grantee"].as_str().unwrap().to_string(),
        purpose: purpose_tag(data["purpose"].as_str().unwrap()),
        version: u64_of(&data["version"]),
        kind: kind_tag(data["kind"].as_str().unwrap()),
        model_id: data["model_id"].as_str().map(String::from),
        data_commitment: data["data_commitment"].as_str().map(|h| {
            let bytes = hex::decode(h).expect("hex digest");
            <[u8; 32]>::try_from(bytes.as_slice()).expect("32 bytes")
        }),
        expires_at: opt_u64(&data["expires_at"]),
        timestamp: u64_of(&data["timestamp"]),
    }
}

/// Replays the `consent_*` events of one (grantee, purpose) chain from the
/// event log alone. Checks every event's `chain_head` on the way and returns
/// (seq, head) after each event, in order.
fn replay(events: &[Event], grantee: &AccountId, purpose: &str) -> Vec<(u64, String)> {
    let mut chain: Vec<&Value> = events
        .iter()
        .filter(|e| e.standard == STD && e.event.starts_with("consent_"))
        .map(|e| &e.data)
        .filter(|d| d["grantee"] == json!(grantee) && d["purpose"] == json!(purpose))
        .collect();
    chain.sort_by_key(|d| u64_of(&d["seq"]));
    let mut head = [0u8; 32];
    let mut heads = Vec::new();
    for (i, data) in chain.into_iter().enumerate() {
        let event = chain_event(data);
        assert_eq!(event.seq, i as u64 + 1, "the chain's events are numbered 1, 2, … without gaps");
        let mut preimage = head.to_vec();
        preimage.extend(borsh::to_vec(&event).unwrap());
        head = Sha256::digest(&preimage).into();
        assert_eq!(data["chain_head"], json!(hex::encode(head)), "chain_head of event {}", event.seq);
        heads.push((event.seq, hex::encode(head)));
    }
    heads
}

// ------------------------------------------------------------ tests

#[test]
fn grant_check_revoke_check_and_grant_again() {
    let mut w = World::new();
    let alice = w.account("alice");
    let lab = w.account("lab");
    let other_lab = w.account("otherlab");
    w.deposit_for(&alice.clone(), &alice, millinear(50));

    let out = w.ok(&alice, "grant", json!({"grantee": lab, "purpose": "training", "categories": ["chat-logs"], "data_commitment": sha("alice data")}));
    assert_eq!(out.event_names(), vec!["consent_granted"]);
    let data = &out.events[0].data;
    assert_eq!(data["user"], json!(alice));
    assert_eq!(data["actor"], json!(alice));
    assert_eq!(data["kind"], "grant");
    assert_eq!(data["version"], "1");
    assert_eq!(data["seq"], "1");
    assert_eq!(data["categories"], json!(["chat-logs"]));
    let view: Value = out.json();
    assert_eq!(view["status"], "active");
    assert_eq!(view["version"], "1");
    assert_eq!(view["data_commitment"], json!(sha("alice data")));
    assert_eq!(w.grant_of(&alice, &lab, "training"), view);

    assert!(w.allowed(&alice, &lab, "training"));
    // Specific: another purpose, another grantee, another user are not covered.
    assert!(!w.allowed(&alice, &lab, "fine_tuning"));
    assert!(!w.allowed(&alice, &other_lab, "training"));
    assert!(!w.allowed(&lab, &lab, "training"));
    // An unscoped grant covers every model.
    assert!(w.view::<bool>(
        "is_allowed",
        json!({"user": alice, "grantee": lab, "purpose": "training", "model_id": "any-model"})
    ));
    let grants: Vec<Value> = w.view("get_grants_of", json!({"user": alice}));
    assert_eq!(grants.len(), 1);
    let grantors: Vec<AccountId> = w.view("get_grantors", json!({"grantee": lab, "purpose": "training"}));
    assert_eq!(grantors, vec![alice.clone()]);

    // Revoke: effective at once, no deposit.
    let out = w.ok(&alice, "revoke", json!({"grantee": lab, "purpose": "training"}));
    assert_eq!(out.event_names(), vec!["consent_revoked"]);
    assert_eq!(out.events[0].data["kind"], "revoke");
    assert_eq!(out.events[0].data["version"], "2");
    // Revoke and delete events carry the terms of the slot they end.
    assert_eq!(out.events[0].data["data_commitment"], json!(sha("alice data")));
    assert!(!w.allowed(&alice, &lab, "training"));
    let revoked = w.grant_of(&alice, &lab, "training");
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(revoked["version"], "2");
    // Revoking twice is refused and changes nothing.
    w.refused(&alice, "revoke", json!({"grantee": lab, "purpose": "training"}), zero(), "grant is already revoked");

    // Granting again re-opens the slot (a new grant, next version), here scoped to one model.
    let out = w.ok(&alice, "grant", json!({"grantee": lab, "purpose": "training", "model_id": "commons-chat"}));
    assert_eq!(out.event_names(), vec!["consent_granted"]);
    assert_eq!(out.events[0].data["version"], "3");
    assert!(w.view::<bool>(
        "is_allowed",
        json!({"user": alice, "grantee": lab, "purpose": "training", "model_id": "commons-chat"})
    ));
    assert!(!w.view::<bool>(
        "is_allowed",
        json!({"user": alice, "grantee": lab, "purpose": "training", "model_id": "other-model"})
    ));
    // A scoped grant does not answer a model-less question.
    assert!(!w.allowed(&alice, &lab, "training"));
    // Changing the terms of an active slot is an update.
    let out = w.ok(&alice, "grant", json!({"grantee": lab, "purpose": "training"}));
    assert_eq!(out.event_names(), vec!["consent_updated"]);
    assert_eq!(out.events[0].data["version"], "4");
    assert!(w.allowed(&alice, &lab, "training"));

    // Delete frees the slot; the user's storage balance gets its bytes back.
    let before: Value = w.view("storage_balance_of", json!({"account_id": alice}));
    let out = w.ok(&alice, "delete_grant", json!({"grantee": lab, "purpose": "training"}));
    assert_eq!(out.event_names(), vec!["consent_deleted"]);
    let after: Value = w.view("storage_balance_of", json!({"account_id": alice}));
    assert!(yocto(&after["available"]) > yocto(&before["available"]), "delete refunds bytes: {before} -> {after}");
    assert!(w.grant_of(&alice, &lab, "training").is_null());
    assert!(!w.allowed(&alice, &lab, "training"));
    let grants: Vec<Value> = w.view("get_grants_of", json!({"user": alice}));
    assert!(grants.is_empty());

    let heads = replay(&w.events, &lab, "training");
    assert_eq!(heads.len(), 5);
}

#[test]
fn grants_expire_with_block_time() {
    let mut w = World::new();
    let alice = w.account("alice");
    let lab = w.account("lab");
    w.deposit_for(&alice.clone(), &alice, millinear(50));
    let expires_at = w.b.block_timestamp() + 60 * SECOND;
    let out =
        w.ok(&alice, "grant", json!({"grantee": lab, "purpose": "evaluation", "expires_at": expires_at.to_string()}));
    assert_eq!(out.events[0].data["expires_at"], json!(expires_at.to_string()));
    assert!(w.allowed(&alice, &lab, "evaluation"));
    // `at` moves the expiry check only.
    let at = |w: &World, t: u64| -> bool {
        w.view("is_allowed", json!({"user": alice, "grantee": lab, "purpose": "evaluation", "at": t.to_string()}))
    };
    assert!(at(&w, expires_at - 1));
    assert!(!at(&w, expires_at));

    let now = w.b.block_timestamp();
    w.b.fast_forward((expires_at - now) / SECOND - 1);
    assert!(w.b.block_timestamp() < expires_at);
    assert!(w.allowed(&alice, &lab, "evaluation"), "still valid one block before the expiry");
    w.b.fast_forward(1);
    assert_eq!(w.b.block_timestamp(), expires_at);
    assert!(!w.allowed(&alice, &lab, "evaluation"), "not in force from expires_at on");
    let batch: Vec<bool> =
        w.view("is_allowed_batch", json!({"users": [alice], "grantee": lab, "purpose": "evaluation"}));
    assert_eq!(batch, vec![false]);
    // The slot itself is still active: expiry is a check, not a state change.
    assert_eq!(w.grant_of(&alice, &lab, "evaluation")["status"], "active");
    // A renewal with a new future expiry is an update and restores the check.
    let renewed = w.b.block_timestamp() + 3600 * SECOND;
    let out =
        w.ok(&alice, "grant", json!({"grantee": lab, "purpose": "evaluation", "expires_at": renewed.to_string()}));
    assert_eq!(out.event_names(), vec!["consent_updated"]);
    assert!(w.allowed(&alice, &lab, "evaluation"));
}

#[test]
fn a_manager_grants_for_the_user_until_removed_and_an_expired_one_is_refused() {
    let mut w = World::new();
    let alice = w.account("alice");
    let lab = w.account("lab");
    let other_lab = w.account("otherlab");
    let agent = w.account("agent");
    let old_agent = w.account("oldagent");
    w.deposit_for(&alice.clone(), &alice, millinear(50));

    let until = w.b.block_timestamp() + 3600 * SECOND;
    let out = w.ok(&alice, "add_manager", json!({"manager": agent, "grantee": lab, "expires_at": until.to_string()}));
    assert_eq!(out.event_names(), vec!["manager_added"]);
    let manager: Value = w.view("get_manager", json!({"user": alice, "manager": agent}));
    assert_eq!(manager["grantee"], json!(lab));

    // The manager grants for alice, on alice's storage balance.
    let before: Value = w.view("storage_balance_of", json!({"account_id": alice}));
    let out = w.ok(&agent, "grant", json!({"grantee": lab, "purpose": "inference", "user": alice}));
    let data = &out.events[0].data;
    assert_eq!(data["user"], json!(alice));
    assert_eq!(data["actor"], json!(agent));
    assert!(w.allowed(&alice, &lab, "inference"));
    let after: Value = w.view("storage_balance_of", json!({"account_id": alice}));
    assert!(yocto(&after["available"]) < yocto(&before["available"]), "the grant is paid from alice's balance");
    assert!(w.view::<Value>("storage_balance_of", json!({"account_id": agent})).is_null(), "the manager pays nothing");

    // Scoped to `lab`: not for another grantee.
    w.refused(
        &agent,
        "grant",
        json!({"grantee": other_lab, "purpose": "inference", "user": alice}),
        zero(),
        "manager is not authorized for this grantee",
    );
    // Within scope it may also revoke for alice, and grant again.
    w.ok(&agent, "revoke", json!({"grantee": lab, "purpose": "inference", "user": alice}));
    assert!(!w.allowed(&alice, &lab, "inference"));
    w.ok(&agent, "grant", json!({"grantee": lab, "purpose": "inference", "user": alice}));

    // Alice removes the manager: it can do nothing more for her.
    let out = w.ok(&alice, "remove_manager", json!({"manager": agent}));
    assert_eq!(out.event_names(), vec!["manager_removed"]);
    assert!(w.view::<Value>("get_manager", json!({"user": alice, "manager": agent})).is_null());
    for method in ["grant", "revoke", "delete_grant"] {
        w.refused(
            &agent,
            method,
            json!({"grantee": lab, "purpose": "inference", "user": alice}),
            zero(),
            "caller is neither the user nor a manager the user named",
        );
    }
    assert!(w.allowed(&alice, &lab, "inference"), "the grant the manager made stays alice's");

    // A manager whose authorization expired is refused for every change.
    let short = w.b.block_timestamp() + 30 * SECOND;
    w.ok(&alice, "add_manager", json!({"manager": old_agent, "expires_at": short.to_string()}));
    w.ok(&old_agent, "grant", json!({"grantee": other_lab, "purpose": "analytics", "user": alice}));
    w.b.fast_forward(31);
    for (method, grantee, purpose) in [
        ("grant", &lab, "training"),
        ("revoke", &other_lab, "analytics"),
        ("delete_grant", &other_lab, "analytics"),
        ("grant", &other_lab, "analytics"),
    ] {
        w.refused(
            &old_agent,
            method,
            json!({"grantee": grantee, "purpose": purpose, "user": alice}),
            zero(),
            "manager authorization has expired",
        );
    }
    // The grant it made expired with its authority (clamped to `short`).
    assert_eq!(u64_of(&w.grant_of(&alice, &other_lab, "analytics")["expires_at"]), short);
    assert!(!w.allowed(&alice, &other_lab, "analytics"));
    // The user herself still can.
    w.ok(&alice, "revoke", json!({"grantee": other_lab, "purpose": "analytics"}));
    // A user cannot name themselves, and a past expiry is refused.
    w.refused(&alice, "add_manager", json!({"manager": alice}), zero(), "a user cannot name themselves as manager");
    let past = w.b.block_timestamp() - SECOND;
    w.refused(
        &alice,
        "add_manager",
        json!({"manager": agent, "expires_at": past.to_string()}),
        zero(),
        "expires_at must be in the future",
    );
}

#[test]
fn a_sponsor_pays_for_a_users_storage_then_the_user_grants() {
    let mut w = World::new();
    let sponsor = w.owner.clone();
    let victor = w.account("victor");
    let lab = w.account("lab");
    let amount = millinear(20);

    // Before: victor has no storage balance and cannot grant.
    assert!(w.view::<Value>("storage_balance_of", json!({"account_id": victor})).is_null());
    w.refused(
        &victor,
        "grant",
        json!({"grantee": lab, "purpose": "training"}),
        zero(),
        "account has no storage balance: call storage_deposit for it first",
    );

    let sponsor_before = w.b.balance(&sponsor);
    let victor_before = w.b.balance(&victor);
    let out = w.deposit_for(&sponsor, &victor, amount);
    let event = &out.events_named(STD, "storage_deposit")[0].data;
    assert_eq!(event["account_id"], json!(victor));
    assert_eq!(event["by"], json!(sponsor));
    assert_eq!(yocto(&event["amount"]), amount.as_yoctonear());
    let tokens_burnt = out.tx.as_ref().unwrap().tokens_burnt;
    assert_eq!(
        sponsor_before.as_yoctonear() - w.b.balance(&sponsor).as_yoctonear(),
        amount.as_yoctonear() + tokens_burnt,
        "the sponsor paid the deposit and its gas"
    );
    assert_eq!(w.b.balance(&victor), victor_before, "victor paid nothing");
    let balance: Value = w.view("storage_balance_of", json!({"account_id": victor}));
    assert_eq!(yocto(&balance["total"]), amount.as_yoctonear());
    assert_eq!(yocto(&balance["available"]), amount.as_yoctonear() - w.min_balance());

    // Victor grants with no deposit; the bytes come out of the sponsored balance.
    w.ok(&victor, "grant", json!({"grantee": lab, "purpose": "training", "categories": ["code-reviews"]}));
    assert!(w.allowed(&victor, &lab, "training"));
    let after: Value = w.view("storage_balance_of", json!({"account_id": victor}));
    assert_eq!(after["total"], balance["total"]);
    let charged = yocto(&balance["available"]) - yocto(&after["available"]);
    assert!(
        charged > 0 && charged <= millinear(10).as_yoctonear(),
        "a grant costs about 0.005 NEAR, charged {charged}"
    );

    // The sponsorship belongs to victor: the sponsor cannot withdraw it, victor can withdraw what is free.
    w.refused(&sponsor, "storage_withdraw", json!({}), NearToken::from_yoctonear(1), "account has no storage balance");
    let victor_before = w.b.balance(&victor);
    let out = w.call(&victor, "storage_withdraw", json!({}), NearToken::from_yoctonear(1));
    out.assert_success();
    let burnt = out.tx.as_ref().unwrap().tokens_burnt;
    assert_eq!(
        w.b.balance(&victor).as_yoctonear() + burnt + 1,
        victor_before.as_yoctonear() + yocto(&after["available"])
    );
    // A grant on the sponsored balance is untouched by the withdrawal.
    assert!(w.allowed(&victor, &lab, "training"));
}

#[test]
fn snapshots_keep_their_answer_and_the_chain_replays_from_events() {
    let mut w = World::new();
    let lab = w.account("lab");
    let users: Vec<AccountId> = ["ursula", "victor", "wendy"].iter().map(|n| w.account(n)).collect();
    let [ursula, victor, wendy] = [users[0].clone(), users[1].clone(), users[2].clone()];
    for u in &users {
        w.deposit_for(u, u, millinear(50));
    }
    let expires = w.b.block_timestamp() + 7200 * SECOND;
    w.ok(&ursula, "grant", json!({"grantee": lab, "purpose": "training", "model_id": "commons-chat", "data_commitment": sha("ursula"), "expires_at": expires.to_string(), "categories": ["text", "chat-logs"]}));
    w.ok(&victor, "grant", json!({"grantee": lab, "purpose": "training", "data_commitment": sha("victor")}));
    w.ok(&victor, "grant", json!({"grantee": lab, "purpose": "training", "data_commitment": sha("victor v2")}));
    // Another chain (other purpose) interleaves; it must not disturb this one.
    w.ok(&wendy, "grant", json!({"grantee": lab, "purpose": "fine_tuning"}));

    // The grantee records a snapshot, paying its storage.
    let lab_before = w.b.balance(&lab);
    let out = w.call(&lab, "record_snapshot", json!({"purpose": "training", "note": "v1 run"}), millinear(10));
    out.assert_success();
    let id: String = out.json();
    assert_eq!(id, "1");
    let recorded = &out.events_named(STD, "snapshot_recorded")[0].data;
    let snapshot: Value = w.view("get_snapshot", json!({"id": id}));
    assert_eq!(&snapshot, recorded);
    assert_eq!(snapshot["seq"], "3");
    assert_eq!(snapshot["note"], "v1 run");
    let spent = lab_before.as_yoctonear() - w.b.balance(&lab).as_yoctonear() - out.tx.as_ref().unwrap().tokens_burnt;
    assert!(
        spent > 0 && spent <= millinear(5).as_yoctonear(),
        "snapshot storage ≤ 0.005 NEAR, excess refunded: paid {spent}"
    );

    let live = |w: &World, u: &AccountId, id: &str| -> bool {
        w.view("was_live_at_snapshot", json!({"user": u, "snapshot_id": id}))
    };
    assert!(live(&w, &ursula, "1"));
    assert!(live(&w, &victor, "1"));
    assert!(!live(&w, &wendy, "1"), "wendy granted another purpose");

    // Later changes: ursula revokes, victor deletes, wendy grants training.
    w.ok(&ursula, "revoke", json!({"grantee": lab, "purpose": "training"}));
    w.ok(&victor, "delete_grant", json!({"grantee": lab, "purpose": "training"}));
    w.ok(&wendy, "grant", json!({"grantee": lab, "purpose": "training"}));
    assert!(!w.allowed(&ursula, &lab, "training"));
    // The snapshot says what it said: revocation is not retroactive.
    assert!(live(&w, &ursula, "1"));
    assert!(live(&w, &victor, "1"));
    assert!(!live(&w, &wendy, "1"));
    assert_eq!(w.view::<Value>("get_snapshot", json!({"id": "1"})), snapshot);

    let out = w.call(&lab, "record_snapshot", json!({"purpose": "training"}), millinear(10));
    out.assert_success();
    assert_eq!(out.json::<String>(), "2");
    assert!(!live(&w, &ursula, "2"));
    assert!(!live(&w, &victor, "2"));
    assert!(live(&w, &wendy, "2"));
    assert_eq!(w.view::<String>("get_snapshot_count", json!({})), "2");
    let unknown =
        w.b.view_raw(&w.consent, "was_live_at_snapshot", &json!({"user": ursula, "snapshot_id": "3"})).unwrap_err();
    assert!(unknown.contains("unknown snapshot id: 3"), "{unknown}");

    // Replaying the chain from the emitted events alone reproduces the head
    // and the head each snapshot recorded.
    let heads = replay(&w.events, &lab, "training");
    assert_eq!(heads.len(), 6);
    let head: Value = w.view("get_chain_head", json!({"grantee": lab, "purpose": "training"}));
    assert_eq!(head["seq"], json!(heads.last().unwrap().0.to_string()));
    assert_eq!(head["head"], json!(heads.last().unwrap().1));
    assert_eq!(head["grantor_count"], 2, "ursula (revoked) and wendy hold a slot; victor deleted his");
    for id in ["1", "2"] {
        let s: Value = w.view("get_snapshot", json!({"id": id}));
        let seq = u64_of(&s["seq"]);
        assert_eq!(s["chain_head"], json!(heads[seq as usize - 1].1), "snapshot {id} head");
    }
    let other = replay(&w.events, &lab, "fine_tuning");
    let other_head: Value = w.view("get_chain_head", json!({"grantee": lab, "purpose": "fine_tuning"}));
    assert_eq!(other_head["head"], json!(other.last().unwrap().1));
    assert_eq!(other_head["seq"], "1");
    // A chain without events has seq 0 and the zero head.
    let empty: Value = w.view("get_chain_head", json!({"grantee": lab, "purpose": "analytics"}));
    assert_eq!(empty["seq"], "0");
    assert_eq!(empty["head"], json!("00".repeat(32)));
}

#[test]
fn strangers_the_grantee_the_owner_and_an_expired_manager_cannot_touch_a_grant() {
    let mut w = World::new();
    let alice = w.account("alice");
    let lab = w.account("lab");
    let mallory = w.account("mallory");
    let agent = w.account("agent");
    let owner = w.owner.clone();
    w.deposit_for(&alice.clone(), &alice, millinear(50));
    w.ok(&alice, "grant", json!({"grantee": lab, "purpose": "training"}));
    let until = w.b.block_timestamp() + 10 * SECOND;
    w.ok(&alice, "add_manager", json!({"manager": agent, "expires_at": until.to_string()}));
    w.b.fast_forward(11);
    let grant = w.grant_of(&alice, &lab, "training");

    for (who, needle) in [
        (&mallory, "caller is neither the user nor a manager the user named"),
        (&lab, "caller is neither the user nor a manager the user named"),
        (&owner, "caller is neither the user nor a manager the user named"),
        (&agent, "manager authorization has expired"),
    ] {
        w.refused(who, "revoke", json!({"grantee": lab, "purpose": "training", "user": alice}), zero(), needle);
        w.refused(who, "delete_grant", json!({"grantee": lab, "purpose": "training", "user": alice}), zero(), needle);
        w.refused(
            who,
            "grant",
            json!({"grantee": lab, "purpose": "training", "user": alice, "model_id": "hijacked"}),
            zero(),
            needle,
        );
        w.refused(who, "grant", json!({"grantee": mallory, "purpose": "analytics", "user": alice}), zero(), needle);
    }
    // Acting "for yourself" only ever touches your own slot.
    let out = w.call(&lab, "revoke", json!({"grantee": lab, "purpose": "training"}), zero());
    out.assert_failure("no grant for this user, grantee and purpose");
    assert_eq!(w.grant_of(&alice, &lab, "training"), grant);
    assert!(w.allowed(&alice, &lab, "training"));
    // The owner's power is upgrades only; nobody but alice touched her grant.
    assert_eq!(w.view::<Value>("owner", json!({})), json!(owner));
}

#[test]
fn bad_inputs_fail_clearly_and_change_nothing() {
    let mut w = World::new();
    let alice = w.account("alice");
    let bob = w.account("bob");
    let lab = w.account("lab");
    w.deposit_for(&alice.clone(), &alice, millinear(50));
    let now = w.b.block_timestamp();

    let cases: Vec<(Value, String)> = vec![
        (json!({"grantee": lab, "purpose": "marketing"}), "unknown variant `marketing`".into()),
        (json!({"grantee": lab, "purpose": "FineTuning"}), "unknown variant `FineTuning`".into()),
        (json!({"grantee": lab, "purpose": 7}), "Failed to deserialize input from JSON".into()),
        (
            json!({"grantee": lab, "purpose": "training", "categories": (0..17).map(|i| format!("c{i}")).collect::<Vec<_>>()}),
            "too many categories: 17, at most 16".into(),
        ),
        (
            json!({"grantee": lab, "purpose": "training", "categories": ["x".repeat(33)]}),
            "category is too long: 33 bytes, at most 32".into(),
        ),
        (json!({"grantee": lab, "purpose": "training", "categories": []}), "categories must not be empty".into()),
        (json!({"grantee": lab, "purpose": "training", "categories": ["Text"]}), "category may only contain".into()),
        (
            json!({"grantee": lab, "purpose": "training", "categories": ["text", "text"]}),
            "duplicate category: text".into(),
        ),
        (json!({"grantee": lab, "purpose": "training", "model_id": "Not A Slug"}), "model id may only contain".into()),
        (
            json!({"grantee": lab, "purpose": "training", "data_commitment": "abcd"}),
            "Failed to deserialize input from JSON".into(),
        ),
        (
            json!({"grantee": lab, "purpose": "training", "expires_at": (now - SECOND).to_string()}),
            "expires_at must be in the future".into(),
        ),
        (json!({"grantee": lab, "purpose": "training", "expires_at": "0"}), "expires_at must be in the future".into()),
    ];
    for (args, needle) in cases {
        w.refused(&alice, "grant", args, zero(), &needle);
    }
    // A deposit on a non-payable change is refused too.
    w.refused(
        &alice,
        "grant",
        json!({"grantee": lab, "purpose": "training"}),
        NearToken::from_yoctonear(1),
        "doesn't accept deposit",
    );

    // Missing storage: not registered, then registered with only the minimum.
    w.refused(
        &bob,
        "grant",
        json!({"grantee": lab, "purpose": "training"}),
        zero(),
        "account has no storage balance: call storage_deposit for it first (bob.test.near)",
    );
    let min = w.min_balance();
    w.refused(
        &bob,
        "storage_deposit",
        json!({}),
        NearToken::from_yoctonear(min - 1),
        "deposit is below the minimum storage balance",
    );
    let out = w.call(&bob, "storage_deposit", json!({"registration_only": true}), millinear(10));
    out.assert_success();
    let balance: Value = w.view("storage_balance_of", json!({"account_id": bob}));
    assert_eq!(yocto(&balance["total"]), min);
    assert_eq!(yocto(&balance["available"]), 0);
    w.refused(
        &bob,
        "grant",
        json!({"grantee": lab, "purpose": "training"}),
        zero(),
        "insufficient storage balance of bob.test.near: needs",
    );
    w.refused(
        &bob,
        "add_manager",
        json!({"manager": alice}),
        zero(),
        "insufficient storage balance of bob.test.near: needs",
    );
    // Nothing happened to bob's consent.
    assert!(w.grant_of(&bob, &lab, "training").is_null());
    assert_eq!(w.view::<Value>("get_chain_head", json!({"grantee": lab, "purpose": "training"}))["seq"], "0");
}

#[test]
fn is_allowed_batch_answers_in_order() {
    let mut w = World::new();
    let lab = w.account("lab");
    let users: Vec<AccountId> = (0..5).map(|i| w.account(&format!("user{i}"))).collect();
    for u in &users {
        w.deposit_for(u, u, millinear(30));
    }
    w.ok(&users[0], "grant", json!({"grantee": lab, "purpose": "training"}));
    w.ok(&users[2], "grant", json!({"grantee": lab, "purpose": "training", "model_id": "commons-chat"}));
    w.ok(&users[3], "grant", json!({"grantee": lab, "purpose": "training"}));
    w.ok(&users[3], "revoke", json!({"grantee": lab, "purpose": "training"}));
    let soon = w.b.block_timestamp() + 20 * SECOND;
    w.ok(&users[4], "grant", json!({"grantee": lab, "purpose": "training", "expires_at": soon.to_string()}));

    let batch = |w: &World, model: Option<&str>, at: Option<u64>| -> Vec<bool> {
        w.view("is_allowed_batch", json!({"users": users, "grantee": lab, "purpose": "training", "model_id": model, "at": at.map(|t| t.to_string())}))
    };
    assert_eq!(batch(&w, None, None), vec![true, false, false, false, true]);
    assert_eq!(batch(&w, Some("commons-chat"), None), vec![true, false, true, false, true]);
    assert_eq!(batch(&w, Some("commons-chat"), Some(soon)), vec![true, false, true, false, false]);
    // Each answer equals the single check.
    for (u, expected) in users.iter().zip(batch(&w, None, None)) {
        assert_eq!(w.allowed(u, &lab, "training"), expected);
    }
    // Reversed order, repeated users, unknown users.
    let stranger = w.account("stranger");
    let order = vec![users[4].clone(), stranger.clone(), users[0].clone(), users[0].clone()];
    let answers: Vec<bool> = w.view("is_allowed_batch", json!({"users": order, "grantee": lab, "purpose": "training"}));
    assert_eq!(answers, vec![true, false, true, true]);
    let empty: Vec<bool> = w.view("is_allowed_batch", json!({"users": [], "grantee": lab, "purpose": "training"}));
    assert!(empty.is_empty());
    // At most 100 users per call.
    let hundred: Vec<AccountId> = (0..100).map(|_| users[0].clone()).collect();
    let answers: Vec<bool> =
        w.view("is_allowed_batch", json!({"users": hundred, "grantee": lab, "purpose": "training"}));
    assert_eq!(answers.len(), 100);
    let too_many: Vec<AccountId> = (0..101).map(|_| users[0].clone()).collect();
    let err = w
        .b
        .view_raw(&w.consent, "is_allowed_batch", &json!({"users": too_many, "grantee": lab, "purpose": "training"}))
        .unwrap_err();
    assert!(err.contains("too many users in one batch: 101, at most 100"), "{err}");
}

#[test]
fn revoke_needs_no_deposit_and_works_with_nothing_available() {
    let mut w = World::new();
    let alice = w.account("alice");
    let lab = w.account("lab");
    w.deposit_for(&alice.clone(), &alice, millinear(20));
    w.ok(
        &alice,
        "grant",
        json!({"grantee": lab, "purpose": "training", "categories": ["text"], "data_commitment": sha("a")}),
    );
    // Withdraw everything available: the balance now exactly covers what is stored.
    let out = w.call(&alice, "storage_withdraw", json!({}), NearToken::from_yoctonear(1));
    out.assert_success();
    let balance: Value = w.view("storage_balance_of", json!({"account_id": alice}));
    assert_eq!(yocto(&balance["available"]), 0);

    let usage = w.b.storage_usage(&w.consent);
    let contract_balance = w.b.balance(&w.consent);
    let out = w.ok(&alice, "revoke", json!({"grantee": lab, "purpose": "training"}));
    assert_eq!(out.event_names(), vec!["consent_revoked"]);
    assert!(!w.allowed(&alice, &lab, "training"));
    assert_eq!(w.b.storage_usage(&w.consent), usage, "revoke rewrites in place: zero bytes added");
    assert_eq!(w.view::<Value>("storage_balance_of", json!({"account_id": alice})), balance, "revoke charged nothing");
    assert_eq!(w.b.balance(&w.consent), contract_balance, "no deposit moved");
    // Revoke never takes a deposit: near-sdk refuses one on a non-payable method.
    w.refused(
        &alice,
        "revoke",
        json!({"grantee": lab, "purpose": "training"}),
        NearToken::from_yoctonear(1),
        "doesn't accept deposit",
    );
    // Granting again opens a new live period: that needs bytes alice no longer has.
    w.refused(
        &alice,
        "grant",
        json!({"grantee": lab, "purpose": "training", "categories": ["text"], "data_commitment": sha("a")}),
        zero(),
        "insufficient storage balance of alice.test.near",
    );
    assert_eq!(w.grant_of(&alice, &lab, "training")["status"], "revoked");
}
