//! What the conformance modules share: the probe contract, fees read from the
//! protocol parameters by name, signed transactions, and a snapshot of an
//! account to show that a refused transaction changed nothing.

use embedded_chain::{
    signer_of, AccessKey, AccountId, AccountView, Action, Chain, CryptoHash, NearToken, SignedTransaction, Transaction,
    TransactionV0,
};
pub use near_parameters::ActionCosts;

pub fn probe_wasm() -> Vec<u8> {
    wasm_build::wasm("chain-probe", &[])
}

/// Send fee of one `ActionCosts` parameter (`sir`: sender is receiver), in gas.
pub fn send(chain: &Chain, cost: ActionCosts, sir: bool) -> u64 {
    chain.runtime_config().fees.fee(cost).send_fee(sir).gas.as_gas()
}

/// Execution fee of one `ActionCosts` parameter, in gas.
pub fn exec(chain: &Chain, cost: ActionCosts) -> u64 {
    chain.runtime_config().fees.fee(cost).exec_fee().gas.as_gas()
}

/// `gas` at `price`, in yoctoNEAR.
pub fn at(gas: u64, price: NearToken) -> u128 {
    gas as u128 * price.as_yoctonear()
}

/// The price attached gas is bought at (NEP-642): `max(gas price, min_gas_purchase_price)`.
pub fn purchase_price(chain: &Chain) -> NearToken {
    chain.gas_price().max(chain.runtime_config().min_gas_purchase_price)
}

pub fn yocto(n: u128) -> NearToken {
    NearToken::from_yoctonear(n)
}

/// The next nonce of `signer`'s key of [`signer_of`] `key_of`.
pub fn next_nonce(chain: &Chain, signer: &AccountId, key_of: &AccountId) -> u64 {
    let key = signer_of(key_of).public_key();
    chain.view_access_key(signer, &key).map(|k| k.nonce + 1).unwrap_or(1)
}

/// A `TransactionV0` from `signer` with the key of [`signer_of`] `key_of`.
pub fn transaction(
    signer: &AccountId,
    key_of: &AccountId,
    receiver: &AccountId,
    nonce: u64,
    block_hash: CryptoHash,
    actions: Vec<Action>,
) -> Transaction {
    Transaction::V0(TransactionV0 {
        signer_id: signer.clone(),
        public_key: signer_of(key_of).public_key(),
        nonce,
        receiver_id: receiver.clone(),
        block_hash,
        actions,
    })
}

/// `tx` signed by [`signer_of`] `by`: the signature covers `sha256(borsh(tx))`.
pub fn sign(tx: Transaction, by: &AccountId) -> SignedTransaction {
    let hash = CryptoHash::hash_borsh(&tx);
    SignedTransaction::new(signer_of(by).sign(hash.as_ref()), tx)
}

/// A transaction signed with `signer`'s own key, its next nonce, on the latest block.
pub fn signed(chain: &Chain, signer: &AccountId, receiver: &AccountId, actions: Vec<Action>) -> SignedTransaction {
    let tx = transaction(signer, signer, receiver, next_nonce(chain, signer, signer), chain.head().hash, actions);
    sign(tx, signer)
}

/// What a refused transaction must leave as it was: the account (balance,
/// locked, storage, code), the given access keys (nonce, permission,
/// allowance), and the chain's height.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    account: Option<AccountView>,
    keys: Vec<Option<AccessKey>>,
    height: u64,
}

pub fn snapshot(chain: &Chain, id: &AccountId, key_owners: &[&AccountId]) -> Snapshot {
    Snapshot {
        account: chain.view_account(id),
        keys: key_owners.iter().map(|owner| chain.view_access_key(id, &signer_of(owner).public_key())).collect(),
        height: chain.block_height(),
    }
}

/// Sum of the refund receipts an outcome records to `to`, in yoctoNEAR (each
/// refund is one `Transfer(amount)` from `system`).
pub fn refunds_to(outcome: &embedded_chain::TxOutcome, to: &AccountId) -> u128 {
    outcome
        .receipts
        .iter()
        .filter(|r| r.is_refund && r.executor == to.as_str())
        .map(|r| {
            let [action] = r.actions.as_slice() else { panic!("a refund has one action: {:?}", r.actions) };
            let amount = action.strip_prefix("Transfer(").and_then(|a| a.strip_suffix(')'));
            amount.and_then(|a| a.parse::<u128>().ok()).unwrap_or_else(|| panic!("not a transfer: {action}"))
        })
        .sum()
}
