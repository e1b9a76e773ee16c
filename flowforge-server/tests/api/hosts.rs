//! The hosts the server answers for and the links it builds: a `Host` outside `ALLOWED_HOSTS`,
//! an empty one or none (on HTTP/1.1) is a `400` problem, so no link can point elsewhere; the
//! scheme and host a proxy forwards count only from a trusted peer, and are checked the same way.

use reqwest::{Method, StatusCode};

use crate::support::{Api, Resp, TestApp, World, raw_exchange, send};

async fn root_via(api: &Api, headers: &[(&str, &str)]) -> Resp {
    let mut request = api.request(Method::GET, "/api/v1/");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send(request).await
}

/// The status line and JSON body of a whole `Connection: close` answer.
fn status_and_body(answer: &str) -> (&str, serde_json::Value) {
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((answer, ""));
    let status = head.lines().next().unwrap_or_default();
    (status, serde_json::from_str(body).unwrap_or_default())
}

#[tokio::test]
async fn a_host_that_is_not_allowed_is_a_400_and_never_reaches_a_link() {
    let w = World::get();
    for path in ["/api/v1/", "/api/v1/tasks/", "/healthz", "/api/v1/nothing/"] {
        send(
            w.member()
                .request(Method::GET, path)
                .header("host", "evil.example"),
        )
        .await
        .problem(StatusCode::BAD_REQUEST, path);
    }
    // An allowed host on any port is used as sent; a subdomain of it is not allowed.
    let root = root_via(&w.anon(), &[("host", "flowforge.test:9999")])
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        root.json["tasks"],
        "http://flowforge.test:9999/api/v1/tasks/"
    );
    root_via(&w.anon(), &[("host", "api.flowforge.test")])
        .await
        .problem(StatusCode::BAD_REQUEST, "/api/v1/");
}

#[tokio::test]
async fn an_empty_missing_repeated_or_malformed_host_is_a_400() {
    let w = World::get();
    let addr = w.addr;
    for (what, head) in [
        ("empty", "GET /api/v1/ HTTP/1.1\r\nHost: \r\n".to_owned()),
        ("missing", "GET /api/v1/ HTTP/1.1\r\n".to_owned()),
        (
            "repeated",
            format!("GET /api/v1/ HTTP/1.1\r\nHost: {addr}\r\nHost: evil.example\r\n"),
        ),
        (
            "with user info",
            "GET /api/v1/ HTTP/1.1\r\nHost: 127.0.0.1@evil.example\r\n".to_owned(),
        ),
        (
            "an absolute target elsewhere",
            format!("GET http://evil.example/api/v1/ HTTP/1.1\r\nHost: {addr}\r\n"),
        ),
    ] {
        let answer =
            raw_exchange(addr, format!("{head}Connection: close\r\n\r\n").as_bytes()).await;
        let (status, body) = status_and_body(&answer);
        assert!(status.starts_with("HTTP/1.1 400 "), "{what}: {answer}");
        assert_eq!(body["status"], 400, "{what}: {answer}");
        assert!(!answer.contains("evil.example"), "{what}: {answer}");
    }
    // HTTP/1.0 needs no Host.
    let answer = raw_exchange(addr, b"GET /healthz HTTP/1.0\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.0 200 "), "{answer}");
}

#[tokio::test]
async fn the_default_allows_loopback_names_and_nothing_else() {
    let app = TestApp::spawn(&[]).await;
    for host in ["localhost:1", "127.0.0.1", "[::1]:8000"] {
        let root = root_via(&app.anon(), &[("host", host)])
            .await
            .expect(StatusCode::OK);
        assert_eq!(
            root.json["login"],
            format!("http://{host}/api/v1/auth/login/")
        );
    }
    root_via(&app.anon(), &[("host", "evil.example")])
        .await
        .problem(StatusCode::BAD_REQUEST, "/api/v1/");
    app.stop().await;
}

#[tokio::test]
async fn a_trusted_proxy_forwards_only_an_allowed_host_and_http_or_https() {
    for flags in [
        &["--trust-proxy", "true"][..],
        &["--trusted-proxies", "10.0.0.0/8,127.0.0.1"],
    ] {
        let app = TestApp::spawn(flags).await;
        let anon = app.anon();
        let root = root_via(
            &anon,
            &[
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "localhost:8443"),
            ],
        )
        .await
        .expect(StatusCode::OK);
        assert_eq!(root.json["tasks"], "https://localhost:8443/api/v1/tasks/");
        for (name, value) in [
            ("x-forwarded-proto", "javascript"),
            ("x-forwarded-proto", "https, javascript"),
            ("x-forwarded-host", "evil.example"),
            ("x-forwarded-host", "localhost/evil"),
        ] {
            root_via(&anon, &[(name, value)])
                .await
                .problem(StatusCode::BAD_REQUEST, "/api/v1/");
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn forwarded_scheme_and_host_from_an_untrusted_peer_change_nothing() {
    let app = TestApp::spawn(&["--trusted-proxies", "10.0.0.0/8"]).await;
    let root = root_via(
        &app.anon(),
        &[
            ("x-forwarded-proto", "javascript"),
            ("x-forwarded-host", "evil.example"),
            ("forwarded", "for=1.2.3.4;proto=https;host=evil.example"),
        ],
    )
    .await
    .expect(StatusCode::OK);
    assert_eq!(root.json["tasks"], format!("{}/api/v1/tasks/", app.base));
    app.stop().await;
}

#[tokio::test]
async fn with_forwarded_headers_the_scheme_and_host_come_from_rfc_7239() {
    let app = TestApp::spawn(&[
        "--trusted-proxies",
        "127.0.0.1",
        "--proxy-headers",
        "forwarded",
    ])
    .await;
    let anon = app.anon();
    let root = root_via(
        &anon,
        &[
            (
                "forwarded",
                r#"for="[2001:db8::1]:443";proto=https;host="localhost""#,
            ),
            ("x-forwarded-proto", "javascript"),
        ],
    )
    .await
    .expect(StatusCode::OK);
    assert_eq!(root.json["tasks"], "https://localhost/api/v1/tasks/");
    root_via(&anon, &[("forwarded", "for=192.0.2.1;proto=ftp")])
        .await
        .problem(StatusCode::BAD_REQUEST, "/api/v1/");
    root_via(&anon, &[("forwarded", "for=192.0.2.1;host=evil.example")])
        .await
        .problem(StatusCode::BAD_REQUEST, "/api/v1/");
    app.stop().await;
}
