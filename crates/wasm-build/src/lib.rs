//! Builds the workspace's contracts to `wasm32-unknown-unknown` (release
//! profile) and shrinks them with binaryen's `wasm-opt -Oz`, once per process,
//! so `cargo test` from a fresh clone needs no separate build step.
//!
//! Cargo builds into `<workspace>/target/wasm/wasm32-unknown-unknown/release/`,
//! a target directory of its own so the nested cargo never waits on the lock
//! of the cargo that runs the tests; the optimised wasm, which is what tests,
//! the bench, the demo and `scripts/build.sh` deploy, goes to `opt/` beside it.
//!
//! Every call pays a fee for loading the contract's code, ~1.09 Mgas per byte
//! at protocol 88, so the ~15% `wasm-opt` takes off is gas off every call.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

/// The contracts of the suite, as cargo package names.
pub const SUITE: [&str; 4] = ["community-dao", "model-registry", "data-consent", "inference-attestation"];

/// Contracts built beside the suite: one deployment serves every community
/// on a chain. `wasm("tee-verifier", &[])` builds it on first use.
pub const SHARED: [&str; 1] = ["tee-verifier"];

/// Everything `scripts/build.sh` builds: the suite, then the shared contracts.
pub fn all_contracts() -> Vec<&'static str> {
    SUITE.iter().chain(SHARED.iter()).copied().collect()
}

/// Root of the cargo workspace whose contracts to build.
///
/// Cargo sets `CARGO_MANIFEST_DIR` when it runs a test, bench or binary: the
/// workspace that holds the running crate is the one to build, even when this
/// crate was compiled from another checkout sharing the target dir (a cached
/// artifact keeps the path it was compiled with). Outside cargo, the checkout
/// this crate was compiled from.
pub fn workspace_root() -> PathBuf {
    let running = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    running
        .and_then(|dir| dir.ancestors().find(|d| is_workspace_root(d)).map(Path::to_path_buf))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .canonicalize()
        .expect("workspace root")
}

fn is_workspace_root(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|toml| toml.lines().any(|l| l.trim() == "[workspace]"))
}

/// Target dir of the wasm builds (`WASM_TARGET_DIR` overrides it).
pub fn wasm_target_dir() -> PathBuf {
    std::env::var_os("WASM_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("target/wasm"))
}

/// Target dir for a build with `features`: feature builds get a directory of
/// their own, so they never overwrite (or force a rebuild of) the plain wasm.
fn target_dir_for(features: &[&str]) -> PathBuf {
    if features.is_empty() {
        wasm_target_dir()
    } else {
        let base = wasm_target_dir();
        let name = format!("{}-{}", base.file_name().and_then(|n| n.to_str()).unwrap_or("wasm"), features.join("+"));
        base.with_file_name(name)
    }
}

fn wasm_file(package: &str) -> String {
    format!("{}.wasm", package.replace('-', "_"))
}

/// What cargo built.
fn raw_wasm_path(package: &str, features: &[&str]) -> PathBuf {
    target_dir_for(features).join("wasm32-unknown-unknown/release").join(wasm_file(package))
}

/// What `wasm-opt` made of it: the wasm to deploy.
fn wasm_path(package: &str, features: &[&str]) -> PathBuf {
    target_dir_for(features).join("wasm32-unknown-unknown/release/opt").join(wasm_file(package))
}

/// `wasm-opt` arguments. `-Oz`: smallest code. The features are those rustc's
/// wasm uses and the NEAR VM (protocol 88) accepts: `wasm-opt` may keep but
/// must never introduce anything else (no multi-value, SIMD or reference types).
pub const WASM_OPT_ARGS: [&str; 8] = [
    "-Oz",
    "--mvp-features",
    "--enable-sign-ext",
    "--enable-bulk-memory",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--strip-debug",
    "--strip-producers",
];

/// Checks that binaryen's `wasm-opt` can run, with a message that says how to fix it.
pub fn ensure_wasm_opt() -> Result<(), String> {
    match Command::new("wasm-opt").arg("--version").output() {
        Ok(out) if out.status.success() => Ok(()),
        _ => Err("binaryen's wasm-opt is not installed: run scripts/setup.sh (it installs the \
                  Debian package `binaryen`), or install binaryen another way and put wasm-opt on PATH"
            .to_string()),
    }
}

/// Optimises `raw` into `out` unless `out` is already newer than `raw`.
fn optimize(raw: &Path, out: &Path) -> Result<(), String> {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if let (Some(r), Some(o)) = (modified(raw), modified(out)) {
        if o >= r {
            return Ok(());
        }
    }
    let dir = out.parent().expect("opt dir");
    std::fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    // Write beside the target and rename: another process may be reading it.
    let tmp = out.with_extension(format!("wasm.{}.tmp", std::process::id()));
    let run = Command::new("wasm-opt")
        .args(WASM_OPT_ARGS)
        .arg(raw)
        .arg("-o")
        .arg(&tmp)
        .output()
        .map_err(|e| format!("cannot run wasm-opt: {e}"))?;
    if !run.status.success() {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("wasm-opt failed on {}:\n{}", raw.display(), String::from_utf8_lossy(&run.stderr)));
    }
    std::fs::rename(&tmp, out).map_err(|e| format!("rename to {}: {e}", out.display()))
}

/// Checks that the wasm target is installed, with a message that says how to fix it.
pub fn ensure_wasm_target() -> Result<(), String> {
    let out =
        Command::new("rustc").args(["--print", "sysroot"]).output().map_err(|e| format!("cannot run rustc: {e}"))?;
    let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let lib = Path::new(&sysroot).join("lib/rustlib/wasm32-unknown-unknown");
    if lib.exists() {
        Ok(())
    } else {
        Err("the wasm32-unknown-unknown target is not installed for this toolchain: \
             run `rustup target add wasm32-unknown-unknown` (scripts/setup.sh does it)"
            .to_string())
    }
}

/// Builds `packages` with `features`, optimises each with `wasm-opt`, and
/// returns the optimised wasm paths in order.
///
/// Each contract is built as a `cdylib` only (`cargo rustc --crate-type
/// cdylib`): with the `rlib` crate type beside it (needed for unit tests and
/// native seeding) cargo would skip link-time optimisation, and the wasm
/// would be about a fifth larger, which every call pays for in loading gas.
pub fn build(packages: &[&str], features: &[&str]) -> Result<Vec<PathBuf>, String> {
    ensure_wasm_target()?;
    ensure_wasm_opt()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    for package in packages {
        let mut cmd = Command::new(&cargo);
        cmd.current_dir(workspace_root())
            .args([
                "rustc",
                "--release",
                "--locked",
                "--target",
                "wasm32-unknown-unknown",
                "--crate-type",
                "cdylib",
                "-p",
                package,
            ])
            .arg("--target-dir")
            .arg(target_dir_for(features));
        if !features.is_empty() {
            cmd.args(["--features", &features.join(",")]);
        }
        // Flags meant for the host build must not leak into the wasm build.
        for var in
            ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_BUILD_RUSTFLAGS", "RUSTC_WRAPPER", "CARGO_TARGET_DIR"]
        {
            cmd.env_remove(var);
        }
        let out = cmd.output().map_err(|e| format!("cannot run cargo: {e}"))?;
        if !out.status.success() {
            return Err(format!("building {package} to wasm failed:\n{}", String::from_utf8_lossy(&out.stderr)));
        }
        optimize(&raw_wasm_path(package, features), &wasm_path(package, features))?;
    }
    Ok(packages.iter().map(|p| wasm_path(p, features)).collect())
}

/// The wasm of `package` (built with `features`), built at most once per process.
/// Panics with the build error: tests cannot run without their contracts.
pub fn wasm(package: &str, features: &[&str]) -> Vec<u8> {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let key = format!("{package}/{}", features.join(","));
    let mut built = BUILT.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
    if !built.contains_key(&key) {
        if features.is_empty() && SUITE.contains(&package) {
            // Build the whole suite at once: every test needs all four.
            let paths = build(&SUITE, &[]).unwrap_or_else(|e| panic!("{e}"));
            for (p, path) in SUITE.iter().zip(paths) {
                built.insert(format!("{p}/"), path);
            }
        } else {
            let path = build(&[package], features).unwrap_or_else(|e| panic!("{e}")).remove(0);
            built.insert(key.clone(), path);
        }
    }
    let path = &built[&key];
    std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}
