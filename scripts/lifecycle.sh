#!/usr/bin/env bash
# The main job: one community's whole life on the embedded chain, printed as a
# transcript. Extra arguments go to the program (e.g. --json transcript.json).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec cargo run --locked -q -p ai-commons-tests --bin lifecycle -- "$@"
