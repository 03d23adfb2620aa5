//! Shared primitives of the AI Commons contract suite.
//!
//! Everything here is used by more than one contract (or by a contract and its
//! off-chain clients): 32-byte digests, slugs, the consent purposes and model
//! version statuses that cross contract boundaries, pagination, storage
//! charging, the upgrade convention and shared error wording, and the
//! `#[ext_contract]` interfaces the contracts call each other
//! through.

pub mod code;
pub mod digest;
pub mod errors;
pub mod ids;
pub mod interfaces;
pub mod membership;
pub mod pagination;
pub mod receipt;
pub mod storage;
pub mod tee;
pub mod types;
pub mod upgrade;
pub mod validate;

pub use code::validate_wasm;
pub use digest::Digest32;
pub use ids::{validate_bounded, validate_slug, ModelId, VersionNumber};
pub use pagination::{Page, DEFAULT_LIMIT, MAX_LIMIT};
pub use storage::StorageMeter;
pub use types::{ConsentPurpose, VersionStatus, VersionStatusView};
pub use upgrade::StateVersion;

/// NEP-297 event version used by every contract in the suite.
pub const EVENT_VERSION: &str = "1.0.0";
