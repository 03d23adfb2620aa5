//! The quote check: dcap-qvl with the RustCrypto backend, at block time.

use crate::errors::*;
use crate::{Contract, ContractExt};
use ai_commons_primitives::tee::{
    AdmissionReport, Measurement48, ReportData, TeeType, VerifiedQuote, MAX_RTMR3_EVENTS,
};
use ai_commons_primitives::Digest32;
use dcap_qvl::config::X509Codec;
use dcap_qvl::configs::RustCryptoConfig;
use dcap_qvl::quote::Report;
use dcap_qvl::tcb_info::TcbInfo;
use dcap_qvl::verify::QuoteVerifier;
use dcap_qvl::{QuoteClaims, QuoteCollateralV3};
use near_sdk::json_types::{Base64VecU8, U64};
use near_sdk::{env, near, require, serde_json};

const NS_PER_SEC: u64 = 1_000_000_000;

/// Intel's TCB info lists the TCB levels still rated for a platform family
/// (FMSPC); a platform below all of them matches none, and dcap-qvl, like
/// Intel's QVL, would then fail the quote without a report. Such a platform
/// is at least as out of date as the lowest level listed, so it is rated as
/// that level: same status (`OutOfDate`, or `Revoked`), same advisories, same
/// date. This runs after the TCB info's signature was checked and only adds a
/// level below every listed one, so a platform that meets a listed level is
/// rated exactly as Intel rates it.
fn rate_platforms_below_the_listed_levels(mut tcb_info: TcbInfo) -> TcbInfo {
    let floor = tcb_info.tcb_levels.iter().min_by(|a, b| {
        let key = |l: &dcap_qvl::tcb_info::TcbLevel| {
            (
                l.tcb.sgx_components.iter().map(|c| c.svn).collect::<Vec<_>>(),
                l.tcb.pce_svn,
                l.tcb.tdx_components.iter().map(|c| c.svn).collect::<Vec<_>>(),
            )
        };
        key(a).cmp(&key(b))
    });
    if let Some(lowest) = floor.cloned() {
        let mut level = lowest;
        level.tcb.sgx_components.iter_mut().for_each(|c| c.svn = 0);
        level.tcb.tdx_components.iter_mut().for_each(|c| c.svn = 0);
        level.tcb.pce_svn = 0;
        tcb_info.tcb_levels.push(level);
    }
    tcb_info
}

impl Contract {
    /// dcap-qvl's verification at block time against this deployment's root:
    /// no policy is applied (this contract reports, the caller decides).
    fn verified_claims(&self, quote: &[u8], collateral: &str) -> QuoteClaims {
        require!(!quote.is_empty(), ERR_QUOTE_EMPTY);
        let collateral: QuoteCollateralV3 =
            serde_json::from_str(collateral).unwrap_or_else(|_| env::panic_str(ERR_COLLATERAL_JSON));
        let claims = QuoteVerifier::<RustCryptoConfig>::new_with_config(self.root_ca_der.clone())
            .dangerous_verify_claims_with_tcb_override(
                quote,
                collateral,
                env::block_timestamp() / NS_PER_SEC,
                rate_platforms_below_the_listed_levels,
            )
            .unwrap_or_else(|e| env::panic_str(&format!("{ERR_QUOTE_REJECTED}: {e:#}")));
        claims
    }
}

#[near]
impl Contract {
    /// Verifies `quote` (raw DCAP quote bytes) with `collateral` (the JSON of
    /// its collateral: TCB info, QE identity, CRLs and issuer chains, as a
    /// PCCS client returns it) at the current block time, against this
    /// deployment's root CA, and returns the verified report. Fails with
    /// `quote verification failed: <reason>` when any signature, chain, CRL or
    /// validity window does not check out. A platform below every TCB level
    /// the collateral lists is reported with the lowest level's status and
    /// advisories (see `rate_platforms_below_the_listed_levels`). Any account
    /// may call; no deposit; changes nothing and emits nothing.
    pub fn verify_quote(&self, quote: Base64VecU8, collateral: String) -> VerifiedQuote {
        let claims = self.verified_claims(&quote.0, &collateral);
        to_verified_quote(&claims, env::block_timestamp(), self.root_ca_sha256())
    }

    /// `verify_quote` for contracts: borsh in (`quote` bytes, `collateral`
    /// JSON string, `rtmr3_event_log`) and out (an `AdmissionReport`: the
    /// report's fields an admission needs), so the caller decodes no JSON.
    /// A non-empty `rtmr3_event_log` (at most `MAX_RTMR3_EVENTS` 48-byte
    /// digests, in the order the TD extended them) must replay to the quote's
    /// RTMR3 (`r = 0^48; r = SHA-384(r ‖ digest)` for each), or the call fails
    /// with `rtmr3 event log does not replay to the quote's rtmr3`; the report
    /// then carries it, so the caller may look for an entry it pinned. Any
    /// account may call; no deposit; changes nothing and emits nothing.
    #[result_serializer(borsh)]
    pub fn verify_quote_for_admission(
        &self,
        #[serializer(borsh)] quote: Vec<u8>,
        #[serializer(borsh)] collateral: String,
        #[serializer(borsh)] rtmr3_event_log: Vec<Measurement48>,
    ) -> AdmissionReport {
        require!(rtmr3_event_log.len() <= MAX_RTMR3_EVENTS, ERR_RTMR3_LOG_TOO_LONG);
        let claims = self.verified_claims(&quote, &collateral);
        let mut report = to_admission_report(&claims, env::block_timestamp(), self.root_ca_sha256());
        if !rtmr3_event_log.is_empty() {
            let rtmr3 =
                report.td_registers.as_ref().map(|r| r[4]).unwrap_or_else(|| env::panic_str(ERR_RTMR3_LOG_NOT_TDX));
            require!(replay_rtmr(&rtmr3_event_log) == rtmr3, ERR_RTMR3_LOG_MISMATCH);
            report.rtmr3_event_log = rtmr3_event_log;
        }
        report
    }
}

/// The value a TDX runtime register holds after extending `log` in order
/// from zero: `r = SHA-384(r ‖ digest)` for each digest.
pub fn replay_rtmr(log: &[Measurement48]) -> Measurement48 {
    use sha2::{Digest, Sha384};
    let mut r = [0u8; 48];
    for digest in log {
        let next = Sha384::new().chain_update(r).chain_update(digest.0).finalize();
        r.copy_from_slice(&next);
    }
    Measurement48(r)
}

fn to_admission_report(claims: &QuoteClaims, now_ns: u64, root_ca_sha256: Digest32) -> AdmissionReport {
    let pck = &claims.platform.pck;
    let (tee, td_registers, report_data) = match &claims.report {
        Report::SgxEnclave(r) => (TeeType::Sgx, None, r.report_data),
        report => {
            let td = report.as_td10().unwrap_or_else(|| env::panic_str(ERR_QUOTE_TEE_UNKNOWN));
            let m = Measurement48;
            (TeeType::Tdx, Some([m(td.mr_td), m(td.rt_mr0), m(td.rt_mr1), m(td.rt_mr2), m(td.rt_mr3)]), td.report_data)
        }
    };
    AdmissionReport {
        tee,
        tcb_status: claims.tcb.status.to_string(),
        advisory_ids: claims.tcb.advisory_ids.clone(),
        td_registers,
        report_data: ReportData(report_data),
        ppid: hex::encode(&pck.ppid),
        fmspc: hex::encode(pck.fmspc),
        verified_at: now_ns,
        collateral_expires_at: claims.earliest_expiration_date.saturating_mul(NS_PER_SEC),
        root_ca_sha256,
        rtmr3_event_log: Vec::new(),
    }
}

fn to_verified_quote(claims: &QuoteClaims, now_ns: u64, root_ca_sha256: Digest32) -> VerifiedQuote {
    let pck = &claims.platform.pck;
    let mut out = VerifiedQuote {
        tee: TeeType::Tdx,
        tcb_status: claims.tcb.status.to_string(),
        advisory_ids: claims.tcb.advisory_ids.clone(),
        mr_td: None,
        rtmr0: None,
        rtmr1: None,
        rtmr2: None,
        rtmr3: None,
        mr_enclave: None,
        mr_signer: None,
        report_data: Base64VecU8(Vec::new()),
        ppid: hex::encode(&pck.ppid),
        fmspc: hex::encode(pck.fmspc),
        verified_at: U64(now_ns),
        collateral_expires_at: U64(claims.earliest_expiration_date.saturating_mul(NS_PER_SEC)),
        root_ca_sha256,
    };
    match &claims.report {
        Report::SgxEnclave(r) => {
            out.tee = TeeType::Sgx;
            out.mr_enclave = Some(Digest32(r.mr_enclave));
            out.mr_signer = Some(Digest32(r.mr_signer));
            out.report_data = Base64VecU8(r.report_data.to_vec());
        }
        report => {
            let td = report.as_td10().unwrap_or_else(|| env::panic_str(ERR_QUOTE_TEE_UNKNOWN));
            out.mr_td = Some(Measurement48(td.mr_td));
            out.rtmr0 = Some(Measurement48(td.rt_mr0));
            out.rtmr1 = Some(Measurement48(td.rt_mr1));
            out.rtmr2 = Some(Measurement48(td.rt_mr2));
            out.rtmr3 = Some(Measurement48(td.rt_mr3));
            out.report_data = Base64VecU8(td.report_data.to_vec());
        }
    }
    out
}

/// Whether `der` parses as an X.509 certificate.
pub(crate) fn is_certificate(der: &[u8]) -> bool {
    dcap_qvl::x509::X509CertBackend::from_der(der).is_ok()
}
