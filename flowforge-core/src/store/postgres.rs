//! The PostgreSQL backend (the `postgres` feature): a pool of synchronous clients, the same
//! statements as SQLite with `?` rewritten to `$n`, [`Value`]s converted to the column types
//! PostgreSQL reports, serializable writes retried on a conflict, and migrations run under an
//! advisory lock so that servers starting together migrate once.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use chrono::{DateTime, NaiveDate, Utc};
use postgres::error::SqlState;
use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, IsolationLevel, NoTls, Statement};
use r2d2_postgres::PostgresConnectionManager;
use rand::Rng;
use refinery::{Migration, Report};
use uuid::Uuid;

use super::value::{DATE_FORMAT, Row, Value};
use super::{Mode, Tx};
use crate::error::{Error, Result};
use crate::time::Timestamp;

mod embedded {
    refinery::embed_migrations!("migrations/postgres");
}

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
        let client = self.0.connect()?;
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
/// The advisory lock key held while migrating ("FlowForg" in ASCII).
const MIGRATION_LOCK: i64 = 0x466c_6f77_466f_7267;

/// The `key=value` connection string of the `DB_*` variables (see `Database::from_settings`).
pub(super) fn conninfo(var: &impl Fn(&str) -> Option<String>) -> String {
    let quoted = |value: String| format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"));
    [
        ("dbname", "DB_NAME", None),
        ("user", "DB_USER", Some("postgres")),
        ("password", "DB_PASSWORD", None),
        ("host", "DB_HOST", Some("localhost")),
        ("port", "DB_PORT", Some("5432")),
    ]
    .into_iter()
    .filter_map(|(key, name, default)| {
        let value = var(name)
            .filter(|value| !value.is_empty())
            .or_else(|| default.map(str::to_owned))?;
        Some(format!("{key}={}", quoted(value)))
    })
    .collect::<Vec<_>>()
    .join(" ")
}

fn config(url: &str) -> Result<postgres::Config> {
    url.parse().map_err(|e| {
        Error::invalid(
            "database_url",
            format!("The PostgreSQL URL is not valid: {e}"),
        )
    })
}

fn connect(url: &str) -> Result<Client> {
    config(url)?.connect(NoTls).map_err(|e| {
        // The driver's message is general ("error connecting to server"); its cause says why.
        let cause = std::error::Error::source(&e).map_or_else(String::new, |c| format!(": {c}"));
        Error::invalid(
            "database_url",
            format!("Cannot connect to the PostgreSQL database: {e}{cause}"),
        )
    })
}

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
        let result = f(&tx).and_then(|out| tx.commit().map(|()| out));
        if matches!(result, Err(Error::Internal(_))) {
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

    pub(super) fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let statement = self.statement(sql)?;
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|v| v as _).collect();
        let rows = self.tx.query(&statement, &params)?;
        rows.iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| row.try_get::<_, Value>(i))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Row)
            })
            .collect::<Result<_, _>>()
            .map_err(Error::from)
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

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Bool(b) => b.to_sql(ty, out),
            Value::Int(n) => match *ty {
                Type::INT2 => i16::try_from(*n)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*n)?.to_sql(ty, out),
                Type::INT8 => n.to_sql(ty, out),
                _ => Err(unsupported(ty)),
            },
            Value::Text(text) => match *ty {
                Type::UUID => Uuid::parse_str(text)?.to_sql(ty, out),
                Type::TIMESTAMPTZ => text.parse::<Timestamp>()?.as_datetime().to_sql(ty, out),
                Type::DATE => NaiveDate::parse_from_str(text, DATE_FORMAT)?.to_sql(ty, out),
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
                    text.as_str().to_sql(ty, out)
                }
                _ => Err(unsupported(ty)),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Value {
    fn from_sql(
        ty: &Type,
        raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(match *ty {
            Type::BOOL => Value::Bool(bool::from_sql(ty, raw)?),
            Type::INT2 => Value::Int(i16::from_sql(ty, raw)?.into()),
            Type::INT4 => Value::Int(i32::from_sql(ty, raw)?.into()),
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::UUID => Value::Text(Uuid::from_sql(ty, raw)?.hyphenated().to_string()),
            Type::TIMESTAMPTZ => {
                let millis = DateTime::<Utc>::from_sql(ty, raw)?.timestamp_millis();
                Value::Text(Timestamp::from_millis(millis).to_string())
            }
            Type::DATE => Value::Text(
                NaiveDate::from_sql(ty, raw)?
                    .format(DATE_FORMAT)
                    .to_string(),
            ),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
                Value::Text(<&str>::from_sql(ty, raw)?.to_owned())
            }
            _ => return Err(unsupported(ty)),
        })
    }

    fn from_sql_null(_: &Type) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Value::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A column or parameter type that no [`Value`] maps to (a statement needs a cast).
fn unsupported(ty: &Type) -> Box<dyn std::error::Error + Sync + Send> {
    format!("no FlowForge value converts to or from PostgreSQL type {ty}").into()
}

fn run_migrations(client: &mut Client) -> Result<Report> {
    client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])?;
    let report = embedded::migrations::runner().run(client);
    client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])?;
    report.map_err(Error::internal)
}

pub(super) fn migrate(url: &str) -> Result<Report> {
    run_migrations(&mut connect(url)?)
}

/// The migrations this build knows and those the database has.
pub(super) fn migrations(url: &str) -> Result<(Vec<Migration>, Vec<Migration>)> {
    let mut client = connect(url)?;
    let runner = embedded::migrations::runner();
    let has_history: bool = client
        .query_one(
            "SELECT to_regclass('refinery_schema_history') IS NOT NULL",
            &[],
        )?
        .get(0);
    let applied = if has_history {
        runner
            .get_applied_migrations(&mut client)
            .map_err(Error::internal)?
    } else {
        Vec::new()
    };
    Ok((runner.get_migrations().to_vec(), applied))
}

/// Whether `e` is a violated unique or primary-key constraint.
pub(super) fn is_unique_violation(e: &postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

/// Whether `e` is a serialization conflict or a deadlock: the transaction may succeed if run again.
fn is_retryable(e: &Error) -> bool {
    let Error::Internal(source) = e else {
        return false;
    };
    source
        .downcast_ref::<postgres::Error>()
        .and_then(postgres::Error::code)
        .is_some_and(|code| {
            *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED
        })
}

/// A PostgreSQL schema of its own, created empty and dropped with this value: a fresh
/// FlowForge database on a shared server, for tests that run side by side.
pub struct ScratchSchema {
    server: String,
    schema: String,
    database: super::Database,
}

impl ScratchSchema {
    /// Creates a schema with a unique name on the server at `url`.
    ///
    /// # Errors
    /// [`Error::Validation`] naming `database_url` when the server cannot be reached.
    pub fn create(url: &str) -> Result<Self> {
        let mut client = connect(url)?;
        let schema = format!("flowforge_scratch_{}", Uuid::now_v7().simple());
        // The trigram extension lives in `public`, once per database, for every schema; the
        // lock keeps two schemas being created at once from both installing it.
        client
            .batch_execute(&format!(
                "BEGIN;
                 SELECT pg_advisory_xact_lock({MIGRATION_LOCK});
                 CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
                 CREATE SCHEMA {schema};
                 COMMIT;"
            ))
            .map_err(|e| {
                Error::invalid(
                    "database_url",
                    format!("Cannot create a scratch schema: {e}"),
                )
            })?;
        drop_stale_schemas(&mut client);
        let separator = if url.contains('?') { '&' } else { '?' };
        let database = super::Database::Postgres(format!(
            "{url}{separator}options=-c%20search_path%3D{schema}%2Cpublic"
        ));
        Ok(Self {
            server: url.to_owned(),
            schema,
            database,
        })
    }

    /// A scratch schema on the server that tests use: `FLOWFORGE_TEST_DATABASE_URL`, by default
    /// `postgres://postgres@127.0.0.1:5432/test`.
    ///
    /// # Errors
    /// [`Error::Validation`] naming the variable and the server (without its password) when
    /// no server answers there.
    pub fn for_tests() -> Result<Self> {
        let url = std::env::var("FLOWFORGE_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        Self::create(&url).map_err(|e| {
            let server = url.rsplit('@').next().unwrap_or_default();
            Error::invalid(
                "FLOWFORGE_TEST_DATABASE_URL",
                format!("the PostgreSQL tests need a server at {server}: {e}"),
            )
        })
    }

    /// The database to open: the server's URL with the schema first on the search path.
    pub fn database(&self) -> &super::Database {
        &self.database
    }

    /// That database's connection string, for a `DATABASE_URL`.
    pub fn url(&self) -> &str {
        match &self.database {
            super::Database::Postgres(url) => url,
            _ => unreachable!("a scratch schema is a PostgreSQL database"),
        }
    }
}

/// Scratch schemas older than this are left over from runs that could not drop them (a test
/// keeping its database in a static, say) and are dropped by the next one.
const STALE_AFTER: Duration = Duration::from_secs(3_600);

fn drop_stale_schemas(client: &mut Client) {
    let Ok(rows) = client.query(
        "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'flowforge\\_scratch\\_%'",
        &[],
    ) else {
        return;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    for row in rows {
        let name: String = row.get(0);
        // The name ends in a UUIDv7, whose first 48 bits are its creation time in milliseconds.
        let created = name
            .strip_prefix("flowforge_scratch_")
            .and_then(|id| Uuid::parse_str(id).ok())
            .and_then(|id| id.get_timestamp())
            .map(|t| {
                let (secs, nanos) = t.to_unix();
                Duration::new(secs, nanos)
            });
        if created.is_some_and(|t| now.saturating_sub(t) > STALE_AFTER) {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"));
        }
    }
}

impl Drop for ScratchSchema {
    fn drop(&mut self) {
        // Best effort: a schema left behind is harmless and the next `create` drops it once
        // stale. On a thread of its own, as the synchronous client cannot run inside an async
        // runtime, where a test may drop this.
        let (server, schema) = (self.server.clone(), self.schema.clone());
        let dropped = std::thread::spawn(move || {
            if let Ok(mut client) = connect(&server) {
                let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        });
        let _ = dropped.join();
    }
}

#[cfg(test)]
mod tests {
    use super::{ScratchSchema, conninfo, numbered_placeholders};
    use crate::store::Store;
    use crate::store::value::args;

    #[test]
    fn the_task_index_reads_the_rows_written_since_its_version_through_an_index() {
        let scratch = ScratchSchema::for_tests().unwrap_or_else(|e| panic!("{e}"));
        let store = Store::open(scratch.database()).unwrap();
        let plan: Vec<String> = store
            .read(|tx| {
                // An empty table is cheapest to scan; forbid that to see whether the index fits.
                tx.execute("SET LOCAL enable_seqscan = off", &[])?;
                tx.rows(
                    "EXPLAIN SELECT id FROM tasks WHERE organization_id = ? AND change_seq > ?",
                    args![crate::OrgId::new(), 7i64],
                    |r| r.get(0),
                )
            })
            .unwrap();
        assert!(
            plan.iter().any(|line| line.contains("tasks_org_change")),
            "{plan:#?}"
        );
    }

    #[test]
    fn db_variables_make_a_quoted_connection_string_with_defaults() {
        let var = |name: &str| match name {
            "DB_NAME" => Some("flow forge".to_owned()),
            "DB_PASSWORD" => Some(r"it's\secret".to_owned()),
            _ => None,
        };
        let info = conninfo(&var);
        assert_eq!(
            info,
            r"dbname='flow forge' user='postgres' password='it\'s\\secret' host='localhost' port='5432'"
        );
        let config: postgres::Config = info.parse().unwrap();
        assert_eq!(config.get_dbname(), Some("flow forge"));
        assert_eq!(config.get_password(), Some(&br"it's\secret"[..]));
    }

    #[test]
    fn numbers_placeholders_outside_quoted_text() {
        assert_eq!(
            numbered_placeholders("SELECT '?', \"a?\" FROM t WHERE a = ? AND b IN (?, ?)"),
            "SELECT '?', \"a?\" FROM t WHERE a = $1 AND b IN ($2, $3)"
        );
    }
}
