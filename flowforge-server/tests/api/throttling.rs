//! Throttling with low configured rates: anonymous requests per address, authenticated requests
//! per user and login attempts per address and email each end in `429` with `Retry-After`,
//! and responses under a rate carry `RateLimit-*` for it. Behind a trusted proxy the address is
//! the forwarded client's; from any other peer, forwarded headers change nothing.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Api, PASSWORD, Resp, TestApp, send};

fn number(resp: &Resp, name: &str) -> u64 {
    resp.header(name)
        .parse()
        .unwrap_or_else(|_| panic!("{name} is a number: {:?}", resp.headers))
}

#[track_caller]
fn assert_throttled(resp: Resp, path: &str, limit: u64) {
    let resp = resp.problem(StatusCode::TOO_MANY_REQUESTS, path);
    let retry_after = number(&resp, "retry-after");
    assert!(
        (1..=60).contains(&retry_after),
        "Retry-After: {retry_after}"
    );
    assert_eq!(number(&resp, "ratelimit-limit"), limit);
    assert_eq!(number(&resp, "ratelimit-remaining"), 0);
    assert!(number(&resp, "ratelimit-reset") <= 60);
}

#[tokio::test]
async fn anonymous_requests_over_the_rate_get_429_with_retry_after() {
    let app = TestApp::spawn(&["--throttle-anon", "3/minute"]).await;
    let anon = app.anon();
    let first = anon.get("/api/v1/").await.expect(StatusCode::OK);
    assert_eq!(number(&first, "ratelimit-limit"), 3);
    assert_eq!(number(&first, "ratelimit-remaining"), 2);
    assert!(number(&first, "ratelimit-reset") <= 60);
    // A request that fails authentication still counts.
    let bad_token = Api::new(&app.base, Some("garbage"))
        .get("/api/v1/tasks/")
        .await
        .expect(StatusCode::UNAUTHORIZED);
    assert_eq!(number(&bad_token, "ratelimit-remaining"), 1);
    anon.get("/api/v1/").await.expect(StatusCode::OK);
    assert_throttled(anon.get("/api/v1/").await, "/api/v1/", 3);
    app.stop().await;
}

#[tokio::test]
async fn login_attempts_are_throttled_per_address_and_email() {
    let app = TestApp::spawn(&["--throttle-login", "2/minute"]).await;
    let anon = app.anon();
    let path = "/api/v1/auth/login/";
    let attempt = |email: &'static str| {
        anon.post(path, json!({"email": email, "password": "wrong password"}))
    };
    let first = attempt("target@throttle.test")
        .await
        .expect(StatusCode::UNAUTHORIZED);
    assert_eq!(number(&first, "ratelimit-limit"), 2);
    attempt("target@throttle.test")
        .await
        .expect(StatusCode::UNAUTHORIZED);
    assert_throttled(attempt("target@throttle.test").await, path, 2);
    // Another email from the same address has its own count.
    attempt("other@throttle.test")
        .await
        .expect(StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn authenticated_requests_over_the_user_rate_get_429() {
    let app = TestApp::spawn(&["--throttle-user", "2/minute"]).await;
    let account = app.account("busy@throttle.test").await;
    let api = app.with_token(&account.access);
    let path = "/api/v1/auth/me/";
    let first = api.get(path).await.expect(StatusCode::OK);
    assert_eq!(number(&first, "ratelimit-limit"), 2);
    assert_eq!(number(&first, "ratelimit-remaining"), 1);
    api.get(path).await.expect(StatusCode::OK);
    assert_throttled(api.get(path).await, path, 2);
    // The user's rate is the user's own: anonymous requests from the same address go on.
    app.anon()
        .post(
            "/api/v1/auth/login/",
            json!({"email": account.email, "password": PASSWORD}),
        )
        .await
        .expect(StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn paths_that_name_nothing_under_the_api_still_count_and_carry_ratelimit_headers() {
    let app = TestApp::spawn(&["--throttle-anon", "3/minute"]).await;
    let anon = app.anon();
    // A malformed id answers like a well-formed missing one, headers included.
    let malformed = anon
        .get("/api/v1/tasks/not-a-uuid/")
        .await
        .expect(StatusCode::NOT_FOUND);
    assert_eq!(number(&malformed, "ratelimit-limit"), 3);
    assert_eq!(number(&malformed, "ratelimit-remaining"), 2);
    let refused = anon
        .request(reqwest::Method::PUT, "/api/v1/tasks/")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(refused.headers()["ratelimit-remaining"], "1");
    anon.get("/api/v1/nothing-here/")
        .await
        .expect(StatusCode::NOT_FOUND);
    assert_throttled(
        anon.get("/api/v1/nothing-here/").await,
        "/api/v1/nothing-here/",
        3,
    );
    // Outside the versioned API nothing is throttled.
    anon.get("/healthz").await.expect(StatusCode::OK);
    app.stop().await;
}

/// `n` anonymous requests, the `i`th with `header: value(i)`; their statuses.
async fn statuses_with(
    app: &TestApp,
    n: u8,
    header: &str,
    value: impl Fn(u8) -> String,
) -> Vec<u16> {
    let mut statuses = Vec::new();
    for i in 0..n {
        let request = app
            .anon()
            .request(reqwest::Method::GET, "/api/v1/")
            .header(header, value(i));
        statuses.push(send(request).await.status.as_u16());
    }
    statuses
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_anonymous_rate() {
    for flags in [
        &["--trusted-proxies", "127.0.0.0/8"][..],
        &["--trust-proxy", "true"],
    ] {
        let app = TestApp::spawn(&[&["--throttle-anon", "5/minute"], flags].concat()).await;
        let distinct = statuses_with(&app, 10, "x-forwarded-for", |i| {
            format!("6.6.6.6, 203.0.113.{i}")
        })
        .await;
        assert_eq!(distinct, [200; 10], "{flags:?}");
        // One client over its own rate is refused; the chain's spoofable left end is not its key.
        let one = statuses_with(&app, 6, "x-forwarded-for", |i| {
            format!("{i}.6.6.6, 203.0.113.77")
        })
        .await;
        assert_eq!(one, [200, 200, 200, 200, 200, 429], "{flags:?}");
        app.stop().await;
    }
}

#[tokio::test]
async fn a_forwarded_for_from_a_peer_that_is_not_a_trusted_proxy_changes_nothing() {
    for flags in [&[][..], &["--trusted-proxies", "10.0.0.0/8"]] {
        let app = TestApp::spawn(&[&["--throttle-anon", "5/minute"], flags].concat()).await;
        let spoofed = statuses_with(&app, 6, "x-forwarded-for", |i| format!("203.0.113.{i}")).await;
        assert_eq!(spoofed, [200, 200, 200, 200, 200, 429], "{flags:?}");
        app.stop().await;
    }
}

#[tokio::test]
async fn with_forwarded_headers_the_client_is_read_from_rfc_7239_and_nothing_else() {
    let app = TestApp::spawn(&[
        "--throttle-anon",
        "5/minute",
        "--trusted-proxies",
        "127.0.0.1",
        "--proxy-headers",
        "forwarded",
    ])
    .await;
    let distinct = statuses_with(&app, 10, "forwarded", |i| {
        format!("for=6.6.6.6, for=\"[2001:db8::{i}]:80\";proto=http")
    })
    .await;
    assert_eq!(distinct, [200; 10]);
    // X-Forwarded-For is not the configured header: all of these are the proxy's own requests.
    let other = statuses_with(&app, 6, "x-forwarded-for", |i| format!("203.0.113.{i}")).await;
    assert_eq!(other, [200, 200, 200, 200, 200, 429]);
    app.stop().await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_login_attempts_count_per_forwarded_client() {
    let app = TestApp::spawn(&["--throttle-login", "2/minute", "--trust-proxy", "true"]).await;
    let path = "/api/v1/auth/login/";
    let attempt = |client: &str| {
        send(
            app.anon()
                .request(reqwest::Method::POST, path)
                .header("x-forwarded-for", client)
                .json(&json!({"email": "target@proxy.test", "password": "wrong password"})),
        )
    };
    for client in ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.3"] {
        attempt(client).await.expect(StatusCode::UNAUTHORIZED);
    }
    assert_throttled(attempt("203.0.113.3").await, path, 2);
    app.stop().await;
}
