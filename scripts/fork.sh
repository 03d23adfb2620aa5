#!/usr/bin/env bash
# Forks an AI Commons community: reads an existing DAO's views (get_config,
# get_policy, get_roles, get_members page by page) and deploys a new DAO whose
# config, vote policy, roles and chosen members come from it.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<EOF
Usage: scripts/fork.sh --parent ACCOUNT (--from DAO_ACCOUNT | --from-json FILE) [options]

Deploys a new community-dao to dao.ACCOUNT (or --dao) with the source DAO's name,
purpose, metadata, roles, vote policies, proposal bond and the chosen members
(each with the roles they hold there). The data-consent link is kept (one
shared deployment); the source's registry and attestation contracts are owned
by the source DAO, so the fork links none unless --registry/--attestation name
them or --deploy-contracts deploys new ones under ACCOUNT, owned by the fork.
Like deploy.sh, it ends by deleting the full-access key of every account it
deployed to: the fork's proposals are then the only way to change them.

Options:
  --parent ACCOUNT      parent account that creates, funds and signs (required)
  --from ACCOUNT        the DAO to fork (its views are read with near-cli)
  --from-json FILE      saved view outputs instead of reading them (needed with --dry-run):
                        {"source", "config": get_config, "policy": get_policy,
                         "roles": get_roles, "members": [get_members pages...]};
                        example: scripts/fixtures/fork-source.json
  --save-json FILE      write the views read from --from to FILE (that format)
  --members all|a,b,c   members to carry over (default: all; at most 100)
  --dao ACCOUNT         the new DAO's account (default: dao.ACCOUNT)
  --name TEXT           the new community's name (default: "<source name> (fork)")
  --bond NEAR           proposal bond (default: the source's)
  --consent ACCOUNT     data-consent to link (default: the source's; 'none')
  --registry ACCOUNT / --attestation ACCOUNT   existing contracts to link
  --deploy-contracts    deploy registry.ACCOUNT and attestation.ACCOUNT, owned by the fork
  --funding NEAR        initial balance of each new account (default: 5)
  --skip-build          use the wasm already in res/
$COMMON_USAGE

Example:
  scripts/fork.sh --from dao.open-models.testnet --parent open-models-2.testnet \\
      --members alice.testnet,carol.testnet --deploy-contracts
  scripts/fork.sh --from-json scripts/fixtures/fork-source.json --parent fork.testnet --dry-run
EOF
}

parent='' from='' from_json='' save_json='' members_opt=all new_dao='' name='' bond=''
consent='' registry='' attestation='' deploy_contracts=0 funding=5 skip_build=0

while (($#)); do
    if [[ $1 == --*=* ]]; then set -- "${1%%=*}" "${1#*=}" "${@:2}"; fi
    if common_opt "$@"; then
        shift "$SHIFT_BY"
        continue
    fi
    case $1 in
        -h | --help)
            usage
            exit 0
            ;;
        --skip-build) skip_build=1 ;;
        --deploy-contracts) deploy_contracts=1 ;;
        --parent | --from | --from-json | --save-json | --members | --dao | --name | --bond | --consent | \
            --registry | --attestation | --funding)
            opt_value "$1" "${2-}"
            case $1 in
                --parent) parent=$2 ;;
                --from) from=$2 ;;
                --from-json) from_json=$2 ;;
                --save-json) save_json=$2 ;;
                --members) members_opt=$2 ;;
                --dao) new_dao=$2 ;;
                --name) name=$2 ;;
                --bond) bond=$2 ;;
                --consent) consent=$2 ;;
                --registry) registry=$2 ;;
                --attestation) attestation=$2 ;;
                --funding) funding=$2 ;;
            esac
            shift
            ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
    shift
done

# ---- checks, before anything runs
require_arg --parent "$parent" "the account that creates and funds the new DAO"
check_account --parent "$parent"
if [[ -z $from && -z $from_json ]]; then
    die "missing required argument --from DAO_ACCOUNT (the community to fork) or --from-json FILE (its saved views)"
fi
if dry && [[ -z $from_json ]]; then
    die "--dry-run cannot read views: pass --from-json FILE with the saved view outputs (example: scripts/fixtures/fork-source.json)"
fi
[[ -z $from ]] || check_account --from "$from"
if [[ $deploy_contracts == 1 && (-n $registry || -n $attestation) ]]; then
    die "give either --deploy-contracts or --registry/--attestation, not both"
fi
[[ -z $save_json || -n $from ]] || die "--save-json needs --from (the views to save)"
need_near
need_json

new_dao=${new_dao:-dao.$parent}
check_account "new DAO" "$new_dao"
if [[ $deploy_contracts == 1 ]]; then
    registry=registry.$parent
    attestation=attestation.$parent
fi
[[ -z $registry ]] || check_account --registry "$registry"
[[ -z $attestation ]] || check_account --attestation "$attestation"
funding=$(near_amount "$funding")

dry && note "dry run: printing the near commands for network '$NETWORK'; nothing is sent"

# ---- 1. the source's views
saved=''
if [[ -n $from_json ]]; then
    saved=$(json_file "$from_json")
    for part in config policy roles members; do
        [[ -n $(json_get "$saved" ".$part") ]] || die "$from_json has no \"$part\" (expected {\"config\", \"policy\", \"roles\", \"members\"})"
    done
fi
from=${from:-$(json_get "$saved" .source)}
from=${from:-the saved DAO}

# from_saved PART: that part of the saved views (nothing without --from-json).
from_saved() {
    if [[ -n $saved ]]; then json_get "$saved" ".$1"; fi
}

if [[ -n $from_json ]] && { ! dry || ! is_account_id "$from"; }; then
    # Saved views: a live run deploys from them without reading anything.
    dry || note "using the views saved in $from_json (not reading $from)"
    config=$(from_saved config)
    policy=$(from_saved policy)
    roles=$(from_saved roles)
    members=$(from_saved members)
else
    # Live: read the views. Dry run: print the reads and answer them from the file.
    config=$(json_text "$(near_view "$from" get_config '{}' "$(from_saved config)")")
    policy=$(json_text "$(near_view "$from" get_policy '{}' "$(from_saved policy)")")
    roles=$(json_text "$(near_view "$from" get_roles '{}' "$(from_saved roles)")")
    members='' page_size=100 index=0
    while :; do
        page=$(json_text "$(near_view "$from" get_members "{\"from_index\":$index,\"limit\":$page_size}" "$(from_saved members)")")
        n=$(json_len "$page" .)
        page=${page#[}
        page=${page%]}
        if ((n > 0)); then members+=${members:+,}$page; fi
        index=$((index + n))
        if dry || ((n < page_size)); then break; fi
    done
    members="[$members]"
fi
[[ -n $(json_get "$config" .name) ]] || die "get_config of $from has no name: is $from a community-dao?"

if [[ -n $save_json ]]; then
    if dry; then
        note "dry run: not writing $save_json"
    else
        printf '{"source":%s,"config":%s,"policy":%s,"roles":%s,"members":%s}\n' \
            "$(json_str "$from")" "$config" "$policy" "$roles" "$members" >"$save_json"
        note "saved the views of $from to $save_json"
    fi
fi

count=$(json_len "$members" .)
expected=$(json_get "$config" .member_count)
if [[ -n $expected && $expected != "$count" ]]; then
    note "warning: get_config says $expected members, the member pages gave $count"
fi

# ---- 2. the members to carry over
order=() order_roles=()
for ((i = 0; i < count; i++)); do
    order+=("$(json_get "$members" ".$i.account_id")")
    order_roles+=("$(json_get "$members" ".$i.roles")")
done
chosen=() chosen_roles=()
if [[ $members_opt == all ]]; then
    chosen=("${order[@]}")
    chosen_roles=("${order_roles[@]}")
else
    IFS=, read -r -a wanted <<<"$members_opt"
    for acc in "${wanted[@]}"; do
        acc=${acc// /}
        [[ -n $acc ]] || continue
        found=''
        for ((i = 0; i < count; i++)); do
            if [[ ${order[i]} == "$acc" ]]; then found=${order_roles[i]}; fi
        done
        [[ -n $found ]] || die "$acc is not a member of $from (--members takes members of the source, or 'all')"
        chosen+=("$acc")
        chosen_roles+=("$found")
    done
fi
((${#chosen[@]} > 0)) || die "no members to carry over (--members all|a,b,c)"
((${#chosen[@]} <= 100)) || die "${#chosen[@]} members chosen; a new DAO takes at most 100 initial members (pick them with --members a,b,c)"
member_json='' sep=''
for ((i = 0; i < ${#chosen[@]}; i++)); do
    member_json+="$sep{\"account_id\":$(json_str "${chosen[i]}"),\"roles\":${chosen_roles[i]}}"
    sep=,
done

# ---- 3. the new DAO's init args
src_name=$(json_get "$config" .name)
if [[ -z $name ]]; then
    name="$src_name (fork)"
    ((${#name} <= 128)) || name=$src_name
fi
if [[ -n $bond ]]; then
    bond_yocto=$(near_to_yocto "$bond")
else
    bond_yocto=$(json_get "$config" .proposal_bond)
fi
if [[ -z $consent ]]; then
    consent=$(json_get "$config" .community.consent)
    consent=${consent:-none}
fi
[[ $consent == none ]] || check_account --consent "$consent"
opt_account() { # JSON for an optional account
    if [[ -z $1 || $1 == none ]]; then printf 'null'; else json_str "$1"; fi
}
dao_args="{\"name\":$(json_str "$name"),\"purpose\":$(json_str "$(json_get "$config" .purpose)"),\"metadata\":$(json_str "$(json_get "$config" .metadata)"),\"roles\":$roles,\"members\":[$member_json],\"vote_policies\":$policy,\"proposal_bond\":\"$bond_yocto\",\"registry\":$(opt_account "$registry"),\"attestation\":$(opt_account "$attestation"),\"consent\":$(opt_account "$consent")}"
dao_args=$(json_text "$dao_args")

# ---- 4. build, accounts, deploy
build_contracts "$skip_build"
need_wasm "$(wasm_path community_dao)"
if [[ $deploy_contracts == 1 ]]; then need_wasm "$(wasm_path model_registry)" "$(wasm_path inference_attestation)"; fi
create_account "$new_dao" "$funding" "$parent"
if [[ $deploy_contracts == 1 ]]; then
    create_account "$registry" "$funding" "$parent"
    create_account "$attestation" "$funding" "$parent"
    near_deploy "$registry" "$(wasm_path model_registry)" "{\"owner\":\"$new_dao\",\"open_publishing\":true}"
    near_deploy "$attestation" "$(wasm_path inference_attestation)" "{\"owner\":\"$new_dao\",\"registry\":\"$registry\",\"max_clock_skew_ns\":null}"
fi
near_deploy "$new_dao" "$(wasm_path community_dao)" "$dao_args"

# ---- 5. as deploy.sh: no contract account keeps a full-access key
forked_accounts=("$new_dao")
if [[ $deploy_contracts == 1 ]]; then forked_accounts=("$registry" "$attestation" "$new_dao"); fi
note "deleting the full-access keys of ${forked_accounts[*]}: afterwards only passed proposals of $new_dao change them"
for a in "${forked_accounts[@]}"; do delete_full_access_keys "$a"; done

sent=''
! dry || sent=' (dry run: nothing was sent)'
consent_note="$consent (shared)"
[[ $consent != none ]] || consent_note=none
cat <<EOF

Fork of $from on $NETWORK$sent
  new community-dao  $new_dao   '$name'
  members            ${#chosen[@]} of $count: ${chosen[*]}
  roles, policy      copied from $from; proposal bond $bond_yocto yoctoNEAR
  registry           ${registry:-none}
  attestation        ${attestation:-none}
  data-consent       $consent_note
EOF
