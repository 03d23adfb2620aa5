//! Storage staking: whoever makes a contract store bytes pays for them.
//!
//! Every change method that may grow state measures `env::storage_usage()`
//! around its writes with a [`StorageMeter`] and settles with the caller:
//! growth must be covered by the attached deposit and the excess is refunded;
//! bytes freed are paid back.

use near_sdk::{env, AccountId, NearToken, Promise};

/// Measures the storage a call adds or frees.
#[must_use = "settle the meter with `charge` or `refund_freed`"]
pub struct StorageMeter {
    start: u64,
}

/// Cost of `bytes` of storage at the current protocol price.
pub fn storage_cost(bytes: u64) -> NearToken {
    env::storage_byte_cost().saturating_mul(bytes as u128)
}

impl StorageMeter {
    pub fn start() -> Self {
        Self { start: env::storage_usage() }
    }

    /// Bytes added since `start` (0 if the call freed storage).
    pub fn bytes_added(&self) -> u64 {
        env::storage_usage().saturating_sub(self.start)
    }

    /// Bytes freed since `start` (0 if the call grew storage).
    pub fn bytes_freed(&self) -> u64 {
        self.start.saturating_sub(env::storage_usage())
    }

    /// Requires `attached` to cover the bytes added and refunds the rest to
    /// `payer`. Panics (reverting the call) with a message naming both amounts
    /// when the deposit is short. Returns the cost charged.
    pub fn charge(self, payer: &AccountId, attached: NearToken) -> NearToken {
        let cost = storage_cost(self.bytes_added());
        if attached < cost {
            env::panic_str(&format!(
                "insufficient deposit for storage: attached {} yoctoNEAR, required {} yoctoNEAR ({} bytes)",
                attached.as_yoctonear(),
                cost.as_yoctonear(),
                self.bytes_added()
            ));
        }
        let refund = attached.saturating_sub(cost);
        if !refund.is_zero() {
            Promise::new(payer.clone()).transfer(refund).detach();
        }
        cost
    }

    /// Pays the cost of the bytes freed (plus `extra`) back to `to`.
    /// Returns the amount sent.
    pub fn refund_freed(self, to: &AccountId, extra: NearToken) -> NearToken {
        let amount = storage_cost(self.bytes_freed()).saturating_add(extra);
        if !amount.is_zero() {
            Promise::new(to.clone()).transfer(amount).detach();
        }
        amount
    }
}
