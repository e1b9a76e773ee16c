//! Which route a method and path name, read from the route table. Plain matching on path
//! segments: every API path ends with a slash, and ids must be UUIDs (anything else names
//! nothing, whatever the method).

use hyper::Method;
use hyper::header::HeaderValue;
use uuid::Uuid;

use crate::routes::{Route, Verb, routes};

/// The routes grouped by path pattern, with each pattern's `Allow` value; built once at start.
pub struct Router {
    paths: Vec<PathRoutes>,
    /// The most segments a pattern has: a path is split no further than one past it.
    longest: usize,
}

struct PathRoutes {
    pattern: &'static str,
    /// The pattern's segments (split once here, not on every request).
    segments: Box<[Segment]>,
    tail: bool,
    routes: Vec<&'static Route>,
    allow: HeaderValue,
}

/// A route found for a request, with what its path carries.
#[derive(Debug)]
pub struct Found<'a> {
    /// The route (for `OPTIONS`, any route of the path).
    pub route: &'static Route,
    /// The path's ids, in order.
    pub ids: Vec<Uuid>,
    /// The part of the path below a tail route (a Swagger UI asset).
    pub rest: &'a str,
    /// The path's `Allow` value.
    pub allow: &'a HeaderValue,
}

/// Why a request names no route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    /// No such path.
    NotFound,
    /// The path exists without its trailing slash: redirect here (308).
    AddSlash(String),
    /// The path exists but not for this method; these are allowed.
    Method(HeaderValue),
}

impl Router {
    /// The router of the route table.
    pub fn new() -> Self {
        let mut paths: Vec<PathRoutes> = Vec::new();
        for route in routes() {
            match paths.iter_mut().find(|p| p.pattern == route.path()) {
                Some(path) => path.routes.push(route),
                None => paths.push(PathRoutes {
                    pattern: route.path(),
                    segments: route.path().split('/').map(Segment::of).collect(),
                    tail: route.tail,
                    routes: vec![route],
                    allow: HeaderValue::from_static(""),
                }),
            }
        }
        for path in &mut paths {
            path.allow = allow(&path.routes);
        }
        let longest = paths.iter().map(|p| p.segments.len()).max().unwrap_or(0);
        Self { paths, longest }
    }

    /// Finds the route of `method` and `path`.
    pub fn route<'a>(&'a self, method: &Method, path: &'a str) -> Result<Found<'a>, Miss> {
        let (entry, ids, rest) = self.match_path(path)?;
        let chosen = entry.routes.iter().find(|r| {
            method.as_str() == r.method().as_str() || (*method == Method::HEAD && r.offers_head())
        });
        let route = match chosen {
            Some(route) => route,
            None if *method == Method::OPTIONS => &entry.routes[0],
            None => return Err(Miss::Method(entry.allow.clone())),
        };
        Ok(Found {
            route,
            ids,
            rest,
            allow: &entry.allow,
        })
    }

    fn match_path<'a>(
        &'a self,
        path: &'a str,
    ) -> Result<(&'a PathRoutes, Vec<Uuid>, &'a str), Miss> {
        // A path with more segments than any pattern matches none, however long it is.
        let segments: Vec<&str> = path.split('/').take(self.longest + 1).collect();
        for entry in &self.paths {
            if entry.tail {
                if let Some(rest) = path.strip_prefix(entry.pattern) {
                    return Ok((entry, Vec::new(), rest));
                }
            } else if let Some(ids) = matches(&entry.segments, &segments) {
                return Ok((entry, ids, ""));
            }
        }
        // Only a path under /api/ that exists with the slash is redirected.
        if path.starts_with("/api/") && !path.ends_with('/') {
            let slashed = format!("{path}/");
            if self.match_path(&slashed).is_ok() {
                return Err(Miss::AddSlash(slashed));
            }
        }
        Err(Miss::NotFound)
    }
}

/// One segment of a path pattern.
#[derive(Debug, PartialEq, Eq)]
enum Segment {
    Literal(&'static str),
    /// `{name}`: a UUID.
    Id,
}

impl Segment {
    fn of(text: &'static str) -> Self {
        if text.starts_with('{') {
            Segment::Id
        } else {
            Segment::Literal(text)
        }
    }
}

/// The ids of the path split into `segments` if it is an instance of `pattern`.
fn matches(pattern: &[Segment], segments: &[&str]) -> Option<Vec<Uuid>> {
    if pattern.len() != segments.len() {
        return None;
    }
    let literals_match = pattern
        .iter()
        .zip(segments)
        .all(|(expected, segment)| match expected {
            Segment::Literal(text) => text == segment,
            Segment::Id => true,
        });
    if !literals_match {
        return None;
    }
    pattern
        .iter()
        .zip(segments)
        .filter(|(expected, _)| **expected == Segment::Id)
        .map(|(_, segment)| segment.parse().ok())
        .collect()
}

/// The `Allow` value of one path's routes: its methods in a fixed order, then `OPTIONS`.
fn allow(routes: &[&Route]) -> HeaderValue {
    let offers = |verb: Verb| routes.iter().any(|r| r.method() == verb);
    let mut methods = Vec::new();
    for verb in [Verb::Get, Verb::Post, Verb::Patch, Verb::Delete] {
        if offers(verb) {
            methods.push(verb.as_str());
        }
        if verb == Verb::Get && routes.iter().any(|r| r.offers_head()) {
            methods.push("HEAD");
        }
    }
    methods.push("OPTIONS");
    HeaderValue::from_str(&methods.join(", ")).expect("method names are valid header text")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::Endpoint;

    fn endpoint(method: &Method, path: &str) -> Result<Endpoint, Miss> {
        Router::new()
            .route(method, path)
            .map(|found| found.route.endpoint)
    }

    #[test]
    fn paths_route_to_endpoints_with_their_ids() {
        let id = "01a20ad6-fb00-77f1-a38d-d8b7b163a0fa";
        let router = Router::new();
        assert_eq!(endpoint(&Method::GET, "/api/v1/"), Ok(Endpoint::ApiRoot));
        let path = format!("/api/v1/organizations/{id}/members/");
        let found = router.route(&Method::GET, &path).unwrap();
        assert_eq!(found.route.endpoint, Endpoint::ListMembers);
        assert_eq!(found.ids, vec![id.parse::<Uuid>().unwrap()]);
        assert_eq!(
            endpoint(&Method::GET, "/api/v1/tasks/not-a-uuid/"),
            Err(Miss::NotFound)
        );
        assert_eq!(
            endpoint(&Method::GET, "/api/v1/nothing/"),
            Err(Miss::NotFound)
        );
        let comment = "01a20ad6-fb00-77f1-a38d-d8b7b163a0fb";
        let path = format!("/api/v1/tasks/{id}/comments/{comment}/");
        let found = router.route(&Method::DELETE, &path).unwrap();
        assert_eq!(found.route.endpoint, Endpoint::DeleteComment);
        assert_eq!(found.ids, [id, comment].map(|s| s.parse::<Uuid>().unwrap()));
        let found = router.route(&Method::GET, "/api/docs/index.css").unwrap();
        assert_eq!(
            (found.route.endpoint, found.rest),
            (Endpoint::Docs, "index.css")
        );
    }

    #[test]
    fn a_path_longer_than_every_pattern_names_nothing() {
        let router = Router::new();
        let id = "01a20ad6-fb00-77f1-a38d-d8b7b163a0fa";
        let path = format!("/api/v1/tasks/{id}/comments/{id}/");
        assert!(router.route(&Method::GET, &path).is_ok());
        for extra in ["x/", "/", &"/".repeat(30_000)] {
            let longer = format!("{path}{extra}");
            assert_eq!(
                router
                    .route(&Method::GET, &longer)
                    .map(|f| f.route.endpoint),
                Err(Miss::NotFound),
                "{} bytes",
                longer.len()
            );
        }
        assert_eq!(
            router
                .route(&Method::GET, &format!("/api/docs/{}", "a/".repeat(100)))
                .map(|f| f.route.endpoint),
            Ok(Endpoint::Docs),
            "a tail route takes any depth"
        );
    }

    #[test]
    fn a_missing_slash_redirects_only_to_a_real_path() {
        assert_eq!(
            endpoint(&Method::GET, "/api/v1/tasks"),
            Err(Miss::AddSlash("/api/v1/tasks/".into()))
        );
        assert_eq!(
            endpoint(&Method::GET, "/api/v1/nothing"),
            Err(Miss::NotFound)
        );
        assert_eq!(endpoint(&Method::GET, "/healthz/"), Err(Miss::NotFound));
    }

    #[test]
    fn put_is_not_offered() {
        assert_eq!(
            endpoint(&Method::PUT, "/api/v1/tasks/"),
            Err(Miss::Method(HeaderValue::from_static(
                "GET, HEAD, POST, OPTIONS"
            )))
        );
    }

    #[test]
    fn allow_lists_head_wherever_get_is_listed() {
        let router = Router::new();
        let allow = |path: &str| router.route(&Method::OPTIONS, path).unwrap().allow.clone();
        let id = "01a20ad6-fb00-77f1-a38d-d8b7b163a0fa";
        for (path, wanted) in [
            ("/api/v1/".to_owned(), "GET, HEAD, OPTIONS"),
            ("/api/v1/auth/login/".to_owned(), "POST, OPTIONS"),
            ("/api/v1/auth/me/".to_owned(), "GET, HEAD, PATCH, OPTIONS"),
            ("/api/v1/tasks/".to_owned(), "GET, HEAD, POST, OPTIONS"),
            (
                format!("/api/v1/tasks/{id}/"),
                "GET, HEAD, PATCH, DELETE, OPTIONS",
            ),
            (
                format!("/api/v1/tasks/{id}/comments/"),
                "GET, HEAD, POST, OPTIONS",
            ),
            (
                format!("/api/v1/tasks/{id}/comments/{id}/"),
                "GET, HEAD, PATCH, DELETE, OPTIONS",
            ),
            ("/healthz".to_owned(), "GET, HEAD, OPTIONS"),
        ] {
            assert_eq!(allow(&path), wanted, "{path}");
        }
        assert_eq!(
            endpoint(&Method::HEAD, "/api/v1/tasks/"),
            Ok(Endpoint::ListTasks)
        );
        assert_eq!(
            endpoint(&Method::HEAD, "/api/v1/auth/login/"),
            Err(Miss::Method(HeaderValue::from_static("POST, OPTIONS")))
        );
        assert_eq!(endpoint(&Method::HEAD, "/readyz"), Ok(Endpoint::Readyz));
    }

    #[test]
    fn every_endpoint_serves_exactly_one_route_and_every_id_is_documented() {
        let all: Vec<&Route> = routes().collect();
        for (i, route) in all.iter().enumerate() {
            assert!(
                all[i + 1..]
                    .iter()
                    .all(|other| other.endpoint != route.endpoint),
                "{:?} twice",
                route.endpoint
            );
            let names = route.path().matches('{').count();
            assert_eq!(names, route.op.ids.len(), "{}", route.path());
        }
    }
}
