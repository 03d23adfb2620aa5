//! Unit tests on near-sdk's mocked blockchain. Quote verification with real
//! and test-CA evidence runs end to end in `integration-tests/tests/tee.rs`.

use crate::*;
use near_sdk::test_utils::{get_logs, VMContextBuilder};
use near_sdk::testing_env;

const TEST_ROOT: &[u8] = include_bytes!("../../../integration-tests/fixtures/tee-test-ca/root_ca.der");

fn context() {
    testing_env!(VMContextBuilder::new().block_timestamp(1_800_000_000_000_000_000).build());
}

fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let err = std::panic::catch_unwind(f).expect_err("must panic");
    err.downcast_ref::<String>().cloned().or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string())).unwrap()
}

#[test]
fn default_root_is_intel_and_is_announced() {
    context();
    let c = Contract::new(None);
    let root = c.get_root_ca();
    assert!(root.intel_sgx_root);
    assert_eq!(root.sha256.to_hex(), "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3");
    assert_eq!(root.der.0, INTEL_SGX_ROOT_CA_DER);
    assert_eq!(
        get_logs(),
        vec![format!(
            r#"EVENT_JSON:{{"standard":"tee_verifier","version":"1.0.0","event":"verifier_created","data":{{"root_ca_sha256":"{}","intel_sgx_root":true}}}}"#,
            root.sha256
        )]
    );
}

#[test]
fn another_root_says_it_is_not_intels() {
    context();
    let c = Contract::new(Some(Base64VecU8(TEST_ROOT.to_vec())));
    let root = c.get_root_ca();
    assert!(!root.intel_sgx_root);
    assert_eq!(root.der.0, TEST_ROOT);
    assert_eq!(root.sha256, Digest32(env::sha256_array(TEST_ROOT)));
}

#[test]
fn a_root_that_is_not_a_certificate_is_refused() {
    context();
    let msg = panic_message(|| {
        Contract::new(Some(Base64VecU8(b"not a certificate".to_vec())));
    });
    assert!(msg.contains(ERR_ROOT_CA_INVALID), "{msg}");
    let msg = panic_message(|| {
        Contract::new(Some(Base64VecU8(Vec::new())));
    });
    assert!(msg.contains(ERR_ROOT_CA_EMPTY), "{msg}");
}

#[test]
fn bad_input_is_refused_with_a_clear_error() {
    context();
    let c = Contract::new(None);
    let msg = panic_message(|| {
        c.verify_quote(Base64VecU8(Vec::new()), "{}".into());
    });
    assert!(msg.contains(ERR_QUOTE_EMPTY), "{msg}");
    let c = Contract::new(None);
    let msg = panic_message(|| {
        c.verify_quote(Base64VecU8(vec![1, 2, 3]), "not json".into());
    });
    assert!(msg.contains(ERR_COLLATERAL_JSON), "{msg}");
    let c = Contract::new(None);
    let collateral = r#"{"pck_crl_issuer_chain":"","root_ca_crl":"00","pck_crl":"00","tcb_info_issuer_chain":"",
        "tcb_info":"{}","tcb_info_signature":"00","qe_identity_issuer_chain":"","qe_identity":"{}","qe_identity_signature":"00"}"#;
    let msg = panic_message(|| {
        c.verify_quote(Base64VecU8(vec![1, 2, 3]), collateral.into());
    });
    assert!(msg.contains(&format!("{ERR_QUOTE_REJECTED}: ")), "{msg}");
}

#[test]
fn an_rtmr_replays_its_event_log_from_zero_with_sha384() {
    use ai_commons_primitives::tee::Measurement48;
    assert_eq!(verify::replay_rtmr(&[]), Measurement48([0; 48]));
    // SHA-384(SHA-384(0^48 ‖ 11^48) ‖ 22^48), as Python's hashlib computes it.
    let want = "3b0aa70f13ee0d6d1e004bc3925da1d69fa9638c77923663dd226028623932c61139aacb3696bd7a45990d5eb4ca2868";
    assert_eq!(verify::replay_rtmr(&[Measurement48([0x11; 48]), Measurement48([0x22; 48])]).to_hex(), want);
}
