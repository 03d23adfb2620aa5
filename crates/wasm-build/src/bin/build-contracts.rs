//! Builds the suite's contracts and the shared tee-verifier (release, `wasm-opt -Oz`) and copies them to a
//! folder, printing each size: `cargo run -p wasm-build --bin build-contracts -- [DIR]`
//! (default `res`). `scripts/build.sh` runs it.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "res".to_string()));
    let paths = match wasm_build::build(&wasm_build::all_contracts(), &[]) {
        Ok(paths) => paths,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("error: create {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    println!("{:<28} {:>10}", "contract", "bytes");
    for path in paths {
        let name = path.file_name().expect("wasm file name");
        let dest = dir.join(name);
        match std::fs::copy(&path, &dest) {
            Ok(bytes) => println!("{:<28} {bytes:>10}", name.to_string_lossy()),
            Err(e) => {
                eprintln!("error: copy {} to {}: {e}", path.display(), dest.display());
                return ExitCode::FAILURE;
            }
        }
    }
    println!("wasm files are in {}/", dir.display());
    ExitCode::SUCCESS
}
