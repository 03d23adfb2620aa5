//! `Table`: a map in contract storage with no cache: `get` reads, `set` and
//! `remove` write at once. The DAO's per-item records (members, proposal
//! headers and bodies, the status index) need nothing more: each call reads a
//! record once and writes it at most once. near-sdk's `LookupMap` would add
//! its cache and flush code, compiled once per key and value type (wasm size,
//! which every call pays to load), and reads an entry before replacing or
//! removing it.

use crate::errors::ERR_BAD_STATE;
use crate::{storage_key, StorageKey};
use near_sdk::borsh::{self, BorshDeserialize, BorshSerialize};
use near_sdk::env;
use std::marker::PhantomData;

pub(crate) struct Table<K, V> {
    prefix: StorageKey,
    types: PhantomData<(K, V)>,
}

impl<K: BorshSerialize, V: BorshSerialize + BorshDeserialize> Table<K, V> {
    pub(crate) const fn new(prefix: StorageKey) -> Self {
        Table { prefix, types: PhantomData }
    }

    pub(crate) fn get(&self, key: &K) -> Option<V> {
        env::storage_read(&storage_key(self.prefix, key))
            .map(|bytes| borsh::from_slice(&bytes).unwrap_or_else(|_| env::panic_str(ERR_BAD_STATE)))
    }

    pub(crate) fn set(&self, key: &K, value: &V) {
        let bytes = borsh::to_vec(value).unwrap_or_else(|_| env::panic_str(ERR_BAD_STATE));
        env::storage_write(&storage_key(self.prefix, key), &bytes);
    }

    pub(crate) fn contains_key(&self, key: &K) -> bool {
        env::storage_has_key(&storage_key(self.prefix, key))
    }

    pub(crate) fn remove(&self, key: &K) {
        env::storage_remove(&storage_key(self.prefix, key));
    }
}
