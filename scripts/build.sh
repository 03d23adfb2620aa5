#!/usr/bin/env bash
# Builds every contract to wasm (release profile) into target/wasm/... and
# copies them to res/, printing each file's size.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

contracts=(community-dao model-registry data-consent inference-attestation)

# cdylib only: with the rlib crate type beside it cargo skips LTO (see crates/wasm-build).
for c in "${contracts[@]}"; do
    env -u RUSTFLAGS -u CARGO_TARGET_DIR cargo rustc --release --locked \
        --target wasm32-unknown-unknown --target-dir target/wasm --crate-type cdylib -p "$c"
done

mkdir -p res
printf '%-28s %10s\n' "contract" "bytes"
for c in "${contracts[@]}"; do
    f="target/wasm/wasm32-unknown-unknown/release/${c//-/_}.wasm"
    cp "$f" res/
    printf '%-28s %10s\n' "${c//-/_}.wasm" "$(wc -c < "$f")"
done
echo "wasm files are in res/"
