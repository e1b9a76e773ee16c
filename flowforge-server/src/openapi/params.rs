//! The query parameters of the lists, for the document only: the core's query types parse them.
//! Each struct is read through `IntoParams` by the route table (`routes/`), then [`parameters`]
//! gives the parameters every list shares the core's limits, which `IntoParams` attributes
//! cannot name: page numbers from 1, the search's length, each list's ordering terms, and a
//! blank filter value, which the lists ignore (as DRF does; a blank `ordering` is refused).

use flowforge_core::query::{MAX_SEARCH_CHARS, SortField};
use flowforge_core::schema::blank;
use flowforge_core::{
    CommentField, Cursor, EventType, MemberField, OrgField, OrgId, Priority, ProjectField,
    ProjectId, Role, Status, TaskField, TaskId, UserId,
};
use serde_json::json;
use utoipa::IntoParams;
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn, ParameterStyle};
use utoipa::openapi::schema::{
    AnyOfBuilder, Array, ArrayBuilder, ArrayItems, KnownFormat, Object, ObjectBuilder,
    OneOfBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::{Ref, RefOr, Required};

/// The filters of one list, and the fields it can be ordered by.
pub trait Filters: IntoParams {
    /// The list's orderable fields.
    type Field: SortField;
}

/// A list's parameters: `F`'s filters, then `page` and `page_size`, each with its limits.
pub fn parameters<F: Filters>() -> Vec<Parameter> {
    with_limits(F::into_params(in_query), Some(ordering::<F::Field>))
}

/// The parameters of a list in a fixed order (no `ordering`): `F`'s filters, then `page` and
/// `page_size`, each with its limits.
pub fn fixed_order_parameters<F: IntoParams>() -> Vec<Parameter> {
    with_limits(F::into_params(in_query), None)
}

fn in_query() -> Option<ParameterIn> {
    Some(ParameterIn::Query)
}

/// `filters`, then `page` and `page_size`, each given the limits of the core (and `ordering`
/// the list's fields, if it has the parameter).
fn with_limits(mut parameters: Vec<Parameter>, ordering: Option<fn() -> Array>) -> Vec<Parameter> {
    parameters.extend(Paging::into_params(in_query));
    for parameter in &mut parameters {
        let schema = match (parameter.name.as_str(), ordering) {
            ("page" | "page_size", _) => positive().into(),
            ("search", _) => search().into(),
            ("ordering", Some(ordering)) => {
                // Comma-separated, as the core reads it.
                parameter.style = Some(ParameterStyle::Form);
                parameter.explode = Some(false);
                ordering().into()
            }
            ("assigned_to", _) => or_blank_items(users(&["me", "none"])).into(),
            ("created_by", _) => or_blank_items(users(&["me"])).into(),
            _ => match parameter.schema.take() {
                Some(RefOr::T(Schema::Array(array))) => or_blank_items(array).into(),
                Some(other) => AnyOfBuilder::new().item(other).item(blank()).into(),
                None => continue,
            },
        };
        parameter.schema = Some(schema);
    }
    parameters
}

/// A filter's values, each of which may also be blank.
fn or_blank_items(mut array: Array) -> Array {
    if let ArrayItems::RefOrSchema(items) = array.items {
        let either = AnyOfBuilder::new().item(*items).item(blank());
        array.items = ArrayItems::RefOrSchema(Box::new(either.into()));
    }
    array
}

/// A positive integer of any size: a `page_size` over 100 is clamped, not refused, so it has
/// no `maximum`.
fn positive() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .build()
}

/// Search text, at most the core's length.
fn search() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(MAX_SEARCH_CHARS))
        .build()
}

/// An ordering of `F`'s fields: each term a field or `-field`, each field at most once (so at
/// most as many terms as fields), at least one term.
fn ordering<F: SortField>() -> Array {
    let terms = F::ALL
        .iter()
        .flat_map(|f| [f.name().to_owned(), format!("-{}", f.name())]);
    let both_ways: Vec<_> = F::ALL
        .iter()
        .map(|f| {
            let (up, down) = (f.name(), format!("-{}", f.name()));
            json!({"allOf": [{"contains": {"const": up}}, {"contains": {"const": down}}]})
        })
        .collect();
    let mut array = ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(terms)),
        )
        .unique_items(true)
        .min_items(Some(1))
        .max_items(Some(F::ALL.len()))
        .build();
    // JSON Schema's `not` (no field in both directions): utoipa has no builder for it, and
    // its extensions are written as members of the schema.
    array.extensions = Some(Extensions::from_iter([(
        "not",
        json!({"anyOf": both_ways}),
    )]));
    array
}

/// Users in a filter: ids, or one of `words`.
fn users(words: &'static [&'static str]) -> Array {
    let id = ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)));
    let word = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(words.iter().copied()));
    ArrayBuilder::new()
        .items(OneOfBuilder::new().item(id).item(word))
        .build()
}

/// `page` and `page_size`, on every list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct Paging {
    /// The page, 1-based (default 1). A page past the end, `0` or a non-number is `404`.
    #[param(nullable = false)]
    page: Option<u64>,
    /// Items per page (default 20): any positive number, one over 100 is clamped to 100.
    #[param(nullable = false)]
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
    ordering: Option<Vec<String>>,
}

impl Filters for OrganizationFilters {
    type Field = OrgField;
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
    ordering: Option<Vec<String>>,
}

impl Filters for MemberFilters {
    type Field = MemberField;
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
    ordering: Option<Vec<String>>,
}

impl Filters for ProjectFilters {
    type Field = ProjectField;
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
    ordering: Option<Vec<String>>,
}

impl Filters for TaskFilters {
    type Field = TaskField;
}

/// The parameters of `GET /tasks/{id}/comments/` beyond the page.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct CommentFilters {
    /// `created_at` (the default: oldest first) or `-created_at` (newest first); ties by id.
    #[param(nullable = false)]
    ordering: Option<Vec<String>>,
}

impl Filters for CommentFilters {
    type Field = CommentField;
}

/// The filters of `GET /tasks/{id}/activity/`: none but the paging.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct HistoryFilters {}

/// The filters of `GET /organizations/{id}/activity/`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ActivityFilters {
    /// Only events about these projects (repeat or separate with commas).
    #[param(nullable = false)]
    project: Option<Vec<ProjectId>>,
    /// Only events about these tasks (repeat or separate with commas).
    #[param(nullable = false)]
    task: Option<Vec<TaskId>>,
    /// Only events by these users (repeat or separate with commas).
    #[param(nullable = false)]
    actor: Option<Vec<UserId>>,
    /// Only events of these types (repeat or separate with commas); an unknown type is `400`.
    #[param(nullable = false)]
    r#type: Option<Vec<EventType>>,
    /// Only events committed at or after this time (RFC 3339).
    #[param(value_type = String, format = DateTime, required = false)]
    since: Option<String>,
    /// Only events committed at or before this time (RFC 3339).
    #[param(value_type = String, format = DateTime, required = false)]
    until: Option<String>,
}

/// The query parameters of `GET /events/`; see [`events_parameters`].
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct EventsFilters {
    /// JSON form: the events after this cursor (an event's `id`, or an answer's `next`); from
    /// the oldest kept event without it.
    #[param(nullable = false)]
    after: Option<Cursor>,
    /// JSON form: at most this many events (default 100): any positive number, one over 1000
    /// is clamped to 1000.
    #[param(nullable = false)]
    limit: Option<u64>,
    /// Only this organization's events; one the caller does not belong to is `404`.
    #[param(nullable = false)]
    organization: Option<OrgId>,
}

/// The parameters of `GET /events/`: `after`, `limit`, `organization`, and the
/// `Last-Event-ID` header of a stream that resumes.
pub fn events_parameters() -> Vec<Parameter> {
    let mut parameters = EventsFilters::into_params(in_query);
    for parameter in &mut parameters {
        if parameter.name == "limit" {
            parameter.schema = Some(positive().into());
        }
    }
    let cursor = Ref::from_schema_name(<Cursor as utoipa::ToSchema>::name());
    parameters.push(
        ParameterBuilder::new()
            .name("Last-Event-ID")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "The stream replays every event after this one (an event's `id`) before going \
                 live. Ignored by the JSON form, but a value that is not a cursor is `400` in \
                 either form.",
            ))
            .schema(Some(cursor))
            .build(),
    );
    parameters
}
