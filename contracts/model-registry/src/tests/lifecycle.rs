//! The whole life of a model, end to end.

use super::*;

#[test]
fn whole_life_of_a_model() {
    let zero = NearToken::from_yoctonear(0);
    let mut w = World::new();

    // Alice (allow-listed) registers a model and submits two versions; v2 is
    // fine-tuned from v1, v1 from an external base model known by digest.
    w.register(ALICE, MODEL);
    assert_eq!(event_names(), ["model_registered"]);
    let v1 = w.call(ALICE, DEPOSIT).submit_version(
        MODEL.into(),
        digest(1),
        "ipfs://v1".into(),
        Some(ParentRef::Digest { digest: digest(0xba) }),
        training(),
        None,
        None,
    );
    let submitted_v1_at = w.now;
    let v2 = w.call(ALICE, DEPOSIT).submit_version(
        MODEL.into(),
        digest(2),
        "ipfs://v2".into(),
        Some(ParentRef::Version { model_id: MODEL.into(), version: v1 }),
        training(),
        Some(digest(0xee)),
        Some("{}".into()),
    );
    assert_eq!((v1, v2), (1, 2));
    assert_eq!(event_names(), ["version_submitted"]);
    assert_eq!(w.status(MODEL, 1), Some(VersionStatus::Submitted));
    let model = w.c.get_model(MODEL.into()).unwrap();
    assert_eq!((model.model.publisher, model.model.version_count), (acc(ALICE), 2));

    // The DAO approves v1 and points production at it.
    w.call(DAO, zero).approve_version(MODEL.into(), v1);
    assert_eq!(event_names(), ["version_approved"]);
    w.call(DAO, DEPOSIT).set_alias(MODEL.into(), "production".into(), v1);
    let production_v1_at = w.now;
    // Alice moves the unprotected staging alias herself.
    w.call(ALICE, DEPOSIT).set_alias(MODEL.into(), "staging".into(), v1);
    assert_eq!(event_names(), ["alias_set"]);

    // v2 is approved and production moves to it.
    w.call(DAO, zero).approve_version(MODEL.into(), v2);
    w.call(DAO, DEPOSIT).set_alias(MODEL.into(), "production".into(), v2);
    let production_v2_at = w.now;

    // v1 is deprecated: staging still points to it.
    w.call(DAO, DEPOSIT).deprecate_version(MODEL.into(), v1, Some("superseded by v2".into()));
    assert_eq!(event_names(), ["version_deprecated"]);
    let v1_view = w.c.get_version(MODEL.into(), v1).unwrap();
    assert_eq!(v1_view.record.status, VersionStatus::Deprecated);
    assert_eq!(v1_view.record.status_reason.as_deref(), Some("superseded by v2"));
    assert_eq!(v1_view.record.status_changed_at, U64(w.now));
    assert_eq!(v1_view.record.created_at, U64(submitted_v1_at));
    assert_eq!(w.c.get_alias(MODEL.into(), "staging".into()).unwrap().version, Some(v1));

    // v2 turns out to be poisoned: revoking clears production at once.
    w.call(DAO, DEPOSIT).revoke_version(MODEL.into(), v2, "poisoned training data".into());
    let revoked_at = w.now;
    assert_eq!(event_names(), ["version_revoked"]);
    assert_eq!(w.status(MODEL, v2), Some(VersionStatus::Revoked));
    let production = w.c.get_alias(MODEL.into(), "production".into()).unwrap();
    assert_eq!((production.version, production.protected, production.history_len), (None, true, 3));
    assert_eq!(production.last_change.set_by, acc(DAO));

    // History answers "which version was production at time T".
    let at = |w: &World, t: u64| w.c.get_alias_at(MODEL.into(), "production".into(), U64(t)).map(|e| e.entry.version);
    assert_eq!(at(&w, production_v1_at - 1), None, "not yet set");
    assert_eq!(at(&w, production_v1_at), Some(Some(v1)));
    assert_eq!(at(&w, production_v2_at - 1), Some(Some(v1)));
    assert_eq!(at(&w, production_v2_at), Some(Some(v2)));
    assert_eq!(at(&w, revoked_at), Some(None), "cleared by the revocation");
    let history = w.c.get_alias_history(MODEL.into(), "production".into(), None, None);
    let versions: Vec<_> = history.iter().map(|e| (e.index, e.entry.version)).collect();
    assert_eq!(versions, [(0, Some(v1)), (1, Some(v2)), (2, None)]);

    // Lookups by digest, status view, listings.
    let by_digest = w.c.get_version_by_digest(digest(2)).unwrap();
    assert_eq!((by_digest.model_id.as_str(), by_digest.version), (MODEL, v2));
    assert_eq!(
        w.c.version_status(MODEL.into(), v1),
        Some(VersionStatusView { status: VersionStatus::Deprecated, weights_digest: digest(1) })
    );
    assert_eq!(w.c.version_status(MODEL.into(), 3), None);
    assert_eq!(w.c.version_status("unknown".into(), 1), None);
    let versions: Vec<_> = w.c.get_versions(MODEL.into(), None, None).iter().map(|v| v.version).collect();
    assert_eq!(versions, [1, 2]);
    assert_eq!(w.c.get_versions(MODEL.into(), Some(1), Some(1))[0].version, 2);
    assert_eq!(
        w.c.get_versions(MODEL.into(), Some(1), Some(1))[0].record.parent,
        Some(ParentRef::Version { model_id: MODEL.into(), version: 1 })
    );
    let aliases: Vec<_> = w.c.get_aliases(MODEL.into(), None, None).into_iter().map(|a| (a.alias, a.version)).collect();
    assert_eq!(aliases, [("production".to_string(), None), ("staging".to_string(), Some(v1))]);
    assert_eq!(w.c.get_models(None, None).len(), 1);
    assert_eq!(w.c.get_config().model_count, U64(1));
}

#[test]
fn versions_are_numbered_per_model_and_digests_are_unique_across_models() {
    let mut w = World::new();
    w.register(ALICE, "model-a");
    w.register(ALICE, "model-b");
    assert_eq!(w.submit(ALICE, "model-a", digest(1)), 1);
    assert_eq!(w.submit(ALICE, "model-b", digest(2)), 1);
    assert_eq!(w.submit(ALICE, "model-a", digest(3)), 2);
    expect_panic(errors::ERR_DIGEST_REGISTERED, || w.submit(ALICE, "model-b", digest(1)));
    assert_eq!(w.c.get_model("model-b".into()).unwrap().model.version_count, 1);
    assert_eq!(w.c.get_version_by_digest(digest(3)).unwrap().version, 2);
    assert!(w.c.get_version_by_digest(digest(9)).is_none());
}

#[test]
fn open_publishing_lets_anyone_register_and_closing_it_stops_non_listed_publishers() {
    let mut w = World::bare(true);
    w.register(BOB, MODEL);
    assert_eq!(w.submit(BOB, MODEL, digest(1)), 1);
    w.call(DAO, NearToken::from_yoctonear(0)).set_open_publishing(false);
    assert_eq!(event_names(), ["open_publishing_set"]);
    assert!(!w.c.get_config().open_publishing);
    expect_panic(errors::ERR_NOT_ALLOWED_PUBLISHER, || w.submit(BOB, MODEL, digest(2)));
    expect_panic(errors::ERR_NOT_ALLOWED_PUBLISHER, || w.register(BOB, "other"));
    // Allow-listing restores Bob's rights.
    w.call(DAO, DEPOSIT).add_publisher(acc(BOB));
    assert_eq!(w.submit(BOB, MODEL, digest(2)), 2);
}

#[test]
fn pagination_is_capped() {
    let mut w = World::bare(true);
    for i in 0..105 {
        w.register(ALICE, &format!("m{i}"));
    }
    assert_eq!(w.c.get_models(None, None).len(), 20);
    assert_eq!(w.c.get_models(None, Some(1000)).len(), 100);
    let tail = w.c.get_models(Some(100), Some(50));
    assert_eq!(tail.iter().map(|m| m.model_id.as_str()).collect::<Vec<_>>(), ["m100", "m101", "m102", "m103", "m104"]);
    assert!(w.c.get_models(Some(500), None).is_empty());
    assert!(w.c.get_versions("nope".into(), None, None).is_empty());
}

#[test]
fn publishers_are_listed_and_removed() {
    let mut w = World::new();
    w.call(DAO, DEPOSIT).add_publisher(acc(BOB));
    assert_eq!(w.c.get_publishers(None, None), [acc(ALICE), acc(BOB)]);
    assert_eq!(w.c.get_publishers(Some(1), Some(5)), [acc(BOB)]);
    w.call(DAO, NearToken::from_yoctonear(0)).remove_publisher(acc(ALICE));
    assert_eq!(event_names(), ["publisher_removed"]);
    assert!(refunded_to(DAO) > 0, "freed storage goes back to the owner");
    assert!(!w.c.is_publisher(acc(ALICE)));
    assert_eq!(w.c.get_config().publisher_count, U64(1));
}

#[test]
fn ownership_moves_only_by_the_owner() {
    let mut w = World::new();
    w.call(DAO, NearToken::from_yoctonear(0)).set_owner(acc("newdao.near"));
    assert_eq!(event_names(), ["owner_changed"]);
    assert_eq!(w.c.get_config().owner, acc("newdao.near"));
    expect_panic(errors::ERR_NOT_OWNER, || w.call(DAO, DEPOSIT).add_publisher(acc(BOB)));
    w.call("newdao.near", DEPOSIT).add_publisher(acc(BOB));
    assert!(w.c.is_publisher(acc(BOB)));
}
