//! The event log: a task's history, an organization's activity, and the feed (the cursor API
//! and the event stream on one path).

use flowforge_core::{Event, EventBatch};

use crate::openapi::params::{ActivityFilters, HistoryFilters, events_parameters};
use crate::openapi::{Answer, PathId, list_in_order, page, schema_of};
use crate::routes::Verb::Get;
use crate::routes::{E, Op, Route, SECURED, route};

/// What every member of an organization sees of its log.
const WHO_SEES: &str = "Every member, whatever their role, sees all of the organization's \
    events; nothing of an organization the caller does not (or no longer) belong to.";

/// The `/tasks/{id}/activity/`, `/organizations/{id}/activity/` and `/events/` routes.
pub(super) static ROUTES: &[Route] = &[
    route(
        Get,
        "/api/v1/tasks/{id}/activity/",
        E::TaskActivity,
        Op {
            tag: "events",
            operation_id: "tasks_activity",
            summary: "A task's history, newest first.",
            description: Some(
                "Members. The task's own events and its comments' events, each with who did \
                 it, when, and for an update each changed field's old and new value. A foreign, \
                 deleted or missing task is `404`.",
            ),
            ids: &[PathId::Task],
            query: Some(list_in_order::<HistoryFilters>),
            ok: (
                200,
                "A page of the task's events, newest first.",
                page::<Event>(),
            ),
            ..SECURED
        },
    ),
    route(
        Get,
        "/api/v1/organizations/{id}/activity/",
        E::OrgActivity,
        Op {
            tag: "events",
            operation_id: "organizations_activity",
            summary: "An organization's activity log, newest first.",
            description: Some(WHO_SEES),
            ids: &[PathId::Org],
            query: Some(list_in_order::<ActivityFilters>),
            ok: (
                200,
                "A page of the organization's events, newest first.",
                page::<Event>(),
            ),
            ..SECURED
        },
    ),
    route(
        Get,
        "/api/v1/events/",
        E::Events,
        Op {
            tag: "events",
            operation_id: "events_list",
            summary: "The events of the caller's organizations: a cursor API, or a live stream.",
            description: Some(
                "Any user: the events of every organization they belong to, or of \
                 `organization` alone (one they are not in is `404`), in log order. Access is \
                 checked for every event: once the caller leaves an organization, none of its \
                 events reaches them.\n\n\
                 **JSON** (the default: any `Accept` that does not name `text/event-stream`): \
                 the events after `after` (from the oldest kept event without it), at most \
                 `limit`, and `next`, the cursor to read on from; nothing is skipped or repeated.\n\n\
                 **Server-Sent Events** (`Accept: text/event-stream`): each event as `id:` its \
                 cursor, `event:` its type and `data:` the event as one line of JSON. Without \
                 `Last-Event-ID` the stream is live only; with it, the stream first replays \
                 every event after that one, each exactly once, then goes live. A comment line \
                 `: keep-alive` comes every 15 s (the server's `SSE_KEEPALIVE`); the stream ends \
                 when the caller's account is deactivated, when the access token it was opened \
                 with expires (open it again with a fresh one and `Last-Event-ID`), and when the \
                 server shuts down. A user \
                 holds at most `MAX_STREAMS_PER_USER` streams (5 by default) on one server; one \
                 more is `429`. `after` and `limit` apply to the JSON form only.",
            ),
            query: Some(events_parameters),
            ok: (
                200,
                "JSON: the next events after the cursor. `text/event-stream`: the live stream \
                 (`id:`, `event:`, `data:` per event; `: keep-alive` comments).",
                Answer::Events(schema_of::<EventBatch>()),
            ),
            ..SECURED
        },
    ),
];
