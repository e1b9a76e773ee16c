//! Behaviour of flowforge-core through its public API only: one test binary, a module per
//! concern. Every test opens its own in-memory (or temporary-file) database.

mod auth;
mod concurrency;
mod database;
mod isolation;
mod lists;
mod pagination;
mod roles;
mod rules;
mod seed;
mod support;
