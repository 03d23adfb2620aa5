//! Who owns what, end to end on the embedded chain with the real wasm.
//!
//! After the deploy flow (`Community::deploy`, which ends as
//! `scripts/deploy.sh` does) no contract account holds a full-access key, a
//! stranger and the former deployer cannot change any of the four contracts
//! (every refusal leaves state, balance and storage unchanged), and the only
//! way to change a contract's code is a DAO proposal: store the code, propose
//! `upgrade_contract`, vote, execute; the target runs the new code on its
//! intact state, and a migration that fails reverts the deploy.

use ai_commons_tests::community::zero;
use ai_commons_tests::community::{near, sha, Community, Wasm};
use ai_commons_tests::{Backend, BackendExt, Embedded, Outcome};
use embedded_chain::{AccountId, Gas, NearToken};
use serde_json::{json, Value};
use std::sync::OnceLock;

/// The suite's wasm and the "next version" of each community contract (feature `upgrade-test`).
struct Codes {
    suite: Wasm,
    registry_v2: Vec<u8>,
    attestation_v2: Vec<u8>,
    consent_v2: Vec<u8>,
}

/// Builds the wasm once per process. Feature builds go first: wasm-build writes
/// every build of a package to the same file before copying a feature build
/// aside, so building the plain suite last leaves the plain contracts in place.
fn codes() -> &'static Codes {
    static CODES: OnceLock<Codes> = OnceLock::new();
    CODES.get_or_init(|| {
        let registry_v2 = wasm_build::wasm("model-registry", &["upgrade-test"]);
        let attestation_v2 = wasm_build::wasm("inference-attestation", &["upgrade-test"]);
        let consent_v2 = wasm_build::wasm("data-consent", &["upgrade-test"]);
        let suite = Wasm::load();
        assert_ne!(suite.registry, registry_v2);
        assert_ne!(suite.attestation, attestation_v2);
        assert_ne!(suite.consent, consent_v2);
        Codes { suite, registry_v2, attestation_v2, consent_v2 }
    })
}

fn setup() -> (Embedded, Community) {
    let mut b = Embedded::new();
    let c = Community::deploy(&mut b, &codes().suite, &["alice", "bob", "carol"]).community;
    (b, c)
}

fn contracts(c: &Community) -> [&AccountId; 4] {
    [&c.dao, &c.registry, &c.attestation, &c.consent]
}

const NOT_OWNER: &str = "only the owner may call this method";
/// near-sdk's `#[private]` check ("Method migrate is private") runs before the
/// contracts' own (`ERR_PRIVATE`, "method is private: ..."); both say this.
const PRIVATE: &str = "is private";
const NO_KEY: &str = "doesn't have access key with the given public_key";

#[test]
fn no_contract_account_keeps_a_full_access_key() {
    let (mut b, c) = setup();
    let root = b.chain.root();
    for account in contracts(&c) {
        assert_eq!(b.full_access_key_count(account), 0, "{account} still has a full-access key");
        assert_eq!(b.chain.view_access_keys(account), Some(vec![]), "{account} still has a key");
        // Nobody can sign for the account any more: no new code, no transfer out, no key.
        b.assert_refused(account, NO_KEY, |b| b.deploy(account, b"\0asm"));
        b.assert_refused(account, NO_KEY, |b| b.chain.transfer(account, &root, near(1)).into());
        b.assert_refused(account, NO_KEY, |b| {
            b.chain.tx(account, account).add_full_access_key(embedded_chain::genesis_key(&root)).transact().into()
        });
        // The account that created and funded it cannot act on it either.
        b.assert_refused(account, "doesn't have permission to account", |b| {
            b.chain.tx(&root, account).deploy(b"\0asm".to_vec()).transact().into()
        });
        b.assert_refused(account, "doesn't have permission to account", |b| {
            b.chain.tx(&root, account).add_full_access_key(embedded_chain::genesis_key(&root)).transact().into()
        });
    }
    // Members still sign for themselves.
    assert_eq!(b.full_access_key_count(&c.council[0]), 1);
}

/// Everyone who is not the owner: a stranger, the account that created and
/// funded the contract accounts (`test.near`, the deployer's parent) and a
/// council member acting alone (the DAO, not its members, is the owner).
fn outsiders(b: &mut Embedded, c: &Community) -> Vec<AccountId> {
    vec![b.create_account("stranger", near(50)), b.chain.root(), c.council[0].clone()]
}

#[test]
fn strangers_and_the_former_deployer_cannot_change_any_contract() {
    let (mut b, c) = setup();
    let callers = outsiders(&mut b, &c);
    let code = codes().registry_v2.clone();
    for caller in &callers {
        // Every contract: no upgrade, no migrate.
        for (contract, upgrade_error) in
            [(&c.registry, NOT_OWNER), (&c.attestation, NOT_OWNER), (&c.consent, NOT_OWNER)]
        {
            b.assert_refused(contract, upgrade_error, |b| {
                b.call(caller, contract, "upgrade", code.clone(), zero(), Gas::from_teragas(300))
            });
        }
        for contract in contracts(&c) {
            b.assert_refused(contract, PRIVATE, |b| b.call_json(caller, contract, "migrate", json!({}), zero()));
        }
        // The DAO: no upgrade method at all; its code and treasury move only by proposal.
        b.assert_refused(&c.dao, "MethodNotFound", |b| {
            b.call(caller, &c.dao, "upgrade", code.clone(), zero(), Gas::from_teragas(300))
        });
        b.assert_refused(&c.dao, PRIVATE, |b| b.call_json(caller, &c.dao, "on_execute", json!({"id": "0"}), zero()));
        b.assert_refused(&c.dao, "proposal not found", |b| {
            b.call_gas(caller, &c.dao, "execute", json!({"id": "0"}), zero(), Gas::from_teragas(200))
        });

        // model-registry: every owner-only method.
        let r = &c.registry;
        for (method, args, deposit) in [
            ("set_owner", json!({"new_owner": caller}), zero()),
            ("add_publisher", json!({"account_id": caller}), near(1)),
            ("remove_publisher", json!({"account_id": caller}), zero()),
            ("set_open_publishing", json!({"open": false}), zero()),
            ("set_alias_protection", json!({"alias": "staging", "protected": true}), near(1)),
            ("approve_version", json!({"model_id": "m", "version": 1}), zero()),
            ("deprecate_version", json!({"model_id": "m", "version": 1, "reason": "x"}), near(1)),
            ("revoke_version", json!({"model_id": "m", "version": 1, "reason": "x"}), near(1)),
        ] {
            b.assert_refused(r, NOT_OWNER, |b| b.call_json(caller, r, method, args, deposit));
        }

        // inference-attestation: every owner-only method.
        let a = &c.attestation;
        for (method, args, deposit) in [
            ("set_owner", json!({"new_owner": caller}), zero()),
            ("set_registry", json!({"new_registry": caller}), zero()),
            ("set_max_clock_skew", json!({"max_clock_skew_ns": "60000000000"}), zero()),
            (
                "admit_attester",
                json!({"operator": caller, "public_keys": ["ed25519:6E8sCci9badyRkXb3JoRpBj5p8C6Tw41ELDZoiihKEtp"],
                       "tee_kind": "none", "measurements": [], "models": null, "expires_at": null}),
                near(1),
            ),
            ("revoke_attester", json!({"operator": caller, "reason": "x"}), zero()),
        ] {
            b.assert_refused(a, NOT_OWNER, |b| b.call_json(caller, a, method, args, deposit));
        }

        // data-consent: the owner controls upgrades only, and hands them on with 1 yoctoNEAR.
        let k = &c.consent;
        b.assert_refused(k, NOT_OWNER, |b| {
            b.call_json(caller, k, "set_owner", json!({"new_owner": caller}), NearToken::from_yoctonear(1))
        });
    }
    // Nothing moved: owners are still the DAO.
    assert_eq!(b.view::<Value>(&c.registry, "get_config", json!({}))["owner"], json!(c.dao));
    assert_eq!(b.view::<Value>(&c.attestation, "get_config", json!({}))["owner"], json!(c.dao));
    assert_eq!(b.view::<Value>(&c.consent, "owner", json!({})), json!(c.dao));
}

/// Every raw state entry of `account` but the root record (`STATE`), which
/// holds the state version an upgrade bumps.
fn records(b: &Embedded, account: &AccountId) -> Vec<(Vec<u8>, Vec<u8>)> {
    b.chain.view_state(account, b"").into_iter().filter(|(k, _)| k.as_slice() != b"STATE").collect()
}

fn store_code(b: &mut Embedded, c: &Community, code: &[u8]) -> String {
    let out = b.call(&c.council[0], &c.dao, "store_code", code.to_vec(), near(10), Gas::from_teragas(300));
    out.json::<String>()
}

/// Stores `code` in the DAO, proposes `upgrade_contract`, has the council vote
/// and executes it; returns the execute outcome.
fn upgrade_through_the_dao(b: &mut Embedded, c: &Community, contract: &str, code: &[u8]) -> (u64, Outcome) {
    let hash = store_code(b, c, code);
    assert!(b.view::<bool>(&c.dao, "has_code", json!({"code_hash": hash})));
    let kind = json!({"type": "upgrade_contract", "contract": contract, "code_hash": hash});
    c.pass_and_execute(b, &format!("Upgrade the {contract} contract"), kind)
}

fn events_of(out: &Outcome, standard: &str) -> Vec<(String, Value)> {
    out.events.iter().filter(|e| e.standard == standard).map(|e| (e.event.clone(), e.data.clone())).collect()
}

fn code_hash(b: &Embedded, account: &AccountId) -> String {
    b.chain.view_account(account).expect("account").code_hash
}

#[test]
fn the_dao_upgrades_each_community_contract_and_state_stays_intact() {
    let (mut b, c) = setup();
    let publisher = b.create_account("publisher", near(20));
    let user = b.create_account("user", near(20));
    // Some state in each contract.
    b.call_json(
        &publisher,
        &c.registry,
        "register_model",
        json!({"model_id": "chat", "name": "Commons Chat", "task": "text-generation", "license": "apache-2.0",
               "card_uri": "ipfs://card", "card_digest": sha("card")}),
        near(1),
    )
    .assert_success();
    b.call_json(&user, &c.consent, "storage_deposit", json!({"account_id": user}), near(1)).assert_success();
    b.call_json(&user, &c.consent, "grant", json!({"grantee": c.dao, "purpose": "training"}), zero()).assert_success();
    let (_, out) = c.pass_and_execute(
        &mut b,
        "Admit a node",
        json!({"type": "admit_attester", "operator": publisher, "tee_kind": "none", "measurements": [],
               "public_keys": ["ed25519:6E8sCci9badyRkXb3JoRpBj5p8C6Tw41ELDZoiihKEtp"]}),
    );
    assert_eq!(out.json::<String>(), "executed");

    let cases = [
        (
            "registry",
            c.registry.clone(),
            codes().registry_v2.clone(),
            "model_registry",
            "get_model",
            json!({"model_id": "chat"}),
        ),
        (
            "attestation",
            c.attestation.clone(),
            codes().attestation_v2.clone(),
            "inference_attestation",
            "get_attester",
            json!({"operator": publisher}),
        ),
        (
            "consent",
            c.consent.clone(),
            codes().consent_v2.clone(),
            "data_consent",
            "get_grant",
            json!({"user": user, "grantee": c.dao, "purpose": "training"}),
        ),
    ];
    for (name, account, code, standard, view, args) in cases {
        let version_before: String = b.view(&account, "contract_version", json!({}));
        let before = records(&b, &account);
        let item_before: Value = b.view(&account, view, args.clone());
        assert!(!item_before.is_null(), "{name}: the seeded record exists");
        let (balance0, usage0) = (b.balance(&account), b.storage_usage(&account));

        let (id, out) = upgrade_through_the_dao(&mut b, &c, name, &code);
        assert_eq!(out.json::<String>(), "executed", "{name}: {:?}", out.receipt_failures);
        assert_eq!(c.status(&b, id), "executed");
        let hash = sha256_hex(&code);
        assert_eq!(
            events_of(&out, standard),
            [
                ("contract_upgraded".to_string(), json!({"code_hash": hash})),
                (
                    "contract_migrated".to_string(),
                    json!({"from_state_version": 1, "to_state_version": 2, "contract_version": "2.0.0-upgrade-test"})
                ),
            ],
            "{name}"
        );
        let dao_events: Vec<String> = events_of(&out, "community_dao").into_iter().map(|e| e.0).collect();
        assert_eq!(dao_events, ["proposal_execution_started", "proposal_executed"]);

        // The target runs the new code on its intact state.
        assert_ne!(version_before, "2.0.0-upgrade-test");
        assert_eq!(b.view::<String>(&account, "contract_version", json!({})), "2.0.0-upgrade-test");
        assert_eq!(records(&b, &account), before, "{name}: every record but the root is untouched");
        assert_eq!(b.view::<Value>(&account, view, args.clone()), item_before, "{name}");
        let grown = b.storage_usage(&account) as i64 - usage0 as i64;
        assert_eq!(grown, code.len() as i64 - codes_len(name) as i64, "{name}: only the code size changed");
        assert!(b.balance(&account) >= balance0, "{name}: the upgrade cost the contract nothing");
        // Still owned by the DAO, still refusing strangers.
        b.assert_refused(&account, NOT_OWNER, |b| {
            b.call(&publisher, &account, "upgrade", code.clone(), zero(), Gas::from_teragas(300))
        });
    }
    assert_eq!(b.view::<Value>(&c.registry, "get_config", json!({}))["state_version"], 2);
    assert_eq!(b.view::<Value>(&c.attestation, "get_config", json!({}))["state_version"], 2);
    assert_eq!(b.view::<Value>(&c.consent, "owner", json!({})), json!(c.dao));
    // The new registry code keeps working: a new version of the model.
    b.call_json(
        &publisher,
        &c.registry,
        "submit_version",
        json!({"model_id": "chat", "weights_digest": sha("w1"), "artifact_uri": "ipfs://w1", "parent": null,
               "training": {"code_digest": sha("trainer"), "dataset_digest": sha("dataset"),
                            "consent_contract": c.consent, "consent_snapshot_id": "1"},
               "eval_report_digest": sha("eval"), "metadata": "{}"}),
        near(1),
    )
    .assert_success();
}

fn codes_len(name: &str) -> usize {
    let suite = &codes().suite;
    match name {
        "registry" => suite.registry.len(),
        "attestation" => suite.attestation.len(),
        _ => suite.consent.len(),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

#[test]
fn a_failed_migration_reverts_the_deploy_and_the_proposal_fails() {
    let (mut b, c) = setup();
    // The consent code cannot read the registry's state: its migrate fails.
    let before = b.snapshot(&c.registry);
    let hash_before = code_hash(&b, &c.registry);
    let (id, out) = upgrade_through_the_dao(&mut b, &c, "registry", &codes().suite.consent);
    assert_eq!(out.json::<String>(), "failed");
    assert_eq!(c.status(&b, id), "failed");
    assert!(out.events_named("model_registry", "contract_migrated").is_empty());
    assert_eq!(code_hash(&b, &c.registry), hash_before, "the deploy was reverted");
    let after = b.snapshot(&c.registry);
    assert!(before.0 == after.0, "state unchanged");
    assert_eq!(before.2, after.2, "storage unchanged");
    assert_eq!(b.view::<Value>(&c.registry, "get_config", json!({}))["state_version"], 1);

    // Proposals for an unlinked contract or code that was never stored are refused.
    let (alice, stranger) = (c.council[0].clone(), b.create_account("stranger", near(50)));
    let missing = json!({"type": "upgrade_contract", "contract": "registry", "code_hash": sha("nothing")});
    b.assert_refused(&c.dao, "code not stored", |b| {
        b.call_json(&alice, &c.dao, "add_proposal", json!({"description": "x", "kind": missing}), near(2))
    });
    let bad = json!({"type": "upgrade_contract", "contract": "treasury", "code_hash": sha("nothing")});
    b.assert_refused(&c.dao, "unknown variant `treasury`", |b| {
        b.call_json(&alice, &c.dao, "add_proposal", json!({"description": "x", "kind": bad}), near(2))
    });
    // A stranger cannot even store code.
    b.assert_refused(&c.dao, "caller is not a member", |b| {
        b.call(&stranger, &c.dao, "store_code", codes().registry_v2.clone(), near(10), Gas::from_teragas(300))
    });
}
