//! [`ScratchSchema`], a test fixture: a fresh FlowForge database in a schema of its own on a
//! shared PostgreSQL server, dropped with the value; schemas left behind by earlier runs are
//! dropped once stale.

use std::time::Duration;

use postgres::Client;
use uuid::Uuid;

use super::connect::connect;
use super::migrate::MIGRATION_LOCK;
use crate::error::{Error, Result};
use crate::store::Database;

/// A PostgreSQL schema of its own, created empty and dropped with this value: a fresh
/// FlowForge database on a shared server, for tests that run side by side.
pub struct ScratchSchema {
    server: String,
    schema: String,
    database: Database,
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
        let database = Database::Postgres(format!(
            "{url}{separator}options=-c%20search_path%3D{schema}%2Cpublic"
        ));
        Ok(Self {
            server: url.to_owned(),
            schema,
            database,
        })
    }

    /// The server tests use: `FLOWFORGE_TEST_DATABASE_URL`, by default
    /// `postgres://postgres@127.0.0.1:5432/test`.
    pub fn test_server_url() -> String {
        std::env::var("FLOWFORGE_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
    }

    /// A scratch schema on the server that tests use ([`ScratchSchema::test_server_url`]).
    ///
    /// # Errors
    /// [`Error::Validation`] naming the variable and the server (without its password) when
    /// no server answers there.
    pub fn for_tests() -> Result<Self> {
        let url = Self::test_server_url();
        Self::create(&url).map_err(|e| {
            let server = url.rsplit('@').next().unwrap_or_default();
            Error::invalid(
                "FLOWFORGE_TEST_DATABASE_URL",
                format!("the PostgreSQL tests need a server at {server}: {e}"),
            )
        })
    }

    /// The database to open: the server's URL with the schema first on the search path.
    pub fn database(&self) -> &Database {
        &self.database
    }

    /// That database's connection string, for a `DATABASE_URL`.
    pub fn url(&self) -> &str {
        match &self.database {
            Database::Postgres(url) => url,
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
    use super::ScratchSchema;
    use crate::Error;
    use crate::store::Store;
    use crate::store::value::args;

    #[test]
    fn a_lock_not_had_in_time_and_a_read_only_transaction_are_unavailable() {
        let scratch = ScratchSchema::for_tests().unwrap_or_else(|e| panic!("{e}"));
        let store = Store::open(scratch.database(), Default::default()).unwrap();
        let insert = "INSERT INTO storage_probe (filler) VALUES ('x')";

        // Another session holds the table the write needs, past the (shortened) lock timeout.
        let mut other = postgres::Client::connect(scratch.url(), postgres::NoTls).unwrap();
        let mut holder = other.transaction().unwrap();
        holder
            .batch_execute("LOCK TABLE storage_probe IN ACCESS EXCLUSIVE MODE")
            .unwrap();
        let locked = store.write(|tx| {
            tx.execute("SET LOCAL lock_timeout = '50ms'", &[])?;
            tx.execute(insert, &[])
        });
        assert!(
            matches!(locked, Err(Error::Unavailable { retry_after: 5, .. })),
            "{locked:?}"
        );
        assert!(store.refusing(), "a refused write marks the store");
        holder.rollback().unwrap();

        // A read-only transaction (as on a standby, or with default_transaction_read_only).
        let read_only = store.write(|tx| {
            tx.execute("SET TRANSACTION READ ONLY", &[])?;
            tx.execute(insert, &[])
        });
        assert!(
            matches!(
                read_only,
                Err(Error::Unavailable {
                    retry_after: 30,
                    ..
                })
            ),
            "{read_only:?}"
        );
        store.probe_writes().unwrap();
        assert!(!store.refusing(), "a write that succeeds clears the mark");
    }

    #[test]
    fn the_task_index_reads_the_rows_written_since_its_version_through_an_index() {
        let scratch = ScratchSchema::for_tests().unwrap_or_else(|e| panic!("{e}"));
        let store = Store::open(scratch.database(), Default::default()).unwrap();
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
}
