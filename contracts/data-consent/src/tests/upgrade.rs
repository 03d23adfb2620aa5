use super::*;
use crate::errors::*;
use crate::Contract;

#[test]
fn stranger_cannot_migrate() {
    let mut chain = Chain::new(Some("dao.near"));
    for caller in ["mallory.near", "dao.near"] {
        let r = chain.call(caller, ZERO, |_| Contract::migrate());
        assert_err(r.map(|_| ()), ERR_PRIVATE);
    }
    // The contract account itself (the upgrade batch) can.
    let migrated = chain.call(CONTRACT, ZERO, |_| Contract::migrate()).unwrap();
    assert_eq!(migrated.owner(), Some(acc("dao.near")));
    assert_eq!(
        chain.one_event("contract_migrated"),
        serde_json::json!({
            "from_state_version": 1,
            "to_state_version": crate::STATE_VERSION,
            "contract_version": crate::CONTRACT_VERSION,
        })
    );
    assert_eq!(migrated.contract_version(), crate::CONTRACT_VERSION);
}

#[test]
fn only_the_owner_upgrades() {
    let mut chain = Chain::new(Some("dao.near"));
    chain.next_input = b"\0asm fake code".to_vec();
    assert_err(chain.call("mallory.near", ZERO, |c| c.upgrade().detach()), ERR_NOT_OWNER);
    assert_err(chain.call("dao.near", ZERO, |c| c.upgrade().detach()), ERR_NO_CODE);
    chain.next_input = b"{\"code\":1}".to_vec();
    assert_err(chain.call("dao.near", ZERO, |c| c.upgrade().detach()), ai_commons_primitives::code::ERR_NOT_WASM);
    chain.next_input = b"\0asm fake code".to_vec();
    chain.call("dao.near", ZERO, |c| c.upgrade().detach()).unwrap();
    let hash = ai_commons_primitives::Digest32::sha256(b"\0asm fake code");
    assert_eq!(chain.one_event("contract_upgraded"), serde_json::json!({ "code_hash": hash.to_hex() }));
    let receipts = near_sdk::test_utils::get_created_receipts();
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0].receiver_id, acc(CONTRACT));
    assert_eq!(receipts[0].actions.len(), 2, "deploy and migrate in one batch");
}

#[test]
fn owner_can_disable_upgrades() {
    let mut chain = Chain::new(Some("dao.near"));
    assert_err(chain.call("dao.near", ZERO, |c| c.set_owner(None)), ERR_ONE_YOCTO);
    assert_err(chain.call("mallory.near", YOCTO, |c| c.set_owner(Some(acc("mallory.near")))), ERR_NOT_OWNER);
    chain.call("dao.near", YOCTO, |c| c.set_owner(None)).unwrap();
    chain.one_event("owner_changed");
    chain.next_input = b"code".to_vec();
    assert_err(chain.call("dao.near", ZERO, |c| c.upgrade().detach()), ERR_UPGRADES_DISABLED);

    let mut fixed = Chain::new(None);
    assert_eq!(fixed.view(|c| c.owner()), None);
    assert_err(fixed.call("dao.near", YOCTO, |c| c.set_owner(Some(acc("dao.near")))), ERR_UPGRADES_DISABLED);
}

#[test]
fn migrate_refuses_unknown_versions_and_missing_state() {
    let mut chain = Chain::new(Some("dao.near"));
    let r = chain.call(CONTRACT, ZERO, |_| {
        let mut raw = env::storage_read(b"STATE").unwrap();
        raw[..2].copy_from_slice(&77u16.to_le_bytes());
        env::storage_write(b"STATE", &raw);
        Contract::migrate()
    });
    assert_err(r.map(|_| ()), &format!("{ERR_UNKNOWN_STATE_VERSION}: 77"));
    let r = chain.call(CONTRACT, ZERO, |_| {
        env::storage_remove(b"STATE");
        Contract::migrate()
    });
    assert_err(r.map(|_| ()), ERR_NO_STATE);
}
