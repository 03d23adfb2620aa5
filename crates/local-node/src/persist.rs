//! `--state-dir`: the chain as one file, replaced atomically after every change.
//!
//! The snapshot (`Chain::snapshot`: a magic, a format version, a SHA-256 of
//! the body, the body) is written to `chain.snapshot.tmp`, fsynced, renamed
//! over `chain.snapshot`, and the directory fsynced: a node killed at any
//! point leaves either the previous complete file or the new one. On start a
//! left-over temporary file is removed; the complete file is loaded, and one
//! that does not verify stops the node with a clear error rather than
//! starting from an empty chain.

use embedded_chain::Chain;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The snapshot file in `dir`.
pub fn snapshot_path(dir: &Path) -> PathBuf {
    dir.join("chain.snapshot")
}

/// The temporary file a snapshot is written to before it replaces the last one.
pub fn temp_path(dir: &Path) -> PathBuf {
    dir.join("chain.snapshot.tmp")
}

/// Writes `chain` to `dir` atomically (see the module docs).
pub fn save(dir: &Path, chain: &Chain) -> anyhow::Result<()> {
    fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("cannot create state dir {}: {e}", dir.display()))?;
    let tmp = temp_path(dir);
    let bytes = chain.snapshot();
    let mut file = File::create(&tmp).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", tmp.display()))?;
    file.write_all(&bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&tmp, snapshot_path(dir))?;
    // The rename itself must reach the disk.
    File::open(dir)?.sync_all()?;
    Ok(())
}

/// The chain saved in `dir`, if any. A left-over temporary file (a write cut
/// short) is discarded; a snapshot that does not verify is an error.
pub fn load(dir: &Path) -> anyhow::Result<Option<Chain>> {
    let tmp = temp_path(dir);
    if tmp.exists() {
        fs::remove_file(&tmp).map_err(|e| anyhow::anyhow!("cannot remove {}: {e}", tmp.display()))?;
    }
    let path = snapshot_path(dir);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => anyhow::bail!("cannot read {}: {e}", path.display()),
    };
    let chain = Chain::restore(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(Some(chain))
}
