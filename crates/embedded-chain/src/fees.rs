//! Action fees and gas prices, as nearcore's `runtime/runtime/src/config.rs`
//! (`total_send_fees`, `exec_fee`, `total_prepaid_exec_fees`,
//! `total_prepaid_send_fees`, `tx_cost`) computes them from the protocol's
//! `RuntimeFeesConfig`.

use crate::receipt::{prepaid_gas, Action};
use near_parameters::{transfer_exec_fee, transfer_send_fee, ActionCosts, RuntimeConfig};
use near_primitives::account::AccessKeyPermission;
use near_primitives_core::types::{AccountId, Balance, Gas};

/// The gas price of every block: the protocol's minimum gas price (mainnet's
/// genesis `min_gas_price`), which is what a block with spare capacity charges.
pub const GAS_PRICE: u128 = 100_000_000;

/// Base fee plus `n` times the per-byte fee, send side (`sir`: sender is receiver).
fn send_per_byte(config: &RuntimeConfig, sir: bool, base: ActionCosts, byte: ActionCosts, n: u64) -> Gas {
    let fees = &config.fees;
    fees.fee(base).send_fee(sir).gas.saturating_add(fees.fee(byte).send_fee(sir).gas.saturating_mul(n))
}

/// Base fee plus `n` times the per-byte fee, execution side.
fn exec_per_byte(config: &RuntimeConfig, base: ActionCosts, byte: ActionCosts, n: u64) -> Gas {
    let fees = &config.fees;
    fees.fee(base).exec_fee().gas.saturating_add(fees.fee(byte).exec_fee().gas.saturating_mul(n))
}

/// Bytes a function-call key's method names are charged for: each name and
/// its terminating null.
fn method_name_bytes(permission: &AccessKeyPermission) -> Option<u64> {
    match permission {
        AccessKeyPermission::FunctionCall(p) => Some(p.method_names.iter().map(|m| m.len() as u64 + 1).sum()),
        _ => None,
    }
}

/// Send fee of one action to `receiver` (nearcore `total_send_fees`, one
/// action): a transfer to an implicit account id pays for creating it
/// (`transfer_send_fee`), a delegate action pays for its inner actions too.
pub(crate) fn send_fee(config: &RuntimeConfig, sir: bool, action: &Action, receiver: &AccountId) -> Gas {
    let fees = &config.fees;
    let one = |c: ActionCosts| fees.fee(c).send_fee(sir).gas;
    match action {
        Action::CreateAccount(_) => one(ActionCosts::create_account),
        Action::DeployContract(a) => send_per_byte(
            config,
            sir,
            ActionCosts::deploy_contract_base,
            ActionCosts::deploy_contract_byte,
            a.code.len() as u64,
        ),
        Action::FunctionCall(a) => send_per_byte(
            config,
            sir,
            ActionCosts::function_call_base,
            ActionCosts::function_call_byte,
            (a.method_name.len() + a.args.len()) as u64,
        ),
        Action::Transfer(_) => {
            let wasm = &config.wasm_config;
            transfer_send_fee(
                fees,
                sir,
                wasm.eth_implicit_accounts,
                wasm.universal_accounts,
                receiver.get_account_type(),
            )
            .gas
        }
        Action::Stake(_) => one(ActionCosts::stake),
        Action::AddKey(a) => match method_name_bytes(&a.access_key.permission) {
            Some(n) => send_per_byte(
                config,
                sir,
                ActionCosts::add_function_call_key_base,
                ActionCosts::add_function_call_key_byte,
                n,
            ),
            None => one(ActionCosts::add_full_access_key),
        },
        Action::DeleteKey(_) => one(ActionCosts::delete_key),
        Action::DeleteAccount(_) => one(ActionCosts::delete_account),
        Action::Delegate(signed) => {
            let inner = &signed.delegate_action;
            one(ActionCosts::delegate).saturating_add(total_send_fees(
                config,
                sir,
                &inner.get_actions(),
                &inner.receiver_id,
            ))
        }
        Action::DeployGlobalContract(a) => send_per_byte(
            config,
            sir,
            ActionCosts::deploy_global_contract_base,
            ActionCosts::deploy_global_contract_byte,
            a.code.len() as u64,
        ),
        Action::UseGlobalContract(a) => send_per_byte(
            config,
            sir,
            ActionCosts::use_global_contract_base,
            ActionCosts::use_global_contract_byte,
            a.contract_identifier.len() as u64,
        ),
        // Not executed by the chain (refused at submission or at execution).
        _ => Gas::ZERO,
    }
}

/// Execution fee of one action run by `receiver` (nearcore `exec_fee`): a
/// delegate action's own fee only (its inner actions are prepaid apart).
pub(crate) fn exec_fee(config: &RuntimeConfig, action: &Action, receiver: &AccountId) -> Gas {
    let fees = &config.fees;
    let one = |c: ActionCosts| fees.fee(c).exec_fee().gas;
    match action {
        Action::CreateAccount(_) => one(ActionCosts::create_account),
        Action::DeployContract(a) => exec_per_byte(
            config,
            ActionCosts::deploy_contract_base,
            ActionCosts::deploy_contract_byte,
            a.code.len() as u64,
        ),
        Action::FunctionCall(a) => exec_per_byte(
            config,
            ActionCosts::function_call_base,
            ActionCosts::function_call_byte,
            (a.method_name.len() + a.args.len()) as u64,
        ),
        Action::Transfer(_) => {
            let wasm = &config.wasm_config;
            transfer_exec_fee(fees, wasm.eth_implicit_accounts, wasm.universal_accounts, receiver.get_account_type())
                .gas
        }
        Action::Stake(_) => one(ActionCosts::stake),
        Action::AddKey(a) => match method_name_bytes(&a.access_key.permission) {
            Some(n) => exec_per_byte(
                config,
                ActionCosts::add_function_call_key_base,
                ActionCosts::add_function_call_key_byte,
                n,
            ),
            None => one(ActionCosts::add_full_access_key),
        },
        Action::DeleteKey(_) => one(ActionCosts::delete_key),
        Action::DeleteAccount(_) => one(ActionCosts::delete_account),
        Action::Delegate(_) => one(ActionCosts::delegate),
        Action::DeployGlobalContract(a) => exec_per_byte(
            config,
            ActionCosts::deploy_global_contract_base,
            ActionCosts::deploy_global_contract_byte,
            a.code.len() as u64,
        ),
        Action::UseGlobalContract(a) => exec_per_byte(
            config,
            ActionCosts::use_global_contract_base,
            ActionCosts::use_global_contract_byte,
            a.contract_identifier.len() as u64,
        ),
        _ => Gas::ZERO,
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

/// Gas attached to `actions` (a delegate action's inner calls included).
pub(crate) fn total_prepaid_gas(actions: &[Action]) -> Gas {
    actions.iter().fold(Gas::ZERO, |g, a| g.saturating_add(prepaid_gas(a)))
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
