//! Roles, members and the per-kind electorate counts.
//!
//! Every membership change is O(1) in the number of members: it touches the
//! member's record, one slot of the member list, the role-combination table
//! (bounded: at most C(16,1..4) = 2516 combinations, usually a handful) and the
//! 17 per-kind electorate counters. Changing a role's permissions recomputes
//! the counters from the combination table, never by visiting members.

use crate::errors::*;
use crate::types::{KindLabel, KindSet, Member, MemberView, Role, RoleMask};
use crate::{Contract, MAX_ROLES, MAX_ROLES_PER_MEMBER};
use ai_commons_primitives::validate_slug;
use near_sdk::json_types::U64;
use near_sdk::{env, near, AccountId};

/// Members holding exactly the roles in `mask`.
#[near(serializers = [borsh])]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoleCombo {
    pub mask: RoleMask,
    pub members: u32,
}

/// The roles (index = bit in a `RoleMask`) and how many members may vote on each kind.
///
/// Borsh: the roles, then one count per kind label in label order. A table
/// written before the last labels existed ends early: their counts read as 0,
/// which they are (no stored role could name a label that did not exist), so
/// adding proposal kinds needs no migration.
#[derive(Clone, Debug, PartialEq, Eq, near_sdk::borsh::BorshSerialize)]
#[borsh(crate = "near_sdk::borsh")]
pub struct RoleTable {
    pub roles: Vec<Role>,
    pub electorate: [u32; KindLabel::COUNT],
}

impl near_sdk::borsh::BorshDeserialize for RoleTable {
    fn deserialize_reader<R: std::io::Read>(r: &mut R) -> std::io::Result<Self> {
        let roles = Vec::<Role>::deserialize_reader(r)?;
        let mut electorate = [0; KindLabel::COUNT];
        for slot in electorate.iter_mut() {
            match crate::types::trailing_u32(r)? {
                Some(count) => *slot = count,
                None => break,
            }
        }
        Ok(RoleTable { roles, electorate })
    }
}

impl RoleTable {
    pub fn new(roles: Vec<Role>) -> Result<Self, String> {
        if roles.is_empty() || roles.len() > MAX_ROLES {
            return Err(format!("{ERR_TOO_MANY_ROLES}: 1 to {MAX_ROLES} roles"));
        }
        for (i, role) in roles.iter().enumerate() {
            validate_slug("role name", &role.name)?;
            if roles[..i].iter().any(|r| r.name == role.name) {
                return Err(err_with(ERR_DUPLICATE_ROLE, &role.name));
            }
        }
        Ok(Self { roles, electorate: [0; KindLabel::COUNT] })
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.roles.iter().position(|r| r.name == name)
    }

    /// The mask of 1 to 4 distinct, existing role names.
    pub fn mask_of(&self, names: &[String]) -> Result<RoleMask, String> {
        if names.is_empty() || names.len() > MAX_ROLES_PER_MEMBER {
            return Err(ERR_MEMBER_ROLES.to_string());
        }
        let mut mask: RoleMask = 0;
        for name in names {
            // Role names are slugs: check that first, so the error below never
            // echoes a huge name past NEAR's 16 kB log limit (a host error).
            validate_slug("role name", name)?;
            let i = self.index_of(name).ok_or_else(|| err_with(ERR_UNKNOWN_ROLE, name))?;
            if mask & (1 << i) != 0 {
                return Err(ERR_MEMBER_ROLES.to_string());
            }
            mask |= 1 << i;
        }
        Ok(mask)
    }

    /// Distinct, existing role names, none at all allowed (the policy's `agent_suspenders`).
    pub fn check_role_list(&self, names: &[String]) -> Result<(), String> {
        for (i, name) in names.iter().enumerate() {
            validate_slug("role name", name)?;
            if self.index_of(name).is_none() {
                return Err(err_with(ERR_UNKNOWN_ROLE, name));
            }
            if names[..i].contains(name) {
                return Err(err_with(ERR_DUPLICATE_ROLE, name));
            }
        }
        Ok(())
    }

    pub fn names_of(&self, mask: RoleMask) -> Vec<String> {
        self.roles.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, r)| r.name.clone()).collect()
    }

    fn union(&self, mask: RoleMask, pick: impl Fn(&Role) -> KindSet) -> KindSet {
        KindSet(
            self.roles.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).fold(0, |acc, (_, r)| acc | pick(r).0),
        )
    }

    pub fn can_propose(&self, mask: RoleMask, label: KindLabel) -> bool {
        self.union(mask, |r| r.can_propose).contains(label)
    }

    /// Roles whose holders may vote on `label`.
    pub fn voting_roles(&self, label: KindLabel) -> RoleMask {
        self.roles.iter().enumerate().filter(|(_, r)| r.can_vote.contains(label)).fold(0, |acc, (i, _)| acc | (1 << i))
    }

    /// Adds (`+1`) or removes (`-1`) `count` members holding `mask` from the electorate counts.
    fn count(&mut self, mask: RoleMask, count: u32, add: bool) {
        let kinds = self.union(mask, |r| r.can_vote);
        for label in KindLabel::ALL {
            if kinds.contains(label) {
                let slot = &mut self.electorate[label.index()];
                *slot = if add { *slot + count } else { *slot - count };
            }
        }
    }

    fn recompute(&mut self, combos: &[RoleCombo]) {
        self.electorate = [0; KindLabel::COUNT];
        for combo in combos {
            self.count(combo.mask, combo.members, true);
        }
    }
}

fn combo_add(combos: &mut Vec<RoleCombo>, mask: RoleMask) {
    match combos.binary_search_by_key(&mask, |c| c.mask) {
        Ok(i) => combos[i].members += 1,
        Err(i) => combos.insert(i, RoleCombo { mask, members: 1 }),
    }
}

fn combo_remove(combos: &mut Vec<RoleCombo>, mask: RoleMask) {
    if let Ok(i) = combos.binary_search_by_key(&mask, |c| c.mask) {
        combos[i].members -= 1;
        if combos[i].members == 0 {
            combos.remove(i);
        }
    }
}

impl Contract {
    pub(crate) fn member_view(&self, account_id: AccountId, m: &Member) -> MemberView {
        MemberView {
            account_id,
            roles: self.root().roles.get().names_of(m.roles),
            joined_at: U64(m.joined_at),
            roles_since_proposal: U64(m.roles_since),
        }
    }

    /// Adds a member; the caller has checked it is not one already.
    pub(crate) fn insert_member(&mut self, account_id: AccountId, mask: RoleMask) {
        let member = Member {
            roles: mask,
            roles_since: self.root().next_proposal_id,
            prev_roles: 0,
            prev_since: 0,
            joined_at: env::block_timestamp(),
            list_index: self.root().member_list.len(),
            flags: 0,
        };
        self.root_mut().member_list.push(account_id.clone());
        self.members.set(&account_id, &member);
        combo_add(self.root_mut().role_combos.get_mut(), mask);
        self.root_mut().roles.get_mut().count(mask, 1, true);
    }

    pub(crate) fn remove_member(&mut self, account_id: &AccountId) -> Result<(), String> {
        let member = self.members.get(account_id).ok_or_else(|| err_with(ERR_UNKNOWN_MEMBER, account_id.as_str()))?;
        if self.root().member_list.len() == 1 {
            return Err(ERR_LAST_MEMBER.to_string());
        }
        let moved = self.root_mut().member_list.swap_remove(member.list_index);
        debug_assert_eq!(&moved, account_id);
        if let Some(other) = self.root().member_list.get(member.list_index).cloned() {
            if let Some(mut rec) = self.members.get(&other) {
                rec.list_index = member.list_index;
                self.members.set(&other, &rec);
            }
        }
        self.members.remove(account_id);
        combo_remove(self.root_mut().role_combos.get_mut(), member.roles);
        self.root_mut().roles.get_mut().count(member.roles, 1, false);
        if member.flags & Member::DELEGATOR != 0 {
            self.delegation_on_member_change(account_id, None);
        }
        Ok(())
    }

    pub(crate) fn change_member_roles(&mut self, account_id: &AccountId, mask: RoleMask) -> Result<(), String> {
        let seq = self.root().next_proposal_id;
        let mut member =
            self.members.get(account_id).ok_or_else(|| err_with(ERR_UNKNOWN_MEMBER, account_id.as_str()))?;
        let old = member.roles;
        // Within one epoch (no proposal created since the last change) the roles
        // held by every existing proposal's snapshot are still `prev_roles`.
        if member.roles_since != seq {
            member.prev_roles = member.roles;
            member.prev_since = member.roles_since;
            member.roles_since = seq;
        }
        member.roles = mask;
        self.members.set(account_id, &member);
        if member.flags & Member::DELEGATOR != 0 && old != mask {
            self.delegation_on_member_change(account_id, Some(mask));
        }
        let combos = self.root_mut().role_combos.get_mut();
        combo_remove(combos, old);
        combo_add(combos, mask);
        let table = self.root_mut().roles.get_mut();
        table.count(old, 1, false);
        table.count(mask, 1, true);
        Ok(())
    }

    /// Sets a role's permissions, creating the role if none has that name.
    pub(crate) fn set_role_permissions(
        &mut self,
        role: &str,
        can_propose: KindSet,
        can_vote: KindSet,
    ) -> Result<(), String> {
        let table = self.root_mut().roles.get_mut();
        match table.index_of(role) {
            Some(i) => {
                table.roles[i].can_propose = can_propose;
                table.roles[i].can_vote = can_vote;
            }
            None => {
                validate_slug("role name", role)?;
                if table.roles.len() >= MAX_ROLES {
                    return Err(format!("{ERR_TOO_MANY_ROLES}: 1 to {MAX_ROLES} roles"));
                }
                table.roles.push(Role { name: role.to_string(), can_propose, can_vote });
            }
        }
        let combos = self.root().role_combos.get().clone();
        self.root_mut().roles.get_mut().recompute(&combos);
        Ok(())
    }

    /// Checks that a role change or new role is acceptable, without applying it.
    pub(crate) fn check_role_permissions(&self, role: &str) -> Result<(), String> {
        let table = self.root().roles.get();
        if table.index_of(role).is_none() {
            validate_slug("role name", role)?;
            if table.roles.len() >= MAX_ROLES {
                return Err(format!("{ERR_TOO_MANY_ROLES}: 1 to {MAX_ROLES} roles"));
            }
        }
        Ok(())
    }
}
