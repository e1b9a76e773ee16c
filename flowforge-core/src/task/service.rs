//! Operations on tasks. Members read them; owners, admins and members create and change them;
//! owners and admins delete any, members only their own. Tasks of an archived project can be
//! neither added nor changed (deleting them is allowed).

use super::{NOT_A_MEMBER, NewTask, Priority, Status, Task, TaskPatch, TaskQuery};
use crate::authz::{OrgScope, Role, Scoped};
use crate::error::{Error, FieldErrors, Result};
use crate::event::{Changes, Draft, EventType};
use crate::ids::{TaskId, UserId};
use crate::index::{Listing, Selection};
use crate::input::{check_text, missing_reference};
use crate::store::{Tx, budget};
use crate::time::Timestamp;
use crate::user::UserRef;
use crate::{Actor, FlowForge, Page};

/// How many read transactions a task list tries with the shared index before it loads what
/// its own snapshot needs.
const READ_ATTEMPTS: usize = 4;

impl FlowForge {
    /// Lists the tasks of the actor's organizations.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a page past the end.
    pub fn list_tasks(&self, actor: &Actor, query: &TaskQuery) -> Result<Page<Task>> {
        let listing = Listing::new(query, actor.id());
        let page = |tx: &Tx<'_>, selection: Selection| {
            Page {
                count: selection.count,
                page: query.page.page(),
                page_size: query.page.page_size(),
                items: tx.tasks_of_page(&selection, &self.recent)?,
            }
            .found()
        };
        // Another reader may have brought an index past this transaction's snapshot: a new
        // transaction sees at least as much. The last attempt loads what its snapshot needs.
        for _ in 1..READ_ATTEMPTS {
            let found = self.store.read(|tx| {
                let orgs = tx.member_orgs(actor.id(), &query.organization)?;
                match self.tasks.select(tx, &orgs, &listing)? {
                    Some(selection) => page(tx, selection).map(Some),
                    // A bounded read's snapshot is its held connection's: a retry sees no more.
                    None if budget::active() => Err(budget::exceeded()),
                    None => Ok(None),
                }
            })?;
            if let Some(found) = found {
                return Ok(found);
            }
        }
        self.store.read(|tx| {
            let orgs = tx.member_orgs(actor.id(), &query.organization)?;
            page(tx, self.tasks.select_at_snapshot(tx, &orgs, &listing)?)
        })
    }

    /// Creates a task (owners, admins and members of the project's organization).
    ///
    /// # Errors
    /// [`Error::Validation`] for bad fields, a project the actor cannot see, or an assignee who
    /// is not a member; [`Error::Forbidden`] for viewers; [`Error::Conflict`] in an archived project.
    pub fn create_task(&self, actor: &Actor, input: &NewTask) -> Result<Task> {
        self.store.write(|tx| {
            let Scoped {
                scope,
                item: project,
            } = match tx.project_in_scope(actor.id(), input.project) {
                Err(Error::NotFound(_)) => {
                    return Err(Error::invalid("project", missing_reference(input.project)));
                }
                found => found?,
            };
            scope.require_writer()?;
            let mut errors = FieldErrors::default();
            let title = check_text(
                "title",
                Some(&input.title),
                Some(&input.description),
                &mut errors,
            )
            .unwrap_or_default();
            let assignee = assignee(tx, &scope, input.assigned_to, &mut errors)?;
            errors.into_result()?;
            if project.is_archived {
                return Err(Error::Conflict(
                    "Tasks cannot be added to an archived project.".into(),
                ));
            }
            let now = Timestamp::now();
            let task = Task {
                id: TaskId::new(),
                organization: scope.org(),
                project: project.id,
                title,
                description: input.description.clone(),
                status: input.status.unwrap_or(Status::Todo),
                priority: input.priority.unwrap_or(Priority::Medium),
                assigned_to: assignee,
                created_by: Some(actor.id()),
                due_date: input.due_date,
                created_at: now,
                updated_at: now,
            };
            tx.insert_task(&scope, &task)?;
            tx.append_event(
                &scope,
                &Draft::new(EventType::TaskCreated).task(task.project, task.id),
            )?;
            Ok(task)
        })
    }

    /// One task of the actor's organizations.
    ///
    /// # Errors
    /// [`Error::NotFound`] when missing, deleted or in another tenant.
    pub fn get_task(&self, actor: &Actor, id: TaskId) -> Result<Task> {
        self.store
            .read(|tx| tx.task_in_scope(actor.id(), id))
            .map(|found| found.item.task)
    }

    /// Changes a task (owners, admins and members).
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Forbidden`], [`Error::Validation`], and
    /// [`Error::Conflict`] in an archived project.
    pub fn update_task(&self, actor: &Actor, id: TaskId, patch: &TaskPatch) -> Result<Task> {
        self.store.write(|tx| {
            let Scoped { scope, item: found } = tx.task_in_scope(actor.id(), id)?;
            let mut task = found.task.clone();
            scope.require_writer()?;
            let mut errors = FieldErrors::default();
            let title = check_text(
                "title",
                patch.title.as_deref(),
                patch.description.as_deref(),
                &mut errors,
            );
            let assigned = match patch.assigned_to {
                Some(user) => Some(assignee(tx, &scope, user, &mut errors)?),
                None => None,
            };
            errors.into_result()?;
            if found.project_archived {
                return Err(Error::Conflict(
                    "The tasks of an archived project cannot be changed.".into(),
                ));
            }
            if let Some(title) = title {
                task.title = title;
            }
            if let Some(description) = &patch.description {
                task.description.clone_from(description);
            }
            task.status = patch.status.unwrap_or(task.status);
            task.priority = patch.priority.unwrap_or(task.priority);
            if let Some(assigned) = assigned {
                task.assigned_to = assigned;
            }
            task.due_date = patch.due_date.unwrap_or(task.due_date);
            task.updated_at = Timestamp::now();
            tx.update_task(&scope, &task)?;
            let changes = changes(&found.task, &task);
            if !changes.is_empty() {
                tx.append_event(
                    &scope,
                    &Draft::new(EventType::TaskUpdated)
                        .task(task.project, task.id)
                        .changes(changes),
                )?;
            }
            Ok(task)
        })
    }

    /// Deletes a task softly: it is gone from every read, its row is kept. Owners and admins
    /// delete any task, members those they created.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Forbidden`].
    pub fn delete_task(&self, actor: &Actor, id: TaskId) -> Result<()> {
        self.store.write(|tx| {
            let Scoped { scope, item: found } = tx.task_in_scope(actor.id(), id)?;
            if !scope.may_delete_task(found.task.created_by) {
                return Err(if scope.role() == Role::Member {
                    Error::Forbidden("A member may delete only the tasks they created.".into())
                } else {
                    Error::role_too_low()
                });
            }
            tx.soft_delete_task(&scope, id, Timestamp::now())?;
            tx.append_event(
                &scope,
                &Draft::new(EventType::TaskDeleted).task(found.task.project, id),
            )
        })
    }
}

/// What an update changed of a task, as its event records it (an assignee by id).
fn changes(old: &Task, new: &Task) -> Changes {
    let assignee = |t: &Task| t.assigned_to.as_ref().map(|u| u.id);
    Changes::default()
        .field("title", &old.title, &new.title)
        .field("description", &old.description, &new.description)
        .field("status", &old.status, &new.status)
        .field("priority", &old.priority, &new.priority)
        .field("assigned_to", &assignee(old), &assignee(new))
        .field("due_date", &old.due_date, &new.due_date)
}

/// Resolves an assignee, recording an error unless they are a member of the scope's organization.
fn assignee(
    tx: &Tx<'_>,
    scope: &OrgScope,
    user: Option<UserId>,
    errors: &mut FieldErrors,
) -> Result<Option<UserRef>> {
    let Some(user) = user else { return Ok(None) };
    if tx.is_member(scope, user)?
        && let Some(found) = tx.user_by_id(user)?
    {
        return Ok(Some(found.into()));
    }
    errors.add("assigned_to", NOT_A_MEMBER);
    Ok(None)
}
