//! The testnet scripts (scripts/deploy.sh, drive.sh, fork.sh): each `--dry-run`
//! prints the near-cli-rs commands it would run (`+ near ...`, one per line)
//! without running `near` or building anything; a missing tool or required
//! argument fails early with a clear message; every script passes shellcheck.
//!
//! Dry runs need bash and jq or python3, nothing else. `near` and `cargo` are
//! shadowed by stubs that record any call, so a dry run that ran either fails.
//!
//! The printed `drive.sh lifecycle` commands are also sent, in order, to the
//! four real contracts on the embedded chain: every JSON argument the script
//! builds must parse and the lifecycle must succeed there.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use embedded_chain::NearToken;
use serde_json::{json, Value};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// A directory with `near` and `cargo` stubs that record being called.
struct Stubs {
    dir: PathBuf,
}

impl Stubs {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("ai-commons-scripts-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("stub dir");
        for tool in ["near", "cargo"] {
            let path = dir.join(tool);
            fs::write(&path, format!("#!/bin/sh\necho \"{tool} $*\" >> '{}'\nexit 97\n", dir.join("called").display()))
                .expect("write stub");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod stub");
            }
        }
        Stubs { dir }
    }

    /// PATH with the stubs first.
    fn path(&self) -> String {
        let mut dirs = vec![self.dir.clone()];
        dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
        std::env::join_paths(dirs).expect("PATH").into_string().expect("utf-8 PATH")
    }

    fn assert_not_called(&self) {
        let called = fs::read_to_string(self.dir.join("called")).unwrap_or_default();
        assert!(called.is_empty(), "a dry run ran real tools:\n{called}");
    }
}

impl Drop for Stubs {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

struct Run {
    ok: bool,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The printed commands: the `+ ` lines, without the prefix.
    fn commands(&self) -> Vec<&str> {
        self.stdout.lines().filter_map(|l| l.strip_prefix("+ ")).collect()
    }

    fn near_commands(&self) -> Vec<&str> {
        self.commands().into_iter().filter(|c| c.starts_with("near ")).collect()
    }

    fn expect_ok(self, what: &str) -> Self {
        assert!(self.ok, "{what}: exit {:?}\nstdout:\n{}\nstderr:\n{}", self.code, self.stdout, self.stderr);
        self
    }

    fn expect_fail(self, what: &str, message: &[&str]) -> Self {
        assert!(!self.ok, "{what}: should fail\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        for m in message {
            assert!(self.stderr.contains(m), "{what}: stderr should say {m:?}:\n{}", self.stderr);
        }
        assert!(self.stderr.contains("error:"), "{what}: no 'error:' line:\n{}", self.stderr);
        self
    }

    fn assert_has(&self, needles: &[&str]) {
        for n in needles {
            assert!(
                self.near_commands().iter().any(|c| c.contains(n)),
                "no near command contains {n:?}:\n{}",
                self.stdout
            );
        }
    }

    /// The json-args of the one command containing all of `needles`.
    fn json_args(&self, needles: &[&str]) -> Value {
        let cmds: Vec<&str> =
            self.near_commands().into_iter().filter(|c| needles.iter().all(|n| c.contains(n))).collect();
        assert_eq!(cmds.len(), 1, "expected one command with {needles:?}:\n{}", self.stdout);
        let rest = cmds[0].split_once("json-args '").expect("json-args '...'").1;
        let raw = rest.split_once("' ").expect("closing quote").0.replace(r"'\''", "'");
        serde_json::from_str(&raw).unwrap_or_else(|e| panic!("json-args of {needles:?} is not JSON ({e}): {raw}"))
    }
}

fn run_script(script: &str, args: &[&str], path: &str) -> Run {
    let out = Command::new("bash")
        .arg(root().join("scripts").join(script))
        .args(args)
        .current_dir(root())
        .env("PATH", path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run bash scripts/{script}: {e}"));
    Run {
        ok: out.status.success(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs a script with the stubs first on PATH and checks they were not called.
fn dry(name: &str, script: &str, args: &[&str]) -> Run {
    let stubs = Stubs::new(name);
    let run = run_script(script, args, &stubs.path());
    stubs.assert_not_called();
    run
}

fn fixture(name: &str) -> Value {
    let path = root().join("scripts/fixtures").join(name);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("fixture is JSON")
}

fn on_path(tool: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()).map(|d| d.join(tool)).find(|p| p.is_file())
}

// ------------------------------------------------------------------ deploy.sh

#[test]
fn deploy_dry_run_prints_the_whole_deployment() {
    let run = dry(
        "deploy",
        "deploy.sh",
        &[
            "--parent",
            "ai-commons.testnet",
            "--deploy-consent",
            "--name",
            "Open 'Models'",
            "--council",
            "alice.testnet,bob.testnet",
            "--bond",
            "0.5",
            "--funding",
            "3",
            "--dry-run",
        ],
    )
    .expect_ok("deploy.sh --dry-run");

    // The build step is printed, not run (the cargo stub was not called).
    assert!(
        run.commands().iter().any(|c| c.starts_with("bash ") && c.ends_with("scripts/build.sh")),
        "the build step should be printed:\n{}",
        run.stdout
    );
    // Every near command is on its own `+ ` line.
    for line in run.stdout.lines() {
        if line.contains("near ") && (line.contains(" contract ") || line.contains(" account ")) {
            assert!(line.starts_with("+ near "), "near command without '+ ': {line}");
        }
    }
    for sub in ["dao", "registry", "attestation", "consent"] {
        run.assert_has(&[&format!(
            "near account create-account fund-myself {sub}.ai-commons.testnet '3 NEAR' autogenerate-new-keypair"
        )]);
        run.assert_has(&[&format!("near contract deploy {sub}.ai-commons.testnet use-file ")]);
    }
    assert_eq!(run.near_commands().iter().filter(|c| c.contains("with-init-call new json-args")).count(), 4);
    run.assert_has(&["sign-as ai-commons.testnet network-config testnet", "res/community_dao.wasm"]);

    let registry = run.json_args(&["contract deploy registry.ai-commons.testnet"]);
    assert_eq!(registry, json!({"owner": "dao.ai-commons.testnet", "open_publishing": true}));
    let attestation = run.json_args(&["contract deploy attestation.ai-commons.testnet"]);
    assert_eq!(attestation["owner"], "dao.ai-commons.testnet");
    assert_eq!(attestation["registry"], "registry.ai-commons.testnet");
    let consent = run.json_args(&["contract deploy consent.ai-commons.testnet"]);
    assert_eq!(consent, json!({"owner": "dao.ai-commons.testnet"}));

    let dao = run.json_args(&["contract deploy dao.ai-commons.testnet"]);
    assert_eq!(dao["name"], "Open 'Models'");
    assert_eq!(
        dao["members"],
        json!([{"account_id": "alice.testnet", "roles": ["council"]}, {"account_id": "bob.testnet", "roles": ["council"]}])
    );
    assert_eq!(dao["proposal_bond"], "500000000000000000000000");
    assert_eq!(dao["registry"], "registry.ai-commons.testnet");
    assert_eq!(dao["attestation"], "attestation.ai-commons.testnet");
    assert_eq!(dao["consent"], "consent.ai-commons.testnet");
    assert_eq!(dao["roles"][0]["name"], "council");
    assert!(dao["vote_policies"]["default"]["voting_period_ns"].is_string());
    // The DAO is deployed last, after the contracts it points at.
    let cmds = run.near_commands();
    let deploys: Vec<usize> = (0..cmds.len()).filter(|&i| cmds[i].starts_with("near contract deploy ")).collect();
    let last_deploy = *deploys.last().expect("deploys");
    assert!(cmds[last_deploy].starts_with("near contract deploy dao.ai-commons.testnet"), "{}", cmds[last_deploy]);
    // Then, and only then, every contract account loses its full-access keys,
    // each deletion signed by the account itself from the keychain.
    let tail = &cmds[last_deploy + 1..];
    let mut deleted = Vec::new();
    for sub in ["registry", "attestation", "consent", "dao"] {
        let account = format!("{sub}.ai-commons.testnet");
        let list = format!("near account list-keys {account} network-config testnet now");
        let delete = format!("near account delete-keys {account} public-keys ");
        let at = tail.iter().position(|c| *c == list).unwrap_or_else(|| panic!("no {list:?}:\n{}", run.stdout));
        assert!(tail[at + 1].starts_with(&delete), "{list} is followed by {:?}", tail[at + 1]);
        assert!(tail[at + 1].ends_with("network-config testnet sign-with-legacy-keychain send"), "{}", tail[at + 1]);
        deleted.push(at);
    }
    assert_eq!(tail.len(), 8, "after the deploys, only the key deletions:\n{}", run.stdout);
    assert!(!cmds[..last_deploy].iter().any(|c| c.contains("delete-keys")), "keys deleted before the deploys");
    assert!(run.stderr.contains("deleting the full-access keys of"), "no notice before deleting:\n{}", run.stderr);
    assert!(run.stdout.contains("full-access keys       none left on"), "summary:\n{}", run.stdout);
    assert!(run.stdout.contains("dry run: nothing was sent"), "summary:\n{}", run.stdout);
}

/// A fake `near` for a live re-run: every account exists; `contract_version`
/// answers on the accounts listed in `initialized`; `list-keys` shows a
/// full-access key on the accounts in `keyed` (and a function-call key on
/// every account); every command is recorded and succeeds.
fn fake_near(stubs: &Stubs, initialized: &[&str], keyed: &[&str]) {
    let log = stubs.dir.join("called");
    let script = format!(
        r#"#!/bin/sh
echo "near $*" >> '{log}'
case "$*" in
  "account view-account-summary "*) exit 0 ;;
  "contract call-function as-read-only "*" contract_version "*)
    for a in {initialized}; do [ "$4" = "$a" ] && {{ echo '"0.1.0"'; exit 0; }}; done
    echo "Error: the account $4 has no contract state" >&2; exit 1 ;;
  "account list-keys "*)
    echo "Number of access keys: 2"
    echo "   #  Public Key                                             Nonce  Permissions"
    for a in {keyed}; do [ "$3" = "$a" ] && echo " 1   ed25519:6E8sCci9badyRkXb3JoRpBj5p8C6Tw41ELDZoiihKEtp  12  full access"; done
    echo " 2   ed25519:HbRkc1dTdSLwA1wFTDVNxJE4cUwfaRDmqMPxw4nH6kxp  3   only do ["vote"] function calls on app.testnet with an allowance of 0.25 NEAR"
    exit 0 ;;
esac
exit 0
"#,
        log = log.display(),
        initialized = if initialized.is_empty() { "none".to_string() } else { initialized.join(" ") },
        keyed = if keyed.is_empty() { "none".to_string() } else { keyed.join(" ") },
    );
    fs::write(stubs.dir.join("near"), script).expect("fake near");
}

#[test]
fn deploy_rerun_finishes_a_partial_deploy() {
    let stubs = Stubs::new("deploy-rerun");
    // A first run stopped after initializing the registry and deleting its key:
    // the attestation contract and the DAO still need everything.
    fake_near(&stubs, &["registry.p.testnet"], &["attestation.p.testnet", "dao.p.testnet"]);
    let res = stubs.dir.join("res");
    fs::create_dir_all(&res).expect("res dir");
    for stem in ["community_dao", "model_registry", "inference_attestation"] {
        fs::write(res.join(format!("{stem}.wasm")), b"\0asm").expect("wasm");
    }
    let out = Command::new("bash")
        .arg(root().join("scripts/deploy.sh"))
        .args(["--parent", "p.testnet", "--consent", "none", "--skip-build"])
        .current_dir(root())
        .env("PATH", stubs.path())
        .env("AI_COMMONS_RES", &res)
        .output()
        .expect("run deploy.sh");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "deploy.sh re-run failed:\n{stderr}");
    let called = fs::read_to_string(stubs.dir.join("called")).unwrap_or_default();
    let sent: Vec<&str> = called.lines().filter(|l| l.ends_with(" send")).collect();
    // No account is created again; only the contracts not yet initialized are deployed.
    assert!(!sent.iter().any(|c| c.contains("create-account")), "{called}");
    assert!(stderr.contains("registry.p.testnet already runs an initialized contract"), "{stderr}");
    let deploys: Vec<&&str> = sent.iter().filter(|c| c.starts_with("near contract deploy ")).collect();
    assert_eq!(deploys.len(), 2, "{called}");
    assert!(deploys[0].starts_with("near contract deploy attestation.p.testnet"), "{called}");
    assert!(deploys[1].starts_with("near contract deploy dao.p.testnet"), "{called}");
    // Keys: the registry's are gone already; the others lose exactly their full-access key.
    assert!(stderr.contains("registry.p.testnet holds no full-access key (already deleted)"), "{stderr}");
    let deletions: Vec<&&str> = sent.iter().filter(|c| c.contains("delete-keys")).collect();
    assert_eq!(
        deletions,
        [
            &"near account delete-keys attestation.p.testnet public-keys ed25519:6E8sCci9badyRkXb3JoRpBj5p8C6Tw41ELDZoiihKEtp network-config testnet sign-with-legacy-keychain send",
            &"near account delete-keys dao.p.testnet public-keys ed25519:6E8sCci9badyRkXb3JoRpBj5p8C6Tw41ELDZoiihKEtp network-config testnet sign-with-legacy-keychain send",
        ]
    );
}

#[test]
fn deploy_links_a_shared_consent_and_can_skip_the_build() {
    let run = dry(
        "deploy-shared",
        "deploy.sh",
        &[
            "--parent",
            "c2.testnet",
            "--consent",
            "consent.ai-commons.testnet",
            "--skip-build",
            "--network",
            "mainnet",
            "--dry-run",
        ],
    )
    .expect_ok("deploy.sh --consent --skip-build");
    assert!(!run.stdout.contains("build.sh"), "--skip-build still builds:\n{}", run.stdout);
    assert_eq!(run.near_commands().iter().filter(|c| c.contains("create-account")).count(), 3);
    assert!(!run.stdout.contains("consent.c2.testnet"), "consent must not be deployed:\n{}", run.stdout);
    assert!(run.near_commands().iter().all(|c| !c.contains("testnet network-config testnet")));
    run.assert_has(&["network-config mainnet"]);
    let dao = run.json_args(&["contract deploy dao.c2.testnet"]);
    assert_eq!(dao["consent"], "consent.ai-commons.testnet");
    assert_eq!(dao["members"], json!([{"account_id": "c2.testnet", "roles": ["council"]}]));
}

#[test]
fn deploy_fails_clearly_without_required_arguments_or_near() {
    dry("deploy-noparent", "deploy.sh", &["--deploy-consent", "--dry-run"])
        .expect_fail("deploy.sh without --parent", &["missing required argument --parent"]);
    dry("deploy-noconsent", "deploy.sh", &["--parent", "p.testnet", "--dry-run"])
        .expect_fail("deploy.sh without consent", &["--consent", "--deploy-consent"]);
    dry("deploy-novalue", "deploy.sh", &["--parent"])
        .expect_fail("deploy.sh --parent (no value)", &["--parent needs a value"]);
    dry("deploy-badacct", "deploy.sh", &["--parent", "Not Valid", "--deploy-consent", "--dry-run"])
        .expect_fail("deploy.sh bad account", &["not a valid NEAR account id"]);
    dry("deploy-badopt", "deploy.sh", &["--parent", "p.testnet", "--frobnicate"])
        .expect_fail("unknown option", &["--frobnicate"]);
    let help = dry("deploy-help", "deploy.sh", &["--help"]).expect_ok("deploy.sh --help");
    assert!(help.stdout.contains("Usage: scripts/deploy.sh"));

    // Not a dry run, and no `near` on PATH: fails before building or creating anything.
    let stubs = Stubs::new("deploy-nonear");
    fs::remove_file(stubs.dir.join("near")).expect("remove near stub");
    let bash_dir = on_path("bash").and_then(|p| p.parent().map(Path::to_path_buf));
    let dirs: Vec<PathBuf> = std::env::split_paths(&stubs.path()).filter(|d| !d.join("near").exists()).collect();
    if bash_dir.is_some_and(|b| !dirs.contains(&b)) {
        eprintln!("skipping the no-near check: near-cli is installed next to bash");
        return;
    }
    let path = std::env::join_paths(dirs).expect("PATH").into_string().expect("utf-8");
    run_script("deploy.sh", &["--parent", "p.testnet", "--deploy-consent"], &path)
        .expect_fail("deploy.sh without near", &["'near' is not installed", "near-cli-rs", "--dry-run"]);
    stubs.assert_not_called();
}

// ------------------------------------------------------------------ drive.sh

#[test]
fn drive_proposes_with_the_exact_deposit_then_votes_and_executes() {
    let base = ["--parent", "ai-commons.testnet", "--as", "alice.testnet", "--dry-run"];
    let args = |extra: &[&'static str]| -> Vec<&'static str> { base.iter().chain(extra).copied().collect() };

    let run = dry("drive-propose", "drive.sh", &args(&["propose-member", "bob.testnet"])).expect_ok("propose-member");
    let cmds = run.near_commands();
    let view = cmds.iter().position(|c| c.contains("as-read-only dao.ai-commons.testnet get_proposal_deposit"));
    let add = cmds.iter().position(|c| c.contains("as-transaction dao.ai-commons.testnet add_proposal"));
    assert!(matches!((view, add), (Some(v), Some(a)) if v < a), "deposit view, then add_proposal:\n{}", run.stdout);
    run.assert_has(&["attached-deposit '<get_proposal_deposit> yoctoNEAR' sign-as alice.testnet"]);
    let deposit_args = run.json_args(&["get_proposal_deposit json-args"]);
    let add_args = run.json_args(&["add_proposal"]);
    let kind = json!({"type": "add_member", "account_id": "bob.testnet", "roles": ["member"]});
    assert_eq!(deposit_args["proposer"], "alice.testnet");
    assert_eq!(deposit_args["kind"], kind);
    assert_eq!(add_args["kind"], kind);
    assert_eq!(add_args["description"], deposit_args["description"]);

    let run = dry("drive-vote", "drive.sh", &args(&["vote", "3", "yes", "evals look good"])).expect_ok("vote");
    assert_eq!(run.json_args(&["vote json-args"]), json!({"id": "3", "choice": "yes", "reason": "evals look good"}));
    let run = dry("drive-exec", "drive.sh", &args(&["execute", "3"])).expect_ok("execute");
    run.assert_has(&["dao.ai-commons.testnet execute json-args '{\"id\":\"3\"}' prepaid-gas '150 Tgas'"]);

    let run = dry("drive-kind", "drive.sh", &args(&["propose", "hello", r#"{"type": "text"}"#])).expect_ok("propose");
    assert_eq!(run.json_args(&["add_proposal"])["kind"], json!({"type": "text"}));
}

#[test]
fn drive_lifecycle_dry_run_covers_every_step() {
    let receipt = root().join("scripts/fixtures/signed-receipt.json");
    let receipt = receipt.to_str().expect("utf-8 path");
    let run = dry(
        "drive-lifecycle",
        "drive.sh",
        &[
            "--parent",
            "ai-commons.testnet",
            "--dry-run",
            "lifecycle",
            "--member",
            "bob.testnet",
            "--user",
            "carol.testnet",
            "--attester",
            "node.testnet",
            "--attester-key",
            "ed25519:6E8sCci9badyRkXb3JoRpBj5p8C6Tw41ELDZoiihKEtp",
            "--receipt",
            receipt,
        ],
    )
    .expect_ok("drive.sh lifecycle --dry-run");
    run.assert_has(&[
        "add_proposal",
        "\"type\":\"add_member\"",
        "consent.ai-commons.testnet storage_deposit",
        "consent.ai-commons.testnet grant",
        "\"type\":\"record_training_snapshot\"",
        "consent.ai-commons.testnet get_snapshot_count",
        "registry.ai-commons.testnet register_model",
        "registry.ai-commons.testnet submit_version",
        "\"type\":\"approve_model_version\"",
        "\"type\":\"move_alias\"",
        "\"type\":\"admit_attester\"",
        "attestation.ai-commons.testnet submit_receipt",
        "attestation.ai-commons.testnet get_receipts_by_requester",
        "consent.ai-commons.testnet revoke ",
        "was_live_at_snapshot",
        "\"type\":\"deprecate_model_version\"",
        "\"type\":\"revoke_attester\"",
        " vote json-args",
        " execute json-args",
    ]);
    let adds = run.near_commands().iter().filter(|c| c.contains(" add_proposal ")).count();
    let deposits = run.near_commands().iter().filter(|c| c.contains(" get_proposal_deposit ")).count();
    assert_eq!(adds, 9, "member, snapshot, approve, alias, admit, approve v2, alias v2, deprecate v1, revoke attester");
    assert_eq!(deposits, adds, "every proposal reads its exact deposit first");
    assert_eq!(run.json_args(&["grant json-args"])["grantee"], "dao.ai-commons.testnet");
    assert!(run.near_commands().iter().any(|c| c.contains("grant json-args") && c.contains("sign-as carol.testnet")));
    let versions: Vec<&str> = run.near_commands().into_iter().filter(|c| c.contains(" submit_version ")).collect();
    assert_eq!(versions.len(), 2, "v1, then v2");
    let version = run.json_args(&["submit_version", r#""parent":null"#]);
    assert_eq!(version["training"]["consent_contract"], "consent.ai-commons.testnet");
    // v2 names v1 as its parent in the registry's own argument type.
    let v2 = run.json_args(&["submit_version", "weights-v2"]);
    let parent: Option<model_registry::ParentRef> = serde_json::from_value(v2["parent"].clone())
        .unwrap_or_else(|e| panic!("parent is not a ParentRef ({e}): {v2}"));
    assert_eq!(parent, Some(model_registry::ParentRef::Version { model_id: "community-model".into(), version: 1 }));
    let deprecate = run.json_args(&["\"type\":\"deprecate_model_version\"", " add_proposal "]);
    assert_eq!((&deprecate["kind"]["version"], &deprecate["kind"]["reason"]), (&json!(1), &json!("superseded by v2")));
    let read_back = run.json_args(&["get_receipts_by_requester"]);
    assert_eq!(read_back["requester"], fixture("signed-receipt.json")["receipt"]["requester"]);
    assert_eq!(run.json_args(&["submit_receipt"]), fixture("signed-receipt.json"));
}

// ----------------------------------------------- drive.sh against the contracts

/// Splits one printed command into words as bash would (single quotes, with
/// `'\''` for a quote inside them; backslash escapes outside).
fn shell_words(line: &str) -> Vec<String> {
    let (mut words, mut word, mut in_word, mut quoted) = (Vec::new(), String::new(), false, false);
    let mut chars = line.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '\'' if quoted => quoted = false,
            _ if quoted => word.push(ch),
            '\'' => (quoted, in_word) = (true, true),
            '\\' => {
                word.extend(chars.next());
                in_word = true;
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    assert!(!quoted, "unbalanced quote in: {line}");
    if in_word {
        words.push(word);
    }
    words
}

/// The word after `flag` in a printed near command.
fn word_after<'a>(words: &'a [String], flag: &str) -> &'a str {
    let i = words.iter().position(|w| w == flag).unwrap_or_else(|| panic!("no {flag} in {words:?}"));
    words.get(i + 1).unwrap_or_else(|| panic!("{flag} has no value in {words:?}"))
}

/// near-cli's `'<n> NEAR'`, `'<n> yoctoNEAR'` (decimal NEAR allowed).
fn parse_amount(text: &str) -> NearToken {
    let (number, unit) = text.split_once(' ').unwrap_or_else(|| panic!("amount without unit: {text}"));
    match unit {
        "yoctoNEAR" => NearToken::from_yoctonear(number.parse().unwrap_or_else(|_| panic!("bad amount {text}"))),
        "NEAR" => {
            let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
            assert!(frac.len() <= 24, "too many decimals: {text}");
            let whole: u128 = whole.parse().unwrap_or_else(|_| panic!("bad amount {text}"));
            let frac: u128 = format!("{frac:0<24}").parse().unwrap_or_else(|_| panic!("bad amount {text}"));
            NearToken::from_yoctonear(whole * 10u128.pow(24) + frac)
        }
        _ => panic!("unknown unit in {text}"),
    }
}

/// Every `near contract call-function` command `drive.sh lifecycle --dry-run`
/// prints is sent, in order, to the real contracts on the embedded chain, as
/// the accounts it names: the JSON the script builds must be what the
/// contracts parse, and the lifecycle must succeed. Values a dry run cannot
/// know (`<proposal-id>`, `<snapshot-id>`, `<get_proposal_deposit>`,
/// `<submit_deposit>`) are read from the chain the way the script reads them
/// on a real network; any other placeholder fails the test.
#[test]
fn drive_lifecycle_commands_run_on_the_real_contracts() {
    use ai_commons_tests::community::{near, Community, Wasm};
    use ai_commons_tests::{Backend, BackendExt, Embedded};
    use attestation_signer::{commit, AttesterSigner, InferenceReceipt, U64};
    use embedded_chain::{AccountId, Gas};

    let mut b = Embedded::new();
    let c = Community::deploy(&mut b, &Wasm::load(), &["alice", "bob", "carol"]).community;
    let parent = b.chain.root().to_string();
    assert_eq!(c.dao.as_str(), format!("dao.{parent}"), "the script derives dao.PARENT");
    let (alice, bob) = (c.council[0].clone(), c.council[1].clone());
    let dave = b.create_account("dave", near(10));
    let ursula = b.create_account("ursula", near(10));
    let node = b.create_account("node", near(10));
    let signer = AttesterSigner::from_seed([42; 32]);
    let weights = hex::encode([0x5a; 32]);

    // A receipt for v1 signed for this chain's attestation contract.
    let receipt = InferenceReceipt {
        model_id: "community-model".into(),
        version: 1,
        weights_digest: serde_json::from_value(json!(weights)).expect("digest"),
        request_commitment: commit(&[1; 32], b"question"),
        response_commitment: commit(&[1; 32], b"answer"),
        requester: ursula.as_str().parse().expect("account"),
        attester_key: signer.public_key(),
        nonce: U64(1),
        timestamp: U64(b.block_timestamp()),
    };
    let attestation_id: attestation_signer::AccountId = c.attestation.as_str().parse().expect("account");
    let signed = json!({"receipt": receipt, "signature": signer.sign(&receipt, &attestation_id)});
    let stubs = Stubs::new("drive-replay");
    let receipt_file = stubs.dir.join("receipt.json");
    fs::write(&receipt_file, signed.to_string()).expect("write receipt");

    let key = signer.public_key().to_string();
    let voters = format!("{alice},{bob}");
    let run = run_script(
        "drive.sh",
        &[
            "--parent",
            &parent,
            "--as",
            alice.as_str(),
            "--dry-run",
            "lifecycle",
            "--voters",
            &voters,
            "--member",
            dave.as_str(),
            "--user",
            ursula.as_str(),
            "--weights-digest",
            &weights,
            "--attester",
            node.as_str(),
            "--attester-key",
            &key,
            "--receipt",
            receipt_file.to_str().expect("utf-8 path"),
        ],
        &stubs.path(),
    )
    .expect_ok("drive.sh lifecycle --dry-run");
    stubs.assert_not_called();

    let mut last_proposal: Option<String> = None;
    let (mut sent, mut viewed) = (Vec::new(), 0);
    for line in run.near_commands() {
        let words = shell_words(line);
        assert_eq!(&words[..3], ["near", "contract", "call-function"], "not a function call: {line}");
        let (mode, contract, method) = (words[3].as_str(), words[4].as_str(), words[5].as_str());
        let contract: AccountId = contract.parse().unwrap_or_else(|_| panic!("bad account in {line}"));
        let mut args = word_after(&words, "json-args").to_string();
        if let Some(id) = &last_proposal {
            args = args.replace("<proposal-id>", id);
        }
        if args.contains("<snapshot-id>") {
            let count: String = b.view(&c.consent, "get_snapshot_count", json!({}));
            args = args.replace("<snapshot-id>", &count);
        }
        assert!(!args.contains("\"<"), "unresolved placeholder in {method} args: {args}");
        let args: Value =
            serde_json::from_str(&args).unwrap_or_else(|e| panic!("{method} args are not JSON ({e}): {args}"));
        match mode {
            "as-read-only" => {
                // Views must parse their arguments too.
                b.view_raw(&contract, method, &args)
                    .unwrap_or_else(|e| panic!("view {contract}.{method}({args}) failed: {e}"));
                viewed += 1;
            }
            "as-transaction" => {
                let who: AccountId = word_after(&words, "sign-as").parse().expect("sign-as account");
                let gas = word_after(&words, "prepaid-gas");
                let gas = Gas::from_teragas(gas.strip_suffix(" Tgas").and_then(|g| g.parse().ok()).expect("'N Tgas'"));
                let deposit = match word_after(&words, "attached-deposit") {
                    "<get_proposal_deposit> yoctoNEAR" => {
                        c.proposal_deposit(&b, &who, args["description"].as_str().expect("description"), &args["kind"])
                    }
                    "<submit_deposit> yoctoNEAR" => {
                        let config: Value = b.view(&c.attestation, "get_config", json!({}));
                        NearToken::from_yoctonear(
                            config["submit_deposit"].as_str().expect("submit_deposit").parse().expect("yocto"),
                        )
                    }
                    other => parse_amount(other),
                };
                let out = b.call(&who, &contract, method, serde_json::to_vec(&args).expect("json"), deposit, gas);
                if let Err(e) = &out.status {
                    panic!("{who} -> {contract}.{method}({args}) failed on the real contract: {e}");
                }
                assert!(out.receipt_failures.is_empty(), "{method}: a receipt failed: {:?}", out.receipt_failures);
                match method {
                    "add_proposal" => last_proposal = Some(out.json::<String>()),
                    "execute" => {
                        let id: u64 = args["id"].as_str().expect("id").parse().expect("id");
                        assert_eq!(c.status(&b, id), "executed", "proposal {id} ({args}) did not execute");
                    }
                    _ => {}
                }
                sent.push(method.to_string());
            }
            other => panic!("unknown call-function mode {other}: {line}"),
        }
    }
    for method in [
        "add_proposal",
        "vote",
        "execute",
        "storage_deposit",
        "grant",
        "register_model",
        "submit_version",
        "submit_receipt",
        "revoke",
    ] {
        assert!(sent.iter().any(|m| m == method), "no {method} was sent: {sent:?}");
    }
    assert!(viewed > 0, "no view was replayed");

    // The lifecycle's end state, as the script describes it.
    let member: Value = b.view(&c.dao, "get_member", json!({"account_id": dave}));
    assert!(!member.is_null(), "dave is a member");
    let v2: Value = b.view(&c.registry, "get_version", json!({"model_id": "community-model", "version": 2}));
    assert_eq!(v2["parent"], json!({"model_id": "community-model", "version": 1}));
    let production: Value =
        b.view(&c.registry, "get_alias", json!({"model_id": "community-model", "alias": "production"}));
    assert_eq!(production["version"], 2);
    let v1: Value = b.view(&c.registry, "version_status", json!({"model_id": "community-model", "version": 1}));
    assert_eq!(v1["status"], "deprecated");
    let count: String = b.view(&c.attestation, "get_receipt_count_by_requester", json!({"requester": ursula}));
    assert_eq!(count, "1");
    let live: bool = b.view(&c.consent, "was_live_at_snapshot", json!({"user": ursula, "snapshot_id": "1"}));
    assert!(live, "the revoked grant was live at the snapshot");
    let allowed: bool = b.view(
        &c.consent,
        "is_allowed",
        json!({"user": ursula, "grantee": c.dao, "purpose": "training", "model_id": "community-model"}),
    );
    assert!(!allowed, "consent was revoked");
}

#[test]
fn drive_fails_clearly_on_missing_arguments() {
    dry("drive-noparent", "drive.sh", &["--dry-run", "vote", "1", "yes"]).expect_fail("no --parent", &["--parent"]);
    dry("drive-nosub", "drive.sh", &["--parent", "p.testnet", "--dry-run"])
        .expect_fail("no subcommand", &["missing subcommand"]);
    dry("drive-noacct", "drive.sh", &["--parent", "p.testnet", "--dry-run", "propose-member"])
        .expect_fail("propose-member without account", &["usage:", "propose-member ACCOUNT"]);
    dry("drive-badvote", "drive.sh", &["--parent", "p.testnet", "--dry-run", "vote", "1", "maybe"])
        .expect_fail("bad choice", &["yes, no, abstain or spam"]);
    dry(
        "drive-noreceipt",
        "drive.sh",
        &["--parent", "p.testnet", "--dry-run", "submit-receipt", "/nonexistent/receipt.json"],
    )
    .expect_fail("missing receipt file", &["file not found"]);
    dry("drive-unknown", "drive.sh", &["--parent", "p.testnet", "--dry-run", "frobnicate"])
        .expect_fail("unknown", &["frobnicate"]);
}

// ------------------------------------------------------------------ fork.sh

#[test]
fn fork_dry_run_copies_config_policy_roles_and_members() {
    let source = fixture("fork-source.json");
    let run = dry(
        "fork",
        "fork.sh",
        &[
            "--from-json",
            "scripts/fixtures/fork-source.json",
            "--parent",
            "fork.testnet",
            "--members",
            "all",
            "--dry-run",
        ],
    )
    .expect_ok("fork.sh --dry-run");
    for view in ["get_config", "get_policy", "get_roles", "get_members"] {
        run.assert_has(&[&format!(
            "near contract call-function as-read-only dao.open-models.testnet {view} json-args"
        )]);
    }
    run.assert_has(&[
        "near account create-account fund-myself dao.fork.testnet",
        "near contract deploy dao.fork.testnet",
        "with-init-call new",
    ]);
    let dao = run.json_args(&["contract deploy dao.fork.testnet"]);
    assert_eq!(dao["roles"], source["roles"]);
    assert_eq!(dao["vote_policies"], source["policy"]);
    assert_eq!(dao["purpose"], source["config"]["purpose"]);
    assert_eq!(dao["metadata"], source["config"]["metadata"]);
    assert_eq!(dao["proposal_bond"], source["config"]["proposal_bond"]);
    assert_eq!(dao["consent"], source["config"]["community"]["consent"]);
    assert_eq!(dao["registry"], Value::Null, "the source's registry belongs to the source DAO");
    assert_eq!(dao["name"], "Open Models (fork)");
    let members: Vec<Value> = source["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| json!({"account_id": m["account_id"], "roles": m["roles"]}))
        .collect();
    assert_eq!(dao["members"], Value::Array(members));
}

#[test]
fn fork_chooses_members_and_can_deploy_its_own_contracts() {
    let run = dry(
        "fork-some",
        "fork.sh",
        &[
            "--from-json",
            "scripts/fixtures/fork-source.json",
            "--parent",
            "fork.testnet",
            "--members",
            "carol.testnet,alice.testnet",
            "--deploy-contracts",
            "--skip-build",
            "--bond",
            "2",
            "--dry-run",
        ],
    )
    .expect_ok("fork.sh --members a,b --deploy-contracts");
    let dao = run.json_args(&["contract deploy dao.fork.testnet"]);
    assert_eq!(
        dao["members"],
        json!([{"account_id": "carol.testnet", "roles": ["member"]}, {"account_id": "alice.testnet", "roles": ["council"]}])
    );
    assert_eq!(dao["proposal_bond"], "2000000000000000000000000");
    assert_eq!(dao["registry"], "registry.fork.testnet");
    assert_eq!(run.json_args(&["contract deploy registry.fork.testnet"])["owner"], "dao.fork.testnet");
    assert_eq!(run.json_args(&["contract deploy attestation.fork.testnet"])["owner"], "dao.fork.testnet");
}

#[test]
fn fork_fails_clearly_on_missing_arguments() {
    let file = "scripts/fixtures/fork-source.json";
    dry("fork-noparent", "fork.sh", &["--from-json", file, "--dry-run"])
        .expect_fail("no --parent", &["missing required argument --parent"]);
    dry("fork-nosource", "fork.sh", &["--parent", "f.testnet", "--dry-run"])
        .expect_fail("no source", &["--from", "--from-json"]);
    dry("fork-noviews", "fork.sh", &["--parent", "f.testnet", "--from", "dao.x.testnet", "--dry-run"])
        .expect_fail("dry run without saved views", &["cannot read views", "--from-json"]);
    dry(
        "fork-stranger",
        "fork.sh",
        &["--from-json", file, "--parent", "f.testnet", "--members", "zed.testnet", "--dry-run"],
    )
    .expect_fail("unknown member", &["zed.testnet is not a member"]);
    dry("fork-nofile", "fork.sh", &["--from-json", "/nonexistent/views.json", "--parent", "f.testnet", "--dry-run"])
        .expect_fail("missing file", &["file not found"]);
}

// ------------------------------------------------------------------ shellcheck

#[test]
fn scripts_pass_shellcheck() {
    let Some(shellcheck) = on_path("shellcheck") else {
        panic!(
            "shellcheck is not on PATH: install it (apt-get install -y shellcheck, or brew install shellcheck); \
             scripts/test.sh installs it, and every script in scripts/ must pass it"
        );
    };
    let mut scripts: Vec<PathBuf> = fs::read_dir(root().join("scripts"))
        .expect("scripts/")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sh"))
        .collect();
    scripts.sort();
    for needed in ["lib.sh", "deploy.sh", "drive.sh", "fork.sh"] {
        assert!(scripts.iter().any(|p| p.ends_with(needed)), "scripts/{needed} is missing");
    }
    let out = Command::new(shellcheck)
        .arg("--external-sources")
        .args(&scripts)
        .current_dir(root())
        .output()
        .expect("run shellcheck");
    assert!(
        out.status.success(),
        "shellcheck found problems:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
