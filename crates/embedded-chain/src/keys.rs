//! Access keys: the deterministic keys the chain gives the accounts it
//! creates, the storage a key occupies, and what a key may sign (nearcore
//! `verify_and_charge_tx_ephemeral`).

use crate::receipt::Action;
use near_crypto::{InMemorySigner, KeyType, PublicKey, Signer};
use near_parameters::RuntimeConfig;
use near_primitives::account::{AccessKey, AccessKeyPermission};
use near_primitives::errors::InvalidAccessKeyError;
use near_primitives_core::types::{AccountId, Balance};

/// The deterministic ed25519 signer of `id` (secret key seeded by the account
/// id): genesis accounts and accounts made by [`crate::Chain::create_account`]
/// hold its public key, so tests and tools can sign real transactions for them.
pub fn signer_of(id: &AccountId) -> Signer {
    InMemorySigner::from_seed(id.clone(), KeyType::ED25519, id.as_str())
}

/// The public key of [`signer_of`] `id`.
pub fn genesis_key(id: &AccountId) -> PublicKey {
    signer_of(id).public_key()
}

/// Bytes an access key occupies in its account's storage (nearcore
/// `action_add_key`: borsh of key and record plus `num_extra_bytes_record`).
pub(crate) fn access_key_storage(config: &RuntimeConfig, public_key: &PublicKey, key: &AccessKey) -> u64 {
    let pk = borsh::object_length(public_key).unwrap_or(33) as u64;
    let record = borsh::object_length(key).unwrap_or(9) as u64;
    pk + record + config.fees.storage_usage_config.num_extra_bytes_record
}

/// Whether `key` may sign a transaction of `actions` to `receiver`, the checks
/// of nearcore's `verify_and_charge_tx_ephemeral` in its order: a function-call
/// key signs exactly one function call, without deposit, to its receiver and
/// (when it lists any) one of its methods.
pub(crate) fn permits(key: &AccessKey, receiver: &AccountId, actions: &[Action]) -> Result<(), InvalidAccessKeyError> {
    let AccessKeyPermission::FunctionCall(permission) = &key.permission else { return Ok(()) };
    let [Action::FunctionCall(call)] = actions else { return Err(InvalidAccessKeyError::RequiresFullAccess) };
    if call.deposit > Balance::ZERO {
        return Err(InvalidAccessKeyError::DepositWithFunctionCall);
    }
    if receiver.as_str() != permission.receiver_id {
        return Err(InvalidAccessKeyError::ReceiverMismatch {
            tx_receiver: receiver.clone(),
            ak_receiver: permission.receiver_id.clone(),
        });
    }
    if !permission.method_names.is_empty() && !permission.method_names.contains(&call.method_name) {
        return Err(InvalidAccessKeyError::MethodNameMismatch { method_name: call.method_name.clone() });
    }
    Ok(())
}

/// Whether `key` is a full-access key.
pub fn is_full_access(key: &AccessKey) -> bool {
    matches!(key.permission, AccessKeyPermission::FullAccess)
}
