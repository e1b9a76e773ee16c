//! Which endpoint a method and path name. Plain matching on path segments: every API path ends
//! with a slash, and ids must be UUIDs (anything else names nothing).

use flowforge_core::{OrgId, ProjectId, TaskId, UserId};
use hyper::Method;

/// An endpoint with the ids its path carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// `GET /api/v1/`
    ApiRoot,
    /// `/api/v1/auth/register/`
    Register,
    /// `/api/v1/auth/login/`
    Login,
    /// `/api/v1/auth/refresh/`
    Refresh,
    /// `/api/v1/auth/logout/`
    Logout,
    /// `/api/v1/auth/me/`
    Me,
    /// `/api/v1/auth/password/`
    Password,
    /// `/api/v1/organizations/`
    Organizations,
    /// `/api/v1/organizations/{id}/`
    Organization(OrgId),
    /// `/api/v1/organizations/{id}/members/`
    Members(OrgId),
    /// `/api/v1/organizations/{id}/members/{user_id}/`
    Member(OrgId, UserId),
    /// `/api/v1/projects/`
    Projects,
    /// `/api/v1/projects/{id}/`
    Project(ProjectId),
    /// `/api/v1/tasks/`
    Tasks,
    /// `/api/v1/tasks/{id}/`
    Task(TaskId),
    /// `/api/schema/`
    Schema,
    /// `/api/docs/` and its assets (the part after `/api/docs/`).
    Docs(String),
    /// `/healthz`
    Healthz,
    /// `/readyz`
    Readyz,
}

/// Why a request names no endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    /// No such path.
    NotFound,
    /// The path exists without its trailing slash: redirect here (308).
    AddSlash(String),
    /// The path exists but not for this method; these are allowed.
    Method(&'static str),
}

impl Endpoint {
    /// The methods the endpoint offers, as an `Allow` header value.
    pub fn allow(&self) -> &'static str {
        match self {
            Endpoint::Register
            | Endpoint::Login
            | Endpoint::Refresh
            | Endpoint::Logout
            | Endpoint::Password => "POST, OPTIONS",
            Endpoint::Me => "GET, PATCH, OPTIONS",
            Endpoint::Organizations
            | Endpoint::Members(_)
            | Endpoint::Projects
            | Endpoint::Tasks => "GET, POST, OPTIONS",
            Endpoint::Organization(_)
            | Endpoint::Member(..)
            | Endpoint::Project(_)
            | Endpoint::Task(_) => "GET, PATCH, DELETE, OPTIONS",
            Endpoint::ApiRoot
            | Endpoint::Schema
            | Endpoint::Docs(_)
            | Endpoint::Healthz
            | Endpoint::Readyz => "GET, HEAD, OPTIONS",
        }
    }

    /// Whether the endpoint is part of the throttled, versioned API.
    pub fn is_api(&self) -> bool {
        !matches!(
            self,
            Endpoint::Schema | Endpoint::Docs(_) | Endpoint::Healthz | Endpoint::Readyz
        )
    }

    /// Whether the endpoint needs no access token.
    pub fn is_public(&self) -> bool {
        matches!(
            self,
            Endpoint::ApiRoot
                | Endpoint::Register
                | Endpoint::Login
                | Endpoint::Refresh
                | Endpoint::Logout
                | Endpoint::Schema
                | Endpoint::Docs(_)
                | Endpoint::Healthz
                | Endpoint::Readyz
        )
    }
}

/// Finds the endpoint of `method` and `path`.
pub fn route(method: &Method, path: &str) -> Result<Endpoint, Miss> {
    let endpoint = match_path(path)?;
    let allowed = endpoint.allow().split(", ").any(|m| m == method.as_str());
    if allowed || *method == Method::OPTIONS {
        Ok(endpoint)
    } else {
        Err(Miss::Method(endpoint.allow()))
    }
}

fn match_path(path: &str) -> Result<Endpoint, Miss> {
    match path {
        "/healthz" => return Ok(Endpoint::Healthz),
        "/readyz" => return Ok(Endpoint::Readyz),
        _ => {}
    }
    if let Some(asset) = path.strip_prefix("/api/docs/") {
        return Ok(Endpoint::Docs(asset.to_owned()));
    }
    let Some(rest) = path.strip_prefix("/api/") else {
        return Err(Miss::NotFound);
    };
    let Some(rest) = rest.strip_suffix('/') else {
        // Only a path that exists with the slash is redirected.
        let slashed = format!("{path}/");
        return match match_path(&slashed) {
            Ok(_) => Err(Miss::AddSlash(slashed)),
            Err(_) => Err(Miss::NotFound),
        };
    };
    let segments: Vec<&str> = rest.split('/').collect();
    let endpoint = match segments.as_slice() {
        ["schema"] => Endpoint::Schema,
        ["v1"] => Endpoint::ApiRoot,
        ["v1", tail @ ..] => match tail {
            ["auth", "register"] => Endpoint::Register,
            ["auth", "login"] => Endpoint::Login,
            ["auth", "refresh"] => Endpoint::Refresh,
            ["auth", "logout"] => Endpoint::Logout,
            ["auth", "me"] => Endpoint::Me,
            ["auth", "password"] => Endpoint::Password,
            ["organizations"] => Endpoint::Organizations,
            ["organizations", id] => Endpoint::Organization(id_of(id)?),
            ["organizations", id, "members"] => Endpoint::Members(id_of(id)?),
            ["organizations", id, "members", user] => Endpoint::Member(id_of(id)?, id_of(user)?),
            ["projects"] => Endpoint::Projects,
            ["projects", id] => Endpoint::Project(id_of(id)?),
            ["tasks"] => Endpoint::Tasks,
            ["tasks", id] => Endpoint::Task(id_of(id)?),
            _ => return Err(Miss::NotFound),
        },
        _ => return Err(Miss::NotFound),
    };
    Ok(endpoint)
}

fn id_of<T: std::str::FromStr>(text: &str) -> Result<T, Miss> {
    text.parse().map_err(|_| Miss::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_route_to_endpoints_with_their_ids() {
        let id = "01a20ad6-fb00-77f1-a38d-d8b7b163a0fa";
        let org: OrgId = id.parse().unwrap();
        assert_eq!(route(&Method::GET, "/api/v1/"), Ok(Endpoint::ApiRoot));
        assert_eq!(
            route(
                &Method::GET,
                &format!("/api/v1/organizations/{id}/members/")
            ),
            Ok(Endpoint::Members(org))
        );
        assert_eq!(
            route(&Method::GET, "/api/v1/tasks/not-a-uuid/"),
            Err(Miss::NotFound)
        );
        assert_eq!(route(&Method::GET, "/api/v1/nothing/"), Err(Miss::NotFound));
    }

    #[test]
    fn a_missing_slash_redirects_only_to_a_real_path() {
        assert_eq!(
            route(&Method::GET, "/api/v1/tasks"),
            Err(Miss::AddSlash("/api/v1/tasks/".into()))
        );
        assert_eq!(route(&Method::GET, "/api/v1/nothing"), Err(Miss::NotFound));
    }

    #[test]
    fn put_is_not_offered() {
        assert_eq!(
            route(&Method::PUT, "/api/v1/tasks/"),
            Err(Miss::Method("GET, POST, OPTIONS"))
        );
    }
}
