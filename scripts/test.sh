#!/usr/bin/env bash
# The test command: unit tests of every contract, the embedded chain's tests and
# the end-to-end scenarios on the embedded chain (which build the contracts'
# wasm themselves), then a compile check of the near-workspaces sandbox
# scenarios so they cannot rot.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests

cargo fmt --all --check
cargo test --workspace --locked
cargo check --locked -p ai-commons-tests --features sandbox --tests
