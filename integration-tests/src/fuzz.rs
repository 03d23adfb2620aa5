//! Malformed-input generator for the decoding fuzz (`tests/fuzz.rs`): starts
//! from a valid argument object and mutates it so that every case is
//! genuinely invalid (never a mutation near-sdk would accept, such as only an
//! extra field, or a null for an optional one).
//!
//! Randomness comes from the caller (`next: FnMut() -> u64`), so a test seeds
//! it and prints the seed; the same seed gives the same cases.

use serde_json::{Map, Value};

/// Keys whose string values are enum tags (a wrong tag is invalid).
const ENUM_KEYS: &[&str] = &["type", "choice", "purpose"];
/// The enum tags the contracts take (a `purpose` key also names a DAO's free-text purpose).
const ENUM_VALUES: &[&str] = &[
    "yes",
    "no",
    "abstain",
    "spam",
    "training",
    "fine_tuning",
    "evaluation",
    "inference",
    "analytics",
    "text",
    "add_member",
    "remove_member",
    "change_roles",
    "change_policy",
    "transfer",
    "function_calls",
    "upgrade_self",
    "approve_model_version",
    "admit_attester",
    "revoke_attester",
    "record_training_snapshot",
    "move_alias",
];
/// Keys holding yoctoNEAR amounts (u128 strings): 2^64 is still valid there.
const AMOUNT_KEYS: &[&str] = &["amount", "deposit", "proposal_bond"];
/// Strings longer than every limit in the contracts (the largest is 16 kB), and a few hundred kB.
const HUGE: [usize; 2] = [20_000, 300_000];
/// Nesting far beyond serde_json's recursion limit (128).
const DEEP: usize = 10_000;
/// Marker replaced by raw text after serialization (deep nesting, bad escapes).
const SLOT: &str = "\u{1}fuzz-slot\u{1}";

/// One generated input: what was done, and the bytes to send.
#[derive(Clone, Debug)]
pub struct Case {
    pub label: String,
    pub bytes: Vec<u8>,
    /// For a string over NEAR's 16 kB log limit: the same case with a
    /// 200-byte string, to learn which error the huge one could not report.
    pub shrunk: Option<Vec<u8>>,
}

impl Case {
    fn new(label: String, bytes: Vec<u8>) -> Self {
        Case { label, bytes, shrunk: None }
    }
}

/// NEAR refuses a log (and a panic message) longer than this.
pub const LOG_LIMIT: usize = 16_384;

/// Where a value sits in the argument object.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// What a string leaf holds, judged from its value and key.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Class {
    Account,
    Digest,
    PublicKey,
    Signature,
    Integer,
    Amount,
    Enum,
    Text,
}

/// A JSON mutator for one method: its valid arguments, the keys that are
/// optional (removing them or setting them to null stays valid), and the
/// account ids the arguments use.
pub struct Mutator<'a> {
    pub valid: &'a Value,
    pub optional: &'a [&'a str],
    pub accounts: &'a [String],
}

/// Prefix of a string that stands for raw JSON text (numbers `Value` cannot hold).
const RAW: &str = "\u{2}raw:";

fn raw(text: &str) -> Value {
    Value::String(format!("{RAW}{text}"))
}

fn nodes(v: &Value, path: &mut Vec<Step>, out: &mut Vec<(Vec<Step>, Value)>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                path.push(Step::Key(k.clone()));
                out.push((path.clone(), child.clone()));
                nodes(child, path, out);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                path.push(Step::Index(i));
                out.push((path.clone(), child.clone()));
                nodes(child, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn at<'v>(v: &'v mut Value, path: &[Step]) -> &'v mut Value {
    path.iter().fold(v, |v, s| match s {
        Step::Key(k) => v.get_mut(k.as_str()).expect("path"),
        Step::Index(i) => v.get_mut(*i).expect("path"),
    })
}

fn last_key(path: &[Step]) -> Option<&str> {
    path.iter().rev().find_map(|s| match s {
        Step::Key(k) => Some(k.as_str()),
        Step::Index(_) => None,
    })
}

fn show(path: &[Step]) -> String {
    let parts: Vec<String> = path
        .iter()
        .map(|s| match s {
            Step::Key(k) => k.clone(),
            Step::Index(i) => i.to_string(),
        })
        .collect();
    parts.join(".")
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Mutator<'_> {
    fn classify(&self, key: Option<&str>, s: &str) -> Class {
        if key.is_some_and(|k| ENUM_KEYS.contains(&k)) && ENUM_VALUES.contains(&s) {
            Class::Enum
        } else if self.accounts.iter().any(|a| a == s) {
            Class::Account
        } else if is_hex64(s) {
            Class::Digest
        } else if s.starts_with("ed25519:") && key == Some("signature") {
            Class::Signature
        } else if s.starts_with("ed25519:") {
            Class::PublicKey
        } else if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            if key.is_some_and(|k| AMOUNT_KEYS.contains(&k)) {
                Class::Amount
            } else {
                Class::Integer
            }
        } else {
            Class::Text
        }
    }

    fn optional(&self, path: &[Step]) -> bool {
        matches!(path.last(), Some(Step::Key(k)) if self.optional.contains(&k.as_str()))
    }

    /// Values that are invalid wherever `original` (at `path`) was valid.
    fn bad_values(&self, path: &[Step], original: &Value) -> Vec<(String, Value)> {
        let key = last_key(path);
        let s = |x: &str| Value::String(x.to_string());
        let mut out: Vec<(String, Value)> = Vec::new();
        // Wrong JSON types.
        match original {
            Value::String(_) => {
                out.push(("a number for a string".into(), serde_json::json!(42)));
                out.push(("a bool for a string".into(), Value::Bool(true)));
                // Not `[]`: a role's `can_propose` takes "all" or a (possibly empty) list.
                out.push(("an array for a string".into(), serde_json::json!([1])));
                out.push(("an object for a string".into(), serde_json::json!({})));
                out.push(("a float for a string".into(), serde_json::json!(1.5)));
            }
            Value::Number(_) => {
                out.push(("a number as a string".into(), s("1")));
                out.push(("a bool for a number".into(), Value::Bool(false)));
                out.push(("an array for a number".into(), serde_json::json!([1])));
                out.push(("an object for a number".into(), serde_json::json!({"n": 1})));
                out.push(("u32 overflow".into(), serde_json::json!(4_294_967_296u64)));
                out.push(("u64 overflow".into(), raw("18446744073709551616")));
                out.push(("u128 overflow".into(), raw("340282366920938463463374607431768211456")));
                out.push(("a negative number".into(), serde_json::json!(-1)));
                out.push(("a float".into(), serde_json::json!(1.5)));
                out.push(("a float out of f64 range".into(), raw("1e400")));
            }
            Value::Bool(_) => {
                out.push(("a bool as a string".into(), s("true")));
                out.push(("a number for a bool".into(), serde_json::json!(1)));
                out.push(("an array for a bool".into(), serde_json::json!([true])));
            }
            Value::Array(_) => {
                out.push(("an object for an array".into(), serde_json::json!({"0": 1})));
                out.push(("a number for an array".into(), serde_json::json!(3)));
            }
            Value::Object(_) => {
                out.push(("a number for an object".into(), serde_json::json!(5)));
                out.push(("a string for an object".into(), s("{}")));
                out.push(("a bool for an object".into(), Value::Bool(true)));
            }
            Value::Null => {
                // An optional field left out: only a float fits none of the contracts' types.
                out.push(("a float for an optional field".into(), serde_json::json!(-1.5)));
                out.push(("a bool for an optional field".into(), Value::Bool(false)));
            }
        }
        if !self.optional(path) && !original.is_null() {
            out.push(("null for a required field".into(), Value::Null));
        }
        if let Value::String(text) = original {
            let class = self.classify(key, text);
            for n in HUGE {
                // A huge value of the same shape: an integer string, or letters.
                let huge = if matches!(class, Class::Integer | Class::Amount) { "9".repeat(n) } else { "x".repeat(n) };
                out.push((format!("a {n}-byte string"), Value::String(huge)));
            }
            let bad: Vec<&str> = match class {
                Class::Account => vec![
                    "Alice.near",
                    "a",
                    "",
                    "-alice.near",
                    "alice..near",
                    "alice.near.",
                    "al ice.near",
                    "alice@near",
                    "alice_.near",
                    "ąlice.near",
                    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                ],
                Class::Digest => vec![
                    "",
                    "zz",
                    "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789",
                    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
                    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
                    "0x23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                    "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                ],
                Class::PublicKey | Class::Signature => vec![
                    "ed25519:",
                    "ed25519:0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl",
                    "ed25519:11111111111111111111111111111111111111111111111111111111111111111111",
                    "ed25519:2",
                    "secp256k1:7ed6ZqMdhkfVgXXpGM4NnHYK9v5tBoTeGw7vz8XYJ7CQ",
                    "7ed6ZqMdhkfVgXXpGM4NnHYK9v5tBoTeGw7vz8XYJ7CQ",
                ],
                Class::Integer => vec![
                    "18446744073709551616",
                    "340282366920938463463374607431768211456",
                    "-1",
                    "1.5",
                    "0x10",
                    "1e3",
                    " 1",
                    "",
                    "one",
                ],
                Class::Amount => {
                    vec!["340282366920938463463374607431768211456", "-1", "1.5", "0x10", "1e3", " 1", "", "one"]
                }
                Class::Enum => vec!["", "no_such_tag", "YES", "Training", "yes ", "text\u{0}"],
                Class::Text => vec![],
            };
            for b in bad {
                let shown: String = b.chars().take(24).collect();
                out.push((format!("{class:?} {shown:?}"), s(b)));
            }
            if matches!(class, Class::Integer | Class::Amount) {
                out.push(("an integer as a number".into(), serde_json::json!(1)));
            }
        }
        out
    }

    fn serialize(v: &Value) -> Vec<u8> {
        serde_json::to_vec(v).expect("json")
    }

    /// Replaces the slot marker in `v`'s serialization by `raw`.
    fn with_raw(v: &Value, raw: &str) -> Vec<u8> {
        let text = serde_json::to_string(v).expect("json");
        let slot = serde_json::to_string(SLOT).expect("json");
        text.replacen(&slot, raw, 1).into_bytes()
    }

    /// One invalid case, chosen with `next`.
    pub fn case(&self, next: &mut dyn FnMut() -> u64) -> Case {
        let mut all = Vec::new();
        nodes(self.valid, &mut Vec::new(), &mut all);
        let pick = |next: &mut dyn FnMut() -> u64, n: usize| (next() % n.max(1) as u64) as usize;
        let kind = next() % 100;
        if all.is_empty() || kind < 12 {
            return self.raw_case(next);
        }
        let (path, original) = all[pick(next, all.len())].clone();
        let mut v = self.valid.clone();
        let where_ = show(&path);
        let mut case = match kind {
            // Remove a required key.
            12..=21 => {
                let required: Vec<&(Vec<Step>, Value)> =
                    all.iter().filter(|(p, _)| matches!(p.last(), Some(Step::Key(_))) && !self.optional(p)).collect();
                if required.is_empty() {
                    return self.raw_case(next);
                }
                let (p, _) = required[pick(next, required.len())];
                let Some(Step::Key(k)) = p.last() else { unreachable!() };
                at(&mut v, &p[..p.len() - 1]).as_object_mut().expect("object").remove(k);
                Case::new(format!("missing required {}", show(p)), Self::serialize(&v))
            }
            // Deep nesting in place of a value.
            22..=27 => {
                *at(&mut v, &path) = Value::String(SLOT.into());
                let (open, close) = if next().is_multiple_of(2) { ("[", "]") } else { ("{\"a\":", "}") };
                let raw = format!("{}0{}", open.repeat(DEEP), close.repeat(DEEP));
                Case::new(format!("{DEEP} nested levels at {where_}"), Self::with_raw(&v, &raw))
            }
            // Bad escapes and bytes inside a string value.
            28..=33 if original.is_string() => {
                *at(&mut v, &path) = Value::String(SLOT.into());
                let (label, raw): (&str, Vec<u8>) = match next() % 4 {
                    0 => ("invalid utf-8", b"\"ab\xff\xfecd\"".to_vec()),
                    1 => ("a lone surrogate escape", b"\"ab\\ud800cd\"".to_vec()),
                    2 => ("a raw control byte", b"\"ab\x00cd\"".to_vec()),
                    _ => ("an unterminated string", b"\"abcd".to_vec()),
                };
                let text = serde_json::to_string(&v).expect("json").into_bytes();
                let slot = serde_json::to_string(SLOT).expect("json").into_bytes();
                let at_ = text.windows(slot.len()).position(|w| w == slot.as_slice()).expect("slot");
                let mut bytes = text[..at_].to_vec();
                bytes.extend_from_slice(&raw);
                bytes.extend_from_slice(&text[at_ + slot.len()..]);
                Case::new(format!("{label} in {where_}"), bytes)
            }
            // A duplicated top-level key (serde refuses duplicate fields).
            34..=37 => {
                let Value::Object(m) = self.valid else { return self.raw_case(next) };
                let keys: Vec<&String> = m.keys().collect();
                if keys.is_empty() {
                    return self.raw_case(next);
                }
                let k = keys[pick(next, keys.len())];
                let text = serde_json::to_string(self.valid).expect("json");
                let dup = format!("{{{}:{},", serde_json::to_string(k).expect("json"), m[k]);
                Case::new(format!("duplicate key {k}"), text.replacen('{', &dup, 1).into_bytes())
            }
            // A bad value in place of a valid one.
            _ => {
                let bad = self.bad_values(&path, &original);
                let (label, value) = bad[pick(next, bad.len())].clone();
                let huge = value.as_str().is_some_and(|s| s.len() > LOG_LIMIT);
                let shrunk = value.as_str().filter(|_| huge).map(|s| {
                    let mut small = v.clone();
                    *at(&mut small, &path) = Value::String(s.chars().take(200).collect());
                    Self::serialize(&small)
                });
                let bytes = match value.as_str().and_then(|s| s.strip_prefix(RAW)) {
                    Some(text) => {
                        *at(&mut v, &path) = Value::String(SLOT.into());
                        Self::with_raw(&v, text)
                    }
                    None => {
                        *at(&mut v, &path) = value;
                        Self::serialize(&v)
                    }
                };
                Case { label: format!("{label} at {where_}"), bytes, shrunk }
            }
        };
        // Sometimes also an unknown field: ignored by near-sdk, so it never makes a case valid.
        if next().is_multiple_of(4) && case.bytes.first() == Some(&b'{') && case.bytes.len() > 2 {
            case.bytes = with_unknown_prefix(&case.bytes);
            case.shrunk = case.shrunk.as_deref().map(with_unknown_prefix);
            case.label.push_str(" + an unknown field");
        }
        case
    }

    /// Invalid bytes for the whole input: not JSON, truncated, trailing garbage.
    fn raw_case(&self, next: &mut dyn FnMut() -> u64) -> Case {
        let text = Self::serialize(self.valid);
        match next() % 8 {
            0 => Case::new("empty input".into(), Vec::new()),
            1 => {
                let cut = (next() % text.len() as u64) as usize;
                Case::new(format!("truncated at byte {cut}"), text[..cut].to_vec())
            }
            2 => {
                let mut bytes = text.clone();
                bytes.extend_from_slice(b"}x");
                Case::new("trailing garbage".into(), bytes)
            }
            3 => Case::new("invalid utf-8 bytes".into(), vec![0xff, 0xfe, 0xfd, b'{', 0x80]),
            4 => Case::new("a JSON string instead of an object".into(), b"\"args\"".to_vec()),
            5 => Case::new("a JSON number instead of an object".into(), b"12".to_vec()),
            6 => {
                let mut bytes = text.clone();
                let i = (next() % bytes.len() as u64) as usize;
                bytes[i] = 0xff;
                Case::new(format!("byte {i} set to 0xff"), bytes)
            }
            _ => Case::new("null instead of an object".into(), b"null".to_vec()),
        }
    }
}

/// Invalid inputs for a method that takes raw wasm (`store_code`, `upgrade`):
/// empty, JSON, cut inside the wasm magic number, or with a magic number that is not wasm's.
pub fn raw_wasm_case(valid: &[u8], next: &mut dyn FnMut() -> u64) -> Case {
    match next() % 6 {
        0 => Case::new("empty input".into(), Vec::new()),
        1 => Case::new("JSON instead of wasm".into(), b"{\"code\":\"AGFzbQEAAAA=\"}".to_vec()),
        2 => {
            let cut = (next() % 4) as usize;
            Case::new(format!("wasm magic cut at byte {cut}"), valid[..cut.min(valid.len())].to_vec())
        }
        3 => {
            let mut bytes = valid.to_vec();
            let i = (next() % 4) as usize;
            bytes[i] ^= 0x5a;
            Case::new(format!("wasm magic byte {i} flipped"), bytes)
        }
        4 => {
            let n = 1 + (next() % 4096) as usize;
            let mut bytes: Vec<u8> = (0..n).map(|_| next() as u8).collect();
            bytes[0] = b'M'; // never wasm's leading 0x00
            Case::new(format!("{n} random bytes"), bytes)
        }
        _ => {
            let mut bytes = b"\x7fELF\x02\x01\x01\x00".to_vec();
            bytes.extend_from_slice(&valid[8.min(valid.len())..]);
            Case::new("an ELF header on wasm".into(), bytes)
        }
    }
}

/// `{...}` with an unknown field first: `{"zz_unknown":[1,{"x":null}],...}`.
fn with_unknown_prefix(object: &[u8]) -> Vec<u8> {
    let mut bytes = b"{\"zz_unknown\":[1,{\"x\":null}],".to_vec();
    bytes.extend_from_slice(&object[1..]);
    bytes
}

/// `{"zz_unknown": ...}` added to valid arguments: what near-sdk ignores.
pub fn with_unknown_field(valid: &Value) -> Value {
    let mut m: Map<String, Value> = valid.as_object().cloned().unwrap_or_default();
    m.insert("zz_unknown".into(), serde_json::json!({"nested": [1, 2, 3]}));
    Value::Object(m)
}
