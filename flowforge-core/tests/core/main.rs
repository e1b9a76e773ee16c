//! Behaviour of flowforge-core through its public API only: one test binary, a module per
//! concern. Every test opens its own in-memory (or temporary-file) database. One module,
//! `layering`, reads the workspace's sources instead, to hold the layer walls.

mod auth;
mod concurrency;
mod database;
mod events;
mod isolation;
mod layering;
mod lists;
mod pagination;
mod roles;
mod rules;
mod seed;
mod storage;
mod support;
