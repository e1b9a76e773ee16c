//! Example programs for FlowForge live beside this file; run one with
//! `cargo run -p flowforge-examples --example NAME`.
