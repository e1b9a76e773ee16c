//! The request pipeline: request id, CORS, routing, authentication, throttling, body limits,
//! the handler, then security headers and one log line. Everything a request can do wrong ends
//! as a problem response here, never as a dropped connection or a 500 for the client's input.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use flowforge_core::throttle::{Decision, Throttle, ThrottleKey, tightest};
use flowforge_core::{Actor, Error, FlowForge};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, StatusCode};
use serde_json::Value;

use crate::config::Settings;
use crate::docs::Docs;
use crate::handlers::{self, Call, blocking};
use crate::reply::{Health, Reply, json, malformed_json, no_content, problem, problem_for};
use crate::router::{Endpoint, Miss, route};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The shared state of the server.
pub struct App {
    ff: Arc<FlowForge>,
    settings: Settings,
    anon: Option<Arc<Throttle>>,
    user: Option<Arc<Throttle>>,
    login: Option<Arc<Throttle>>,
    docs: Docs,
}

/// A request refused before it reached the core.
enum Refusal {
    Core(Error),
    Status(StatusCode, &'static str),
}

impl From<Error> for Refusal {
    fn from(e: Error) -> Self {
        Refusal::Core(e)
    }
}

impl App {
    /// The server's state over an open FlowForge.
    pub fn new(ff: FlowForge, settings: Settings) -> Self {
        let throttle = |name: &str, rate: Option<_>| rate.map(|r| Arc::new(ff.throttle(name, r)));
        Self {
            anon: throttle("anon", settings.throttle_anon.0),
            user: throttle("user", settings.throttle_user.0),
            login: throttle("login", settings.throttle_login.0),
            ff: Arc::new(ff),
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
        if let Some(origin) = origin.filter(|o| self.allows_origin(o)) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            headers.insert(header::VARY, HeaderValue::from_static("Origin"));
            headers.insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static("Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, X-Request-Id"),
            );
        }
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

    fn allows_origin(&self, origin: &HeaderValue) -> bool {
        origin
            .to_str()
            .is_ok_and(|o| self.settings.cors_origins().any(|allowed| allowed == o))
    }

    async fn dispatch(
        &self,
        req: Request<Incoming>,
        peer: SocketAddr,
        request_id: &str,
    ) -> (Reply, Option<flowforge_core::UserId>) {
        let path = req.uri().path().to_owned();
        let endpoint = match route(req.method(), &path) {
            Ok(endpoint) => endpoint,
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
            return (self.options(&req, &endpoint), None);
        }
        if !endpoint.is_api() {
            return (self.outside_api(&endpoint, &path).await, None);
        }
        let mut decisions = Vec::new();
        let outcome = self.api(req, endpoint, peer, &mut decisions).await;
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
        endpoint: Endpoint,
        peer: SocketAddr,
        decisions: &mut Vec<Decision>,
    ) -> Result<(Reply, Option<flowforge_core::UserId>), Refusal> {
        let actor: Option<Actor> = self.admit(req.headers(), peer, decisions).await??;
        if !endpoint.is_public() && actor.is_none() {
            return Err(handlers::credentials_missing().into());
        }
        let user = actor.as_ref().map(Actor::id);
        let method = req.method().clone();
        let base = self.base_url(req.headers());
        let path = req.uri().path().to_owned();
        let query: Vec<(String, String)> = req
            .uri()
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let body = if matches!(method, Method::POST | Method::PATCH) {
            self.read_json(req).await?
        } else {
            Value::Null
        };
        if endpoint == Endpoint::Login {
            let email = body
                .get("email")
                .and_then(Value::as_str)
                .unwrap_or_default();
            check(&self.login, ThrottleKey::login(peer.ip(), email), decisions).await?;
        }
        let body = if body.is_null() {
            Value::Object(Default::default())
        } else {
            body
        };
        let call = Call {
            endpoint,
            method,
            actor,
            query,
            body,
            base,
            path,
        };
        Ok((handlers::call(&self.ff, call).await?, user))
    }

    /// Authenticates the bearer token (if any) and counts the request against the user's rate
    /// or, without a valid token, the address's. The outer error is the throttle's refusal (the
    /// request is throttled, or a shared throttle's database fails); the inner result is the
    /// authentication's, so that a bad token still counts.
    async fn admit(
        &self,
        headers: &HeaderMap,
        peer: SocketAddr,
        decisions: &mut Vec<Decision>,
    ) -> Result<Result<Option<Actor>, Error>, Refusal> {
        let authenticated = match bearer(headers) {
            None => Ok(None),
            Some(Err(())) => Err(Error::Unauthenticated(
                "Authorization header must be \"Bearer <token>\".".into(),
            )),
            Some(Ok(token)) => blocking(&self.ff, move |ff| ff.authenticate_token(&token))
                .await
                .map(Some),
        };
        match &authenticated {
            Ok(Some(actor)) => {
                let key = ThrottleKey::User(actor.id().to_string());
                check(&self.user, key, decisions).await?;
            }
            _ => check(&self.anon, ThrottleKey::Address(peer.ip()), decisions).await?,
        }
        Ok(authenticated)
    }

    /// A path that names no endpoint (`404`) or a method it does not offer (`405`). Under the
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
    ) -> (Reply, Option<flowforge_core::UserId>) {
        let mut decisions = Vec::new();
        let mut user = None;
        if path.starts_with("/api/v1/") {
            match self.admit(req.headers(), peer, &mut decisions).await {
                Ok(authenticated) => {
                    user = authenticated.ok().flatten().as_ref().map(Actor::id);
                }
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
                reply
                    .headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static(allow));
                reply
            }
            Miss::NotFound | Miss::AddSlash(_) => problem_for(&Error::not_found(), path),
        };
        (with_rate_limit(reply, &decisions), user)
    }

    /// Reads a JSON body of at most the configured size.
    async fn read_json(&self, req: Request<Incoming>) -> Result<Value, Refusal> {
        let max = self.settings.max_body_bytes;
        let too_large =
            Refusal::Status(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large.");
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|n| n > max) {
            return Err(too_large);
        }
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
            });
        let limit = usize::try_from(max).unwrap_or(usize::MAX);
        let read = Limited::new(req.into_body(), limit).collect();
        let Ok(read) = tokio::time::timeout(self.settings.request_timeout, read).await else {
            return Err(Refusal::Status(
                StatusCode::REQUEST_TIMEOUT,
                "The request body did not arrive in time.",
            ));
        };
        let bytes: Bytes = match read {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => return Err(too_large),
            Err(_) => {
                return Err(Refusal::Status(
                    StatusCode::BAD_REQUEST,
                    "The request body could not be read.",
                ));
            }
        };
        if bytes.is_empty() {
            return Ok(Value::Null);
        }
        if !is_json {
            return Err(Refusal::Status(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Send the body as application/json.",
            ));
        }
        serde_json::from_slice(&bytes).map_err(|e| malformed_json(&e.to_string()).into())
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

    fn options(&self, req: &Request<Incoming>, endpoint: &Endpoint) -> Reply {
        let mut reply = no_content();
        let headers = reply.headers_mut();
        headers.insert(header::ALLOW, HeaderValue::from_static(endpoint.allow()));
        let preflight = req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        if preflight
            && req
                .headers()
                .get(header::ORIGIN)
                .is_some_and(|o| self.allows_origin(o))
        {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static(endpoint.allow()),
            );
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("Authorization, Content-Type, X-Request-Id"),
            );
            headers.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            );
        }
        reply
    }

    async fn outside_api(&self, endpoint: &Endpoint, path: &str) -> Reply {
        match endpoint {
            Endpoint::Healthz => json(StatusCode::OK, &Health { status: "ok" }),
            Endpoint::Readyz => match blocking(&self.ff, FlowForge::ping).await {
                Ok(()) => json(StatusCode::OK, &Health { status: "ready" }),
                Err(_) => problem(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The database does not answer.",
                    path,
                ),
            },
            Endpoint::Schema => self.docs.schema(),
            Endpoint::Docs(asset) => self.docs.asset(asset, path),
            _ => problem(StatusCode::NOT_FOUND, "Not found.", path),
        }
    }
}

/// Checks a throttle (if the rate is on), recording its answer; a throttled answer ends the
/// request. A shared throttle asks the database, off the async threads.
async fn check(
    throttle: &Option<Arc<Throttle>>,
    key: ThrottleKey,
    decisions: &mut Vec<Decision>,
) -> Result<(), Refusal> {
    let Some(throttle) = throttle else {
        return Ok(());
    };
    let decision = if throttle.is_shared() {
        let throttle = Arc::clone(throttle);
        tokio::task::spawn_blocking(move || throttle.check(&key))
            .await
            .map_err(|e| Error::Internal(Box::new(e)))??
    } else {
        throttle.check(&key)?
    };
    decisions.push(decision);
    match decision {
        Decision::Allowed(_) => Ok(()),
        Decision::Throttled(quota) => Err(Error::Throttled {
            retry_after: quota.retry_after_secs().unwrap_or(1),
        }
        .into()),
    }
}

/// `reply` with the `RateLimit-*` headers of the tightest rate that applied, if any did.
fn with_rate_limit(mut reply: Reply, decisions: &[Decision]) -> Reply {
    if let Some(decision) = tightest(decisions) {
        let quota = decision.quota();
        for (name, value) in [
            ("ratelimit-limit", u64::from(quota.limit)),
            ("ratelimit-remaining", u64::from(quota.remaining)),
            ("ratelimit-reset", quota.reset_secs()),
        ] {
            reply
                .headers_mut()
                .insert(HeaderName::from_static(name), HeaderValue::from(value));
        }
    }
    reply
}

/// The problem response of a refused request; an internal error is logged first, with the
/// request id and its whole cause chain.
fn refusal_reply(refusal: Refusal, path: &str, request_id: &str) -> Reply {
    match refusal {
        Refusal::Status(status, detail) => problem(status, detail, path),
        Refusal::Core(error) => {
            if let Error::Internal(cause) = &error {
                tracing::error!(request_id, error = %error_chain(cause.as_ref()), "internal error");
            }
            problem_for(&error, path)
        }
    }
}

/// The bearer token of the request: `None` without an `Authorization` header.
fn bearer(headers: &HeaderMap) -> Option<Result<String, ()>> {
    let value = headers.get(header::AUTHORIZATION)?;
    let text = value.to_str().map_err(drop);
    Some(text.and_then(|t| {
        let (scheme, token) = t.trim().split_once(' ').ok_or(())?;
        if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() {
            Ok(token.trim().to_owned())
        } else {
            Err(())
        }
    }))
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

/// An error with its causes, for the log.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
