//! The API root and authentication: registration, tokens, the caller's own account.

use flowforge_core::{
    Credentials, NewUser, PasswordChange, RefreshRequest, TokenPair, User, UserPatch,
};

use crate::handlers::ApiRoot;
use crate::openapi::{Answer, json, schema_of};
use crate::routes::Verb::{Get, Patch, Post};
use crate::routes::{E, Op, PUBLIC, Route, SECURED, route};

/// The API root and the `/auth/` routes.
pub(super) static ROUTES: &[Route] = &[
    route(
        Get,
        "/api/v1/",
        E::ApiRoot,
        Op {
            tag: "meta",
            operation_id: "api_root",
            summary: "The API root.",
            description: Some("The collection URLs (like DRF's API root). Needs no token."),
            ok: (200, "The collections.", json::<ApiRoot>()),
            ..PUBLIC
        },
    ),
    route(
        Post,
        "/api/v1/auth/register/",
        E::Register,
        Op {
            tag: "auth",
            operation_id: "auth_register",
            summary: "Register a user.",
            body: Some(schema_of::<NewUser>()),
            ok: (201, "The new user.", json::<User>()),
            problems: &[
                (403, "Registration is turned off."),
                (409, "The email is taken."),
            ],
            ..PUBLIC
        },
    ),
    route(
        Post,
        "/api/v1/auth/login/",
        E::Login,
        Op {
            tag: "auth",
            operation_id: "auth_login",
            summary: "Log in: exchange an email and password for tokens.",
            description: Some("Login attempts are throttled per client address and email."),
            body: Some(schema_of::<Credentials>()),
            ok: (200, "A new token pair.", json::<TokenPair>()),
            problems: &[(
                401,
                "Wrong email or password, or an inactive user (one answer for all).",
            )],
            ..PUBLIC
        },
    ),
    route(
        Post,
        "/api/v1/auth/refresh/",
        E::Refresh,
        Op {
            tag: "auth",
            operation_id: "auth_refresh",
            summary: "Exchange a refresh token for a new pair.",
            description: Some("Rotation: the refresh token presented is revoked."),
            body: Some(schema_of::<RefreshRequest>()),
            ok: (200, "A new token pair.", json::<TokenPair>()),
            problems: &[(401, "The refresh token is invalid, expired or revoked.")],
            ..PUBLIC
        },
    ),
    route(
        Post,
        "/api/v1/auth/logout/",
        E::Logout,
        Op {
            tag: "auth",
            operation_id: "auth_logout",
            summary: "Log out: revoke a refresh token.",
            description: Some(
                "Revokes the refresh token (which is the credential: no access token is needed).",
            ),
            body: Some(schema_of::<RefreshRequest>()),
            ok: (204, "Revoked (also when it already was).", Answer::Empty),
            problems: &[(401, "The refresh token is invalid or expired.")],
            ..PUBLIC
        },
    ),
    route(
        Get,
        "/api/v1/auth/me/",
        E::Me,
        Op {
            tag: "auth",
            operation_id: "auth_me",
            summary: "The caller's own account.",
            ok: (200, "The caller.", json::<User>()),
            ..SECURED
        },
    ),
    route(
        Patch,
        "/api/v1/auth/me/",
        E::UpdateMe,
        Op {
            tag: "auth",
            operation_id: "auth_me_update",
            summary: "Change the caller's own account.",
            body: Some(schema_of::<UserPatch>()),
            ok: (200, "The caller, changed.", json::<User>()),
            ..SECURED
        },
    ),
    route(
        Post,
        "/api/v1/auth/password/",
        E::ChangePassword,
        Op {
            tag: "auth",
            operation_id: "auth_password",
            summary: "Change the caller's password.",
            description: Some("Every refresh token of the user is revoked."),
            body: Some(schema_of::<PasswordChange>()),
            ok: (204, "Changed.", Answer::Empty),
            ..SECURED
        },
    ),
];
