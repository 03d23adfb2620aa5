//! Every message this contract fails with. Short, lowercase, grep-able, and
//! each one says what was wrong. Messages that carry numbers are formatted at
//! the call site from the prefix here.

// Authorization.
pub const ERR_NOT_USER_OR_MANAGER: &str = "caller is neither the user nor a manager the user named";
pub const ERR_MANAGER_EXPIRED: &str = "manager authorization has expired";
pub const ERR_MANAGER_OUT_OF_SCOPE: &str = "manager is not authorized for this grantee";
pub const ERR_MANAGER_IS_USER: &str = "a user cannot name themselves as manager";
pub const ERR_NO_MANAGER: &str = "no such manager for this user";
pub use ai_commons_primitives::errors::{
    ERR_NOT_OWNER, ERR_NO_CODE, ERR_NO_STATE, ERR_PRIVATE, ERR_STATE_CORRUPT, ERR_UNKNOWN_STATE_VERSION,
};
pub const ERR_UPGRADES_DISABLED: &str = "upgrades are disabled: the contract has no owner";

// Arguments.
pub const ERR_EXPIRY_NOT_FUTURE: &str = "expires_at must be in the future";
pub const ERR_CATEGORIES_EMPTY: &str = "categories must not be empty: omit them to cover all data";
pub const ERR_CATEGORIES_TOO_MANY: &str = "too many categories";
pub const ERR_CATEGORY_DUPLICATE: &str = "duplicate category";
pub const ERR_BATCH_TOO_LARGE: &str = "too many users in one batch";

// Grants and snapshots.
pub const ERR_NO_GRANT: &str = "no grant for this user, grantee and purpose";
pub const ERR_GRANT_NOT_ACTIVE: &str = "grant is already revoked";
pub const ERR_UNKNOWN_SNAPSHOT: &str = "unknown snapshot id";

// Storage (NEP-145).
pub const ERR_NOT_REGISTERED: &str = "account has no storage balance: call storage_deposit for it first";
pub const ERR_STORAGE_SHORT: &str = "insufficient storage balance";
pub const ERR_DEPOSIT_BELOW_MIN: &str = "deposit is below the minimum storage balance";
pub const ERR_ZERO_DEPOSIT: &str = "attach a deposit to add to the storage balance";
pub const ERR_ONE_YOCTO: &str = "requires attached deposit of exactly 1 yoctoNEAR";
pub const ERR_WITHDRAW_TOO_MUCH: &str = "amount exceeds the available storage balance";
pub const ERR_ACCOUNT_NOT_EMPTY: &str =
    "account still stores grants, managers or consent history: delete grants and remove managers first (consent history is permanent)";

// Broken internal invariants (never expected; named so they are grep-able).
pub const ERR_INDEX_CORRUPT: &str = "internal: grant index out of sync";
pub const ERR_REVOKE_GREW_STORAGE: &str = "internal: revoke must not grow storage";
