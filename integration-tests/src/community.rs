//! One community: the four contracts deployed, initialized and linked, with
//! typed helpers for what its members, publishers, users and attesters do.

use crate::backend::{Backend, BackendExt, Outcome};
use ai_commons_primitives::Digest32;
use embedded_chain::{AccountId, Gas, NearToken};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The suite's wasm, built once per process.
#[derive(Clone)]
pub struct Wasm {
    pub dao: Vec<u8>,
    pub registry: Vec<u8>,
    pub consent: Vec<u8>,
    pub attestation: Vec<u8>,
}

impl Wasm {
    pub fn load() -> Self {
        Wasm {
            dao: wasm_build::wasm("community-dao", &[]),
            registry: wasm_build::wasm("model-registry", &[]),
            consent: wasm_build::wasm("data-consent", &[]),
            attestation: wasm_build::wasm("inference-attestation", &[]),
        }
    }
}

pub use embedded_chain::{millinear, near};

/// The suite's wasm, built once per test process and shared by its tests.
pub fn wasm() -> &'static Wasm {
    static WASM: std::sync::OnceLock<Wasm> = std::sync::OnceLock::new();
    WASM.get_or_init(Wasm::load)
}

/// No deposit.
pub fn zero() -> embedded_chain::NearToken {
    embedded_chain::NearToken::from_yoctonear(0)
}

/// SHA-256 of `text` as the suite's digest: names digests in scenarios and tests.
pub fn sha(text: &str) -> Digest32 {
    Digest32(Sha256::digest(text.as_bytes()).into())
}

/// One day, in nanoseconds: the default voting period (a call takes three
/// blocks, inclusion, execution and refund, as on chain: the fuzz needs the room).
pub const VOTING_PERIOD_NS: u64 = 24 * 3_600_000_000_000;
/// Bond a proposer locks for each proposal.
pub const PROPOSAL_BOND: NearToken = millinear(100);
/// Gas for `execute`: enough for the external call and its callback.
pub const EXECUTE_GAS: Gas = Gas::from_teragas(200);

/// The accounts of one community.
#[derive(Clone, Debug)]
pub struct Community {
    pub dao: AccountId,
    pub registry: AccountId,
    pub consent: AccountId,
    pub attestation: AccountId,
    /// Founding members with the `council` role (propose and vote on every kind).
    pub council: Vec<AccountId>,
}

/// What deploying did, for transcripts.
pub struct Deployment {
    pub community: Community,
    pub steps: Vec<(AccountId, String, Outcome)>,
}

impl Community {
    /// Creates the four contract accounts and `council` members, deploys and
    /// initializes every contract as one community (registry and attestation
    /// owned by the DAO; consent upgrades owned by the DAO too), then deletes
    /// the full-access key of every contract account, as `scripts/deploy.sh` does.
    pub fn deploy<B: Backend + ?Sized>(b: &mut B, wasm: &Wasm, council: &[&str]) -> Deployment {
        let dao = b.create_account("dao", near(50));
        let registry = b.create_account("registry", near(10));
        let consent = b.create_account("consent", near(10));
        let attestation = b.create_account("attestation", near(10));
        let council: Vec<AccountId> = council.iter().map(|name| b.create_account(name, near(50))).collect();
        let mut steps = Vec::new();

        for (account, code) in [
            (&dao, &wasm.dao),
            (&registry, &wasm.registry),
            (&consent, &wasm.consent),
            (&attestation, &wasm.attestation),
        ] {
            let out = b.deploy(account, code);
            out.assert_success();
            steps.push((account.clone(), format!("deploys its contract ({} bytes of wasm)", code.len()), out));
        }
        let init = |b: &mut B, account: &AccountId, args: Value| {
            let out = b.call_json(account, account, "new", args, NearToken::from_yoctonear(0));
            out.assert_success();
            out
        };
        steps.push((
            registry.clone(),
            "initializes model-registry (owner: the DAO)".into(),
            init(b, &registry, json!({"owner": dao, "open_publishing": true})),
        ));
        steps.push((
            consent.clone(),
            "initializes data-consent (upgrades: the DAO)".into(),
            init(b, &consent, json!({"owner": dao})),
        ));
        steps.push((
            attestation.clone(),
            "initializes inference-attestation (owner: the DAO)".into(),
            init(b, &attestation, json!({"owner": dao, "registry": registry})),
        ));
        let members: Vec<Value> = council.iter().map(|m| json!({"account_id": m, "roles": ["council"]})).collect();
        steps.push((
            dao.clone(),
            "initializes community-dao (3 council members)".into(),
            init(
                b,
                &dao,
                json!({
                    "name": "Open Models Collective",
                    "purpose": "Govern our community's AI models in public",
                    "metadata": "{\"site\":\"https://example.org\"}",
                    "roles": [
                        {"name": "council", "can_propose": "all", "can_vote": "all"},
                        {"name": "member", "can_propose": ["text"], "can_vote": ["text"]}
                    ],
                    "members": members,
                    "vote_policies": {
                        "default": {
                            "voting_period_ns": VOTING_PERIOD_NS.to_string(),
                            "quorum": {"fraction": {"num": 1, "den": 2}},
                            "threshold": {"num": 1, "den": 2},
                            "timelock_ns": "0"
                        },
                        "per_kind": {}
                    },
                    "proposal_bond": PROPOSAL_BOND,
                    "registry": registry,
                    "attestation": attestation,
                    "consent": consent
                }),
            ),
        ));
        // As scripts/deploy.sh ends: no contract account keeps a full-access
        // key, so only the contracts' own methods (owned by the DAO) change them.
        for account in [&registry, &consent, &attestation, &dao] {
            let out = b.delete_full_access_keys(account);
            out.assert_success();
            steps.push((account.clone(), "deletes its full-access key (nobody can sign for it now)".into(), out));
        }
        Deployment { community: Community { dao, registry, consent, attestation, council }, steps }
    }

    /// The exact deposit `add_proposal` needs for this proposal.
    pub fn proposal_deposit<B: Backend + ?Sized>(
        &self,
        b: &B,
        proposer: &AccountId,
        description: &str,
        kind: &Value,
    ) -> NearToken {
        let amount: String = b.view(
            &self.dao,
            "get_proposal_deposit",
            json!({"proposer": proposer, "description": description, "kind": kind}),
        );
        NearToken::from_yoctonear(amount.parse().expect("yocto amount"))
    }

    /// Adds a proposal with the exact deposit; returns the outcome (id in `json::<String>()`).
    pub fn add_proposal<B: Backend + ?Sized>(
        &self,
        b: &mut B,
        proposer: &AccountId,
        description: &str,
        kind: Value,
    ) -> Outcome {
        let deposit = self.proposal_deposit(b, proposer, description, &kind);
        b.call_json(proposer, &self.dao, "add_proposal", json!({"description": description, "kind": kind}), deposit)
    }

    /// Adds a proposal and returns its id; panics if it fails.
    #[track_caller]
    pub fn propose<B: Backend + ?Sized>(&self, b: &mut B, proposer: &AccountId, description: &str, kind: Value) -> u64 {
        let out = self.add_proposal(b, proposer, description, kind);
        out.json::<String>().parse().expect("proposal id")
    }

    pub fn vote<B: Backend + ?Sized>(&self, b: &mut B, voter: &AccountId, id: u64, choice: &str) -> Outcome {
        b.call_json(
            voter,
            &self.dao,
            "vote",
            json!({"id": id.to_string(), "choice": choice}),
            NearToken::from_yoctonear(0),
        )
    }

    pub fn execute<B: Backend + ?Sized>(&self, b: &mut B, caller: &AccountId, id: u64) -> Outcome {
        b.call_gas(
            caller,
            &self.dao,
            "execute",
            json!({"id": id.to_string()}),
            NearToken::from_yoctonear(0),
            EXECUTE_GAS,
        )
    }

    pub fn proposal<B: Backend + ?Sized>(&self, b: &B, id: u64) -> Value {
        b.view(&self.dao, "get_proposal", json!({"id": id.to_string()}))
    }

    pub fn status<B: Backend + ?Sized>(&self, b: &B, id: u64) -> String {
        self.proposal(b, id)["status"].as_str().expect("status").to_string()
    }

    /// Proposes `kind`, has the council vote yes until it passes, and executes it.
    /// Returns (proposal id, execute outcome).
    #[track_caller]
    pub fn pass_and_execute<B: Backend + ?Sized>(&self, b: &mut B, description: &str, kind: Value) -> (u64, Outcome) {
        let proposer = self.council[0].clone();
        let id = self.propose(b, &proposer, description, kind);
        for voter in self.council.clone() {
            if self.status(b, id) != "active" {
                break;
            }
            self.vote(b, &voter, id, "yes").assert_success();
        }
        assert_eq!(self.status(b, id), "passed", "proposal {id} should have passed");
        let out = self.execute(b, &proposer, id);
        (id, out)
    }
}
