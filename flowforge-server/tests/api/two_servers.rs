//! Two server processes (the built binary) on one PostgreSQL database, as behind a load
//! balancer: one rate limit between them, and each sees the other's writes at once, including
//! a refresh token revoked by the other.

use std::process::{Child, Stdio};

use reqwest::StatusCode;
use serde_json::json;

use crate::startup::{command, listening_address};
use crate::support::{Account, Api, scratch_schema, temp_dir};

const SECRET: &str = "a secret key both servers share, long enough";
const ANON_RATE: u32 = 8;

/// A server process, killed when dropped (also when the test fails).
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(dir: &std::path::Path, database_url: &str) -> Server {
        let rate = format!("{ANON_RATE}/minute");
        let mut child = command(
            dir,
            &[
                ("DATABASE_URL", database_url),
                ("SECRET_KEY", SECRET),
                ("DEBUG", "false"),
                ("THROTTLE_ANON", &rate),
                ("THROTTLE_USER", "off"),
                ("THROTTLE_LOGIN", "off"),
                ("RUST_LOG", "warn"),
            ],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
        let addr = listening_address(&mut child);
        Server {
            child,
            base: format!("http://{addr}"),
        }
    }

    fn api(&self, token: Option<&str>) -> Api {
        Api::new(&self.base, token)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn two_servers_on_one_postgres_database_are_one_consistent_service() {
    let schema = tokio::task::spawn_blocking(scratch_schema)
        .await
        .expect("a scratch schema");
    let dir = temp_dir();
    let url = schema.url().to_owned();
    let (a, b, _dir) = tokio::task::spawn_blocking(move || {
        let a = Server::start(dir.path(), &url);
        let b = Server::start(dir.path(), &url);
        (a, b, dir)
    })
    .await
    .expect("both servers start");

    // Registered and logged in on A (two anonymous requests, counted by both servers).
    let ada = Account::create(&a.base, "ada@example.com").await;
    let (on_a, on_b) = (a.api(Some(&ada.access)), b.api(Some(&ada.access)));

    // Written on one, read on the other at once.
    let org = on_b
        .post("/api/v1/organizations/", json!({"name": "Acme"}))
        .await
        .expect(StatusCode::CREATED)
        .id();
    let org_path = format!("/api/v1/organizations/{org}/");
    let seen = on_a.get(&org_path).await.expect(StatusCode::OK);
    assert_eq!(seen.json["name"], "Acme");
    on_a.patch(&org_path, json!({"name": "Acme Ltd"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        on_b.get(&org_path).await.expect(StatusCode::OK).json["name"],
        "Acme Ltd"
    );
    let project = on_a
        .post(
            "/api/v1/projects/",
            json!({"organization": org, "name": "Launch"}),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    let task = on_b
        .post(
            "/api/v1/tasks/",
            json!({"project": project, "title": "Ship it"}),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    let task_path = format!("/api/v1/tasks/{task}/");
    assert_eq!(
        on_a.get("/api/v1/tasks/?search=ship")
            .await
            .expect(StatusCode::OK)
            .json["count"],
        1
    );
    on_a.delete(&task_path).await.expect(StatusCode::NO_CONTENT);
    on_b.get(&task_path).await.expect(StatusCode::NOT_FOUND);

    // A refresh token exchanged on A is spent on B too.
    let refresh = json!({"refresh": ada.refresh});
    on_a.post("/api/v1/auth/refresh/", refresh.clone())
        .await
        .expect(StatusCode::OK);
    b.api(None)
        .post("/api/v1/auth/refresh/", refresh)
        .await
        .expect(StatusCode::UNAUTHORIZED);

    // One anonymous rate between them: three requests were counted above (register, login,
    // the second refresh); the rest of the window is shared out between the two servers.
    let mut remaining = Vec::new();
    for i in 3..ANON_RATE {
        let server = if i % 2 == 0 { &a } else { &b };
        let resp = server
            .api(None)
            .get("/api/v1/")
            .await
            .expect(StatusCode::OK);
        remaining.push(resp.header("ratelimit-remaining").to_owned());
    }
    assert_eq!(remaining, ["4", "3", "2", "1", "0"]);
    for server in [&a, &b] {
        let refused = server
            .api(None)
            .get("/api/v1/")
            .await
            .expect(StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.header("ratelimit-remaining"), "0");
        assert!(!refused.header("retry-after").is_empty());
    }
    drop((a, b));
    drop(schema);
}
