//! tee-verifier: checks an Intel TDX or SGX DCAP quote with its collateral at
//! block time and returns the verified report.
//!
//! Stateless apart from its root of trust, which is fixed at `new` and never
//! changes: there is no owner, no upgrade method and no migration. Deployed
//! with no argument it trusts Intel's SGX Root CA (embedded in the code);
//! deployed with another root (tests, local demos) its `get_root_ca` view says
//! `intel_sgx_root: false`, so nobody can mistake it for a production
//! verifier. Policy (which TCB statuses and measurements are acceptable) is
//! the caller's: see inference-attestation.

use ai_commons_primitives::Digest32;
use near_sdk::json_types::Base64VecU8;
use near_sdk::{env, near, require, PanicOnDefault};

pub mod errors;
pub mod events;
#[cfg(test)]
mod tests;
pub mod verify;
pub mod views;

use errors::*;

/// Intel SGX Root CA (DER), as Intel publishes it at
/// <https://certificates.trustedservices.intel.com/Intel_SGX_Provisioning_Certification_RootCA.cer>.
/// SHA-256 `44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3`.
pub const INTEL_SGX_ROOT_CA_DER: &[u8] = include_bytes!("../res/intel_sgx_root_ca.der");

#[near(contract_state)]
#[derive(PanicOnDefault)]
pub struct Contract {
    /// DER of the root CA every quote's certificate chains must end in.
    root_ca_der: Vec<u8>,
}

#[near]
impl Contract {
    /// Creates the verifier. Who may call: the deployer, once. Deposit: none.
    /// `root_ca_der`: omit it to trust Intel's SGX Root CA (production); pass
    /// another root only for tests. Emits `verifier_created`.
    #[init]
    pub fn new(root_ca_der: Option<Base64VecU8>) -> Self {
        let root_ca_der = root_ca_der.map_or_else(|| INTEL_SGX_ROOT_CA_DER.to_vec(), |r| r.0);
        require!(!root_ca_der.is_empty(), ERR_ROOT_CA_EMPTY);
        // A root that cannot anchor any chain would make every call fail: refuse it now.
        require!(verify::is_certificate(&root_ca_der), ERR_ROOT_CA_INVALID);
        let this = Self { root_ca_der };
        events::VerifierEvent::VerifierCreated {
            root_ca_sha256: this.root_ca_sha256(),
            intel_sgx_root: this.is_intel_root(),
        }
        .emit();
        this
    }
}

impl Contract {
    pub(crate) fn root_ca_sha256(&self) -> Digest32 {
        Digest32(env::sha256_array(&self.root_ca_der))
    }

    pub(crate) fn is_intel_root(&self) -> bool {
        self.root_ca_der == INTEL_SGX_ROOT_CA_DER
    }
}
