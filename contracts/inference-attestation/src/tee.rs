//! Hardware-rooted attesters: admission by an Intel TDX quote.
//!
//! The owner (the community DAO, by proposal) names the tee-verifier it
//! trusts, the TCB statuses it accepts, the longest an admission lasts, and
//! approves or withdraws measurement sets (MRTD, RTMR0-2 and the application
//! in RTMR3) and, optionally, platforms (PPIDs). Anyone may then:
//!
//! 1. `issue_tee_challenge`: a fresh 32-byte challenge, valid for
//!    `challenge_ttl_ns`;
//! 2. have a TD quote the report data `attestation_signer::tee::admission_report_data`
//!    computes (this contract's account, the signing key, the weights digests
//!    it will serve, the challenge);
//! 3. `admit_attester_by_quote`: the challenge is consumed and the key bound
//!    (reserved) before the call to the verifier; the private callback checks
//!    the verified report against the policy and the binding, then admits the
//!    caller as an attester until `min(now + max_admission_age,
//!    collateral expiry)`; on any refusal the challenge and key are released,
//!    the deposit refunded, and the transaction fails with the reason.
//!
//! An admitted attester's receipts are refused once its measurement set or
//! platform is withdrawn or its admission expired, and `prune_tee_attester`
//! (anyone) revokes it then. TEE state lives under its own storage keys, so
//! DAO-admitted attesters and their receipts cost exactly what they did.

use crate::attesters::{Attester, MAX_MODELS_PER_ATTESTER, MAX_REASON_LEN};
use crate::events::AttestationEvent;
use crate::storage::settle;
use crate::{errors::*, Contract, ContractExt, StorageKey};
use ai_commons_primitives::receipt::Ed25519PublicKey;
use ai_commons_primitives::storage::storage_cost;
use ai_commons_primitives::tee::{
    admission_preimage, admission_report_data, ext_tee_verifier, Measurement48, TeeType, VerifiedQuote,
};
use ai_commons_primitives::{validate_bounded, Digest32, Page, StorageMeter};
use near_sdk::json_types::{Base64VecU8, U64};
use near_sdk::store::{IterableMap, LazyOption, LookupMap};
use near_sdk::{env, near, require, AccountId, Gas, NearToken, Promise, PromiseError, PromiseOrValue};

/// `tee_kind` of attesters admitted by quote; the owner cannot use it.
pub const TEE_KIND_TDX_QUOTE: &str = "intel-tdx-quote";
/// Gas for the verifier's `verify_quote` (a TDX quote burns ~110 Tgas).
pub const GAS_FOR_VERIFY_QUOTE: Gas = Gas::from_tgas(150);
/// Gas for `on_quote_verified`.
pub const GAS_FOR_ON_QUOTE_VERIFIED: Gas = Gas::from_tgas(25);
/// Gas for `fail_tee_admission`.
pub const GAS_FOR_FAIL_ADMISSION: Gas = Gas::from_tgas(5);
const GAS_ADMIT_MARGIN: Gas = Gas::from_tgas(10);
/// Longest verifier answer the callback reads (a `VerifiedQuote` is ~1 kB).
pub const MAX_VERIFIER_ANSWER_BYTES: usize = 4_096;
/// Upper bound of the bytes an admission by quote stores: the attester
/// record, its key binding, its place in the list and its evidence.
pub const MAX_ADMISSION_STORAGE_BYTES: u64 = 3_000;
/// Upper bound of the bytes a challenge stores.
pub const MAX_CHALLENGE_STORAGE_BYTES: u64 = 250;
pub const MAX_LABEL_LEN: usize = 128;
pub const MAX_TCB_STATUSES: usize = 8;
const MAX_TCB_STATUS_LEN: usize = 64;
const MIN_AGE_NS: u64 = 60 * 1_000_000_000;
const MAX_ADMISSION_AGE_NS: u64 = 366 * 24 * 3600 * 1_000_000_000;
const MAX_CHALLENGE_TTL_NS: u64 = 24 * 3600 * 1_000_000_000;

/// What the owner decided about admission by quote.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeePolicy {
    /// The tee-verifier account whose reports this contract trusts.
    pub verifier: AccountId,
    /// Converged TCB statuses accepted, e.g. `["UpToDate"]`.
    pub accepted_tcb_statuses: Vec<String>,
    /// An admission lasts at most this long (ns), and never past its collateral.
    pub max_admission_age_ns: U64,
    /// A challenge must be used within this long (ns) of being issued.
    pub challenge_ttl_ns: U64,
    /// When true, only approved platforms (PPIDs) are admitted.
    pub restrict_platforms: bool,
}

/// A set of TDX measurements the owner approved.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeasurementSet {
    /// What it is, e.g. "commons-node 1.4.2 (dstack 0.5, compose sha256:…)".
    pub label: String,
    pub mr_td: Measurement48,
    pub rtmr0: Measurement48,
    pub rtmr1: Measurement48,
    pub rtmr2: Measurement48,
    /// The application (compose file / image) as extended into RTMR3.
    pub rtmr3: Measurement48,
    /// Block time of approval: an admission names the approval it relied on,
    /// so withdrawing then approving the same registers again does not revive it.
    pub approved_at: U64,
}

impl MeasurementSet {
    /// The set's id: SHA-256 of the five registers, in order.
    pub fn id_of(mr_td: &Measurement48, rtmrs: [&Measurement48; 4]) -> Digest32 {
        let mut bytes = Vec::with_capacity(48 * 5);
        bytes.extend_from_slice(&mr_td.0);
        for r in rtmrs {
            bytes.extend_from_slice(&r.0);
        }
        Digest32::sha256(&bytes)
    }

    pub fn id(&self) -> Digest32 {
        Self::id_of(&self.mr_td, [&self.rtmr0, &self.rtmr1, &self.rtmr2, &self.rtmr3])
    }
}

/// A challenge issued for one admission.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeeChallenge {
    /// Who asked (and paid for) it; only they may use it.
    pub issued_to: AccountId,
    pub expires_at: U64,
    /// Deposit paid for its storage, refunded when it is used.
    pub deposit: NearToken,
}

/// The evidence an attester was admitted with (the verified quote's fields).
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeeEvidence {
    pub verifier: AccountId,
    pub measurement_set: Digest32,
    pub measurement_set_approved_at: U64,
    pub mr_td: Measurement48,
    pub rtmrs: [Measurement48; 4],
    pub tcb_status: String,
    pub advisory_ids: Vec<String>,
    pub ppid: String,
    pub fmspc: String,
    pub report_data: Base64VecU8,
    pub challenge: Digest32,
    /// Weights digests bound in the report data: receipts must name one of them.
    pub weights_digests: Vec<Digest32>,
    pub verified_at: U64,
    pub collateral_expires_at: U64,
    pub root_ca_sha256: Digest32,
}

/// What `admit_attester_by_quote` asked for, carried to its callback.
struct AdmissionRequest {
    operator: AccountId,
    public_key: Ed25519PublicKey,
    weights_digests: Vec<Digest32>,
    challenge: Digest32,
    issued: TeeChallenge,
    deposit: NearToken,
    reserved_bytes: u64,
}

/// Why a quote-admitted attester may no longer sign, if it may not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TeeLapse {
    MeasurementsWithdrawn,
    PlatformWithdrawn,
    Expired,
}

impl TeeLapse {
    pub fn message(self) -> &'static str {
        match self {
            TeeLapse::MeasurementsWithdrawn => ERR_TEE_MEASUREMENTS_WITHDRAWN,
            TeeLapse::PlatformWithdrawn => ERR_TEE_PLATFORM_WITHDRAWN,
            TeeLapse::Expired => ERR_TEE_ADMISSION_EXPIRED,
        }
    }
}

fn policy_store() -> LazyOption<TeePolicy> {
    LazyOption::new(StorageKey::TeePolicy, None)
}
fn measurement_sets() -> IterableMap<Digest32, MeasurementSet> {
    IterableMap::new(StorageKey::TeeMeasurementSets)
}
/// PPID (lowercase hex) → block time of approval.
fn platforms() -> IterableMap<String, u64> {
    IterableMap::new(StorageKey::TeePlatforms)
}
fn challenges() -> LookupMap<Digest32, TeeChallenge> {
    LookupMap::new(StorageKey::TeeChallenges)
}
fn evidence() -> LookupMap<AccountId, TeeEvidence> {
    LookupMap::new(StorageKey::TeeEvidence)
}

fn strictly_ascending(digests: &[Digest32]) -> bool {
    digests.windows(2).all(|w| w[0] < w[1])
}

fn validate_ppid(ppid: &str) {
    let ok = !ppid.is_empty()
        && ppid.len() <= 64
        && ppid.len() % 2 == 0
        && ppid.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    require!(ok, ERR_TEE_PPID);
}

/// Why the verified report does not admit this binding, if it does not.
pub(crate) fn refusal(
    policy: &TeePolicy,
    report: &VerifiedQuote,
    set: Option<&MeasurementSet>,
    platform_allowed: bool,
    expected_report_data: &[u8; 64],
) -> Option<String> {
    if report.tee != TeeType::Tdx {
        return Some(ERR_TEE_NOT_TDX.to_string());
    }
    if !policy.accepted_tcb_statuses.contains(&report.tcb_status) {
        return Some(format!("{ERR_TEE_TCB_STATUS}: {} {:?}", report.tcb_status, report.advisory_ids));
    }
    if set.is_none() {
        return Some(ERR_TEE_MEASUREMENTS_NOT_APPROVED.to_string());
    }
    if policy.restrict_platforms && !platform_allowed {
        return Some(format!("{ERR_TEE_PLATFORM_NOT_ALLOWED}: {}", report.ppid));
    }
    if report.report_data.0.as_slice() != expected_report_data.as_slice() {
        return Some(ERR_TEE_REPORT_DATA.to_string());
    }
    None
}

#[near]
impl Contract {
    /// Sets the admission-by-quote policy. Caller: owner. Deposit: storage
    /// of the policy the first time (excess refunded). Emits `tee_policy_set`.
    #[payable]
    pub fn set_tee_policy(&mut self, policy: TeePolicy) {
        self.assert_owner();
        require!(!policy.accepted_tcb_statuses.is_empty(), ERR_TEE_NO_STATUSES);
        require!(policy.accepted_tcb_statuses.len() <= MAX_TCB_STATUSES, ERR_TEE_TOO_MANY_STATUSES);
        for status in &policy.accepted_tcb_statuses {
            validate_bounded("tcb status", status, MAX_TCB_STATUS_LEN).unwrap_or_else(|e| env::panic_str(&e));
            require!(status != "Revoked", ERR_TEE_REVOKED_STATUS);
        }
        require!((MIN_AGE_NS..=MAX_ADMISSION_AGE_NS).contains(&policy.max_admission_age_ns.0), ERR_TEE_ADMISSION_AGE);
        require!((MIN_AGE_NS..=MAX_CHALLENGE_TTL_NS).contains(&policy.challenge_ttl_ns.0), ERR_TEE_CHALLENGE_TTL);
        let meter = StorageMeter::start();
        let mut store = policy_store();
        store.set(Some(policy.clone()));
        store.flush();
        settle(meter, &env::predecessor_account_id(), env::attached_deposit());
        AttestationEvent::TeePolicySet(policy).emit();
    }

    /// Approves a measurement set (all five registers of a TD). Caller: owner.
    /// Deposit: its storage (excess refunded). Emits `tee_measurements_approved`.
    #[payable]
    pub fn approve_tee_measurements(
        &mut self,
        label: String,
        mr_td: Measurement48,
        rtmr0: Measurement48,
        rtmr1: Measurement48,
        rtmr2: Measurement48,
        rtmr3: Measurement48,
    ) -> Digest32 {
        self.assert_owner();
        require!(!label.trim().is_empty(), ERR_TEE_LABEL_EMPTY);
        validate_bounded("label", &label, MAX_LABEL_LEN).unwrap_or_else(|e| env::panic_str(&e));
        let set = MeasurementSet { label, mr_td, rtmr0, rtmr1, rtmr2, rtmr3, approved_at: U64(env::block_timestamp()) };
        let id = set.id();
        let mut sets = measurement_sets();
        require!(!sets.contains_key(&id), ERR_TEE_MEASUREMENTS_ALREADY_APPROVED);
        let meter = StorageMeter::start();
        sets.insert(id, set.clone());
        sets.flush();
        settle(meter, &env::predecessor_account_id(), env::attached_deposit());
        AttestationEvent::TeeMeasurementsApproved { id, set }.emit();
        id
    }

    /// Withdraws an approved measurement set: attesters admitted with it are
    /// refused at their next receipt and may be pruned. Caller: owner.
    /// Deposit: none (freed storage refunded). Emits `tee_measurements_withdrawn`.
    pub fn withdraw_tee_measurements(&mut self, id: Digest32, reason: String) {
        self.assert_owner();
        require!(!reason.trim().is_empty(), ERR_REASON_EMPTY);
        validate_bounded("reason", &reason, MAX_REASON_LEN).unwrap_or_else(|e| env::panic_str(&e));
        let mut sets = measurement_sets();
        let meter = StorageMeter::start();
        require!(sets.remove(&id).is_some(), ERR_TEE_MEASUREMENTS_UNKNOWN);
        sets.flush();
        settle(meter, &env::predecessor_account_id(), NearToken::from_yoctonear(0));
        AttestationEvent::TeeMeasurementsWithdrawn { id, reason }.emit();
    }

    /// Allows a platform (PPID, lowercase hex) when the policy restricts
    /// platforms. Caller: owner. Deposit: its storage. Emits `tee_platform_allowed`.
    #[payable]
    pub fn allow_tee_platform(&mut self, ppid: String) {
        self.assert_owner();
        validate_ppid(&ppid);
        let mut list = platforms();
        require!(!list.contains_key(&ppid), ERR_TEE_PLATFORM_ALREADY_ALLOWED);
        let meter = StorageMeter::start();
        list.insert(ppid.clone(), env::block_timestamp());
        list.flush();
        settle(meter, &env::predecessor_account_id(), env::attached_deposit());
        AttestationEvent::TeePlatformAllowed { ppid }.emit();
    }

    /// Withdraws a platform: attesters admitted on it are refused at their
    /// next receipt (when the policy restricts platforms) and may be pruned.
    /// Caller: owner. Deposit: none. Emits `tee_platform_withdrawn`.
    pub fn withdraw_tee_platform(&mut self, ppid: String, reason: String) {
        self.assert_owner();
        require!(!reason.trim().is_empty(), ERR_REASON_EMPTY);
        validate_bounded("reason", &reason, MAX_REASON_LEN).unwrap_or_else(|e| env::panic_str(&e));
        let mut list = platforms();
        let meter = StorageMeter::start();
        require!(list.remove(&ppid).is_some(), ERR_TEE_PLATFORM_UNKNOWN);
        list.flush();
        settle(meter, &env::predecessor_account_id(), NearToken::from_yoctonear(0));
        AttestationEvent::TeePlatformWithdrawn { ppid, reason }.emit();
    }

    /// Issues a fresh challenge to the caller for one admission by quote.
    /// Caller: anyone. Deposit: at least `get_tee_deposits().challenge`
    /// (excess refunded; the rest comes back when the challenge is used).
    /// Emits `tee_challenge_issued`. Returns the challenge.
    #[payable]
    pub fn issue_tee_challenge(&mut self) -> Digest32 {
        let policy = policy_store().get().clone().unwrap_or_else(|| env::panic_str(ERR_TEE_NOT_CONFIGURED));
        let caller = env::predecessor_account_id();
        let required = storage_cost(MAX_CHALLENGE_STORAGE_BYTES);
        let attached = env::attached_deposit();
        require!(attached >= required, ERR_TEE_CHALLENGE_DEPOSIT);
        // Unpredictable (block random seed) and unique (caller, height, storage usage).
        let mut seed = env::random_seed();
        seed.extend_from_slice(caller.as_bytes());
        seed.extend_from_slice(&env::block_height().to_le_bytes());
        seed.extend_from_slice(&env::storage_usage().to_le_bytes());
        let challenge = Digest32::sha256(&seed);
        let expires_at = U64(env::block_timestamp().saturating_add(policy.challenge_ttl_ns.0));
        let mut map = challenges();
        require!(!map.contains_key(&challenge), ERR_TEE_CHALLENGE_UNKNOWN);
        map.insert(challenge, TeeChallenge { issued_to: caller.clone(), expires_at, deposit: required });
        map.flush();
        if attached > required {
            Promise::new(caller.clone()).transfer(attached.saturating_sub(required)).detach();
        }
        AttestationEvent::TeeChallengeIssued { challenge, issued_to: caller, expires_at }.emit();
        challenge
    }

    /// Admits the caller as an attester on the strength of a TDX quote.
    /// `quote` (base64) and `collateral` (JSON) go to the policy's verifier;
    /// the quote's report data must be `admission_report_data(this account,
    /// public_key, weights_digests, challenge)`. `weights_digests`: the
    /// weights it will serve, ascending, no duplicates; receipts must name one.
    ///
    /// Caller: anyone (the node's operator account), holding a live challenge
    /// it was issued. Deposit: at least `get_tee_deposits().admission` (excess
    /// refunded). Gas: at least 200 Tgas. Before the call the challenge is
    /// consumed and the key bound; a refusal releases both, refunds the
    /// deposit, emits `tee_admission_refused` and fails with
    /// `tee admission refused: <reason>`. Success emits `attester_admitted_by_quote`.
    #[payable]
    pub fn admit_attester_by_quote(
        &mut self,
        quote: Base64VecU8,
        collateral: String,
        public_key: Ed25519PublicKey,
        weights_digests: Vec<Digest32>,
        challenge: Digest32,
    ) -> Promise {
        let policy = policy_store().get().clone().unwrap_or_else(|| env::panic_str(ERR_TEE_NOT_CONFIGURED));
        let operator = env::predecessor_account_id();
        require!(!weights_digests.is_empty(), ERR_TEE_NO_WEIGHTS);
        require!(weights_digests.len() <= MAX_MODELS_PER_ATTESTER, ERR_TEE_TOO_MANY_WEIGHTS);
        require!(strictly_ascending(&weights_digests), ERR_TEE_WEIGHTS_ORDER);
        require!(weights_digests.iter().all(|d| !d.is_zero()), ERR_ZERO_WEIGHTS_DIGEST);
        if let Some(existing) = self.attesters.get(&operator) {
            require!(existing.revoked_at().is_none(), ERR_ATTESTER_REVOKED);
            require!(existing.tee_kind == TEE_KIND_TDX_QUOTE, ERR_TEE_OPERATOR_DAO_ADMITTED);
        }
        let mut map = challenges();
        let issued = map.get(&challenge).cloned().unwrap_or_else(|| env::panic_str(ERR_TEE_CHALLENGE_UNKNOWN));
        require!(issued.issued_to == operator, ERR_TEE_CHALLENGE_NOT_YOURS);
        require!(env::block_timestamp() < issued.expires_at.0, ERR_TEE_CHALLENGE_EXPIRED);
        let key_owner = self.attester_keys.get(&public_key).cloned();
        if let Some(owner) = &key_owner {
            require!(owner == &operator, ERR_KEY_TAKEN);
        }
        let attached = env::attached_deposit();
        let required = storage_cost(MAX_ADMISSION_STORAGE_BYTES);
        if attached < required {
            env::panic_str(&format!(
                "{ERR_DEPOSIT}: attached {} yoctoNEAR, required {} yoctoNEAR",
                attached.as_yoctonear(),
                required.as_yoctonear()
            ));
        }
        let needed = GAS_FOR_VERIFY_QUOTE
            .saturating_add(GAS_FOR_ON_QUOTE_VERIFIED)
            .saturating_add(GAS_FOR_FAIL_ADMISSION)
            .saturating_add(GAS_ADMIT_MARGIN);
        if env::prepaid_gas().saturating_sub(env::used_gas()) < needed {
            env::panic_str(&format!("{ERR_GAS}: attach at least {} TGas more", needed.as_tgas()));
        }

        // Reserve: the key is bound and the challenge spent while the verifier runs.
        let meter = StorageMeter::start();
        let key_reserved = key_owner.is_none();
        if key_reserved {
            self.attester_keys.insert(public_key, operator.clone());
            self.attester_keys.flush();
        }
        let reserved_bytes = meter.bytes_added();
        map.remove(&challenge);
        map.flush();
        ext_tee_verifier::ext(policy.verifier.clone())
            .with_static_gas(GAS_FOR_VERIFY_QUOTE)
            .verify_quote(quote, collateral)
            .then(
                Self::ext(env::current_account_id()).with_static_gas(GAS_FOR_ON_QUOTE_VERIFIED).on_quote_verified(
                    operator,
                    public_key,
                    weights_digests,
                    challenge,
                    issued,
                    key_reserved,
                    attached,
                    U64(reserved_bytes),
                ),
            )
    }

    /// Callback of `admit_attester_by_quote` with the verifier's report.
    /// Caller: this contract only. Admits, or releases what was reserved,
    /// refunds and fails (see `admit_attester_by_quote`).
    #[private]
    #[allow(clippy::too_many_arguments)]
    pub fn on_quote_verified(
        &mut self,
        operator: AccountId,
        public_key: Ed25519PublicKey,
        weights_digests: Vec<Digest32>,
        challenge: Digest32,
        issued: TeeChallenge,
        key_reserved: bool,
        deposit: NearToken,
        reserved_bytes: U64,
        #[callback_result(max_bytes = MAX_VERIFIER_ANSWER_BYTES)] report: Result<VerifiedQuote, PromiseError>,
    ) -> PromiseOrValue<U64> {
        Self::assert_self();
        let policy = policy_store().get().clone().unwrap_or_else(|| env::panic_str(ERR_TEE_NOT_CONFIGURED));
        let preimage =
            admission_preimage(env::current_account_id().as_str(), &public_key.0, &weights_digests, &challenge);
        let expected = admission_report_data(&env::sha256_array(&preimage));
        let outcome = match report {
            Err(_) => Err(format!("{ERR_TEE_QUOTE_NOT_VERIFIED} {}", policy.verifier)),
            Ok(report) => {
                let sets = measurement_sets();
                let registers = [
                    report.rtmr0.as_ref(),
                    report.rtmr1.as_ref(),
                    report.rtmr2.as_ref(),
                    report.rtmr3.as_ref(),
                ];
                let set_id = match (report.mr_td.as_ref(), registers) {
                    (Some(mr_td), [Some(r0), Some(r1), Some(r2), Some(r3)]) => {
                        Some(MeasurementSet::id_of(mr_td, [r0, r1, r2, r3]))
                    }
                    _ => None,
                };
                let set = set_id.and_then(|id| sets.get(&id).cloned());
                let platform_allowed = platforms().contains_key(&report.ppid);
                match refusal(&policy, &report, set.as_ref(), platform_allowed, &expected) {
                    Some(reason) => Err(reason),
                    None => Ok((report, set.expect("checked"), set_id.expect("checked"))),
                }
            }
        };
        match outcome {
            Ok((report, set, set_id)) => {
                PromiseOrValue::Value(self.admit_by_quote(
                    AdmissionRequest { operator, public_key, weights_digests, challenge, issued, deposit, reserved_bytes: reserved_bytes.0 },
                    policy,
                    report,
                    set,
                    set_id,
                ))
            }
            Err(reason) => {
                // Release what the call reserved: the challenge and the key.
                let mut map = challenges();
                map.insert(challenge, issued);
                map.flush();
                if key_reserved {
                    self.attester_keys.remove(&public_key);
                    self.attester_keys.flush();
                }
                if !deposit.is_zero() {
                    Promise::new(operator.clone()).transfer(deposit).detach();
                }
                AttestationEvent::TeeAdmissionRefused { operator, reason: reason.clone() }.emit();
                PromiseOrValue::Promise(
                    Self::ext(env::current_account_id())
                        .with_static_gas(GAS_FOR_FAIL_ADMISSION)
                        .fail_tee_admission(reason),
                )
            }
        }
    }

    /// Fails with `tee admission refused: <reason>` so a refused admission
    /// ends as a failed transaction. Caller: this contract only. Changes nothing.
    #[private]
    pub fn fail_tee_admission(&self, reason: String) {
        Self::assert_self();
        env::panic_str(&format!("{ERR_TEE_ADMISSION_REFUSED}: {reason}"));
    }

    /// Revokes a quote-admitted attester whose measurement set or platform
    /// was withdrawn, or whose admission expired. Caller: anyone. Deposit:
    /// none (revoking never grows storage). Emits `attester_revoked` with the
    /// reason.
    pub fn prune_tee_attester(&mut self, operator: AccountId) {
        let attester = self.attesters.get(&operator).unwrap_or_else(|| env::panic_str(ERR_ATTESTER_UNKNOWN));
        require!(attester.tee_kind == TEE_KIND_TDX_QUOTE, ERR_TEE_NOT_QUOTE_ADMITTED);
        require!(attester.revoked_at().is_none(), ERR_ATTESTER_ALREADY_REVOKED);
        let lapse = self.tee_lapse(&operator, attester, env::block_timestamp()).unwrap_or_else(|| env::panic_str(ERR_TEE_STILL_VALID));
        let revoked_at = env::block_timestamp().max(1);
        self.attesters.get_mut(&operator).expect("checked").revoked_at = revoked_at;
        AttestationEvent::AttesterRevoked { operator, revoked_at: U64(revoked_at), reason: lapse.message().to_string() }
            .emit();
    }
}

impl Contract {
    fn admit_by_quote(
        &mut self,
        request: AdmissionRequest,
        policy: TeePolicy,
        report: VerifiedQuote,
        set: MeasurementSet,
        set_id: Digest32,
    ) -> U64 {
        let AdmissionRequest { operator, public_key, weights_digests, challenge, issued, deposit, reserved_bytes } =
            request;
        let now = env::block_timestamp();
        let expires_at = now.saturating_add(policy.max_admission_age_ns.0).min(report.collateral_expires_at.0);
        let meter = StorageMeter::start();
        let existing = self.attesters.get(&operator).cloned();
        if existing.is_none() {
            self.attester_ids.push(operator.clone());
        }
        let record = Attester {
            public_keys: vec![public_key],
            tee_kind: TEE_KIND_TDX_QUOTE.to_string(),
            measurements: vec![set_id],
            models: None,
            expires_at: Some(expires_at),
            admitted_at: existing.as_ref().map_or(now, |a| a.admitted_at),
            revoked_at: 0,
        };
        // A re-admission replaces the keys: the old ones stay bound to this operator.
        self.attesters.insert(operator.clone(), record);
        let mut ev = evidence();
        ev.insert(
            operator.clone(),
            TeeEvidence {
                verifier: policy.verifier,
                measurement_set: set_id,
                measurement_set_approved_at: set.approved_at,
                mr_td: set.mr_td,
                rtmrs: [set.rtmr0, set.rtmr1, set.rtmr2, set.rtmr3],
                tcb_status: report.tcb_status.clone(),
                advisory_ids: report.advisory_ids,
                ppid: report.ppid.clone(),
                fmspc: report.fmspc,
                report_data: report.report_data,
                challenge,
                weights_digests: weights_digests.clone(),
                verified_at: report.verified_at,
                collateral_expires_at: report.collateral_expires_at,
                root_ca_sha256: report.root_ca_sha256,
            },
        );
        ev.flush();
        self.flush();
        // The key binding was stored before the call: it is paid for here too.
        // The challenge's bytes are free again: its deposit comes back.
        let cost = storage_cost(meter.bytes_added().saturating_add(reserved_bytes)).min(deposit);
        let refund = deposit.saturating_add(issued.deposit).saturating_sub(cost);
        if !refund.is_zero() {
            Promise::new(operator.clone()).transfer(refund).detach();
        }
        AttestationEvent::AttesterAdmittedByQuote {
            operator,
            public_key,
            measurement_set: set_id,
            ppid: report.ppid,
            tcb_status: report.tcb_status,
            weights_digests,
            expires_at: U64(expires_at),
        }
        .emit();
        U64(expires_at)
    }

    /// Why the quote-admitted `operator` may not sign at `at`, if it may not.
    pub(crate) fn tee_lapse(&self, operator: &AccountId, attester: &Attester, at: u64) -> Option<TeeLapse> {
        let Some(ev) = evidence().get(operator).cloned() else {
            return Some(TeeLapse::MeasurementsWithdrawn);
        };
        let set_live = measurement_sets().get(&ev.measurement_set).is_some_and(|s| s.approved_at == ev.measurement_set_approved_at);
        if !set_live {
            return Some(TeeLapse::MeasurementsWithdrawn);
        }
        let restrict = policy_store().get().as_ref().is_some_and(|p| p.restrict_platforms);
        if restrict && !platforms().contains_key(&ev.ppid) {
            return Some(TeeLapse::PlatformWithdrawn);
        }
        if attester.expires_at.is_some_and(|e| at >= e) {
            return Some(TeeLapse::Expired);
        }
        None
    }

    /// The receipt-time check of a quote-admitted attester: its admission is
    /// still good and it bound `weights_digest`. Panics with the reason.
    pub(crate) fn check_tee_receipt(&self, operator: &AccountId, attester: &Attester, weights_digest: &Digest32) {
        if let Some(lapse) = self.tee_lapse(operator, attester, env::block_timestamp()) {
            env::panic_str(lapse.message());
        }
        let bound = evidence().get(operator).is_some_and(|ev| ev.weights_digests.binary_search(weights_digest).is_ok());
        require!(bound, ERR_TEE_WEIGHTS_NOT_BOUND);
    }
}

/// Storage deposits the TEE methods require.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeeDeposits {
    pub challenge: NearToken,
    pub admission: NearToken,
}

#[near]
impl Contract {
    /// The admission-by-quote policy, or null before the owner set one.
    pub fn get_tee_policy(&self) -> Option<TeePolicy> {
        policy_store().get().clone()
    }

    /// Deposits `issue_tee_challenge` and `admit_attester_by_quote` require.
    pub fn get_tee_deposits(&self) -> TeeDeposits {
        TeeDeposits {
            challenge: storage_cost(MAX_CHALLENGE_STORAGE_BYTES),
            admission: storage_cost(MAX_ADMISSION_STORAGE_BYTES),
        }
    }

    /// Approved measurement sets with their ids, paginated.
    pub fn get_tee_measurement_sets(&self, from_index: Option<u64>, limit: Option<u32>) -> Vec<(Digest32, MeasurementSet)> {
        let sets = measurement_sets();
        let range = Page::new(from_index, limit).range(u64::from(sets.len()));
        sets.iter().skip(range.start as usize).take((range.end - range.start) as usize).map(|(k, v)| (*k, v.clone())).collect()
    }

    /// One approved measurement set, or null.
    pub fn get_tee_measurement_set(&self, id: Digest32) -> Option<MeasurementSet> {
        measurement_sets().get(&id).cloned()
    }

    /// Allowed platforms (PPIDs) with their approval time, paginated.
    pub fn get_tee_platforms(&self, from_index: Option<u64>, limit: Option<u32>) -> Vec<(String, U64)> {
        let list = platforms();
        let range = Page::new(from_index, limit).range(u64::from(list.len()));
        list.iter().skip(range.start as usize).take((range.end - range.start) as usize).map(|(k, v)| (k.clone(), U64(*v))).collect()
    }

    /// A challenge that was issued and not used yet, or null.
    pub fn get_tee_challenge(&self, challenge: Digest32) -> Option<TeeChallenge> {
        challenges().get(&challenge).cloned()
    }

    /// The evidence a quote-admitted attester was admitted with, or null.
    pub fn get_tee_evidence(&self, operator: AccountId) -> Option<TeeEvidence> {
        evidence().get(&operator).cloned()
    }

    /// How an attester was admitted: `"dao"`, `"tdx_quote"`, or null if unknown.
    pub fn get_admission_kind(&self, operator: AccountId) -> Option<String> {
        self.attesters.get(&operator).map(|a| admission_kind(a).to_string())
    }
}

/// `"tdx_quote"` for quote-admitted attesters, `"dao"` for the others.
pub fn admission_kind(attester: &Attester) -> &'static str {
    if attester.tee_kind == TEE_KIND_TDX_QUOTE {
        "tdx_quote"
    } else {
        "dao"
    }
}
