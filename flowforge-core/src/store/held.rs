//! A pooled SQLite connection that one thread holds for its reads: they share one read
//! transaction (one snapshot) and never wait for the pool. A server holds one to run a short
//! read on the thread that took the request instead of handing it to another thread.

use std::cell::RefCell;
use std::marker::PhantomData;
use std::sync::Arc;

use r2d2::PooledConnection;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::Connection;

use super::group_commit::GroupCommit;
use super::sqlite::{Pool, exec};
use super::{Tx, budget};
use crate::error::Result;

thread_local! {
    static HELD: RefCell<Option<Held>> = const { RefCell::new(None) };
}

struct Held {
    /// The writer gate of the pool the connection came from (which names the pool while the
    /// connection lives): a read of another store goes its usual way.
    pool: Arc<GroupCommit>,
    conn: PooledConnection<SqliteConnectionManager>,
}

impl Held {
    fn of(&self, pool: &Pool) -> bool {
        Arc::ptr_eq(&self.pool, pool.writer())
    }
}

/// While it lives, this thread's reads of its FlowForge run on one pooled connection, in one
/// read transaction, and a write ends that transaction so the next read sees it. Dropping it
/// ends the transaction and gives the connection back. It stays on the thread that took it.
#[must_use = "the connection is held only while the guard lives"]
pub struct HeldReader {
    _not_send: PhantomData<*const ()>,
}

/// Holds a free connection of `pool` for this thread; `None` when this thread holds one
/// already, or fewer than two are free now: one stays for the threads that wait for the pool,
/// writers among them (so a pool of one, an in-memory database's, never lends its connection,
/// which this thread's own write would then wait for).
pub(super) fn hold(pool: &Pool) -> Option<HeldReader> {
    HELD.with_borrow_mut(|slot| {
        if slot.is_some() || pool.idle() < 2 {
            return None;
        }
        let conn = pool.try_get()?;
        // A connection is given back outside any transaction; should one not be, its
        // transaction ends here rather than lend its snapshot.
        end(&conn);
        *slot = Some(Held {
            pool: Arc::clone(pool.writer()),
            conn,
        });
        Some(HeldReader {
            _not_send: PhantomData,
        })
    })
}

/// Runs the read `f` on the connection this thread holds of `pool`, in its open transaction
/// (begun here if none is); `None`, without running `f`, when the thread holds none. A read
/// nested in `f` finds nothing held and takes a connection of its own.
pub(super) fn read<T>(pool: &Pool, f: &mut impl FnMut(&Tx<'_>) -> Result<T>) -> Option<Result<T>> {
    let held = HELD.with_borrow_mut(|slot| slot.take_if(|held| held.of(pool)))?;
    // Put back however `f` ends, a panic included, so that the guard's drop ends the
    // transaction before the connection returns to the pool.
    let back = PutBack(Some(held));
    let conn = &back.0.as_ref()?.conn;
    let out = begin(conn)
        .map_err(Into::into)
        .and_then(|()| f(&Tx::Sqlite(conn)));
    Some(out)
}

/// Gives a taken connection back to this thread's slot when dropped.
struct PutBack(Option<Held>);

impl Drop for PutBack {
    fn drop(&mut self) {
        let held = self.0.take();
        HELD.with_borrow_mut(|slot| *slot = held);
    }
}

/// Ends the read transaction of the connection this thread holds of `pool`, if any, so that
/// the next read sees the write just made.
pub(super) fn end_snapshot(pool: &Pool) {
    HELD.with_borrow(|slot| {
        if let Some(held) = slot.as_ref().filter(|held| held.of(pool)) {
            end(&held.conn);
        }
    });
}

fn begin(conn: &Connection) -> rusqlite::Result<()> {
    if conn.is_autocommit() {
        exec(conn, "BEGIN DEFERRED")?;
    }
    Ok(())
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
        budget::bounded(f)
    }
}

impl Drop for HeldReader {
    fn drop(&mut self) {
        if let Some(held) = HELD.with_borrow_mut(Option::take) {
            end(&held.conn);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::thread;

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
        let all: Vec<_> = (0..POOL_SIZE).map(|_| sqlite(&store).try_get()).collect();
        assert!(
            all.iter().all(Option::is_some),
            "the held connection went back to the pool"
        );
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
