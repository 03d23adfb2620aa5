//! Domain types of the DAO: proposal kinds and their labels, roles, vote policies,
//! members, proposals and votes.

use crate::base64::Base64Bytes;
use crate::named_enum::named_enum;
use ai_commons_primitives::tee::{TeeMeasurements, TeePolicy};
use ai_commons_primitives::{ConsentPurpose, Digest32, ModelId, VersionNumber};
use near_sdk::json_types::U64;
use near_sdk::serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use near_sdk::{near, AccountId, NearToken};
use std::collections::BTreeMap;

named_enum! {
    /// The label of a proposal kind: what permissions and vote policies are keyed by.
    /// JSON: its snake_case name ([`KindLabel::as_str`]).
    #[near(serializers = [borsh])]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
    #[serde(crate = "near_sdk::serde", rename_all = "snake_case")]
    pub enum KindLabel {
        Text = "text",
        AddMember = "add_member",
        RemoveMember = "remove_member",
        ChangeRoles = "change_roles",
        ChangePolicy = "change_policy",
        ChangeRolePermissions = "change_role_permissions",
        Transfer = "transfer",
        FunctionCalls = "function_calls",
        UpgradeSelf = "upgrade_self",
        SetCommunityContracts = "set_community_contracts",
        ApproveModelVersion = "approve_model_version",
        DeprecateModelVersion = "deprecate_model_version",
        RevokeModelVersion = "revoke_model_version",
        MoveAlias = "move_alias",
        AdmitAttester = "admit_attester",
        RevokeAttester = "revoke_attester",
        RecordTrainingSnapshot = "record_training_snapshot",
        UpgradeContract = "upgrade_contract",
        RegisterAgent = "register_agent",
        SuspendAgent = "suspend_agent",
        RetireAgent = "retire_agent",
        AddMembers = "add_members",
        RemoveMembers = "remove_members",
        ApproveMembershipList = "approve_membership_list",
        SetTeePolicy = "set_tee_policy",
        ApproveTeeMeasurements = "approve_tee_measurements",
        WithdrawTeeMeasurements = "withdraw_tee_measurements",
        UpdateAgent = "update_agent",
        ApproveTeeAppEvent = "approve_tee_app_event",
        AllowTeePlatform = "allow_tee_platform",
        WithdrawTeePlatform = "withdraw_tee_platform",
    }
}

impl KindLabel {
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn bit(self) -> u32 {
        1 << (self as u32)
    }

    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// Kinds that change the DAO itself and apply inside `execute`.
    pub fn is_internal(self) -> bool {
        matches!(
            self,
            KindLabel::Text
                | KindLabel::AddMember
                | KindLabel::RemoveMember
                | KindLabel::ChangeRoles
                | KindLabel::ChangePolicy
                | KindLabel::ChangeRolePermissions
                | KindLabel::SetCommunityContracts
                | KindLabel::RegisterAgent
                | KindLabel::SuspendAgent
                | KindLabel::RetireAgent
                | KindLabel::UpdateAgent
                | KindLabel::AddMembers
                | KindLabel::RemoveMembers
                | KindLabel::ApproveMembershipList
        )
    }
}

impl<'de> Deserialize<'de> for KindLabel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LabelVisitor;
        impl de::Visitor<'_> for LabelVisitor {
            type Value = KindLabel;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a proposal kind label")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<KindLabel, E> {
                match KindLabel::NAMES.iter().position(|n| *n == name) {
                    Some(i) => Ok(KindLabel::ALL[i]),
                    None => Err(E::unknown_variant(name, &KindLabel::NAMES)),
                }
            }
        }
        deserializer.deserialize_str(LabelVisitor)
    }
}

/// A set of kind labels. JSON: `"all"` or a list of labels.
#[near(serializers = [borsh])]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct KindSet(pub u32);

impl KindSet {
    pub const ALL: KindSet = KindSet((1 << KindLabel::COUNT) - 1);
    pub const NONE: KindSet = KindSet(0);

    pub fn of(labels: &[KindLabel]) -> Self {
        KindSet(labels.iter().fold(0, |acc, l| acc | l.bit()))
    }

    pub fn contains(self, label: KindLabel) -> bool {
        self.0 & label.bit() != 0
    }

    pub fn labels(self) -> Vec<KindLabel> {
        KindLabel::ALL.into_iter().filter(|l| self.contains(*l)).collect()
    }
}

impl Serialize for KindSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if *self == KindSet::ALL {
            serializer.serialize_str("all")
        } else {
            self.labels().serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for KindSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KindSetVisitor;
        impl<'de> de::Visitor<'de> for KindSetVisitor {
            type Value = KindSet;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("\"all\" or a list of proposal kind labels")
            }
            fn visit_str<E: de::Error>(self, word: &str) -> Result<KindSet, E> {
                match word {
                    "all" => Ok(KindSet::ALL),
                    _ => Err(E::custom(format_args!(
                        "expected \"all\" or a list of proposal kind labels, got \"{word}\""
                    ))),
                }
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<KindSet, A::Error> {
                let mut set = KindSet::NONE;
                while let Some(label) = seq.next_element::<KindLabel>()? {
                    set.0 |= label.bit();
                }
                Ok(set)
            }
        }
        deserializer.deserialize_any(KindSetVisitor)
    }
}

/// `num / den`.
#[near(serializers = [borsh, json])]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fraction {
    pub num: u32,
    pub den: u32,
}

/// Minimum number of votes cast (yes, no, abstain and spam all count).
#[near(serializers = [borsh, json])]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Quorum {
    /// At least this many votes; capped at the electorate (then every eligible voter must vote).
    Count(u32),
    /// At least `ceil(num * electorate / den)` votes.
    Fraction(Fraction),
}

impl Quorum {
    /// Votes needed for an electorate of `electorate` members.
    pub fn votes_required(self, electorate: u32) -> u32 {
        match self {
            Quorum::Count(n) => n.min(electorate),
            Quorum::Fraction(f) => {
                let num = f.num as u64 * electorate as u64;
                num.div_ceil(f.den as u64) as u32
            }
        }
    }
}

/// How proposals of one kind are decided.
#[near(serializers = [borsh, json])]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VotePolicy {
    pub voting_period_ns: U64,
    pub quorum: Quorum,
    /// A proposal passes when `yes / (yes + no + spam) >= threshold` (and yes > 0).
    pub threshold: Fraction,
    /// Wait between passing and the earliest execution.
    pub timelock_ns: U64,
}

/// The default policy plus overrides per kind, and who may act at once
/// without a vote.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq, near_sdk::borsh::BorshSerialize)]
#[borsh(crate = "near_sdk::borsh")]
pub struct VotePolicies {
    pub default: VotePolicy,
    #[serde(default)]
    pub per_kind: BTreeMap<KindLabel, VotePolicy>,
    /// Roles whose holders may suspend a community agent at once
    /// (`suspend_agent`), without a proposal. Default: none.
    #[serde(default)]
    pub agent_suspenders: Vec<String>,
}

/// The derived layout (the default, then the map as a length and its pairs in
/// key order, then the suspender roles), read by inserting pair by pair:
/// borsh's own map reader collects and sorts, which would put a sort routine
/// (~3 kB) into the wasm. Policies stored before `agent_suspenders` existed
/// end after the map: they read as no suspender role.
impl near_sdk::borsh::BorshDeserialize for VotePolicies {
    fn deserialize_reader<R: std::io::Read>(reader: &mut R) -> std::io::Result<Self> {
        let default = VotePolicy::deserialize_reader(reader)?;
        let len = u32::deserialize_reader(reader)?;
        let mut per_kind = BTreeMap::new();
        for _ in 0..len {
            let label = KindLabel::deserialize_reader(reader)?;
            per_kind.insert(label, VotePolicy::deserialize_reader(reader)?);
        }
        let agent_suspenders = match trailing_u32(reader)? {
            Some(len) => (0..len).map(|_| String::deserialize_reader(reader)).collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        Ok(VotePolicies { default, per_kind, agent_suspenders })
    }
}

impl VotePolicies {
    pub fn policy_for(&self, label: KindLabel) -> VotePolicy {
        *self.per_kind.get(&label).unwrap_or(&self.default)
    }
}

/// A role: which kinds its holders may propose and vote on.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    pub name: String,
    pub can_propose: KindSet,
    pub can_vote: KindSet,
}

/// A member given to `new` or to an `add_members` proposal.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberInput {
    pub account_id: AccountId,
    pub roles: Vec<String>,
}

/// Bit `i` set = role `i` (index into the role table).
pub type RoleMask = u16;

/// One member's stored record.
///
/// Snapshot voting without iteration: `roles` took effect just before proposal id
/// `roles_since` was created; `prev_roles` were held from proposal `prev_since`
/// until then. The roles a member held when proposal `p` was created are
/// `roles` if `roles_since <= p`, else `prev_roles` if `prev_since <= p`, else
/// unknown (two role changes since `p`): such a member may not vote on `p`.
///
/// `flags` ([`Member::DELEGATOR`], [`Member::DELEGATE`]) tell a vote whether
/// it must read delegation records at all; stored as one trailing byte only
/// when non-zero, so a member who never delegated nor received a delegation
/// keeps the layout (and the vote cost) it had before delegation existed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub roles: RoleMask,
    pub roles_since: u64,
    pub prev_roles: RoleMask,
    pub prev_since: u64,
    pub joined_at: u64,
    /// Position in the member list (for paginated listing; swap-removed).
    pub list_index: u32,
    pub flags: u8,
}

impl Member {
    /// Has (or had) a delegation: its in-person votes may override.
    pub const DELEGATOR: u8 = 1;
    /// Was delegated to: its votes carry received weight.
    pub const DELEGATE: u8 = 2;
}

impl near_sdk::borsh::BorshSerialize for Member {
    fn serialize<W: std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        use near_sdk::borsh::BorshSerialize as S;
        S::serialize(&self.roles, w)?;
        S::serialize(&self.roles_since, w)?;
        S::serialize(&self.prev_roles, w)?;
        S::serialize(&self.prev_since, w)?;
        S::serialize(&self.joined_at, w)?;
        S::serialize(&self.list_index, w)?;
        if self.flags != 0 {
            S::serialize(&self.flags, w)?;
        }
        Ok(())
    }
}

impl near_sdk::borsh::BorshDeserialize for Member {
    fn deserialize_reader<R: std::io::Read>(r: &mut R) -> std::io::Result<Self> {
        use near_sdk::borsh::BorshDeserialize as D;
        Ok(Member {
            roles: D::deserialize_reader(r)?,
            roles_since: D::deserialize_reader(r)?,
            prev_roles: D::deserialize_reader(r)?,
            prev_since: D::deserialize_reader(r)?,
            joined_at: D::deserialize_reader(r)?,
            list_index: D::deserialize_reader(r)?,
            flags: trailing_u8(r)?.unwrap_or(0),
        })
    }
}

/// A trailing little-endian `u32`: `None` at the end of the input. Read in
/// place: reading a value through `io::Chain` (to put back a byte read to
/// look for the end) costs hundreds of wasm instructions, and the role table
/// reads one per kind label.
pub(crate) fn trailing_u32<R: std::io::Read>(r: &mut R) -> std::io::Result<Option<u32>> {
    let mut buf = [0u8; 4];
    let mut n = 0;
    while n < 4 {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    match n {
        0 => Ok(None),
        4 => Ok(Some(u32::from_le_bytes(buf))),
        _ => Err(std::io::ErrorKind::UnexpectedEof.into()),
    }
}

/// A trailing byte: `None` at the end of the input.
pub(crate) fn trailing_u8<R: std::io::Read>(r: &mut R) -> std::io::Result<Option<u8>> {
    let mut buf = [0u8; 1];
    Ok((r.read(&mut buf)? == 1).then_some(buf[0]))
}

impl Member {
    pub fn roles_at_proposal(&self, proposal_id: u64) -> RoleMask {
        if self.roles_since <= proposal_id {
            self.roles
        } else if self.prev_since <= proposal_id {
            self.prev_roles
        } else {
            0
        }
    }
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberView {
    pub account_id: AccountId,
    pub roles: Vec<String>,
    pub joined_at: U64,
    /// The current roles apply to proposals with this id and later.
    pub roles_since_proposal: U64,
}

/// One action of a `function_calls` proposal.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionCallAction {
    pub method_name: String,
    pub args: Base64Bytes,
    pub deposit: NearToken,
    /// Gas units.
    pub gas: U64,
}

/// What a proposal does when executed. JSON: `{"type": "<label>", ...fields}`
/// (an absent `agent_suspenders` is left out, other absent options are
/// `null`); borsh: the label's index, then the fields in order. Both are
/// written and read by hand (`kind_json.rs`): one code path per value type
/// instead of the derives' one per kind and field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProposalKind {
    Text,
    AddMember {
        account_id: AccountId,
        roles: Vec<String>,
    },
    RemoveMember {
        account_id: AccountId,
    },
    ChangeRoles {
        account_id: AccountId,
        roles: Vec<String>,
    },
    /// `label: null` changes the default policy. `agent_suspenders`, when
    /// given, replaces the roles that may suspend an agent at once (`[]`:
    /// none); absent, they stay unchanged.
    ChangePolicy {
        label: Option<KindLabel>,
        policy: VotePolicy,
        /// Last field, added later: a stored `change_policy` written before it reads as `None`.
        agent_suspenders: Option<Vec<String>>,
    },
    /// Creates the role if no role has that name.
    ChangeRolePermissions {
        role: String,
        can_propose: KindSet,
        can_vote: KindSet,
    },
    Transfer {
        receiver_id: AccountId,
        amount: NearToken,
    },
    FunctionCalls {
        receiver_id: AccountId,
        actions: Vec<FunctionCallAction>,
    },
    UpgradeSelf {
        code_hash: Digest32,
        migrate_args: Option<Base64Bytes>,
    },
    /// Fields left out stay unchanged.
    SetCommunityContracts {
        registry: Option<AccountId>,
        attestation: Option<AccountId>,
        consent: Option<AccountId>,
    },
    ApproveModelVersion {
        model_id: ModelId,
        version: VersionNumber,
    },
    DeprecateModelVersion {
        model_id: ModelId,
        version: VersionNumber,
        reason: Option<String>,
    },
    RevokeModelVersion {
        model_id: ModelId,
        version: VersionNumber,
        reason: String,
    },
    MoveAlias {
        model_id: ModelId,
        alias: String,
        version: VersionNumber,
    },
    AdmitAttester {
        operator: AccountId,
        public_keys: Vec<String>,
        tee_kind: String,
        measurements: Vec<Digest32>,
        models: Option<Vec<String>>,
        expires_at: Option<U64>,
    },
    RevokeAttester {
        operator: AccountId,
        reason: String,
    },
    RecordTrainingSnapshot {
        purpose: ConsentPurpose,
        note: Option<String>,
    },
    /// Sends the code stored under `code_hash` (`store_code`) to the linked
    /// `contract`'s owner-only `upgrade` (deploy + `migrate` in one batch).
    UpgradeContract {
        contract: CommunityContract,
        code_hash: Digest32,
    },
    /// Registers a community agent (or re-activates a suspended one with this
    /// mandate): exactly one of `version` and `alias` names its model.
    RegisterAgent {
        account_id: AccountId,
        mandate_uri: String,
        mandate_hash: Digest32,
        model_id: ModelId,
        version: Option<VersionNumber>,
        alias: Option<String>,
        can_vote: KindSet,
        can_propose: KindSet,
        expires_at: U64,
    },
    SuspendAgent {
        account_id: AccountId,
        reason: String,
    },
    RetireAgent {
        account_id: AccountId,
        reason: String,
    },
    /// 1 to 100 new members at once (see `membership.rs`).
    AddMembers {
        members: Vec<MemberInput>,
    },
    /// 1 to 100 members removed at once.
    RemoveMembers {
        account_ids: Vec<AccountId>,
    },
    /// A membership list, as the Merkle root of its `(account, roles)` entries
    /// (`ai_commons_primitives::membership`), that listed accounts claim until `claim_deadline`.
    ApproveMembershipList {
        root: Digest32,
        claim_deadline: U64,
    },
    /// The attestation contract's admission-by-quote policy (verifier, TCB statuses, ages).
    SetTeePolicy {
        tee_policy: TeePolicy,
    },
    /// A TD measurement set attesters may be admitted by quote with.
    ApproveTeeMeasurements {
        tee_measurements: TeeMeasurements,
    },
    /// Withdraws a measurement set: attesters admitted with it lapse.
    WithdrawTeeMeasurements {
        measurement_set: Digest32,
        reason: String,
    },
    /// Replaces a registered (not retired) agent's mandate in place: its
    /// account, status, delegations and action log stay. Exactly one of
    /// `version` and `alias` names its model.
    UpdateAgent {
        account_id: AccountId,
        mandate_uri: String,
        mandate_hash: Digest32,
        model_id: ModelId,
        version: Option<VersionNumber>,
        alias: Option<String>,
        can_vote: KindSet,
        can_propose: KindSet,
        expires_at: U64,
    },
    /// A TD measurement set whose `rtmr3` is not RTMR3's value but an entry of
    /// its event log (the app's compose / image digest), which an admission's
    /// replayed RTMR3 event log must contain.
    ApproveTeeAppEvent {
        tee_measurements: TeeMeasurements,
    },
    /// A platform (PPID, lowercase hex) attesters may be admitted on while the
    /// TEE policy restricts platforms.
    AllowTeePlatform {
        ppid: String,
    },
    /// Withdraws a platform: attesters admitted on it lapse while platforms are restricted.
    WithdrawTeePlatform {
        ppid: String,
        reason: String,
    },
}

named_enum! {
    /// Which of the community contracts the DAO links (`set_community_contracts`)
    /// an `upgrade_contract` proposal upgrades. JSON: its snake_case name
    /// (deserialized by hand from [`CommunityContract::NAMES`]: less wasm).
    #[near(serializers = [borsh])]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
    #[serde(crate = "near_sdk::serde", rename_all = "snake_case")]
    pub enum CommunityContract {
        Registry = "registry",
        Attestation = "attestation",
        Consent = "consent",
    }
}

impl<'de> Deserialize<'de> for CommunityContract {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;
        impl de::Visitor<'_> for NameVisitor {
            type Value = CommunityContract;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a community contract: registry, attestation or consent")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<CommunityContract, E> {
                match CommunityContract::NAMES.iter().position(|n| *n == name) {
                    Some(i) => Ok(CommunityContract::ALL[i]),
                    None => Err(E::unknown_variant(name, &CommunityContract::NAMES)),
                }
            }
        }
        deserializer.deserialize_str(NameVisitor)
    }
}

impl ProposalKind {
    pub fn label(&self) -> KindLabel {
        match self {
            ProposalKind::Text => KindLabel::Text,
            ProposalKind::AddMember { .. } => KindLabel::AddMember,
            ProposalKind::RemoveMember { .. } => KindLabel::RemoveMember,
            ProposalKind::ChangeRoles { .. } => KindLabel::ChangeRoles,
            ProposalKind::ChangePolicy { .. } => KindLabel::ChangePolicy,
            ProposalKind::ChangeRolePermissions { .. } => KindLabel::ChangeRolePermissions,
            ProposalKind::Transfer { .. } => KindLabel::Transfer,
            ProposalKind::FunctionCalls { .. } => KindLabel::FunctionCalls,
            ProposalKind::UpgradeSelf { .. } => KindLabel::UpgradeSelf,
            ProposalKind::SetCommunityContracts { .. } => KindLabel::SetCommunityContracts,
            ProposalKind::ApproveModelVersion { .. } => KindLabel::ApproveModelVersion,
            ProposalKind::DeprecateModelVersion { .. } => KindLabel::DeprecateModelVersion,
            ProposalKind::RevokeModelVersion { .. } => KindLabel::RevokeModelVersion,
            ProposalKind::MoveAlias { .. } => KindLabel::MoveAlias,
            ProposalKind::AdmitAttester { .. } => KindLabel::AdmitAttester,
            ProposalKind::RevokeAttester { .. } => KindLabel::RevokeAttester,
            ProposalKind::RecordTrainingSnapshot { .. } => KindLabel::RecordTrainingSnapshot,
            ProposalKind::UpgradeContract { .. } => KindLabel::UpgradeContract,
            ProposalKind::RegisterAgent { .. } => KindLabel::RegisterAgent,
            ProposalKind::SuspendAgent { .. } => KindLabel::SuspendAgent,
            ProposalKind::RetireAgent { .. } => KindLabel::RetireAgent,
            ProposalKind::AddMembers { .. } => KindLabel::AddMembers,
            ProposalKind::RemoveMembers { .. } => KindLabel::RemoveMembers,
            ProposalKind::ApproveMembershipList { .. } => KindLabel::ApproveMembershipList,
            ProposalKind::SetTeePolicy { .. } => KindLabel::SetTeePolicy,
            ProposalKind::ApproveTeeMeasurements { .. } => KindLabel::ApproveTeeMeasurements,
            ProposalKind::WithdrawTeeMeasurements { .. } => KindLabel::WithdrawTeeMeasurements,
            ProposalKind::UpdateAgent { .. } => KindLabel::UpdateAgent,
            ProposalKind::AllowTeePlatform { .. } => KindLabel::AllowTeePlatform,
            ProposalKind::ApproveTeeAppEvent { .. } => KindLabel::ApproveTeeAppEvent,
            ProposalKind::WithdrawTeePlatform { .. } => KindLabel::WithdrawTeePlatform,
        }
    }
}

named_enum! {
    /// Where a proposal is in its life. JSON: its snake_case name ([`ProposalStatus::as_str`]).
    #[near(serializers = [borsh, json])]
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    #[serde(rename_all = "snake_case")]
    pub enum ProposalStatus {
        Active = "active",
        Passed = "passed",
        Rejected = "rejected",
        Expired = "expired",
        Executed = "executed",
        Failed = "failed",
        Cancelled = "cancelled",
        Spam = "spam",
    }
}

impl ProposalStatus {
    pub fn index(self) -> usize {
        self as usize
    }

    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// A vote. `spam` counts as `no` and, if spam votes alone reach the threshold of a
/// proposal that fails, marks it spam: the bond is kept.
#[near(serializers = [borsh, json])]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum VoteChoice {
    Yes,
    No,
    Abstain,
    Spam,
}

#[near(serializers = [borsh, json])]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Tally {
    pub yes: u32,
    pub no: u32,
    pub abstain: u32,
    pub spam: u32,
}

impl Tally {
    fn slot(&mut self, choice: VoteChoice) -> &mut u32 {
        match choice {
            VoteChoice::Yes => &mut self.yes,
            VoteChoice::No => &mut self.no,
            VoteChoice::Abstain => &mut self.abstain,
            VoteChoice::Spam => &mut self.spam,
        }
    }

    pub fn add(&mut self, choice: VoteChoice) {
        self.add_weight(choice, 1);
    }

    pub fn remove(&mut self, choice: VoteChoice) {
        self.remove_weight(choice, 1);
    }

    /// Counts a vote of `weight` (own plus delegated).
    pub fn add_weight(&mut self, choice: VoteChoice, weight: u32) {
        *self.slot(choice) += weight;
    }

    pub fn remove_weight(&mut self, choice: VoteChoice, weight: u32) {
        *self.slot(choice) -= weight;
    }

    pub fn cast(&self) -> u32 {
        self.yes + self.no + self.abstain + self.spam
    }
}

/// One stored vote per (proposal, voter).
///
/// `weight`, `overrode` and `receipt` are stored (as a trailing group) only
/// when one differs from a plain vote's (1, none, none): a plain vote's record
/// is the bytes it was before delegation existed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoteRecord {
    pub choice: VoteChoice,
    pub reason: Option<String>,
    pub voted_at: u64,
    /// The voter who first voted just before this one (`None`: the first voter).
    pub prev: Option<AccountId>,
    /// Weight in the tally: the voter's own (1; 0 for an agent) plus what it
    /// carries for its delegators on this proposal.
    pub weight: u32,
    /// The delegate this in-person vote took the voter's weight back from.
    pub overrode: Option<AccountId>,
    /// An agent's vote: the inference receipt it cited.
    pub receipt: Option<u64>,
}

impl near_sdk::borsh::BorshSerialize for VoteRecord {
    fn serialize<W: std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        use near_sdk::borsh::BorshSerialize as S;
        S::serialize(&self.choice, w)?;
        S::serialize(&self.reason, w)?;
        S::serialize(&self.voted_at, w)?;
        S::serialize(&self.prev, w)?;
        if self.weight != 1 || self.overrode.is_some() || self.receipt.is_some() {
            S::serialize(&self.weight, w)?;
            S::serialize(&self.overrode, w)?;
            S::serialize(&self.receipt, w)?;
        }
        Ok(())
    }
}

impl near_sdk::borsh::BorshDeserialize for VoteRecord {
    fn deserialize_reader<R: std::io::Read>(r: &mut R) -> std::io::Result<Self> {
        use near_sdk::borsh::BorshDeserialize as D;
        let choice = D::deserialize_reader(r)?;
        let reason = D::deserialize_reader(r)?;
        let voted_at = D::deserialize_reader(r)?;
        let prev = D::deserialize_reader(r)?;
        let (weight, overrode, receipt) = match trailing_u32(r)? {
            Some(weight) => (weight, D::deserialize_reader(r)?, D::deserialize_reader(r)?),
            None => (1, None, None),
        };
        Ok(VoteRecord { choice, reason, voted_at, prev, weight, overrode, receipt })
    }
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoteView {
    pub voter: AccountId,
    pub choice: VoteChoice,
    pub reason: Option<String>,
    pub voted_at: U64,
    /// Weight counted in the tally (own plus delegated, net of overrides).
    pub weight: u32,
    /// The delegate this vote took the voter's weight back from.
    pub overrode: Option<AccountId>,
    /// An agent's vote: the inference receipt it cited.
    pub receipt_id: Option<U64>,
}

/// The part of a proposal a vote reads and writes; the body (description,
/// kind) lives apart. Its size is fixed at creation but for `last_voter`, whose
/// storage, like the votes', is the DAO's cost.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub proposer: AccountId,
    pub kind: KindLabel,
    pub status: ProposalStatus,
    /// Policy snapshot taken at creation.
    pub policy: VotePolicy,
    /// Members who could vote on this kind at creation.
    pub electorate: u32,
    pub quorum_votes: u32,
    /// Roles that could vote on this kind at creation.
    pub voting_roles: RoleMask,
    pub created_at: u64,
    pub deadline: u64,
    /// When voting ended (0 while active).
    pub decided_at: u64,
    /// When execution succeeded (0 until then).
    pub executed_at: u64,
    pub tally: Tally,
    pub voter_count: u32,
    /// The newest first-time voter: the head of the voter list (see `votes.rs`).
    pub last_voter: Option<AccountId>,
    /// Bond still held by the DAO for this proposal (0 once refunded or forfeited).
    pub bond: NearToken,
    pub storage_deposit: NearToken,
    pub execution_attempts: u32,
    /// A cross-contract execution is in flight; its callback clears this.
    pub executing: bool,
    /// Position in the per-status index.
    pub status_pos: u64,
}

#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProposalBody {
    pub description: String,
    pub kind: ProposalKind,
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProposalView {
    pub id: U64,
    pub proposer: AccountId,
    pub description: String,
    pub kind: ProposalKind,
    pub label: KindLabel,
    pub status: ProposalStatus,
    pub policy: VotePolicy,
    pub electorate: u32,
    pub quorum_votes: u32,
    pub created_at: U64,
    pub deadline: U64,
    pub decided_at: Option<U64>,
    pub executable_at: Option<U64>,
    pub executed_at: Option<U64>,
    pub tally: Tally,
    pub voter_count: u32,
    pub bond_held: NearToken,
    pub storage_deposit: NearToken,
    pub execution_attempts: u32,
    pub executing: bool,
}

/// Name, purpose and free-form metadata of the community.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub name: String,
    pub purpose: String,
    pub metadata: String,
}

/// The community's other contracts.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CommunityContracts {
    pub registry: Option<AccountId>,
    pub attestation: Option<AccountId>,
    pub consent: Option<AccountId>,
}

#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
#[serde(crate = "near_sdk::serde")]
pub struct ConfigView {
    pub name: String,
    pub purpose: String,
    pub metadata: String,
    pub contract_version: String,
    pub state_version: ai_commons_primitives::StateVersion,
    pub proposal_bond: NearToken,
    pub community: CommunityContracts,
    pub member_count: U64,
    pub proposal_count: U64,
    /// Bonds of open proposals, not spendable by the DAO.
    pub locked_bonds: NearToken,
    /// Storage open proposals may still make the DAO pay for (their votes,
    /// their execution): not spendable (see the README's treasury invariant).
    pub reserved_storage_bytes: U64,
    /// Fixed deposits passed proposals will send when executed: not spendable.
    pub reserved_deposits: NearToken,
    /// The NEAR the reserve stands for: `reserved_storage_bytes` at the storage price plus `reserved_deposits`.
    pub reserved: NearToken,
    /// What transfers, function-call deposits and new code may spend: balance
    /// minus storage staking, locked bonds and the reserve.
    pub available_treasury: NearToken,
    /// Number of proposals per status.
    pub status_counts: StatusCounts,
}

/// Number of proposals per status. JSON: an object keyed by status
/// (`{"active": "2", "passed": "0", ...}`), every status present.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusCounts(pub [u64; ProposalStatus::COUNT]);

impl StatusCounts {
    pub fn get(&self, status: ProposalStatus) -> u64 {
        self.0[status.index()]
    }
}

impl Serialize for StatusCounts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use near_sdk::serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(ProposalStatus::COUNT))?;
        for status in ProposalStatus::ALL {
            map.serialize_entry(status.as_str(), &U64(self.get(status)))?;
        }
        map.end()
    }
}
