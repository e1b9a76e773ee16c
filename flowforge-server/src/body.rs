//! Reading a request's JSON body: at most the configured size (a declared `Content-Length` over
//! it is refused before a byte is read), within the request timeout, and only as
//! `application/json`. An empty body reads as no body; a JSON `null` is read like any other
//! value, for the core to refuse as it refuses every body that is not an object.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Body;
use hyper::header;
use hyper::{Request, StatusCode};
use serde_json::Value;

use crate::reply::{Refusal, malformed_json};

/// Reads the JSON body of `req`: `413` over `max` bytes, `408` when it does not arrive within
/// `timeout`, `415` when it is not `application/json`, `400` when it does not parse; `None` when
/// the body is empty. Generic over the body so that the fuzz targets can feed it bytes; the
/// server passes hyper's `Incoming`.
pub async fn read_json<B>(
    req: Request<B>,
    max: u64,
    timeout: Duration,
) -> Result<Option<Value>, Refusal>
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let too_large = Refusal::Status(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large.");
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
    let Ok(read) = tokio::time::timeout(timeout, read).await else {
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
        return Ok(None);
    }
    if !is_json {
        return Err(Refusal::Status(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the body as application/json.",
        ));
    }
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| malformed_json(&e.to_string()).into())
}
