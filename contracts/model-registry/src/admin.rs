//! Owner-only configuration: ownership, publisher allow-list, open
//! publishing, protected aliases.

use crate::errors::*;
use crate::events::RegistryEvent;
use crate::limits::MAX_PROTECTED_ALIASES;
use crate::{check, Contract, ContractExt};
use ai_commons_primitives::{validate_slug, StorageMeter};
use near_sdk::{env, near, require, AccountId};

#[near]
impl Contract {
    /// Hands the registry to `new_owner`. Caller: the owner. No deposit.
    /// Emits `owner_changed`.
    pub fn set_owner(&mut self, new_owner: AccountId) {
        self.assert_owner();
        require!(new_owner != self.owner, ERR_SAME_OWNER);
        let old_owner = std::mem::replace(&mut self.owner, new_owner);
        RegistryEvent::OwnerChanged { old_owner: &old_owner, new_owner: &self.owner }.emit();
    }

    /// Adds `account_id` to the publisher allow-list. Caller: the owner.
    /// Deposit: storage of one entry (~0.001 NEAR), excess refunded.
    /// Emits `publisher_added`.
    #[payable]
    pub fn add_publisher(&mut self, account_id: AccountId) {
        self.assert_owner();
        let meter = StorageMeter::start();
        require!(self.publishers.insert(account_id.clone()), ERR_PUBLISHER_EXISTS);
        RegistryEvent::PublisherAdded { account_id: &account_id }.emit();
        self.settle_storage(meter, &env::predecessor_account_id());
    }

    /// Removes `account_id` from the allow-list; while publishing is closed
    /// it loses every publisher right: registering models, submitting
    /// versions and setting or clearing the unprotected aliases of its
    /// models. Caller: the owner, who receives the freed storage.
    /// Emits `publisher_removed`.
    #[payable]
    pub fn remove_publisher(&mut self, account_id: AccountId) {
        self.assert_owner();
        let meter = StorageMeter::start();
        require!(self.publishers.remove(&account_id), ERR_PUBLISHER_NOT_FOUND);
        RegistryEvent::PublisherRemoved { account_id: &account_id }.emit();
        self.settle_storage(meter, &env::predecessor_account_id());
    }

    /// Opens (anyone may publish) or closes (allow-list only) publishing.
    /// Closing it takes every publisher right (register, submit, move
    /// aliases) from publishers not on the allow-list. Caller: the owner.
    /// No deposit. Emits `open_publishing_set`.
    pub fn set_open_publishing(&mut self, open: bool) {
        self.assert_owner();
        require!(self.open_publishing != open, ERR_OPEN_PUBLISHING_UNCHANGED);
        self.open_publishing = open;
        RegistryEvent::OpenPublishingSet { open }.emit();
    }

    /// Marks `alias` as protected (only the owner moves it) or unprotected
    /// (the model's publisher may move it too), for every model. Caller: the
    /// owner. Deposit: storage when protecting, excess refunded; unprotecting
    /// refunds the freed bytes. Emits `alias_protection_set`.
    #[payable]
    pub fn set_alias_protection(&mut self, alias: String, protected: bool) {
        self.assert_owner();
        check(validate_slug("alias", &alias));
        let meter = StorageMeter::start();
        if protected {
            require!(!self.protected_aliases.contains(&alias), ERR_PROTECTION_UNCHANGED);
            require!(self.protected_aliases.len() < MAX_PROTECTED_ALIASES, ERR_TOO_MANY_PROTECTED_ALIASES);
            self.protected_aliases.insert(alias.clone());
        } else {
            require!(self.protected_aliases.remove(&alias), ERR_PROTECTION_UNCHANGED);
        }
        RegistryEvent::AliasProtectionSet { alias: &alias, protected }.emit();
        self.settle_storage(meter, &env::predecessor_account_id());
    }
}
