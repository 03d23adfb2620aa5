//! A contract written only to test the embedded chain: each method exercises
//! one protocol behaviour (promises and callbacks, joins, panics and reverts,
//! storage staking, gas exhaustion, factories, transfers, views, and raw
//! storage host functions for the trie-node gas conformance tests).

use near_sdk::json_types::{Base64VecU8, U64};
use near_sdk::{env, near, AccountId, Gas, GasWeight, NearToken, Promise, PromiseError};

#[near(contract_state)]
#[derive(Default)]
pub struct Probe {
    value: u64,
    /// What the last callback saw: "ok:<bytes as utf8>" or "failed".
    last_callback: String,
}

fn describe(result: Result<Vec<u8>, PromiseError>) -> String {
    match result {
        Ok(bytes) => format!("ok:{}", String::from_utf8_lossy(&bytes)),
        Err(_) => "failed".to_string(),
    }
}

#[near]
impl Probe {
    pub fn set(&mut self, value: U64) {
        self.value = value.0;
        env::log_str(&format!("set {}", value.0));
    }

    pub fn get(&self) -> U64 {
        U64(self.value)
    }

    pub fn last_callback(&self) -> String {
        self.last_callback.clone()
    }

    /// Writes, then panics: the write must be reverted and the deposit refunded.
    #[payable]
    pub fn write_then_panic(&mut self, value: U64) {
        self.value = value.0;
        env::panic_str("probe: deliberate panic");
    }

    /// Always fails (the failing side of a cross-contract call).
    pub fn fail(&self) {
        env::panic_str("probe: callee failed");
    }

    /// Calls `target.method()` and records what the callback saw.
    pub fn call_and_report(&mut self, target: AccountId, method: String) -> Promise {
        Promise::new(target)
            .function_call(method, b"{}".to_vec(), NearToken::from_yoctonear(0), Gas::from_tgas(10))
            .then(Self::ext(env::current_account_id()).with_static_gas(Gas::from_tgas(10)).on_result())
    }

    #[private]
    pub fn on_result(&mut self, #[callback_result] result: Result<U64, PromiseError>) -> String {
        self.last_callback = match result {
            Ok(v) => format!("ok:{}", v.0),
            Err(_) => "failed".to_string(),
        };
        self.last_callback.clone()
    }

    /// Calls `get` on both targets at once and joins the results.
    pub fn join(&mut self, a: AccountId, b: AccountId) -> Promise {
        let get = |t: AccountId| {
            Promise::new(t).function_call(
                "get".to_string(),
                b"{}".to_vec(),
                NearToken::from_yoctonear(0),
                Gas::from_tgas(5),
            )
        };
        get(a).and(get(b)).then(Self::ext(env::current_account_id()).with_static_gas(Gas::from_tgas(10)).on_join())
    }

    #[private]
    pub fn on_join(&mut self) -> Vec<String> {
        let n = env::promise_results_count();
        let seen: Vec<String> = (0..n).map(|i| describe(env::promise_result_checked(i, 1024))).collect();
        self.last_callback = seen.join(",");
        seen
    }

    /// Writes `bytes` bytes of state (fails storage staking if the balance is short).
    pub fn fill(&mut self, bytes: U64) {
        env::storage_write(b"fill", &vec![7u8; bytes.0 as usize]);
    }

    /// Burns gas until it runs out (or `rounds` hashes are done).
    pub fn burn(&self, rounds: U64) -> U64 {
        let mut h = [0u8; 32];
        for _ in 0..rounds.0 {
            h = env::sha256_array(h);
        }
        U64(h[0] as u64)
    }

    /// Sends `amount` to `to`.
    pub fn send(&mut self, to: AccountId, amount: NearToken) -> Promise {
        Promise::new(to).transfer(amount)
    }

    /// Factory: creates `<name>.<self>`, funds it with the attached deposit and deploys `code`.
    #[payable]
    pub fn create_child(&mut self, name: String, code: Base64VecU8) -> Promise {
        let child: AccountId = format!("{name}.{}", env::current_account_id())
            .parse()
            .unwrap_or_else(|_| env::panic_str("bad child name"));
        Promise::new(child)
            .create_account()
            .transfer(env::attached_deposit())
            .deploy_contract(code.0)
            .then(Self::ext(env::current_account_id()).with_static_gas(Gas::from_tgas(5)).on_child_created())
    }

    #[private]
    pub fn on_child_created(&mut self) -> bool {
        let ok = env::promise_result_checked(0, 0).is_ok();
        self.last_callback = if ok { "child:created" } else { "child:failed" }.to_string();
        ok
    }

    /// Prepaid gas this call received (to check gas-weight distribution).
    pub fn prepaid(&self) -> U64 {
        U64(env::prepaid_gas().as_gas())
    }

    /// Calls `target.prepaid()` twice with no static gas and weights 1 and 3:
    /// the unused gas of this call is split 1:3 between them.
    pub fn split_gas(&mut self, target: AccountId) -> Promise {
        let call = |w: u64| {
            Promise::new(target.clone()).function_call_weight(
                "prepaid".to_string(),
                b"{}".to_vec(),
                NearToken::from_yoctonear(0),
                Gas::from_gas(0),
                GasWeight(w),
            )
        };
        call(1).and(call(3)).then(
            Self::ext(env::current_account_id()).with_static_gas(Gas::from_tgas(5)).with_unused_gas_weight(0).on_join(),
        )
    }

    /// Writes state: calling it as a view must fail.
    pub fn write_in_view(&mut self) -> U64 {
        self.value += 1;
        U64(self.value)
    }

    /// Caller-side info a contract reads from its context.
    pub fn whoami(&self) -> Vec<String> {
        vec![
            env::predecessor_account_id().to_string(),
            env::signer_account_id().to_string(),
            env::block_height().to_string(),
            env::block_timestamp().to_string(),
        ]
    }

    /// The attached deposit, echoed (to check balances move).
    #[payable]
    pub fn deposit_echo(&mut self) -> NearToken {
        env::attached_deposit()
    }

    /// Runs raw storage host functions in order, without loading the contract's
    /// state (no `self`). The input, raw text rather than JSON (this contract is
    /// the bench's "simple function call": every byte of its code is loading
    /// gas), is `;`-separated ops: `w KEY VALUE` (write), `r KEY` (read), `h KEY`
    /// (has key), `d KEY` (remove). Returns, as raw text, what each op saw,
    /// `;`-separated: the value read or replaced (`-` for none), or `true`/`false`.
    pub fn ops() {
        let mut seen = Vec::new();
        for op in env::input().unwrap_or_default().split(|b| *b == b';') {
            let mut words = op.split(|b| *b == b' ');
            let (what, key, value) = (words.next(), words.next().unwrap_or_default(), words.next());
            let shown = match (what, value) {
                (Some(b"w"), Some(value)) => env::storage_write(key, value).then(env::storage_get_evicted),
                (Some(b"r"), None) => Some(env::storage_read(key)),
                (Some(b"h"), None) => {
                    Some(Some(if env::storage_has_key(key) { &b"true"[..] } else { b"false" }.into()))
                }
                (Some(b"d"), None) => env::storage_remove(key).then(env::storage_get_evicted),
                _ => env::panic_str("probe: unknown storage op"),
            };
            if !seen.is_empty() {
                seen.push(b';');
            }
            seen.extend(shown.flatten().unwrap_or(b"-".to_vec()));
        }
        env::value_return(&seen);
    }

    /// Calls `ops` on this contract once per `|`-separated batch of its raw
    /// input, each call its own receipt; they run one after another in the next
    /// block.
    pub fn ops_in_receipts() {
        for batch in env::input().unwrap_or_default().split(|b| *b == b'|') {
            Promise::new(env::current_account_id())
                .function_call("ops".to_string(), batch.to_vec(), NearToken::from_yoctonear(0), Gas::from_tgas(10))
                .detach();
        }
    }
}
