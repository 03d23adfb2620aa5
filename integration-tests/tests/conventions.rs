//! `docs/CONVENTIONS.md` says what every contract does; these tests read the
//! contracts' sources and the project's docs and fail where they drift apart:
//! a public method without a doc comment, a contract without the shared
//! `contract_version` view or `contract_migrated` event, a project document
//! pointing outside the project.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

const CONTRACTS: [&str; 5] =
    ["community-dao", "model-registry", "data-consent", "inference-attestation", "tee-verifier"];

/// Every `.rs` file under `dir`, test-only files excluded.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap_or_else(|e| panic!("read {}: {e}", d.display())) {
            let path = entry.expect("dir entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            if path.is_dir() {
                if name != "tests" {
                    stack.push(path);
                }
            } else if name.ends_with(".rs") && name != "tests.rs" && name != "testing.rs" {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The text of a source file up to its `#[cfg(test)]` module, if any.
fn non_test_source(path: &Path) -> String {
    let text = fs::read_to_string(path).expect("read source");
    match text.find("#[cfg(test)]") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// The lines of the `#[near] impl` blocks of a source file (the contract's
/// methods), with their line numbers.
fn near_impl_lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut inside = false;
    let mut after_near = false;
    for (i, line) in text.lines().enumerate() {
        if inside {
            if line == "}" {
                inside = false;
            } else {
                out.push((i, line));
            }
        } else if line.starts_with("#[near]") {
            after_near = true;
        } else if after_near && line.starts_with("impl ") {
            inside = true;
            after_near = false;
        } else if !line.starts_with("#[") {
            after_near = false;
        }
    }
    out
}

#[test]
fn every_public_method_of_every_contract_has_a_doc_comment() {
    let mut missing = Vec::new();
    let mut methods = 0;
    for contract in CONTRACTS {
        for file in sources(&root().join("contracts").join(contract).join("src")) {
            let text = non_test_source(&file);
            let all: Vec<&str> = text.lines().collect();
            for (i, line) in near_impl_lines(&text) {
                if !line.trim_start().starts_with("pub fn ") {
                    continue;
                }
                methods += 1;
                let documented = all[..i]
                    .iter()
                    .rev()
                    .map(|l| l.trim())
                    .find(|l| !l.starts_with("#["))
                    .is_some_and(|l| l.starts_with("///"));
                if !documented {
                    missing.push(format!(
                        "{}:{}: {}",
                        file.strip_prefix(root()).unwrap().display(),
                        i + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(methods >= 90, "found only {methods} contract methods: the source scan is broken");
    assert!(
        missing.is_empty(),
        "contract methods without a doc comment (docs/CONVENTIONS.md):\n{}",
        missing.join("\n")
    );
}

/// `path` with `.` and `..` resolved lexically (the target may not exist).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[test]
fn project_documents_point_at_nothing_outside_the_project() {
    let root = root().canonicalize().expect("root");
    let mut docs = vec![root.join("README.md"), root.join("docs/CONVENTIONS.md")];
    docs.extend(CONTRACTS.iter().map(|c| root.join("contracts").join(c).join("README.md")));
    for doc in docs {
        let text = fs::read_to_string(&doc).unwrap_or_else(|e| panic!("read {}: {e}", doc.display()));
        let dir = doc.parent().expect("doc dir");
        for (i, line) in text.lines().enumerate() {
            // Every relative path that climbs (`../...`), in a link or in prose,
            // must still land inside the project.
            for (at, _) in line.match_indices("../") {
                if at > 0 && !line[..at].ends_with(['(', ' ', '`', '[', '"', '\'']) {
                    continue; // the middle of a longer path, checked from its start
                }
                let token: String =
                    line[at..].chars().take_while(|c| !c.is_whitespace() && !")]`\"'".contains(*c)).collect();
                let target = normalize(&dir.join(&token));
                assert!(target.starts_with(&root), "{}:{} points outside the project: {token}", doc.display(), i + 1);
            }
        }
    }
}

/// The whole non-test source of a contract, one string.
fn contract_source(contract: &str) -> String {
    sources(&root().join("contracts").join(contract).join("src")).iter().map(|f| non_test_source(f)).collect()
}

#[test]
fn every_contract_has_the_shared_version_view_migration_event_and_errors() {
    // tee-verifier has no owner and no upgrade path, by design (CONVENTIONS.md).
    for contract in CONTRACTS.into_iter().filter(|c| *c != "tee-verifier") {
        let src = contract_source(contract);
        for (what, needle) in [
            ("the contract_version view", "pub fn contract_version(&self) -> String"),
            ("a private migrate", "pub fn migrate() -> Self"),
            ("the shared contract_migrated event", "ContractMigrated(ContractMigrated"),
            ("the shared error wording", "pub use ai_commons_primitives::errors::"),
            ("the shared state version type", "StateVersion"),
        ] {
            assert!(src.contains(needle), "{contract} lacks {what} (`{needle}`), docs/CONVENTIONS.md");
        }
        // `migrate` checks its caller itself: directly, or through the shared body.
        assert!(
            src.contains("require_self()") || src.contains("migrate_one_layout::<Contract>"),
            "{contract}: migrate must check that the contract itself calls it"
        );
        // The DAO upgrades itself by proposal; every other contract through its owner, the DAO.
        let upgrade = if contract == "community-dao" {
            "ProposalKind::UpgradeSelf { code_hash, migrate_args }"
        } else {
            "pub fn upgrade(&self) -> Promise"
        };
        assert!(src.contains(upgrade), "{contract} lacks its upgrade path (`{upgrade}`)");
        if contract != "community-dao" {
            assert!(
                src.contains("code_from_input()") && src.contains("deploy_and_migrate("),
                "{contract}: shared upgrade batch"
            );
        }
    }
}
