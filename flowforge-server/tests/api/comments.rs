//! Comments over HTTP: the role matrix of every comment route, the comment's shape and its
//! mentions, the list's envelope and order, the bodies refused (unknown, read-only and bad
//! fields; lengths are the schema tests', as the shared world takes bodies of 1 KiB at most),
//! archived projects, and `PUT` (405). Each test comments on a task of its own in the shared
//! world.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Api, World, send, unique};

/// A new task in the shared world's project, by the owner; returns its comments' path.
async fn new_task(w: &World) -> String {
    let task = w
        .owner()
        .post(
            "/api/v1/tasks/",
            json!({"project": w.project, "title": unique("Discussed")}),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    format!("/api/v1/tasks/{task}/comments/")
}

/// Posts a comment saying `body` to `comments` as `api`; returns its path.
async fn comment(api: &Api, comments: &str, body: &str) -> String {
    let id = api
        .post(comments, json!({"body": body}))
        .await
        .expect(StatusCode::CREATED)
        .id();
    format!("{comments}{id}/")
}

/// Sorted keys of a JSON object.
fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

/// An operation of the matrix: given the clients of the world and a fresh task's comments path
/// with a comment by each of the member, the owner and the admin, the request to send.
#[derive(Clone, Copy)]
enum Op {
    List,
    Create,
    Read,
    EditMembers,
    EditOwners,
    DeleteMembers,
    DeleteOwners,
    DeleteAdmins,
}

#[tokio::test]
async fn role_matrix_of_the_comment_routes() {
    use StatusCode as S;
    const OK: S = S::OK;
    const NEW: S = S::CREATED;
    const GONE: S = S::NO_CONTENT;
    const NO: S = S::FORBIDDEN;
    const NF: S = S::NOT_FOUND;
    let w = World::get();
    // Owner, admin, member, viewer, outsider.
    let table: [(Op, [S; 5]); 8] = [
        (Op::List, [OK, OK, OK, OK, NF]),
        (Op::Create, [NEW, NEW, NEW, NO, NF]),
        (Op::Read, [OK, OK, OK, OK, NF]),
        (Op::EditMembers, [NO, NO, OK, NO, NF]),
        (Op::EditOwners, [OK, NO, NO, NO, NF]),
        (Op::DeleteMembers, [GONE, GONE, GONE, NO, NF]),
        (Op::DeleteOwners, [GONE, GONE, NO, NO, NF]),
        (Op::DeleteAdmins, [GONE, GONE, NO, NO, NF]),
    ];
    let clients = [w.owner(), w.admin(), w.member(), w.viewer(), w.outsider()];
    let names = ["owner", "admin", "member", "viewer", "outsider"];
    let mut mismatches = Vec::new();
    for (op, expected) in table {
        for ((api, who), wanted) in clients.iter().zip(names).zip(expected) {
            let comments = new_task(w).await;
            let members = comment(&w.member(), &comments, "By the member").await;
            let owners = comment(&w.owner(), &comments, "By the owner").await;
            let admins = comment(&w.admin(), &comments, "By the admin").await;
            let edit = json!({"body": "Edited"});
            let (path, resp) = match op {
                Op::List => (comments.clone(), api.get(&comments).await),
                Op::Create => {
                    let resp = api.post(&comments, json!({"body": "New"})).await;
                    (comments.clone(), resp)
                }
                Op::Read => (members.clone(), api.get(&members).await),
                Op::EditMembers => (members.clone(), api.patch(&members, edit).await),
                Op::EditOwners => (owners.clone(), api.patch(&owners, edit).await),
                Op::DeleteMembers => (members.clone(), api.delete(&members).await),
                Op::DeleteOwners => (owners.clone(), api.delete(&owners).await),
                Op::DeleteAdmins => (admins.clone(), api.delete(&admins).await),
            };
            if resp.status != wanted {
                mismatches.push(format!(
                    "{} {path} as {who}: {} (expected {wanted}): {}",
                    match op {
                        Op::List | Op::Read => "GET",
                        Op::Create => "POST",
                        Op::EditMembers | Op::EditOwners => "PATCH",
                        _ => "DELETE",
                    },
                    resp.status,
                    resp.text
                ));
                continue;
            }
            // The change is made exactly when allowed: the owner sees it.
            let listed = w.owner().get(&comments).await.expect(S::OK).json;
            let bodies: Vec<&str> = listed["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["body"].as_str().unwrap())
                .collect();
            let allowed = wanted.is_success();
            let seen = match op {
                Op::List | Op::Read => true,
                Op::Create => bodies.contains(&"New") == allowed,
                Op::EditMembers | Op::EditOwners => bodies.contains(&"Edited") == allowed,
                Op::DeleteMembers => bodies.contains(&"By the member") != allowed,
                Op::DeleteOwners => bodies.contains(&"By the owner") != allowed,
                Op::DeleteAdmins => bodies.contains(&"By the admin") != allowed,
            };
            if !seen {
                mismatches.push(format!("{path} as {who}: the list shows {bodies:?}"));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[tokio::test]
async fn a_comment_shows_its_author_and_mentions_and_lists_in_the_envelope_both_ways() {
    let w = World::get();
    let comments = new_task(w).await;
    let first = w
        .member()
        .post(
            &comments,
            json!({"body": format!(
                "  Ask @{} and @{}, not @{} or @{}  ",
                w.viewer.email.to_uppercase(),
                w.admin.email,
                w.outsider.email,
                w.viewer.email
            )}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(
        keys(&first.json),
        [
            "author",
            "body",
            "created_at",
            "id",
            "mentions",
            "task",
            "updated_at"
        ]
    );
    assert_eq!(
        first.json["author"],
        json!({"id": w.member.id, "email": w.member.email, "full_name": w.member.email})
    );
    assert_eq!(first.json["mentions"], json!([w.viewer.id, w.admin.id]));
    assert!(first.json["body"].as_str().unwrap().starts_with("Ask @"));
    // A later millisecond, so that the newest-first order does not fall back on the ids.
    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    let second = comment(&w.admin(), &comments, "Second").await;
    let read = w.viewer().get(&second).await.expect(StatusCode::OK);
    assert_eq!(read.json["mentions"], json!([]));

    let page = w
        .viewer()
        .get(&format!("{comments}?page_size=1"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(keys(&page.json), ["count", "next", "previous", "results"]);
    assert_eq!(page.json["count"], 2);
    assert_eq!(page.json["results"][0]["id"], first.json["id"]);
    let next = page.json["next"].as_str().expect("a next link");
    assert_eq!(next, format!("{}{comments}?page_size=1&page=2", w.base));
    let newest = w
        .viewer()
        .get(&format!("{comments}?ordering=-created_at"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(newest.json["results"][0], read.json);
    assert_eq!(newest.json["results"][1], first.json);
    for (query, status) in [
        ("ordering=body", StatusCode::BAD_REQUEST),
        ("page_size=0", StatusCode::BAD_REQUEST),
        ("page=2", StatusCode::NOT_FOUND),
    ] {
        w.viewer()
            .get(&format!("{comments}?{query}"))
            .await
            .problem(status, &comments);
    }
}

#[tokio::test]
async fn comment_bodies_refuse_unknown_read_only_and_bad_fields_by_name() {
    let w = World::get();
    let comments = new_task(w).await;
    let path = comment(&w.member(), &comments, "Fine").await;
    for body in [
        json!({"body": "x", "colour": "red"}),
        json!({"body": "x", "mentions": [w.admin.id]}),
        json!({"body": "x", "author": w.admin.id}),
        json!({"body": "x", "task": w.task}),
        json!({"body": "x", "id": w.task}),
        json!({"body": "x", "created_at": "2026-01-01T00:00:00.000Z"}),
        json!({"body": " \n "}),
        json!({"body": null}),
        json!({"body": 3}),
    ] {
        let field = keys(&body)
            .into_iter()
            .find(|k| *k != "body")
            .unwrap_or("body");
        for (resp, at) in [
            (w.member().post(&comments, body.clone()).await, &comments),
            (w.member().patch(&path, body.clone()).await, &path),
        ] {
            let resp = resp.problem(StatusCode::BAD_REQUEST, at);
            assert!(
                resp.json["errors"][field].is_array(),
                "{body}: {}",
                resp.text
            );
        }
    }
    w.member()
        .post(&comments, json!({}))
        .await
        .problem(StatusCode::BAD_REQUEST, &comments);
    let unchanged = w.owner().get(&path).await.expect(StatusCode::OK);
    assert_eq!(unchanged.json["body"], "Fine");
}

#[tokio::test]
async fn the_comments_of_an_archived_projects_task_are_read_and_deleted_but_not_written() {
    let w = World::get();
    let owner = w.owner();
    let project = owner
        .post(
            "/api/v1/projects/",
            json!({"organization": w.org, "name": unique("Frozen")}),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    let task = owner
        .post(
            "/api/v1/tasks/",
            json!({"project": project, "title": "Frozen task"}),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    let comments = format!("/api/v1/tasks/{task}/comments/");
    let kept = comment(&w.member(), &comments, "Kept").await;
    let gone = comment(&w.member(), &comments, "Gone").await;
    owner
        .patch(
            &format!("/api/v1/projects/{project}/"),
            json!({"is_archived": true}),
        )
        .await
        .expect(StatusCode::OK);
    w.member()
        .post(&comments, json!({"body": "Late"}))
        .await
        .problem(StatusCode::CONFLICT, &comments);
    w.member()
        .patch(&kept, json!({"body": "Changed"}))
        .await
        .problem(StatusCode::CONFLICT, &kept);
    w.member()
        .delete(&gone)
        .await
        .expect(StatusCode::NO_CONTENT);
    let list = w.viewer().get(&comments).await.expect(StatusCode::OK);
    assert_eq!(list.json["count"], 1);
    assert_eq!(list.json["results"][0]["body"], "Kept");
}

#[tokio::test]
async fn put_on_a_comment_or_the_comments_is_405_with_allow() {
    let w = World::get();
    let comments = new_task(w).await;
    let path = comment(&w.member(), &comments, "Put me").await;
    for (at, allowed) in [
        (&comments, "GET, HEAD, POST, OPTIONS"),
        (&path, "GET, HEAD, PATCH, DELETE, OPTIONS"),
    ] {
        let resp = send(
            w.member()
                .request(reqwest::Method::PUT, at)
                .json(&json!({"body": "x"})),
        )
        .await
        .problem(StatusCode::METHOD_NOT_ALLOWED, at);
        assert_eq!(resp.header("allow"), allowed);
    }
    let unchanged = w.member().get(&path).await.expect(StatusCode::OK);
    assert_eq!(unchanged.json["body"], "Put me");
}
