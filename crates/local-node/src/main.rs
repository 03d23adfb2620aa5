//! `local-node`: a local NEAR node on the embedded chain. See `--help` and
//! `crates/local-node/README.md`.

use local_node::{keys, open_chain, server, Config, Node, DEFAULT_PORT};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const HELP: &str = "\
local-node: NEAR JSON-RPC on 127.0.0.1 over the embedded chain (the real NEAR VM, protocol 88)

USAGE: local-node [OPTIONS]

OPTIONS:
  --port N          port on 127.0.0.1 (default 3030; 0 picks a free one)
  --state-dir DIR   persist the chain in DIR after every change and resume from it
  --key-dir DIR     where the genesis keys are written (default: <state-dir>/keys,
                    else a new directory under the system's temp dir)
  --network NAME    keychain folder name: <key-dir>/<NAME>/<account>.json (default localnet)
  --block-time MS   also produce an empty block every MS milliseconds (default 0: off;
                    blocks are produced on demand, by each transaction)
  --community       deploy and wire the four AI Commons contracts at genesis
  -h, --help        this help

The first line on stdout is the node's URL (http://127.0.0.1:PORT); the lines
after it say where the keys are. The root account is test.near.";

fn parse_args(args: &[String]) -> Result<Option<Config>, String> {
    let mut config = Config::default();
    let mut i = 0;
    let value = |i: usize, flag: &str| -> Result<String, String> {
        args.get(i + 1).cloned().ok_or_else(|| format!("{flag} needs a value"))
    };
    while i < args.len() {
        match args[i].as_str() {
            "-h" | "--help" => return Ok(None),
            "--port" => {
                config.port = value(i, "--port")?.parse().map_err(|_| "--port must be a number 0-65535".to_string())?;
                i += 1;
            }
            "--state-dir" => {
                config.state_dir = Some(PathBuf::from(value(i, "--state-dir")?));
                i += 1;
            }
            "--key-dir" => {
                config.key_dir = Some(PathBuf::from(value(i, "--key-dir")?));
                i += 1;
            }
            "--network" => {
                let name = value(i, "--network")?;
                if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                    return Err("--network must be letters, digits, - or _".into());
                }
                config.network = name;
                i += 1;
            }
            "--block-time" => {
                let ms: u64 = value(i, "--block-time")?
                    .parse()
                    .map_err(|_| "--block-time must be a number of milliseconds".to_string())?;
                config.block_time = (ms > 0).then(|| Duration::from_millis(ms));
                i += 1;
            }
            "--community" => config.community = true,
            other => return Err(format!("unknown argument {other:?} (see --help)")),
        }
        i += 1;
    }
    Ok(Some(config))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse_args(&args) {
        Ok(Some(config)) => config,
        Ok(None) => {
            println!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("local-node: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("local-node: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("local-node: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> anyhow::Result<()> {
    let listener = server::bind(config.port).await.map_err(|e| {
        let port = if config.port == 0 { "a free port".to_string() } else { format!("port {}", config.port) };
        let hint = if config.port == DEFAULT_PORT { " (is another node running? try --port 0)" } else { "" };
        anyhow::anyhow!("cannot listen on 127.0.0.1, {port}: {e}{hint}")
    })?;
    let addr = listener.local_addr()?;
    println!("http://{addr}");
    let (chain, restored) = open_chain(&config)?;
    let keys = keys::write_genesis_keys(&config, &chain)?;
    println!("root account: {} (key {})", keys.root, keys::secret_key_of(&keys.root).public_key());
    println!("validator key (near-workspaces): {}", keys.validator_key.display());
    println!("keychain (near-cli-rs legacy, network {}): {}", config.network, keys.keychain.display());
    match (&config.state_dir, restored) {
        (Some(dir), true) => println!("state: resumed from {} at height {}", dir.display(), chain.block_height()),
        (Some(dir), false) => println!("state: new chain, persisted in {}", dir.display()),
        (None, _) => println!("state: in memory (use --state-dir DIR to keep it)"),
    }
    if config.community && !restored {
        for (name, id) in
            ["dao", "registry", "consent", "attestation"].iter().map(|n| (n, format!("{n}.{}", keys.root)))
        {
            println!("community {name}: {id}");
        }
    }
    let node = Node::new(chain, config.state_dir.clone());
    if let Some(dir) = &config.state_dir {
        local_node::persist::save(dir, &node.chain())?;
    }
    println!("ready");
    if let Some(every) = config.block_time {
        tokio::spawn(server::produce_blocks(node.clone(), every));
    }
    tokio::select! {
        _ = server::serve(node, listener) => {}
        _ = tokio::signal::ctrl_c() => println!("stopping"),
    }
    Ok(())
}
