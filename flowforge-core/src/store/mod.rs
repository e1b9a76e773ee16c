//! The only place SQL text lives. [`Store`] owns the connection pool and hands out
//! transactions; each concept's statements are `Tx` methods in a file named for it, written
//! once for both backends (SQLite in `sqlite.rs`, PostgreSQL in `postgres/` behind the
//! `postgres` feature, which bind and read [`value::Value`]s). Services call these methods and
//! never see SQL.
//!
//! Invariants: writes run isolated as if alone (SQLite `BEGIN IMMEDIATE`, so concurrent writers
//! queue on the busy timeout; PostgreSQL `SERIALIZABLE`, retried on a conflict; only the shared
//! throttle's writes take their row locks themselves instead); every tenant
//! read and write filters on an organization id taken from an
//! [`OrgScope`](crate::authz::OrgScope) or from the actor's memberships.
//!
//! A write the storage cannot take now (a full disk, a read-only file, a lock held past the
//! timeout) is [`Error::Unavailable`], never [`Error::Internal`]: each backend sorts its errors
//! where it converts them. The store remembers whether its last write was so refused, until a
//! write succeeds, for readiness (`probe.rs`).

pub(crate) mod budget;
mod checkpointer;
mod comments;
mod events;
mod group_commit;
mod held;
mod index;
mod list;
mod members;
mod orgs;
#[cfg(feature = "postgres")]
mod postgres;
mod probe;
mod projects;
mod recent;
mod seed_runs;
mod sqlite;
mod tasks;
#[cfg(feature = "postgres")]
mod throttle;
mod tokens;
mod users;
pub(crate) mod value;

pub(crate) use events::{Followed, Seen};
pub use held::{HeldReader, end_parked_reads};
pub(crate) use recent::RecentTasks;
pub(crate) use seed_runs::SeedRun;
pub(crate) use tokens::Rotation;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use crate::error::{Error, Result};
use value::{FromCell, Row, Value};

#[cfg(all(feature = "postgres", feature = "test-support"))]
pub use postgres::ScratchSchema;

/// Where a FlowForge database lives.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// An SQLite file, created if absent.
    File(PathBuf),
    /// A private in-memory SQLite database that lives as long as the handle (for tests and demos).
    Memory,
    /// A PostgreSQL database, by its connection string: a `postgres://` URL or `key=value`
    /// pairs (the `postgres` feature).
    #[cfg(feature = "postgres")]
    Postgres(String),
}

/// Hides a PostgreSQL connection string, which may hold a password.
impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::File(path) => f.debug_tuple("File").field(path).finish(),
            Database::Memory => f.write_str("Memory"),
            #[cfg(feature = "postgres")]
            Database::Postgres(_) => f.write_str("Postgres(<connection string>)"),
        }
    }
}

/// The database a deployment uses when its settings name none.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://flowforge.db";

impl Database {
    /// The database named by a deployment's settings: `database_url` (`DATABASE_URL`) when
    /// set; otherwise, when `DB_NAME` is set, the PostgreSQL database described by `DB_NAME`,
    /// `DB_USER` (default `postgres`), `DB_PASSWORD`, `DB_HOST` (default `localhost`) and
    /// `DB_PORT` (default `5432`), the variables of the original project; otherwise
    /// [`DEFAULT_DATABASE_URL`]. `var` looks a variable up (the server and the CLI pass the
    /// environment).
    ///
    /// # Errors
    /// As [`Database::from_url`]; `DB_NAME` without the `postgres` feature is refused too.
    pub fn from_settings(
        database_url: Option<&str>,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Self> {
        if let Some(url) = database_url.filter(|url| !url.trim().is_empty()) {
            return Self::from_url(url);
        }
        if var("DB_NAME").is_none_or(|name| name.is_empty()) {
            return Self::from_url(DEFAULT_DATABASE_URL);
        }
        #[cfg(not(feature = "postgres"))]
        return Err(no_postgres("DB_NAME names a PostgreSQL database"));
        #[cfg(feature = "postgres")]
        Ok(Database::Postgres(postgres::conninfo(&var)))
    }

    /// Reads a database URL: `sqlite://PATH` (relative or absolute), `sqlite::memory:`, a plain
    /// path, or a PostgreSQL URL or `key=value` connection string (with the `postgres` feature).
    ///
    /// # Errors
    /// [`Error::Validation`] for a URL of a backend this build does not include.
    pub fn from_url(url: &str) -> Result<Self> {
        if url == "sqlite::memory:" || url == "sqlite://:memory:" {
            return Ok(Database::Memory);
        }
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(Error::invalid(
                    "database_url",
                    "The SQLite URL names no file.",
                ));
            }
            return Ok(Database::File(PathBuf::from(path)));
        }
        // A `postgres://` URL, or libpq's `key=value` pairs (`host=db dbname=flowforge`).
        let pairs = url.split_whitespace().all(|pair| pair.contains('='))
            && ["dbname=", "host="].iter().any(|key| url.contains(key));
        if url.starts_with("postgres://") || url.starts_with("postgresql://") || pairs {
            #[cfg(feature = "postgres")]
            return Ok(Database::Postgres(url.to_owned()));
            #[cfg(not(feature = "postgres"))]
            return Err(no_postgres("This is a PostgreSQL database"));
        }
        if url.contains("://") {
            let scheme = url.split("://").next().unwrap_or_default();
            return Err(Error::invalid(
                "database_url",
                format!("This build of FlowForge does not support \"{scheme}\" databases."),
            ));
        }
        Ok(Database::File(PathBuf::from(url)))
    }
}

/// The refusal of a PostgreSQL database by a build without the `postgres` feature.
#[cfg(not(feature = "postgres"))]
fn no_postgres(what: &str) -> Error {
    Error::invalid(
        "database_url",
        format!(
            "{what}, but this build of FlowForge has no PostgreSQL support; build it with the \"postgres\" feature."
        ),
    )
}

/// How SQLite makes a commit durable (its `synchronous` setting); PostgreSQL ignores it (its own
/// `synchronous_commit` decides there).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Synchronous {
    /// `NORMAL` (the default): in WAL mode a commit survives a crash of the process, but the
    /// last commits before a power loss or an operating-system crash may be lost (never the
    /// database's consistency).
    #[default]
    Normal,
    /// `FULL`: every commit is synced to the disk before it is acknowledged, so it survives a
    /// power loss too, at the cost of one `fsync` per write.
    Full,
}

impl Synchronous {
    /// Reads `normal` or `full`, in any case.
    ///
    /// # Errors
    /// A message fit to show when the text is neither.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "normal" => Ok(Self::Normal),
            "full" => Ok(Self::Full),
            _ => Err(format!("expected normal or full, got {text:?}")),
        }
    }
}

/// The pool of connections to one database, with its schema migrated.
#[derive(Clone)]
pub(crate) struct Store {
    pool: Pool,
    /// Set by a write the storage refused ([`Error::Unavailable`]), cleared by the next write it
    /// takes: while set, readiness probes the storage with a write of its own.
    refusing: Arc<AtomicBool>,
    /// Called after each committed write (the event feed reads the log then).
    on_write: Arc<OnceLock<Box<dyn Fn() + Send + Sync>>>,
}

/// The connections of one backend.
#[derive(Clone)]
enum Pool {
    Sqlite(sqlite::Pool),
    #[cfg(feature = "postgres")]
    Postgres(postgres::Pool),
}

/// What a transaction may do, which decides how it is isolated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Reads only, from one consistent snapshot.
    Read,
    /// Reads and writes as if no other transaction ran at the same time (on PostgreSQL a
    /// serializable transaction, run again when the database reports a conflict).
    Write,
    /// Writes whose statements take the row locks they need themselves (read committed on
    /// PostgreSQL); run again only after a deadlock, which rolled them back.
    #[cfg(feature = "postgres")]
    Locking,
}

impl Store {
    /// Opens the database, applying pending migrations; `synchronous` applies to SQLite.
    pub(crate) fn open(database: &Database, synchronous: Synchronous) -> Result<Self> {
        let pool = match database {
            Database::File(_) | Database::Memory => {
                sqlite::open(database, synchronous).map(Pool::Sqlite)?
            }
            #[cfg(feature = "postgres")]
            Database::Postgres(url) => postgres::open(url).map(Pool::Postgres)?,
        };
        Ok(Self {
            pool,
            refusing: Arc::default(),
            on_write: Arc::default(),
        })
    }

    /// Which database this store holds.
    pub(crate) fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            #[cfg(feature = "postgres")]
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Calls `hook` after every committed write from now on (once per store: a second hook is
    /// ignored).
    pub(crate) fn on_write(&self, hook: impl Fn() + Send + Sync + 'static) {
        let _ = self.on_write.set(Box::new(hook));
    }

    /// Whether the last write was refused by the storage (and none succeeded since).
    pub(crate) fn refusing(&self) -> bool {
        self.refusing.load(Ordering::Relaxed)
    }

    /// Whether any user exists (seeding wants an empty database).
    pub(crate) fn has_users(&self) -> Result<bool> {
        self.read(|tx| tx.one("SELECT EXISTS (SELECT 1 FROM users)", &[]))
    }

    /// Runs `f` in a read transaction: one consistent snapshot for all its statements.
    pub(crate) fn read<T>(&self, f: impl FnMut(&Tx<'_>) -> Result<T>) -> Result<T> {
        self.run(Mode::Read, f)
    }

    /// Runs `f` in a write transaction, committed only if `f` succeeds. `f` may run more than
    /// once (PostgreSQL retries a serialization conflict), so it must not act outside the
    /// database.
    pub(crate) fn write<T>(&self, f: impl FnMut(&Tx<'_>) -> Result<T>) -> Result<T> {
        self.run(Mode::Write, f)
    }

    /// Runs `f` in a transaction of `mode`; a write notes whether the storage took it.
    pub(crate) fn run<T>(&self, mode: Mode, f: impl FnMut(&Tx<'_>) -> Result<T>) -> Result<T> {
        if mode != Mode::Read && budget::active() {
            // A bounded read only reads (its caller runs it again, which would write twice).
            return Err(budget::exceeded());
        }
        let result = match &self.pool {
            Pool::Sqlite(pool) => sqlite::run(pool, mode, f),
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool) => postgres::run(pool, mode, f),
        };
        if mode == Mode::Write
            && result.is_ok()
            && let Some(hook) = self.on_write.get()
        {
            hook();
        }
        if mode != Mode::Read {
            match &result {
                // Loaded first, so that the steady state writes no shared cache line.
                Ok(_) if self.refusing() => self.refusing.store(false, Ordering::Relaxed),
                Err(Error::Unavailable { .. }) => self.refusing.store(true, Ordering::Relaxed),
                _ => {}
            }
        }
        result
    }

    /// Holds a connection for this thread's reads (see [`HeldReader`]): the one it kept from
    /// its last hold while another is free, else a free one while two are; `None` otherwise,
    /// when the thread holds one already, or when the database is PostgreSQL, whose reads wait
    /// on the network.
    pub(crate) fn hold_reader(&self) -> Option<HeldReader> {
        match &self.pool {
            Pool::Sqlite(pool) => held::hold(pool),
            #[cfg(feature = "postgres")]
            Pool::Postgres(_) => None,
        }
    }

    /// Whether the database answers a trivial query.
    pub(crate) fn ping(&self) -> Result<()> {
        self.read(|tx| tx.one::<i64>("SELECT 1", &[])).map(drop)
    }

    /// Runs `f` on a pooled SQLite connection outside any transaction (tests inspect plans with it).
    #[cfg(test)]
    pub(crate) fn with_conn<T>(&self, f: impl FnOnce(&mut rusqlite::Connection) -> T) -> Result<T> {
        match &self.pool {
            Pool::Sqlite(pool) => Ok(f(&mut *pool.get()?)),
            #[cfg(feature = "postgres")]
            Pool::Postgres(_) => unreachable!("plan tests run on SQLite"),
        }
    }

    /// Caps an SQLite database at its current size, as a full disk would, or lifts the cap
    /// (a test fixture: see [`FlowForge::limit_sqlite_pages`](crate::FlowForge::limit_sqlite_pages)).
    #[cfg(feature = "test-support")]
    pub(crate) fn limit_sqlite_pages(&self, pages: Option<u32>) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.limit_pages(pages),
            #[cfg(feature = "postgres")]
            Pool::Postgres(_) => {}
        }
    }
}

/// The database behind a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    #[cfg(feature = "postgres")]
    Postgres,
}

/// An open transaction; the statements of each concept are methods on it, written once for
/// every backend with `?` placeholders.
pub(crate) enum Tx<'c> {
    /// A connection inside a transaction (or a savepoint of one) that its runner ends.
    Sqlite(&'c rusqlite::Connection),
    #[cfg(feature = "postgres")]
    Postgres(std::cell::RefCell<postgres::PgTx<'c>>),
}

impl Tx<'_> {
    /// Which database this transaction runs on, for the few statements that differ.
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            #[cfg(feature = "postgres")]
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    /// Every row of a query.
    pub(crate) fn rows<T>(
        &self,
        sql: &str,
        params: &[Value],
        mut map: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.each_row(sql, params, &mut |row| {
            out.push(map(row)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row of a query, if any.
    pub(crate) fn row<T>(
        &self,
        sql: &str,
        params: &[Value],
        map: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<Option<T>> {
        let (mut map, mut first) = (Some(map), None);
        self.each_row(sql, params, &mut |row| {
            if let Some(map) = map.take() {
                first = Some(map(row)?);
            }
            Ok(())
        })?;
        Ok(first)
    }

    /// Calls `f` with each row of a query as it is read: one row in memory at a time.
    pub(crate) fn each_row(
        &self,
        sql: &str,
        params: &[Value],
        f: &mut dyn FnMut(&Row) -> Result<()>,
    ) -> Result<()> {
        match self {
            Tx::Sqlite(tx) => sqlite::each_row(tx, sql, params, f),
            #[cfg(feature = "postgres")]
            Tx::Postgres(tx) => tx.borrow_mut().each_row(sql, params, f),
        }
    }

    /// The first column of the one row a query returns (a count, an `EXISTS`).
    pub(crate) fn one<T: FromCell>(&self, sql: &str, params: &[Value]) -> Result<T> {
        self.row(sql, params, |r| r.get(0))?
            .ok_or_else(|| Error::internal(NoRow))
    }

    /// Runs a statement; returns how many rows it changed.
    pub(crate) fn execute(&self, sql: &str, params: &[Value]) -> Result<u64> {
        match self {
            Tx::Sqlite(tx) => sqlite::execute(tx, sql, params),
            #[cfg(feature = "postgres")]
            Tx::Postgres(tx) => tx.borrow_mut().execute(sql, params),
        }
    }

    /// As [`Tx::execute`], a violated unique constraint answering [`Error::Conflict`] with `message`.
    pub(crate) fn execute_unique(&self, sql: &str, params: &[Value], message: &str) -> Result<u64> {
        self.execute(sql, params).map_err(|e| {
            if is_unique_violation(&e) {
                Error::Conflict(message.to_owned())
            } else {
                e
            }
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the query returned no row")]
struct NoRow;

/// No connection could be had in time: the database does not answer, or every connection
/// stayed busy (the pool's timeout passed).
impl From<r2d2::Error> for Error {
    fn from(e: r2d2::Error) -> Self {
        Error::Unavailable {
            retry_after: LOCKED_RETRY_AFTER,
            cause: Box::new(e),
        }
    }
}

/// Seconds a client is asked to wait after a lock or a connection was not had in time.
const LOCKED_RETRY_AFTER: u64 = 5;
/// Seconds a client is asked to wait after the storage refused a write (full, read-only,
/// failing): long enough for an operator or a clean-up job to act.
const STORAGE_RETRY_AFTER: u64 = 30;

/// Whether `e` is a violated unique or primary-key constraint, on any backend.
fn is_unique_violation(e: &Error) -> bool {
    let Error::Internal(source) = e else {
        return false;
    };
    if let Some(e) = source.downcast_ref::<rusqlite::Error>() {
        return sqlite::is_unique_violation(e);
    }
    #[cfg(feature = "postgres")]
    if let Some(e) = source.downcast_ref::<::postgres::Error>() {
        return postgres::is_unique_violation(e);
    }
    false
}

/// One schema migration and whether the database has it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MigrationState {
    /// Its version number.
    pub version: i64,
    /// Its name.
    pub name: String,
    /// Whether it is applied.
    pub applied: bool,
}

impl Database {
    /// Applies the pending migrations, returning the names of those it applied.
    ///
    /// # Errors
    /// [`Error::Validation`] naming `database_url` when the database cannot be opened;
    /// [`Error::Internal`] when a migration fails.
    pub fn migrate(&self) -> Result<Vec<String>> {
        let report = match self {
            Database::File(_) | Database::Memory => sqlite::migrate(self)?,
            #[cfg(feature = "postgres")]
            Database::Postgres(url) => postgres::migrate(url)?,
        };
        Ok(report
            .applied_migrations()
            .iter()
            .map(ToString::to_string)
            .collect())
    }

    /// Every migration this build knows, in order, with whether the database has it; changes
    /// nothing.
    ///
    /// # Errors
    /// As [`Database::migrate`].
    pub fn migration_status(&self) -> Result<Vec<MigrationState>> {
        let (known, applied) = match self {
            Database::File(_) | Database::Memory => sqlite::migrations(self)?,
            #[cfg(feature = "postgres")]
            Database::Postgres(url) => postgres::migrations(url)?,
        };
        let mut states: Vec<MigrationState> = known
            .iter()
            .map(|m| MigrationState {
                version: i64::from(m.version()),
                name: m.name().to_owned(),
                applied: applied.iter().any(|a| a.version() == m.version()),
            })
            .collect();
        states.sort_by_key(|m| m.version);
        Ok(states)
    }
}

#[cfg(test)]
mod tests;
