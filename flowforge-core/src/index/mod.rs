//! The task index: for each organization, what a task list needs of its live tasks (filter
//! values, sort keys, search words) in memory, so a list's exact count, its page at any depth
//! and its search never visit every matching row of the database, and never another tenant's.
//!
//! The tasks table stays the only truth. Every statement that writes tasks bumps its
//! organization's row in `task_versions` and stamps the rows it wrote with the new version
//! (`change_seq`), in the write's own transaction; a hard delete (a project's cascade) also
//! bumps the generation. A reader brings each organization's index to the version its own
//! snapshot sees before using it: whole on first use or after a new generation, else by the
//! rows stamped since. Nothing is written to the index on the write path, a crash loses
//! nothing (the index is rebuilt from the table), and several processes on one database stay
//! exact because each checks the version in its own transaction.

mod tenant;
mod text;
mod words;

use std::cell::Cell;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::ops::Deref;
use std::sync::{
    Arc, Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard, TryLockError, TryLockResult,
};

use chrono::{Datelike, NaiveDate};
use fixedbitset::FixedBitSet;
use roaring::RoaringBitmap;

use self::tenant::{Entry, Tenant};
use crate::error::Result;
use crate::ids::{OrgId, ProjectId, TaskId, UserId};
use crate::query::Sort;
use crate::store::{Tx, budget};
use crate::task::{Priority, Status, TaskField, TaskQuery, UserFilter};
use crate::time::Timestamp;

/// How far an organization's tasks have been written: `version` grows with every task write,
/// `generation` with every write the version's rows cannot describe (a hard delete).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Version {
    /// Bumped when tasks leave the table (not soft-deleted: removed).
    pub generation: i64,
    /// Bumped by every statement that writes the organization's tasks.
    pub version: i64,
}

/// One task as the index reads it from the table.
#[derive(Debug, Clone)]
pub(crate) struct IndexRow {
    /// Whether the task is soft-deleted (it leaves the index).
    pub deleted: bool,
    pub id: TaskId,
    /// Where the backend finds the row without the id's index (SQLite's `seq`), if it has such
    /// a key.
    pub row: Option<i64>,
    pub project: ProjectId,
    pub status: Status,
    pub priority: Priority,
    pub assignee: Option<UserId>,
    pub creator: Option<UserId>,
    pub due: Option<NaiveDate>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub title: String,
    pub description: String,
    /// The version the row was last stamped with (its `change_seq`).
    pub changed: i64,
}

/// A task query's filters with `me` resolved.
struct Filter<'a> {
    project: &'a [ProjectId],
    status: &'a [Status],
    priority: &'a [Priority],
    assignee: Vec<Option<UserId>>,
    creator: Vec<Option<UserId>>,
    due_before: Option<NaiveDate>,
    due_after: Option<NaiveDate>,
    words: &'a [String],
}

impl<'a> Filter<'a> {
    /// The filters of `query` as `me` asks them.
    fn new(query: &'a TaskQuery, me: UserId) -> Self {
        let users = |filters: &[UserFilter]| {
            filters
                .iter()
                .map(|f| match f {
                    UserFilter::Id(id) => Some(*id),
                    UserFilter::Me => Some(me),
                    UserFilter::Nobody => None,
                })
                .collect()
        };
        Self {
            project: &query.project,
            status: &query.status,
            priority: &query.priority,
            assignee: users(&query.assigned_to),
            creator: users(&query.created_by),
            due_before: query.due_before,
            due_after: query.due_after,
            words: query.search.words(),
        }
    }
}

/// A task list as the index answers it: the filters, the ordering (ties by id) and the page.
pub(crate) struct Listing<'a> {
    filter: Filter<'a>,
    ordering: Vec<Sort<TaskField>>,
    offset: u64,
    limit: u64,
}

impl<'a> Listing<'a> {
    /// The list `query` asks for, as `me` asks it.
    pub(crate) fn new(query: &'a TaskQuery, me: UserId) -> Self {
        Self {
            filter: Filter::new(query, me),
            ordering: query.effective_ordering().to_vec(),
            offset: query.page.offset(),
            limit: query.page.page_size(),
        }
    }
}

/// The count of a list and the ids of its page, in order.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Selection {
    pub count: u64,
    pub ids: Vec<TaskId>,
    /// The page's row keys in the same order (see [`IndexRow::row`]), when the index holds one
    /// for every task of the page.
    pub rows: Option<Vec<i64>>,
    /// The version each task of the page was last stamped with, in the same order.
    pub versions: Vec<i64>,
}

/// The indexes of the organizations this process has listed.
#[derive(Default)]
pub(crate) struct TaskIndex {
    tenants: Mutex<HashMap<OrgId, Arc<RwLock<Tenant>>>>,
}

impl TaskIndex {
    /// Counts the tasks of `orgs` that `listing` wants and picks its page, as `tx` sees the
    /// table, from the shared indexes.
    ///
    /// `Ok(None)` when another reader has already brought an index past `tx`'s snapshot: run
    /// the read again in a new transaction, which sees at least as much.
    pub(crate) fn select(
        &self,
        tx: &Tx<'_>,
        orgs: &[OrgId],
        listing: &Listing<'_>,
    ) -> Result<Option<Selection>> {
        let versions = versions(tx, orgs)?;
        let tenants: Vec<_> = versions.iter().map(|(org, _)| self.tenant(*org)).collect();
        for ((org, version), tenant) in versions.iter().zip(&tenants) {
            if !sync(tx, *org, *version, tenant, &listing.ordering)? {
                return Ok(None);
            }
        }
        // Read every index at the snapshot's version. One that moved on since was brought past
        // this snapshot by another reader.
        let guards = tenants
            .iter()
            .map(|t| read(t))
            .collect::<Result<Vec<_>>>()?;
        let current = guards
            .iter()
            .zip(&versions)
            .all(|(g, (_, v))| g.version == Some(*v));
        if !current {
            return Ok(None);
        }
        let tenants: Vec<&Tenant> = guards.iter().map(|g| &**g).collect();
        choose(&tenants, listing).map(Some)
    }

    /// As [`TaskIndex::select`], but an index that is not at `tx`'s version is loaded for this
    /// call alone rather than shared: slower, and never refused.
    pub(crate) fn select_at_snapshot(
        &self,
        tx: &Tx<'_>,
        orgs: &[OrgId],
        listing: &Listing<'_>,
    ) -> Result<Selection> {
        let versions = versions(tx, orgs)?;
        let shared: Vec<_> = versions.iter().map(|(org, _)| self.tenant(*org)).collect();
        let mut held = Vec::with_capacity(versions.len());
        for ((org, version), tenant) in versions.iter().zip(&shared) {
            let guard = read(tenant)?;
            held.push(if guard.version == Some(*version) {
                Held::Shared(guard)
            } else {
                Held::Private(Box::new(load(tx, *org, *version)?))
            });
        }
        let tenants: Vec<&Tenant> = held.iter().map(|h| &**h).collect();
        choose(&tenants, listing)
    }

    /// Drops the index of a deleted organization.
    pub(crate) fn forget(&self, org: OrgId) {
        let mut tenants = self.tenants.lock().unwrap_or_else(PoisonError::into_inner);
        tenants.remove(&org);
    }

    /// How many organizations have an index here.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.tenants
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    fn tenant(&self, org: OrgId) -> Arc<RwLock<Tenant>> {
        let mut tenants = self.tenants.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(tenants.entry(org).or_default())
    }
}

/// The versions of `orgs` as `tx` sees them, in the order of their ids: a reader holds several
/// indexes at once, and taking them in one order everywhere keeps two readers (with a writer
/// queued on each side) from waiting on each other.
fn versions(tx: &Tx<'_>, orgs: &[OrgId]) -> Result<Vec<(OrgId, Version)>> {
    let mut orgs = orgs.to_vec();
    orgs.sort_unstable();
    orgs.dedup();
    tx.task_versions(&orgs)
}

/// Changed rows at which a tenant's orders are dropped (and built again by the next list that
/// asks) rather than kept through each change.
const ORDER_UPDATE_LIMIT: usize = 256;

/// Writes a bounded read catches an index up by at most (each changed row costs each kept
/// order an insert).
const BOUNDED_CATCH_UP: u64 = 32;

/// Reads `tenant`; a bounded read does not wait for a writer (a load may hold it a while).
fn read(tenant: &RwLock<Tenant>) -> Result<RwLockReadGuard<'_, Tenant>> {
    if budget::active() {
        free(tenant.try_read())
    } else {
        Ok(tenant.read().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Changes `tenant`; a bounded read does not wait for another reader or writer.
fn write(tenant: &RwLock<Tenant>) -> Result<RwLockWriteGuard<'_, Tenant>> {
    if budget::active() {
        free(tenant.try_write())
    } else {
        Ok(tenant.write().unwrap_or_else(PoisonError::into_inner))
    }
}

/// The guard of a lock taken only if it was free; the bounded read stops if it was not.
fn free<G>(taken: TryLockResult<G>) -> Result<G> {
    match taken {
        Ok(guard) => Ok(guard),
        Err(TryLockError::Poisoned(poisoned)) => Ok(poisoned.into_inner()),
        Err(TryLockError::WouldBlock) => Err(budget::exceeded()),
    }
}

/// Brings `tenant` to `version` as `tx` sees it, keeping the order of `ordering`; `false` when
/// it is already past that version.
fn sync(
    tx: &Tx<'_>,
    org: OrgId,
    version: Version,
    tenant: &RwLock<Tenant>,
    ordering: &[Sort<TaskField>],
) -> Result<bool> {
    {
        let tenant = read(tenant)?;
        if tenant.version == Some(version) && !tenant.would_keep(ordering) {
            return Ok(true);
        }
    }
    let mut tenant = write(tenant)?;
    match tenant.version {
        Some(at) if at == version => {}
        Some(at) if at.version > version.version => return Ok(false),
        Some(at) if at.generation == version.generation => {
            budget::allow(
                u64::try_from(version.version - at.version).unwrap_or(u64::MAX),
                BOUNDED_CATCH_UP,
            )?;
            let mut changed = 0;
            let mut apply = |tenant: &mut Tenant, row| {
                changed += 1;
                if changed == ORDER_UPDATE_LIMIT {
                    tenant.drop_orders();
                }
                tenant.apply(row);
            };
            if budget::active() {
                // A bounded read may be stopped while it reads (a write can change many
                // rows): the rows are read first and applied after, so a stop leaves the
                // index as it was.
                let mut rows = Vec::new();
                tx.each_index_row(org, Some(at.version), |row| rows.push(row))?;
                for row in rows {
                    apply(&mut tenant, row);
                }
            } else if let Err(e) =
                tx.each_index_row(org, Some(at.version), |row| apply(&mut tenant, row))
            {
                // Some rows are in and the version is not: the next reader loads it whole.
                *tenant = Tenant::default();
                return Err(e);
            }
        }
        _ => *tenant = load(tx, org, version)?,
    }
    tenant.version = Some(version);
    if tenant.would_keep(ordering) {
        // Sorting every live slot.
        let live = tenant.live();
        budget::allow(
            live.saturating_mul(u64::from(u64::BITS - live.leading_zeros())),
            budget::INDEX_WORK,
        )?;
        tenant.keep_order(ordering);
    }
    Ok(true)
}

/// The organization's index at `version`, loaded whole from `tx`.
fn load(tx: &Tx<'_>, org: OrgId, version: Version) -> Result<Tenant> {
    let mut tenant = Tenant::default();
    tx.each_index_row(org, None, |row| tenant.apply(row))?;
    tenant.version = Some(version);
    Ok(tenant)
}

/// What selecting a page among all the matches costs per match, in slots a walk through an
/// order would test for the same time (each match is fetched, keyed and ranked).
const SELECT_COST: u64 = 4;

/// The count and the page of the matching tasks of every tenant: by walking a kept order from
/// the nearer end of the list when that tests fewer slots than selecting costs, else by
/// selecting among the matches.
fn choose(tenants: &[&Tenant], listing: &Listing<'_>) -> Result<Selection> {
    let words = listing.filter.words.len() as u64;
    let scanned: u64 = tenants.iter().map(|t| t.vocabulary_len() * words).sum();
    budget::allow(scanned, budget::INDEX_WORK)?;
    let matches: Vec<RoaringBitmap> = tenants
        .iter()
        .map(|t| t.matching(&listing.filter))
        .collect();
    let count: u64 = matches.iter().map(RoaringBitmap::len).sum();
    let live: u64 = tenants.iter().map(|t| t.live()).sum();
    let orders: Option<Vec<&[u32]>> = tenants.iter().map(|t| t.order(&listing.ordering)).collect();
    // A walk meets the matches at their density, from the end nearer the page.
    let offset = listing.offset.min(count);
    let end = offset.saturating_add(listing.limit).min(count);
    let walked = end.min(count - offset).saturating_mul(live) / count.max(1);
    let page = match orders {
        Some(orders) if walked <= count.saturating_mul(SELECT_COST) => {
            budget::allow(walked, budget::INDEX_WORK)?;
            walk(tenants, &orders, &matches, count, listing, walked > count)?
        }
        _ => {
            budget::allow(count.saturating_mul(SELECT_COST), budget::INDEX_WORK)?;
            select(tenants, &matches, count, listing)
        }
    };
    Ok(selection(count, &page))
}

/// The selection of `page`'s entries out of `count` matches.
fn selection(count: u64, page: &[&Entry]) -> Selection {
    Selection {
        count,
        ids: page.iter().map(|e| e.id).collect(),
        rows: page.iter().map(|e| e.row()).collect(),
        versions: page.iter().map(|e| e.changed).collect(),
    }
}

/// The page's entries by walking each tenant's order from the nearer end of the list, merging the
/// tenants' matches as they come. A bounded read stops once the slots tested pass its allowance
/// (the matches may lie far from the end the density says: a filter on the ordered field).
/// `dense`: test the matches as a [`Members::Dense`] set.
fn walk<'a>(
    tenants: &[&'a Tenant],
    orders: &[&'a [u32]],
    matches: &'a [RoaringBitmap],
    count: u64,
    listing: &Listing<'_>,
    dense: bool,
) -> Result<Vec<&'a Entry>> {
    let offset = listing.offset.min(count);
    let end = offset.saturating_add(listing.limit).min(count);
    let from_front = offset <= count - end;
    let tested = Cell::new(0u64);
    let tested = &tested;
    let mut streams: Vec<_> = orders
        .iter()
        .zip(matches)
        .zip(tenants)
        .map(|((order, m), tenant)| {
            let slots: Box<dyn Iterator<Item = &u32>> = if from_front {
                Box::new(order.iter())
            } else {
                Box::new(order.iter().rev())
            };
            let members = Members::new(m, dense);
            slots
                .inspect(move |_| tested.set(tested.get() + 1))
                .filter(move |&&slot| members.contains(slot))
                .filter_map(move |&slot| tenant.entry(slot))
                .peekable()
        })
        .collect();
    let skip = if from_front { offset } else { count - end };
    let mut page = Vec::with_capacity(usize::try_from(end - offset).unwrap_or(0));
    for rank in 0..skip + (end - offset) {
        // The head that comes first in the walk's direction.
        let mut best: Option<(usize, &Entry)> = None;
        for (i, stream) in streams.iter_mut().enumerate() {
            let Some(&head) = stream.peek() else {
                continue;
            };
            let wins = best.is_none_or(|(_, b)| {
                let order = compare(head, b, &listing.ordering);
                if from_front {
                    order.is_lt()
                } else {
                    order.is_gt()
                }
            });
            if wins {
                best = Some((i, head));
            }
        }
        let Some((i, entry)) = best else {
            break;
        };
        streams[i].next();
        if rank >= skip {
            page.push(entry);
        }
        budget::allow(tested.get(), budget::INDEX_WORK)?;
    }
    if !from_front {
        page.reverse();
    }
    Ok(page)
}

/// A tenant's matches as a walk tests them. A roaring bitmap tests a slot of a sparse container
/// by a binary search among its values (about 50 instructions); a bit set tests one bit, and is
/// worth building (a bit per slot, a write per match) when the walk tests more slots than
/// there are matches.
enum Members<'a> {
    Sparse(&'a RoaringBitmap),
    Dense(FixedBitSet),
}

impl<'a> Members<'a> {
    fn new(matches: &'a RoaringBitmap, dense: bool) -> Self {
        if !dense {
            return Self::Sparse(matches);
        }
        let len = matches.max().map_or(0, |max| max as usize + 1);
        let mut set = FixedBitSet::with_capacity(len);
        set.extend(matches.iter().map(|slot| slot as usize));
        Self::Dense(set)
    }

    fn contains(&self, slot: u32) -> bool {
        match self {
            Self::Sparse(matches) => matches.contains(slot),
            Self::Dense(set) => set.contains(slot as usize),
        }
    }
}

/// The page's entries by selecting among all the matches, ranked by their first term packed and
/// then by the whole ordering.
fn select<'a>(
    tenants: &[&'a Tenant],
    matches: &[RoaringBitmap],
    count: u64,
    listing: &Listing<'_>,
) -> Vec<&'a Entry> {
    let (offset, limit) = (listing.offset, listing.limit);
    if offset >= count || limit == 0 {
        return Vec::new();
    }
    // Each candidate carries its first term's key, packed, beside the entry: most comparisons
    // end there, without reaching into entries scattered over the tenant's memory.
    let first = listing.ordering.first().copied();
    let mut candidates: Vec<(u64, &Entry)> =
        Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    for (tenant, m) in tenants.iter().zip(matches) {
        candidates.extend(
            m.iter()
                .filter_map(|slot| tenant.entry(slot))
                .map(|e| (first.map_or(0, |term| packed_key(e, term)), e)),
        );
    }
    let offset = usize::try_from(offset).unwrap_or(usize::MAX);
    let end = offset.saturating_add(usize::try_from(limit).unwrap_or(usize::MAX));
    page_of(candidates, offset, end, |(ka, a), (kb, b)| {
        ka.cmp(kb).then_with(|| compare(a, b, &listing.ordering))
    })
    .into_iter()
    .map(|(_, e)| e)
    .collect()
}

/// A number whose order is `term`'s order of entries wherever two numbers differ (equal numbers
/// say nothing: the full comparison decides). Titles give their first eight bytes.
fn packed_key(entry: &Entry, term: Sort<TaskField>) -> u64 {
    let signed = |n: i64| (n as u64) ^ (1 << 63);
    let key = match term.field {
        TaskField::DueDate => {
            // Undated tasks last in both directions.
            let Some(date) = entry.due else {
                return u64::MAX;
            };
            let days = signed(i64::from(date.num_days_from_ce())) >> 1;
            return if term.descending {
                (u64::MAX >> 1) - days
            } else {
                days
            };
        }
        TaskField::Priority => entry.priority as u64,
        TaskField::Status => entry.status as u64,
        TaskField::Title => {
            let mut prefix = [0u8; 8];
            let bytes = entry.text.title();
            let n = bytes.len().min(8);
            prefix[..n].copy_from_slice(&bytes[..n]);
            u64::from_be_bytes(prefix)
        }
        TaskField::CreatedAt => signed(entry.created_at),
        TaskField::UpdatedAt => signed(entry.updated_at),
    };
    if term.descending { !key } else { key }
}

/// The items ranked `offset..end` by `cmp`, in order, without sorting the rest: two linear
/// selections and a sort of the page itself.
fn page_of<T>(
    mut items: Vec<T>,
    offset: usize,
    end: usize,
    mut cmp: impl FnMut(&T, &T) -> Ordering,
) -> Vec<T> {
    if end < items.len() {
        items.select_nth_unstable_by(end, &mut cmp);
        items.truncate(end);
    }
    if offset >= items.len() {
        return Vec::new();
    }
    if offset > 0 {
        items.select_nth_unstable_by(offset, &mut cmp);
    }
    let mut page = items.split_off(offset);
    page.sort_unstable_by(&mut cmp);
    page
}

/// The order of a task list: each term in turn (tasks without a due date last in both
/// directions), then the id.
fn compare(a: &Entry, b: &Entry, terms: &[Sort<TaskField>]) -> Ordering {
    for term in terms {
        let order = match term.field {
            TaskField::DueDate => match (a.due, b.due) {
                (Some(x), Some(y)) => x.cmp(&y),
                (None, None) => Ordering::Equal,
                (None, Some(_)) => return Ordering::Greater,
                (Some(_), None) => return Ordering::Less,
            },
            TaskField::Priority => a.priority.cmp(&b.priority),
            TaskField::Status => a.status.cmp(&b.status),
            TaskField::Title => a.text.title().cmp(b.text.title()),
            TaskField::CreatedAt => a.created_at.cmp(&b.created_at),
            TaskField::UpdatedAt => a.updated_at.cmp(&b.updated_at),
        };
        let order = term.directed(order);
        if order != Ordering::Equal {
            return order;
        }
    }
    a.id.cmp(&b.id)
}

/// An index a reader uses: the shared one, or one loaded for that reader alone.
enum Held<'a> {
    Shared(RwLockReadGuard<'a, Tenant>),
    Private(Box<Tenant>),
}

impl Deref for Held<'_> {
    type Target = Tenant;

    fn deref(&self) -> &Tenant {
        match self {
            Held::Shared(guard) => guard,
            Held::Private(tenant) => tenant,
        }
    }
}

#[cfg(test)]
mod tests;
