//! Failure messages every contract of the suite shares, so an owner check, a
//! private method or an upgrade fails with the same words in all four.
//! Each contract re-exports these from its own `errors.rs`.

/// An owner-only method called by anyone else.
pub const ERR_NOT_OWNER: &str = "only the owner may call this method";
/// A private method (`migrate`, a callback) called by another account.
pub const ERR_PRIVATE: &str = "method is private: only the contract itself may call it";
/// `upgrade` called without the new wasm as its raw input.
pub const ERR_NO_CODE: &str = "upgrade needs the new wasm as the raw call input";
/// `migrate` on an account that holds no contract state.
pub const ERR_NO_STATE: &str = "no contract state to migrate";
/// `migrate` found a state version this code does not know.
pub const ERR_UNKNOWN_STATE_VERSION: &str = "unknown state version";
/// `migrate` could not decode the stored state as its state version.
pub const ERR_STATE_CORRUPT: &str = "stored state does not decode as its state version";
