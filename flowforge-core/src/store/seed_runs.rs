//! Statements on the seeder's run marker: one row while a run is in progress, naming its plan
//! and how many tasks it has written, so that an interrupted run is known and can be resumed.

use super::Tx;
use super::value::args;
use crate::error::{Error, Result};
use crate::time::Timestamp;

/// A seeding run as its marker records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SeedRun {
    pub(crate) orgs: u32,
    pub(crate) projects_per_org: u32,
    pub(crate) tasks_per_project: u32,
    pub(crate) users_per_org: u32,
    pub(crate) seed: u64,
    /// Tasks written so far (in the transactions of the batches, with them).
    pub(crate) tasks_written: u64,
}

impl Tx<'_> {
    /// The run in progress, if any.
    pub(crate) fn seed_run(&self) -> Result<Option<SeedRun>> {
        self.row(
            "SELECT orgs, projects_per_org, tasks_per_project, users_per_org, seed, tasks_written
             FROM seed_runs WHERE id = 1",
            &[],
            |r| {
                let count =
                    |i| -> Result<u32> { u32::try_from(r.get::<i64>(i)?).map_err(Error::internal) };
                Ok(SeedRun {
                    orgs: count(0)?,
                    projects_per_org: count(1)?,
                    tasks_per_project: count(2)?,
                    users_per_org: count(3)?,
                    seed: r.get::<String>(4)?.parse().map_err(Error::internal)?,
                    tasks_written: u64::try_from(r.get::<i64>(5)?).map_err(Error::internal)?,
                })
            },
        )
    }

    /// Marks `run` as in progress.
    pub(crate) fn insert_seed_run(&self, run: &SeedRun) -> Result<()> {
        self.execute(
            "INSERT INTO seed_runs (id, orgs, projects_per_org, tasks_per_project, users_per_org,
                                    seed, tasks_written, started_at)
             VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
            args![
                i64::from(run.orgs),
                i64::from(run.projects_per_org),
                i64::from(run.tasks_per_project),
                i64::from(run.users_per_org),
                run.seed.to_string(),
                i64::try_from(run.tasks_written).unwrap_or(i64::MAX),
                Timestamp::now()
            ],
        )
        .map(drop)
    }

    /// Records that the run in progress has written `tasks` tasks.
    pub(crate) fn advance_seed_run(&self, tasks: u64) -> Result<()> {
        self.execute(
            "UPDATE seed_runs SET tasks_written = ? WHERE id = 1",
            args![i64::try_from(tasks).unwrap_or(i64::MAX)],
        )
        .map(drop)
    }

    /// Ends the run in progress.
    pub(crate) fn delete_seed_run(&self) -> Result<()> {
        self.execute("DELETE FROM seed_runs WHERE id = 1", &[])
            .map(drop)
    }
}
