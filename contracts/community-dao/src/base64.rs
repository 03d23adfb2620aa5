//! Bytes that travel in JSON as standard, padded base64 (RFC 4648 §4): the
//! arguments of a `function_calls` action and of `migrate` after an upgrade.
//!
//! The JSON is what near-sdk's `Base64VecU8` reads and writes (canonical
//! padding required, non-zero trailing bits refused), and the borsh layout is
//! the same (`Vec<u8>`); the code is ~0.5 kB of wasm instead of the `base64`
//! crate's ~7 kB, which every call to the DAO would pay to load.

use near_sdk::near;
use near_sdk::serde::{de, Deserialize, Deserializer, Serialize, Serializer};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Bytes, base64 in JSON.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Base64Bytes(pub Vec<u8>);

impl From<Vec<u8>> for Base64Bytes {
    fn from(bytes: Vec<u8>) -> Self {
        Base64Bytes(bytes)
    }
}

/// Standard base64 with padding.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let byte = |i: usize| chunk.get(i).copied().unwrap_or(0) as u32;
        let n = byte(0) << 16 | byte(1) << 8 | byte(2);
        for i in 0..4 {
            // A chunk of k bytes gives k + 1 characters, then padding.
            out.push(if i <= chunk.len() { ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char } else { '=' });
        }
    }
    out
}

fn sextet(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(v as u32)
}

/// Decodes standard base64 with canonical padding.
pub fn decode(s: &str) -> Result<Vec<u8>, &'static str> {
    let s = s.as_bytes();
    if !s.len().is_multiple_of(4) {
        return Err("base64: the length must be a multiple of 4 (padding with '=' is required)");
    }
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let quads = s.len() / 4;
    for (i, quad) in s.chunks(4).enumerate() {
        let pad = if i + 1 == quads { quad.iter().rev().take_while(|&&c| c == b'=').count() } else { 0 };
        if pad > 2 {
            return Err("base64: too much padding");
        }
        let mut n = 0u32;
        for &c in &quad[..4 - pad] {
            n = n << 6 | sextet(c).ok_or("base64: invalid character")?;
        }
        n <<= 6 * pad as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        let keep = 3 - pad;
        if bytes[keep..].iter().any(|&b| b != 0) {
            return Err("base64: non-zero trailing bits (not canonical)");
        }
        out.extend_from_slice(&bytes[..keep]);
    }
    Ok(out)
}

impl Serialize for Base64Bytes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Base64Bytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Base64Bytes;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a base64 string")
            }

            fn visit_str<E: de::Error>(self, s: &str) -> Result<Base64Bytes, E> {
                decode(s).map(Base64Bytes).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use near_sdk::json_types::Base64VecU8;
    use near_sdk::serde_json;

    /// near-sdk's `Base64VecU8` (the `base64` crate) is the reference.
    fn reference_encode(bytes: &[u8]) -> String {
        serde_json::to_value(Base64VecU8(bytes.to_vec())).unwrap().as_str().unwrap().to_string()
    }

    fn reference_decode(s: &str) -> Option<Vec<u8>> {
        serde_json::from_value::<Base64VecU8>(serde_json::Value::String(s.to_string())).ok().map(|b| b.0)
    }

    #[test]
    fn matches_the_reference_on_every_length_and_byte() {
        let mut seed = 0x2545_f491u32;
        for len in 0..200 {
            let bytes: Vec<u8> = (0..len)
                .map(|i| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    (seed >> 16) as u8 ^ i as u8
                })
                .collect();
            let text = encode(&bytes);
            assert_eq!(text, reference_encode(&bytes), "encode, length {len}");
            assert_eq!(decode(&text).unwrap(), bytes, "decode, length {len}");
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(encode(&all), reference_encode(&all));
        assert_eq!(decode(&encode(&all)).unwrap(), all);
    }

    #[test]
    fn refuses_what_the_reference_refuses() {
        for bad in ["e30", "e30==", "=e30", "e3=0", "e30=e30=", "e3#=", "====", "e31=", "eB==", "e", "e==="] {
            assert!(decode(bad).is_err(), "{bad} should be refused");
            assert_eq!(reference_decode(bad), None, "the reference refuses {bad} too");
        }
        for good in ["", "e30=", "eA==", "AAAA", "+/+/"] {
            if let Some(expected) = reference_decode(good) {
                assert_eq!(decode(good).unwrap(), expected, "{good}");
            }
        }
        assert_eq!(decode("e30=").unwrap(), b"{}");
    }

    #[test]
    fn json_and_borsh_forms_are_those_of_base64vecu8() {
        let b = Base64Bytes(b"{\"x\":1}".to_vec());
        assert_eq!(serde_json::to_string(&b).unwrap(), serde_json::to_string(&Base64VecU8(b.0.clone())).unwrap());
        assert_eq!(serde_json::from_str::<Base64Bytes>("\"eyJ4IjoxfQ==\"").unwrap(), b);
        assert_eq!(near_sdk::borsh::to_vec(&b).unwrap(), near_sdk::borsh::to_vec(&Base64VecU8(b.0.clone())).unwrap());
        let err = serde_json::from_str::<Base64Bytes>("\"e30\"").unwrap_err().to_string();
        assert!(err.contains("multiple of 4"), "{err}");
    }
}
