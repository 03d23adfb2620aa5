#!/usr/bin/env bash
# A local NEAR node on 127.0.0.1:3030 over the embedded chain (the real NEAR VM),
# with the four AI Commons contracts deployed and wired (--community), so
# near-cli, near-api-js, near-workspaces and a front end have something to
# talk to at once. Arguments go to the node (see --help); without any, the
# node runs with --community. Examples:
#   bash scripts/node.sh                          # community on :3030, in memory
#   bash scripts/node.sh --community --state-dir .node   # and keep the chain
#   bash scripts/node.sh --port 0                 # a free port, no community
set -euo pipefail
cd "$(dirname "$0")/.."

for arg in "$@"; do
    case "$arg" in
        -h | --help)
            # Answer at once when the binary exists; build it otherwise.
            if [ -x target/debug/local-node ]; then exec target/debug/local-node --help; fi
            exec cargo run --locked -p local-node -- --help
            ;;
    esac
done

args=("$@")
if [ ${#args[@]} -eq 0 ]; then args=(--community); fi

bash scripts/setup.sh
echo "node: building local-node (the first build takes several minutes)" >&2
cargo build --locked -p local-node
exec target/debug/local-node "${args[@]}"
