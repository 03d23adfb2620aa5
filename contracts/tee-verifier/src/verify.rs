//! The quote check: dcap-qvl with the RustCrypto backend, at block time.

use crate::errors::*;
use crate::{Contract, ContractExt};
use ai_commons_primitives::tee::{Measurement48, TeeType, VerifiedQuote};
use ai_commons_primitives::Digest32;
use dcap_qvl::config::X509Codec;
use dcap_qvl::configs::RustCryptoConfig;
use dcap_qvl::quote::Report;
use dcap_qvl::verify::QuoteVerifier;
use dcap_qvl::{Policy, QuoteClaims, QuoteCollateralV3};
use near_sdk::json_types::{Base64VecU8, U64};
use near_sdk::{env, near, require, serde_json};

const NS_PER_SEC: u64 = 1_000_000_000;

/// Accepts every verified quote: this contract reports, the caller decides.
struct ReportOnly;

impl Policy for ReportOnly {
    fn validate(&self, _claims: &QuoteClaims) -> anyhow::Result<()> {
        Ok(())
    }
}

#[near]
impl Contract {
    /// Verifies `quote` (raw DCAP quote bytes) with `collateral` (the JSON of
    /// its collateral: TCB info, QE identity, CRLs and issuer chains, as a
    /// PCCS client returns it) at the current block time, against this
    /// deployment's root CA, and returns the verified report. Fails with
    /// `quote verification failed: <reason>` when any signature, chain, CRL or
    /// validity window does not check out. Any account may call; no deposit;
    /// changes nothing and emits nothing.
    pub fn verify_quote(&self, quote: Base64VecU8, collateral: String) -> VerifiedQuote {
        require!(!quote.0.is_empty(), ERR_QUOTE_EMPTY);
        let collateral: QuoteCollateralV3 =
            serde_json::from_str(&collateral).unwrap_or_else(|_| env::panic_str(ERR_COLLATERAL_JSON));
        let now_ns = env::block_timestamp();
        let claims = QuoteVerifier::<RustCryptoConfig>::new_with_config(self.root_ca_der.clone())
            .verify_with_policy(&quote.0, collateral, now_ns / NS_PER_SEC, &ReportOnly)
            .unwrap_or_else(|e| env::panic_str(&format!("{ERR_QUOTE_REJECTED}: {e:#}")));
        to_verified_quote(&claims, now_ns, self.root_ca_sha256())
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
