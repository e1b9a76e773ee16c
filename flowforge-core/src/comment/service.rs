//! Operations on comments. Every one first finds the live task in the actor's organizations (a
//! missing, deleted or foreign task is not found, and so is a comment of another task). Members
//! read comments; owners, admins and members write them; only its author edits a comment; its
//! author, owners and admins delete it (an author whose role fell to viewer may do neither). The
//! comments of an archived project's tasks can be neither added nor changed (deleting them is
//! allowed), as those tasks. Each write appends its one event in its own transaction:
//! `comment.created`, `comment.updated` with the `body` and `mentions` it changed, or
//! `comment.deleted`, about the comment, its task and that task's project.

use std::collections::HashMap;

use super::{Comment, CommentPatch, CommentQuery, MAX_BODY, NewComment, mentioned_emails};
use crate::authz::{OrgScope, Role, Scoped};
use crate::error::{Error, FieldErrors, Result};
use crate::event::{Changes, Draft, EventType};
use crate::ids::{CommentId, TaskId, UserId};
use crate::input::check_length;
use crate::store::Tx;
use crate::time::Timestamp;
use crate::{Actor, FlowForge, Page};

impl FlowForge {
    /// Lists the comments of a task (any member).
    ///
    /// # Errors
    /// [`Error::NotFound`] for a task that is missing, deleted or in another tenant, and for a
    /// page past the end.
    pub fn list_comments(
        &self,
        actor: &Actor,
        task: TaskId,
        query: &CommentQuery,
    ) -> Result<Page<Comment>> {
        self.store
            .read(|tx| {
                let scope = tx.task_in_scope(actor.id(), task)?.scope;
                tx.list_comments(&scope, task, query)
            })?
            .found()
    }

    /// Comments on a task (owners, admins and members); the body's `@email` mentions of members
    /// are recorded.
    ///
    /// # Errors
    /// [`Error::NotFound`] for the task as [`FlowForge::list_comments`]; [`Error::Forbidden`]
    /// for viewers; [`Error::Validation`] for a bad body; [`Error::Conflict`] in an archived
    /// project.
    pub fn create_comment(
        &self,
        actor: &Actor,
        task: TaskId,
        input: &NewComment,
    ) -> Result<Comment> {
        self.store.write(|tx| {
            let Scoped { scope, item: found } = tx.task_in_scope(actor.id(), task)?;
            scope.require_writer()?;
            let body = checked_body(&input.body)?;
            if found.project_archived {
                return Err(Error::Conflict(
                    "Comments cannot be added to the tasks of an archived project.".into(),
                ));
            }
            let now = Timestamp::now();
            let comment = Comment {
                id: CommentId::new(),
                task,
                author: actor.user().clone().into(),
                mentions: mentions(tx, &scope, &body)?,
                body,
                created_at: now,
                updated_at: now,
            };
            tx.insert_comment(&scope, &comment)?;
            tx.append_event(
                &scope,
                &Draft::new(EventType::CommentCreated)
                    .task(found.task.project, task)
                    .comment(comment.id),
            )?;
            Ok(comment)
        })
    }

    /// One comment of a task (any member).
    ///
    /// # Errors
    /// [`Error::NotFound`] for the task as [`FlowForge::list_comments`], and for a comment that
    /// is missing or on another task.
    pub fn get_comment(&self, actor: &Actor, task: TaskId, id: CommentId) -> Result<Comment> {
        self.store.read(|tx| {
            let scope = tx.task_in_scope(actor.id(), task)?.scope;
            tx.comment(&scope, task, id)?.ok_or_else(Error::not_found)
        })
    }

    /// Changes a comment's body (its author only), recording the new body's mentions. A change
    /// that leaves the body and its mentions as they were writes nothing (and logs no event).
    ///
    /// # Errors
    /// [`Error::NotFound`] as [`FlowForge::get_comment`]; [`Error::Forbidden`] for anyone but
    /// its author; [`Error::Validation`] for a bad body; [`Error::Conflict`] in an archived
    /// project.
    pub fn update_comment(
        &self,
        actor: &Actor,
        task: TaskId,
        id: CommentId,
        patch: &CommentPatch,
    ) -> Result<Comment> {
        self.store.write(|tx| {
            let Scoped { scope, item: found } = tx.task_in_scope(actor.id(), task)?;
            let comment = tx.comment(&scope, task, id)?.ok_or_else(Error::not_found)?;
            if !scope.may_edit_comment(comment.author.id) {
                return Err(refusal(&scope, "Only its author may edit a comment."));
            }
            let body = patch.body.as_deref().map(checked_body).transpose()?;
            if found.project_archived {
                return Err(Error::Conflict(
                    "The comments of an archived project's tasks cannot be changed.".into(),
                ));
            }
            let Some(body) = body else {
                return Ok(comment);
            };
            let mentions = mentions(tx, &scope, &body)?;
            let changes = Changes::default()
                .field("body", &comment.body, &body)
                .field("mentions", &comment.mentions, &mentions);
            if changes.is_empty() {
                return Ok(comment);
            }
            let comment = Comment {
                body,
                mentions,
                updated_at: Timestamp::now(),
                ..comment
            };
            tx.update_comment(&scope, &comment)?;
            tx.append_event(
                &scope,
                &Draft::new(EventType::CommentUpdated)
                    .task(found.task.project, task)
                    .comment(id)
                    .changes(changes),
            )?;
            Ok(comment)
        })
    }

    /// Deletes a comment: its author, owners and admins.
    ///
    /// # Errors
    /// [`Error::NotFound`] as [`FlowForge::get_comment`]; [`Error::Forbidden`].
    pub fn delete_comment(&self, actor: &Actor, task: TaskId, id: CommentId) -> Result<()> {
        self.store.write(|tx| {
            let Scoped { scope, item: found } = tx.task_in_scope(actor.id(), task)?;
            let comment = tx.comment(&scope, task, id)?.ok_or_else(Error::not_found)?;
            if !scope.may_delete_comment(comment.author.id) {
                return Err(refusal(
                    &scope,
                    "A member may delete only the comments they wrote.",
                ));
            }
            tx.delete_comment(&scope, task, id)?;
            tx.append_event(
                &scope,
                &Draft::new(EventType::CommentDeleted)
                    .task(found.task.project, task)
                    .comment(id),
            )
        })
    }
}

/// The forbidden answer: `message` for a member, whose role would allow it on their own
/// comment; a viewer's role allows nothing.
fn refusal(scope: &OrgScope, message: &str) -> Error {
    if scope.role() == Role::Viewer {
        Error::role_too_low()
    } else {
        Error::Forbidden(message.into())
    }
}

/// The body trimmed, if it is 1 to [`MAX_BODY`] characters once trimmed.
fn checked_body(body: &str) -> Result<String> {
    let body = body.trim();
    let mut errors = FieldErrors::default();
    check_length(&mut errors, "body", body, 1, MAX_BODY);
    errors.into_result()?;
    Ok(body.to_owned())
}

/// The members of the scope's organization that `body` mentions, each once, in order of first
/// mention; addresses of anyone else are plain text.
fn mentions(tx: &Tx<'_>, scope: &OrgScope, body: &str) -> Result<Vec<UserId>> {
    let emails = mentioned_emails(body);
    if emails.is_empty() {
        return Ok(Vec::new());
    }
    let members: HashMap<String, UserId> =
        tx.members_by_email(scope, &emails)?.into_iter().collect();
    Ok(emails
        .iter()
        .filter_map(|email| members.get(email).copied())
        .collect())
}
