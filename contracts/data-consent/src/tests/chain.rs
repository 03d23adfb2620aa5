use super::*;
use crate::errors::*;
use ai_commons_primitives::{ConsentPurpose::*, Digest32};
use sha2::{Digest, Sha256};

fn put_str(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(&(s.len() as u32).to_le_bytes());
    buf.extend_from_slice(s.as_bytes());
}

fn put_u64(buf: &mut Vec<u8>, v: &Value) {
    let n: u64 = v.as_str().expect("U64 is a string").parse().unwrap();
    buf.extend_from_slice(&n.to_le_bytes());
}

/// The README's chain encoding, written from the event JSON alone (no
/// contract code): head_n = sha256(head_{n-1} || borsh(ChainEvent)).
pub fn encode(data: &Value) -> Vec<u8> {
    let purposes = ["training", "fine_tuning", "evaluation", "inference", "analytics"];
    let kinds = ["grant", "update", "revoke", "delete"];
    let mut buf = Vec::new();
    put_u64(&mut buf, &data["seq"]);
    put_str(&mut buf, data["user"].as_str().unwrap());
    put_str(&mut buf, data["grantee"].as_str().unwrap());
    buf.push(purposes.iter().position(|p| data["purpose"] == *p).unwrap() as u8);
    put_u64(&mut buf, &data["version"]);
    buf.push(kinds.iter().position(|k| data["kind"] == *k).unwrap() as u8);
    match data["model_id"].as_str() {
        None => buf.push(0),
        Some(m) => {
            buf.push(1);
            put_str(&mut buf, m);
        }
    }
    match data["data_commitment"].as_str() {
        None => buf.push(0),
        Some(h) => {
            buf.push(1);
            buf.extend_from_slice(&hex::decode(h).unwrap());
        }
    }
    if data["expires_at"].is_null() {
        buf.push(0);
    } else {
        buf.push(1);
        put_u64(&mut buf, &data["expires_at"]);
    }
    put_u64(&mut buf, &data["timestamp"]);
    buf
}

/// Replays consent events of one chain (in order) from the genesis head,
/// checking each event's `seq` and `chain_head` along the way.
pub fn replay(events: &[Value]) -> Digest32 {
    let mut head = [0u8; 32];
    for (i, data) in events.iter().enumerate() {
        assert_eq!(data["seq"], (i as u64 + 1).to_string());
        let mut hasher = Sha256::new();
        hasher.update(head);
        hasher.update(encode(data));
        head = hasher.finalize().into();
        assert_eq!(data["chain_head"], hex::encode(head), "head after seq {}", i + 1);
    }
    Digest32(head)
}

#[test]
fn chain_recomputed_from_emitted_events_matches_head() {
    let mut chain = Chain::new(None);
    for user in ["alice.near", "bob.near", "carol.near"] {
        chain.deposit(user, user, near(1));
    }
    chain.call("alice.near", ZERO, |c| c.add_manager(acc("agent.near"), None, None)).unwrap();
    let mut all = vec![];
    let mut step = |chain: &mut Chain, caller: &str, f: &dyn Fn(&mut crate::Contract)| {
        chain.now += SECOND;
        chain.call(caller, ZERO, f).unwrap();
        all.extend(chain.events());
    };
    let commit = Digest32([0xab; 32]);
    step(&mut chain, "alice.near", &|c: &mut crate::Contract| {
        c.grant(
            acc("lab.near"),
            Training,
            Some("llama-3".into()),
            Some(vec!["text".into()]),
            Some(commit),
            Some(U64(T0 + 1_000 * SECOND)),
            None,
        );
    });
    step(&mut chain, "bob.near", &|c: &mut crate::Contract| {
        c.grant(acc("lab.near"), Training, None, None, None, None, None);
    });
    step(&mut chain, "carol.near", &|c: &mut crate::Contract| {
        c.grant(acc("lab.near"), Evaluation, None, None, None, None, None);
    });
    step(&mut chain, "agent.near", &|c: &mut crate::Contract| {
        c.grant(acc("lab.near"), Training, None, None, Some(commit), None, Some(acc("alice.near")));
    });
    step(&mut chain, "bob.near", &|c: &mut crate::Contract| {
        c.revoke(acc("lab.near"), Training, None);
    });
    step(&mut chain, "alice.near", &|c: &mut crate::Contract| {
        c.delete_grant(acc("lab.near"), Training, None);
    });
    step(&mut chain, "bob.near", &|c: &mut crate::Contract| {
        c.grant(acc("lab.near"), Training, Some("m2".into()), None, None, None, None);
    });

    for purpose in [Training, Evaluation] {
        let events: Vec<Value> = all
            .iter()
            .filter(|e| e["event"].as_str().unwrap().starts_with("consent_"))
            .map(|e| e["data"].clone())
            .filter(|d| d["grantee"] == "lab.near" && d["purpose"] == purpose.as_str())
            .collect();
        let on_chain = chain.view(|c| c.get_chain_head(acc("lab.near"), purpose));
        assert_eq!(on_chain.seq, U64(events.len() as u64));
        assert_eq!(replay(&events), on_chain.head, "{purpose:?}");
    }
    assert_eq!(chain.view(|c| c.get_chain_head(acc("lab.near"), Training)).seq, U64(6));
}

#[test]
fn snapshot_is_not_changed_by_later_revocation_or_deletion() {
    let mut chain = Chain::new(None);
    for user in ["alice.near", "bob.near"] {
        chain.deposit(user, user, near(1));
        chain.grant(user, "lab.near", Training);
    }
    chain.grant("alice.near", "lab.near", Analytics); // other chain: not in the snapshot
    let s1 = chain.call("lab.near", millinear(10), |c| c.record_snapshot(Training, Some("run-1".into()))).unwrap();
    assert_eq!(s1, U64(1));
    let data = chain.one_event("snapshot_recorded");
    let head = chain.view(|c| c.get_chain_head(acc("lab.near"), Training));
    assert_eq!(data["seq"], "2");
    assert_eq!(data["chain_head"], head.head.to_hex());
    assert_eq!(data["note"], "run-1");

    chain.now += SECOND;
    chain.call("alice.near", ZERO, |c| c.revoke(acc("lab.near"), Training, None)).unwrap();
    let s2 = chain.call("lab.near", millinear(10), |c| c.record_snapshot(Training, None)).unwrap();
    let live = |chain: &mut Chain, user: &str, s: U64| {
        let user = acc(user);
        chain.view(|c| c.was_live_at_snapshot(user, s))
    };
    assert!(live(&mut chain, "alice.near", s1), "revocation is not retroactive");
    assert!(!live(&mut chain, "alice.near", s2));
    assert!(live(&mut chain, "bob.near", s1) && live(&mut chain, "bob.near", s2));
    assert!(!live(&mut chain, "carol.near", s1));

    // Deleting and granting again do not rewrite what s1 and s2 say.
    chain.call("alice.near", ZERO, |c| c.delete_grant(acc("lab.near"), Training, None)).unwrap();
    chain.call("bob.near", ZERO, |c| c.delete_grant(acc("lab.near"), Training, None)).unwrap();
    chain.grant("alice.near", "lab.near", Training);
    let s3 = chain.call("lab.near", millinear(10), |c| c.record_snapshot(Training, None)).unwrap();
    assert!(live(&mut chain, "alice.near", s1));
    assert!(!live(&mut chain, "alice.near", s2));
    assert!(live(&mut chain, "alice.near", s3));
    assert!(live(&mut chain, "bob.near", s1) && live(&mut chain, "bob.near", s2));
    assert!(!live(&mut chain, "bob.near", s3));

    let snap = chain.view(|c| c.get_snapshot(s2)).unwrap();
    assert_eq!((snap.seq, snap.grantee, snap.timestamp), (U64(3), acc("lab.near"), U64(T0 + SECOND)));
    assert_err(chain.call("x.near", ZERO, |c| c.was_live_at_snapshot(acc("alice.near"), U64(9))), ERR_UNKNOWN_SNAPSHOT);
}

#[test]
fn snapshot_takes_expiry_into_account() {
    let mut chain = Chain::new(None);
    chain.deposit("alice.near", "alice.near", near(1));
    let expires = T0 + 10 * SECOND;
    chain
        .call("alice.near", ZERO, |c| c.grant(acc("lab.near"), Training, None, None, None, Some(U64(expires)), None))
        .unwrap();
    let before = chain.call("lab.near", millinear(10), |c| c.record_snapshot(Training, None)).unwrap();
    chain.now = expires;
    let after = chain.call("lab.near", millinear(10), |c| c.record_snapshot(Training, None)).unwrap();
    assert!(chain.view(|c| c.was_live_at_snapshot(acc("alice.near"), before)));
    assert!(!chain.view(|c| c.was_live_at_snapshot(acc("alice.near"), after)));
}

#[test]
fn many_updates_binary_search() {
    let mut chain = Chain::new(None);
    chain.deposit("alice.near", "alice.near", near(1));
    let mut snaps = vec![];
    for i in 0..9 {
        chain.now += SECOND;
        if i % 3 == 2 {
            chain.call("alice.near", ZERO, |c| c.revoke(acc("lab.near"), Training, None)).unwrap();
        } else {
            chain.grant("alice.near", "lab.near", Training);
        }
        let s = chain.call("lab.near", millinear(10), |c| c.record_snapshot(Training, None)).unwrap();
        snaps.push((s, i % 3 != 2));
    }
    for (s, expected) in snaps {
        assert_eq!(chain.view(|c| c.was_live_at_snapshot(acc("alice.near"), s)), expected, "snapshot {}", s.0);
    }
}

#[test]
fn snapshot_storage_is_paid_by_the_grantee() {
    let mut chain = Chain::new(None);
    assert_err(chain.call("lab.near", ZERO, |c| c.record_snapshot(Training, None)), "insufficient deposit for storage");
    assert_err(
        chain.call("lab.near", millinear(10), |c| c.record_snapshot(Training, Some("x".repeat(257)))),
        "note is too long: 257 bytes, at most 256",
    );
    assert_eq!(chain.view(|c| c.get_snapshot_count()), U64(0));
    // An empty chain can be snapshotted: "nobody had consented".
    let id = chain.call("lab.near", millinear(10), |c| c.record_snapshot(Inference, None)).unwrap();
    // The excess deposit is refunded to the grantee.
    let receipts = near_sdk::test_utils::get_created_receipts();
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0].receiver_id, acc("lab.near"));
    let snap = chain.view(|c| c.get_snapshot(id)).unwrap();
    assert_eq!((snap.seq, snap.chain_head), (U64(0), Digest32::default()));
}
