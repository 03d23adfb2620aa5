use super::*;
use crate::errors::*;
use ai_commons_primitives::ConsentPurpose::*;

fn setup() -> Chain {
    let mut chain = Chain::new(None);
    chain.deposit("alice.near", "alice.near", near(1));
    chain
}

#[test]
fn manager_grants_for_the_user_then_is_removed() {
    let mut chain = setup();
    let view = chain.call("alice.near", ZERO, |c| c.add_manager(acc("agent.near"), None, None)).unwrap();
    assert_eq!(view.manager, acc("agent.near"));
    chain.one_event("manager_added");

    // The agent has no storage balance of its own: alice's pays.
    let available = chain.available("alice.near");
    let alice = Some(acc("alice.near"));
    let a = alice.clone();
    chain.call("agent.near", ZERO, |c| c.grant(acc("lab.near"), Training, None, None, None, None, a)).unwrap();
    let data = chain.one_event("consent_granted");
    assert_eq!((data["user"].as_str(), data["actor"].as_str()), (Some("alice.near"), Some("agent.near")));
    assert!(chain.available("alice.near") < available);
    assert!(chain.view(|c| c.storage_balance_of(acc("agent.near"))).is_none());
    assert!(chain.allowed("alice.near", "lab.near", Training, None, None));

    chain.call("alice.near", ZERO, |c| c.remove_manager(acc("agent.near"))).unwrap();
    chain.one_event("manager_removed");
    assert!(chain.view(|c| c.get_manager(acc("alice.near"), acc("agent.near"))).is_none());
    let before = chain.trie();
    let a = alice.clone();
    assert_err(chain.call("agent.near", ZERO, |c| c.revoke(acc("lab.near"), Training, a)), ERR_NOT_USER_OR_MANAGER);
    assert_err(
        chain.call("agent.near", ZERO, |c| c.grant(acc("lab.near"), Analytics, None, None, None, None, alice)),
        ERR_NOT_USER_OR_MANAGER,
    );
    assert_eq!(chain.trie(), before);
    assert!(chain.allowed("alice.near", "lab.near", Training, None, None));
}

#[test]
fn expired_manager_is_refused() {
    let mut chain = setup();
    let until = T0 + 10 * SECOND;
    chain.call("alice.near", ZERO, |c| c.add_manager(acc("agent.near"), None, Some(U64(until)))).unwrap();
    let alice = Some(acc("alice.near"));
    let a = alice.clone();
    chain.call("agent.near", ZERO, |c| c.grant(acc("lab.near"), Training, None, None, None, None, a)).unwrap();

    chain.now = until;
    let before = chain.trie();
    let a = alice.clone();
    assert_err(chain.call("agent.near", ZERO, |c| c.revoke(acc("lab.near"), Training, a)), ERR_MANAGER_EXPIRED);
    let a = alice.clone();
    assert_err(chain.call("agent.near", ZERO, |c| c.delete_grant(acc("lab.near"), Training, a)), ERR_MANAGER_EXPIRED);
    assert_err(
        chain.call("agent.near", ZERO, |c| c.grant(acc("lab.near"), Evaluation, None, None, None, None, alice)),
        ERR_MANAGER_EXPIRED,
    );
    assert_eq!(chain.trie(), before);
    // The user can still do everything, and clean the expired manager up.
    chain.call("alice.near", ZERO, |c| c.revoke(acc("lab.near"), Training, None)).unwrap();
    chain.call("alice.near", ZERO, |c| c.remove_manager(acc("agent.near"))).unwrap();
}

#[test]
fn manager_scoped_to_a_grantee() {
    let mut chain = setup();
    chain.call("alice.near", ZERO, |c| c.add_manager(acc("agent.near"), Some(acc("lab.near")), None)).unwrap();
    let alice = Some(acc("alice.near"));
    let a = alice.clone();
    chain.call("agent.near", ZERO, |c| c.grant(acc("lab.near"), Training, None, None, None, None, a)).unwrap();
    let a = alice.clone();
    assert_err(
        chain.call("agent.near", ZERO, |c| c.grant(acc("other.near"), Training, None, None, None, None, a)),
        ERR_MANAGER_OUT_OF_SCOPE,
    );
    chain.call("agent.near", ZERO, |c| c.revoke(acc("lab.near"), Training, alice)).unwrap();
    chain.one_event("consent_revoked");
}

#[test]
fn only_the_user_names_managers() {
    let mut chain = setup();
    assert_err(chain.call("alice.near", ZERO, |c| c.add_manager(acc("alice.near"), None, None)), ERR_MANAGER_IS_USER);
    assert_err(
        chain.call("alice.near", ZERO, |c| c.add_manager(acc("agent.near"), None, Some(U64(T0)))),
        ERR_EXPIRY_NOT_FUTURE,
    );
    assert_err(chain.call("alice.near", ZERO, |c| c.remove_manager(acc("agent.near"))), ERR_NO_MANAGER);
    // A stranger without storage cannot name managers at all (and cannot name them for alice: there is no `user` argument).
    assert_err(chain.call("mallory.near", ZERO, |c| c.add_manager(acc("agent.near"), None, None)), ERR_NOT_REGISTERED);
    // Managers cost the user's storage and give it back when removed.
    let available = chain.available("alice.near");
    chain.call("alice.near", ZERO, |c| c.add_manager(acc("agent.near"), None, None)).unwrap();
    assert!(chain.available("alice.near") < available);
    chain.call("alice.near", ZERO, |c| c.remove_manager(acc("agent.near"))).unwrap();
    assert_eq!(chain.available("alice.near"), available);
}

#[test]
fn exact_event_json_of_manager_added() {
    let mut chain = setup();
    chain
        .call("alice.near", ZERO, |c| c.add_manager(acc("agent.near"), Some(acc("lab.near")), Some(U64(T0 + 5))))
        .unwrap();
    assert_eq!(
        chain.logs,
        vec![format!(
            r#"EVENT_JSON:{{"standard":"data_consent","version":"1.0.0","event":"manager_added","data":{{"user":"alice.near","manager":"agent.near","grantee":"lab.near","expires_at":"{}","added_at":"{T0}"}}}}"#,
            T0 + 5
        )]
    );
}

#[test]
fn a_manager_grant_expires_with_the_managers_authority() {
    let mut chain = setup();
    let until = T0 + 100 * SECOND;
    chain.call("alice.near", ZERO, |c| c.add_manager(acc("agent.near"), None, Some(U64(until)))).unwrap();
    let alice = Some(acc("alice.near"));

    // No expiry asked: clamped to the manager's; the event shows the effective expiry.
    let a = alice.clone();
    let view =
        chain.call("agent.near", ZERO, |c| c.grant(acc("lab.near"), Training, None, None, None, None, a)).unwrap();
    assert_eq!(view.expires_at, Some(U64(until)));
    assert_eq!(chain.one_event("consent_granted")["expires_at"], until.to_string());
    // A later expiry is clamped too (an update); an earlier one is kept.
    let a = alice.clone();
    let later = Some(U64(until + 1_000 * SECOND));
    let view =
        chain.call("agent.near", ZERO, |c| c.grant(acc("lab.near"), Training, None, None, None, later, a)).unwrap();
    assert_eq!(view.expires_at, Some(U64(until)));
    assert_eq!(chain.one_event("consent_updated")["expires_at"], until.to_string());
    let a = alice.clone();
    let earlier = Some(U64(T0 + 50 * SECOND));
    let view =
        chain.call("agent.near", ZERO, |c| c.grant(acc("lab.near"), Evaluation, None, None, None, earlier, a)).unwrap();
    assert_eq!(view.expires_at, earlier);

    // Live until the manager's authority ends, not after.
    assert!(chain.allowed("alice.near", "lab.near", Training, None, Some(until - 1)));
    assert!(!chain.allowed("alice.near", "lab.near", Training, None, Some(until)));
    chain.now = until + SECOND;
    assert!(!chain.allowed("alice.near", "lab.near", Training, None, None));
    // The expired manager can neither extend, revoke nor delete it.
    let before = chain.trie();
    let a = alice.clone();
    assert_err(
        chain.call("agent.near", ZERO, |c| c.grant(acc("lab.near"), Training, None, None, None, None, a)),
        ERR_MANAGER_EXPIRED,
    );
    let a = alice.clone();
    assert_err(chain.call("agent.near", ZERO, |c| c.revoke(acc("lab.near"), Training, a)), ERR_MANAGER_EXPIRED);
    assert_err(
        chain.call("agent.near", ZERO, |c| c.delete_grant(acc("lab.near"), Training, alice)),
        ERR_MANAGER_EXPIRED,
    );
    assert_eq!(chain.trie(), before);
    // The user extends it themself, without an expiry.
    let view =
        chain.call("alice.near", ZERO, |c| c.grant(acc("lab.near"), Training, None, None, None, None, None)).unwrap();
    assert_eq!(view.expires_at, None);
    assert!(chain.allowed("alice.near", "lab.near", Training, None, None));
}

#[test]
fn a_manager_without_expiry_and_the_user_are_not_clamped() {
    let mut chain = setup();
    chain.call("alice.near", ZERO, |c| c.add_manager(acc("agent.near"), None, None)).unwrap();
    let alice = Some(acc("alice.near"));
    let view =
        chain.call("agent.near", ZERO, |c| c.grant(acc("lab.near"), Training, None, None, None, None, alice)).unwrap();
    assert_eq!(view.expires_at, None);
    let far = Some(U64(T0 + 1_000_000 * SECOND));
    let view =
        chain.call("alice.near", ZERO, |c| c.grant(acc("lab.near"), Evaluation, None, None, None, far, None)).unwrap();
    assert_eq!(view.expires_at, far);
}
