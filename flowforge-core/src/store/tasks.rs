//! Statements on tasks. Soft-deleted rows (`deleted_at` set) are excluded from every read here.
//! Lists are chosen by the task index (`crate::index`); every statement here that writes tasks
//! bumps the organization's task version and stamps the rows with it, which is how the index
//! follows the table.

use std::sync::LazyLock;

use super::list::value;
use super::recent::RecentTasks;
use super::value::{Row, Value, args};
use super::{Backend, Tx};
use crate::authz::{OrgScope, Role, Scoped};
use crate::error::{Error, Result};
use crate::ids::{OrgId, ProjectId, TaskId, UserId};
use crate::index::Selection;
use crate::task::{Status, Task, TaskInProject};
use crate::time::Timestamp;
use crate::user::UserRef;

const TASK_COLUMNS: &str =
    "t.id, t.organization_id, t.project_id, t.title, t.description, t.status, t.priority,
    a.id, a.email, a.full_name, t.created_by, t.due_date, t.created_at, t.updated_at";
const TASK_FROM: &str = "tasks t LEFT JOIN users a ON a.id = t.assigned_to";
/// A live task with the reader's role in its organization and its project's state: every read
/// or change of one task runs it, so its text is built once.
static TASK_IN_SCOPE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {TASK_COLUMNS}, m.role, p.is_archived FROM {TASK_FROM}
         JOIN memberships m ON m.organization_id = t.organization_id AND m.user_id = ?
         JOIN projects p ON p.id = t.project_id
         WHERE t.id = ? AND t.deleted_at IS NULL"
    )
});
/// Rows per INSERT of a bulk load on PostgreSQL: 13 parameters each, 6,500 in all, well within
/// the protocol's 65,535.
const ROWS_PER_INSERT: usize = 500;

fn task_row(row: &Row) -> Result<Task> {
    let assignee = match row.get::<Option<UserId>>(7)? {
        Some(id) => Some(UserRef {
            id,
            email: row.get(8)?,
            full_name: row.get(9)?,
        }),
        None => None,
    };
    Ok(Task {
        id: row.get(0)?,
        organization: row.get(1)?,
        project: row.get(2)?,
        title: row.get(3)?,
        description: row.get(4)?,
        status: row.get(5)?,
        priority: row.get(6)?,
        assigned_to: assignee,
        created_by: row.get(10)?,
        due_date: row.get(11)?,
        created_at: row.get(12)?,
        updated_at: row.get(13)?,
    })
}

impl Tx<'_> {
    /// A live task of one of `user`'s organizations, with the user's scope there.
    pub(crate) fn task_in_scope(&self, user: UserId, id: TaskId) -> Result<Scoped<TaskInProject>> {
        self.row(&TASK_IN_SCOPE, args![user, id], |r| {
            let task = task_row(r)?;
            let scope = OrgScope::from_membership(task.organization, user, r.get::<Role>(14)?);
            let project_archived = r.get(15)?;
            Ok(Scoped {
                scope,
                item: TaskInProject {
                    task,
                    project_archived,
                },
            })
        })?
        .ok_or_else(Error::not_found)
    }

    /// The live tasks of a page, in its order (a missing one is left out). A task `recent` keeps
    /// at the version the page names is taken from there, with its assignee read afresh; the
    /// others are read, by their row keys where the index has them all (on SQLite one B-tree
    /// descent per task instead of two), else by id, and kept.
    pub(crate) fn tasks_of_page(
        &self,
        page: &Selection,
        recent: &RecentTasks,
    ) -> Result<Vec<Task>> {
        let mut tasks: Vec<Option<Task>> = page
            .ids
            .iter()
            .zip(&page.versions)
            .map(|(&id, &version)| recent.get(id, version).map(|kept| kept.task.clone()))
            .collect();
        self.refresh_assignees(&mut tasks)?;
        let missing: Vec<usize> = (0..tasks.len()).filter(|&i| tasks[i].is_none()).collect();
        if !missing.is_empty() {
            let marks = vec!["?"; missing.len()].join(", ");
            let (key, params): (_, Vec<Value>) = match &page.rows {
                Some(rows) => (
                    "t.seq",
                    missing.iter().map(|&i| Value::Int(rows[i])).collect(),
                ),
                None => (
                    "t.id",
                    missing.iter().map(|&i| value(page.ids[i])).collect(),
                ),
            };
            let read = self.rows(
                &format!(
                    "SELECT {TASK_COLUMNS}, t.change_seq FROM {TASK_FROM}
                     WHERE {key} IN ({marks}) AND t.deleted_at IS NULL"
                ),
                &params,
                |r| Ok((task_row(r)?, r.get::<i64>(14)?)),
            )?;
            for (task, version) in read {
                // A row key names the task the index read there, in this transaction's
                // snapshot; the id is checked all the same.
                let Some(i) = missing.iter().copied().find(|&i| page.ids[i] == task.id) else {
                    continue;
                };
                recent.put(version, task.clone());
                tasks[i] = Some(task);
            }
        }
        Ok(tasks.into_iter().flatten().collect())
    }

    /// Gives each of `tasks` its assignee's name and email as this transaction sees them.
    fn refresh_assignees(&self, tasks: &mut [Option<Task>]) -> Result<()> {
        let mut ids: Vec<UserId> = tasks
            .iter()
            .flatten()
            .filter_map(|t| t.assigned_to.as_ref().map(|a| a.id))
            .collect();
        if ids.is_empty() {
            return Ok(());
        }
        ids.sort_unstable();
        ids.dedup();
        let marks = vec!["?"; ids.len()].join(", ");
        let params: Vec<Value> = ids.iter().map(|&id| value(id)).collect();
        let users = self.rows(
            &format!("SELECT id, email, full_name FROM users WHERE id IN ({marks})"),
            &params,
            |r| {
                Ok(UserRef {
                    id: r.get(0)?,
                    email: r.get(1)?,
                    full_name: r.get(2)?,
                })
            },
        )?;
        for task in tasks.iter_mut().flatten() {
            // A user gone from the table leaves the task unassigned, as the page's join would.
            if let Some(assignee) = task.assigned_to.take() {
                task.assigned_to = users.iter().find(|u| u.id == assignee.id).cloned();
            }
        }
        Ok(())
    }

    /// Inserts a task, stamped with its organization's next task version.
    pub(crate) fn insert_task(&self, scope: &OrgScope, t: &Task) -> Result<()> {
        let version = self.bump_task_version(scope.org())?;
        self.insert_task_rows(&[(*scope, t)], version)
    }

    /// Inserts the rows of tasks with one statement, stamped `version`.
    fn insert_task_rows(&self, tasks: &[(OrgScope, &Task)], version: i64) -> Result<()> {
        if tasks.is_empty() {
            return Ok(());
        }
        let mut params = Vec::with_capacity(tasks.len() * COLUMNS);
        for (scope, t) in tasks {
            params.extend(task_values(*scope, t, version));
        }
        self.execute(&insert_tasks_sql(tasks.len()), &params)?;
        Ok(())
    }

    /// Inserts many tasks. On SQLite one row per statement (a multi-row INSERT would be journaled
    /// so that it could be undone alone); on PostgreSQL [`ROWS_PER_INSERT`] rows per statement,
    /// saving the round trips. Each organization's index is then loaded anew (a new generation)
    /// rather than told of every row.
    pub(crate) fn insert_tasks_bulk(&self, tasks: &[(OrgScope, Task)]) -> Result<()> {
        if self.backend() == Backend::Sqlite {
            // Keep the indexes' pages in memory for the load (256 MiB), then give the pooled
            // connection its own cache size back.
            let cache_size: i64 = self.one("PRAGMA cache_size", &[])?;
            self.execute("PRAGMA cache_size = -262144", &[])?;
            let insert = insert_tasks_sql(1);
            for (scope, task) in tasks {
                self.execute(&insert, &task_values(*scope, task, 0))?;
            }
            self.execute(&format!("PRAGMA cache_size = {cache_size}"), &[])?;
        } else {
            for chunk in tasks.chunks(ROWS_PER_INSERT) {
                let rows: Vec<(OrgScope, &Task)> = chunk.iter().map(|(s, t)| (*s, t)).collect();
                self.insert_task_rows(&rows, 0)?;
            }
        }
        let mut orgs: Vec<OrgId> = tasks.iter().map(|(scope, _)| scope.org()).collect();
        orgs.sort_unstable();
        orgs.dedup();
        for org in orgs {
            self.bump_task_generation(org)?;
        }
        Ok(())
    }

    pub(crate) fn update_task(&self, scope: &OrgScope, t: &Task) -> Result<()> {
        let version = self.bump_task_version(scope.org())?;
        self.execute(
            "UPDATE tasks SET title = ?, description = ?, status = ?, priority = ?, assigned_to = ?, due_date = ?,
             updated_at = ?, change_seq = ? WHERE id = ? AND organization_id = ? AND deleted_at IS NULL",
            args![
            t.title,
            t.description,
            t.status,
            t.priority,
            t.assigned_to.as_ref().map(|a| a.id),
            t.due_date,
            t.updated_at,
            version,
            t.id,
            scope.org()
            ],
        )?;
        Ok(())
    }

    pub(crate) fn soft_delete_task(
        &self,
        scope: &OrgScope,
        id: TaskId,
        now: Timestamp,
    ) -> Result<()> {
        let version = self.bump_task_version(scope.org())?;
        self.execute(
            "UPDATE tasks SET deleted_at = ?, change_seq = ?
             WHERE id = ? AND organization_id = ? AND deleted_at IS NULL",
            args![now, version, id, scope.org()],
        )?;
        Ok(())
    }

    /// Unassigns `user` from the live tasks of the scope's organization whose status is one of
    /// `statuses`; returns the project and id of each task it changed, by id.
    pub(crate) fn unassign_tasks(
        &self,
        scope: &OrgScope,
        user: UserId,
        statuses: &[Status],
        now: Timestamp,
    ) -> Result<Vec<(ProjectId, TaskId)>> {
        if statuses.is_empty() {
            return Ok(Vec::new());
        }
        let version = self.bump_task_version(scope.org())?;
        let marks = vec!["?"; statuses.len()].join(", ");
        let mut params = args![now, version, user, scope.org()].to_vec();
        params.extend(statuses.iter().map(|&status| value(status)));
        self.rows(
            &format!(
                "UPDATE tasks SET assigned_to = NULL, updated_at = ?, change_seq = ?
                 WHERE assigned_to = ? AND organization_id = ? AND status IN ({marks}) AND deleted_at IS NULL
                 RETURNING project_id, id"
            ),
            &params,
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map(|mut changed: Vec<(ProjectId, TaskId)>| {
            changed.sort_by_key(|&(_, task)| task);
            changed
        })
    }
}

/// The columns of one row of [`insert_tasks_sql`].
const COLUMNS: usize = 13;

/// `INSERT INTO tasks` of `rows` rows, in the order of [`task_values`].
fn insert_tasks_sql(rows: usize) -> String {
    let row = format!("({})", ["?"; COLUMNS].join(", "));
    format!(
        "INSERT INTO tasks (id, organization_id, project_id, title, description, status, priority,
                            assigned_to, created_by, due_date, created_at, updated_at, change_seq)
         VALUES {}",
        vec![row; rows].join(", ")
    )
}

/// The values of one row of [`insert_tasks_sql`], stamped `version`.
fn task_values(scope: OrgScope, t: &Task, version: i64) -> [Value; COLUMNS] {
    [
        value(t.id),
        value(scope.org()),
        value(t.project),
        value(&t.title),
        value(&t.description),
        value(t.status),
        value(t.priority),
        value(t.assigned_to.as_ref().map(|a| a.id)),
        value(t.created_by),
        value(t.due_date),
        value(t.created_at),
        value(t.updated_at),
        Value::Int(version),
    ]
}
