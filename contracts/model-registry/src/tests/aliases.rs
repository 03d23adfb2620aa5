//! Alias history and the point-in-time lookup.

use super::*;
use crate::aliases::last_entry_at_or_before;

#[test]
fn binary_search_matches_a_linear_scan_in_log_reads() {
    // Non-decreasing timestamps with runs of equal values (same-block moves).
    let times: Vec<u64> = (0..1000u64).map(|i| 10 + (i / 3) * 7).collect();
    for len in [0usize, 1, 2, 3, 10, 999, 1000] {
        let entries = &times[..len];
        let max_reads = (usize::BITS - len.leading_zeros()) as usize; // ceil(log2(len + 1))
        for t in [0, 9, 10, 11, 16, 17, 500, 2339, 2340, 2341, u64::MAX] {
            let mut reads = 0;
            let found = last_entry_at_or_before(len as u32, t, |i| {
                reads += 1;
                entries[i as usize]
            });
            let expected = entries.iter().rposition(|&at| at <= t).map(|i| i as u32);
            assert_eq!(found, expected, "len {len}, t {t}");
            assert!(reads <= max_reads, "len {len}: {reads} reads > {max_reads}");
        }
    }
}

#[test]
fn alias_at_time_over_a_long_history() {
    let mut w = World::with_approved_versions(3);
    let mut expected = Vec::new(); // (time, version) of every move
    for i in 0..40u32 {
        let v = i % 3 + 1;
        w.call(DAO, DEPOSIT).set_alias(MODEL.into(), "production".into(), v);
        expected.push((w.now, Some(v)));
        if i % 10 == 9 {
            w.call(DAO, DEPOSIT).clear_alias(MODEL.into(), "production".into());
            expected.push((w.now, None));
        }
    }
    // Two moves in one block: the later one is in force at that time.
    w.call(DAO, DEPOSIT).set_alias(MODEL.into(), "production".into(), 1);
    w.call_same_block(DAO, DEPOSIT).set_alias(MODEL.into(), "production".into(), 3);
    expected.push((w.now, Some(1)));
    expected.push((w.now, Some(3)));

    let history = w.c.get_alias_history(MODEL.into(), "production".into(), Some(0), Some(100));
    assert_eq!(history.len(), expected.len());
    for (entry, (at, version)) in history.iter().zip(&expected) {
        assert_eq!((entry.entry.at.0, entry.entry.version), (*at, *version));
    }
    let at = |t: u64| w.c.get_alias_at(MODEL.into(), "production".into(), U64(t));
    assert_eq!(at(expected[0].0 - 1), None);
    for (i, (t, _)) in expected.iter().enumerate() {
        let in_force = expected.iter().rposition(|(at, _)| at <= t).unwrap();
        let found = at(*t).unwrap();
        assert_eq!((found.index as usize, found.entry.version), (in_force, expected[in_force].1), "move {i}");
        assert_eq!(at(t + BLOCK_NS / 2).unwrap().index as usize, in_force);
    }
    assert_eq!(at(u64::MAX).unwrap().entry.version, Some(3));
    assert!(w.c.get_alias_at(MODEL.into(), "staging".into(), U64(u64::MAX)).is_none());
}

#[test]
fn deprecation_keeps_aliases_and_revocation_clears_exactly_those_on_the_version() {
    let mut w = World::with_approved_versions(2);
    w.call(DAO, DEPOSIT).set_alias(MODEL.into(), "production".into(), 1);
    w.call(ALICE, DEPOSIT).set_alias(MODEL.into(), "staging".into(), 1);
    w.call(ALICE, DEPOSIT).set_alias(MODEL.into(), "canary".into(), 2);

    w.call(DAO, DEPOSIT).deprecate_version(MODEL.into(), 1, Some("old".into()));
    let aliases = |w: &World| -> Vec<(String, Option<u32>)> {
        w.c.get_aliases(MODEL.into(), None, None).into_iter().map(|a| (a.alias, a.version)).collect()
    };
    assert_eq!(aliases(&w), [("production".into(), Some(1)), ("staging".into(), Some(1)), ("canary".into(), Some(2))]);

    w.call(DAO, DEPOSIT).revoke_version(MODEL.into(), 1, "unsafe outputs".into());
    assert_eq!(aliases(&w), [("production".into(), None), ("staging".into(), None), ("canary".into(), Some(2))]);
    for alias in ["production", "staging"] {
        let history = w.c.get_alias_history(MODEL.into(), alias.into(), None, None);
        let last = history.last().unwrap();
        assert_eq!((last.entry.version, &last.entry.set_by, last.entry.at), (None, &acc(DAO), U64(w.now)));
    }
    assert_eq!(w.c.get_alias_history(MODEL.into(), "canary".into(), None, None).len(), 1);

    // A cleared alias can be set again, to an approved version.
    w.call(DAO, DEPOSIT).set_alias(MODEL.into(), "production".into(), 2);
    let production = w.c.get_alias(MODEL.into(), "production".into()).unwrap();
    assert_eq!((production.version, production.history_len), (Some(2), 3));
}

#[test]
fn alias_views_of_unknown_things_are_empty() {
    let w = World::with_approved_versions(1);
    assert!(w.c.get_alias(MODEL.into(), "production".into()).is_none());
    assert!(w.c.get_alias("unknown".into(), "production".into()).is_none());
    assert!(w.c.get_aliases("unknown".into(), None, None).is_empty());
    assert!(w.c.get_alias_history(MODEL.into(), "production".into(), None, None).is_empty());
    assert!(w.c.get_alias_at(MODEL.into(), "production".into(), U64(u64::MAX)).is_none());
}
