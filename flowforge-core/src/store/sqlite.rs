//! The SQLite backend: WAL, foreign keys, a busy timeout, the configured `synchronous`, cached
//! statements, and the `casefold` function the statements use. SQLite's errors that say the
//! storage cannot take a write now become [`Error::Unavailable`] here.

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use r2d2_sqlite::SqliteConnectionManager;
use refinery::{Migration, Report};
use rusqlite::config::DbConfig;
use rusqlite::functions::FunctionFlags;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, TransactionBehavior, params_from_iter};

use super::checkpointer::Checkpointer;
use super::group_commit::GroupCommit;
use super::value::{Cell, Columns, Row, Value};
use super::{Database, LOCKED_RETRY_AFTER, Mode, STORAGE_RETRY_AFTER, Synchronous, Tx};
use super::{budget, held};
use crate::error::{Error, Result};
use crate::query::search::fold_case;

mod embedded {
    refinery::embed_migrations!("migrations/sqlite");
}

/// A pool of SQLite connections, and the gate its writers pass one at a time.
#[derive(Clone)]
pub(crate) struct Pool {
    connections: r2d2::Pool<SqliteConnectionManager>,
    /// SQLite lets one writer in at a time and makes the others poll for the lock, sleeping
    /// a millisecond and more between tries; waiting here instead hands the open transaction to
    /// the next writer, and the last one commits for all. Other processes on the file still
    /// meet the busy timeout.
    writer: Arc<GroupCommit>,
    /// Checkpoints the WAL of a database file after writes (none for an in-memory one).
    checkpointer: Option<Arc<Checkpointer>>,
    /// The test fixture's cap on the database's pages (see `limit_pages`).
    #[cfg(feature = "test-support")]
    page_limit: Arc<std::sync::atomic::AtomicU32>,
}

impl Pool {
    /// A pooled connection.
    pub(crate) fn get(&self) -> Result<r2d2::PooledConnection<SqliteConnectionManager>> {
        Ok(self.connections.get()?)
    }

    /// A pooled connection if one is free now.
    pub(super) fn try_get(&self) -> Option<r2d2::PooledConnection<SqliteConnectionManager>> {
        self.connections.try_get()
    }

    /// The pool's connections themselves.
    pub(super) fn connections(&self) -> &r2d2::Pool<SqliteConnectionManager> {
        &self.connections
    }

    /// How many connections are free now.
    pub(super) fn idle(&self) -> u32 {
        self.connections.state().idle_connections
    }

    /// The gate its writers pass, shared by every clone of this pool (and so naming it).
    pub(super) fn writer(&self) -> &Arc<GroupCommit> {
        &self.writer
    }

    /// Caps the database at `pages` pages (SQLite raises a cap below its current size to that
    /// size), so that a write needing a new page fails with `SQLITE_FULL` as on a full disk;
    /// `None` lifts the cap. Each write applies it to its connection before it begins.
    #[cfg(feature = "test-support")]
    pub(crate) fn limit_pages(&self, pages: Option<u32>) {
        let limit = pages.map_or(u32::MAX, |pages| pages.clamp(1, u32::MAX - 1));
        self.page_limit
            .store(limit, std::sync::atomic::Ordering::Relaxed);
    }

    #[cfg(feature = "test-support")]
    fn apply_page_limit(&self, conn: &Connection) -> Result<()> {
        match self.page_limit.load(std::sync::atomic::Ordering::Relaxed) {
            0 => Ok(()),
            // Lifted: SQLite's own ceiling.
            u32::MAX => Ok(conn.query_row("PRAGMA max_page_count = 4294967294", [], |_| Ok(()))?),
            pages => {
                Ok(conn.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))?)
            }
        }
    }
}

/// Busy writers wait this long for the lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
pub(super) const POOL_SIZE: u32 = 8;

pub(super) fn open(database: &Database, synchronous: Synchronous) -> Result<Pool> {
    let writer = Arc::<GroupCommit>::default();
    let (manager, size, checkpointer) = match database {
        Database::File(path) => {
            // Open once outside the pool so a bad path fails at once with SQLite's reason; that
            // connection then checkpoints for the pool, whose connections no longer do.
            let mut conn = connect(database, synchronous)?;
            run_migrations(&mut conn)?;
            let checkpointer = Checkpointer::start(path, conn, Arc::clone(&writer))?;
            let manager = SqliteConnectionManager::file(path).with_init(move |conn| {
                init_connection(conn, synchronous)?;
                conn.pragma_update(None, "wal_autocheckpoint", 0)
            });
            (manager, POOL_SIZE, Some(Arc::new(checkpointer)))
        }
        // One connection: each in-memory connection would otherwise be its own database.
        _ => (
            SqliteConnectionManager::memory()
                .with_init(move |conn| init_connection(conn, synchronous)),
            1,
            None,
        ),
    };
    let connections = r2d2::Pool::builder()
        .max_size(size)
        .idle_timeout(None)
        .max_lifetime(None)
        // A connection to a local file does not go stale: no test statement per checkout.
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(30))
        .build(manager)?;
    if *database == Database::Memory {
        run_migrations(&mut *connections.get()?)?;
    }
    Ok(Pool {
        connections,
        writer,
        checkpointer,
        #[cfg(feature = "test-support")]
        page_limit: Arc::default(),
    })
}

pub(super) fn run<T>(
    pool: &Pool,
    mode: Mode,
    mut f: impl FnMut(&Tx<'_>) -> Result<T>,
) -> Result<T> {
    if mode == Mode::Read {
        if let Some(out) = held::read(pool, &mut f) {
            return out;
        }
        let mut conn = pool.get()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let out = f(&Tx::Sqlite(&tx))?;
        tx.commit()?;
        return Ok(out);
    }
    let connect = || {
        let conn = pool.get()?;
        #[cfg(feature = "test-support")]
        pool.apply_page_limit(&conn)?;
        Ok(conn)
    };
    let out = pool.writer.write(connect, |tx| f(tx));
    held::end_snapshot(pool);
    let out = out?;
    if let Some(checkpointer) = &pool.checkpointer {
        checkpointer.nudge();
    }
    Ok(out)
}

/// Runs a statement without parameters, prepared once per connection.
pub(super) fn exec(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

pub(super) fn each_row(
    tx: &Connection,
    sql: &str,
    params: &[Value],
    f: &mut dyn FnMut(&Row) -> Result<()>,
) -> Result<()> {
    let mut stmt = tx.prepare_cached(sql)?;
    let mut rows = stmt.query(params_from_iter(params))?;
    while let Some(row) = rows.next()? {
        f(&Row(row))?;
    }
    Ok(())
}

pub(super) fn execute(tx: &Connection, sql: &str, params: &[Value]) -> Result<u64> {
    let changed = tx.prepare_cached(sql)?.execute(params_from_iter(params))?;
    Ok(changed as u64)
}

/// A row's columns read where SQLite holds them, until the next step.
impl Columns for rusqlite::Row<'_> {
    fn cell(&self, index: usize) -> Option<Cell<'_>> {
        Some(match self.get_ref(index).ok()? {
            ValueRef::Integer(n) => Cell::Int(n),
            // Borrowed when valid UTF-8 (all the text FlowForge writes), checked by `from_utf8`'s
            // fast path (`from_utf8_lossy` walks it chunk by chunk, three times the work).
            ValueRef::Text(bytes) => Cell::Text(match std::str::from_utf8(bytes) {
                Ok(text) => Cow::Borrowed(text),
                Err(_) => String::from_utf8_lossy(bytes),
            }),
            ValueRef::Null => Cell::Null,
            // No column of the schema holds these; they decode as nothing, which fails loudly.
            ValueRef::Real(_) | ValueRef::Blob(_) => Cell::Null,
        })
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(n) => ToSqlOutput::Borrowed(ValueRef::Integer(*n)),
            Value::Bool(b) => ToSqlOutput::Borrowed(ValueRef::Integer(i64::from(*b))),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

fn open_error(path: &Path, e: rusqlite::Error) -> Error {
    Error::invalid(
        "database_url",
        format!("Cannot open the database {}: {e}", path.display()),
    )
}

fn init_connection(conn: &mut Connection, synchronous: Synchronous) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
    let synchronous = match synchronous {
        Synchronous::Normal => "NORMAL",
        Synchronous::Full => "FULL",
    };
    // `temp_store = MEMORY`: each write of a group commit runs in a savepoint, whose journal
    // (the pages it changed, as they were) would otherwise spill to a temporary file past
    // 64 KiB and cost every write a file write per page.
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = {synchronous}; PRAGMA temp_store = MEMORY;"
    ))?;
    conn.set_prepared_statement_cache_capacity(128);
    conn.progress_handler(budget::STEPS_PER_TICK, Some(budget::tick));
    // The query planner's stability guarantee: a plan never depends on the values bound to it.
    // Without it SQLite treats `LIMIT ?` (every list's page) as the constant it is bound to,
    // and compiles the cached statement again each time the page is bound anew. (It would also
    // keep plans from using `sqlite_stat4` samples; nothing here runs ANALYZE.)
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.create_scalar_function(
        "casefold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| Ok(ctx.get::<Option<String>>(0)?.map(|text| fold_case(&text))),
    )
}

fn run_migrations(conn: &mut Connection) -> Result<Report> {
    embedded::migrations::runner()
        .run(conn)
        .map_err(Error::internal)
}

pub(super) fn migrate(database: &Database) -> Result<Report> {
    run_migrations(&mut connect(database, Synchronous::default())?)
}

/// The migrations this build knows and those the database has.
pub(super) fn migrations(database: &Database) -> Result<(Vec<Migration>, Vec<Migration>)> {
    let mut conn = connect(database, Synchronous::default())?;
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
    Ok((runner.get_migrations().to_vec(), applied))
}

fn connect(database: &Database, synchronous: Synchronous) -> Result<Connection> {
    let path = match database {
        Database::File(path) => path.as_path(),
        _ => Path::new(":memory:"),
    };
    let mut conn = Connection::open(path).map_err(|e| open_error(path, e))?;
    init_connection(&mut conn, synchronous).map_err(|e| open_error(path, e))?;
    Ok(conn)
}

/// SQLite's errors as FlowForge's: those that say the storage cannot take the operation now
/// are [`Error::Unavailable`] (so a client may retry), every other one [`Error::Internal`].
impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match retry_after(&e) {
            Some(retry_after) => Error::Unavailable {
                retry_after,
                cause: Box::new(e),
            },
            None => Error::internal(e),
        }
    }
}

/// How long a client should wait after `e`, if it is a refusal of the storage: a lock held
/// past the busy timeout, or a file that is full, read-only, cannot be opened (descriptors run
/// out) or fails its reads and writes.
fn retry_after(e: &rusqlite::Error) -> Option<u64> {
    let rusqlite::Error::SqliteFailure(failure, _) = e else {
        return None;
    };
    match failure.code {
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Some(LOCKED_RETRY_AFTER),
        ErrorCode::DiskFull
        | ErrorCode::ReadOnly
        | ErrorCode::SystemIoFailure
        | ErrorCode::CannotOpen
        | ErrorCode::PermissionDenied
        | ErrorCode::FileLockingProtocolFailed => Some(STORAGE_RETRY_AFTER),
        _ => None,
    }
}

/// Whether `e` is a violated unique or primary-key constraint.
pub(super) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == ErrorCode::ConstraintViolation
                && matches!(f.extended_code, rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, FlowForge, NewTask, TaskPatch, TaskQuery};

    #[test]
    fn sqlite_is_built_without_its_global_locks() {
        let conn = connect(&Database::Memory, Synchronous::default()).unwrap();
        let mut stmt = conn.prepare("PRAGMA compile_options").unwrap();
        let options: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        // LIBSQLITE3_FLAGS in .cargo/config.toml.
        assert!(
            options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
            "{options:?}"
        );
        assert!(
            !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
            "{options:?}"
        );
        assert!(options.iter().any(|o| o == "THREADSAFE=1"), "{options:?}");
    }

    /// A cached statement runs again without being compiled again, whatever is bound to it (a
    /// list's page size and offset included).
    #[test]
    fn a_cached_page_statement_is_not_compiled_again_for_new_bindings() {
        let conn = connect(&Database::Memory, Synchronous::default()).unwrap();
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT); CREATE INDEX t_k ON t (k);
             INSERT INTO t (k) VALUES ('a'), ('b'), ('c');",
        )
        .unwrap();
        let sql = "SELECT id FROM t WHERE k > ? ORDER BY k LIMIT ? OFFSET ?";
        for (limit, offset) in [(1, 0), (2, 1), (50, 0), (1, 2)] {
            let params = [
                Value::Text(String::new()),
                Value::Int(limit),
                Value::Int(offset),
            ];
            each_row(&conn, sql, &params, &mut |_| Ok(())).unwrap();
        }
        let stmt = conn.prepare_cached(sql).unwrap();
        assert_eq!(stmt.get_status(rusqlite::StatementStatus::RePrepare), 0);
    }

    /// A row's text is read in place; text that is not UTF-8 (FlowForge never writes any) is
    /// read with replacement characters rather than failing the request.
    #[test]
    fn a_row_reads_text_in_place_and_bad_utf8_with_replacements() {
        let conn = connect(&Database::Memory, Synchronous::default()).unwrap();
        let sql = "SELECT 'plain', CAST(x'6869ff' AS TEXT), 7, NULL";
        let mut seen = Vec::new();
        each_row(&conn, sql, &[], &mut |row| {
            assert!(matches!(
                row.0.cell(0),
                Some(Cell::Text(Cow::Borrowed("plain")))
            ));
            seen.push((
                row.get::<String>(1)?,
                row.get::<i64>(2)?,
                row.get::<Option<String>>(3)?,
            ));
            assert!(row.get::<String>(2).is_err(), "an integer is not text");
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, [("hi\u{fffd}".to_owned(), 7, None)]);
    }

    /// A database made by the first release, with one task its insert trigger indexed (by the
    /// `search_terms` function that release registered: the folded words, space-separated).
    fn first_release_database(db: &Database) {
        let mut conn = connect(db, Synchronous::default()).unwrap();
        conn.create_scalar_function("search_terms", 2, FunctionFlags::SQLITE_UTF8, |ctx| {
            let title = ctx.get::<String>(0)?;
            let description = ctx.get::<String>(1)?;
            Ok(fold_case(&format!("{title} {description}")))
        })
        .unwrap();
        embedded::migrations::runner()
            .set_target(refinery::Target::Version(1))
            .run(&mut conn)
            .unwrap();
        conn.execute_batch(
            "INSERT INTO users (id, email, password_hash, created_at)
                 VALUES ('019b0000-0000-7000-8000-000000000001', 'ada@example.com', 'x', '2026-01-01T00:00:00.000Z');
             INSERT INTO organizations (id, name, name_key, slug, created_at, updated_at)
                 VALUES ('019b0000-0000-7000-8000-000000000002', 'Acme', 'acme', 'acme', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
             INSERT INTO memberships (organization_id, user_id, role, joined_at)
                 VALUES ('019b0000-0000-7000-8000-000000000002', '019b0000-0000-7000-8000-000000000001', 3, '2026-01-01T00:00:00.000Z');
             INSERT INTO projects (id, organization_id, name, name_key, created_at, updated_at)
                 VALUES ('019b0000-0000-7000-8000-000000000003', '019b0000-0000-7000-8000-000000000002', 'Site', 'site', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
             INSERT INTO tasks (id, organization_id, project_id, title, status, priority, created_at, updated_at)
                 VALUES ('019b0000-0000-7000-8000-000000000004', '019b0000-0000-7000-8000-000000000002', '019b0000-0000-7000-8000-000000000003', 'Feed the Zebra', 0, 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');",
        )
        .unwrap();
    }

    #[test]
    fn pooled_connections_run_with_the_configured_synchronous_and_temporary_storage_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        for (text, level) in [("normal", 1), ("FULL", 2)] {
            let mut config = Config::new("secret");
            config.synchronous = Synchronous::parse(text).unwrap();
            let db = Database::File(dir.path().join(format!("{text}.db")));
            let ff = FlowForge::open(&db, config).unwrap();
            let pragma = |name: &str| {
                let sql = format!("PRAGMA {name}");
                ff.store
                    .with_conn(|c| c.query_row(&sql, [], |r| r.get::<_, i64>(0)).unwrap())
                    .unwrap()
            };
            assert_eq!(pragma("synchronous"), level, "{text}");
            assert_eq!(pragma("temp_store"), 2, "in memory");
        }
        assert_eq!(Config::new("secret").synchronous, Synchronous::Normal);
        assert!(Synchronous::parse("off").is_err());
    }

    /// The checkpoint sequence number in the header of the WAL at `path`, which SQLite raises
    /// each time the WAL starts over from its beginning.
    fn wal_restarts(path: &std::path::Path) -> u32 {
        use std::io::Read;
        let mut header = [0; 16];
        std::fs::File::open(path)
            .and_then(|mut f| f.read_exact(&mut header))
            .unwrap();
        u32::from_be_bytes([header[12], header[13], header[14], header[15]])
    }

    #[test]
    fn the_wal_starts_over_under_a_steady_stream_of_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("busy.db");
        let pool = open(&Database::File(path.clone()), Synchronous::default()).unwrap();
        let write = || {
            run(&pool, Mode::Write, |tx| {
                tx.execute(
                    "INSERT INTO storage_probe (filler) VALUES (hex(randomblob(8192)))",
                    &[],
                )
            })
            .unwrap()
        };
        write();
        // This thread keeps a read snapshot from a held read: the checkpointer ends it, or the
        // WAL could not start over while it lasted.
        {
            let _held = super::held::hold(&pool).unwrap();
            let rows = run(&pool, Mode::Read, |tx| {
                tx.one::<i64>("SELECT count(*) FROM storage_probe", &[])
            });
            assert_eq!(rows.unwrap(), 1);
        }
        let wal = dir.path().join("busy.db-wal");
        let first = wal_restarts(&wal);
        // 16 KiB a write, back to back, so that no passive checkpoint ever copies the whole WAL;
        // a WAL that never started over would hold all of them (up to 480 MiB). It started over
        // twice within 3,930, 5,000 and 4,969 writes in three runs on an idle machine: the bound
        // of 6,000 it had was too close, and a run on cores that other tests and a build held
        // missed it.
        let mut writes = 0;
        while writes < 30_000 && wal_restarts(&wal) < first + 2 {
            write();
            writes += 1;
        }
        assert!(
            wal_restarts(&wal) >= first + 2,
            "the WAL did not start over twice in {writes} writes"
        );
    }

    #[test]
    fn an_upgraded_log_links_each_task_history_and_goes_on_from_it() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::File(dir.path().join("old.db"));
        first_release_database(&db);
        let mut conn = connect(&db, Synchronous::default()).unwrap();
        embedded::migrations::runner()
            .set_target(refinery::Target::Version(8))
            .run(&mut conn)
            .unwrap();
        // As the log before version 9 held them: the task's three events around those of
        // another task and of the organization.
        let org = "'019b0000-0000-7000-8000-000000000002'";
        let task = "'019b0000-0000-7000-8000-000000000004'";
        let other = "'019b0000-0000-7000-8000-000000000009'";
        for (sequence, kind, task) in [
            (1, "organization.created", "NULL"),
            (2, "task.created", task),
            (3, "task.created", other),
            (4, "task.updated", task),
            (5, "task.updated", other),
            (6, "comment.created", task),
        ] {
            conn.execute_batch(&format!(
                "INSERT INTO events (organization_id, sequence, type, task_id, created_at)
                 VALUES ({org}, {sequence}, '{kind}', {task}, '2026-01-01T00:00:00.000Z')"
            ))
            .unwrap();
        }
        drop(conn);
        let ff = FlowForge::open(&db, Config::new("secret")).unwrap();
        let owner = ff.admin().find_user("ada@example.com").unwrap().unwrap();
        let actor = ff.admin().act_as(owner.id).unwrap();
        let task = ff.list_tasks(&actor, &TaskQuery::default()).unwrap().items[0].id;
        let history = || {
            let page = ff
                .task_activity(&actor, task, crate::PageRequest::default())
                .unwrap();
            assert_eq!(page.count, page.items.len() as u64);
            page.items.iter().map(|e| e.sequence).collect::<Vec<_>>()
        };
        assert_eq!(history(), [6, 4, 2]);
        let update = TaskPatch {
            title: Some("Feed the Okapi".into()),
            ..TaskPatch::default()
        };
        ff.update_task(&actor, task, &update).unwrap();
        assert_eq!(history(), [7, 6, 4, 2]);
    }

    #[test]
    fn an_upgraded_database_lists_and_searches_its_old_new_changed_and_cascaded_tasks() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::File(dir.path().join("old.db"));
        first_release_database(&db);
        let ff = FlowForge::open(&db, Config::new("secret")).unwrap();
        let owner = ff.admin().find_user("ada@example.com").unwrap().unwrap();
        let actor = ff.admin().act_as(owner.id).unwrap();
        let found = |text: &str| {
            let query = TaskQuery::from_pairs([("search", text)]).unwrap();
            let page = ff.list_tasks(&actor, &query).unwrap();
            page.items.into_iter().map(|t| t.title).collect::<Vec<_>>()
        };
        assert_eq!(found("zebra"), ["Feed the Zebra"]);
        // The stored member counts start from the memberships the old database held.
        let orgs = ff.list_organizations(&actor, &Default::default()).unwrap();
        assert_eq!(orgs.items[0].member_count, 1);

        let project = ff.list_projects(&actor, &Default::default()).unwrap().items[0].id;
        let task = ff
            .create_task(&actor, &NewTask::new(project, "Walk the Quokka"))
            .unwrap();
        assert_eq!(found("quokka"), ["Walk the Quokka"]);
        let update = TaskPatch {
            title: Some("Walk the Wombat".into()),
            ..TaskPatch::default()
        };
        ff.update_task(&actor, task.id, &update).unwrap();
        assert_eq!(found("wombat"), ["Walk the Wombat"]);
        assert!(found("quokka").is_empty());
        assert_eq!(found("the").len(), 2);

        // Deleting the project deletes its tasks by cascade: they leave every list.
        ff.delete_project(&actor, project).unwrap();
        assert!(found("the").is_empty());
        let leftovers: i64 = connect(&db, Synchronous::default())
            .unwrap()
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master
                 WHERE name IN ('search_sync', 'tasks_search')
                    OR (type = 'trigger' AND tbl_name = 'tasks')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            leftovers, 0,
            "no trigger on tasks and no trigram index is left"
        );
    }
}
