//! The OpenAPI 3.1 document, generated from the types that serialize the responses.
//!
//! The server routes with one `match` (see `router.rs` and `handlers.rs`), so each operation is
//! declared here on a private marker function; every schema comes from a Rust type of the core
//! or of `reply.rs` (`ToSchema`), never from hand-written JSON.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToResponse};

use flowforge_core::{
    Credentials, FieldErrors, Membership, MembershipPatch, NewMembership, NewOrg, NewProject,
    NewTask, NewUser, Org, OrgId, OrgPatch, PasswordChange, Priority, Project, ProjectId,
    ProjectPatch, RefreshRequest, Role, Status, Task, TaskId, TaskPatch, Timestamp, TokenPair,
    User, UserId, UserPatch, UserRef,
};

use crate::handlers::ApiRoot;
use crate::reply::{Health, Paginated, Problem};

/// The name of the bearer security scheme in the document.
const BEARER: &str = "bearer";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "FlowForge API",
        description = "Multi-tenant workflow and task management. Every error body is an RFC 9457 \
                       problem (`application/problem+json`). Every `/api/v1/` request is throttled \
                       (`429` with `Retry-After`); paths end with a slash, and one without it gets \
                       `308` to the slashed path; a method an endpoint does not offer gets `405`."
    ),
    paths(
        ops::api_root,
        ops::register,
        ops::login,
        ops::refresh,
        ops::logout,
        ops::me,
        ops::update_me,
        ops::change_password,
        ops::list_organizations,
        ops::create_organization,
        ops::get_organization,
        ops::update_organization,
        ops::delete_organization,
        ops::list_members,
        ops::add_member,
        ops::get_member,
        ops::update_member,
        ops::remove_member,
        ops::list_projects,
        ops::create_project,
        ops::get_project,
        ops::update_project,
        ops::delete_project,
        ops::list_tasks,
        ops::create_task,
        ops::get_task,
        ops::update_task,
        ops::delete_task,
        ops::schema,
        ops::docs,
        ops::healthz,
        ops::readyz,
    ),
    components(
        schemas(
            User, UserRef, Org, Membership, Project, Task, TokenPair, Role, Status,
            Priority, UserId, OrgId, ProjectId, TaskId, Timestamp, FieldErrors, NewUser,
            Credentials, RefreshRequest, UserPatch, PasswordChange, NewOrg,
            OrgPatch, NewMembership, MembershipPatch, NewProject, ProjectPatch, NewTask,
            TaskPatch, Problem, ApiRoot, Health, Paginated<Org>, Paginated<Membership>,
            Paginated<Project>, Paginated<Task>,
        ),
        responses(
            BadRequest,
            Unauthorized,
            NotFound,
            PayloadTooLarge,
            UnsupportedMediaType,
            TooManyRequests,
        )
    ),
    modifiers(&BearerScheme),
    tags(
        (name = "auth", description = "Registration, tokens and the caller's own account."),
        (name = "organizations", description = "Tenants: only their members see them."),
        (name = "members", description = "Who belongs to an organization, with which role."),
        (name = "projects", description = "Projects of the caller's organizations."),
        (name = "tasks", description = "Tasks of the caller's organizations."),
        (name = "meta", description = "The API root, health, this document and its UI."),
    )
)]
struct ApiDoc;

/// Adds the HTTP bearer (JWT) scheme that the secured operations name.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from `POST /api/v1/auth/login/` or `/auth/refresh/`.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document served at `/api/schema/`.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

// Reusable error responses. Each carries a `Problem`; the descriptions are the contract's.

/// Malformed JSON, a validation failure (`errors` names the fields), an unknown or read-only
/// field, or a bad filter, ordering or page size.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
#[allow(dead_code)]
struct BadRequest(Problem);

/// No token, or a bad, expired or revoked one, or a refresh token used as an access token, or a
/// deactivated user.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "`Bearer`"))
)]
#[allow(dead_code)]
struct Unauthorized(Problem);

/// Absent, deleted, or in an organization the caller does not belong to (the same answer for
/// all three); for a list, a page past the end, `page=0` or a non-number (`Invalid page.`).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
#[allow(dead_code)]
struct NotFound(Problem);

/// The body is over the limit (1 MiB by default).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
#[allow(dead_code)]
struct PayloadTooLarge(Problem);

/// The body is not `application/json`.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
#[allow(dead_code)]
struct UnsupportedMediaType(Problem);

/// Throttled: the request did no work.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(
        ("Retry-After" = u64, description = "Seconds until a request would be allowed."),
        ("RateLimit-Limit" = u64, description = "The tightest rate's limit."),
        ("RateLimit-Remaining" = u64, description = "Requests left under that rate."),
        ("RateLimit-Reset" = u64, description = "Seconds until that rate resets."),
    )
)]
#[allow(dead_code)]
struct TooManyRequests(Problem);

// Query parameters, shared by the lists or one list's own.

/// `page` and `page_size`, on every list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct Paging {
    /// The page, 1-based (default 1). A page past the end, `0` or a non-number is `404`.
    #[param(minimum = 1, nullable = false)]
    page: Option<u64>,
    /// Items per page (default 20; a larger one than 100 is clamped to 100).
    #[param(minimum = 1, nullable = false)]
    page_size: Option<u64>,
}

/// The filters of `GET /organizations/`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct OrganizationFilters {
    /// Words (split on white space) that must all occur, without regard to case, in `name`.
    #[param(nullable = false)]
    search: Option<String>,
    /// Comma-separated fields, `-` for descending: `name`, `created_at` (default `name`).
    #[param(nullable = false)]
    ordering: Option<String>,
}

/// The filters of `GET /organizations/{id}/members/`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct MemberFilters {
    /// Only these roles (repeat the parameter or separate with commas).
    #[param(nullable = false)]
    role: Option<Vec<Role>>,
    /// Words that must all occur, without regard to case, in `email` or `full_name`.
    #[param(nullable = false)]
    search: Option<String>,
    /// Comma-separated fields, `-` for descending: `joined_at`, `email`, `role` (by rank)
    /// (default `joined_at`).
    #[param(nullable = false)]
    ordering: Option<String>,
}

/// The filters of `GET /projects/`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ProjectFilters {
    /// Only projects of these organizations (repeat or separate with commas).
    #[param(nullable = false)]
    organization: Option<Vec<OrgId>>,
    /// Only archived (`true`) or live (`false`) projects; both when absent.
    #[param(nullable = false)]
    is_archived: Option<bool>,
    /// Words that must all occur, without regard to case, in `name` or `description`.
    #[param(nullable = false)]
    search: Option<String>,
    /// Comma-separated fields, `-` for descending: `name`, `created_at`, `updated_at` (default
    /// `name`).
    #[param(nullable = false)]
    ordering: Option<String>,
}

/// The filters of `GET /tasks/`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct TaskFilters {
    /// Only tasks of these organizations (repeat or separate with commas).
    #[param(nullable = false)]
    organization: Option<Vec<OrgId>>,
    /// Only tasks of these projects (repeat or separate with commas).
    #[param(nullable = false)]
    project: Option<Vec<ProjectId>>,
    /// Only these statuses (repeat or separate with commas).
    #[param(nullable = false)]
    status: Option<Vec<Status>>,
    /// Only these priorities (repeat or separate with commas).
    #[param(nullable = false)]
    priority: Option<Vec<Priority>>,
    /// Assignees: user ids, `me` or `none` (unassigned) (repeat or separate with commas).
    #[param(nullable = false)]
    assigned_to: Option<Vec<String>>,
    /// Creators: user ids or `me` (repeat or separate with commas).
    #[param(nullable = false)]
    created_by: Option<Vec<String>>,
    /// Due on or before this date (`YYYY-MM-DD`).
    #[param(value_type = String, format = Date, required = false)]
    due_before: Option<String>,
    /// Due on or after this date (`YYYY-MM-DD`).
    #[param(value_type = String, format = Date, required = false)]
    due_after: Option<String>,
    /// Words that must all occur, without regard to case, in `title` or `description`.
    #[param(nullable = false)]
    search: Option<String>,
    /// Comma-separated fields, `-` for descending: `due_date`, `priority` (by rank), `status` (in
    /// declared order), `title`, `created_at`, `updated_at` (default `due_date`, then
    /// `-priority`; tasks without a due date come last either way).
    #[param(nullable = false)]
    ordering: Option<String>,
}

/// One marker function per operation: the server has no per-endpoint handlers to annotate.
#[allow(dead_code)]
mod ops {
    use super::*;
    use crate::reply::PROBLEM;

    /// The API root.
    #[utoipa::path(get, path = "/api/v1/", tag = "meta", operation_id = "api_root",
        description = "The collection URLs (like DRF's API root). Needs no token.",
        responses(
            (status = 200, description = "The collections.", body = ApiRoot),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn api_root() {}

    /// Register a user.
    #[utoipa::path(post, path = "/api/v1/auth/register/", tag = "auth",
        operation_id = "auth_register", request_body = NewUser,
        responses(
            (status = 201, description = "The new user.", body = User),
            (status = 400, response = BadRequest),
            (status = 403, description = "Registration is turned off.", body = Problem, content_type = PROBLEM),
            (status = 409, description = "The email is taken.", body = Problem, content_type = PROBLEM),
            (status = 413, response = PayloadTooLarge),
            (status = 415, response = UnsupportedMediaType),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn register() {}

    /// Log in: exchange an email and password for tokens.
    #[utoipa::path(post, path = "/api/v1/auth/login/", tag = "auth",
        operation_id = "auth_login", request_body = Credentials,
        description = "Login attempts are throttled per client address and email.",
        responses(
            (status = 200, description = "A new token pair.", body = TokenPair),
            (status = 400, response = BadRequest),
            (status = 401, description = "Wrong email or password, or an inactive user (one answer for all).", body = Problem, content_type = PROBLEM),
            (status = 413, response = PayloadTooLarge),
            (status = 415, response = UnsupportedMediaType),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn login() {}

    /// Exchange a refresh token for a new pair.
    #[utoipa::path(post, path = "/api/v1/auth/refresh/", tag = "auth",
        operation_id = "auth_refresh", request_body = RefreshRequest,
        description = "Rotation: the refresh token presented is revoked.",
        responses(
            (status = 200, description = "A new token pair.", body = TokenPair),
            (status = 400, response = BadRequest),
            (status = 401, description = "The refresh token is invalid, expired or revoked.", body = Problem, content_type = PROBLEM),
            (status = 413, response = PayloadTooLarge),
            (status = 415, response = UnsupportedMediaType),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn refresh() {}

    /// Log out: revoke a refresh token.
    #[utoipa::path(post, path = "/api/v1/auth/logout/", tag = "auth",
        operation_id = "auth_logout", request_body = RefreshRequest,
        description = "Revokes the refresh token (which is the credential: no access token is needed).",
        responses(
            (status = 204, description = "Revoked (also when it already was)."),
            (status = 400, response = BadRequest),
            (status = 401, description = "The refresh token is invalid or expired.", body = Problem, content_type = PROBLEM),
            (status = 413, response = PayloadTooLarge),
            (status = 415, response = UnsupportedMediaType),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn logout() {}

    /// The caller's own account.
    #[utoipa::path(get, path = "/api/v1/auth/me/", tag = "auth", operation_id = "auth_me",
        security(("bearer" = [])),
        responses(
            (status = 200, description = "The caller.", body = User),
            (status = 401, response = Unauthorized),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn me() {}

    /// Change the caller's own account.
    #[utoipa::path(patch, path = "/api/v1/auth/me/", tag = "auth",
        operation_id = "auth_me_update", request_body = UserPatch, security(("bearer" = [])),
        responses(
            (status = 200, description = "The caller, changed.", body = User),
            (status = 400, response = BadRequest),
            (status = 401, response = Unauthorized),
            (status = 413, response = PayloadTooLarge),
            (status = 415, response = UnsupportedMediaType),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn update_me() {}

    /// Change the caller's password.
    #[utoipa::path(post, path = "/api/v1/auth/password/", tag = "auth",
        operation_id = "auth_password", request_body = PasswordChange, security(("bearer" = [])),
        description = "Every refresh token of the user is revoked.",
        responses(
            (status = 204, description = "Changed."),
            (status = 400, response = BadRequest),
            (status = 401, response = Unauthorized),
            (status = 413, response = PayloadTooLarge),
            (status = 415, response = UnsupportedMediaType),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn change_password() {}

    /// List the caller's organizations.
    #[utoipa::path(get, path = "/api/v1/organizations/", tag = "organizations",
        operation_id = "organizations_list", params(OrganizationFilters, Paging),
        security(("bearer" = [])),
        responses(
            (status = 200, description = "A page of the caller's organizations.", body = Paginated<Org>),
            (status = 400, response = BadRequest),
            (status = 401, response = Unauthorized),
            (status = 404, response = NotFound),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn list_organizations() {}

    /// Create an organization.
    #[utoipa::path(post, path = "/api/v1/organizations/", tag = "organizations",
        operation_id = "organizations_create", request_body = NewOrg,
        description = "The creator becomes its owner.", security(("bearer" = [])),
        responses(
            (status = 201, description = "The new organization.", body = Org),
            (status = 400, response = BadRequest),
            (status = 401, response = Unauthorized),
            (status = 409, description = "The name or slug is taken.", body = Problem, content_type = PROBLEM),
            (status = 413, response = PayloadTooLarge),
            (status = 415, response = UnsupportedMediaType),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn create_organization() {}

    /// Read an organization.
    #[utoipa::path(get, path = "/api/v1/organizations/{id}/", tag = "organizations",
        operation_id = "organizations_read",
        params(("id" = OrgId, Path, description = "The organization.")),
        security(("bearer" = [])),
        responses(
            (status = 200, description = "The organization.", body = Org),
            (status = 401, response = Unauthorized),
            (status = 404, response = NotFound),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn get_organization() {}

    /// Change an organization.
    #[utoipa::path(patch, path = "/api/v1/organizations/{id}/", tag = "organizations",
        operation_id = "organizations_update", request_body = OrgPatch,
        description = "Owners and admins.",
        params(("id" = OrgId, Path, description = "The organization.")),
        security(("bearer" = [])),
        responses(
            (status = 200, description = "The organization, changed.", body = Org),
            (status = 400, response = BadRequest),
            (status = 401, response = Unauthorized),
            (status = 403, description = "The caller's role is too low.", body = Problem, content_type = PROBLEM),
            (status = 404, response = NotFound),
            (status = 409, description = "The name or slug is taken.", body = Problem, content_type = PROBLEM),
            (status = 413, response = PayloadTooLarge),
            (status = 415, response = UnsupportedMediaType),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn update_organization() {}

    /// Delete an organization.
    #[utoipa::path(delete, path = "/api/v1/organizations/{id}/", tag = "organizations",
        operation_id = "organizations_delete",
        description = "Owners. Its projects, tasks and memberships go with it.",
        params(("id" = OrgId, Path, description = "The organization.")),
        security(("bearer" = [])),
        responses(
            (status = 204, description = "Deleted."),
            (status = 401, response = Unauthorized),
            (status = 403, description = "The caller is not an owner.", body = Problem, content_type = PROBLEM),
            (status = 404, response = NotFound),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn delete_organization() {}

    /// List an organization's members.
    #[utoipa::path(get, path = "/api/v1/organizations/{id}/members/", tag = "members",
        operation_id = "members_list",
        params(("id" = OrgId, Path, description = "The organization."), MemberFilters, Paging),
        security(("bearer" = [])),
        responses(
            (status = 200, description = "A page of the organization's members.", body = Paginated<Membership>),
            (status = 400, response = BadRequest),
            (status = 401, response = Unauthorized),
            (status = 404, response = NotFound),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn list_members() {}

    /// Add a member by email.
    #[utoipa::path(post, path = "/api/v1/organizations/{id}/members/", tag = "members",
        operation_id = "members_create", request_body = NewMembership,
        description = "Owners add any role; admins add admins, members and viewers.",
        params(("id" = OrgId, Path, description = "The organization.")),
        security(("bearer" = [])),
        responses(
            (status = 201, description = "The new membership.", body = Membership),
            (status = 400, response = BadRequest),
            (status = 401, response = Unauthorized),
            (status = 403, description = "The caller's role does not allow this.", body = Problem, content_type = PROBLEM),
            (status = 404, description = "No such organization for the caller, or no active user has that email.", body = Problem, content_type = PROBLEM),
            (status = 409, description = "Already a member.", body = Problem, content_type = PROBLEM),
            (status = 413, response = PayloadTooLarge),
            (status = 415, response = UnsupportedMediaType),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn add_member() {}

    /// Read a membership.
    #[utoipa::path(get, path = "/api/v1/organizations/{id}/members/{user_id}/", tag = "members",
        operation_id = "members_read",
        params(
            ("id" = OrgId, Path, description = "The organization."),
            ("user_id" = UserId, Path, description = "The member."),
        ),
        security(("bearer" = [])),
        responses(
            (status = 200, description = "The membership.", body = Membership),
            (status = 401, response = Unauthorized),
            (status = 404, response = NotFound),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn get_member() {}

    /// Change a member's role.
    #[utoipa::path(patch, path = "/api/v1/organizations/{id}/members/{user_id}/", tag = "members",
        operation_id = "members_update", request_body = MembershipPatch,
        description = "Owners change anyone to any role; admins change only members and viewers, \
                       never to owner.",
        params(
            ("id" = OrgId, Path, description = "The organization."),
            ("user_id" = UserId, Path, description = "The member."),
        ),
        security(("bearer" = [])),
        responses(
            (status = 200, description = "The membership, changed.", body = Membership),
            (status = 400, response = BadRequest),
            (status = 401, response = Unauthorized),
            (status = 403, description = "The caller's role does not allow this.", body = Problem, content_type = PROBLEM),
            (status = 404, response = NotFound),
            (status = 409, description = "It would demote the last owner.", body = Problem, content_type = PROBLEM),
            (status = 413, response = PayloadTooLarge),
            (status = 415, response = UnsupportedMediaType),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn update_member() {}

    /// Remove a member, or leave.
    #[utoipa::path(delete, path = "/api/v1/organizations/{id}/members/{user_id}/", tag = "members",
        operation_id = "members_delete",
        description = "Owners remove anyone; admins remove members and viewers; anyone may leave. \
                       The removed user's open tasks in the organization become unassigned.",
        params(
            ("id" = OrgId, Path, description = "The organization."),
            ("user_id" = UserId, Path, description = "The member."),
        ),
        security(("bearer" = [])),
        responses(
            (status = 204, description = "Removed."),
            (status = 401, response = Unauthorized),
            (status = 403, description = "The caller's role does not allow this.", body = Problem, content_type = PROBLEM),
            (status = 404, response = NotFound),
            (status = 409, description = "It would remove the last owner.", body = Problem, content_type = PROBLEM),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn remove_member() {}

    /// List projects.
    #[utoipa::path(get, path = "/api/v1/projects/", tag = "projects",
        operation_id = "projects_list", params(ProjectFilters, Paging),
        security(("bearer" = [])),
        responses(
            (status = 200, description = "A page of the projects of the caller's organizations.", body = Paginated<Project>),
            (status = 400, response = BadRequest),
            (status = 401, response = Unauthorized),
            (status = 404, response = NotFound),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn list_projects() {}

    /// Create a project.
    #[utoipa::path(post, path = "/api/v1/projects/", tag = "projects",
        operation_id = "projects_create", request_body = NewProject,
        description = "Owners and admins of `organization`. A foreign organization is refused like \
                       a missing one (`400` naming the field).",
        security(("bearer" = [])),
        responses(
            (status = 201, description = "The new project.", body = Project),
            (status = 400, response = BadRequest),
            (status = 401, response = Unauthorized),
            (status = 403, description = "The caller's role is too low.", body = Problem, content_type = PROBLEM),
            (status = 409, description = "The name is taken in the organization.", body = Problem, content_type = PROBLEM),
            (status = 413, response = PayloadTooLarge),
            (status = 415, response = UnsupportedMediaType),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn create_project() {}

    /// Read a project.
    #[utoipa::path(get, path = "/api/v1/projects/{id}/", tag = "projects",
        operation_id = "projects_read",
        params(("id" = ProjectId, Path, description = "The project.")),
        security(("bearer" = [])),
        responses(
            (status = 200, description = "The project.", body = Project),
            (status = 401, response = Unauthorized),
            (status = 404, response = NotFound),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn get_project() {}

    /// Change or archive a project.
    #[utoipa::path(patch, path = "/api/v1/projects/{id}/", tag = "projects",
        operation_id = "projects_update", request_body = ProjectPatch,
        description = "Owners and admins.",
        params(("id" = ProjectId, Path, description = "The project.")),
        security(("bearer" = [])),
        responses(
            (status = 200, description = "The project, changed.", body = Project),
            (status = 400, response = BadRequest),
            (status = 401, response = Unauthorized),
            (status = 403, description = "The caller's role is too low.", body = Problem, content_type = PROBLEM),
            (status = 404, response = NotFound),
            (status = 409, description = "The name is taken in the organization.", body = Problem, content_type = PROBLEM),
            (status = 413, response = PayloadTooLarge),
            (status = 415, response = UnsupportedMediaType),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn update_project() {}

    /// Delete a project.
    #[utoipa::path(delete, path = "/api/v1/projects/{id}/", tag = "projects",
        operation_id = "projects_delete", description = "Owners and admins. Its tasks go with it.",
        params(("id" = ProjectId, Path, description = "The project.")),
        security(("bearer" = [])),
        responses(
            (status = 204, description = "Deleted."),
            (status = 401, response = Unauthorized),
            (status = 403, description = "The caller's role is too low.", body = Problem, content_type = PROBLEM),
            (status = 404, response = NotFound),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn delete_project() {}

    /// List tasks.
    #[utoipa::path(get, path = "/api/v1/tasks/", tag = "tasks",
        operation_id = "tasks_list", params(TaskFilters, Paging),
        security(("bearer" = [])),
        responses(
            (status = 200, description = "A page of the tasks of the caller's organizations.", body = Paginated<Task>),
            (status = 400, response = BadRequest),
            (status = 401, response = Unauthorized),
            (status = 404, response = NotFound),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn list_tasks() {}

    /// Create a task.
    #[utoipa::path(post, path = "/api/v1/tasks/", tag = "tasks",
        operation_id = "tasks_create", request_body = NewTask,
        description = "Owners, admins and members of the project's organization. A foreign \
                       project or assignee is refused like a missing one (`400` naming the field).",
        security(("bearer" = [])),
        responses(
            (status = 201, description = "The new task.", body = Task),
            (status = 400, response = BadRequest),
            (status = 401, response = Unauthorized),
            (status = 403, description = "The caller's role is too low.", body = Problem, content_type = PROBLEM),
            (status = 409, description = "The project is archived.", body = Problem, content_type = PROBLEM),
            (status = 413, response = PayloadTooLarge),
            (status = 415, response = UnsupportedMediaType),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn create_task() {}

    /// Read a task.
    #[utoipa::path(get, path = "/api/v1/tasks/{id}/", tag = "tasks",
        operation_id = "tasks_read",
        params(("id" = TaskId, Path, description = "The task.")),
        security(("bearer" = [])),
        responses(
            (status = 200, description = "The task.", body = Task),
            (status = 401, response = Unauthorized),
            (status = 404, response = NotFound),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn get_task() {}

    /// Change a task.
    #[utoipa::path(patch, path = "/api/v1/tasks/{id}/", tag = "tasks",
        operation_id = "tasks_update", request_body = TaskPatch,
        description = "Owners, admins and members.",
        params(("id" = TaskId, Path, description = "The task.")),
        security(("bearer" = [])),
        responses(
            (status = 200, description = "The task, changed.", body = Task),
            (status = 400, response = BadRequest),
            (status = 401, response = Unauthorized),
            (status = 403, description = "The caller's role is too low.", body = Problem, content_type = PROBLEM),
            (status = 404, response = NotFound),
            (status = 409, description = "The project is archived.", body = Problem, content_type = PROBLEM),
            (status = 413, response = PayloadTooLarge),
            (status = 415, response = UnsupportedMediaType),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn update_task() {}

    /// Delete a task.
    #[utoipa::path(delete, path = "/api/v1/tasks/{id}/", tag = "tasks",
        operation_id = "tasks_delete",
        description = "Owners and admins; a member for a task they created. A soft delete: the \
                       task is gone from every read.",
        params(("id" = TaskId, Path, description = "The task.")),
        security(("bearer" = [])),
        responses(
            (status = 204, description = "Deleted."),
            (status = 401, response = Unauthorized),
            (status = 403, description = "The caller's role is too low.", body = Problem, content_type = PROBLEM),
            (status = 404, response = NotFound),
            (status = 429, response = TooManyRequests),
        ))]
    pub fn delete_task() {}

    /// This OpenAPI document.
    #[utoipa::path(get, path = "/api/schema/", tag = "meta", operation_id = "schema",
        responses(
            (status = 200, description = "This OpenAPI 3.1 document.", body = Object,
                content_type = "application/vnd.oai.openapi+json"),
        ))]
    pub fn schema() {}

    /// Swagger UI.
    #[utoipa::path(get, path = "/api/docs/", tag = "meta", operation_id = "docs",
        responses(
            (status = 200, description = "Swagger UI for this document, served from the binary.",
                body = String, content_type = "text/html"),
        ))]
    pub fn docs() {}

    /// Liveness.
    #[utoipa::path(get, path = "/healthz", tag = "meta", operation_id = "healthz",
        responses(
            (status = 200, description = "The process runs.", body = Health),
        ))]
    pub fn healthz() {}

    /// Readiness: whether the database answers.
    #[utoipa::path(get, path = "/readyz", tag = "meta", operation_id = "readyz",
        responses(
            (status = 200, description = "The database answers.", body = Health),
            (status = 503, description = "The database does not answer.", body = Problem, content_type = PROBLEM),
        ))]
    pub fn readyz() {}
}
