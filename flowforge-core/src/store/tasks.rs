//! Statements on tasks. Soft-deleted rows (`deleted_at` set) are excluded from every read here.
//! Search tests each word against the task's search terms (`search_terms(title,
//! description)`): on SQLite through the `tasks_search` trigram index for words of three
//! characters or more (bound as quoted FTS strings, never as syntax), on PostgreSQL with `LIKE`
//! on the `search_text` column, which a `pg_trgm` index serves.

use super::list::{Select, Where, count, fetch_page, order_by, value};
use super::value::{Row, Value, args};
use super::{Backend, Tx};
use crate::authz::{OrgScope, Role, Scoped};
use crate::error::{Error, Result};
use crate::ids::{OrgId, TaskId, UserId};
use crate::query::{Page, Search};
use crate::task::{Status, Task, TaskField, TaskInProject, TaskQuery, UserFilter};
use crate::time::Timestamp;
use crate::user::UserRef;

const TASK_COLUMNS: &str =
    "t.id, t.organization_id, t.project_id, t.title, t.description, t.status, t.priority,
    a.id, a.email, a.full_name, t.created_by, t.due_date, t.created_at, t.updated_at";
const TASK_FROM: &str = "tasks t LEFT JOIN users a ON a.id = t.assigned_to";
/// Rows per INSERT of a bulk load on PostgreSQL: 12 parameters each, 6,000 in all, well within
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
        let sql = format!(
            "SELECT {TASK_COLUMNS}, m.role, p.is_archived FROM {TASK_FROM}
             JOIN memberships m ON m.organization_id = t.organization_id AND m.user_id = ?
             JOIN projects p ON p.id = t.project_id
             WHERE t.id = ? AND t.deleted_at IS NULL"
        );
        self.row(&sql, args![user, id], |r| {
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

    /// Lists tasks; a search goes through the trigram index only when the caller can see more
    /// than `scan_limit` tasks (below that, comparing every visible task directly is cheaper
    /// than reading the index's postings of every tenant).
    pub(crate) fn list_tasks(
        &self,
        user: UserId,
        query: &TaskQuery,
        scan_limit: u64,
    ) -> Result<Page<Task>> {
        let mut filter = Where::default();
        let orgs =
            self.scope_to_orgs(&mut filter, "t.organization_id", user, &query.organization)?;
        filter.and("t.deleted_at IS NULL", []);
        filter.any_of("t.project_id", query.project.iter().copied());
        filter.any_of("t.status", query.status.iter().copied());
        filter.any_of("t.priority", query.priority.iter().copied());
        user_filter(&mut filter, "t.assigned_to", &query.assigned_to, user);
        user_filter(&mut filter, "t.created_by", &query.created_by, user);
        if let Some(date) = query.due_before {
            filter.and("t.due_date <= ?", [value(date)]);
        }
        if let Some(date) = query.due_after {
            filter.and("t.due_date >= ?", [value(date)]);
        }
        if !query.search.is_empty() {
            match self.backend() {
                Backend::Sqlite => {
                    let use_index = self.live_task_count(&orgs)? > scan_limit;
                    search(&mut filter, &query.search, use_index);
                }
                #[cfg(feature = "postgres")]
                Backend::Postgres => {
                    // A word's frequency decides between the trigram index and the
                    // organization's; a cached generic plan cannot know it.
                    self.execute("SET LOCAL plan_cache_mode = force_custom_plan", &[])?;
                    for word in query.search.words() {
                        filter.and("t.search_text LIKE ?", [Value::Text(like_pattern(word))]);
                    }
                }
            }
        }
        let mut terms = Vec::new();
        for sort in query.effective_ordering() {
            push_order(&mut terms, sort.field, sort.descending);
        }
        fetch_page(
            self,
            &Select {
                columns: TASK_COLUMNS,
                from: TASK_FROM,
                count_from: "tasks t",
            },
            &filter,
            &order_by(&terms, "t.id"),
            query.page,
            task_row,
        )
    }

    /// How many live tasks the organizations hold (read from the default-order index).
    fn live_task_count(&self, orgs: &[OrgId]) -> Result<u64> {
        if orgs.is_empty() {
            return Ok(0);
        }
        let mut filter = Where::default();
        filter.any_of("organization_id", orgs.iter().copied());
        filter.and("deleted_at IS NULL", []);
        count(self, "tasks", &filter)
    }

    /// Inserts a task and, on SQLite, indexes it for search (PostgreSQL derives `search_text`
    /// itself).
    pub(crate) fn insert_task(&self, scope: &OrgScope, t: &Task) -> Result<()> {
        self.insert_task_rows(&[(*scope, t)])?;
        if self.backend() == Backend::Sqlite {
            self.execute(
                "INSERT INTO tasks_search (rowid, terms)
                 VALUES ((SELECT seq FROM tasks WHERE id = ?), search_terms(?, ?))",
                args![t.id, t.title, t.description],
            )?;
        }
        Ok(())
    }

    /// Inserts the rows of tasks with one statement.
    fn insert_task_rows(&self, tasks: &[(OrgScope, &Task)]) -> Result<()> {
        if tasks.is_empty() {
            return Ok(());
        }
        let mut params = Vec::with_capacity(tasks.len() * 12);
        for (scope, t) in tasks {
            params.extend(task_values(*scope, t));
        }
        self.execute(&insert_tasks_sql(tasks.len()), &params)?;
        Ok(())
    }

    /// Inserts many tasks. On SQLite one row per statement (a multi-row INSERT would be journaled
    /// so that it could be undone alone), the batch indexed for search by one statement at the
    /// end; on PostgreSQL [`ROWS_PER_INSERT`] rows per statement, saving the round trips.
    pub(crate) fn insert_tasks_bulk(&self, tasks: &[(OrgScope, Task)]) -> Result<()> {
        if self.backend() != Backend::Sqlite {
            for chunk in tasks.chunks(ROWS_PER_INSERT) {
                let rows: Vec<(OrgScope, &Task)> = chunk.iter().map(|(s, t)| (*s, t)).collect();
                self.insert_task_rows(&rows)?;
            }
            return Ok(());
        }
        // Keep the indexes' pages in memory for the load (256 MiB), then give the pooled
        // connection its own cache size back.
        let cache_size: i64 = self.one("PRAGMA cache_size", &[])?;
        self.execute("PRAGMA cache_size = -262144", &[])?;
        let last: i64 = self.one("SELECT COALESCE(MAX(seq), 0) FROM tasks", &[])?;
        let insert = insert_tasks_sql(1);
        for (scope, task) in tasks {
            self.execute(&insert, &task_values(*scope, task))?;
        }
        self.execute(
            "INSERT INTO tasks_search (rowid, terms)
             SELECT seq, search_terms(title, description) FROM tasks WHERE seq > ?",
            args![last],
        )?;
        self.execute(&format!("PRAGMA cache_size = {cache_size}"), &[])?;
        Ok(())
    }

    pub(crate) fn update_task(&self, scope: &OrgScope, t: &Task) -> Result<()> {
        self.execute(
            "UPDATE tasks SET title = ?, description = ?, status = ?, priority = ?, assigned_to = ?, due_date = ?,
             updated_at = ? WHERE id = ? AND organization_id = ? AND deleted_at IS NULL",
            args![
            t.title,
            t.description,
            t.status,
            t.priority,
            t.assigned_to.as_ref().map(|a| a.id),
            t.due_date,
            t.updated_at,
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
        self.execute(
            "UPDATE tasks SET deleted_at = ? WHERE id = ? AND organization_id = ? AND deleted_at IS NULL",
            args![now, id, scope.org()],
        )?;
        Ok(())
    }

    /// Unassigns `user` from the live tasks of the scope's organization whose status is one of
    /// `statuses`.
    pub(crate) fn unassign_tasks(
        &self,
        scope: &OrgScope,
        user: UserId,
        statuses: &[Status],
        now: Timestamp,
    ) -> Result<()> {
        if statuses.is_empty() {
            return Ok(());
        }
        let marks = vec!["?"; statuses.len()].join(", ");
        let mut params = args![now, user, scope.org()].to_vec();
        params.extend(statuses.iter().map(|&status| value(status)));
        self.execute(
            &format!(
                "UPDATE tasks SET assigned_to = NULL, updated_at = ?
                 WHERE assigned_to = ? AND organization_id = ? AND status IN ({marks}) AND deleted_at IS NULL"
            ),
            &params,
        )?;
        Ok(())
    }
}

/// `INSERT INTO tasks` of `rows` rows, in the order of [`task_values`].
fn insert_tasks_sql(rows: usize) -> String {
    let row = format!("({})", ["?"; 12].join(", "));
    format!(
        "INSERT INTO tasks (id, organization_id, project_id, title, description, status, priority,
                            assigned_to, created_by, due_date, created_at, updated_at)
         VALUES {}",
        vec![row; rows].join(", ")
    )
}

/// The values of one row of [`insert_tasks_sql`].
fn task_values(scope: OrgScope, t: &Task) -> [Value; 12] {
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
    ]
}

/// `column` is any of the filter's users (`me` is the actor, `none` is NULL).
fn user_filter(filter: &mut Where, column: &str, users: &[UserFilter], me: UserId) {
    if users.is_empty() {
        return;
    }
    let ids: Vec<Value> = users
        .iter()
        .filter_map(|u| match u {
            UserFilter::Id(id) => Some(value(*id)),
            UserFilter::Me => Some(value(me)),
            UserFilter::Nobody => None,
        })
        .collect();
    let mut alternatives = Vec::new();
    if !ids.is_empty() {
        alternatives.push(format!("{column} IN ({})", vec!["?"; ids.len()].join(", ")));
    }
    if users.contains(&UserFilter::Nobody) {
        alternatives.push(format!("{column} IS NULL"));
    }
    filter.and(format!("({})", alternatives.join(" OR ")), ids);
}

/// With `use_index`, words of three or more characters go through the trigram index; the
/// others are compared directly. Both are case-insensitive substring tests on title or
/// description, with the same folding, so they give the same answer.
fn search(filter: &mut Where, search: &Search, use_index: bool) {
    let (long, short): (Vec<&String>, Vec<&String>) = search
        .words()
        .iter()
        .partition(|w| use_index && w.chars().count() >= 3);
    if !long.is_empty() {
        let phrase = long
            .iter()
            .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" AND ");
        filter.and(
            "t.seq IN (SELECT rowid FROM tasks_search WHERE tasks_search MATCH ?)",
            [Value::Text(phrase)],
        );
    }
    filter.search(
        &Search::from_words(short.into_iter().cloned().collect()),
        &["t.title", "t.description"],
    );
}

/// A `LIKE` pattern matching `word` anywhere, its `%`, `_` and `\\` taken literally.
#[cfg(feature = "postgres")]
fn like_pattern(word: &str) -> String {
    let escaped = word
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

fn push_order(terms: &mut Vec<(String, bool)>, field: TaskField, descending: bool) {
    let column = match field {
        TaskField::DueDate => {
            // Tasks without a due date come last in both directions.
            terms.push(("(t.due_date IS NULL)".into(), false));
            "t.due_date"
        }
        TaskField::Priority => "t.priority",
        TaskField::Status => "t.status",
        TaskField::Title => "t.title",
        TaskField::CreatedAt => "t.created_at",
        TaskField::UpdatedAt => "t.updated_at",
    };
    terms.push((column.into(), descending));
}
