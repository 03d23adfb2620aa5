//! tee-verifier end to end on the embedded chain, deployed alone.
//!
//! Real evidence: the TDX and SGX quotes and collateral shipped with the
//! `dcap-qvl` crate verify under Intel's root at a block time inside their
//! collateral's validity; the outdated platform is reported as such; a
//! tampered byte, expired or not-yet-valid collateral are refused.
//!
//! Test evidence: quotes a test enclave makes under the TEST root CA in
//! `integration-tests/fixtures/tee-test-ca` verify only on a verifier deployed
//! with that root (whose `get_root_ca` says it is not Intel's), and report the
//! measurements and report data the enclave chose.
//!
//! Every refusal leaves the verifier's state, balance and storage unchanged.

#[path = "../src/tdx.rs"]
#[allow(dead_code)]
mod tdx;

use ai_commons_tests::{Backend, BackendExt, Embedded, Outcome};
use base64::Engine;
use embedded_chain::{AccountId, Chain, Gas, NearToken};
use serde_json::{json, Value};
use tdx::{TdMeasurements, TestEnclave};

const NS: u64 = 1_000_000_000;
/// The most a quote verification may burn (VM gas of the verifier call).
const MAX_VERIFY_GAS: u64 = 200_000_000_000_000;
const VERIFY_GAS: Gas = Gas::from_teragas(300);
const INTEL_ROOT_SHA256: &str = "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3";

/// Unix ns of an RFC 3339 UTC date-time `YYYY-MM-DDTHH:MM:SSZ`.
fn at(date: &str) -> u64 {
    let n = |r: std::ops::Range<usize>| date[r].parse::<i64>().expect("digits");
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + n(11..13) * 3600 + n(14..16) * 60 + n(17..19);
    secs as u64 * NS
}

fn zero() -> NearToken {
    NearToken::from_yoctonear(0)
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

struct Verifier {
    b: Embedded,
    verifier: AccountId,
    caller: AccountId,
}

impl Verifier {
    /// A chain whose clock starts at `time`, with the verifier deployed and
    /// initialised with `root` (`None`: Intel's).
    fn deploy(time: &str, root: Option<&[u8]>) -> Self {
        let mut b = Embedded { chain: Chain::starting_at(at(time)) };
        let verifier = b.create_account("tee-verifier", NearToken::from_near(20));
        let caller = b.create_account("anyone", NearToken::from_near(20));
        b.deploy(&verifier, &wasm_build::wasm("tee-verifier", &[])).assert_success();
        let args = match root {
            Some(der) => json!({ "root_ca_der": b64(der) }),
            None => json!({}),
        };
        let out = b.call_json(&verifier, &verifier, "new", args, zero());
        out.assert_success();
        assert_eq!(out.events_named("tee_verifier", "verifier_created").len(), 1);
        Verifier { b, verifier, caller }
    }

    fn verify(&mut self, quote: &[u8], collateral: &str) -> Outcome {
        let (caller, verifier) = (self.caller.clone(), self.verifier.clone());
        self.b.call_gas(
            &caller,
            &verifier,
            "verify_quote",
            json!({ "quote": b64(quote), "collateral": collateral }),
            zero(),
            VERIFY_GAS,
        )
    }

    /// Verifies and returns the report, checking the gas bound.
    #[track_caller]
    fn verified(&mut self, quote: &[u8], collateral: &str) -> Value {
        let out = self.verify(quote, collateral);
        out.assert_success();
        eprintln!("verify_quote: {:.1} Tgas (VM), {:.1} Tgas (transaction)", out.vm_gas as f64 / 1e12, out.total_gas as f64 / 1e12);
        assert!(out.vm_gas <= MAX_VERIFY_GAS, "verification burnt {} Tgas", out.vm_gas / 1_000_000_000_000);
        assert!(out.events.is_empty(), "verifying changes nothing, so emits nothing");
        out.json()
    }

    /// Asserts the verification is refused with `needle` and changes nothing.
    #[track_caller]
    fn refused(&mut self, quote: &[u8], collateral: &str, needle: &str) {
        let (caller, verifier) = (self.caller.clone(), self.verifier.clone());
        let args = json!({ "quote": b64(quote), "collateral": collateral });
        self.b.assert_refused(&verifier, needle, |b| {
            b.call_gas(&caller, &verifier, "verify_quote", args, zero(), VERIFY_GAS)
        });
    }
}

#[test]
fn root_of_trust_is_intel_by_default_and_a_test_root_says_so() {
    let v = Verifier::deploy("2026-01-02T00:00:00Z", None);
    let root: Value = v.b.view(&v.verifier, "get_root_ca", json!({}));
    assert_eq!(root["intel_sgx_root"], json!(true));
    assert_eq!(root["sha256"], json!(INTEL_ROOT_SHA256));

    let test_root = tdx::test_root_der();
    let v = Verifier::deploy("2026-01-02T00:00:00Z", Some(&test_root));
    let root: Value = v.b.view(&v.verifier, "get_root_ca", json!({}));
    assert_eq!(root["intel_sgx_root"], json!(false), "a test root must never pass for Intel's");
    assert_eq!(root["der"], json!(b64(&test_root)));
    assert_ne!(root["sha256"], json!(INTEL_ROOT_SHA256));
}

#[test]
fn a_root_that_is_not_a_certificate_is_refused_at_init() {
    let mut b = Embedded { chain: Chain::new() };
    let verifier = b.create_account("tee-verifier", NearToken::from_near(20));
    b.deploy(&verifier, &wasm_build::wasm("tee-verifier", &[])).assert_success();
    let out = b.call_json(&verifier, &verifier, "new", json!({ "root_ca_der": b64(b"not a certificate") }), zero());
    out.assert_failure("root_ca_der is not a p-256 certificate");
    let out = b.call_json(&verifier, &verifier, "new", json!({ "root_ca_der": "" }), zero());
    out.assert_failure("root_ca_der must not be empty");
}

#[test]
fn real_tdx_quote_verifies_inside_its_collateral_window() {
    let (quote, collateral) = tdx::sample("tdx_quote");
    let mut v = Verifier::deploy("2025-07-01T00:00:00Z", None);
    let report = v.verified(&quote, &collateral);
    assert_eq!(report["tee"], json!("tdx"));
    assert_eq!(report["tcb_status"], json!("UpToDate"));
    assert_eq!(report["mr_td"], json!(hex::encode(tdx::quote_mr_td(&quote))));
    assert_eq!(report["report_data"], json!(b64(&tdx::quote_report_data(&quote))));
    assert_eq!(report["fmspc"], json!("b0c06f000000"));
    assert_eq!(report["root_ca_sha256"], json!(INTEL_ROOT_SHA256));
    let verified_at: u64 = report["verified_at"].as_str().unwrap().parse().unwrap();
    assert!(verified_at > at("2025-07-01T00:00:00Z") && verified_at <= v.b.block_timestamp());
    for r in ["rtmr0", "rtmr1", "rtmr2", "rtmr3"] {
        assert_eq!(report[r].as_str().map(str::len), Some(96), "{r}");
    }
    assert_eq!(report["mr_enclave"], Value::Null);
    let expires: u64 = report["collateral_expires_at"].as_str().unwrap().parse().unwrap();
    assert!(expires <= at("2025-07-19T10:16:03Z") && expires > at("2025-07-01T00:00:00Z"));
}

#[test]
fn real_td15_and_sgx_quotes_verify() {
    let (quote, collateral) = tdx::sample("tdx_quote_td15ex");
    let mut v = Verifier::deploy("2026-10-20T00:00:00Z", None);
    let report = v.verified(&quote, &collateral);
    assert_eq!(report["tee"], json!("tdx"));
    assert!(report["mr_td"].is_string());

    let (quote, collateral) = tdx::sample("sgx_quote");
    let mut v = Verifier::deploy("2025-07-01T00:00:00Z", None);
    let report = v.verified(&quote, &collateral);
    assert_eq!(report["tee"], json!("sgx"));
    assert_eq!(report["mr_td"], Value::Null);
    assert_eq!(report["mr_enclave"].as_str().map(str::len), Some(64));
}

#[test]
fn real_outdated_platform_is_refused_and_a_rated_one_reported_as_such() {
    // dcap-qvl's outdated sample: the platform's TCB is below every level
    // Intel still lists for its FMSPC, so there is nothing to rate it by.
    let (quote, collateral) = tdx::sample("tdx_quote_outdated");
    let mut v = Verifier::deploy("2026-03-01T00:00:00Z", None);
    v.refused(&quote, &collateral, "quote verification failed: No matching TCB level found");

    // A platform Intel rates OutOfDate is reported with its advisories (the
    // caller's policy refuses it): the same platform under the test CA.
    let now = "2027-03-01T00:00:00Z";
    let enclave = TestEnclave::new(TdMeasurements::labelled("commons-node v1"));
    let quote = enclave.quote(&[1; 64]);
    let rating: &[&str] = &["INTEL-SA-00837", "INTEL-SA-00960"];
    let collateral = enclave.collateral_rated(at(now) - 86_400 * NS, at(now) + 86_400 * NS, Some(("OutOfDate", rating)));
    let mut v = Verifier::deploy(now, Some(&tdx::test_root_der()));
    let report = v.verified(&quote, &collateral);
    assert_eq!(report["tcb_status"], json!("OutOfDate"));
    assert_eq!(report["advisory_ids"], json!(rating));
}

#[test]
fn real_quote_refused_when_tampered_or_outside_its_window() {
    let (quote, collateral) = tdx::sample("tdx_quote");
    let mut v = Verifier::deploy("2025-07-01T00:00:00Z", None);
    // One bit of the TD report (inside MRTD): the attestation key's signature no longer matches.
    let mut tampered = quote.clone();
    tampered[48 + tdx::MR_TD] ^= 1;
    v.refused(&tampered, &collateral, "quote verification failed");
    // One byte of the signed TCB info.
    let mut c: Value = serde_json::from_str(&collateral).unwrap();
    let tcb = c["tcb_info"].as_str().unwrap().replacen("UpToDate", "UpToDatf", 1);
    c["tcb_info"] = json!(tcb);
    v.refused(&quote, &c.to_string(), "quote verification failed");
    v.refused(&[], &collateral, "quote must not be empty");
    v.refused(&quote, "{\"tcb_info\": 1}", "collateral is not valid collateral json");

    let mut late = Verifier::deploy("2025-07-20T00:00:00Z", None);
    late.refused(&quote, &collateral, "quote verification failed: TCBInfo expired");
    let mut early = Verifier::deploy("2025-06-19T00:00:00Z", None);
    early.refused(&quote, &collateral, "quote verification failed: TCBInfo issue date is in the future");
}

#[test]
fn test_ca_quote_reports_what_the_enclave_measured_and_bound() {
    let now = "2027-03-01T00:00:00Z";
    let enclave = TestEnclave::new(TdMeasurements::labelled("commons-node v1"));
    let report_data: [u8; 64] = std::array::from_fn(|i| i as u8);
    let quote = enclave.quote(&report_data);
    let collateral = enclave.collateral(at(now) - 86_400 * NS, at(now) + 30 * 86_400 * NS);

    let mut v = Verifier::deploy(now, Some(&tdx::test_root_der()));
    let report = v.verified(&quote, &collateral);
    assert_eq!(report["tee"], json!("tdx"));
    assert_eq!(report["tcb_status"], json!("UpToDate"));
    assert_eq!(report["mr_td"], json!(hex::encode(enclave.measurements.mr_td)));
    for (i, r) in enclave.measurements.rtmrs.iter().enumerate() {
        assert_eq!(report[format!("rtmr{i}")], json!(hex::encode(r)));
    }
    assert_eq!(report["report_data"], json!(b64(&report_data)));
    assert_ne!(report["root_ca_sha256"], json!(INTEL_ROOT_SHA256));
    let expires: u64 = report["collateral_expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires, at(now) + 30 * 86_400 * NS);

    // The same evidence means nothing to a verifier that trusts Intel's root.
    let mut intel = Verifier::deploy(now, None);
    intel.refused(&quote, &collateral, "quote verification failed");
}

#[test]
fn test_ca_collateral_expired_or_not_yet_valid_is_refused() {
    let now = at("2027-03-01T00:00:00Z");
    let day = 86_400 * NS;
    let enclave = TestEnclave::new(TdMeasurements::labelled("commons-node v1"));
    let quote = enclave.quote(&[7; 64]);
    let mut v = Verifier::deploy("2027-03-01T00:00:00Z", Some(&tdx::test_root_der()));
    let expired = enclave.collateral(now - 40 * day, now - day);
    v.refused(&quote, &expired, "quote verification failed: TCBInfo expired");
    let not_yet = enclave.collateral(now + day, now + 30 * day);
    v.refused(&quote, &not_yet, "quote verification failed: TCBInfo issue date is in the future");
    // A quote whose report data was changed after signing.
    let mut forged = quote.clone();
    forged[48 + tdx::REPORT_DATA] ^= 0xff;
    v.refused(&forged, &enclave.collateral(now - day, now + day), "quote verification failed");
}
