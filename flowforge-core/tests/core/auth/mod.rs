//! Accounts and tokens: registration rules, login, the shape and kinds of tokens, which tokens
//! are refused, refresh rotation, logout, password changes, deactivation and the `me` update.

mod accounts;
mod registration;
mod sessions;
mod tokens;

use flowforge_core::{Actor, Error, FlowForge, TokenPair};

use crate::support::{PASSWORD, field_errors, open, user};

const SHORT: &str = "This password is too short. It must contain at least 8 characters.";
const NUMERIC: &str = "This password is entirely numeric.";
const LIKE_EMAIL: &str = "The password may not be the email address or its local part.";

fn login(ff: &FlowForge, email: &str) -> TokenPair {
    ff.login(email, PASSWORD).expect("login")
}

/// A fresh handle where ada@example.com has registered and logged in once.
fn signed_in() -> (crate::support::TestFf, Actor, TokenPair) {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let pair = login(&ff, "ada@example.com");
    (ff, ada, pair)
}

/// Asserts a validation error whose messages for `field` include `message`.
#[track_caller]
fn assert_message<T: std::fmt::Debug>(result: Result<T, Error>, field: &str, message: &str) {
    let errors = field_errors(result);
    let messages = errors
        .get(field)
        .unwrap_or_else(|| panic!("no error on {field}: {errors}"));
    assert!(
        messages.iter().any(|m| m == message),
        "{field} said {messages:?}, expected {message:?}"
    );
}

#[track_caller]
fn assert_unauthenticated<T: std::fmt::Debug>(result: Result<T, Error>) {
    assert!(
        matches!(result, Err(Error::Unauthenticated(_))),
        "expected unauthenticated, got {result:?}"
    );
}
