//! Every error message of the community DAO: short, lowercase, stable, grep-able.
//! Messages that carry a value are built as `"{ERR_X}: detail"`.

pub use ai_commons_primitives::errors::{ERR_NO_STATE, ERR_PRIVATE, ERR_UNKNOWN_STATE_VERSION};
pub const ERR_NOT_MEMBER: &str = "caller is not a member";
pub const ERR_CANNOT_PROPOSE: &str = "caller has no role that may propose this kind";
pub const ERR_NO_ELECTORATE: &str = "no member may vote on this kind";
pub const ERR_DEPOSIT: &str = "wrong deposit";
pub const ERR_PROPOSAL_NOT_FOUND: &str = "proposal not found";
pub const ERR_NOT_ACTIVE: &str = "proposal is not active";
pub const ERR_VOTING_OVER: &str = "voting period is over";
pub const ERR_VOTING_NOT_OVER: &str = "voting period is not over";
pub const ERR_NOT_ELIGIBLE: &str = "caller held no voting role for this proposal when it was created";
pub const ERR_NOT_PROPOSER: &str = "only the proposer may cancel";
pub const ERR_HAS_VOTES: &str = "proposal already has votes";
pub const ERR_ALREADY_EXECUTED: &str = "proposal already executed";
pub const ERR_NOT_PASSED: &str = "proposal has not passed";
pub const ERR_TIMELOCK: &str = "timelock not over";
pub const ERR_IN_FLIGHT: &str = "execution already in progress";
pub const ERR_NO_EXECUTION: &str = "no execution in progress";
pub const ERR_GAS: &str = "not enough gas attached";
pub const ERR_CODE_EMPTY: &str = "code is empty";
pub const ERR_CODE_EXISTS: &str = "code already stored";
pub const ERR_CODE_NOT_FOUND: &str = "code not stored";
pub const ERR_NOT_INITIALIZED: &str = "the DAO is not initialized";
pub const ERR_BAD_STATE: &str = "cannot read the DAO state";

// Argument validation (init and proposal kinds).
pub const ERR_TOO_MANY_ROLES: &str = "too many roles";
pub const ERR_DUPLICATE_ROLE: &str = "duplicate role";
pub const ERR_UNKNOWN_ROLE: &str = "unknown role";
pub const ERR_MEMBER_ROLES: &str = "a member needs 1 to 4 distinct roles";
pub const ERR_DUPLICATE_MEMBER: &str = "duplicate member";
pub const ERR_TOO_MANY_MEMBERS: &str = "too many initial members";
pub const ERR_NO_MEMBERS: &str = "at least one member is required";
pub const ERR_ALREADY_MEMBER: &str = "account is already a member";
pub const ERR_UNKNOWN_MEMBER: &str = "account is not a member";
pub const ERR_LAST_MEMBER: &str = "cannot remove the last member";
pub const ERR_BAD_FRACTION: &str = "fraction must have 0 < den and num <= den";
pub const ERR_BAD_THRESHOLD: &str = "threshold must have 0 < num <= den";
pub const ERR_BAD_PERIOD: &str = "voting period must be 1 second to 365 days";
pub const ERR_BAD_TIMELOCK: &str = "timelock must be at most 365 days";
pub const ERR_ZERO_AMOUNT: &str = "amount must be positive";
pub const ERR_SELF_TARGET: &str = "the dao itself cannot be the target; use the typed proposal kinds";
pub const ERR_BAD_ACTIONS: &str = "function calls need 1 to 8 actions";
pub const ERR_BAD_METHOD: &str = "method name must be 1 to 256 bytes";
pub const ERR_BAD_GAS: &str = "action gas must be 1 to 250 Tgas in total";
pub const ERR_NOTHING_TO_SET: &str = "set at least one community contract";
pub const ERR_BAD_VERSION: &str = "version must be at least 1";
pub const ERR_REGISTRY_UNSET: &str = "registry contract is not set";
pub const ERR_ATTESTATION_UNSET: &str = "attestation contract is not set";
pub const ERR_CONSENT_UNSET: &str = "consent contract is not set";
pub const ERR_INSUFFICIENT_TREASURY: &str = "insufficient treasury";
/// The free treasury cannot cover what a new proposal may cost the DAO (its votes, its execution).
pub const ERR_RESERVE: &str = "treasury cannot cover the reserve of this proposal; top up the dao";
/// Prefix of a target contract's own message when a proposal breaks one of its rules.
pub const ERR_TARGET_REFUSES: &str = "refused at creation, the target contract would refuse it";

// Delegation.
pub const ERR_SELF_DELEGATION: &str = "cannot delegate to yourself";
pub const ERR_EMPTY_SCOPE: &str = "scope must name at least one proposal kind";
pub const ERR_BAD_DELEGATE: &str = "delegate is neither a member nor a community agent";
pub const ERR_SAME_DELEGATION: &str = "this delegation is already in place";
pub const ERR_NO_DELEGATION: &str = "caller has no delegation";
pub const ERR_TOO_MANY_BUCKETS: &str =
    "delegate holds too many distinct delegation terms; reuse an existing expiry or scope";
pub const ERR_DELEGATION_CHANGED: &str =
    "delegation changed twice since this proposal was created; its delegate votes for you on it";

// Community agents.
pub const ERR_NOT_AGENT: &str = "caller is not a community agent";
pub const ERR_UNKNOWN_AGENT: &str = "account is not a community agent";
pub const ERR_AGENT_EXISTS: &str = "account is already a community agent";
pub const ERR_AGENT_IS_MEMBER: &str = "a member cannot be registered as an agent";
pub const ERR_AGENT_STATUS: &str = "agent is already suspended or retired";
pub const ERR_AGENT_RETIRED: &str = "a retired agent cannot be changed";
pub const ERR_CANNOT_SUSPEND: &str = "caller holds no role the policy lets suspend agents at once";
pub const ERR_AGENT_INACTIVE: &str = "agent is suspended, retired or expired";
pub const ERR_AGENT_SCOPE: &str = "agent mandate does not cover this proposal kind";
pub const ERR_AGENT_VOTED: &str = "agent already voted on this proposal";
pub const ERR_AGENT_NO_WEIGHT: &str = "agent carries no delegated weight on this proposal";
pub const ERR_AGENT_MODEL: &str = "agent model needs a version of at least 1 or an alias, not both";
pub const ERR_EMPTY_MANDATE: &str = "mandate uri must not be empty";
pub const ERR_RECEIPT_CALL: &str = "could not read the receipt from the attestation contract";
pub const ERR_RECEIPT_NOT_FOUND: &str = "receipt not found";
pub const ERR_RECEIPT_REQUESTER: &str = "receipt was requested by another account";
pub const ERR_RECEIPT_MODEL: &str = "receipt model or version does not match the agent mandate";
pub const ERR_RECEIPT_ATTESTER_REVOKED: &str = "receipt attester is revoked";
pub const ERR_RECEIPT_TOO_OLD: &str = "receipt was signed before the proposal was created";
pub const ERR_ALIAS_UNSET: &str = "the mandate alias points to no version";

// Shared with the contracts the DAO proposes to (their messages, so a refusal reads the same everywhere).
pub use ai_commons_primitives::validate::{
    ERR_EXPIRY_IN_PAST as ERR_EXPIRY_PAST, ERR_REASON_EMPTY as ERR_EMPTY_REASON,
};
// Membership at scale (`membership.rs`).
pub const ERR_BATCH_SIZE: &str = "a batch needs 1 to 100 accounts";
pub const ERR_CLAIM_DEADLINE_PAST: &str = "claim deadline must be in the future";
pub const ERR_ZERO_ROOT: &str = "membership root must not be zero";
pub const ERR_LIST_NOT_FOUND: &str = "membership list not found";
pub const ERR_CLAIM_CLOSED: &str = "claim deadline has passed";
pub const ERR_ALREADY_CLAIMED: &str = "membership already claimed from this list";
pub const ERR_PROOF_TOO_LONG: &str = "proof is too long";
pub const ERR_BAD_PROOF: &str = "proof does not match the membership list";

/// `"{prefix}: {detail}"`, the form of every message that names a value, built
/// without `format!`: each `format!` call site inlines its own formatting
/// setup, and the DAO has a few dozen of these messages (wasm size, which
/// every call pays to load).
pub(crate) fn err_with(prefix: &str, detail: &str) -> String {
    [prefix, ": ", detail].concat()
}
