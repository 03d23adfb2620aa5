//! Versioned state and the migrate path.

use super::*;

#[test]
fn a_stranger_cannot_migrate() {
    let mut w = World::with_approved_versions(1);
    w.reload();
    set_context(BOB, NearToken::from_yoctonear(0), w.now);
    expect_panic(errors::ERR_MIGRATE_NOT_SELF, Contract::migrate);
    // The owner (DAO) is not the contract account either.
    set_context(DAO, NearToken::from_yoctonear(0), w.now);
    expect_panic(errors::ERR_MIGRATE_NOT_SELF, Contract::migrate);
}

#[test]
fn migrate_by_the_contract_keeps_every_record() {
    let mut w = World::with_approved_versions(2);
    w.call(DAO, DEPOSIT).set_alias(MODEL.into(), "production".into(), 2);
    w.reload();
    set_context(REGISTRY, NearToken::from_yoctonear(0), w.now);
    let migrated = Contract::migrate();
    assert_eq!(
        get_logs(),
        [
            r#"EVENT_JSON:{"standard":"model_registry","version":"1.0.0","event":"state_migrated","data":{"from_layout":1,"to_layout":1}}"#
        ]
    );
    assert_eq!(migrated.get_config().layout_version, STATE_LAYOUT_VERSION);
    assert_eq!(migrated.get_config().owner, acc(DAO));
    assert_eq!(migrated.get_model(MODEL.into()).unwrap().model.version_count, 2);
    assert_eq!(migrated.get_alias(MODEL.into(), "production".into()).unwrap().version, Some(2));
    assert_eq!(migrated.get_version_by_digest(digest(1)).unwrap().version, 1);
}

#[test]
fn migrate_rejects_unknown_layouts_and_missing_state() {
    let mut w = World::with_approved_versions(1);
    w.reload();
    set_context(REGISTRY, NearToken::from_yoctonear(0), w.now);
    let mut raw = env::storage_read(b"STATE").unwrap();
    raw[..2].copy_from_slice(&99u16.to_le_bytes());
    env::storage_write(b"STATE", &raw);
    expect_panic(errors::ERR_UNKNOWN_LAYOUT, Contract::migrate);
    env::storage_remove(b"STATE");
    expect_panic(errors::ERR_NO_STATE, Contract::migrate);
}
