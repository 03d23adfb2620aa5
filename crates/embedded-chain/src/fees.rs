//! Action fees and gas prices, as nearcore's `runtime/runtime/src/config.rs`
//! (`total_send_fees`, `exec_fee`, `total_prepaid_exec_fees`,
//! `total_prepaid_send_fees`, `tx_cost`) computes them from the protocol's
//! `RuntimeFeesConfig`.

use crate::receipt::{total_prepaid_gas, Action};
use near_parameters::{transfer_exec_fee, transfer_send_fee, ActionCosts, RuntimeConfig};
use near_primitives::account::AccessKeyPermission;
use near_primitives_core::types::{AccountId, Balance, Gas};

/// The gas price of every block: the protocol's minimum gas price (mainnet's
/// genesis `min_gas_price`), which is what a block with spare capacity charges.
pub const GAS_PRICE: u128 = 100_000_000;

/// How the protocol prices an action, on both the send and the execution side.
enum Priced {
    /// One fee.
    Flat(ActionCosts),
    /// A base fee plus a per-byte fee times a byte count.
    PerByte(ActionCosts, ActionCosts, u64),
    /// A transfer, priced by the receiver's account type (implicit ids pay
    /// for their creation: `transfer_send_fee` / `transfer_exec_fee`).
    Transfer,
    /// Not executed by the chain (refused at submission or at execution).
    Free,
}

/// The one table of which fees an action pays (nearcore `total_send_fees`
/// and `exec_fee` read the same parameters per action).
fn priced(action: &Action) -> Priced {
    use ActionCosts as C;
    use Priced::*;
    match action {
        Action::CreateAccount(_) => Flat(C::create_account),
        Action::DeployContract(a) => PerByte(C::deploy_contract_base, C::deploy_contract_byte, a.code.len() as u64),
        Action::FunctionCall(a) => {
            PerByte(C::function_call_base, C::function_call_byte, (a.method_name.len() + a.args.len()) as u64)
        }
        Action::Transfer(_) => Transfer,
        Action::Stake(_) => Flat(C::stake),
        Action::AddKey(a) => match &a.access_key.permission {
            // Each method name is charged with its terminating null.
            AccessKeyPermission::FunctionCall(p) => PerByte(
                C::add_function_call_key_base,
                C::add_function_call_key_byte,
                p.method_names.iter().map(|m| m.len() as u64 + 1).sum(),
            ),
            _ => Flat(C::add_full_access_key),
        },
        Action::DeleteKey(_) => Flat(C::delete_key),
        Action::DeleteAccount(_) => Flat(C::delete_account),
        Action::Delegate(_) => Flat(C::delegate),
        Action::DeployGlobalContract(a) => {
            PerByte(C::deploy_global_contract_base, C::deploy_global_contract_byte, a.code.len() as u64)
        }
        Action::UseGlobalContract(a) => {
            PerByte(C::use_global_contract_base, C::use_global_contract_byte, a.contract_identifier.len() as u64)
        }
        _ => Free,
    }
}

/// Send fee of one action to `receiver` (nearcore `total_send_fees`, one
/// action): a delegate action pays for its inner actions too.
pub(crate) fn send_fee(config: &RuntimeConfig, sir: bool, action: &Action, receiver: &AccountId) -> Gas {
    let fees = &config.fees;
    let send = |c: ActionCosts| fees.fee(c).send_fee(sir).gas;
    let own = match priced(action) {
        Priced::Flat(c) => send(c),
        Priced::PerByte(base, byte, n) => send(base).saturating_add(send(byte).saturating_mul(n)),
        Priced::Transfer => {
            let wasm = &config.wasm_config;
            let kind = receiver.get_account_type();
            transfer_send_fee(fees, sir, wasm.eth_implicit_accounts, wasm.universal_accounts, kind).gas
        }
        Priced::Free => Gas::ZERO,
    };
    match action {
        Action::Delegate(signed) => {
            let inner = &signed.delegate_action;
            own.saturating_add(total_send_fees(config, sir, &inner.get_actions(), &inner.receiver_id))
        }
        _ => own,
    }
}

/// Execution fee of one action run by `receiver` (nearcore `exec_fee`): a
/// delegate action's own fee only (its inner actions are prepaid apart).
pub(crate) fn exec_fee(config: &RuntimeConfig, action: &Action, receiver: &AccountId) -> Gas {
    let fees = &config.fees;
    let exec = |c: ActionCosts| fees.fee(c).exec_fee().gas;
    match priced(action) {
        Priced::Flat(c) => exec(c),
        Priced::PerByte(base, byte, n) => exec(base).saturating_add(exec(byte).saturating_mul(n)),
        Priced::Transfer => {
            let wasm = &config.wasm_config;
            transfer_exec_fee(fees, wasm.eth_implicit_accounts, wasm.universal_accounts, receiver.get_account_type())
                .gas
        }
        Priced::Free => Gas::ZERO,
    }
}

/// nearcore `total_send_fees`: send fees of `actions` to `receiver`.
pub(crate) fn total_send_fees(config: &RuntimeConfig, sir: bool, actions: &[Action], receiver: &AccountId) -> Gas {
    actions.iter().fold(Gas::ZERO, |g, a| g.saturating_add(send_fee(config, sir, a, receiver)))
}

/// nearcore `total_prepaid_send_fees`: the send fees of a delegate action's
/// inner actions, prepaid by the relayer and burnt when the delegate action
/// sends them on (sender is receiver when the sender calls itself).
pub(crate) fn total_prepaid_send_fees(config: &RuntimeConfig, actions: &[Action]) -> Gas {
    actions.iter().fold(Gas::ZERO, |g, a| match a {
        Action::Delegate(signed) => {
            let inner = &signed.delegate_action;
            let sir = inner.sender_id == inner.receiver_id;
            g.saturating_add(total_send_fees(config, sir, &inner.get_actions(), &inner.receiver_id))
        }
        _ => g,
    })
}

/// nearcore `total_prepaid_exec_fees`: execution fees of `actions` run by
/// `receiver`; a delegate action adds its inner actions' fees and the
/// execution fee of the receipt that carries them.
pub(crate) fn total_prepaid_exec_fees(config: &RuntimeConfig, actions: &[Action], receiver: &AccountId) -> Gas {
    actions.iter().fold(Gas::ZERO, |g, a| {
        let fee = match a {
            Action::Delegate(signed) => {
                let inner = &signed.delegate_action;
                total_prepaid_exec_fees(config, &inner.get_actions(), &inner.receiver_id)
                    .saturating_add(exec_fee(config, a, &inner.receiver_id))
                    .saturating_add(config.fees.fee(ActionCosts::new_action_receipt).exec_fee().gas)
            }
            _ => exec_fee(config, a, receiver),
        };
        g.saturating_add(fee)
    })
}

/// Gas of a receipt of `actions` to `receiver`, as nearcore's `tx_cost`
/// splits it: the send fees (burnt when the receipt is sent) and the gas
/// bought for it (the receipt's execution fee, the actions' prepaid execution
/// and send fees, and the gas attached to calls).
pub(crate) fn receipt_gas(config: &RuntimeConfig, sir: bool, actions: &[Action], receiver: &AccountId) -> (Gas, Gas) {
    let receipt_fee = config.fees.fee(ActionCosts::new_action_receipt);
    let send = receipt_fee.send_fee(sir).gas.saturating_add(total_send_fees(config, sir, actions, receiver));
    (send, prepaid_of_receipt(config, actions, receiver))
}

/// The gas bought for a receipt of `actions` to `receiver` (nearcore
/// `tx_cost`'s `gas_remaining`, and what `apply_action_receipt` refunds from).
pub(crate) fn prepaid_of_receipt(config: &RuntimeConfig, actions: &[Action], receiver: &AccountId) -> Gas {
    config
        .fees
        .fee(ActionCosts::new_action_receipt)
        .exec_fee()
        .gas
        .saturating_add(total_prepaid_exec_fees(config, actions, receiver))
        .saturating_add(total_prepaid_send_fees(config, actions))
        .saturating_add(total_prepaid_gas(actions))
}

/// Execution fees burnt by a receipt of `actions` run by `receiver`: the
/// receipt's and each action's own (`apply_action_receipt`).
pub(crate) fn exec_fees(config: &RuntimeConfig, actions: &[Action], receiver: &AccountId) -> Gas {
    actions.iter().fold(config.fees.fee(ActionCosts::new_action_receipt).exec_fee().gas, |g, a| {
        g.saturating_add(exec_fee(config, a, receiver))
    })
}

/// NEP-642: gas attached to a receipt is bought at
/// `max(gas price, min_gas_purchase_price)` (nearcore `tx_cost`, `receipt_gas_price`).
pub(crate) fn purchase_price(config: &RuntimeConfig, gas_price: Balance) -> Balance {
    gas_price.max(config.min_gas_purchase_price)
}

/// `gas` at `price`, in yoctoNEAR.
pub(crate) fn cost(gas: Gas, price: Balance) -> Balance {
    price.saturating_mul(gas.as_gas() as u128)
}
