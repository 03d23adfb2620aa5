//! Registering models.

use crate::errors::*;
use crate::events::RegistryEvent;
use crate::limits::*;
use crate::{check, check_text, Contract, ContractExt, Model};
use ai_commons_primitives::{validate_bounded, validate_slug, Digest32, StorageMeter};
use near_sdk::json_types::U64;
use near_sdk::{env, near, require};

#[near]
impl Contract {
    /// Registers a model with the caller as its publisher.
    /// Caller: anyone while publishing is open, else an allow-listed publisher.
    /// Deposit: storage of the model record (0.02 NEAR covers the largest),
    /// excess refunded. Emits `model_registered`.
    #[payable]
    pub fn register_model(
        &mut self,
        model_id: String,
        name: String,
        task: String,
        license: String,
        card_uri: String,
        card_digest: Digest32,
    ) {
        let publisher = env::predecessor_account_id();
        require!(self.is_allowed_publisher(&publisher), ERR_NOT_ALLOWED_PUBLISHER);
        check(validate_slug("model_id", &model_id));
        check_text("name", &name, MAX_NAME_LEN, ERR_EMPTY_NAME);
        check_text("task", &task, MAX_TASK_LEN, ERR_EMPTY_TASK);
        check_text("license", &license, MAX_LICENSE_LEN, ERR_EMPTY_LICENSE);
        check(validate_bounded("card_uri", &card_uri, MAX_URI_LEN));
        require!(!card_digest.is_zero(), ERR_ZERO_CARD_DIGEST);
        require!(!self.models.contains_key(&model_id), ERR_MODEL_EXISTS);

        let meter = StorageMeter::start();
        let model = Model {
            name,
            task,
            license,
            card_uri,
            card_digest,
            publisher: publisher.clone(),
            created_at: U64(env::block_timestamp()),
            version_count: 0,
            alias_count: 0,
        };
        self.models.insert(model_id.clone(), model);
        self.model_ids.push(model_id.clone());
        RegistryEvent::ModelRegistered { model_id: &model_id, publisher: &publisher, card_digest: &card_digest }.emit();
        self.settle_storage(meter, &publisher);
    }
}
