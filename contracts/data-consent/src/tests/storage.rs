use super::*;
use crate::errors::*;
use crate::storage::{min_storage_balance, ACCOUNT_RECORD_BYTES};
use ai_commons_primitives::ConsentPurpose::*;

#[test]
fn sponsored_storage() {
    let mut chain = Chain::new(None);
    // A community pays for a contributor who holds no storage balance.
    chain.call("dao.near", near(1), |c| c.storage_deposit(Some(acc("alice.near")), None)).unwrap();
    let data = chain.one_event("storage_deposit");
    assert_eq!((data["account_id"].as_str(), data["by"].as_str()), (Some("alice.near"), Some("dao.near")));
    assert!(chain.view(|c| c.storage_balance_of(acc("dao.near"))).is_none());

    chain.grant("alice.near", "lab.near", Training);
    let balance = chain.view(|c| c.storage_balance_of(acc("alice.near"))).unwrap();
    assert_eq!(balance.total, near(1));
    assert!(balance.available < near(1).saturating_sub(min_storage_balance()));
    // The sponsor cannot touch alice's grant or withdraw her balance.
    assert_err(
        chain.call("dao.near", ZERO, |c| c.revoke(acc("lab.near"), Training, Some(acc("alice.near")))),
        ERR_NOT_USER_OR_MANAGER,
    );
    assert_err(chain.call("dao.near", YOCTO, |c| c.storage_withdraw(None)), ERR_NOT_REGISTERED);
}

#[test]
fn exact_event_json_of_storage_deposit() {
    let mut chain = Chain::new(None);
    chain.call("dao.near", near(1), |c| c.storage_deposit(Some(acc("alice.near")), None)).unwrap();
    assert_eq!(
        chain.logs,
        vec![
            r#"EVENT_JSON:{"standard":"data_consent","version":"1.0.0","event":"storage_deposit","data":{"account_id":"alice.near","by":"dao.near","amount":"1000000000000000000000000","total":"1000000000000000000000000"}}"#
        ]
    );
}

#[test]
fn registration_bounds_cover_the_account_record() {
    let mut chain = Chain::new(None);
    let bounds = chain.view(|c| c.storage_balance_bounds());
    assert_eq!(bounds.min, min_storage_balance());
    assert_eq!(bounds.max, None);
    // The longest account id fits in exactly the minimum.
    let long = format!("{}.near", "a".repeat(59));
    assert_eq!(long.len(), 64);
    let bytes = chain.storage_usage();
    let min = bounds.min;
    assert_err(
        chain.call("x.near", min.saturating_sub(YOCTO), |c| c.storage_deposit(Some(acc(&long)), None)),
        ERR_DEPOSIT_BELOW_MIN,
    );
    let l = acc(&long);
    let balance = chain.call("x.near", near(1), |c| c.storage_deposit(Some(l), Some(true))).unwrap();
    assert_eq!(chain.storage_usage() - bytes, ACCOUNT_RECORD_BYTES);
    assert_eq!((balance.total, balance.available), (min, ZERO));
    // The excess of a registration-only deposit goes back to the payer.
    let receipts = near_sdk::test_utils::get_created_receipts();
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0].receiver_id, acc("x.near"));
    // Registering again with registration_only refunds everything and changes nothing.
    let before = chain.trie();
    let l = acc(&long);
    chain.call("x.near", near(1), |c| c.storage_deposit(Some(l), Some(true))).unwrap();
    assert!(chain.events().is_empty());
    assert_eq!(chain.trie(), before);
    assert_err(chain.call("x.near", ZERO, |c| c.storage_deposit(Some(acc("x.near")), None)), ERR_DEPOSIT_BELOW_MIN);
}

#[test]
fn withdraw_and_unregister() {
    let mut chain = Chain::new(None);
    chain.deposit("alice.near", "alice.near", near(2));
    assert_err(chain.call("alice.near", ZERO, |c| c.storage_withdraw(None)), ERR_ONE_YOCTO);
    assert_err(chain.call("alice.near", NearToken::from_yoctonear(2), |c| c.storage_withdraw(None)), ERR_ONE_YOCTO);
    assert_err(chain.call("alice.near", YOCTO, |c| c.storage_withdraw(Some(near(2)))), ERR_WITHDRAW_TOO_MUCH);
    let b = chain.call("alice.near", YOCTO, |c| c.storage_withdraw(Some(near(1)))).unwrap();
    assert_eq!(b.total, near(1));
    let data = chain.one_event("storage_withdraw");
    assert_eq!(data["amount"], near(1).as_yoctonear().to_string());

    chain.grant("alice.near", "lab.near", Training);
    assert_err(chain.call("alice.near", YOCTO, |c| c.storage_unregister(Some(true))), ERR_ACCOUNT_NOT_EMPTY);
    chain.call("alice.near", ZERO, |c| c.delete_grant(acc("lab.near"), Training, None)).unwrap();
    // The consent history stays, so the account cannot close...
    assert_err(chain.call("alice.near", YOCTO, |c| c.storage_unregister(None)), ERR_ACCOUNT_NOT_EMPTY);
    // ...but an account that never stored anything can.
    chain.deposit("bob.near", "bob.near", near(1));
    assert!(chain.call("bob.near", YOCTO, |c| c.storage_unregister(None)).unwrap());
    let data = chain.one_event("storage_unregister");
    assert_eq!(data["amount"], near(1).as_yoctonear().to_string());
    assert!(chain.view(|c| c.storage_balance_of(acc("bob.near"))).is_none());
    assert!(!chain.call("bob.near", YOCTO, |c| c.storage_unregister(None)).unwrap());
}
