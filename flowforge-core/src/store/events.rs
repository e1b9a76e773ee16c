//! Statements on the event log: appending in the writing transaction, and reading by
//! organization, by task and by position. See the migration that made the log for how positions
//! stay in commit order on each backend.

use super::list::{Select, Where, fetch_page, value};
use super::value::{Row, Value, args};
use super::{Backend, Tx};
use crate::authz::OrgScope;
use crate::error::{Error, Result};
use crate::event::{ActivityQuery, Changes, Cursor, Draft, Event, EventType};
use crate::ids::{OrgId, TaskId, UserId};
use crate::query::{Page, PageRequest};
use crate::time::Timestamp;

const EVENT_COLUMNS: &str = "e.txn, e.id, e.organization_id, e.sequence, e.type, e.actor_id,
    e.created_at, e.project_id, e.task_id, e.comment_id, e.user_id, e.changes";
/// The bound values of one event row on PostgreSQL.
#[cfg(feature = "postgres")]
const COLUMNS: usize = 10;
/// Event rows per INSERT on PostgreSQL: 5,000 parameters, well within the protocol's 65,535.
#[cfg(feature = "postgres")]
const ROWS_PER_INSERT: usize = 500;

/// Activity lists, newest first.
const NEWEST_FIRST: &str = "e.sequence DESC";
const SELECT: Select = Select {
    columns: EVENT_COLUMNS,
    from: "events e",
    count_from: "events e",
};

/// Appends one event on SQLite, from the values of [`event_values`], numbered after its
/// organization's newest and linked to its task's newest (see [`SQLITE_TASK_NEWEST`]).
const SQLITE_APPEND: &str = "INSERT INTO events (txn, organization_id, type, actor_id, project_id,
     task_id, comment_id, user_id, changes, created_at, sequence, previous)
     SELECT 0, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, COALESCE(MAX(sequence), 0) + 1,
         (SELECT last_event FROM tasks WHERE id = ?5)
     FROM events WHERE organization_id = ?1";

/// Makes the event just appended its task's newest. On SQLite a task's history is a chain: each
/// event points at the task's previous one and the task row at the newest, so an append writes
/// no page of a per-task index (the task row's page is one its write changes anyway).
const SQLITE_TASK_NEWEST: &str = "UPDATE tasks SET last_event = last_insert_rowid() WHERE id = ?";

/// The ids of a task's events on SQLite, newest first by the links from its row; a link to a
/// pruned event ends the chain.
const SQLITE_TASK_CHAIN: &str = "e.id IN (
     WITH RECURSIVE chain(id) AS (
         SELECT last_event FROM tasks WHERE id = ? AND organization_id = ?
         UNION ALL SELECT p.previous FROM events p JOIN chain c ON p.id = c.id
     )
     SELECT id FROM chain)";

/// An event's values but its number: the organization first, then its type, actor, project,
/// task, comment, user, changes and time.
fn event_values(scope: &OrgScope, draft: &Draft, now: Timestamp) -> Result<[Value; 9]> {
    let changes = match &draft.changes {
        Some(changes) => Some(serde_json::to_string(changes).map_err(Error::internal)?),
        None => None,
    };
    Ok([
        value(scope.org()),
        value(draft.kind),
        value(scope.actor()),
        value(draft.project),
        value(draft.task),
        value(draft.comment),
        value(draft.user),
        value(changes),
        value(now),
    ])
}

/// The events a reader follows: those of `orgs` and, when a `user` is given, that user's own
/// membership events and the organizations they create elsewhere (which change what it follows).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Followed<'a> {
    pub(crate) orgs: &'a [OrgId],
    pub(crate) user: Option<UserId>,
}

fn event_row(row: &Row) -> Result<Event> {
    let changes = match row.get::<Option<String>>(11)? {
        Some(json) => Some(serde_json::from_str::<Changes>(&json).map_err(Error::internal)?),
        None => None,
    };
    Ok(Event {
        id: Cursor {
            txn: row.get(0)?,
            id: row.get(1)?,
        },
        organization: row.get(2)?,
        sequence: row.get(3)?,
        kind: row.get(4)?,
        actor: row.get(5)?,
        created_at: row.get(6)?,
        project: row.get(7)?,
        task: row.get(8)?,
        comment: row.get(9)?,
        user: row.get(10)?,
        changes,
    })
}

impl Tx<'_> {
    /// Appends an event to the log of the scope's organization, by the scope's user (the
    /// system for an operator), with the organization's next sequence number.
    pub(crate) fn append_event(&self, scope: &OrgScope, draft: &Draft) -> Result<()> {
        self.append_events(scope, std::slice::from_ref(draft))
    }

    /// Appends events in order, as [`Tx::append_event`] does one.
    ///
    /// The organization's numbers: on SQLite, whose writes run one at a time, one statement per
    /// event numbers it after the organization's newest (read from the index the insert writes
    /// anyway; pruning keeps each organization's newest event, so numbers never go back) and
    /// links it into its task's history (see [`SQLITE_TASK_NEWEST`]); on
    /// PostgreSQL an update of its `event_sequences` row, whose lock orders concurrent writers
    /// of one organization, then [`ROWS_PER_INSERT`] rows per statement.
    pub(crate) fn append_events(&self, scope: &OrgScope, drafts: &[Draft]) -> Result<()> {
        let now = Timestamp::now();
        match self.backend() {
            Backend::Sqlite => {
                for draft in drafts {
                    self.execute(SQLITE_APPEND, &event_values(scope, draft, now)?)?;
                    if let Some(task) = draft.task {
                        self.execute(SQLITE_TASK_NEWEST, args![task])?;
                    }
                }
                Ok(())
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres => self.append_events_postgres(scope, drafts, now),
        }
    }

    #[cfg(feature = "postgres")]
    fn append_events_postgres(
        &self,
        scope: &OrgScope,
        drafts: &[Draft],
        now: Timestamp,
    ) -> Result<()> {
        let n = i64::try_from(drafts.len()).map_err(Error::internal)?;
        if n == 0 {
            return Ok(());
        }
        let last: i64 = self.one(
            "INSERT INTO event_sequences (organization_id, sequence) VALUES (?, ?)
             ON CONFLICT (organization_id) DO UPDATE SET sequence = event_sequences.sequence + ?
             RETURNING sequence",
            args![scope.org(), n, n],
        )?;
        let mut sequence = last - n;
        for chunk in drafts.chunks(ROWS_PER_INSERT) {
            let mut params = Vec::with_capacity(chunk.len() * COLUMNS);
            for draft in chunk {
                sequence += 1;
                let [org, rest @ ..] = event_values(scope, draft, now)?;
                params.push(org);
                params.push(Value::Int(sequence));
                params.extend(rest);
            }
            let row = format!(
                "(pg_current_xact_id()::text::bigint, {})",
                ["?"; COLUMNS].join(", ")
            );
            let sql = format!(
                "INSERT INTO events (txn, organization_id, sequence, type, actor_id, project_id,
                 task_id, comment_id, user_id, changes, created_at) VALUES {}",
                vec![row; chunk.len()].join(", ")
            );
            self.execute(&sql, &params)?;
        }
        Ok(())
    }

    /// A page of the history of one task of the scope's organization (its own and its
    /// comments' events), newest first.
    pub(crate) fn task_events(
        &self,
        scope: &OrgScope,
        task: TaskId,
        page: PageRequest,
    ) -> Result<Page<Event>> {
        let mut filter = Where::default();
        match self.backend() {
            Backend::Sqlite => filter.and(SQLITE_TASK_CHAIN, [value(task), value(scope.org())]),
            #[cfg(feature = "postgres")]
            Backend::Postgres => {
                filter.and("e.organization_id = ?", [value(scope.org())]);
                filter.and("e.task_id = ?", [value(task)]);
            }
        }
        fetch_page(self, &SELECT, &filter, NEWEST_FIRST, page, event_row)
    }

    /// A page of the scope's organization's log, filtered, newest first.
    pub(crate) fn org_events(
        &self,
        scope: &OrgScope,
        query: &ActivityQuery,
    ) -> Result<Page<Event>> {
        let mut filter = Where::default();
        filter.and("e.organization_id = ?", [value(scope.org())]);
        filter.any_of("e.project_id", &query.project);
        filter.any_of("e.task_id", &query.task);
        filter.any_of("e.actor_id", &query.actor);
        filter.any_of("e.type", &query.kind);
        if let Some(since) = query.since {
            filter.and("e.created_at >= ?", [value(since)]);
        }
        if let Some(until) = query.until {
            filter.and("e.created_at <= ?", [value(until)]);
        }
        fetch_page(self, &SELECT, &filter, NEWEST_FIRST, query.page, event_row)
    }

    /// Up to `limit` events after `after` (from the start when `None`) in log order, only those
    /// `followed` when given. On PostgreSQL only events of transactions older than every one still
    /// running are read, so none can later appear behind the last one returned.
    pub(crate) fn events_after(
        &self,
        followed: Option<Followed<'_>>,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<Vec<Event>> {
        let mut filter = Where::default();
        if let Some(Followed { orgs, user }) = followed {
            let mut clause = if orgs.is_empty() {
                "1 = 0".to_owned()
            } else {
                format!(
                    "e.organization_id IN ({})",
                    vec!["?"; orgs.len()].join(", ")
                )
            };
            let mut params: Vec<Value> = orgs.iter().map(value).collect();
            if let Some(user) = user {
                clause = format!(
                    "({clause} OR (e.user_id = ? AND e.type IN (?, ?)) OR (e.actor_id = ? AND e.type = ?))"
                );
                params.extend([
                    value(user),
                    value(EventType::MemberAdded),
                    value(EventType::MemberRemoved),
                    value(user),
                    value(EventType::OrganizationCreated),
                ]);
            } else if orgs.is_empty() {
                return Ok(Vec::new());
            }
            filter.and(clause, params);
        }
        let order = match self.backend() {
            // `txn` is always 0: the row id alone is the position (its primary key, no index
            // of its own).
            Backend::Sqlite => {
                if let Some(after) = after {
                    filter.and("e.id > ?", [Value::Int(after.id)]);
                }
                "e.id"
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres => {
                if let Some(after) = after {
                    filter.and(
                        "(e.txn > ? OR (e.txn = ? AND e.id > ?))",
                        [
                            Value::Int(after.txn),
                            Value::Int(after.txn),
                            Value::Int(after.id),
                        ],
                    );
                }
                filter.and(HORIZON, []);
                "e.txn, e.id"
            }
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut params = filter.params().to_vec();
        params.push(Value::Int(limit));
        self.rows(
            &format!(
                "SELECT {EVENT_COLUMNS} FROM events e{} ORDER BY {order} LIMIT ?",
                filter.sql()
            ),
            &params,
            event_row,
        )
    }

    /// The position of the newest event a reader may read now (see [`Tx::events_after`]), or
    /// `None` when there is none.
    pub(crate) fn log_head(&self) -> Result<Option<Cursor>> {
        let sql = match self.backend() {
            Backend::Sqlite => "SELECT e.txn, e.id FROM events e ORDER BY e.id DESC LIMIT 1",
            #[cfg(feature = "postgres")]
            Backend::Postgres => {
                "SELECT e.txn, e.id FROM events e
                 WHERE e.txn < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
                 ORDER BY e.txn DESC, e.id DESC LIMIT 1"
            }
        };
        self.row(sql, &[], |r| {
            Ok(Cursor {
                txn: r.get(0)?,
                id: r.get(1)?,
            })
        })
    }

    /// The transactions this read's snapshot saw committed beyond the log's head (see
    /// [`Seen`]): `None` on SQLite, whose head is exact.
    pub(crate) fn seen_beyond_head(&self) -> Result<Option<Seen>> {
        match self.backend() {
            Backend::Sqlite => Ok(None),
            #[cfg(feature = "postgres")]
            Backend::Postgres => {
                let text: String = self.one("SELECT pg_current_snapshot()::text", &[])?;
                Seen::parse(&text).map(Some)
            }
        }
    }

    /// Deletes up to `batch` events committed before `before`, oldest first, but never an
    /// organization's newest (its number is where the next one counts from); returns how many it
    /// deleted. The walk is by row id, which follows commit time: no index on the time, which
    /// every append would pay for.
    pub(crate) fn prune_events(&self, before: Timestamp, batch: usize) -> Result<u64> {
        let batch = i64::try_from(batch).unwrap_or(i64::MAX);
        self.execute(
            "DELETE FROM events WHERE id IN
             (SELECT e.id FROM events e WHERE e.created_at < ?
              AND e.sequence < (SELECT MAX(n.sequence) FROM events n
                                WHERE n.organization_id = e.organization_id)
              ORDER BY e.id LIMIT ?)",
            args![before, batch],
        )
    }
}

/// What a PostgreSQL snapshot saw: every transaction below `xmin`, and those below `xmax` not
/// still `running`. The log's head stays below `xmin`, so a transaction above it may already have
/// committed: a live subscription skips the events of such transactions, which it saw (through
/// the memberships it read) before it opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Seen {
    xmin: i64,
    xmax: i64,
    running: Vec<i64>,
}

impl Seen {
    /// Whether the snapshot saw the transaction `txn` committed.
    pub(crate) fn saw(&self, txn: i64) -> bool {
        txn < self.xmin || (txn < self.xmax && !self.running.contains(&txn))
    }

    /// Reads `pg_snapshot`'s text form, `xmin:xmax:xip,...`.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    fn parse(text: &str) -> Result<Self> {
        let malformed = || Error::internal(MalformedSnapshot(text.to_owned()));
        let mut parts = text.split(':');
        let (Some(xmin), Some(xmax), Some(running), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed());
        };
        let number = |n: &str| n.parse::<i64>().map_err(|_| malformed());
        Ok(Self {
            xmin: number(xmin)?,
            xmax: number(xmax)?,
            running: running
                .split(',')
                .filter(|n| !n.is_empty())
                .map(number)
                .collect::<Result<_>>()?,
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[error("PostgreSQL answered a snapshot that is not one: {0:?}")]
struct MalformedSnapshot(String);

/// The condition that keeps a PostgreSQL reader behind every transaction still running.
#[cfg(feature = "postgres")]
const HORIZON: &str = "e.txn < pg_snapshot_xmin(pg_current_snapshot())::text::bigint";

#[cfg(test)]
mod tests {
    use super::Seen;

    #[test]
    fn a_snapshot_saw_what_committed_before_it_and_not_what_still_ran() {
        let seen = Seen::parse("100:105:100,103").unwrap();
        let saw: Vec<i64> = (98..107).filter(|&txn| seen.saw(txn)).collect();
        assert_eq!(saw, [98, 99, 101, 102, 104]);
        assert_eq!(Seen::parse("7:7:").unwrap().running, Vec::<i64>::new());
        for bad in ["", "1:2", "1:2:3:4", "a:2:", "1:2:x"] {
            assert!(Seen::parse(bad).is_err(), "{bad:?}");
        }
    }
}
