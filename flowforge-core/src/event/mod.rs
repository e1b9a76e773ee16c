//! The event log: every committed write appends, in its own transaction, one event per resource
//! whose state it changed, numbered per organization without gaps in commit order. A task's
//! history, an organization's activity, the cursor API and the live feed all read this one log.
//!
//! An event's `id` is a [`Cursor`], its position in the log across organizations: positions only
//! grow, and no event ever appears behind a position a reader has passed (on PostgreSQL because
//! readers stop at the oldest transaction still running; see the migration that made the log).

mod feed;
mod follow;
mod retention;
mod service;

pub(crate) use feed::Feed;
pub use follow::Subscription;
pub use retention::{EventRetention, MAX_RETENTION_DAYS, SECONDS_PER_DAY};
pub(crate) use service::read_batch;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::choice::choice_enum;
use crate::error::{Error, FieldErrors, Result};
use crate::ids::{CommentId, OrgId, ProjectId, TaskId, UserId};
use crate::query::{PageRequest, Params, read_page};
use crate::time::Timestamp;

choice_enum! {
    /// What an event records.
    EventType {
        /// An organization was created (its creator's `member.added` follows).
        OrganizationCreated = "organization.created",
        /// An organization's name or slug changed.
        OrganizationUpdated = "organization.updated",
        /// A user became a member.
        MemberAdded = "member.added",
        /// A member's role changed.
        MemberRoleChanged = "member.role_changed",
        /// A member was removed or left.
        MemberRemoved = "member.removed",
        /// A project was created.
        ProjectCreated = "project.created",
        /// A project's name, description or archived flag changed.
        ProjectUpdated = "project.updated",
        /// A project was deleted, with its tasks.
        ProjectDeleted = "project.deleted",
        /// A task was created.
        TaskCreated = "task.created",
        /// A task changed.
        TaskUpdated = "task.updated",
        /// A task was deleted, with its comments.
        TaskDeleted = "task.deleted",
        /// A comment was written.
        CommentCreated = "comment.created",
        /// A comment was edited.
        CommentUpdated = "comment.updated",
        /// A comment was deleted.
        CommentDeleted = "comment.deleted",
    }
}

/// One entry of an organization's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    /// Its position in the log: the cursor to read on from.
    pub id: Cursor,
    /// The organization whose log holds it.
    pub organization: OrgId,
    /// Its number in the organization's log: 1, 2, 3, ... in commit order.
    pub sequence: u64,
    /// What happened.
    #[serde(rename = "type")]
    pub kind: EventType,
    /// Who did it (`None` for the system: an operator's command).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub actor: Option<UserId>,
    /// When it was committed.
    pub created_at: Timestamp,
    /// The project concerned, if any.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub project: Option<ProjectId>,
    /// The task concerned, if any.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub task: Option<TaskId>,
    /// The comment concerned, if any.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub comment: Option<CommentId>,
    /// The member concerned (`member.*` events).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub user: Option<UserId>,
    /// Each changed field's old and new value (updates only).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub changes: Option<Changes>,
}

/// The fields an update changed: `{field: {"old": v, "new": v}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Changes(pub BTreeMap<String, Change>);

/// One field's value before and after an update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    /// The value before.
    pub old: serde_json::Value,
    /// The value after.
    pub new: serde_json::Value,
}

impl Changes {
    /// Records `field` when `old` and `new` differ.
    pub(crate) fn field<T: Serialize + PartialEq + ?Sized>(
        mut self,
        field: &str,
        old: &T,
        new: &T,
    ) -> Self {
        if old != new {
            let json = |v: &T| serde_json::to_value(v).unwrap_or_default();
            self.0.insert(
                field.to_owned(),
                Change {
                    old: json(old),
                    new: json(new),
                },
            );
        }
        self
    }

    /// Whether no field changed.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A position in the log, shown as 32 hexadecimal digits. Opaque to clients: they get it as an
/// event's `id` and give it back to read what follows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cursor {
    /// The writing transaction's id on PostgreSQL, 0 on SQLite.
    pub(crate) txn: i64,
    /// The event's row id.
    pub(crate) id: i64,
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}{:016x}", self.txn, self.id)
    }
}

impl FromStr for Cursor {
    type Err = Error;

    /// Reads a cursor a client was given; anything else is a validation error naming `after`.
    fn from_str(s: &str) -> Result<Self> {
        Self::parse_as(s, "after")
    }
}

/// What a client is told of a cursor it did not get from the server.
const NOT_A_CURSOR: &str = "Not a cursor this server gave out.";

impl Cursor {
    /// Reads a cursor a client gave as `field` (a parameter, a header); anything else is a
    /// validation error naming `field`.
    ///
    /// # Errors
    /// [`Error::Validation`] naming `field`.
    pub fn parse_as(s: &str, field: &str) -> Result<Self> {
        let bad = || Error::invalid(field, NOT_A_CURSOR);
        if s.len() != 32 || !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(bad());
        }
        let half = |text: &str| i64::from_str_radix(text, 16).map_err(|_| bad());
        Ok(Self {
            txn: half(&s[..16])?,
            id: half(&s[16..])?,
        })
    }
}

impl Serialize for Cursor {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Cursor {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            // Two non-negative 64-bit halves: the first digit of each is at most 7.
            .pattern(Some("^[0-7][0-9a-f]{15}[0-7][0-9a-f]{15}$"))
            .description(Some("An opaque position in the event log."))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Cursor {}

/// An event about to be appended: what happened and to what. The organization, sequence, actor
/// and time come from the transaction appending it.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub(crate) kind: EventType,
    pub(crate) project: Option<ProjectId>,
    pub(crate) task: Option<TaskId>,
    pub(crate) comment: Option<CommentId>,
    pub(crate) user: Option<UserId>,
    pub(crate) changes: Option<Changes>,
}

impl Draft {
    /// An event of `kind` about nothing yet.
    pub(crate) fn new(kind: EventType) -> Self {
        Self {
            kind,
            project: None,
            task: None,
            comment: None,
            user: None,
            changes: None,
        }
    }

    /// About a project.
    pub(crate) fn project(mut self, id: ProjectId) -> Self {
        self.project = Some(id);
        self
    }

    /// About a task (and its project).
    pub(crate) fn task(mut self, project: ProjectId, id: TaskId) -> Self {
        self.project = Some(project);
        self.task = Some(id);
        self
    }

    /// About a comment.
    pub(crate) fn comment(mut self, id: CommentId) -> Self {
        self.comment = Some(id);
        self
    }

    /// About a member.
    pub(crate) fn user(mut self, id: UserId) -> Self {
        self.user = Some(id);
        self
    }

    /// With the fields an update changed.
    pub(crate) fn changes(mut self, changes: Changes) -> Self {
        self.changes = Some(changes);
        self
    }
}

/// The filters of an organization's activity log; every list of ids or types means any of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityQuery {
    /// Only events about these projects.
    pub project: Vec<ProjectId>,
    /// Only events about these tasks.
    pub task: Vec<TaskId>,
    /// Only events by these users.
    pub actor: Vec<UserId>,
    /// Only events of these types.
    pub kind: Vec<EventType>,
    /// Only events committed at or after this time.
    pub since: Option<Timestamp>,
    /// Only events committed at or before this time.
    pub until: Option<Timestamp>,
    /// The page wanted (newest first).
    pub page: PageRequest,
}

impl ActivityQuery {
    /// Parses query-string pairs (`project`, `task`, `actor`, `type`, `since`, `until`, `page`,
    /// `page_size`).
    ///
    /// # Errors
    /// [`Error::Validation`] for a malformed id, an unknown type or a time that is not RFC 3339;
    /// [`Error::NotFound`] `Invalid page.` for a bad page.
    pub fn from_pairs<I, K, V>(pairs: I) -> Result<Self>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let params = Params::new(pairs);
        let mut errors = FieldErrors::default();
        let project = params.ids("project", &mut errors);
        let task = params.ids("task", &mut errors);
        let actor = params.ids("actor", &mut errors);
        let kind = params.choices("type", &mut errors);
        let since = time(&params, "since", &mut errors);
        let until = time(&params, "until", &mut errors);
        Ok(Self {
            project,
            task,
            actor,
            kind,
            since,
            until,
            page: read_page(&params, errors)?,
        })
    }
}

/// The page of a task's history (newest first).
///
/// # Errors
/// [`Error::NotFound`] `Invalid page.` for a bad page; [`Error::Validation`] for a bad page size.
pub fn history_page<I, K, V>(pairs: I) -> Result<PageRequest>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    read_page(&Params::new(pairs), FieldErrors::default())
}

/// Reads an RFC 3339 time parameter; a blank one is ignored, as every list ignores a blank
/// filter.
fn time(params: &Params, name: &str, errors: &mut FieldErrors) -> Option<Timestamp> {
    let text = params.single(name, errors)?.trim();
    if text.is_empty() {
        return None;
    }
    match text.parse() {
        Ok(time) => Some(time),
        Err(_) => {
            errors.add(
                name,
                "Enter a date and time in RFC 3339 form (2026-11-23T21:53:52Z).",
            );
            None
        }
    }
}

/// What a reader of the cursor API asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventsQuery {
    /// Read after this position; `None` reads from the oldest kept event.
    pub after: Option<Cursor>,
    /// At most this many events (1 to [`MAX_EVENTS_LIMIT`]).
    pub limit: usize,
    /// Only this organization's events (the caller must be a member).
    pub organization: Option<OrgId>,
}

/// The most events one read of the cursor API returns; a larger `limit` is clamped to it.
pub const MAX_EVENTS_LIMIT: usize = 1000;
/// The events one read of the cursor API returns when it names no `limit`.
pub const DEFAULT_EVENTS_LIMIT: usize = 100;

impl Default for EventsQuery {
    fn default() -> Self {
        Self {
            after: None,
            limit: DEFAULT_EVENTS_LIMIT,
            organization: None,
        }
    }
}

impl EventsQuery {
    /// Parses query-string pairs (`after`, `limit`, `organization`).
    ///
    /// # Errors
    /// [`Error::Validation`] naming each malformed parameter.
    pub fn from_pairs<I, K, V>(pairs: I) -> Result<Self>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let params = Params::new(pairs);
        let mut errors = FieldErrors::default();
        let after =
            params
                .single("after", &mut errors)
                .and_then(|text| match text.parse::<Cursor>() {
                    Ok(cursor) => Some(cursor),
                    Err(_) => {
                        errors.add("after", NOT_A_CURSOR);
                        None
                    }
                });
        let limit = match params.single("limit", &mut errors) {
            None => DEFAULT_EVENTS_LIMIT,
            Some(text) => match text.trim().parse::<u64>() {
                Ok(n) if n > 0 => {
                    usize::try_from(n).map_or(MAX_EVENTS_LIMIT, |n| n.min(MAX_EVENTS_LIMIT))
                }
                Err(e) if *e.kind() == std::num::IntErrorKind::PosOverflow => MAX_EVENTS_LIMIT,
                _ => {
                    errors.add("limit", "A positive integer is required.");
                    DEFAULT_EVENTS_LIMIT
                }
            },
        };
        let organization =
            params.single("organization", &mut errors).and_then(
                |text| match crate::query::parse_id(text) {
                    Ok(id) => Some(id),
                    Err(message) => {
                        errors.add("organization", message);
                        None
                    }
                },
            );
        errors.into_result()?;
        Ok(Self {
            after,
            limit,
            organization,
        })
    }
}

/// A batch of the cursor API: events in log order and the cursor to read on from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventBatch {
    /// The events after the cursor, oldest first.
    pub results: Vec<Event>,
    /// Where to read on from: the last event's id, or the cursor given when there was none
    /// (`None` only when the log had nothing to read from the start).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub next: Option<Cursor>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_what_it_shows_and_refuses_anything_else() {
        let cursor = Cursor {
            txn: 0x1234,
            id: 42,
        };
        let text = cursor.to_string();
        assert_eq!(text, "0000000000001234000000000000002a");
        assert_eq!(text.parse::<Cursor>().unwrap(), cursor);
        for bad in [
            "",
            "xyz",
            &text[1..],
            &text.to_uppercase(),
            "-000000000001234000000000000002a",
        ] {
            assert!(bad.parse::<Cursor>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn changes_record_only_fields_that_differ() {
        let changes = Changes::default()
            .field("title", "a", "b")
            .field("status", "todo", "todo");
        assert_eq!(
            serde_json::to_value(&changes).unwrap(),
            serde_json::json!({"title": {"old": "a", "new": "b"}})
        );
        assert!(Changes::default().field("x", &1, &1).is_empty());
    }

    #[test]
    fn activity_filters_are_read_and_checked() {
        let query = ActivityQuery::from_pairs([
            ("type", "task.created,comment.created"),
            ("since", "2026-11-23T21:53:52+01:00"),
        ])
        .unwrap();
        assert_eq!(
            query.kind,
            [EventType::TaskCreated, EventType::CommentCreated]
        );
        assert_eq!(query.since.unwrap().to_string(), "2026-11-23T20:53:52.000Z");
        let Err(Error::Validation(errors)) =
            ActivityQuery::from_pairs([("type", "task.exploded"), ("until", "yesterday")])
        else {
            panic!("an unknown type and a bad time are refused");
        };
        assert!(errors.get("type").is_some() && errors.get("until").is_some());
        let blank = ActivityQuery::from_pairs([("since", " "), ("until", ""), ("type", "")]);
        assert_eq!(
            blank.unwrap(),
            ActivityQuery::default(),
            "blanks are ignored"
        );
    }

    #[test]
    fn the_limit_is_clamped_and_a_bad_cursor_named() {
        assert_eq!(
            EventsQuery::from_pairs([("limit", "5000")]).unwrap().limit,
            1000
        );
        assert_eq!(
            EventsQuery::from_pairs([("limit", "99999999999999999999999")])
                .unwrap()
                .limit,
            1000
        );
        assert_eq!(
            EventsQuery::from_pairs::<[(&str, &str); 0], _, _>([])
                .unwrap()
                .limit,
            100
        );
        let Err(Error::Validation(errors)) =
            EventsQuery::from_pairs([("after", "nope"), ("limit", "0")])
        else {
            panic!("refused");
        };
        assert!(errors.get("after").is_some() && errors.get("limit").is_some());
    }
}
