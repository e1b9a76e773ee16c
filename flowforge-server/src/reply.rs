//! Building responses: their body (whole, or a stream), JSON bodies, RFC 9457 problem details
//! (the one mapping from the core's error to a status), and the paginated list envelope with its
//! links.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use flowforge_core::{Error, FieldErrors, Page};
use http_body_util::Full;
use hyper::body::{Body, Frame, SizeHint};
use hyper::header::{CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};
use hyper::{Response, StatusCode};
use serde::Serialize;
use tokio::sync::mpsc;
use utoipa::ToSchema;

/// The response type of every endpoint.
pub type Reply = Response<Payload>;

/// The body of a response: whole, or the chunks a producer sends through a channel (the event
/// stream), ending when the producer drops its sender. hyper drops the body when the client goes
/// away, which closes the channel: that is how the producer learns to stop.
#[derive(Debug)]
pub enum Payload {
    /// Every byte at once.
    Full(Full<Bytes>),
    /// Chunks as they come.
    Stream(mpsc::Receiver<Bytes>),
}

impl Body for Payload {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            Payload::Full(full) => Pin::new(full).poll_frame(cx),
            Payload::Stream(chunks) => chunks
                .poll_recv(cx)
                .map(|chunk| chunk.map(|bytes| Ok(Frame::data(bytes)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Payload::Full(full) => full.is_end_stream(),
            Payload::Stream(_) => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Payload::Full(full) => full.size_hint(),
            Payload::Stream(_) => SizeHint::default(),
        }
    }
}

const JSON: &str = "application/json; charset=utf-8";
/// The media type of every error body (RFC 9457 problem details).
pub(crate) const PROBLEM: &str = "application/problem+json";

/// A response with `body` as JSON.
pub fn json(status: StatusCode, body: &impl Serialize) -> Reply {
    json_within(status, body, 128)
}

/// A response with `body` as JSON, written into `capacity` bytes to start with: a body that
/// outgrows its buffer is copied at each growth.
fn json_within(status: StatusCode, body: &impl Serialize, capacity: usize) -> Reply {
    let mut bytes = Vec::with_capacity(capacity);
    match sonic_rs::to_writer(&mut bytes, body) {
        Ok(()) => with_type(status, JSON, bytes.into()),
        Err(e) => problem_for(&Error::Internal(Box::new(e)), ""),
    }
}

/// The buffer [`paginated`] starts with per item: a task as the seeder makes them takes about
/// 700 bytes; a page of longer ones grows it.
const BYTES_PER_ITEM: usize = 1024;

/// An empty `204 No Content`.
pub fn no_content() -> Reply {
    let mut reply = Response::new(Payload::Full(Full::new(Bytes::new())));
    *reply.status_mut() = StatusCode::NO_CONTENT;
    reply
}

/// A response with a body of `content_type`.
pub fn with_type(status: StatusCode, content_type: &str, body: Bytes) -> Reply {
    let mut reply = Response::new(Payload::Full(Full::new(body)));
    *reply.status_mut() = status;
    if let Ok(value) = HeaderValue::from_str(content_type) {
        reply.headers_mut().insert(CONTENT_TYPE, value);
    }
    reply
}

/// RFC 9457 problem details, as every error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// Always `about:blank`.
    #[serde(rename = "type")]
    #[schema(format = "uri", example = "about:blank")]
    pub kind: &'static str,
    /// The status's reason phrase.
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong, for a person.
    pub detail: String,
    /// The request's path.
    pub instance: String,
    /// Per-field messages, on validation failures only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub errors: Option<FieldErrors>,
}

/// A problem response with `status` and `detail`.
pub fn problem(status: StatusCode, detail: impl Into<String>, instance: &str) -> Reply {
    problem_body(status, detail.into(), instance, None)
}

fn problem_body(
    status: StatusCode,
    detail: String,
    instance: &str,
    errors: Option<FieldErrors>,
) -> Reply {
    let body = Problem {
        kind: "about:blank",
        title: status.canonical_reason().unwrap_or("Error"),
        status: status.as_u16(),
        detail,
        instance: instance.to_owned(),
        errors,
    };
    let bytes = sonic_rs::to_vec(&body).unwrap_or_default();
    with_type(status, PROBLEM, bytes.into())
}

/// The status of each core error: the one mapping from [`Error`] to HTTP.
fn status_of(error: &Error) -> StatusCode {
    match error {
        Error::Validation(_) => StatusCode::BAD_REQUEST,
        Error::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The problem response of a core error. Internal errors say nothing of their cause (the caller
/// logs it with the request id).
pub fn problem_for(error: &Error, instance: &str) -> Reply {
    let status = status_of(error);
    let mut reply = match error {
        Error::Validation(errors) => problem_body(
            status,
            "Invalid input.".into(),
            instance,
            Some(errors.clone()),
        ),
        other => problem_body(status, other.to_string(), instance, None),
    };
    match error {
        Error::Unauthenticated(_) => {
            reply
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        Error::Throttled { retry_after } | Error::Unavailable { retry_after, .. } => {
            if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                reply
                    .headers_mut()
                    .insert(hyper::header::RETRY_AFTER, value);
            }
        }
        _ => {}
    }
    reply
}

/// The list envelope of the contract.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paginated<T> {
    /// How many items match in all pages.
    pub count: u64,
    /// The next page's URL, or null on the last page.
    #[schema(required = true, format = "uri")]
    pub next: Option<String>,
    /// The previous page's URL, or null on the first page.
    #[schema(required = true, format = "uri")]
    pub previous: Option<String>,
    /// This page's items.
    pub results: Vec<T>,
}

/// Wraps a page with links built from the request's own URL (`base` is `scheme://host` and
/// `path`, `query` as received).
pub fn paginated<T: Serialize>(
    page: Page<T>,
    base: &str,
    path: &str,
    query: &[(String, String)],
) -> Reply {
    let link = |number: u64| {
        let mut encoded = form_urlencoded::Serializer::new(String::new());
        encoded.extend_pairs(query.iter().filter(|(k, _)| k != "page"));
        if number > 1 {
            encoded.append_pair("page", &number.to_string());
        }
        let encoded = encoded.finish();
        if encoded.is_empty() {
            format!("{base}{path}")
        } else {
            format!("{base}{path}?{encoded}")
        }
    };
    let capacity = 512 + page.items.len() * BYTES_PER_ITEM;
    let body = Paginated {
        count: page.count,
        next: page.has_next().then(|| link(page.page + 1)),
        previous: page.has_previous().then(|| link(page.page - 1)),
        results: page.items,
    };
    json_within(StatusCode::OK, &body, capacity)
}

/// A validation error on the body as a whole (malformed JSON).
pub fn malformed_json(detail: &str) -> Error {
    Error::Validation(FieldErrors::single(
        FieldErrors::NON_FIELD,
        format!("JSON parse error - {detail}"),
    ))
}

/// The body of `/healthz` and `/readyz` when they answer `200`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` (the process runs) or `ready` (the database answers and takes writes).
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// A request refused before it reached the core, or by it.
pub enum Refusal {
    /// A core error (a throttled request among them).
    Core(Error),
    /// A refusal of the HTTP layer: its status and detail.
    Status(StatusCode, &'static str),
}

impl From<Error> for Refusal {
    fn from(e: Error) -> Self {
        Refusal::Core(e)
    }
}

/// The problem response of a refusal; an internal error, or the storage's refusal, is logged
/// first, with the request id and its whole cause chain.
pub fn refusal_reply(refusal: Refusal, path: &str, request_id: &str) -> Reply {
    match refusal {
        Refusal::Status(status, detail) => problem(status, detail, path),
        Refusal::Core(error) => {
            match &error {
                Error::Internal(cause) => {
                    tracing::error!(request_id, error = %error_chain(cause.as_ref()), "internal error");
                }
                Error::Unavailable { cause, .. } => {
                    tracing::warn!(request_id, error = %error_chain(cause.as_ref()), "the storage refused");
                }
                _ => {}
            }
            problem_for(&error, path)
        }
    }
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

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;

    use super::*;

    /// The body of `reply` as text.
    async fn text(reply: Reply) -> String {
        let bytes = reply
            .into_body()
            .collect()
            .await
            .expect("a full body")
            .to_bytes();
        String::from_utf8(bytes.to_vec()).expect("UTF-8")
    }

    #[tokio::test]
    async fn internal_and_storage_errors_answer_without_their_cause() {
        let cause = "disk I/O error in /var/lib/flowforge/flowforge.db at table users";
        for (error, status) in [
            (
                Error::Internal(cause.into()),
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
            (
                Error::Unavailable {
                    retry_after: 5,
                    cause: cause.into(),
                },
                StatusCode::SERVICE_UNAVAILABLE,
            ),
        ] {
            let reply = problem_for(&error, "/api/v1/tasks/");
            assert_eq!(reply.status(), status);
            let body = text(reply).await;
            assert!(body.contains(&error.to_string()), "{body}");
            for leak in ["disk", "/var/lib", "users"] {
                assert!(!body.contains(leak), "{leak:?} in {body}");
            }
        }
    }
}
