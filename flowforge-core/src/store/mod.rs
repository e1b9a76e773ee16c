//! The only place SQL text lives. [`Store`] owns the connection pool and hands out
//! transactions; each concept's statements are `Tx` methods in a file named for it. Services
//! call these methods and never see SQL, so another backend can implement the same methods.
//!
//! Invariants: writes run in `BEGIN IMMEDIATE` transactions (so concurrent writers queue on the
//! busy timeout instead of failing with `SQLITE_BUSY`); every tenant read and write filters on an
//! organization id taken from an [`OrgScope`](crate::authz::OrgScope) or from the actor's
//! memberships.

mod list;
mod members;
mod orgs;
mod projects;
mod tasks;
mod tokens;
mod users;

use std::path::{Path, PathBuf};
use std::time::Duration;

use r2d2::{Pool, PooledConnection};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, ErrorCode, TransactionBehavior};

use crate::error::{Error, Result};
use crate::query::search::{fold_case, search_terms};

mod embedded {
    refinery::embed_migrations!("migrations/sqlite");
}

/// Where a FlowForge database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// An SQLite file, created if absent.
    File(PathBuf),
    /// A private in-memory SQLite database that lives as long as the handle (for tests and demos).
    Memory,
}

impl Database {
    /// Reads a database URL: `sqlite://PATH` (relative or absolute), `sqlite::memory:`, or a plain path.
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

/// Busy writers wait this long for the lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
const POOL_SIZE: u32 = 8;

/// The pool of connections to one database, with its schema migrated.
#[derive(Clone)]
pub(crate) struct Store {
    pool: Pool<SqliteConnectionManager>,
}

impl Store {
    /// Opens the database, applying pending migrations.
    pub(crate) fn open(database: &Database) -> Result<Self> {
        let (manager, size) = match database {
            Database::File(path) => {
                // Open once outside the pool so a bad path fails at once with SQLite's reason.
                migrate(&mut database.connect()?)?;
                (SqliteConnectionManager::file(path), POOL_SIZE)
            }
            // One connection: each in-memory connection would otherwise be its own database.
            Database::Memory => (SqliteConnectionManager::memory(), 1),
        };
        let pool = Pool::builder()
            .max_size(size)
            .idle_timeout(None)
            .max_lifetime(None)
            .connection_timeout(Duration::from_secs(30))
            .build(manager.with_init(init_connection))?;
        let store = Self { pool };
        if *database == Database::Memory {
            let mut conn = store.conn()?;
            migrate(&mut conn)?;
        }
        Ok(store)
    }

    /// Whether any user exists (seeding wants an empty database).
    pub(crate) fn has_users(&self) -> Result<bool> {
        self.read(|tx| Ok(tx.query_row("SELECT EXISTS (SELECT 1 FROM users)", [], |r| r.get(0))?))
    }

    fn conn(&self) -> Result<PooledConnection<SqliteConnectionManager>> {
        Ok(self.pool.get()?)
    }

    /// Runs `f` in a read transaction: one consistent snapshot for all its statements.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        self.run(TransactionBehavior::Deferred, f)
    }

    /// Runs `f` in a write transaction, committed only if `f` succeeds.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        self.run(TransactionBehavior::Immediate, f)
    }

    fn run<T>(
        &self,
        behavior: TransactionBehavior,
        f: impl FnOnce(&Tx<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut conn = self.conn()?;
        let tx = Tx(conn.transaction_with_behavior(behavior)?);
        let out = f(&tx)?;
        tx.0.commit()?;
        Ok(out)
    }

    /// Whether the database answers a trivial query.
    pub(crate) fn ping(&self) -> Result<()> {
        self.conn()?.query_row("SELECT 1", [], |_| Ok(()))?;
        Ok(())
    }

    /// Runs `f` on a pooled connection outside any transaction (tests inspect plans with it).
    #[cfg(test)]
    pub(crate) fn with_conn<T>(&self, f: impl FnOnce(&mut Connection) -> T) -> Result<T> {
        let mut conn = self.conn()?;
        Ok(f(&mut conn))
    }
}

/// An open transaction; the statements of each concept are methods on it.
pub(crate) struct Tx<'c>(rusqlite::Transaction<'c>);

impl std::ops::Deref for Tx<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.0
    }
}

fn open_error(path: &Path, e: rusqlite::Error) -> Error {
    Error::invalid(
        "database_url",
        format!("Cannot open the database {}: {e}", path.display()),
    )
}

fn init_connection(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")?;
    conn.set_prepared_statement_cache_capacity(128);
    conn.create_scalar_function(
        "casefold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| Ok(ctx.get::<Option<String>>(0)?.map(|text| fold_case(&text))),
    )?;
    conn.create_scalar_function(
        "search_terms",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let title = ctx.get::<Option<String>>(0)?.unwrap_or_default();
            let description = ctx.get::<Option<String>>(1)?.unwrap_or_default();
            Ok(search_terms(&[&title, &description]))
        },
    )
}

fn migrate(conn: &mut Connection) -> Result<Vec<String>> {
    let report = embedded::migrations::runner()
        .run(conn)
        .map_err(Error::internal)?;
    Ok(report
        .applied_migrations()
        .iter()
        .map(ToString::to_string)
        .collect())
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
        let mut conn = self.connect()?;
        migrate(&mut conn)
    }

    /// Every migration this build knows, with whether the database has it; changes nothing.
    ///
    /// # Errors
    /// As [`Database::migrate`].
    pub fn migration_status(&self) -> Result<Vec<MigrationState>> {
        let mut conn = self.connect()?;
        let runner = embedded::migrations::runner();
        let has_history: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'refinery_schema_history')",
            [],
            |r| r.get(0),
        )?;
        let applied = if has_history {
            runner
                .get_applied_migrations(&mut conn)
                .map_err(Error::internal)?
        } else {
            Vec::new()
        };
        Ok(runner
            .get_migrations()
            .iter()
            .map(|m| MigrationState {
                version: i64::from(m.version()),
                name: m.name().to_owned(),
                applied: applied.iter().any(|a| a.version() == m.version()),
            })
            .collect())
    }

    fn connect(&self) -> Result<Connection> {
        let path = match self {
            Database::File(path) => path.as_path(),
            Database::Memory => Path::new(":memory:"),
        };
        let mut conn = Connection::open(path).map_err(|e| open_error(path, e))?;
        init_connection(&mut conn).map_err(|e| open_error(path, e))?;
        Ok(conn)
    }
}

/// Whether `e` is a violated unique or primary-key constraint.
pub(crate) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == ErrorCode::ConstraintViolation
                && matches!(f.extended_code, rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
    )
}

/// Turns a unique-constraint violation into a [`Error::Conflict`] with `message`.
pub(crate) fn conflict_on_unique(message: &str) -> impl FnOnce(rusqlite::Error) -> Error + '_ {
    move |e| {
        if is_unique_violation(&e) {
            Error::Conflict(message.to_owned())
        } else {
            Error::from(e)
        }
    }
}

#[cfg(test)]
mod tests;
