//! One interface over the two chains the scenarios run on: the embedded chain
//! (default) and a real neard sandbox through near-workspaces (`sandbox` feature).
//! Scenarios are written once against [`Backend`].

use embedded_chain::{AccountId, Chain, Event, Gas, NearToken, PublicKey, TxOutcome};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// What a change call did, in terms both backends can report.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The final value, or the failure message.
    pub status: Result<Vec<u8>, String>,
    pub logs: Vec<String>,
    pub events: Vec<Event>,
    /// Messages of every failed receipt (a call may succeed while one of its
    /// detached receipts fails).
    pub receipt_failures: Vec<String>,
    /// Gas burnt by the called contract's code in the first receipt.
    pub vm_gas: u64,
    /// Gas burnt by the whole transaction.
    pub total_gas: u64,
    /// The embedded chain's full outcome, when the embedded chain ran it.
    pub tx: Option<TxOutcome>,
}

impl Outcome {
    pub fn is_success(&self) -> bool {
        self.status.is_ok()
    }

    #[track_caller]
    pub fn assert_success(&self) -> &Self {
        if let Err(e) = &self.status {
            panic!("call failed: {e}");
        }
        self
    }

    /// Panics unless the call failed with a message containing `needle`.
    #[track_caller]
    pub fn assert_failure(&self, needle: &str) -> &Self {
        match &self.status {
            Ok(v) => panic!("expected failure containing {needle:?}, got success {:?}", String::from_utf8_lossy(v)),
            Err(e) => assert!(e.contains(needle), "expected failure containing {needle:?}, got {e:?}"),
        }
        self
    }

    #[track_caller]
    pub fn json<T: DeserializeOwned>(&self) -> T {
        let bytes = self.status.as_ref().unwrap_or_else(|e| panic!("call failed: {e}"));
        serde_json::from_slice(bytes)
            .unwrap_or_else(|e| panic!("bad JSON result {:?}: {e}", String::from_utf8_lossy(bytes)))
    }

    /// Events of `standard` named `event`.
    pub fn events_named(&self, standard: &str, event: &str) -> Vec<&Event> {
        self.events.iter().filter(|e| e.standard == standard && e.event == event).collect()
    }

    /// Names of every event emitted, in order.
    pub fn event_names(&self) -> Vec<String> {
        self.events.iter().map(|e| e.event.clone()).collect()
    }
}

impl From<TxOutcome> for Outcome {
    fn from(tx: TxOutcome) -> Self {
        Outcome {
            status: tx.status.clone().map_err(|e| embedded_chain::error_message(&e)),
            logs: tx.logs().into_iter().map(String::from).collect(),
            events: tx.events().into_iter().cloned().collect(),
            receipt_failures: tx.receipt_failures(),
            vm_gas: tx.first_vm_gas().as_gas(),
            total_gas: tx.total_gas_burnt,
            tx: Some(tx),
        }
    }
}

/// A chain the scenarios can drive.
pub trait Backend {
    fn name(&self) -> &'static str;
    /// Creates `<name>.<root>` holding `balance`.
    fn create_account(&mut self, name: &str, balance: NearToken) -> AccountId;
    fn deploy(&mut self, account: &AccountId, wasm: &[u8]) -> Outcome;
    fn call(
        &mut self,
        signer: &AccountId,
        contract: &AccountId,
        method: &str,
        args: Vec<u8>,
        deposit: NearToken,
        gas: Gas,
    ) -> Outcome;
    fn view_raw(&self, contract: &AccountId, method: &str, args: &Value) -> Result<Vec<u8>, String>;
    fn balance(&self, account: &AccountId) -> NearToken;
    fn storage_usage(&self, account: &AccountId) -> u64;
    fn fast_forward(&mut self, blocks: u64);
    /// Timestamp of the latest block, in nanoseconds.
    fn block_timestamp(&self) -> u64;
    /// Number of full-access keys `account` holds.
    fn full_access_key_count(&self, account: &AccountId) -> usize;
    /// Deletes every full-access key of `account` in one transaction signed by
    /// the account itself (as `scripts/deploy.sh` ends): afterwards nobody can
    /// sign for it, and only its contract's own methods can change it.
    fn delete_full_access_keys(&mut self, account: &AccountId) -> Outcome;
}

/// Typed helpers every backend gets.
pub trait BackendExt: Backend {
    /// A JSON call with a deposit and the default 100 Tgas.
    fn call_json(
        &mut self,
        signer: &AccountId,
        contract: &AccountId,
        method: &str,
        args: Value,
        deposit: NearToken,
    ) -> Outcome {
        self.call(signer, contract, method, serde_json::to_vec(&args).expect("json"), deposit, Gas::from_teragas(100))
    }

    /// A JSON call with explicit gas.
    fn call_gas(
        &mut self,
        signer: &AccountId,
        contract: &AccountId,
        method: &str,
        args: Value,
        deposit: NearToken,
        gas: Gas,
    ) -> Outcome {
        self.call(signer, contract, method, serde_json::to_vec(&args).expect("json"), deposit, gas)
    }

    #[track_caller]
    fn view<T: DeserializeOwned>(&self, contract: &AccountId, method: &str, args: Value) -> T {
        let bytes = self.view_raw(contract, method, &args).unwrap_or_else(|e| panic!("view {contract}.{method}: {e}"));
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("view {contract}.{method}: bad JSON: {e}"))
    }
}

impl<B: Backend + ?Sized> BackendExt for B {}

/// The embedded chain as a backend.
pub struct Embedded {
    pub chain: Chain,
}

impl Embedded {
    pub fn new() -> Self {
        Embedded { chain: Chain::new() }
    }
}

impl Default for Embedded {
    fn default() -> Self {
        Self::new()
    }
}

impl Backend for Embedded {
    fn name(&self) -> &'static str {
        "embedded chain"
    }

    fn create_account(&mut self, name: &str, balance: NearToken) -> AccountId {
        self.chain.create_account(name, balance)
    }

    fn deploy(&mut self, account: &AccountId, wasm: &[u8]) -> Outcome {
        self.chain.deploy(account, wasm).into()
    }

    fn call(
        &mut self,
        signer: &AccountId,
        contract: &AccountId,
        method: &str,
        args: Vec<u8>,
        deposit: NearToken,
        gas: Gas,
    ) -> Outcome {
        self.chain.call(signer, contract, method).args(args).deposit(deposit).gas(gas).transact().into()
    }

    fn view_raw(&self, contract: &AccountId, method: &str, args: &Value) -> Result<Vec<u8>, String> {
        self.chain.view(contract, method, args.clone()).map(|v| v.result).map_err(|e| e.to_string())
    }

    fn balance(&self, account: &AccountId) -> NearToken {
        self.chain.balance(account)
    }

    fn storage_usage(&self, account: &AccountId) -> u64 {
        self.chain.view_account(account).map(|a| a.storage_usage).unwrap_or(0)
    }

    fn fast_forward(&mut self, blocks: u64) {
        self.chain.fast_forward(blocks)
    }

    fn block_timestamp(&self) -> u64 {
        self.chain.block_timestamp()
    }

    fn full_access_key_count(&self, account: &AccountId) -> usize {
        self.chain.view_access_keys(account).unwrap_or_default().iter().filter(|k| k.full_access).count()
    }

    fn delete_full_access_keys(&mut self, account: &AccountId) -> Outcome {
        let keys = self.chain.view_access_keys(account).unwrap_or_default();
        let tx = keys.iter().filter(|k| k.full_access).fold(self.chain.tx(account, account), |tx, k| {
            tx.delete_key(k.public_key.parse::<PublicKey>().expect("the chain lists valid public keys"))
        });
        tx.transact().into()
    }
}

/// An account's raw state entries, balance and storage usage, as [`Embedded::snapshot`] takes them.
pub type AccountSnapshot = (Vec<(Vec<u8>, Vec<u8>)>, NearToken, u64);

impl Embedded {
    /// Every raw state entry and the balance and storage usage of `account`:
    /// compare two snapshots to assert that a refused call changed nothing.
    pub fn snapshot(&self, account: &AccountId) -> AccountSnapshot {
        let usage = self.chain.view_account(account).map(|a| a.storage_usage).unwrap_or(0);
        (self.chain.view_state(account, b""), self.chain.balance(account), usage)
    }

    /// Asserts that `call` fails with a message containing `needle` and leaves
    /// `contract`'s state, balance and storage exactly as they were.
    #[track_caller]
    pub fn assert_refused(
        &mut self,
        contract: &AccountId,
        needle: &str,
        call: impl FnOnce(&mut Self) -> Outcome,
    ) -> Outcome {
        let before = self.snapshot(contract);
        let out = call(self);
        out.assert_failure(needle);
        let after = self.snapshot(contract);
        assert!(before.0 == after.0, "refused call changed {contract}'s state");
        assert_eq!(before.1, after.1, "refused call changed {contract}'s balance");
        assert_eq!(before.2, after.2, "refused call changed {contract}'s storage usage");
        out
    }
}
