//! Tasks: the model, its inputs and list query. A task lives in one project and carries that
//! project's organization; its assignee is always a member of that organization when assigned.

mod query;
mod service;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

pub use query::{TaskField, TaskQuery, UserFilter};

use crate::choice::choice_enum;
use crate::error::Result;
use crate::ids::{OrgId, ProjectId, TaskId, UserId};
use crate::input::Body;
use crate::time::Timestamp;
use crate::user::UserRef;

choice_enum! {
    /// Where a task stands; lists order by this declared order.
    Status {
        /// Not started (the default).
        Todo = "todo",
        /// Being worked on.
        InProgress = "in_progress",
        /// Finished.
        Done = "done",
        /// Waiting on something.
        Blocked = "blocked",
    }
}

impl Status {
    /// The statuses of an open task: every one but done. A member who leaves is unassigned
    /// from their open tasks; their done ones keep their name.
    pub(crate) fn open() -> Vec<Status> {
        Self::ALL
            .iter()
            .copied()
            .filter(|&status| status != Status::Done)
            .collect()
    }
}

choice_enum! {
    /// How urgent a task is, by rank (`Low < Medium < High < Critical`).
    Priority {
        /// Low.
        Low = "low",
        /// Medium (the default).
        Medium = "medium",
        /// High.
        High = "high",
        /// Critical.
        Critical = "critical",
    }
}

/// A live task as its operations load it, with whether its project is archived (which freezes
/// the task).
#[derive(Debug, Clone)]
pub(crate) struct TaskInProject {
    /// The task.
    pub(crate) task: Task,
    /// Whether its project is archived.
    pub(crate) project_archived: bool,
}

/// A task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Task {
    /// The task's id.
    pub id: TaskId,
    /// The organization of its project.
    pub organization: OrgId,
    /// Its project.
    pub project: ProjectId,
    /// 1 to 255 characters.
    pub title: String,
    /// Free text.
    pub description: String,
    /// Where it stands.
    pub status: Status,
    /// How urgent it is.
    pub priority: Priority,
    /// Who it is assigned to, if anyone.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub assigned_to: Option<UserRef>,
    /// Who created it (`None` once that user is gone).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub created_by: Option<UserId>,
    /// When it is due, if ever.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    #[serde(serialize_with = "crate::time::serialize_date")]
    pub due_date: Option<NaiveDate>,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// A new task.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    serde(deny_unknown_fields)
)]
pub struct NewTask {
    /// The project, in one of the actor's organizations and not archived.
    pub project: ProjectId,
    /// 1 to 255 characters.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::title))]
    pub title: String,
    /// At most 20,000 characters.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::description, required = false))]
    pub description: String,
    /// Defaults to `todo`.
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub status: Option<Status>,
    /// Defaults to `medium`.
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub priority: Option<Priority>,
    /// A member of the project's organization, or nobody.
    pub assigned_to: Option<UserId>,
    /// When it is due.
    pub due_date: Option<NaiveDate>,
}

const READ_ONLY: &[&str] = &[
    "id",
    "organization",
    "created_by",
    "created_at",
    "updated_at",
];
const WRITABLE: &[&str] = &[
    "title",
    "description",
    "status",
    "priority",
    "assigned_to",
    "due_date",
];

impl NewTask {
    /// A task titled `title` in `project`, with every other field at its default.
    pub fn new(project: ProjectId, title: impl Into<String>) -> Self {
        Self {
            project,
            title: title.into(),
            description: String::new(),
            status: None,
            priority: None,
            assigned_to: None,
            due_date: None,
        }
    }

    /// Reads a create body.
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) naming each bad or missing field.
    pub fn from_json(value: &Value) -> Result<Self> {
        let mut body = Body::parse(value, &[WRITABLE, &["project"]].concat(), READ_ONLY)?;
        let project = body.id("project", true);
        let title = body.text("title", true);
        let description = body.text("description", false).unwrap_or_default();
        let status = body.choice("status", false);
        let priority = body.choice("priority", false);
        let assigned_to = body.nullable_id("assigned_to").flatten();
        let due_date = body.nullable_date("due_date").flatten();
        body.finish()?;
        Ok(Self {
            project: project.unwrap_or_default(),
            title: title.unwrap_or_default(),
            description,
            status,
            priority,
            assigned_to,
            due_date,
        })
    }
}

/// A change to a task; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    serde(deny_unknown_fields)
)]
pub struct TaskPatch {
    /// A new title.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::title))]
    pub title: Option<String>,
    /// A new description.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::description))]
    pub description: Option<String>,
    /// A new status.
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub status: Option<Status>,
    /// A new priority.
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub priority: Option<Priority>,
    /// `Some(None)` unassigns; `Some(Some(id))` assigns to a member.
    pub assigned_to: Option<Option<UserId>>,
    /// `Some(None)` clears the due date.
    pub due_date: Option<Option<NaiveDate>>,
}

impl TaskPatch {
    /// Reads a `PATCH` body; `project` cannot be changed.
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) naming each bad field.
    pub fn from_json(value: &Value) -> Result<Self> {
        let mut body = Body::parse(value, WRITABLE, &[READ_ONLY, &["project"]].concat())?;
        let patch = Self {
            title: body.text("title", false),
            description: body.text("description", false),
            status: body.choice("status", false),
            priority: body.choice("priority", false),
            assigned_to: body.nullable_id("assigned_to"),
            due_date: body.nullable_date("due_date"),
        };
        body.finish()?;
        Ok(patch)
    }
}

/// The message of an assignee who is not a member of the task's organization.
const NOT_A_MEMBER: &str = "Must be a member of the task's organization.";
