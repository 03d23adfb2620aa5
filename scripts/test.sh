#!/usr/bin/env bash
# The test command: unit tests of every contract, the embedded chain's tests and
# the end-to-end scenarios on the embedded chain (which build the contracts'
# wasm themselves, and the local node's tests), then the scenarios written
# over `Backend` once more through near-workspaces (a real NEAR client)
# attached to the local node (`--features sandbox`), and near-api-js against
# the local node (scripts/js-clients.sh: needs Node.js >= 20.18 and npm).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests

cargo fmt --all --check
cargo test --workspace --locked
cargo test --locked -p ai-commons-tests --features sandbox --test lifecycle -- through_near_workspaces
bash scripts/js-clients.sh
