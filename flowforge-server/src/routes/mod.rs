//! The route table: every operation the server offers, declared once. Dispatch (`router.rs`),
//! the `Allow` header, whether a token is needed and the OpenAPI paths (`openapi/`) are all
//! read from [`routes`], so an operation cannot be served without being documented, or the other
//! way round. The responses every operation of a kind shares (429, 401, 413, 415, 404, 400) are
//! not written here: `openapi/` adds them from the route's shape.

mod auth;
mod comments;
mod events;
mod meta;
mod organizations;
mod work;

use crate::openapi::{Answer, Params, PathId, SchemaRef};

/// An HTTP method a route answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Verb {
    /// The method's name, as on the wire (`GET`).
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Patch => "PATCH",
            Verb::Delete => "DELETE",
        }
    }
}

/// What serves a route: `handlers.rs` has one arm per variant, `app.rs` the ones outside the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    ApiRoot,
    Register,
    Login,
    Refresh,
    Logout,
    Me,
    UpdateMe,
    ChangePassword,
    ListOrgs,
    CreateOrg,
    GetOrg,
    UpdateOrg,
    DeleteOrg,
    ListMembers,
    AddMember,
    GetMember,
    UpdateMember,
    RemoveMember,
    ListProjects,
    CreateProject,
    GetProject,
    UpdateProject,
    DeleteProject,
    ListTasks,
    CreateTask,
    GetTask,
    UpdateTask,
    DeleteTask,
    ListComments,
    CreateComment,
    GetComment,
    UpdateComment,
    DeleteComment,
    TaskActivity,
    OrgActivity,
    Events,
    Schema,
    Docs,
    Healthz,
    Readyz,
}

/// One operation: a method on a path pattern, what serves it, and what the document says of it.
#[derive(Debug)]
pub struct Route {
    method: Verb,
    path: &'static str,
    /// Whether the path also names everything below it (the Swagger UI's assets).
    pub(crate) tail: bool,
    pub(crate) endpoint: Endpoint,
    pub(crate) op: Op,
}

/// Whether a route needs a token, and what the OpenAPI document says of it beyond its shape.
#[derive(Debug)]
pub(crate) struct Op {
    /// Whether the route needs no access token.
    pub public: bool,
    pub tag: &'static str,
    pub operation_id: &'static str,
    pub summary: &'static str,
    pub description: Option<&'static str>,
    /// The ids of the path, in order.
    pub ids: &'static [PathId],
    /// The query parameters of a list (a list also answers `400` and `404`).
    pub query: Option<Params>,
    /// The JSON request body (a route with one also answers `400`, `413` and `415`).
    pub body: Option<SchemaRef>,
    /// The success status, its description and body.
    pub ok: (u16, &'static str, Answer),
    /// Problems of this route alone (each replaces a shared response of the same status).
    pub problems: &'static [(u16, &'static str)],
}

impl Route {
    /// The method.
    pub fn method(&self) -> Verb {
        self.method
    }

    /// The path pattern, as in the document: `{name}` segments are ids (UUIDs).
    pub fn path(&self) -> &'static str {
        self.path
    }

    /// Whether the route needs no access token.
    pub fn is_public(&self) -> bool {
        self.op.public
    }

    /// Whether the route belongs to the throttled, versioned API.
    pub fn is_api(&self) -> bool {
        self.path.starts_with("/api/v1/")
    }

    /// Whether the API route reads one resource named by its path (a `GET` without list
    /// parameters): bounded work, which the server may run on the thread that took the request.
    pub(crate) fn reads_one(&self) -> bool {
        self.is_api()
            && self.method == Verb::Get
            && self.op.query.is_none()
            && self.endpoint != Endpoint::Events
    }

    /// Whether the API route reads a list (a `GET` with list parameters, but not the event feed,
    /// which may wait for events): work that grows with what it lists, which the server runs on
    /// the thread that took the request only within a budget.
    pub(crate) fn reads_list(&self) -> bool {
        self.is_api()
            && self.method == Verb::Get
            && self.op.query.is_some()
            && self.endpoint != Endpoint::Events
    }

    /// Whether the route reads a JSON body (the type the document declares for it).
    pub fn takes_body(&self) -> bool {
        self.op.body.is_some()
    }

    /// Whether `HEAD` is answered as `GET` (without the body): on every read.
    pub fn offers_head(&self) -> bool {
        self.method == Verb::Get
    }
}

/// Every route the server offers, resource by resource.
pub fn routes() -> impl Iterator<Item = &'static Route> {
    [
        auth::ROUTES,
        organizations::ROUTES,
        work::ROUTES,
        comments::ROUTES,
        events::ROUTES,
        meta::ROUTES,
    ]
    .into_iter()
    .flatten()
}

/// A route of the table.
pub(super) const fn route(method: Verb, path: &'static str, endpoint: Endpoint, op: Op) -> Route {
    Route {
        method,
        path,
        tail: false,
        endpoint,
        op,
    }
}

/// What a route needing no token leaves out.
pub(super) const PUBLIC: Op = Op {
    public: true,
    tag: "",
    operation_id: "",
    summary: "",
    description: None,
    ids: &[],
    query: None,
    body: None,
    ok: (204, "", Answer::Empty),
    problems: &[],
};

/// What a route needing a token leaves out.
pub(super) const SECURED: Op = Op {
    public: false,
    ..PUBLIC
};

/// The `403` of a route open to some roles.
const FORBIDDEN_ROLE: (u16, &str) = (403, "The caller's role is too low.");
/// The `403` of a route whose permission depends on the roles of both sides.
const FORBIDDEN_THIS: (u16, &str) = (403, "The caller's role does not allow this.");

use Endpoint as E;

#[cfg(test)]
mod tests {
    use super::{Endpoint, routes};

    /// The reads the server runs whole on the thread that took the request are those of one
    /// resource: no list, page or stream, whose cost grows with the data.
    #[test]
    fn only_reads_of_one_resource_run_where_the_request_came_in() {
        let mut short: Vec<_> = routes()
            .filter(|r| r.reads_one())
            .map(|r| r.endpoint)
            .collect();
        short.sort_by_key(|e| format!("{e:?}"));
        short.dedup();
        assert_eq!(
            short,
            [
                Endpoint::ApiRoot,
                Endpoint::GetComment,
                Endpoint::GetMember,
                Endpoint::GetOrg,
                Endpoint::GetProject,
                Endpoint::GetTask,
                Endpoint::Me,
            ]
        );
    }

    /// The lists, which the server runs there within a budget: every `GET` with list
    /// parameters but the event feed, which may wait for events.
    #[test]
    fn lists_run_where_the_request_came_in_only_within_a_budget() {
        let mut lists: Vec<_> = routes()
            .filter(|r| r.reads_list())
            .map(|r| r.endpoint)
            .collect();
        lists.sort_by_key(|e| format!("{e:?}"));
        lists.dedup();
        assert_eq!(
            lists,
            [
                Endpoint::ListComments,
                Endpoint::ListMembers,
                Endpoint::ListOrgs,
                Endpoint::ListProjects,
                Endpoint::ListTasks,
                Endpoint::OrgActivity,
                Endpoint::TaskActivity,
            ]
        );
    }
}
