//! Every change method rejects the wrong caller and leaves state unchanged.

use super::*;
use crate::errors::*;

const ZERO: NearToken = NearToken::from_yoctonear(0);

/// A registry with ALICE's model: v1 approved + production and staging on
/// it, v2 submitted.
fn world() -> World {
    let mut w = World::with_approved_versions(1);
    w.submit(ALICE, MODEL, digest(2));
    w.call(DAO, DEPOSIT).set_alias(MODEL.into(), "production".into(), 1);
    w.call(ALICE, DEPOSIT).set_alias(MODEL.into(), "staging".into(), 1);
    w
}

/// Everything a caller could have changed, as JSON.
fn snapshot(w: &World) -> String {
    let c = &w.c;
    near_sdk::serde_json::json!({
        "config": c.get_config(),
        "publishers": c.get_publishers(None, None),
        "models": c.get_models(None, None),
        "versions": c.get_versions(MODEL.into(), None, None),
        "aliases": c.get_aliases(MODEL.into(), None, None),
        "production": c.get_alias_history(MODEL.into(), "production".into(), None, None),
        "staging": c.get_alias_history(MODEL.into(), "staging".into(), None, None),
    })
    .to_string()
}

fn rejects(w: &mut World, expected: &str, who: &str, f: impl FnOnce(&mut Contract)) {
    let before = snapshot(w);
    expect_panic(expected, || f(w.call(who, DEPOSIT)));
    assert_eq!(snapshot(w), before, "state changed by a rejected call");
}

#[test]
fn owner_methods_reject_everyone_else() {
    let mut w = world();
    for who in [ALICE, BOB, REGISTRY] {
        rejects(&mut w, ERR_NOT_OWNER, who, |c| c.set_owner(acc(BOB)));
        rejects(&mut w, ERR_NOT_OWNER, who, |c| c.add_publisher(acc(BOB)));
        rejects(&mut w, ERR_NOT_OWNER, who, |c| c.remove_publisher(acc(ALICE)));
        rejects(&mut w, ERR_NOT_OWNER, who, |c| c.set_open_publishing(true));
        rejects(&mut w, ERR_NOT_OWNER, who, |c| c.set_alias_protection("staging".into(), true));
        rejects(&mut w, ERR_NOT_OWNER, who, |c| c.approve_version(MODEL.into(), 2));
        rejects(&mut w, ERR_NOT_OWNER, who, |c| c.deprecate_version(MODEL.into(), 1, None));
        rejects(&mut w, ERR_NOT_OWNER, who, |c| c.revoke_version(MODEL.into(), 1, "x".into()));
    }
}

#[test]
fn only_allowed_publishers_register_models() {
    let mut w = world();
    rejects(&mut w, ERR_NOT_ALLOWED_PUBLISHER, BOB, |c| {
        c.register_model("bobs".into(), "n".into(), "t".into(), "l".into(), "u".into(), digest(1))
    });
    // The owner is not implicitly a publisher either.
    rejects(&mut w, ERR_NOT_ALLOWED_PUBLISHER, DAO, |c| {
        c.register_model("daos".into(), "n".into(), "t".into(), "l".into(), "u".into(), digest(1))
    });
}

#[test]
fn only_the_models_publisher_submits_versions() {
    let mut w = world();
    w.call(DAO, DEPOSIT).add_publisher(acc(BOB));
    for who in [BOB, DAO] {
        rejects(&mut w, ERR_NOT_MODEL_PUBLISHER, who, |c| {
            c.submit_version(MODEL.into(), digest(9), "ipfs://x".into(), None, training(), None, None);
        });
    }
    // A publisher taken off the allow-list can no longer submit.
    w.call(DAO, ZERO).remove_publisher(acc(ALICE));
    rejects(&mut w, ERR_NOT_ALLOWED_PUBLISHER, ALICE, |c| {
        c.submit_version(MODEL.into(), digest(9), "ipfs://x".into(), None, training(), None, None);
    });
}

#[test]
fn protected_aliases_move_only_by_the_owner() {
    let mut w = world();
    w.call(DAO, ZERO).approve_version(MODEL.into(), 2);
    rejects(&mut w, ERR_ALIAS_PROTECTED, ALICE, |c| c.set_alias(MODEL.into(), "production".into(), 2));
    rejects(&mut w, ERR_ALIAS_PROTECTED, ALICE, |c| c.clear_alias(MODEL.into(), "production".into()));
    rejects(&mut w, ERR_ALIAS_PROTECTED, BOB, |c| c.set_alias(MODEL.into(), "production".into(), 2));
    // Protecting staging takes it away from the publisher too.
    w.call(DAO, DEPOSIT).set_alias_protection("staging".into(), true);
    rejects(&mut w, ERR_ALIAS_PROTECTED, ALICE, |c| c.set_alias(MODEL.into(), "staging".into(), 2));
    w.call(DAO, DEPOSIT).set_alias(MODEL.into(), "staging".into(), 2);
    assert_eq!(w.c.get_alias(MODEL.into(), "staging".into()).unwrap().version, Some(2));
}

#[test]
fn unprotected_aliases_move_by_the_publisher_or_the_owner_only() {
    let mut w = world();
    w.call(DAO, ZERO).approve_version(MODEL.into(), 2);
    rejects(&mut w, ERR_NOT_ALIAS_SETTER, BOB, |c| c.set_alias(MODEL.into(), "staging".into(), 2));
    rejects(&mut w, ERR_NOT_ALIAS_SETTER, BOB, |c| c.clear_alias(MODEL.into(), "staging".into()));
    rejects(&mut w, ERR_NOT_ALIAS_SETTER, BOB, |c| c.set_alias(MODEL.into(), "canary".into(), 2));
    // The owner may move any alias.
    w.call(DAO, DEPOSIT).set_alias(MODEL.into(), "staging".into(), 2);
    w.call(ALICE, DEPOSIT).set_alias(MODEL.into(), "canary".into(), 2);
    assert_eq!(w.c.get_aliases(MODEL.into(), None, None).len(), 3);
}

#[test]
fn a_removed_publisher_loses_every_publisher_right() {
    let mut w = world();
    w.call(DAO, ZERO).approve_version(MODEL.into(), 2);
    w.call(ALICE, DEPOSIT).set_alias(MODEL.into(), "canary".into(), 1);
    w.call(DAO, ZERO).remove_publisher(acc(ALICE));
    rejects(&mut w, ERR_NOT_ALLOWED_PUBLISHER, ALICE, |c| {
        c.register_model("again".into(), "n".into(), "t".into(), "l".into(), "u".into(), digest(1))
    });
    rejects(&mut w, ERR_NOT_ALLOWED_PUBLISHER, ALICE, |c| {
        c.submit_version(MODEL.into(), digest(9), "ipfs://x".into(), None, training(), None, None);
    });
    // Existing and new unprotected aliases alike.
    rejects(&mut w, ERR_NOT_ALLOWED_PUBLISHER, ALICE, |c| c.set_alias(MODEL.into(), "staging".into(), 2));
    rejects(&mut w, ERR_NOT_ALLOWED_PUBLISHER, ALICE, |c| c.clear_alias(MODEL.into(), "staging".into()));
    rejects(&mut w, ERR_NOT_ALLOWED_PUBLISHER, ALICE, |c| c.clear_alias(MODEL.into(), "canary".into()));
    rejects(&mut w, ERR_NOT_ALLOWED_PUBLISHER, ALICE, |c| c.set_alias(MODEL.into(), "new-one".into(), 2));
    // The owner still moves them; added back, the publisher may again.
    w.call(DAO, DEPOSIT).set_alias(MODEL.into(), "staging".into(), 2);
    w.call(DAO, DEPOSIT).add_publisher(acc(ALICE));
    w.call(ALICE, DEPOSIT).clear_alias(MODEL.into(), "canary".into());
    assert_eq!(w.c.get_alias(MODEL.into(), "canary".into()).unwrap().version, None);
}

#[test]
fn closing_publishing_takes_every_right_from_publishers_off_the_list() {
    let mut w = World::bare(true);
    w.register(BOB, MODEL);
    let v = w.submit(BOB, MODEL, digest(1));
    w.call(DAO, ZERO).approve_version(MODEL.into(), v);
    w.call(BOB, DEPOSIT).set_alias(MODEL.into(), "staging".into(), v);
    w.call(DAO, ZERO).set_open_publishing(false);
    let before = w.c.get_aliases(MODEL.into(), None, None);
    for f in [
        Box::new(|c: &mut Contract| c.set_alias(MODEL.into(), "canary".into(), 1)) as Box<dyn FnOnce(&mut Contract)>,
        Box::new(|c: &mut Contract| c.clear_alias(MODEL.into(), "staging".into())),
        Box::new(|c: &mut Contract| {
            c.submit_version(MODEL.into(), digest(2), "ipfs://x".into(), None, training(), None, None);
        }),
        Box::new(|c: &mut Contract| {
            c.register_model("other".into(), "n".into(), "t".into(), "l".into(), "u".into(), digest(1))
        }),
    ] {
        let c = w.call(BOB, DEPOSIT);
        expect_panic(ERR_NOT_ALLOWED_PUBLISHER, || f(c));
    }
    assert_eq!(w.c.get_aliases(MODEL.into(), None, None), before);
    assert_eq!(w.c.get_model(MODEL.into()).unwrap().model.version_count, 1);
}
