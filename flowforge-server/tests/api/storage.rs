//! A storage that cannot take writes, over HTTP: the server's SQLite database capped at its size
//! (the core's `limit_sqlite_pages` fixture, under which SQLite answers `SQLITE_FULL` exactly as
//! on a full disk) answers writes `503` with `Retry-After`, reads as usual, `/readyz` `503`; once
//! room returns, `/readyz` is `200` again without any client write, and writes succeed.
//! (A real full filesystem is exercised by hand: RELIABILITY.md, "Disk full".)

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{TestApp, project_and_task};

#[tokio::test]
async fn a_full_database_answers_503_with_retry_after_and_is_unready_until_room_returns() {
    let app = TestApp::spawn(&[]).await;
    let owner = app.account("full@storage.test").await;
    let api = app.with_token(&owner.access);
    let org = api
        .post("/api/v1/organizations/", json!({"name": "Full Disk"}))
        .await
        .expect(StatusCode::CREATED)
        .id();
    let (project, _) = project_and_task(&api, &org, "Filling").await;
    let path = "/api/v1/tasks/";
    let create = |n: usize| {
        let api = api.clone();
        let body = json!({
            "project": project,
            "title": format!("Task {n}"),
            "description": format!("{n} ").repeat(400),
        });
        async move { api.post(path, body).await }
    };
    app.anon().get("/readyz").await.expect(StatusCode::OK);

    app.ff.limit_sqlite_pages(Some(1));
    let mut created = 1;
    let refused = loop {
        let answer = create(created).await;
        if answer.status != StatusCode::CREATED {
            break answer;
        }
        created += 1;
        assert!(created < 1000, "the capped database never filled");
    };
    let refused = refused.problem(StatusCode::SERVICE_UNAVAILABLE, path);
    assert_eq!(refused.header("retry-after"), "30");
    assert_eq!(
        refused.json["detail"],
        "The service cannot store changes right now; try again later."
    );
    let listed = api.get(path).await.expect(StatusCode::OK);
    assert_eq!(
        listed.json["count"], created,
        "the refused write left nothing"
    );
    app.anon()
        .get("/readyz")
        .await
        .problem(StatusCode::SERVICE_UNAVAILABLE, "/readyz");
    app.anon().get("/healthz").await.expect(StatusCode::OK);

    // Room returns: ready again before any client writes, and writes succeed.
    app.ff.limit_sqlite_pages(None);
    let ready = app.anon().get("/readyz").await.expect(StatusCode::OK);
    assert_eq!(ready.json["status"], "ready");
    create(created).await.expect(StatusCode::CREATED);
    let listed = api.get(path).await.expect(StatusCode::OK);
    assert_eq!(listed.json["count"], created + 1);
}
