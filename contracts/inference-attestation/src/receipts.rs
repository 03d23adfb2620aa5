//! Submitting receipts: on-chain checks, the nonce reservation, the registry
//! round trip and the callback that stores or rejects.

use crate::events::AttestationEvent;
use crate::storage::submit_deposit;
use crate::{errors::*, Contract, ContractExt};
use ai_commons_primitives::interfaces::ext_model_registry;
use ai_commons_primitives::receipt::{receipt_message_bytes, Ed25519Signature, InferenceReceipt};
use ai_commons_primitives::storage::storage_cost;
use ai_commons_primitives::{validate_slug, ModelId, StorageMeter, VersionNumber, VersionStatus, VersionStatusView};
use near_sdk::json_types::U64;
use near_sdk::{env, near, require, AccountId, Gas, NearToken, Promise, PromiseError, PromiseOrValue};

/// Gas for the registry's `version_status` view.
pub const GAS_FOR_VERSION_STATUS: Gas = Gas::from_tgas(10);
/// Gas for `on_version_status` (stores a receipt, or releases and refunds).
pub const GAS_FOR_ON_VERSION_STATUS: Gas = Gas::from_tgas(30);
/// Gas for `fail_rejected_receipt`, scheduled by the callback on rejection.
pub const GAS_FOR_FAIL_REJECTED: Gas = Gas::from_tgas(5);
/// Gas `submit_receipt` itself needs after scheduling the promises.
const GAS_SUBMIT_MARGIN: Gas = Gas::from_tgas(10);
/// Longest registry answer the callback reads (a `VersionStatusView` is ~100 bytes).
pub const MAX_REGISTRY_ANSWER_BYTES: usize = 1_024;

/// A key of the receipt indexes; borsh tag keeps the four families apart.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum IndexKey {
    Requester(AccountId),
    Model(ModelId),
    ModelVersion(ModelId, VersionNumber),
    Attester(AccountId),
}

/// Replay protection: one entry per (operator, nonce), kept forever once stored.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NonceKey {
    pub operator: AccountId,
    pub nonce: u64,
}

/// A receipt as stored: what the attester signed plus who submitted it and when.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredReceipt {
    pub receipt: InferenceReceipt,
    /// Operator account the attester key belongs to.
    pub operator: AccountId,
    /// Account that submitted (and paid for) the receipt.
    pub submitter: AccountId,
    /// Block time of storage (ns).
    pub stored_at: u64,
}

fn status_name(status: VersionStatus) -> &'static str {
    match status {
        VersionStatus::Submitted => "submitted",
        VersionStatus::Approved => "approved",
        VersionStatus::Deprecated => "deprecated",
        VersionStatus::Revoked => "revoked",
    }
}

fn validate_receipt_fields(receipt: &InferenceReceipt) {
    validate_slug("model id", &receipt.model_id).unwrap_or_else(|e| env::panic_str(&e));
    require!(receipt.version >= 1, ERR_BAD_VERSION);
    require!(!receipt.weights_digest.is_zero(), ERR_ZERO_WEIGHTS_DIGEST);
    require!(!receipt.request_commitment.is_zero() && !receipt.response_commitment.is_zero(), ERR_ZERO_COMMITMENT);
}

/// Why the registry's answer does not allow storing `receipt`, if it doesn't.
fn registry_rejection(
    registry: &AccountId,
    receipt: &InferenceReceipt,
    answer: Result<Option<VersionStatusView>, PromiseError>,
) -> Option<String> {
    let (model, version) = (&receipt.model_id, receipt.version);
    match answer {
        Err(_) => Some(format!("registry {registry} did not answer version_status")),
        Ok(None) => Some(format!("model {model} version {version} is not in the registry")),
        Ok(Some(view)) if view.status != VersionStatus::Approved => Some(format!(
            "model {model} version {version} is {} in the registry, not approved",
            status_name(view.status)
        )),
        Ok(Some(view)) if view.weights_digest != receipt.weights_digest => Some(format!(
            "weights digest {} does not match the registry's {} for model {model} version {version}",
            receipt.weights_digest, view.weights_digest
        )),
        Ok(Some(_)) => None,
    }
}

#[near]
impl Contract {
    /// Submits a signed receipt. Anyone holding it may submit (attester,
    /// requester, a relayer). `signature` is `"ed25519:<base58 of 64 bytes>"`
    /// over the 32-byte `receipt_digest(receipt)`.
    ///
    /// Checks, in order (each fails the call, nothing changes): fields well
    /// formed; attester key registered; attester not revoked or expired at the
    /// receipt's timestamp; key listed for the attester; model allowed; timestamp
    /// within ± max clock skew of block time; signature; nonce unused; deposit;
    /// gas. Then reserves (operator, nonce) and asks the registry.
    ///
    /// Deposit: at least `get_config().submit_deposit`; it travels to the
    /// callback, which keeps the real storage cost and refunds the rest — or
    /// refunds all when the registry says no.
    /// Result: the receipt id (`U64`) from `on_version_status`, or a failure
    /// `receipt rejected: <reason>`. Emits `receipt_stored` or `receipt_rejected`.
    #[payable]
    pub fn submit_receipt(&mut self, receipt: InferenceReceipt, signature: String) -> Promise {
        let signature: Ed25519Signature = signature.parse().unwrap_or_else(|e| env::panic_str(&format!("{e}")));
        validate_receipt_fields(&receipt);

        let operator =
            self.attester_keys.get(&receipt.attester_key).cloned().unwrap_or_else(|| env::panic_str(ERR_KEY_UNKNOWN));
        let attester = self.attesters.get(&operator).unwrap_or_else(|| env::panic_str(ERR_ATTESTER_UNKNOWN));
        let signed_at = receipt.timestamp.0;
        if let Some(revoked_at) = attester.revoked_at() {
            require!(signed_at < revoked_at, ERR_SIGNED_AFTER_REVOCATION);
        }
        if let Some(expires_at) = attester.expires_at {
            require!(signed_at < expires_at, ERR_ATTESTER_EXPIRED);
        }
        require!(attester.public_keys.contains(&receipt.attester_key), ERR_KEY_NOT_OF_ATTESTER);
        if !attester.may_serve(&receipt.model_id) {
            env::panic_str(&format!("{ERR_MODEL_NOT_ALLOWED}: {}", receipt.model_id));
        }
        if attester.tee_kind == crate::tee::TEE_KIND_TDX_QUOTE {
            self.check_tee_receipt(&operator, attester, &receipt.weights_digest);
        }
        self.check_clock(signed_at);

        let digest = self.receipt_digest_bytes(&receipt);
        require!(env::ed25519_verify(&signature.0, digest, &receipt.attester_key.0), ERR_BAD_SIGNATURE);

        let nonce_key = NonceKey { operator: operator.clone(), nonce: receipt.nonce.0 };
        require!(!self.used_nonces.contains(&nonce_key), ERR_NONCE_USED);

        let deposit = env::attached_deposit();
        let required = submit_deposit();
        if deposit < required {
            env::panic_str(&format!(
                "{ERR_DEPOSIT}: attached {} yoctoNEAR, required {} yoctoNEAR",
                deposit.as_yoctonear(),
                required.as_yoctonear()
            ));
        }
        let needed_gas =
            GAS_FOR_VERSION_STATUS.saturating_add(GAS_FOR_ON_VERSION_STATUS).saturating_add(GAS_SUBMIT_MARGIN);
        let remaining = env::prepaid_gas().saturating_sub(env::used_gas());
        if remaining < needed_gas {
            env::panic_str(&format!("{ERR_GAS}: attach at least {} TGas more", needed_gas.as_tgas()));
        }

        // Reserve the nonce before the async call; the callback releases it on failure.
        let meter = StorageMeter::start();
        self.used_nonces.insert(nonce_key);
        let reserved_bytes = meter.bytes_added();

        ext_model_registry::ext(self.registry.clone())
            .with_static_gas(GAS_FOR_VERSION_STATUS)
            .version_status(receipt.model_id.clone(), receipt.version)
            .then(Self::ext(env::current_account_id()).with_static_gas(GAS_FOR_ON_VERSION_STATUS).on_version_status(
                operator,
                receipt,
                env::predecessor_account_id(),
                deposit,
                U64(reserved_bytes),
            ))
    }

    /// Callback of `submit_receipt` with the registry's answer. Caller: this
    /// contract only. Stores the receipt when the version is Approved and its
    /// weights digest matches; otherwise releases the nonce, refunds the whole
    /// `deposit` to `submitter`, emits `receipt_rejected` and fails the
    /// transaction with the reason (through `fail_rejected_receipt`, so the
    /// release and refund persist). Its arguments are borsh (what
    /// `submit_receipt` schedules): cheaper to decode than JSON, and no JSON
    /// reader for them in the wasm.
    #[private]
    pub fn on_version_status(
        &mut self,
        #[serializer(borsh)] operator: AccountId,
        #[serializer(borsh)] receipt: InferenceReceipt,
        #[serializer(borsh)] submitter: AccountId,
        #[serializer(borsh)] deposit: NearToken,
        #[serializer(borsh)] reserved_bytes: U64,
        #[callback_result(max_bytes = MAX_REGISTRY_ANSWER_BYTES)] answer: Result<
            Option<VersionStatusView>,
            PromiseError,
        >,
    ) -> PromiseOrValue<U64> {
        Self::assert_self();
        match registry_rejection(&self.registry, &receipt, answer) {
            None => PromiseOrValue::Value(self.store_receipt(operator, receipt, submitter, deposit, reserved_bytes.0)),
            Some(reason) => {
                self.used_nonces.remove(&NonceKey { operator: operator.clone(), nonce: receipt.nonce.0 });
                if !deposit.is_zero() {
                    Promise::new(submitter.clone()).transfer(deposit).detach();
                }
                AttestationEvent::ReceiptRejected {
                    operator,
                    requester: receipt.requester,
                    model_id: receipt.model_id,
                    version: receipt.version,
                    nonce: receipt.nonce,
                    submitter,
                    reason: reason.clone(),
                }
                .emit();
                PromiseOrValue::Promise(
                    Self::ext(env::current_account_id())
                        .with_static_gas(GAS_FOR_FAIL_REJECTED)
                        .fail_rejected_receipt(reason),
                )
            }
        }
    }

    /// Fails with `receipt rejected: <reason>` so a rejected submission ends as
    /// a failed transaction. Caller: this contract only (borsh argument).
    /// Changes nothing.
    #[private]
    pub fn fail_rejected_receipt(&self, #[serializer(borsh)] reason: String) {
        Self::assert_self();
        env::panic_str(&format!("receipt rejected: {reason}"));
    }
}

impl Contract {
    /// SHA-256 of the signed preimage for this contract's account.
    pub(crate) fn receipt_digest_bytes(&self, receipt: &InferenceReceipt) -> [u8; 32] {
        env::sha256_array(receipt_message_bytes(&env::current_account_id(), receipt))
    }

    fn check_clock(&self, signed_at: u64) {
        let now = env::block_timestamp();
        let skew = self.max_clock_skew_ns;
        if signed_at.saturating_add(skew) < now {
            env::panic_str(&format!(
                "{ERR_TIMESTAMP_STALE}: signed at {signed_at}, block time {now}, max skew {skew} ns"
            ));
        }
        if signed_at > now.saturating_add(skew) {
            env::panic_str(&format!(
                "{ERR_TIMESTAMP_FUTURE}: signed at {signed_at}, block time {now}, max skew {skew} ns"
            ));
        }
    }

    // `set`, not `insert`: these keys are new (a fresh position, a fresh id),
    // and `insert` would read the old value first, a storage read (~0.1 Tgas
    // with its trie nodes) per entry for nothing. The count was just read, so
    // its write needs no read either.
    fn push_index(&mut self, key: IndexKey, receipt_id: u64) {
        let position = self.index_counts.get(&key).copied().unwrap_or(0);
        self.index_entries.set((key.clone(), position), Some(receipt_id));
        self.index_counts.set(key, Some(position + 1));
    }

    fn store_receipt(
        &mut self,
        operator: AccountId,
        receipt: InferenceReceipt,
        submitter: AccountId,
        deposit: NearToken,
        reserved_bytes: u64,
    ) -> U64 {
        let meter = StorageMeter::start();
        let id = self.next_receipt_id;
        self.next_receipt_id += 1;
        self.push_index(IndexKey::Requester(receipt.requester.clone()), id);
        self.push_index(IndexKey::Model(receipt.model_id.clone()), id);
        self.push_index(IndexKey::ModelVersion(receipt.model_id.clone(), receipt.version), id);
        self.push_index(IndexKey::Attester(operator.clone()), id);
        let (requester, model_id, version, nonce) =
            (receipt.requester.clone(), receipt.model_id.clone(), receipt.version, receipt.nonce);
        let stored = StoredReceipt {
            receipt,
            operator: operator.clone(),
            submitter: submitter.clone(),
            stored_at: env::block_timestamp(),
        };
        self.receipts.set(id, Some(stored));
        self.flush();

        // submit_receipt required a deposit covering MAX_RECEIPT_STORAGE_BYTES,
        // so the min() only matters if the storage price rose in between.
        let cost = storage_cost(meter.bytes_added() + reserved_bytes).min(deposit);
        let refund = deposit.saturating_sub(cost);
        if !refund.is_zero() {
            Promise::new(submitter.clone()).transfer(refund).detach();
        }
        AttestationEvent::ReceiptStored {
            receipt_id: U64(id),
            operator,
            requester,
            model_id,
            version,
            nonce,
            submitter,
            storage_cost: cost,
        }
        .emit();
        U64(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::MAX_RECEIPT_STORAGE_BYTES;
    use crate::testing::*;
    use ai_commons_primitives::Digest32;
    use attestation_signer::AttesterSigner;
    use near_sdk::test_utils::get_logs;
    use near_sdk::PromiseResult;

    /// The arguments `submit_receipt` scheduled for its callback (borsh).
    #[derive(near_sdk::borsh::BorshDeserialize)]
    #[borsh(crate = "near_sdk::borsh")]
    struct CallbackArgs {
        operator: AccountId,
        receipt: InferenceReceipt,
        submitter: AccountId,
        deposit: NearToken,
        reserved_bytes: U64,
    }

    fn submit(contract: &mut Contract, receipt: &InferenceReceipt, signature: &str) {
        call(relayer(), near(50), NOW);
        let _ = contract.submit_receipt(receipt.clone(), signature.to_string());
    }

    /// What one submission did, measured inside each of its two calls (the
    /// mocked VM resets its storage counter between calls).
    struct Outcome {
        result: PromiseOrValue<U64>,
        /// Bytes `submit_receipt` added (the nonce reservation).
        reserved: u64,
        /// Bytes `on_version_status` added (negative: freed).
        callback_delta: i64,
    }

    /// Submits, then runs the callback with the registry's `result`, using the
    /// callback arguments the submission really scheduled.
    fn submit_and_answer(contract: &mut Contract, receipt: &InferenceReceipt, result: PromiseResult) -> Outcome {
        call(relayer(), near(50), NOW);
        let before = env::storage_usage();
        let _ = contract.submit_receipt(receipt.clone(), sign(&signer(), receipt));
        let reserved = env::storage_usage() - before;
        let args: CallbackArgs = near_sdk::borsh::from_slice(&call_args("on_version_status")).unwrap();
        assert_eq!(args.reserved_bytes, U64(reserved));
        callback(result, NOW + SECOND);
        let before = env::storage_usage();
        let result = contract.on_version_status(
            args.operator,
            args.receipt,
            args.submitter,
            args.deposit,
            args.reserved_bytes,
            registry_answer(),
        );
        let callback_delta = env::storage_usage() as i64 - before as i64;
        Outcome { result, reserved, callback_delta }
    }

    fn stored_id(outcome: PromiseOrValue<U64>) -> u64 {
        match outcome {
            PromiseOrValue::Value(id) => id.0,
            PromiseOrValue::Promise(_) => panic!("expected the receipt to be stored"),
        }
    }

    /// Asserts a submission failed before the promise with `expected` and changed nothing.
    fn rejected_at_submit(contract: &mut Contract, receipt: &InferenceReceipt, signature: &str, expected: &str) {
        call(relayer(), near(50), NOW);
        let msg = panic_message(|| contract.submit_receipt(receipt.clone(), signature.to_string()));
        assert!(msg.starts_with(expected), "got {msg:?}, expected {expected:?}");
        assert!(!contract.is_nonce_used(operator(), receipt.nonce));
        assert!(function_calls().is_empty());
        assert!(get_logs().is_empty());
        assert_eq!(contract.get_config().receipt_count, U64(0));
    }

    #[test]
    fn submission_reserves_the_nonce_and_asks_the_registry() {
        let mut contract = setup();
        let r = receipt(&signer(), 1);
        submit(&mut contract, &r, &sign(&signer(), &r));
        assert!(contract.is_nonce_used(operator(), U64(1)));
        let calls = function_calls();
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].0, registry());
        assert_eq!(calls[0].1, "version_status");
        assert_eq!(calls[0].2, r#"{"model_id":"llama-3-8b","version":1}"#);
        assert_eq!(calls[1].0, contract_id());
        assert_eq!(calls[1].1, "on_version_status");
        let args: CallbackArgs = near_sdk::borsh::from_slice(&call_args("on_version_status")).unwrap();
        assert_eq!(args.submitter, relayer());
        assert_eq!(args.deposit, near(50));
        assert_eq!(args.operator, operator());
        assert!(args.reserved_bytes.0 > 0);
        // No event yet: the submission's one event comes from the callback.
        assert!(get_logs().is_empty());
        // While pending, the same nonce cannot be submitted again.
        rejected_at_submit_pending(&mut contract, &r);
    }

    fn rejected_at_submit_pending(contract: &mut Contract, r: &InferenceReceipt) {
        call(relayer(), near(50), NOW);
        let msg = panic_message(|| contract.submit_receipt(r.clone(), sign(&signer(), r)));
        assert_eq!(msg, ERR_NONCE_USED);
    }

    #[test]
    fn bad_signatures_are_rejected() {
        let mut contract = setup();
        let r = receipt(&signer(), 1);
        // Signed for another contract account.
        let other_contract = signer().sign(&r, &account("attest-other.near"));
        rejected_at_submit(&mut contract, &r, &other_contract, ERR_BAD_SIGNATURE);
        // A field changed after signing.
        let mut tampered = r.clone();
        tampered.response_commitment = Digest32([0x99; 32]);
        rejected_at_submit(&mut contract, &tampered, &sign(&signer(), &r), ERR_BAD_SIGNATURE);
        // Not a signature at all.
        rejected_at_submit(&mut contract, &r, "0xdeadbeef", "invalid ed25519 signature: expected \"ed25519:<base58>\"");
    }

    #[test]
    fn malformed_receipts_are_rejected() {
        let mut contract = setup();
        let mut r = receipt(&signer(), 1);
        r.version = 0;
        rejected_at_submit(&mut contract, &r, &sign(&signer(), &r), ERR_BAD_VERSION);
        let mut r = receipt(&signer(), 1);
        r.request_commitment = Digest32([0; 32]);
        rejected_at_submit(&mut contract, &r, &sign(&signer(), &r), ERR_ZERO_COMMITMENT);
        let mut r = receipt(&signer(), 1);
        r.weights_digest = Digest32([0; 32]);
        rejected_at_submit(&mut contract, &r, &sign(&signer(), &r), ERR_ZERO_WEIGHTS_DIGEST);
        let mut r = receipt(&signer(), 1);
        r.model_id = "Not A Slug".into();
        rejected_at_submit(&mut contract, &r, &sign(&signer(), &r), "model id may only contain");
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let mut contract = setup();
        let unknown = AttesterSigner::from_seed([42; 32]);
        let r = receipt(&unknown, 1);
        rejected_at_submit(&mut contract, &r, &sign(&unknown, &r), ERR_KEY_UNKNOWN);
    }

    #[test]
    fn rotated_out_keys_are_rejected() {
        let mut contract = setup();
        let new_signer = AttesterSigner::from_seed([2; 32]);
        call(owner(), near(100), NOW);
        contract.admit_attester_keys(operator(), vec![new_signer.public_key()], "intel-tdx".into(), vec![], None, None);
        let r = receipt(&signer(), 1);
        rejected_at_submit(&mut contract, &r, &sign(&signer(), &r), ERR_KEY_NOT_OF_ATTESTER);
    }

    #[test]
    fn revoked_attesters_sign_nothing_after_revocation() {
        let mut contract = setup();
        call(owner(), near(0), NOW - 2 * SECOND);
        contract.revoke_attester(operator(), "compromised".into());
        let r = receipt(&signer(), 1); // signed at NOW - 1 s, after the revocation
        rejected_at_submit(&mut contract, &r, &sign(&signer(), &r), ERR_SIGNED_AFTER_REVOCATION);
        // Signed before the revocation (and within the clock window): still accepted.
        let mut early = receipt(&signer(), 2);
        early.timestamp = U64(NOW - 3 * SECOND);
        submit(&mut contract, &early, &sign(&signer(), &early));
        assert!(contract.is_nonce_used(operator(), U64(2)));
    }

    #[test]
    fn expired_attesters_are_rejected() {
        let mut contract = setup();
        call(owner(), near(100), NOW - 3600 * SECOND);
        contract.admit_attester_keys(
            operator(),
            vec![signer().public_key()],
            "intel-tdx".into(),
            vec![],
            None,
            Some(U64(NOW - 2 * SECOND)),
        );
        let r = receipt(&signer(), 1);
        rejected_at_submit(&mut contract, &r, &sign(&signer(), &r), ERR_ATTESTER_EXPIRED);
    }

    #[test]
    fn models_outside_the_attesters_list_are_rejected() {
        let mut contract = setup();
        call(owner(), near(100), NOW);
        contract.admit_attester_keys(
            operator(),
            vec![signer().public_key()],
            "intel-tdx".into(),
            vec![],
            Some(vec!["mistral-7b".into()]),
            None,
        );
        let r = receipt(&signer(), 1);
        rejected_at_submit(&mut contract, &r, &sign(&signer(), &r), "attester may not serve this model: llama-3-8b");
    }

    #[test]
    fn stale_and_future_timestamps_are_rejected() {
        let mut contract = setup();
        let mut r = receipt(&signer(), 1);
        r.timestamp = U64(NOW - 301 * SECOND);
        rejected_at_submit(
            &mut contract,
            &r,
            &sign(&signer(), &r),
            &format!(
                "receipt timestamp is too old: signed at {}, block time {NOW}, max skew 300000000000 ns",
                NOW - 301 * SECOND
            ),
        );
        r.timestamp = U64(NOW + 301 * SECOND);
        rejected_at_submit(&mut contract, &r, &sign(&signer(), &r), ERR_TIMESTAMP_FUTURE);
        // The edges of the window are inside it.
        r.timestamp = U64(NOW + 300 * SECOND);
        submit(&mut contract, &r, &sign(&signer(), &r));
        assert!(contract.is_nonce_used(operator(), U64(1)));
    }

    #[test]
    fn a_short_deposit_is_rejected_with_the_amount() {
        let mut contract = setup();
        let r = receipt(&signer(), 1);
        call(relayer(), near(1), NOW);
        let msg = panic_message(|| contract.submit_receipt(r.clone(), sign(&signer(), &r)));
        assert_eq!(
            msg,
            format!(
                "{ERR_DEPOSIT}: attached {} yoctoNEAR, required {} yoctoNEAR",
                near(1).as_yoctonear(),
                submit_deposit().as_yoctonear()
            )
        );
        assert!(!contract.is_nonce_used(operator(), U64(1)));
    }

    #[test]
    fn approved_version_with_matching_digest_is_stored_and_paid_for() {
        let mut contract = setup();
        let r = receipt(&signer(), 1);
        let outcome = submit_and_answer(&mut contract, &r, answer(VersionStatus::Approved, weights()));
        let bytes = outcome.reserved + outcome.callback_delta as u64;
        assert_eq!(stored_id(outcome.result), 0);
        let cost = storage_cost(bytes);
        assert_eq!(
            get_logs(),
            vec![format!(
                "EVENT_JSON:{{\"standard\":\"inference_attestation\",\"version\":\"1.0.0\",\"event\":\"receipt_stored\",\"data\":{{\"receipt_id\":\"0\",\"operator\":\"node1.near\",\"requester\":\"alice.near\",\"model_id\":\"llama-3-8b\",\"version\":1,\"nonce\":\"1\",\"submitter\":\"relayer.near\",\"storage_cost\":\"{}\"}}}}",
                cost.as_yoctonear()
            )]
        );
        // The submitter gets back everything but the bytes it made the contract store.
        assert_eq!(transfers(), vec![(relayer(), near(50).saturating_sub(cost))]);
        let view = contract.get_receipt(U64(0)).unwrap();
        assert_eq!(view.receipt, r);
        assert_eq!(view.submitter, relayer());
        assert_eq!(view.stored_at, U64(NOW + SECOND));
        assert!(!view.attester_revoked);
        assert!(contract.is_nonce_used(operator(), U64(1)));
        assert_eq!(contract.get_receipt_count_by_model(MODEL.into(), None), U64(1));
        assert_eq!(contract.get_receipt_count_by_model(MODEL.into(), Some(VERSION)), U64(1));
        assert_eq!(contract.get_receipt_count_by_model(MODEL.into(), Some(2)), U64(0));
        assert_eq!(contract.get_receipt_count_by_attester(operator()), U64(1));
        assert_eq!(contract.get_receipt_count_by_requester(requester()), U64(1));
        assert_eq!(contract.get_attester(operator()).unwrap().receipt_count, U64(1));
        // Replaying the stored receipt fails at submit.
        rejected_at_submit_pending(&mut contract, &r);
    }

    fn assert_rejected(result: PromiseResult, reason: &str) {
        let mut contract = setup();
        let r = receipt(&signer(), 1);
        let outcome = submit_and_answer(&mut contract, &r, result);
        assert!(matches!(outcome.result, PromiseOrValue::Promise(_)), "expected a rejection");
        // The returned promise is scheduled when dropped, as at the end of a real call.
        drop(outcome.result);
        assert_eq!(outcome.callback_delta, -(outcome.reserved as i64), "nothing stays stored");
        assert!(!contract.is_nonce_used(operator(), U64(1)), "nonce is free again");
        assert!(contract.get_receipt(U64(0)).is_none());
        assert_eq!(contract.get_receipt_count_by_model(MODEL.into(), None), U64(0));
        assert_eq!(transfers(), vec![(relayer(), near(50))], "whole deposit refunded");
        assert_eq!(
            get_logs(),
            vec![format!(
                "EVENT_JSON:{{\"standard\":\"inference_attestation\",\"version\":\"1.0.0\",\"event\":\"receipt_rejected\",\"data\":{{\"operator\":\"node1.near\",\"requester\":\"alice.near\",\"model_id\":\"llama-3-8b\",\"version\":1,\"nonce\":\"1\",\"submitter\":\"relayer.near\",\"reason\":\"{reason}\"}}}}"
            )]
        );
        let calls = function_calls();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].1, "fail_rejected_receipt");
        let args: String = near_sdk::borsh::from_slice(&call_args("fail_rejected_receipt")).unwrap();
        assert_eq!(args, reason);
        // After a rejection the same signed receipt may be submitted again.
        submit(&mut contract, &r, &sign(&signer(), &r));
        assert!(contract.is_nonce_used(operator(), U64(1)));
    }

    #[test]
    fn revoked_version_is_rejected() {
        assert_rejected(
            answer(VersionStatus::Revoked, weights()),
            "model llama-3-8b version 1 is revoked in the registry, not approved",
        );
    }

    #[test]
    fn submitted_but_unapproved_version_is_rejected() {
        assert_rejected(
            answer(VersionStatus::Submitted, weights()),
            "model llama-3-8b version 1 is submitted in the registry, not approved",
        );
    }

    #[test]
    fn unknown_version_is_rejected() {
        assert_rejected(
            PromiseResult::Successful(b"null".to_vec()),
            "model llama-3-8b version 1 is not in the registry",
        );
    }

    #[test]
    fn digest_mismatch_is_rejected() {
        assert_rejected(
            answer(VersionStatus::Approved, Digest32([0xbb; 32])),
            &format!(
                "weights digest {} does not match the registry's {} for model llama-3-8b version 1",
                "aa".repeat(32),
                "bb".repeat(32)
            ),
        );
    }

    #[test]
    fn failed_or_oversized_registry_answers_are_rejected() {
        assert_rejected(PromiseResult::Failed, "registry registry.near did not answer version_status");
        assert_rejected(
            PromiseResult::Successful(vec![b' '; MAX_REGISTRY_ANSWER_BYTES + 1]),
            "registry registry.near did not answer version_status",
        );
    }

    #[test]
    fn rejection_fails_the_transaction_with_the_reason() {
        let contract = setup();
        callback(PromiseResult::Failed, NOW);
        assert_eq!(
            panic_message(|| contract.fail_rejected_receipt("model x version 1 is revoked".into())),
            "receipt rejected: model x version 1 is revoked"
        );
    }

    #[test]
    fn strangers_cannot_call_the_callbacks() {
        let mut contract = setup();
        let r = receipt(&signer(), 1);
        call(stranger(), near(0), NOW);
        let msg = panic_message(|| {
            contract.on_version_status(
                operator(),
                r.clone(),
                stranger(),
                near(1000),
                U64(0),
                Ok(Some(VersionStatusView { status: VersionStatus::Approved, weights_digest: weights() })),
            )
        });
        assert_eq!(msg, ERR_PRIVATE);
        assert_eq!(panic_message(|| contract.fail_rejected_receipt("x".into())), ERR_PRIVATE);
        assert!(contract.get_receipt(U64(0)).is_none());
    }

    #[test]
    fn stored_receipts_survive_revocation_flagged() {
        let mut contract = setup();
        let r = receipt(&signer(), 1);
        stored_id(submit_and_answer(&mut contract, &r, answer(VersionStatus::Approved, weights())).result);
        call(owner(), near(0), NOW + 2 * SECOND);
        contract.revoke_attester(operator(), "compromised".into());
        let view = contract.get_receipt(U64(0)).unwrap();
        assert!(view.attester_revoked);
        assert_eq!(view.attester_revoked_at, Some(U64(NOW + 2 * SECOND)));
        assert_eq!(view.receipt, r);
    }

    #[test]
    fn the_submit_deposit_covers_a_receipt_with_maximal_ids() {
        let mut contract = setup();
        let long = |c: char| format!("{}.near", c.to_string().repeat(59));
        call(owner(), near(100), NOW);
        let long_operator = account(&long('o'));
        let s = AttesterSigner::from_seed([3; 32]);
        contract.admit_attester_keys(long_operator.clone(), vec![s.public_key()], "sev".into(), vec![], None, None);
        let mut r = receipt(&s, u64::MAX);
        r.model_id = "m".repeat(64);
        r.requester = account(&long('r'));
        let long_submitter = account(&long('s'));
        call(long_submitter.clone(), submit_deposit(), NOW);
        let usage_before = env::storage_usage();
        let _ = contract.submit_receipt(r.clone(), s.sign(&r, &contract_id()));
        let reserved = env::storage_usage() - usage_before;
        callback(answer(VersionStatus::Approved, weights()), NOW);
        let callback_before = env::storage_usage();
        let out = contract.on_version_status(
            long_operator,
            r.clone(),
            long_submitter,
            submit_deposit(),
            U64(reserved),
            registry_answer(),
        );
        assert_eq!(stored_id(out), 0);
        let bytes = reserved + (env::storage_usage() - callback_before);
        assert!(bytes <= MAX_RECEIPT_STORAGE_BYTES, "{bytes} bytes > {MAX_RECEIPT_STORAGE_BYTES}");
        // And the bound is not wildly generous.
        assert!(bytes * 10 >= MAX_RECEIPT_STORAGE_BYTES * 8, "{bytes} bytes");
    }
}
