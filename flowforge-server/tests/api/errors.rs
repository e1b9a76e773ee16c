//! Every error status of the contract, each as an RFC 9457 problem: 400, 401 (with
//! `WWW-Authenticate`), 403, 404, 405 (with `Allow`), 409, 413 (declared and chunked), 415.

use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde_json::json;

use crate::support::{Api, World, missing_id, raw_exchange, send, unique};

const TASKS: &str = "/api/v1/tasks/";

#[tokio::test]
async fn malformed_json_is_a_400_problem_with_errors() {
    let w = World::get();
    let resp = send(
        w.member()
            .request(reqwest::Method::POST, TASKS)
            .header(CONTENT_TYPE, "application/json")
            .body("{\"title\": "),
    )
    .await
    .problem(StatusCode::BAD_REQUEST, TASKS);
    let errors = resp.json["errors"]["non_field_errors"].as_array();
    assert!(errors.is_some_and(|e| !e.is_empty()), "{}", resp.text);
}

#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_a_400_and_no_body_is_an_empty_one() {
    let w = World::get();
    let task = format!("{TASKS}{}/", w.task);
    for body in [json!(null), json!([]), json!("title"), json!(7)] {
        for (method, path) in [
            (reqwest::Method::PATCH, task.as_str()),
            (reqwest::Method::POST, TASKS),
            (reqwest::Method::PATCH, "/api/v1/auth/me/"),
        ] {
            let resp = send(w.member().request(method.clone(), path).json(&body))
                .await
                .problem(StatusCode::BAD_REQUEST, path);
            let errors = &resp.json["errors"]["non_field_errors"][0];
            assert!(
                errors
                    .as_str()
                    .unwrap()
                    .starts_with("Invalid data. Expected a dictionary"),
                "{method} {path} {body}: {}",
                resp.text
            );
        }
    }
    // No body at all is a partial update of nothing, as DRF reads it.
    send(w.member().request(reqwest::Method::PATCH, &task))
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn an_unknown_body_field_is_a_400_naming_it() {
    let w = World::get();
    let resp = w
        .member()
        .post(
            TASKS,
            json!({"project": w.project, "title": "x", "colour": "red"}),
        )
        .await
        .problem(StatusCode::BAD_REQUEST, TASKS);
    assert!(resp.json["errors"]["colour"].is_array(), "{}", resp.text);
}

#[tokio::test]
async fn a_read_only_field_cannot_be_written() {
    let w = World::get();
    let path = format!("/api/v1/tasks/{}/", w.task);
    let resp = w
        .owner()
        .patch(&path, json!({"created_by": w.member.id}))
        .await
        .problem(StatusCode::BAD_REQUEST, &path);
    assert!(
        resp.json["errors"]["created_by"].is_array(),
        "{}",
        resp.text
    );
}

#[tokio::test]
async fn a_bad_filter_or_ordering_is_a_400_naming_the_parameter() {
    let w = World::get();
    for (query, field) in [
        ("status=sleeping", "status"),
        ("ordering=colour", "ordering"),
        ("due_before=tomorrow", "due_before"),
        ("project=not-a-uuid", "project"),
    ] {
        let resp = w
            .member()
            .get(&format!("{TASKS}?{query}"))
            .await
            .problem(StatusCode::BAD_REQUEST, TASKS);
        assert!(
            resp.json["errors"][field].is_array(),
            "{query}: {}",
            resp.text
        );
    }
}

#[tokio::test]
async fn a_request_without_a_token_is_401_with_www_authenticate() {
    let w = World::get();
    let resp = w
        .anon()
        .get(TASKS)
        .await
        .problem(StatusCode::UNAUTHORIZED, TASKS);
    assert_eq!(resp.header("www-authenticate"), "Bearer");
}

#[tokio::test]
async fn a_garbage_or_non_bearer_token_is_401_with_www_authenticate() {
    let w = World::get();
    let garbage = Api::new(&w.base, Some("garbage"))
        .get(TASKS)
        .await
        .problem(StatusCode::UNAUTHORIZED, TASKS);
    assert_eq!(garbage.header("www-authenticate"), "Bearer");
    let basic = send(
        w.anon()
            .request(reqwest::Method::GET, TASKS)
            .header("authorization", "Basic dXNlcjpwYXNz"),
    )
    .await
    .problem(StatusCode::UNAUTHORIZED, TASKS);
    assert_eq!(basic.header("www-authenticate"), "Bearer");
}

#[tokio::test]
async fn a_refresh_token_used_as_access_is_401() {
    let w = World::get();
    let resp = Api::new(&w.base, Some(&w.member.refresh))
        .get(TASKS)
        .await
        .problem(StatusCode::UNAUTHORIZED, TASKS);
    assert_eq!(resp.header("www-authenticate"), "Bearer");
}

#[tokio::test]
async fn an_unsigned_token_with_alg_none_is_401() {
    let w = World::get();
    let payload = w.member.access.split('.').nth(1).unwrap();
    let forged = format!("{}.{payload}.", base64url(br#"{"alg":"none","typ":"JWT"}"#));
    Api::new(&w.base, Some(&forged))
        .get(TASKS)
        .await
        .problem(StatusCode::UNAUTHORIZED, TASKS);
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

#[tokio::test]
async fn viewer_cannot_create_a_task() {
    let w = World::get();
    w.viewer()
        .post(TASKS, json!({"project": w.project, "title": "Not allowed"}))
        .await
        .problem(StatusCode::FORBIDDEN, TASKS);
}

#[tokio::test]
async fn a_missing_task_or_unknown_path_is_404() {
    let w = World::get();
    let path = format!("/api/v1/tasks/{}/", missing_id());
    w.member()
        .get(&path)
        .await
        .problem(StatusCode::NOT_FOUND, &path);
    let path = "/api/v1/tasks/not-a-uuid/";
    w.member()
        .get(path)
        .await
        .problem(StatusCode::NOT_FOUND, path);
    let path = "/api/v1/nothing/";
    w.member()
        .get(path)
        .await
        .problem(StatusCode::NOT_FOUND, path);
}

#[tokio::test]
async fn put_on_a_task_is_405_with_allow() {
    let w = World::get();
    let path = format!("/api/v1/tasks/{}/", w.task);
    let resp = send(
        w.owner()
            .request(reqwest::Method::PUT, &path)
            .json(&json!({"title": "x"})),
    )
    .await
    .problem(StatusCode::METHOD_NOT_ALLOWED, &path);
    let allow: Vec<&str> = resp.header("allow").split(", ").collect();
    assert!(allow.contains(&"GET") && allow.contains(&"PATCH") && allow.contains(&"DELETE"));
    assert!(!allow.contains(&"PUT"));
}

#[tokio::test]
async fn removing_or_demoting_the_last_owner_is_conflict() {
    let w = World::get();
    let org = w
        .owner()
        .post("/api/v1/organizations/", json!({"name": unique("Solo")}))
        .await
        .expect(StatusCode::CREATED)
        .id();
    let path = format!("/api/v1/organizations/{org}/members/{}/", w.owner.id);
    w.owner()
        .patch(&path, json!({"role": "admin"}))
        .await
        .problem(StatusCode::CONFLICT, &path);
    w.owner()
        .delete(&path)
        .await
        .problem(StatusCode::CONFLICT, &path);
    let me = w.owner().get(&path).await.expect(StatusCode::OK);
    assert_eq!(me.json["role"], "owner");
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let w = World::get();
    let big = json!({"project": w.project, "title": "x".repeat(2000)});
    w.member()
        .post(TASKS, big)
        .await
        .problem(StatusCode::PAYLOAD_TOO_LARGE, TASKS);
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_413() {
    let w = World::get();
    let chunk = format!("{:x}\r\n{}\r\n", 512, "a".repeat(512));
    let request = format!(
        "POST /api/v1/auth/register/ HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n{}0\r\n\r\n",
        w.addr,
        chunk.repeat(4)
    );
    let answer = raw_exchange(w.addr, request.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 413 "), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("content-type: application/problem+json")
    );
}

#[tokio::test]
async fn a_text_plain_body_is_415() {
    let w = World::get();
    send(
        w.member()
            .request(reqwest::Method::POST, TASKS)
            .header(CONTENT_TYPE, "text/plain")
            .body(format!(r#"{{"project": "{}", "title": "x"}}"#, w.project)),
    )
    .await
    .problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, TASKS);
}
