//! The admin CLI's integration tests: one binary, one module per command group. Every test runs
//! the built `flowforge` binary in a fresh temporary directory over a fresh SQLite file (with the
//! `postgres` feature, a fresh PostgreSQL schema), with an environment holding only `PATH`, so
//! neither a `.env` file nor the developer's variables leak in.

mod support;

mod database;
mod events;
mod follow;
mod members;
mod migrate;
mod orgs;
mod owner;
mod seed;
mod token;
mod users;
