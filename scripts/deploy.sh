#!/usr/bin/env bash
# Deploys one AI Commons community to testnet (or any network) with near-cli-rs:
# creates the sub-accounts of a parent account, deploys res/*.wasm, initializes
# each contract and links them, then deletes the full-access key of every
# contract account (the DAO owns them from then on) and prints a summary.
# Re-running it finishes a partial deploy: existing accounts are not created
# again, initialized contracts are not deployed again, deleted keys are skipped.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<EOF
Usage: scripts/deploy.sh --parent ACCOUNT (--consent ACCOUNT | --deploy-consent) [options]

Creates and deploys, under ACCOUNT (which funds everything):
  dao.ACCOUNT          community-dao, initialized with new(...)
  registry.ACCOUNT     model-registry, owner = dao.ACCOUNT
  attestation.ACCOUNT  inference-attestation, owner = dao.ACCOUNT, registry = registry.ACCOUNT
  consent.ACCOUNT      data-consent, only with --deploy-consent: data-consent is ONE
                       shared deployment serving every community, so normally link the
                       existing one with --consent.
Then it deletes the full-access key of each of these accounts: nobody can sign
for them afterwards, and their code changes only through DAO proposals
(upgrade_self for the DAO, upgrade_contract for the others; see README.md,
"Who owns what"). Re-run it to finish a deploy that stopped half-way.

Options:
  --parent ACCOUNT       parent account (required); must be in your keychain
  --consent ACCOUNT      link this existing data-consent deployment ('none': no consent contract)
  --deploy-consent       deploy data-consent to consent.ACCOUNT instead
  --consent-owner ID     owner (upgrades only) of a deployed data-consent (default: the DAO; 'none')
  --name TEXT            community name (default: "AI Commons")
  --purpose TEXT         community purpose
  --metadata TEXT        metadata string stored by the DAO (default: {})
  --council a,b,...      initial members, all with role 'council' (default: the parent)
  --bond NEAR            proposal bond (default: 1)
  --voting-period SECS   default voting period (default: 86400)
  --roles-json FILE      roles for new() instead of council/member (JSON array)
  --policy-json FILE     vote_policies for new() instead of the default (JSON object)
  --closed-publishing    model-registry publishing by allow-list (default: open)
  --funding NEAR         initial balance of each new account (default: 5)
  --dao-funding NEAR     initial balance of the DAO (its treasury; default: --funding)
  --skip-build           use the wasm already in res/ (default: run scripts/build.sh)
$COMMON_USAGE

Example:
  scripts/deploy.sh --parent ai-commons.testnet --deploy-consent \\
      --name "Open Models" --council alice.testnet,bob.testnet --bond 0.5
EOF
}

parent='' name='AI Commons' purpose='Govern our AI models in public; every person keeps control of their own data.'
metadata='{}' council='' bond=1 voting_period=86400 roles_file='' policy_file=''
open_publishing=true funding=5 dao_funding='' skip_build=0
consent='' deploy_consent=0 consent_owner=''

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
        --deploy-consent) deploy_consent=1 ;;
        --closed-publishing) open_publishing=false ;;
        --parent | --name | --purpose | --metadata | --council | --bond | --voting-period | --roles-json | \
            --policy-json | --funding | --dao-funding | --consent | --consent-owner)
            opt_value "$1" "${2-}"
            case $1 in
                --parent) parent=$2 ;;
                --name) name=$2 ;;
                --purpose) purpose=$2 ;;
                --metadata) metadata=$2 ;;
                --council) council=$2 ;;
                --bond) bond=$2 ;;
                --voting-period) voting_period=$2 ;;
                --roles-json) roles_file=$2 ;;
                --policy-json) policy_file=$2 ;;
                --funding) funding=$2 ;;
                --dao-funding) dao_funding=$2 ;;
                --consent) consent=$2 ;;
                --consent-owner) consent_owner=$2 ;;
            esac
            shift
            ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
    shift
done

# ---- checks, before anything runs
require_arg --parent "$parent" "the account whose sub-accounts hold the community"
check_account "--parent" "$parent"
if [[ $deploy_consent == 1 && -n $consent ]]; then
    die "give either --consent ACCOUNT (link the shared deployment) or --deploy-consent, not both"
fi
if [[ $deploy_consent == 0 && -z $consent ]]; then
    die "missing required argument --consent ACCOUNT (the shared data-consent deployment to link; 'none' for no consent contract) or --deploy-consent (deploy consent.$parent)"
fi
[[ $voting_period =~ ^[1-9][0-9]{0,8}$ ]] || die "--voting-period takes a number of seconds, not '$voting_period'"
need_near
need_json

dao=dao.$parent
registry=registry.$parent
attestation=attestation.$parent
for a in "$dao" "$registry" "$attestation"; do check_account "sub-account" "$a"; done
if [[ $deploy_consent == 1 ]]; then
    consent=consent.$parent
    check_account "sub-account" "$consent"
elif [[ $consent != none ]]; then
    check_account "--consent" "$consent"
fi
consent_owner=${consent_owner:-$dao}
consent_owner_note=''
if [[ $deploy_consent == 1 ]]; then consent_owner_note=", data-consent's upgrades (owner: $consent_owner)"; fi
[[ $consent_owner == none ]] || check_account "--consent-owner" "$consent_owner"

bond_yocto=$(near_to_yocto "$bond")
funding=$(near_amount "$funding")
dao_funding=$(near_amount "${dao_funding:-$funding}")

council=${council:-$parent}
members='[' sep=''
IFS=, read -r -a council_list <<<"$council"
for m in "${council_list[@]}"; do
    m=${m// /}
    [[ -n $m ]] || continue
    check_account "--council member" "$m"
    members+="$sep{\"account_id\":$(json_str "$m"),\"roles\":[\"council\"]}"
    sep=,
done
members+=']'
[[ $members != '[]' ]] || die "--council needs at least one account"

if [[ -n $roles_file ]]; then
    roles=$(json_file "$roles_file")
else
    roles='[{"name":"council","can_propose":"all","can_vote":"all"},{"name":"member","can_propose":["text"],"can_vote":["text"]}]'
fi
if [[ -n $policy_file ]]; then
    policy=$(json_file "$policy_file")
else
    policy="{\"default\":{\"voting_period_ns\":\"${voting_period}000000000\",\"quorum\":{\"fraction\":{\"num\":1,\"den\":2}},\"threshold\":{\"num\":1,\"den\":2},\"timelock_ns\":\"0\"},\"per_kind\":{}}"
fi

consent_json=null
[[ $consent == none ]] || consent_json=$(json_str "$consent")

dao_args="{\"name\":$(json_str "$name"),\"purpose\":$(json_str "$purpose"),\"metadata\":$(json_str "$metadata"),\"roles\":$roles,\"members\":$members,\"vote_policies\":$policy,\"proposal_bond\":\"$bond_yocto\",\"registry\":\"$registry\",\"attestation\":\"$attestation\",\"consent\":$consent_json}"
registry_args="{\"owner\":\"$dao\",\"open_publishing\":$open_publishing}"
attestation_args="{\"owner\":\"$dao\",\"registry\":\"$registry\",\"max_clock_skew_ns\":null}"
if [[ $consent_owner == none ]]; then
    consent_args='{"owner":null}'
else
    consent_args="{\"owner\":\"$consent_owner\"}"
fi

dry && note "dry run: printing the near commands for network '$NETWORK'; nothing is sent"

# ---- 1. build
build_contracts "$skip_build"
need_wasm "$(wasm_path community_dao)" "$(wasm_path model_registry)" "$(wasm_path inference_attestation)"
if [[ $deploy_consent == 1 ]]; then need_wasm "$(wasm_path data_consent)"; fi

# ---- 2. accounts
create_account "$dao" "$dao_funding" "$parent"
create_account "$registry" "$funding" "$parent"
create_account "$attestation" "$funding" "$parent"
if [[ $deploy_consent == 1 ]]; then create_account "$consent" "$funding" "$parent"; fi

# ---- 3. deploy + init (the registry first: the attestation contract and the DAO point at it)
deploy_once "$registry" "$(wasm_path model_registry)" "$registry_args"
deploy_once "$attestation" "$(wasm_path inference_attestation)" "$attestation_args"
if [[ $deploy_consent == 1 ]]; then deploy_once "$consent" "$(wasm_path data_consent)" "$consent_args"; fi
deploy_once "$dao" "$(wasm_path community_dao)" "$dao_args"

# ---- 4. hand the accounts over: delete every full-access key
contract_accounts=("$registry" "$attestation")
if [[ $deploy_consent == 1 ]]; then contract_accounts+=("$consent"); fi
contract_accounts+=("$dao")
note "deleting the full-access keys of ${contract_accounts[*]}: afterwards nobody can sign for these accounts; the DAO ($dao) owns the registry and attestation contracts${consent_owner_note:-} and upgrades them (and itself) only through passed proposals"
for a in "${contract_accounts[@]}"; do delete_full_access_keys "$a"; done

# ---- 5. summary
consent_note='(shared, linked)'
[[ $deploy_consent == 0 ]] || consent_note="(deployed here, owner: $consent_owner)"
sent=''
! dry || sent=' (dry run: nothing was sent)'
cat <<EOF

Community '$name' on $NETWORK$sent
  community-dao          $dao   (treasury: $dao_funding, proposal bond: $bond_yocto yoctoNEAR)
  model-registry         $registry   (owner: $dao, open publishing: $open_publishing)
  inference-attestation  $attestation   (owner: $dao, registry: $registry)
  data-consent           $consent   $consent_note
  council                $council
  full-access keys       none left on ${contract_accounts[*]}
Next: scripts/drive.sh --parent $parent --network $NETWORK --help
EOF
