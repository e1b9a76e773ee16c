//! CORS for the configured origins only. Hand-written rather than tower-http's `CorsLayer`,
//! because that layer answers every `OPTIONS` itself, before routing, and always sends its
//! configured methods, headers and max-age: a preflight from a foreign origin would get
//! `Access-Control-*` headers (the tests pin that it gets none), an unknown path would get a
//! preflight instead of `404`, `OPTIONS` would lose `Allow`, and the allowed methods would be a
//! second list beside the route table instead of each path's own.
//!
//! When any origin is configured, every response depends on the request's `Origin` and says so
//! (`Vary: Origin`), whether or not that origin is allowed, so a shared cache never serves one
//! origin's answer to another.

use hyper::header::{self, HeaderMap, HeaderValue};

/// The response headers a browser may read besides the simple ones.
const EXPOSED: HeaderValue = HeaderValue::from_static(
    "Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, X-Request-Id",
);
/// The request headers a preflight may announce.
const ALLOWED_HEADERS: HeaderValue =
    HeaderValue::from_static("Authorization, Content-Type, X-Request-Id");
/// How long a browser may keep a preflight's answer, in seconds.
const MAX_AGE: HeaderValue = HeaderValue::from_static("600");

/// The allowed origins.
pub struct Cors {
    origins: Vec<String>,
}

impl Cors {
    /// CORS for `origins` (none: no cross-origin access).
    pub fn new<'a>(origins: impl Iterator<Item = &'a str>) -> Self {
        Self {
            origins: origins.map(str::to_owned).collect(),
        }
    }

    fn allows(&self, origin: Option<&HeaderValue>) -> bool {
        origin
            .and_then(|o| o.to_str().ok())
            .is_some_and(|o| self.origins.iter().any(|allowed| allowed == o))
    }

    /// Adds the CORS headers of any response to a request from `origin`.
    pub fn decorate(&self, origin: Option<&HeaderValue>, headers: &mut HeaderMap) {
        if self.origins.is_empty() {
            return;
        }
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
        if let Some(origin) = origin.filter(|o| self.allows(Some(o))) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED);
        }
    }

    /// Adds a preflight's answer to the `OPTIONS` response of a path offering `allow`, when the
    /// request is a preflight (`Access-Control-Request-Method`) from an allowed origin.
    pub fn preflight(&self, request: &HeaderMap, allow: &HeaderValue, headers: &mut HeaderMap) {
        let preflight = request.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        if preflight && self.allows(request.get(header::ORIGIN)) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, allow.clone());
            headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS);
            headers.insert(header::ACCESS_CONTROL_MAX_AGE, MAX_AGE);
        }
    }
}
