//! Cost of grant, revoke and is_allowed does not depend on how many grants
//! the contract holds (the bench measures 100,000 on the embedded chain).

use super::*;
use ai_commons_primitives::ConsentPurpose::*;

struct Costs {
    grant_bytes: u64,
    grant_gas: Gas,
    revoke_bytes: u64,
    revoke_gas: Gas,
    check_gas: Gas,
}

fn measure(existing: u32) -> Costs {
    let mut chain = Chain::new(None);
    for i in 0..existing {
        let user = format!("u{i:05}.near");
        chain.deposit(&user, &user, millinear(100));
        chain.grant(&user, "lab.near", Training);
    }
    chain.deposit("probe.near", "probe.near", millinear(100));
    let bytes = chain.storage_usage();
    chain.grant("probe.near", "lab.near", Training);
    let (grant_bytes, grant_gas) = (chain.storage_usage() - bytes, chain.last_gas);
    let bytes = chain.storage_usage();
    chain.call("probe.near", ZERO, |c| c.revoke(acc("lab.near"), Training, None)).unwrap();
    let (revoke_bytes, revoke_gas) = (chain.storage_usage() - bytes, chain.last_gas);
    chain.call("x.near", ZERO, |c| c.is_allowed(acc("probe.near"), acc("lab.near"), Training, None, None)).unwrap();
    Costs { grant_bytes, grant_gas, revoke_bytes, revoke_gas, check_gas: chain.last_gas }
}

#[track_caller]
fn assert_flat(small: Gas, large: Gas) {
    let (a, b) = (small.as_gas(), large.as_gas());
    assert!(a.abs_diff(b) * 1000 <= a, "gas grew with the number of grants: {a} -> {b}");
}

#[test]
fn costs_are_flat_in_the_number_of_grants() {
    let small = measure(10);
    let large = measure(400);
    println!(
        "host gas (10 -> 400 grants): grant {} -> {} ({} bytes), revoke {} -> {}, is_allowed {} -> {}",
        small.grant_gas,
        large.grant_gas,
        small.grant_bytes,
        small.revoke_gas,
        large.revoke_gas,
        small.check_gas,
        large.check_gas
    );
    assert_eq!(small.grant_bytes, large.grant_bytes);
    assert_eq!(small.revoke_bytes, 0);
    assert_eq!(large.revoke_bytes, 0);
    // Gas may differ only by the event log's length (the `seq` gains digits).
    assert_flat(small.grant_gas, large.grant_gas);
    assert_flat(small.revoke_gas, large.revoke_gas);
    assert_eq!(small.check_gas, large.check_gas);
    // Loose absolute bounds: a grant stays well under 1 kB and the host work of each call small.
    assert!(small.grant_bytes < 1_000, "{}", small.grant_bytes);
    assert!(small.grant_gas < Gas::from_tgas(10) && small.revoke_gas < Gas::from_tgas(10));
    assert!(small.check_gas < Gas::from_tgas(2));
}
