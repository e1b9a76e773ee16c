//! Projects and their tasks.

use flowforge_core::{NewProject, NewTask, Project, ProjectPatch, Task, TaskPatch};

use crate::openapi::params::{ProjectFilters, TaskFilters};
use crate::openapi::{Answer, PathId, json, list, page, schema_of};
use crate::routes::Verb::{Delete, Get, Patch, Post};
use crate::routes::{E, FORBIDDEN_ROLE, Op, Route, SECURED, route};

/// The `/projects/` and `/tasks/` routes.
pub(super) static ROUTES: &[Route] = &[
    route(
        Get,
        "/api/v1/projects/",
        E::ListProjects,
        Op {
            tag: "projects",
            operation_id: "projects_list",
            summary: "List projects.",
            query: Some(list::<ProjectFilters>),
            ok: (
                200,
                "A page of the projects of the caller's organizations.",
                page::<Project>(),
            ),
            ..SECURED
        },
    ),
    route(
        Post,
        "/api/v1/projects/",
        E::CreateProject,
        Op {
            tag: "projects",
            operation_id: "projects_create",
            summary: "Create a project.",
            description: Some(
                "Owners and admins of `organization`. A foreign organization is refused like a \
             missing one (`400` naming the field).",
            ),
            body: Some(schema_of::<NewProject>()),
            ok: (201, "The new project.", json::<Project>()),
            problems: &[
                FORBIDDEN_ROLE,
                (409, "The name is taken in the organization."),
            ],
            ..SECURED
        },
    ),
    route(
        Get,
        "/api/v1/projects/{id}/",
        E::GetProject,
        Op {
            tag: "projects",
            operation_id: "projects_read",
            summary: "Read a project.",
            ids: &[PathId::Project],
            ok: (200, "The project.", json::<Project>()),
            ..SECURED
        },
    ),
    route(
        Patch,
        "/api/v1/projects/{id}/",
        E::UpdateProject,
        Op {
            tag: "projects",
            operation_id: "projects_update",
            summary: "Change or archive a project.",
            description: Some("Owners and admins."),
            ids: &[PathId::Project],
            body: Some(schema_of::<ProjectPatch>()),
            ok: (200, "The project, changed.", json::<Project>()),
            problems: &[
                FORBIDDEN_ROLE,
                (409, "The name is taken in the organization."),
            ],
            ..SECURED
        },
    ),
    route(
        Delete,
        "/api/v1/projects/{id}/",
        E::DeleteProject,
        Op {
            tag: "projects",
            operation_id: "projects_delete",
            summary: "Delete a project.",
            description: Some("Owners and admins. Its tasks go with it."),
            ids: &[PathId::Project],
            ok: (204, "Deleted.", Answer::Empty),
            problems: &[FORBIDDEN_ROLE],
            ..SECURED
        },
    ),
    route(
        Get,
        "/api/v1/tasks/",
        E::ListTasks,
        Op {
            tag: "tasks",
            operation_id: "tasks_list",
            summary: "List tasks.",
            query: Some(list::<TaskFilters>),
            ok: (
                200,
                "A page of the tasks of the caller's organizations.",
                page::<Task>(),
            ),
            ..SECURED
        },
    ),
    route(
        Post,
        "/api/v1/tasks/",
        E::CreateTask,
        Op {
            tag: "tasks",
            operation_id: "tasks_create",
            summary: "Create a task.",
            description: Some(
                "Owners, admins and members of the project's organization. A foreign project or \
             assignee is refused like a missing one (`400` naming the field).",
            ),
            body: Some(schema_of::<NewTask>()),
            ok: (201, "The new task.", json::<Task>()),
            problems: &[FORBIDDEN_ROLE, (409, "The project is archived.")],
            ..SECURED
        },
    ),
    route(
        Get,
        "/api/v1/tasks/{id}/",
        E::GetTask,
        Op {
            tag: "tasks",
            operation_id: "tasks_read",
            summary: "Read a task.",
            ids: &[PathId::Task],
            ok: (200, "The task.", json::<Task>()),
            ..SECURED
        },
    ),
    route(
        Patch,
        "/api/v1/tasks/{id}/",
        E::UpdateTask,
        Op {
            tag: "tasks",
            operation_id: "tasks_update",
            summary: "Change a task.",
            description: Some("Owners, admins and members."),
            ids: &[PathId::Task],
            body: Some(schema_of::<TaskPatch>()),
            ok: (200, "The task, changed.", json::<Task>()),
            problems: &[FORBIDDEN_ROLE, (409, "The project is archived.")],
            ..SECURED
        },
    ),
    route(
        Delete,
        "/api/v1/tasks/{id}/",
        E::DeleteTask,
        Op {
            tag: "tasks",
            operation_id: "tasks_delete",
            summary: "Delete a task.",
            description: Some(
                "Owners and admins; a member for a task they created. A soft delete: the task is \
             gone from every read.",
            ),
            ids: &[PathId::Task],
            ok: (204, "Deleted.", Answer::Empty),
            problems: &[FORBIDDEN_ROLE],
            ..SECURED
        },
    ),
];
