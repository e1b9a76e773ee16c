//! What every response carries whatever the endpoint: the trailing-slash redirect, CORS for the
//! configured origins only (and `Vary: Origin` for all), security headers and the request id;
//! and `HEAD`, answered as `GET` without the body wherever `GET` is.

use reqwest::{Method, StatusCode};

use crate::support::{TestApp, World, raw_exchange, send};

#[tokio::test]
async fn a_path_without_its_trailing_slash_is_redirected_with_the_query() {
    let w = World::get();
    let resp = w
        .member()
        .get("/api/v1/tasks?status=todo&page_size=5")
        .await
        .expect(StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        resp.header("location"),
        "/api/v1/tasks/?status=todo&page_size=5"
    );
    let item = format!("/api/v1/projects/{}", w.project);
    let resp = w
        .anon()
        .get(&item)
        .await
        .expect(StatusCode::PERMANENT_REDIRECT);
    assert_eq!(resp.header("location"), format!("{item}/"));
    w.anon()
        .get("/api/v1/nothing")
        .await
        .expect(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_preflight_from_an_allowed_origin_gets_the_cors_headers() {
    let w = World::get();
    let resp = send(
        w.anon()
            .request(Method::OPTIONS, "/api/v1/tasks/")
            .header("origin", "http://app.example")
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            ),
    )
    .await;
    assert!(resp.status.is_success(), "{}", resp.status);
    assert_eq!(
        resp.header("access-control-allow-origin"),
        "http://app.example"
    );
    assert!(resp.header("access-control-allow-methods").contains("POST"));
    let allowed_headers = resp
        .header("access-control-allow-headers")
        .to_ascii_lowercase();
    assert!(
        allowed_headers.contains("authorization"),
        "{allowed_headers}"
    );
    assert!(
        allowed_headers.contains("content-type"),
        "{allowed_headers}"
    );

    let simple = send(
        w.member()
            .request(Method::GET, "/api/v1/tasks/")
            .header("origin", "http://app.example"),
    )
    .await
    .expect(StatusCode::OK);
    assert_eq!(
        simple.header("access-control-allow-origin"),
        "http://app.example"
    );
}

#[tokio::test]
async fn a_preflight_from_another_origin_gets_no_cors_headers() {
    let w = World::get();
    for method in [Method::OPTIONS, Method::GET] {
        let resp = send(
            w.member()
                .request(method.clone(), "/api/v1/tasks/")
                .header("origin", "http://evil.example")
                .header("access-control-request-method", "POST"),
        )
        .await;
        let cors: Vec<_> = resp
            .headers
            .keys()
            .filter(|name| name.as_str().starts_with("access-control-"))
            .collect();
        assert!(cors.is_empty(), "{method}: {cors:?}");
    }
}

#[tokio::test]
async fn every_response_varies_on_the_origin_whether_or_not_it_is_allowed() {
    // A shared cache must not serve an answer without CORS headers to the allowed origin, nor
    // one with them to another origin.
    let w = World::get();
    for origin in [
        Some("http://app.example"),
        Some("http://evil.example"),
        None,
    ] {
        for (method, path) in [
            (Method::GET, "/api/v1/tasks/"),
            (Method::GET, "/api/v1/"),
            (Method::OPTIONS, "/api/v1/tasks/"),
            (Method::GET, "/healthz"),
            (Method::GET, "/api/v1/nothing/"),
        ] {
            let mut request = w.member().request(method.clone(), path);
            if let Some(origin) = origin {
                request = request.header("origin", origin);
            }
            let resp = send(request).await;
            let varies = resp
                .headers
                .get_all("vary")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .any(|name| name.trim().eq_ignore_ascii_case("origin"));
            assert!(
                varies,
                "{method} {path} from {origin:?}: {:?}",
                resp.headers
            );
        }
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let w = World::get();
    for resp in [
        w.member().get("/api/v1/tasks/").await,
        w.anon().get("/api/v1/tasks/").await,
        w.anon().get("/healthz").await,
        w.anon().get("/api/v1/nothing/").await,
    ] {
        assert_eq!(resp.header("x-content-type-options"), "nosniff");
        assert_eq!(resp.header("referrer-policy"), "no-referrer");
        assert_eq!(resp.header("x-frame-options"), "DENY");
    }
}

#[tokio::test]
async fn the_request_id_is_echoed_when_sent_and_generated_when_not() {
    let w = World::get();
    let echoed = send(
        w.anon()
            .request(Method::GET, "/api/v1/")
            .header("x-request-id", "trace-me-123"),
    )
    .await
    .expect(StatusCode::OK);
    assert_eq!(echoed.header("x-request-id"), "trace-me-123");
    let first = w.anon().get("/api/v1/tasks/").await;
    let second = w.anon().get("/api/v1/tasks/").await;
    let (a, b) = (first.header("x-request-id"), second.header("x-request-id"));
    assert!(!a.is_empty() && !b.is_empty());
    assert_ne!(a, b, "each request gets its own id");
}

#[tokio::test]
async fn a_client_that_stalls_its_body_or_headers_is_cut_off() {
    let app = TestApp::spawn(&["--request-timeout", "1s"]).await;
    // Ten of the promised hundred bytes, then nothing: the body read times out.
    let stalled_body = format!(
        "POST /api/v1/auth/register/ HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{{\"email\": ",
        app.addr
    );
    let answer = raw_exchange(app.addr, stalled_body.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    // Half a request line, then nothing: the connection is closed without an answer.
    let answer = raw_exchange(app.addr, b"GET /api/v1/ HT").await;
    assert!(!answer.contains("200 OK"), "{answer}");
}

#[tokio::test]
async fn head_answers_as_get_without_the_body_wherever_get_is_offered() {
    let w = World::get();
    let task = format!("/api/v1/tasks/{}/", w.task);
    let members = format!("/api/v1/organizations/{}/members/", w.org);
    for (api, path) in [
        (w.member(), "/api/v1/tasks/?page_size=1"),
        (w.member(), task.as_str()),
        (w.member(), members.as_str()),
        (w.member(), "/api/v1/auth/me/"),
        (w.anon(), "/api/v1/"),
        (w.anon(), "/api/v1/tasks/"),
        (w.outsider(), task.as_str()),
        (w.anon(), "/healthz"),
        (w.anon(), "/api/schema/"),
    ] {
        let get = api.get(path).await;
        let head = send(api.request(Method::HEAD, path)).await;
        assert_eq!(head.status, get.status, "HEAD {path}");
        assert!(
            head.text.is_empty(),
            "HEAD {path} has a body: {}",
            head.text
        );
        for name in [
            "content-type",
            "content-length",
            "allow",
            "www-authenticate",
        ] {
            assert_eq!(head.header(name), get.header(name), "HEAD {path}: {name}");
        }
        assert_eq!(
            head.header("content-length"),
            get.text.len().to_string(),
            "HEAD {path}: the length of GET's body"
        );
    }
    // Not where GET is not offered; and the Allow header lists HEAD beside GET.
    let login = "/api/v1/auth/login/";
    let refused = send(w.anon().request(Method::HEAD, login)).await;
    assert_eq!(refused.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(refused.header("allow"), "POST, OPTIONS");
    let put = send(w.member().request(Method::PUT, "/api/v1/tasks/")).await;
    assert_eq!(put.header("allow"), "GET, HEAD, POST, OPTIONS");
}
