//! Endpoint → one core call → response. No rule is decided here: bodies and query strings are
//! read by the core's parsers, and every check happens inside the core call. A call runs on the
//! blocking pool, in the request's one trip there (with its admission where it can): parsing,
//! the core call and the response's JSON stay off the reactor threads, which only decode the
//! query string (at most 64 KiB, the longest request target hyper accepts) and read the body.
//! The exception is bounded work on SQLite: a read of one resource, and a token's check, run
//! where the request came in when a pooled connection is free at once (`app.rs`,
//! `FlowForge::hold_reader`); so does a list, within a budget (`HeldReader::bounded`), and on
//! the blocking pool when it would pass it.

use std::sync::Arc;

use flowforge_core::{
    ActivityQuery, Actor, CommentPatch, CommentQuery, Credentials, Error, EventsQuery, FlowForge,
    MemberQuery, MembershipPatch, NewComment, NewMembership, NewOrg, NewProject, NewTask, NewUser,
    OrgPatch, OrgQuery, PasswordChange, ProjectPatch, ProjectQuery, RefreshRequest, Result,
    TaskPatch, TaskQuery, UserPatch, history_page,
};
use hyper::StatusCode;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::reply::{Reply, json, no_content, paginated, paginated_tasks, task_reply};
use crate::routes::Endpoint;
use crate::sse::{Opening, resume_after};

/// What a handler knows of its request once it is routed, authenticated and read.
pub struct Call {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// The ids of the path, in order.
    pub ids: Vec<Uuid>,
    /// The authenticated user, if a valid token came.
    pub actor: Option<Actor>,
    /// The query string's pairs, decoded.
    pub query: Vec<(String, String)>,
    /// The JSON body (`{}` when none came).
    pub body: Value,
    /// `scheme://host` of the request, for absolute links.
    pub base: String,
    /// The request's path.
    pub path: String,
    /// The `Last-Event-ID` header, as sent.
    pub last_event_id: Option<String>,
    /// For `GET /api/v1/events/` when `Accept` asks for the event stream: what opening it needs.
    pub stream: Option<Opening>,
}

/// The body of `GET /api/v1/`: the absolute URLs of the collections (like DRF's API root).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiRoot {
    /// Where to register.
    #[schema(format = "uri")]
    pub register: String,
    /// Where to log in for a token pair.
    #[schema(format = "uri")]
    pub login: String,
    /// The organizations collection.
    #[schema(format = "uri")]
    pub organizations: String,
    /// The projects collection.
    #[schema(format = "uri")]
    pub projects: String,
    /// The tasks collection.
    #[schema(format = "uri")]
    pub tasks: String,
}

/// Runs a blocking call on `shared` (the core) on the blocking pool, so SQLite or PostgreSQL
/// never stalls the reactor. The one such helper.
pub async fn blocking<S, T, F>(shared: &Arc<S>, f: F) -> Result<T>
where
    S: Send + Sync + ?Sized + 'static,
    T: Send + 'static,
    F: FnOnce(&S) -> Result<T> + Send + 'static,
{
    let shared = Arc::clone(shared);
    tokio::task::spawn_blocking(move || f(&shared))
        .await
        .map_err(|e| Error::Internal(Box::new(e)))?
}

/// The `n`th id of the path, as the id type the core wants.
fn path_id<T: From<Uuid>>(ids: &[Uuid], n: usize) -> Result<T> {
    ids.get(n)
        .copied()
        .map(T::from)
        .ok_or_else(Error::not_found)
}

/// The `401` of a request without a token to an endpoint that needs one.
pub fn credentials_missing() -> Error {
    Error::Unauthenticated("Authentication credentials were not provided.".into())
}

fn created(value: &impl serde::Serialize) -> Reply {
    json(StatusCode::CREATED, value)
}

fn ok(value: &impl serde::Serialize) -> Reply {
    json(StatusCode::OK, value)
}

/// Serves one API call.
pub fn call(ff: &FlowForge, call: &Call) -> Result<Reply> {
    use Endpoint as E;
    let Call {
        endpoint,
        ids,
        actor,
        query,
        body,
        base,
        path,
        last_event_id,
        stream,
    } = call;
    let me = || actor.as_ref().ok_or_else(credentials_missing);
    let reply = match endpoint {
        E::ApiRoot => ok(&ApiRoot {
            register: format!("{base}/api/v1/auth/register/"),
            login: format!("{base}/api/v1/auth/login/"),
            organizations: format!("{base}/api/v1/organizations/"),
            projects: format!("{base}/api/v1/projects/"),
            tasks: format!("{base}/api/v1/tasks/"),
        }),
        E::Register => {
            let input = NewUser::from_json(body)?;
            created(&ff.register(&input)?)
        }
        E::Login => {
            let input = Credentials::from_json(body)?;
            ok(&ff.login(&input.email, &input.password)?)
        }
        E::Refresh => {
            let input = RefreshRequest::from_json(body)?;
            ok(&ff.refresh(&input.refresh)?)
        }
        E::Logout => {
            let input = RefreshRequest::from_json(body)?;
            ff.logout(&input.refresh)?;
            no_content()
        }
        E::Me => ok(me()?.user()),
        E::UpdateMe => {
            let (actor, patch) = (me()?, UserPatch::from_json(body)?);
            ok(&ff.update_me(actor, &patch)?)
        }
        E::ChangePassword => {
            let (actor, change) = (me()?, PasswordChange::from_json(body)?);
            ff.change_password(actor, &change)?;
            no_content()
        }
        E::ListOrgs => {
            let q = OrgQuery::from_pairs(query.iter().map(|(k, v)| (k, v)))?;
            paginated(ff.list_organizations(me()?, &q)?, base, path, query)
        }
        E::CreateOrg => {
            let (actor, input) = (me()?, NewOrg::from_json(body)?);
            created(&ff.create_organization(actor, &input)?)
        }
        E::GetOrg => {
            let id = path_id(ids, 0)?;
            ok(&ff.get_organization(me()?, id)?)
        }
        E::UpdateOrg => {
            let id = path_id(ids, 0)?;
            let (actor, patch) = (me()?, OrgPatch::from_json(body)?);
            ok(&ff.update_organization(actor, id, &patch)?)
        }
        E::DeleteOrg => {
            let id = path_id(ids, 0)?;
            ff.delete_organization(me()?, id)?;
            no_content()
        }
        E::ListMembers => {
            let org = path_id(ids, 0)?;
            let q = MemberQuery::from_pairs(query.iter().map(|(k, v)| (k, v)))?;
            paginated(ff.list_members(me()?, org, &q)?, base, path, query)
        }
        E::AddMember => {
            let org = path_id(ids, 0)?;
            let (actor, input) = (me()?, NewMembership::from_json(body)?);
            created(&ff.add_member(actor, org, &input)?)
        }
        E::GetMember => {
            let (org, user) = (path_id(ids, 0)?, path_id(ids, 1)?);
            ok(&ff.get_member(me()?, org, user)?)
        }
        E::UpdateMember => {
            let (org, user) = (path_id(ids, 0)?, path_id(ids, 1)?);
            let (actor, patch) = (me()?, MembershipPatch::from_json(body)?);
            ok(&ff.update_member(actor, org, user, &patch)?)
        }
        E::RemoveMember => {
            let (org, user) = (path_id(ids, 0)?, path_id(ids, 1)?);
            ff.remove_member(me()?, org, user)?;
            no_content()
        }
        E::ListProjects => {
            let q = ProjectQuery::from_pairs(query.iter().map(|(k, v)| (k, v)))?;
            paginated(ff.list_projects(me()?, &q)?, base, path, query)
        }
        E::CreateProject => {
            let (actor, input) = (me()?, NewProject::from_json(body)?);
            created(&ff.create_project(actor, &input)?)
        }
        E::GetProject => {
            let id = path_id(ids, 0)?;
            ok(&ff.get_project(me()?, id)?)
        }
        E::UpdateProject => {
            let id = path_id(ids, 0)?;
            let (actor, patch) = (me()?, ProjectPatch::from_json(body)?);
            ok(&ff.update_project(actor, id, &patch)?)
        }
        E::DeleteProject => {
            let id = path_id(ids, 0)?;
            ff.delete_project(me()?, id)?;
            no_content()
        }
        E::ListTasks => {
            let q = TaskQuery::from_pairs(query.iter().map(|(k, v)| (k, v)))?;
            paginated_tasks(ff.list_tasks(me()?, &q)?, base, path, query)
        }
        E::CreateTask => {
            let (actor, input) = (me()?, NewTask::from_json(body)?);
            created(&ff.create_task(actor, &input)?)
        }
        E::GetTask => {
            let id = path_id(ids, 0)?;
            task_reply(&ff.get_task(me()?, id)?)
        }
        E::UpdateTask => {
            let id = path_id(ids, 0)?;
            let (actor, patch) = (me()?, TaskPatch::from_json(body)?);
            ok(&ff.update_task(actor, id, &patch)?)
        }
        E::DeleteTask => {
            let id = path_id(ids, 0)?;
            ff.delete_task(me()?, id)?;
            no_content()
        }
        E::ListComments => {
            let task = path_id(ids, 0)?;
            let q = CommentQuery::from_pairs(query.iter().map(|(k, v)| (k, v)))?;
            paginated(ff.list_comments(me()?, task, &q)?, base, path, query)
        }
        E::CreateComment => {
            let task = path_id(ids, 0)?;
            let (actor, input) = (me()?, NewComment::from_json(body)?);
            created(&ff.create_comment(actor, task, &input)?)
        }
        E::GetComment => {
            let (task, id) = (path_id(ids, 0)?, path_id(ids, 1)?);
            ok(&ff.get_comment(me()?, task, id)?)
        }
        E::UpdateComment => {
            let (task, id) = (path_id(ids, 0)?, path_id(ids, 1)?);
            let (actor, patch) = (me()?, CommentPatch::from_json(body)?);
            ok(&ff.update_comment(actor, task, id, &patch)?)
        }
        E::DeleteComment => {
            let (task, id) = (path_id(ids, 0)?, path_id(ids, 1)?);
            ff.delete_comment(me()?, task, id)?;
            no_content()
        }
        E::TaskActivity => {
            let id = path_id(ids, 0)?;
            let page = history_page(query.iter().map(|(k, v)| (k, v)))?;
            paginated(ff.task_activity(me()?, id, page)?, base, path, query)
        }
        E::OrgActivity => {
            let org = path_id(ids, 0)?;
            let q = ActivityQuery::from_pairs(query.iter().map(|(k, v)| (k, v)))?;
            paginated(ff.organization_activity(me()?, org, &q)?, base, path, query)
        }
        E::Events => match stream {
            Some(opening) => opening.open(ff, me()?, query, last_event_id.as_deref(), path)?,
            None => {
                let q = EventsQuery::from_pairs(query.iter().map(|(k, v)| (k, v)))?;
                // Only the stream resumes from it, but it is checked in either form.
                resume_after(last_event_id.as_deref())?;
                ok(&ff.events_since(me()?, &q)?)
            }
        },
        E::Schema | E::Docs | E::Healthz | E::Readyz => return Err(Error::not_found()),
    };
    Ok(reply)
}
