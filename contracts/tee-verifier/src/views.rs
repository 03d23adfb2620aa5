//! Views.

use crate::{Contract, ContractExt};
use ai_commons_primitives::Digest32;
use near_sdk::json_types::Base64VecU8;
use near_sdk::near;

/// The root of trust of this deployment.
#[near(serializers = [json])]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootCaView {
    /// True only when the root is Intel's SGX Root CA: a verifier deployed
    /// with a test root says `false` here.
    pub intel_sgx_root: bool,
    pub sha256: Digest32,
    pub der: Base64VecU8,
}

#[near]
impl Contract {
    /// The root CA every verified quote chains to, and whether it is Intel's.
    pub fn get_root_ca(&self) -> RootCaView {
        RootCaView {
            intel_sgx_root: self.is_intel_root(),
            sha256: self.root_ca_sha256(),
            der: Base64VecU8(self.root_ca_der.clone()),
        }
    }

    /// The crate version of this code, e.g. `"0.1.0"`.
    pub fn contract_version(&self) -> String {
        env!("CARGO_PKG_VERSION").to_string()
    }
}
