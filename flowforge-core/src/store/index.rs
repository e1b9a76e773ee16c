//! What the task index reads and what every task write stamps: each organization's
//! `task_versions` row and the `change_seq` of the task rows a write touched. Every statement
//! that writes tasks calls [`Tx::bump_task_version`] (or [`Tx::bump_task_generation`] when
//! tasks leave the table) in its own transaction, so a reader that sees the rows sees the
//! version too.

use super::value::{Row, ToValue, Value, args};
use super::{Backend, Tx};
use crate::error::Result;
use crate::ids::OrgId;
use crate::index::{IndexRow, Version};

const INDEX_COLUMNS: &str = "deleted_at IS NOT NULL, id, project_id, status, priority,
    assigned_to, created_by, due_date, created_at, updated_at, title, description, change_seq";

/// The row key of [`IndexRow::row`] as each backend selects it: SQLite's rowid (`seq`), which
/// finds a task without the id's index; PostgreSQL has none (its ids are 16-byte keys already).
fn row_key(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "seq",
        #[cfg(feature = "postgres")]
        Backend::Postgres => "NULL::bigint",
    }
}

fn index_row(row: &Row) -> Result<IndexRow> {
    Ok(IndexRow {
        deleted: row.get(0)?,
        id: row.get(1)?,
        project: row.get(2)?,
        status: row.get(3)?,
        priority: row.get(4)?,
        assignee: row.get(5)?,
        creator: row.get(6)?,
        due: row.get(7)?,
        created_at: row.get(8)?,
        updated_at: row.get(9)?,
        title: row.get(10)?,
        description: row.get(11)?,
        changed: row.get(12)?,
        row: row.get(13)?,
    })
}

impl Tx<'_> {
    /// The task version of each of `orgs` (one that never had a task write is at zero).
    pub(crate) fn task_versions(&self, orgs: &[OrgId]) -> Result<Vec<(OrgId, Version)>> {
        let stored: Vec<(OrgId, Version)> = if orgs.is_empty() {
            Vec::new()
        } else {
            let marks = vec!["?"; orgs.len()].join(", ");
            let params: Vec<Value> = orgs.iter().map(ToValue::to_value).collect();
            self.rows(
                &format!(
                    "SELECT organization_id, generation, version FROM task_versions
                     WHERE organization_id IN ({marks})"
                ),
                &params,
                |r| {
                    Ok((
                        r.get(0)?,
                        Version {
                            generation: r.get(1)?,
                            version: r.get(2)?,
                        },
                    ))
                },
            )?
        };
        Ok(orgs
            .iter()
            .map(|org| {
                let version = stored.iter().find(|(o, _)| o == org).map(|(_, v)| *v);
                (*org, version.unwrap_or_default())
            })
            .collect())
    }

    /// Calls `f` with each of the organization's live tasks (`since` `None`), or each task
    /// stamped after `since`, soft-deleted ones included, as they are read.
    pub(crate) fn each_index_row(
        &self,
        org: OrgId,
        since: Option<i64>,
        mut f: impl FnMut(IndexRow),
    ) -> Result<()> {
        let mut apply = |row: &Row| index_row(row).map(&mut f);
        let key = row_key(self.backend());
        match since {
            None => self.each_row(
                &format!(
                    "SELECT {INDEX_COLUMNS}, {key} FROM tasks
                     WHERE organization_id = ? AND deleted_at IS NULL"
                ),
                args![org],
                &mut apply,
            ),
            Some(since) => self.each_row(
                &format!(
                    "SELECT {INDEX_COLUMNS}, {key} FROM tasks
                     WHERE organization_id = ? AND change_seq > ?"
                ),
                args![org, since],
                &mut apply,
            ),
        }
    }

    /// Counts one more write of `org`'s tasks; returns the version to stamp the written rows
    /// with.
    pub(crate) fn bump_task_version(&self, org: OrgId) -> Result<i64> {
        self.one(
            "INSERT INTO task_versions (organization_id, generation, version) VALUES (?, 0, 1)
             ON CONFLICT (organization_id) DO UPDATE SET version = task_versions.version + 1
             RETURNING version",
            args![org],
        )
    }

    /// Counts a write that removed tasks of `org` from the table: readers load it anew.
    pub(crate) fn bump_task_generation(&self, org: OrgId) -> Result<()> {
        self.execute(
            "INSERT INTO task_versions (organization_id, generation, version) VALUES (?, 1, 1)
             ON CONFLICT (organization_id) DO UPDATE
             SET generation = task_versions.generation + 1, version = task_versions.version + 1",
            args![org],
        )?;
        Ok(())
    }
}
