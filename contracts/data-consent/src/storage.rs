//! NEP-145 storage management, and the one helper that charges a user's
//! storage balance for the bytes a change adds (or credits what it frees).
//!
//! A user's grants, managers and consent history are paid from the user's
//! storage balance, not from an attached deposit, so a manager can act for
//! the user and a sponsor (a community) can pay for its contributors.

use crate::errors::*;
use crate::events::{ConsentEvent, StorageChange};
use crate::types::{StorageAccount, StorageBalance, StorageBalanceBounds};
use crate::{Contract, ContractExt};
use ai_commons_primitives::storage::storage_cost;
use ai_commons_primitives::StorageMeter;
use near_sdk::{env, near, AccountId, NearToken, Promise};

/// Bytes of the largest account record: trie overhead (40) + key (1-byte
/// prefix, 4-byte length, 64-byte account id) + value (u128 total, u64 used
/// bytes, u32 grant count). The minimum storage balance pays for it.
pub const ACCOUNT_RECORD_BYTES: u64 = 40 + 1 + 4 + 64 + 16 + 8 + 4;

/// The minimum storage balance: the cost of the account record itself.
pub fn min_storage_balance() -> NearToken {
    storage_cost(ACCOUNT_RECORD_BYTES)
}

fn locked(account: &StorageAccount) -> NearToken {
    min_storage_balance().saturating_add(storage_cost(account.used_bytes))
}

fn balance_view(account: &StorageAccount) -> StorageBalance {
    StorageBalance { total: account.total, available: account.total.saturating_sub(locked(account)) }
}

fn assert_one_yocto() {
    if env::attached_deposit() != NearToken::from_yoctonear(1) {
        env::panic_str(ERR_ONE_YOCTO);
    }
}

impl Contract {
    /// The storage account of `user`, or a clear failure if it has none.
    pub(crate) fn storage_account(&self, user: &AccountId) -> StorageAccount {
        match self.accounts.get(user) {
            Some(account) => account.clone(),
            None => env::panic_str(&format!("{ERR_NOT_REGISTERED} ({user})")),
        }
    }

    /// Settles the bytes added or freed since `meter` started against the
    /// storage balance of `user`: fails (reverting the whole call) when the
    /// balance does not cover them, otherwise records them in `account` and
    /// writes it. The account record has a fixed size, so writing it after
    /// measuring does not change the measurement.
    pub(crate) fn settle_storage(&mut self, user: &AccountId, mut account: StorageAccount, meter: StorageMeter) {
        self.flush();
        let added = meter.bytes_added();
        let freed = meter.bytes_freed();
        account.used_bytes = account.used_bytes.saturating_add(added).saturating_sub(freed);
        let needed = locked(&account);
        if account.total < needed {
            env::panic_str(&format!(
                "{ERR_STORAGE_SHORT} of {user}: needs {} yoctoNEAR for {} bytes, has {} yoctoNEAR; call storage_deposit",
                needed.as_yoctonear(),
                account.used_bytes,
                account.total.as_yoctonear()
            ));
        }
        self.accounts.insert(user.clone(), account);
    }
}

#[near]
impl Contract {
    /// NEP-145. Anyone may deposit for any account (`account_id`, default the
    /// caller): a community sponsors its contributors this way. An unknown
    /// account needs at least `storage_balance_bounds().min`; with
    /// `registration_only` only the minimum is kept and the rest refunded (a
    /// known account gets the whole deposit back). Emits `storage_deposit`.
    #[payable]
    pub fn storage_deposit(
        &mut self,
        account_id: Option<AccountId>,
        registration_only: Option<bool>,
    ) -> StorageBalance {
        let amount = env::attached_deposit();
        let depositor = env::predecessor_account_id();
        let account_id = account_id.unwrap_or_else(|| depositor.clone());
        let registration_only = registration_only.unwrap_or(false);
        let min = min_storage_balance();

        let (account, refund) = match self.accounts.get(&account_id).cloned() {
            Some(account) if registration_only => {
                if !amount.is_zero() {
                    Promise::new(depositor).transfer(amount).detach();
                }
                return balance_view(&account);
            }
            Some(mut account) => {
                if amount.is_zero() {
                    env::panic_str(ERR_ZERO_DEPOSIT);
                }
                account.total = account.total.saturating_add(amount);
                (account, NearToken::from_yoctonear(0))
            }
            None => {
                if amount < min {
                    env::panic_str(&format!(
                        "{ERR_DEPOSIT_BELOW_MIN}: attached {} yoctoNEAR, minimum {} yoctoNEAR",
                        amount.as_yoctonear(),
                        min.as_yoctonear()
                    ));
                }
                let total = if registration_only { min } else { amount };
                let account = StorageAccount { total, used_bytes: 0, grant_count: 0 };
                (account, amount.saturating_sub(total))
            }
        };
        self.accounts.insert(account_id.clone(), account.clone());
        if !refund.is_zero() {
            Promise::new(depositor.clone()).transfer(refund).detach();
        }
        ConsentEvent::StorageDeposit(StorageChange {
            account_id,
            by: depositor,
            amount: amount.saturating_sub(refund),
            total: account.total,
        })
        .emit();
        balance_view(&account)
    }

    /// NEP-145. The caller withdraws `amount` (default: all available) of
    /// its own storage balance. Needs exactly 1 yoctoNEAR attached.
    /// Emits `storage_withdraw` (nothing when the amount is zero).
    #[payable]
    pub fn storage_withdraw(&mut self, amount: Option<NearToken>) -> StorageBalance {
        assert_one_yocto();
        let account_id = env::predecessor_account_id();
        let mut account = self.storage_account(&account_id);
        let available = balance_view(&account).available;
        let amount = amount.unwrap_or(available);
        if amount > available {
            env::panic_str(&format!(
                "{ERR_WITHDRAW_TOO_MUCH}: requested {} yoctoNEAR, available {} yoctoNEAR",
                amount.as_yoctonear(),
                available.as_yoctonear()
            ));
        }
        if amount.is_zero() {
            return balance_view(&account);
        }
        account.total = account.total.saturating_sub(amount);
        self.accounts.insert(account_id.clone(), account.clone());
        Promise::new(account_id.clone()).transfer(amount).detach();
        ConsentEvent::StorageWithdraw(StorageChange {
            account_id: account_id.clone(),
            by: account_id,
            amount,
            total: account.total,
        })
        .emit();
        balance_view(&account)
    }

    /// NEP-145. Closes the caller's storage account and pays its whole
    /// balance back; `false` if it had none. Needs exactly 1 yoctoNEAR.
    /// Only an account that stores nothing else may close: `force` cannot
    /// erase grants or consent history (that would rewrite what training
    /// snapshots prove). Emits `storage_unregister`.
    #[payable]
    pub fn storage_unregister(&mut self, force: Option<bool>) -> bool {
        assert_one_yocto();
        let _ = force;
        let account_id = env::predecessor_account_id();
        let Some(account) = self.accounts.get(&account_id).cloned() else {
            return false;
        };
        if account.used_bytes > 0 || account.grant_count > 0 {
            env::panic_str(ERR_ACCOUNT_NOT_EMPTY);
        }
        self.accounts.remove(&account_id);
        if !account.total.is_zero() {
            Promise::new(account_id.clone()).transfer(account.total).detach();
        }
        ConsentEvent::StorageUnregister(StorageChange {
            account_id: account_id.clone(),
            by: account_id,
            amount: account.total,
            total: NearToken::from_yoctonear(0),
        })
        .emit();
        true
    }

    /// NEP-145 view: `{total, available}` or `null` for an unknown account.
    pub fn storage_balance_of(&self, account_id: AccountId) -> Option<StorageBalance> {
        self.accounts.get(&account_id).map(balance_view)
    }

    /// NEP-145 view: `{min, max}`; no maximum (more grants need more balance).
    pub fn storage_balance_bounds(&self) -> StorageBalanceBounds {
        StorageBalanceBounds { min: min_storage_balance(), max: None }
    }
}
