//! The event log over HTTP, as lists: a task's history, an organization's activity and the
//! cursor API (`GET /api/v1/events/` as JSON), for every role, with the isolation rule and the
//! filters' errors.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::isolation::assert_indistinguishable;
use crate::support::{Api, Resp, TestApp, World, missing_id, project_and_task, unique};

/// The types of a page's events, in order.
fn types(page: &Value) -> Vec<&str> {
    page["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|e| e["type"].as_str().expect("a type"))
        .collect()
}

/// Every event of the cursor API after `after` (of `organization` if given), read `limit` at a
/// time; returns the events and the last `next`.
async fn read_all(
    api: &Api,
    organization: Option<&str>,
    mut after: Option<String>,
    limit: usize,
) -> (Vec<Value>, Option<String>) {
    let mut events = Vec::new();
    loop {
        let mut path = format!("/api/v1/events/?limit={limit}");
        if let Some(org) = organization {
            path.push_str(&format!("&organization={org}"));
        }
        if let Some(after) = &after {
            path.push_str(&format!("&after={after}"));
        }
        let batch = api.get(&path).await.expect(StatusCode::OK);
        let results = batch.json["results"].as_array().expect("results").clone();
        let done = results.len() < limit;
        events.extend(results);
        after = batch.json["next"].as_str().map(str::to_owned);
        if done {
            return (events, after);
        }
    }
}

/// The first page of the cursor form at `path`, once it holds an event: on PostgreSQL an event
/// is handed out once every transaction older than it has ended, and the other tests'
/// transactions can hold it back for a moment (30 s at most here).
async fn first_events(api: &Api, path: &str) -> Resp {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let batch = api.get(path).await.expect(StatusCode::OK);
        let empty = batch.json["results"]
            .as_array()
            .is_some_and(|results| results.is_empty());
        if !empty || Instant::now() > deadline {
            return batch;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn every_role_reads_the_activity_and_the_feed_of_its_organization() {
    let w = World::get();
    let task_activity = format!("/api/v1/tasks/{}/activity/", w.task);
    let org_activity = format!("/api/v1/organizations/{}/activity/", w.org);
    let feed = format!("/api/v1/events/?organization={}", w.org);
    for api in [w.owner(), w.admin(), w.member(), w.viewer()] {
        let history = api.get(&task_activity).await.expect(StatusCode::OK);
        assert!(
            types(&history.json).contains(&"task.created"),
            "{}",
            history.text
        );
        let log = api
            .get(&format!(
                "{org_activity}?type=organization.created,member.added"
            ))
            .await
            .expect(StatusCode::OK);
        let sequences: Vec<u64> = log.json["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["sequence"].as_u64().unwrap())
            .collect();
        assert!(sequences.windows(2).all(|w| w[0] > w[1]), "newest first");
        // Membership changes of other users are the organization's, seen by every role.
        assert_eq!(
            types(&log.json),
            ["member.added"; 4]
                .into_iter()
                .chain(["organization.created"])
                .collect::<Vec<_>>(),
            "{}",
            log.text
        );
        let batch = first_events(&api, &feed).await;
        assert_eq!(batch.json["results"][0]["type"], "organization.created");
        assert!(batch.json["next"].is_string());
        assert!(
            batch.json["results"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["organization"] == w.org.as_str())
        );
    }
    // The outsider: 404 where the organization is named, nothing of it in the feed.
    let outsider = w.outsider();
    for path in [&task_activity, &org_activity, &feed] {
        outsider
            .get(path)
            .await
            .problem(StatusCode::NOT_FOUND, path.split('?').next().unwrap());
    }
    let (theirs, _) = read_all(&outsider, None, None, 1000).await;
    assert!(!theirs.is_empty());
    assert!(
        theirs
            .iter()
            .all(|e| e["organization"] == w.foreign_org.as_str())
    );
    // No token: 401 everywhere.
    for path in [&task_activity, &org_activity, &feed] {
        let resp = w.anon().get(path).await.expect(StatusCode::UNAUTHORIZED);
        assert_eq!(resp.header("www-authenticate"), "Bearer");
    }
}

#[tokio::test]
async fn foreign_task_and_organization_activity_answers_like_missing_ones() {
    let w = World::get();
    for api in [w.owner(), w.viewer()] {
        for (template, foreign) in [
            ("/api/v1/tasks/{}/activity/", &w.foreign_task),
            ("/api/v1/organizations/{}/activity/", &w.foreign_org),
            ("/api/v1/events/?organization={}", &w.foreign_org),
        ] {
            assert_indistinguishable(
                &api,
                Method::GET,
                template,
                foreign,
                None,
                StatusCode::NOT_FOUND,
            )
            .await;
        }
    }
    // A foreign id in a filter matches nothing, like one that names nothing.
    let filters = format!("/api/v1/organizations/{}/activity/?", w.org);
    for (name, foreign) in [
        ("project", &w.foreign_project),
        ("task", &w.foreign_task),
        ("actor", &w.outsider.id),
    ] {
        let template = format!("{filters}{name}={{}}");
        let resp = assert_indistinguishable(
            &w.member(),
            Method::GET,
            &template,
            foreign,
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            resp.json,
            json!({"count": 0, "next": null, "previous": null, "results": []})
        );
    }
}

#[tokio::test]
async fn a_tasks_history_is_newest_first_with_old_and_new_values_and_ends_with_the_task() {
    let w = World::get();
    let api = w.member();
    let (_, task) = project_and_task(&w.admin(), &w.org, &unique("History")).await;
    let path = format!("/api/v1/tasks/{task}/");
    api.patch(
        &path,
        json!({"title": "Renamed", "assigned_to": w.member.id}),
    )
    .await
    .expect(StatusCode::OK);
    api.patch(&path, json!({"title": "Renamed"}))
        .await
        .expect(StatusCode::OK);
    let comment = api
        .post(&format!("{path}comments/"), json!({"body": "On it."}))
        .await
        .expect(StatusCode::CREATED)
        .id();
    let history = api
        .get(&format!("{path}activity/"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        history.json["count"], 3,
        "a patch that changed nothing is no event"
    );
    assert_eq!(
        types(&history.json),
        ["comment.created", "task.updated", "task.created"]
    );
    // A comment's event carries its task and project.
    let on_comment = &history.json["results"][0];
    assert_eq!(on_comment["comment"], comment.as_str());
    assert_eq!(on_comment["task"], task.as_str());
    assert!(on_comment["project"].is_string());
    let update = &history.json["results"][1];
    assert_eq!(update["actor"], w.member.id.as_str());
    assert_eq!(update["task"], task.as_str());
    assert_eq!(update["changes"]["title"]["new"], "Renamed");
    assert!(
        update["changes"]["title"]["old"]
            .as_str()
            .unwrap()
            .starts_with("History")
    );
    assert_eq!(
        update["changes"]["assigned_to"],
        json!({"old": null, "new": w.member.id})
    );
    let keys: HashSet<&str> = update
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let wanted = [
        "id",
        "organization",
        "sequence",
        "type",
        "actor",
        "created_at",
        "project",
        "task",
        "comment",
        "user",
        "changes",
    ];
    assert_eq!(keys, wanted.into_iter().collect());
    // A page past the end, and the history of a deleted task, are 404.
    api.get(&format!("{path}activity/?page=2"))
        .await
        .expect(StatusCode::NOT_FOUND);
    w.admin().delete(&path).await.expect(StatusCode::NO_CONTENT);
    let gone = format!("{path}activity/");
    api.get(&gone).await.problem(StatusCode::NOT_FOUND, &gone);
}

#[tokio::test]
async fn activity_filters_narrow_the_log_and_bad_values_are_400_naming_them() {
    let w = World::get();
    let api = w.viewer();
    let log = format!("/api/v1/organizations/{}/activity/", w.org);
    let created = api
        .get(&format!(
            "{log}?type=task.created,project.created&page_size=100"
        ))
        .await
        .expect(StatusCode::OK);
    let kinds: HashSet<&str> = types(&created.json).into_iter().collect();
    assert_eq!(kinds, HashSet::from(["task.created", "project.created"]));
    let by_task = api
        .get(&format!("{log}?task={}", w.task))
        .await
        .expect(StatusCode::OK);
    assert!(
        by_task.json["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["task"] == w.task.as_str())
    );
    let by_owner = api
        .get(&format!(
            "{log}?actor={}&type=organization.created",
            w.owner.id
        ))
        .await
        .expect(StatusCode::OK);
    assert_eq!(by_owner.json["count"], 1);
    // since/until are inclusive: the organization's creation time bounds exactly its events
    // of that instant.
    let at = by_owner.json["results"][0]["created_at"]
        .as_str()
        .unwrap()
        .to_owned();
    let window = api
        .get(&format!(
            "{log}?since={at}&until={at}&type=organization.created"
        ))
        .await
        .expect(StatusCode::OK);
    assert_eq!(window.json["count"], 1);
    let after = api
        .get(&format!("{log}?since=2999-01-01T00:00:00Z"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(after.json["count"], 0);
    // Blank filters are ignored, as on every list (other tests write here meanwhile: the
    // count is of a type no other test writes).
    let blank = api
        .get(&format!(
            "{log}?since=&until=&type=&type=organization.created&task="
        ))
        .await
        .expect(StatusCode::OK);
    assert_eq!(blank.json["count"], 1, "{}", blank.text);
    for (query, field) in [
        ("type=task.exploded", "type"),
        ("since=yesterday", "since"),
        ("until=2026-13-01T00:00:00Z", "until"),
        ("project=nope", "project"),
        ("actor=me", "actor"),
        ("page_size=0", "page_size"),
    ] {
        let resp = api
            .get(&format!("{log}?{query}"))
            .await
            .problem(StatusCode::BAD_REQUEST, &log);
        assert!(
            resp.json["errors"][field].is_array(),
            "{query}: {}",
            resp.text
        );
    }
    let history = format!("/api/v1/tasks/{}/activity/", w.task);
    api.get(&format!("{history}?page=0"))
        .await
        .problem(StatusCode::NOT_FOUND, &history);
}

#[tokio::test]
async fn the_cursor_api_clamps_its_limit_and_refuses_bad_values_naming_them() {
    let w = World::get();
    let api = w.member();
    let feed = "/api/v1/events/";
    let clamped = api
        .get(&format!("{feed}?limit=5000"))
        .await
        .expect(StatusCode::OK);
    assert!(clamped.json["results"].as_array().unwrap().len() <= 1000);
    let one = api
        .get(&format!("{feed}?limit=1"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(one.json["results"].as_array().unwrap().len(), 1);
    assert_eq!(one.json["next"], one.json["results"][0]["id"]);
    for (query, field) in [
        ("after=zz", "after"),
        ("after=0000000000000000000000000000002A", "after"),
        ("limit=0", "limit"),
        ("limit=ten", "limit"),
        ("organization=acme", "organization"),
    ] {
        let resp = api
            .get(&format!("{feed}?{query}"))
            .await
            .problem(StatusCode::BAD_REQUEST, feed);
        assert!(
            resp.json["errors"][field].is_array(),
            "{query}: {}",
            resp.text
        );
    }
    // Only the stream resumes from Last-Event-ID, but a value that is not a cursor is refused
    // in either form.
    let resp = crate::support::send(api.request(Method::GET, feed).header("last-event-id", "42"))
        .await
        .problem(StatusCode::BAD_REQUEST, feed);
    assert!(
        resp.json["errors"]["Last-Event-ID"].is_array(),
        "{}",
        resp.text
    );
    let missing = missing_id();
    let path = format!("{feed}?organization={missing}");
    api.get(&path).await.problem(StatusCode::NOT_FOUND, feed);
}

#[tokio::test]
async fn the_cursor_api_pages_through_every_event_exactly_once_while_writes_happen() {
    let app = TestApp::spawn(&[]).await;
    let owner = app.account("owner@cursor.test").await;
    let api = app.with_token(&owner.access);
    let org = api
        .post("/api/v1/organizations/", json!({"name": "Cursor"}))
        .await
        .expect(StatusCode::CREATED)
        .id();
    let (project, _) = project_and_task(&api, &org, "Writes").await;
    let writer = {
        let api = api.clone();
        tokio::spawn(async move {
            for n in 0..40 {
                let task = api
                    .post(
                        "/api/v1/tasks/",
                        json!({"project": project, "title": format!("t{n}")}),
                    )
                    .await
                    .expect(StatusCode::CREATED)
                    .id();
                api.patch(&format!("/api/v1/tasks/{task}/"), json!({"status": "done"}))
                    .await
                    .expect(StatusCode::OK);
            }
        })
    };
    // Read while the writer writes, a few events at a time, from the start of the log.
    let mut seen: Vec<Value> = Vec::new();
    let mut after: Option<String> = None;
    let mut writing = true;
    while writing {
        writing = !writer.is_finished();
        let (batch, next) = read_all(&api, Some(&org), after.clone(), 3).await;
        seen.extend(batch);
        after = next.or(after);
    }
    writer.await.expect("the writer did not panic");
    // On PostgreSQL the cursor form hands out an event once every transaction older than it has
    // ended (so none can later appear behind it), and the other tests' transactions running
    // beside this one can hold the last events back for a moment: read until they come.
    let logged = 2 + 2 + 80;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (rest, next) = read_all(&api, Some(&org), after.clone(), 3).await;
        seen.extend(rest);
        after = next.or(after);
        if seen.len() >= logged || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Exactly the organization's log: 1, 2, 3, ... with nothing twice or skipped.
    let sequences: Vec<u64> = seen
        .iter()
        .map(|e| e["sequence"].as_u64().unwrap())
        .collect();
    let total = sequences.len() as u64;
    assert_eq!(sequences, (1..=total).collect::<Vec<_>>());
    let log = api
        .get(&format!(
            "/api/v1/organizations/{org}/activity/?page_size=1"
        ))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        log.json["count"], total,
        "the activity log holds what the feed gave"
    );
    assert_eq!(
        total, logged as u64,
        "organization, project and task, then 40 creates and patches"
    );
    let ids: HashSet<&str> = seen.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len() as u64, total);
    app.stop().await;
}
