#!/usr/bin/env bash
# Drives the lifecycle steps of a deployed AI Commons community with near-cli-rs:
# proposals (with the exact deposit from get_proposal_deposit), votes,
# execution, consent, model versions, attesters and receipts. One step per
# subcommand, or the whole `lifecycle`.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<EOF
Usage: scripts/drive.sh --parent ACCOUNT [options] SUBCOMMAND [ARGS...]

The community is the one scripts/deploy.sh made under ACCOUNT: dao.ACCOUNT,
registry.ACCOUNT, attestation.ACCOUNT; data-consent is the account in the DAO's
get_config (override with --consent). Transactions are signed by --as.

Options:
  --parent ACCOUNT        parent account of the community (required)
  --as ACCOUNT            signer (default: the parent)
  --dao / --registry / --attestation / --consent ACCOUNT   override an account
$COMMON_USAGE

DAO proposals (the deposit is read from get_proposal_deposit; prints the new id):
  propose DESCRIPTION KIND_JSON        any kind, e.g. '{"type":"text"}'
  propose-member ACCOUNT [ROLE]        add_member (role default: member)
  propose-remove-member ACCOUNT        remove_member
  propose-publisher ACCOUNT            function call registry.add_publisher (closed publishing)
  propose-snapshot [PURPOSE] [NOTE]    record_training_snapshot (purpose default: training)
  propose-approve MODEL VERSION        approve_model_version
  propose-alias MODEL ALIAS VERSION    move_alias (e.g. production)
  propose-deprecate MODEL VERSION [REASON]
  propose-revoke-version MODEL VERSION REASON
  propose-attester OPERATOR PUBLIC_KEY [MODELS] [TEE_KIND] [MEASUREMENTS]
                                       admit_attester; MODELS 'all' or a,b; MEASUREMENTS hex,hex
  propose-revoke-attester OPERATOR REASON
  vote ID yes|no|abstain|spam [REASON]
  finalize ID | execute ID | proposal ID (view)
Users and publishers (signed by --as):
  storage-deposit USER [NEAR]          data-consent storage for USER (default 0.05 NEAR)
  grant [PURPOSE] [MODEL_ID]           consent to the DAO (purpose default: training)
  revoke-consent [PURPOSE]             revoke it
  was-live USER SNAPSHOT_ID            view: was USER's consent live at the snapshot?
  register-model MODEL_ID [NAME] [TASK] [LICENSE] [CARD_URI] [CARD_DIGEST]
  submit-version MODEL_ID WEIGHTS_DIGEST SNAPSHOT_ID [ARTIFACT_URI] [CODE_DIGEST]
  submit-receipt FILE                  FILE: {"receipt":{...},"signature":"ed25519:..."}
  receipts REQUESTER                   view: the requester's receipts
The whole life (issue 7, steps 2-8) with the accounts you hold keys for:
  lifecycle [--voters a,b] [--member ACCOUNT] [--user ACCOUNT] [--model ID]
            [--weights-digest HEX] [--attester OPERATOR --attester-key ed25519:...]
            [--receipt FILE]
    --voters: council members who vote yes on each proposal (default: --as);
    proposals must pass at once (quorum reached) to be executed in the same run.

Example:
  scripts/drive.sh --parent ai-commons.testnet --as alice.testnet propose-member bob.testnet
  scripts/drive.sh --parent ai-commons.testnet --as bob.testnet vote 0 yes
  scripts/drive.sh --parent ai-commons.testnet execute 0
EOF
}

parent='' signer='' dao='' registry='' attestation='' consent=''
voters='' member='' user='' model='' weights_digest='' attester='' attester_key='' receipt_file=''
positional=()

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
        --parent | --as | --dao | --registry | --attestation | --consent | --voters | --member | --user | \
            --model | --weights-digest | --attester | --attester-key | --receipt)
            opt_value "$1" "${2-}"
            case $1 in
                --parent) parent=$2 ;;
                --as) signer=$2 ;;
                --dao) dao=$2 ;;
                --registry) registry=$2 ;;
                --attestation) attestation=$2 ;;
                --consent) consent=$2 ;;
                --voters) voters=$2 ;;
                --member) member=$2 ;;
                --user) user=$2 ;;
                --model) model=$2 ;;
                --weights-digest) weights_digest=$2 ;;
                --attester) attester=$2 ;;
                --attester-key) attester_key=$2 ;;
                --receipt) receipt_file=$2 ;;
            esac
            shift
            ;;
        --*) die "unknown option '$1' (see --help)" ;;
        *) positional+=("$1") ;;
    esac
    shift
done

require_arg --parent "$parent" "the account the community was deployed under"
check_account --parent "$parent"
((${#positional[@]})) || die "missing subcommand (e.g. propose-member ACCOUNT, vote ID yes, execute ID, lifecycle); see --help"
sub=${positional[0]}
args=("${positional[@]:1}")
need_near
need_json

signer=${signer:-$parent}
dao=${dao:-dao.$parent}
registry=${registry:-registry.$parent}
attestation=${attestation:-attestation.$parent}
for pair in "--as:$signer" "--dao:$dao" "--registry:$registry" "--attestation:$attestation"; do
    check_account "${pair%%:*}" "${pair#*:}"
done
[[ -z $consent ]] || check_account --consent "$consent"

dry && note "dry run: printing the near commands for network '$NETWORK'; nothing is sent"

# ---------------------------------------------------------------- helpers

# nargs MIN MAX USAGE: checks the subcommand's argument count.
nargs() {
    if ((${#args[@]} < $1 || ${#args[@]} > $2)); then
        die "usage: $SCRIPT_NAME [options] $sub $3"
    fi
}

is_hex32() {
    [[ $1 =~ ^[0-9a-f]{64}$ ]]
}

check_hex32() { # check_hex32 WHAT VALUE
    is_hex32 "$2" || die "$1 must be 64 lowercase hex characters (a 32-byte digest), not '$2'"
}

check_uint() { # check_uint WHAT VALUE
    [[ $2 =~ ^[0-9]+$ ]] || die "$1 must be a number, not '$2'"
}

# settle: views read the last final block, which may lag the transaction just sent.
settle() {
    dry || sleep 2
}

sha256_hex() {
    if command -v sha256sum >/dev/null 2>&1; then
        printf '%s' "$1" | sha256sum | cut -c1-64
    elif command -v shasum >/dev/null 2>&1; then
        printf '%s' "$1" | shasum -a 256 | cut -c1-64
    else
        die "sha256sum (or shasum) is needed to make a default digest; pass the digest explicitly"
    fi
}

purpose_ok() {
    case $1 in
        training | fine_tuning | evaluation | inference | analytics) ;;
        *) die "purpose must be one of training, fine_tuning, evaluation, inference, analytics (not '$1')" ;;
    esac
}

# resolve_consent: sets $consent from the DAO's get_config unless --consent was given.
resolve_consent() {
    [[ -z $consent ]] || return 0
    local config
    config=$(near_view "$dao" get_config '{}' "{\"community\":{\"consent\":\"consent.$parent\"}}")
    consent=$(json_get "$config" .community.consent)
    [[ -n $consent ]] || die "$dao has no data-consent contract in get_config; pass --consent ACCOUNT"
}

LAST_ID=''
# propose DESCRIPTION KIND_JSON: add_proposal with the exact deposit; sets LAST_ID.
propose() {
    local desc kind=$2 deposit config before
    desc=$(json_str "$1")
    config=$(near_view "$dao" get_config '{}' '{"proposal_count":"<proposal-id>"}')
    before=$(json_get "$config" .proposal_count)
    deposit=$(near_view "$dao" get_proposal_deposit \
        "{\"proposer\":\"$signer\",\"description\":$desc,\"kind\":$kind}" '"<get_proposal_deposit>"')
    deposit=$(json_get "$deposit" .)
    dry || [[ $deposit =~ ^[0-9]+$ ]] || die "get_proposal_deposit returned '$deposit', not a yoctoNEAR amount"
    near_call "$dao" add_proposal "{\"description\":$desc,\"kind\":$kind}" "$deposit yoctoNEAR" '30 Tgas' "$signer"
    LAST_ID=$before
    if ! dry; then
        local p
        p=$(near_view "$dao" get_proposal "{\"id\":\"$LAST_ID\"}")
        [[ $(json_get "$p" .proposer) == "$signer" ]] ||
            note "warning: proposal $LAST_ID is not ours (another proposal was added at the same time); check get_proposals"
    fi
    note "proposal $LAST_ID added: $1"
}

vote() { # vote ID CHOICE [REASON] [VOTER]
    case $2 in yes | no | abstain | spam) ;; *) die "vote choice must be yes, no, abstain or spam (not '$2')" ;; esac
    local reason=null
    [[ -z ${3-} ]] || reason=$(json_str "$3")
    near_call "$dao" vote "{\"id\":\"$1\",\"choice\":\"$2\",\"reason\":$reason}" '0 NEAR' '30 Tgas' "${4:-$signer}"
}

status_of() { # status_of ID: the proposal's status (dry run: passed)
    local p
    p=$(near_view "$dao" get_proposal "{\"id\":\"$1\"}" '{"status":"passed"}')
    [[ -n $p ]] || die "proposal $1 does not exist on $dao"
    json_get "$p" .status
}

# wait_status ID WHILE_STATUS: the status once it is no longer WHILE_STATUS (or after ~20 s).
wait_status() {
    local s i
    for i in 1 2 3 4 5 6 7 8 9 10; do
        s=$(status_of "$1")
        [[ $s == "$2" ]] || break
        note "proposal $1 is still $s (try $i); waiting for the view to catch up"
        settle
    done
    printf '%s\n' "$s"
}

execute() { # execute ID: then reports the recorded outcome
    near_call "$dao" execute "{\"id\":\"$1\"}" '0 NEAR' '150 Tgas' "$signer"
    if ! dry; then
        local s
        s=$(wait_status "$1" passed)
        [[ $s == executed ]] || die "proposal $1 is '$s' after execute (see its events; a failed execution can be retried)"
        note "proposal $1 executed"
    fi
}

# pass ID: every voter votes yes, then, once passed, executes.
pass() {
    local v s
    local -a list
    IFS=, read -r -a list <<<"${voters:-$signer}"
    for v in "${list[@]}"; do
        v=${v// /}
        if [[ -n $v ]]; then vote "$1" yes '' "$v"; fi
    done
    s=$(wait_status "$1" active)
    case $s in
        passed) execute "$1" ;;
        active) die "proposal $1 is still active: more votes are needed (--voters a,b,...) or finalize it after its deadline, then execute" ;;
        *) die "proposal $1 ended as '$s'" ;;
    esac
}

kind_json() { # kind_json TYPE key=json ...
    local out="{\"type\":\"$1\"" kv
    shift
    for kv in "$@"; do out+=",\"${kv%%=*}\":${kv#*=}"; done
    printf '%s}\n' "$out"
}

models_json() { # all | a,b
    if [[ $1 == all ]]; then printf 'null\n'; else json_list "$1"; fi
}

receipt_args() { # receipt_args FILE: the submit_receipt args from a signed receipt file
    local r
    r=$(json_file "$1")
    [[ -n $(json_get "$r" .receipt.model_id) ]] || die "$1: expected {\"receipt\":{...},\"signature\":\"ed25519:...\"} (no receipt.model_id)"
    [[ $(json_get "$r" .signature) == ed25519:* ]] || die "$1: signature must be \"ed25519:<base58>\""
    printf '{"receipt":%s,"signature":%s}\n' "$(json_get "$r" .receipt)" "$(json_str "$(json_get "$r" .signature)")"
}

# ---------------------------------------------------------------- steps

do_grant() { # do_grant USER PURPOSE [MODEL_ID]
    local model_json=null
    [[ -z ${3-} ]] || model_json=$(json_str "$3")
    near_call "$consent" grant "{\"grantee\":\"$dao\",\"purpose\":\"$2\",\"model_id\":$model_json}" '0 NEAR' '30 Tgas' "$1"
}

do_storage_deposit() { # do_storage_deposit USER AMOUNT
    near_call "$consent" storage_deposit "{\"account_id\":\"$1\"}" "$(near_amount "$2")" '30 Tgas' "$signer"
}

do_register_model() { # MODEL_ID NAME TASK LICENSE CARD_URI CARD_DIGEST
    near_call "$registry" register_model "{\"model_id\":$(json_str "$1"),\"name\":$(json_str "$2"),\"task\":$(json_str "$3"),\"license\":$(json_str "$4"),\"card_uri\":$(json_str "$5"),\"card_digest\":\"$6\"}" \
        '0.02 NEAR' '30 Tgas' "$signer"
}

SUBMITTED_VERSION=''
do_submit_version() { # MODEL_ID WEIGHTS_DIGEST SNAPSHOT_ID ARTIFACT_URI CODE_DIGEST [PARENT_VERSION]
    local v parent=null guess=1
    if [[ -n ${6-} ]]; then
        check_uint PARENT_VERSION "$6"
        parent="{\"model_id\":$(json_str "$1"),\"version\":$6}" # ParentRef::Version
        guess=$(($6 + 1))                                         # what a dry run shows
    fi
    near_call "$registry" submit_version "{\"model_id\":$(json_str "$1"),\"weights_digest\":\"$2\",\"artifact_uri\":$(json_str "$4"),\"parent\":$parent,\"training\":{\"code_digest\":\"$5\",\"dataset_digest\":null,\"consent_contract\":\"$consent\",\"consent_snapshot_id\":\"$3\"},\"eval_report_digest\":null,\"metadata\":null}" \
        '0.05 NEAR' '30 Tgas' "$signer"
    local i
    for i in 1 2 3 4 5; do
        v=$(near_view "$registry" get_version_by_digest "{\"digest\":\"$2\"}" "{\"version\":$guess}")
        SUBMITTED_VERSION=$(json_get "$v" .version)
        [[ -z $SUBMITTED_VERSION && $i -lt 5 ]] || break
        settle
    done
    [[ -n $SUBMITTED_VERSION ]] || die "no version with weights $2 in $registry after submit_version"
    note "$1 version $SUBMITTED_VERSION submitted"
}

do_submit_receipt() { # FILE
    local a config deposit
    a=$(receipt_args "$1")
    config=$(near_view "$attestation" get_config '{}' '{"submit_deposit":"<submit_deposit>"}')
    deposit=$(json_get "$config" .submit_deposit)
    near_call "$attestation" submit_receipt "$a" "$deposit yoctoNEAR" '100 Tgas' "$signer"
}

attester_kind() { # OPERATOR KEY MODELS TEE MEASUREMENTS
    kind_json admit_attester "operator=$(json_str "$1")" "public_keys=$(json_list "$2")" "tee_kind=$(json_str "$4")" \
        "measurements=$(json_list "$5")" "models=$(models_json "$3")" "expires_at=null"
}

lifecycle() {
    nargs 0 0 ''
    local u=${user:-$signer} m=${model:-community-model} wd=$weights_digest c snap_id v
    [[ -n $wd ]] || wd=$(sha256_hex "$dao/$m/$(date +%s%N)")
    check_hex32 --weights-digest "$wd"
    check_account --user "$u"
    if [[ -n $attester || -n $attester_key ]]; then
        [[ -n $attester && -n $attester_key ]] || die "--attester and --attester-key go together"
        [[ $attester_key == ed25519:* ]] || die "--attester-key must be \"ed25519:<base58>\", not '$attester_key'"
        check_account --attester "$attester"
    fi
    [[ -z $receipt_file ]] || receipt_args "$receipt_file" >/dev/null
    resolve_consent
    c=$consent

    note "step 2: a member joins through a passed proposal"
    if [[ -n $member ]]; then
        check_account --member "$member"
        propose "Add $member as a member" "$(kind_json add_member "account_id=\"$member\"" 'roles=["member"]')"
        pass "$LAST_ID"
    else
        note "  (skipped: no --member)"
    fi

    note "step 3: $u grants training consent to $dao; $signer sponsors the storage"
    do_storage_deposit "$u" 0.05
    do_grant "$u" training "$m"

    note "step 4: consent snapshot, model version citing it, approval, production alias"
    propose "Record the training consent snapshot for $m" "$(kind_json record_training_snapshot 'purpose="training"' "note=$(json_str "$m v1 training")")"
    pass "$LAST_ID"
    snap_id=$(json_get "$(near_view "$c" get_snapshot_count '{}' '"<snapshot-id>"')" .)
    note "  snapshot $snap_id recorded"
    if dry || [[ -z $(json_get "$(near_view "$registry" get_model "{\"model_id\":$(json_str "$m")}")" .model_id) ]]; then
        do_register_model "$m" "$m" text-generation apache-2.0 "ipfs://$m-card" "$(sha256_hex "card of $m")"
    fi
    do_submit_version "$m" "$wd" "$snap_id" "ipfs://$m-weights" "$(sha256_hex "training code of $m")"
    v=$SUBMITTED_VERSION
    propose "Approve $m v$v" "$(kind_json approve_model_version "model_id=$(json_str "$m")" "version=$v")"
    pass "$LAST_ID"
    propose "Move production to $m v$v" "$(kind_json move_alias "model_id=$(json_str "$m")" 'alias="production"' "version=$v")"
    pass "$LAST_ID"

    note "step 5: an attester is admitted through a proposal"
    if [[ -n $attester ]]; then
        propose "Admit attester $attester" "$(attester_kind "$attester" "$attester_key" "$m" none '')"
        pass "$LAST_ID"
    else
        note "  (skipped: no --attester/--attester-key)"
    fi

    note "step 6: a signed receipt is verified and stored"
    if [[ -n $receipt_file ]]; then
        local signed requester count stored f
        signed=$(json_get "$(json_file "$receipt_file")" .receipt)
        requester=$(json_get "$signed" .requester)
        do_submit_receipt "$receipt_file"
        settle
        count=$(json_get "$(near_view "$attestation" get_receipt_count_by_requester "{\"requester\":\"$requester\"}" '"1"')" .)
        [[ $count =~ ^[1-9][0-9]*$ ]] || die "$requester has '$count' stored receipts after submit_receipt"
        note "  $requester now has $count stored receipt(s)"

        note "step 7: $requester reads the newest receipt back and compares it with $receipt_file"
        stored=$(near_view "$attestation" get_receipts_by_requester \
            "{\"requester\":\"$requester\",\"from_index\":$((count - 1)),\"limit\":1}" "[{\"id\":\"<id>\",\"receipt\":$signed}]")
        for f in model_id version attester_key request_commitment response_commitment nonce; do
            [[ $(json_get "$stored" ".0.receipt.$f") == "$(json_get "$signed" ".$f")" ]] ||
                die "the stored receipt's $f differs from $receipt_file"
        done
        note "  receipt #$(json_get "$stored" .0.id) is the signed one (model, attester key, commitments, nonce)"
    else
        note "  (skipped: no --receipt FILE; sign one with the attestation-signer crate)"
        note "step 7: (skipped: no receipt to read back)"
    fi

    note "step 8: $u revokes consent; the snapshot still shows it was live"
    near_call "$c" revoke "{\"grantee\":\"$dao\",\"purpose\":\"training\"}" '0 NEAR' '30 Tgas' "$u"
    local live
    live=$(near_view "$c" was_live_at_snapshot "{\"user\":\"$u\",\"snapshot_id\":\"$snap_id\"}" true)
    [[ $live == true ]] || die "was_live_at_snapshot($u, $snap_id) is '$live', expected true"

    note "  $m v$v is deprecated for v2: submitted with v$v as parent, approved, made production"
    local v2
    do_submit_version "$m" "$(sha256_hex "$wd/v2")" "$snap_id" "ipfs://$m-weights-v2" "$(sha256_hex "training code of $m")" "$v"
    v2=$SUBMITTED_VERSION
    propose "Approve $m v$v2" "$(kind_json approve_model_version "model_id=$(json_str "$m")" "version=$v2")"
    pass "$LAST_ID"
    propose "Move production to $m v$v2" "$(kind_json move_alias "model_id=$(json_str "$m")" 'alias="production"' "version=$v2")"
    pass "$LAST_ID"
    propose "Deprecate $m v$v" \
        "$(kind_json deprecate_model_version "model_id=$(json_str "$m")" "version=$v" "reason=$(json_str "superseded by v$v2")")"
    pass "$LAST_ID"
    if [[ -n $attester ]]; then
        propose "Revoke attester $attester" "$(kind_json revoke_attester "operator=\"$attester\"" 'reason="end of the lifecycle run"')"
        pass "$LAST_ID"
    fi
    note "lifecycle done on $NETWORK: $dao, $registry, $attestation, $c"
}

# ---------------------------------------------------------------- dispatch

case $sub in
    lifecycle | grant | revoke-consent | storage-deposit | was-live | submit-version) resolve_consent ;;
    *) ;;
esac

case $sub in
    propose)
        nargs 2 2 'DESCRIPTION KIND_JSON'
        kind=$(json_text "${args[1]}")
        [[ -n $(json_get "$kind" .type) ]] || die "KIND_JSON needs a \"type\", e.g. '{\"type\":\"text\"}'"
        propose "${args[0]}" "$kind"
        ;;
    propose-member)
        nargs 1 2 'ACCOUNT [ROLE]'
        check_account member "${args[0]}"
        propose "Add ${args[0]} as ${args[1]:-member}" "$(kind_json add_member "account_id=\"${args[0]}\"" "roles=$(json_list "${args[1]:-member}")")"
        ;;
    propose-remove-member)
        nargs 1 1 'ACCOUNT'
        check_account member "${args[0]}"
        propose "Remove ${args[0]}" "$(kind_json remove_member "account_id=\"${args[0]}\"")"
        ;;
    propose-publisher)
        nargs 1 1 'ACCOUNT'
        check_account publisher "${args[0]}"
        b64=$(printf '{"account_id":"%s"}' "${args[0]}" | base64 | tr -d '\n')
        propose "Allow ${args[0]} to publish models" \
            "$(kind_json function_calls "receiver_id=\"$registry\"" "actions=[{\"method_name\":\"add_publisher\",\"args\":\"$b64\",\"deposit\":\"$(near_to_yocto 0.01)\",\"gas\":\"30000000000000\"}]")"
        ;;
    propose-snapshot)
        nargs 0 2 '[PURPOSE] [NOTE]'
        purpose_ok "${args[0]:-training}"
        note_json=null
        [[ -z ${args[1]-} ]] || note_json=$(json_str "${args[1]}")
        propose "Record a ${args[0]:-training} consent snapshot" "$(kind_json record_training_snapshot "purpose=\"${args[0]:-training}\"" "note=$note_json")"
        ;;
    propose-approve)
        nargs 2 2 'MODEL VERSION'
        check_uint VERSION "${args[1]}"
        propose "Approve ${args[0]} v${args[1]}" "$(kind_json approve_model_version "model_id=$(json_str "${args[0]}")" "version=${args[1]}")"
        ;;
    propose-alias)
        nargs 3 3 'MODEL ALIAS VERSION'
        check_uint VERSION "${args[2]}"
        propose "Move ${args[1]} to ${args[0]} v${args[2]}" \
            "$(kind_json move_alias "model_id=$(json_str "${args[0]}")" "alias=$(json_str "${args[1]}")" "version=${args[2]}")"
        ;;
    propose-deprecate)
        nargs 2 3 'MODEL VERSION [REASON]'
        check_uint VERSION "${args[1]}"
        reason=null
        [[ -z ${args[2]-} ]] || reason=$(json_str "${args[2]}")
        propose "Deprecate ${args[0]} v${args[1]}" \
            "$(kind_json deprecate_model_version "model_id=$(json_str "${args[0]}")" "version=${args[1]}" "reason=$reason")"
        ;;
    propose-revoke-version)
        nargs 3 3 'MODEL VERSION REASON'
        check_uint VERSION "${args[1]}"
        propose "Revoke ${args[0]} v${args[1]}" \
            "$(kind_json revoke_model_version "model_id=$(json_str "${args[0]}")" "version=${args[1]}" "reason=$(json_str "${args[2]}")")"
        ;;
    propose-attester)
        nargs 2 5 'OPERATOR PUBLIC_KEY [MODELS|all] [TEE_KIND] [MEASUREMENTS]'
        check_account operator "${args[0]}"
        [[ ${args[1]} == ed25519:* ]] || die "PUBLIC_KEY must be \"ed25519:<base58>\", not '${args[1]}'"
        IFS=, read -r -a ms <<<"${args[4]-}"
        for x in "${ms[@]}"; do check_hex32 measurement "$x"; done
        propose "Admit attester ${args[0]}" "$(attester_kind "${args[0]}" "${args[1]}" "${args[2]:-all}" "${args[3]:-none}" "${args[4]-}")"
        ;;
    propose-revoke-attester)
        nargs 2 2 'OPERATOR REASON'
        check_account operator "${args[0]}"
        propose "Revoke attester ${args[0]}" "$(kind_json revoke_attester "operator=\"${args[0]}\"" "reason=$(json_str "${args[1]}")")"
        ;;
    vote)
        nargs 2 3 'ID yes|no|abstain|spam [REASON]'
        check_uint ID "${args[0]}"
        vote "${args[0]}" "${args[1]}" "${args[2]-}"
        ;;
    finalize)
        nargs 1 1 'ID'
        check_uint ID "${args[0]}"
        near_call "$dao" finalize "{\"id\":\"${args[0]}\"}" '0 NEAR' '30 Tgas' "$signer"
        ;;
    execute)
        nargs 1 1 'ID'
        check_uint ID "${args[0]}"
        execute "${args[0]}"
        ;;
    proposal)
        nargs 1 1 'ID'
        check_uint ID "${args[0]}"
        near_view "$dao" get_proposal "{\"id\":\"${args[0]}\"}"
        ;;
    storage-deposit)
        nargs 1 2 'USER [NEAR]'
        check_account user "${args[0]}"
        do_storage_deposit "${args[0]}" "${args[1]:-0.05}"
        ;;
    grant)
        nargs 0 2 '[PURPOSE] [MODEL_ID]'
        purpose_ok "${args[0]:-training}"
        do_grant "$signer" "${args[0]:-training}" "${args[1]-}"
        ;;
    revoke-consent)
        nargs 0 1 '[PURPOSE]'
        purpose_ok "${args[0]:-training}"
        near_call "$consent" revoke "{\"grantee\":\"$dao\",\"purpose\":\"${args[0]:-training}\"}" '0 NEAR' '30 Tgas' "$signer"
        ;;
    was-live)
        nargs 2 2 'USER SNAPSHOT_ID'
        check_account user "${args[0]}"
        check_uint SNAPSHOT_ID "${args[1]}"
        near_view "$consent" was_live_at_snapshot "{\"user\":\"${args[0]}\",\"snapshot_id\":\"${args[1]}\"}"
        ;;
    register-model)
        nargs 1 6 'MODEL_ID [NAME] [TASK] [LICENSE] [CARD_URI] [CARD_DIGEST]'
        card=${args[5]:-$(sha256_hex "card of ${args[0]}")}
        check_hex32 CARD_DIGEST "$card"
        do_register_model "${args[0]}" "${args[1]:-${args[0]}}" "${args[2]:-text-generation}" "${args[3]:-apache-2.0}" \
            "${args[4]:-ipfs://${args[0]}-card}" "$card"
        ;;
    submit-version)
        nargs 3 5 'MODEL_ID WEIGHTS_DIGEST SNAPSHOT_ID [ARTIFACT_URI] [CODE_DIGEST]'
        check_hex32 WEIGHTS_DIGEST "${args[1]}"
        check_uint SNAPSHOT_ID "${args[2]}"
        code=${args[4]:-$(sha256_hex "training code of ${args[0]}")}
        check_hex32 CODE_DIGEST "$code"
        do_submit_version "${args[0]}" "${args[1]}" "${args[2]}" "${args[3]:-ipfs://${args[0]}-weights}" "$code"
        ;;
    submit-receipt)
        nargs 1 1 'FILE'
        do_submit_receipt "${args[0]}"
        ;;
    receipts)
        nargs 1 1 'REQUESTER'
        check_account requester "${args[0]}"
        near_view "$attestation" get_receipts_by_requester "{\"requester\":\"${args[0]}\",\"from_index\":0,\"limit\":100}"
        ;;
    lifecycle) lifecycle ;;
    *) die "unknown subcommand '$sub' (see --help)" ;;
esac
