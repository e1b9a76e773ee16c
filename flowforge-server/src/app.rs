//! The request pipeline: request id, the host and proxy headers, routing (the route table), CORS,
//! admission (token and throttle), the body, the handler, then security headers and one log line. Everything a
//! request can do wrong ends as a problem response here, never as a dropped connection or a 500
//! for the client's input.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use flowforge_core::throttle::Decision;
use flowforge_core::{Actor, Error, FlowForge, UserId};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, StatusCode};
use serde_json::Value;

use crate::admission::{Admission, Bearer, Throttles, bearer, with_rate_limit};
use crate::body::read_json;
use crate::config::Settings;
use crate::cors::Cors;
use crate::docs::Docs;
use crate::handlers::{self, Call, blocking};
use crate::hosts::AllowedHosts;
use crate::proxy::Proxies;
use crate::reply::{Health, Refusal, Reply, json, no_content, problem, problem_for, refusal_reply};
use crate::router::{Found, Miss, Router};
use crate::routes::{Endpoint, Route};
use crate::sse::{self, Opening, Streams};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The shared state of the server.
pub struct App {
    ff: Arc<FlowForge>,
    settings: Settings,
    throttles: Arc<Throttles>,
    router: Router,
    cors: Cors,
    docs: Docs,
    hosts: AllowedHosts,
    proxies: Proxies,
    streams: Arc<Streams>,
}

impl App {
    /// The server's state over an open FlowForge.
    pub fn new(ff: FlowForge, settings: Settings) -> Self {
        Self {
            throttles: Arc::new(Throttles::new(&ff, &settings)),
            ff: Arc::new(ff),
            router: Router::new(),
            cors: Cors::new(settings.cors_origins()),
            docs: Docs::new(),
            hosts: AllowedHosts::new(&settings.allowed_hosts, settings.bind),
            proxies: Proxies::new(&settings),
            streams: Arc::new(Streams::new(&settings)),
            settings,
        }
    }

    /// Answers one request from `peer`.
    pub async fn handle(self: Arc<Self>, req: Request<Incoming>, peer: SocketAddr) -> Reply {
        let started = Instant::now();
        let request_id = request_id(req.headers());
        let method = req.method().clone();
        let path = req.uri().path().to_owned();
        let origin = req.headers().get(header::ORIGIN).cloned();
        let (mut reply, user) = self.dispatch(req, peer, &request_id).await;
        let headers = reply.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            headers.insert(REQUEST_ID, value);
        }
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        if !path.starts_with("/api/docs/") {
            headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        }
        self.cors.decorate(origin.as_ref(), headers);
        tracing::info!(
            method = %method,
            path = %path,
            status = reply.status().as_u16(),
            latency_ms = started.elapsed().as_secs_f64() * 1000.0,
            request_id = %request_id,
            user = user.map(|u| u.to_string()).unwrap_or_default(),
            "request"
        );
        reply
    }

    /// The settings the server runs with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The FlowForge handle the server runs on (for a program that embeds the server).
    pub fn flowforge(&self) -> &Arc<FlowForge> {
        &self.ff
    }

    /// Ends every event stream, open or opened from now on (at shutdown, so that the
    /// connections carrying them can close).
    pub fn close_streams(&self) {
        self.streams.close();
    }

    async fn dispatch(
        &self,
        req: Request<Incoming>,
        peer: SocketAddr,
        request_id: &str,
    ) -> (Reply, Option<UserId>) {
        let path = req.uri().path().to_owned();
        let forwarded = self.proxies.forwarded(req.headers(), peer.ip());
        let base = match self
            .hosts
            .base_url(req.version(), req.uri(), req.headers(), &forwarded)
        {
            Ok(base) => base,
            Err(detail) => return (problem(StatusCode::BAD_REQUEST, detail, &path), None),
        };
        let client = forwarded.client;
        let found = match self.router.route(req.method(), &path) {
            Ok(found) => found,
            Err(Miss::AddSlash(to)) => {
                let location = match req.uri().query() {
                    Some(q) => format!("{to}?{q}"),
                    None => to,
                };
                return (redirect(&location), None);
            }
            Err(miss) => return self.miss(&req, miss, client, &path, request_id).await,
        };
        if req.method() == Method::OPTIONS {
            let mut reply = no_content();
            let headers = reply.headers_mut();
            headers.insert(header::ALLOW, found.allow.clone());
            self.cors.preflight(req.headers(), found.allow, headers);
            return (reply, None);
        }
        if !found.route.is_api() {
            return (self.outside_api(&found, &path).await, None);
        }
        let mut decisions = Vec::new();
        let outcome = self
            .api(req, found, client, base, request_id, &mut decisions)
            .await;
        let user = outcome.as_ref().ok().and_then(|(_, user)| *user);
        let reply = match outcome {
            Ok((reply, _)) => reply,
            Err(refusal) => refusal_reply(refusal, &path, request_id),
        };
        (with_rate_limit(reply, &decisions), user)
    }

    /// Admits and serves an API request. One without a body is admitted in the same trip to the
    /// blocking pool as its call; one with a body is admitted first, so a refused request's body
    /// is never read. A read of one resource runs here instead, on a held connection, when
    /// one is free: bounded work, cheaper than the trip to another thread and back. A list is
    /// admitted here too, and served here unless it would pass its budget.
    async fn api(
        &self,
        req: Request<Incoming>,
        found: Found<'_>,
        client: IpAddr,
        base: String,
        request_id: &str,
        decisions: &mut Vec<Decision>,
    ) -> Result<(Reply, Option<UserId>), Refusal> {
        let (route, ids) = (found.route, found.ids);
        let bearer = bearer(req.headers());
        let path = req.uri().path().to_owned();
        let last_event_id = sse::last_event_id(req.headers());
        // HEAD answers as the JSON form: a stream would never end for a body never sent.
        let stream = (route.endpoint == Endpoint::Events
            && req.method() == Method::GET
            && sse::wants_stream(req.headers()))
        .then(|| Opening {
            streams: Arc::clone(&self.streams),
            runtime: tokio::runtime::Handle::current(),
            request_id: request_id.to_owned(),
        });
        // Linear in the query string, which hyper caps at 64 KiB (a longer target is its 414).
        let query: Vec<(String, String)> = req
            .uri()
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let (who, body) = if route.takes_body() {
            let admission = self.admit(bearer, client, decisions).await?;
            let who = Who::Admitted(admission.user(), actor(admission, route)?);
            let body = read_json(
                req,
                self.settings.max_body_bytes,
                self.settings.request_timeout,
            )
            .await?;
            (who, body)
        } else {
            (Who::Bearer(bearer), None)
        };
        // No body reads as an empty object (as DRF's `request.data`); a JSON `null` stays
        // `null`, which the core refuses like an array or a scalar.
        let body = body.unwrap_or_else(|| Value::Object(Default::default()));
        let call = move |actor| Call {
            endpoint: route.endpoint,
            ids,
            actor,
            query,
            body,
            base,
            path,
            last_event_id,
            stream,
        };
        if route.reads_one()
            && let Some(_held) = self.ff.hold_reader()
        {
            return here(|| {
                serve_call(
                    &self.ff,
                    &self.throttles,
                    route,
                    who,
                    client,
                    decisions,
                    call,
                )
            });
        }
        let (who, call) = if route.reads_list() {
            match self.list_here(route, who, client, decisions, call)? {
                Listed::Served(served) => return Ok(served),
                Listed::Pool(call, user) => {
                    let reply = blocking(&self.ff, move |ff| handlers::call(ff, &call)).await?;
                    return Ok((reply, user));
                }
                Listed::NotHere(who, call) => (who, call),
            }
        } else {
            (who, call)
        };
        let throttles = Arc::clone(&self.throttles);
        let (outcome, seen) = blocking(&self.ff, move |ff| {
            let mut seen = Vec::new();
            let outcome = serve_call(ff, &throttles, route, who, client, &mut seen, call);
            Ok((outcome, seen))
        })
        .await?;
        decisions.extend(seen);
        outcome
    }

    /// Admits a list request here when a connection is free to hold, and serves it here if it
    /// stays within its budget; else hands back what the blocking pool is to do.
    fn list_here<C: FnOnce(Option<Actor>) -> Call>(
        &self,
        route: &Route,
        who: Who,
        client: IpAddr,
        decisions: &mut Vec<Decision>,
        call: C,
    ) -> Result<Listed<C>, Refusal> {
        let Some(held) = self.ff.hold_reader() else {
            return Ok(Listed::NotHere(who, call));
        };
        let (user, actor) =
            here(|| admitted(&self.ff, &self.throttles, route, who, client, decisions))?;
        let call = call(actor);
        match here(|| Ok(held.bounded(|| handlers::call(&self.ff, &call))))? {
            Some(reply) => Ok(Listed::Served((reply?, user))),
            None => Ok(Listed::Pool(call, user)),
        }
    }

    /// Admits a request: here, on a held connection, when one is free (a token's check reads
    /// one user); else on the blocking pool, on a trip of its own.
    async fn admit(
        &self,
        bearer: Bearer,
        client: IpAddr,
        decisions: &mut Vec<Decision>,
    ) -> Result<Admission, Refusal> {
        if let Some(_held) = self.ff.hold_reader() {
            return here(|| self.throttles.admit(&self.ff, bearer, client, decisions));
        }
        let throttles = Arc::clone(&self.throttles);
        let (admission, seen) = blocking(&self.ff, move |ff| {
            let mut seen = Vec::new();
            let admission = throttles.admit(ff, bearer, client, &mut seen);
            Ok((admission, seen))
        })
        .await?;
        decisions.extend(seen);
        admission
    }

    /// A path that names no route (`404`) or a method it does not offer (`405`). Under the
    /// versioned API the request still counts against its rate and carries `RateLimit-*`, so a
    /// malformed id answers with the same headers as a well-formed missing one and junk paths
    /// cannot be sent without limit. The URL is resolved first (as in DRF), so a bad token
    /// does not turn the `404` into a `401`.
    async fn miss(
        &self,
        req: &Request<Incoming>,
        miss: Miss,
        client: IpAddr,
        path: &str,
        request_id: &str,
    ) -> (Reply, Option<UserId>) {
        let mut decisions = Vec::new();
        let mut user = None;
        if path.starts_with("/api/v1/") {
            match self
                .admit(bearer(req.headers()), client, &mut decisions)
                .await
            {
                Ok(admission) => user = admission.user(),
                Err(refusal) => {
                    let reply = refusal_reply(refusal, path, request_id);
                    return (with_rate_limit(reply, &decisions), None);
                }
            }
        }
        let reply = match miss {
            Miss::Method(allow) => {
                let detail = format!("Method \"{}\" not allowed.", req.method());
                let mut reply = problem(StatusCode::METHOD_NOT_ALLOWED, detail, path);
                reply.headers_mut().insert(header::ALLOW, allow);
                reply
            }
            Miss::NotFound | Miss::AddSlash(_) => problem_for(&Error::not_found(), path),
        };
        (with_rate_limit(reply, &decisions), user)
    }

    async fn outside_api(&self, found: &Found<'_>, path: &str) -> Reply {
        match found.route.endpoint {
            Endpoint::Healthz => json(StatusCode::OK, &Health { status: "ok" }),
            Endpoint::Readyz => match blocking(&self.ff, FlowForge::check_ready).await {
                Ok(()) => json(StatusCode::OK, &Health { status: "ready" }),
                Err(_) => problem(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The database does not answer, or does not take writes.",
                    path,
                ),
            },
            Endpoint::Schema => self.docs.schema(),
            Endpoint::Docs => self.docs.asset(found.rest, path),
            _ => problem(StatusCode::NOT_FOUND, "Not found.", path),
        }
    }
}

/// Where a list request stands after [`App::list_here`].
enum Listed<C> {
    /// Served on the thread that took it.
    Served((Reply, Option<UserId>)),
    /// Admitted, but past its budget: the call is the blocking pool's.
    Pool(Call, Option<UserId>),
    /// No connection was free to hold: nothing is done yet.
    NotHere(Who, C),
}

/// Who an API call acts for: already admitted (the user, for the log, and the actor), or still
/// to be admitted with its bearer token.
enum Who {
    Admitted(Option<UserId>, Option<Actor>),
    Bearer(Bearer),
}

/// The blocking part of an API request: its admission if still due, the login rate, the call.
fn serve_call(
    ff: &FlowForge,
    throttles: &Throttles,
    route: &Route,
    who: Who,
    client: IpAddr,
    decisions: &mut Vec<Decision>,
    call: impl FnOnce(Option<Actor>) -> Call,
) -> Result<(Reply, Option<UserId>), Refusal> {
    let (user, actor) = admitted(ff, throttles, route, who, client, decisions)?;
    let call = call(actor);
    if call.endpoint == Endpoint::Login {
        let email = call
            .body
            .get("email")
            .and_then(Value::as_str)
            .unwrap_or_default();
        throttles.admit_login(client, email, decisions)?;
    }
    Ok((handlers::call(ff, &call)?, user))
}

/// The user and actor of a request, admitting it first if that is still due.
fn admitted(
    ff: &FlowForge,
    throttles: &Throttles,
    route: &Route,
    who: Who,
    client: IpAddr,
    decisions: &mut Vec<Decision>,
) -> Result<(Option<UserId>, Option<Actor>), Refusal> {
    match who {
        Who::Admitted(user, actor) => Ok((user, actor)),
        Who::Bearer(bearer) => {
            let admission = throttles.admit(ff, bearer, client, decisions)?;
            Ok((admission.user(), actor(admission, route)?))
        }
    }
}

/// Runs `f` on this thread as the blocking pool would run it: a panic ends as an internal error
/// (a 500 and its log line), not as a dropped connection.
fn here<T>(f: impl FnOnce() -> Result<T, Refusal>) -> Result<T, Refusal> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(Error::Internal("the call panicked".into()).into()))
}

/// The actor a request acts as once admitted: none for an anonymous request to a public route;
/// a `401` for one to any other route, and for refused credentials.
fn actor(admission: Admission, route: &Route) -> Result<Option<Actor>, Refusal> {
    match admission {
        Admission::Authenticated(actor) => Ok(Some(actor)),
        Admission::Anonymous if route.is_public() => Ok(None),
        Admission::Anonymous => Err(handlers::credentials_missing().into()),
        Admission::CredentialsRefused(error) => Err(error.into()),
    }
}

/// The client's `X-Request-Id` if it is short and printable, else a fresh one.
fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(|| uuid::Uuid::now_v7().simple().to_string(), str::to_owned)
}

fn redirect(location: &str) -> Reply {
    let mut reply = no_content();
    *reply.status_mut() = StatusCode::PERMANENT_REDIRECT;
    if let Ok(value) = HeaderValue::from_str(location) {
        reply.headers_mut().insert(header::LOCATION, value);
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::{Error, Refusal, here};

    #[test]
    fn a_panic_on_the_request_thread_ends_as_an_internal_error() {
        let out: Result<(), Refusal> = here(|| panic!("a handler's bug"));
        assert!(matches!(out, Err(Refusal::Core(Error::Internal(_)))));
        assert!(matches!(here(|| Ok::<_, Refusal>(7)), Ok(7)));
    }
}
