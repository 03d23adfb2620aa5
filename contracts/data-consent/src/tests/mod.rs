//! Unit tests. [`Chain`] runs each call like a transaction on the mocked
//! blockchain: it loads the state, runs the method, writes the state back,
//! and on a panic restores the storage from before the call — as the real
//! runtime reverts a failed receipt — so tests can check "nothing changed".

use crate::Contract;
pub use ai_commons_primitives::interfaces::DataConsentInterface;
use near_sdk::json_types::U64;
use near_sdk::mock::with_mocked_blockchain;
use near_sdk::test_utils::{get_logs, VMContextBuilder};
use near_sdk::{env, test_vm_config, AccountId, Gas, MockedBlockchain, NearToken, RuntimeFeesConfig};
use serde_json::Value;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

mod chain;
mod grants;
mod managers;
mod scale;
mod storage;
mod upgrade;

pub const CONTRACT: &str = "consent.near";
/// A start time well away from zero (nanoseconds).
pub const T0: u64 = 1_700_000_000_000_000_000;
pub const SECOND: u64 = 1_000_000_000;

pub fn acc(s: &str) -> AccountId {
    s.parse().unwrap()
}

pub fn near(n: u128) -> NearToken {
    NearToken::from_near(n)
}

pub fn millinear(n: u128) -> NearToken {
    NearToken::from_millinear(n)
}

pub const YOCTO: NearToken = NearToken::from_yoctonear(1);
pub const ZERO: NearToken = NearToken::from_yoctonear(0);

pub struct Chain {
    pub now: u64,
    storage_usage: u64,
    /// Logs of the last call (also of a failed one).
    pub logs: Vec<String>,
    /// Gas the last successful call burnt in host functions.
    pub last_gas: Gas,
    /// Raw input of the next call (for `upgrade`).
    pub next_input: Vec<u8>,
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else {
        "<non-string panic>".into()
    }
}

impl Chain {
    /// A fresh chain with the contract initialized by its own account.
    pub fn new(owner: Option<&str>) -> Self {
        let mut chain =
            Self { now: T0, storage_usage: 0, logs: vec![], last_gas: Gas::from_gas(0), next_input: vec![] };
        let ctx = chain.context(CONTRACT, ZERO);
        chain.install(ctx, HashMap::new());
        chain.storage_usage = env::storage_usage();
        let owner = owner.map(acc);
        chain.run(CONTRACT, ZERO, |_| (), Some(move || Contract::new(owner))).unwrap();
        chain
    }

    fn context(&mut self, caller: &str, deposit: NearToken) -> near_sdk::VMContext {
        let mut ctx = VMContextBuilder::new()
            .current_account_id(acc(CONTRACT))
            .signer_account_id(acc(caller))
            .predecessor_account_id(acc(caller))
            .attached_deposit(deposit)
            .block_timestamp(self.now)
            .storage_usage(self.storage_usage)
            .account_balance(near(1_000))
            .build();
        ctx.input = std::mem::take(&mut self.next_input).into();
        ctx
    }

    fn install(&self, ctx: near_sdk::VMContext, storage: HashMap<Vec<u8>, Vec<u8>>) {
        env::set_blockchain_interface(MockedBlockchain::new(
            ctx,
            test_vm_config(),
            RuntimeFeesConfig::test(),
            vec![],
            storage,
            HashMap::new(),
            None,
        ));
    }

    fn run<R>(
        &mut self,
        caller: &str,
        deposit: NearToken,
        f: impl FnOnce(&mut Contract) -> R,
        init: Option<impl FnOnce() -> Contract>,
    ) -> Result<R, String> {
        let storage = with_mocked_blockchain(|b| b.take_storage());
        let saved = storage.clone();
        let ctx = self.context(caller, deposit);
        self.install(ctx.clone(), storage);
        let result = catch_unwind(AssertUnwindSafe(|| {
            let mut contract = match init {
                Some(init) => init(),
                None => env::state_read::<Contract>().expect("contract state"),
            };
            let out = f(&mut contract);
            env::state_write(&contract);
            drop(contract);
            (out, env::used_gas())
        }));
        self.logs = get_logs();
        match result {
            Ok((out, gas)) => {
                self.storage_usage = env::storage_usage();
                self.last_gas = gas;
                Ok(out)
            }
            Err(payload) => {
                self.install(ctx, saved);
                Err(panic_message(payload))
            }
        }
    }

    /// A change call by `caller` with `deposit` attached.
    pub fn call<R>(
        &mut self,
        caller: &str,
        deposit: NearToken,
        f: impl FnOnce(&mut Contract) -> R,
    ) -> Result<R, String> {
        self.run(caller, deposit, f, None::<fn() -> Contract>)
    }

    /// A view: nothing is written.
    pub fn view<R>(&mut self, f: impl FnOnce(&Contract) -> R) -> R {
        let storage = with_mocked_blockchain(|b| b.take_storage());
        let ctx = self.context("viewer.near", ZERO);
        self.install(ctx, storage);
        let contract = env::state_read::<Contract>().expect("contract state");
        let out = f(&contract);
        drop(contract);
        out
    }

    /// Bytes the contract stores right now.
    pub fn storage_usage(&self) -> u64 {
        self.storage_usage
    }

    /// A full copy of the contract's storage, to compare before and after.
    pub fn trie(&mut self) -> Vec<(Vec<u8>, Vec<u8>)> {
        let storage = with_mocked_blockchain(|b| b.take_storage());
        let mut copy: Vec<_> = storage.clone().into_iter().collect();
        copy.sort();
        let ctx = self.context("viewer.near", ZERO);
        self.install(ctx, storage);
        copy
    }

    /// The NEP-297 events of the last call, parsed.
    pub fn events(&self) -> Vec<Value> {
        self.logs
            .iter()
            .filter_map(|l| l.strip_prefix("EVENT_JSON:"))
            .map(|j| serde_json::from_str(j).unwrap())
            .collect()
    }

    /// Asserts the last call emitted exactly one event, named `name`; returns its data.
    pub fn one_event(&self, name: &str) -> Value {
        let events = self.events();
        assert_eq!(events.len(), 1, "expected one event, got {:?}", self.logs);
        assert_eq!(events[0]["standard"], "data_consent");
        assert_eq!(events[0]["version"], "1.0.0");
        assert_eq!(events[0]["event"], name, "{:?}", self.logs);
        events[0]["data"].clone()
    }

    // ------------------------------------------------------------- shortcuts

    pub fn deposit(&mut self, payer: &str, account: &str, amount: NearToken) {
        let account = acc(account);
        self.call(payer, amount, |c| c.storage_deposit(Some(account), None)).unwrap();
    }

    /// `user` grants `grantee` for `purpose` with no narrowing.
    pub fn grant(&mut self, user: &str, grantee: &str, purpose: ai_commons_primitives::ConsentPurpose) {
        let grantee = acc(grantee);
        self.call(user, ZERO, |c| c.grant(grantee, purpose, None, None, None, None, None)).unwrap();
    }

    pub fn allowed(
        &mut self,
        user: &str,
        grantee: &str,
        purpose: ai_commons_primitives::ConsentPurpose,
        model: Option<&str>,
        at: Option<u64>,
    ) -> bool {
        let (user, grantee) = (acc(user), acc(grantee));
        self.view(|c| c.is_allowed(user, grantee, purpose, model.map(String::from), at.map(U64)))
    }

    pub fn available(&mut self, account: &str) -> NearToken {
        let account = acc(account);
        self.view(|c| c.storage_balance_of(account)).expect("registered").available
    }
}

/// Asserts a call failed with a message containing `expected`.
#[track_caller]
pub fn assert_err<R: std::fmt::Debug>(result: Result<R, String>, expected: &str) {
    match result {
        Ok(r) => panic!("expected failure containing {expected:?}, got Ok({r:?})"),
        Err(msg) => assert!(msg.contains(expected), "expected {expected:?} in {msg:?}"),
    }
}
