//! A Server-Sent Events reader over the raw bytes of a streaming response: messages (`id:`,
//! `event:`, `data:`) and comment lines, parsed strictly (the server writes one `data:` line per
//! event, `\n` line ends, a blank line after each message). Every read is bounded, so a stream
//! that stalls fails its test instead of hanging it.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::{Api, Resp};

/// How long a read waits before the test is taken to hang.
const READ_LIMIT: Duration = Duration::from_secs(30);

/// One message of the stream.
#[derive(Debug, Clone, PartialEq)]
pub enum Sse {
    /// An event: its `id:`, `event:` and `data:` (parsed as JSON).
    Event {
        id: String,
        event: String,
        data: Value,
    },
    /// A comment line (`: text`), without its colon and leading space.
    Comment(String),
}

/// An open stream.
pub struct SseStream {
    response: reqwest::Response,
    buffer: String,
    /// The response's headers.
    pub headers: reqwest::header::HeaderMap,
}

impl SseStream {
    /// Opens `GET path` as an event stream, resuming after `last_event_id` if given; the whole
    /// response when it is not a `200` stream.
    pub async fn open(api: &Api, path: &str, last_event_id: Option<&str>) -> Result<Self, Resp> {
        let mut builder = api
            .request(Method::GET, path)
            .header("accept", "text/event-stream");
        if let Some(id) = last_event_id {
            builder = builder.header("last-event-id", id);
        }
        let response = tokio::time::timeout(READ_LIMIT, builder.send())
            .await
            .expect("the stream's head arrives in time")
            .expect("the server answers");
        let is_stream = response
            .headers()
            .get("content-type")
            .is_some_and(|v| v == "text/event-stream");
        if response.status() != StatusCode::OK || !is_stream {
            let status = response.status();
            let headers = response.headers().clone();
            let text = response.text().await.expect("a readable body");
            let json = serde_json::from_str(&text).unwrap_or(Value::Null);
            return Err(Resp {
                status,
                headers,
                text,
                json,
            });
        }
        Ok(Self {
            headers: response.headers().clone(),
            response,
            buffer: String::new(),
        })
    }

    /// Like [`SseStream::open`], for a stream that must open.
    pub async fn opened(api: &Api, path: &str, last_event_id: Option<&str>) -> Self {
        match Self::open(api, path, last_event_id).await {
            Ok(stream) => stream,
            Err(resp) => panic!(
                "{path} did not open a stream: {} {}",
                resp.status, resp.text
            ),
        }
    }

    /// The next message, or `None` once the server has ended the stream cleanly (a read error,
    /// such as a connection cut mid-chunk, fails the test).
    pub async fn next(&mut self) -> Option<Sse> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                return Some(parse(block.trim_end_matches('\n')));
            }
            let chunk = tokio::time::timeout(READ_LIMIT, self.response.chunk())
                .await
                .expect("the stream sends something in time")
                .expect("the stream is read without error");
            match chunk {
                Some(bytes) => self
                    .buffer
                    .push_str(std::str::from_utf8(&bytes).expect("UTF-8")),
                None => {
                    assert!(
                        self.buffer.is_empty(),
                        "a message cut short: {:?}",
                        self.buffer
                    );
                    return None;
                }
            }
        }
    }

    /// The next event, skipping comments: `(id, type, data)`. Bounded as a whole, so that
    /// keep-alives cannot stretch the wait for an event that never comes.
    pub async fn next_event(&mut self) -> (String, String, Value) {
        let next = async {
            loop {
                match self.next().await.expect("the stream goes on") {
                    Sse::Event { id, event, data } => return (id, event, data),
                    Sse::Comment(_) => {}
                }
            }
        };
        tokio::time::timeout(READ_LIMIT, next)
            .await
            .expect("an event arrives in time")
    }
}

/// One message: a comment, or an event with exactly one `id:`, `event:` and `data:` line.
fn parse(block: &str) -> Sse {
    if let Some(comment) = block.strip_prefix(':') {
        assert!(!comment.contains('\n'), "one comment line: {block:?}");
        return Sse::Comment(comment.trim_start().to_owned());
    }
    let lines: Vec<&str> = block.split('\n').collect();
    let [id, event, data] = lines.as_slice() else {
        panic!("an event is three lines: {block:?}");
    };
    let field = |line: &str, name: &str| {
        line.strip_prefix(name)
            .and_then(|rest| rest.strip_prefix(": "))
            .unwrap_or_else(|| panic!("{name}: expected in {block:?}"))
            .to_owned()
    };
    let data = field(data, "data");
    Sse::Event {
        id: field(id, "id"),
        event: field(event, "event"),
        data: serde_json::from_str(&data).expect("data: is one line of JSON"),
    }
}
