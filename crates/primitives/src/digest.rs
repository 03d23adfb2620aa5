//! 32-byte digests: borsh as the raw 32 bytes, JSON as 64 lowercase hex chars.

use near_sdk::borsh::{BorshDeserialize, BorshSerialize};
use near_sdk::serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A SHA-256 (or other 32-byte) digest.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, BorshSerialize, BorshDeserialize)]
#[borsh(crate = "near_sdk::borsh")]
pub struct Digest32(pub [u8; 32]);

impl Digest32 {
    pub const LEN: usize = 32;

    /// SHA-256 of `data`, computed with the host function on chain.
    pub fn sha256(data: &[u8]) -> Self {
        Self(near_sdk::env::sha256_array(data))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    pub fn is_zero(&self) -> bool {
        self.0 == [0u8; 32]
    }
}

/// Why a string is not a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestParseError(pub String);

impl fmt::Display for DigestParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid digest: {}", self.0)
    }
}

impl FromStr for Digest32 {
    type Err = DigestParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 64 {
            return Err(DigestParseError(format!("expected 64 hex chars, got {}", s.len())));
        }
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(DigestParseError("hex must be lowercase".into()));
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).map_err(|e| DigestParseError(e.to_string()))?;
        Ok(Self(out))
    }
}

impl fmt::Display for Digest32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Digest32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest32({})", self.to_hex())
    }
}

impl From<[u8; 32]> for Digest32 {
    fn from(value: [u8; 32]) -> Self {
        Self(value)
    }
}

impl Serialize for Digest32 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Digest32 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <String as Deserialize>::deserialize(deserializer)?;
        s.parse().map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_roundtrip_is_lowercase_hex() {
        let d = Digest32([0xab; 32]);
        let json = near_sdk::serde_json::to_string(&d).unwrap();
        assert_eq!(json, format!("\"{}\"", "ab".repeat(32)));
        let back: Digest32 = near_sdk::serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);
    }

    #[test]
    fn rejects_bad_hex() {
        assert!("ab".parse::<Digest32>().is_err());
        assert!("AB".repeat(32).parse::<Digest32>().is_err());
        assert!("zz".repeat(32).parse::<Digest32>().is_err());
        let err = near_sdk::serde_json::from_str::<Digest32>("\"00\"").unwrap_err();
        assert!(err.to_string().contains("expected 64 hex chars"));
    }
}
