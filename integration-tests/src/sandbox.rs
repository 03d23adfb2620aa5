//! near-workspaces as a [`Backend`]: attached to a running node
//! ([`Sandbox::attach`]: the suite's own `local-node`, or any neard sandbox
//! whose RPC address and root key are known), or starting a neard sandbox
//! binary ([`Sandbox::start`]: set `NEAR_SANDBOX_BIN_PATH`; the crate is built
//! without near-workspaces' `install` feature, so nothing is downloaded).

use crate::backend::{Backend, Outcome};
use embedded_chain::{AccountId, Event, Gas, NearToken};
use near_workspaces::network::Sandbox as SandboxNet;
use near_workspaces::types::AccessKeyPermission;
use near_workspaces::{Account, Worker};
use serde_json::Value;
use std::collections::HashMap;

pub struct Sandbox {
    rt: tokio::runtime::Runtime,
    worker: Worker<SandboxNet>,
    root: Account,
    accounts: HashMap<String, Account>,
}

fn ws_id(id: &AccountId) -> near_workspaces::AccountId {
    id.as_str().parse().expect("valid account id")
}

fn our_id(id: &near_workspaces::AccountId) -> AccountId {
    id.as_str().parse().expect("valid account id")
}

fn token(t: NearToken) -> near_workspaces::types::NearToken {
    near_workspaces::types::NearToken::from_yoctonear(t.as_yoctonear())
}

impl Sandbox {
    /// Starts a sandbox node; fails with a clear message when none is available.
    pub fn start() -> anyhow::Result<Self> {
        if std::env::var_os("NEAR_SANDBOX_BIN_PATH").is_none() {
            anyhow::bail!("set NEAR_SANDBOX_BIN_PATH to a neard sandbox binary to run the sandbox scenarios");
        }
        let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
        let worker = rt.block_on(async { near_workspaces::sandbox().await })?;
        let root = worker.root_account()?;
        Ok(Sandbox { rt, worker, root, accounts: HashMap::new() })
    }

    /// Attaches near-workspaces to the node at `rpc_url` whose root account
    /// `root` holds `root_secret_key` (`ed25519:...`), as
    /// `sandbox().rpc_addr(..).validator_key(ValidatorKey::Known(..))` does.
    pub fn attach(rpc_url: &str, root: &AccountId, root_secret_key: &str) -> anyhow::Result<Self> {
        let key: near_workspaces::types::SecretKey = root_secret_key.parse()?;
        let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
        let validator_key = near_workspaces::network::ValidatorKey::Known(ws_id(root), key);
        let worker =
            rt.block_on(async { near_workspaces::sandbox().rpc_addr(rpc_url).validator_key(validator_key).await })?;
        let root = worker.root_account()?;
        Ok(Sandbox { rt, worker, root, accounts: HashMap::new() })
    }

    fn signer(&self, id: &AccountId) -> &Account {
        if id.as_str() == self.root.id().as_str() {
            return &self.root;
        }
        self.accounts.get(id.as_str()).unwrap_or_else(|| panic!("no key for {id}: create it through the backend"))
    }
}

fn outcome_of(result: near_workspaces::result::ExecutionFinalResult) -> Outcome {
    let logs: Vec<String> = result.logs().into_iter().map(String::from).collect();
    let events = logs.iter().filter_map(|l| Event::parse(l)).collect();
    let receipt_failures =
        result.receipt_failures().into_iter().map(|o| format!("{:?}", o.clone().into_result().err())).collect();
    let vm_gas = result.outcome().gas_burnt.as_gas();
    let total_gas = result.total_gas_burnt.as_gas();
    let status = match result.into_result() {
        Ok(success) => Ok(success.raw_bytes().unwrap_or_default()),
        Err(failure) => Err(format!("{failure}")),
    };
    Outcome { status, logs, events, receipt_failures, vm_gas, total_gas, tx: None }
}

/// A transaction the node refused before running it (bad nonce, a deleted
/// key, ...): nothing ran, as the embedded chain reports a refusal.
fn refused(error: near_workspaces::error::Error) -> Outcome {
    Outcome {
        status: Err(format!("transaction refused: {error}")),
        logs: Vec::new(),
        events: Vec::new(),
        receipt_failures: Vec::new(),
        vm_gas: 0,
        total_gas: 0,
        tx: None,
    }
}

impl Backend for Sandbox {
    fn name(&self) -> &'static str {
        "near-workspaces sandbox"
    }

    fn create_account(&mut self, name: &str, balance: NearToken) -> AccountId {
        let account = self
            .rt
            .block_on(async { self.root.create_subaccount(name).initial_balance(token(balance)).transact().await })
            .expect("rpc")
            .into_result()
            .expect("create account");
        let id = our_id(account.id());
        self.accounts.insert(id.to_string(), account);
        id
    }

    fn deploy(&mut self, account: &AccountId, wasm: &[u8]) -> Outcome {
        let signer = self.signer(account).clone();
        let result = match self.rt.block_on(async { signer.deploy(wasm).await }) {
            Ok(result) => result,
            Err(e) => return refused(e),
        };
        let ok = result.is_success();
        let details = result.details;
        let mut out = outcome_of(details);
        if ok {
            out.status = Ok(Vec::new());
        }
        out
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
        let account = self.signer(signer).clone();
        let result = self.rt.block_on(async {
            account
                .call(&ws_id(contract), method)
                .args(args)
                .deposit(token(deposit))
                .gas(near_workspaces::types::Gas::from_gas(gas.as_gas()))
                .transact()
                .await
        });
        match result {
            Ok(result) => outcome_of(result),
            Err(e) => refused(e),
        }
    }

    fn view_raw(&self, contract: &AccountId, method: &str, args: &Value) -> Result<Vec<u8>, String> {
        self.rt
            .block_on(async { self.worker.view(&ws_id(contract), method).args_json(args).await })
            .map(|r| r.result)
            .map_err(|e| e.to_string())
    }

    fn balance(&self, account: &AccountId) -> NearToken {
        let details = self.rt.block_on(async { self.worker.view_account(&ws_id(account)).await }).expect("rpc");
        NearToken::from_yoctonear(details.balance.as_yoctonear())
    }

    fn storage_usage(&self, account: &AccountId) -> u64 {
        self.rt.block_on(async { self.worker.view_account(&ws_id(account)).await }).expect("rpc").storage_usage
    }

    fn fast_forward(&mut self, blocks: u64) {
        self.rt.block_on(async { self.worker.fast_forward(blocks).await }).expect("fast forward");
    }

    fn block_timestamp(&self) -> u64 {
        self.rt.block_on(async { self.worker.view_block().await }).expect("rpc").timestamp()
    }

    fn full_access_key_count(&self, account: &AccountId) -> usize {
        let keys = self.rt.block_on(async { self.worker.view_access_keys(&ws_id(account)).await }).expect("rpc");
        keys.iter().filter(|k| matches!(k.access_key.permission, AccessKeyPermission::FullAccess)).count()
    }

    fn delete_full_access_keys(&mut self, account: &AccountId) -> Outcome {
        // The backend created the account with one key: the one it signs with.
        let signer = self.signer(account).clone();
        let key = signer.secret_key().public_key();
        match self.rt.block_on(async { signer.batch(signer.id()).delete_key(key).transact().await }) {
            Ok(result) => outcome_of(result),
            Err(e) => refused(e),
        }
    }
}
