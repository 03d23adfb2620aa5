//! Bad arguments, unknown ids, invalid transitions and missing deposits.

use super::*;
use crate::errors::*;
use crate::limits::*;

const ZERO: NearToken = NearToken::from_yoctonear(0);

/// ALICE's model with v1 approved and v2 submitted.
fn world() -> World {
    let mut w = World::with_approved_versions(1);
    w.submit(ALICE, MODEL, digest(2));
    w
}

fn snapshot(w: &World) -> String {
    near_sdk::serde_json::json!({
        "models": w.c.get_models(None, None),
        "versions": w.c.get_versions(MODEL.into(), None, None),
        "aliases": w.c.get_aliases(MODEL.into(), None, None),
        "config": w.c.get_config(),
    })
    .to_string()
}

fn rejects(w: &mut World, expected: &str, who: &str, f: impl FnOnce(&mut Contract)) {
    let before = snapshot(w);
    expect_panic(expected, || f(w.call(who, DEPOSIT)));
    assert_eq!(snapshot(w), before, "state changed by a rejected call");
}

fn register(c: &mut Contract, id: &str, name: &str, task: &str, license: &str, uri: &str, card: Digest32) {
    c.register_model(id.into(), name.into(), task.into(), license.into(), uri.into(), card);
}

fn submit(
    c: &mut Contract,
    weights: Digest32,
    uri: &str,
    parent: Option<ParentRef>,
    t: TrainingRecord,
    meta: Option<String>,
) {
    c.submit_version(MODEL.into(), weights, uri.into(), parent, t, None, meta);
}

#[test]
fn register_model_rejects_bad_fields() {
    let mut w = world();
    let long = |n: usize| "x".repeat(n + 1);
    let d = digest(0xca);
    rejects(&mut w, ERR_MODEL_EXISTS, ALICE, |c| register(c, MODEL, "n", "t", "l", "u", d));
    rejects(&mut w, "model_id may only contain", ALICE, |c| register(c, "Bad Id", "n", "t", "l", "u", d));
    rejects(&mut w, "model_id must be 1 to 64 characters", ALICE, |c| {
        register(c, &"a".repeat(65), "n", "t", "l", "u", d)
    });
    rejects(&mut w, "name is too long: 129 bytes, at most 128", ALICE, |c| {
        register(c, "m", &long(MAX_NAME_LEN), "t", "l", "u", d)
    });
    rejects(&mut w, ERR_EMPTY_NAME, ALICE, |c| register(c, "m", " ", "t", "l", "u", d));
    rejects(&mut w, "task is too long", ALICE, |c| register(c, "m", "n", &long(MAX_TASK_LEN), "l", "u", d));
    rejects(&mut w, ERR_EMPTY_TASK, ALICE, |c| register(c, "m", "n", "", "l", "u", d));
    rejects(&mut w, "license is too long", ALICE, |c| register(c, "m", "n", "t", &long(MAX_LICENSE_LEN), "u", d));
    rejects(&mut w, ERR_EMPTY_LICENSE, ALICE, |c| register(c, "m", "n", "t", "", "u", d));
    rejects(&mut w, "card_uri is too long", ALICE, |c| register(c, "m", "n", "t", "l", &long(MAX_URI_LEN), d));
    rejects(&mut w, ERR_ZERO_CARD_DIGEST, ALICE, |c| register(c, "m", "n", "t", "l", "u", Digest32::default()));
    // At the limits it fits.
    w.call(ALICE, DEPOSIT).register_model(
        "a".repeat(64),
        "n".repeat(MAX_NAME_LEN),
        "t".repeat(MAX_TASK_LEN),
        "l".repeat(MAX_LICENSE_LEN),
        "u".repeat(MAX_URI_LEN),
        d,
    );
}

#[test]
fn submit_version_rejects_bad_fields() {
    let mut w = world();
    let t = training();
    rejects(&mut w, ERR_DIGEST_REGISTERED, ALICE, |c| submit(c, digest(1), "u", None, t.clone(), None));
    rejects(&mut w, ERR_ZERO_WEIGHTS_DIGEST, ALICE, |c| submit(c, Digest32::default(), "u", None, t.clone(), None));
    rejects(&mut w, ERR_EMPTY_ARTIFACT_URI, ALICE, |c| submit(c, digest(9), "", None, t.clone(), None));
    rejects(&mut w, "artifact_uri is too long: 513 bytes", ALICE, |c| {
        submit(c, digest(9), &"u".repeat(MAX_URI_LEN + 1), None, t.clone(), None)
    });
    rejects(&mut w, "metadata is too long: 2049 bytes, at most 2048", ALICE, |c| {
        submit(c, digest(9), "u", None, t.clone(), Some("m".repeat(MAX_METADATA_LEN + 1)))
    });
    let unknown_parents = [
        ParentRef::Version { model_id: MODEL.into(), version: 3 },
        ParentRef::Version { model_id: "other".into(), version: 1 },
    ];
    for parent in unknown_parents {
        rejects(&mut w, ERR_PARENT_NOT_FOUND, ALICE, |c| submit(c, digest(9), "u", Some(parent), t.clone(), None));
    }
    rejects(&mut w, ERR_ZERO_PARENT_DIGEST, ALICE, |c| {
        submit(c, digest(9), "u", Some(ParentRef::Digest { digest: Digest32::default() }), t.clone(), None)
    });
    let zero_code = TrainingRecord { code_digest: Digest32::default(), ..training() };
    rejects(&mut w, ERR_ZERO_CODE_DIGEST, ALICE, |c| submit(c, digest(9), "u", None, zero_code, None));
    let half_consent = TrainingRecord { consent_snapshot_id: None, ..training() };
    rejects(&mut w, ERR_CONSENT_PAIR, ALICE, |c| submit(c, digest(9), "u", None, half_consent, None));
    rejects(&mut w, ERR_MODEL_NOT_FOUND, ALICE, |c| {
        c.submit_version("unknown".into(), digest(9), "u".into(), None, training(), None, None);
    });
    // No consent at all is a valid record too.
    let no_consent =
        TrainingRecord { consent_contract: None, consent_snapshot_id: None, dataset_digest: None, ..training() };
    let meta = Some("m".repeat(MAX_METADATA_LEN));
    w.call(ALICE, DEPOSIT).submit_version(MODEL.into(), digest(9), "u".into(), None, no_consent, None, meta);
    assert_eq!(w.c.get_model(MODEL.into()).unwrap().model.version_count, 3);
}

#[test]
fn status_changes_reject_unknown_ids_and_invalid_transitions() {
    let mut w = world(); // v1 approved, v2 submitted
    for (model, version, err) in [("unknown", 1, ERR_MODEL_NOT_FOUND), (MODEL, 3, ERR_VERSION_NOT_FOUND)] {
        rejects(&mut w, err, DAO, |c| c.approve_version(model.into(), version));
        rejects(&mut w, err, DAO, |c| c.deprecate_version(model.into(), version, None));
        rejects(&mut w, err, DAO, |c| c.revoke_version(model.into(), version, "r".into()));
    }
    rejects(&mut w, ERR_APPROVE_NOT_SUBMITTED, DAO, |c| c.approve_version(MODEL.into(), 1));
    rejects(&mut w, ERR_DEPRECATE_NOT_APPROVED, DAO, |c| c.deprecate_version(MODEL.into(), 2, None));
    rejects(&mut w, ERR_EMPTY_REASON, DAO, |c| c.revoke_version(MODEL.into(), 2, "  ".into()));
    rejects(&mut w, "reason is too long: 513 bytes", DAO, |c| {
        c.revoke_version(MODEL.into(), 2, "r".repeat(MAX_REASON_LEN + 1))
    });
    rejects(&mut w, "reason is too long", DAO, |c| {
        c.deprecate_version(MODEL.into(), 1, Some("r".repeat(MAX_REASON_LEN + 1)))
    });

    // Deprecated: cannot be approved or deprecated again; can be revoked.
    w.call(DAO, DEPOSIT).deprecate_version(MODEL.into(), 1, None);
    rejects(&mut w, ERR_APPROVE_NOT_SUBMITTED, DAO, |c| c.approve_version(MODEL.into(), 1));
    rejects(&mut w, ERR_DEPRECATE_NOT_APPROVED, DAO, |c| c.deprecate_version(MODEL.into(), 1, None));
    w.call(DAO, DEPOSIT).revoke_version(MODEL.into(), 1, "r".repeat(MAX_REASON_LEN));
    // Submitted can be revoked directly; revoked is final.
    w.call(DAO, DEPOSIT).revoke_version(MODEL.into(), 2, "spam".into());
    for v in [1, 2] {
        rejects(&mut w, ERR_ALREADY_REVOKED, DAO, |c| c.revoke_version(MODEL.into(), v, "again".into()));
        rejects(&mut w, ERR_APPROVE_NOT_SUBMITTED, DAO, |c| c.approve_version(MODEL.into(), v));
        rejects(&mut w, ERR_DEPRECATE_NOT_APPROVED, DAO, |c| c.deprecate_version(MODEL.into(), v, None));
        assert_eq!(w.status(MODEL, v), Some(VersionStatus::Revoked));
    }
}

#[test]
fn aliases_point_only_to_approved_versions() {
    let mut w = world(); // v1 approved, v2 submitted
    let set = |v: u32| move |c: &mut Contract| c.set_alias(MODEL.into(), "production".into(), v);
    rejects(&mut w, ERR_ALIAS_TARGET_NOT_APPROVED, DAO, set(2));
    rejects(&mut w, ERR_VERSION_NOT_FOUND, DAO, set(3));
    rejects(&mut w, ERR_MODEL_NOT_FOUND, DAO, |c| c.set_alias("unknown".into(), "production".into(), 1));
    rejects(&mut w, "alias may only contain", DAO, |c| c.set_alias(MODEL.into(), "Prod!".into(), 1));
    rejects(&mut w, ERR_ALIAS_NOT_SET, DAO, |c| c.clear_alias(MODEL.into(), "production".into()));
    w.call(DAO, DEPOSIT).set_alias(MODEL.into(), "production".into(), 1);
    rejects(&mut w, ERR_ALIAS_UNCHANGED, DAO, set(1));
    w.call(DAO, DEPOSIT).deprecate_version(MODEL.into(), 1, None);
    w.call(DAO, DEPOSIT).clear_alias(MODEL.into(), "production".into());
    rejects(&mut w, ERR_ALIAS_TARGET_NOT_APPROVED, DAO, set(1));
    rejects(&mut w, ERR_ALIAS_NOT_SET, DAO, |c| c.clear_alias(MODEL.into(), "production".into()));
    w.call(DAO, DEPOSIT).revoke_version(MODEL.into(), 2, "r".into());
    rejects(&mut w, ERR_ALIAS_TARGET_NOT_APPROVED, DAO, set(2));
}

#[test]
fn aliases_per_model_and_protected_aliases_are_bounded() {
    let mut w = World::with_approved_versions(1);
    for i in 0..MAX_ALIASES_PER_MODEL {
        w.call(ALICE, DEPOSIT).set_alias(MODEL.into(), format!("a{i}"), 1);
    }
    rejects(&mut w, ERR_TOO_MANY_ALIASES, ALICE, |c| c.set_alias(MODEL.into(), "one-more".into(), 1));
    assert_eq!(w.c.get_aliases(MODEL.into(), None, Some(100)).len() as u32, MAX_ALIASES_PER_MODEL);

    rejects(&mut w, ERR_PROTECTION_UNCHANGED, DAO, |c| c.set_alias_protection("production".into(), true));
    rejects(&mut w, ERR_PROTECTION_UNCHANGED, DAO, |c| c.set_alias_protection("staging".into(), false));
    rejects(&mut w, "alias must be 1 to 64", DAO, |c| c.set_alias_protection(String::new(), true));
    for i in 1..MAX_PROTECTED_ALIASES {
        w.call(DAO, DEPOSIT).set_alias_protection(format!("p{i}"), true);
    }
    rejects(&mut w, ERR_TOO_MANY_PROTECTED_ALIASES, DAO, |c| c.set_alias_protection("full".into(), true));
    assert_eq!(w.c.get_config().protected_aliases.len() as u32, MAX_PROTECTED_ALIASES);
}

#[test]
fn admin_methods_reject_no_op_changes() {
    let mut w = World::new();
    rejects(&mut w, ERR_SAME_OWNER, DAO, |c| c.set_owner(acc(DAO)));
    rejects(&mut w, ERR_PUBLISHER_EXISTS, DAO, |c| c.add_publisher(acc(ALICE)));
    rejects(&mut w, ERR_PUBLISHER_NOT_FOUND, DAO, |c| c.remove_publisher(acc(BOB)));
    rejects(&mut w, ERR_OPEN_PUBLISHING_UNCHANGED, DAO, |c| c.set_open_publishing(false));
}

// ---- deposits -------------------------------------------------------------

const SHORT: &str = "insufficient deposit for storage";

#[test]
fn register_model_without_deposit_fails() {
    let mut w = World::new();
    expect_panic(SHORT, || {
        w.call(ALICE, ZERO).register_model(MODEL.into(), "n".into(), "t".into(), "l".into(), "u".into(), digest(1))
    });
}

#[test]
fn submit_version_without_enough_deposit_fails() {
    let mut w = World::new();
    w.register(ALICE, MODEL);
    expect_panic(SHORT, || {
        w.call(ALICE, NearToken::from_yoctonear(cost_of(100))).submit_version(
            MODEL.into(),
            digest(1),
            "u".into(),
            None,
            training(),
            None,
            None,
        )
    });
}

#[test]
fn set_alias_without_deposit_fails_even_when_moving() {
    let mut w = World::with_approved_versions(2);
    expect_panic(SHORT, || w.call(DAO, ZERO).set_alias(MODEL.into(), "production".into(), 1));
    let mut w = World::with_approved_versions(2);
    w.call(DAO, DEPOSIT).set_alias(MODEL.into(), "production".into(), 1);
    expect_panic(SHORT, || w.call(DAO, ZERO).set_alias(MODEL.into(), "production".into(), 2));
}

#[test]
fn owner_storage_without_deposit_fails() {
    let mut w = World::with_approved_versions(1);
    expect_panic(SHORT, || w.call(DAO, ZERO).add_publisher(acc(BOB)));
    let mut w = World::with_approved_versions(1);
    expect_panic(SHORT, || w.call(DAO, ZERO).set_alias_protection("staging".into(), true));
    let mut w = World::with_approved_versions(1);
    expect_panic(SHORT, || w.call(DAO, ZERO).revoke_version(MODEL.into(), 1, "reason".into()));
    let mut w = World::with_approved_versions(1);
    expect_panic(SHORT, || w.call(DAO, ZERO).deprecate_version(MODEL.into(), 1, Some("reason".into())));
}

#[test]
fn approving_needs_no_deposit_and_refunds_any() {
    let mut w = World::new();
    w.register(ALICE, MODEL);
    w.submit(ALICE, MODEL, digest(1));
    w.call(DAO, DEPOSIT).approve_version(MODEL.into(), 1);
    assert_eq!(refunded_to(DAO), DEPOSIT.as_yoctonear());
}

#[test]
fn excess_deposit_is_refunded_exactly() {
    let mut w = World::new();
    w.call(ALICE, DEPOSIT);
    let before = env::storage_usage();
    w.c.register_model(MODEL.into(), "n".into(), "t".into(), "l".into(), "u".into(), digest(1));
    let added = env::storage_usage() - before;
    assert!(added > 100, "a model record takes storage");
    assert_eq!(refunded_to(ALICE), DEPOSIT.as_yoctonear() - cost_of(added));
    // Exactly the cost is enough, with nothing to refund.
    w.call(ALICE, NearToken::from_yoctonear(cost_of(added))).register_model(
        "llama-3.1-9b".into(),
        "n".into(),
        "t".into(),
        "l".into(),
        "u".into(),
        digest(1),
    );
    assert!(get_created_receipts().is_empty());
}

#[test]
fn a_publisher_filling_its_aliases_cannot_block_the_owner() {
    let mut w = World::with_approved_versions(1);
    for i in 0..MAX_ALIASES_PER_MODEL {
        w.call(ALICE, DEPOSIT).set_alias(MODEL.into(), format!("a{i}"), 1);
    }
    rejects(&mut w, ERR_TOO_MANY_ALIASES, ALICE, |c| c.set_alias(MODEL.into(), "one-more".into(), 1));
    // The owner still sets production, then every protected alias there can be, ...
    w.call(DAO, DEPOSIT).set_alias(MODEL.into(), "production".into(), 1);
    for i in 1..OWNER_RESERVED_ALIASES {
        w.call(DAO, DEPOSIT).set_alias_protection(format!("p{i}"), true);
        w.call(DAO, DEPOSIT).set_alias(MODEL.into(), format!("p{i}"), 1);
    }
    // ... and clears any of them; the publisher's room stays full.
    w.call(DAO, DEPOSIT).clear_alias(MODEL.into(), "production".into());
    w.call(DAO, DEPOSIT).clear_alias(MODEL.into(), "a0".into());
    rejects(&mut w, ERR_TOO_MANY_ALIASES, ALICE, |c| c.set_alias(MODEL.into(), "one-more".into(), 1));
    assert_eq!(w.c.get_aliases(MODEL.into(), None, Some(100)).len() as u32, MAX_ALIAS_SLOTS_PER_MODEL);
    // The total is bounded (revoking visits every alias once).
    w.call(DAO, DEPOSIT).set_alias_protection("p1".into(), false);
    rejects(&mut w, ERR_TOO_MANY_ALIASES, DAO, |c| c.set_alias(MODEL.into(), "beyond".into(), 1));
    // Revoking v1 clears every alias still pointing to it, across both rooms.
    w.call(DAO, DEPOSIT).revoke_version(MODEL.into(), 1, "bad weights".into());
    let aliases = w.c.get_aliases(MODEL.into(), None, Some(100));
    assert!(aliases.iter().all(|a| a.version.is_none()), "{aliases:?}");
    let config = w.c.get_config();
    assert_eq!(
        (config.limits.max_aliases_per_model, config.limits.owner_reserved_aliases),
        (MAX_ALIASES_PER_MODEL, OWNER_RESERVED_ALIASES)
    );
}
