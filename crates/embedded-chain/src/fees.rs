//! Action fees and gas prices, as nearcore's `runtime/runtime/src/config.rs`
//! (`total_send_fees`, `exec_fee`, `tx_cost`) computes them from the protocol's
//! `RuntimeFeesConfig`.

use crate::receipt::Action;
use near_parameters::{ActionCosts, RuntimeConfig, RuntimeFeesConfig};
use near_primitives::account::AccessKeyPermission;
use near_primitives_core::types::{Balance, Gas};

/// The gas price of every block: the protocol's minimum gas price (mainnet's
/// genesis `min_gas_price`), which is what a block with spare capacity charges.
pub const GAS_PRICE: u128 = 100_000_000;

/// Send fee (`sir`: sender is receiver) and execution fee of one action.
pub(crate) fn action_fees(fees: &RuntimeFeesConfig, sir: bool, action: &Action) -> (Gas, Gas) {
    let one = |c: ActionCosts| (fees.fee(c).send_fee(sir).gas, fees.fee(c).exec_fee().gas);
    let per_byte = |base: ActionCosts, byte: ActionCosts, n: u64| {
        let (bs, be) = one(base);
        let (ys, ye) = one(byte);
        (bs.saturating_add(ys.saturating_mul(n)), be.saturating_add(ye.saturating_mul(n)))
    };
    match action {
        Action::CreateAccount(_) => one(ActionCosts::create_account),
        Action::DeployContract(a) => {
            per_byte(ActionCosts::deploy_contract_base, ActionCosts::deploy_contract_byte, a.code.len() as u64)
        }
        Action::FunctionCall(a) => per_byte(
            ActionCosts::function_call_base,
            ActionCosts::function_call_byte,
            (a.method_name.len() + a.args.len()) as u64,
        ),
        Action::Transfer(_) => one(ActionCosts::transfer),
        Action::Stake(_) => one(ActionCosts::stake),
        Action::AddKey(a) => match &a.access_key.permission {
            AccessKeyPermission::FunctionCall(permission) => per_byte(
                ActionCosts::add_function_call_key_base,
                ActionCosts::add_function_call_key_byte,
                // Each name counts one more byte: its terminating null.
                permission.method_names.iter().map(|m| m.len() as u64 + 1).sum(),
            ),
            _ => one(ActionCosts::add_full_access_key),
        },
        Action::DeleteKey(_) => one(ActionCosts::delete_key),
        Action::DeleteAccount(_) => one(ActionCosts::delete_account),
        Action::Delegate(_) => one(ActionCosts::delegate),
        Action::DeployGlobalContract(a) => per_byte(
            ActionCosts::deploy_global_contract_base,
            ActionCosts::deploy_global_contract_byte,
            a.code.len() as u64,
        ),
        Action::UseGlobalContract(a) => per_byte(
            ActionCosts::use_global_contract_base,
            ActionCosts::use_global_contract_byte,
            a.contract_identifier.len() as u64,
        ),
        // Not executed by the chain (refused at submission or at execution).
        _ => (Gas::ZERO, Gas::ZERO),
    }
}

/// Gas of a receipt of `actions` paid before it runs: the receipt's and every
/// action's send fees (burnt at once) and execution fees plus attached gas (prepaid).
pub(crate) fn receipt_gas(fees: &RuntimeFeesConfig, sir: bool, actions: &[Action]) -> (Gas, Gas) {
    let receipt_fee = fees.fee(ActionCosts::new_action_receipt);
    let mut send = receipt_fee.send_fee(sir).gas;
    let mut prepaid = receipt_fee.exec_fee().gas;
    for action in actions {
        let (s, e) = action_fees(fees, sir, action);
        send = send.saturating_add(s);
        prepaid = prepaid.saturating_add(e).saturating_add(crate::receipt::prepaid_gas(action));
    }
    (send, prepaid)
}

/// Execution fees of a receipt of `actions` (burnt when it runs).
pub(crate) fn exec_fees(fees: &RuntimeFeesConfig, actions: &[Action]) -> Gas {
    actions.iter().fold(fees.fee(ActionCosts::new_action_receipt).exec_fee().gas, |g, a: &Action| {
        g.saturating_add(action_fees(fees, false, a).1)
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
