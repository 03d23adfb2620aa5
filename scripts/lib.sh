#!/usr/bin/env bash
# Shared helpers for deploy.sh, drive.sh and fork.sh: option parsing, tool
# checks, JSON (jq, or python3 when jq is missing), NEAR amounts, and the
# run-or-print wrapper around near-cli-rs (`near`).
#
# Source it after `set -euo pipefail`:  . "$(dirname "$0")/lib.sh"
# Every near command goes through `run` / `near_call` / `near_view` / `near_deploy`:
# with --dry-run it is printed as `+ near ...` on stdout (one per line) and not
# run; otherwise it is echoed as `+ near ...` on stderr and run.

# shellcheck disable=SC2034  # (whole file) its variables are read by the scripts that source it

# Functions run inside $(...) stop at their first failure too (bash >= 4.4).
shopt -s inherit_errexit 2>/dev/null || true

SCRIPT_NAME=$(basename "$0")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NETWORK=testnet
DRY_RUN=0
KEYCHAIN=legacy-keychain
JSON_TOOL=
SHIFT_BY=1

# Dry-run lines go to fd 3 (the script's stdout) so that they are printed even
# from inside $(...), e.g. when a view is "called" to fill in a value.
exec 3>&1

die() {
    printf '%s: error: %s\n' "$SCRIPT_NAME" "$*" >&2
    exit 1
}

note() {
    printf '%s: %s\n' "$SCRIPT_NAME" "$*" >&2
}

dry() {
    [[ $DRY_RUN == 1 ]]
}

# opt_value OPTION VALUE: fails unless the option was given a value.
opt_value() {
    if [[ -z ${2-} || ${2-} == --* ]]; then
        die "option $1 needs a value (see $SCRIPT_NAME --help)"
    fi
}

# require_arg OPTION VALUE WHAT: fails when a required argument is missing.
require_arg() {
    if [[ -z ${2-} ]]; then
        die "missing required argument $1 ($3); see $SCRIPT_NAME --help"
    fi
}

# common_opt "$@": handles the options every script takes. Returns 1 when $1
# is not one of them; otherwise sets SHIFT_BY to the number of words used.
common_opt() {
    SHIFT_BY=1
    case $1 in
        --network)
            opt_value "$1" "${2-}"
            NETWORK=$2
            SHIFT_BY=2
            ;;
        --keychain)
            opt_value "$1" "${2-}"
            case $2 in
                legacy) KEYCHAIN=legacy-keychain ;;
                os) KEYCHAIN=keychain ;;
                *) die "--keychain takes 'legacy' (~/.near-credentials) or 'os' (the system keychain), not '$2'" ;;
            esac
            SHIFT_BY=2
            ;;
        --dry-run) DRY_RUN=1 ;;
        *) return 1 ;;
    esac
}

COMMON_USAGE="Common options:
  --network NAME     near-cli network config (default: testnet)
  --keychain KIND    where keys are kept: legacy (~/.near-credentials, default) or os
  --dry-run          print every near command as '+ near ...' and run nothing
                     (near-cli need not be installed)
  -h, --help         this help"

# need_tool TOOL HINT: fails with a clear message when TOOL is not on PATH.
need_tool() {
    command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed or not on PATH: $2"
}

# need_near: near-cli-rs is needed unless this is a dry run.
need_near() {
    dry && return 0
    need_tool near "install near-cli-rs (https://github.com/near/near-cli-rs: 'cargo install near-cli-rs' or its install script), or use --dry-run"
}

# need_json: picks jq, or python3 when jq is missing.
need_json() {
    if command -v jq >/dev/null 2>&1; then
        JSON_TOOL=jq
    elif command -v python3 >/dev/null 2>&1; then
        JSON_TOOL=python3
    else
        die "neither jq nor python3 is installed; one of them is needed to read and write JSON (e.g. 'apt-get install -y jq')"
    fi
}

# ---------------------------------------------------------------- JSON

# json_str TEXT: TEXT as a JSON string literal.
json_str() {
    case $JSON_TOOL in
        jq) jq -cn --arg s "$1" '$s' ;;
        python3) python3 -c 'import json, sys; print(json.dumps(sys.argv[1], ensure_ascii=False))' "$1" ;;
        *) die "internal: need_json was not called" ;;
    esac
}

# json_get JSON PATH: the value at PATH (".a.b.0"; "." is the whole value).
# Strings are printed raw, null or missing as nothing, anything else as
# compact JSON.
json_get() {
    case $JSON_TOOL in
        jq)
            printf '%s' "$1" | jq -r --arg p "$2" '
                ($p | ltrimstr(".") | if . == "" then [] else split(".") | map(tonumber? // .) end) as $k
                | getpath($k)
                | if . == null then empty elif type == "string" then . else tojson end'
            ;;
        python3)
            printf '%s' "$1" | python3 -c '
import json, sys
v = json.load(sys.stdin)
for k in [k for k in sys.argv[1].split(".") if k]:
    if isinstance(v, list) and k.isdigit():
        v = v[int(k)] if int(k) < len(v) else None
    elif isinstance(v, dict):
        v = v.get(k)
    else:
        v = None
    if v is None:
        break
if isinstance(v, str):
    print(v)
elif v is not None:
    print(json.dumps(v, separators=(",", ":"), ensure_ascii=False))
' "$2"
            ;;
        *) die "internal: need_json was not called" ;;
    esac
}

# json_len JSON PATH: length of the array or object at PATH (0 when missing).
json_len() {
    case $JSON_TOOL in
        jq)
            printf '%s' "$1" | jq -r --arg p "$2" '
                ($p | ltrimstr(".") | if . == "" then [] else split(".") | map(tonumber? // .) end) as $k
                | getpath($k) | if . == null then 0 else length end'
            ;;
        python3)
            printf '%s' "$1" | python3 -c '
import json, sys
v = json.load(sys.stdin)
for k in [k for k in sys.argv[1].split(".") if k]:
    v = v[int(k)] if isinstance(v, list) else (v or {}).get(k)
print(0 if v is None else len(v))
' "$2"
            ;;
        *) die "internal: need_json was not called" ;;
    esac
}

# json_file FILE: the file's JSON, compact; fails clearly when it is not JSON.
json_file() {
    [[ -f $1 ]] || die "file not found: $1"
    local out
    case $JSON_TOOL in
        jq) out=$(jq -c . "$1" 2>/dev/null) || die "$1 is not valid JSON" ;;
        python3)
            out=$(python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1])), separators=(",", ":"), ensure_ascii=False))' "$1" 2>/dev/null) ||
                die "$1 is not valid JSON"
            ;;
        *) die "internal: need_json was not called" ;;
    esac
    printf '%s\n' "$out"
}

# json_text TEXT: TEXT (JSON) compacted; fails clearly when it is not JSON.
json_text() {
    local out
    case $JSON_TOOL in
        jq) out=$(printf '%s' "$1" | jq -c . 2>/dev/null) || die "not valid JSON: $1" ;;
        python3)
            out=$(python3 -c 'import json, sys; print(json.dumps(json.loads(sys.argv[1]), separators=(",", ":"), ensure_ascii=False))' "$1" 2>/dev/null) ||
                die "not valid JSON: $1"
            ;;
        *) die "internal: need_json was not called" ;;
    esac
    [[ -n $out ]] || die "not valid JSON: '$1'"
    printf '%s\n' "$out"
}

# json_list "a,b,c": a JSON array of strings, e.g. ["a","b","c"] ("" gives []).
json_list() {
    local out='[' sep='' item
    local -a items
    IFS=, read -r -a items <<<"$1"
    for item in "${items[@]}"; do
        item=${item// /}
        [[ -n $item ]] || continue
        out+="$sep$(json_str "$item")"
        sep=,
    done
    printf '%s]\n' "$out"
}

# ---------------------------------------------------------------- values

# is_account_id ID: NEAR account id rules (2-64 chars, lowercase parts).
is_account_id() {
    local id=$1
    ((${#id} >= 2 && ${#id} <= 64)) || return 1
    [[ $id =~ ^(([a-z0-9]+[-_])*[a-z0-9]+\.)*([a-z0-9]+[-_])*[a-z0-9]+$ ]]
}

check_account() { # check_account WHAT ID
    is_account_id "$2" || die "$1 '$2' is not a valid NEAR account id"
}

# near_to_yocto AMOUNT: "1", "0.25", "2 NEAR" or "5000 yoctoNEAR" -> yoctoNEAR digits.
near_to_yocto() {
    local v=${1// /}
    if [[ $v =~ ^([0-9]+)yocto(NEAR)?$ ]]; then
        v=${BASH_REMATCH[1]}
    else
        v=${v%NEAR}
        if [[ ! $v =~ ^([0-9]*)(\.([0-9]{0,24}))?$ || $v == "" || $v == . ]]; then
            die "'$1' is not an amount of NEAR (e.g. 1, 0.5, '2 NEAR' or '1000 yoctoNEAR')"
        fi
        local int=${BASH_REMATCH[1]:-0} frac=${BASH_REMATCH[3]}
        frac=$(printf '%-24s' "$frac")
        v=$int${frac// /0}
    fi
    v=${v#"${v%%[!0]*}"}
    printf '%s\n' "${v:-0}"
}

# near_amount AMOUNT: the same amount as near-cli writes it ("2 NEAR").
near_amount() {
    local v=${1// /}
    if [[ $v =~ ^[0-9]+yocto(NEAR)?$ ]]; then
        printf '%s yoctoNEAR\n' "${v%%yocto*}"
        return
    fi
    v=${v%NEAR}
    [[ $v =~ ^[0-9]*(\.[0-9]{0,24})?$ && $v != "" && $v != . ]] ||
        die "'$1' is not an amount of NEAR (e.g. 1, 0.5 or '2 NEAR')"
    printf '%s NEAR\n' "$v"
}

# ---------------------------------------------------------------- commands

shell_quote() {
    if [[ $1 =~ ^[A-Za-z0-9_./:@=,+%^-]+$ ]]; then
        printf '%s' "$1"
    else
        printf "'%s'" "${1//\'/\'\\\'\'}"
    fi
}

print_cmd() {
    local line='+' a
    for a in "$@"; do line+=" $(shell_quote "$a")"; done
    if dry; then
        printf '%s\n' "$line" >&3
    else
        printf '%s\n' "$line" >&2
    fi
}

# run CMD...: prints it; runs it unless this is a dry run.
run() {
    print_cmd "$@"
    dry || "$@"
}

sign_with() {
    printf 'sign-with-%s\n' "$KEYCHAIN"
}

# near_call CONTRACT METHOD JSON_ARGS DEPOSIT GAS SIGNER
near_call() {
    run near contract call-function as-transaction "$1" "$2" json-args "$3" \
        prepaid-gas "$5" attached-deposit "$4" sign-as "$6" \
        network-config "$NETWORK" "$(sign_with)" send
}

# near_view CONTRACT METHOD JSON_ARGS [DRY_RUN_VALUE]: prints the view's JSON
# result. In a dry run the command is printed and DRY_RUN_VALUE returned.
near_view() {
    local -a cmd=(near contract call-function as-read-only "$1" "$2" json-args "$3" network-config "$NETWORK" now)
    print_cmd "${cmd[@]}"
    if dry; then
        printf '%s\n' "${4-}"
        return 0
    fi
    local out err
    err=$(mktemp)
    if ! out=$("${cmd[@]}" 2>"$err"); then
        cat "$err" >&2
        rm -f "$err"
        die "view $2 on $1 failed (see near-cli's output above)"
    fi
    rm -f "$err"
    printf '%s\n' "$out"
}

# account_exists ACCOUNT: live runs only (a dry run assumes it does not).
account_exists() {
    dry && return 1
    near account view-account-summary "$1" network-config "$NETWORK" now >/dev/null 2>&1
}

# create_account ACCOUNT FUNDING PARENT: creates a sub-account funded by PARENT
# with a new key saved to the keychain; skips an account that already exists.
create_account() {
    if account_exists "$1"; then
        note "$1 already exists on $NETWORK; not creating it"
        return 0
    fi
    local save=save-to-legacy-keychain
    if [[ $KEYCHAIN == keychain ]]; then save="save-to-keychain"; fi
    run near account create-account fund-myself "$1" "$2" autogenerate-new-keypair "$save" \
        sign-as "$3" network-config "$NETWORK" "$(sign_with)" send
}

# contract_initialized ACCOUNT: whether ACCOUNT runs an initialized AI Commons
# contract (its `contract_version` view answers). Live runs only: a dry run
# assumes it does not.
contract_initialized() {
    dry && return 1
    near contract call-function as-read-only "$1" contract_version json-args '{}' \
        network-config "$NETWORK" now >/dev/null 2>&1
}

# deploy_once ACCOUNT WASM INIT_JSON_ARGS: near_deploy, unless a previous run
# already deployed and initialized the contract (then it is left alone).
deploy_once() {
    if contract_initialized "$1"; then
        note "$1 already runs an initialized contract; not deploying or initializing it again"
        return 0
    fi
    near_deploy "$@"
}

# full_access_keys ACCOUNT: the account's full-access public keys, one per
# line, as near-cli-rs lists them (live runs).
full_access_keys() {
    local -a cmd=(near account list-keys "$1" network-config "$NETWORK" now)
    local out line
    print_cmd "${cmd[@]}"
    out=$("${cmd[@]}" 2>&1) || {
        printf '%s\n' "$out" >&2
        die "listing the keys of $1 failed (see near-cli's output above)"
    }
    while IFS= read -r line; do
        if [[ ${line,,} == *"full access"* && $line =~ (ed25519|secp256k1):[1-9A-HJ-NP-Za-km-z]+ ]]; then
            printf '%s\n' "${BASH_REMATCH[0]}"
        fi
    done <<<"$out"
}

# delete_full_access_keys ACCOUNT: deletes every full-access key of ACCOUNT in
# one transaction signed by the account itself; an account without one (a
# previous run deleted them) is skipped. A dry run prints both commands.
delete_full_access_keys() {
    if dry; then
        print_cmd near account list-keys "$1" network-config "$NETWORK" now
        run near account delete-keys "$1" public-keys "<the full-access keys listed>" \
            network-config "$NETWORK" "$(sign_with)" send
        return 0
    fi
    local keys
    keys=$(full_access_keys "$1")
    if [[ -z $keys ]]; then
        note "$1 holds no full-access key (already deleted); nothing to do"
        return 0
    fi
    run near account delete-keys "$1" public-keys "${keys//$'\n'/,}" \
        network-config "$NETWORK" "$(sign_with)" send
}

# near_deploy ACCOUNT WASM INIT_JSON_ARGS: deploys and calls new() in one transaction.
near_deploy() {
    if ! dry && [[ ! -f $2 ]]; then
        die "$2 not found: run scripts/build.sh first (or drop --skip-build)"
    fi
    run near contract deploy "$1" use-file "$2" with-init-call new json-args "$3" \
        prepaid-gas '100 Tgas' attached-deposit '0 NEAR' network-config "$NETWORK" "$(sign_with)" send
}

# build_contracts SKIP: runs scripts/build.sh unless SKIP is 1; a dry run only prints it.
build_contracts() {
    if [[ $1 == 1 ]]; then
        note "--skip-build: using the wasm already in res/"
        return 0
    fi
    run bash "$ROOT/scripts/build.sh"
}

# need_wasm FILE...: after the build step, before any account is created (live runs).
need_wasm() {
    dry && return 0
    local f
    for f in "$@"; do
        [[ -f $f ]] || die "$f not found: run scripts/build.sh first (or drop --skip-build)"
    done
}

wasm_path() { # wasm_path CRATE_FILE_STEM (AI_COMMONS_RES overrides the res/ folder)
    printf '%s/%s.wasm\n' "${AI_COMMONS_RES:-$ROOT/res}" "$1"
}
