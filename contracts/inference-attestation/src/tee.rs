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

use crate::attesters::{Attester, MAX_MODELS_PER_ATTESTER};
use crate::events::AttestationEvent;
use crate::storage::settle;
use crate::tee_store::{key, read, write, Listing, TeeState};
use crate::{errors::*, Contract, ContractExt, StorageKey};
use ai_commons_primitives::receipt::Ed25519PublicKey;
use ai_commons_primitives::storage::storage_cost;
pub use ai_commons_primitives::tee::TeePolicy;
use ai_commons_primitives::tee::{
    admission_preimage, admission_report_data, ext_tee_verifier, AdmissionReport, Measurement48, ReportData, TeeType,
    MAX_RTMR3_EVENTS,
};
use ai_commons_primitives::validate;
use ai_commons_primitives::{Digest32, StorageMeter};
use near_sdk::json_types::{Base64VecU8, U64};
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
/// Longest verifier answer the callback reads (an `AdmissionReport` is ~0.5 kB).
pub const MAX_VERIFIER_ANSWER_BYTES: usize = 4_096;
/// Upper bound of the bytes an admission by quote stores: the attester
/// record, its key binding, its place in the list and its evidence.
pub const MAX_ADMISSION_STORAGE_BYTES: u64 = 3_000;
/// Upper bound of the bytes a challenge stores.
pub const MAX_CHALLENGE_STORAGE_BYTES: u64 = 250;

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
    /// The application (compose file / image): RTMR3's value, or (when
    /// `rtmr3_is_event`) one entry of the RTMR3 event log.
    pub rtmr3: Measurement48,
    /// True when `rtmr3` is a pinned event-log entry (the digest the TD
    /// extended for its compose file / image) rather than RTMR3's value: an
    /// admission then passes its RTMR3 event log, the verifier checks it
    /// replays to the quote's RTMR3, and one entry must equal `rtmr3`. Other
    /// runtime events (instance id, keys) may then vary between nodes.
    pub rtmr3_is_event: bool,
    /// Block time of approval: an admission names the approval it relied on,
    /// so withdrawing then approving the same registers again does not revive it.
    pub approved_at: U64,
}

/// Appended to the registers of a set whose `rtmr3` is a pinned event, so
/// its id never equals a set of register values.
const PINNED_EVENT_ID_MARKER: &[u8] = b"rtmr3-event";

impl MeasurementSet {
    /// The set's id: SHA-256 of the five values, in order, then the
    /// pinned-event marker when `rtmr3_is_event`.
    pub fn id_of(mr_td: &Measurement48, rtmrs: [&Measurement48; 4], rtmr3_is_event: bool) -> Digest32 {
        let mut bytes = Vec::with_capacity(48 * 5 + PINNED_EVENT_ID_MARKER.len());
        bytes.extend_from_slice(&mr_td.0);
        for r in rtmrs {
            bytes.extend_from_slice(&r.0);
        }
        if rtmr3_is_event {
            bytes.extend_from_slice(PINNED_EVENT_ID_MARKER);
        }
        Digest32::sha256(&bytes)
    }

    pub fn id(&self) -> Digest32 {
        Self::id_of(&self.mr_td, [&self.rtmr0, &self.rtmr1, &self.rtmr2, &self.rtmr3], self.rtmr3_is_event)
    }
}

/// The approved set a verified report matches, with its id: the one of its
/// five registers, else one pinning an entry of its (replayed) RTMR3 event log.
fn matching_set(report: &AdmissionReport) -> Option<(Digest32, MeasurementSet)> {
    let [mr_td, r0, r1, r2, r3] = report.td_registers.as_ref()?;
    let registers = std::iter::once((r3, false));
    let events = report.rtmr3_event_log.iter().map(|e| (e, true));
    registers.chain(events).find_map(|(last, is_event)| {
        let id = MeasurementSet::id_of(mr_td, [r0, r1, r2, last], is_event);
        MEASUREMENT_SETS.get(id.as_bytes()).map(|set| (id, set))
    })
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
    /// The pinned RTMR3 event-log entry the admission matched, if its set pins one.
    pub rtmr3_event: Option<Measurement48>,
    pub tcb_status: String,
    pub advisory_ids: Vec<String>,
    pub ppid: String,
    pub fmspc: String,
    pub report_data: ReportData,
    pub challenge: Digest32,
    /// Weights digests bound in the report data: receipts must name one of them.
    pub weights_digests: Vec<Digest32>,
    pub verified_at: U64,
    pub collateral_expires_at: U64,
    pub root_ca_sha256: Digest32,
    /// `withdrawals` of the TEE state at admission (see `TeeState`).
    #[serde(skip)]
    pub withdrawals_at_admission: u64,
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

const MEASUREMENT_SETS: Listing = Listing(StorageKey::TeeMeasurementSets);
const PLATFORMS: Listing = Listing(StorageKey::TeePlatforms);

fn configured_policy(tee: &TeeState) -> TeePolicy {
    tee.policy.clone().unwrap_or_else(|| env::panic_str(ERR_TEE_NOT_CONFIGURED))
}

fn challenge_key(challenge: &Digest32) -> Vec<u8> {
    key(StorageKey::TeeChallenges, challenge.as_bytes())
}

fn evidence_key(operator: &AccountId) -> Vec<u8> {
    key(StorageKey::TeeEvidence, operator.as_bytes())
}

fn evidence_of(operator: &AccountId) -> Option<TeeEvidence> {
    read(&evidence_key(operator))
}

fn strictly_ascending(digests: &[Digest32]) -> bool {
    digests.windows(2).all(|w| w[0] < w[1])
}

fn validate_ppid(ppid: &str) {
    validate::validate_tee_ppid(ppid).unwrap_or_else(|e| env::panic_str(&e));
}

/// Why the verified report does not admit this binding, if it does not.
pub(crate) fn refusal(
    policy: &TeePolicy,
    report: &AdmissionReport,
    set: Option<&MeasurementSet>,
    platform_allowed: bool,
    expected_report_data: &[u8; 64],
) -> Option<String> {
    if report.tee != TeeType::Tdx {
        return Some(ERR_TEE_NOT_TDX.to_string());
    }
    if !policy.accepted_tcb_statuses.contains(&report.tcb_status) {
        return Some(
            [ERR_TEE_TCB_STATUS, ": ", &report.tcb_status, " [", &report.advisory_ids.join(", "), "]"].concat(),
        );
    }
    if set.is_none() {
        return Some(ERR_TEE_MEASUREMENTS_NOT_APPROVED.to_string());
    }
    if policy.restrict_platforms && !platform_allowed {
        return Some([ERR_TEE_PLATFORM_NOT_ALLOWED, ": ", &report.ppid].concat());
    }
    if &report.report_data.0 != expected_report_data {
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
        validate::validate_tee_policy(&policy).unwrap_or_else(|e| env::panic_str(&e));
        let meter = StorageMeter::start();
        let mut tee = TeeState::load();
        tee.policy = Some(policy.clone());
        // A stricter policy (platforms now restricted) must reach admitted attesters.
        tee.withdrawals += 1;
        tee.save();
        settle(meter, &env::predecessor_account_id(), env::attached_deposit());
        AttestationEvent::TeePolicySet(policy).emit();
    }

    /// Approves a measurement set: MRTD, RTMR0-2 and the application, as
    /// RTMR3's value or (`rtmr3_is_event: true`) as an entry RTMR3's event log
    /// must contain. Caller: owner. Deposit: its storage (excess refunded).
    /// Emits `tee_measurements_approved`.
    #[payable]
    #[allow(clippy::too_many_arguments)]
    pub fn approve_tee_measurements(
        &mut self,
        label: String,
        mr_td: Measurement48,
        rtmr0: Measurement48,
        rtmr1: Measurement48,
        rtmr2: Measurement48,
        rtmr3: Measurement48,
        rtmr3_is_event: Option<bool>,
    ) -> Digest32 {
        self.assert_owner();
        validate::validate_tee_label(&label).unwrap_or_else(|e| env::panic_str(&e));
        let rtmr3_is_event = rtmr3_is_event.unwrap_or(false);
        let approved_at = U64(env::block_timestamp());
        let set = MeasurementSet { label, mr_td, rtmr0, rtmr1, rtmr2, rtmr3, rtmr3_is_event, approved_at };
        let id = set.id();
        let mut tee = TeeState::load();
        require!(!MEASUREMENT_SETS.contains(id.as_bytes()), ERR_TEE_MEASUREMENTS_ALREADY_APPROVED);
        let meter = StorageMeter::start();
        MEASUREMENT_SETS.insert(id.as_bytes(), &set, &mut tee.measurement_set_count);
        tee.save();
        settle(meter, &env::predecessor_account_id(), env::attached_deposit());
        AttestationEvent::TeeMeasurementsApproved { id, set }.emit();
        id
    }

    /// Withdraws an approved measurement set: attesters admitted with it are
    /// refused at their next receipt and may be pruned. Caller: owner.
    /// Deposit: none (freed storage refunded). Emits `tee_measurements_withdrawn`.
    pub fn withdraw_tee_measurements(&mut self, id: Digest32, reason: String) {
        self.assert_owner();
        validate::validate_reason(&reason).unwrap_or_else(|e| env::panic_str(&e));
        let mut tee = TeeState::load();
        let meter = StorageMeter::start();
        require!(MEASUREMENT_SETS.remove(id.as_bytes(), &mut tee.measurement_set_count), ERR_TEE_MEASUREMENTS_UNKNOWN);
        tee.withdrawals += 1;
        tee.save();
        settle(meter, &env::predecessor_account_id(), NearToken::from_yoctonear(0));
        AttestationEvent::TeeMeasurementsWithdrawn { id, reason }.emit();
    }

    /// Allows a platform (PPID, lowercase hex) when the policy restricts
    /// platforms. Caller: owner. Deposit: its storage. Emits `tee_platform_allowed`.
    #[payable]
    pub fn allow_tee_platform(&mut self, ppid: String) {
        self.assert_owner();
        validate_ppid(&ppid);
        let mut tee = TeeState::load();
        require!(!PLATFORMS.contains(ppid.as_bytes()), ERR_TEE_PLATFORM_ALREADY_ALLOWED);
        let meter = StorageMeter::start();
        PLATFORMS.insert(ppid.as_bytes(), &env::block_timestamp(), &mut tee.platform_count);
        tee.save();
        settle(meter, &env::predecessor_account_id(), env::attached_deposit());
        AttestationEvent::TeePlatformAllowed { ppid }.emit();
    }

    /// Withdraws a platform: attesters admitted on it are refused at their
    /// next receipt (when the policy restricts platforms) and may be pruned.
    /// Caller: owner. Deposit: none. Emits `tee_platform_withdrawn`.
    pub fn withdraw_tee_platform(&mut self, ppid: String, reason: String) {
        self.assert_owner();
        validate::validate_reason(&reason).unwrap_or_else(|e| env::panic_str(&e));
        let mut tee = TeeState::load();
        let meter = StorageMeter::start();
        require!(PLATFORMS.remove(ppid.as_bytes(), &mut tee.platform_count), ERR_TEE_PLATFORM_UNKNOWN);
        tee.withdrawals += 1;
        tee.save();
        settle(meter, &env::predecessor_account_id(), NearToken::from_yoctonear(0));
        AttestationEvent::TeePlatformWithdrawn { ppid, reason }.emit();
    }

    /// Issues a fresh challenge to the caller for one admission by quote.
    /// Caller: anyone. Deposit: at least `get_tee_config().challenge_deposit`
    /// (excess refunded; the rest comes back when the challenge is used).
    /// Emits `tee_challenge_issued`. Returns the challenge.
    #[payable]
    pub fn issue_tee_challenge(&mut self) -> Digest32 {
        let policy = configured_policy(&TeeState::load());
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
        let at = challenge_key(&challenge);
        require!(!env::storage_has_key(&at), ERR_TEE_CHALLENGE_UNKNOWN);
        write(&at, &TeeChallenge { issued_to: caller.clone(), expires_at, deposit: required });
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
    /// `rtmr3_event_log` (optional, at most 32 digests in extension order): for
    /// a measurement set that pins an RTMR3 event instead of RTMR3's value;
    /// the verifier checks it replays to the quote's RTMR3.
    ///
    /// Caller: anyone (the node's operator account), holding a live challenge
    /// it was issued. Deposit: at least `get_tee_config().admission_deposit` (excess
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
        rtmr3_event_log: Option<Vec<Measurement48>>,
    ) -> Promise {
        let policy = configured_policy(&TeeState::load());
        let operator = env::predecessor_account_id();
        let rtmr3_event_log = rtmr3_event_log.unwrap_or_default();
        require!(rtmr3_event_log.len() <= MAX_RTMR3_EVENTS, ERR_TEE_RTMR3_LOG_TOO_LONG);
        require!(!weights_digests.is_empty(), ERR_TEE_NO_WEIGHTS);
        require!(weights_digests.len() <= MAX_MODELS_PER_ATTESTER, ERR_TEE_TOO_MANY_WEIGHTS);
        require!(strictly_ascending(&weights_digests), ERR_TEE_WEIGHTS_ORDER);
        require!(weights_digests.iter().all(|d| !d.is_zero()), ERR_ZERO_WEIGHTS_DIGEST);
        if let Some(existing) = self.attesters.get(&operator) {
            require!(existing.revoked_at().is_none(), ERR_ATTESTER_REVOKED);
            require!(existing.tee_kind == TEE_KIND_TDX_QUOTE, ERR_TEE_OPERATOR_DAO_ADMITTED);
        }
        let at = challenge_key(&challenge);
        let issued: TeeChallenge = read(&at).unwrap_or_else(|| env::panic_str(ERR_TEE_CHALLENGE_UNKNOWN));
        require!(issued.issued_to == operator, ERR_TEE_CHALLENGE_NOT_YOURS);
        require!(env::block_timestamp() < issued.expires_at.0, ERR_TEE_CHALLENGE_EXPIRED);
        let key_owner = self.attester_keys.get(&public_key).cloned();
        if let Some(owner) = &key_owner {
            require!(owner == &operator, ERR_KEY_TAKEN);
        }
        let attached = env::attached_deposit();
        let required = storage_cost(MAX_ADMISSION_STORAGE_BYTES);
        require!(attached >= required, ERR_TEE_ADMISSION_DEPOSIT);
        let needed = GAS_FOR_VERIFY_QUOTE
            .saturating_add(GAS_FOR_ON_QUOTE_VERIFIED)
            .saturating_add(GAS_FOR_FAIL_ADMISSION)
            .saturating_add(GAS_ADMIT_MARGIN);
        require!(env::prepaid_gas().saturating_sub(env::used_gas()) >= needed, ERR_TEE_ADMISSION_GAS);

        // Reserve: the key is bound and the challenge spent while the verifier runs.
        let meter = StorageMeter::start();
        let key_reserved = key_owner.is_none();
        if key_reserved {
            self.attester_keys.insert(public_key, operator.clone());
            self.attester_keys.flush();
        }
        let reserved_bytes = meter.bytes_added();
        env::storage_remove(&at);
        ext_tee_verifier::ext(policy.verifier.clone())
            .with_static_gas(GAS_FOR_VERIFY_QUOTE)
            .verify_quote_for_admission(quote.0, collateral, rtmr3_event_log)
            .then(Self::ext(env::current_account_id()).with_static_gas(GAS_FOR_ON_QUOTE_VERIFIED).on_quote_verified(
                operator,
                public_key,
                weights_digests,
                challenge,
                issued,
                key_reserved,
                attached,
                U64(reserved_bytes),
            ))
    }

    /// Callback of `admit_attester_by_quote` with the verifier's report.
    /// Caller: this contract only. Admits, or releases what was reserved,
    /// refunds and fails (see `admit_attester_by_quote`).
    #[private]
    #[allow(clippy::too_many_arguments)]
    pub fn on_quote_verified(
        &mut self,
        #[serializer(borsh)] operator: AccountId,
        #[serializer(borsh)] public_key: Ed25519PublicKey,
        #[serializer(borsh)] weights_digests: Vec<Digest32>,
        #[serializer(borsh)] challenge: Digest32,
        #[serializer(borsh)] issued: TeeChallenge,
        #[serializer(borsh)] key_reserved: bool,
        #[serializer(borsh)] deposit: NearToken,
        #[serializer(borsh)] reserved_bytes: U64,
        #[callback_result(max_bytes = MAX_VERIFIER_ANSWER_BYTES)]
        #[serializer(borsh)]
        report: Result<AdmissionReport, PromiseError>,
    ) -> PromiseOrValue<U64> {
        Self::assert_self();
        let tee = TeeState::load();
        let policy = configured_policy(&tee);
        let preimage =
            admission_preimage(env::current_account_id().as_str(), &public_key.0, &weights_digests, &challenge);
        let expected = admission_report_data(&env::sha256_array(&preimage));
        let outcome = match report {
            Err(_) => Err([ERR_TEE_QUOTE_NOT_VERIFIED, " ", policy.verifier.as_str()].concat()),
            Ok(report) => {
                let matched = matching_set(&report);
                let platform_allowed = policy.restrict_platforms && PLATFORMS.contains(report.ppid.as_bytes());
                match (refusal(&policy, &report, matched.as_ref().map(|m| &m.1), platform_allowed, &expected), matched)
                {
                    (None, Some((set_id, set))) => Ok((report, set, set_id)),
                    (reason, _) => Err(reason.unwrap_or_else(|| ERR_TEE_MEASUREMENTS_NOT_APPROVED.to_string())),
                }
            }
        };
        match outcome {
            Ok((report, set, set_id)) => PromiseOrValue::Value(self.admit_by_quote(
                AdmissionRequest {
                    operator,
                    public_key,
                    weights_digests,
                    challenge,
                    issued,
                    deposit,
                    reserved_bytes: reserved_bytes.0,
                },
                tee,
                report,
                set,
                set_id,
            )),
            Err(reason) => {
                // Release what the call reserved: the challenge and the key.
                write(&challenge_key(&challenge), &issued);
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
    /// ends as a failed transaction. Caller: this contract only (borsh
    /// argument). Changes nothing.
    #[private]
    pub fn fail_tee_admission(&self, #[serializer(borsh)] reason: String) {
        Self::assert_self();
        env::panic_str(&[ERR_TEE_ADMISSION_REFUSED, ": ", &reason].concat());
    }

    /// Revokes a quote-admitted attester whose measurement set or platform
    /// was withdrawn, or whose admission expired. Caller: anyone. Deposit:
    /// none (revoking never grows storage). Emits `attester_revoked` with the
    /// reason.
    pub fn prune_tee_attester(&mut self, operator: AccountId) {
        let attester = self.attesters.get(&operator).unwrap_or_else(|| env::panic_str(ERR_ATTESTER_UNKNOWN));
        require!(attester.tee_kind == TEE_KIND_TDX_QUOTE, ERR_TEE_NOT_QUOTE_ADMITTED);
        require!(attester.revoked_at().is_none(), ERR_ATTESTER_ALREADY_REVOKED);
        let lapse = self
            .tee_lapse(&operator, attester, env::block_timestamp())
            .unwrap_or_else(|| env::panic_str(ERR_TEE_STILL_VALID));
        let revoked_at = env::block_timestamp().max(1);
        self.attesters.get_mut(&operator).expect("checked").revoked_at = revoked_at;
        AttestationEvent::AttesterRevoked {
            operator,
            revoked_at: U64(revoked_at),
            reason: lapse.message().to_string(),
        }
        .emit();
    }
}

impl Contract {
    fn admit_by_quote(
        &mut self,
        request: AdmissionRequest,
        tee: TeeState,
        report: AdmissionReport,
        set: MeasurementSet,
        set_id: Digest32,
    ) -> U64 {
        let AdmissionRequest { operator, public_key, weights_digests, challenge, issued, deposit, reserved_bytes } =
            request;
        let policy = configured_policy(&tee);
        let now = env::block_timestamp();
        let expires_at = now.saturating_add(policy.max_admission_age_ns.0).min(report.collateral_expires_at);
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
        write(
            &evidence_key(&operator),
            &TeeEvidence {
                verifier: policy.verifier,
                measurement_set: set_id,
                measurement_set_approved_at: set.approved_at,
                mr_td: set.mr_td,
                // The quote's own registers (RTMR3 differs from the set's
                // pinned entry when the set pins an event).
                rtmrs: report
                    .td_registers
                    .map_or([set.rtmr0, set.rtmr1, set.rtmr2, set.rtmr3], |r| [r[1], r[2], r[3], r[4]]),
                rtmr3_event: set.rtmr3_is_event.then_some(set.rtmr3),
                tcb_status: report.tcb_status.clone(),
                advisory_ids: report.advisory_ids,
                ppid: report.ppid.clone(),
                fmspc: report.fmspc,
                report_data: report.report_data,
                challenge,
                weights_digests: weights_digests.clone(),
                verified_at: U64(report.verified_at),
                collateral_expires_at: U64(report.collateral_expires_at),
                root_ca_sha256: report.root_ca_sha256,
                withdrawals_at_admission: tee.withdrawals,
            },
        );
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
        let ev = evidence_of(operator)?;
        tee_lapse_of(&TeeState::load(), &ev, attester, at)
    }

    /// The receipt-time check of a quote-admitted attester: its admission is
    /// still good and it bound `weights_digest`. Panics with the reason.
    /// Reads its evidence and the TEE state; its measurement set and platform
    /// only if something was withdrawn since it was admitted.
    pub(crate) fn check_tee_receipt(&self, operator: &AccountId, attester: &Attester, weights_digest: &Digest32) {
        let ev = evidence_of(operator).unwrap_or_else(|| env::panic_str(ERR_TEE_MEASUREMENTS_WITHDRAWN));
        if let Some(lapse) = tee_lapse_of(&TeeState::load(), &ev, attester, env::block_timestamp()) {
            env::panic_str(lapse.message());
        }
        require!(ev.weights_digests.binary_search(weights_digest).is_ok(), ERR_TEE_WEIGHTS_NOT_BOUND);
    }
}

/// Why an attester admitted with `ev` may not sign at `at`, if it may not.
fn tee_lapse_of(tee: &TeeState, ev: &TeeEvidence, attester: &Attester, at: u64) -> Option<TeeLapse> {
    if tee.withdrawals != ev.withdrawals_at_admission {
        let set_live = MEASUREMENT_SETS
            .get::<MeasurementSet>(ev.measurement_set.as_bytes())
            .is_some_and(|s| s.approved_at == ev.measurement_set_approved_at);
        if !set_live {
            return Some(TeeLapse::MeasurementsWithdrawn);
        }
        let restrict = tee.policy.as_ref().is_some_and(|p| p.restrict_platforms);
        if restrict && !PLATFORMS.contains(ev.ppid.as_bytes()) {
            return Some(TeeLapse::PlatformWithdrawn);
        }
    }
    if attester.expires_at.is_some_and(|e| at >= e) {
        return Some(TeeLapse::Expired);
    }
    None
}

/// The admission-by-quote configuration and what its calls cost.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeeConfigView {
    /// Null until the owner sets one.
    pub policy: Option<TeePolicy>,
    /// Deposit `issue_tee_challenge` requires (returned when the challenge is used).
    pub challenge_deposit: NearToken,
    /// Deposit `admit_attester_by_quote` requires (excess refunded).
    pub admission_deposit: NearToken,
    pub measurement_set_count: u32,
    pub platform_count: u32,
}

#[near]
impl Contract {
    /// The admission-by-quote policy and deposits.
    pub fn get_tee_config(&self) -> TeeConfigView {
        let tee = TeeState::load();
        TeeConfigView {
            policy: tee.policy,
            challenge_deposit: storage_cost(MAX_CHALLENGE_STORAGE_BYTES),
            admission_deposit: storage_cost(MAX_ADMISSION_STORAGE_BYTES),
            measurement_set_count: tee.measurement_set_count,
            platform_count: tee.platform_count,
        }
    }

    /// Approved measurement sets with their ids, paginated.
    pub fn get_tee_measurement_sets(
        &self,
        from_index: Option<u64>,
        limit: Option<u32>,
    ) -> Vec<(Digest32, MeasurementSet)> {
        let count = TeeState::load().measurement_set_count;
        MEASUREMENT_SETS
            .page(count, from_index, limit)
            .into_iter()
            .map(|(id, set)| (Digest32(id.try_into().unwrap_or_else(|_| env::panic_str(ERR_STATE_CORRUPT))), set))
            .collect()
    }

    /// Allowed platforms (PPIDs) with their approval time, paginated.
    pub fn get_tee_platforms(&self, from_index: Option<u64>, limit: Option<u32>) -> Vec<(String, U64)> {
        let count = TeeState::load().platform_count;
        PLATFORMS
            .page(count, from_index, limit)
            .into_iter()
            .map(|(ppid, at): (Vec<u8>, u64)| (String::from_utf8(ppid).unwrap_or_default(), U64(at)))
            .collect()
    }

    /// The evidence a quote-admitted attester was admitted with, or null.
    pub fn get_tee_evidence(&self, operator: AccountId) -> Option<TeeEvidence> {
        evidence_of(&operator)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use ai_commons_primitives::validate::{ERR_TEE_ADMISSION_AGE, ERR_TEE_REVOKED_STATUS};
    use near_sdk::test_utils::get_logs;

    fn m(byte: u8) -> Measurement48 {
        Measurement48([byte; 48])
    }

    fn policy() -> TeePolicy {
        TeePolicy {
            verifier: account("tee.near"),
            accepted_tcb_statuses: vec!["UpToDate".into()],
            max_admission_age_ns: U64(30 * 24 * 3600 * SECOND),
            challenge_ttl_ns: U64(600 * SECOND),
            restrict_platforms: false,
        }
    }

    fn report(report_data: [u8; 64]) -> AdmissionReport {
        AdmissionReport {
            tee: TeeType::Tdx,
            tcb_status: "UpToDate".into(),
            advisory_ids: vec![],
            td_registers: Some([m(1), m(2), m(3), m(4), m(5)]),
            report_data: ReportData(report_data),
            ppid: "abcd".into(),
            fmspc: "b0c06f000000".into(),
            verified_at: NOW,
            collateral_expires_at: NOW + 1000 * SECOND,
            root_ca_sha256: Digest32([9; 32]),
            rtmr3_event_log: vec![],
        }
    }

    fn configured() -> Contract {
        let mut c = setup();
        call(owner(), near(100), NOW);
        c.set_tee_policy(policy());
        c
    }

    #[test]
    fn the_owner_sets_policy_and_measurements_with_one_event_each() {
        let mut c = configured();
        assert_eq!(
            last_log(),
            r#"EVENT_JSON:{"standard":"inference_attestation","version":"1.0.0","event":"tee_policy_set","data":{"verifier":"tee.near","accepted_tcb_statuses":["UpToDate"],"max_admission_age_ns":"2592000000000000","challenge_ttl_ns":"600000000000","restrict_platforms":false}}"#
        );
        assert_eq!(c.get_tee_config().policy, Some(policy()));
        call(owner(), near(100), NOW);
        let id = c.approve_tee_measurements("node v1".into(), m(1), m(2), m(3), m(4), m(5), None);
        assert_eq!(id, MeasurementSet::id_of(&m(1), [&m(2), &m(3), &m(4), &m(5)], false));
        assert_eq!(get_logs().len(), 1);
        assert!(last_log().contains(r#""event":"tee_measurements_approved""#));
        assert_eq!(c.get_tee_measurement_sets(None, None).len(), 1);
        call(owner(), near(0), NOW);
        c.withdraw_tee_measurements(id, "cve".into());
        assert_eq!(
            last_log(),
            format!(
                r#"EVENT_JSON:{{"standard":"inference_attestation","version":"1.0.0","event":"tee_measurements_withdrawn","data":{{"id":"{id}","reason":"cve"}}}}"#
            )
        );
        assert!(c.get_tee_measurement_sets(None, None).is_empty());
    }

    #[test]
    fn withdrawing_moves_the_last_listed_entry_into_the_gap_and_pages_stay_whole() {
        let mut c = configured();
        let mut ids = Vec::new();
        for b in 1..=3u8 {
            call(owner(), near(100), NOW);
            ids.push(c.approve_tee_measurements(format!("set {b}"), m(b), m(2), m(3), m(4), m(5), None));
        }
        call(owner(), near(0), NOW);
        c.withdraw_tee_measurements(ids[0], "old".into());
        let listed: Vec<Digest32> = c.get_tee_measurement_sets(None, None).into_iter().map(|(id, _)| id).collect();
        assert_eq!(listed, vec![ids[2], ids[1]], "the last one moved into position 0");
        assert_eq!(c.get_tee_measurement_sets(Some(1), Some(1))[0].0, ids[1]);
        assert_eq!(c.get_tee_config().measurement_set_count, 2);
        call(owner(), near(0), NOW);
        c.withdraw_tee_measurements(ids[1], "old".into());
        call(owner(), near(0), NOW);
        c.withdraw_tee_measurements(ids[2], "old".into());
        assert!(c.get_tee_measurement_sets(None, None).is_empty());
        call(owner(), near(0), NOW);
        assert!(
            panic_message(|| c.withdraw_tee_measurements(ids[2], "old".into())).contains(ERR_TEE_MEASUREMENTS_UNKNOWN)
        );
        // Platforms use the same listing.
        for p in ["aa", "bb"] {
            call(owner(), near(100), NOW);
            c.allow_tee_platform(p.into());
        }
        call(owner(), near(0), NOW);
        c.withdraw_tee_platform("aa".into(), "gone".into());
        assert_eq!(c.get_tee_platforms(None, None), vec![("bb".to_string(), U64(NOW))]);
    }

    #[test]
    fn a_set_pinning_an_rtmr3_event_matches_a_replayed_log_containing_it() {
        let mut c = configured();
        call(owner(), near(100), NOW);
        let pinned = c.approve_tee_measurements("app".into(), m(1), m(2), m(3), m(4), m(7), Some(true));
        assert_ne!(pinned, MeasurementSet::id_of(&m(1), [&m(2), &m(3), &m(4), &m(7)], false));
        // RTMR3 is whatever the whole log replays to (the verifier checked it).
        let with_log = |log: Vec<Measurement48>| AdmissionReport {
            td_registers: Some([m(1), m(2), m(3), m(4), m(9)]),
            rtmr3_event_log: log,
            ..report([0; 64])
        };
        let (id, set) = matching_set(&with_log(vec![m(6), m(7), m(8)])).expect("the pinned entry is in the log");
        assert_eq!((id, set.rtmr3_is_event), (pinned, true));
        assert!(matching_set(&with_log(vec![m(6), m(8)])).is_none(), "the log lacks the pinned entry");
        // A set of register values is not matched by an event, nor the reverse.
        call(owner(), near(100), NOW);
        let registers = c.approve_tee_measurements("regs".into(), m(1), m(2), m(3), m(4), m(8), None);
        assert!(matching_set(&with_log(vec![m(8)])).is_none());
        let by_value = AdmissionReport { td_registers: Some([m(1), m(2), m(3), m(4), m(8)]), ..report([0; 64]) };
        assert_eq!(matching_set(&by_value).map(|(id, _)| id), Some(registers));
        let pinned_value = AdmissionReport { td_registers: Some([m(1), m(2), m(3), m(4), m(7)]), ..report([0; 64]) };
        assert!(matching_set(&pinned_value).is_none());
    }

    #[test]
    fn only_the_owner_governs_and_bad_policies_are_refused() {
        let mut c = setup();
        call(stranger(), near(100), NOW);
        assert!(panic_message(|| c.set_tee_policy(policy())).contains(ERR_NOT_OWNER));
        call(stranger(), near(100), NOW);
        assert!(panic_message(|| c.approve_tee_measurements("x".into(), m(1), m(2), m(3), m(4), m(5), None))
            .contains(ERR_NOT_OWNER));
        call(owner(), near(100), NOW);
        let bad = TeePolicy { accepted_tcb_statuses: vec!["Revoked".into()], ..policy() };
        assert!(panic_message(|| c.set_tee_policy(bad)).contains(ERR_TEE_REVOKED_STATUS));
        call(owner(), near(100), NOW);
        let bad = TeePolicy { max_admission_age_ns: U64(1), ..policy() };
        assert!(panic_message(|| c.set_tee_policy(bad)).contains(ERR_TEE_ADMISSION_AGE));
        call(owner(), near(100), NOW);
        assert!(panic_message(|| c.allow_tee_platform("ABCD".into())).contains(ERR_TEE_PPID));
        call(operator(), near(100), NOW);
        assert!(panic_message(|| c.issue_tee_challenge()).contains(ERR_TEE_NOT_CONFIGURED));
        // The owner cannot pass a DAO admission off as a quote admission.
        call(owner(), near(100), NOW);
        let msg = panic_message(|| {
            c.admit_attester(
                operator(),
                vec![signer().public_key().to_string()],
                TEE_KIND_TDX_QUOTE.into(),
                vec![],
                None,
                None,
            )
        });
        assert!(msg.contains(ERR_TEE_KIND_RESERVED), "{msg}");
    }

    #[test]
    fn refusal_checks_type_status_measurements_platform_and_binding_in_order() {
        let p = policy();
        let set = MeasurementSet {
            label: "x".into(),
            mr_td: m(1),
            rtmr0: m(2),
            rtmr1: m(3),
            rtmr2: m(4),
            rtmr3: m(5),
            rtmr3_is_event: false,
            approved_at: U64(NOW),
        };
        let rd = [7u8; 64];
        assert_eq!(refusal(&p, &report(rd), Some(&set), false, &rd), None);
        let sgx = AdmissionReport { tee: TeeType::Sgx, td_registers: None, ..report(rd) };
        assert_eq!(refusal(&p, &sgx, Some(&set), true, &rd).as_deref(), Some(ERR_TEE_NOT_TDX));
        let old =
            AdmissionReport { tcb_status: "OutOfDate".into(), advisory_ids: vec!["INTEL-SA-1".into()], ..report(rd) };
        assert_eq!(
            refusal(&p, &old, Some(&set), true, &rd).as_deref(),
            Some("tcb status is not accepted: OutOfDate [INTEL-SA-1]")
        );
        assert_eq!(refusal(&p, &report(rd), None, true, &rd).as_deref(), Some(ERR_TEE_MEASUREMENTS_NOT_APPROVED));
        let strict = TeePolicy { restrict_platforms: true, ..p.clone() };
        assert_eq!(
            refusal(&strict, &report(rd), Some(&set), false, &rd).as_deref(),
            Some("platform is not allowed: abcd")
        );
        assert_eq!(refusal(&p, &report(rd), Some(&set), true, &[8; 64]).as_deref(), Some(ERR_TEE_REPORT_DATA));
    }

    #[test]
    fn a_challenge_is_issued_to_its_caller_and_admission_reserves_it() {
        let mut c = configured();
        let deposit = c.get_tee_config().challenge_deposit;
        call(account("node2.near"), deposit, NOW);
        let challenge = c.issue_tee_challenge();
        let issued: TeeChallenge = read(&challenge_key(&challenge)).expect("stored");
        assert_eq!(issued.issued_to, account("node2.near"));
        assert_eq!(issued.expires_at, U64(NOW + 600 * SECOND));
        assert!(last_log().contains(r#""event":"tee_challenge_issued""#));
        // Someone else cannot use it; nor can anyone once it expired.
        let admission = c.get_tee_config().admission_deposit;
        call(stranger(), admission, NOW);
        let msg = panic_message(|| {
            c.admit_attester_by_quote(
                Base64VecU8(vec![1]),
                "{}".into(),
                signer().public_key(),
                vec![weights()],
                challenge,
                None,
            )
        });
        assert!(msg.contains(ERR_TEE_CHALLENGE_NOT_YOURS), "{msg}");
        call(account("node2.near"), admission, NOW + 601 * SECOND);
        let msg = panic_message(|| {
            c.admit_attester_by_quote(
                Base64VecU8(vec![1]),
                "{}".into(),
                signer().public_key(),
                vec![weights()],
                challenge,
                None,
            )
        });
        assert!(msg.contains(ERR_TEE_CHALLENGE_EXPIRED), "{msg}");
        assert!(env::storage_has_key(&challenge_key(&challenge)), "a refused call keeps the challenge");
        // An operator the DAO admitted cannot switch to admission by quote.
        call(operator(), deposit, NOW);
        let mine = c.issue_tee_challenge();
        call(operator(), admission, NOW);
        let msg = panic_message(|| {
            c.admit_attester_by_quote(
                Base64VecU8(vec![1]),
                "{}".into(),
                signer().public_key(),
                vec![weights()],
                mine,
                None,
            )
        });
        assert!(msg.contains(ERR_TEE_OPERATOR_DAO_ADMITTED), "{msg}");
    }
}
