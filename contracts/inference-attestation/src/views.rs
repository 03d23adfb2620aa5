//! Read-only views. Lists are paginated (`from_index`, `limit` ≤ 100).

use crate::attesters::Attester;
use crate::receipts::{IndexKey, NonceKey, StoredReceipt};
use crate::storage::submit_deposit;
use crate::{Contract, ContractExt, STATE_VERSION};
/// A stored receipt as views show it (shared: other contracts read it through the interface).
pub use ai_commons_primitives::receipt::ReceiptView;
use ai_commons_primitives::receipt::{Ed25519PublicKey, InferenceReceipt, RECEIPT_DOMAIN, RECEIPT_FORMAT_VERSION};
use ai_commons_primitives::{Digest32, ModelId, Page, VersionNumber};
use near_sdk::json_types::U64;
use near_sdk::{env, near, AccountId, NearToken};

/// An attester as views show it.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttesterView {
    pub operator: AccountId,
    pub public_keys: Vec<Ed25519PublicKey>,
    pub tee_kind: String,
    pub measurements: Vec<Digest32>,
    pub models: Option<Vec<ModelId>>,
    pub expires_at: Option<U64>,
    pub admitted_at: U64,
    pub revoked_at: Option<U64>,
    /// Not revoked and not expired at the current block time.
    pub active: bool,
    pub receipt_count: U64,
}

/// Configuration and totals.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigView {
    pub owner: AccountId,
    pub registry: AccountId,
    pub max_clock_skew_ns: U64,
    /// Deposit `submit_receipt` requires (unused part refunded).
    pub submit_deposit: NearToken,
    pub receipt_domain: String,
    pub receipt_format_version: u8,
    pub state_version: ai_commons_primitives::StateVersion,
    pub receipt_count: U64,
    pub attester_count: u32,
}

impl Contract {
    fn attester_view(&self, operator: &AccountId, attester: &Attester) -> AttesterView {
        AttesterView {
            operator: operator.clone(),
            public_keys: attester.public_keys.clone(),
            tee_kind: attester.tee_kind.clone(),
            measurements: attester.measurements.clone(),
            models: attester.models.clone(),
            expires_at: attester.expires_at.map(U64),
            admitted_at: U64(attester.admitted_at),
            revoked_at: attester.revoked_at().map(U64),
            // A quote-admitted attester whose measurements or platform were withdrawn is not active either.
            active: attester.is_active_at(env::block_timestamp())
                && (attester.tee_kind != crate::tee::TEE_KIND_TDX_QUOTE
                    || self.tee_lapse(operator, attester, env::block_timestamp()).is_none()),
            receipt_count: U64(self.index_count(&IndexKey::Attester(operator.clone()))),
        }
    }

    pub(crate) fn receipt_view(&self, id: u64, stored: &StoredReceipt) -> ReceiptView {
        let attester = self.attesters.get(&stored.operator);
        let revoked_at = attester.and_then(Attester::revoked_at);
        let admission = attester.map_or("dao", crate::tee::admission_kind).to_string();
        ReceiptView {
            id: U64(id),
            receipt: stored.receipt.clone(),
            operator: stored.operator.clone(),
            submitter: stored.submitter.clone(),
            stored_at: U64(stored.stored_at),
            attester_revoked: revoked_at.is_some(),
            attester_revoked_at: revoked_at.map(U64),
            admission,
        }
    }

    fn index_count(&self, key: &IndexKey) -> u64 {
        self.index_counts.get(key).copied().unwrap_or(0)
    }

    /// One page of an index: constant reads per returned item.
    fn index_page(&self, key: IndexKey, from_index: Option<u64>, limit: Option<u32>) -> Vec<ReceiptView> {
        let range = Page::new(from_index, limit).range(self.index_count(&key));
        range
            .filter_map(|position| {
                let id = *self.index_entries.get(&(key.clone(), position))?;
                self.receipts.get(&id).map(|stored| self.receipt_view(id, stored))
            })
            .collect()
    }
}

#[near]
impl Contract {
    /// Receipts served to `requester`, oldest first.
    pub fn get_receipts_by_requester(
        &self,
        requester: AccountId,
        from_index: Option<u64>,
        limit: Option<u32>,
    ) -> Vec<ReceiptView> {
        self.index_page(IndexKey::Requester(requester), from_index, limit)
    }

    /// Receipts for a model (every version), or for one version when `version` is given.
    pub fn get_receipts_by_model(
        &self,
        model_id: ModelId,
        version: Option<VersionNumber>,
        from_index: Option<u64>,
        limit: Option<u32>,
    ) -> Vec<ReceiptView> {
        self.index_page(model_key(model_id, version), from_index, limit)
    }

    /// Receipts signed by the attester `operator`.
    pub fn get_receipts_by_attester(
        &self,
        operator: AccountId,
        from_index: Option<u64>,
        limit: Option<u32>,
    ) -> Vec<ReceiptView> {
        self.index_page(IndexKey::Attester(operator), from_index, limit)
    }

    /// How many receipts name `requester`.
    pub fn get_receipt_count_by_requester(&self, requester: AccountId) -> U64 {
        U64(self.index_count(&IndexKey::Requester(requester)))
    }

    /// How many receipts name the model (and `version`, when given).
    pub fn get_receipt_count_by_model(&self, model_id: ModelId, version: Option<VersionNumber>) -> U64 {
        U64(self.index_count(&model_key(model_id, version)))
    }

    /// How many receipts the attester `operator` signed.
    pub fn get_receipt_count_by_attester(&self, operator: AccountId) -> U64 {
        U64(self.index_count(&IndexKey::Attester(operator)))
    }

    /// An attester's keys, TEE evidence, models, expiry and revocation; `None` when never admitted.
    pub fn get_attester(&self, operator: AccountId) -> Option<AttesterView> {
        self.attesters.get(&operator).map(|a| self.attester_view(&operator, a))
    }

    /// Attesters in admission order (revoked ones included, flagged).
    pub fn get_attesters(&self, from_index: Option<u64>, limit: Option<u32>) -> Vec<AttesterView> {
        let range = Page::new(from_index, limit).range(self.attester_ids.len() as u64);
        range
            .filter_map(|i| {
                let operator = self.attester_ids.get(i as u32)?;
                self.attesters.get(operator).map(|a| self.attester_view(operator, a))
            })
            .collect()
    }

    /// The operator a signing key is registered to, if any.
    pub fn get_attester_by_key(&self, public_key: Ed25519PublicKey) -> Option<AttesterView> {
        let operator = self.attester_keys.get(&public_key)?;
        self.attesters.get(operator).map(|a| self.attester_view(operator, a))
    }

    /// Owner, linked registry, clock skew allowed, receipt deposit and format, layout version and counts.
    pub fn get_config(&self) -> ConfigView {
        ConfigView {
            owner: self.owner.clone(),
            registry: self.registry.clone(),
            max_clock_skew_ns: U64(self.max_clock_skew_ns),
            submit_deposit: submit_deposit(),
            receipt_domain: RECEIPT_DOMAIN.to_string(),
            receipt_format_version: RECEIPT_FORMAT_VERSION,
            state_version: STATE_VERSION,
            receipt_count: U64(self.next_receipt_id),
            attester_count: self.attester_ids.len(),
        }
    }

    /// Whether (operator, nonce) is reserved by a pending submission or spent.
    pub fn is_nonce_used(&self, operator: AccountId, nonce: U64) -> bool {
        self.used_nonces.contains(&NonceKey { operator, nonce: nonce.0 })
    }

    /// The 32-byte digest an attester signs for `receipt` on this contract
    /// (SHA-256 of the borsh preimage in README.md), as 64 hex chars.
    pub fn receipt_digest(&self, receipt: InferenceReceipt) -> Digest32 {
        Digest32(self.receipt_digest_bytes(&receipt))
    }
}

fn model_key(model_id: ModelId, version: Option<VersionNumber>) -> IndexKey {
    match version {
        Some(version) => IndexKey::ModelVersion(model_id, version),
        None => IndexKey::Model(model_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use ai_commons_primitives::{VersionStatus, MAX_LIMIT};
    use near_sdk::json_types::U64;

    /// Stores `n` receipts for `requester()` straight through submit + callback.
    fn store_receipts(contract: &mut Contract, n: u64, version: u32) {
        for nonce in 0..n {
            let mut r = receipt(&signer(), nonce + u64::from(version) * 1_000);
            r.version = version;
            call(relayer(), near(50), NOW);
            let _ = contract.submit_receipt(r.clone(), sign(&signer(), &r));
            callback(answer(VersionStatus::Approved, weights()), NOW);
            let _ = contract.on_version_status(
                operator(),
                r,
                relayer(),
                near(50),
                U64(0),
                crate::testing::registry_answer(),
            );
        }
    }

    #[test]
    fn lists_are_paginated_and_capped() {
        let mut contract = setup();
        store_receipts(&mut contract, 105, 1);
        store_receipts(&mut contract, 3, 2);
        let page = contract.get_receipts_by_requester(requester(), None, None);
        assert_eq!(page.len(), 20);
        assert_eq!(page[0].id, U64(0));
        let capped = contract.get_receipts_by_requester(requester(), Some(0), Some(1_000));
        assert_eq!(capped.len(), MAX_LIMIT as usize);
        let tail = contract.get_receipts_by_requester(requester(), Some(100), Some(100));
        assert_eq!(tail.iter().map(|v| v.id.0).collect::<Vec<_>>(), (100..108).collect::<Vec<_>>());
        assert!(contract.get_receipts_by_requester(requester(), Some(500), None).is_empty());

        let v2 = contract.get_receipts_by_model(MODEL.into(), Some(2), None, None);
        assert_eq!(v2.iter().map(|v| v.id.0).collect::<Vec<_>>(), vec![105, 106, 107]);
        assert!(v2.iter().all(|v| v.receipt.version == 2));
        assert_eq!(contract.get_receipts_by_model(MODEL.into(), None, Some(104), Some(2)).len(), 2);
        assert_eq!(contract.get_receipt_count_by_model(MODEL.into(), None), U64(108));
        assert_eq!(contract.get_receipt_count_by_model(MODEL.into(), Some(1)), U64(105));
        assert_eq!(contract.get_receipts_by_attester(operator(), Some(107), None)[0].id, U64(107));
        assert_eq!(contract.get_receipt_count_by_attester(operator()), U64(108));
        assert!(contract.get_receipts_by_attester(stranger(), None, None).is_empty());
        assert_eq!(contract.get_config().receipt_count, U64(108));
    }

    #[test]
    fn attesters_are_listed_in_admission_order() {
        let mut contract = setup();
        call(owner(), near(100), NOW);
        for i in 2..=4u8 {
            let key = attestation_signer::AttesterSigner::from_seed([i; 32]).public_key();
            contract.admit_attester_keys(
                account(&format!("node{i}.near")),
                vec![key],
                "sev".into(),
                vec![],
                None,
                None,
            );
        }
        let all = contract.get_attesters(None, None);
        let names: Vec<_> = all.iter().map(|a| a.operator.to_string()).collect();
        assert_eq!(names, vec!["node1.near", "node2.near", "node3.near", "node4.near"]);
        assert_eq!(contract.get_attesters(Some(3), Some(5)).len(), 1);
        assert_eq!(contract.get_config().attester_count, 4);
    }

    #[test]
    fn receipt_digest_matches_the_signer_known_answer() {
        // Same receipt and contract account as the known-answer tests in
        // ai-commons-primitives (byte layout) and attestation-signer (sha2).
        call(owner(), NearToken::from_yoctonear(0), NOW);
        let contract = Contract::new(owner(), registry(), None);
        let receipt = ai_commons_primitives::receipt::known_answer_receipt();
        let expected = include_str!("../../../crates/attestation-signer/testdata/kat_digest.hex");
        assert_eq!(contract.receipt_digest(receipt.clone()).to_hex(), expected.trim());
        assert_eq!(
            contract.receipt_digest(receipt.clone()),
            attestation_signer::receipt_digest(&receipt, &contract_id())
        );
    }
}
