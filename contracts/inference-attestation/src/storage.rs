//! Who pays for the bytes: the one helper every change method settles with.

use ai_commons_primitives::storage::storage_cost;
use ai_commons_primitives::StorageMeter;
use near_sdk::{AccountId, NearToken};

/// Upper bound of the bytes one stored receipt adds, with every id at its
/// maximum length (64): the receipt record, its nonce and four index entries
/// plus four new index counters. Checked by a unit test against measured usage.
pub const MAX_RECEIPT_STORAGE_BYTES: u64 = 1_700;

/// The deposit `submit_receipt` requires; the unused part is refunded.
pub fn submit_deposit() -> NearToken {
    storage_cost(MAX_RECEIPT_STORAGE_BYTES)
}

/// Settles a call that may grow or shrink storage: growth must be covered by
/// `attached` (excess refunded), freed bytes are paid back with the deposit.
pub fn settle(meter: StorageMeter, payer: &AccountId, attached: NearToken) {
    if meter.bytes_added() > 0 {
        meter.charge(payer, attached);
    } else {
        meter.refund_freed(payer, attached);
    }
}
