//! Comments on a task, under the task's path.

use flowforge_core::{Comment, CommentPatch, NewComment};

use crate::openapi::params::CommentFilters;
use crate::openapi::{Answer, PathId, json, list, page, schema_of};
use crate::routes::Verb::{Delete, Get, Patch, Post};
use crate::routes::{E, FORBIDDEN_ROLE, FORBIDDEN_THIS, Op, Route, SECURED, route};

const TASK: &[PathId] = &[PathId::Task];
const COMMENT: &[PathId] = &[PathId::Task, PathId::Comment];

/// The `/tasks/{id}/comments/` routes.
pub(super) static ROUTES: &[Route] = &[
    route(
        Get,
        "/api/v1/tasks/{id}/comments/",
        E::ListComments,
        Op {
            tag: "comments",
            operation_id: "comments_list",
            summary: "List a task's comments.",
            description: Some("Members. Oldest first unless `ordering=-created_at`."),
            ids: TASK,
            query: Some(list::<CommentFilters>),
            ok: (200, "A page of the task's comments.", page::<Comment>()),
            ..SECURED
        },
    ),
    route(
        Post,
        "/api/v1/tasks/{id}/comments/",
        E::CreateComment,
        Op {
            tag: "comments",
            operation_id: "comments_create",
            summary: "Comment on a task.",
            description: Some(
                "Owners, admins and members. Each `@email` of a member of the task's organization \
             in the body is recorded in `mentions`.",
            ),
            ids: TASK,
            body: Some(schema_of::<NewComment>()),
            ok: (201, "The new comment.", json::<Comment>()),
            problems: &[FORBIDDEN_ROLE, (409, "The task's project is archived.")],
            ..SECURED
        },
    ),
    route(
        Get,
        "/api/v1/tasks/{id}/comments/{comment_id}/",
        E::GetComment,
        Op {
            tag: "comments",
            operation_id: "comments_read",
            summary: "Read a comment.",
            description: Some("Members."),
            ids: COMMENT,
            ok: (200, "The comment.", json::<Comment>()),
            ..SECURED
        },
    ),
    route(
        Patch,
        "/api/v1/tasks/{id}/comments/{comment_id}/",
        E::UpdateComment,
        Op {
            tag: "comments",
            operation_id: "comments_update",
            summary: "Change a comment.",
            description: Some("Its author. The new body's mentions replace the old ones."),
            ids: COMMENT,
            body: Some(schema_of::<CommentPatch>()),
            ok: (200, "The comment, changed.", json::<Comment>()),
            problems: &[FORBIDDEN_THIS, (409, "The task's project is archived.")],
            ..SECURED
        },
    ),
    route(
        Delete,
        "/api/v1/tasks/{id}/comments/{comment_id}/",
        E::DeleteComment,
        Op {
            tag: "comments",
            operation_id: "comments_delete",
            summary: "Delete a comment.",
            description: Some("Its author, owners and admins."),
            ids: COMMENT,
            ok: (204, "Deleted.", Answer::Empty),
            problems: &[FORBIDDEN_THIS],
            ..SECURED
        },
    ),
];
