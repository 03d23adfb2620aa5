//! Intel TDX quotes for tests: the real samples shipped with the `dcap-qvl`
//! crate, and quotes a test enclave makes under the TEST certificate authority
//! in `integration-tests/fixtures/tee-test-ca` (never Intel's).
//!
//! A test quote reuses the layout of dcap-qvl's sample TDX quote (a v4 quote:
//! header, TD report, then the signature data: quote signature, attestation
//! key, and the quoting enclave's report, signed by the PCK key, with the PCK
//! certificate chain) and of its sample collateral (the platform's TCB info
//! and the quoting enclave's identity). Everything signed is signed again
//! under the test CA: a fresh attestation key signs the header and the TD
//! report we choose (measurements, report data), the test PCK key signs the
//! quoting enclave's report that binds that attestation key, and the test TCB
//! signing key signs the TCB info and QE identity with the validity window we
//! choose. So `dcap-qvl` runs every check it runs on a real quote.

use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::DecodePrivateKey;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Nanoseconds per second.
const NS: u64 = 1_000_000_000;

// Offsets in a v4 TDX quote (Intel's DCAP quote format).
const HEADER_LEN: usize = 48;
const TD10_LEN: usize = 584;
const BODY_END: usize = HEADER_LEN + TD10_LEN;
/// Offsets of fields inside the TD report (TDREPORT 1.0 body).
pub const MR_TD: usize = 136;
pub const RTMR0: usize = 328;
pub const REPORT_DATA: usize = 520;
const AUTH: usize = BODY_END + 4;
const QE_REPORT: usize = AUTH + 64 + 64 + 2 + 4;
const QE_REPORT_LEN: usize = 384;
const QE_REPORT_DATA: usize = 320;
const QE_AUTH: usize = QE_REPORT + QE_REPORT_LEN + 64;

/// The source directory of the `dcap-qvl` crate cargo fetched for
/// tee-verifier: `$CARGO_HOME/registry/src/<index>/dcap-qvl-<locked version>`.
pub fn dcap_qvl_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).expect("read Cargo.lock");
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"dcap-qvl\"\n"))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
        .map(|v| v.trim_end_matches('"').to_string())
        .expect("dcap-qvl in Cargo.lock");
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cargo"));
    let registry = cargo_home.join("registry/src");
    let dirs = std::fs::read_dir(&registry).unwrap_or_else(|e| panic!("read {}: {e}", registry.display()));
    dirs.filter_map(Result::ok)
        .map(|index| index.path().join(format!("dcap-qvl-{version}")))
        .find(|dir| dir.join("sample").is_dir())
        .unwrap_or_else(|| panic!("dcap-qvl {version} is not in {}: run `cargo fetch`", registry.display()))
}

/// A sample shipped in dcap-qvl's `sample/` directory: `(quote, collateral JSON)`.
pub fn sample(quote: &str) -> (Vec<u8>, String) {
    let dir = dcap_qvl_dir().join("sample");
    let q = std::fs::read(dir.join(quote)).unwrap_or_else(|e| panic!("read sample {quote}: {e}"));
    let c = std::fs::read_to_string(dir.join(format!("{quote}_collateral.json")))
        .unwrap_or_else(|e| panic!("read sample collateral of {quote}: {e}"));
    (q, c)
}

/// The test certificate authority's directory.
pub fn test_ca_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tee-test-ca")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(test_ca_dir().join(name)).unwrap_or_else(|e| panic!("read test CA file {name}: {e}"))
}

fn key(name: &str) -> SigningKey {
    let pem = String::from_utf8(read(name)).expect("pem");
    SigningKey::from_pkcs8_pem(&pem).unwrap_or_else(|e| panic!("key {name}: {e}"))
}

/// DER of the test root CA: deploy the tee-verifier with it.
pub fn test_root_der() -> Vec<u8> {
    read("root_ca.der")
}

/// `r ‖ s` of an ECDSA P-256 / SHA-256 signature.
fn sign(key: &SigningKey, msg: &[u8]) -> Vec<u8> {
    let sig: Signature = key.sign(msg);
    sig.to_bytes().to_vec()
}

/// RFC 3339 UTC of a unix time in seconds.
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem / 60 % 60, rem % 60)
}

/// What a test enclave puts in its TD report.
#[derive(Clone, Debug)]
pub struct TdMeasurements {
    pub mr_td: [u8; 48],
    /// RTMR0..3.
    pub rtmrs: [[u8; 48]; 4],
}

impl TdMeasurements {
    /// Measurements derived from a label, distinct per label.
    pub fn labelled(label: &str) -> Self {
        let h = |i: u8| -> [u8; 48] {
            use sha2::{Digest, Sha384};
            let mut hasher = Sha384::new();
            hasher.update([i]);
            hasher.update(label.as_bytes());
            hasher.finalize().into()
        };
        TdMeasurements { mr_td: h(0), rtmrs: [h(1), h(2), h(3), h(4)] }
    }
}

/// A TDX enclave under the test CA: it quotes any report data it is asked to.
pub struct TestEnclave {
    pub measurements: TdMeasurements,
    attestation_key: SigningKey,
    template: Vec<u8>,
    template_collateral: Value,
}

impl TestEnclave {
    pub fn new(measurements: TdMeasurements) -> Self {
        let (template, collateral) = sample("tdx_quote");
        TestEnclave {
            measurements,
            // Any key works: the QE report binds whichever key signs the quote.
            attestation_key: SigningKey::from_bytes(&[0x42u8; 32].into()).expect("attestation key"),
            template,
            template_collateral: serde_json::from_str(&collateral).expect("sample collateral"),
        }
    }

    /// A quote of this enclave's TD report with `report_data`.
    pub fn quote(&self, report_data: &[u8; 64]) -> Vec<u8> {
        let t = &self.template;
        let mut header_body = t[..BODY_END].to_vec();
        let m = &self.measurements;
        header_body[HEADER_LEN + MR_TD..][..48].copy_from_slice(&m.mr_td);
        for (i, r) in m.rtmrs.iter().enumerate() {
            header_body[HEADER_LEN + RTMR0 + 48 * i..][..48].copy_from_slice(r);
        }
        header_body[HEADER_LEN + REPORT_DATA..][..64].copy_from_slice(report_data);

        let ak_point = self.attestation_key.verifying_key().to_encoded_point(false);
        let ak: [u8; 64] = ak_point.as_bytes()[1..].try_into().expect("64-byte point");
        let qe_auth = &t[QE_AUTH + 2..QE_AUTH + 2 + 32];
        // The quoting enclave's report binds the attestation key: sha256(key ‖ auth data).
        let mut qe_report = t[QE_REPORT..QE_REPORT + QE_REPORT_LEN].to_vec();
        let bind = {
            use sha2::{Digest, Sha256};
            let mut h = Sha256::new();
            h.update(ak);
            h.update(qe_auth);
            h.finalize()
        };
        qe_report[QE_REPORT_DATA..QE_REPORT_DATA + 32].copy_from_slice(&bind);
        let qe_sig = sign(&key("pck.key"), &qe_report);

        let mut pem_chain = read("pck.pem");
        pem_chain.extend(read("pck_ca.pem"));
        pem_chain.extend(read("root_ca.pem"));
        let mut cert_body = qe_report;
        cert_body.extend(qe_sig);
        cert_body.extend(32u16.to_le_bytes());
        cert_body.extend(qe_auth);
        cert_body.extend(5u16.to_le_bytes()); // PCK certificate chain (PEM)
        cert_body.extend((pem_chain.len() as u32).to_le_bytes());
        cert_body.extend(pem_chain);

        let mut auth = sign(&self.attestation_key, &header_body);
        auth.extend(ak);
        auth.extend(6u16.to_le_bytes()); // QE report certification data
        auth.extend((cert_body.len() as u32).to_le_bytes());
        auth.extend(cert_body);

        let mut quote = header_body;
        quote.extend((auth.len() as u32).to_le_bytes());
        quote.extend(auth);
        quote
    }

    /// Collateral under the test CA whose TCB info and QE identity are valid
    /// from `issued_at` to `next_update` (unix ns).
    pub fn collateral(&self, issued_at_ns: u64, next_update_ns: u64) -> String {
        self.collateral_rated(issued_at_ns, next_update_ns, None)
    }

    /// Like [`TestEnclave::collateral`], with every TCB level of the platform
    /// rated `status` with `advisories` when given (as Intel rates a platform
    /// that missed a microcode or TDX module update: `OutOfDate`).
    pub fn collateral_rated(&self, issued_at_ns: u64, next_update_ns: u64, rating: Option<(&str, &[&str])>) -> String {
        let c = &self.template_collateral;
        let tcb_signer = key("tcb_signing.key");
        let redate = |field: &str| -> (String, String) {
            let mut v: Value = serde_json::from_str(c[field].as_str().expect("signed json")).expect("json");
            v["issueDate"] = json!(rfc3339(issued_at_ns / NS));
            v["nextUpdate"] = json!(rfc3339(next_update_ns / NS));
            if let (Some((status, advisories)), Some(levels)) = (rating, v["tcbLevels"].as_array_mut()) {
                for level in levels {
                    level["tcbStatus"] = json!(status);
                    level["advisoryIDs"] = json!(advisories);
                }
            }
            let text = serde_json::to_string(&v).expect("json");
            let sig = hex::encode(sign(&tcb_signer, text.as_bytes()));
            (text, sig)
        };
        let (tcb_info, tcb_info_signature) = redate("tcb_info");
        let (qe_identity, qe_identity_signature) = redate("qe_identity");
        let pem = |names: &[&str]| -> String {
            names.iter().map(|n| String::from_utf8(read(n)).expect("pem")).collect::<Vec<_>>().concat()
        };
        let signing_chain = pem(&["tcb_signing.pem", "root_ca.pem"]);
        json!({
            "pck_crl_issuer_chain": pem(&["pck_ca.pem", "root_ca.pem"]),
            "root_ca_crl": hex::encode(read("root_ca_crl.der")),
            "pck_crl": hex::encode(read("pck_crl.der")),
            "tcb_info_issuer_chain": signing_chain,
            "tcb_info": tcb_info,
            "tcb_info_signature": tcb_info_signature,
            "qe_identity_issuer_chain": signing_chain,
            "qe_identity": qe_identity,
            "qe_identity_signature": qe_identity_signature,
        })
        .to_string()
    }
}

/// MRTD of a v4 TDX quote, read straight from its bytes.
pub fn quote_mr_td(quote: &[u8]) -> [u8; 48] {
    quote[HEADER_LEN + MR_TD..][..48].try_into().expect("48 bytes")
}

/// Report data of a v4 TDX quote, read straight from its bytes.
pub fn quote_report_data(quote: &[u8]) -> [u8; 64] {
    quote[HEADER_LEN + REPORT_DATA..][..64].try_into().expect("64 bytes")
}
