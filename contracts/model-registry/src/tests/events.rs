//! The exact NEP-297 line of every event kind.

use super::*;

fn line(event: &str, data: &str) -> String {
    format!(r#"EVENT_JSON:{{"standard":"model_registry","version":"1.0.0","event":"{event}","data":{data}}}"#)
}

fn hex(n: u8) -> String {
    digest(n).to_hex()
}

#[test]
fn admin_events() {
    let zero = NearToken::from_yoctonear(0);
    let mut w = World::bare(false);
    assert_eq!(get_logs(), [line("registry_initialized", r#"{"owner":"dao.near","open_publishing":false}"#)]);

    w.call(DAO, DEPOSIT).add_publisher(acc(ALICE));
    assert_eq!(get_logs(), [line("publisher_added", r#"{"account_id":"alice.near"}"#)]);
    w.call(DAO, zero).remove_publisher(acc(ALICE));
    assert_eq!(get_logs(), [line("publisher_removed", r#"{"account_id":"alice.near"}"#)]);
    w.call(DAO, zero).set_open_publishing(true);
    assert_eq!(get_logs(), [line("open_publishing_set", r#"{"open":true}"#)]);
    w.call(DAO, DEPOSIT).set_alias_protection("staging".into(), true);
    assert_eq!(get_logs(), [line("alias_protection_set", r#"{"alias":"staging","protected":true}"#)]);
    w.call(DAO, zero).set_owner(acc("newdao.near"));
    assert_eq!(get_logs(), [line("owner_changed", r#"{"old_owner":"dao.near","new_owner":"newdao.near"}"#)]);
}

#[test]
fn model_and_version_events() {
    let zero = NearToken::from_yoctonear(0);
    let mut w = World::new();
    w.register(ALICE, MODEL);
    assert_eq!(
        get_logs(),
        [line(
            "model_registered",
            &format!(r#"{{"model_id":"llama-3.1-8b","publisher":"alice.near","card_digest":"{}"}}"#, hex(0xca))
        )]
    );
    w.submit(ALICE, MODEL, digest(1));
    assert_eq!(
        get_logs(),
        [line(
            "version_submitted",
            &format!(
                r#"{{"model_id":"llama-3.1-8b","version":1,"weights_digest":"{}","publisher":"alice.near"}}"#,
                hex(1)
            )
        )]
    );
    w.call(DAO, zero).approve_version(MODEL.into(), 1);
    assert_eq!(get_logs(), [line("version_approved", r#"{"model_id":"llama-3.1-8b","version":1}"#)]);
    w.call(DAO, DEPOSIT).deprecate_version(MODEL.into(), 1, None);
    assert_eq!(get_logs(), [line("version_deprecated", r#"{"model_id":"llama-3.1-8b","version":1,"reason":null}"#)]);
    w.call(DAO, DEPOSIT).revoke_version(MODEL.into(), 1, "license violation".into());
    assert_eq!(
        get_logs(),
        [line(
            "version_revoked",
            r#"{"model_id":"llama-3.1-8b","version":1,"reason":"license violation","cleared_aliases":[]}"#
        )]
    );
}

#[test]
fn alias_events() {
    let mut w = World::with_approved_versions(2);
    w.call(DAO, DEPOSIT).set_alias(MODEL.into(), "production".into(), 1);
    let t1 = w.now;
    assert_eq!(
        get_logs(),
        [line(
            "alias_set",
            &format!(
                r#"{{"model_id":"llama-3.1-8b","alias":"production","version":1,"previous_version":null,"set_by":"dao.near","at":"{t1}"}}"#
            )
        )]
    );
    w.call(DAO, DEPOSIT).set_alias(MODEL.into(), "production".into(), 2);
    let t2 = w.now;
    assert_eq!(
        get_logs(),
        [line(
            "alias_set",
            &format!(
                r#"{{"model_id":"llama-3.1-8b","alias":"production","version":2,"previous_version":1,"set_by":"dao.near","at":"{t2}"}}"#
            )
        )]
    );
    w.call(ALICE, DEPOSIT).set_alias(MODEL.into(), "staging".into(), 2);
    w.call(ALICE, DEPOSIT).clear_alias(MODEL.into(), "staging".into());
    let t3 = w.now;
    assert_eq!(
        get_logs(),
        [line(
            "alias_cleared",
            &format!(
                r#"{{"model_id":"llama-3.1-8b","alias":"staging","previous_version":2,"set_by":"alice.near","at":"{t3}"}}"#
            )
        )]
    );
    w.call(DAO, DEPOSIT).revoke_version(MODEL.into(), 2, "backdoor".into());
    assert_eq!(
        get_logs(),
        [line(
            "version_revoked",
            r#"{"model_id":"llama-3.1-8b","version":2,"reason":"backdoor","cleared_aliases":["production"]}"#
        )]
    );
}
