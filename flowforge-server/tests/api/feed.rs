//! The live feed: `GET /api/v1/events/` as Server-Sent Events, read from the raw stream. Live
//! events in the wire format, resuming with `Last-Event-ID` after a client is cut off, access
//! checked per event, the per-user cap, keep-alives, and the end of every stream at shutdown.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::isolation::stable_headers;
use crate::support::{Account, Api, Sse, SseStream, TestApp, World, missing_id, send};

const FEED: &str = "/api/v1/events/";

/// An organization of `api`'s user with a project; returns both ids.
async fn org_with_project(api: &Api, name: &str) -> (String, String) {
    let org = api
        .post("/api/v1/organizations/", json!({"name": name}))
        .await
        .expect(StatusCode::CREATED)
        .id();
    let project = api
        .post(
            "/api/v1/projects/",
            json!({"organization": org, "name": "Board"}),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    (org, project)
}

/// Creates a task titled `title`; returns its id.
async fn task(api: &Api, project: &str, title: &str) -> String {
    api.post(
        "/api/v1/tasks/",
        json!({"project": project, "title": title}),
    )
    .await
    .expect(StatusCode::CREATED)
    .id()
}

/// Adds `account` to `org` with `role`.
async fn add(api: &Api, org: &str, account: &Account, role: &str) {
    api.post(
        &format!("/api/v1/organizations/{org}/members/"),
        json!({"email": account.email, "role": role}),
    )
    .await
    .expect(StatusCode::CREATED);
}

/// The position of `org`'s newest event, from its activity (newest first). Not the cursor API's
/// `next`: on PostgreSQL that stays behind events whose transactions began before another
/// still running (another test's), so a replay from it could hold events written before.
async fn head(api: &Api, org: &str) -> String {
    let newest = api
        .get(&format!(
            "/api/v1/organizations/{org}/activity/?page_size=1"
        ))
        .await
        .expect(StatusCode::OK);
    newest.json["results"][0]["id"]
        .as_str()
        .expect("the organization has events")
        .to_owned()
}

/// The events of `org` after `after`, from the cursor API.
async fn events_after(api: &Api, org: &str, after: &str) -> Vec<Value> {
    let path = format!("{FEED}?organization={org}&after={after}&limit=1000");
    let batch = api.get(&path).await.expect(StatusCode::OK);
    batch.json["results"].as_array().unwrap().clone()
}

/// Reads events until one satisfies `stop`; returns all of them, that one included.
async fn until(stream: &mut SseStream, stop: impl Fn(&str, &Value) -> bool) -> Vec<Value> {
    let mut events = Vec::new();
    loop {
        let (id, kind, data) = stream.next_event().await;
        assert_eq!(data["id"], id.as_str(), "id: is the event's cursor");
        assert_eq!(data["type"], kind.as_str(), "event: is its type");
        let last = stop(&kind, &data);
        events.push(data);
        if last {
            return events;
        }
    }
}

/// Whether the event is the creation of the task `task_id`.
fn created(kind: &str, data: &Value, task_id: &str) -> bool {
    kind == "task.created" && data["task"] == task_id
}

#[tokio::test]
async fn a_stream_carries_each_live_event_as_id_type_and_one_line_of_json() {
    let app = TestApp::spawn(&[]).await;
    let ann = app.account("ann@feed.test").await;
    let api = app.with_token(&ann.access);
    let (org, project) = org_with_project(&api, "Live").await;
    let mut stream = SseStream::opened(&api, FEED, None).await;
    assert_eq!(stream.headers["content-type"], "text/event-stream");
    assert_eq!(stream.headers["cache-control"], "no-cache");
    assert!(stream.headers.contains_key("x-request-id"));
    // Live only: what was written before the stream opened is not replayed.
    let first = task(&api, &project, "first").await;
    let (id, kind, data) = stream.next_event().await;
    assert_eq!(
        (kind.as_str(), &data["task"]),
        ("task.created", &json!(first))
    );
    assert_eq!(data["id"], id.as_str());
    assert_eq!(data["organization"], org.as_str());
    assert_eq!(data["actor"], ann.id.as_str());
    // A new organization of the user joins the stream from its very first event.
    let other = api
        .post("/api/v1/organizations/", json!({"name": "Live too"}))
        .await
        .expect(StatusCode::CREATED)
        .id();
    let mut kinds = Vec::new();
    for _ in 0..2 {
        let (_, kind, data) = stream.next_event().await;
        assert_eq!(data["organization"], other.as_str());
        kinds.push(kind);
    }
    assert_eq!(kinds, ["organization.created", "member.added"]);
    // The stream carries exactly what the cursor API has after its first event.
    let changed = api
        .patch(
            &format!("/api/v1/tasks/{first}/"),
            json!({"priority": "high"}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(changed.json["priority"], "high");
    let (_, kind, data) = stream.next_event().await;
    assert_eq!(kind, "task.updated");
    assert_eq!(
        data["changes"],
        json!({"priority": {"old": "medium", "new": "high"}})
    );
    assert_eq!(events_after(&api, &org, &id).await, [data]);
    app.stop().await;
}

#[tokio::test]
async fn a_client_cut_off_and_resuming_with_last_event_id_gets_every_event_exactly_once() {
    let app = TestApp::spawn(&[]).await;
    let ann = app.account("ann@resume.test").await;
    let api = app.with_token(&ann.access);
    let (org, project) = org_with_project(&api, "Resume").await;
    let start = head(&api, &org).await;
    // A stream of writes, while the client is cut off and comes back three times.
    let writer = {
        let (api, project) = (api.clone(), project.clone());
        tokio::spawn(async move {
            for n in 0..60 {
                let id = task(&api, &project, &format!("w{n}")).await;
                api.patch(
                    &format!("/api/v1/tasks/{id}/"),
                    json!({"status": "in_progress"}),
                )
                .await
                .expect(StatusCode::OK);
            }
        })
    };
    let mut seen: Vec<Value> = Vec::new();
    let mut last = start.clone();
    for cut in 0..3 {
        let mut stream =
            SseStream::opened(&api, &format!("{FEED}?organization={org}"), Some(&last)).await;
        for _ in 0..7 {
            let (id, _, data) = stream.next_event().await;
            assert_eq!(data["id"], id.as_str());
            seen.push(data);
            last = id;
        }
        // Killed mid-stream: the connection is dropped, and writes go on meanwhile.
        drop(stream);
        task(&api, &project, &format!("while away {cut}")).await;
    }
    writer.await.expect("the writer did not panic");
    let marker = task(&api, &project, "marker").await;
    let mut stream =
        SseStream::opened(&api, &format!("{FEED}?organization={org}"), Some(&last)).await;
    seen.extend(until(&mut stream, |kind, data| created(kind, data, &marker)).await);
    // Exactly the log after the start, in its order: nothing lost, nothing twice.
    let expected = events_after(&api, &org, &start).await;
    assert_eq!(expected.len(), 60 * 2 + 3 + 1);
    let ids = |events: &[Value]| -> Vec<String> {
        events
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&seen), ids(&expected));
    assert_eq!(seen, expected, "the same data live and replayed");
    app.stop().await;
}

/// A replay of more events than one chunk (and one read of the log) comes at once, not a
/// chunk per keep-alive: the keep-alive here is longer than the read limit of the test's client.
#[tokio::test]
async fn a_long_replay_arrives_without_waiting_for_keep_alives() {
    let app = TestApp::spawn(&["--sse-keepalive", "120s"]).await;
    let ann = app.account("ann@replay.test").await;
    let api = app.with_token(&ann.access);
    let (org, project) = org_with_project(&api, "Replay").await;
    let start = head(&api, &org).await;
    for n in 0..700 {
        task(&api, &project, &format!("t{n}")).await;
    }
    let marker = task(&api, &project, "marker").await;
    let mut stream =
        SseStream::opened(&api, &format!("{FEED}?organization={org}"), Some(&start)).await;
    let seen = until(&mut stream, |kind, data| created(kind, data, &marker)).await;
    let expected = events_after(&api, &org, &start).await;
    assert_eq!(
        expected.len(),
        701,
        "the log holds the 701 creations after the start"
    );
    assert_eq!(
        seen, expected,
        "the replay is the log after the start, each event once"
    );
    app.stop().await;
}

/// A stream ends when the access token it was opened with expires (the client opens it again
/// with a fresh token and `Last-Event-ID`), not at the next keep-alive, which here is far off.
#[tokio::test]
async fn a_stream_ends_when_its_access_token_expires() {
    let app = TestApp::spawn(&["--sse-keepalive", "120s", "--access-token-ttl", "5s"]).await;
    let ann = app.account("ann@expiry.test").await;
    let api = app.with_token(&ann.access);
    let mut stream = SseStream::opened(&api, FEED, None).await;
    let org = api
        .post("/api/v1/organizations/", json!({"name": "Brief"}))
        .await
        .expect(StatusCode::CREATED)
        .id();
    let (_, kind, data) = stream.next_event().await;
    assert_eq!(
        (kind.as_str(), &data["organization"]),
        ("organization.created", &json!(org))
    );
    loop {
        match stream.next().await {
            None => break,
            Some(Sse::Event { event, .. }) => assert_eq!(event, "member.added"),
            Some(Sse::Comment(text)) => panic!("no keep-alive is due: {text}"),
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn a_removed_members_stream_stops_carrying_the_organization_at_once() {
    let app = TestApp::spawn(&[]).await;
    let (owner, gone, stays) = tokio::join!(
        app.account("owner@removed.test"),
        app.account("gone@removed.test"),
        app.account("stays@removed.test"),
    );
    let (as_owner, as_gone, as_stays) = (
        app.with_token(&owner.access),
        app.with_token(&gone.access),
        app.with_token(&stays.access),
    );
    let (org, project) = org_with_project(&as_owner, "Shared").await;
    add(&as_owner, &org, &gone, "member").await;
    add(&as_owner, &org, &stays, "viewer").await;
    let (_, own_project) = org_with_project(&as_gone, "Gone's own").await;
    let mut gone_stream = SseStream::opened(&as_gone, FEED, None).await;
    let mut stays_stream = SseStream::opened(&as_stays, FEED, None).await;
    let before = task(&as_owner, &project, "before").await;
    let mut seen_before = String::new();
    for stream in [&mut gone_stream, &mut stays_stream] {
        let (id, _, data) = stream.next_event().await;
        assert_eq!(
            data["task"],
            before.as_str(),
            "both follow the organization"
        );
        seen_before = id;
    }
    as_owner
        .delete(&format!("/api/v1/organizations/{org}/members/{}/", gone.id))
        .await
        .expect(StatusCode::NO_CONTENT);
    let after = task(&as_owner, &project, "after").await;
    // The other member sees the removal and what follows.
    let (_, kind, data) = stays_stream.next_event().await;
    assert_eq!(
        (kind.as_str(), &data["user"]),
        ("member.removed", &json!(gone.id))
    );
    let (_, _, data) = stays_stream.next_event().await;
    assert_eq!(data["task"], after.as_str());
    // The removed member: nothing of the organization, up to a write of their own that
    // committed after it.
    let marker = task(&as_gone, &own_project, "marker").await;
    let (_, kind, data) = gone_stream.next_event().await;
    assert_eq!(kind, "task.created");
    assert_eq!(
        data["task"],
        marker.as_str(),
        "nothing of {org} came first: {data}"
    );
    // Nor does a stream that resumes from before the removal replay any of it.
    let mut resumed = SseStream::opened(&as_gone, FEED, Some(&seen_before)).await;
    let (_, _, data) = resumed.next_event().await;
    assert_eq!(
        data["task"],
        marker.as_str(),
        "nothing of {org} replayed: {data}"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_streams_of_one_user_are_capped_and_a_dropped_one_frees_its_place() {
    let app = TestApp::spawn(&["--max-streams-per-user", "2"]).await;
    let (ann, bob) = tokio::join!(app.account("ann@cap.test"), app.account("bob@cap.test"));
    let (as_ann, as_bob) = (app.with_token(&ann.access), app.with_token(&bob.access));
    let first = SseStream::opened(&as_ann, FEED, None).await;
    let _second = SseStream::opened(&as_ann, FEED, None).await;
    let refused = match SseStream::open(&as_ann, FEED, None).await {
        Err(resp) => resp.problem(StatusCode::TOO_MANY_REQUESTS, FEED),
        Ok(_) => panic!("a third stream opened past the cap of 2"),
    };
    assert!(refused.header("retry-after").parse::<u64>().is_ok());
    // The JSON form is not a stream, and another user has a cap of their own.
    as_ann.get(FEED).await.expect(StatusCode::OK);
    let _bobs = SseStream::opened(&as_bob, FEED, None).await;
    // The client goes away: the server notices and gives the place back.
    drop(first);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let _third = loop {
        match SseStream::open(&as_ann, FEED, None).await {
            Ok(stream) => break stream,
            Err(resp) => {
                assert_eq!(resp.status, StatusCode::TOO_MANY_REQUESTS, "{}", resp.text);
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "the place never came back"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    app.stop().await;
}

#[tokio::test]
async fn an_idle_stream_gets_keep_alive_comments_and_ends_when_its_user_is_deactivated() {
    let app = TestApp::spawn(&["--sse-keepalive", "1s"]).await;
    let ann = app.account("ann@idle.test").await;
    let mut stream = SseStream::opened(&app.with_token(&ann.access), FEED, None).await;
    assert_eq!(stream.next().await, Some(Sse::Comment("keep-alive".into())));
    assert_eq!(stream.next().await, Some(Sse::Comment("keep-alive".into())));
    let ff = std::sync::Arc::clone(&app.ff);
    let user: flowforge_core::UserId = ann.id.parse::<uuid::Uuid>().unwrap().into();
    tokio::task::spawn_blocking(move || ff.admin().set_active(user, false))
        .await
        .unwrap()
        .expect("deactivated");
    // At the next keep-alive the stream sees the user may no longer follow the log: it ends
    // cleanly (a keep-alive already on its way may come first).
    let end = async {
        loop {
            match stream.next().await {
                None => break,
                Some(Sse::Comment(text)) => assert_eq!(text, "keep-alive"),
                Some(other) => panic!("{other:?}"),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), end)
        .await
        .expect("the stream ends");
    app.stop().await;
}

#[tokio::test]
async fn shutdown_ends_every_open_stream_cleanly() {
    let app = TestApp::spawn(&[]).await;
    let ann = app.account("ann@shutdown.test").await;
    let api = app.with_token(&ann.access);
    let mut streams = Vec::new();
    for _ in 0..3 {
        streams.push(SseStream::opened(&api, FEED, None).await);
    }
    // With the default grace of 10 s, a server that waited for its streams would cut them
    // off mid-chunk (a read error here) or never end them (the reads' limit).
    let stop = tokio::spawn(app.stop());
    for stream in &mut streams {
        assert_eq!(stream.next().await, None, "the stream ends cleanly");
    }
    stop.await.expect("the server stops");
}

#[tokio::test]
async fn opening_a_stream_checks_the_token_the_organization_and_last_event_id() {
    let w = World::get();
    for api in [w.owner(), w.admin(), w.member(), w.viewer()] {
        SseStream::opened(&api, &format!("{FEED}?organization={}", w.org), None).await;
    }
    let no_token = SseStream::open(&w.anon(), FEED, None)
        .await
        .err()
        .expect("refused");
    assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);
    // A foreign organization answers like a missing one, byte for byte.
    let open = |org: String| async move {
        SseStream::open(&w.member(), &format!("{FEED}?organization={org}"), None)
            .await
            .err()
            .expect("refused")
    };
    let missing = missing_id();
    let (foreign, absent) = (
        open(w.foreign_org.clone()).await,
        open(missing.clone()).await,
    );
    let foreign = foreign.problem(StatusCode::NOT_FOUND, FEED);
    assert_eq!(foreign.text, absent.text);
    assert_eq!(stable_headers(&foreign), stable_headers(&absent));
    let bad = SseStream::open(&w.member(), FEED, Some("not-a-cursor"))
        .await
        .err()
        .expect("refused")
        .problem(StatusCode::BAD_REQUEST, FEED);
    assert!(
        bad.json["errors"]["Last-Event-ID"].is_array(),
        "{}",
        bad.text
    );
    // HEAD answers as the JSON form's GET, whatever Accept says, and never streams.
    let head = send(
        w.member()
            .request(Method::HEAD, FEED)
            .header("accept", "text/event-stream"),
    )
    .await
    .expect(StatusCode::OK);
    assert!(head.header("content-type").starts_with("application/json"));
    assert!(head.text.is_empty());
}
