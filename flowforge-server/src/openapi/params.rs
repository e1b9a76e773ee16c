//! The query parameters of the lists, for the document only: the core's query types parse them.
//! Each struct is read through `IntoParams` by the route table (`routes/`).

use flowforge_core::{OrgId, Priority, ProjectId, Role, Status};
use utoipa::IntoParams;

/// `page` and `page_size`, on every list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct Paging {
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
pub struct OrganizationFilters {
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
pub struct MemberFilters {
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
pub struct ProjectFilters {
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
pub struct TaskFilters {
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
