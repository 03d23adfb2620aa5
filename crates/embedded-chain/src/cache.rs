//! One compiled-contract cache per process, backed by a directory so that test
//! binaries and the bench reuse each other's compilations.

use near_vm_runner::{
    noop_background_spawner, ContractRuntimeCache, FilesystemContractRuntimeCache, MockContractRuntimeCache,
};
use std::path::PathBuf;
use std::sync::OnceLock;

/// Directory of the on-disk cache: `EMBEDDED_CHAIN_CACHE_DIR`, or a folder in
/// the system's temp dir. Entries are keyed by code hash and VM config, so a
/// stale entry is never used for different code.
pub fn cache_dir() -> PathBuf {
    std::env::var_os("EMBEDDED_CHAIN_CACHE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("embedded-chain-vm-cache"))
}

pub(crate) fn shared_cache() -> &'static dyn ContractRuntimeCache {
    static CACHE: OnceLock<Box<dyn ContractRuntimeCache>> = OnceLock::new();
    CACHE
        .get_or_init(|| {
            let dir = cache_dir();
            match FilesystemContractRuntimeCache::with_memory_cache(
                &dir,
                None::<&str>,
                "compiled",
                64,
                None,
                2 << 30,
                noop_background_spawner(),
            ) {
                Ok(cache) => Box::new(cache),
                Err(_) => Box::new(MockContractRuntimeCache::default()),
            }
        })
        .as_ref()
}
