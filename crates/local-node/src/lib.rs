//! # local-node
//!
//! A local NEAR node: NEAR JSON-RPC 2.0 over HTTP on one [`embedded_chain::Chain`]
//! (the real NEAR VM, protocol 88), so near-cli, near-api-js and
//! near-workspaces drive the suite offline as they drive neard. Requests and
//! replies use the types of `near-jsonrpc-primitives` / `near-primitives`
//! 0.38, errors nearcore's error objects with nearcore's HTTP statuses.
//!
//! - [`Config`]: port, state directory, key directory, block interval, `--community`.
//! - [`Node`]: the chain behind a mutex, persisted after every change when a
//!   state directory is set ([`persist`]).
//! - [`rpc`]: the methods; [`views`]: the chain's records as nearcore's views.
//! - [`server`]: the HTTP side (body limit, CORS as neard's default).
//! - [`spawn`]: runs a node on a background thread (tests, other tools).
//!
//! See `crates/local-node/README.md` for the CLI.

pub mod keys;
pub mod persist;
pub mod rpc;
pub mod server;
pub mod views;

use embedded_chain::{AccountId, Chain};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Largest request body the node reads (neard's `json_payload_max_size`).
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;
/// Default port (neard's RPC port).
pub const DEFAULT_PORT: u16 = 3030;

/// How to run a node.
#[derive(Clone, Debug)]
pub struct Config {
    /// Port on 127.0.0.1; `0` picks a free one.
    pub port: u16,
    /// Where the chain is persisted (`None`: in memory only).
    pub state_dir: Option<PathBuf>,
    /// Where the genesis keys are written (`None`: `<state-dir>/keys`, or a
    /// fresh directory under the system's temp dir).
    pub key_dir: Option<PathBuf>,
    /// Network name of the near-cli-rs legacy keychain (`<key-dir>/<network>/<account>.json`).
    pub network: String,
    /// An empty block every interval (`None`: blocks only on demand).
    pub block_time: Option<Duration>,
    /// Deploy and wire the four contracts at genesis.
    pub community: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: DEFAULT_PORT,
            state_dir: None,
            key_dir: None,
            network: "localnet".into(),
            block_time: None,
            community: false,
        }
    }
}

/// A running node's shared state.
pub struct Node {
    chain: Mutex<Chain>,
    state_dir: Option<PathBuf>,
    started: Instant,
    addr: Mutex<Option<SocketAddr>>,
}

impl Node {
    /// A node over `chain`, persisting to `state_dir` if set.
    pub fn new(chain: Chain, state_dir: Option<PathBuf>) -> Arc<Node> {
        Arc::new(Node { chain: Mutex::new(chain), state_dir, started: Instant::now(), addr: Mutex::new(None) })
    }

    /// The chain, locked. A panic while it was held (a bug) does not stop the
    /// node: the chain's own operations leave it consistent between calls.
    pub fn chain(&self) -> MutexGuard<'_, Chain> {
        self.chain.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `change` on the chain and, with a state directory, persists the
    /// result before the lock is released (so the file always holds a state
    /// every client has seen, in order).
    pub fn change<T>(&self, change: impl FnOnce(&mut Chain) -> T) -> anyhow::Result<T> {
        let mut chain = self.chain();
        let out = change(&mut chain);
        if let Some(dir) = &self.state_dir {
            persist::save(dir, &chain)?;
        }
        Ok(out)
    }

    /// Time since the node started.
    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    /// The address the server listens on, once bound.
    pub fn addr(&self) -> Option<SocketAddr> {
        *self.addr.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn set_addr(&self, addr: SocketAddr) {
        *self.addr.lock().unwrap_or_else(|p| p.into_inner()) = Some(addr);
    }
}

/// The chain a node starts with: restored from `<state-dir>` if it holds one,
/// else genesis (plus the community when asked). Returns whether it was restored.
pub fn open_chain(config: &Config) -> anyhow::Result<(Chain, bool)> {
    if let Some(dir) = &config.state_dir {
        if let Some(chain) = persist::load(dir)? {
            return Ok((chain, true));
        }
    }
    let mut chain = Chain::new();
    if config.community {
        deploy_community(&mut chain);
    }
    Ok((chain, false))
}

/// What `--community` deployed.
pub struct CommunityAccounts {
    pub dao: AccountId,
    pub registry: AccountId,
    pub consent: AccountId,
    pub attestation: AccountId,
    pub council: Vec<AccountId>,
}

/// Deploys and wires the four contracts as the lifecycle does (the suite's
/// own `Community::deploy`), council `alice`, `bob`, `carol`.
pub fn deploy_community(chain: &mut Chain) -> CommunityAccounts {
    let wasm = ai_commons_tests::Wasm::load();
    let mut backend = ai_commons_tests::Embedded { chain: std::mem::take(chain) };
    let deployment = ai_commons_tests::Community::deploy(&mut backend, &wasm, &["alice", "bob", "carol"]);
    *chain = backend.chain;
    let c = deployment.community;
    CommunityAccounts {
        dao: c.dao,
        registry: c.registry,
        consent: c.consent,
        attestation: c.attestation,
        council: c.council,
    }
}

/// A node running on a background thread (its own tokio runtime).
pub struct RunningNode {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    pub node: Arc<Node>,
    pub keys: keys::GenesisKeys,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RunningNode {
    /// Stops the server and waits for it.
    pub fn stop(mut self) {
        self.stop_inner();
    }

    fn stop_inner(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for RunningNode {
    fn drop(&mut self) {
        self.stop_inner();
    }
}

/// Starts a node as [`Config`] says on a background thread; returns once it
/// listens.
pub fn spawn(config: Config) -> anyhow::Result<RunningNode> {
    let (chain, _) = open_chain(&config)?;
    let keys = keys::write_genesis_keys(&config, &chain)?;
    let node = Node::new(chain, config.state_dir.clone());
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let listener = rt.block_on(server::bind(config.port))?;
    let addr = listener.local_addr()?;
    node.set_addr(addr);
    let (tx, rx) = tokio::sync::oneshot::channel();
    let serving = node.clone();
    let block_time = config.block_time;
    let thread = std::thread::Builder::new().name("local-node".into()).spawn(move || {
        rt.block_on(async move {
            if let Some(every) = block_time {
                tokio::spawn(server::produce_blocks(serving.clone(), every));
            }
            tokio::select! {
                _ = server::serve(serving, listener) => {}
                _ = rx => {}
            }
        });
        rt.shutdown_timeout(Duration::from_secs(1));
    })?;
    Ok(RunningNode { url: format!("http://{addr}"), node, keys, shutdown: Some(tx), thread: Some(thread) })
}
