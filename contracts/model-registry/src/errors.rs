//! Every failure message of the contract. Messages are stable (clients and
//! tests match on them), short, lowercase and say what was wrong.
//!
//! Size and slug violations use the shared formatters `validate_bounded` /
//! `validate_slug` ("<field> is too long: N bytes, at most M"); a short storage
//! deposit fails inside `StorageMeter::charge` ("insufficient deposit for
//! storage: ...").

// Access.
pub use ai_commons_primitives::errors::{
    ERR_NOT_OWNER, ERR_NO_CODE, ERR_NO_STATE, ERR_PRIVATE, ERR_STATE_CORRUPT, ERR_UNKNOWN_STATE_VERSION,
};
pub const ERR_NOT_ALLOWED_PUBLISHER: &str = "caller is not an allowed publisher";
pub const ERR_NOT_MODEL_PUBLISHER: &str = "only the model's publisher may submit versions";
pub const ERR_ALIAS_PROTECTED: &str = "alias is protected: only the owner may move it";
pub const ERR_NOT_ALIAS_SETTER: &str = "only the model's publisher or the owner may move this alias";

// Lookups.
pub const ERR_MODEL_EXISTS: &str = "model id is already registered";
pub const ERR_MODEL_NOT_FOUND: &str = "model not found";
pub const ERR_VERSION_NOT_FOUND: &str = "version not found";
pub const ERR_PARENT_NOT_FOUND: &str = "parent version not found";
pub const ERR_ALIAS_NOT_SET: &str = "alias does not point to a version";

// Arguments.
pub const ERR_DIGEST_REGISTERED: &str = "weights digest is already registered";
pub const ERR_ZERO_WEIGHTS_DIGEST: &str = "weights_digest must not be all zeros";
pub const ERR_ZERO_CARD_DIGEST: &str = "card_digest must not be all zeros";
pub const ERR_ZERO_CODE_DIGEST: &str = "code_digest must not be all zeros";
pub const ERR_ZERO_PARENT_DIGEST: &str = "parent digest must not be all zeros";
pub const ERR_CONSENT_PAIR: &str = "consent_contract and consent_snapshot_id must be given together";
pub const ERR_EMPTY_NAME: &str = "name must not be empty";
pub const ERR_EMPTY_TASK: &str = "task must not be empty";
pub const ERR_EMPTY_LICENSE: &str = "license must not be empty";
pub const ERR_EMPTY_ARTIFACT_URI: &str = "artifact_uri must not be empty";
/// Shared with the DAO (`ai_commons_primitives::validate::validate_reason`).
pub use ai_commons_primitives::validate::ERR_REASON_EMPTY as ERR_EMPTY_REASON;

// State transitions.
pub const ERR_APPROVE_NOT_SUBMITTED: &str = "only a submitted version can be approved";
pub const ERR_DEPRECATE_NOT_APPROVED: &str = "only an approved version can be deprecated";
pub const ERR_ALREADY_REVOKED: &str = "version is already revoked";
pub const ERR_ALIAS_TARGET_NOT_APPROVED: &str = "an alias may only point to an approved version";
pub const ERR_ALIAS_UNCHANGED: &str = "alias already points to this version";
pub const ERR_TOO_MANY_ALIASES: &str = "model already has the maximum number of aliases";
pub const ERR_TOO_MANY_PROTECTED_ALIASES: &str = "protected alias set is full";
pub const ERR_PROTECTION_UNCHANGED: &str = "alias protection already has this value";
pub const ERR_OPEN_PUBLISHING_UNCHANGED: &str = "open publishing already has this value";
pub const ERR_PUBLISHER_EXISTS: &str = "account is already a publisher";
pub const ERR_PUBLISHER_NOT_FOUND: &str = "account is not a publisher";
pub const ERR_SAME_OWNER: &str = "new owner is already the owner";
