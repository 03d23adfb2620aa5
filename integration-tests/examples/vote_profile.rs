use ai_commons_tests::seed;
fn main() {
    let n: u32 = std::env::args().nth(1).map(|s| s.parse().unwrap()).unwrap_or(10);
    let w = ai_commons_tests::community::Wasm::load();
    println!("dao wasm {} bytes", w.dao.len());
    let mut f = seed::dao_fixture(&w.dao, n);
    let c = seed::dao_costs(&mut f);
    for (what, cost) in [
        ("add_proposal", &c.add_proposal),
        ("vote", &c.vote),
        ("second_vote", &c.second_vote),
        ("changed_vote", &c.changed_vote),
    ] {
        println!("{what}: vm {:.3} Tgas, bytes {}", cost.vm_gas as f64 / 1e12, cost.bytes);
        for (k, g) in &cost.profile {
            println!("   {k:<40} {:>8.4} Tgas", *g as f64 / 1e12);
        }
    }
}
