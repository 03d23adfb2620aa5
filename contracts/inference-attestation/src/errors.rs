//! Every message this contract fails with. Short, lowercase, grep-able.

pub use ai_commons_primitives::errors::{
    ERR_NOT_OWNER, ERR_NO_CODE, ERR_NO_STATE, ERR_PRIVATE, ERR_STATE_CORRUPT, ERR_UNKNOWN_STATE_VERSION,
};
pub const ERR_ATTESTER_UNKNOWN: &str = "attester not found";
pub const ERR_ATTESTER_REVOKED: &str = "attester is revoked; admit the node under a new operator account";
pub const ERR_ATTESTER_ALREADY_REVOKED: &str = "attester is already revoked";
// Argument rules shared with the DAO, which checks them when a proposal is created.
pub use ai_commons_primitives::validate::{
    ERR_DUPLICATE_KEY, ERR_DUPLICATE_MEASUREMENT, ERR_DUPLICATE_MODEL, ERR_EXPIRY_IN_PAST, ERR_MODELS_EMPTY,
    ERR_NO_KEYS, ERR_REASON_EMPTY, ERR_TEE_KIND_EMPTY, ERR_TOO_MANY_KEYS, ERR_TOO_MANY_MEASUREMENTS,
    ERR_TOO_MANY_MODELS,
};
pub const ERR_KEY_TAKEN: &str = "public key is already registered to another attester";
pub const ERR_CLOCK_SKEW: &str = "max_clock_skew_ns must be between 1 second and 1 day";

pub const ERR_BAD_VERSION: &str = "receipt version must be at least 1";
pub const ERR_ZERO_WEIGHTS_DIGEST: &str = "receipt weights_digest must not be zero";
pub const ERR_ZERO_COMMITMENT: &str = "receipt commitments must not be zero";
pub const ERR_KEY_UNKNOWN: &str = "attester key is not registered";
pub const ERR_KEY_NOT_OF_ATTESTER: &str = "attester key does not belong to an active attester";
pub const ERR_ATTESTER_EXPIRED: &str = "attester had expired when the receipt was signed";
pub const ERR_SIGNED_AFTER_REVOCATION: &str = "receipt was signed after the attester was revoked";
pub const ERR_MODEL_NOT_ALLOWED: &str = "attester may not serve this model";
pub const ERR_TIMESTAMP_STALE: &str = "receipt timestamp is too old";
pub const ERR_TIMESTAMP_FUTURE: &str = "receipt timestamp is in the future";
pub const ERR_BAD_SIGNATURE: &str = "invalid receipt signature";
pub const ERR_NONCE_USED: &str = "nonce already used by this attester";
pub const ERR_DEPOSIT: &str = "attach a deposit to pay for the receipt's storage";
pub const ERR_GAS: &str = "not enough gas attached for the registry check";

// Admission by TDX quote (tee.rs).
pub const ERR_TEE_KIND_RESERVED: &str = "tee_kind intel-tdx-quote is reserved for admission by quote";
pub const ERR_TEE_NOT_CONFIGURED: &str = "tee admission is not configured: no tee policy set";
pub const ERR_TEE_MEASUREMENTS_ALREADY_APPROVED: &str = "measurement set is already approved";
pub const ERR_TEE_MEASUREMENTS_UNKNOWN: &str = "measurement set is not approved";
pub use ai_commons_primitives::validate::ERR_TEE_PPID;
pub const ERR_TEE_PLATFORM_ALREADY_ALLOWED: &str = "platform is already allowed";
pub const ERR_TEE_PLATFORM_UNKNOWN: &str = "platform is not on the allow-list";
pub const ERR_TEE_CHALLENGE_DEPOSIT: &str = "attach the challenge deposit (get_tee_config)";
pub const ERR_TEE_ADMISSION_DEPOSIT: &str = "attach the admission deposit (get_tee_config)";
pub const ERR_TEE_ADMISSION_GAS: &str = "attach at least 200 tgas to admit_attester_by_quote";
pub const ERR_TEE_CHALLENGE_UNKNOWN: &str = "challenge was not issued or was already used";
pub const ERR_TEE_CHALLENGE_NOT_YOURS: &str = "challenge was issued to another account";
pub const ERR_TEE_CHALLENGE_EXPIRED: &str = "challenge has expired";
pub const ERR_TEE_RTMR3_LOG_TOO_LONG: &str = "rtmr3_event_log has too many entries";
pub const ERR_TEE_NO_WEIGHTS: &str = "weights_digests must not be empty";
pub const ERR_TEE_TOO_MANY_WEIGHTS: &str = "too many weights_digests";
pub const ERR_TEE_WEIGHTS_ORDER: &str = "weights_digests must be ascending without duplicates";
pub const ERR_TEE_OPERATOR_DAO_ADMITTED: &str = "operator was admitted by the dao; it cannot be admitted by quote";
pub const ERR_TEE_ADMISSION_REFUSED: &str = "tee admission refused";
pub const ERR_TEE_QUOTE_NOT_VERIFIED: &str = "the verifier did not verify the quote";
pub const ERR_TEE_NOT_TDX: &str = "quote is not a tdx quote";
pub const ERR_TEE_TCB_STATUS: &str = "tcb status is not accepted";
pub const ERR_TEE_MEASUREMENTS_NOT_APPROVED: &str = "measurements are not approved";
pub const ERR_TEE_PLATFORM_NOT_ALLOWED: &str = "platform is not allowed";
pub const ERR_TEE_REPORT_DATA: &str = "report data does not bind this admission";
pub const ERR_TEE_NOT_QUOTE_ADMITTED: &str = "attester was not admitted by quote";
pub const ERR_TEE_STILL_VALID: &str = "attester's admission is still valid";
pub const ERR_TEE_MEASUREMENTS_WITHDRAWN: &str = "attester's measurement set was withdrawn";
pub const ERR_TEE_PLATFORM_WITHDRAWN: &str = "attester's platform was withdrawn";
pub const ERR_TEE_ADMISSION_EXPIRED: &str = "attester's admission by quote expired";
pub const ERR_TEE_WEIGHTS_NOT_BOUND: &str = "receipt weights were not bound in the attester's quote";
