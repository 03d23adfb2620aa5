//! JSON deserialization of [`ProposalKind`], written by hand (serialization stays derived).
//!
//! serde's derive for an internally tagged enum (`#[serde(tag = "type")]`) buffers the
//! object into its generic `Content` tree, then deserializes each variant from that tree:
//! about a fifth of the contract's wasm. Here the object is read in one pass into a slot
//! per field name (the union of every kind's fields), and the kind named by `type` is
//! then built from its slots. Field order does not matter; a field the kind does not
//! have (unknown, or another kind's), a duplicate field or a missing required one is
//! an error naming the field and the kind. `Option` fields may be absent or `null`.

use crate::base64::Base64Bytes;
use crate::named_enum::named_enum;
use crate::types::{CommunityContract, FunctionCallAction, KindLabel, KindSet, MemberInput, ProposalKind, VotePolicy};
use ai_commons_primitives::tee::{TeeMeasurements, TeePolicy};
use ai_commons_primitives::{ConsentPurpose, Digest32, ModelId, VersionNumber};
use near_sdk::json_types::U64;
use near_sdk::serde::de::{self, Deserialize, Deserializer, Error as _, IgnoredAny, MapAccess, Visitor};
use near_sdk::{AccountId, NearToken};
use std::fmt;

named_enum! {
    /// Every field name of any proposal kind, `type` included.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Field {
        Type = "type",
        AccountId = "account_id",
        Roles = "roles",
        Label = "label",
        Policy = "policy",
        Role = "role",
        CanPropose = "can_propose",
        CanVote = "can_vote",
        ReceiverId = "receiver_id",
        Amount = "amount",
        Actions = "actions",
        CodeHash = "code_hash",
        MigrateArgs = "migrate_args",
        Registry = "registry",
        Attestation = "attestation",
        Consent = "consent",
        ModelId = "model_id",
        Version = "version",
        Reason = "reason",
        Alias = "alias",
        Operator = "operator",
        PublicKeys = "public_keys",
        TeeKind = "tee_kind",
        Measurements = "measurements",
        Models = "models",
        ExpiresAt = "expires_at",
        Purpose = "purpose",
        Note = "note",
        Contract = "contract",
        MandateUri = "mandate_uri",
        MandateHash = "mandate_hash",
        Members = "members",
        AccountIds = "account_ids",
        Root = "root",
        ClaimDeadline = "claim_deadline",
        TeePolicy = "tee_policy",
        TeeMeasurements = "tee_measurements",
        MeasurementSet = "measurement_set",
        Ppid = "ppid",
    }
}

impl Field {
    fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    fn bit(self) -> u64 {
        1 << (self as u32)
    }

    /// The fields of a kind, besides `type`.
    fn of(label: KindLabel) -> &'static [Field] {
        use Field::*;
        match label {
            KindLabel::Text => &[],
            KindLabel::AddMember | KindLabel::ChangeRoles => &[AccountId, Roles],
            KindLabel::RemoveMember => &[AccountId],
            KindLabel::ChangePolicy => &[Label, Policy],
            KindLabel::ChangeRolePermissions => &[Role, CanPropose, CanVote],
            KindLabel::Transfer => &[ReceiverId, Amount],
            KindLabel::FunctionCalls => &[ReceiverId, Actions],
            KindLabel::UpgradeSelf => &[CodeHash, MigrateArgs],
            KindLabel::SetCommunityContracts => &[Registry, Attestation, Consent],
            KindLabel::ApproveModelVersion => &[ModelId, Version],
            KindLabel::DeprecateModelVersion | KindLabel::RevokeModelVersion => &[ModelId, Version, Reason],
            KindLabel::MoveAlias => &[ModelId, Alias, Version],
            KindLabel::AdmitAttester => &[Operator, PublicKeys, TeeKind, Measurements, Models, ExpiresAt],
            KindLabel::RevokeAttester => &[Operator, Reason],
            KindLabel::RecordTrainingSnapshot => &[Purpose, Note],
            KindLabel::UpgradeContract => &[Contract, CodeHash],
            KindLabel::RegisterAgent => {
                &[AccountId, MandateUri, MandateHash, ModelId, Version, Alias, CanVote, CanPropose, ExpiresAt]
            }
            KindLabel::SuspendAgent | KindLabel::RetireAgent => &[AccountId, Reason],
            KindLabel::AddMembers => &[Members],
            KindLabel::RemoveMembers => &[AccountIds],
            KindLabel::ApproveMembershipList => &[Root, ClaimDeadline],
            KindLabel::SetTeePolicy => &[TeePolicy],
            KindLabel::ApproveTeeMeasurements => &[TeeMeasurements],
            KindLabel::WithdrawTeeMeasurements => &[MeasurementSet, Reason],
            KindLabel::AllowTeePlatform => &[Ppid],
            KindLabel::ApproveTeeAppEvent => &[TeeMeasurements],
            KindLabel::WithdrawTeePlatform => &[Ppid, Reason],
        }
    }
}

/// A key of a proposal kind object: one of [`Field`], or an unknown name kept for the error.
enum Key {
    Known(Field),
    Unknown(String),
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<Key, E> {
                Ok(match Field::NAMES.iter().position(|n| *n == name) {
                    Some(i) => Key::Known(Field::ALL[i]),
                    None => Key::Unknown(name.to_owned()),
                })
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

/// One slot per field name; `Option` fields hold the inner value (`null` leaves the
/// slot empty, and whether the field was given at all is kept apart).
#[derive(Default)]
struct Slots {
    kind: Option<KindLabel>,
    account_id: Option<AccountId>,
    roles: Option<Vec<String>>,
    label: Option<KindLabel>,
    policy: Option<VotePolicy>,
    role: Option<String>,
    can_propose: Option<KindSet>,
    can_vote: Option<KindSet>,
    receiver_id: Option<AccountId>,
    amount: Option<NearToken>,
    actions: Option<Vec<FunctionCallAction>>,
    code_hash: Option<Digest32>,
    migrate_args: Option<Base64Bytes>,
    registry: Option<AccountId>,
    attestation: Option<AccountId>,
    consent: Option<AccountId>,
    model_id: Option<ModelId>,
    version: Option<VersionNumber>,
    reason: Option<String>,
    alias: Option<String>,
    operator: Option<AccountId>,
    public_keys: Option<Vec<String>>,
    tee_kind: Option<String>,
    measurements: Option<Vec<Digest32>>,
    models: Option<Vec<String>>,
    expires_at: Option<U64>,
    purpose: Option<ConsentPurpose>,
    note: Option<String>,
    contract: Option<CommunityContract>,
    mandate_uri: Option<String>,
    mandate_hash: Option<Digest32>,
    members: Option<Vec<MemberInput>>,
    account_ids: Option<Vec<AccountId>>,
    root: Option<Digest32>,
    claim_deadline: Option<U64>,
    tee_policy: Option<TeePolicy>,
    tee_measurements: Option<TeeMeasurements>,
    measurement_set: Option<Digest32>,
    ppid: Option<String>,
}

struct KindVisitor;

impl<'de> Visitor<'de> for KindVisitor {
    type Value = ProposalKind;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a proposal kind: {\"type\": \"<kind label>\", ...fields}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ProposalKind, A::Error> {
        let mut s = Slots::default();
        // Fields given (bit per `Field`), and the first unknown field name.
        let mut given = 0u64;
        let mut unknown = None;
        while let Some(key) = map.next_key()? {
            if let Some(label) = s.kind {
                // `type` came first (as serialized): refuse a stranger before reading its value.
                match &key {
                    Key::Unknown(name) => return Err(not_in_kind(name, label)),
                    Key::Known(field) if allowed(label) & field.bit() == 0 => {
                        return Err(not_in_kind(field.name(), label))
                    }
                    Key::Known(_) => {}
                }
            }
            let field = match key {
                Key::Known(field) => field,
                Key::Unknown(name) => {
                    unknown.get_or_insert(name);
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            if given & field.bit() != 0 {
                return Err(A::Error::duplicate_field(field.name()));
            }
            given |= field.bit();
            match field {
                Field::Type => s.kind = Some(map.next_value()?),
                Field::AccountId => s.account_id = Some(map.next_value()?),
                Field::Roles => s.roles = Some(map.next_value()?),
                Field::Label => s.label = map.next_value()?,
                Field::Policy => s.policy = Some(map.next_value()?),
                Field::Role => s.role = Some(map.next_value()?),
                Field::CanPropose => s.can_propose = Some(map.next_value()?),
                Field::CanVote => s.can_vote = Some(map.next_value()?),
                Field::ReceiverId => s.receiver_id = Some(map.next_value()?),
                Field::Amount => s.amount = Some(map.next_value()?),
                Field::Actions => s.actions = Some(map.next_value()?),
                Field::CodeHash => s.code_hash = Some(map.next_value()?),
                Field::MigrateArgs => s.migrate_args = map.next_value()?,
                Field::Registry => s.registry = map.next_value()?,
                Field::Attestation => s.attestation = map.next_value()?,
                Field::Consent => s.consent = map.next_value()?,
                Field::ModelId => s.model_id = Some(map.next_value()?),
                Field::Version => s.version = map.next_value()?,
                Field::Reason => s.reason = map.next_value()?,
                Field::Alias => s.alias = map.next_value()?,
                Field::Operator => s.operator = Some(map.next_value()?),
                Field::PublicKeys => s.public_keys = Some(map.next_value()?),
                Field::TeeKind => s.tee_kind = Some(map.next_value()?),
                Field::Measurements => s.measurements = Some(map.next_value()?),
                Field::Models => s.models = map.next_value()?,
                Field::ExpiresAt => s.expires_at = map.next_value()?,
                Field::Purpose => s.purpose = Some(map.next_value()?),
                Field::Note => s.note = map.next_value()?,
                Field::Contract => s.contract = Some(map.next_value()?),
                Field::MandateUri => s.mandate_uri = Some(map.next_value()?),
                Field::MandateHash => s.mandate_hash = Some(map.next_value()?),
                Field::Members => s.members = Some(map.next_value()?),
                Field::AccountIds => s.account_ids = Some(map.next_value()?),
                Field::Root => s.root = Some(map.next_value()?),
                Field::ClaimDeadline => s.claim_deadline = Some(map.next_value()?),
                Field::TeePolicy => s.tee_policy = Some(map.next_value()?),
                Field::TeeMeasurements => s.tee_measurements = Some(map.next_value()?),
                Field::MeasurementSet => s.measurement_set = Some(map.next_value()?),
                Field::Ppid => s.ppid = Some(map.next_value()?),
            }
        }
        build(&mut s, given, unknown)
    }
}

/// The kind named by `type`, from the slots, once the whole object is read.
///
/// Takes the slots by `&mut` and `take()`s each one: moving fields out of an
/// owned `Slots` would make every `?` below drop, one by one, each slot not
/// moved yet (a drop sequence per `?`, ~1 kB of wasm in all); here the caller
/// drops what is left, once.
fn build<E: de::Error>(s: &mut Slots, given: u64, unknown: Option<String>) -> Result<ProposalKind, E> {
    use Field as F;
    let label = s.kind.ok_or_else(|| E::missing_field("type"))?;
    let foreign = Field::ALL.into_iter().find(|f| given & !allowed(label) & f.bit() != 0);
    if let Some(name) = unknown.as_deref().or(foreign.map(Field::name)) {
        return Err(not_in_kind(name, label));
    }
    let c = Need { label, given };
    Ok(match label {
        KindLabel::Text => ProposalKind::Text,
        KindLabel::AddMember => ProposalKind::AddMember {
            account_id: c.need(s.account_id.take(), F::AccountId)?,
            roles: c.need(s.roles.take(), F::Roles)?,
        },
        KindLabel::RemoveMember => {
            ProposalKind::RemoveMember { account_id: c.need(s.account_id.take(), F::AccountId)? }
        }
        KindLabel::ChangeRoles => ProposalKind::ChangeRoles {
            account_id: c.need(s.account_id.take(), F::AccountId)?,
            roles: c.need(s.roles.take(), F::Roles)?,
        },
        KindLabel::ChangePolicy => {
            ProposalKind::ChangePolicy { label: s.label.take(), policy: c.need(s.policy.take(), F::Policy)? }
        }
        KindLabel::ChangeRolePermissions => ProposalKind::ChangeRolePermissions {
            role: c.need(s.role.take(), F::Role)?,
            can_propose: c.need(s.can_propose.take(), F::CanPropose)?,
            can_vote: c.need(s.can_vote.take(), F::CanVote)?,
        },
        KindLabel::Transfer => ProposalKind::Transfer {
            receiver_id: c.need(s.receiver_id.take(), F::ReceiverId)?,
            amount: c.need(s.amount.take(), F::Amount)?,
        },
        KindLabel::FunctionCalls => ProposalKind::FunctionCalls {
            receiver_id: c.need(s.receiver_id.take(), F::ReceiverId)?,
            actions: c.need(s.actions.take(), F::Actions)?,
        },
        KindLabel::UpgradeSelf => ProposalKind::UpgradeSelf {
            code_hash: c.need(s.code_hash.take(), F::CodeHash)?,
            migrate_args: s.migrate_args.take(),
        },
        KindLabel::SetCommunityContracts => ProposalKind::SetCommunityContracts {
            registry: s.registry.take(),
            attestation: s.attestation.take(),
            consent: s.consent.take(),
        },
        KindLabel::ApproveModelVersion => ProposalKind::ApproveModelVersion {
            model_id: c.need(s.model_id.take(), F::ModelId)?,
            version: c.need(s.version.take(), F::Version)?,
        },
        KindLabel::DeprecateModelVersion => ProposalKind::DeprecateModelVersion {
            model_id: c.need(s.model_id.take(), F::ModelId)?,
            version: c.need(s.version.take(), F::Version)?,
            reason: s.reason.take(),
        },
        KindLabel::RevokeModelVersion => ProposalKind::RevokeModelVersion {
            model_id: c.need(s.model_id.take(), F::ModelId)?,
            version: c.need(s.version.take(), F::Version)?,
            reason: c.need(s.reason.take(), F::Reason)?,
        },
        KindLabel::MoveAlias => ProposalKind::MoveAlias {
            model_id: c.need(s.model_id.take(), F::ModelId)?,
            alias: c.need(s.alias.take(), F::Alias)?,
            version: c.need(s.version.take(), F::Version)?,
        },
        KindLabel::AdmitAttester => ProposalKind::AdmitAttester {
            operator: c.need(s.operator.take(), F::Operator)?,
            public_keys: c.need(s.public_keys.take(), F::PublicKeys)?,
            tee_kind: c.need(s.tee_kind.take(), F::TeeKind)?,
            measurements: c.need(s.measurements.take(), F::Measurements)?,
            models: s.models.take(),
            expires_at: s.expires_at.take(),
        },
        KindLabel::RevokeAttester => ProposalKind::RevokeAttester {
            operator: c.need(s.operator.take(), F::Operator)?,
            reason: c.need(s.reason.take(), F::Reason)?,
        },
        KindLabel::RecordTrainingSnapshot => {
            ProposalKind::RecordTrainingSnapshot { purpose: c.need(s.purpose.take(), F::Purpose)?, note: s.note.take() }
        }
        KindLabel::UpgradeContract => ProposalKind::UpgradeContract {
            contract: c.need(s.contract.take(), F::Contract)?,
            code_hash: c.need(s.code_hash.take(), F::CodeHash)?,
        },
        KindLabel::RegisterAgent => ProposalKind::RegisterAgent {
            account_id: c.need(s.account_id.take(), F::AccountId)?,
            mandate_uri: c.need(s.mandate_uri.take(), F::MandateUri)?,
            mandate_hash: c.need(s.mandate_hash.take(), F::MandateHash)?,
            model_id: c.need(s.model_id.take(), F::ModelId)?,
            version: s.version.take(),
            alias: s.alias.take(),
            can_vote: c.need(s.can_vote.take(), F::CanVote)?,
            can_propose: c.need(s.can_propose.take(), F::CanPropose)?,
            expires_at: c.need(s.expires_at.take(), F::ExpiresAt)?,
        },
        KindLabel::SuspendAgent => ProposalKind::SuspendAgent {
            account_id: c.need(s.account_id.take(), F::AccountId)?,
            reason: c.need(s.reason.take(), F::Reason)?,
        },
        KindLabel::RetireAgent => ProposalKind::RetireAgent {
            account_id: c.need(s.account_id.take(), F::AccountId)?,
            reason: c.need(s.reason.take(), F::Reason)?,
        },
        KindLabel::AddMembers => ProposalKind::AddMembers { members: c.need(s.members.take(), F::Members)? },
        KindLabel::RemoveMembers => {
            ProposalKind::RemoveMembers { account_ids: c.need(s.account_ids.take(), F::AccountIds)? }
        }
        KindLabel::ApproveMembershipList => ProposalKind::ApproveMembershipList {
            root: c.need(s.root.take(), F::Root)?,
            claim_deadline: c.need(s.claim_deadline.take(), F::ClaimDeadline)?,
        },
        KindLabel::SetTeePolicy => {
            ProposalKind::SetTeePolicy { tee_policy: c.need(s.tee_policy.take(), F::TeePolicy)? }
        }
        KindLabel::ApproveTeeMeasurements => ProposalKind::ApproveTeeMeasurements {
            tee_measurements: c.need(s.tee_measurements.take(), F::TeeMeasurements)?,
        },
        KindLabel::WithdrawTeeMeasurements => ProposalKind::WithdrawTeeMeasurements {
            measurement_set: c.need(s.measurement_set.take(), F::MeasurementSet)?,
            reason: c.need(s.reason.take(), F::Reason)?,
        },
        KindLabel::AllowTeePlatform => ProposalKind::AllowTeePlatform { ppid: c.need(s.ppid.take(), F::Ppid)? },
        KindLabel::ApproveTeeAppEvent => ProposalKind::ApproveTeeAppEvent {
            tee_measurements: c.need(s.tee_measurements.take(), F::TeeMeasurements)?,
        },
        KindLabel::WithdrawTeePlatform => ProposalKind::WithdrawTeePlatform {
            ppid: c.need(s.ppid.take(), F::Ppid)?,
            reason: c.need(s.reason.take(), F::Reason)?,
        },
    })
}

/// The fields of a kind, `type` included, as a bit set.
fn allowed(label: KindLabel) -> u64 {
    Field::of(label).iter().fold(Field::Type.bit(), |acc, f| acc | f.bit())
}

#[cold]
fn not_in_kind<E: de::Error>(name: &str, label: KindLabel) -> E {
    let list = Field::of(label).iter().fold(String::from("`type`"), |acc, f| acc + ", `" + f.name() + "`");
    E::custom(format_args!("proposal kind `{}` has no field `{name}` (its fields: {list})", label.as_str()))
}

/// Takes the required fields of one kind.
struct Need {
    label: KindLabel,
    given: u64,
}

impl Need {
    fn need<T, E: de::Error>(&self, slot: Option<T>, field: Field) -> Result<T, E> {
        slot.ok_or_else(|| self.missing(field))
    }

    /// A required field is absent, or `null` (a slot shared with a kind where it is optional).
    #[cold]
    fn missing<E: de::Error>(&self, field: Field) -> E {
        if self.given & field.bit() != 0 {
            E::custom(format_args!(
                "field `{}` of proposal kind `{}` cannot be null",
                field.name(),
                self.label.as_str()
            ))
        } else {
            E::custom(format_args!("missing field `{}` in proposal kind `{}`", field.name(), self.label.as_str()))
        }
    }
}

impl<'de> Deserialize<'de> for ProposalKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(KindVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Fraction, Quorum};
    use ai_commons_primitives::tee::Measurement48;
    use near_sdk::serde_json;

    fn acc(s: &str) -> AccountId {
        s.parse().unwrap()
    }

    fn policy() -> VotePolicy {
        VotePolicy {
            voting_period_ns: U64(86_400_000_000_000),
            quorum: Quorum::Fraction(Fraction { num: 1, den: 3 }),
            threshold: Fraction { num: 1, den: 2 },
            timelock_ns: U64(3_600_000_000_000),
        }
    }

    /// Every kind, the optional fields both set and unset.
    fn samples() -> Vec<ProposalKind> {
        use ProposalKind::*;
        vec![
            Text,
            AddMember { account_id: acc("zed.near"), roles: vec!["council".into(), "member".into()] },
            RemoveMember { account_id: acc("zed.near") },
            ChangeRoles { account_id: acc("zed.near"), roles: vec![] },
            ChangePolicy { label: None, policy: policy() },
            ChangePolicy { label: Some(KindLabel::Transfer), policy: policy() },
            ChangeRolePermissions {
                role: "council".into(),
                can_propose: KindSet::ALL,
                can_vote: KindSet::of(&[KindLabel::Text, KindLabel::MoveAlias]),
            },
            ChangeRolePermissions { role: "lurker".into(), can_propose: KindSet::NONE, can_vote: KindSet::NONE },
            Transfer { receiver_id: acc("bob.near"), amount: NearToken::from_near(3) },
            FunctionCalls {
                receiver_id: acc("app.near"),
                actions: vec![FunctionCallAction {
                    method_name: "go".into(),
                    args: Base64Bytes(b"{\"x\":1}".to_vec()),
                    deposit: NearToken::from_yoctonear(1),
                    gas: U64(5_000_000_000_000),
                }],
            },
            UpgradeSelf { code_hash: Digest32([7; 32]), migrate_args: None },
            UpgradeSelf { code_hash: Digest32([8; 32]), migrate_args: Some(Base64Bytes(vec![1, 2, 3])) },
            SetCommunityContracts { registry: Some(acc("registry.near")), attestation: None, consent: None },
            SetCommunityContracts {
                registry: None,
                attestation: Some(acc("attest.near")),
                consent: Some(acc("consent.near")),
            },
            ApproveModelVersion { model_id: "llama".into(), version: 2 },
            DeprecateModelVersion { model_id: "llama".into(), version: 1, reason: None },
            DeprecateModelVersion { model_id: "llama".into(), version: 1, reason: Some("old".into()) },
            RevokeModelVersion { model_id: "llama".into(), version: 3, reason: "poisoned".into() },
            MoveAlias { model_id: "llama".into(), alias: "stable".into(), version: 2 },
            AdmitAttester {
                operator: acc("op.near"),
                public_keys: vec!["ed25519:abc".into()],
                tee_kind: "sgx".into(),
                measurements: vec![Digest32([1; 32]), Digest32([2; 32])],
                models: None,
                expires_at: None,
            },
            AdmitAttester {
                operator: acc("op.near"),
                public_keys: vec![],
                tee_kind: "tdx".into(),
                measurements: vec![],
                models: Some(vec!["llama".into()]),
                expires_at: Some(U64(1_800_000_000_000_000_000)),
            },
            RevokeAttester { operator: acc("op.near"), reason: "leaked key".into() },
            RecordTrainingSnapshot { purpose: ConsentPurpose::FineTuning, note: None },
            RecordTrainingSnapshot { purpose: ConsentPurpose::Training, note: Some("q3".into()) },
            UpgradeContract { contract: CommunityContract::Registry, code_hash: Digest32([9; 32]) },
            UpgradeContract { contract: CommunityContract::Attestation, code_hash: Digest32([10; 32]) },
            UpgradeContract { contract: CommunityContract::Consent, code_hash: Digest32([11; 32]) },
            RegisterAgent {
                account_id: acc("agent.near"),
                mandate_uri: "ipfs://mandate".into(),
                mandate_hash: Digest32([3; 32]),
                model_id: "llama".into(),
                version: Some(2),
                alias: None,
                can_vote: KindSet::of(&[KindLabel::Text]),
                can_propose: KindSet::NONE,
                expires_at: U64(1_800_000_000_000_000_000),
            },
            RegisterAgent {
                account_id: acc("agent.near"),
                mandate_uri: "ipfs://mandate".into(),
                mandate_hash: Digest32([4; 32]),
                model_id: "llama".into(),
                version: None,
                alias: Some("production".into()),
                can_vote: KindSet::ALL,
                can_propose: KindSet::of(&[KindLabel::Text]),
                expires_at: U64(1_800_000_000_000_000_000),
            },
            SuspendAgent { account_id: acc("agent.near"), reason: "drifted".into() },
            RetireAgent { account_id: acc("agent.near"), reason: "replaced".into() },
            AddMembers {
                members: vec![
                    MemberInput { account_id: acc("zed.near"), roles: vec!["member".into()] },
                    MemberInput { account_id: acc("yan.near"), roles: vec!["council".into(), "member".into()] },
                ],
            },
            RemoveMembers { account_ids: vec![acc("zed.near"), acc("yan.near")] },
            ApproveMembershipList { root: Digest32([5; 32]), claim_deadline: U64(1_800_000_000_000_000_000) },
            SetTeePolicy {
                tee_policy: TeePolicy {
                    verifier: acc("tee.near"),
                    accepted_tcb_statuses: vec!["UpToDate".into()],
                    max_admission_age_ns: U64(86_400_000_000_000),
                    challenge_ttl_ns: U64(600_000_000_000),
                    restrict_platforms: true,
                },
            },
            ApproveTeeMeasurements {
                tee_measurements: TeeMeasurements {
                    label: "node v1".into(),
                    mr_td: Measurement48([1; 48]),
                    rtmr0: Measurement48([2; 48]),
                    rtmr1: Measurement48([3; 48]),
                    rtmr2: Measurement48([4; 48]),
                    rtmr3: Measurement48([5; 48]),
                },
            },
            WithdrawTeeMeasurements { measurement_set: Digest32([6; 32]), reason: "cve".into() },
            AllowTeePlatform { ppid: "811dca2a26b952e85bb6448b097ba4fd".into() },
            ApproveTeeAppEvent {
                tee_measurements: TeeMeasurements {
                    label: "node v2 (compose pinned)".into(),
                    mr_td: Measurement48([1; 48]),
                    rtmr0: Measurement48([2; 48]),
                    rtmr1: Measurement48([3; 48]),
                    rtmr2: Measurement48([4; 48]),
                    rtmr3: Measurement48([7; 48]),
                },
            },
            WithdrawTeePlatform { ppid: "811dca2a26b952e85bb6448b097ba4fd".into(), reason: "decommissioned".into() },
        ]
    }

    fn parse(json: &str) -> Result<ProposalKind, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    fn refused(json: &str) -> String {
        parse(json).expect_err(json)
    }

    #[test]
    fn every_kind_round_trips() {
        let samples = samples();
        for label in KindLabel::ALL {
            assert!(samples.iter().any(|k| k.label() == label), "no sample of {label:?}");
        }
        for kind in samples {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(parse(&json), Ok(kind.clone()), "{json}");
            // Also through a `Value` (keys then come in sorted order, `type` not first).
            let value = serde_json::to_value(&kind).unwrap();
            assert_eq!(serde_json::from_value::<ProposalKind>(value).unwrap(), kind);
        }
    }

    #[test]
    fn field_order_and_absent_options() {
        let kind = parse(r#"{"account_id": "zed.near", "roles": ["member"], "type": "add_member"}"#);
        assert_eq!(kind, Ok(ProposalKind::AddMember { account_id: acc("zed.near"), roles: vec!["member".into()] }));
        let policy_json = serde_json::to_string(&policy()).unwrap();
        let default = ProposalKind::ChangePolicy { label: None, policy: policy() };
        assert_eq!(parse(&format!(r#"{{"policy": {policy_json}, "type": "change_policy"}}"#)), Ok(default.clone()));
        assert_eq!(
            parse(&format!(r#"{{"type": "change_policy", "label": null, "policy": {policy_json}}}"#)),
            Ok(default)
        );
        let kind = parse(
            r#"{"type": "upgrade_self", "code_hash": "0707070707070707070707070707070707070707070707070707070707070707"}"#,
        );
        assert_eq!(kind, Ok(ProposalKind::UpgradeSelf { code_hash: Digest32([7; 32]), migrate_args: None }));
        let kind = parse(
            r#"{"code_hash": "0707070707070707070707070707070707070707070707070707070707070707", "type": "upgrade_contract", "contract": "attestation"}"#,
        );
        assert_eq!(
            kind,
            Ok(ProposalKind::UpgradeContract {
                contract: CommunityContract::Attestation,
                code_hash: Digest32([7; 32])
            })
        );
        assert!(refused(r#"{"type": "upgrade_contract", "contract": "dao", "code_hash": "07"}"#)
            .contains("unknown variant `dao`"));
        assert!(refused(r#"{"type": "upgrade_contract", "contract": "registry"}"#)
            .contains("missing field `code_hash` in proposal kind `upgrade_contract`"));
        assert!(refused(
            r#"{"type": "upgrade_contract", "contract": "registry", "migrate_args": "AQ==", "code_hash": "07"}"#
        )
        .contains("proposal kind `upgrade_contract` has no field `migrate_args`"));
        let kind = parse(r#"{"type": "set_community_contracts", "consent": "consent.near"}"#);
        assert_eq!(
            kind,
            Ok(ProposalKind::SetCommunityContracts {
                registry: None,
                attestation: None,
                consent: Some(acc("consent.near"))
            })
        );
        let kind = parse(r#"{"version": 4, "model_id": "llama", "type": "deprecate_model_version"}"#);
        assert_eq!(
            kind,
            Ok(ProposalKind::DeprecateModelVersion { model_id: "llama".into(), version: 4, reason: None })
        );
        let kind = parse(
            r#"{"type": "admit_attester", "operator": "op.near", "public_keys": [], "tee_kind": "sgx", "measurements": []}"#,
        );
        assert_eq!(
            kind,
            Ok(ProposalKind::AdmitAttester {
                operator: acc("op.near"),
                public_keys: vec![],
                tee_kind: "sgx".into(),
                measurements: vec![],
                models: None,
                expires_at: None,
            })
        );
        assert_eq!(parse(r#"{"type": "text"}"#), Ok(ProposalKind::Text));
    }

    #[test]
    fn refuses_fields_of_other_kinds_and_unknown_fields() {
        let e = refused(r#"{"type": "remove_member", "account_id": "a.near", "roles": []}"#);
        assert!(
            e.starts_with("proposal kind `remove_member` has no field `roles` (its fields: `type`, `account_id`)"),
            "{e}"
        );
        // Before `type`: refused once `type` is read (the value must still fit the field's type elsewhere).
        let e = refused(r#"{"roles": [], "account_id": "a.near", "type": "remove_member"}"#);
        assert!(e.starts_with("proposal kind `remove_member` has no field `roles`"), "{e}");
        let e = refused(r#"{"roles": null, "account_id": "a.near", "type": "remove_member"}"#);
        assert!(e.starts_with("invalid type: null, expected a sequence"), "{e}");
        let e = refused(r#"{"memo": 1, "type": "remove_member", "account_id": "a.near"}"#);
        assert!(e.starts_with("proposal kind `remove_member` has no field `memo`"), "{e}");
        // After `type`: refused before its value is read.
        let e = refused(r#"{"type": "remove_member", "roles": null, "account_id": "a.near"}"#);
        assert!(e.starts_with("proposal kind `remove_member` has no field `roles`"), "{e}");
        let e = refused(r#"{"type": "remove_member", "account_id": "a.near", "memo": {"x": [1]}}"#);
        assert!(e.starts_with("proposal kind `remove_member` has no field `memo`"), "{e}");
        let e = refused(r#"{"type": "text", "note": null}"#);
        assert!(e.starts_with("proposal kind `text` has no field `note` (its fields: `type`)"), "{e}");
        let e = refused(r#"{"type": "transfer", "receiver_id": "b.near", "amount": "1", "memo": "hi"}"#);
        assert!(
            e.starts_with("proposal kind `transfer` has no field `memo` (its fields: `type`, `receiver_id`, `amount`)"),
            "{e}"
        );
    }

    #[test]
    fn refuses_missing_null_and_duplicate_fields() {
        let e = refused(r#"{"type": "add_member", "account_id": "a.near"}"#);
        assert!(e.starts_with("missing field `roles` in proposal kind `add_member`"), "{e}");
        let e = refused(r#"{"type": "transfer"}"#);
        assert!(e.starts_with("missing field `receiver_id` in proposal kind `transfer`"), "{e}");
        let e = refused(r#"{"type": "revoke_model_version", "model_id": "m", "version": 1}"#);
        assert!(e.starts_with("missing field `reason` in proposal kind `revoke_model_version`"), "{e}");
        let e = refused(r#"{"type": "revoke_model_version", "model_id": "m", "version": 1, "reason": null}"#);
        assert!(e.starts_with("field `reason` of proposal kind `revoke_model_version` cannot be null"), "{e}");
        let e = refused(r#"{"type": "remove_member", "account_id": null}"#);
        assert!(e.starts_with("invalid type: null, expected"), "{e}");
        let e = refused(r#"{"type": "remove_member", "account_id": "a.near", "account_id": "b.near"}"#);
        assert!(e.starts_with("duplicate field `account_id`"), "{e}");
        let e = refused(r#"{"type": "remove_member", "account_id": 5}"#);
        assert!(e.starts_with("invalid type: integer `5`"), "{e}");
    }

    #[test]
    fn refuses_missing_or_unknown_type() {
        let e = refused(r#"{"account_id": "a.near"}"#);
        assert!(e.starts_with("missing field `type`"), "{e}");
        let e = refused(r#"{}"#);
        assert!(e.starts_with("missing field `type`"), "{e}");
        let e = refused(r#"{"type": "fly_to_the_moon"}"#);
        assert!(e.starts_with("unknown variant `fly_to_the_moon`, expected one of `text`, `add_member`"), "{e}");
        assert!(parse(r#"{"type": null}"#).is_err());
        assert!(parse(r#"{"type": "Text"}"#).is_err());
        let e = refused(r#"{"type": "text", "type": "text"}"#);
        assert!(e.starts_with("duplicate field `type`"), "{e}");
        let e = refused(r#""text""#);
        assert!(e.starts_with("invalid type: string \"text\", expected a proposal kind"), "{e}");
        let e = refused(r#"["text"]"#);
        assert!(e.starts_with("invalid type: sequence, expected a proposal kind"), "{e}");
    }

    #[test]
    fn kind_sets() {
        let parse = |json: &str| serde_json::from_str::<KindSet>(json).map_err(|e| e.to_string());
        assert_eq!(parse(r#""all""#), Ok(KindSet::ALL));
        assert_eq!(parse("[]"), Ok(KindSet::NONE));
        assert_eq!(parse(r#"["transfer", "text"]"#), Ok(KindSet::of(&[KindLabel::Text, KindLabel::Transfer])));
        for set in [KindSet::ALL, KindSet::NONE, KindSet::of(&[KindLabel::UpgradeSelf])] {
            assert_eq!(parse(&serde_json::to_string(&set).unwrap()), Ok(set));
        }
        let e = parse(r#""everything""#).unwrap_err();
        assert!(e.starts_with(r#"expected "all" or a list of proposal kind labels, got "everything""#), "{e}");
        let e = parse(r#"["text", "fly"]"#).unwrap_err();
        assert!(e.starts_with("unknown variant `fly`, expected one of `text`"), "{e}");
        let e = parse("5").unwrap_err();
        assert!(e.starts_with(r#"invalid type: integer `5`, expected "all" or a list of proposal kind labels"#), "{e}");
    }

    #[test]
    fn labels_round_trip() {
        for label in KindLabel::ALL {
            let json = serde_json::to_string(&label).unwrap();
            assert_eq!(json, format!("\"{}\"", label.as_str()));
            assert_eq!(serde_json::from_str::<KindLabel>(&json).unwrap(), label);
        }
        let e = serde_json::from_str::<KindLabel>(r#""Transfer""#).unwrap_err().to_string();
        assert!(e.starts_with("unknown variant `Transfer`, expected one of `text`, `add_member`"), "{e}");
        let e = serde_json::from_str::<KindLabel>("3").unwrap_err().to_string();
        assert!(e.starts_with("invalid type: integer `3`, expected a proposal kind label"), "{e}");
    }
}
