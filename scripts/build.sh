#!/usr/bin/env bash
# Builds every contract to wasm (release profile, then binaryen's wasm-opt -Oz;
# see crates/wasm-build) and copies them to res/, printing each file's size.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

env -u RUSTFLAGS -u CARGO_TARGET_DIR cargo run -q --locked -p wasm-build --bin build-contracts -- res
