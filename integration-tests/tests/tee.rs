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

use ai_commons_tests::community::zero;
use ai_commons_tests::tdx;
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
        eprintln!(
            "verify_quote: {:.1} Tgas (VM), {:.1} Tgas (transaction)",
            out.vm_gas as f64 / 1e12,
            out.total_gas as f64 / 1e12
        );
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

/// The advisories of the lowest TCB level a sample's collateral lists.
fn lowest_level_advisories(collateral: &str) -> Value {
    let c: Value = serde_json::from_str(collateral).unwrap();
    let tcb_info: Value = serde_json::from_str(c["tcb_info"].as_str().unwrap()).unwrap();
    let levels = tcb_info["tcbLevels"].as_array().unwrap();
    levels.last().unwrap()["advisoryIDs"].clone()
}

#[test]
fn real_outdated_platform_is_reported_out_of_date_with_its_advisories() {
    // dcap-qvl's outdated sample: the platform's CPU SVN is below every TCB
    // level Intel still lists for its FMSPC. It is rated as the lowest level:
    // OutOfDate, with that level's advisories (every one Intel lists for it).
    let (quote, collateral) = tdx::sample("tdx_quote_outdated");
    let mut v = Verifier::deploy("2026-03-01T00:00:00Z", None);
    let report = v.verified(&quote, &collateral);
    assert_eq!(report["tee"], json!("tdx"));
    assert_eq!(report["tcb_status"], json!("OutOfDate"));
    let advisories = lowest_level_advisories(&collateral);
    assert_eq!(advisories.as_array().map(Vec::len), Some(19));
    assert_eq!(report["advisory_ids"], advisories);
    assert_eq!(report["fmspc"], json!("90c06f000000"));
    assert_eq!(report["root_ca_sha256"], json!(INTEL_ROOT_SHA256));
    // Outside its collateral's window it is refused like any other quote.
    let mut late = Verifier::deploy("2026-03-21T00:00:00Z", None);
    late.refused(&quote, &collateral, "quote verification failed");

    // A platform Intel rates OutOfDate at a listed level is reported with that
    // level's advisories: the same platform under the test CA.
    let now = "2027-03-01T00:00:00Z";
    let enclave = TestEnclave::new(TdMeasurements::labelled("commons-node v1"));
    let quote = enclave.quote(&[1; 64]);
    let rating: &[&str] = &["INTEL-SA-00837", "INTEL-SA-00960"];
    let collateral =
        enclave.collateral_rated(at(now) - 86_400 * NS, at(now) + 86_400 * NS, Some(("OutOfDate", rating)));
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

// ---------------------------------------------------------------------------
// Admission by quote: inference-attestation with the tee-verifier (test root).
// ---------------------------------------------------------------------------

mod admission {
    use super::*;
    use ai_commons_tests::community::{near, sha};
    use ai_commons_tests::tdx::admission::*;
    use attestation_signer::{AttesterSigner, Digest32};

    const STD: &str = "inference_attestation";
    const DAY: u64 = 86_400 * NS;

    fn sdk(id: &AccountId) -> attestation_signer::AccountId {
        id.as_str().parse().expect("account id")
    }

    #[test]
    fn an_attester_admitted_by_quote_signs_receipts_for_the_weights_it_bound() {
        let mut w = World::new();
        let weights = [w.weights[0]];
        let out = w.admit(&weights);
        let tx = out.tx.as_ref().unwrap();
        let verify_gas = tx.vm_gas_on(&w.verifier).as_gas();
        eprintln!(
            "admission: verifier {:.1} Tgas, transaction {:.1} Tgas",
            verify_gas as f64 / 1e12,
            out.total_gas as f64 / 1e12
        );
        assert!(verify_gas <= MAX_VERIFY_GAS, "quote verification burnt {verify_gas} gas");
        assert!(out.total_gas <= 300_000_000_000_000, "the admission fits one transaction's gas");
        let admitted = out.events_named(STD, "attester_admitted_by_quote");
        assert_eq!(admitted.len(), 1);
        assert_eq!(admitted[0].data["operator"], json!(w.node));
        assert_eq!(admitted[0].data["ppid"], json!(TEST_PPID));
        assert_eq!(admitted[0].data["tcb_status"], json!("UpToDate"));

        let evidence: Value = w.view("get_tee_evidence", json!({"operator": w.node}));
        assert_eq!(evidence["mr_td"], json!(hex::encode(w.enclave.measurements.mr_td)));
        assert_eq!(evidence["weights_digests"], json!(weights));
        assert_eq!(evidence["verifier"], json!(w.verifier));
        let attester: Value = w.view("get_attester", json!({"operator": w.node}));
        assert_eq!(attester["tee_kind"], json!("intel-tdx-quote"));
        assert_eq!(attester["active"], json!(true));

        let out = w.submit(&w.receipt(1, w.weights[0], 1));
        let id: String = out.json();
        let stored: Value = w.view("get_receipt", json!({"receipt_id": id}));
        assert_eq!(stored["admission"], json!("tdx_quote"), "receipts say how their attester was admitted");
        // v2 is approved in the registry, but the quote did not bind its weights.
        let ia = w.c.attestation.clone();
        let receipt = w.receipt(2, w.weights[1], 2);
        let signature = w.signer.sign(&receipt, &sdk(&ia));
        let node = w.node.clone();
        w.b.assert_refused(&ia, "receipt weights were not bound in the attester's quote", |b| {
            b.call_gas(
                &node,
                &ia,
                "submit_receipt",
                json!({"receipt": receipt, "signature": signature}),
                near(1),
                Gas::from_teragas(100),
            )
        });
    }

    #[test]
    fn wrong_key_wrong_weights_and_stale_challenges_are_refused() {
        let mut w = World::new();
        let weights = [w.weights[0]];
        let collateral = w.collateral();
        let node = w.node.clone();
        let refused = "tee admission refused: report data does not bind this admission";

        // The quote binds another key than the one submitted.
        let challenge = w.challenge(&node);
        let other = AttesterSigner::from_seed(sha("someone else").0);
        let quote = w.enclave.quote(&w.report_data(&other, &weights, &challenge));
        w.refused(&quote, &collateral, &weights, &challenge, refused);
        // The quote binds v2's weights; the call claims v1's.
        let quote = w.enclave.quote(&w.report_data(&w.signer, &[w.weights[1]], &challenge));
        w.refused(&quote, &collateral, &weights, &challenge, refused);
        // The quote binds an earlier challenge; the call names the fresh one.
        let earlier = challenge;
        let fresh = w.challenge(&node);
        let quote = w.enclave.quote(&w.report_data(&w.signer, &weights, &earlier));
        w.refused(&quote, &collateral, &weights, &fresh, refused);
        // A challenge nobody issued, one issued to someone else, one expired.
        let quote = w.enclave.quote(&w.report_data(&w.signer, &weights, &Digest32([7; 32])));
        w.refused(&quote, &collateral, &weights, &Digest32([7; 32]), "challenge was not issued or was already used");
        let mallory = w.b.create_account("mallory", near(5));
        let theirs = w.challenge(&mallory);
        let quote = w.enclave.quote(&w.report_data(&w.signer, &weights, &theirs));
        w.refused(&quote, &collateral, &weights, &theirs, "challenge was issued to another account");
        w.b.fast_forward(11 * 60);
        let quote = w.enclave.quote(&w.report_data(&w.signer, &weights, &fresh));
        let collateral = w.collateral();
        w.refused(&quote, &collateral, &weights, &fresh, "challenge has expired");
        // Weights out of order are refused before anything is reserved.
        let two = [w.weights[1].max(w.weights[0]), w.weights[1].min(w.weights[0])];
        let challenge = w.challenge(&node);
        let quote = w.enclave.quote(&w.report_data(&w.signer, &two, &challenge));
        w.refused(&quote, &collateral, &two, &challenge, "weights_digests must be ascending without duplicates");

        // After all that, the right binding is admitted, and its challenge cannot be used twice.
        let quote = w.enclave.quote(&w.report_data(&w.signer, &weights, &challenge));
        w.admit_call(&quote, &collateral, &weights, &challenge).assert_success();
        let quote2 = w.enclave.quote(&w.report_data(&w.signer, &weights, &challenge));
        let out = w.admit_call(&quote2, &collateral, &weights, &challenge);
        out.assert_failure("challenge was not issued or was already used");
    }

    #[test]
    fn unapproved_measurements_outdated_platforms_and_bad_collateral_are_refused() {
        let mut w = World::new();
        let weights = [w.weights[0]];
        let node = w.node.clone();
        let now = w.b.block_timestamp();

        // An enclave whose measurements the DAO never approved.
        let rogue = TestEnclave::new(TdMeasurements::labelled("rogue node"));
        let challenge = w.challenge(&node);
        let quote = rogue.quote(&w.report_data(&w.signer, &weights, &challenge));
        let collateral = rogue.collateral(now - DAY, now + 30 * DAY);
        w.refused(&quote, &collateral, &weights, &challenge, "tee admission refused: measurements are not approved");

        // The right enclave on a platform Intel rates OutOfDate.
        let quote = w.enclave.quote(&w.report_data(&w.signer, &weights, &challenge));
        let outdated = w.enclave.collateral_rated(now - DAY, now + 30 * DAY, Some(("OutOfDate", &["INTEL-SA-00837"])));
        w.refused(
            &quote,
            &outdated,
            &weights,
            &challenge,
            "tee admission refused: tcb status is not accepted: OutOfDate",
        );

        // Expired and not-yet-valid collateral: the verifier refuses, the reason is in its receipt.
        for (collateral, why) in [
            (w.enclave.collateral(now - 40 * DAY, now - DAY), "TCBInfo expired"),
            (w.enclave.collateral(now + DAY, now + 30 * DAY), "TCBInfo issue date is in the future"),
        ] {
            let out = w.refused(
                &quote,
                &collateral,
                &weights,
                &challenge,
                "tee admission refused: the verifier did not verify the quote",
            );
            assert!(out.receipt_failures.iter().any(|f| f.contains(why)), "{why}: {:?}", out.receipt_failures);
        }
        // A platform the DAO withdrew, by a withdraw_tee_platform proposal.
        let kind = json!({"type": "withdraw_tee_platform", "ppid": TEST_PPID, "reason": "decommissioned"});
        let (_, out) = w.c.clone().pass_and_execute(&mut w.b, "withdraw platform", kind);
        let withdrawn = out.events_named("inference_attestation", "tee_platform_withdrawn");
        assert_eq!(withdrawn.len(), 1, "{:?}", out.receipt_failures);
        assert_eq!(withdrawn[0].data["ppid"], json!(TEST_PPID));
        let platforms: Value = w.view("get_tee_platforms", json!({}));
        assert_eq!(platforms, json!([]));
        let collateral = w.collateral();
        w.refused(
            &quote,
            &collateral,
            &weights,
            &challenge,
            &format!("tee admission refused: platform is not allowed: {TEST_PPID}"),
        );
    }

    #[test]
    fn the_real_outdated_sample_is_refused_by_policy_and_passes_its_tcb_check_when_the_policy_accepts_it() {
        // Inside the sample's collateral window, with a verifier on Intel's root.
        let (quote, collateral) = tdx::sample("tdx_quote_outdated");
        let b = Embedded { chain: Chain::starting_at(at("2026-03-01T00:00:00Z")) };
        let mut w = World::on(b, None);
        let weights = [w.weights[0]];
        let node = w.node.clone();
        let challenge = w.challenge(&node);
        let advisories = lowest_level_advisories(&collateral);
        let listed: Vec<&str> = advisories.as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
        let out = w.refused(
            &quote,
            &collateral,
            &weights,
            &challenge,
            &format!("tee admission refused: tcb status is not accepted: OutOfDate [{}]", listed.join(", ")),
        );
        let refused = out.events_named("inference_attestation", "tee_admission_refused");
        assert_eq!(refused.len(), 1, "one event for the refusal");

        // A community that accepts OutOfDate platforms gets past the TCB check:
        // the sample's measurements and platform are then checked, and its
        // report data (made for no admission of ours) binds nothing.
        w.set_policy(&["UpToDate", "OutOfDate"]);
        w.refused(&quote, &collateral, &weights, &challenge, "tee admission refused: measurements are not approved");
        let mr_td: [u8; 48] = quote[54 + tdx::MR_TD..][..48].try_into().unwrap();
        w.approve(&TdMeasurements { mr_td, rtmrs: [[0; 48]; 4] }, "dcap-qvl outdated sample");
        w.refused(
            &quote,
            &collateral,
            &weights,
            &challenge,
            "tee admission refused: platform is not allowed: 66498c9263c04ed2f0657c530ac2b0cb",
        );
        w.allow_platform("66498c9263c04ed2f0657c530ac2b0cb");
        w.refused(
            &quote,
            &collateral,
            &weights,
            &challenge,
            "tee admission refused: report data does not bind this admission",
        );
    }

    #[test]
    fn a_set_pinning_the_app_event_admits_a_node_whose_rtmr3_log_contains_it() {
        let mut w = World::new();
        let weights = [w.weights[0]];
        let node = w.node.clone();
        // The node's RTMR3: boot, the app's compose hash, its own instance id.
        let compose = tdx::replay_rtmr(&[[0xc0; 48]]); // any 48-byte digest
        let log = vec![[0xb0; 48], compose, [0x1d; 48]];
        let mut m = TdMeasurements::labelled("commons-node v2");
        m.rtmrs[3] = tdx::replay_rtmr(&log);
        w.enclave = TestEnclave::new(m.clone());
        // The DAO approves MRTD, RTMR0-2 and the compose event, not RTMR3's
        // value, by an approve_tee_app_event proposal.
        let h = hex::encode;
        let kind = json!({"type": "approve_tee_app_event", "tee_measurements": {
            "label": "commons-node v2 (compose pinned)", "mr_td": h(m.mr_td), "rtmr0": h(m.rtmrs[0]),
            "rtmr1": h(m.rtmrs[1]), "rtmr2": h(m.rtmrs[2]), "rtmr3": h(compose)}});
        let (_, out) = w.c.clone().pass_and_execute(&mut w.b, "pin the compose event", kind);
        let approved = out.events_named(STD, "tee_measurements_approved");
        assert_eq!(approved.len(), 1, "{:?}", out.receipt_failures);
        assert_eq!(approved[0].data["set"]["rtmr3_is_event"], json!(true));

        // Without the log, RTMR3's value matches no set.
        let challenge = w.challenge(&node);
        let quote = w.enclave.quote(&w.report_data(&w.signer, &weights, &challenge));
        let collateral = w.collateral();
        w.refused(&quote, &collateral, &weights, &challenge, "tee admission refused: measurements are not approved");
        // A log that does not replay to the quote's RTMR3: the verifier refuses.
        w.rtmr3_event_log = Some(vec![[0xb0; 48], compose]);
        let out = w.refused(
            &quote,
            &collateral,
            &weights,
            &challenge,
            "tee admission refused: the verifier did not verify the quote",
        );
        let why = "rtmr3 event log does not replay to the quote's rtmr3";
        assert!(out.receipt_failures.iter().any(|f| f.contains(why)), "{:?}", out.receipt_failures);
        // A log that replays but lacks the pinned entry.
        let other_log = vec![[0xb0; 48], [0x1d; 48]];
        let mut other = m.clone();
        other.rtmrs[3] = tdx::replay_rtmr(&other_log);
        let other_quote = TestEnclave::new(other).quote(&w.report_data(&w.signer, &weights, &challenge));
        w.rtmr3_event_log = Some(other_log);
        w.refused(
            &other_quote,
            &collateral,
            &weights,
            &challenge,
            "tee admission refused: measurements are not approved",
        );

        // The whole log, which contains the compose event: admitted.
        w.rtmr3_event_log = Some(log);
        let out = w.admit_call(&quote, &collateral, &weights, &challenge);
        out.assert_success();
        assert_eq!(out.events_named(STD, "attester_admitted_by_quote").len(), 1);
        let evidence: Value = w.view("get_tee_evidence", json!({"operator": node}));
        assert_eq!(evidence["rtmr3_event"], json!(h(compose)));
        assert_eq!(evidence["rtmrs"][3], json!(h(m.rtmrs[3])), "the quote's own RTMR3");
        w.submit(&w.receipt(1, w.weights[0], 1)).assert_success();
    }

    #[test]
    fn withdrawn_measurements_and_expiry_stop_receipts_and_anyone_prunes() {
        let mut w = World::new();
        let weights = [w.weights[0]];
        let out = w.admit(&weights);
        let expires_at: u64 = out.json::<String>().parse().unwrap();
        w.submit(&w.receipt(1, w.weights[0], 1)).assert_success();
        let stranger = w.b.create_account("stranger", near(5));
        let ia = w.c.attestation.clone();
        let node = w.node.clone();
        w.b.assert_refused(&ia, "attester's admission is still valid", |b| {
            b.call_json(&stranger, &ia, "prune_tee_attester", json!({"operator": node}), zero())
        });

        // Withdrawing another set (and allowing a platform) takes nothing from
        // this node: its receipts now check its own set and platform, and pass.
        let other = w.approve(&TdMeasurements::labelled("commons-node v0"), "commons-node v0");
        let kind = json!({"type": "withdraw_tee_measurements", "measurement_set": other, "reason": "superseded"});
        let (_, out) = w.c.clone().pass_and_execute(&mut w.b, "withdraw v0 image", kind);
        assert_eq!(out.events_named(STD, "tee_measurements_withdrawn").len(), 1, "{:?}", out.receipt_failures);
        w.allow_platform("00ff");
        w.submit(&w.receipt(1, w.weights[0], 10)).assert_success();
        let sets: Value = w.view("get_tee_measurement_sets", json!({}));
        assert_eq!(sets.as_array().map(Vec::len), Some(1), "{sets}");
        let platforms: Value = w.view("get_tee_platforms", json!({"from_index": 1}));
        assert_eq!(platforms[0][0], json!("00ff"));

        // The DAO withdraws the measurement set the node was admitted with.
        let set = w.view::<Value>("get_tee_evidence", json!({"operator": w.node}))["measurement_set"].clone();
        let c = w.c.clone();
        let kind = json!({"type": "withdraw_tee_measurements", "measurement_set": set, "reason": "CVE in the image"});
        let (_, out) = c.pass_and_execute(&mut w.b, "withdraw v1 image", kind);
        out.assert_success();
        assert_eq!(out.events_named(STD, "tee_measurements_withdrawn").len(), 1);
        let receipt = w.receipt(1, w.weights[0], 2);
        let signature = w.signer.sign(&receipt, &sdk(&ia));
        w.b.assert_refused(&ia, "attester's measurement set was withdrawn", |b| {
            b.call_gas(
                &node,
                &ia,
                "submit_receipt",
                json!({"receipt": receipt, "signature": signature}),
                near(1),
                Gas::from_teragas(100),
            )
        });
        // Re-approving the same registers does not revive the old admission.
        w.approve(&TdMeasurements::labelled("commons-node v1"), "commons-node v1 again");
        let receipt = w.receipt(1, w.weights[0], 3);
        let signature = w.signer.sign(&receipt, &sdk(&ia));
        w.b.assert_refused(&ia, "attester's measurement set was withdrawn", |b| {
            b.call_gas(
                &node,
                &ia,
                "submit_receipt",
                json!({"receipt": receipt, "signature": signature}),
                near(1),
                Gas::from_teragas(100),
            )
        });
        let out = w.b.call_json(&stranger, &ia, "prune_tee_attester", json!({"operator": node}), zero());
        out.assert_success();
        let revoked = out.events_named(STD, "attester_revoked");
        assert_eq!(revoked[0].data["reason"], json!("attester's measurement set was withdrawn"));
        assert_eq!(w.view::<Value>("get_attester", json!({"operator": w.node}))["active"], json!(false));

        // A second node admitted under the re-approved set expires with its admission.
        let mut w2 = World::new();
        let out = w2.admit(&weights);
        let expires2: u64 = out.json::<String>().parse().unwrap();
        assert!(expires2 <= w2.b.block_timestamp() + 30 * DAY);
        assert!(expires_at > 0);
        while w2.b.block_timestamp() < expires2 {
            w2.b.fast_forward(3600);
        }
        let ia2 = w2.c.attestation.clone();
        let node2 = w2.node.clone();
        let receipt = w2.receipt(1, w2.weights[0], 1);
        let signature = w2.signer.sign(&receipt, &sdk(&ia2));
        w2.b.assert_refused(&ia2, "attester had expired when the receipt was signed", |b| {
            b.call_gas(
                &node2,
                &ia2,
                "submit_receipt",
                json!({"receipt": receipt, "signature": signature}),
                near(1),
                Gas::from_teragas(100),
            )
        });
        let out = w2.b.call_json(&node2, &ia2, "prune_tee_attester", json!({"operator": node2}), zero());
        out.assert_success();
    }
}

/// A receipt's whole transaction before admission by quote existed (bench
/// section 6 at that merge, 10 receipts stored: 8.3012 Tgas). This world's
/// receipts cost a little more than section 6's for the same code (longer
/// names, fewer receipts to share index counters with), so holding them to it
/// is stricter than the bench.
const RECEIPT_BEFORE_TEE_GAS: u64 = 8_302_000_000_000;

#[test]
fn receipts_by_attesters_admitted_either_way_cost_no_more_than_before_admission_by_quote() {
    use ai_commons_tests::community::{near, sha};
    use ai_commons_tests::tdx::admission::World;
    use attestation_signer::AttesterSigner;
    let mut w = World::new();
    let weights = w.weights[0];
    w.admit(&[weights]);
    let dao_node = w.b.create_account("dao-node", near(20));
    let dao_signer = AttesterSigner::from_seed(sha("dao node").0);
    w.admit_by_dao(&dao_node, &dao_signer);
    // Warm both paths once (first receipts create the shared index counters).
    w.submit(&w.receipt(1, weights, 1)).assert_success();
    w.submit_signed(&dao_node, &dao_signer, &w.receipt_by(&dao_signer, 1, weights, 1)).assert_success();
    let by_quote = w.submit(&w.receipt(1, weights, 2));
    let by_dao = w.submit_signed(&dao_node, &dao_signer, &w.receipt_by(&dao_signer, 1, weights, 2));
    by_quote.assert_success();
    by_dao.assert_success();
    let (q, d) = (by_quote.total_gas as f64 / 1e12, by_dao.total_gas as f64 / 1e12);
    eprintln!("submit_receipt total gas: admitted by quote {q:.4} Tgas, by the DAO {d:.4} Tgas");
    for (kind, gas) in [("by quote", by_quote.total_gas), ("by the DAO", by_dao.total_gas)] {
        assert!(gas <= RECEIPT_BEFORE_TEE_GAS, "a receipt by an attester admitted {kind} costs {gas} gas");
    }
    // The quote-admitted path reads two records more: its evidence and the TEE
    // state (its measurement set and platform only after a withdrawal).
    assert!(q <= d + 0.3, "a quote-admitted attester's receipt costs {q:.2} Tgas, a DAO-admitted one's {d:.2}");
}

#[test]
fn the_dao_refuses_tee_proposals_that_could_never_execute() {
    use ai_commons_tests::tdx::admission::World;
    let mut w = World::new();
    let proposer = w.c.council[0].clone();
    let dao = w.c.dao.clone();
    let verifier = w.verifier.clone();
    let c = w.c.clone();
    let m = "ab".repeat(48);
    for (kind, needle) in [
        (
            json!({"type": "set_tee_policy", "tee_policy": {"verifier": verifier, "accepted_tcb_statuses": ["Revoked"],
                   "max_admission_age_ns": "86400000000000", "challenge_ttl_ns": "600000000000", "restrict_platforms": false}}),
            "refused at creation, the target contract would refuse it: a revoked tcb can never be accepted",
        ),
        (
            json!({"type": "set_tee_policy", "tee_policy": {"verifier": verifier, "accepted_tcb_statuses": [],
                   "max_admission_age_ns": "86400000000000", "challenge_ttl_ns": "600000000000", "restrict_platforms": false}}),
            "refused at creation, the target contract would refuse it: accepted_tcb_statuses must not be empty",
        ),
        (
            json!({"type": "withdraw_tee_measurements", "measurement_set": "00".repeat(32), "reason": " "}),
            "refused at creation, the target contract would refuse it: reason must not be empty",
        ),
        (
            json!({"type": "approve_tee_measurements", "tee_measurements": {"label": " ", "mr_td": m, "rtmr0": m,
                   "rtmr1": m, "rtmr2": m, "rtmr3": m}}),
            "refused at creation, the target contract would refuse it: label must not be empty",
        ),
        (
            json!({"type": "approve_tee_measurements", "tee_measurements": {"label": "x", "mr_td": "ab", "rtmr0": m,
                   "rtmr1": m, "rtmr2": m, "rtmr3": m}}),
            "invalid measurement: expected 96 hex chars, got 2",
        ),
        (
            json!({"type": "allow_tee_platform", "ppid": "811DCA2A"}),
            "refused at creation, the target contract would refuse it: ppid must be lowercase hex of at most 32 bytes",
        ),
        (
            json!({"type": "withdraw_tee_platform", "ppid": "", "reason": "gone"}),
            "refused at creation, the target contract would refuse it: ppid must be lowercase hex of at most 32 bytes",
        ),
        (
            json!({"type": "withdraw_tee_platform", "ppid": "811dca2a", "reason": ""}),
            "refused at creation, the target contract would refuse it: reason must not be empty",
        ),
    ] {
        // The deposit view refuses to price such a proposal; offer a text proposal's price and more.
        let deposit = c.proposal_deposit(&w.b, &proposer, "bad tee proposal", &json!({"type": "text"}));
        let deposit = deposit.saturating_add(NearToken::from_near(1));
        let args = json!({"description": "bad tee proposal", "kind": kind});
        w.b.assert_refused(&dao, needle, |b| b.call_json(&proposer, &dao, "add_proposal", args, deposit));
    }
}
