//! Every message this contract fails with. Short, lowercase, grep-able.

pub const ERR_ROOT_CA_EMPTY: &str = "root_ca_der must not be empty";
pub const ERR_ROOT_CA_INVALID: &str = "root_ca_der is not a p-256 certificate";
pub const ERR_QUOTE_EMPTY: &str = "quote must not be empty";
pub const ERR_COLLATERAL_JSON: &str = "collateral is not valid collateral json";
/// Followed by `: ` and dcap-qvl's reason (expired collateral, bad signature, ...).
pub const ERR_QUOTE_REJECTED: &str = "quote verification failed";
pub const ERR_QUOTE_TEE_UNKNOWN: &str = "quote tee type is neither tdx nor sgx";
pub const ERR_RTMR3_LOG_TOO_LONG: &str = "rtmr3 event log has too many entries";
pub const ERR_RTMR3_LOG_NOT_TDX: &str = "an rtmr3 event log needs a tdx quote";
pub const ERR_RTMR3_LOG_MISMATCH: &str = "rtmr3 event log does not replay to the quote's rtmr3";
