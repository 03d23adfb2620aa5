//! Scenario tests: each arranges a small community, acts, and asserts the
//! outcome, the events, and (for rejected calls) the exact error and an
//! unchanged state. Voting arithmetic has its own tests in `outcome.rs`.

use super::*;
use crate::base64::Base64Bytes;
use ai_commons_primitives::{ConsentPurpose, Digest32};
use near_sdk::mock::MockAction;
use near_sdk::serde_json::{self, json, Value};
use near_sdk::test_utils::{get_created_receipts, get_logs, VMContextBuilder};
use near_sdk::{testing_env, Gas, PromiseOrValue, PromiseResult, RuntimeFeesConfig};
use std::panic::{catch_unwind, AssertUnwindSafe};

#[path = "tests_delegation.rs"]
mod delegation;
#[path = "tests_membership.rs"]
mod membership;

const DAO: &str = "dao.near";
const ALICE: &str = "alice.near"; // council
const BOB: &str = "bob.near"; // council
const CAROL: &str = "carol.near"; // council
const DAVE: &str = "dave.near"; // member (text only)
const EVE: &str = "eve.near"; // outsider
const REGISTRY: &str = "registry.near";
const ATTESTATION: &str = "attest.near";
const HOUR: u64 = 3600 * 1_000_000_000;
const DAY: u64 = 24 * HOUR;
const T0: u64 = 1_700_000_000_000_000_000;

fn acc(s: &str) -> AccountId {
    s.parse().unwrap()
}

fn bond() -> NearToken {
    NearToken::from_near(1)
}

fn zero() -> NearToken {
    NearToken::from_yoctonear(0)
}

fn context(predecessor: &str, deposit: NearToken, now: u64) -> near_sdk::VMContext {
    VMContextBuilder::new()
        .current_account_id(acc(DAO))
        .predecessor_account_id(acc(predecessor))
        .signer_account_id(acc(predecessor))
        .attached_deposit(deposit)
        .block_timestamp(now)
        .prepaid_gas(Gas::from_tgas(300))
        // The mocked balance does not grow with the deposits of earlier calls:
        // room for the bonds and reserves of a hundred proposals.
        .account_balance(NearToken::from_near(1000))
        .build()
}

fn policy(period: u64, quorum: Quorum, num: u32, den: u32, timelock: u64) -> VotePolicy {
    VotePolicy { voting_period_ns: U64(period), quorum, threshold: Fraction { num, den }, timelock_ns: U64(timelock) }
}

fn roles() -> Vec<Role> {
    vec![
        Role { name: "council".into(), can_propose: KindSet::ALL, can_vote: KindSet::ALL },
        Role {
            name: "member".into(),
            can_propose: KindSet::of(&[KindLabel::Text]),
            can_vote: KindSet::of(&[KindLabel::Text]),
        },
    ]
}

fn members() -> Vec<MemberInput> {
    let m = |a: &str, r: &str| MemberInput { account_id: acc(a), roles: vec![r.into()] };
    vec![m(ALICE, "council"), m(BOB, "council"), m(CAROL, "council"), m(DAVE, "member")]
}

fn policies() -> VotePolicies {
    let mut per_kind = std::collections::BTreeMap::new();
    per_kind.insert(KindLabel::Transfer, policy(DAY, Quorum::Count(2), 1, 2, HOUR));
    VotePolicies { default: policy(DAY, Quorum::Count(2), 1, 2, 0), per_kind, agent_suspenders: vec![] }
}

/// A community of three council members and one plain member, at time `now`.
struct World {
    dao: Contract,
    now: u64,
}

impl World {
    fn new() -> Self {
        testing_env!(context(DAO, zero(), T0));
        let dao = Contract::new(
            "Open Models".into(),
            "govern our models".into(),
            "{}".into(),
            roles(),
            members(),
            policies(),
            bond(),
            Some(acc(REGISTRY)),
            Some(acc(ATTESTATION)),
            None,
        );
        World { dao, now: T0 }
    }

    fn as_(&self, who: &str) {
        testing_env!(context(who, zero(), self.now));
    }

    fn pay(&self, who: &str, deposit: NearToken) {
        testing_env!(context(who, deposit, self.now));
    }

    fn deposit_for(&self, who: &str, description: &str, kind: &ProposalKind) -> NearToken {
        self.as_(who);
        self.dao.get_proposal_deposit(acc(who), description.into(), kind.clone())
    }

    fn propose(&mut self, who: &str, kind: ProposalKind) -> u64 {
        let deposit = self.deposit_for(who, "why", &kind);
        self.pay(who, deposit);
        self.dao.add_proposal("why".into(), kind).0
    }

    fn vote(&mut self, who: &str, id: u64, choice: VoteChoice) -> ProposalStatus {
        self.as_(who);
        self.dao.vote(U64(id), choice, None)
    }

    fn pass(&mut self, who: &str, kind: ProposalKind) -> u64 {
        let id = self.propose(who, kind);
        self.vote(ALICE, id, VoteChoice::Yes);
        assert_eq!(self.vote(BOB, id, VoteChoice::Yes), ProposalStatus::Passed);
        id
    }

    /// Executes as a stranger: `Some(status)` when it finished at once, `None`
    /// when a promise is in flight.
    fn execute(&mut self, id: u64) -> Option<ProposalStatus> {
        self.as_(EVE);
        match self.dao.execute(U64(id)) {
            PromiseOrValue::Value(status) => Some(status),
            PromiseOrValue::Promise(_) => None,
        }
    }

    fn status(&self, id: u64) -> ProposalStatus {
        self.dao.get_proposal(U64(id)).unwrap().status
    }

    fn callback(&mut self, id: u64, result: PromiseResult) -> ProposalStatus {
        testing_env!(
            context(DAO, zero(), self.now),
            near_sdk::test_vm_config(),
            RuntimeFeesConfig::test(),
            Default::default(),
            vec![result],
        );
        self.dao.on_execute(U64(id))
    }

    /// Everything a client can observe, to assert that a failed call changed nothing.
    fn fingerprint(&self) -> String {
        let proposals = self.dao.get_proposals(None, Some(100));
        let votes: Vec<_> = proposals.iter().map(|p| self.dao.get_votes(p.id, None, Some(100))).collect();
        let statuses: Vec<_> =
            ProposalStatus::ALL.iter().map(|s| self.dao.get_proposals_by_status(*s, None, Some(100))).collect();
        let electorate: Vec<_> = KindLabel::ALL.iter().map(|k| self.dao.get_electorate(*k)).collect();
        serde_json::to_string(&json!({
            // What is free to spend follows the host's balance and storage
            // accounting; the reserve itself is part of the config compared here.
            "config": ConfigView { available_treasury: zero(), ..self.dao.get_config() },
            "policy": self.dao.get_policy(),
            "roles": self.dao.get_roles(),
            "members": self.dao.get_members(None, Some(100)),
            "proposals": proposals,
            "votes": votes,
            "statuses": statuses,
            "electorate": electorate,
        }))
        .unwrap()
    }

    /// Runs `f`, expects it to fail with exactly `expected`, and checks that no
    /// state, event or receipt came out of it.
    fn rejects(&mut self, expected: &str, f: impl FnOnce(&mut Contract)) {
        let before = self.fingerprint();
        let err = catch_unwind(AssertUnwindSafe(|| f(&mut self.dao))).expect_err("call should fail");
        assert_eq!(panic_message(err), expected);
        assert_eq!(self.fingerprint(), before, "state changed by a failed call");
        assert!(get_logs().is_empty(), "failed call emitted {:?}", get_logs());
    }
}

/// The contract's own message out of a unit-test panic (the mocked host wraps
/// it as `HostError(GuestPanic { panic_msg: "..." })`).
fn panic_message(err: Box<dyn std::any::Any + Send>) -> String {
    let raw = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .expect("panic payload is a string");
    match raw.split_once("panic_msg: \"") {
        Some((_, rest)) => rest.trim_end_matches("\" })").replace("\\\"", "\"").replace("\\\\", "\\"),
        None => raw,
    }
}

fn event(logs: &[String], name: &str) -> Value {
    let line = logs
        .iter()
        .find(|l| l.contains(&format!("\"event\":\"{name}\"")))
        .unwrap_or_else(|| panic!("no {name} event in {logs:?}"));
    serde_json::from_str(line.strip_prefix("EVENT_JSON:").unwrap()).unwrap()
}

fn event_names(logs: &[String]) -> Vec<String> {
    logs.iter()
        .map(|l| {
            let v: Value = serde_json::from_str(l.strip_prefix("EVENT_JSON:").unwrap()).unwrap();
            assert_eq!(v["standard"], "community_dao");
            assert_eq!(v["version"], "1.0.0");
            v["event"].as_str().unwrap().to_string()
        })
        .collect()
}

fn transfers_to(account: &str) -> Vec<NearToken> {
    get_created_receipts()
        .into_iter()
        .filter(|r| r.receiver_id.as_str() == account)
        .flat_map(|r| r.actions)
        .filter_map(|a| match a {
            MockAction::Transfer { deposit, .. } => Some(deposit),
            _ => None,
        })
        .collect()
}

fn calls_to(account: &str) -> Vec<(String, Value, NearToken)> {
    get_created_receipts()
        .into_iter()
        .filter(|r| r.receiver_id.as_str() == account)
        .flat_map(|r| r.actions)
        .filter_map(|a| match a {
            MockAction::FunctionCallWeight { method_name, args, attached_deposit, .. } => Some((
                String::from_utf8(method_name).unwrap(),
                serde_json::from_slice(&args).unwrap_or(Value::Null),
                attached_deposit,
            )),
            _ => None,
        })
        .collect()
}

fn add_member(account: &str, role: &str) -> ProposalKind {
    ProposalKind::AddMember { account_id: acc(account), roles: vec![role.into()] }
}

// ---------------------------------------------------------------- init

#[test]
fn init_emits_dao_created_and_counts_electorates() {
    let w = World::new();
    assert_eq!(
        get_logs(),
        vec![
            r#"EVENT_JSON:{"standard":"community_dao","version":"1.0.0","event":"dao_created","data":{"name":"Open Models","members":"4","roles":["council","member"]}}"#
        ]
    );
    assert_eq!(w.dao.get_member_count(), U64(4));
    assert_eq!(w.dao.get_electorate(KindLabel::Text), 4);
    assert_eq!(w.dao.get_electorate(KindLabel::Transfer), 3);
    let config = w.dao.get_config();
    assert_eq!(config.state_version, STATE_VERSION);
    assert_eq!(config.community.registry, Some(acc(REGISTRY)));
    assert_eq!(w.dao.get_member(acc(DAVE)).unwrap().roles, vec!["member".to_string()]);
    assert_eq!(w.dao.contract_version(), CONTRACT_VERSION);
}

#[test]
fn init_rejects_bad_arguments() {
    let init = |roles: Vec<Role>, members: Vec<MemberInput>, policies: VotePolicies, metadata: String| {
        testing_env!(context(DAO, zero(), T0));
        let err = catch_unwind(AssertUnwindSafe(|| {
            Contract::new("n".into(), "p".into(), metadata, roles, members, policies, bond(), None, None, None)
        }))
        .err()
        .expect("init should fail");
        panic_message(err)
    };
    let many_roles: Vec<Role> =
        (0..17).map(|i| Role { name: format!("r{i}"), can_propose: KindSet::ALL, can_vote: KindSet::ALL }).collect();
    assert_eq!(init(many_roles, members(), policies(), "".into()), "too many roles: 1 to 16 roles");
    let mut dup = roles();
    dup[1].name = "council".into();
    assert_eq!(init(dup, members(), policies(), "".into()), "duplicate role: council");
    let mut unknown = members();
    unknown[0].roles = vec!["king".into()];
    assert_eq!(init(roles(), unknown, policies(), "".into()), "unknown role: king");
    let mut five = members();
    five[0].roles = vec!["council".into(), "council".into()];
    assert_eq!(init(roles(), five, policies(), "".into()), ERR_MEMBER_ROLES);
    let mut twice = members();
    twice.push(MemberInput { account_id: acc(ALICE), roles: vec!["member".into()] });
    assert_eq!(init(roles(), twice, policies(), "".into()), "duplicate member: alice.near");
    assert_eq!(init(roles(), vec![], policies(), "".into()), ERR_NO_MEMBERS);
    let mut bad = policies();
    bad.default.threshold = Fraction { num: 3, den: 2 };
    assert_eq!(init(roles(), members(), bad, "".into()), ERR_BAD_THRESHOLD);
    let mut bad = policies();
    bad.default.quorum = Quorum::Fraction(Fraction { num: 1, den: 0 });
    assert_eq!(init(roles(), members(), bad, "".into()), "quorum: fraction must have 0 < den and num <= den");
    let mut bad = policies();
    bad.default.voting_period_ns = U64(0);
    assert_eq!(init(roles(), members(), bad, "".into()), ERR_BAD_PERIOD);
    assert_eq!(
        init(roles(), members(), policies(), "x".repeat(4097)),
        "metadata is too long: 4097 bytes, at most 4096"
    );
    let suspenders =
        |names: &[&str]| VotePolicies { agent_suspenders: names.iter().map(|n| n.to_string()).collect(), ..policies() };
    assert_eq!(init(roles(), members(), suspenders(&["jury"]), "".into()), "unknown role: jury");
    assert_eq!(init(roles(), members(), suspenders(&["council", "council"]), "".into()), "duplicate role: council");
}

#[test]
fn json_shapes_of_inputs() {
    let kind: ProposalKind = serde_json::from_value(json!({
        "type": "add_member", "account_id": "zed.near", "roles": ["council"]
    }))
    .unwrap();
    assert_eq!(kind, add_member("zed.near", "council"));
    let text: ProposalKind = serde_json::from_value(json!({"type": "text"})).unwrap();
    assert_eq!(text, ProposalKind::Text);
    let snap: ProposalKind =
        serde_json::from_value(json!({"type": "record_training_snapshot", "purpose": "fine_tuning"})).unwrap();
    assert_eq!(snap, ProposalKind::RecordTrainingSnapshot { purpose: ConsentPurpose::FineTuning, note: None });
    let change: ProposalKind = serde_json::from_value(json!({
        "type": "change_role_permissions", "role": "council", "can_propose": "all", "can_vote": ["text", "transfer"]
    }))
    .unwrap();
    assert_eq!(
        change,
        ProposalKind::ChangeRolePermissions {
            role: "council".into(),
            can_propose: KindSet::ALL,
            can_vote: KindSet::of(&[KindLabel::Text, KindLabel::Transfer]),
        }
    );
    assert!(serde_json::from_value::<KindSet>(json!("everything")).is_err());
    let policies: VotePolicies = serde_json::from_value(json!({
        "default": {"voting_period_ns": "86400000000000", "quorum": {"count": 2},
                    "threshold": {"num": 1, "den": 2}, "timelock_ns": "0"},
        "per_kind": {"transfer": {"voting_period_ns": "86400000000000",
                     "quorum": {"fraction": {"num": 1, "den": 3}},
                     "threshold": {"num": 2, "den": 3}, "timelock_ns": "3600000000000"}}
    }))
    .unwrap();
    assert_eq!(policies.per_kind[&KindLabel::Transfer].quorum, Quorum::Fraction(Fraction { num: 1, den: 3 }));
    assert_eq!(serde_json::to_value(KindSet::ALL).unwrap(), json!("all"));
}

// ---------------------------------------------------------------- proposals

#[test]
fn add_proposal_takes_exact_deposit_and_emits_event() {
    let mut w = World::new();
    let required = w.deposit_for(ALICE, "why", &ProposalKind::Text);
    assert!(required > bond());
    let storage = required.saturating_sub(bond());
    let bytes = storage.as_yoctonear() / env::storage_byte_cost().as_yoctonear();
    let short = required.saturating_sub(NearToken::from_yoctonear(1));
    let excess = required.saturating_add(NearToken::from_yoctonear(1));
    let msg = |attached: NearToken| {
        format!(
            "wrong deposit: attach exactly {} yoctoNEAR (bond {} + storage {} for {} bytes), attached {}",
            required.as_yoctonear(),
            bond().as_yoctonear(),
            storage.as_yoctonear(),
            bytes,
            attached.as_yoctonear()
        )
    };
    for attached in [zero(), short, excess] {
        w.pay(ALICE, attached);
        w.rejects(&msg(attached), |d| {
            d.add_proposal("why".into(), ProposalKind::Text);
        });
    }
    w.pay(ALICE, required);
    let usage = env::storage_usage();
    assert_eq!(w.dao.add_proposal("why".into(), ProposalKind::Text), U64(0));
    // add_proposal flushed its records: the measured growth is what was charged.
    assert_eq!(env::storage_usage() - usage, bytes as u64);
    assert_eq!(
        get_logs(),
        vec![format!(
            r#"EVENT_JSON:{{"standard":"community_dao","version":"1.0.0","event":"proposal_added","data":{{"id":"0","proposer":"alice.near","kind":"text","deadline":"{}","electorate":4,"quorum_votes":2,"bond":"{}","storage_deposit":"{}"}}}}"#,
            T0 + DAY,
            bond().as_yoctonear(),
            storage.as_yoctonear()
        )]
    );
    let p = w.dao.get_proposal(U64(0)).unwrap();
    assert_eq!((p.status, p.electorate, p.bond_held, p.storage_deposit), (ProposalStatus::Active, 4, bond(), storage));
    assert_eq!(w.dao.get_config().locked_bonds, bond());
}

#[test]
fn proposal_storage_is_measured_for_every_kind() {
    let mut w = World::new();
    let code = b"\0asm fake code".to_vec();
    let hash = store_code(&mut w, ALICE, &code);
    let kinds = vec![
        add_member("zed.near", "member"),
        ProposalKind::RemoveMember { account_id: acc(DAVE) },
        ProposalKind::ChangeRoles { account_id: acc(DAVE), roles: vec!["council".into(), "member".into()] },
        ProposalKind::ChangePolicy {
            label: None,
            policy: policy(HOUR, Quorum::Count(1), 2, 3, 0),
            agent_suspenders: None,
        },
        ProposalKind::ChangeRolePermissions {
            role: "auditor".into(),
            can_propose: KindSet::NONE,
            can_vote: KindSet::ALL,
        },
        ProposalKind::Transfer { receiver_id: acc(EVE), amount: NearToken::from_near(2) },
        ProposalKind::FunctionCalls {
            receiver_id: acc("counter.near"),
            actions: vec![FunctionCallAction {
                method_name: "increment".into(),
                args: Base64Bytes(b"{}".to_vec()),
                deposit: zero(),
                gas: U64(Gas::from_tgas(5).as_gas()),
            }],
        },
        ProposalKind::UpgradeSelf { code_hash: hash, migrate_args: None },
        ProposalKind::SetCommunityContracts { registry: None, attestation: None, consent: Some(acc("consent.near")) },
        ProposalKind::ApproveModelVersion { model_id: "llama".into(), version: 1 },
        ProposalKind::DeprecateModelVersion { model_id: "llama".into(), version: 1, reason: Some("old".into()) },
        ProposalKind::RevokeModelVersion { model_id: "llama".into(), version: 1, reason: "leak".into() },
        ProposalKind::MoveAlias { model_id: "llama".into(), alias: "production".into(), version: 2 },
        ProposalKind::AdmitAttester {
            operator: acc("node.near"),
            public_keys: vec![attester_key(1)],
            tee_kind: "sgx".into(),
            measurements: vec![Digest32([1; 32])],
            models: Some(vec!["llama".into()]),
            expires_at: Some(U64(T0 + 30 * DAY)),
        },
        ProposalKind::RevokeAttester { operator: acc("node.near"), reason: "key leaked".into() },
    ];
    for (i, kind) in kinds.into_iter().enumerate() {
        let deposit = w.deposit_for(ALICE, "why", &kind);
        w.pay(ALICE, deposit);
        let usage = env::storage_usage();
        assert_eq!(w.dao.add_proposal("why".into(), kind).0, i as u64);
        let charged = w.dao.get_proposal(U64(i as u64)).unwrap().storage_deposit;
        assert_eq!(
            storage_cost_of(env::storage_usage() - usage),
            charged,
            "kind #{i}: charged storage differs from measured"
        );
    }
}

fn storage_cost_of(bytes: u64) -> NearToken {
    env::storage_byte_cost().saturating_mul(bytes as u128)
}

#[test]
fn add_proposal_rejects_callers_without_permission() {
    let mut w = World::new();
    let deposit = w.deposit_for(ALICE, "why", &ProposalKind::Text);
    w.pay(EVE, deposit);
    w.rejects(ERR_NOT_MEMBER, |d| {
        d.add_proposal("why".into(), ProposalKind::Text);
    });
    // Dave (role "member") may propose text but not a transfer.
    w.pay(DAVE, deposit);
    w.rejects(ERR_CANNOT_PROPOSE, |d| {
        d.add_proposal("why".into(), ProposalKind::Transfer { receiver_id: acc(EVE), amount: bond() });
    });
    let id = w.propose(DAVE, ProposalKind::Text);
    assert_eq!(id, 0);
}

#[test]
fn add_proposal_rejects_malformed_kinds() {
    let mut w = World::new();
    let cases: Vec<(ProposalKind, &str)> = vec![
        (add_member(ALICE, "member"), "account is already a member: alice.near"),
        (add_member("zed.near", "king"), "unknown role: king"),
        (ProposalKind::AddMember { account_id: acc("zed.near"), roles: vec![] }, ERR_MEMBER_ROLES),
        (ProposalKind::RemoveMember { account_id: acc(EVE) }, "account is not a member: eve.near"),
        (
            ProposalKind::ChangePolicy {
                label: Some(KindLabel::Text),
                policy: policy(DAY, Quorum::Count(1), 0, 1, 0),
                agent_suspenders: None,
            },
            ERR_BAD_THRESHOLD,
        ),
        (
            ProposalKind::ChangeRolePermissions {
                role: "Bad Role".into(),
                can_propose: KindSet::ALL,
                can_vote: KindSet::ALL,
            },
            "role name may only contain a-z, 0-9, '-', '_' and '.', and must start and end with a letter or digit",
        ),
        (ProposalKind::Transfer { receiver_id: acc(EVE), amount: zero() }, ERR_ZERO_AMOUNT),
        (ProposalKind::Transfer { receiver_id: acc(DAO), amount: bond() }, ERR_SELF_TARGET),
        (ProposalKind::FunctionCalls { receiver_id: acc(EVE), actions: vec![] }, ERR_BAD_ACTIONS),
        (
            ProposalKind::FunctionCalls {
                receiver_id: acc(EVE),
                actions: vec![FunctionCallAction {
                    method_name: "go".into(),
                    args: Base64Bytes(vec![]),
                    deposit: zero(),
                    gas: U64(Gas::from_tgas(251).as_gas()),
                }],
            },
            ERR_BAD_GAS,
        ),
        (
            ProposalKind::UpgradeSelf { code_hash: Digest32([7; 32]), migrate_args: None },
            "code not stored: 0707070707070707070707070707070707070707070707070707070707070707",
        ),
        (
            ProposalKind::UpgradeContract { contract: CommunityContract::Registry, code_hash: Digest32([7; 32]) },
            "code not stored: 0707070707070707070707070707070707070707070707070707070707070707",
        ),
        (
            ProposalKind::UpgradeContract { contract: CommunityContract::Consent, code_hash: Digest32([7; 32]) },
            ERR_CONSENT_UNSET,
        ),
        (ProposalKind::SetCommunityContracts { registry: None, attestation: None, consent: None }, ERR_NOTHING_TO_SET),
        (
            ProposalKind::ApproveModelVersion { model_id: "Llama".into(), version: 1 },
            "model id may only contain a-z, 0-9, '-', '_' and '.', and must start and end with a letter or digit",
        ),
        (ProposalKind::ApproveModelVersion { model_id: "llama".into(), version: 0 }, ERR_BAD_VERSION),
        (ProposalKind::RecordTrainingSnapshot { purpose: ConsentPurpose::Training, note: None }, ERR_CONSENT_UNSET),
    ];
    for (kind, expected) in cases {
        w.pay(ALICE, NearToken::from_near(2));
        w.rejects(expected, |d| {
            d.add_proposal("why".into(), kind);
        });
    }
    w.pay(ALICE, NearToken::from_near(2));
    w.rejects("description is too long: 4097 bytes, at most 4096", |d| {
        d.add_proposal("x".repeat(4097), ProposalKind::Text);
    });
}

/// The target contract's message, as the DAO gives it at creation.
fn target_refuses(message: &str) -> String {
    format!("{ERR_TARGET_REFUSES}: {message}")
}

fn attester_key(seed: u8) -> String {
    ai_commons_primitives::receipt::Ed25519PublicKey([seed; 32]).to_string()
}

fn admit(
    keys: Vec<String>,
    tee: &str,
    measurements: Vec<Digest32>,
    models: Option<Vec<&str>>,
    exp: Option<u64>,
) -> ProposalKind {
    ProposalKind::AdmitAttester {
        operator: acc("node.near"),
        public_keys: keys,
        tee_kind: tee.into(),
        measurements,
        models: models.map(|m| m.into_iter().map(String::from).collect()),
        expires_at: exp.map(U64),
    }
}

/// Every AI-governance kind is checked at creation with the functions its
/// target contract applies (`ai_commons_primitives::validate`), one refusal per
/// rule family; nothing is stored and no event is emitted.
#[test]
fn add_proposal_applies_the_target_contracts_rules() {
    use ai_commons_primitives::validate::*;
    let mut w = World::new();
    w.as_(ALICE);
    let mut dao_with_consent = || {
        // Point the DAO at a consent contract so snapshot proposals reach their own checks.
        let id = w.pass(
            ALICE,
            ProposalKind::SetCommunityContracts {
                registry: None,
                attestation: None,
                consent: Some(acc("consent.near")),
            },
        );
        assert_eq!(w.execute(id), Some(ProposalStatus::Executed));
    };
    dao_with_consent();
    let k = attester_key;
    let digest = |b: u8| Digest32([b; 32]);
    let many_models: Vec<String> = (0..33).map(|i| format!("m{i}")).collect();
    let revoke =
        |reason: &str| ProposalKind::RevokeModelVersion { model_id: "llama".into(), version: 1, reason: reason.into() };
    let deprecate = |reason: &str| ProposalKind::DeprecateModelVersion {
        model_id: "llama".into(),
        version: 1,
        reason: Some(reason.into()),
    };
    let cases: Vec<(ProposalKind, String)> = vec![
        // model-registry: reasons (not blank, at most 512 bytes) and alias names.
        (revoke(""), target_refuses(ERR_REASON_EMPTY)),
        (revoke("  "), target_refuses(ERR_REASON_EMPTY)),
        (revoke(&"r".repeat(513)), target_refuses("reason is too long: 513 bytes, at most 512")),
        (deprecate(" "), target_refuses(ERR_REASON_EMPTY)),
        (deprecate(&"r".repeat(513)), target_refuses("reason is too long: 513 bytes, at most 512")),
        (
            ProposalKind::MoveAlias { model_id: "llama".into(), alias: "Prod!".into(), version: 1 },
            target_refuses(
                "alias may only contain a-z, 0-9, '-', '_' and '.', and must start and end with a letter or digit",
            ),
        ),
        (
            ProposalKind::MoveAlias { model_id: "llama".into(), alias: "".into(), version: 1 },
            target_refuses("alias must be 1 to 64 characters"),
        ),
        // inference-attestation: keys, tee kind, measurements, models, expiry, reasons.
        (admit(vec![], "sev", vec![], None, None), target_refuses(ERR_NO_KEYS)),
        (admit((1..=5).map(k).collect(), "sev", vec![], None, None), target_refuses(ERR_TOO_MANY_KEYS)),
        (admit(vec![k(1), k(2), k(1)], "sev", vec![], None, None), target_refuses(ERR_DUPLICATE_KEY)),
        (
            admit(vec!["k".into()], "sev", vec![], None, None),
            target_refuses("invalid ed25519 public key: expected \"ed25519:<base58>\""),
        ),
        (
            admit(vec!["ed25519:abc".into()], "sev", vec![], None, None),
            target_refuses("invalid ed25519 public key: expected 32 bytes, got 3"),
        ),
        (admit(vec![k(1)], "", vec![], None, None), target_refuses(ERR_TEE_KIND_EMPTY)),
        (
            admit(vec![k(1)], &"t".repeat(65), vec![], None, None),
            target_refuses("tee_kind is too long: 65 bytes, at most 64"),
        ),
        (
            admit(vec![k(1)], "sev", (0..17).map(digest).collect(), None, None),
            target_refuses(ERR_TOO_MANY_MEASUREMENTS),
        ),
        (admit(vec![k(1)], "sev", vec![digest(1), digest(1)], None, None), target_refuses(ERR_DUPLICATE_MEASUREMENT)),
        (admit(vec![k(1)], "sev", vec![], Some(vec![]), None), target_refuses(ERR_MODELS_EMPTY)),
        (
            admit(vec![k(1)], "sev", vec![], Some(many_models.iter().map(String::as_str).collect()), None),
            target_refuses(ERR_TOO_MANY_MODELS),
        ),
        (admit(vec![k(1)], "sev", vec![], Some(vec!["llama", "llama"]), None), target_refuses(ERR_DUPLICATE_MODEL)),
        (
            admit(vec![k(1)], "sev", vec![], Some(vec!["Llama"]), None),
            target_refuses(
                "model id may only contain a-z, 0-9, '-', '_' and '.', and must start and end with a letter or digit",
            ),
        ),
        // An expiry not after the proposal's earliest execution (no timelock: now) is past by then.
        (
            admit(vec![k(1)], "sev", vec![], None, Some(T0)),
            format!("{} at the earliest execution, {}", target_refuses(ERR_EXPIRY_IN_PAST), T0),
        ),
        (
            ProposalKind::RevokeAttester { operator: acc("node.near"), reason: "\t".into() },
            target_refuses(ERR_REASON_EMPTY),
        ),
        (
            ProposalKind::RevokeAttester { operator: acc("node.near"), reason: "x".repeat(513) },
            target_refuses("reason is too long: 513 bytes, at most 512"),
        ),
        // data-consent: the snapshot note.
        (
            ProposalKind::RecordTrainingSnapshot { purpose: ConsentPurpose::Training, note: Some("n".repeat(257)) },
            target_refuses("note is too long: 257 bytes, at most 256"),
        ),
    ];
    for (kind, expected) in cases {
        w.pay(ALICE, NearToken::from_near(2));
        w.rejects(&expected, |d| {
            d.add_proposal("why".into(), kind);
        });
    }
    // At the limits, each is accepted.
    let accepted = vec![
        revoke(&"r".repeat(512)),
        deprecate(&"r".repeat(512)),
        admit(
            (1..=4).map(k).collect(),
            "Intel TDX",
            (0..16).map(digest).collect(),
            Some(vec!["llama"]),
            Some(T0 + DAY + 1),
        ),
        ProposalKind::RevokeAttester { operator: acc("node.near"), reason: "x".repeat(512) },
        ProposalKind::RecordTrainingSnapshot { purpose: ConsentPurpose::Training, note: Some("n".repeat(256)) },
    ];
    for kind in accepted {
        w.propose(ALICE, kind);
    }
}

#[test]
fn kinds_nobody_may_vote_on_cannot_be_proposed() {
    let mut w = World::new();
    let id = w.pass(
        ALICE,
        ProposalKind::ChangeRolePermissions {
            role: "council".into(),
            can_propose: KindSet::ALL,
            can_vote: KindSet::of(&[KindLabel::Text, KindLabel::ChangeRolePermissions]),
        },
    );
    assert_eq!(w.execute(id), Some(ProposalStatus::Executed));
    assert_eq!(w.dao.get_electorate(KindLabel::Transfer), 0);
    w.pay(ALICE, NearToken::from_near(2));
    w.rejects(ERR_NO_ELECTORATE, |d| {
        d.add_proposal("why".into(), ProposalKind::Transfer { receiver_id: acc(EVE), amount: bond() });
    });
}

// ---------------------------------------------------------------- votes

#[test]
fn vote_passes_early_and_refunds_bond() {
    let mut w = World::new();
    let id = w.propose(ALICE, ProposalKind::Transfer { receiver_id: acc(EVE), amount: bond() });
    // Electorate 3, threshold 1/2: one yes could still be outvoted by two no.
    assert_eq!(w.vote(ALICE, id, VoteChoice::Yes), ProposalStatus::Active);
    assert!(get_created_receipts().is_empty());
    assert_eq!(w.vote(BOB, id, VoteChoice::Yes), ProposalStatus::Passed);
    assert_eq!(event_names(&get_logs()), vec!["vote_cast", "proposal_status_changed"]);
    assert_eq!(
        event(&get_logs(), "proposal_status_changed")["data"],
        json!({"id": "0", "from": "active", "to": "passed", "bond_refunded": bond().as_yoctonear().to_string()})
    );
    assert_eq!(transfers_to(ALICE), vec![bond()]);
    let p = w.dao.get_proposal(U64(id)).unwrap();
    assert_eq!((p.tally.yes, p.voter_count, p.bond_held), (2, 2, zero()));
    assert_eq!(p.executable_at, Some(U64(T0 + HOUR)));
    assert_eq!(w.dao.get_config().locked_bonds, zero());
    // Carol can no longer vote: the proposal is decided.
    w.as_(CAROL);
    w.rejects(ERR_NOT_ACTIVE, |d| {
        d.vote(U64(id), VoteChoice::No, None);
    });
}

#[test]
fn vote_rejects_early_once_it_cannot_pass() {
    let mut w = World::new();
    let id = w.propose(ALICE, ProposalKind::Text); // electorate 4
    assert_eq!(w.vote(BOB, id, VoteChoice::No), ProposalStatus::Active);
    assert_eq!(w.vote(CAROL, id, VoteChoice::No), ProposalStatus::Active); // 2 yes of 4 would tie
    assert_eq!(w.vote(DAVE, id, VoteChoice::No), ProposalStatus::Rejected);
    assert_eq!(transfers_to(ALICE), vec![bond()]);
    assert_eq!(w.dao.get_proposals_by_status(ProposalStatus::Rejected, None, None)[0].id, U64(id));
}

#[test]
fn vote_event_is_exact_and_revote_adjusts_tally() {
    let mut w = World::new();
    let id = w.propose(ALICE, ProposalKind::Text);
    w.as_(DAVE);
    w.dao.vote(U64(id), VoteChoice::No, Some("not yet".into()));
    assert_eq!(
        get_logs(),
        vec![
            r#"EVENT_JSON:{"standard":"community_dao","version":"1.0.0","event":"vote_cast","data":{"id":"0","voter":"dave.near","choice":"no"}}"#
        ]
    );
    w.now += HOUR;
    w.as_(DAVE);
    w.dao.vote(U64(id), VoteChoice::Abstain, None);
    assert_eq!(event(&get_logs(), "vote_cast")["data"]["previous"], "no");
    let p = w.dao.get_proposal(U64(id)).unwrap();
    assert_eq!(p.tally, Tally { yes: 0, no: 0, abstain: 1, spam: 0 });
    assert_eq!(p.voter_count, 1);
    let votes = w.dao.get_votes(U64(id), None, None);
    assert_eq!(
        votes,
        vec![VoteView {
            voter: acc(DAVE),
            choice: VoteChoice::Abstain,
            reason: None,
            voted_at: U64(T0 + HOUR),
            weight: 1,
            overrode: None,
            receipt_id: None,
        }]
    );
    assert_eq!(w.dao.get_vote(U64(id), acc(DAVE)), Some(votes[0].clone()));
    assert_eq!(w.dao.get_vote(U64(id), acc(BOB)), None);
}

#[test]
fn votes_list_newest_voter_first_and_page_after_a_voter() {
    let mut w = World::new();
    // Electorate 4, quorum 2, threshold 1/2: abstain votes never decide it.
    let id = w.propose(ALICE, ProposalKind::Text);
    for who in [DAVE, BOB, ALICE] {
        assert_eq!(w.vote(who, id, VoteChoice::Abstain), ProposalStatus::Active);
    }
    w.now += HOUR;
    assert_eq!(w.vote(BOB, id, VoteChoice::Abstain), ProposalStatus::Active); // changed: keeps its place
    let voters = |votes: Vec<VoteView>| votes.into_iter().map(|v| v.voter.to_string()).collect::<Vec<_>>();
    assert_eq!(voters(w.dao.get_votes(U64(id), None, None)), [ALICE, BOB, DAVE]);
    assert_eq!(voters(w.dao.get_votes(U64(id), None, Some(2))), [ALICE, BOB]);
    assert_eq!(voters(w.dao.get_votes(U64(id), Some(acc(BOB)), Some(2))), [DAVE]);
    assert_eq!(voters(w.dao.get_votes(U64(id), Some(acc(DAVE)), None)), Vec::<String>::new());
    assert_eq!(voters(w.dao.get_votes(U64(id), Some(acc(EVE)), None)), Vec::<String>::new()); // not a voter
    assert_eq!(voters(w.dao.get_votes(U64(id + 1), None, None)), Vec::<String>::new()); // no such proposal
    assert_eq!(w.dao.get_vote(U64(id), acc(BOB)).unwrap().voted_at, U64(T0 + HOUR));
    let p = w.dao.get_proposal(U64(id)).unwrap();
    assert_eq!((p.voter_count, p.tally.abstain), (3, 3));
}

#[test]
fn a_vote_leaves_the_root_state_unread_and_an_uninitialized_dao_says_so() {
    let mut w = World::new();
    let id = w.propose(ALICE, ProposalKind::Text);
    env::state_write(w.dao.root());
    drop(w); // flushes the collections
    testing_env!(context(DAVE, zero(), T0 + HOUR));
    // As a wasm call does: a handle from `state_read`, the method, `state_write`.
    let mut dao = <Contract as ContractState>::state_read().unwrap();
    assert_eq!(dao.vote(U64(id), VoteChoice::Yes, None), ProposalStatus::Active);
    assert!(dao.root.0.get().is_none(), "a vote that does not decide must not read the root");
    dao.state_write();
    drop(dao);
    let dao = <Contract as ContractState>::state_read().unwrap();
    assert_eq!(dao.get_proposal(U64(id)).unwrap().tally.yes, 1);

    env::storage_remove(Contract::state_key());
    let dao = <Contract as ContractState>::state_read().unwrap();
    let err = catch_unwind(AssertUnwindSafe(|| dao.get_config())).err().unwrap();
    assert_eq!(panic_message(err), ERR_NOT_INITIALIZED);
}

#[test]
fn vote_rejects_bad_calls_without_changing_state() {
    let mut w = World::new();
    let transfer = w.propose(ALICE, ProposalKind::Transfer { receiver_id: acc(EVE), amount: bond() });
    w.as_(EVE);
    w.rejects(ERR_NOT_MEMBER, |d| {
        d.vote(U64(transfer), VoteChoice::Yes, None);
    });
    w.as_(DAVE); // role "member" cannot vote on transfers
    w.rejects(ERR_NOT_ELIGIBLE, |d| {
        d.vote(U64(transfer), VoteChoice::Yes, None);
    });
    w.as_(BOB);
    w.rejects(ERR_PROPOSAL_NOT_FOUND, |d| {
        d.vote(U64(99), VoteChoice::Yes, None);
    });
    w.rejects("reason is too long: 281 bytes, at most 280", |d| {
        d.vote(U64(transfer), VoteChoice::Yes, Some("x".repeat(281)));
    });
    w.now = T0 + DAY;
    w.as_(BOB);
    w.rejects(ERR_VOTING_OVER, |d| {
        d.vote(U64(transfer), VoteChoice::Yes, None);
    });
}

#[test]
fn member_added_after_creation_cannot_vote() {
    let mut w = World::new();
    let open = w.propose(ALICE, ProposalKind::Text);
    let add = w.pass(ALICE, add_member("zed.near", "council"));
    assert_eq!(w.execute(add), Some(ProposalStatus::Executed));
    assert_eq!(event_names(&get_logs()), vec!["member_added", "proposal_executed"]);
    assert!(!w.dao.can_vote(U64(open), acc("zed.near")));
    w.as_("zed.near");
    w.rejects(ERR_NOT_ELIGIBLE, |d| {
        d.vote(U64(open), VoteChoice::Yes, None);
    });
    assert_eq!(w.dao.get_proposal(U64(open)).unwrap().electorate, 4);
    // A proposal created after the change counts and admits the new member.
    let later = w.propose(ALICE, ProposalKind::Text);
    assert_eq!(w.dao.get_proposal(U64(later)).unwrap().electorate, 5);
    assert_eq!(w.vote("zed.near", later, VoteChoice::Yes), ProposalStatus::Active);
}

#[test]
fn role_changes_after_creation_keep_the_snapshot() {
    let mut w = World::new();
    let open = w.propose(ALICE, ProposalKind::Transfer { receiver_id: acc(EVE), amount: bond() });
    // Dave gains council, Carol loses it, after `open` was created.
    let promote = w.pass(ALICE, ProposalKind::ChangeRoles { account_id: acc(DAVE), roles: vec!["council".into()] });
    assert_eq!(w.execute(promote), Some(ProposalStatus::Executed));
    let demote = w.pass(ALICE, ProposalKind::ChangeRoles { account_id: acc(CAROL), roles: vec!["member".into()] });
    assert_eq!(w.execute(demote), Some(ProposalStatus::Executed));
    assert!(!w.dao.can_vote(U64(open), acc(DAVE)));
    assert!(w.dao.can_vote(U64(open), acc(CAROL)));
    w.as_(DAVE);
    w.rejects(ERR_NOT_ELIGIBLE, |d| {
        d.vote(U64(open), VoteChoice::Yes, None);
    });
    assert_eq!(w.vote(CAROL, open, VoteChoice::No), ProposalStatus::Active);
    // A second change of Carol's roles loses the record of what she held at `open`:
    // she is refused rather than judged on roles she did not hold.
    let again = w.pass(ALICE, ProposalKind::ChangeRoles { account_id: acc(CAROL), roles: vec!["council".into()] });
    assert_eq!(w.execute(again), Some(ProposalStatus::Executed));
    assert!(!w.dao.can_vote(U64(open), acc(CAROL)));
    // For the proposal created between the two changes, her roles are known (member).
    let p = w.dao.get_proposal(U64(again)).unwrap();
    assert_eq!(p.electorate, 3);
    assert!(!w.dao.can_vote(U64(again), acc(CAROL)));
}

#[test]
fn policy_change_does_not_affect_open_proposal() {
    let mut w = World::new();
    let open = w.propose(DAVE, ProposalKind::Text);
    let strict = policy(HOUR, Quorum::Count(4), 1, 1, DAY);
    let change = w.pass(ALICE, ProposalKind::ChangePolicy { label: None, policy: strict, agent_suspenders: None });
    assert_eq!(w.execute(change), Some(ProposalStatus::Executed));
    assert_eq!(
        event(&get_logs(), "vote_policy_changed")["data"],
        json!({"label": null, "policy": serde_json::to_value(strict).unwrap(), "proposal_id": "1"})
    );
    assert_eq!(w.dao.get_policy().default, strict);
    // The open proposal is still judged by its snapshot: 2 yes of 4 at threshold 1/2.
    w.vote(ALICE, open, VoteChoice::Yes);
    assert_eq!(w.vote(BOB, open, VoteChoice::Yes), ProposalStatus::Passed);
    let p = w.dao.get_proposal(U64(open)).unwrap();
    assert_eq!((p.deadline, p.policy.timelock_ns), (U64(T0 + DAY), U64(0)));
    // A new proposal takes the new policy.
    let later = w.propose(DAVE, ProposalKind::Text);
    let p = w.dao.get_proposal(U64(later)).unwrap();
    assert_eq!((p.policy, p.quorum_votes, p.deadline), (strict, 4, U64(w.now + HOUR)));
    w.vote(ALICE, later, VoteChoice::Yes);
    assert_eq!(w.vote(BOB, later, VoteChoice::Yes), ProposalStatus::Active);
}

#[test]
fn role_permission_change_recomputes_electorate_and_spares_open_proposals() {
    let mut w = World::new();
    let open = w.propose(ALICE, ProposalKind::Transfer { receiver_id: acc(EVE), amount: bond() });
    let change = w.pass(
        ALICE,
        ProposalKind::ChangeRolePermissions {
            role: "member".into(),
            can_propose: KindSet::of(&[KindLabel::Text]),
            can_vote: KindSet::ALL,
        },
    );
    assert_eq!(w.execute(change), Some(ProposalStatus::Executed));
    assert_eq!(
        event(&get_logs(), "role_permissions_changed")["data"],
        json!({"role": "member", "can_propose": ["text"], "can_vote": "all", "proposal_id": "1"})
    );
    assert_eq!(w.dao.get_electorate(KindLabel::Transfer), 4);
    assert_eq!(w.dao.get_proposal(U64(open)).unwrap().electorate, 3);
    w.as_(DAVE);
    w.rejects(ERR_NOT_ELIGIBLE, |d| {
        d.vote(U64(open), VoteChoice::Yes, None);
    });
    // A new role joins the table; no member holds it yet.
    let add_role = w.pass(
        ALICE,
        ProposalKind::ChangeRolePermissions {
            role: "auditor".into(),
            can_propose: KindSet::NONE,
            can_vote: KindSet::ALL,
        },
    );
    assert_eq!(w.execute(add_role), Some(ProposalStatus::Executed));
    assert_eq!(w.dao.get_roles().len(), 3);
    assert_eq!(w.dao.get_electorate(KindLabel::Transfer), 4);
    let add =
        w.pass(ALICE, ProposalKind::AddMember { account_id: acc(EVE), roles: vec!["auditor".into(), "member".into()] });
    assert_eq!(w.execute(add), Some(ProposalStatus::Executed));
    assert_eq!(w.dao.get_electorate(KindLabel::Transfer), 5);
    assert_eq!(w.dao.get_electorate(KindLabel::Text), 5);
}

#[test]
fn finalize_decides_at_the_deadline() {
    let mut w = World::new();
    let expired = w.propose(ALICE, ProposalKind::Text);
    let passed = w.propose(ALICE, ProposalKind::Text);
    let rejected = w.propose(BOB, ProposalKind::Text);
    w.vote(ALICE, expired, VoteChoice::Yes);
    w.vote(ALICE, passed, VoteChoice::Yes);
    w.vote(DAVE, passed, VoteChoice::Abstain);
    w.vote(ALICE, rejected, VoteChoice::No);
    w.vote(DAVE, rejected, VoteChoice::Abstain);
    w.as_(EVE);
    w.rejects(ERR_VOTING_NOT_OVER, |d| {
        d.finalize(U64(passed));
    });
    w.now = T0 + DAY;
    for (id, status, proposer) in [
        (expired, ProposalStatus::Expired, ALICE),
        (passed, ProposalStatus::Passed, ALICE),
        (rejected, ProposalStatus::Rejected, BOB),
    ] {
        w.as_(EVE);
        assert_eq!(w.dao.finalize(U64(id)), status);
        assert_eq!(transfers_to(proposer), vec![bond()]);
        assert_eq!(event_names(&get_logs()), vec!["proposal_status_changed"]);
        assert_eq!(w.dao.get_proposal(U64(id)).unwrap().decided_at, Some(U64(T0 + DAY)));
    }
    w.as_(EVE);
    w.rejects(ERR_NOT_ACTIVE, |d| {
        d.finalize(U64(passed));
    });
    assert_eq!(w.dao.get_config().locked_bonds, zero());
}

#[test]
fn spam_keeps_the_bond() {
    let mut w = World::new();
    let id = w.propose(DAVE, ProposalKind::Text);
    w.vote(ALICE, id, VoteChoice::Spam);
    assert_eq!(w.vote(BOB, id, VoteChoice::Spam), ProposalStatus::Active);
    assert_eq!(w.vote(CAROL, id, VoteChoice::Spam), ProposalStatus::Spam);
    assert!(transfers_to(DAVE).is_empty());
    assert_eq!(
        event(&get_logs(), "proposal_status_changed")["data"],
        json!({"id": "0", "from": "active", "to": "spam", "bond_refunded": "0"})
    );
    assert_eq!(w.dao.get_config().locked_bonds, zero());
    assert_eq!(w.dao.get_proposal(U64(id)).unwrap().bond_held, zero());
}

#[test]
fn cancel_only_by_proposer_before_any_vote() {
    let mut w = World::new();
    let voted = w.propose(ALICE, ProposalKind::Text);
    let id = w.propose(ALICE, ProposalKind::Text);
    w.vote(BOB, voted, VoteChoice::Yes);
    w.as_(BOB);
    w.rejects(ERR_NOT_PROPOSER, |d| d.cancel_proposal(U64(id)));
    w.as_(ALICE);
    w.rejects(ERR_HAS_VOTES, |d| d.cancel_proposal(U64(voted)));
    w.as_(ALICE);
    w.dao.cancel_proposal(U64(id));
    assert_eq!(w.status(id), ProposalStatus::Cancelled);
    assert_eq!(transfers_to(ALICE), vec![bond()]);
    assert_eq!(event_names(&get_logs()), vec!["proposal_status_changed"]);
    assert_eq!(w.dao.get_config().locked_bonds, bond());
    w.as_(ALICE);
    w.rejects(ERR_NOT_ACTIVE, |d| d.cancel_proposal(U64(id)));
}

// ---------------------------------------------------------------- execution

#[test]
fn execute_internal_kind_once() {
    let mut w = World::new();
    let id = w.propose(ALICE, add_member("zed.near", "member"));
    w.as_(EVE);
    w.rejects("proposal has not passed: status is active", |d| {
        let _ = d.execute(U64(id));
    });
    w.vote(ALICE, id, VoteChoice::Yes);
    w.vote(BOB, id, VoteChoice::Yes);
    assert_eq!(w.execute(id), Some(ProposalStatus::Executed));
    assert_eq!(
        get_logs(),
        vec![
            r#"EVENT_JSON:{"standard":"community_dao","version":"1.0.0","event":"member_added","data":{"account_id":"zed.near","roles":["member"],"proposal_id":"0"}}"#,
            r#"EVENT_JSON:{"standard":"community_dao","version":"1.0.0","event":"proposal_executed","data":{"id":"0","kind":"add_member","attempt":1}}"#,
        ]
    );
    assert!(get_created_receipts().is_empty(), "the executor pays no deposit, nothing is sent");
    assert_eq!(w.dao.get_member_count(), U64(5));
    assert_eq!(w.dao.get_proposal(U64(id)).unwrap().executed_at, Some(U64(T0)));
    w.as_(EVE);
    w.rejects(ERR_ALREADY_EXECUTED, |d| {
        let _ = d.execute(U64(id));
    });
}

#[test]
fn failed_internal_execution_is_recorded_and_retryable() {
    let mut w = World::new();
    let first = w.propose(ALICE, ProposalKind::RemoveMember { account_id: acc(DAVE) });
    let second = w.propose(BOB, ProposalKind::RemoveMember { account_id: acc(DAVE) });
    for id in [first, second] {
        w.vote(ALICE, id, VoteChoice::Yes);
        w.vote(BOB, id, VoteChoice::Yes);
    }
    assert_eq!(w.execute(first), Some(ProposalStatus::Executed));
    assert_eq!(event_names(&get_logs()), vec!["member_removed", "proposal_executed"]);
    assert_eq!(w.execute(second), Some(ProposalStatus::Failed));
    assert_eq!(
        event(&get_logs(), "proposal_execution_failed")["data"],
        json!({"id": "1", "kind": "remove_member", "attempt": 1, "reason": "account is not a member: dave.near"})
    );
    assert_eq!(w.dao.get_proposals_by_status(ProposalStatus::Failed, None, None)[0].id, U64(second));
    // Dave is re-admitted; the retry now succeeds.
    let readd = w.pass(ALICE, add_member(DAVE, "member"));
    assert_eq!(w.execute(readd), Some(ProposalStatus::Executed));
    assert_eq!(w.execute(second), Some(ProposalStatus::Executed));
    let p = w.dao.get_proposal(U64(second)).unwrap();
    assert_eq!((p.status, p.execution_attempts), (ProposalStatus::Executed, 2));
    assert_eq!(w.dao.get_member(acc(DAVE)), None);
}

#[test]
fn cannot_remove_the_last_member() {
    testing_env!(context(DAO, zero(), T0));
    let dao = Contract::new(
        "solo".into(),
        "".into(),
        "".into(),
        roles(),
        vec![MemberInput { account_id: acc(ALICE), roles: vec!["council".into()] }],
        policies(),
        bond(),
        None,
        None,
        None,
    );
    let mut w = World { dao, now: T0 };
    let id = w.propose(ALICE, ProposalKind::RemoveMember { account_id: acc(ALICE) });
    // Quorum 2 is capped at the electorate of 1.
    assert_eq!(w.vote(ALICE, id, VoteChoice::Yes), ProposalStatus::Passed);
    assert_eq!(w.execute(id), Some(ProposalStatus::Failed));
    assert_eq!(event(&get_logs(), "proposal_execution_failed")["data"]["reason"], ERR_LAST_MEMBER);
    assert_eq!(w.dao.get_member_count(), U64(1));
}

#[test]
fn transfer_waits_for_timelock_and_reports_through_callback() {
    let mut w = World::new();
    let id = w.pass(ALICE, ProposalKind::Transfer { receiver_id: acc(EVE), amount: NearToken::from_near(3) });
    w.as_(EVE);
    w.rejects(&format!("timelock not over: executable at {}", T0 + HOUR), |d| {
        let _ = d.execute(U64(id));
    });
    w.now = T0 + HOUR;
    assert_eq!(w.execute(id), None);
    assert_eq!(transfers_to(EVE), vec![NearToken::from_near(3)]);
    assert_eq!(calls_to(DAO), vec![("on_execute".to_string(), json!({"id": "0"}), zero())]);
    assert_eq!(event_names(&get_logs()), vec!["proposal_execution_started"]);
    assert!(w.dao.get_proposal(U64(id)).unwrap().executing);
    w.as_(EVE);
    w.rejects(ERR_IN_FLIGHT, |d| {
        let _ = d.execute(U64(id));
    });
    // The transfer failed: recorded, retryable.
    assert_eq!(w.callback(id, PromiseResult::Failed), ProposalStatus::Failed);
    assert_eq!(
        event(&get_logs(), "proposal_execution_failed")["data"],
        json!({"id": "0", "kind": "transfer", "attempt": 1, "reason": "cross-contract call failed"})
    );
    assert!(!w.dao.get_proposal(U64(id)).unwrap().executing);
    assert_eq!(w.execute(id), None);
    assert_eq!(w.callback(id, PromiseResult::Successful(vec![])), ProposalStatus::Executed);
    assert_eq!(
        get_logs(),
        vec![
            r#"EVENT_JSON:{"standard":"community_dao","version":"1.0.0","event":"proposal_executed","data":{"id":"0","kind":"transfer","attempt":2}}"#
        ]
    );
    w.as_(EVE);
    w.rejects(ERR_ALREADY_EXECUTED, |d| {
        let _ = d.execute(U64(id));
    });
    // A late or forged callback finds nothing in flight.
    testing_env!(context(DAO, zero(), w.now));
    w.rejects(ERR_NO_EXECUTION, |d| {
        d.on_execute(U64(id));
    });
}

#[test]
fn execution_checks_treasury_and_gas() {
    let mut w = World::new();
    let id = w.pass(ALICE, ProposalKind::Transfer { receiver_id: acc(EVE), amount: NearToken::from_near(1000) });
    w.now = T0 + HOUR;
    let mut low_gas = context(EVE, zero(), w.now);
    low_gas.prepaid_gas = Gas::from_tgas(30);
    testing_env!(low_gas);
    w.rejects("not enough gas attached: this execution needs 35 Tgas, attached 30 Tgas", |d| {
        let _ = d.execute(U64(id));
    });
    assert_eq!(w.execute(id), Some(ProposalStatus::Failed));
    let reason = event(&get_logs(), "proposal_execution_failed")["data"]["reason"].as_str().unwrap().to_string();
    assert!(
        reason.starts_with("insufficient treasury: need 1000000000000000000000000000 yoctoNEAR, available "),
        "{reason}"
    );
    assert!(get_created_receipts().is_empty());
}

#[test]
fn callbacks_and_migrate_are_private() {
    let mut w = World::new();
    let id = w.pass(ALICE, ProposalKind::Transfer { receiver_id: acc(EVE), amount: bond() });
    w.now = T0 + HOUR;
    assert_eq!(w.execute(id), None);
    w.as_(EVE);
    w.rejects(ERR_PRIVATE, |d| {
        d.on_execute(U64(id));
    });
    w.as_(EVE);
    w.rejects(ERR_PRIVATE, |_| {
        Contract::migrate();
    });
}

#[test]
fn community_kinds_call_registry_and_attestation() {
    let mut w = World::new();
    let alias =
        w.pass(ALICE, ProposalKind::MoveAlias { model_id: "llama".into(), alias: "production".into(), version: 2 });
    assert_eq!(w.execute(alias), None);
    assert_eq!(
        calls_to(REGISTRY),
        vec![(
            "set_alias".to_string(),
            json!({"model_id": "llama", "alias": "production", "version": 2}),
            NearToken::from_millinear(10)
        )]
    );
    assert_eq!(w.callback(alias, PromiseResult::Successful(b"null".to_vec())), ProposalStatus::Executed);

    let approve = w.pass(ALICE, ProposalKind::ApproveModelVersion { model_id: "llama".into(), version: 3 });
    assert_eq!(w.execute(approve), None);
    assert_eq!(
        calls_to(REGISTRY),
        vec![("approve_version".to_string(), json!({"model_id": "llama", "version": 3}), zero())]
    );

    let admit = w.pass(
        ALICE,
        ProposalKind::AdmitAttester {
            operator: acc("node.near"),
            public_keys: vec![attester_key(1)],
            tee_kind: "sgx".into(),
            measurements: vec![Digest32([0xab; 32])],
            models: None,
            expires_at: Some(U64(T0 + 30 * DAY)),
        },
    );
    assert_eq!(w.execute(admit), None);
    assert_eq!(
        calls_to(ATTESTATION),
        vec![(
            "admit_attester".to_string(),
            json!({
                "operator": "node.near", "public_keys": [attester_key(1)], "tee_kind": "sgx",
                "measurements": ["ab".repeat(32)], "models": null, "expires_at": (T0 + 30 * DAY).to_string()
            }),
            NearToken::from_millinear(100)
        )]
    );

    let revoke =
        w.pass(ALICE, ProposalKind::RevokeAttester { operator: acc("node.near"), reason: "key leaked".into() });
    assert_eq!(w.execute(revoke), None);
    assert_eq!(
        calls_to(ATTESTATION),
        vec![("revoke_attester".to_string(), json!({"operator": "node.near", "reason": "key leaked"}), zero())]
    );

    let set = w.pass(
        ALICE,
        ProposalKind::SetCommunityContracts { registry: None, attestation: None, consent: Some(acc("consent.near")) },
    );
    assert_eq!(w.execute(set), Some(ProposalStatus::Executed));
    assert_eq!(w.dao.get_config().community.consent, Some(acc("consent.near")));
    assert_eq!(w.dao.get_config().community.registry, Some(acc(REGISTRY)));
    let snap = w.pass(
        ALICE,
        ProposalKind::RecordTrainingSnapshot { purpose: ConsentPurpose::Training, note: Some("v2".into()) },
    );
    assert_eq!(w.execute(snap), None);
    assert_eq!(
        calls_to("consent.near"),
        vec![(
            "record_snapshot".to_string(),
            json!({"purpose": "training", "note": "v2"}),
            NearToken::from_millinear(10)
        )]
    );
}

#[test]
fn function_calls_are_one_batch() {
    let mut w = World::new();
    let action = |m: &str, deposit: NearToken| FunctionCallAction {
        method_name: m.into(),
        args: Base64Bytes(br#"{"x":1}"#.to_vec()),
        deposit,
        gas: U64(Gas::from_tgas(10).as_gas()),
    };
    let id = w.pass(
        ALICE,
        ProposalKind::FunctionCalls {
            receiver_id: acc("counter.near"),
            actions: vec![action("a", zero()), action("b", NearToken::from_near(1))],
        },
    );
    assert_eq!(w.execute(id), None);
    let receipts: Vec<_> =
        get_created_receipts().into_iter().filter(|r| r.receiver_id.as_str() == "counter.near").collect();
    assert_eq!(receipts.len(), 1);
    assert_eq!(
        calls_to("counter.near"),
        vec![("a".to_string(), json!({"x": 1}), zero()), ("b".to_string(), json!({"x": 1}), NearToken::from_near(1)),]
    );
}

// ---------------------------------------------------------------- upgrade

fn store_code(w: &mut World, who: &str, code: &[u8]) -> Digest32 {
    let mut ctx = context(who, NearToken::from_near(1), w.now);
    ctx.input = code.to_vec().into();
    testing_env!(ctx);
    w.dao.store_code()
}

#[test]
fn store_code_charges_storage_and_rejects_bad_calls() {
    let mut w = World::new();
    let mut code = b"\0asm".to_vec();
    code.resize(1000, 7);
    let bytes = 40 + 33 + 1000;
    let cost = storage_cost_of(bytes);
    let mut ctx = context(EVE, cost, w.now);
    ctx.input = code.clone().into();
    testing_env!(ctx.clone());
    w.rejects(ERR_NOT_MEMBER, |d| {
        d.store_code();
    });
    ctx.predecessor_account_id = acc(ALICE);
    ctx.attached_deposit = cost.saturating_sub(NearToken::from_yoctonear(1));
    testing_env!(ctx.clone());
    w.rejects(
        &format!(
            "wrong deposit: attach at least {} yoctoNEAR for 1073 bytes of storage, attached {}",
            cost.as_yoctonear(),
            cost.as_yoctonear() - 1
        ),
        |d| {
            d.store_code();
        },
    );
    let hash = store_code(&mut w, ALICE, &code);
    assert_eq!(hash, Digest32(env::sha256_array(&code)));
    assert!(w.dao.has_code(hash));
    assert_eq!(transfers_to(ALICE), vec![NearToken::from_near(1).saturating_sub(cost)]);
    assert_eq!(
        event(&get_logs(), "code_stored")["data"],
        json!({"code_hash": hash.to_hex(), "bytes": "1000", "stored_by": ALICE})
    );
    let mut ctx = context(ALICE, NearToken::from_near(1), w.now);
    ctx.input = code.clone().into();
    testing_env!(ctx);
    w.rejects(&format!("code already stored: {hash}"), |d| {
        d.store_code();
    });
    testing_env!(context(ALICE, NearToken::from_near(1), w.now));
    w.rejects(ERR_CODE_EMPTY, |d| {
        d.store_code();
    });
    let mut ctx = context(ALICE, NearToken::from_near(1), w.now);
    ctx.input = b"{\"code\":\"AGFzbQ==\"}".to_vec().into();
    testing_env!(ctx);
    w.rejects(ai_commons_primitives::code::ERR_NOT_WASM, |d| {
        d.store_code();
    });
}

#[test]
fn upgrade_self_deploys_and_migrates_in_one_batch() {
    let mut w = World::new();
    let code = b"\0asm next version".to_vec();
    let hash = store_code(&mut w, BOB, &code);
    let id = w.pass(ALICE, ProposalKind::UpgradeSelf { code_hash: hash, migrate_args: None });
    assert_eq!(w.execute(id), None);
    let to_self: Vec<_> = get_created_receipts().into_iter().filter(|r| r.receiver_id.as_str() == DAO).collect();
    assert_eq!(to_self.len(), 2, "deploy+migrate batch, then the callback");
    assert!(matches!(&to_self[0].actions[0], MockAction::DeployContract { code: c, .. } if *c == code));
    assert!(
        matches!(&to_self[0].actions[1], MockAction::FunctionCallWeight { method_name, .. } if method_name == b"migrate")
    );
    assert!(
        matches!(&to_self[1].actions[0], MockAction::FunctionCallWeight { method_name, .. } if method_name == b"on_execute")
    );
}

#[test]
fn upgrade_contract_sends_the_stored_code_to_the_target_upgrade() {
    let mut w = World::new();
    let code = b"\0asm registry v2".to_vec();
    let hash = store_code(&mut w, BOB, &code);
    let id = w.pass(ALICE, ProposalKind::UpgradeContract { contract: CommunityContract::Registry, code_hash: hash });
    assert_eq!(w.execute(id), None);
    let receipts = get_created_receipts();
    let to_registry: Vec<_> = receipts.iter().filter(|r| r.receiver_id.as_str() == REGISTRY).collect();
    assert_eq!(to_registry.len(), 1);
    match &to_registry[0].actions[..] {
        [MockAction::FunctionCallWeight { method_name, args, attached_deposit, prepaid_gas, .. }] => {
            assert_eq!(method_name, b"upgrade");
            assert_eq!(args, &code, "the raw wasm is the call input");
            assert_eq!(*attached_deposit, zero());
            assert_eq!(*prepaid_gas, crate::upgrade::UPGRADE_CONTRACT_GAS);
        }
        other => panic!("expected one upgrade call, got {other:?}"),
    }
    let callback = receipts.iter().find(|r| r.receiver_id.as_str() == DAO).expect("callback");
    assert!(
        matches!(&callback.actions[0], MockAction::FunctionCallWeight { method_name, .. } if method_name == b"on_execute")
    );
}

#[test]
fn migrate_keeps_state_and_refuses_newer_layouts() {
    let mut w = World::new();
    let id = w.propose(ALICE, ProposalKind::Text);
    w.vote(DAVE, id, VoteChoice::Yes);
    // State as layout version 1 wrote it (with feature `upgrade-test`, this code is version 2).
    w.dao.root_mut().state_version = 1;
    env::state_write(w.dao.root());
    let before = w.fingerprint().replace(r#""state_version":1"#, &format!(r#""state_version":{STATE_VERSION}"#));
    drop(w); // flushes the collections
    testing_env!(context(DAO, zero(), T0));
    let dao = Contract::migrate();
    assert_eq!(
        event(&get_logs(), "contract_migrated")["data"],
        json!({"from_state_version": 1, "to_state_version": STATE_VERSION, "contract_version": CONTRACT_VERSION})
    );
    let mut w = World { dao, now: T0 };
    assert_eq!(w.fingerprint(), before);
    assert_eq!(w.vote(ALICE, id, VoteChoice::Yes), ProposalStatus::Passed);

    w.dao.root_mut().state_version = STATE_VERSION + 1;
    env::state_write(w.dao.root());
    testing_env!(context(DAO, zero(), T0));
    let err = catch_unwind(Contract::migrate).err().unwrap();
    assert_eq!(panic_message(err), format!("{ERR_UNKNOWN_STATE_VERSION}: {}", STATE_VERSION + 1));
}

// ---------------------------------------------------------------- views

#[test]
fn views_paginate_with_a_cap_and_track_statuses() {
    let mut w = World::new();
    for _ in 0..105 {
        w.propose(DAVE, ProposalKind::Text);
    }
    assert_eq!(w.dao.get_proposals(None, Some(1000)).len(), 100);
    assert_eq!(w.dao.get_proposals(Some(100), Some(1000)).len(), 5);
    assert_eq!(w.dao.get_proposals(None, None).len(), 20);
    // Cancel a few from the middle and the end of the active list.
    for id in [3u64, 104, 50] {
        w.as_(DAVE);
        w.dao.cancel_proposal(U64(id));
    }
    let ids = |s: ProposalStatus, w: &World| {
        let mut v: Vec<u64> = (0..2)
            .flat_map(|page| w.dao.get_proposals_by_status(s, Some(page * 100), Some(100)))
            .map(|p| p.id.0)
            .collect();
        v.sort();
        v
    };
    assert_eq!(ids(ProposalStatus::Cancelled, &w), vec![3, 50, 104]);
    let active: Vec<u64> = (0..105).filter(|i| ![3, 50, 104].contains(i)).collect();
    assert_eq!(ids(ProposalStatus::Active, &w), active);
    assert_eq!(w.dao.get_config().status_counts.get(ProposalStatus::Active), 102);
    assert_eq!(w.dao.get_members(None, Some(1000)).len(), 4);
    assert_eq!(w.dao.get_members(Some(3), None)[0].account_id, acc(DAVE));
}

#[test]
fn removing_a_member_keeps_list_and_counts_consistent() {
    let mut w = World::new();
    let id = w.pass(BOB, ProposalKind::RemoveMember { account_id: acc(ALICE) });
    assert_eq!(w.execute(id), Some(ProposalStatus::Executed));
    let listed: Vec<AccountId> = w.dao.get_members(None, None).into_iter().map(|m| m.account_id).collect();
    assert_eq!(listed, vec![acc(DAVE), acc(BOB), acc(CAROL)]);
    assert_eq!(w.dao.get_member_count(), U64(3));
    assert_eq!(w.dao.get_electorate(KindLabel::Transfer), 2);
    assert_eq!(w.dao.get_electorate(KindLabel::Text), 3);
    // Dave was moved into slot 0; removing him next must still work.
    let id = w.propose(BOB, ProposalKind::RemoveMember { account_id: acc(DAVE) });
    w.vote(BOB, id, VoteChoice::Yes);
    assert_eq!(w.vote(CAROL, id, VoteChoice::Yes), ProposalStatus::Passed);
    assert_eq!(w.execute(id), Some(ProposalStatus::Executed));
    let listed: Vec<AccountId> = w.dao.get_members(None, None).into_iter().map(|m| m.account_id).collect();
    assert_eq!(listed, vec![acc(CAROL), acc(BOB)]);
    assert_eq!(w.dao.get_electorate(KindLabel::Text), 2);
}

#[test]
fn upgrade_test_feature_builds_the_next_version() {
    let w = World::new();
    let expected =
        if cfg!(feature = "upgrade-test") { (2, "2.0.0-upgrade-test") } else { (1, env!("CARGO_PKG_VERSION")) };
    assert_eq!((STATE_VERSION, w.dao.contract_version().as_str()), expected);
    assert_eq!(w.dao.get_config().state_version, expected.0);
}

#[test]
fn vote_policies_keep_the_derived_borsh_layout() {
    let p = VotePolicies { agent_suspenders: vec!["council".into()], ..policies() };
    let bytes = near_sdk::borsh::to_vec(&p).unwrap();
    // What `#[derive(BorshSerialize, BorshDeserialize)]` writes and reads.
    let fields = (p.default, p.per_kind.clone(), p.agent_suspenders.clone());
    assert_eq!(bytes, near_sdk::borsh::to_vec(&fields).unwrap());
    assert_eq!(near_sdk::borsh::from_slice::<VotePolicies>(&bytes).unwrap(), p);
    assert!(near_sdk::borsh::from_slice::<VotePolicies>(&bytes[..bytes.len() - 1]).is_err());
    // Policies stored before `agent_suspenders` existed read as naming no role.
    let old = near_sdk::borsh::to_vec(&(p.default, p.per_kind.clone())).unwrap();
    let read = near_sdk::borsh::from_slice::<VotePolicies>(&old).unwrap();
    assert_eq!(read, VotePolicies { agent_suspenders: vec![], ..p });
    assert!(near_sdk::borsh::from_slice::<VotePolicies>(&old[..old.len() - 1]).is_err());
}

/// A `change_policy` proposal stored before `agent_suspenders` existed still
/// reads (as `None`), and an agent's action-log entry keeps its layout.
#[test]
fn stored_change_policy_and_agent_actions_keep_their_layout() {
    use crate::{AgentAction, AgentActionKind};
    let policy = policy(DAY, Quorum::Count(1), 1, 2, 0);
    let kind = ProposalKind::ChangePolicy { label: Some(KindLabel::Text), policy, agent_suspenders: None };
    // Variant index, then the fields as they were: label, policy.
    let old = near_sdk::borsh::to_vec(&(4u8, Some(KindLabel::Text), policy)).unwrap();
    assert_eq!(near_sdk::borsh::from_slice::<ProposalKind>(&old).unwrap(), kind);
    let body = ProposalBody { description: "d".into(), kind: kind.clone() };
    let new = near_sdk::borsh::to_vec(&body).unwrap();
    assert_eq!(near_sdk::borsh::from_slice::<ProposalBody>(&new).unwrap(), body);
    let with = ProposalKind::ChangePolicy { label: None, policy, agent_suspenders: Some(vec!["council".into()]) };
    let bytes = near_sdk::borsh::to_vec(&with).unwrap();
    assert_eq!(near_sdk::borsh::from_slice::<ProposalKind>(&bytes).unwrap(), with);

    // A proposal's entry: the layout it had (action, id, time, choice, receipt, weight).
    let voted = AgentAction {
        action: AgentActionKind::Voted,
        proposal_id: Some(U64(3)),
        at: U64(9),
        choice: Some(VoteChoice::Yes),
        receipt_id: Some(U64(7)),
        weight: Some(2),
        by: None,
        reason: None,
    };
    let bytes = near_sdk::borsh::to_vec(&voted).unwrap();
    let old = (AgentActionKind::Voted, 3u64, 9u64, Some(VoteChoice::Yes), Some(7u64), Some(2u32));
    assert_eq!(bytes, near_sdk::borsh::to_vec(&old).unwrap());
    assert_eq!(near_sdk::borsh::from_slice::<AgentAction>(&bytes).unwrap(), voted);
    // A suspension at once: no proposal, the member and the reason.
    let at_once = AgentAction {
        action: AgentActionKind::Suspended,
        proposal_id: None,
        choice: None,
        receipt_id: None,
        weight: None,
        by: Some(acc(ALICE)),
        reason: Some("drift".into()),
        ..voted
    };
    let bytes = near_sdk::borsh::to_vec(&at_once).unwrap();
    assert_eq!(near_sdk::borsh::from_slice::<AgentAction>(&bytes).unwrap(), at_once);
    assert!(near_sdk::borsh::from_slice::<AgentAction>(&bytes[..bytes.len() - 1]).is_err());
}

// ---------------------------------------------------------------- treasury

/// A 64-character account id, the longest NEAR allows.
fn longest_account(c: char) -> AccountId {
    acc(&format!("{}.near", c.to_string().repeat(59)))
}

/// Admits `account` as a council member by proposal.
fn admit_council(w: &mut World, account: &AccountId) {
    let id = w.pass(ALICE, ProposalKind::AddMember { account_id: account.clone(), roles: vec!["council".into()] });
    assert_eq!(w.execute(id), Some(ProposalStatus::Executed));
}

/// The reserve counts each vote at its largest size: measured, a first vote by
/// a 64-character account with a 280-byte reason adds exactly that, and so
/// does the next one (its record links to the previous voter instead of the
/// header growing).
#[test]
fn a_vote_adds_at_most_the_bytes_reserved_for_it() {
    let mut w = World::new();
    let (v1, v2) = (longest_account('v'), longest_account('w'));
    admit_council(&mut w, &v1);
    admit_council(&mut w, &v2);
    let id = w.propose(ALICE, ProposalKind::Text);
    for voter in [&v1, &v2] {
        w.as_(voter.as_str());
        let before = env::storage_usage();
        w.dao.vote(U64(id), VoteChoice::No, Some("r".repeat(MAX_REASON_LEN)));
        assert_eq!(env::storage_usage() - before, MAX_VOTE_BYTES, "vote by {voter}");
    }
    // The first voter changing its vote does not grow anything.
    w.as_(v1.as_str());
    let before = env::storage_usage();
    w.dao.vote(U64(id), VoteChoice::Abstain, Some("r".repeat(MAX_REASON_LEN)));
    assert_eq!(env::storage_usage(), before);
}

/// Writes what the contract keeps in memory until the end of a call on chain
/// (the root record and its lazily written parts): a direct call in a unit
/// test does not.
fn persist(w: &mut World) {
    let root = w.dao.root_mut();
    root.config.flush();
    root.policies.flush();
    root.roles.flush();
    root.role_combos.flush();
    root.member_list.flush();
    env::state_write(w.dao.root());
}

/// `register_agent` (or `update_agent`) of the longest agent id, mandate uri,
/// model id and alias.
fn agent_kind(register: bool) -> ProposalKind {
    let (account_id, mandate_uri, mandate_hash) = (longest_account('g'), "u".repeat(512), Digest32([1; 32]));
    let (model_id, version, alias) = ("m".repeat(64), None, Some("a".repeat(64)));
    let (can_vote, can_propose, expires_at) = (KindSet::ALL, KindSet::ALL, U64(T0 + 30 * DAY));
    if register {
        ProposalKind::RegisterAgent {
            account_id,
            mandate_uri,
            mandate_hash,
            model_id,
            version,
            alias,
            can_vote,
            can_propose,
            expires_at,
        }
    } else {
        ProposalKind::UpdateAgent {
            account_id,
            mandate_uri,
            mandate_hash,
            model_id,
            version,
            alias,
            can_vote,
            can_propose,
            expires_at,
        }
    }
}

/// What executing a kind may add to the DAO's storage stays within what the
/// proposal reserved for it.
#[test]
fn an_execution_adds_at_most_the_bytes_reserved_for_it() {
    let mut w = World::new();
    let cases = [
        ProposalKind::AddMember { account_id: longest_account('n'), roles: vec!["member".into()] },
        // Carol's new combination is new; the council combination keeps Alice and Bob.
        ProposalKind::ChangeRoles { account_id: acc(CAROL), roles: vec!["member".into(), "council".into()] },
        ProposalKind::ChangePolicy {
            label: Some(KindLabel::Text),
            policy: policy(DAY, Quorum::Fraction(Fraction { num: 1, den: 3 }), 1, 2, 0),
            agent_suspenders: Some(vec!["council".into(), "member".into()]),
        },
        ProposalKind::ChangeRolePermissions {
            role: "r".repeat(64),
            can_propose: KindSet::ALL,
            can_vote: KindSet::NONE,
        },
        ProposalKind::SetCommunityContracts {
            registry: Some(longest_account('a')),
            attestation: Some(longest_account('b')),
            consent: Some(longest_account('c')),
        },
        ProposalKind::ApproveMembershipList { root: Digest32([7; 32]), claim_deadline: U64(T0 + 30 * DAY) },
        // An agent with the longest mandate, alias and model id; its mandate
        // changed in place, then its suspension (each adds a log entry).
        agent_kind(true),
        agent_kind(false),
        ProposalKind::SuspendAgent { account_id: longest_account('g'), reason: "r".repeat(MAX_REASON_LEN) },
        // The largest batch of the longest accounts (last: half of them join the council).
        ProposalKind::AddMembers {
            members: (0..crate::MAX_BATCH_MEMBERS)
                .map(|i| MemberInput {
                    account_id: acc(&format!("{i:03}{}.near", "m".repeat(56))),
                    roles: vec!["member".into(), if i % 2 == 0 { "council" } else { "member" }.into()]
                        .into_iter()
                        .collect::<std::collections::BTreeSet<String>>()
                        .into_iter()
                        .collect(),
                })
                .collect(),
        },
    ];
    for kind in cases {
        let label = kind.label();
        let id = w.pass(ALICE, kind);
        w.as_(EVE);
        persist(&mut w);
        let before = env::storage_usage();
        assert!(matches!(w.dao.execute(U64(id)), PromiseOrValue::Value(ProposalStatus::Executed)));
        persist(&mut w);
        let added = env::storage_usage().saturating_sub(before);
        let (reserved, _) = crate::treasury::execution_reserve(label);
        assert!(added <= reserved, "{label:?} added {added} bytes, reserved {reserved}");
        assert!(added > 0, "{label:?} should grow the state in this case");
    }
}

/// The reserve follows each proposal: taken at creation, its voting part
/// released when voting ends, its execution part (storage, fixed deposits)
/// when the proposal is executed or ends without passing.
#[test]
fn the_reserve_is_taken_at_creation_and_released_as_proposals_end() {
    let mut w = World::new();
    let bytes = |w: &World| w.dao.get_config().reserved_storage_bytes.0;
    let deposits = |w: &World| w.dao.get_config().reserved_deposits;
    let voting = |electorate: u64| electorate * VOTING_BYTES_PER_MEMBER + LAST_VOTER_GROWTH;
    let (member_bytes, _) = crate::treasury::execution_reserve(KindLabel::AddMember);

    // Text: 4 voters. Cancelled: everything released.
    let text = w.propose(DAVE, ProposalKind::Text);
    assert_eq!(bytes(&w), voting(4));
    w.as_(DAVE);
    w.dao.cancel_proposal(U64(text));
    assert_eq!(bytes(&w), 0);

    // add_member: 3 voters; passing keeps the execution part until executed.
    let add = w.propose(ALICE, ProposalKind::AddMember { account_id: acc(EVE), roles: vec!["member".into()] });
    assert_eq!(bytes(&w), voting(3) + member_bytes);
    w.vote(ALICE, add, VoteChoice::Yes);
    assert_eq!(w.vote(BOB, add, VoteChoice::Yes), ProposalStatus::Passed);
    assert_eq!(bytes(&w), member_bytes);
    assert_eq!(w.execute(add), Some(ProposalStatus::Executed));
    assert_eq!(bytes(&w), 0);

    // move_alias: its fixed deposit is reserved until the call succeeds; a
    // failed call keeps it for the retry.
    let alias =
        w.propose(ALICE, ProposalKind::MoveAlias { model_id: "llama".into(), alias: "prod".into(), version: 2 });
    assert_eq!((bytes(&w), deposits(&w)), (voting(3), crate::execution::ALIAS_DEPOSIT));
    w.vote(ALICE, alias, VoteChoice::Yes);
    assert_eq!(w.vote(BOB, alias, VoteChoice::Yes), ProposalStatus::Passed);
    assert_eq!((bytes(&w), deposits(&w)), (0, crate::execution::ALIAS_DEPOSIT));
    assert_eq!(w.execute(alias), None);
    assert_eq!(w.callback(alias, PromiseResult::Failed), ProposalStatus::Failed);
    assert_eq!(deposits(&w), crate::execution::ALIAS_DEPOSIT);
    assert_eq!(w.execute(alias), None);
    assert_eq!(w.callback(alias, PromiseResult::Successful(vec![])), ProposalStatus::Executed);
    assert_eq!(deposits(&w), zero());

    // Rejected by votes: both parts released at once.
    let revoke = w.propose(
        ALICE,
        ProposalKind::RevokeModelVersion { model_id: "llama".into(), version: 1, reason: "leak".into() },
    );
    assert_eq!(deposits(&w), crate::execution::VERSION_STATUS_DEPOSIT);
    w.vote(ALICE, revoke, VoteChoice::No);
    assert_eq!(w.vote(BOB, revoke, VoteChoice::No), ProposalStatus::Rejected);
    assert_eq!((bytes(&w), deposits(&w)), (0, zero()));

    // Expired at finalize: released too.
    let late = w.propose(ALICE, ProposalKind::Text);
    w.now += 2 * DAY;
    w.as_(EVE);
    assert_eq!(w.dao.finalize(U64(late)), ProposalStatus::Expired);
    assert_eq!(bytes(&w), 0);
}

/// A proposal whose reserve the free treasury cannot cover is refused,
/// naming the amounts; the spend check at execution leaves the reserve alone.
#[test]
fn a_proposal_the_treasury_cannot_reserve_for_is_refused() {
    let mut w = World::new();
    let kind = ProposalKind::Text;
    let deposit = w.deposit_for(ALICE, "why", &kind);
    let need = ai_commons_primitives::storage::storage_cost(4 * VOTING_BYTES_PER_MEMBER + LAST_VOTER_GROWTH);
    // A balance that leaves exactly one yoctoNEAR too little free (the host
    // adds the attached deposit to the balance, as the chain does).
    let mut ctx = context(ALICE, deposit, w.now);
    testing_env!(ctx.clone());
    let staked = ai_commons_primitives::storage::storage_cost(env::storage_usage());
    let short = staked.saturating_add(need).as_yoctonear() - 1;
    ctx.account_balance = NearToken::from_yoctonear(short);
    testing_env!(ctx.clone());
    w.rejects(
        &format!(
            "{ERR_RESERVE}: need {} yoctoNEAR, available {}, reserved 0",
            need.as_yoctonear(),
            need.as_yoctonear() - 1
        ),
        |d| {
            d.add_proposal("why".into(), ProposalKind::Text);
        },
    );
    ctx.account_balance = NearToken::from_yoctonear(short + 1);
    testing_env!(ctx);
    w.dao.add_proposal("why".into(), ProposalKind::Text);
    assert_eq!(w.dao.get_config().reserved, need);
}

mod props;
