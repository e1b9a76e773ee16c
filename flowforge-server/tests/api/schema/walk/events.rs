//! The walk's event log: a task's history, the organization's activity and the cursor API
//! (the JSON form of `/events/`; the stream is `feed.rs`'s).

use reqwest::Method as M;
use reqwest::StatusCode;
use serde_json::json;

use super::super::checker::Checker;
use super::{TASKS, Users};

const TASK_ACTIVITY: &str = "/api/v1/tasks/{id}/activity/";
const ORG_ACTIVITY: &str = "/api/v1/organizations/{id}/activity/";
const EVENTS: &str = "/api/v1/events/";

/// Reads the log of `org` after a task of `project` is created and changed.
pub async fn events(c: &mut Checker, users: &Users, org: &str, project: &str, missing: &str) {
    let (a, _, cr) = users.tokens();
    let task = c
        .call(
            M::POST,
            TASKS,
            TASKS,
            a,
            Some(json!({"project": project, "title": "Logged"})),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    c.call(
        M::PATCH,
        "/api/v1/tasks/{id}/",
        &format!("{TASKS}{task}/"),
        a,
        Some(json!({"status": "done", "assigned_to": users.ada.id})),
    )
    .await
    .expect(StatusCode::OK);

    let history = format!("{TASKS}{task}/activity/");
    let page = c
        .call(M::GET, TASK_ACTIVITY, &history, cr, None)
        .await
        .expect(StatusCode::OK);
    assert_eq!(page.json["count"], 2, "{}", page.text);
    for (path, status) in [
        (format!("{history}?page=9"), StatusCode::NOT_FOUND),
        (format!("{TASKS}{missing}/activity/"), StatusCode::NOT_FOUND),
        (format!("{history}?page_size=0"), StatusCode::BAD_REQUEST),
    ] {
        c.call(M::GET, TASK_ACTIVITY, &path, cr, None)
            .await
            .expect(status);
    }
    c.call(M::GET, TASK_ACTIVITY, &history, None, None)
        .await
        .expect(StatusCode::UNAUTHORIZED);

    let log = format!("/api/v1/organizations/{org}/activity/");
    for (query, status) in [
        ("", StatusCode::OK),
        (
            "?type=task.updated&since=2000-01-01T00:00:00Z",
            StatusCode::OK,
        ),
        ("?type=task.exploded", StatusCode::BAD_REQUEST),
        ("?until=today", StatusCode::BAD_REQUEST),
        ("?page=99", StatusCode::NOT_FOUND),
    ] {
        c.call(M::GET, ORG_ACTIVITY, &format!("{log}{query}"), cr, None)
            .await
            .expect(status);
    }
    let filtered = c
        .call(M::GET, ORG_ACTIVITY, &format!("{log}?task={task}"), a, None)
        .await
        .expect(StatusCode::OK);
    assert_eq!(filtered.json["count"], 2, "{}", filtered.text);

    let batch = c
        .call(M::GET, EVENTS, &format!("{EVENTS}?limit=2"), cr, None)
        .await
        .expect(StatusCode::OK);
    let next = batch.json["next"].as_str().expect("a cursor").to_owned();
    for (query, status) in [
        (format!("?after={next}&organization={org}"), StatusCode::OK),
        (format!("?organization={missing}"), StatusCode::NOT_FOUND),
        ("?after=nope".to_owned(), StatusCode::BAD_REQUEST),
    ] {
        c.call(M::GET, EVENTS, &format!("{EVENTS}{query}"), cr, None)
            .await
            .expect(status);
    }
}
