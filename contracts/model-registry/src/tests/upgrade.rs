//! Versioned state, the owner-only upgrade and the migrate path.

use super::*;
use ai_commons_primitives::errors::ERR_NO_CODE;

fn set_input(who: &str, input: Vec<u8>, now: u64) {
    let mut context = VMContextBuilder::new()
        .current_account_id(acc(REGISTRY))
        .predecessor_account_id(acc(who))
        .signer_account_id(acc(who))
        .block_timestamp(now)
        .build();
    context.input = input.into();
    testing_env!(context);
}

#[test]
fn only_the_owner_upgrades_and_it_deploys_then_migrates_in_one_batch() {
    let w = World::with_approved_versions(1);
    for who in [BOB, ALICE, REGISTRY] {
        set_input(who, b"\0asm new code".to_vec(), w.now);
        expect_panic(errors::ERR_NOT_OWNER, || w.c.upgrade());
    }
    set_input(DAO, Vec::new(), w.now);
    expect_panic(ERR_NO_CODE, || w.c.upgrade());
    set_input(DAO, b"\0asm new code".to_vec(), w.now);
    let _ = w.c.upgrade();
    let hash = Digest32::sha256(b"\0asm new code");
    assert_eq!(
        get_logs(),
        [format!(
            r#"EVENT_JSON:{{"standard":"model_registry","version":"1.0.0","event":"contract_upgraded","data":{{"code_hash":"{hash}"}}}}"#
        )]
    );
    let receipts = get_created_receipts();
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0].receiver_id, acc(REGISTRY));
    match &receipts[0].actions[..] {
        [MockAction::DeployContract { code, .. }, MockAction::FunctionCallWeight { method_name, .. }] => {
            assert_eq!(code, b"\0asm new code");
            assert_eq!(method_name, b"migrate");
        }
        other => panic!("expected deploy + migrate, got {other:?}"),
    }
}

#[test]
fn a_stranger_cannot_migrate() {
    let mut w = World::with_approved_versions(1);
    w.reload();
    set_context(BOB, NearToken::from_yoctonear(0), w.now);
    expect_panic(errors::ERR_PRIVATE, Contract::migrate);
    // The owner (DAO) is not the contract account either.
    set_context(DAO, NearToken::from_yoctonear(0), w.now);
    expect_panic(errors::ERR_PRIVATE, Contract::migrate);
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
        [format!(
            r#"EVENT_JSON:{{"standard":"model_registry","version":"1.0.0","event":"contract_migrated","data":{{"from_state_version":1,"to_state_version":{STATE_VERSION},"contract_version":"{CONTRACT_VERSION}"}}}}"#
        )]
    );
    assert_eq!(migrated.get_config().state_version, STATE_VERSION);
    assert_eq!(migrated.contract_version(), CONTRACT_VERSION);
    assert_eq!(migrated.get_config().owner, acc(DAO));
    assert_eq!(migrated.get_model(MODEL.into()).unwrap().model.version_count, 2);
    assert_eq!(migrated.get_alias(MODEL.into(), "production".into()).unwrap().version, Some(2));
    assert_eq!(migrated.get_version_by_digest(digest(1)).unwrap().version, 1);
}

#[test]
fn migrate_rejects_unknown_versions_and_missing_state() {
    let mut w = World::with_approved_versions(1);
    w.reload();
    set_context(REGISTRY, NearToken::from_yoctonear(0), w.now);
    let mut raw = env::storage_read(b"STATE").unwrap();
    raw[..2].copy_from_slice(&99u16.to_le_bytes());
    env::storage_write(b"STATE", &raw);
    expect_panic(&format!("{}: 99", errors::ERR_UNKNOWN_STATE_VERSION), Contract::migrate);
    env::storage_remove(b"STATE");
    expect_panic(errors::ERR_NO_STATE, Contract::migrate);
}
