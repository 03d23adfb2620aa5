//! JSON and borsh, reading and writing, of [`ProposalKind`], written by hand
//! around one table of fields ([`Field::of`]): one code path per value type
//! instead of the derives' one per kind and field.
//!
//! serde's derive for an internally tagged enum (`#[serde(tag = "type")]`) buffers the
//! object into its generic `Content` tree, then deserializes each variant from that tree:
//! about a fifth of the contract's wasm. Here the object is read in one pass into a slot
//! per field name (the union of every kind's fields), and the kind named by `type` is
//! then built from its slots. Field order does not matter; a field the kind does not
//! have (unknown, or another kind's), a duplicate field or a missing required one is
//! an error naming the field and the kind. `Option` fields may be absent or `null`;
//! a required field given as `null` is refused, naming it. The writers go
//! through `ProposalKind::values` (the fields in table order); a test checks
//! they write the bytes the derives wrote.
//!
//! Adding a kind (always after the last label: the borsh index and the kind
//! set bit are the label's): its fields in [`Field::of`], in declaration order;
//! an arm in `build` and in `ProposalKind::values`; its `Option` fields in
//! `is_optional`; a sample at the end of the tests' `samples()`.

use crate::base64::Base64Bytes;
use crate::named_enum::named_enum;
use crate::types::{CommunityContract, FunctionCallAction, KindLabel, KindSet, MemberInput, ProposalKind, VotePolicy};
use ai_commons_primitives::tee::{TeeMeasurements, TeePolicy};
use ai_commons_primitives::{ConsentPurpose, Digest32, ModelId, VersionNumber};
use near_sdk::borsh::{BorshDeserialize, BorshSerialize};
use near_sdk::json_types::U64;
use near_sdk::serde::de::{self, Deserialize, Deserializer, Error as _, IgnoredAny, MapAccess, Visitor};
use near_sdk::serde::{Serialize, Serializer};
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
        AgentSuspenders = "agent_suspenders",
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
            KindLabel::ChangePolicy => &[Label, Policy, AgentSuspenders],
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
            KindLabel::RegisterAgent | KindLabel::UpdateAgent => {
                &[AccountId, MandateUri, MandateHash, ModelId, Version, Alias, CanVote, CanPropose, ExpiresAt]
            }
            KindLabel::SuspendAgent | KindLabel::RetireAgent => &[AccountId, Reason],
            KindLabel::AddMembers => &[Members],
            KindLabel::RemoveMembers => &[AccountIds],
            KindLabel::ApproveMembershipList => &[Root, ClaimDeadline],
            KindLabel::SetTeePolicy => &[TeePolicy],
            KindLabel::ApproveTeeMeasurements => &[TeeMeasurements],
            KindLabel::WithdrawTeeMeasurements => &[MeasurementSet, Reason],
            KindLabel::ApproveTeeAppEvent => &[TeeMeasurements],
            KindLabel::AllowTeePlatform => &[Ppid],
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
    agent_suspenders: Option<Vec<String>>,
    ppid: Option<String>,
}

/// The slot of a field, for the fields that share a value type.
impl Slots {
    /// Whether the field holds a value (given and not `null`).
    fn has(&self, field: Field) -> bool {
        match field {
            Field::Type => self.kind.is_some(),
            Field::AccountId => self.account_id.is_some(),
            Field::Roles => self.roles.is_some(),
            Field::Label => self.label.is_some(),
            Field::Policy => self.policy.is_some(),
            Field::Role => self.role.is_some(),
            Field::CanPropose => self.can_propose.is_some(),
            Field::CanVote => self.can_vote.is_some(),
            Field::ReceiverId => self.receiver_id.is_some(),
            Field::Amount => self.amount.is_some(),
            Field::Actions => self.actions.is_some(),
            Field::CodeHash => self.code_hash.is_some(),
            Field::MigrateArgs => self.migrate_args.is_some(),
            Field::Registry => self.registry.is_some(),
            Field::Attestation => self.attestation.is_some(),
            Field::Consent => self.consent.is_some(),
            Field::ModelId => self.model_id.is_some(),
            Field::Version => self.version.is_some(),
            Field::Reason => self.reason.is_some(),
            Field::Alias => self.alias.is_some(),
            Field::Operator => self.operator.is_some(),
            Field::PublicKeys => self.public_keys.is_some(),
            Field::TeeKind => self.tee_kind.is_some(),
            Field::Measurements => self.measurements.is_some(),
            Field::Models => self.models.is_some(),
            Field::ExpiresAt => self.expires_at.is_some(),
            Field::Purpose => self.purpose.is_some(),
            Field::Note => self.note.is_some(),
            Field::Contract => self.contract.is_some(),
            Field::MandateUri => self.mandate_uri.is_some(),
            Field::MandateHash => self.mandate_hash.is_some(),
            Field::Members => self.members.is_some(),
            Field::AccountIds => self.account_ids.is_some(),
            Field::Root => self.root.is_some(),
            Field::ClaimDeadline => self.claim_deadline.is_some(),
            Field::TeePolicy => self.tee_policy.is_some(),
            Field::TeeMeasurements => self.tee_measurements.is_some(),
            Field::MeasurementSet => self.measurement_set.is_some(),
            Field::AgentSuspenders => self.agent_suspenders.is_some(),
            Field::Ppid => self.ppid.is_some(),
        }
    }

    fn account(&mut self, field: Field) -> &mut Option<AccountId> {
        match field {
            Field::AccountId => &mut self.account_id,
            Field::ReceiverId => &mut self.receiver_id,
            Field::Operator => &mut self.operator,
            Field::Registry => &mut self.registry,
            Field::Attestation => &mut self.attestation,
            _ => &mut self.consent,
        }
    }

    fn text(&mut self, field: Field) -> &mut Option<String> {
        match field {
            Field::Role => &mut self.role,
            Field::TeeKind => &mut self.tee_kind,
            Field::MandateUri => &mut self.mandate_uri,
            Field::ModelId => &mut self.model_id,
            Field::Reason => &mut self.reason,
            Field::Alias => &mut self.alias,
            Field::Ppid => &mut self.ppid,
            _ => &mut self.note,
        }
    }

    fn texts(&mut self, field: Field) -> &mut Option<Vec<String>> {
        match field {
            Field::Roles => &mut self.roles,
            Field::PublicKeys => &mut self.public_keys,
            Field::Models => &mut self.models,
            _ => &mut self.agent_suspenders,
        }
    }

    fn digest(&mut self, field: Field) -> &mut Option<Digest32> {
        match field {
            Field::CodeHash => &mut self.code_hash,
            Field::MandateHash => &mut self.mandate_hash,
            Field::Root => &mut self.root,
            _ => &mut self.measurement_set,
        }
    }

    fn kinds(&mut self, field: Field) -> &mut Option<KindSet> {
        match field {
            Field::CanPropose => &mut self.can_propose,
            _ => &mut self.can_vote,
        }
    }

    fn time(&mut self, field: Field) -> &mut Option<U64> {
        match field {
            Field::ExpiresAt => &mut self.expires_at,
            _ => &mut self.claim_deadline,
        }
    }
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
                    Key::Unknown(name) => return Err(A::Error::custom(not_in_kind(name, label))),
                    Key::Known(field) if allowed(label) & field.bit() == 0 => {
                        return Err(A::Error::custom(not_in_kind(field.name(), label)))
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
            // One read per value type, every value as an `Option`: fields of
            // one type share the read (less wasm), and a `null` where a value
            // is required is refused by `build`, naming the field.
            match field {
                Field::Type => s.kind = Some(map.next_value()?),
                Field::AccountId
                | Field::ReceiverId
                | Field::Operator
                | Field::Registry
                | Field::Attestation
                | Field::Consent => *s.account(field) = map.next_value()?,
                Field::Role
                | Field::TeeKind
                | Field::MandateUri
                | Field::ModelId
                | Field::Reason
                | Field::Alias
                | Field::Ppid
                | Field::Note => *s.text(field) = map.next_value()?,
                Field::Roles | Field::PublicKeys | Field::Models | Field::AgentSuspenders => {
                    *s.texts(field) = map.next_value()?
                }
                Field::CodeHash | Field::MandateHash | Field::Root | Field::MeasurementSet => {
                    *s.digest(field) = map.next_value()?
                }
                Field::CanPropose | Field::CanVote => *s.kinds(field) = map.next_value()?,
                Field::ExpiresAt | Field::ClaimDeadline => *s.time(field) = map.next_value()?,
                Field::Label => s.label = map.next_value()?,
                Field::Policy => s.policy = map.next_value()?,
                Field::Amount => s.amount = map.next_value()?,
                Field::Actions => s.actions = map.next_value()?,
                Field::MigrateArgs => s.migrate_args = map.next_value()?,
                Field::Version => s.version = map.next_value()?,
                Field::Measurements => s.measurements = map.next_value()?,
                Field::Purpose => s.purpose = map.next_value()?,
                Field::Contract => s.contract = map.next_value()?,
                Field::Members => s.members = map.next_value()?,
                Field::AccountIds => s.account_ids = map.next_value()?,
                Field::TeePolicy => s.tee_policy = map.next_value()?,
                Field::TeeMeasurements => s.tee_measurements = map.next_value()?,
            }
        }
        build(&mut s, given, unknown).map_err(A::Error::custom)
    }
}

/// The kind named by `type`, from the slots, once the whole object is read.
///
/// Takes the slots by `&mut` and `take()`s each one: moving fields out of an
/// owned `Slots` would make every `?` below drop, one by one, each slot not
/// moved yet (a drop sequence per `?`, ~1 kB of wasm in all); here the caller
/// drops what is left, once.
fn build(s: &mut Slots, given: u64, unknown: Option<String>) -> Result<ProposalKind, String> {
    let label = s.kind.ok_or_else(|| String::from("missing field `type`"))?;
    let foreign = Field::ALL.into_iter().find(|f| given & !allowed(label) & f.bit() != 0);
    if let Some(name) = unknown.as_deref().or(foreign.map(Field::name)) {
        return Err(not_in_kind(name, label));
    }
    // Every required field first, so that building below cannot fail half way.
    if let Some(&field) = Field::of(label).iter().find(|f| !is_optional(label, **f) && !s.has(**f)) {
        return Err(missing(label, given, field));
    }
    Ok(match label {
        KindLabel::Text => ProposalKind::Text,
        KindLabel::AddMember => {
            ProposalKind::AddMember { account_id: req(&mut s.account_id), roles: req(&mut s.roles) }
        }
        KindLabel::RemoveMember => ProposalKind::RemoveMember { account_id: req(&mut s.account_id) },
        KindLabel::ChangeRoles => {
            ProposalKind::ChangeRoles { account_id: req(&mut s.account_id), roles: req(&mut s.roles) }
        }
        KindLabel::ChangePolicy => ProposalKind::ChangePolicy {
            label: s.label.take(),
            policy: req(&mut s.policy),
            agent_suspenders: s.agent_suspenders.take(),
        },
        KindLabel::ChangeRolePermissions => ProposalKind::ChangeRolePermissions {
            role: req(&mut s.role),
            can_propose: req(&mut s.can_propose),
            can_vote: req(&mut s.can_vote),
        },
        KindLabel::Transfer => {
            ProposalKind::Transfer { receiver_id: req(&mut s.receiver_id), amount: req(&mut s.amount) }
        }
        KindLabel::FunctionCalls => {
            ProposalKind::FunctionCalls { receiver_id: req(&mut s.receiver_id), actions: req(&mut s.actions) }
        }
        KindLabel::UpgradeSelf => {
            ProposalKind::UpgradeSelf { code_hash: req(&mut s.code_hash), migrate_args: s.migrate_args.take() }
        }
        KindLabel::SetCommunityContracts => ProposalKind::SetCommunityContracts {
            registry: s.registry.take(),
            attestation: s.attestation.take(),
            consent: s.consent.take(),
        },
        KindLabel::ApproveModelVersion => {
            ProposalKind::ApproveModelVersion { model_id: req(&mut s.model_id), version: req(&mut s.version) }
        }
        KindLabel::DeprecateModelVersion => ProposalKind::DeprecateModelVersion {
            model_id: req(&mut s.model_id),
            version: req(&mut s.version),
            reason: s.reason.take(),
        },
        KindLabel::RevokeModelVersion => ProposalKind::RevokeModelVersion {
            model_id: req(&mut s.model_id),
            version: req(&mut s.version),
            reason: req(&mut s.reason),
        },
        KindLabel::MoveAlias => ProposalKind::MoveAlias {
            model_id: req(&mut s.model_id),
            alias: req(&mut s.alias),
            version: req(&mut s.version),
        },
        KindLabel::AdmitAttester => ProposalKind::AdmitAttester {
            operator: req(&mut s.operator),
            public_keys: req(&mut s.public_keys),
            tee_kind: req(&mut s.tee_kind),
            measurements: req(&mut s.measurements),
            models: s.models.take(),
            expires_at: s.expires_at.take(),
        },
        KindLabel::RevokeAttester => {
            ProposalKind::RevokeAttester { operator: req(&mut s.operator), reason: req(&mut s.reason) }
        }
        KindLabel::RecordTrainingSnapshot => {
            ProposalKind::RecordTrainingSnapshot { purpose: req(&mut s.purpose), note: s.note.take() }
        }
        KindLabel::UpgradeContract => {
            ProposalKind::UpgradeContract { contract: req(&mut s.contract), code_hash: req(&mut s.code_hash) }
        }
        KindLabel::RegisterAgent => ProposalKind::RegisterAgent {
            account_id: req(&mut s.account_id),
            mandate_uri: req(&mut s.mandate_uri),
            mandate_hash: req(&mut s.mandate_hash),
            model_id: req(&mut s.model_id),
            version: s.version.take(),
            alias: s.alias.take(),
            can_vote: req(&mut s.can_vote),
            can_propose: req(&mut s.can_propose),
            expires_at: req(&mut s.expires_at),
        },
        KindLabel::UpdateAgent => ProposalKind::UpdateAgent {
            account_id: req(&mut s.account_id),
            mandate_uri: req(&mut s.mandate_uri),
            mandate_hash: req(&mut s.mandate_hash),
            model_id: req(&mut s.model_id),
            version: s.version.take(),
            alias: s.alias.take(),
            can_vote: req(&mut s.can_vote),
            can_propose: req(&mut s.can_propose),
            expires_at: req(&mut s.expires_at),
        },
        KindLabel::SuspendAgent => {
            ProposalKind::SuspendAgent { account_id: req(&mut s.account_id), reason: req(&mut s.reason) }
        }
        KindLabel::RetireAgent => {
            ProposalKind::RetireAgent { account_id: req(&mut s.account_id), reason: req(&mut s.reason) }
        }
        KindLabel::AddMembers => ProposalKind::AddMembers { members: req(&mut s.members) },
        KindLabel::RemoveMembers => ProposalKind::RemoveMembers { account_ids: req(&mut s.account_ids) },
        KindLabel::ApproveMembershipList => {
            ProposalKind::ApproveMembershipList { root: req(&mut s.root), claim_deadline: req(&mut s.claim_deadline) }
        }
        KindLabel::SetTeePolicy => ProposalKind::SetTeePolicy { tee_policy: req(&mut s.tee_policy) },
        KindLabel::ApproveTeeMeasurements => {
            ProposalKind::ApproveTeeMeasurements { tee_measurements: req(&mut s.tee_measurements) }
        }
        KindLabel::WithdrawTeeMeasurements => ProposalKind::WithdrawTeeMeasurements {
            measurement_set: req(&mut s.measurement_set),
            reason: req(&mut s.reason),
        },
        KindLabel::ApproveTeeAppEvent => {
            ProposalKind::ApproveTeeAppEvent { tee_measurements: req(&mut s.tee_measurements) }
        }
        KindLabel::AllowTeePlatform => ProposalKind::AllowTeePlatform { ppid: req(&mut s.ppid) },
        KindLabel::WithdrawTeePlatform => {
            ProposalKind::WithdrawTeePlatform { ppid: req(&mut s.ppid), reason: req(&mut s.reason) }
        }
    })
}

/// The fields of a kind, `type` included, as a bit set.
fn allowed(label: KindLabel) -> u64 {
    Field::of(label).iter().fold(Field::Type.bit(), |acc, f| acc | f.bit())
}

#[cold]
fn not_in_kind(name: &str, label: KindLabel) -> String {
    let list = Field::of(label).iter().fold(String::from("`type`"), |acc, f| acc + ", `" + f.name() + "`");
    format!("proposal kind `{}` has no field `{name}` (its fields: {list})", label.as_str())
}

/// A required field's value, checked present by [`build`] before it builds.
fn req<T>(slot: &mut Option<T>) -> T {
    slot.take().unwrap_or_else(|| near_sdk::env::abort())
}

/// A required field is absent, or `null`.
#[cold]
fn missing(label: KindLabel, given: u64, field: Field) -> String {
    if given & field.bit() != 0 {
        format!("field `{}` of proposal kind `{}` cannot be null", field.name(), label.as_str())
    } else {
        format!("missing field `{}` in proposal kind `{}`", field.name(), label.as_str())
    }
}

impl<'de> Deserialize<'de> for ProposalKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(KindVisitor)
    }
}

/// A reference to one field's value, by value type: what the writers below
/// serialize, one arm per type.
enum Val<'a> {
    Account(&'a AccountId),
    Text(&'a String),
    Texts(&'a Vec<String>),
    Digest(&'a Digest32),
    Kinds(&'a KindSet),
    Time(&'a U64),
    Label(&'a KindLabel),
    Policy(&'a VotePolicy),
    Amount(&'a NearToken),
    Actions(&'a Vec<FunctionCallAction>),
    Bytes(&'a Base64Bytes),
    Version(&'a VersionNumber),
    Measurements(&'a Vec<Digest32>),
    Purpose(&'a ConsentPurpose),
    Contract(&'a CommunityContract),
    Members(&'a Vec<MemberInput>),
    Accounts(&'a Vec<AccountId>),
    TeePolicy(&'a TeePolicy),
    TeeMeasurements(&'a TeeMeasurements),
}

impl ProposalKind {
    /// The values of the kind's fields, in [`Field::of`] order (`None`: an absent option).
    fn values(&self) -> Vec<Option<Val<'_>>> {
        use ProposalKind as K;
        use Val::*;
        match self {
            K::Text => vec![],
            K::AddMember { account_id, roles } | K::ChangeRoles { account_id, roles } => {
                vec![Some(Account(account_id)), Some(Texts(roles))]
            }
            K::RemoveMember { account_id } => vec![Some(Account(account_id))],
            K::ChangePolicy { label, policy, agent_suspenders } => {
                vec![label.as_ref().map(Label), Some(Policy(policy)), agent_suspenders.as_ref().map(Texts)]
            }
            K::ChangeRolePermissions { role, can_propose, can_vote } => {
                vec![Some(Text(role)), Some(Kinds(can_propose)), Some(Kinds(can_vote))]
            }
            K::Transfer { receiver_id, amount } => vec![Some(Account(receiver_id)), Some(Amount(amount))],
            K::FunctionCalls { receiver_id, actions } => vec![Some(Account(receiver_id)), Some(Actions(actions))],
            K::UpgradeSelf { code_hash, migrate_args } => {
                vec![Some(Digest(code_hash)), migrate_args.as_ref().map(Bytes)]
            }
            K::SetCommunityContracts { registry, attestation, consent } => {
                vec![registry.as_ref().map(Account), attestation.as_ref().map(Account), consent.as_ref().map(Account)]
            }
            K::ApproveModelVersion { model_id, version } => vec![Some(Text(model_id)), Some(Version(version))],
            K::DeprecateModelVersion { model_id, version, reason } => {
                vec![Some(Text(model_id)), Some(Version(version)), reason.as_ref().map(Text)]
            }
            K::RevokeModelVersion { model_id, version, reason } => {
                vec![Some(Text(model_id)), Some(Version(version)), Some(Text(reason))]
            }
            K::MoveAlias { model_id, alias, version } => {
                vec![Some(Text(model_id)), Some(Text(alias)), Some(Version(version))]
            }
            K::AdmitAttester { operator, public_keys, tee_kind, measurements, models, expires_at } => vec![
                Some(Account(operator)),
                Some(Texts(public_keys)),
                Some(Text(tee_kind)),
                Some(Measurements(measurements)),
                models.as_ref().map(Texts),
                expires_at.as_ref().map(Time),
            ],
            K::RevokeAttester { operator, reason } => vec![Some(Account(operator)), Some(Text(reason))],
            K::RecordTrainingSnapshot { purpose, note } => vec![Some(Purpose(purpose)), note.as_ref().map(Text)],
            K::UpgradeContract { contract, code_hash } => vec![Some(Contract(contract)), Some(Digest(code_hash))],
            K::RegisterAgent {
                account_id,
                mandate_uri,
                mandate_hash,
                model_id,
                version,
                alias,
                can_vote,
                can_propose,
                expires_at,
            }
            | K::UpdateAgent {
                account_id,
                mandate_uri,
                mandate_hash,
                model_id,
                version,
                alias,
                can_vote,
                can_propose,
                expires_at,
            } => vec![
                Some(Account(account_id)),
                Some(Text(mandate_uri)),
                Some(Digest(mandate_hash)),
                Some(Text(model_id)),
                version.as_ref().map(Version),
                alias.as_ref().map(Text),
                Some(Kinds(can_vote)),
                Some(Kinds(can_propose)),
                Some(Time(expires_at)),
            ],
            K::SuspendAgent { account_id, reason } | K::RetireAgent { account_id, reason } => {
                vec![Some(Account(account_id)), Some(Text(reason))]
            }
            K::AddMembers { members } => vec![Some(Members(members))],
            K::RemoveMembers { account_ids } => vec![Some(Accounts(account_ids))],
            K::ApproveMembershipList { root, claim_deadline } => vec![Some(Digest(root)), Some(Time(claim_deadline))],
            K::SetTeePolicy { tee_policy } => vec![Some(TeePolicy(tee_policy))],
            K::ApproveTeeMeasurements { tee_measurements } => vec![Some(TeeMeasurements(tee_measurements))],
            K::WithdrawTeeMeasurements { measurement_set, reason } => {
                vec![Some(Digest(measurement_set)), Some(Text(reason))]
            }
            K::ApproveTeeAppEvent { tee_measurements } => vec![Some(TeeMeasurements(tee_measurements))],
            K::AllowTeePlatform { ppid } => vec![Some(Text(ppid))],
            K::WithdrawTeePlatform { ppid, reason } => vec![Some(Text(ppid)), Some(Text(reason))],
        }
    }
}

impl Serialize for Val<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Val::Account(v) => Serialize::serialize(*v, serializer),
            Val::Text(v) => Serialize::serialize(*v, serializer),
            Val::Texts(v) => Serialize::serialize(*v, serializer),
            Val::Digest(v) => Serialize::serialize(*v, serializer),
            Val::Kinds(v) => Serialize::serialize(*v, serializer),
            Val::Time(v) => Serialize::serialize(*v, serializer),
            Val::Label(v) => Serialize::serialize(*v, serializer),
            Val::Policy(v) => Serialize::serialize(*v, serializer),
            Val::Amount(v) => Serialize::serialize(*v, serializer),
            Val::Actions(v) => Serialize::serialize(*v, serializer),
            Val::Bytes(v) => Serialize::serialize(*v, serializer),
            Val::Version(v) => Serialize::serialize(*v, serializer),
            Val::Measurements(v) => Serialize::serialize(*v, serializer),
            Val::Purpose(v) => Serialize::serialize(*v, serializer),
            Val::Contract(v) => Serialize::serialize(*v, serializer),
            Val::Members(v) => Serialize::serialize(*v, serializer),
            Val::Accounts(v) => Serialize::serialize(*v, serializer),
            Val::TeePolicy(v) => Serialize::serialize(*v, serializer),
            Val::TeeMeasurements(v) => Serialize::serialize(*v, serializer),
        }
    }
}

impl BorshSerialize for Val<'_> {
    fn serialize<W: std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        match self {
            Val::Account(v) => BorshSerialize::serialize(*v, w),
            Val::Text(v) => BorshSerialize::serialize(*v, w),
            Val::Texts(v) => BorshSerialize::serialize(*v, w),
            Val::Digest(v) => BorshSerialize::serialize(*v, w),
            Val::Kinds(v) => BorshSerialize::serialize(*v, w),
            Val::Time(v) => BorshSerialize::serialize(&v.0, w),
            Val::Label(v) => BorshSerialize::serialize(*v, w),
            Val::Policy(v) => BorshSerialize::serialize(*v, w),
            Val::Amount(v) => BorshSerialize::serialize(*v, w),
            Val::Actions(v) => BorshSerialize::serialize(*v, w),
            Val::Bytes(v) => BorshSerialize::serialize(*v, w),
            Val::Version(v) => BorshSerialize::serialize(*v, w),
            Val::Measurements(v) => BorshSerialize::serialize(*v, w),
            Val::Purpose(v) => BorshSerialize::serialize(*v, w),
            Val::Contract(v) => BorshSerialize::serialize(*v, w),
            Val::Members(v) => BorshSerialize::serialize(*v, w),
            Val::Accounts(v) => BorshSerialize::serialize(*v, w),
            Val::TeePolicy(v) => BorshSerialize::serialize(*v, w),
            Val::TeeMeasurements(v) => BorshSerialize::serialize(*v, w),
        }
    }
}

/// JSON: `{"type": "<label>", ...fields}`, absent options as `null` but an
/// absent `agent_suspenders`, which is left out.
impl Serialize for ProposalKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use near_sdk::serde::ser::SerializeMap;
        let label = self.label();
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", label.as_str())?;
        for (field, value) in Field::of(label).iter().zip(self.values()) {
            if value.is_none() && *field == Field::AgentSuspenders {
                continue;
            }
            map.serialize_entry(field.name(), &value)?;
        }
        map.end()
    }
}

/// Borsh: the label's index, then each field, an option as its tag (0, 1) and its value.
impl BorshSerialize for ProposalKind {
    fn serialize<W: std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        let label = self.label();
        BorshSerialize::serialize(&(label as u8), w)?;
        for (field, value) in Field::of(label).iter().zip(self.values()) {
            if is_optional(label, *field) {
                BorshSerialize::serialize(&u8::from(value.is_some()), w)?;
            }
            if let Some(value) = value {
                BorshSerialize::serialize(&value, w)?;
            }
        }
        Ok(())
    }
}

/// Borsh: what `#[derive(BorshSerialize)]` writes (the variant index, which is
/// the kind label's, then the fields in declaration order, `Option`s as a tag
/// and the value), read into the same slots as JSON and built by the same
/// [`build`]: the derived reader was a second copy of every kind's
/// construction (~7 kB of wasm). `change_policy`'s `agent_suspenders`, added
/// last, reads as `None` where a stored proposal ends before it.
impl BorshDeserialize for ProposalKind {
    fn deserialize_reader<R: std::io::Read>(r: &mut R) -> std::io::Result<Self> {
        let tag = u8::deserialize_reader(r)?;
        let label = *KindLabel::ALL.get(tag as usize).ok_or_else(|| invalid(format!("unknown proposal kind {tag}")))?;
        let mut s = Slots { kind: Some(label), ..Slots::default() };
        for &field in Field::of(label) {
            if is_optional(label, field) {
                let mut present = [0u8; 1];
                match r.read(&mut present)? {
                    0 if field == Field::AgentSuspenders => continue,
                    0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
                    _ => {}
                }
                match present[0] {
                    0 => continue,
                    1 => {}
                    t => return Err(invalid(format!("invalid option tag {t}"))),
                }
            }
            read_field(&mut s, field, r)?;
        }
        build(&mut s, allowed(label), None).map_err(invalid)
    }
}

fn invalid(message: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message)
}

/// Whether `field` is an `Option` in kind `label` (borsh writes a tag first).
fn is_optional(label: KindLabel, field: Field) -> bool {
    use Field::*;
    match field {
        Label | MigrateArgs | Registry | Attestation | Consent | Models | Note | AgentSuspenders => true,
        Version | Alias => matches!(label, KindLabel::RegisterAgent | KindLabel::UpdateAgent),
        Reason => label == KindLabel::DeprecateModelVersion,
        ExpiresAt => label == KindLabel::AdmitAttester,
        _ => false,
    }
}

/// Reads one field's value (an `Option`'s inner value) into its slot.
fn read_field<R: std::io::Read>(s: &mut Slots, field: Field, r: &mut R) -> std::io::Result<()> {
    fn read<T: BorshDeserialize, R: std::io::Read>(r: &mut R) -> std::io::Result<Option<T>> {
        T::deserialize_reader(r).map(Some)
    }
    match field {
        Field::Type => {}
        Field::AccountId
        | Field::ReceiverId
        | Field::Operator
        | Field::Registry
        | Field::Attestation
        | Field::Consent => *s.account(field) = read(r)?,
        Field::Role
        | Field::TeeKind
        | Field::MandateUri
        | Field::ModelId
        | Field::Reason
        | Field::Alias
        | Field::Ppid
        | Field::Note => *s.text(field) = read(r)?,
        Field::Roles | Field::PublicKeys | Field::Models | Field::AgentSuspenders => *s.texts(field) = read(r)?,
        Field::CodeHash | Field::MandateHash | Field::Root | Field::MeasurementSet => *s.digest(field) = read(r)?,
        Field::CanPropose | Field::CanVote => *s.kinds(field) = read(r)?,
        Field::ExpiresAt | Field::ClaimDeadline => *s.time(field) = read::<u64, _>(r)?.map(U64),
        Field::Label => s.label = read(r)?,
        Field::Policy => s.policy = read(r)?,
        Field::Amount => s.amount = read(r)?,
        Field::Actions => s.actions = read(r)?,
        Field::MigrateArgs => s.migrate_args = read(r)?,
        Field::Version => s.version = read(r)?,
        Field::Measurements => s.measurements = read(r)?,
        Field::Purpose => s.purpose = read(r)?,
        Field::Contract => s.contract = read(r)?,
        Field::Members => s.members = read(r)?,
        Field::AccountIds => s.account_ids = read(r)?,
        Field::TeePolicy => s.tee_policy = read(r)?,
        Field::TeeMeasurements => s.tee_measurements = read(r)?,
    }
    Ok(())
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

    /// Every kind, the optional fields both set and unset. New samples go at
    /// the end (see [`GOLDEN_SAMPLES`]).
    fn samples() -> Vec<ProposalKind> {
        use ProposalKind::*;
        vec![
            Text,
            AddMember { account_id: acc("zed.near"), roles: vec!["council".into(), "member".into()] },
            RemoveMember { account_id: acc("zed.near") },
            ChangeRoles { account_id: acc("zed.near"), roles: vec![] },
            ChangePolicy { label: None, policy: policy(), agent_suspenders: None },
            ChangePolicy { label: Some(KindLabel::Transfer), policy: policy(), agent_suspenders: Some(vec![]) },
            ChangePolicy { label: None, policy: policy(), agent_suspenders: Some(vec!["council".into()]) },
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
            UpdateAgent {
                account_id: acc("agent.near"),
                mandate_uri: "ipfs://mandate-v2".into(),
                mandate_hash: Digest32([12; 32]),
                model_id: "llama".into(),
                version: None,
                alias: Some("stable".into()),
                can_vote: KindSet::of(&[KindLabel::Text, KindLabel::Transfer]),
                can_propose: KindSet::NONE,
                expires_at: U64(1_900_000_000_000_000_000),
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

    /// Samples whose serialized forms the golden digest below covers: new
    /// samples go after them, so the digest stays what the derives wrote.
    const GOLDEN_SAMPLES: usize = 39;

    /// The JSON and borsh forms of the first [`GOLDEN_SAMPLES`] samples, as the
    /// derived serializers wrote them (a digest of them all): the hand-written
    /// ones write the same bytes.
    #[test]
    fn serialized_forms_are_those_of_the_derives() {
        assert!(samples().len() >= GOLDEN_SAMPLES);
        let mut all = Vec::new();
        for kind in samples().into_iter().take(GOLDEN_SAMPLES) {
            all.extend(near_sdk::borsh::to_vec(&kind).unwrap());
            all.extend(serde_json::to_vec(&kind).unwrap());
        }
        let digest = Digest32(near_sdk::env::sha256_array(&all)).to_hex();
        // Two samples hold `KindSet::ALL`, whose borsh bits follow the number
        // of kinds: a new kind changes this digest (31 kinds here).
        assert_eq!(digest, "4ff5ad9df6ca33d9411b935b2e366dc07c1de2bc34a383cf81b726b8dde92f72");
    }

    /// The hand-written borsh reader reads what the derived writer wrote, for
    /// every kind; cut short or with a bad tag, it fails.
    #[test]
    fn every_kind_round_trips_in_borsh() {
        use near_sdk::borsh;
        for kind in samples() {
            let bytes = borsh::to_vec(&kind).unwrap();
            assert_eq!(bytes[0] as usize, kind.label().index(), "{kind:?}");
            assert_eq!(borsh::from_slice::<ProposalKind>(&bytes).unwrap(), kind);
            let short = &bytes[..bytes.len() - 1];
            let trailing_field = matches!(kind, ProposalKind::ChangePolicy { agent_suspenders: None, .. });
            if !trailing_field {
                assert!(borsh::from_slice::<ProposalKind>(short).is_err(), "{kind:?} cut short");
            }
        }
        assert!(borsh::from_slice::<ProposalKind>(&[KindLabel::COUNT as u8]).is_err());
        let mut bad_tag = borsh::to_vec(&ProposalKind::SetCommunityContracts {
            registry: None,
            attestation: None,
            consent: Some(acc("c.near")),
        })
        .unwrap();
        bad_tag[1] = 2;
        assert!(borsh::from_slice::<ProposalKind>(&bad_tag).is_err());
    }

    #[test]
    fn field_order_and_absent_options() {
        let kind = parse(r#"{"account_id": "zed.near", "roles": ["member"], "type": "add_member"}"#);
        assert_eq!(kind, Ok(ProposalKind::AddMember { account_id: acc("zed.near"), roles: vec!["member".into()] }));
        let policy_json = serde_json::to_string(&policy()).unwrap();
        let default = ProposalKind::ChangePolicy { label: None, policy: policy(), agent_suspenders: None };
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
        assert!(e.starts_with("proposal kind `remove_member` has no field `roles`"), "{e}");
        let e = refused(r#"{"roles": 5, "account_id": "a.near", "type": "remove_member"}"#);
        assert!(e.starts_with("invalid type: integer `5`, expected a sequence"), "{e}");
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
        assert!(e.starts_with("field `account_id` of proposal kind `remove_member` cannot be null"), "{e}");
        let e = refused(r#"{"account_id": null, "type": "transfer", "receiver_id": null, "amount": "1"}"#);
        assert!(e.starts_with("proposal kind `transfer` has no field `account_id`"), "{e}");
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
