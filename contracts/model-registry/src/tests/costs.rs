//! Change methods cost the same storage and gas with few or many versions
//! (and alias moves): no work grows with what users add.

use super::*;

/// Storage bytes added and gas burnt by one call on a freshly loaded state.
fn measure(w: &mut World, who: &str, f: impl FnOnce(&mut Contract)) -> (u64, u64) {
    w.reload();
    let c = w.call(who, DEPOSIT);
    let before = env::storage_usage();
    f(c);
    (env::storage_usage() - before, env::used_gas().as_gas())
}

fn assert_flat(what: &str, small: (u64, u64), large: (u64, u64)) {
    assert_eq!(small.0, large.0, "{what}: storage bytes differ");
    let (a, b) = (small.1 as f64, large.1 as f64);
    assert!((b - a).abs() / a < 0.01, "{what}: gas {a} with few vs {b} with many");
}

/// Submit, approve, alias move and the status view at version `n + 1`.
fn costs_at(n: u8) -> [(u64, u64); 4] {
    let mut w = World::with_approved_versions(n);
    // Alias history of length n.
    for v in 1..=n as u32 {
        w.call(DAO, DEPOSIT).set_alias(MODEL.into(), "production".into(), v);
    }
    let next = n as u32 + 1;
    let submit = measure(&mut w, ALICE, |c| {
        c.submit_version(MODEL.into(), digest(250), "ipfs://w".into(), None, training(), None, None);
    });
    let approve = measure(&mut w, DAO, |c| c.approve_version(MODEL.into(), next));
    let alias = measure(&mut w, DAO, |c| c.set_alias(MODEL.into(), "production".into(), next));
    let status = measure(&mut w, BOB, |c| {
        c.version_status(MODEL.into(), next).unwrap();
    });
    [submit, approve, alias, status]
}

#[test]
fn submit_approve_alias_and_status_are_flat_in_the_number_of_versions() {
    let few = costs_at(3);
    let many = costs_at(120);
    for (i, what) in ["submit_version", "approve_version", "set_alias", "version_status"].iter().enumerate() {
        assert_flat(what, few[i], many[i]);
    }
    assert!(few[0].0 > 0 && few[2].0 > 0, "submit and alias moves store bytes");
    assert_eq!(few[1].0, 0, "approving adds no storage");
}

#[test]
fn revoke_cost_is_bounded_by_the_alias_cap_not_by_versions() {
    let revoke_cost = |n: u8| {
        let mut w = World::with_approved_versions(n);
        w.call(DAO, DEPOSIT).set_alias(MODEL.into(), "production".into(), 1);
        w.call(ALICE, DEPOSIT).set_alias(MODEL.into(), "staging".into(), 1);
        measure(&mut w, DAO, |c| c.revoke_version(MODEL.into(), 1, "r".into()))
    };
    assert_flat("revoke_version", revoke_cost(2), revoke_cost(100));
}

#[test]
fn alias_at_reads_are_logarithmic() {
    let lookup_gas = |moves: u32| {
        let mut w = World::with_approved_versions(2);
        for i in 0..moves {
            w.call(DAO, DEPOSIT).set_alias(MODEL.into(), "production".into(), i % 2 + 1);
        }
        let t = U64(w.now - BLOCK_NS * moves as u64 / 2);
        measure(&mut w, BOB, |c| {
            c.get_alias_at(MODEL.into(), "production".into(), t).unwrap();
        })
        .1
    };
    let (g8, g256) = (lookup_gas(8), lookup_gas(256));
    // log2: 4 vs 9 history reads; a scan would be 32x.
    assert!(g256 < g8 * 3, "get_alias_at gas {g8} for 8 moves vs {g256} for 256");
}
