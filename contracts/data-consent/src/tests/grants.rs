use super::*;
use crate::errors::*;
use crate::types::GrantStatus;
use ai_commons_primitives::{ConsentPurpose::*, Digest32};

fn setup() -> Chain {
    let mut chain = Chain::new(None);
    chain.deposit("alice.near", "alice.near", near(1));
    chain
}

#[test]
fn grant_check_revoke_check() {
    let mut chain = setup();
    chain.grant("alice.near", "lab.near", Training);
    let data = chain.one_event("consent_granted");
    assert_eq!(data["version"], "1");
    assert_eq!(data["kind"], "grant");

    assert!(chain.allowed("alice.near", "lab.near", Training, None, None));
    assert!(chain.allowed("alice.near", "lab.near", Training, Some("any-model"), None));
    assert!(!chain.allowed("alice.near", "lab.near", Evaluation, None, None));
    assert!(!chain.allowed("alice.near", "other.near", Training, None, None));
    assert!(!chain.allowed("bob.near", "lab.near", Training, None, None));

    chain.now += SECOND;
    let view = chain.call("alice.near", ZERO, |c| c.revoke(acc("lab.near"), Training, None)).unwrap();
    assert_eq!(view.status, GrantStatus::Revoked);
    assert_eq!(view.version, U64(2));
    assert_eq!(view.updated_at, U64(T0 + SECOND));
    assert_eq!(chain.one_event("consent_revoked")["version"], "2");
    assert!(!chain.allowed("alice.near", "lab.near", Training, None, None));

    // Revoking twice is an error and changes nothing.
    let before = chain.trie();
    assert_err(chain.call("alice.near", ZERO, |c| c.revoke(acc("lab.near"), Training, None)), ERR_GRANT_NOT_ACTIVE);
    assert!(chain.events().is_empty());
    assert_eq!(chain.trie(), before);
    assert_err(chain.call("alice.near", ZERO, |c| c.revoke(acc("lab.near"), Analytics, None)), ERR_NO_GRANT);
}

#[test]
fn update_and_regrant_bump_the_version() {
    let mut chain = setup();
    chain.grant("alice.near", "lab.near", Training);
    let commitment = Digest32([7; 32]);
    let view = chain
        .call("alice.near", ZERO, |c| {
            c.grant(
                acc("lab.near"),
                Training,
                Some("llama-3".into()),
                Some(vec!["chat-logs".into(), "code".into()]),
                Some(commitment),
                Some(U64(T0 + 100 * SECOND)),
                None,
            )
        })
        .unwrap();
    assert_eq!(view.version, U64(2));
    assert_eq!(view.created_at, U64(T0));
    let data = chain.one_event("consent_updated");
    assert_eq!(data["kind"], "update");
    assert_eq!(data["model_id"], "llama-3");
    assert_eq!(data["categories"], serde_json::json!(["chat-logs", "code"]));
    assert_eq!(data["data_commitment"], "07".repeat(32));
    assert_eq!(data["expires_at"], (T0 + 100 * SECOND).to_string());

    chain.call("alice.near", ZERO, |c| c.revoke(acc("lab.near"), Training, None)).unwrap();
    chain.grant("alice.near", "lab.near", Training);
    let data = chain.one_event("consent_granted");
    assert_eq!(data["version"], "4");
    assert_eq!(data["kind"], "grant");
    let grant = chain.view(|c| c.get_grant(acc("alice.near"), acc("lab.near"), Training)).unwrap();
    assert_eq!((grant.version, grant.status, grant.model_id), (U64(4), GrantStatus::Active, None));
}

#[test]
fn model_scope() {
    let mut chain = setup();
    chain
        .call("alice.near", ZERO, |c| {
            c.grant(acc("lab.near"), FineTuning, Some("llama-3".into()), None, None, None, None)
        })
        .unwrap();
    assert!(chain.allowed("alice.near", "lab.near", FineTuning, Some("llama-3"), None));
    assert!(!chain.allowed("alice.near", "lab.near", FineTuning, Some("mistral"), None));
    // A model-scoped grant does not answer "any model".
    assert!(!chain.allowed("alice.near", "lab.near", FineTuning, None, None));
    assert_err(
        chain.call("alice.near", ZERO, |c| {
            c.grant(acc("lab.near"), FineTuning, Some("Bad Model".into()), None, None, None, None)
        }),
        "model id may only contain",
    );
}

#[test]
fn expiry_by_moving_time() {
    let mut chain = setup();
    let expires = T0 + 60 * SECOND;
    chain
        .call("alice.near", ZERO, |c| c.grant(acc("lab.near"), Inference, None, None, None, Some(U64(expires)), None))
        .unwrap();
    assert!(chain.allowed("alice.near", "lab.near", Inference, None, None));
    assert!(chain.allowed("alice.near", "lab.near", Inference, None, Some(expires - 1)));
    assert!(!chain.allowed("alice.near", "lab.near", Inference, None, Some(expires)));
    chain.now = expires - 1;
    assert!(chain.allowed("alice.near", "lab.near", Inference, None, None));
    chain.now = expires;
    assert!(!chain.allowed("alice.near", "lab.near", Inference, None, None));
    // Batch form agrees, in order.
    let got = chain.view(|c| {
        c.is_allowed_batch(vec![acc("alice.near"), acc("bob.near")], acc("lab.near"), Inference, None, Some(U64(T0)))
    });
    assert_eq!(got, vec![true, false]);
}

#[test]
fn past_expiry_is_rejected_and_changes_nothing() {
    let mut chain = setup();
    let before = chain.trie();
    for at in [T0 - 1, T0] {
        let r = chain
            .call("alice.near", ZERO, |c| c.grant(acc("lab.near"), Training, None, None, None, Some(U64(at)), None));
        assert_err(r, ERR_EXPIRY_NOT_FUTURE);
        assert!(chain.events().is_empty());
    }
    assert_eq!(chain.trie(), before);
}

#[test]
fn bad_categories_are_rejected_and_change_nothing() {
    let mut chain = setup();
    let before = chain.trie();
    let cases: Vec<(Vec<String>, &str)> = vec![
        ((0..17).map(|i| format!("c{i}")).collect(), "too many categories: 17, at most 16"),
        (vec!["a".repeat(33)], "category is too long: 33 bytes, at most 32"),
        (vec![], ERR_CATEGORIES_EMPTY),
        (vec!["health".into(), "health".into()], "duplicate category: health"),
        (vec!["Health Data".into()], "category may only contain"),
    ];
    for (categories, expected) in cases {
        let r = chain
            .call("alice.near", ZERO, |c| c.grant(acc("lab.near"), Training, None, Some(categories), None, None, None));
        assert_err(r, expected);
        assert!(chain.logs.is_empty());
    }
    assert_eq!(chain.trie(), before);
    // The bounds themselves are accepted.
    let ok: Vec<String> = (0..16).map(|i| format!("{i:0>32}")).collect();
    chain.call("alice.near", ZERO, |c| c.grant(acc("lab.near"), Training, None, Some(ok), None, None, None)).unwrap();
}

/// The JSON arguments of `grant`, as the generated wasm entry point reads them.
#[derive(near_sdk::serde::Deserialize, Debug)]
#[serde(crate = "near_sdk::serde")]
#[allow(dead_code)]
struct GrantArgs {
    grantee: AccountId,
    purpose: ai_commons_primitives::ConsentPurpose,
    model_id: Option<String>,
    expires_at: Option<U64>,
}

#[test]
fn bad_purpose_is_rejected_by_json_with_a_clear_message() {
    let ok: GrantArgs = serde_json::from_str(r#"{"grantee":"lab.near","purpose":"fine_tuning"}"#).unwrap();
    assert_eq!(ok.purpose, FineTuning);
    let err =
        serde_json::from_str::<GrantArgs>(r#"{"grantee":"lab.near","purpose":"marketing"}"#).unwrap_err().to_string();
    assert!(err.contains("unknown variant `marketing`"), "{err}");
    assert!(err.contains("`training`, `fine_tuning`, `evaluation`, `inference`, `analytics`"), "{err}");
    // CamelCase spelling is not accepted either: purposes are snake_case.
    assert!(serde_json::from_str::<GrantArgs>(r#"{"grantee":"lab.near","purpose":"FineTuning"}"#).is_err());
}

#[test]
fn missing_storage_fails_clearly_and_changes_nothing() {
    let mut chain = Chain::new(None);
    // Not registered at all.
    let before = chain.trie();
    assert_err(
        chain.call("alice.near", ZERO, |c| c.grant(acc("lab.near"), Training, None, None, None, None, None)),
        ERR_NOT_REGISTERED,
    );
    assert_eq!(chain.trie(), before);

    // Registered with only the minimum: the grant's bytes are not covered.
    chain.call("alice.near", millinear(10), |c| c.storage_deposit(None, Some(true))).unwrap();
    let before = chain.trie();
    let r = chain.call("alice.near", ZERO, |c| c.grant(acc("lab.near"), Training, None, None, None, None, None));
    assert_err(r, "insufficient storage balance of alice.near: needs");
    assert!(chain.logs.is_empty());
    assert_eq!(chain.trie(), before);
    assert!(!chain.allowed("alice.near", "lab.near", Training, None, None));
    assert_eq!(chain.view(|c| c.get_chain_head(acc("lab.near"), Training)).seq, U64(0));

    // Topping up makes the same call succeed.
    chain.deposit("alice.near", "alice.near", millinear(10));
    chain.grant("alice.near", "lab.near", Training);
}

#[test]
fn stranger_and_grantee_cannot_touch_a_grant() {
    let mut chain = setup();
    chain.deposit("mallory.near", "mallory.near", near(1));
    chain.grant("alice.near", "lab.near", Training);
    let before = chain.trie();
    for caller in ["mallory.near", "lab.near", CONTRACT] {
        let alice = Some(acc("alice.near"));
        let r = chain.call(caller, ZERO, |c| {
            c.grant(acc("lab.near"), Training, Some("m".into()), None, None, None, alice.clone())
        });
        assert_err(r, ERR_NOT_USER_OR_MANAGER);
        assert_err(
            chain.call(caller, ZERO, |c| c.revoke(acc("lab.near"), Training, alice.clone())),
            ERR_NOT_USER_OR_MANAGER,
        );
        assert_err(
            chain.call(caller, ZERO, |c| c.delete_grant(acc("lab.near"), Training, alice)),
            ERR_NOT_USER_OR_MANAGER,
        );
        assert!(chain.logs.is_empty());
    }
    assert_eq!(chain.trie(), before);
    assert!(chain.allowed("alice.near", "lab.near", Training, None, None));
}

#[test]
fn revoke_needs_no_balance_and_rewrites_in_place() {
    let mut chain = setup();
    chain
        .call("alice.near", ZERO, |c| {
            c.grant(
                acc("lab.near"),
                Training,
                Some("m1".into()),
                Some(vec!["text".into()]),
                None,
                Some(U64(T0 + SECOND)),
                None,
            )
        })
        .unwrap();
    // Withdraw everything available: the balance covers exactly what is stored.
    chain.call("alice.near", YOCTO, |c| c.storage_withdraw(None)).unwrap();
    assert_eq!(chain.available("alice.near"), ZERO);
    let bytes = chain.storage_usage();
    chain.call("alice.near", ZERO, |c| c.revoke(acc("lab.near"), Training, None)).unwrap();
    assert_eq!(chain.storage_usage(), bytes, "revoke must not change storage");
    assert_eq!(chain.available("alice.near"), ZERO);
    // Re-granting needs a new live period, which the empty balance cannot pay.
    assert_err(
        chain.call("alice.near", ZERO, |c| c.grant(acc("lab.near"), Training, None, None, None, None, None)),
        ERR_STORAGE_SHORT,
    );
}

#[test]
fn delete_frees_storage_and_keeps_indexes_dense() {
    let mut chain = setup();
    chain.deposit("bob.near", "bob.near", near(1));
    let start = chain.available("alice.near");
    chain.grant("alice.near", "lab.near", Training);
    let after_first = chain.available("alice.near");
    chain.grant("alice.near", "lab.near", Evaluation);
    chain.grant("alice.near", "uni.near", Training);
    chain.grant("bob.near", "lab.near", Training);
    assert!(after_first < start);

    let grantors = chain.view(|c| c.get_grantors(acc("lab.near"), Training, None, None));
    assert_eq!(grantors, vec![acc("alice.near"), acc("bob.near")]);

    // Delete alice's first slot: the last one moves into its place.
    let available = chain.available("alice.near");
    chain.call("alice.near", ZERO, |c| c.delete_grant(acc("lab.near"), Training, None)).unwrap();
    let data = chain.one_event("consent_deleted");
    assert_eq!((data["version"].as_str(), data["kind"].as_str()), (Some("2"), Some("delete")));
    let freed = chain.available("alice.near").saturating_sub(available);
    assert!(freed > ZERO);
    // What stays charged is the slot's permanent history (one live period + its counter).
    let kept = start.saturating_sub(after_first).saturating_sub(freed);
    assert!(kept > ZERO, "the live-period history and the chain record stay charged");
    assert!(chain.view(|c| c.get_grant(acc("alice.near"), acc("lab.near"), Training)).is_none());
    assert!(!chain.allowed("alice.near", "lab.near", Training, None, None));

    let mine: Vec<_> = chain
        .view(|c| c.get_grants_of(acc("alice.near"), None, None))
        .into_iter()
        .map(|g| (g.grantee.to_string(), g.purpose))
        .collect();
    assert_eq!(mine, vec![("uni.near".to_string(), Training), ("lab.near".to_string(), Evaluation)]);
    let grantors = chain.view(|c| c.get_grantors(acc("lab.near"), Training, None, None));
    assert_eq!(grantors, vec![acc("bob.near")]);
    assert_eq!(chain.view(|c| c.get_chain_head(acc("lab.near"), Training)).grantor_count, 1);

    // The moved slots still delete cleanly (their stored positions were updated).
    chain.call("alice.near", ZERO, |c| c.delete_grant(acc("lab.near"), Evaluation, None)).unwrap();
    chain.call("alice.near", ZERO, |c| c.delete_grant(acc("uni.near"), Training, None)).unwrap();
    chain.call("bob.near", ZERO, |c| c.delete_grant(acc("lab.near"), Training, None)).unwrap();
    assert!(chain.view(|c| c.get_grants_of(acc("alice.near"), None, None)).is_empty());
    assert!(chain.view(|c| c.get_grantors(acc("lab.near"), Training, None, None)).is_empty());
    assert_err(chain.call("alice.near", ZERO, |c| c.delete_grant(acc("uni.near"), Training, None)), ERR_NO_GRANT);
}

#[test]
fn listing_is_paginated_and_capped() {
    let mut chain = Chain::new(None);
    for i in 0..105 {
        let user = format!("user{i:03}.near");
        chain.deposit(&user, &user, near(1));
        chain.grant(&user, "lab.near", Training);
    }
    let all = chain.view(|c| c.get_grantors(acc("lab.near"), Training, None, Some(1000)));
    assert_eq!(all.len(), 100);
    let rest = chain.view(|c| c.get_grantors(acc("lab.near"), Training, Some(100), Some(1000)));
    assert_eq!(rest, (100..105).map(|i| acc(&format!("user{i:03}.near"))).collect::<Vec<_>>());
    assert_eq!(chain.view(|c| c.get_grantors(acc("lab.near"), Training, None, None)).len(), 20);

    let users: Vec<AccountId> = (0..101).map(|i| acc(&format!("user{i:03}.near"))).collect();
    let too_many = users.clone();
    assert_err(
        chain.call("x.near", ZERO, |c| c.is_allowed_batch(too_many, acc("lab.near"), Training, None, None)),
        "too many users in one batch: 101, at most 100",
    );
    let answers = chain.view(|c| c.is_allowed_batch(users[..100].to_vec(), acc("lab.near"), Training, None, None));
    assert!(answers.iter().all(|a| *a) && answers.len() == 100);
}

#[test]
fn exact_event_json_of_a_grant() {
    let mut chain = setup();
    chain.grant("alice.near", "lab.near", Training);
    let head = chain.view(|c| c.get_chain_head(acc("lab.near"), Training)).head;
    let expected = format!(
        r#"EVENT_JSON:{{"standard":"data_consent","version":"1.0.0","event":"consent_granted","data":{{"seq":"1","user":"alice.near","grantee":"lab.near","purpose":"training","version":"1","kind":"grant","model_id":null,"data_commitment":null,"expires_at":null,"timestamp":"{T0}","chain_head":"{head}","categories":null,"actor":"alice.near"}}}}"#
    );
    assert_eq!(chain.logs, vec![expected]);
    // The head is sha256(zero head || borsh(event)), recomputed independently.
    assert_eq!(head.to_hex(), super::chain::replay(&[chain.one_event("consent_granted")]).to_hex());
}
