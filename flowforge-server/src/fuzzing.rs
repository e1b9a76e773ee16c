//! Entry points for the fuzz targets in `fuzz/` (the `fuzzing` feature, off by default): the
//! server's own request readers, fed bytes instead of a connection. Not part of the server's API.

use std::sync::LazyLock;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::Request;
use hyper::header::{HeaderName, HeaderValue};
use serde_json::Value;

use crate::body::read_json;
use crate::reply::refusal_reply;

/// The runtime the reads run on: one thread, driven by the caller.
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a current-thread runtime builds")
});

/// Reads `body` as the server reads a request's JSON body sent with `headers`, at most
/// `max_bytes` long: the value (`None` for an empty body, which the handler takes as `{}`), or
/// the status of the refusal. A header that is not valid HTTP is left out, as hyper refuses it
/// before any handler runs.
///
/// # Errors
/// The HTTP status the server would answer the refused body with.
pub fn read_json_body(
    headers: &[(&str, &[u8])],
    body: Vec<u8>,
    max_bytes: u64,
) -> Result<Option<Value>, u16> {
    let mut req = Request::new(Full::new(Bytes::from(body)));
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value),
        ) {
            req.headers_mut().append(name, value);
        }
    }
    RUNTIME
        .block_on(read_json(req, max_bytes, Duration::from_secs(30)))
        .map_err(|refusal| refusal_reply(refusal, "/", "fuzz").status().as_u16())
}
