//! The genesis accounts' keys, written where clients look for them.
//!
//! Every genesis account (`test.near`, the root; `near`; `registrar`) holds
//! the full-access key of [`embedded_chain::signer_of`] its id. The node
//! writes them as:
//! - near-cli-rs' legacy keychain: `<key-dir>/<network>/<account>.json`
//!   (`account_id`, `public_key`, `private_key`);
//! - neard's `validator_key.json` (the root, as near-workspaces'
//!   `ValidatorKey::HomeDir` reads it) and `registrar.json` (the account
//!   near-workspaces creates top-level accounts with), in `<key-dir>`.

use crate::Config;
use embedded_chain::{signer_of, AccountId, Chain};
use near_crypto::{SecretKey, Signer};
use serde_json::json;
use std::path::{Path, PathBuf};

/// Where the genesis keys were written.
#[derive(Clone, Debug)]
pub struct GenesisKeys {
    pub dir: PathBuf,
    /// The root account (`test.near`).
    pub root: AccountId,
    /// Its secret key (`ed25519:...`), what `ValidatorKey::Known` takes.
    pub root_secret_key: String,
    /// `<dir>/validator_key.json`.
    pub validator_key: PathBuf,
    /// `<dir>/<network>`: the legacy keychain directory.
    pub keychain: PathBuf,
}

/// The secret key of a genesis account.
pub fn secret_key_of(id: &AccountId) -> SecretKey {
    match signer_of(id) {
        Signer::InMemory(signer) => signer.secret_key,
        Signer::Empty(_) => unreachable!("signer_of gives in-memory signers"),
    }
}

fn write_json(path: &Path, value: &serde_json::Value) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    std::fs::write(path, text).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
}

/// The key directory `config` names, or its default.
pub fn key_dir(config: &Config) -> PathBuf {
    match (&config.key_dir, &config.state_dir) {
        (Some(dir), _) => dir.clone(),
        (None, Some(state)) => state.join("keys"),
        (None, None) => std::env::temp_dir().join(format!("local-node-{}", std::process::id())),
    }
}

/// Writes every genesis account's key (see the module docs).
pub fn write_genesis_keys(config: &Config, chain: &Chain) -> anyhow::Result<GenesisKeys> {
    let dir = key_dir(config);
    let keychain = dir.join(&config.network);
    std::fs::create_dir_all(&keychain).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", keychain.display()))?;
    let root = chain.root();
    for name in [root.as_str(), "near", "registrar"] {
        let id: AccountId = name.parse()?;
        let secret = secret_key_of(&id);
        let entry = json!({"account_id": id, "public_key": secret.public_key(), "private_key": secret});
        write_json(&keychain.join(format!("{id}.json")), &entry)?;
        let neard = json!({"account_id": id, "public_key": secret.public_key(), "secret_key": secret});
        if id == root {
            write_json(&dir.join("validator_key.json"), &neard)?;
        }
        if name == "registrar" {
            write_json(&dir.join("registrar.json"), &neard)?;
        }
    }
    Ok(GenesisKeys {
        validator_key: dir.join("validator_key.json"),
        root_secret_key: secret_key_of(&root).to_string(),
        root,
        dir,
        keychain,
    })
}
