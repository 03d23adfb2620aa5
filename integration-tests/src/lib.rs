//! End-to-end scenarios of AI Commons, the lifecycle demo and the cost bench.
//!
//! - [`backend`]: the embedded chain and (feature `sandbox`) a near-workspaces
//!   sandbox behind one interface, so each scenario is written once.
//! - [`community`]: deploys and wires the four contracts as one community and
//!   gives typed helpers for what members, publishers, users and attesters do.
//! - [`lifecycle`]: a community's whole life, step by step, with a transcript.
//! - [`membership`]: what membership at scale costs (batches, list claims, leaving).
//! - [`tdx`]: Intel TDX quotes for tests: dcap-qvl's real samples, and a test
//!   enclave that quotes under the TEST root CA in `fixtures/tee-test-ca`.

pub mod backend;
pub mod community;
pub mod failures;
pub mod fuzz;
pub mod lifecycle;
pub mod membership;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod seed;
pub mod tdx;

pub use backend::{Backend, BackendExt, Embedded, Outcome};
pub use community::{Community, Wasm};
