//! A pooled SQLite connection that one thread holds for its reads: they share one read
//! transaction (one snapshot) and never wait for the pool. A server holds one to run a short
//! read on the thread that took the request instead of handing it to another thread.
//!
//! When the guard is dropped the thread keeps the connection, its snapshot open, for its next
//! hold: beginning and ending a read transaction takes the lock of SQLite's WAL index (an
//! `fcntl` and, with two threads reading, a contended mutex) and the pool's, more than a short
//! read costs. The next hold reuses the snapshot only while no write transaction of this
//! store (this process's handle on the database) has ended since it began and for at most
//! [`SNAPSHOT_REUSE`]: a request answered after a write made through the store sees it, and a
//! write made elsewhere (another process) is seen within that bound. A connection is kept only
//! while two others stay free, as when it was taken. [`end_parked_reads`] gives it back (a
//! server calls it when a worker thread goes idle), a thread that ends or a read that panicked
//! gives it back too, and the checkpointer ends the kept snapshots of its database that writes
//! made stale before it copies the WAL, and all of them before it starts the WAL over (a
//! snapshot keeps the frames after it from being copied, and the WAL from starting over).

use std::cell::RefCell;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use r2d2::PooledConnection;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::Connection;

use super::group_commit::GroupCommit;
use super::sqlite::{Pool, exec};
use super::{Tx, budget};
use crate::error::Result;

/// How long a kept snapshot may serve the holds that follow it: what another process's write
/// may wait to be seen by this one's held reads.
const SNAPSHOT_REUSE: Duration = Duration::from_millis(1);

/// The connection a thread held last, kept for its next hold where the checkpointer can reach
/// it too.
type Slot = Arc<Mutex<Option<Held>>>;

thread_local! {
    static HELD: RefCell<Option<Held>> = const { RefCell::new(None) };
    static PARKED: Slot = parking_slot();
}

/// Every thread's [`PARKED`] slot, while the thread lives.
static SLOTS: Mutex<Vec<Weak<Mutex<Option<Held>>>>> = Mutex::new(Vec::new());

/// A new thread's slot, listed in [`SLOTS`].
fn parking_slot() -> Slot {
    let slot = Slot::default();
    let mut slots = SLOTS.lock().unwrap_or_else(PoisonError::into_inner);
    slots.retain(|s| s.strong_count() > 0);
    slots.push(Arc::downgrade(&slot));
    slot
}

/// Takes what this thread keeps in its slot.
fn unpark() -> Option<Held> {
    PARKED.with(|slot| slot.lock().unwrap_or_else(PoisonError::into_inner).take())
}

/// Which kept snapshots [`end_parked`] ends.
pub(super) enum Kept {
    /// Those a hold would not reuse: a write ended since they began, or they are too old.
    Stale,
    /// All of them.
    All,
}

/// Ends the `which` snapshots kept, and not in use, on connections of the pool `gate` guards,
/// and gives those connections back.
pub(super) fn end_parked(gate: &GroupCommit, which: &Kept) {
    let slots: Vec<Slot> = SLOTS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .filter_map(Weak::upgrade)
        .collect();
    for slot in slots {
        let mut kept = slot.lock().unwrap_or_else(PoisonError::into_inner);
        let ends = kept.as_ref().is_some_and(|held| {
            std::ptr::eq(&*held.pool, gate)
                && match which {
                    Kept::Stale => !held.fresh(),
                    Kept::All => true,
                }
        });
        if ends {
            drop(kept.take());
        }
    }
}

struct Held {
    /// The writer gate of the pool the connection came from (which names the pool while the
    /// connection lives): a read of another store goes its usual way.
    pool: Arc<GroupCommit>,
    /// The pool's connections, to see how many are free.
    connections: r2d2::Pool<SqliteConnectionManager>,
    conn: PooledConnection<SqliteConnectionManager>,
    /// When its open read transaction began, if one is open.
    snapshot: Option<Snapshot>,
    /// A read on it panicked: it goes back to the pool rather than serve another.
    panicked: bool,
}

/// When a read transaction began: the count of its pool's ended write transactions read just
/// before, and the time.
#[derive(Clone, Copy)]
struct Snapshot {
    commits: u64,
    begun: Instant,
}

impl Held {
    fn of(&self, pool: &Pool) -> bool {
        Arc::ptr_eq(&self.pool, pool.writer())
    }

    /// Begins a read transaction unless one is open.
    fn begin(&mut self) -> rusqlite::Result<()> {
        if self.conn.is_autocommit() {
            let commits = self.pool.commits();
            exec(&self.conn, "BEGIN DEFERRED")?;
            self.snapshot = Some(Snapshot {
                commits,
                begun: Instant::now(),
            });
        }
        Ok(())
    }

    /// Ends the open read transaction, if any.
    fn end(&mut self) {
        end(&self.conn);
        self.snapshot = None;
    }

    /// Whether its open read transaction may serve a hold: no write of its pool has ended since
    /// it began, less than [`SNAPSHOT_REUSE`] ago.
    fn fresh(&self) -> bool {
        self.snapshot
            .is_some_and(|s| s.commits == self.pool.commits() && s.begun.elapsed() < SNAPSHOT_REUSE)
    }

    /// Ends the open read transaction unless it is [`Held::fresh`].
    fn end_if_stale(&mut self) {
        if !self.fresh() {
            self.end();
        }
    }
}

impl Drop for Held {
    /// A connection goes back to the pool outside any transaction.
    fn drop(&mut self) {
        end(&self.conn);
    }
}

/// While it lives, this thread's reads of its FlowForge run on one pooled connection, in one
/// read transaction, and a write ends that transaction so the next read sees it. Dropping it
/// keeps the connection and its snapshot for this thread's next hold (see the module's doc).
/// It stays on the thread that took it.
#[must_use = "the connection is held only while the guard lives"]
pub struct HeldReader {
    _not_send: PhantomData<*const ()>,
}

/// Holds a connection of `pool` for this thread: the one it kept from its last hold, its
/// snapshot still open if it may serve, while another stays free; else a free one while two
/// are. `None` when this thread holds one already or none is to be had: one stays free for the
/// threads that wait for the pool, writers among them (so a pool of one, an in-memory
/// database's, never lends its connection, which this thread's own write would then wait for).
pub(super) fn hold(pool: &Pool) -> Option<HeldReader> {
    HELD.with_borrow_mut(|slot| {
        if slot.is_some() {
            return None;
        }
        let held = match unpark() {
            Some(mut kept) if kept.of(pool) && pool.idle() >= 1 => {
                kept.end_if_stale();
                kept
            }
            // Another store's, or one the pool's waiters need, goes back to its pool.
            _ if pool.idle() < 2 => return None,
            _ => {
                let conn = pool.try_get()?;
                // A connection is given back outside any transaction; should one not be, its
                // transaction ends here rather than lend its snapshot.
                end(&conn);
                Held {
                    pool: Arc::clone(pool.writer()),
                    connections: pool.connections().clone(),
                    conn,
                    snapshot: None,
                    panicked: false,
                }
            }
        };
        *slot = Some(held);
        Some(HeldReader {
            _not_send: PhantomData,
        })
    })
}

/// Ends the read snapshot this thread kept from its last held read and gives its connection
/// back to the pool. A server calls it when a worker thread goes idle, so that no snapshot
/// outlives the requests it served (an open one keeps SQLite from starting its WAL over).
pub fn end_parked_reads() {
    drop(unpark());
}

/// Runs the read `f` on the connection this thread holds of `pool`, in its open transaction
/// (begun here if none is); `None`, without running `f`, when the thread holds none. A read
/// nested in `f` finds nothing held and takes a connection of its own.
pub(super) fn read<T>(pool: &Pool, f: &mut impl FnMut(&Tx<'_>) -> Result<T>) -> Option<Result<T>> {
    let held = HELD.with_borrow_mut(|slot| slot.take_if(|held| held.of(pool)))?;
    // Put back however `f` ends, a panic included, so that the guard's drop ends the
    // transaction before the connection returns to the pool.
    let mut back = PutBack(Some(held));
    let held = back.0.as_mut()?;
    let out = held
        .begin()
        .map_err(Into::into)
        .and_then(|()| f(&Tx::Sqlite(&held.conn)));
    Some(out)
}

/// Gives a taken connection back to this thread's slot when dropped, marked if the read on it
/// panicked.
struct PutBack(Option<Held>);

impl Drop for PutBack {
    fn drop(&mut self) {
        let mut held = self.0.take();
        if let Some(held) = held.as_mut() {
            held.panicked |= std::thread::panicking();
        }
        HELD.with_borrow_mut(|slot| *slot = held);
    }
}

/// Ends the read transaction of the connection this thread holds of `pool`, if any, so that
/// the next read sees the write just made.
pub(super) fn end_snapshot(pool: &Pool) {
    HELD.with_borrow_mut(|slot| {
        if let Some(held) = slot.as_mut().filter(|held| held.of(pool)) {
            held.end();
        }
    });
}

/// Ends a read transaction; it changed nothing, so a failed `COMMIT` is rolled back instead.
fn end(conn: &Connection) {
    if !conn.is_autocommit() && exec(conn, "COMMIT").is_err() {
        let _ = exec(conn, "ROLLBACK");
    }
}

impl HeldReader {
    /// Runs the read `f` as bounded work, fit for a thread that must not stall: its statements
    /// and the task index's work stop once they would pass a budget (some 20,000 steps of
    /// SQLite's virtual machine, and about half a millisecond of the index's own work). `None`
    /// says they would have: `f` stopped having only read, and should run again where it may
    /// take its time.
    pub fn bounded<T>(&self, f: impl FnOnce() -> Result<T>) -> Option<Result<T>> {
        let out = budget::bounded(f);
        if out.is_none() {
            // The read may have stopped for its snapshot (a task index already past it): the
            // next hold begins a new one.
            HELD.with_borrow_mut(|slot| {
                if let Some(held) = slot.as_mut() {
                    held.end();
                }
            });
        }
        out
    }
}

impl Drop for HeldReader {
    /// Keeps the connection, and its snapshot, for this thread's next hold while two others
    /// stay free; gives it back otherwise, or after a panic (its reads may have stopped
    /// anywhere).
    fn drop(&mut self) {
        if let Some(held) = HELD.with_borrow_mut(Option::take)
            && !held.panicked
            && !std::thread::panicking()
            && held.connections.state().idle_connections >= 2
        {
            PARKED.with(|slot| *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(held));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::thread;
    use std::time::{Duration, Instant};

    use super::{Kept, PARKED, SNAPSHOT_REUSE, end_parked_reads};

    use crate::store::sqlite::POOL_SIZE;
    use crate::store::{Database, Pool, Store, Synchronous};

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let database = Database::File(dir.path().join("held.db"));
        let store = Store::open(&database, Synchronous::default()).unwrap();
        store
            .write(|tx| tx.execute("CREATE TABLE scratch (n INTEGER)", &[]))
            .unwrap();
        (dir, store)
    }

    fn count(store: &Store) -> i64 {
        store
            .read(|tx| tx.one("SELECT count(*) FROM scratch", &[]))
            .unwrap()
    }

    fn insert(store: &Store) {
        store
            .write(|tx| tx.execute("INSERT INTO scratch VALUES (1)", &[]))
            .unwrap();
    }

    fn sqlite(store: &Store) -> &crate::store::sqlite::Pool {
        match &store.pool {
            Pool::Sqlite(pool) => pool,
            #[cfg(feature = "postgres")]
            Pool::Postgres(_) => unreachable!("a file database is SQLite"),
        }
    }

    fn elsewhere<T: Send>(f: impl FnOnce() -> T + Send) -> T {
        thread::scope(|s| s.spawn(f).join().unwrap())
    }

    #[test]
    fn held_reads_share_one_snapshot_until_this_thread_writes() {
        let (_dir, store) = store();
        let held = store.hold_reader().unwrap();
        assert_eq!(count(&store), 0);
        elsewhere(|| insert(&store));
        assert_eq!(elsewhere(|| count(&store)), 1);
        assert_eq!(
            count(&store),
            0,
            "the held reads see the snapshot of the first"
        );
        insert(&store);
        assert_eq!(count(&store), 2, "this thread's write ends the snapshot");
        elsewhere(|| insert(&store));
        assert_eq!(count(&store), 2);
        drop(held);
        assert_eq!(count(&store), 3, "dropping the guard ends the snapshot");
    }

    #[test]
    fn a_reader_is_held_only_while_another_connection_stays_free_and_once_per_thread() {
        let (_dir, store) = store();
        let held = store.hold_reader().unwrap();
        assert!(store.hold_reader().is_none(), "one per thread");
        elsewhere(|| {
            let mut taken: Vec<_> = (2..POOL_SIZE)
                .map(|_| sqlite(&store).get().unwrap())
                .collect();
            assert!(store.hold_reader().is_none(), "one connection is free");
            taken.pop();
            assert!(store.hold_reader().is_some(), "two are");
        });
        assert_eq!(count(&store), 0);
        drop(held);
        let free = || {
            (0..POOL_SIZE)
                .map(|_| sqlite(&store).try_get())
                .collect::<Vec<_>>()
        };
        let all = free();
        assert_eq!(
            all.iter().filter(|c| c.is_some()).count(),
            POOL_SIZE as usize - 1,
            "the thread keeps the held connection for its next hold"
        );
        drop(all);
        end_parked_reads();
        assert!(
            free().iter().all(Option::is_some),
            "the kept connection went back to the pool"
        );
    }

    /// Sets the time the kept snapshot began to `at` ago.
    fn kept_since(at: Duration) {
        PARKED.with(|slot| {
            let mut kept = slot.lock().unwrap();
            let snapshot = kept.as_mut().unwrap().snapshot.as_mut().unwrap();
            snapshot.begun = Instant::now() - at;
        });
    }

    /// A write of another process (a connection of its own): seen by this one's held reads
    /// only once their kept snapshot is too old to serve.
    fn insert_elsewhere(dir: &tempfile::TempDir) {
        let other = rusqlite::Connection::open(dir.path().join("held.db")).unwrap();
        other.execute("INSERT INTO scratch VALUES (1)", []).unwrap();
    }

    #[test]
    fn a_kept_snapshot_serves_the_next_hold_until_a_write_ends_or_it_grows_old() {
        let (dir, store) = store();
        let held_count = || {
            let _held = store.hold_reader().unwrap();
            count(&store)
        };
        assert_eq!(held_count(), 0);
        insert_elsewhere(&dir);
        kept_since(Duration::ZERO);
        assert_eq!(held_count(), 0, "the kept snapshot serves the next hold");
        kept_since(SNAPSHOT_REUSE);
        assert_eq!(held_count(), 1, "one as old as the bound does not");
        elsewhere(|| insert(&store));
        kept_since(Duration::ZERO);
        assert_eq!(
            held_count(),
            2,
            "nor one begun before a write of this process"
        );
        end_parked_reads();
        assert_eq!(count(&store), 2);
    }

    #[test]
    fn kept_snapshots_end_for_the_checkpointer_and_with_their_thread() {
        let (_dir, store) = store();
        let autocommit_and_free = |store: &Store| {
            let all: Vec<_> = (0..POOL_SIZE).map(|_| sqlite(store).try_get()).collect();
            all.iter()
                .all(|c| c.as_ref().is_some_and(|c| c.is_autocommit()))
        };
        elsewhere(|| {
            let _held = store.hold_reader().unwrap();
            count(&store)
        });
        assert!(
            autocommit_and_free(&store),
            "a thread that ends gives it back"
        );
        {
            let _held = store.hold_reader().unwrap();
            count(&store);
        }
        assert!(!autocommit_and_free(&store), "this thread keeps one");
        let gate = sqlite(&store).writer();
        super::end_parked(gate, &Kept::Stale);
        assert!(!autocommit_and_free(&store), "a fresh one stays for a copy");
        kept_since(SNAPSHOT_REUSE);
        super::end_parked(gate, &Kept::Stale);
        assert!(autocommit_and_free(&store), "a stale one goes back");
        {
            let _held = store.hold_reader().unwrap();
            count(&store);
        }
        super::end_parked(gate, &Kept::All);
        assert!(
            autocommit_and_free(&store),
            "and every one before the WAL starts over"
        );
    }

    /// A read that panics under a held guard, the panic caught inside it (as a server catches
    /// a handler's), gives the connection back rather than keep it for the next hold.
    #[test]
    fn a_connection_whose_read_panicked_is_not_kept() {
        let (_dir, store) = store();
        let held = store.hold_reader().unwrap();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            store.read::<()>(|tx| {
                tx.one::<i64>("SELECT count(*) FROM scratch", &[])?;
                panic!("a read that fails its own assertion");
            })
        }));
        assert!(outcome.is_err());
        drop(held);
        assert!(PARKED.with(|slot| slot.lock().unwrap().is_none()));
        let all: Vec<_> = (0..POOL_SIZE)
            .map(|_| sqlite(&store).try_get().unwrap())
            .collect();
        assert!(all.iter().all(|conn| conn.is_autocommit()));
    }

    /// A connection is kept only while two others stay free, as when it was taken.
    #[test]
    fn a_connection_is_kept_only_while_two_others_are_free() {
        let (_dir, store) = store();
        let held = store.hold_reader().unwrap();
        count(&store);
        let taken: Vec<_> = (2..POOL_SIZE)
            .map(|_| sqlite(&store).get().unwrap())
            .collect();
        drop(held);
        assert!(PARKED.with(|slot| slot.lock().unwrap().is_none()));
        assert_eq!(sqlite(&store).idle(), 2);
        drop(taken);
    }

    #[test]
    fn a_panic_in_a_held_read_gives_the_connection_back_outside_its_transaction() {
        let (_dir, store) = store();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _held = store.hold_reader().unwrap();
            store.read::<()>(|tx| {
                tx.one::<i64>("SELECT count(*) FROM scratch", &[])?;
                panic!("a read that fails its own assertion");
            })
        }));
        assert!(outcome.is_err());
        let all: Vec<_> = (0..POOL_SIZE)
            .map(|_| sqlite(&store).try_get().unwrap())
            .collect();
        assert!(all.iter().all(|conn| conn.is_autocommit()));
        drop(all);
        insert(&store);
        assert_eq!(count(&store), 1);
    }

    /// A bounded read stops once its statements pass the budget, and nothing of the budget
    /// stays behind: the same statement runs whole outside a bounded read, on the same
    /// connection.
    #[test]
    fn a_bounded_read_stops_at_its_budget_and_only_there() {
        let (_dir, store) = store();
        let steps =
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 100000)
                     SELECT count(*) FROM n";
        let held = store.hold_reader().unwrap();
        assert!(
            held.bounded(|| store.read(|tx| tx.one::<i64>(steps, &[])))
                .is_none()
        );
        let small =
            held.bounded(|| store.read(|tx| tx.one::<i64>("SELECT count(*) FROM scratch", &[])));
        assert_eq!(small.unwrap().unwrap(), 0);
        assert_eq!(store.read(|tx| tx.one::<i64>(steps, &[])).unwrap(), 100_000);
        let nested = held.bounded(|| {
            let inner = held.bounded(|| store.read(|tx| tx.one::<i64>(steps, &[])));
            Ok(inner.is_none())
        });
        assert!(
            nested.is_none(),
            "a nested read spends the enclosing budget"
        );
        drop(held);
        assert_eq!(store.read(|tx| tx.one::<i64>(steps, &[])).unwrap(), 100_000);
    }

    /// A bounded read only reads: a write stops it before it starts, so that running the read
    /// again elsewhere does not write twice.
    #[test]
    fn a_write_stops_a_bounded_read_before_it_starts() {
        let (_dir, store) = store();
        let held = store.hold_reader().unwrap();
        let write = || store.write(|tx| tx.execute("INSERT INTO scratch VALUES (1)", &[]));
        assert!(held.bounded(write).is_none());
        drop(held);
        assert_eq!(count(&store), 0);
    }

    #[test]
    fn an_in_memory_database_never_lends_its_one_connection() {
        let store = Store::open(&Database::Memory, Synchronous::default()).unwrap();
        assert!(store.hold_reader().is_none());
    }
}
