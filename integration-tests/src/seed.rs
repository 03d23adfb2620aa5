//! Large contract states for the cost bench and the cost tests, produced by
//! the contracts' own code — never by hand-written bytes.
//!
//! Growing 10,000 to 100,000 records by real transactions on the embedded
//! chain would take several transactions (~1 ms each) per record, so large
//! states are built natively instead: [`Native`] runs the
//! contract crate's own methods on near-sdk's mocked blockchain exactly as the
//! wasm entry points do (read the root state, run the method, write the root
//! state, drop the contract so every collection flushes), one call per
//! transaction with a fresh context. [`install`] then copies every resulting
//! key/value into the deployed account with [`Chain::patch_state`] and funds
//! the storage with [`Chain::patch_balance`], so the root `STATE` and every
//! collection are consistent. The wasm deployed on the account then runs real
//! methods on that state (each fixture checks it does).
//!
//! Each fixture (`*_fixture`) builds a chain with one contract holding `n`
//! records, and each cost function (`*_costs`) measures the operations the
//! issues ask for on it: VM gas, total gas and storage bytes of real
//! transactions, VM gas of views.
//!
//! Seeding 100,000 records natively takes about a minute in the dev profile,
//! so each seeded state is also kept on disk ([`cached_state`]), keyed by a
//! hash of everything it depends on: the contract's wasm (built from the
//! same sources as the native code), this file's source, the chain's genesis
//! and the seed's parameters. Any change to a contract or to the seeding
//! code seeds afresh; the bench and the cost tests share the cache.

use crate::community::{millinear, near, sha};
use ai_commons_primitives::interfaces::ModelRegistryInterface;
use ai_commons_primitives::{ConsentPurpose, Digest32, VersionStatus, VersionStatusView};
use attestation_signer::{commit, AttesterSigner, InferenceReceipt, U64};
use embedded_chain::{AccountId, Chain, Gas, NearToken, TxOutcome};
use near_sdk::borsh::{BorshDeserialize, BorshSerialize};
use near_sdk::mock::MockAction;
use near_sdk::state::ContractState;
use near_sdk::test_utils::VMContextBuilder;
use near_sdk::{env, MockedBlockchain, PromiseOrValue, PromiseResult};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Instant;

/// Raw contract state: every key/value an account holds.
pub type State = Vec<(Vec<u8>, Vec<u8>)>;

/// Time between two native "transactions" (1 ms: seeding 1,000,000 calls
/// spans ~17 minutes of block time).
const NATIVE_STEP_NS: u64 = 1_000_000;
/// Native seeding starts this long before the chain's current block time, so
/// everything seeded lies in the chain's past.
const NATIVE_LEAD_NS: u64 = 7 * 24 * 3600 * 1_000_000_000;

fn sdk_account(id: &str) -> near_sdk::AccountId {
    id.parse().unwrap_or_else(|e| panic!("invalid account id {id:?}: {e}"))
}

fn sdk_near(yocto: u128) -> near_sdk::NearToken {
    near_sdk::NearToken::from_yoctonear(yocto)
}

/// A contract account run natively on near-sdk's mocked blockchain, one
/// transaction at a time, as the wasm entry points run it.
pub struct Native {
    contract: near_sdk::AccountId,
    /// Block time of the last call (ns); each call advances it by 1 ms.
    pub now: u64,
    storage_usage: u64,
    vm_config: near_parameters::vm::Config,
    /// Calls made so far.
    pub calls: u64,
}

impl Native {
    /// An empty account `contract` whose first call happens just after `start_ns`.
    /// Storage of the thread's mocked blockchain is wiped first.
    pub fn new(contract: &AccountId, start_ns: u64) -> Self {
        let native = Native {
            contract: sdk_account(contract.as_str()),
            now: start_ns,
            storage_usage: 0,
            // Built once: constructing the protocol config is expensive.
            vm_config: near_sdk::test_vm_config(),
            calls: 0,
        };
        drop(near_sdk::mock::with_mocked_blockchain(|b| b.take_storage()));
        native
    }

    /// Starts a transaction: a fresh mocked VM over the storage so far.
    fn enter(&mut self, caller: &str, deposit: u128, promise_results: Vec<PromiseResult>) {
        self.now += NATIVE_STEP_NS;
        self.calls += 1;
        let storage = near_sdk::mock::with_mocked_blockchain(|b| b.take_storage());
        let caller = sdk_account(caller);
        let context = VMContextBuilder::new()
            .current_account_id(self.contract.clone())
            .predecessor_account_id(caller.clone())
            .signer_account_id(caller)
            .attached_deposit(sdk_near(deposit))
            .block_timestamp(self.now)
            .storage_usage(self.storage_usage)
            .account_balance(near_sdk::NearToken::from_near(1_000_000))
            .prepaid_gas(near_sdk::Gas::from_tgas(300))
            .build();
        env::set_blockchain_interface(MockedBlockchain::new(
            context,
            self.vm_config.clone(),
            // Cheaper to build than to clone.
            near_sdk::RuntimeFeesConfig::test(),
            promise_results,
            storage,
            HashMap::new(),
            None,
        ));
    }

    /// The `#[init]` call: runs `init` and writes the root state.
    pub fn init<C: ContractState + BorshSerialize>(&mut self, caller: &str, init: impl FnOnce() -> C) {
        self.enter(caller, 0, Vec::new());
        let contract = init();
        contract.state_write();
        drop(contract);
        self.storage_usage = env::storage_usage();
    }

    /// A change call by `caller` with `deposit` yoctoNEAR attached: reads the
    /// root state, runs `f`, writes the root state back and drops the
    /// contract (flushing every collection), as the wasm entry point does —
    /// through the contract's own [`ContractState`] impl, as it does.
    pub fn call<C, R>(&mut self, caller: &str, deposit: u128, f: impl FnOnce(&mut C) -> R) -> R
    where
        C: ContractState + BorshSerialize + BorshDeserialize,
    {
        self.enter(caller, deposit, Vec::new());
        self.run(f)
    }

    /// A callback: the contract calls itself with `results` as promise results.
    pub fn callback<C, R>(&mut self, results: Vec<PromiseResult>, f: impl FnOnce(&mut C) -> R) -> R
    where
        C: ContractState + BorshSerialize + BorshDeserialize,
    {
        let me = self.contract.to_string();
        self.enter(&me, 0, results);
        self.run(f)
    }

    fn run<C, R>(&mut self, f: impl FnOnce(&mut C) -> R) -> R
    where
        C: ContractState + BorshSerialize + BorshDeserialize,
    {
        let mut contract = C::state_read().expect("the contract is initialized");
        let out = f(&mut contract);
        contract.state_write();
        drop(contract);
        self.storage_usage = env::storage_usage();
        out
    }

    /// A view: reads the state, writes nothing.
    pub fn view<C: ContractState + BorshDeserialize, R>(&mut self, f: impl FnOnce(&C) -> R) -> R {
        let me = self.contract.to_string();
        self.enter(&me, 0, Vec::new());
        let contract = C::state_read().expect("the contract is initialized");
        f(&contract)
    }

    /// Every key/value the account holds, in key order.
    pub fn into_state(self) -> State {
        let mut state: State = near_sdk::mock::with_mocked_blockchain(|b| b.take_storage()).into_iter().collect();
        state.sort();
        state
    }
}

/// Copies `state` into `account` (which holds the contract's code) and adds
/// the tokens its storage needs. Returns the bytes it added.
pub fn install(chain: &mut Chain, account: &AccountId, state: State) -> u64 {
    let extra = chain.runtime_config().fees.storage_usage_config.num_extra_bytes_record;
    let mut bytes = 0u64;
    for (key, value) in state {
        bytes += key.len() as u64 + value.len() as u64 + extra;
        chain.patch_state(account, key, value);
    }
    let cost = chain.storage_byte_cost().saturating_mul(bytes as u128);
    chain.patch_balance(account, cost);
    bytes
}

/// Where native seeding starts for `chain`.
fn native_start(chain: &Chain) -> u64 {
    chain.block_timestamp() - NATIVE_LEAD_NS
}

/// Checks native seeding stayed in the chain's past.
fn check_native_clock(chain: &Chain, native_now: u64) {
    assert!(native_now < chain.block_timestamp(), "native seeding ran past the chain's clock");
}

// ----- the on-disk cache of seeded states -------------------------------------

/// This file's source: part of every cache key, so editing the seeding code reseeds.
const SEED_SOURCE: &str = include_str!("seed.rs");
const CACHE_MAGIC: &[u8; 8] = b"AICSEED1";

/// Where seeded states are kept: `AI_COMMONS_SEED_CACHE` (a directory, or
/// `off` to always seed afresh), else `<workspace>/target/seed-cache`.
pub fn cache_dir() -> Option<PathBuf> {
    match std::env::var("AI_COMMONS_SEED_CACHE") {
        Ok(v) if v == "off" || v == "0" || v.is_empty() => None,
        Ok(v) => Some(PathBuf::from(v)),
        Err(_) => Some(wasm_build::workspace_root().join("target").join("seed-cache")),
    }
}

/// How a fixture's state came to be.
#[derive(Clone, Copy, Debug)]
pub struct Seeding {
    /// Raw key/values in the seeded state.
    pub keys: usize,
    /// Wall time of seeding (or of reading the cache) and installing.
    pub seconds: f64,
    /// Read from the on-disk cache rather than seeded now.
    pub cached: bool,
}

fn read_state(path: &std::path::Path) -> Option<State> {
    let mut bytes = Vec::new();
    std::fs::File::open(path).ok()?.read_to_end(&mut bytes).ok()?;
    let (magic, mut rest) = bytes.split_at_checked(CACHE_MAGIC.len())?;
    if magic != CACHE_MAGIC {
        return None;
    }
    let mut take = |n: usize| -> Option<&[u8]> {
        let (head, tail) = rest.split_at_checked(n)?;
        rest = tail;
        Some(head)
    };
    let count = u64::from_le_bytes(take(8)?.try_into().ok()?) as usize;
    let mut state = Vec::with_capacity(count);
    for _ in 0..count {
        let klen = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
        let key = take(klen)?.to_vec();
        let vlen = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
        state.push((key, take(vlen)?.to_vec()));
    }
    rest.is_empty().then_some(state)
}

fn write_state(path: &std::path::Path, state: &State) -> std::io::Result<()> {
    let dir = path.parent().expect("cache file in a directory");
    std::fs::create_dir_all(dir)?;
    // Write aside, then rename: a reader never sees half a file.
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("state"),
        std::process::id()
    ));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
    out.write_all(CACHE_MAGIC)?;
    out.write_all(&(state.len() as u64).to_le_bytes())?;
    for (key, value) in state {
        out.write_all(&(key.len() as u32).to_le_bytes())?;
        out.write_all(key)?;
        out.write_all(&(value.len() as u32).to_le_bytes())?;
        out.write_all(value)?;
    }
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&tmp, path)
}

/// The state `seed` produces for contract `kind` (whose wasm is `code`) with
/// `params`, from the on-disk cache when an identical seeding was done before.
/// Returns the state and whether it came from the cache.
pub fn cached_state(
    chain: &Chain,
    kind: &str,
    code: &[u8],
    params: &str,
    seed: impl FnOnce() -> State,
) -> (State, bool) {
    let Some(dir) = cache_dir() else { return (seed(), false) };
    let digest = |parts: &[&[u8]]| {
        let mut hash = Sha256::new();
        for part in parts {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part);
        }
        hex::encode(&hash.finalize()[..12])
    };
    let genesis = (chain.root().to_string(), chain.block_timestamp().to_le_bytes());
    // One slot per seeding (what is seeded), one version per code that seeded it.
    let slot = digest(&[kind.as_bytes(), params.as_bytes(), genesis.0.as_bytes(), &genesis.1]);
    let version = digest(&[SEED_SOURCE.as_bytes(), code]);
    let prefix = format!("{kind}-{slot}-");
    let path = dir.join(format!("{prefix}{version}.state"));
    if let Some(state) = read_state(&path) {
        return (state, true);
    }
    let state = seed();
    // A cache that cannot be written only costs time next run.
    if write_state(&path, &state).is_ok() {
        // Older versions of this slot are stale: keep the cache one file per slot.
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(&prefix) && name.ends_with(".state") && entry.path() != path {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    (state, false)
}

/// Seeds (or reads from the cache) and installs a state into `account`.
fn seed_into(
    chain: &mut Chain,
    account: &AccountId,
    kind: &str,
    code: &[u8],
    params: &str,
    seed: impl FnOnce(&Chain) -> State,
) -> Seeding {
    let started = Instant::now();
    let (state, cached) = {
        let chain_ref: &Chain = chain;
        cached_state(chain_ref, kind, code, params, || seed(chain_ref))
    };
    let keys = state.len();
    install(chain, account, state);
    Seeding { keys, seconds: started.elapsed().as_secs_f64(), cached }
}

// ----- measuring -------------------------------------------------------------

/// What one transaction cost.
#[derive(Clone, Debug)]
pub struct Cost {
    /// VM gas of the measured contract's receipts (the method itself, plus its
    /// callbacks for cross-contract calls).
    pub vm_gas: u64,
    /// Gas burnt by the whole transaction (conversion, every receipt, fees).
    pub total_gas: u64,
    /// Bytes the measured contract's account gained (negative: freed).
    pub bytes: i64,
    /// Where `vm_gas` went, by cost, largest first (summed over the receipts).
    pub profile: Vec<(String, u64)>,
}

/// Runs `tx` and measures it against `contract`; panics unless it succeeded.
#[track_caller]
pub fn measure(chain: &mut Chain, contract: &AccountId, tx: impl FnOnce(&mut Chain) -> TxOutcome) -> (Cost, TxOutcome) {
    let before = chain.view_account(contract).expect("contract account").storage_usage as i64;
    let out = tx(chain);
    out.assert_success();
    let after = chain.view_account(contract).expect("contract account").storage_usage as i64;
    let mut profile: Vec<(String, u64)> = Vec::new();
    for (name, gas) in out.receipts_on(contract).flat_map(|r| r.vm_profile.iter()) {
        match profile.iter_mut().find(|(n, _)| n == name) {
            Some((_, g)) => *g += gas,
            None => profile.push((name.clone(), *gas)),
        }
    }
    profile.sort_by_key(|row| std::cmp::Reverse(row.1));
    let cost = Cost {
        vm_gas: out.vm_gas_on(contract).as_gas(),
        total_gas: out.total_gas_burnt,
        bytes: after - before,
        profile,
    };
    (cost, out)
}

/// VM gas of a view; panics with the error if it fails.
#[track_caller]
pub fn view_gas(chain: &Chain, contract: &AccountId, method: &str, args: Value) -> (u64, Value) {
    let out = chain.view(contract, method, args).unwrap_or_else(|e| panic!("view {contract}.{method}: {e}"));
    let value = out.json().unwrap_or_else(|e| panic!("view {contract}.{method}: bad JSON: {e}"));
    (out.vm_gas_burnt, value)
}

fn new_chain_account(chain: &mut Chain, name: &str, balance: NearToken) -> AccountId {
    chain.create_account(name, balance)
}

// ----- community-dao ---------------------------------------------------------

/// Description of every seeded add-member proposal.
const DAO_SEED_DESCRIPTION: &str = "Welcome a member";
/// Description of the text proposal the costs are measured with.
pub const DAO_BENCH_DESCRIPTION: &str = "Adopt the community charter v2 (see forum thread #42)";
/// Bond of every proposal.
pub const DAO_BOND: NearToken = millinear(100);
/// Voting period of every proposal: one day.
pub const DAO_VOTING_PERIOD_NS: u64 = 24 * 3600 * 1_000_000_000;

/// Account of the `i`-th seeded member (0-based): `m000000.<root>`, ...
pub fn dao_member(chain: &Chain, i: u32) -> AccountId {
    format!("m{i:06}.{}", chain.root()).parse().expect("member account id")
}

fn dao_policies() -> community_dao::VotePolicies {
    use community_dao::{Fraction, Quorum, VotePolicies, VotePolicy};
    VotePolicies {
        default: VotePolicy {
            voting_period_ns: near_sdk::json_types::U64(DAO_VOTING_PERIOD_NS),
            quorum: Quorum::Fraction(Fraction { num: 1, den: 2 }),
            threshold: Fraction { num: 1, den: 2 },
            timelock_ns: near_sdk::json_types::U64(0),
        },
        per_kind: Default::default(),
        agent_suspenders: vec![],
    }
}

fn dao_roles() -> Vec<community_dao::Role> {
    use community_dao::{KindLabel, KindSet, Role};
    vec![
        Role { name: "council".into(), can_propose: KindSet::ALL, can_vote: KindSet::ALL },
        Role {
            name: "member".into(),
            can_propose: KindSet::of(&[KindLabel::Text]),
            can_vote: KindSet::of(&[KindLabel::Text]),
        },
    ]
}

/// The state of a DAO with `members` members, grown as a real community grows:
/// `new` with one council member (`founder`), then one `add_member` proposal
/// per further member — proposed and passed by the founder (the only voter on
/// membership), then executed. Members `dao_member(0..members - 1)` hold the
/// `member` role (they vote on text proposals).
pub fn seed_dao(chain: &Chain, dao: &AccountId, founder: &AccountId, members: u32) -> State {
    seed_dao_then(chain, dao, founder, members, |_| {})
}

/// [`seed_dao`], then `then` on the native contract before its state is taken.
pub fn seed_dao_then(
    chain: &Chain,
    dao: &AccountId,
    founder: &AccountId,
    members: u32,
    then: impl FnOnce(&mut Native),
) -> State {
    use community_dao::{Contract, MemberInput, ProposalKind, ProposalStatus, VoteChoice};
    assert!(members >= 1, "a DAO has at least its founder");
    let mut native = Native::new(dao, native_start(chain));
    let founder_id = sdk_account(founder.as_str());
    let me = dao.to_string();
    native.init(&me, || {
        Contract::new(
            "Open Models Collective".into(),
            "Govern our community's AI models in public".into(),
            "{}".into(),
            dao_roles(),
            vec![MemberInput { account_id: founder_id.clone(), roles: vec!["council".into()] }],
            dao_policies(),
            sdk_near(DAO_BOND.as_yoctonear()),
            None,
            None,
            None,
        )
    });
    let kind = |i: u32| ProposalKind::AddMember {
        account_id: sdk_account(dao_member(chain, i).as_str()),
        roles: vec!["member".into()],
    };
    // Every member id has the same length, so every proposal costs the same deposit.
    let deposit = native
        .view(|c: &Contract| c.get_proposal_deposit(founder_id.clone(), DAO_SEED_DESCRIPTION.into(), kind(0)))
        .as_yoctonear();
    let f = founder.as_str();
    for i in 0..members - 1 {
        let id = native.call(f, deposit, |c: &mut Contract| c.add_proposal(DAO_SEED_DESCRIPTION.into(), kind(i)));
        let status = native.call(f, 0, |c: &mut Contract| c.vote(id, VoteChoice::Yes, None));
        assert_eq!(status, ProposalStatus::Passed, "seeded proposal {} should pass", id.0);
        let executed = native
            .call(f, 0, |c: &mut Contract| matches!(c.execute(id), PromiseOrValue::Value(ProposalStatus::Executed)));
        assert!(executed, "seeded proposal {} should execute at once", id.0);
    }
    then(&mut native);
    check_native_clock(chain, native.now);
    native.into_state()
}

/// A chain with a community-dao of `members` members.
pub struct DaoFixture {
    pub chain: Chain,
    pub dao: AccountId,
    pub founder: AccountId,
    pub members: u32,
    pub seeding: Seeding,
}

pub fn dao_fixture(wasm: &[u8], members: u32) -> DaoFixture {
    let mut chain = Chain::new();
    let dao = new_chain_account(&mut chain, "dao", near(50));
    let founder = new_chain_account(&mut chain, "founder", near(50));
    chain.deploy(&dao, wasm).assert_success();
    let params = format!("dao={dao};founder={founder};members={members}");
    let seeding = seed_into(&mut chain, &dao, "community-dao", wasm, &params, |c| seed_dao(c, &dao, &founder, members));
    let count: String = chain.view_json(&dao, "get_member_count", json!({}));
    assert_eq!(count, members.to_string(), "seeded member count");
    // The DAO pays for its members' votes: a proposal open to every member
    // reserves a largest vote record per member (the treasury invariant, see
    // the DAO's README), so a patron tops the treasury up for the bench's
    // proposal first, with a plain transfer.
    top_up_voting_reserve(&mut chain, &dao, members);
    DaoFixture { chain, dao, founder, members, seeding }
}

/// A patron sends `dao` what one proposal open to `members` members reserves for its votes.
fn top_up_voting_reserve(chain: &mut Chain, dao: &AccountId, members: u32) {
    let bytes = members as u64 * community_dao::VOTING_BYTES_PER_MEMBER + community_dao::LAST_VOTER_GROWTH;
    let reserve = chain.storage_byte_cost().saturating_mul(bytes as u128);
    let patron = new_chain_account(chain, "patron", reserve.saturating_add(near(1)));
    chain.transfer(&patron, dao, reserve).assert_success();
}

/// What a proposal and a vote cost on a DAO.
#[derive(Clone, Debug)]
pub struct DaoCosts {
    pub members: u32,
    /// `add_proposal` of a text proposal by the founder.
    pub add_proposal: Cost,
    /// What the proposal holds back from the treasury while it is open (the
    /// storage its votes may still need): see the DAO's treasury invariant.
    pub reserve: Reserve,
    /// A first, non-deciding vote by a member who joined before the proposal.
    pub vote: Cost,
    /// A second member's vote on the same proposal.
    pub second_vote: Cost,
    /// The first voter changing its vote (yes to abstain).
    pub changed_vote: Cost,
    /// The yes vote that passes the proposal early, which also moves it in the
    /// status index and refunds the bond (measured up to 100 members: more
    /// would take thousands of votes; its extra work does not depend on them).
    pub deciding_vote: Option<Cost>,
}

/// Treasury a proposal reserves at creation.
#[derive(Clone, Copy, Debug)]
pub struct Reserve {
    /// Storage bytes reserved (`get_config().reserved_storage_bytes` grew by this).
    pub bytes: u64,
    /// yoctoNEAR reserved: those bytes' storage staking plus any fixed deposit.
    pub yocto: u128,
}

/// Creates a text proposal and has two seeded members vote on it.
pub fn dao_costs(f: &mut DaoFixture) -> DaoCosts {
    assert!(f.members >= 3, "needs two voting members besides the founder");
    let kind = json!({"type": "text"});
    let deposit: String = f.chain.view_json(
        &f.dao,
        "get_proposal_deposit",
        json!({"proposer": f.founder, "description": DAO_BENCH_DESCRIPTION, "kind": kind}),
    );
    let deposit = NearToken::from_yoctonear(deposit.parse().expect("yocto"));
    let (dao, founder) = (f.dao.clone(), f.founder.clone());
    let reserved = |chain: &Chain| {
        let config: Value = chain.view_json(&dao, "get_config", json!({}));
        let field = |name: &str| config[name].as_str().and_then(|v| v.parse::<u128>().ok()).expect("reserve field");
        (field("reserved_storage_bytes"), field("reserved"))
    };
    let before = reserved(&f.chain);
    let (add_proposal, out) = measure(&mut f.chain, &dao, |c| {
        c.call(&founder, &dao, "add_proposal")
            .args_json(json!({"description": DAO_BENCH_DESCRIPTION, "kind": kind}))
            .deposit(deposit)
            .transact()
    });
    let id: String = out.json().expect("proposal id");
    let after = reserved(&f.chain);
    let reserve = Reserve { bytes: (after.0 - before.0) as u64, yocto: after.1 - before.1 };
    let mut votes = Vec::new();
    for i in 0..2 {
        let voter = dao_member(&f.chain, i);
        let name = voter.as_str().strip_suffix(&format!(".{}", f.chain.root())).expect("sub-account").to_string();
        if f.chain.view_account(&voter).is_none() {
            new_chain_account(&mut f.chain, &name, near(5));
        }
        let (cost, out) = measure(&mut f.chain, &dao, |c| {
            c.call(&voter, &dao, "vote")
                .args_json(json!({"id": id, "choice": "yes"}))
                .gas(Gas::from_teragas(30))
                .transact()
        });
        assert_eq!(out.json::<String>().expect("status"), "active", "a vote that does not decide");
        votes.push(cost);
    }
    let voter = dao_member(&f.chain, 0);
    let (changed_vote, out) = measure(&mut f.chain, &dao, |c| {
        c.call(&voter, &dao, "vote")
            .args_json(json!({"id": id, "choice": "abstain"}))
            .gas(Gas::from_teragas(30))
            .transact()
    });
    assert_eq!(out.json::<String>().expect("status"), "active", "a changed vote that does not decide");
    let tally: Value = f.chain.view_json(&dao, "get_proposal", json!({"id": id}));
    assert_eq!((&tally["tally"]["yes"], &tally["tally"]["abstain"]), (&json!(1), &json!(1)), "votes counted: {tally}");
    assert_eq!(tally["electorate"], json!(f.members), "electorate snapshot: {tally}");
    let [vote, second_vote] = votes.try_into().expect("two votes");
    let deciding_vote = (f.members <= 100).then(|| {
        let mut i = 2;
        loop {
            let voter = dao_member(&f.chain, i);
            let name = voter.as_str().strip_suffix(&format!(".{}", f.chain.root())).expect("sub-account").to_string();
            if f.chain.view_account(&voter).is_none() {
                new_chain_account(&mut f.chain, &name, near(5));
            }
            let (cost, out) = measure(&mut f.chain, &dao, |c| {
                c.call(&voter, &dao, "vote")
                    .args_json(json!({"id": id, "choice": "yes"}))
                    .gas(Gas::from_teragas(30))
                    .transact()
            });
            if out.json::<String>().expect("status") == "passed" {
                break cost;
            }
            i += 1;
            assert!(i < f.members, "the proposal should pass before every member has voted");
        }
    });
    DaoCosts { members: f.members, add_proposal, reserve, vote, second_vote, changed_vote, deciding_vote }
}

// ----- community-dao: delegation --------------------------------------------

/// A DAO of `2 * delegators + 3` members in which members `0..delegators`
/// delegate their text votes to the founder: the founder's vote then carries
/// `delegators + 1` of the electorate's weight, short of half (it decides nothing).
pub struct DelegationFixture {
    pub dao: DaoFixture,
    pub delegators: u32,
}

pub fn delegation_fixture(wasm: &[u8], delegators: u32) -> DelegationFixture {
    let members = 2 * delegators + 3;
    let mut chain = Chain::new();
    let dao = new_chain_account(&mut chain, "dao", near(50));
    let founder = new_chain_account(&mut chain, "founder", near(50));
    chain.deploy(&dao, wasm).assert_success();
    let params = format!("dao={dao};founder={founder};members={members};delegators={delegators}");
    let seeding = seed_into(&mut chain, &dao, "community-dao-delegation", wasm, &params, |c| {
        let to = sdk_account(founder.as_str());
        seed_dao_then(c, &dao, &founder, members, |native| {
            for i in 0..delegators {
                let who = dao_member(c, i);
                native.call(who.as_str(), DELEGATION_DEPOSIT.as_yoctonear(), |d: &mut community_dao::Contract| {
                    d.delegate(to.clone(), community_dao::KindSet::of(&[community_dao::KindLabel::Text]), None)
                });
            }
        })
    });
    let weight: u32 = chain.view_json(&dao, "get_delegated_weight", json!({"account_id": founder, "kind": "text"}));
    assert_eq!(weight, delegators, "seeded delegations");
    top_up_voting_reserve(&mut chain, &dao, members);
    DelegationFixture { dao: DaoFixture { chain, dao, founder, members, seeding }, delegators }
}

/// Deposit sent with `delegate` / `undelegate` (the storage they add; the rest is refunded).
pub const DELEGATION_DEPOSIT: NearToken = millinear(10);

/// What delegation costs on a DAO.
#[derive(Clone, Debug)]
pub struct DelegationCosts {
    pub delegators: u32,
    /// The founder's first vote, carrying its delegators' weight.
    pub delegate_vote: Cost,
    /// A delegator voting in person after its delegate: takes its weight back.
    pub override_vote: Cost,
    /// A member who never delegated delegating to the founder.
    pub delegate: Cost,
    /// A delegator withdrawing its delegation.
    pub undelegate: Cost,
}

fn member_on_chain(chain: &mut Chain, i: u32) -> AccountId {
    let who = dao_member(chain, i);
    let name = who.as_str().strip_suffix(&format!(".{}", chain.root())).expect("sub-account").to_string();
    if chain.view_account(&who).is_none() {
        new_chain_account(chain, &name, near(5));
    }
    who
}

pub fn delegation_costs(f: &mut DelegationFixture) -> DelegationCosts {
    let d = &mut f.dao;
    let kind = json!({"type": "text"});
    let deposit: String = d.chain.view_json(
        &d.dao,
        "get_proposal_deposit",
        json!({"proposer": d.founder, "description": DAO_BENCH_DESCRIPTION, "kind": kind}),
    );
    let deposit = NearToken::from_yoctonear(deposit.parse().expect("yocto"));
    let (dao, founder) = (d.dao.clone(), d.founder.clone());
    let out = d
        .chain
        .call(&founder, &dao, "add_proposal")
        .args_json(json!({"description": DAO_BENCH_DESCRIPTION, "kind": kind}))
        .deposit(deposit)
        .transact();
    out.assert_success();
    let id: String = out.json().expect("proposal id");
    let vote = |c: &mut Chain, who: &AccountId, choice: &str| {
        c.call(who, &dao, "vote").args_json(json!({"id": id, "choice": choice})).gas(Gas::from_teragas(30)).transact()
    };
    let (delegate_vote, out) = measure(&mut d.chain, &dao, |c| vote(c, &founder, "yes"));
    assert_eq!(out.json::<String>().expect("status"), "active");
    let v: Value = d.chain.view_json(&dao, "get_vote", json!({"id": id, "account_id": founder}));
    assert_eq!(v["weight"], json!(f.delegators + 1), "the delegate's weight: {v}");
    let delegator = member_on_chain(&mut d.chain, 0);
    let (override_vote, out) = measure(&mut d.chain, &dao, |c| vote(c, &delegator, "no"));
    assert_eq!(out.json::<String>().expect("status"), "active");
    let p: Value = d.chain.view_json(&dao, "get_proposal", json!({"id": id}));
    assert_eq!((&p["tally"]["yes"], &p["tally"]["no"]), (&json!(f.delegators), &json!(1)), "override: {p}");
    let newcomer = member_on_chain(&mut d.chain, f.delegators);
    let (delegate, _) = measure(&mut d.chain, &dao, |c| {
        c.call(&newcomer, &dao, "delegate")
            .args_json(json!({"delegate": founder, "kinds": ["text"]}))
            .deposit(DELEGATION_DEPOSIT)
            .gas(Gas::from_teragas(30))
            .transact()
    });
    let leaver = member_on_chain(&mut d.chain, f.delegators.saturating_sub(1));
    let (undelegate, _) = measure(&mut d.chain, &dao, |c| {
        c.call(&leaver, &dao, "undelegate")
            .args_json(json!({}))
            .deposit(DELEGATION_DEPOSIT)
            .gas(Gas::from_teragas(30))
            .transact()
    });
    DelegationCosts { delegators: f.delegators, delegate_vote, override_vote, delegate, undelegate }
}

// ----- model-registry --------------------------------------------------------

/// The model every registry fixture holds.
pub const MODEL: &str = "commons-chat";

/// Weights digest of version `v`.
pub fn weights(v: u32) -> Digest32 {
    sha(&format!("{MODEL} weights manifest v{v}"))
}

/// Arguments of `submit_version` for version `v` (same sizes for every `v`).
fn version_args(v: u32, consent: &str) -> Value {
    let parent = if v > 1 { json!({"model_id": MODEL, "version": v - 1}) } else { Value::Null };
    json!({
        "model_id": MODEL,
        "weights_digest": weights(v),
        "artifact_uri": format!("ipfs://bafy-commons-chat-weights-{v:08}"),
        "parent": parent,
        "training": {
            "code_digest": sha("training container"),
            "dataset_digest": sha("dataset"),
            "consent_contract": consent,
            "consent_snapshot_id": "1"
        },
        "eval_report_digest": sha(&format!("eval v{v}")),
        "metadata": format!("{{\"run\":\"v{v:08}\"}}"),
    })
}

/// Deposits the registry calls attach (excess refunded).
const SUBMIT_DEPOSIT: NearToken = millinear(50);
const ALIAS_DEPOSIT: NearToken = millinear(10);

/// The state of a registry (`owner` governs, publishing open) holding one
/// model with `versions` versions, each submitted by `publisher`, approved by
/// the owner and made `production` in turn (so the alias history holds
/// `versions` moves).
pub fn seed_registry(
    chain: &Chain,
    registry: &AccountId,
    owner: &AccountId,
    publisher: &AccountId,
    versions: u32,
) -> State {
    use model_registry::{Contract, ParentRef, TrainingRecord};
    let mut native = Native::new(registry, native_start(chain));
    let owner_id = sdk_account(owner.as_str());
    native.init(registry.as_str(), || Contract::new(owner_id.clone(), Some(true)));
    let (o, p) = (owner.as_str(), publisher.as_str());
    native.call(p, millinear(20).as_yoctonear(), |c: &mut Contract| {
        c.register_model(
            MODEL.into(),
            "Commons Chat".into(),
            "text-generation".into(),
            "apache-2.0".into(),
            "ipfs://bafy-commons-chat-card".into(),
            sha("model card"),
        )
    });
    let consent = format!("consent.{}", chain.root());
    for v in 1..=versions {
        // The same arguments the chain-side calls send, through their JSON form.
        let args = version_args(v, &consent);
        let parent: Option<ParentRef> = serde_json::from_value(args["parent"].clone()).expect("parent");
        let training: TrainingRecord = serde_json::from_value(args["training"].clone()).expect("training");
        let number = native.call(p, SUBMIT_DEPOSIT.as_yoctonear(), |c: &mut Contract| {
            c.submit_version(
                MODEL.into(),
                weights(v),
                args["artifact_uri"].as_str().expect("uri").into(),
                parent,
                training,
                Some(sha(&format!("eval v{v}"))),
                args["metadata"].as_str().map(String::from),
            )
        });
        assert_eq!(number, v);
        native.call(o, 0, |c: &mut Contract| c.approve_version(MODEL.into(), v));
        native.call(o, ALIAS_DEPOSIT.as_yoctonear(), |c: &mut Contract| {
            c.set_alias(MODEL.into(), "production".into(), v)
        });
    }
    check_native_clock(chain, native.now);
    native.into_state()
}

pub struct RegistryFixture {
    pub chain: Chain,
    pub registry: AccountId,
    pub owner: AccountId,
    pub publisher: AccountId,
    pub versions: u32,
    pub seeding: Seeding,
}

pub fn registry_fixture(wasm: &[u8], versions: u32) -> RegistryFixture {
    let mut chain = Chain::new();
    let registry = new_chain_account(&mut chain, "registry", near(50));
    let owner = new_chain_account(&mut chain, "owner", near(50));
    let publisher = new_chain_account(&mut chain, "publisher", near(50));
    chain.deploy(&registry, wasm).assert_success();
    let params = format!("registry={registry};owner={owner};publisher={publisher};versions={versions}");
    let seeding = seed_into(&mut chain, &registry, "model-registry", wasm, &params, |c| {
        seed_registry(c, &registry, &owner, &publisher, versions)
    });
    let model: Value = chain.view_json(&registry, "get_model", json!({"model_id": MODEL}));
    assert_eq!(model["version_count"], json!(versions), "seeded versions: {model}");
    RegistryFixture { chain, registry, owner, publisher, versions, seeding }
}

#[derive(Clone, Debug)]
pub struct RegistryCosts {
    pub versions: u32,
    pub submit_version: Cost,
    pub approve_version: Cost,
    pub set_alias: Cost,
    /// VM gas of the `version_status` view.
    pub version_status_gas: u64,
}

/// Submits version n+1, approves it, moves `production` to it, reads its status.
pub fn registry_costs(f: &mut RegistryFixture) -> RegistryCosts {
    let next = f.versions + 1;
    let consent = format!("consent.{}", f.chain.root());
    let (registry, owner, publisher) = (f.registry.clone(), f.owner.clone(), f.publisher.clone());
    let (submit_version, out) = measure(&mut f.chain, &registry, |c| {
        c.call(&publisher, &registry, "submit_version")
            .args_json(version_args(next, &consent))
            .deposit(SUBMIT_DEPOSIT)
            .transact()
    });
    assert_eq!(out.json::<u32>().expect("number"), next);
    let (approve_version, _) = measure(&mut f.chain, &registry, |c| {
        c.call(&owner, &registry, "approve_version").args_json(json!({"model_id": MODEL, "version": next})).transact()
    });
    let (set_alias, _) = measure(&mut f.chain, &registry, |c| {
        c.call(&owner, &registry, "set_alias")
            .args_json(json!({"model_id": MODEL, "alias": "production", "version": next}))
            .deposit(ALIAS_DEPOSIT)
            .transact()
    });
    let (version_status_gas, status) =
        view_gas(&f.chain, &registry, "version_status", json!({"model_id": MODEL, "version": next}));
    assert_eq!(status["status"], json!("approved"), "{status}");
    let history: Value = f.chain.view_json(
        &registry,
        "get_alias_history",
        json!({"model_id": MODEL, "alias": "production", "from_index": f.versions, "limit": 1}),
    );
    assert_eq!(history.as_array().map(Vec::len), Some(1), "alias history has {next} moves: {history}");
    RegistryCosts { versions: f.versions, submit_version, approve_version, set_alias, version_status_gas }
}

// ----- data-consent ----------------------------------------------------------

/// Storage deposit every seeded user (and the probe user) makes.
const CONSENT_STORAGE_DEPOSIT: NearToken = millinear(10);

/// Account of the `i`-th seeded user.
pub fn consent_user(chain: &Chain, i: u32) -> AccountId {
    format!("u{i:06}.{}", chain.root()).parse().expect("user account id")
}

fn grant_args(grantee: &AccountId, user: &AccountId) -> Value {
    json!({
        "grantee": grantee,
        "purpose": "training",
        "categories": ["text", "code"],
        "data_commitment": sha(&format!("data of {user}")),
    })
}

/// The state of a data-consent deployment holding `grants` grants: users
/// `consent_user(0..grants)` each deposit storage and grant `grantee` training
/// consent (so the grantee's hash chain has `grants` events).
pub fn seed_consent(chain: &Chain, consent: &AccountId, grantee: &AccountId, grants: u32) -> State {
    use data_consent::Contract;
    let mut native = Native::new(consent, native_start(chain));
    native.init(consent.as_str(), || Contract::new(None));
    let grantee_id = sdk_account(grantee.as_str());
    for i in 0..grants {
        let user = consent_user(chain, i);
        let args = grant_args(grantee, &user);
        let categories: Vec<String> = serde_json::from_value(args["categories"].clone()).expect("categories");
        native.call(user.as_str(), CONSENT_STORAGE_DEPOSIT.as_yoctonear(), |c: &mut Contract| {
            c.storage_deposit(None, None)
        });
        native.call(user.as_str(), 0, |c: &mut Contract| {
            c.grant(
                grantee_id.clone(),
                ConsentPurpose::Training,
                None,
                Some(categories),
                Some(sha(&format!("data of {user}"))),
                None,
                None,
            )
        });
    }
    check_native_clock(chain, native.now);
    native.into_state()
}

pub struct ConsentFixture {
    pub chain: Chain,
    pub consent: AccountId,
    pub grantee: AccountId,
    pub grants: u32,
    pub seeding: Seeding,
}

pub fn consent_fixture(wasm: &[u8], grants: u32) -> ConsentFixture {
    let mut chain = Chain::new();
    let consent = new_chain_account(&mut chain, "consent", near(50));
    let grantee = new_chain_account(&mut chain, "lab", near(50));
    chain.deploy(&consent, wasm).assert_success();
    let params = format!("consent={consent};grantee={grantee};grants={grants}");
    let seeding =
        seed_into(&mut chain, &consent, "data-consent", wasm, &params, |c| seed_consent(c, &consent, &grantee, grants));
    let head: Value = chain.view_json(&consent, "get_chain_head", json!({"grantee": grantee, "purpose": "training"}));
    assert_eq!(head["grantor_count"], json!(grants), "seeded grants: {head}");
    ConsentFixture { chain, consent, grantee, grants, seeding }
}

#[derive(Clone, Debug)]
pub struct ConsentCosts {
    pub grants: u32,
    pub grant: Cost,
    pub revoke: Cost,
    /// VM gas of the `is_allowed` view (a live grant).
    pub is_allowed_gas: u64,
}

/// A new user deposits storage, grants, is checked, revokes, is checked again.
pub fn consent_costs(f: &mut ConsentFixture) -> ConsentCosts {
    let (consent, grantee) = (f.consent.clone(), f.grantee.clone());
    let user = new_chain_account(&mut f.chain, "probe", near(5));
    f.chain
        .call(&user, &consent, "storage_deposit")
        .args_json(json!({}))
        .deposit(CONSENT_STORAGE_DEPOSIT)
        .transact()
        .assert_success();
    let (grant, _) = measure(&mut f.chain, &consent, |c| {
        c.call(&user, &consent, "grant").args_json(grant_args(&grantee, &user)).transact()
    });
    let check = json!({"user": user, "grantee": grantee, "purpose": "training"});
    let (is_allowed_gas, allowed) = view_gas(&f.chain, &consent, "is_allowed", check.clone());
    assert_eq!(allowed, json!(true));
    let (revoke, _) = measure(&mut f.chain, &consent, |c| {
        c.call(&user, &consent, "revoke").args_json(json!({"grantee": grantee, "purpose": "training"})).transact()
    });
    assert!(!f.chain.view_json::<bool>(&consent, "is_allowed", check), "revoked grant still allowed");
    ConsentCosts { grants: f.grants, grant, revoke, is_allowed_gas }
}

// ----- inference-attestation -------------------------------------------------

/// Deposit attached to `submit_receipt` (≥ the contract's `submit_deposit`; excess refunded).
pub const RECEIPT_DEPOSIT: NearToken = millinear(20);
/// Gas attached to `submit_receipt`.
pub const RECEIPT_GAS: Gas = Gas::from_teragas(150);

/// The attester key of every attestation fixture.
pub fn attester_signer() -> AttesterSigner {
    AttesterSigner::from_seed(*sha("bench attester").as_bytes())
}

/// A receipt for model version 1 with `nonce`, signed at `timestamp`.
pub fn bench_receipt(signer: &AttesterSigner, requester: &AccountId, nonce: u64, timestamp: u64) -> InferenceReceipt {
    let salt = nonce.to_le_bytes();
    InferenceReceipt {
        model_id: MODEL.into(),
        version: 1,
        weights_digest: weights(1),
        request_commitment: commit(&salt, b"What does our charter say about consent?"),
        response_commitment: commit(&salt, b"Consent is specific, expiring and revocable."),
        requester: sdk_account(requester.as_str()),
        attester_key: signer.public_key(),
        nonce: U64(nonce),
        timestamp: U64(timestamp),
    }
}

/// The arguments `submit_receipt` schedules for its callback (borsh).
#[derive(near_sdk::borsh::BorshDeserialize)]
#[borsh(crate = "near_sdk::borsh")]
struct CallbackArgs {
    operator: near_sdk::AccountId,
    receipt: InferenceReceipt,
    submitter: near_sdk::AccountId,
    deposit: near_sdk::NearToken,
    reserved_bytes: U64,
}

/// The state of an attestation contract (`owner` governs, `registry` answers)
/// that admitted `operator` with [`attester_signer`] for every model and
/// stored `receipts` receipts of `requester` for model version 1 (nonces
/// 0..receipts). Each goes through `submit_receipt` (checks, signature, nonce
/// reservation) and then `on_version_status` with the arguments
/// `submit_receipt` really scheduled and the registry's "approved" answer.
pub fn seed_attestation(
    chain: &Chain,
    attestation: &AccountId,
    owner: &AccountId,
    registry: &AccountId,
    operator: &AccountId,
    requester: &AccountId,
    receipts: u32,
) -> State {
    use inference_attestation::Contract;
    let mut native = Native::new(attestation, native_start(chain));
    let (owner_id, registry_id) = (sdk_account(owner.as_str()), sdk_account(registry.as_str()));
    native.init(attestation.as_str(), || Contract::new(owner_id.clone(), registry_id.clone(), None));
    let signer = attester_signer();
    let operator_id = sdk_account(operator.as_str());
    native.call(owner.as_str(), millinear(100).as_yoctonear(), |c: &mut Contract| {
        c.admit_attester_keys(
            operator_id.clone(),
            vec![signer.public_key()],
            "intel-tdx".into(),
            vec![sha("mrtd")],
            None,
            None,
        )
    });
    let contract = sdk_account(attestation.as_str());
    let answer = VersionStatusView { status: VersionStatus::Approved, weights_digest: weights(1) };
    let answer_bytes = serde_json::to_vec(&Some(answer.clone())).expect("json");
    for nonce in 0..receipts as u64 {
        let receipt = bench_receipt(&signer, requester, nonce, native.now);
        let signature = signer.sign(&receipt, &contract);
        native.call(requester.as_str(), RECEIPT_DEPOSIT.as_yoctonear(), |c: &mut Contract| {
            drop(c.submit_receipt(receipt, signature));
        });
        let args: CallbackArgs = near_sdk::test_utils::get_created_receipts()
            .into_iter()
            .flat_map(|r| r.actions)
            .find_map(|a| match a {
                MockAction::FunctionCallWeight { method_name, args, .. } if method_name == b"on_version_status" => {
                    Some(near_sdk::borsh::from_slice(&args).expect("callback args"))
                }
                _ => None,
            })
            .expect("submit_receipt schedules on_version_status");
        let stored = native.callback(vec![PromiseResult::Successful(answer_bytes.clone())], |c: &mut Contract| {
            c.on_version_status(
                args.operator,
                args.receipt,
                args.submitter,
                args.deposit,
                args.reserved_bytes,
                Ok(Some(answer.clone())),
            )
        });
        assert!(matches!(stored, PromiseOrValue::Value(id) if id.0 == nonce), "receipt {nonce} stored");
    }
    check_native_clock(chain, native.now);
    native.into_state()
}

pub struct AttestationFixture {
    pub chain: Chain,
    pub attestation: AccountId,
    pub registry: AccountId,
    pub owner: AccountId,
    pub operator: AccountId,
    pub requester: AccountId,
    pub receipts: u32,
    pub seeding: Seeding,
}

/// A real registry (one approved version, by real transactions) and an
/// attestation contract seeded with `receipts` receipts.
pub fn attestation_fixture(registry_wasm: &[u8], attestation_wasm: &[u8], receipts: u32) -> AttestationFixture {
    let mut chain = Chain::new();
    let registry = new_chain_account(&mut chain, "registry", near(50));
    let attestation = new_chain_account(&mut chain, "attestation", near(50));
    let owner = new_chain_account(&mut chain, "owner", near(50));
    let publisher = new_chain_account(&mut chain, "publisher", near(50));
    let operator = new_chain_account(&mut chain, "node", near(5));
    let requester = new_chain_account(&mut chain, "alice", near(50));
    chain.deploy(&registry, registry_wasm).assert_success();
    chain.deploy(&attestation, attestation_wasm).assert_success();
    let consent = format!("consent.{}", chain.root());
    let calls = [
        (&registry, "new", json!({"owner": owner, "open_publishing": true}), NearToken::from_yoctonear(0)),
        (
            &publisher,
            "register_model",
            json!({"model_id": MODEL, "name": "Commons Chat", "task": "text-generation", "license": "apache-2.0",
                   "card_uri": "ipfs://bafy-commons-chat-card", "card_digest": sha("model card")}),
            millinear(20),
        ),
        (&publisher, "submit_version", version_args(1, &consent), SUBMIT_DEPOSIT),
        (&owner, "approve_version", json!({"model_id": MODEL, "version": 1}), NearToken::from_yoctonear(0)),
    ];
    for (signer, method, args, deposit) in calls {
        chain.call(signer, &registry, method).args_json(args).deposit(deposit).transact().assert_success();
    }
    let params = format!(
        "attestation={attestation};owner={owner};registry={registry};operator={operator};requester={requester};receipts={receipts}"
    );
    let seeding = seed_into(&mut chain, &attestation, "inference-attestation", attestation_wasm, &params, |c| {
        seed_attestation(c, &attestation, &owner, &registry, &operator, &requester, receipts)
    });
    let config: Value = chain.view_json(&attestation, "get_config", json!({}));
    assert_eq!(config["receipt_count"], json!(receipts.to_string()), "seeded receipts: {config}");
    AttestationFixture { chain, attestation, registry, owner, operator, requester, receipts, seeding }
}

#[derive(Clone, Debug)]
pub struct AttestationCosts {
    pub receipts: u32,
    /// The whole submission: `vm_gas` is the attestation contract's
    /// (`submit_receipt` + `on_version_status`), `total_gas` the transaction's.
    pub submit: Cost,
    /// VM gas of the registry's `version_status` receipt within the submission.
    pub submit_registry_vm_gas: u64,
    /// (view, VM gas) of each view.
    pub views: Vec<(&'static str, u64)>,
}

/// Page size the paginated views are measured with (full pages in every fixture).
pub const VIEW_PAGE: u32 = 10;

/// Submits one more receipt (nonce n) and calls every view.
pub fn attestation_costs(f: &mut AttestationFixture) -> AttestationCosts {
    let (attestation, registry, requester) = (f.attestation.clone(), f.registry.clone(), f.requester.clone());
    let signer = attester_signer();
    let nonce = f.receipts as u64;
    let receipt = bench_receipt(&signer, &requester, nonce, f.chain.block_timestamp());
    let contract = sdk_account(attestation.as_str());
    let signature = signer.sign(&receipt, &contract);
    let (submit, out) = measure(&mut f.chain, &attestation, |c| {
        c.call(&requester, &attestation, "submit_receipt")
            .args_json(json!({"receipt": receipt, "signature": signature}))
            .deposit(RECEIPT_DEPOSIT)
            .gas(RECEIPT_GAS)
            .transact()
    });
    let id: String = out.json().expect("receipt id");
    assert_eq!(id, nonce.to_string());
    assert_eq!(out.events_named("inference_attestation", "receipt_stored").len(), 1);
    let submit_registry_vm_gas = out.vm_gas_on(&registry).as_gas();
    assert!(submit_registry_vm_gas > 0, "the registry was asked");

    let (operator, page) = (f.operator.clone(), VIEW_PAGE);
    let key = signer.public_key();
    let views: Vec<(&'static str, Value)> = vec![
        ("get_receipt", json!({"receipt_id": id})),
        ("get_receipts_by_requester", json!({"requester": requester, "from_index": 0, "limit": page})),
        ("get_receipts_by_model", json!({"model_id": MODEL, "version": 1, "from_index": 0, "limit": page})),
        ("get_receipts_by_attester", json!({"operator": operator, "from_index": 0, "limit": page})),
        ("get_receipt_count_by_requester", json!({"requester": requester})),
        ("get_receipt_count_by_model", json!({"model_id": MODEL})),
        ("get_receipt_count_by_attester", json!({"operator": operator})),
        ("get_attester", json!({"operator": operator})),
        ("get_attester_by_key", json!({"public_key": key})),
        ("get_attesters", json!({})),
        ("get_config", json!({})),
        ("is_nonce_used", json!({"operator": operator, "nonce": nonce.to_string()})),
        ("receipt_digest", json!({"receipt": receipt})),
    ];
    let mut gas = Vec::new();
    for (method, args) in views {
        let (g, value) = view_gas(&f.chain, &attestation, method, args);
        match method {
            "get_receipt" => assert_eq!(value["receipt"]["nonce"], json!(nonce.to_string()), "{value}"),
            m if m.starts_with("get_receipts_by") => {
                assert_eq!(value.as_array().map(Vec::len), Some(page.min(f.receipts + 1) as usize), "{m}")
            }
            m if m.starts_with("get_receipt_count") => assert_eq!(value, json!((f.receipts + 1).to_string()), "{m}"),
            "is_nonce_used" => assert_eq!(value, json!(true)),
            _ => {}
        }
        gas.push((method, g));
    }
    AttestationCosts { receipts: f.receipts, submit, submit_registry_vm_gas, views: gas }
}

// ----- the embedded chain itself ---------------------------------------------

/// Wall time and gas of a simple function call (chain-probe `set`).
#[derive(Clone, Debug)]
pub struct CallTiming {
    pub calls: usize,
    pub median_us: f64,
    pub p90_us: f64,
    pub vm_gas: u64,
    pub total_gas: u64,
}

/// Times `calls` calls of chain-probe's `set` after `warmup` calls.
pub fn time_simple_call(probe_wasm: &[u8], warmup: usize, calls: usize) -> CallTiming {
    let mut chain = Chain::new();
    let probe = chain.create_account("probe", near(10));
    let caller = chain.create_account("caller", near(10));
    chain.deploy(&probe, probe_wasm).assert_success();
    let mut last = None;
    let mut times = Vec::with_capacity(calls);
    for i in 0..warmup + calls {
        let started = std::time::Instant::now();
        let out = chain.call(&caller, &probe, "set").args_json(json!({"value": i.to_string()})).transact();
        let elapsed = started.elapsed();
        out.assert_success();
        if i >= warmup {
            times.push(elapsed.as_secs_f64() * 1e6);
        }
        last = Some(out);
    }
    times.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let last = last.expect("at least one call");
    CallTiming {
        calls,
        median_us: at(0.5),
        p90_us: at(0.9),
        vm_gas: last.first_vm_gas().as_gas(),
        total_gas: last.total_gas_burnt,
    }
}
