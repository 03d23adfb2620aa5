#!/usr/bin/env bash
# The JavaScript clients' tests: near-api-js (clients/near-api-js, the version
# pinned in its package-lock.json) against the local node. Builds the node
# (`cargo build -p local-node`, a no-op when it is up to date), installs the
# locked packages (`npm ci`: only the npm registry, nothing else), then
# `npm test`, which starts the node with --community on a free port, drives
# the four contracts and stops it. Called by scripts/test.sh.
#   bash scripts/js-clients.sh            # build, install, test
#   LOCAL_NODE_BIN=path bash scripts/js-clients.sh   # test another node binary
set -euo pipefail
cd "$(dirname "$0")/.."

case ${1-} in
    -h | --help)
        sed -n '2,9s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
    "") ;;
    *)
        echo "js-clients.sh: error: unknown argument '$1' (see --help)" >&2
        exit 2
        ;;
esac

# near-api-js 7.2 needs Node.js >= 20.18 (its package.json `engines`).
need_major=20
need_minor=18
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "js-clients.sh: error: node and npm are required (Node.js >= $need_major.$need_minor," >&2
    echo "  https://nodejs.org or your package manager, e.g. apt-get install nodejs npm)" >&2
    exit 1
fi
version=$(node --version)
IFS=. read -r major minor _ <<<"${version#v}"
if ((major < need_major || (major == need_major && minor < need_minor))); then
    echo "js-clients.sh: error: Node.js $version is too old: near-api-js 7.2 needs >= $need_major.$need_minor" >&2
    exit 1
fi

if [[ -z ${LOCAL_NODE_BIN-} ]]; then
    echo "js-clients.sh: building local-node (the first build takes several minutes)" >&2
    cargo build --locked -p local-node
    LOCAL_NODE_BIN=$PWD/target/debug/local-node
fi
export LOCAL_NODE_BIN

cd clients/near-api-js
echo "js-clients.sh: npm ci (near-api-js as package-lock.json pins it)" >&2
npm ci --no-audit --no-fund
echo "js-clients.sh: npm test (near-api-js against the local node)" >&2
npm test
