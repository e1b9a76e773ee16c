//! The OpenAPI 3.1 document: its paths are built from the route table (`routes/`), with the
//! responses every operation of a kind shares added here, once ([`operation`]); every schema
//! comes from a Rust type of the core or of `reply.rs` (`ToSchema`), never from hand-written JSON.

pub mod params;

use utoipa::openapi::path::{
    HttpMethod, Operation, OperationBuilder, Parameter, ParameterBuilder, ParameterIn,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, ObjectBuilder, Paths, Ref, RefOr, Required, Response, ResponseBuilder,
};
use utoipa::{Modify, OpenApi, PartialSchema, ToResponse, ToSchema};

use flowforge_core::{CommentId, OrgId, ProjectId, TaskId, UserId};

use crate::reply::{PROBLEM, Paginated, Problem};
use crate::routes::{Route, Verb, routes};

/// The name of the bearer security scheme in the document.
const BEARER: &str = "bearer";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "FlowForge API",
        description = "Multi-tenant workflow and task management. Every error body is an RFC 9457 \
                       problem (`application/problem+json`). Every `/api/v1/` request is throttled \
                       (`429` with `Retry-After`); paths end with a slash, and one without it gets \
                       `308` to the slashed path; a method an endpoint does not offer gets `405`. \
                       A request the storage cannot take now (a full disk, a read-only database, \
                       a lock held past the timeout) gets `503` with `Retry-After`."
    ),
    components(
        responses(
            BadRequest,
            Unauthorized,
            NotFound,
            PayloadTooLarge,
            UnsupportedMediaType,
            TooManyRequests,
            ServiceUnavailable,
            UriTooLong,
        )
    ),
    modifiers(&BearerScheme),
    tags(
        (name = "auth", description = "Registration, tokens and the caller's own account."),
        (name = "organizations", description = "Tenants: only their members see them."),
        (name = "members", description = "Who belongs to an organization, with which role."),
        (name = "projects", description = "Projects of the caller's organizations."),
        (name = "tasks", description = "Tasks of the caller's organizations."),
        (name = "comments", description = "Comments on a task, seen through their task."),
        (name = "events", description = "The event log: a task's history, an organization's \
                                         activity, and the feed of the caller's organizations."),
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

/// The document served at `/api/schema/`: the paths of the route table, and as component
/// schemas the ones its routes name (with those they refer to), the problem and the path ids.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    let mut paths = Paths::new();
    let mut schemas = Vec::new();
    schema_of::<Problem>().register(&mut schemas);
    for id in [
        PathId::Org,
        PathId::Member,
        PathId::Project,
        PathId::Task,
        PathId::Comment,
    ] {
        id.schema().register(&mut schemas);
    }
    for route in routes() {
        paths.add_path_operation(
            route.path(),
            vec![method_of(route.method())],
            operation(route),
        );
        if let Some(body) = route.op.body {
            body.register(&mut schemas);
        }
        if let (_, _, Answer::Json(answer) | Answer::Events(answer)) = route.op.ok {
            answer.register(&mut schemas);
        }
    }
    doc.paths = paths;
    let components = doc.components.get_or_insert_with(Default::default);
    components.schemas.extend(schemas);
    doc
}

/// A route's operation: its own parts from the table, then the responses its shape implies.
fn operation(route: &Route) -> Operation {
    let op = &route.op;
    let (status, description, answer) = op.ok;
    let mut parameters: Vec<Parameter> = op
        .ids
        .iter()
        .zip(path_names(route.path()))
        .map(|(id, name)| id.parameter(name))
        .collect();
    parameters.extend(op.query.map(|query| query()).unwrap_or_default());
    let mut builder = OperationBuilder::new()
        .tag(op.tag)
        .operation_id(Some(op.operation_id))
        .summary(Some(op.summary))
        .description(op.description)
        .response(status.to_string(), answer.response(description));
    if !parameters.is_empty() {
        builder = builder.parameters(Some(parameters));
    }
    if let Some(body) = op.body {
        let content = ContentBuilder::new().schema(Some(body.reference())).build();
        builder = builder.request_body(Some(
            RequestBodyBuilder::new()
                .content("application/json", content)
                // A PATCH without a body changes nothing, as in DRF.
                .required(Some(if route.method() == Verb::Patch {
                    Required::False
                } else {
                    Required::True
                }))
                .build(),
        ));
    }
    // The shared responses, each declared once in `components.responses`.
    let list = op.query.is_some();
    let shared = [
        (op.body.is_some() || list, 400, BadRequest::response().0),
        (!op.public, 401, Unauthorized::response().0),
        (!op.ids.is_empty() || list, 404, NotFound::response().0),
        (op.body.is_some(), 413, PayloadTooLarge::response().0),
        (op.body.is_some(), 415, UnsupportedMediaType::response().0),
        (route.is_api(), 429, TooManyRequests::response().0),
        (route.is_api(), 503, ServiceUnavailable::response().0),
        (true, 414, UriTooLong::response().0),
    ];
    for (applies, status, name) in shared {
        if applies {
            builder = builder.response(status.to_string(), Ref::from_response_name(name));
        }
    }
    if !op.public {
        builder = builder.security(SecurityRequirement::new(BEARER, Vec::<String>::new()));
    }
    for (status, description) in op.problems {
        let problem = ContentBuilder::new()
            .schema(Some(schema_of::<Problem>().reference()))
            .build();
        let response = ResponseBuilder::new()
            .description(*description)
            .content(PROBLEM, problem);
        builder = builder.response(status.to_string(), response.build());
    }
    builder.build()
}

fn method_of(verb: Verb) -> HttpMethod {
    match verb {
        Verb::Get => HttpMethod::Get,
        Verb::Post => HttpMethod::Post,
        Verb::Patch => HttpMethod::Patch,
        Verb::Delete => HttpMethod::Delete,
    }
}

/// The names of a path pattern's `{name}` segments, in order.
fn path_names(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
}

type Schemas = Vec<(String, RefOr<Schema>)>;

/// A component schema a route names: how to refer to it, and how to add it (with the schemas
/// it refers to) to the document's components.
#[derive(Debug, Clone, Copy)]
pub struct SchemaRef {
    name: fn() -> String,
    schema: fn() -> RefOr<Schema>,
    refers_to: fn(&mut Schemas),
}

impl SchemaRef {
    fn reference(self) -> RefOr<Schema> {
        Ref::from_schema_name((self.name)()).into()
    }

    fn register(self, schemas: &mut Schemas) {
        schemas.push(((self.name)(), (self.schema)()));
        (self.refers_to)(schemas);
    }
}

/// The query parameters of a list.
pub type Params = fn() -> Vec<Parameter>;

/// `T`'s component schema.
pub const fn schema_of<T: ToSchema>() -> SchemaRef {
    fn name<T: ToSchema>() -> String {
        T::name().into_owned()
    }
    SchemaRef {
        name: name::<T>,
        schema: T::schema,
        refers_to: T::schemas,
    }
}

/// A success answered with `T` as JSON.
pub const fn json<T: ToSchema>() -> Answer {
    Answer::Json(schema_of::<T>())
}

/// A success answered with a page of `T` (`Paginated_T` in the components, as utoipa names an
/// instance of a generic type).
pub const fn page<T: ToSchema>() -> Answer {
    fn name<T: ToSchema>() -> String {
        format!("{}_{}", Paginated::<T>::name(), T::name())
    }
    Answer::Json(SchemaRef {
        name: name::<T>,
        schema: Paginated::<T>::schema,
        refers_to: Paginated::<T>::schemas,
    })
}

/// A list's parameters: `F`'s filters, then `page` and `page_size`.
pub fn list<F: params::Filters>() -> Vec<Parameter> {
    params::parameters::<F>()
}

/// The parameters of a list in a fixed order (no `ordering`): `F`'s filters, then `page` and
/// `page_size`.
pub fn list_in_order<F: utoipa::IntoParams>() -> Vec<Parameter> {
    params::fixed_order_parameters::<F>()
}

/// The body of a success.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    /// None (`204`).
    Empty,
    /// JSON of a component schema.
    Json(SchemaRef),
    /// JSON of a component schema, or (as the request's `Accept` asks) a stream of
    /// Server-Sent Events.
    Events(SchemaRef),
    /// This document.
    Document,
    /// An HTML page.
    Page,
}

impl Answer {
    fn response(self, description: &str) -> Response {
        let builder = ResponseBuilder::new().description(description);
        let content = |schema: RefOr<Schema>| ContentBuilder::new().schema(Some(schema)).build();
        match self {
            Answer::Empty => builder,
            Answer::Json(schema) => {
                builder.content("application/json", content(schema.reference()))
            }
            Answer::Events(schema) => builder
                .content("application/json", content(schema.reference()))
                .content("text/event-stream", content(String::schema())),
            Answer::Document => builder.content(
                "application/vnd.oai.openapi+json",
                content(ObjectBuilder::new().into()),
            ),
            Answer::Page => builder.content("text/html", content(String::schema())),
        }
        .build()
    }
}

/// An id in a path.
#[derive(Debug, Clone, Copy)]
pub enum PathId {
    /// An organization's.
    Org,
    /// A member's (a user id).
    Member,
    /// A project's.
    Project,
    /// A task's.
    Task,
    /// A comment's (on the task of the path).
    Comment,
}

impl PathId {
    fn schema(self) -> SchemaRef {
        match self {
            PathId::Org => schema_of::<OrgId>(),
            PathId::Member => schema_of::<UserId>(),
            PathId::Project => schema_of::<ProjectId>(),
            PathId::Task => schema_of::<TaskId>(),
            PathId::Comment => schema_of::<CommentId>(),
        }
    }

    fn parameter(self, name: &str) -> Parameter {
        let description = match self {
            PathId::Org => "The organization.",
            PathId::Member => "The member.",
            PathId::Project => "The project.",
            PathId::Task => "The task.",
            PathId::Comment => "The comment, on that task.",
        };
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Path)
            .description(Some(description))
            .required(Required::True)
            .schema(Some(self.schema().reference()))
            .build()
    }
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

/// The request target (path and query string) is over 64 KiB; answered before it is read, with
/// no body.
#[derive(ToResponse)]
#[allow(dead_code)]
struct UriTooLong;

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

/// The storage cannot take the request now (a full disk, a read-only database, a lock held past
/// the timeout); nothing was written.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Seconds after which a retry may succeed."))
)]
#[allow(dead_code)]
struct ServiceUnavailable(Problem);
