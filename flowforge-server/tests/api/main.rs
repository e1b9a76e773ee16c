//! The server's integration tests: one binary, one module per concern. Each test talks HTTP to
//! the real server, started in-process on an ephemeral port over a fresh SQLite file, or with
//! the `postgres` feature a fresh PostgreSQL schema (or, for start-up, shutdown and two servers
//! sharing a database, the built binary).

mod support;

mod abuse;
mod activity;
mod auth;
mod comments;
// Crash rounds use SQLite files (the binary is the same with the `postgres` feature).
#[cfg(not(feature = "postgres"))]
mod crash;
mod errors;
mod feed;
mod hosts;
mod http;
mod isolation;
mod lists;
mod resources;
mod retention;
mod schema;
mod startup;
// The capped database is an SQLite fixture.
#[cfg(not(feature = "postgres"))]
mod storage;
mod throttling;
#[cfg(feature = "postgres")]
mod two_servers;
