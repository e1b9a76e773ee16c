//! Building responses: their body (whole, or a stream), JSON bodies, RFC 9457 problem details
//! (the one mapping from the core's error to a status), and the paginated list envelope with its
//! links.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll};

use bytes::Bytes;
use flowforge_core::{Error, FieldErrors, Page, Task, TaskId};
use http_body_util::Full;
use hyper::body::{Body, Frame, SizeHint};
use hyper::header::{CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};
use hyper::{Response, StatusCode};
use quick_cache::Weighter;
use quick_cache::sync::Cache;
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
    json_written(status, BYTES_PER_BODY, |out| sonic_rs::to_writer(out, body))
}

/// A response with the JSON `write` writes, into a buffer of `capacity` bytes to start with (a
/// body that outgrows its buffer is copied at each growth).
fn json_written(
    status: StatusCode,
    capacity: usize,
    write: impl FnOnce(&mut Vec<u8>) -> sonic_rs::Result<()>,
) -> Reply {
    let mut bytes = Vec::with_capacity(capacity);
    match write(&mut bytes) {
        Ok(()) => with_type(status, JSON, bytes.into()),
        Err(e) => problem_for(&Error::Internal(Box::new(e)), ""),
    }
}

/// The buffer a body starts with: a task takes about 700 bytes, which a buffer starting at
/// sonic-rs's 128 reached by copying itself three times.
const BYTES_PER_BODY: usize = 1024;

/// The buffer a list's [`envelope`] starts with per task: a task as the seeder makes them takes
/// about 700 bytes; a page of longer ones grows it.
const BYTES_PER_TASK: usize = 1024;

/// The same per item of any other list: an organization, member, project, comment or event
/// takes fewer than 300 bytes.
const BYTES_PER_ITEM: usize = 320;

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
    envelope(&page, base, path, query, BYTES_PER_ITEM, |out, item| {
        sonic_rs::to_writer(out, item)
    })
}

/// As [`paginated`], for a page of tasks: each is written as [`WRITTEN`] holds it when it is
/// equal to the task written there.
pub fn paginated_tasks(
    page: Page<Task>,
    base: &str,
    path: &str,
    query: &[(String, String)],
) -> Reply {
    envelope(&page, base, path, query, BYTES_PER_TASK, write_task)
}

/// A `200 OK` with `task` as JSON, written as [`WRITTEN`] holds it when it is equal to the task
/// written there.
pub fn task_reply(task: &Task) -> Reply {
    json_written(StatusCode::OK, BYTES_PER_BODY, |out| write_task(out, task))
}

/// The JSON of [`Paginated`] for `page`, its items written by `item` into about `per_item`
/// bytes each.
fn envelope<T>(
    page: &Page<T>,
    base: &str,
    path: &str,
    query: &[(String, String)],
    per_item: usize,
    mut item: impl FnMut(&mut Vec<u8>, &T) -> sonic_rs::Result<()>,
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
    let next = page.has_next().then(|| link(page.page + 1));
    let previous = page.has_previous().then(|| link(page.page - 1));
    let capacity = 512 + page.items.len() * per_item;
    json_written(StatusCode::OK, capacity, |out| {
        out.extend_from_slice(b"{\"count\":");
        sonic_rs::to_writer(&mut *out, &page.count)?;
        out.extend_from_slice(b",\"next\":");
        sonic_rs::to_writer(&mut *out, &next)?;
        out.extend_from_slice(b",\"previous\":");
        sonic_rs::to_writer(&mut *out, &previous)?;
        out.extend_from_slice(b",\"results\":[");
        for (i, each) in page.items.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            item(out, each)?;
        }
        out.extend_from_slice(b"]}");
        Ok(())
    })
}

/// The bytes the tasks [`WRITTEN`] holds may take with their JSON: some 2,600 tasks of the
/// seeder's size, the first pages of the lists read most.
const WRITTEN_BYTES: u64 = 4 << 20;

/// Tasks as lists and reads of one task last wrote them, by id, with their JSON. A task's JSON
/// is a function of the task alone, so one memo serves every handle of the process, and a task
/// equal to the one written (a comparison of a few hundred bytes) is written again by copying
/// its JSON (about six thousand instructions fewer per task).
static WRITTEN: LazyLock<Cache<TaskId, Arc<Written>, WrittenWeight>> =
    LazyLock::new(|| Cache::with_weighter(4096, WRITTEN_BYTES, WrittenWeight));

/// A task and its JSON.
struct Written {
    task: Task,
    json: Box<[u8]>,
}

/// A [`Written`]'s weight: its JSON twice (the task holds its text too) and its size.
#[derive(Clone)]
struct WrittenWeight;

impl Weighter<TaskId, Arc<Written>> for WrittenWeight {
    fn weight(&self, _: &TaskId, written: &Arc<Written>) -> u64 {
        (size_of::<Written>() + 2 * written.json.len()) as u64
    }
}

/// Writes `task`'s JSON: copied from [`WRITTEN`] when it holds an equal task, else serialized
/// and kept there.
fn write_task(out: &mut Vec<u8>, task: &Task) -> sonic_rs::Result<()> {
    if let Some(written) = WRITTEN.get(&task.id).filter(|w| w.task == *task) {
        out.extend_from_slice(&written.json);
        return Ok(());
    }
    let start = out.len();
    sonic_rs::to_writer(&mut *out, task)?;
    let written = Written {
        task: task.clone(),
        json: out[start..].into(),
    };
    WRITTEN.insert(task.id, Arc::new(written));
    Ok(())
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
    pub(super) async fn text(reply: Reply) -> String {
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

#[cfg(test)]
mod written {
    use flowforge_core::{Priority, Status, UserRef};
    use uuid::Uuid;

    use super::*;

    fn task(n: u128, title: &str) -> Task {
        Task {
            id: Uuid::from_u128(n).into(),
            organization: Uuid::from_u128(1 << 64).into(),
            project: Uuid::from_u128(2 << 64).into(),
            title: title.into(),
            description: "A \"quoted\" line\nand ünïcödé".into(),
            status: Status::InProgress,
            priority: Priority::High,
            assigned_to: Some(UserRef {
                id: Uuid::from_u128(3 << 64).into(),
                email: "ada@example.com".into(),
                full_name: "Ada".into(),
            }),
            created_by: None,
            due_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 7),
            created_at: flowforge_core::Timestamp::from_millis(1_796_634_091_191),
            updated_at: flowforge_core::Timestamp::from_millis(1_796_634_099_000),
        }
    }

    /// The envelope written by hand is the one `Paginated` serializes to, with and without
    /// links, for tasks written from the memo as for any other items.
    #[tokio::test]
    async fn a_page_is_written_as_paginated_serializes_it() {
        let query = [("status".to_owned(), "todo".to_owned())];
        for (number, count) in [(1, 2), (1, 120), (2, 120), (3, 120)] {
            let items = vec![task(number.into(), "First"), task(99, "Second")];
            let page = Page {
                count,
                page: number,
                page_size: 50,
                items: items.clone(),
            };
            let link = |n: u64| match n {
                1 => "http://h/api/v1/tasks/?status=todo".to_owned(),
                n => format!("http://h/api/v1/tasks/?status=todo&page={n}"),
            };
            let expected = sonic_rs::to_string(&Paginated {
                count,
                next: page.has_next().then(|| link(number + 1)),
                previous: page.has_previous().then(|| link(number - 1)),
                results: items,
            })
            .unwrap();
            let copy = || Page {
                items: page.items.clone(),
                ..page
            };
            for _ in 0..2 {
                let tasks = paginated_tasks(copy(), "http://h", "/api/v1/tasks/", &query);
                assert_eq!(super::tests::text(tasks).await, expected);
            }
            let any = paginated(copy(), "http://h", "/api/v1/tasks/", &query);
            assert_eq!(super::tests::text(any).await, expected);
        }
    }

    /// A task written again, in a list or alone, is copied from the memo while it is equal to
    /// the one written, and written anew when a field or its assignee's name changed.
    #[tokio::test]
    async fn a_task_is_copied_only_while_it_is_unchanged() {
        let written = |t: &Task| {
            let mut out = Vec::new();
            write_task(&mut out, t).unwrap();
            String::from_utf8(out).unwrap()
        };
        let first = task(7, "Before");
        assert_eq!(written(&first), sonic_rs::to_string(&first).unwrap());
        // What the memo holds is what an equal task is written as.
        let marked = Written {
            task: first.clone(),
            json: b"{\"kept\":true}".as_slice().into(),
        };
        WRITTEN.insert(first.id, Arc::new(marked));
        assert_eq!(written(&first.clone()), r#"{"kept":true}"#);
        assert_eq!(
            super::tests::text(task_reply(&first)).await,
            r#"{"kept":true}"#
        );
        let retitled = task(7, "After");
        assert_eq!(written(&retitled), sonic_rs::to_string(&retitled).unwrap());
        let mut renamed = retitled.clone();
        renamed.assigned_to.as_mut().unwrap().full_name = "Ada L.".into();
        assert_eq!(written(&renamed), sonic_rs::to_string(&renamed).unwrap());
        assert!(WRITTEN.get(&renamed.id).is_some_and(|w| w.task == renamed));
    }
}
