//! Endpoint → one core call → response. No rule is decided here: bodies and query strings are
//! read by the core's parsers, and every check happens inside the core call.

use std::sync::Arc;

use flowforge_core::{
    Actor, Credentials, Error, FlowForge, MemberQuery, MembershipPatch, NewMembership, NewOrg,
    NewProject, NewTask, NewUser, OrgPatch, OrgQuery, PasswordChange, ProjectPatch, ProjectQuery,
    RefreshRequest, Result, TaskPatch, TaskQuery, UserPatch,
};
use hyper::{Method, StatusCode};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::reply::{Reply, json, no_content, paginated};
use crate::router::Endpoint;

/// What a handler knows of its request once it is routed, authenticated and read.
pub struct Call {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// The method.
    pub method: Method,
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

/// Runs a blocking core call on the blocking pool, so SQLite never stalls the reactor.
pub async fn blocking<T, F>(ff: &Arc<FlowForge>, f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&FlowForge) -> Result<T> + Send + 'static,
{
    let ff = Arc::clone(ff);
    tokio::task::spawn_blocking(move || f(&ff))
        .await
        .map_err(|e| Error::Internal(Box::new(e)))?
}

/// The `401` of a request without a token to an endpoint that needs one.
pub fn credentials_missing() -> Error {
    Error::Unauthenticated("Authentication credentials were not provided.".into())
}

fn pairs(query: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> {
    query.iter().map(|(k, v)| (k.as_str(), v.as_str()))
}

fn created(value: &impl serde::Serialize) -> Reply {
    json(StatusCode::CREATED, value)
}

fn ok(value: &impl serde::Serialize) -> Reply {
    json(StatusCode::OK, value)
}

/// Serves one API call.
pub async fn call(ff: &Arc<FlowForge>, call: Call) -> Result<Reply> {
    use Endpoint as E;
    let Call {
        endpoint,
        method,
        actor,
        query,
        body,
        base,
        path,
    } = call;
    let me = || actor.clone().ok_or_else(credentials_missing);
    let reply = match (endpoint, method) {
        (E::ApiRoot, _) => ok(&ApiRoot {
            register: format!("{base}/api/v1/auth/register/"),
            login: format!("{base}/api/v1/auth/login/"),
            organizations: format!("{base}/api/v1/organizations/"),
            projects: format!("{base}/api/v1/projects/"),
            tasks: format!("{base}/api/v1/tasks/"),
        }),
        (E::Register, _) => {
            let input = NewUser::from_json(&body)?;
            created(&blocking(ff, move |ff| ff.register(&input)).await?)
        }
        (E::Login, _) => {
            let input = Credentials::from_json(&body)?;
            ok(&blocking(ff, move |ff| ff.login(&input.email, &input.password)).await?)
        }
        (E::Refresh, _) => {
            let input = RefreshRequest::from_json(&body)?;
            ok(&blocking(ff, move |ff| ff.refresh(&input.refresh)).await?)
        }
        (E::Logout, _) => {
            let input = RefreshRequest::from_json(&body)?;
            blocking(ff, move |ff| ff.logout(&input.refresh)).await?;
            no_content()
        }
        (E::Me, Method::GET) => ok(me()?.user()),
        (E::Me, _) => {
            let (actor, patch) = (me()?, UserPatch::from_json(&body)?);
            ok(&blocking(ff, move |ff| ff.update_me(&actor, &patch)).await?)
        }
        (E::Password, _) => {
            let (actor, change) = (me()?, PasswordChange::from_json(&body)?);
            blocking(ff, move |ff| ff.change_password(&actor, &change)).await?;
            no_content()
        }
        (E::Organizations, Method::GET) => {
            let (actor, q) = (me()?, OrgQuery::from_pairs(pairs(&query))?);
            let page = blocking(ff, move |ff| ff.list_organizations(&actor, &q)).await?;
            paginated(page, &base, &path, &query)
        }
        (E::Organizations, _) => {
            let (actor, input) = (me()?, NewOrg::from_json(&body)?);
            created(&blocking(ff, move |ff| ff.create_organization(&actor, &input)).await?)
        }
        (E::Organization(id), Method::GET) => {
            let actor = me()?;
            ok(&blocking(ff, move |ff| ff.get_organization(&actor, id)).await?)
        }
        (E::Organization(id), Method::PATCH) => {
            let (actor, patch) = (me()?, OrgPatch::from_json(&body)?);
            ok(&blocking(ff, move |ff| ff.update_organization(&actor, id, &patch)).await?)
        }
        (E::Organization(id), _) => {
            let actor = me()?;
            blocking(ff, move |ff| ff.delete_organization(&actor, id)).await?;
            no_content()
        }
        (E::Members(org), Method::GET) => {
            let (actor, q) = (me()?, MemberQuery::from_pairs(pairs(&query))?);
            let page = blocking(ff, move |ff| ff.list_members(&actor, org, &q)).await?;
            paginated(page, &base, &path, &query)
        }
        (E::Members(org), _) => {
            let (actor, input) = (me()?, NewMembership::from_json(&body)?);
            created(&blocking(ff, move |ff| ff.add_member(&actor, org, &input)).await?)
        }
        (E::Member(org, user), Method::GET) => {
            let actor = me()?;
            ok(&blocking(ff, move |ff| ff.get_member(&actor, org, user)).await?)
        }
        (E::Member(org, user), Method::PATCH) => {
            let (actor, patch) = (me()?, MembershipPatch::from_json(&body)?);
            ok(&blocking(ff, move |ff| ff.update_member(&actor, org, user, &patch)).await?)
        }
        (E::Member(org, user), _) => {
            let actor = me()?;
            blocking(ff, move |ff| ff.remove_member(&actor, org, user)).await?;
            no_content()
        }
        (E::Projects, Method::GET) => {
            let (actor, q) = (me()?, ProjectQuery::from_pairs(pairs(&query))?);
            let page = blocking(ff, move |ff| ff.list_projects(&actor, &q)).await?;
            paginated(page, &base, &path, &query)
        }
        (E::Projects, _) => {
            let (actor, input) = (me()?, NewProject::from_json(&body)?);
            created(&blocking(ff, move |ff| ff.create_project(&actor, &input)).await?)
        }
        (E::Project(id), Method::GET) => {
            let actor = me()?;
            ok(&blocking(ff, move |ff| ff.get_project(&actor, id)).await?)
        }
        (E::Project(id), Method::PATCH) => {
            let (actor, patch) = (me()?, ProjectPatch::from_json(&body)?);
            ok(&blocking(ff, move |ff| ff.update_project(&actor, id, &patch)).await?)
        }
        (E::Project(id), _) => {
            let actor = me()?;
            blocking(ff, move |ff| ff.delete_project(&actor, id)).await?;
            no_content()
        }
        (E::Tasks, Method::GET) => {
            let (actor, q) = (me()?, TaskQuery::from_pairs(pairs(&query))?);
            let page = blocking(ff, move |ff| ff.list_tasks(&actor, &q)).await?;
            paginated(page, &base, &path, &query)
        }
        (E::Tasks, _) => {
            let (actor, input) = (me()?, NewTask::from_json(&body)?);
            created(&blocking(ff, move |ff| ff.create_task(&actor, &input)).await?)
        }
        (E::Task(id), Method::GET) => {
            let actor = me()?;
            ok(&blocking(ff, move |ff| ff.get_task(&actor, id)).await?)
        }
        (E::Task(id), Method::PATCH) => {
            let (actor, patch) = (me()?, TaskPatch::from_json(&body)?);
            ok(&blocking(ff, move |ff| ff.update_task(&actor, id, &patch)).await?)
        }
        (E::Task(id), _) => {
            let actor = me()?;
            blocking(ff, move |ff| ff.delete_task(&actor, id)).await?;
            no_content()
        }
        (E::Schema | E::Docs(_) | E::Healthz | E::Readyz, _) => return Err(Error::not_found()),
    };
    Ok(reply)
}
