//! The PostgreSQL schema's migrations (`migrations/postgres/`, embedded at build time), run
//! under an advisory lock so that servers starting together migrate once.

use postgres::Client;
use refinery::{Migration, Report};

use super::connect::connect;
use crate::error::{Error, Result};

mod embedded {
    refinery::embed_migrations!("migrations/postgres");
}

/// The advisory lock key held while migrating ("FlowForg" in ASCII).
pub(super) const MIGRATION_LOCK: i64 = 0x466c_6f77_466f_7267;

/// Applies the pending migrations on `client`, one process at a time.
pub(super) fn run_migrations(client: &mut Client) -> Result<Report> {
    client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])?;
    let report = embedded::migrations::runner().run(client);
    client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])?;
    report.map_err(Error::internal)
}

/// Applies the pending migrations of the database at `url`.
pub(crate) fn migrate(url: &str) -> Result<Report> {
    run_migrations(&mut connect(url)?)
}

/// The migrations this build knows and those the database has.
pub(crate) fn migrations(url: &str) -> Result<(Vec<Migration>, Vec<Migration>)> {
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
