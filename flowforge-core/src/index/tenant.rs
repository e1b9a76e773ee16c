//! One organization's index: its live tasks' filter values and sort keys by slot, a bitmap of
//! slots per filter value, its search vocabulary, and its live slots in the orders lists asked
//! for. A slot is a small dense number given to a task while it is live here, so the bitmaps stay
//! compact.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, RandomState};
use std::num::NonZeroU32;

use chrono::NaiveDate;
use hashbrown::HashTable;
use roaring::RoaringBitmap;

use super::text::Text;
use super::words::Vocabulary;
use super::{Filter, IndexRow, Version, compare};
use crate::ids::{ProjectId, TaskId, UserId};
use crate::query::Sort;
use crate::task::{Priority, Status, TaskField};
use crate::time::Timestamp;

/// How many orders a tenant keeps at most (4 bytes per task each): the first orderings its lists
/// ask for. Another one is answered by selection; an order is never dropped for a newer one, so
/// a client cycling through orderings cannot make every list sort the whole tenant again.
pub(super) const MAX_ORDERS: usize = 4;

/// What the index keeps of one live task, in 80 bytes and its [`Text`] (136 bytes and two
/// allocations with the ids, the timestamps, the title and the word ids each whole): the
/// tenant holds one for each of its tasks.
pub(super) struct Entry {
    pub(super) id: TaskId,
    /// The project's number in [`Tenant::projects`].
    project: u32,
    /// The assignee's and the creator's numbers (each maybe nobody) in [`Tenant::users`].
    assignee: u32,
    creator: u32,
    /// The row key, when it fits in 32 bits (the padding had room for them).
    row: Option<NonZeroU32>,
    pub(super) status: Status,
    pub(super) priority: Priority,
    pub(super) due: Option<NaiveDate>,
    /// Milliseconds since the Unix epoch (a [`Timestamp`]'s precision).
    pub(super) created_at: i64,
    pub(super) updated_at: i64,
    /// The version its row was last stamped with ([`IndexRow::changed`]).
    pub(super) changed: i64,
    pub(super) text: Text,
}

/// Small numbers for the few distinct ids a tenant's tasks name (its projects, its users), so an
/// entry holds four bytes where an id took sixteen. A number is never given back: the ids are
/// as many as the tenant's projects and members, and a reload starts afresh.
struct Numbers<K> {
    keys: HashMap<K, u32>,
}

impl<K: Hash + Eq> Numbers<K> {
    /// The number of `key`, given now if it has none.
    fn of(&mut self, key: K) -> u32 {
        let next = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
        *self.keys.entry(key).or_insert(next)
    }

    /// The number of `key`, or one no entry holds when it has none.
    fn find(&self, key: &K) -> u32 {
        self.keys.get(key).copied().unwrap_or(u32::MAX)
    }
}

impl Entry {
    /// The task's row key (see [`super::IndexRow::row`]), if it has one that fits.
    pub(super) fn row(&self) -> Option<i64> {
        self.row.map(|key| i64::from(key.get()))
    }
}

impl<K> Default for Numbers<K> {
    fn default() -> Self {
        Self {
            keys: HashMap::new(),
        }
    }
}

/// The slots of each value of one filter.
struct Postings<K>(HashMap<K, RoaringBitmap>);

impl<K: Hash + Eq + Copy> Postings<K> {
    fn insert(&mut self, key: K, slot: u32) {
        self.0.entry(key).or_default().insert(slot);
    }

    fn remove(&mut self, key: K, slot: u32) {
        if let Some(slots) = self.0.get_mut(&key) {
            slots.remove(slot);
            if slots.is_empty() {
                self.0.remove(&key);
            }
        }
    }

    /// The slots holding any of `keys`, borrowed when one key names them; `None` when `keys`
    /// is empty (no filter on this value).
    fn any(&self, keys: impl IntoIterator<Item = K>) -> Option<Cow<'_, RoaringBitmap>> {
        let mut keys = keys.into_iter();
        let first = keys.next()?;
        let mut any = match self.0.get(&first) {
            Some(slots) => Cow::Borrowed(slots),
            None => Cow::Owned(RoaringBitmap::new()),
        };
        for key in keys {
            if let Some(slots) = self.0.get(&key) {
                *any.to_mut() |= slots;
            }
        }
        Some(any)
    }
}

impl<K> Default for Postings<K> {
    fn default() -> Self {
        Self(HashMap::new())
    }
}

/// The live slots sorted by one ordering (ties by id), kept in order as tasks change, so a page
/// is a walk from the nearer end rather than a selection over every match.
struct Order {
    terms: Vec<Sort<TaskField>>,
    slots: Vec<u32>,
}

/// One organization's index at one version of its tasks.
#[derive(Default)]
pub(super) struct Tenant {
    /// The version it holds; `None` until it is first loaded.
    pub(super) version: Option<Version>,
    entries: Entries,
    free: Vec<u32>,
    by_id: SlotsById,
    projects: Numbers<ProjectId>,
    users: Numbers<Option<UserId>>,
    live: RoaringBitmap,
    project: Postings<u32>,
    status: Postings<Status>,
    priority: Postings<Priority>,
    assignee: Postings<u32>,
    creator: Postings<u32>,
    words: Vocabulary,
    orders: Vec<Order>,
}

impl Tenant {
    /// Brings one task to the state of `row`: added, changed, or gone when it is deleted.
    pub(super) fn apply(&mut self, row: IndexRow) {
        if let Some(slot) = self.by_id.remove(&self.entries, row.id) {
            self.vacate(slot);
        }
        if row.deleted {
            return;
        }
        let slot = self.free.pop().unwrap_or_else(|| self.entries.grow());
        let (project, assignee, creator) = (
            self.projects.of(row.project),
            self.users.of(row.assignee),
            self.users.of(row.creator),
        );
        self.live.insert(slot);
        self.project.insert(project, slot);
        self.status.insert(row.status, slot);
        self.priority.insert(row.priority, slot);
        self.assignee.insert(assignee, slot);
        self.creator.insert(creator, slot);
        let mut words = self.words.add(slot, &[&row.title, &row.description]);
        self.entries[slot] = Some(Entry {
            id: row.id,
            row: row
                .row
                .and_then(|key| u32::try_from(key).ok())
                .and_then(NonZeroU32::new),
            project,
            status: row.status,
            priority: row.priority,
            assignee,
            creator,
            due: row.due,
            created_at: millis(row.created_at),
            updated_at: millis(row.updated_at),
            changed: row.changed,
            text: Text::new(&row.title, &mut words),
        });
        self.by_id.insert(&self.entries, row.id, slot);
        for order in &mut self.orders {
            let at = order.slots.partition_point(|&s| {
                let (a, b) = (
                    entries_at(&self.entries, s),
                    entries_at(&self.entries, slot),
                );
                compare(a, b, &order.terms).is_lt()
            });
            order.slots.insert(at, slot);
        }
    }

    fn vacate(&mut self, slot: u32) {
        let Some(gone) = self.entries[slot].as_ref() else {
            return;
        };
        for order in &mut self.orders {
            let at = order
                .slots
                .binary_search_by(|&s| compare(entries_at(&self.entries, s), gone, &order.terms));
            if let Ok(at) = at {
                order.slots.remove(at);
            }
        }
        let Some(entry) = self.entries[slot].take() else {
            return;
        };
        self.live.remove(slot);
        self.project.remove(entry.project, slot);
        self.status.remove(entry.status, slot);
        self.priority.remove(entry.priority, slot);
        self.assignee.remove(entry.assignee, slot);
        self.creator.remove(entry.creator, slot);
        self.words.remove(slot, entry.text.words());
        self.free.push(slot);
    }

    /// The entry in `slot`, if it holds a live task (every slot [`Tenant::matching`] gives does).
    pub(super) fn entry(&self, slot: u32) -> Option<&Entry> {
        self.entries.get(slot)?.as_ref()
    }

    /// The live slots in the order of `terms`, if this tenant keeps that order.
    pub(super) fn order(&self, terms: &[Sort<TaskField>]) -> Option<&[u32]> {
        let order = self.orders.iter().find(|o| o.terms == terms)?;
        Some(&order.slots)
    }

    /// Whether [`Tenant::keep_order`] would start keeping the order of `terms`.
    pub(super) fn would_keep(&self, terms: &[Sort<TaskField>]) -> bool {
        self.orders.len() < MAX_ORDERS && self.order(terms).is_none()
    }

    /// Starts keeping the order of `terms`, unless it is kept or [`MAX_ORDERS`] are.
    pub(super) fn keep_order(&mut self, terms: &[Sort<TaskField>]) {
        if !self.would_keep(terms) {
            return;
        }
        let mut slots: Vec<u32> = self.live.iter().collect();
        slots.sort_unstable_by(|&a, &b| {
            compare(
                entries_at(&self.entries, a),
                entries_at(&self.entries, b),
                terms,
            )
        });
        self.orders.push(Order {
            terms: terms.to_vec(),
            slots,
        });
    }

    /// Stops keeping every order: cheaper than keeping them through a large batch of changes.
    pub(super) fn drop_orders(&mut self) {
        self.orders.clear();
    }

    /// How many words a search of one word scans.
    pub(super) fn vocabulary_len(&self) -> u64 {
        self.words.len() as u64
    }

    /// How many live tasks the index holds.
    pub(super) fn live(&self) -> u64 {
        self.live.len()
    }

    /// The slots of the live tasks that pass `filter`: the filters' slot sets intersected from
    /// the smallest (postings hold live slots only), rather than every live slot narrowed down.
    pub(super) fn matching(&self, filter: &Filter<'_>) -> RoaringBitmap {
        let users = |ids: &[Option<UserId>]| -> Vec<u32> {
            ids.iter().map(|u| self.users.find(u)).collect()
        };
        let mut sets: Vec<Cow<'_, RoaringBitmap>> = [
            self.project
                .any(filter.project.iter().map(|p| self.projects.find(p))),
            self.status.any(filter.status.iter().copied()),
            self.priority.any(filter.priority.iter().copied()),
            self.assignee.any(users(&filter.assignee)),
            self.creator.any(users(&filter.creator)),
        ]
        .into_iter()
        .flatten()
        .collect();
        sets.sort_by_key(|set| set.len());
        let mut sets = sets.into_iter();
        let mut matches = sets
            .next()
            .map_or_else(|| self.live.clone(), Cow::into_owned);
        for set in sets {
            matches &= set.as_ref();
        }
        for word in filter.words {
            if matches.is_empty() {
                break;
            }
            matches &= self.words.containing(word);
        }
        if filter.due_before.is_some() || filter.due_after.is_some() {
            let due = |slot: &u32| {
                self.entry(*slot).and_then(|e| e.due).is_some_and(|date| {
                    filter.due_before.is_none_or(|before| date <= before)
                        && filter.due_after.is_none_or(|after| date >= after)
                })
            };
            matches = matches.iter().filter(due).collect();
        }
        matches
    }
}

/// A timestamp as entries hold it.
fn millis(at: Timestamp) -> i64 {
    at.as_datetime().timestamp_millis()
}

/// The entry of a slot an order holds: always live.
fn entries_at(entries: &Entries, slot: u32) -> &Entry {
    entries[slot]
        .as_ref()
        .expect("an order holds live slots only")
}

/// The slot of each live task by its id. The table holds slots alone (4 bytes and a control
/// byte each, where a map from id to slot took 21) and finds a task's id in its entry: less to
/// hold, and less held twice for the moment the table grows.
#[derive(Default)]
struct SlotsById {
    slots: HashTable<u32>,
    hasher: RandomState,
}

impl SlotsById {
    fn id_at(entries: &Entries, slot: u32) -> TaskId {
        entries_at(entries, slot).id
    }

    /// Records that `id`, whose entry `entries` now holds, is in `slot`.
    fn insert(&mut self, entries: &Entries, id: TaskId, slot: u32) {
        let hasher = &self.hasher;
        self.slots.insert_unique(hasher.hash_one(id), slot, |&s| {
            hasher.hash_one(Self::id_at(entries, s))
        });
    }

    /// Forgets `id` (its entry still in `entries`), returning its slot.
    fn remove(&mut self, entries: &Entries, id: TaskId) -> Option<u32> {
        self.slots
            .find_entry(self.hasher.hash_one(id), |&s| Self::id_at(entries, s) == id)
            .ok()
            .map(|found| found.remove().0)
    }
}

/// Slots per chunk of [`Entries`].
const CHUNK: usize = 4096;

/// The entries by slot, in chunks of [`CHUNK`] slots, so that the storage grows without moving:
/// a `Vec` that doubles copies every entry and holds both copies for a moment, which was the
/// peak of the server's memory (15 MiB more for an instant as a tenant passed 131,072 tasks).
#[derive(Default)]
struct Entries {
    chunks: Vec<Box<[Option<Entry>]>>,
    len: u32,
}

impl Entries {
    /// Adds an empty slot and returns it.
    fn grow(&mut self) -> u32 {
        if self.len as usize == self.chunks.len() * CHUNK {
            self.chunks
                .push(std::iter::repeat_with(|| None).take(CHUNK).collect());
        }
        self.len += 1;
        self.len - 1
    }

    fn get(&self, slot: u32) -> Option<&Option<Entry>> {
        let (chunk, at) = self.locate(slot)?;
        Some(&self.chunks[chunk][at])
    }

    /// The chunk and the place in it of `slot`, if it was given out.
    fn locate(&self, slot: u32) -> Option<(usize, usize)> {
        let slot = slot as usize;
        (slot < self.len as usize).then_some((slot / CHUNK, slot % CHUNK))
    }
}

impl std::ops::Index<u32> for Entries {
    type Output = Option<Entry>;

    fn index(&self, slot: u32) -> &Option<Entry> {
        self.get(slot).expect("a slot the tenant gave out")
    }
}

impl std::ops::IndexMut<u32> for Entries {
    fn index_mut(&mut self, slot: u32) -> &mut Option<Entry> {
        let (chunk, at) = self.locate(slot).expect("a slot the tenant gave out");
        &mut self.chunks[chunk][at]
    }
}

#[cfg(test)]
mod tests {
    use super::{CHUNK, Entries, IndexRow, Priority, Status, Tenant, Timestamp};

    fn row(n: u32, status: Status, deleted: bool) -> IndexRow {
        IndexRow {
            deleted,
            id: uuid::Uuid::from_u128(u128::from(n) + 1).into(),
            row: Some(i64::from(n) + 1),
            project: uuid::Uuid::from_u128(1 << 100).into(),
            status,
            priority: Priority::Medium,
            assignee: None,
            creator: None,
            due: None,
            created_at: Timestamp::from_millis(i64::from(n)),
            updated_at: Timestamp::from_millis(i64::from(n)),
            title: format!("task {n}"),
            description: String::new(),
            changed: 0,
        }
    }

    /// The id-to-slot table, past several of its growths: a changed task keeps one slot, a
    /// deleted one frees its slot, and every id is still found.
    #[test]
    fn every_task_is_found_by_id_as_the_table_grows() {
        const TASKS: u32 = 3 * CHUNK as u32;
        let mut tenant = Tenant::default();
        for n in 0..TASKS {
            tenant.apply(row(n, Status::Todo, false));
        }
        for n in 0..TASKS {
            tenant.apply(row(n, Status::Done, false));
        }
        assert_eq!(tenant.live.len(), u64::from(TASKS));
        assert!(tenant.free.len() <= 1, "a change reuses the slot it freed");
        for n in (0..TASKS).step_by(2) {
            tenant.apply(row(n, Status::Done, true));
        }
        assert_eq!(tenant.live.len(), u64::from(TASKS / 2));
        assert_eq!(tenant.by_id.slots.len(), (TASKS / 2) as usize);
        for n in 0..TASKS {
            let id = row(n, Status::Done, false).id;
            let slot = tenant.by_id.remove(&tenant.entries, id);
            assert_eq!(slot.is_some(), n % 2 == 1, "task {n}");
            if let Some(slot) = slot {
                assert_eq!(
                    tenant.entry(slot).map(|e| (e.id, e.status)),
                    Some((id, Status::Done))
                );
            }
        }
    }

    #[test]
    fn an_entry_takes_80_bytes() {
        assert_eq!(std::mem::size_of::<Option<super::Entry>>(), 80);
    }

    #[test]
    fn entries_grow_past_a_chunk_without_moving_the_first() {
        let mut entries = Entries::default();
        assert_eq!(entries.grow(), 0);
        let first: *const _ = &entries[0];
        for slot in 1..=CHUNK as u32 {
            assert_eq!(entries.grow(), slot);
        }
        assert!(
            std::ptr::eq(first, &entries[0]),
            "the first chunk stayed put"
        );
        assert_eq!(entries.chunks.len(), 2);
        assert!(entries.get(CHUNK as u32).is_some_and(Option::is_none));
        assert!(
            entries.get(CHUNK as u32 + 1).is_none(),
            "past the last slot"
        );
    }
}
