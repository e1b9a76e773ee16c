//! The event stream: `GET /api/v1/events/` as Server-Sent Events, over a core
//! [`Subscription`]. The subscription replays, deduplicates and checks access; this module
//! chooses the form from `Accept`, caps the streams a user holds open, and pumps each stream from
//! a task of its own that sleeps until the core's feed wakes it (or a keep-alive is due), so an
//! idle stream holds no thread and spends nothing between keep-alives. Every database call (taking
//! the ready events, the keep-alive's access check) runs on the blocking pool. A stream ends when
//! its client goes away, when its user may no longer follow the log, when the access token it was
//! opened with expires, or when the server shuts down.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use flowforge_core::UserId;
use flowforge_core::{Actor, Cursor, Error, Event, EventsQuery, FlowForge, Result, Subscription};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Response, StatusCode};
use tokio::runtime::Handle;
use tokio::sync::{Notify, mpsc, watch};

use crate::config::Settings;
use crate::handlers::blocking;
use crate::reply::{Payload, Reply, problem};

/// The media type of the stream.
const EVENT_STREAM: &str = "text/event-stream";
/// The header a reconnecting client names the last event it saw in.
const LAST_EVENT_ID: &str = "last-event-id";
/// Events taken from the subscription (and written as one chunk) per trip to the blocking pool.
const BATCH: usize = 256;
/// Chunks waiting for a slow client before the stream stops taking events (they wait in the
/// subscription meanwhile, or in the log once its mailbox is full).
const CHANNEL_CHUNKS: usize = 8;
/// The keep-alive comment.
const KEEP_ALIVE: &[u8] = b": keep-alive\n\n";

/// The streams open on this server: the per-user cap, the keep-alive interval and the
/// shutdown signal every stream watches.
pub struct Streams {
    keep_alive: Duration,
    max_per_user: usize,
    open: Mutex<HashMap<UserId, usize>>,
    closing: watch::Sender<bool>,
}

impl Streams {
    /// The streams of a server run with `settings`.
    pub fn new(settings: &Settings) -> Self {
        Self {
            keep_alive: settings.sse_keepalive,
            max_per_user: settings.max_streams_per_user as usize,
            open: Mutex::default(),
            closing: watch::Sender::new(false),
        }
    }

    /// Ends every open stream, and every stream opened from now on, at its next step.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// A place for one more stream of `user`, or `None` at the cap.
    fn admit(self: &Arc<Self>, user: UserId) -> Option<Slot> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(user).or_default();
        if *count >= self.max_per_user {
            return None;
        }
        *count += 1;
        Some(Slot {
            streams: Arc::clone(self),
            user,
        })
    }
}

/// One stream's place under its user's cap, given back when dropped.
struct Slot {
    streams: Arc<Streams>,
    user: UserId,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self
            .streams
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.user) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.user);
            }
        }
    }
}

/// Whether `Accept` asks for the stream: it names `text/event-stream` (without `q=0`). Any
/// other `Accept`, `*/*` and none included, gets the JSON form.
pub fn wants_stream(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|range| {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            media.eq_ignore_ascii_case(EVENT_STREAM) && !refused
        })
}

/// The `Last-Event-ID` header as sent: `None` when absent, else its text (lossy when it is not
/// ASCII, which no cursor is).
pub fn last_event_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(LAST_EVENT_ID)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
}

/// The cursor of a `Last-Event-ID` header; a value that is not one is a `400` naming it.
///
/// # Errors
/// [`Error::Validation`] naming `Last-Event-ID`.
pub fn resume_after(last_event_id: Option<&str>) -> Result<Option<Cursor>> {
    last_event_id
        .map(str::trim)
        // An empty one is no cursor at all: what a client sends before any event had an id.
        .filter(|text| !text.is_empty())
        .map(|text| Cursor::parse_as(text, "Last-Event-ID"))
        .transpose()
}

/// What opening a stream needs beyond the API call: the server's streams, the runtime to run
/// the stream's task on, and the request id for its log lines.
pub struct Opening {
    /// The server's streams.
    pub streams: Arc<Streams>,
    /// The runtime the stream's task runs on.
    pub runtime: Handle,
    /// The request's id.
    pub request_id: String,
}

impl Opening {
    /// Opens a stream for `actor` (on the blocking pool: it subscribes, which reads the
    /// database): the query's `organization` narrows it, `last_event_id` replays from there.
    /// The answer is the stream's head, its body fed by a task of its own; `429` at the user's
    /// cap.
    ///
    /// # Errors
    /// `400` for a malformed parameter or `Last-Event-ID`, `404` for an organization the actor
    /// is not in, or the database's error.
    pub fn open(
        &self,
        ff: &FlowForge,
        actor: &Actor,
        query: &[(String, String)],
        last_event_id: Option<&str>,
        path: &str,
    ) -> Result<Reply> {
        let filter = EventsQuery::from_pairs(query.iter().map(|(k, v)| (k, v)))?;
        let after = resume_after(last_event_id)?;
        let Some(slot) = self.streams.admit(actor.id()) else {
            let detail = format!(
                "Too many event streams open for this user (at most {}); close one first.",
                self.streams.max_per_user
            );
            let mut reply = problem(StatusCode::TOO_MANY_REQUESTS, detail, path);
            reply.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(self.streams.keep_alive.as_secs().max(1)),
            );
            return Ok(reply);
        };
        let subscription = ff.subscribe(actor, filter.organization, after)?;
        tracing::info!(
            request_id = %self.request_id,
            user = %actor.id(),
            organization = filter.organization.map(|o| o.to_string()).unwrap_or_default(),
            after = after.map(|a| a.to_string()).unwrap_or_default(),
            "event stream opened"
        );
        let (chunks, body) = mpsc::channel(CHANNEL_CHUNKS);
        let pump = Pump {
            subscription: Arc::new(Mutex::new(subscription)),
            chunks,
            closing: self.streams.closing.subscribe(),
            keep_alive: self.streams.keep_alive,
            expires: actor.expires_at().map(instant_of),
            sent: 0,
        };
        self.runtime
            .spawn(pump.run(slot, actor.id(), self.request_id.clone()));
        let mut reply = Response::new(Payload::Stream(body));
        let headers = reply.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(EVENT_STREAM));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        Ok(reply)
    }
}

/// Why a stream ended, for its log line.
#[derive(Debug, Clone, Copy)]
enum End {
    /// The client went away.
    ClientGone,
    /// The user may no longer follow the log (deactivated).
    NotAllowed,
    /// The access token the stream was opened with expired: the client opens it again with a
    /// fresh one (and `Last-Event-ID`).
    TokenExpired,
    /// The server is shutting down.
    Shutdown,
}

/// The moment of `expires_at` (seconds since the epoch) on the runtime's clock.
fn instant_of(expires_at: i64) -> tokio::time::Instant {
    let at = UNIX_EPOCH + Duration::from_secs(u64::try_from(expires_at).unwrap_or(0));
    let left = at.duration_since(SystemTime::now()).unwrap_or_default();
    tokio::time::Instant::now() + left
}

/// One stream's producer: takes the subscription's events when woken and sends them as chunks.
struct Pump {
    subscription: Arc<Mutex<Subscription>>,
    chunks: mpsc::Sender<Bytes>,
    closing: watch::Receiver<bool>,
    keep_alive: Duration,
    /// When the stream's access token expires, if it has one.
    expires: Option<tokio::time::Instant>,
    /// Events sent so far.
    sent: usize,
}

impl Pump {
    /// Runs the stream until it ends, then logs the end; `slot` is given back with it.
    async fn run(mut self, slot: Slot, user: UserId, request_id: String) {
        let started = Instant::now();
        let end = self.pump().await;
        drop(slot);
        tracing::info!(
            request_id = %request_id,
            user = %user,
            end = ?end,
            events = self.sent,
            seconds = started.elapsed().as_secs(),
            "event stream ended"
        );
    }

    async fn pump(&mut self) -> End {
        let arrived = Arc::new(Notify::new());
        {
            let arrived = Arc::clone(&arrived);
            self.lock().on_arrival(move || arrived.notify_one());
        }
        let mut due = tokio::time::Instant::now() + self.keep_alive;
        loop {
            // What is ready: the replay first, then what the feed delivered; several trips
            // while more is ready, each checking that a keep-alive is not overdue (a busy
            // organization keeps this loop going).
            loop {
                if self
                    .expires
                    .is_some_and(|at| tokio::time::Instant::now() >= at)
                {
                    return End::TokenExpired;
                }
                if tokio::time::Instant::now() >= due {
                    due = tokio::time::Instant::now() + self.keep_alive;
                    if let Some(end) = self.keep_alive().await {
                        return end;
                    }
                }
                match blocking(&self.subscription, take_ready).await {
                    Ok(Some((chunk, count, more))) => {
                        if let Some(end) = self.send(chunk).await {
                            return end;
                        }
                        self.sent += count;
                        if !more {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        // The subscription reads on from where it was at the next wake-up or
                        // keep-alive.
                        tracing::warn!(error = %e, "an event stream could not read the log");
                        break;
                    }
                }
            }
            let expiry = async {
                match self.expires {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            let keep_alive_due = tokio::select! {
                biased;
                _ = self.closing.wait_for(|closing| *closing) => return End::Shutdown,
                () = self.chunks.closed() => return End::ClientGone,
                () = expiry => return End::TokenExpired,
                () = arrived.notified() => false,
                () = tokio::time::sleep_until(due) => true,
            };
            if keep_alive_due {
                due = tokio::time::Instant::now() + self.keep_alive;
                if let Some(end) = self.keep_alive().await {
                    return end;
                }
            }
        }
    }

    /// Checks that the user may still follow the log, then sends the keep-alive comment; `Some`
    /// when the stream must end.
    async fn keep_alive(&mut self) -> Option<End> {
        let allowed = blocking(&self.subscription, |s| {
            s.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .still_allowed()
        });
        match allowed.await {
            Ok(false) => return Some(End::NotAllowed),
            Ok(true) => {}
            Err(e) => tracing::warn!(error = %e, "an event stream could not check its user"),
        }
        self.send(Bytes::from_static(KEEP_ALIVE)).await
    }

    /// Sends a chunk, waiting while the client is slow; `Some` when the stream must end.
    async fn send(&mut self, chunk: Bytes) -> Option<End> {
        tokio::select! {
            sent = self.chunks.send(chunk) => sent.err().map(|_| End::ClientGone),
            _ = self.closing.wait_for(|closing| *closing) => Some(End::Shutdown),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Subscription> {
        self.subscription
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Takes up to [`BATCH`] ready events as one chunk of the stream, with their number and whether
/// more are ready; `None` when none is ready.
fn take_ready(subscription: &Mutex<Subscription>) -> Result<Option<(Bytes, usize, bool)>> {
    let mut subscription = subscription.lock().unwrap_or_else(PoisonError::into_inner);
    let events = subscription.ready(BATCH)?;
    if events.is_empty() {
        return Ok(None);
    }
    let more = subscription.has_more();
    let mut chunk = String::new();
    for event in &events {
        write_event(&mut chunk, event)?;
    }
    Ok(Some((Bytes::from(chunk), events.len(), more)))
}

/// Appends `event` as one message of the stream: its cursor, its type, itself as one line of
/// JSON (JSON text escapes every line break, so `data:` is one line).
fn write_event(out: &mut String, event: &Event) -> Result<()> {
    let data = serde_json::to_string(event).map_err(|e| Error::Internal(Box::new(e)))?;
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "id: {}\nevent: {}\ndata: {data}\n\n",
        event.id, event.kind
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn only_an_accept_naming_the_event_stream_gets_it() {
        for yes in [
            "text/event-stream",
            "Text/Event-Stream",
            "application/json;q=0.5, text/event-stream",
            "text/event-stream; q=0.1",
        ] {
            assert!(wants_stream(&accept(yes)), "{yes}");
        }
        for no in [
            "application/json",
            "*/*",
            "text/*",
            "text/event-stream;q=0",
            "text/event-streams",
        ] {
            assert!(!wants_stream(&accept(no)), "{no}");
        }
        assert!(!wants_stream(&HeaderMap::new()));
    }

    #[test]
    fn a_last_event_id_that_is_not_a_cursor_is_refused_naming_it() {
        assert_eq!(resume_after(None).unwrap(), None);
        let cursor = "0000000000000000000000000000002a";
        assert_eq!(
            resume_after(Some(cursor)).unwrap().unwrap().to_string(),
            cursor
        );
        let Err(Error::Validation(errors)) = resume_after(Some("42")) else {
            panic!("refused");
        };
        assert!(errors.get("Last-Event-ID").is_some());
    }

    #[test]
    fn the_cap_counts_each_users_streams_and_a_dropped_slot_frees_its_place() {
        let settings = <Settings as clap::Parser>::try_parse_from([
            "flowforge-server",
            "--max-streams-per-user",
            "2",
        ])
        .unwrap();
        let streams = Arc::new(Streams::new(&settings));
        let (ann, bob) = (
            UserId::from(uuid::Uuid::now_v7()),
            UserId::from(uuid::Uuid::now_v7()),
        );
        let first = streams.admit(ann).expect("one");
        let _second = streams.admit(ann).expect("two");
        assert!(streams.admit(ann).is_none(), "a third is over the cap");
        let _other = streams.admit(bob).expect("another user's own count");
        drop(first);
        assert!(streams.admit(ann).is_some(), "a place came back");
    }
}
