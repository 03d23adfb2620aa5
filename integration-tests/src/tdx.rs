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

/// A TDX runtime register after extending `log` in order from zero:
/// `r = SHA-384(r ‖ digest)` for each digest.
pub fn replay_rtmr(log: &[[u8; 48]]) -> [u8; 48] {
    use sha2::{Digest, Sha384};
    log.iter().fold([0u8; 48], |r, d| Sha384::new().chain_update(r).chain_update(d).finalize().into())
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

/// A community whose DAO governs admission by quote, with a tee-verifier
/// deployed with the TEST root: the fixture of the admission tests and the bench.
pub mod admission {
    use super::{TdMeasurements, TestEnclave};
    use crate::backend::{Backend, BackendExt, Embedded, Outcome};
    use crate::community::{millinear, near, sha, Community, Deployment, Wasm};
    use base64::Engine;
    use embedded_chain::{AccountId, Gas, NearToken};
    use serde_json::{json, Value};

    const NS: u64 = 1_000_000_000;

    fn zero() -> NearToken {
        NearToken::from_yoctonear(0)
    }

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }
    use attestation_signer::tee::admission_report_data;
    use attestation_signer::{commit, AttesterSigner, Digest32, InferenceReceipt, U64};
    use std::sync::OnceLock;

    const STD: &str = "inference_attestation";
    const MODEL: &str = "commons-chat";
    const ADMIT_GAS: Gas = Gas::from_teragas(300);
    const MINUTE: u64 = 60 * NS;
    const DAY: u64 = 86_400 * NS;
    /// PPID in the test PCK certificate's SGX extension.
    pub const TEST_PPID: &str = "811dca2a26b952e85bb6448b097ba4fd";

    fn wasm() -> &'static Wasm {
        static WASM: OnceLock<Wasm> = OnceLock::new();
        WASM.get_or_init(Wasm::load)
    }

    fn sdk(id: &AccountId) -> attestation_signer::AccountId {
        id.as_str().parse().expect("account id")
    }

    pub struct World {
        pub b: Embedded,
        pub c: Community,
        pub verifier: AccountId,
        pub node: AccountId,
        pub enclave: TestEnclave,
        pub signer: AttesterSigner,
        /// v1 and v2 of `commons-chat`, both approved.
        pub weights: [Digest32; 2],
        /// The RTMR3 event log admissions pass (`None`: none).
        pub rtmr3_event_log: Option<Vec<[u8; 48]>>,
    }

    impl Default for World {
        fn default() -> Self {
            Self::new()
        }
    }

    impl World {
        /// A community whose DAO approved `commons-chat` v1 and v2, named a
        /// tee-verifier deployed with the test root, accepts `UpToDate` for at
        /// most 30 days, restricts platforms to the test PCK's, and approved
        /// the measurements of the `commons-node v1` enclave.
        pub fn new() -> Self {
            Self::on(Embedded::new(), Some(&super::test_root_der()))
        }

        /// The same community on `b` (e.g. a chain started inside a real
        /// sample's collateral window), its verifier trusting `root_ca_der`
        /// (`None`: Intel's root).
        pub fn on(mut b: Embedded, root_ca_der: Option<&[u8]>) -> Self {
            let Deployment { community: c, .. } = Community::deploy(&mut b, wasm(), &["alice", "bob", "carol"]);
            let verifier = b.create_account("tee-verifier", near(20));
            b.deploy(&verifier, &wasm_build::wasm("tee-verifier", &[])).assert_success();
            let root = root_ca_der.map(b64);
            b.call_json(&verifier, &verifier, "new", json!({"root_ca_der": root}), zero()).assert_success();
            let node = b.create_account("node", near(20));
            let publisher = b.create_account("paula", near(10));
            b.call_json(
                &publisher,
                &c.registry,
                "register_model",
                json!({
                    "model_id": MODEL, "name": MODEL, "task": "text-generation", "license": "apache-2.0",
                    "card_uri": "ipfs://card", "card_digest": sha(MODEL),
                }),
                millinear(20),
            )
            .assert_success();
            let weights = [sha("v1 weights"), sha("v2 weights")];
            for (i, digest) in weights.iter().enumerate() {
                b.call_json(&publisher, &c.registry, "submit_version", json!({
                    "model_id": MODEL, "weights_digest": digest, "artifact_uri": format!("ipfs://w{i}"),
                    "training": {"code_digest": sha("code"), "dataset_digest": null, "consent_contract": null, "consent_snapshot_id": null},
                }), millinear(50)).assert_success();
                let (_, out) = c.pass_and_execute(
                    &mut b,
                    "approve",
                    json!({"type": "approve_model_version", "model_id": MODEL, "version": i + 1}),
                );
                out.assert_success();
            }
            let kind = json!({"type": "set_tee_policy", "tee_policy": {
                "verifier": verifier, "accepted_tcb_statuses": ["UpToDate"],
                "max_admission_age_ns": (30 * DAY).to_string(), "challenge_ttl_ns": (10 * MINUTE).to_string(),
                "restrict_platforms": true,
            }});
            let (_, out) = c.pass_and_execute(&mut b, "TEE policy", kind);
            out.assert_success();
            assert_eq!(out.events_named(STD, "tee_policy_set").len(), 1, "{:?}", out.receipt_failures);
            let enclave = TestEnclave::new(TdMeasurements::labelled("commons-node v1"));
            let mut w = World {
                b,
                c,
                verifier,
                node,
                enclave,
                signer: AttesterSigner::from_seed(sha("node key").0),
                weights,
                rtmr3_event_log: None,
            };
            w.allow_platform(TEST_PPID);
            w.approve(&TdMeasurements::labelled("commons-node v1"), "commons-node v1");
            w
        }

        /// Passes and executes an `allow_tee_platform` proposal for `ppid`.
        pub fn allow_platform(&mut self, ppid: &str) {
            let kind = json!({"type": "allow_tee_platform", "ppid": ppid});
            let (_, out) = self.c.pass_and_execute(&mut self.b, "allow platform", kind);
            let allowed = out.events_named(STD, "tee_platform_allowed");
            assert_eq!(allowed.len(), 1, "{:?}", out.receipt_failures);
            assert_eq!(allowed[0].data["ppid"], json!(ppid));
        }

        /// Passes and executes a `set_tee_policy` proposal: this verifier,
        /// these statuses, 30 days, platforms restricted.
        pub fn set_policy(&mut self, accepted_tcb_statuses: &[&str]) {
            let kind = json!({"type": "set_tee_policy", "tee_policy": {
                "verifier": self.verifier, "accepted_tcb_statuses": accepted_tcb_statuses,
                "max_admission_age_ns": (30 * DAY).to_string(), "challenge_ttl_ns": (10 * MINUTE).to_string(),
                "restrict_platforms": true,
            }});
            let (_, out) = self.c.pass_and_execute(&mut self.b, "TEE policy", kind);
            assert_eq!(out.events_named(STD, "tee_policy_set").len(), 1, "{:?}", out.receipt_failures);
        }

        pub fn approve(&mut self, m: &TdMeasurements, label: &str) -> String {
            let h = hex::encode;
            let kind = json!({"type": "approve_tee_measurements", "tee_measurements": {
                "label": label, "mr_td": h(m.mr_td), "rtmr0": h(m.rtmrs[0]), "rtmr1": h(m.rtmrs[1]),
                "rtmr2": h(m.rtmrs[2]), "rtmr3": h(m.rtmrs[3]),
            }});
            let (_, out) = self.c.pass_and_execute(&mut self.b, label, kind);
            out.assert_success();
            let approved = out.events_named(STD, "tee_measurements_approved");
            assert_eq!(approved.len(), 1);
            approved[0].data["id"].as_str().unwrap().to_string()
        }

        pub fn view<T: serde::de::DeserializeOwned>(&self, method: &str, args: Value) -> T {
            self.b.view(&self.c.attestation, method, args)
        }

        fn deposits(&self) -> (NearToken, NearToken) {
            let d: Value = self.view("get_tee_config", json!({}));
            let n = |k: &str| NearToken::from_yoctonear(d[k].as_str().unwrap().parse().unwrap());
            (n("challenge_deposit"), n("admission_deposit"))
        }

        #[track_caller]
        pub fn challenge(&mut self, who: &AccountId) -> Digest32 {
            let (deposit, _) = self.deposits();
            let out = self.b.call_json(who, &self.c.attestation, "issue_tee_challenge", json!({}), deposit);
            assert_eq!(out.events_named(STD, "tee_challenge_issued").len(), 1);
            out.json()
        }

        /// Report data binding `key`, `weights` and `challenge` to this contract.
        pub fn report_data(&self, key: &AttesterSigner, weights: &[Digest32], challenge: &Digest32) -> [u8; 64] {
            admission_report_data(&sdk(&self.c.attestation), &key.public_key(), weights, challenge)
        }

        /// Fresh collateral: issued a day ago, valid for 30 more days.
        pub fn collateral(&self) -> String {
            let now = self.b.block_timestamp();
            self.enclave.collateral(now - DAY, now + 30 * DAY)
        }

        pub fn admit_call(
            &mut self,
            quote: &[u8],
            collateral: &str,
            weights: &[Digest32],
            challenge: &Digest32,
        ) -> Outcome {
            let (_, deposit) = self.deposits();
            let args = json!({
                "quote": b64(quote), "collateral": collateral, "public_key": self.signer.public_key().to_string(),
                "weights_digests": weights, "challenge": challenge,
                "rtmr3_event_log": self.rtmr3_event_log.as_ref().map(|log| log.iter().map(hex::encode).collect::<Vec<_>>()),
            });
            let (node, ia) = (self.node.clone(), self.c.attestation.clone());
            self.b.call_gas(&node, &ia, "admit_attester_by_quote", args, deposit, ADMIT_GAS)
        }

        /// Asserts the admission is refused with `needle`, the attestation
        /// contract (and the verifier) unchanged, the node charged gas only.
        #[track_caller]
        pub fn refused(
            &mut self,
            quote: &[u8],
            collateral: &str,
            weights: &[Digest32],
            challenge: &Digest32,
            needle: &str,
        ) -> Outcome {
            let node = self.node.clone();
            let verifier_before = self.b.snapshot(&self.verifier);
            let before = self.b.balance(&node);
            let (_, deposit) = self.deposits();
            let args = json!({
                "quote": b64(quote), "collateral": collateral, "public_key": self.signer.public_key().to_string(),
                "weights_digests": weights, "challenge": challenge,
                "rtmr3_event_log": self.rtmr3_event_log.as_ref().map(|log| log.iter().map(hex::encode).collect::<Vec<_>>()),
            });
            let ia = self.c.attestation.clone();
            let out = self.b.assert_refused(&ia, needle, |b| {
                b.call_gas(&node, &ia, "admit_attester_by_quote", args, deposit, ADMIT_GAS)
            });
            let burnt = out.tx.as_ref().expect("embedded outcome").tokens_burnt;
            assert_eq!(before.as_yoctonear() - self.b.balance(&node).as_yoctonear(), burnt, "the node pays gas only");
            assert!(self.b.snapshot(&self.verifier) == verifier_before, "the verifier is stateless");
            assert!(out.events_named(STD, "attester_admitted_by_quote").is_empty());
            let attester: Value = self.view("get_attester", json!({"operator": self.node}));
            assert_eq!(attester, Value::Null, "not admitted");
            out
        }

        /// Issues a challenge and admits the node with a quote binding it.
        #[track_caller]
        pub fn admit(&mut self, weights: &[Digest32]) -> Outcome {
            let challenge = self.challenge(&self.node.clone());
            let quote = self.enclave.quote(&self.report_data(&self.signer, weights, &challenge));
            let collateral = self.collateral();
            let out = self.admit_call(&quote, &collateral, weights, &challenge);
            out.assert_success();
            out
        }

        /// Admits `operator` with `signer`'s key the other way: a DAO `admit_attester` proposal.
        pub fn admit_by_dao(&mut self, operator: &AccountId, signer: &AttesterSigner) -> Outcome {
            let kind = json!({
                "type": "admit_attester", "operator": operator, "public_keys": [signer.public_key().to_string()],
                "tee_kind": "intel-tdx", "measurements": [sha("mrtd")], "models": [MODEL], "expires_at": null,
            });
            let (_, out) = self.c.pass_and_execute(&mut self.b, "admit by the dao", kind);
            out.assert_success();
            out
        }

        /// A receipt signed by `signer` for `commons-chat` `version`, signed now.
        pub fn receipt_by(
            &self,
            signer: &AttesterSigner,
            version: u32,
            weights: Digest32,
            nonce: u64,
        ) -> InferenceReceipt {
            InferenceReceipt { attester_key: signer.public_key(), ..self.receipt(version, weights, nonce) }
        }

        /// Submits `receipt` signed by `signer`, from `who`, with the required deposit.
        pub fn submit_signed(
            &mut self,
            who: &AccountId,
            signer: &AttesterSigner,
            receipt: &InferenceReceipt,
        ) -> Outcome {
            let signature = signer.sign(receipt, &sdk(&self.c.attestation));
            self.submit_with(who, receipt, signature)
        }

        fn submit_with(&mut self, who: &AccountId, receipt: &InferenceReceipt, signature: String) -> Outcome {
            let config: Value = self.view("get_config", json!({}));
            let deposit = NearToken::from_yoctonear(config["submit_deposit"].as_str().unwrap().parse().unwrap());
            let ia = self.c.attestation.clone();
            let args = json!({"receipt": receipt, "signature": signature});
            self.b.call_gas(who, &ia, "submit_receipt", args, deposit, Gas::from_teragas(100))
        }

        pub fn receipt(&self, version: u32, weights: Digest32, nonce: u64) -> InferenceReceipt {
            let salt = [nonce as u8; 32];
            InferenceReceipt {
                model_id: MODEL.to_string(),
                version,
                weights_digest: weights,
                request_commitment: commit(&salt, b"question"),
                response_commitment: commit(&salt, b"answer"),
                requester: "ursula.test.near".parse().unwrap(),
                attester_key: self.signer.public_key(),
                nonce: U64(nonce),
                timestamp: U64(self.b.block_timestamp()),
            }
        }

        /// Submits `receipt` signed by the node, from the node.
        pub fn submit(&mut self, receipt: &InferenceReceipt) -> Outcome {
            let signature = self.signer.sign(receipt, &sdk(&self.c.attestation));
            let node = self.node.clone();
            self.submit_with(&node, receipt, signature)
        }
    }
}

/// What the bench reports for hardware-rooted attesters.
pub struct TeeCosts {
    /// `verify_quote` of dcap-qvl's real TDX sample on a verifier with Intel's root.
    pub verify_intel: crate::seed::Cost,
    /// `verify_quote` of a test-CA quote on a verifier with the test root.
    pub verify_test: crate::seed::Cost,
    pub challenge: crate::seed::Cost,
    /// The whole admission, measured against inference-attestation.
    pub admission: crate::seed::Cost,
    pub admission_verifier_vm_gas: u64,
    pub admission_attestation_vm_gas: u64,
    /// A receipt (not the attester's first) by an attester the DAO admitted / admitted by quote.
    pub receipt_by_dao: crate::seed::Cost,
    pub receipt_by_quote: crate::seed::Cost,
}

/// Measures quote verification, admission by quote and receipts of both kinds of attester.
pub fn costs() -> TeeCosts {
    use crate::backend::Backend;
    use crate::community::{near, sha};
    use crate::seed::measure;
    use attestation_signer::AttesterSigner;
    use base64::Engine;
    use embedded_chain::{Chain, Gas, NearToken};
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let args = |v: Value| v.to_string().into_bytes();

    // The real sample, at a time inside its collateral's window (2025-07-01).
    let (quote, collateral) = sample("tdx_quote");
    let mut chain = Chain::starting_at(1_751_328_000 * NS);
    let verifier = chain.create_account("tee-verifier", NearToken::from_near(20));
    let caller = chain.create_account("anyone", NearToken::from_near(20));
    chain.deploy(&verifier, &wasm_build::wasm("tee-verifier", &[])).assert_success();
    chain.call(&verifier, &verifier, "new").args(args(json!({}))).transact().assert_success();
    let (verify_intel, _) = measure(&mut chain, &verifier, |c| {
        c.call(&caller, &verifier, "verify_quote")
            .args(args(json!({"quote": b64(&quote), "collateral": collateral})))
            .gas(Gas::from_teragas(300))
            .transact()
    });

    let mut w = admission::World::new();
    let now = w.b.block_timestamp();
    let test_quote = w.enclave.quote(&[3; 64]);
    let test_collateral = w.collateral();
    let (v, anyone) = (w.verifier.clone(), w.node.clone());
    let (verify_test, _) = measure(&mut w.b.chain, &v, |c| {
        c.call(&anyone, &v, "verify_quote")
            .args(args(json!({"quote": b64(&test_quote), "collateral": test_collateral})))
            .gas(Gas::from_teragas(300))
            .transact()
    });
    let ia = w.c.attestation.clone();
    let node = w.node.clone();
    let deposits: Value = w.view("get_tee_config", json!({}));
    let yocto = |k: &str| NearToken::from_yoctonear(deposits[k].as_str().expect("deposit").parse().expect("yocto"));
    let (challenge_cost, out) = measure(&mut w.b.chain, &ia, |c| {
        c.call(&node, &ia, "issue_tee_challenge").args(args(json!({}))).deposit(yocto("challenge_deposit")).transact()
    });
    let challenge: attestation_signer::Digest32 =
        serde_json::from_slice(out.status.as_ref().expect("challenge")).expect("challenge json");
    let weights = [w.weights[0]];
    let quote = w.enclave.quote(&w.report_data(&w.signer, &weights, &challenge));
    let collateral = w.enclave.collateral(now - 86_400 * NS, now + 30 * 86_400 * NS);
    let key = w.signer.public_key().to_string();
    let (admission, out) = measure(&mut w.b.chain, &ia, |c| {
        c.call(&node, &ia, "admit_attester_by_quote")
            .args(args(json!({"quote": b64(&quote), "collateral": collateral, "public_key": key,
                              "weights_digests": weights, "challenge": challenge})))
            .deposit(yocto("admission_deposit"))
            .gas(Gas::from_teragas(300))
            .transact()
    });
    let admission_verifier_vm_gas = out.vm_gas_on(&v).as_gas();
    let admission_attestation_vm_gas = out.vm_gas_on(&ia).as_gas();

    let dao_node = w.b.create_account("dao-node", near(20));
    let dao_signer = AttesterSigner::from_seed(sha("dao node").0);
    w.admit_by_dao(&dao_node, &dao_signer);
    // First receipts create the shared index counters; measure the second of each.
    w.submit(&w.receipt(1, weights[0], 1)).assert_success();
    w.submit_signed(&dao_node, &dao_signer, &w.receipt_by(&dao_signer, 1, weights[0], 1)).assert_success();
    let config: Value = w.view("get_config", json!({}));
    let deposit =
        NearToken::from_yoctonear(config["submit_deposit"].as_str().expect("deposit").parse().expect("yocto"));
    let contract: attestation_signer::AccountId = ia.as_str().parse().expect("account");
    let by_quote = w.receipt(1, weights[0], 2);
    let by_quote_sig = w.signer.sign(&by_quote, &contract);
    let (receipt_by_quote, _) = measure(&mut w.b.chain, &ia, |c| {
        c.call(&node, &ia, "submit_receipt")
            .args(args(json!({"receipt": by_quote, "signature": by_quote_sig})))
            .deposit(deposit)
            .gas(Gas::from_teragas(100))
            .transact()
    });
    let by_dao = w.receipt_by(&dao_signer, 1, weights[0], 2);
    let by_dao_sig = dao_signer.sign(&by_dao, &contract);
    let (receipt_by_dao, _) = measure(&mut w.b.chain, &ia, |c| {
        c.call(&dao_node, &ia, "submit_receipt")
            .args(args(json!({"receipt": by_dao, "signature": by_dao_sig})))
            .deposit(deposit)
            .gas(Gas::from_teragas(100))
            .transact()
    });
    TeeCosts {
        verify_intel,
        verify_test,
        challenge: challenge_cost,
        admission,
        admission_verifier_vm_gas,
        admission_attestation_vm_gas,
        receipt_by_dao,
        receipt_by_quote,
    }
}
