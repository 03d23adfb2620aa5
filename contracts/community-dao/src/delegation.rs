//! Delegation: a member lends its vote to another member or to a community
//! agent, for a set of proposal kinds, until an optional expiry. One hop: the
//! weight a member receives is never passed on.
//!
//! Snapshot. Proposal ids are the clock: a change made while `next_proposal_id`
//! is `e` applies to proposals `e` and later. Every delegate has one head
//! record (`DelegateHead`) holding its newest checkpoint: the weight it
//! receives as a short list of buckets, one per distinct (delegator roles,
//! scope, expiry), and the epoch it took effect. A change in a new epoch first
//! archives the head's checkpoint (append-only, one record per checkpoint, at
//! most one per epoch); a change in the same epoch edits the head in place.
//! The weight a delegate carries on proposal `p` is read from the newest
//! checkpoint whose epoch is at most `p`: the head in the common case, else a
//! binary search over the archive. A delegate's vote therefore costs the same
//! with 1 or 10,000 delegators: the buckets, not the delegators, are read.
//!
//! Weight of a bucket on `p`: its count if its delegators' roles could vote on
//! `p`'s kind (`mask & p.voting_roles`), its scope holds the kind and it expires
//! after `p` was created. Expiry is exact at the boundary (a delegation
//! expiring at `t` counts for proposals created before `t`, not at or after
//! it) without visiting delegators. A head keeps at most [`MAX_BUCKETS`]
//! buckets; expired ones are dropped whenever a new checkpoint is written (no
//! proposal created from then on can count them).
//!
//! Override. A delegator that votes in person on `p` takes its weight back
//! from the delegate it had on `p`: from the delegate's recorded vote (and its
//! tally) when the delegate already voted, else into the (proposal, delegate)
//! `withdrawn` counter that the delegate's first vote subtracts. The
//! delegator's vote record names the delegate it overrode.
//!
//! Each delegator's record keeps its current terms and the terms before the
//! last change (as a member keeps its roles): enough to know what counted on
//! any proposal created since the previous change. A delegator that changed
//! its delegation twice since a proposal was created cannot tell what counted
//! on it, and may not vote on it in person (its weight stays with whichever
//! delegate the proposal counted).

use crate::errors::*;
use crate::events::DaoEvent;
use crate::types::{KindLabel, KindSet, Member, Proposal, RoleMask};
use crate::{storage_key, Contract, ContractExt, StorageKey};
use ai_commons_primitives::{Page, StorageMeter};
use near_sdk::json_types::U64;
use near_sdk::{borsh, env, near, AccountId};

/// Most distinct (roles, scope, expiry) buckets a delegate's head keeps.
pub const MAX_BUCKETS: usize = 32;
/// `expires_at` of a delegation without expiry.
pub const NEVER: u64 = u64::MAX;

/// Delegators with the same roles, scope and expiry.
#[near(serializers = [borsh])]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bucket {
    pub mask: RoleMask,
    pub kinds: KindSet,
    pub expires_at: u64,
    pub count: u32,
}

impl Bucket {
    fn counts_on(&self, kind: KindLabel, voting_roles: RoleMask, created_at: u64) -> bool {
        self.mask & voting_roles != 0 && self.kinds.contains(kind) && self.expires_at > created_at
    }
}

/// A delegate's received weight from proposal `epoch` on.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Checkpoint {
    pub epoch: u64,
    pub buckets: Vec<Bucket>,
}

impl Checkpoint {
    pub fn weight(&self, kind: KindLabel, voting_roles: RoleMask, created_at: u64) -> u32 {
        self.buckets.iter().filter(|b| b.counts_on(kind, voting_roles, created_at)).map(|b| b.count).sum()
    }
}

/// One record per delegate: the newest checkpoint, how many older ones are
/// archived, and how many delegators name it now (listing).
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DelegateHead {
    pub latest: Checkpoint,
    pub archived: u32,
    pub delegators: u32,
}

/// What a delegator lends: to whom, for which kinds, until when, and the
/// delegator's roles (which decide whether it counts on a proposal).
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terms {
    pub delegate: AccountId,
    pub kinds: KindSet,
    pub expires_at: u64,
    pub mask: RoleMask,
}

impl Terms {
    /// Whether these terms counted in the delegate's weight on `p`.
    pub fn counts_on(&self, p: &Proposal) -> bool {
        self.mask & p.voting_roles != 0 && self.kinds.contains(p.kind) && self.expires_at > p.created_at
    }

    fn bucket(&self) -> Bucket {
        Bucket { mask: self.mask, kinds: self.kinds, expires_at: self.expires_at, count: 1 }
    }
}

/// One record per delegator: current terms since proposal `since`, and the
/// terms held from `prev_since` until then.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delegation {
    pub current: Option<Terms>,
    pub since: u64,
    pub prev: Option<Terms>,
    pub prev_since: u64,
    /// Position in the current delegate's list of delegators.
    pub list_index: u32,
}

/// What a delegator's record says about proposal `p`.
pub enum TermsAt<'a> {
    Known(Option<&'a Terms>),
    /// Changed twice since `p` was created.
    Unknown,
}

impl Delegation {
    pub fn terms_at(&self, id: u64) -> TermsAt<'_> {
        if self.since <= id {
            TermsAt::Known(self.current.as_ref())
        } else if self.prev_since <= id {
            TermsAt::Known(self.prev.as_ref())
        } else {
            TermsAt::Unknown
        }
    }
}

/// JSON view of a delegation.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DelegationView {
    pub delegator: AccountId,
    pub delegate: AccountId,
    pub kinds: KindSet,
    pub expires_at: Option<U64>,
    /// Counts on proposals with this id and later.
    pub since_proposal: U64,
}

/// The caller pays the bytes a delegation change adds (the attached deposit,
/// excess refunded) and gets back the deposit and the bytes it frees.
fn settle(meter: StorageMeter, caller: &AccountId) {
    if meter.bytes_added() > 0 {
        meter.charge(caller, env::attached_deposit());
    } else {
        meter.refund_freed(caller, env::attached_deposit());
    }
}

fn read<T: borsh::BorshDeserialize>(key: &[u8]) -> Option<T> {
    env::storage_read(key).map(|b| borsh::from_slice(&b).unwrap_or_else(|_| env::panic_str(ERR_BAD_STATE)))
}

fn write<T: borsh::BorshSerialize>(key: &[u8], value: &T) {
    env::storage_write(key, &borsh::to_vec(value).unwrap_or_else(|_| env::panic_str(ERR_BAD_STATE)));
}

fn delegation_key(delegator: &AccountId) -> Vec<u8> {
    storage_key(StorageKey::Delegations, delegator)
}

fn head_key(delegate: &AccountId) -> Vec<u8> {
    storage_key(StorageKey::DelegateHeads, delegate)
}

fn archive_key(delegate: &AccountId, n: u32) -> Vec<u8> {
    storage_key(StorageKey::DelegateCheckpoints, &(delegate, n))
}

fn list_key(delegate: &AccountId, i: u32) -> Vec<u8> {
    storage_key(StorageKey::DelegatorList, &(delegate, i))
}

fn withdrawn_key(id: u64, delegate: &AccountId) -> Vec<u8> {
    storage_key(StorageKey::Withdrawn, &(id, delegate))
}

pub(crate) fn read_delegation(delegator: &AccountId) -> Option<Delegation> {
    read(&delegation_key(delegator))
}

pub(crate) fn read_head(delegate: &AccountId) -> Option<DelegateHead> {
    read(&head_key(delegate))
}

/// The checkpoint of `delegate` that applies to proposal `id`.
fn checkpoint_at(delegate: &AccountId, head: DelegateHead, id: u64) -> Option<Checkpoint> {
    if head.latest.epoch <= id {
        return Some(head.latest);
    }
    // Archived checkpoints have increasing epochs: find the last with epoch <= id.
    let (mut lo, mut hi) = (0u32, head.archived);
    let mut found = None;
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let cp: Checkpoint = read(&archive_key(delegate, mid)).unwrap_or_else(|| env::panic_str(ERR_BAD_STATE));
        if cp.epoch <= id {
            lo = mid + 1;
            found = Some(cp);
        } else {
            hi = mid;
        }
    }
    found
}

/// Weight `delegate` received on proposal `p` (`id`), before withdrawals.
pub(crate) fn received_on(delegate: &AccountId, id: u64, p: &Proposal) -> u32 {
    read_head(delegate)
        .and_then(|head| checkpoint_at(delegate, head, id))
        .map_or(0, |cp| cp.weight(p.kind, p.voting_roles, p.created_at))
}

/// Weight already taken back from `delegate` on proposal `id` before it voted.
pub(crate) fn withdrawn(id: u64, delegate: &AccountId) -> u32 {
    read(&withdrawn_key(id, delegate)).unwrap_or(0)
}

pub(crate) fn add_withdrawn(id: u64, delegate: &AccountId) {
    write(&withdrawn_key(id, delegate), &(withdrawn(id, delegate) + 1));
}

impl Contract {
    /// Applies `change` to `delegate`'s head at the current epoch (archiving the
    /// previous checkpoint first when the epoch moved on).
    fn edit_head(&self, delegate: &AccountId, change: impl FnOnce(&mut DelegateHead) -> Result<(), String>) {
        let epoch = self.root().next_proposal_id;
        let now = env::block_timestamp();
        let mut head = read_head(delegate).unwrap_or_default();
        if head.latest.epoch != epoch {
            if !head.latest.buckets.is_empty() {
                write(&archive_key(delegate, head.archived), &head.latest);
                head.archived += 1;
            }
            head.latest.epoch = epoch;
            // No proposal from this epoch on was created before now: expired buckets never count again.
            head.latest.buckets.retain(|b| b.expires_at > now);
        }
        crate::check_ok(change(&mut head));
        write(&head_key(delegate), &head);
    }

    /// Adds one delegator with `terms` to its delegate's weight and list.
    fn attach(&self, delegator: &AccountId, terms: &Terms) -> u32 {
        let mut index = 0;
        self.edit_head(&terms.delegate, |head| {
            let b = terms.bucket();
            let buckets = &mut head.latest.buckets;
            match buckets.iter().position(|x| (x.mask, x.kinds, x.expires_at) == (b.mask, b.kinds, b.expires_at)) {
                Some(i) => buckets[i].count += 1,
                None if buckets.len() >= MAX_BUCKETS => {
                    return Err(format!("{ERR_TOO_MANY_BUCKETS}: at most {MAX_BUCKETS}"));
                }
                None => buckets.push(b),
            }
            index = head.delegators;
            head.delegators += 1;
            Ok(())
        });
        env::storage_write(&list_key(&terms.delegate, index), delegator.as_bytes());
        index
    }

    /// Takes one delegator with `terms` (at `list_index`) out of its delegate's weight and list.
    fn detach(&self, terms: &Terms, list_index: u32) {
        let delegate = &terms.delegate;
        let mut last = 0;
        self.edit_head(delegate, |head| {
            let buckets = &mut head.latest.buckets;
            if let Some(i) = buckets
                .iter()
                .position(|x| (x.mask, x.kinds, x.expires_at) == (terms.mask, terms.kinds, terms.expires_at))
            {
                buckets[i].count -= 1;
                if buckets[i].count == 0 {
                    buckets.swap_remove(i);
                }
            } // else: expired and already dropped
            head.delegators -= 1;
            last = head.delegators;
            Ok(())
        });
        // Swap-remove from the delegate's list.
        if list_index != last {
            if let Some(moved) = env::storage_read(&list_key(delegate, last)) {
                env::storage_write(&list_key(delegate, list_index), &moved);
                let moved: AccountId =
                    String::from_utf8(moved).ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| env::abort());
                if let Some(mut d) = read_delegation(&moved) {
                    d.list_index = list_index;
                    write(&delegation_key(&moved), &d);
                }
            }
        }
        env::storage_remove(&list_key(delegate, last));
    }

    /// Replaces `delegator`'s terms (`None`: no delegation) from the current epoch on.
    pub(crate) fn set_terms(&mut self, delegator: &AccountId, terms: Option<Terms>) {
        let epoch = self.root().next_proposal_id;
        let mut d = read_delegation(delegator).unwrap_or(Delegation {
            current: None,
            since: 0,
            prev: None,
            prev_since: 0,
            list_index: 0,
        });
        if let Some(old) = &d.current {
            self.detach(old, d.list_index);
        }
        if let Some(new) = &terms {
            d.list_index = self.attach(delegator, new);
        }
        // Within one epoch the terms every existing proposal counted are still `prev`.
        if d.since != epoch {
            d.prev = d.current.take();
            d.prev_since = d.since;
            d.since = epoch;
        }
        d.current = terms;
        write(&delegation_key(delegator), &d);
    }

    /// Membership hook: a member's roles changed to `mask` (or it left: `None`).
    /// Its delegation follows, from the current epoch on.
    pub(crate) fn delegation_on_member_change(&mut self, account_id: &AccountId, mask: Option<RoleMask>) {
        let Some(d) = read_delegation(account_id) else { return };
        let Some(current) = d.current else { return };
        let terms = mask.map(|mask| Terms { mask, ..current.clone() });
        self.set_terms(account_id, terms);
        let event_terms = mask.map(|_| current.clone());
        match event_terms {
            Some(t) => DaoEvent::DelegationSet {
                delegator: account_id.clone(),
                delegate: t.delegate,
                kinds: t.kinds,
                expires_at: (t.expires_at != NEVER).then_some(U64(t.expires_at)),
                from_proposal: U64(self.root().next_proposal_id),
            }
            .emit(),
            None => DaoEvent::DelegationRemoved {
                delegator: account_id.clone(),
                delegate: current.delegate,
                from_proposal: U64(self.root().next_proposal_id),
            }
            .emit(),
        }
    }

    fn delegation_view(delegator: AccountId, d: &Delegation) -> Option<DelegationView> {
        let t = d.current.as_ref()?;
        Some(DelegationView {
            delegator,
            delegate: t.delegate.clone(),
            kinds: t.kinds,
            expires_at: (t.expires_at != NEVER).then_some(U64(t.expires_at)),
            since_proposal: U64(d.since),
        })
    }
}

#[near]
impl Contract {
    /// Delegates the caller's vote to `delegate` (a member, or an active
    /// community agent whose mandate covers every kind in `kinds`) for the kinds
    /// in `kinds` (`"all"` or a list), until `expires_at` (ns, optional).
    /// Replaces any earlier delegation. Counts on proposals created from now on.
    /// Caller: a member. Deposit: the storage the change adds (records, an
    /// archived checkpoint of the delegate); 0.01 NEAR covers any, the rest is
    /// refunded. Emits `delegation_set`.
    #[payable]
    pub fn delegate(&mut self, delegate: AccountId, kinds: KindSet, expires_at: Option<U64>) {
        let meter = StorageMeter::start();
        let delegator = env::predecessor_account_id();
        let mut member = self.members.get(&delegator).unwrap_or_else(|| env::panic_str(ERR_NOT_MEMBER));
        if delegate == delegator {
            env::panic_str(ERR_SELF_DELEGATION);
        }
        if kinds == KindSet::NONE {
            env::panic_str(ERR_EMPTY_SCOPE);
        }
        let expires_at = expires_at.map_or(NEVER, |t| t.0);
        if expires_at <= env::block_timestamp() {
            env::panic_str(ERR_EXPIRY_PAST);
        }
        if let Some(mut target) = self.members.get(&delegate) {
            if target.flags & Member::DELEGATE == 0 {
                target.flags |= Member::DELEGATE;
                self.members.set(&delegate, &target);
            }
        } else {
            match self.agent(&delegate) {
                None => env::panic_str(ERR_BAD_DELEGATE),
                Some(agent) => {
                    if !agent.is_active(env::block_timestamp()) {
                        env::panic_str(ERR_AGENT_INACTIVE);
                    }
                    if kinds.0 & !agent.can_vote.0 != 0 {
                        env::panic_str(ERR_AGENT_SCOPE);
                    }
                }
            }
        }
        let terms = Terms { delegate: delegate.clone(), kinds, expires_at, mask: member.roles };
        if read_delegation(&delegator).and_then(|d| d.current).as_ref() == Some(&terms) {
            env::panic_str(ERR_SAME_DELEGATION);
        }
        self.set_terms(&delegator, Some(terms));
        if member.flags & Member::DELEGATOR == 0 {
            member.flags |= Member::DELEGATOR;
            self.members.set(&delegator, &member);
        }
        settle(meter, &delegator);
        DaoEvent::DelegationSet {
            delegator,
            delegate,
            kinds,
            expires_at: (expires_at != NEVER).then_some(U64(expires_at)),
            from_proposal: U64(self.root().next_proposal_id),
        }
        .emit();
    }

    /// Withdraws the caller's delegation: proposals created from now on count
    /// the caller alone (open ones keep their count; the caller may still
    /// override by voting). Caller: a delegator. Deposit: the storage the
    /// change may add (an archived checkpoint of the delegate); 0.01 NEAR
    /// covers any, the rest is refunded, and freed bytes are paid back.
    /// Emits `delegation_removed`.
    #[payable]
    pub fn undelegate(&mut self) {
        let meter = StorageMeter::start();
        let delegator = env::predecessor_account_id();
        let current = read_delegation(&delegator).and_then(|d| d.current);
        let Some(terms) = current else { env::panic_str(ERR_NO_DELEGATION) };
        self.set_terms(&delegator, None);
        settle(meter, &delegator);
        DaoEvent::DelegationRemoved {
            delegator,
            delegate: terms.delegate,
            from_proposal: U64(self.root().next_proposal_id),
        }
        .emit();
    }

    /// The caller's current delegation, if any (an expired one included: see `expires_at`).
    pub fn get_delegation(&self, account_id: AccountId) -> Option<DelegationView> {
        let d = read_delegation(&account_id)?;
        Self::delegation_view(account_id, &d)
    }

    /// Weight `account_id` carries for its delegators (its own vote is not
    /// included): on proposal `id`, net of delegators who voted in person; else
    /// on a proposal of `kind` created now. `0` when neither is given.
    pub fn get_delegated_weight(&self, account_id: AccountId, kind: Option<KindLabel>, id: Option<U64>) -> u32 {
        if let Some(id) = id {
            let Some(p) = self.proposals.get(&id.0) else { return 0 };
            if let Some(v) = crate::votes::read_vote(id.0, &account_id) {
                return v.weight.saturating_sub(u32::from(v.receipt.is_none()));
            }
            return received_on(&account_id, id.0, &p).saturating_sub(withdrawn(id.0, &account_id));
        }
        let Some(kind) = kind else { return 0 };
        let voting_roles = self.root().roles.get().voting_roles(kind);
        read_head(&account_id).map_or(0, |h| h.latest.weight(kind, voting_roles, env::block_timestamp()))
    }

    /// Delegations `account_id` holds now, in list order (a withdrawal swaps
    /// the last into the gap). `from_index` / `limit`: default 20, at most 100.
    pub fn get_delegators(
        &self,
        account_id: AccountId,
        from_index: Option<u64>,
        limit: Option<u32>,
    ) -> Vec<DelegationView> {
        let count = read_head(&account_id).map_or(0, |h| h.delegators);
        Page::new(from_index, limit)
            .range(count as u64)
            .filter_map(|i| {
                let bytes = env::storage_read(&list_key(&account_id, i as u32))?;
                let delegator: AccountId = String::from_utf8(bytes).ok()?.parse().ok()?;
                let d = read_delegation(&delegator)?;
                Self::delegation_view(delegator, &d)
            })
            .collect()
    }
}
