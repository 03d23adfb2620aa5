//! JSON shapes clients send and receive.

use super::*;
use near_sdk::serde_json::{from_value, json, to_value};

#[test]
fn parent_ref_and_training_record_parse_from_client_json() {
    let by_version: ParentRef = from_value(json!({"model_id": MODEL, "version": 1})).unwrap();
    assert_eq!(by_version, ParentRef::Version { model_id: MODEL.into(), version: 1 });
    let by_digest: ParentRef = from_value(json!({"digest": digest(0xba).to_hex()})).unwrap();
    assert_eq!(by_digest, ParentRef::Digest { digest: digest(0xba) });
    assert!(from_value::<ParentRef>(json!({"digest": "AB"})).is_err());

    let record: TrainingRecord = from_value(json!({
        "code_digest": digest(0xc0).to_hex(),
        "dataset_digest": null,
        "consent_contract": "consent.near",
        "consent_snapshot_id": "7",
    }))
    .unwrap();
    assert_eq!(record.consent_snapshot_id, Some(U64(7)));
    assert_eq!(record.dataset_digest, None);
}

#[test]
fn version_view_is_flat_json() {
    let mut w = World::new();
    w.register(ALICE, MODEL);
    w.submit(ALICE, MODEL, digest(1));
    let view = to_value(w.c.get_version(MODEL.into(), 1).unwrap()).unwrap();
    assert_eq!(view["model_id"], MODEL);
    assert_eq!(view["version"], 1);
    assert_eq!(view["weights_digest"], digest(1).to_hex());
    assert_eq!(view["status"], "submitted");
    assert_eq!(view["training"]["consent_snapshot_id"], "7");
    assert_eq!(view["created_at"], w.now.to_string());
    let status = to_value(w.c.version_status(MODEL.into(), 1)).unwrap();
    assert_eq!(status, json!({"status": "submitted", "weights_digest": digest(1).to_hex()}));
}
