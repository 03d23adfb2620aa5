//! NEP-297 events, standard `tee_verifier`, version `1.0.0`. The contract
//! changes state once, at `new`; verifying a quote changes nothing.

use ai_commons_primitives::Digest32;
use near_sdk::near;

#[near(event_json(standard = "tee_verifier"))]
#[derive(Debug)]
pub enum VerifierEvent {
    /// The verifier was created with this root of trust.
    #[event_version("1.0.0")]
    VerifierCreated { root_ca_sha256: Digest32, intel_sgx_root: bool },
}
