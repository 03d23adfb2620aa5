//! Unit tests on near-sdk's mocked blockchain. `World` plays the chain: each
//! `call` is one transaction by one account at a later block time, with fresh
//! logs and receipts.

mod access;
mod aliases;
mod costs;
mod events;
mod json;
mod lifecycle;
mod upgrade;
mod validation;

use crate::*;
use ai_commons_primitives::interfaces::ModelRegistryInterface;
use ai_commons_primitives::storage::storage_cost;
use ai_commons_primitives::{Digest32, VersionStatus, VersionStatusView};
use near_sdk::json_types::U64;
use near_sdk::mock::MockAction;
use near_sdk::test_utils::{get_created_receipts, get_logs, VMContextBuilder};
use near_sdk::{env, testing_env, AccountId, NearToken};
use std::panic::{catch_unwind, AssertUnwindSafe};

pub const REGISTRY: &str = "registry.near";
pub const DAO: &str = "dao.near";
pub const ALICE: &str = "alice.near";
pub const BOB: &str = "bob.near";
pub const MODEL: &str = "llama-3.1-8b";

/// Enough for any single call; the excess comes back as a refund.
pub const DEPOSIT: NearToken = NearToken::from_millinear(100);
/// Block time advances by one second per call.
pub const BLOCK_NS: u64 = 1_000_000_000;

pub fn acc(name: &str) -> AccountId {
    name.parse().unwrap()
}

pub fn digest(n: u8) -> Digest32 {
    Digest32([n; 32])
}

pub fn training() -> TrainingRecord {
    TrainingRecord {
        code_digest: digest(0xc0),
        dataset_digest: Some(digest(0xda)),
        consent_contract: Some(acc("consent.near")),
        consent_snapshot_id: Some(U64(7)),
    }
}

pub struct World {
    pub c: Contract,
    pub now: u64,
}

fn set_context(who: &str, deposit: NearToken, now: u64) {
    testing_env!(VMContextBuilder::new()
        .current_account_id(acc(REGISTRY))
        .predecessor_account_id(acc(who))
        .signer_account_id(acc(who))
        .attached_deposit(deposit)
        .block_timestamp(now)
        .build());
}

impl World {
    /// A registry owned by the DAO, closed publishing, ALICE allow-listed.
    pub fn new() -> Self {
        let mut w = Self::bare(false);
        w.call(DAO, DEPOSIT).add_publisher(acc(ALICE));
        w
    }

    /// A freshly deployed registry owned by the DAO.
    pub fn bare(open_publishing: bool) -> Self {
        let now = 1_700_000_000 * BLOCK_NS;
        // A new chain: drop storage left by an earlier `World` on this thread.
        near_sdk::mock::with_mocked_blockchain(|chain| drop(chain.take_storage()));
        set_context(REGISTRY, NearToken::from_yoctonear(0), now);
        Self { c: Contract::new(acc(DAO), Some(open_publishing)), now }
    }

    /// Starts a new transaction from `who` with `deposit` attached.
    pub fn call(&mut self, who: &str, deposit: NearToken) -> &mut Contract {
        self.now += BLOCK_NS;
        set_context(who, deposit, self.now);
        &mut self.c
    }

    /// Same block time as the previous call (several transactions in one block).
    pub fn call_same_block(&mut self, who: &str, deposit: NearToken) -> &mut Contract {
        set_context(who, deposit, self.now);
        &mut self.c
    }

    /// Persists the state and reads it back, as the next transaction on chain
    /// would: collection caches start empty, so reads cost what they cost.
    pub fn reload(&mut self) {
        set_context(REGISTRY, NearToken::from_yoctonear(0), self.now);
        env::state_write(&self.c);
        self.c = env::state_read().expect("state was just written");
    }

    pub fn register(&mut self, who: &str, model_id: &str) {
        self.call(who, DEPOSIT).register_model(
            model_id.to_string(),
            "Llama 3.1 8B community fine-tune".to_string(),
            "text-generation".to_string(),
            "llama3.1".to_string(),
            "ipfs://bafycard".to_string(),
            digest(0xca),
        );
    }

    pub fn submit(&mut self, who: &str, model_id: &str, weights: Digest32) -> u32 {
        self.call(who, DEPOSIT).submit_version(
            model_id.to_string(),
            weights,
            format!("ipfs://weights-{}", &weights.to_hex()[..8]),
            None,
            training(),
            Some(digest(0xee)),
            Some(r#"{"params":"8b"}"#.to_string()),
        )
    }

    /// ALICE's model with `n` approved versions (weights digest(1..=n)).
    pub fn with_approved_versions(n: u8) -> Self {
        let mut w = Self::new();
        w.register(ALICE, MODEL);
        for i in 1..=n {
            let v = w.submit(ALICE, MODEL, digest(i));
            w.call(DAO, NearToken::from_yoctonear(0)).approve_version(MODEL.into(), v);
        }
        w
    }

    pub fn status(&self, model_id: &str, version: u32) -> Option<VersionStatus> {
        self.c.version_status(model_id.into(), version).map(|s| s.status)
    }
}

/// Runs `f`, which must panic with a message containing `expected`.
pub fn expect_panic<R>(expected: &str, f: impl FnOnce() -> R) {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(f));
    std::panic::set_hook(hook);
    let payload = match result {
        Ok(_) => panic!("expected a panic containing {expected:?}, but the call succeeded"),
        Err(payload) => payload,
    };
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(message.contains(expected), "panic {message:?} does not contain {expected:?}");
}

/// Event names (NEP-297 `event`) logged by the last call.
pub fn event_names() -> Vec<String> {
    get_logs()
        .iter()
        .filter_map(|line| line.strip_prefix("EVENT_JSON:"))
        .map(|json| {
            let value: near_sdk::serde_json::Value = near_sdk::serde_json::from_str(json).unwrap();
            assert_eq!(value["standard"], "model_registry");
            assert_eq!(value["version"], "1.0.0");
            value["event"].as_str().unwrap().to_string()
        })
        .collect()
}

/// Total yoctoNEAR transferred to `to` by receipts of the last call.
pub fn refunded_to(to: &str) -> u128 {
    get_created_receipts()
        .iter()
        .filter(|r| r.receiver_id == acc(to))
        .flat_map(|r| r.actions.iter())
        .map(|a| match a {
            MockAction::Transfer { deposit, .. } => deposit.as_yoctonear(),
            _ => 0,
        })
        .sum()
}

pub fn cost_of(bytes: u64) -> u128 {
    storage_cost(bytes).as_yoctonear()
}
