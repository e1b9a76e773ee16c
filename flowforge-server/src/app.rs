//! The request pipeline: request id, routing (the route table), CORS, admission (token and
//! throttle), the body, the handler, then security headers and one log line. Everything a
//! request can do wrong ends as a problem response here, never as a dropped connection or a 500
//! for the client's input.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use flowforge_core::throttle::Decision;
use flowforge_core::{Error, FlowForge, UserId};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, StatusCode};
use serde_json::Value;

use crate::admission::{Admission, Throttles, with_rate_limit};
use crate::body::read_json;
use crate::config::Settings;
use crate::cors::Cors;
use crate::docs::Docs;
use crate::handlers::{self, Call, blocking};
use crate::reply::{Health, Refusal, Reply, json, no_content, problem, problem_for, refusal_reply};
use crate::router::{Found, Miss, Router};
use crate::routes::{Endpoint, Route};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The shared state of the server.
pub struct App {
    ff: Arc<FlowForge>,
    settings: Settings,
    throttles: Throttles,
    router: Router,
    cors: Cors,
    docs: Docs,
}

impl App {
    /// The server's state over an open FlowForge.
    pub fn new(ff: FlowForge, settings: Settings) -> Self {
        Self {
            throttles: Throttles::new(&ff, &settings),
            ff: Arc::new(ff),
            router: Router::new(),
            cors: Cors::new(settings.cors_origins()),
            docs: Docs::new(),
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

    async fn dispatch(
        &self,
        req: Request<Incoming>,
        peer: SocketAddr,
        request_id: &str,
    ) -> (Reply, Option<UserId>) {
        let path = req.uri().path().to_owned();
        let found = match self.router.route(req.method(), &path) {
            Ok(found) => found,
            Err(Miss::AddSlash(to)) => {
                let location = match req.uri().query() {
                    Some(q) => format!("{to}?{q}"),
                    None => to,
                };
                return (redirect(&location), None);
            }
            Err(miss) => return self.miss(&req, miss, peer, &path, request_id).await,
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
            .api(req, found.route, found.ids, peer, &mut decisions)
            .await;
        let user = outcome.as_ref().ok().and_then(|(_, user)| *user);
        let reply = match outcome {
            Ok((reply, _)) => reply,
            Err(refusal) => refusal_reply(refusal, &path, request_id),
        };
        (with_rate_limit(reply, &decisions), user)
    }

    async fn api(
        &self,
        req: Request<Incoming>,
        route: &'static Route,
        ids: Vec<uuid::Uuid>,
        peer: SocketAddr,
        decisions: &mut Vec<Decision>,
    ) -> Result<(Reply, Option<UserId>), Refusal> {
        let admission = self
            .throttles
            .admit(&self.ff, req.headers(), peer, decisions)
            .await?;
        let user = admission.user();
        let actor = match admission {
            Admission::Authenticated(actor) => Some(actor),
            Admission::Anonymous if route.is_public() => None,
            Admission::Anonymous => return Err(handlers::credentials_missing().into()),
            Admission::CredentialsRefused(error) => return Err(error.into()),
        };
        let base = self.base_url(req.headers());
        let path = req.uri().path().to_owned();
        let query: Vec<(String, String)> = req
            .uri()
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let body = if route.takes_body() {
            read_json(
                req,
                self.settings.max_body_bytes,
                self.settings.request_timeout,
            )
            .await?
        } else {
            Value::Null
        };
        if route.endpoint == Endpoint::Login {
            let email = body
                .get("email")
                .and_then(Value::as_str)
                .unwrap_or_default();
            self.throttles
                .admit_login(peer.ip(), email, decisions)
                .await?;
        }
        let body = if body.is_null() {
            Value::Object(Default::default())
        } else {
            body
        };
        let call = Call {
            endpoint: route.endpoint,
            ids,
            actor,
            query,
            body,
            base,
            path,
        };
        Ok((handlers::call(&self.ff, call).await?, user))
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
        peer: SocketAddr,
        path: &str,
        request_id: &str,
    ) -> (Reply, Option<UserId>) {
        let mut decisions = Vec::new();
        let mut user = None;
        if path.starts_with("/api/v1/") {
            match self
                .throttles
                .admit(&self.ff, req.headers(), peer, &mut decisions)
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

    /// `scheme://host` of the request, as the client addressed the server.
    fn base_url(&self, headers: &HeaderMap) -> String {
        let forwarded = |name: &str| {
            self.settings
                .trust_proxy
                .then(|| headers.get(name)?.to_str().ok().map(str::to_owned))
                .flatten()
        };
        let scheme = forwarded("x-forwarded-proto").unwrap_or_else(|| "http".into());
        let host = forwarded("x-forwarded-host")
            .or_else(|| headers.get(header::HOST)?.to_str().ok().map(str::to_owned))
            .unwrap_or_else(|| self.settings.bind.to_string());
        format!("{scheme}://{host}")
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
