//! FlowForge's HTTP API: hyper in, one flowforge-core call, JSON out.
//!
//! The server decides no rule of its own: it routes, authenticates the bearer token, throttles,
//! reads bodies and query strings with the core's parsers, and maps the core's errors onto
//! problem responses. See `README.md` for the endpoints and settings.

mod accept;
mod admission;
pub mod app;
mod body;
pub mod config;
mod cors;
mod docs;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod handlers;
mod hosts;
mod openapi;
mod proxy;
mod reply;
mod router;
mod routes;
mod serve;
mod sse;

pub use accept::listen;
pub use app::App;
pub use config::Settings;
pub use routes::{Route, Verb, routes};
pub use serve::{StartError, open, serve};
