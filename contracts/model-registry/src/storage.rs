//! The one storage-settling rule of the registry: the caller pays for the
//! bytes its call adds (excess deposit refunded) and is paid for bytes freed.

use crate::Contract;
use ai_commons_primitives::StorageMeter;
use near_sdk::{env, AccountId};

impl Contract {
    /// Writes pending collection changes (so `env::storage_usage()` reflects
    /// them), then charges `payer` for growth or refunds freed bytes, and
    /// always returns the unused attached deposit.
    pub(crate) fn settle_storage(&mut self, meter: StorageMeter, payer: &AccountId) {
        self.flush_collections();
        let attached = env::attached_deposit();
        if meter.bytes_freed() > 0 {
            meter.refund_freed(payer, attached);
        } else {
            meter.charge(payer, attached);
        }
    }

    /// `near_sdk::store` collections cache writes until flushed; flushing
    /// untouched collections costs nothing.
    fn flush_collections(&mut self) {
        self.publishers.flush();
        self.protected_aliases.flush();
        self.model_ids.flush();
        self.models.flush();
        self.versions.flush();
        self.version_by_digest.flush();
        self.alias_pointers.flush();
        self.alias_history.flush();
        self.alias_slots.flush();
    }
}
