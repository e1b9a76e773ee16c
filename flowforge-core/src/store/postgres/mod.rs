//! The PostgreSQL backend (the `postgres` feature): a pool of synchronous clients, each keeping
//! the statements it has prepared, and transactions that run the same statements as SQLite with
//! `?` rewritten to `$n`; serializable writes are run again after a conflict. Converting
//! [`Value`]s is `convert.rs`'s job, reaching the server `connect.rs`'s, the schema
//! `migrate.rs`'s; `scratch.rs` holds the tests' scratch schemas (the `test-support` feature).
//! The server's errors that say it cannot take a write now become [`Error::Unavailable`] here.

mod connect;
mod convert;
mod migrate;
#[cfg(feature = "test-support")]
mod scratch;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use postgres::error::SqlState;
use postgres::types::ToSql;
use postgres::{Client, IsolationLevel, NoTls, Statement};
use r2d2_postgres::PostgresConnectionManager;
use rand::Rng;

use super::value::{Row, Value};
use super::{LOCKED_RETRY_AFTER, Mode, STORAGE_RETRY_AFTER, Tx};
use crate::error::{Error, Result};
use connect::{config, connect};
use migrate::run_migrations;

pub(super) use connect::conninfo;
pub(super) use migrate::{migrate, migrations};
#[cfg(feature = "test-support")]
pub use scratch::ScratchSchema;

/// A shared pool of PostgreSQL clients.
pub(crate) type Pool = Arc<Clients>;

/// The pool itself. A synchronous client closes its connection by blocking on a runtime of
/// its own, which panics on a thread that drives an async runtime; so the last owner (a server
/// shutting down, say) closes them on a thread of their own.
pub(crate) struct Clients(Option<r2d2::Pool<Manager>>);

/// r2d2_postgres's manager, with each client keeping the statements it has prepared, so that a
/// statement is parsed and planned once per connection rather than once per transaction.
pub(crate) struct Manager(PostgresConnectionManager<NoTls>);

/// A pooled client and the statements it has prepared, by SQL text.
pub(crate) struct Connection {
    client: Client,
    statements: HashMap<String, Statement>,
}

/// The most statements a connection keeps prepared; past it, it forgets them all (the list
/// queries' texts vary with their filters).
const STATEMENTS: usize = 512;

impl r2d2::ManageConnection for Manager {
    type Connection = Connection;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Connection, postgres::Error> {
        let mut client = self.0.connect()?;
        // As SQLite's busy timeout: a lock not had in this time fails the statement (55P03),
        // which the client gets as 503, instead of waiting without end.
        client.batch_execute("SET lock_timeout = '10s'")?;
        let statements = HashMap::new();
        Ok(Connection { client, statements })
    }

    fn is_valid(&self, conn: &mut Connection) -> Result<(), postgres::Error> {
        self.0.is_valid(&mut conn.client)
    }

    fn has_broken(&self, conn: &mut Connection) -> bool {
        self.0.has_broken(&mut conn.client)
    }
}

impl Clients {
    fn get(&self) -> Result<r2d2::PooledConnection<Manager>> {
        match &self.0 {
            Some(pool) => Ok(pool.get()?),
            None => unreachable!("the pool is taken only when dropped"),
        }
    }
}

impl Drop for Clients {
    fn drop(&mut self) {
        if let Some(pool) = self.0.take() {
            let _ = std::thread::spawn(move || drop(pool)).join();
        }
    }
}

const POOL_SIZE: u32 = 16;
/// How often a write that lost a serialization conflict is run again before giving up.
const RETRIES: u32 = 20;
/// A write that has lost this many conflicts runs alone: every write first locks the
/// `write_gate` table, in ROW EXCLUSIVE mode (writers side by side) or, from this attempt on,
/// EXCLUSIVE (alone; readers still read). A table lock, unlike a query, does not fix the
/// transaction's snapshot, so a write that waited for the gate sees every write before it and
/// cannot lose again.
const ALONE_AFTER: u32 = 4;

/// Migrates the database at `url`, then opens a pool of clients to it.
pub(super) fn open(url: &str) -> Result<Pool> {
    run_migrations(&mut connect(url)?)?;
    let manager = Manager(PostgresConnectionManager::new(config(url)?, NoTls));
    let pool = r2d2::Pool::builder()
        .max_size(POOL_SIZE)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(30))
        .build(manager)?;
    Ok(Arc::new(Clients(Some(pool))))
}

/// Runs `f` in a transaction of `mode` on a pooled client, committed if `f` succeeds; runs it
/// again after a serialization conflict or a deadlock (at most [`RETRIES`] times).
pub(super) fn run<T>(
    pool: &Pool,
    mode: Mode,
    mut f: impl FnMut(&Tx<'_>) -> Result<T>,
) -> Result<T> {
    let (level, read_only) = match mode {
        Mode::Read => (IsolationLevel::RepeatableRead, true),
        Mode::Write => (IsolationLevel::Serializable, false),
        Mode::Locking => (IsolationLevel::ReadCommitted, false),
    };
    let mut conn = pool.get()?;
    let mut attempt = 0;
    loop {
        let Connection { client, statements } = &mut *conn;
        if statements.len() > STATEMENTS {
            statements.clear();
        }
        let mut tx = client
            .build_transaction()
            .isolation_level(level)
            .read_only(read_only)
            .start()?;
        if mode == Mode::Write {
            let gate = if attempt < ALONE_AFTER {
                "LOCK TABLE write_gate IN ROW EXCLUSIVE MODE"
            } else {
                "LOCK TABLE write_gate IN EXCLUSIVE MODE"
            };
            tx.batch_execute(gate)?;
        }
        let tx = Tx::Postgres(std::cell::RefCell::new(PgTx { tx, statements }));
        let result = f(&tx).and_then(|out| {
            let Tx::Postgres(tx) = tx else {
                unreachable!("a PostgreSQL run holds a PostgreSQL transaction")
            };
            tx.into_inner().commit().map(|()| out)
        });
        if matches!(result, Err(Error::Internal(_) | Error::Unavailable { .. })) {
            // A statement may have gone stale (a migration changed its table, say): prepare
            // afresh after any database error.
            conn.statements.clear();
        }
        match result {
            Err(e) if attempt < RETRIES && is_retryable(&e) => {
                attempt += 1;
                // A short random pause, growing with the attempts, lets the winner finish.
                let pause = rand::rng().random_range(1..=5 * u64::from(attempt));
                std::thread::sleep(Duration::from_millis(pause));
            }
            // Conflicts that outlast every retry: contention, for the client to retry later.
            Err(Error::Internal(cause)) if is_retryable_cause(cause.as_ref()) => {
                return Err(Error::Unavailable {
                    retry_after: LOCKED_RETRY_AFTER,
                    cause,
                });
            }
            other => return other,
        }
    }
}

/// An open PostgreSQL transaction and the statements its connection has prepared.
pub(crate) struct PgTx<'c> {
    tx: postgres::Transaction<'c>,
    statements: &'c mut HashMap<String, Statement>,
}

impl PgTx<'_> {
    fn statement(&mut self, sql: &str) -> Result<Statement> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.tx.prepare(&numbered_placeholders(sql))?;
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    pub(super) fn each_row(
        &mut self,
        sql: &str,
        params: &[Value],
        f: &mut dyn FnMut(&Row) -> Result<()>,
    ) -> Result<()> {
        use postgres::fallible_iterator::FallibleIterator;
        let statement = self.statement(sql)?;
        let params = params.iter().map(|v| v as &(dyn ToSql + Sync));
        let mut rows = self.tx.query_raw(&statement, params)?;
        while let Some(row) = rows.next()? {
            let values = (0..row.len())
                .map(|i| row.try_get::<_, Value>(i))
                .collect::<Result<Vec<_>, _>>()?;
            f(&Row(&values))?;
        }
        Ok(())
    }

    pub(super) fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let statement = self.statement(sql)?;
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|v| v as _).collect();
        Ok(self.tx.execute(&statement, &params)?)
    }

    pub(super) fn commit(self) -> Result<()> {
        Ok(self.tx.commit()?)
    }
}

/// `sql` with its `?` placeholders numbered `$1`, `$2`... (none occurs inside a quoted string).
fn numbered_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    let mut quote = None;
    for c in sql.chars() {
        match (c, quote) {
            ('\'' | '"', None) => quote = Some(c),
            (c, Some(q)) if c == q => quote = None,
            ('?', None) => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// Whether `e` is a violated unique or primary-key constraint.
pub(super) fn is_unique_violation(e: &postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

/// Whether `e` is a serialization conflict or a deadlock: the transaction may succeed if run again.
fn is_retryable(e: &Error) -> bool {
    match e {
        Error::Internal(source) => is_retryable_cause(source.as_ref()),
        _ => false,
    }
}

fn is_retryable_cause(source: &(dyn std::error::Error + Send + Sync + 'static)) -> bool {
    source
        .downcast_ref::<postgres::Error>()
        .and_then(postgres::Error::code)
        .is_some_and(|code| {
            *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED
        })
}

/// The server's errors as FlowForge's: those that say it cannot take the operation now are
/// [`Error::Unavailable`] (so a client may retry), every other one [`Error::Internal`].
impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        match retry_after(&e) {
            Some(retry_after) => Error::Unavailable {
                retry_after,
                cause: Box::new(e),
            },
            None => Error::internal(e),
        }
    }
}

/// How long a client should wait after `e`, if it is a refusal of the server: out of disk,
/// memory or connections (class 53), a read-only transaction (a standby, or
/// `default_transaction_read_only`), a lock not had in time, a server shutting down or
/// starting, or a connection lost.
fn retry_after(e: &postgres::Error) -> Option<u64> {
    if let Some(code) = e.code() {
        let class = &code.code()[..2];
        return if *code == SqlState::LOCK_NOT_AVAILABLE {
            Some(LOCKED_RETRY_AFTER)
        } else if class == "53"
            || class == "08"
            || *code == SqlState::READ_ONLY_SQL_TRANSACTION
            || *code == SqlState::ADMIN_SHUTDOWN
            || *code == SqlState::CRASH_SHUTDOWN
            || *code == SqlState::CANNOT_CONNECT_NOW
        {
            Some(STORAGE_RETRY_AFTER)
        } else {
            None
        };
    }
    let io = std::error::Error::source(&e).is_some_and(|cause| cause.is::<std::io::Error>());
    (e.is_closed() || io).then_some(STORAGE_RETRY_AFTER)
}

#[cfg(test)]
mod tests {
    use super::numbered_placeholders;

    #[test]
    fn numbers_placeholders_outside_quoted_text() {
        assert_eq!(
            numbered_placeholders("SELECT '?', \"a?\" FROM t WHERE a = ? AND b IN (?, ?)"),
            "SELECT '?', \"a?\" FROM t WHERE a = $1 AND b IN ($2, $3)"
        );
    }
}
