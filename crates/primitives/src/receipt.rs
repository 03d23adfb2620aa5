//! The inference receipt an attester signs, and the exact bytes it signs.
//!
//! One definition shared by the `inference-attestation` contract (which hashes
//! with the `sha256` host function) and the off-chain `attestation-signer`
//! (which hashes with the `sha2` crate). Nothing here calls `near_sdk::env`.
//!
//! Signed message = `ed25519_sign(sha256(receipt_message_bytes(contract, receipt)))`,
//! where the preimage is the borsh encoding of [`ReceiptMessage`]:
//!
//! | # | field                 | borsh encoding                                   |
//! |---|-----------------------|--------------------------------------------------|
//! | 1 | domain                | u32 LE length + UTF-8 `"ai-commons/inference-receipt"` |
//! | 2 | format_version        | u8 (`1`)                                         |
//! | 3 | contract              | u32 LE length + UTF-8 account id of the contract |
//! | 4 | model_id              | u32 LE length + UTF-8                            |
//! | 5 | version               | u32 LE                                           |
//! | 6 | weights_digest        | 32 raw bytes                                     |
//! | 7 | request_commitment    | 32 raw bytes                                     |
//! | 8 | response_commitment   | 32 raw bytes                                     |
//! | 9 | requester             | u32 LE length + UTF-8 account id                 |
//! |10 | attester_key          | 32 raw bytes (ed25519 public key, no curve tag)  |
//! |11 | nonce                 | u64 LE                                           |
//! |12 | timestamp             | u64 LE (nanoseconds)                             |

use crate::{Digest32, ModelId, VersionNumber};
use near_sdk::borsh::{self, BorshDeserialize, BorshSerialize};
use near_sdk::json_types::U64;
use near_sdk::serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use near_sdk::{bs58, near, AccountId};
use std::fmt;
use std::str::FromStr;

/// Domain tag: the first field of every signed receipt message.
pub const RECEIPT_DOMAIN: &str = "ai-commons/inference-receipt";
/// Receipt format version: the second field of every signed receipt message.
pub const RECEIPT_FORMAT_VERSION: u8 = 1;
/// Prefix of ed25519 keys and signatures in their NEAR string form.
pub const ED25519_PREFIX: &str = "ed25519:";

/// What an attester signs about one inference.
///
/// JSON:
/// ```json
/// { "model_id": "llama-3-8b", "version": 1,
///   "weights_digest": "<64 hex>", "request_commitment": "<64 hex>",
///   "response_commitment": "<64 hex>", "requester": "alice.near",
///   "attester_key": "ed25519:<base58>", "nonce": "7", "timestamp": "1700000000000000000" }
/// ```
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InferenceReceipt {
    /// Model id in the community's model-registry.
    pub model_id: ModelId,
    /// Version number of that model.
    pub version: VersionNumber,
    /// Digest of the weights manifest the attester loaded; must equal the registry's.
    pub weights_digest: Digest32,
    /// `sha256(salt ‖ input)`: the request, hidden behind a salt only the requester knows.
    pub request_commitment: Digest32,
    /// `sha256(salt ‖ output)`: the response, hidden behind the same salt.
    pub response_commitment: Digest32,
    /// The account the inference was served to.
    pub requester: AccountId,
    /// The attester's signing key; it identifies the attester.
    pub attester_key: Ed25519PublicKey,
    /// Unique per attester: a (attester, nonce) pair is accepted once.
    pub nonce: U64,
    /// When the attester signed, in nanoseconds since the Unix epoch.
    pub timestamp: U64,
}

/// The signed preimage: domain tag, format version and contract account, then
/// the receipt fields in declaration order (borsh encodes a nested struct as
/// its fields, so this is exactly the table in the module docs).
#[derive(BorshSerialize)]
#[borsh(crate = "near_sdk::borsh")]
pub struct ReceiptMessage<'a> {
    pub domain: &'a str,
    pub format_version: u8,
    pub contract: &'a AccountId,
    pub receipt: &'a InferenceReceipt,
}

/// The bytes whose SHA-256 an attester signs for `contract`.
pub fn receipt_message_bytes(contract: &AccountId, receipt: &InferenceReceipt) -> Vec<u8> {
    let message = ReceiptMessage { domain: RECEIPT_DOMAIN, format_version: RECEIPT_FORMAT_VERSION, contract, receipt };
    borsh::to_vec(&message).unwrap_or_else(|_| unreachable!("borsh into a Vec cannot fail"))
}

/// Why a string is not an ed25519 key or signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyParseError(pub String);

impl fmt::Display for KeyParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn parse_prefixed<const N: usize>(what: &str, s: &str) -> Result<[u8; N], KeyParseError> {
    let body = s
        .strip_prefix(ED25519_PREFIX)
        .ok_or_else(|| KeyParseError(format!("invalid {what}: expected \"{ED25519_PREFIX}<base58>\"")))?;
    let bytes =
        bs58::decode(body).into_vec().map_err(|e| KeyParseError(format!("invalid {what}: bad base58 ({e})")))?;
    <[u8; N]>::try_from(bytes.as_slice())
        .map_err(|_| KeyParseError(format!("invalid {what}: expected {N} bytes, got {}", bytes.len())))
}

fn format_prefixed(bytes: &[u8]) -> String {
    format!("{ED25519_PREFIX}{}", bs58::encode(bytes).into_string())
}

/// An ed25519 public key. Borsh: the 32 raw bytes. JSON / string: NEAR's
/// `"ed25519:<base58 of the 32 bytes>"`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
#[borsh(crate = "near_sdk::borsh")]
pub struct Ed25519PublicKey(pub [u8; 32]);

impl FromStr for Ed25519PublicKey {
    type Err = KeyParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_prefixed::<32>("ed25519 public key", s).map(Self)
    }
}

impl fmt::Display for Ed25519PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_prefixed(&self.0))
    }
}

impl fmt::Debug for Ed25519PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ed25519PublicKey({self})")
    }
}

impl Serialize for Ed25519PublicKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Ed25519PublicKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <String as Deserialize>::deserialize(deserializer)?;
        s.parse().map_err(de::Error::custom)
    }
}

/// An ed25519 signature (64 bytes). String form: `"ed25519:<base58 of the 64 bytes>"`,
/// the format NEAR tools print signatures in.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Ed25519Signature(pub [u8; 64]);

impl FromStr for Ed25519Signature {
    type Err = KeyParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_prefixed::<64>("ed25519 signature", s).map(Self)
    }
}

impl fmt::Display for Ed25519Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_prefixed(&self.0))
    }
}

impl fmt::Debug for Ed25519Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ed25519Signature({self})")
    }
}

/// The receipt of the known-answer test in the contract's README (contract
/// `attest.near`): every crate that encodes or signs receipts checks itself
/// against it.
#[doc(hidden)]
pub fn known_answer_receipt() -> InferenceReceipt {
    InferenceReceipt {
        model_id: "llama-3-8b".to_string(),
        version: 2,
        weights_digest: Digest32([0x11; 32]),
        request_commitment: Digest32([0x22; 32]),
        response_commitment: Digest32([0x33; 32]),
        requester: "alice.near".parse().expect("valid account id"),
        attester_key: Ed25519PublicKey([0x44; 32]),
        nonce: U64(7),
        timestamp: U64(1_700_000_000_000_000_000),
    }
}

/// A stored receipt as the attestation contract's views show it, and as other
/// contracts read it (`get_receipt` in [`crate::interfaces`]).
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptView {
    pub id: U64,
    /// Exactly what the attester signed.
    pub receipt: InferenceReceipt,
    pub operator: AccountId,
    pub submitter: AccountId,
    pub stored_at: U64,
    /// The attester has since been revoked: the receipt was signed before the
    /// revocation and stays valid, but monitors may want to look again.
    pub attester_revoked: bool,
    pub attester_revoked_at: Option<U64>,
    /// How the signing attester was admitted: `dao` (by a DAO proposal) or
    /// `tdx_quote` (by a verified TDX quote).
    pub admission: String,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn sample_receipt() -> InferenceReceipt {
        known_answer_receipt()
    }

    #[test]
    fn message_bytes_follow_the_documented_layout() {
        let contract: AccountId = "attest.near".parse().unwrap();
        let r = sample_receipt();
        // Built by hand from the table in the module docs.
        let mut expected = Vec::new();
        let string = |out: &mut Vec<u8>, s: &str| {
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        };
        string(&mut expected, "ai-commons/inference-receipt");
        expected.push(1);
        string(&mut expected, "attest.near");
        string(&mut expected, "llama-3-8b");
        expected.extend_from_slice(&2u32.to_le_bytes());
        expected.extend_from_slice(&[0x11; 32]);
        expected.extend_from_slice(&[0x22; 32]);
        expected.extend_from_slice(&[0x33; 32]);
        string(&mut expected, "alice.near");
        expected.extend_from_slice(&[0x44; 32]);
        expected.extend_from_slice(&7u64.to_le_bytes());
        expected.extend_from_slice(&1_700_000_000_000_000_000u64.to_le_bytes());
        assert_eq!(receipt_message_bytes(&contract, &r), expected);
        assert_eq!(expected.len(), 4 + 28 + 1 + 4 + 11 + 4 + 10 + 4 + 96 + 4 + 10 + 32 + 16);
    }

    #[test]
    fn receipt_json_shape() {
        let json = near_sdk::serde_json::to_value(sample_receipt()).unwrap();
        assert_eq!(json["version"], 2);
        assert_eq!(json["nonce"], "7");
        assert_eq!(json["timestamp"], "1700000000000000000");
        assert_eq!(json["weights_digest"], "11".repeat(32));
        let key = json["attester_key"].as_str().unwrap();
        assert!(key.starts_with("ed25519:"));
        let back: InferenceReceipt = near_sdk::serde_json::from_value(json).unwrap();
        assert_eq!(back, sample_receipt());
    }

    #[test]
    fn key_and_signature_strings() {
        let key = Ed25519PublicKey([7; 32]);
        let s = key.to_string();
        assert_eq!(s.parse::<Ed25519PublicKey>().unwrap(), key);
        let sig = Ed25519Signature([9; 64]);
        assert_eq!(sig.to_string().parse::<Ed25519Signature>().unwrap(), sig);

        let no_prefix = s.trim_start_matches("ed25519:");
        assert_eq!(
            no_prefix.parse::<Ed25519PublicKey>().unwrap_err().to_string(),
            "invalid ed25519 public key: expected \"ed25519:<base58>\""
        );
        assert!("ed25519:0OIl".parse::<Ed25519PublicKey>().unwrap_err().0.contains("bad base58"));
        // A signature is not a key: wrong length is named.
        assert_eq!(
            sig.to_string().parse::<Ed25519PublicKey>().unwrap_err().to_string(),
            "invalid ed25519 public key: expected 32 bytes, got 64"
        );
    }
}
