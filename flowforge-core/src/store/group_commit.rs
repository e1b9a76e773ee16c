//! Group commit for SQLite, which runs one write transaction at a time. While writers queue, each
//! runs its transaction as a savepoint of one open transaction, and the last of them commits it
//! for all: the pages several writes share (the tail of a table, of an index, of the event log)
//! go to the WAL once per group instead of once per write, and `synchronous = full` syncs once per
//! group. A write that fails is rolled back to its savepoint and answers its own error; the
//! others go on. No write answers before the commit that holds it: if that commit fails, every
//! write of the group answers the error and none of them is kept.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use r2d2::PooledConnection;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::Connection;

use super::Tx;
use super::sqlite::exec;
use crate::error::{Error, Result};

/// The most writes one transaction holds, which bounds how long the first of them waits.
const MOST_PER_GROUP: usize = 32;

type Conn = PooledConnection<SqliteConnectionManager>;

/// The gate SQLite writers of one pool pass one at a time, and the transaction they share.
#[derive(Default)]
pub(super) struct GroupCommit {
    open: Mutex<Option<Group>>,
    /// Writers waiting for `open`: while any wait, a writer leaves the transaction open for them.
    queued: AtomicUsize,
    /// Write transactions ended here, counted once each has ended and before its writes answer
    /// (a failed `COMMIT` too: what it left is not assumed): a read snapshot begun at one count
    /// has seen every write of this pool while the count stays the same (see `held.rs`).
    commits: AtomicU64,
}

/// The open transaction.
struct Group {
    conn: Conn,
    /// Writes in it that succeeded.
    members: usize,
    outcome: Arc<Outcome>,
}

/// How a group's transaction ended, for the writes that wait on it.
#[derive(Default)]
struct Outcome {
    /// `None` until it ends; then `Ok` once committed, or why it failed.
    ended: Mutex<Option<std::result::Result<(), Failure>>>,
    settled: Condvar,
}

/// A failed commit, told to each write of the group.
#[derive(Debug, Clone)]
struct Failure {
    retry_after: Option<u64>,
    message: String,
}

#[derive(Debug, thiserror::Error)]
#[error("the transaction this write was grouped into failed: {0}")]
struct GroupFailed(String);

impl Failure {
    fn new(retry_after: Option<u64>, message: &str) -> Self {
        Self {
            retry_after,
            message: message.to_owned(),
        }
    }

    fn of(e: &Error) -> Self {
        let (retry_after, message) = match e {
            Error::Unavailable {
                retry_after, cause, ..
            } => (Some(*retry_after), cause.to_string()),
            Error::Internal(cause) => (None, cause.to_string()),
            other => (None, other.to_string()),
        };
        Self {
            retry_after,
            message,
        }
    }

    fn error(&self) -> Error {
        let cause = Box::new(GroupFailed(self.message.clone()));
        match self.retry_after {
            Some(retry_after) => Error::Unavailable { retry_after, cause },
            None => Error::Internal(cause),
        }
    }
}

impl GroupCommit {
    /// Runs `f` as one write: in the open transaction, or in one it begins on a connection from
    /// `connect`. Returns once the transaction holding it has ended: `f`'s value if it committed,
    /// else the error.
    pub(super) fn write<T>(
        &self,
        connect: impl FnOnce() -> Result<Conn>,
        f: impl FnOnce(&Tx<'_>) -> Result<T>,
    ) -> Result<T> {
        self.queued.fetch_add(1, Ordering::SeqCst);
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        self.queued.fetch_sub(1, Ordering::SeqCst);
        let mut group = match open.take() {
            Some(group) => group,
            None => {
                let conn = connect()?;
                exec(&conn, "BEGIN IMMEDIATE")?;
                Group {
                    conn,
                    members: 0,
                    outcome: Arc::default(),
                }
            }
        };
        let result = match catch_unwind(AssertUnwindSafe(|| in_savepoint(&group.conn, f))) {
            Ok(result) => result,
            Err(panic) => {
                end(group, Err(Failure::new(None, "a write panicked")));
                resume_unwind(panic);
            }
        };
        let outcome = Arc::clone(&group.outcome);
        let out = match result {
            Ok(Ok(out)) => {
                group.members += 1;
                out
            }
            Ok(Err(e)) => {
                // Rolled back to its savepoint: the group goes on without it.
                self.settle(open, group);
                return Err(e);
            }
            Err(e) => {
                // SQLite rolled the whole transaction back, or could not roll back to the
                // savepoint: every write of the group fails.
                end(group, Err(Failure::of(&e)));
                return Err(e);
            }
        };
        self.settle(open, group);
        let mut ended = outcome.ended.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            match &*ended {
                Some(Ok(())) => return Ok(out),
                Some(Err(failure)) => return Err(failure.error()),
                None => {
                    ended = outcome
                        .settled
                        .wait(ended)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            }
        }
    }

    /// After a write: leaves the transaction open for the next writer if one waits and the group
    /// has room, else ends it (committing what it holds).
    fn settle(&self, mut open: MutexGuard<'_, Option<Group>>, group: Group) {
        if self.queued.load(Ordering::SeqCst) > 0 && group.members < MOST_PER_GROUP {
            *open = Some(group);
            return;
        }
        self.close(group);
    }

    /// How many write transactions have ended here so far.
    pub(super) fn commits(&self) -> u64 {
        self.commits.load(Ordering::Acquire)
    }

    /// Ends `group`, committing what it holds.
    fn close(&self, group: Group) {
        let ended = if group.members == 0 {
            exec(&group.conn, "ROLLBACK")
        } else {
            let committed = exec(&group.conn, "COMMIT");
            self.commits.fetch_add(1, Ordering::Release);
            committed
        };
        end(group, ended.map_err(|e| Failure::of(&Error::from(e))));
    }

    /// Runs `f` between two writes: ends the open transaction, if any, as a full group ends
    /// (its writes answer), and holds the gate while `f` runs, so that no write of this pool is
    /// in progress meanwhile.
    pub(super) fn between_writes<R>(&self, f: impl FnOnce() -> R) -> R {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(group) = open.take() {
            self.close(group);
        }
        f()
    }
}

/// Runs `f` in a savepoint of the open transaction on `conn`: the inner result is `f`'s (rolled
/// back to the savepoint when it failed); the outer error says the transaction itself is gone
/// (SQLite rolls a whole transaction back after some errors, a full disk among them), with `f`'s
/// error when it had one.
fn in_savepoint<T>(conn: &Connection, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<Result<T>> {
    exec(conn, "SAVEPOINT write")?;
    let result = f(&Tx::Sqlite(conn));
    if conn.is_autocommit() {
        return Err(result.err().unwrap_or_else(|| {
            Error::internal(GroupFailed("SQLite ended the transaction".into()))
        }));
    }
    if result.is_ok() {
        exec(conn, "RELEASE write")?;
    } else {
        exec(conn, "ROLLBACK TO write")?;
        exec(conn, "RELEASE write")?;
    }
    Ok(result)
}

/// Ends `group` as `ended` says (rolling it back unless it committed) and wakes its writers; its
/// connection goes back to the pool.
fn end(group: Group, ended: std::result::Result<(), Failure>) {
    if ended.is_err() && !group.conn.is_autocommit() {
        let _ = exec(&group.conn, "ROLLBACK");
    }
    *group
        .outcome
        .ended
        .lock()
        .unwrap_or_else(PoisonError::into_inner) = Some(ended);
    group.outcome.settled.notify_all();
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::thread;
    use std::time::{Duration, Instant};

    use r2d2_sqlite::SqliteConnectionManager;
    use rusqlite::Connection;

    use super::{Conn, GroupCommit};
    use crate::error::{Error, Result};
    use crate::store::Tx;

    type Pool = r2d2::Pool<SqliteConnectionManager>;

    /// A pool on a fresh database file with one table of names.
    fn pool() -> (tempfile::TempDir, Pool) {
        let dir = tempfile::tempdir().unwrap();
        let manager = SqliteConnectionManager::file(dir.path().join("g.db")).with_init(|c| {
            c.execute_batch("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000")
        });
        let pool = r2d2::Pool::builder().max_size(4).build(manager).unwrap();
        pool.get()
            .unwrap()
            .execute_batch("CREATE TABLE names (name TEXT PRIMARY KEY)")
            .unwrap();
        (dir, pool)
    }

    fn conn<'a>(tx: &'a Tx<'_>) -> &'a Connection {
        match tx {
            Tx::Sqlite(conn) => conn,
            #[cfg(feature = "postgres")]
            Tx::Postgres(_) => unreachable!("an SQLite test"),
        }
    }

    fn insert(tx: &Tx<'_>, name: &str) -> Result<()> {
        conn(tx).execute("INSERT INTO names VALUES (?)", [name])?;
        Ok(())
    }

    fn count(conn: &Connection) -> i64 {
        conn.query_row("SELECT COUNT(*) FROM names", [], |r| r.get(0))
            .unwrap()
    }

    /// The names committed, read on a connection of their own.
    fn committed(pool: &Pool) -> Vec<String> {
        let conn = pool.get().unwrap();
        let mut stmt = conn
            .prepare("SELECT name FROM names ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    /// Waits until `n` writers queue at the gate.
    fn until_queued(gate: &GroupCommit, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while gate.queued.load(Ordering::SeqCst) < n {
            assert!(Instant::now() < deadline, "the writers did not queue");
            thread::sleep(Duration::from_millis(1));
        }
    }

    /// The first writer of a group: inserts `a`, then holds the gate until another writer
    /// queues.
    fn first<'a>(
        gate: &'a GroupCommit,
        connect: impl FnOnce() -> Result<Conn> + Send + 'a,
    ) -> impl FnOnce() -> Result<()> + Send + 'a {
        move || {
            gate.write(connect, |tx| {
                insert(tx, "a")?;
                until_queued(gate, 1);
                Ok(())
            })
        }
    }

    /// Three writers in one group, in order: the [`first`]; the second runs `second`, then holds
    /// the gate until the third queues; the third inserts `c`. Their answers.
    fn three_writers(
        pool: &Pool,
        second: impl FnOnce(&Tx<'_>) -> Result<()> + Send,
    ) -> [Result<()>; 3] {
        let gate = GroupCommit::default();
        let second_runs = AtomicBool::new(false);
        let connect = || -> Result<Conn> { Ok(pool.get()?) };
        thread::scope(|s| {
            let (gate, second_runs) = (&gate, &second_runs);
            let a = s.spawn(first(gate, connect));
            let b = s.spawn(move || {
                thread::sleep(Duration::from_millis(20));
                gate.write(connect, |tx| {
                    second_runs.store(true, Ordering::SeqCst);
                    let result = second(tx);
                    until_queued(gate, 1);
                    result
                })
            });
            let c = s.spawn(move || {
                while !second_runs.load(Ordering::SeqCst) {
                    thread::sleep(Duration::from_millis(1));
                }
                gate.write(connect, |tx| insert(tx, "c"))
            });
            [a.join().unwrap(), b.join().unwrap(), c.join().unwrap()]
        })
    }

    #[test]
    fn queued_writes_share_one_transaction_that_others_see_only_once_committed() {
        let (_dir, pool) = pool();
        let [a, b, c] = three_writers(&pool, |tx| {
            // The first writer's row is here, uncommitted: not on another connection.
            assert_eq!(count(conn(tx)), 1);
            assert_eq!(count(&pool.get().unwrap()), 0);
            insert(tx, "b")
        });
        assert!(a.is_ok() && b.is_ok() && c.is_ok(), "{a:?} {b:?} {c:?}");
        assert_eq!(committed(&pool), ["a", "b", "c"]);
    }

    #[test]
    fn a_failed_write_of_a_group_leaves_nothing_and_the_others_are_kept() {
        let (_dir, pool) = pool();
        let [a, b, c] = three_writers(&pool, |tx| {
            insert(tx, "b")?;
            Err(Error::Conflict("b refused".into()))
        });
        assert!(a.is_ok() && c.is_ok(), "{a:?} {c:?}");
        assert!(matches!(b, Err(Error::Conflict(_))), "{b:?}");
        assert_eq!(committed(&pool), ["a", "c"]);
    }

    #[test]
    fn when_the_shared_transaction_is_lost_every_write_in_it_answers_an_error() {
        let (_dir, pool) = pool();
        // The second writer ends the transaction behind the savepoints' back, as SQLite does
        // after some errors: the first's row is gone with it.
        let [a, b, c] = three_writers(&pool, |tx| {
            conn(tx).execute_batch("ROLLBACK")?;
            Ok(())
        });
        assert!(matches!(a, Err(Error::Internal(_))), "{a:?}");
        assert!(b.is_err(), "{b:?}");
        assert!(c.is_ok(), "the next writer begins anew: {c:?}");
        assert_eq!(committed(&pool), ["c"]);
    }

    #[test]
    fn a_panicking_write_fails_its_group_and_the_gate_works_on() {
        let (_dir, pool) = pool();
        let gate = GroupCommit::default();
        let connect = || -> Result<Conn> { Ok(pool.get()?) };
        let (a, b) = thread::scope(|s| {
            let gate = &gate;
            let a = s.spawn(first(gate, connect));
            let b = s.spawn(move || {
                thread::sleep(Duration::from_millis(20));
                gate.write(connect, |_| -> Result<()> { panic!("a bug") })
            });
            (a.join().unwrap(), b.join())
        });
        assert!(b.is_err(), "the panic goes on to its caller");
        assert!(a.is_err(), "{a:?}");
        assert!(committed(&pool).is_empty());
        gate.write(connect, |tx| insert(tx, "after")).unwrap();
        assert_eq!(committed(&pool), ["after"]);
    }

    #[test]
    fn between_writes_commits_the_open_group_first_and_holds_the_gate() {
        let (_dir, pool) = pool();
        let gate = GroupCommit::default();
        // A group left open for a writer that has not taken the gate yet.
        let conn = pool.get().unwrap();
        super::exec(&conn, "BEGIN IMMEDIATE").unwrap();
        conn.execute("INSERT INTO names VALUES ('a')", []).unwrap();
        let outcome = std::sync::Arc::<super::Outcome>::default();
        *gate.open.lock().unwrap() = Some(super::Group {
            conn,
            members: 1,
            outcome: std::sync::Arc::clone(&outcome),
        });
        let seen = gate.between_writes(|| {
            assert!(gate.open.try_lock().is_err(), "the gate is held");
            committed(&pool)
        });
        assert_eq!(seen, ["a"]);
        assert!(matches!(*outcome.ended.lock().unwrap(), Some(Ok(()))));
        assert!(gate.open.lock().unwrap().is_none());
    }
}
