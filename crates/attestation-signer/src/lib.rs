//! Off-chain signer for AI Commons inference receipts.
//!
//! An attester node holds an [`AttesterSigner`]; for each inference it commits
//! to the request and the response with a salt only the requester learns
//! ([`commit`]), fills an [`InferenceReceipt`] and signs it for one
//! inference-attestation contract account ([`AttesterSigner::sign`]). The
//! requester (or anyone) submits the receipt and signature on chain.
//!
//! The signed message is `sha256(borsh(ReceiptMessage))`, computed here with
//! the `sha2` crate over the same preimage definition the contract uses
//! (`ai_commons_primitives::receipt`); see the contract's README for the bytes.

pub mod tee;

pub use ai_commons_primitives::receipt::{
    receipt_message_bytes, Ed25519PublicKey, Ed25519Signature, InferenceReceipt, KeyParseError, RECEIPT_DOMAIN,
    RECEIPT_FORMAT_VERSION,
};
pub use ai_commons_primitives::Digest32;
pub use near_sdk::json_types::U64;
pub use near_sdk::AccountId;

use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;

/// Length of the salt [`random_salt`] makes.
pub const SALT_LEN: usize = 32;

/// Why a signature does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// The signature string is not `"ed25519:<base58 of 64 bytes>"`.
    Malformed(String),
    /// `attester_key` in the receipt is not a valid ed25519 point.
    BadPublicKey,
    /// Well formed, but not a signature of this receipt for this contract by this key.
    Invalid,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::Malformed(why) => write!(f, "malformed signature: {why}"),
            VerifyError::BadPublicKey => f.write_str("attester_key is not a valid ed25519 public key"),
            VerifyError::Invalid => f.write_str("signature does not match the receipt, contract and key"),
        }
    }
}

impl std::error::Error for VerifyError {}

/// `sha256(salt ‖ data)`: a commitment to `data` that reveals nothing without `salt`.
pub fn commit(salt: &[u8], data: &[u8]) -> Digest32 {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(data);
    Digest32(hasher.finalize().into())
}

/// A fresh random salt from the OS.
pub fn random_salt() -> [u8; SALT_LEN] {
    let mut salt = [0u8; SALT_LEN];
    OsRng.fill_bytes(&mut salt);
    salt
}

/// The 32-byte message an attester signs for `receipt` on `contract`; equals
/// the contract's `receipt_digest(receipt)` view.
pub fn receipt_digest(receipt: &InferenceReceipt, contract: &AccountId) -> Digest32 {
    Digest32(Sha256::digest(receipt_message_bytes(contract, receipt)).into())
}

/// Checks `signature` (`"ed25519:<base58>"`) over `receipt` for `contract`,
/// against the receipt's own `attester_key`.
pub fn verify(receipt: &InferenceReceipt, contract: &AccountId, signature: &str) -> Result<(), VerifyError> {
    let signature: Ed25519Signature =
        signature.parse().map_err(|e: KeyParseError| VerifyError::Malformed(e.to_string()))?;
    let key = VerifyingKey::from_bytes(&receipt.attester_key.0).map_err(|_| VerifyError::BadPublicKey)?;
    let digest = receipt_digest(receipt, contract);
    key.verify(&digest.0, &ed25519_dalek::Signature::from_bytes(&signature.0)).map_err(|_| VerifyError::Invalid)
}

/// An attester's ed25519 signing key.
pub struct AttesterSigner {
    key: SigningKey,
}

impl fmt::Debug for AttesterSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secret.
        write!(f, "AttesterSigner({})", self.public_key())
    }
}

impl AttesterSigner {
    /// A new key from the OS random source.
    pub fn generate() -> Self {
        Self { key: SigningKey::generate(&mut OsRng) }
    }

    /// The key with this 32-byte secret seed (deterministic: tests, demos).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self { key: SigningKey::from_bytes(&seed) }
    }

    /// Loads a NEAR secret key string `"ed25519:<base58 of 64 bytes: seed ‖ public key>"`
    /// (the format of near-cli credential files).
    pub fn from_near_secret_key(secret: &str) -> Result<Self, KeyParseError> {
        let body = secret
            .strip_prefix("ed25519:")
            .ok_or_else(|| KeyParseError("invalid ed25519 secret key: expected \"ed25519:<base58>\"".into()))?;
        let bytes = near_sdk::bs58::decode(body)
            .into_vec()
            .map_err(|e| KeyParseError(format!("invalid ed25519 secret key: bad base58 ({e})")))?;
        let keypair = <[u8; 64]>::try_from(bytes.as_slice()).map_err(|_| {
            KeyParseError(format!("invalid ed25519 secret key: expected 64 bytes, got {}", bytes.len()))
        })?;
        SigningKey::from_keypair_bytes(&keypair)
            .map(|key| Self { key })
            .map_err(|_| KeyParseError("invalid ed25519 secret key: public half does not match".into()))
    }

    /// The secret in NEAR's `"ed25519:<base58 of seed ‖ public key>"` form.
    pub fn to_near_secret_key(&self) -> String {
        format!("ed25519:{}", near_sdk::bs58::encode(self.key.to_keypair_bytes()).into_string())
    }

    /// The public key; its string form (`"ed25519:<base58>"`) is what
    /// `admit_attester` and receipts take.
    pub fn public_key(&self) -> Ed25519PublicKey {
        Ed25519PublicKey(self.key.verifying_key().to_bytes())
    }

    /// Signs `receipt` for the contract at `contract`. The receipt's
    /// `attester_key` must be this signer's key (else nobody would accept it).
    /// Returns `"ed25519:<base58 of the 64-byte signature>"`.
    pub fn sign(&self, receipt: &InferenceReceipt, contract: &AccountId) -> String {
        assert_eq!(receipt.attester_key, self.public_key(), "receipt.attester_key must be the signer's public key");
        let digest = receipt_digest(receipt, contract);
        Ed25519Signature(self.key.sign(&digest.0).to_bytes()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contract_a() -> AccountId {
        "attest.near".parse().unwrap()
    }

    fn receipt_for(signer: &AttesterSigner) -> InferenceReceipt {
        let salt = [5u8; 32];
        InferenceReceipt {
            model_id: "llama-3-8b".to_string(),
            version: 2,
            weights_digest: Digest32([0x11; 32]),
            request_commitment: commit(&salt, b"what is the capital of France?"),
            response_commitment: commit(&salt, b"Paris"),
            requester: "alice.near".parse().unwrap(),
            attester_key: signer.public_key(),
            nonce: U64(7),
            timestamp: U64(1_700_000_000_000_000_000),
        }
    }

    /// Same receipt as the primitives layout test and the contract's digest test.
    pub(crate) fn kat_receipt() -> InferenceReceipt {
        ai_commons_primitives::receipt::known_answer_receipt()
    }

    /// Known answer, shared with `inference-attestation`'s
    /// `receipt_digest_matches_the_signer_known_answer` test.
    pub(crate) const KAT_DIGEST_HEX: &str = include_str!("../testdata/kat_digest.hex");

    #[test]
    fn commit_is_sha256_of_salt_then_data() {
        // sha256("abc") with an empty salt is the FIPS 180-2 test vector.
        assert_eq!(commit(b"", b"abc").to_hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(commit(b"ab", b"c"), commit(b"", b"abc"));
        assert_ne!(commit(&[1; 32], b"abc"), commit(&[2; 32], b"abc"));
        assert_ne!(random_salt(), random_salt());
    }

    #[test]
    fn sign_then_verify() {
        let signer = AttesterSigner::generate();
        let receipt = receipt_for(&signer);
        let signature = signer.sign(&receipt, &contract_a());
        assert!(signature.starts_with("ed25519:"));
        assert_eq!(verify(&receipt, &contract_a(), &signature), Ok(()));
    }

    #[test]
    fn signature_for_contract_a_does_not_verify_for_contract_b() {
        let signer = AttesterSigner::from_seed([1; 32]);
        let receipt = receipt_for(&signer);
        let signature = signer.sign(&receipt, &contract_a());
        let contract_b: AccountId = "attest-other.near".parse().unwrap();
        assert_eq!(verify(&receipt, &contract_b, &signature), Err(VerifyError::Invalid));
    }

    #[test]
    fn any_changed_field_breaks_the_signature() {
        let signer = AttesterSigner::from_seed([2; 32]);
        let receipt = receipt_for(&signer);
        let signature = signer.sign(&receipt, &contract_a());
        let mut changed = vec![receipt.clone(); 8];
        changed[0].model_id = "llama-3-70b".into();
        changed[1].version = 3;
        changed[2].weights_digest = Digest32([0x12; 32]);
        changed[3].request_commitment = commit(&[5; 32], b"other question");
        changed[4].response_commitment = commit(&[5; 32], b"Lyon");
        changed[5].requester = "bob.near".parse().unwrap();
        changed[6].nonce = U64(8);
        changed[7].timestamp = U64(receipt.timestamp.0 + 1);
        for other in &changed {
            assert_eq!(verify(other, &contract_a(), &signature), Err(VerifyError::Invalid));
        }
        // Another key claiming the receipt.
        let mut stolen = receipt.clone();
        stolen.attester_key = AttesterSigner::from_seed([3; 32]).public_key();
        assert_eq!(verify(&stolen, &contract_a(), &signature), Err(VerifyError::Invalid));
    }

    #[test]
    fn malformed_signatures_are_named() {
        let signer = AttesterSigner::from_seed([4; 32]);
        let receipt = receipt_for(&signer);
        let err = verify(&receipt, &contract_a(), "deadbeef").unwrap_err();
        assert_eq!(err.to_string(), "malformed signature: invalid ed25519 signature: expected \"ed25519:<base58>\"");
        let short = format!("ed25519:{}", near_sdk::bs58::encode([1u8; 32]).into_string());
        assert!(
            matches!(verify(&receipt, &contract_a(), &short), Err(VerifyError::Malformed(m)) if m.contains("expected 64 bytes"))
        );
    }

    #[test]
    fn seeds_are_deterministic_and_keys_round_trip() {
        let a = AttesterSigner::from_seed([9; 32]);
        let b = AttesterSigner::from_seed([9; 32]);
        assert_eq!(a.public_key(), b.public_key());
        let key_string = a.public_key().to_string();
        assert!(key_string.starts_with("ed25519:"));
        assert_eq!(key_string.parse::<Ed25519PublicKey>().unwrap(), a.public_key());
        let restored = AttesterSigner::from_near_secret_key(&a.to_near_secret_key()).unwrap();
        assert_eq!(restored.public_key(), a.public_key());
        let receipt = receipt_for(&a);
        // ed25519 is deterministic: the same key signs the same receipt identically.
        assert_eq!(a.sign(&receipt, &contract_a()), restored.sign(&receipt, &contract_a()));
        assert!(AttesterSigner::from_near_secret_key("ed25519:abc").is_err());
        assert!(!format!("{a:?}").contains(&a.to_near_secret_key()));
    }

    #[test]
    #[should_panic(expected = "receipt.attester_key must be the signer's public key")]
    fn refuses_to_sign_for_another_key() {
        let signer = AttesterSigner::from_seed([6; 32]);
        let mut receipt = receipt_for(&signer);
        receipt.attester_key = AttesterSigner::from_seed([7; 32]).public_key();
        signer.sign(&receipt, &contract_a());
    }

    #[test]
    fn digest_known_answer() {
        // The preimage is checked byte by byte against the documented layout in
        // ai-commons-primitives; here its SHA-256 is pinned, and the contract's
        // unit test pins its env::sha256-based receipt_digest to the same file.
        let digest = receipt_digest(&kat_receipt(), &"attest.near".parse().unwrap());
        assert_eq!(digest.to_hex(), KAT_DIGEST_HEX.trim());
    }
}
