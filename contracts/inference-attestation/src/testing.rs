//! Unit-test fixtures: accounts, a contract with one admitted attester,
//! signed receipts, registry answers and panic capture.

use crate::receipts::MAX_REGISTRY_ANSWER_BYTES;
use crate::Contract;
pub use ai_commons_primitives::interfaces::InferenceAttestationInterface;
use ai_commons_primitives::receipt::InferenceReceipt;
use ai_commons_primitives::{Digest32, VersionStatus, VersionStatusView};
use attestation_signer::{commit, AttesterSigner};
use near_sdk::json_types::U64;
use near_sdk::mock::MockAction;
use near_sdk::test_utils::{get_created_receipts, get_logs, VMContextBuilder};
use near_sdk::{env, testing_env, AccountId, NearToken, PromiseError, PromiseResult};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Block time of every test (ns).
pub const NOW: u64 = 1_700_000_000_000_000_000;
pub const SECOND: u64 = 1_000_000_000;
pub const MODEL: &str = "llama-3-8b";
pub const VERSION: u32 = 1;

pub fn account(name: &str) -> AccountId {
    name.parse().unwrap()
}
pub fn contract_id() -> AccountId {
    account("attest.near")
}
pub fn owner() -> AccountId {
    account("dao.near")
}
pub fn registry() -> AccountId {
    account("registry.near")
}
pub fn operator() -> AccountId {
    account("node1.near")
}
pub fn requester() -> AccountId {
    account("alice.near")
}
pub fn relayer() -> AccountId {
    account("relayer.near")
}
pub fn stranger() -> AccountId {
    account("mallory.near")
}
pub fn weights() -> Digest32 {
    Digest32([0xaa; 32])
}
pub fn near(milli: u128) -> NearToken {
    NearToken::from_millinear(milli)
}

/// Sets the call context: who calls, with what deposit, at which block time.
pub fn call(predecessor: AccountId, deposit: NearToken, at: u64) {
    testing_env!(VMContextBuilder::new()
        .current_account_id(contract_id())
        .predecessor_account_id(predecessor.clone())
        .signer_account_id(predecessor)
        .attached_deposit(deposit)
        .block_timestamp(at)
        .build());
}

/// The context of `on_version_status`: called by the contract itself, with
/// the registry's answer as promise result 0.
pub fn callback(result: PromiseResult, at: u64) {
    testing_env!(
        VMContextBuilder::new()
            .current_account_id(contract_id())
            .predecessor_account_id(contract_id())
            .block_timestamp(at)
            .build(),
        near_sdk::test_vm_config(),
        near_sdk::RuntimeFeesConfig::test(),
        Default::default(),
        vec![result],
    );
}

/// Reads promise result 0 exactly as the `#[callback_result]` entry point does.
pub fn registry_answer() -> Result<Option<VersionStatusView>, PromiseError> {
    env::promise_result_checked(0, MAX_REGISTRY_ANSWER_BYTES)
        .map(|bytes| near_sdk::serde_json::from_slice(&bytes).expect("registry answer is JSON"))
}

pub fn answer(status: VersionStatus, digest: Digest32) -> PromiseResult {
    PromiseResult::Successful(
        near_sdk::serde_json::to_vec(&Some(VersionStatusView { status, weights_digest: digest })).unwrap(),
    )
}

pub fn signer() -> AttesterSigner {
    AttesterSigner::from_seed([1; 32])
}

/// A contract whose owner admitted `operator()` with `signer()`'s key for every model.
pub fn setup() -> Contract {
    // Start from empty storage even when a test sets up twice.
    call(owner(), NearToken::from_yoctonear(0), NOW - 3600 * SECOND);
    drop(near_sdk::mock::with_mocked_blockchain(|b| b.take_storage()));
    let mut contract = Contract::new(owner(), registry(), None);
    call(owner(), near(100), NOW - 3600 * SECOND);
    contract.admit_attester_keys(
        operator(),
        vec![signer().public_key()],
        "intel-tdx".into(),
        vec![Digest32([0x5e; 32])],
        None,
        None,
    );
    contract
}

pub fn receipt(signer: &AttesterSigner, nonce: u64) -> InferenceReceipt {
    let salt = [nonce as u8; 32];
    InferenceReceipt {
        model_id: MODEL.into(),
        version: VERSION,
        weights_digest: weights(),
        request_commitment: commit(&salt, b"question"),
        response_commitment: commit(&salt, b"answer"),
        requester: requester(),
        attester_key: signer.public_key(),
        nonce: U64(nonce),
        timestamp: U64(NOW - SECOND),
    }
}

pub fn sign(signer: &AttesterSigner, receipt: &InferenceReceipt) -> String {
    signer.sign(receipt, &contract_id())
}

/// Runs `f`, expects it to panic, and returns the panic message.
pub fn panic_message<R>(f: impl FnOnce() -> R) -> String {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = catch_unwind(AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    match outcome {
        Ok(_) => panic!("expected a panic"),
        Err(payload) => {
            let raw = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            guest_panic_message(&raw)
        }
    }
}

/// `env::panic_str` in the mocked VM surfaces as
/// `... HostError(GuestPanic { panic_msg: "<escaped>" })`: returns the message.
fn guest_panic_message(raw: &str) -> String {
    const START: &str = "GuestPanic { panic_msg: \"";
    match (raw.find(START), raw.rfind("\" })")) {
        (Some(start), Some(end)) if end >= start + START.len() => {
            raw[start + START.len()..end].replace("\\\"", "\"").replace("\\\\", "\\")
        }
        _ => raw.to_string(),
    }
}

/// Transfers the current call scheduled, as (receiver, amount).
pub fn transfers() -> Vec<(AccountId, NearToken)> {
    get_created_receipts()
        .into_iter()
        .flat_map(|r| {
            let receiver = r.receiver_id.clone();
            r.actions.into_iter().filter_map(move |a| match a {
                MockAction::Transfer { deposit, .. } => Some((receiver.clone(), deposit)),
                _ => None,
            })
        })
        .collect()
}

/// Function calls the current call scheduled, as (receiver, method, JSON args).
pub fn function_calls() -> Vec<(AccountId, String, String)> {
    get_created_receipts()
        .into_iter()
        .flat_map(|r| {
            let receiver = r.receiver_id.clone();
            r.actions.into_iter().filter_map(move |a| match a {
                MockAction::FunctionCallWeight { method_name, args, .. } => Some((
                    receiver.clone(),
                    String::from_utf8(method_name).unwrap(),
                    String::from_utf8(args).unwrap_or_default(),
                )),
                _ => None,
            })
        })
        .collect()
}

/// The raw arguments of the one scheduled call to `method` (borsh callbacks).
pub fn call_args(method: &str) -> Vec<u8> {
    get_created_receipts()
        .into_iter()
        .flat_map(|r| r.actions)
        .find_map(|a| match a {
            MockAction::FunctionCallWeight { method_name, args, .. } if method_name == method.as_bytes() => Some(args),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no call to {method} was scheduled"))
}

pub fn last_log() -> String {
    get_logs().last().cloned().unwrap_or_default()
}
