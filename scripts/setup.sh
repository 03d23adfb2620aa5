#!/usr/bin/env bash
# Installs what a fresh machine needs to build and test AI Commons: the pinned
# toolchain's wasm32-unknown-unknown target, and binaryen's wasm-opt, which
# shrinks every contract (every call pays gas per byte of code it loads).
# `--tests` also installs what only the tests need: shellcheck.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1 || ! command -v rustup >/dev/null 2>&1; then
    echo "error: cargo and rustup are required (https://rustup.rs); the toolchain is pinned in rust-toolchain.toml" >&2
    exit 1
fi

toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
if ! rustup target list --installed --toolchain "$toolchain" 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    echo "setup: adding the wasm32-unknown-unknown target to toolchain $toolchain"
    if ! rustup target add wasm32-unknown-unknown --toolchain "$toolchain"; then
        echo "error: could not install the wasm32-unknown-unknown target for $toolchain." >&2
        echo "       Contracts cannot be built without it; check rustup's network access." >&2
        exit 1
    fi
fi

# Installs a system package with apt-get or brew (quietly; nothing if neither exists).
install_package() { # apt-package brew-formula
    local sudo=()
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo=(sudo); fi
    if command -v apt-get >/dev/null 2>&1; then
        "${sudo[@]}" apt-get install -y "$1" >/dev/null 2>&1 ||
            { "${sudo[@]}" apt-get update >/dev/null && "${sudo[@]}" apt-get install -y "$1" >/dev/null; } || true
    elif command -v brew >/dev/null 2>&1; then
        brew install "$2" || true
    fi
}

if ! command -v wasm-opt >/dev/null 2>&1; then
    echo "setup: installing binaryen (wasm-opt)"
    install_package binaryen binaryen
    if ! command -v wasm-opt >/dev/null 2>&1; then
        echo "error: could not install binaryen's wasm-opt (needed to build the contracts)." >&2
        echo "       Install the 'binaryen' package with your package manager, or a release from" >&2
        echo "       https://github.com/WebAssembly/binaryen/releases, and put wasm-opt on PATH." >&2
        exit 1
    fi
fi

# The tests lint every script with shellcheck; only they need it.
if [[ ${1-} == --tests ]] && ! command -v shellcheck >/dev/null 2>&1; then
    echo "setup: installing shellcheck (the scripts test lints every script)"
    install_package shellcheck shellcheck
    if ! command -v shellcheck >/dev/null 2>&1; then
        echo "error: could not install shellcheck (scripts/test.sh lints every script with it)." >&2
        echo "       Install the 'shellcheck' package with your package manager, or a release from" >&2
        echo "       https://github.com/koalaman/shellcheck/releases, and put shellcheck on PATH." >&2
        exit 1
    fi
fi
