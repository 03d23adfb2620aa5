//! Every size bound of the registry, in one place. Bounds keep each stored
//! value small and each change method's storage cost predictable.

/// Human-readable model name.
pub const MAX_NAME_LEN: usize = 128;
/// Task the model performs (e.g. "text-generation").
pub const MAX_TASK_LEN: usize = 64;
/// License identifier (SPDX expression or a short name).
pub const MAX_LICENSE_LEN: usize = 64;
/// Model card URI and artifact URI.
pub const MAX_URI_LEN: usize = 512;
/// Free-form version metadata (typically a small JSON document).
pub const MAX_METADATA_LEN: usize = 2048;
/// Reason recorded with a deprecation or revocation (shared with the DAO, which
/// checks it when a proposal is created).
pub use ai_commons_primitives::validate::MAX_REASON_LEN;
/// Aliases a model's publisher may create: a publisher creates a new alias
/// only while the model has fewer than this many.
pub const MAX_ALIASES_PER_MODEL: u32 = 16;
/// Size of the protected-alias set (returned whole by `get_config`).
pub const MAX_PROTECTED_ALIASES: u32 = 16;
/// Room above `MAX_ALIASES_PER_MODEL` that only the owner can use, so a
/// publisher filling its own room never stops the owner from creating an
/// alias: at least this many more (every protected alias fits) stay free.
pub const OWNER_RESERVED_ALIASES: u32 = MAX_PROTECTED_ALIASES;
/// Aliases one model may have in all. Revoking a version visits each of the
/// model's aliases once, so this bound is also the bound on that loop.
pub const MAX_ALIAS_SLOTS_PER_MODEL: u32 = MAX_ALIASES_PER_MODEL + OWNER_RESERVED_ALIASES;
/// Protected aliases a new registry starts with.
pub const DEFAULT_PROTECTED_ALIASES: [&str; 1] = ["production"];
