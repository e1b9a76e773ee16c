//! The routes outside the versioned API: the document, its UI, health.

use crate::openapi::{Answer, json};
use crate::reply::Health;
use crate::routes::Verb::Get;
use crate::routes::{E, Op, PUBLIC, Route, route};

/// The routes outside `/api/v1/`: not throttled, no token.
pub(super) static ROUTES: &[Route] = &[
    route(
        Get,
        "/api/schema/",
        E::Schema,
        Op {
            tag: "meta",
            operation_id: "schema",
            summary: "This OpenAPI document.",
            ok: (200, "This OpenAPI 3.1 document.", Answer::Document),
            ..PUBLIC
        },
    ),
    Route {
        tail: true,
        ..route(
            Get,
            "/api/docs/",
            E::Docs,
            Op {
                tag: "meta",
                operation_id: "docs",
                summary: "Swagger UI.",
                ok: (
                    200,
                    "Swagger UI for this document, served from the binary.",
                    Answer::Page,
                ),
                ..PUBLIC
            },
        )
    },
    route(
        Get,
        "/healthz",
        E::Healthz,
        Op {
            tag: "meta",
            operation_id: "healthz",
            summary: "Liveness.",
            ok: (200, "The process runs.", json::<Health>()),
            ..PUBLIC
        },
    ),
    route(
        Get,
        "/readyz",
        E::Readyz,
        Op {
            tag: "meta",
            operation_id: "readyz",
            summary: "Readiness: whether the database answers and takes writes.",
            description: Some(
                "After a write the storage refused (a full disk, a read-only file), not ready until a probe write succeeds.",
            ),
            ok: (
                200,
                "The database answers and takes writes.",
                json::<Health>(),
            ),
            problems: &[(
                503,
                "The database does not answer, or does not take writes.",
            )],
            ..PUBLIC
        },
    ),
];
