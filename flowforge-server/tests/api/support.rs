//! The test harness: the real server in-process on `127.0.0.1:0` over a fresh SQLite file, a
//! small HTTP client that keeps every byte of a response, and one shared, seeded server (the
//! `World`) whose role accounts every read-mostly test borrows, so the binary hashes few
//! passwords. Nothing here sleeps to wait for the server: a server is ready once it accepts.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use clap::Parser;
use flowforge_server::{Settings, open, serve};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The password of every account the tests create.
pub const PASSWORD: &str = "correct horse battery";

/// A temporary directory under cargo's target directory, so an abandoned one is easy to find.
pub fn temp_dir() -> TempDir {
    temp_dir_named("flowforge-api-")
}

fn temp_dir_named(prefix: &str) -> TempDir {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("a temporary directory")
}

/// The shared server's directory outlives the test binary (statics are never dropped); remove
/// those that earlier runs left, once they are surely not in use.
fn remove_stale_world_dirs() {
    let Ok(entries) = std::fs::read_dir(env!("CARGO_TARGET_TMPDIR")) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > Duration::from_secs(3600)));
        if stale
            && entry
                .file_name()
                .to_string_lossy()
                .starts_with(WORLD_PREFIX)
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A name no other test of this run uses (organization names are unique server-wide).
pub fn unique(prefix: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("{prefix} {}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// An id that names nothing.
pub fn missing_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The real server, in-process, on its own database; stopped when dropped.
pub struct TestApp {
    /// Where it listens.
    pub addr: SocketAddr,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    _dir: TempDir,
    /// With the `postgres` feature, the server's own schema on the test PostgreSQL server.
    #[cfg(feature = "postgres")]
    _schema: flowforge_core::ScratchSchema,
}

impl TestApp {
    /// A server with the test defaults (every throttle off) and then `extra` flags, which win.
    pub async fn spawn(extra: &[&str]) -> TestApp {
        TestApp::spawn_in(temp_dir(), extra).await
    }

    async fn spawn_in(dir: TempDir, extra: &[&str]) -> TestApp {
        #[cfg(feature = "postgres")]
        let schema = tokio::task::spawn_blocking(scratch_schema)
            .await
            .expect("a scratch schema");
        #[cfg(feature = "postgres")]
        let url = schema.url().to_owned();
        #[cfg(not(feature = "postgres"))]
        let url = format!("sqlite://{}", dir.path().join("flowforge.db").display());
        let defaults = [
            ("--database-url", url.as_str()),
            ("--secret-key", "a test secret key that is long enough"),
            ("--debug", "false"),
            ("--throttle-anon", "off"),
            ("--throttle-user", "off"),
            ("--throttle-login", "off"),
        ];
        let mut args = vec!["flowforge-server"];
        for (flag, value) in defaults {
            if !extra.contains(&flag) {
                args.extend([flag, value]);
            }
        }
        args.extend_from_slice(extra);
        let settings = Settings::try_parse_from(args).expect("valid test settings");
        let app = tokio::task::spawn_blocking(move || open(settings))
            .await
            .expect("open did not panic")
            .expect("the server opens its database");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let addr = listener.local_addr().expect("a bound address");
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, app, async {
            let _ = rx.await;
        }));
        wait_for_port(addr).await;
        TestApp {
            addr,
            base: format!("http://{addr}"),
            shutdown: Some(tx),
            server: Some(server),
            _dir: dir,
            #[cfg(feature = "postgres")]
            _schema: schema,
        }
    }

    /// A client without a token.
    pub fn anon(&self) -> Api {
        Api::new(&self.base, None)
    }

    /// A client presenting `token`.
    pub fn with_token(&self, token: &str) -> Api {
        Api::new(&self.base, Some(token))
    }

    /// Registers and logs in a new account (two password hashes).
    pub async fn account(&self, email: &str) -> Account {
        Account::create(&self.base, email).await
    }

    /// Fires the shutdown signal and waits until the server has drained its connections.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("the server task ends cleanly");
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A schema of its own on the PostgreSQL server of `FLOWFORGE_TEST_DATABASE_URL` (by default
/// the local one); an unreachable server fails the test, naming the variable.
#[cfg(feature = "postgres")]
pub fn scratch_schema() -> flowforge_core::ScratchSchema {
    flowforge_core::ScratchSchema::for_tests().unwrap_or_else(|e| panic!("{e}"))
}

/// Returns once `addr` accepts a connection (bounded: a server that never comes up fails).
pub async fn wait_for_port(addr: SocketAddr) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(addr).await.is_err() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the server never accepted on {addr}"
        );
        tokio::task::yield_now().await;
    }
}

/// A registered, logged-in user.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub email: String,
    pub access: String,
    pub refresh: String,
}

impl Account {
    pub async fn create(base: &str, email: &str) -> Account {
        let api = Api::new(base, None);
        let user = api
            .post(
                "/api/v1/auth/register/",
                json!({"email": email, "password": PASSWORD, "full_name": email}),
            )
            .await
            .expect(StatusCode::CREATED);
        let tokens = api
            .post(
                "/api/v1/auth/login/",
                json!({"email": email, "password": PASSWORD}),
            )
            .await
            .expect(StatusCode::OK);
        Account {
            id: user.json["id"].as_str().expect("an id").to_owned(),
            email: email.to_owned(),
            access: tokens.json["access"]
                .as_str()
                .expect("an access token")
                .to_owned(),
            refresh: tokens.json["refresh"]
                .as_str()
                .expect("a refresh token")
                .to_owned(),
        }
    }
}

/// A response with everything kept: status, headers, raw body and the body as JSON (or null).
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Resp {
    /// Asserts the status (showing the body when it differs) and hands the response on.
    #[track_caller]
    pub fn expect(self, status: StatusCode) -> Resp {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        self
    }

    /// A header as text ("" when absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts an RFC 9457 problem of `status` whose `instance` is `path`.
    #[track_caller]
    pub fn problem(self, status: StatusCode, path: &str) -> Resp {
        let resp = self.expect(status);
        assert_eq!(resp.header("content-type"), "application/problem+json");
        assert_eq!(resp.json["type"], "about:blank");
        assert_eq!(resp.json["status"], status.as_u16());
        assert_eq!(resp.json["title"], status.canonical_reason().unwrap());
        assert!(resp.json["detail"].is_string(), "{}", resp.text);
        assert_eq!(resp.json["instance"], path);
        resp
    }

    /// The `id` member of the body.
    pub fn id(&self) -> String {
        self.json["id"].as_str().expect("an id").to_owned()
    }
}

/// A client for one server, optionally presenting a bearer token. It never follows redirects.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Api {
    pub fn new(base: &str, token: Option<&str>) -> Api {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client");
        Api {
            http,
            base: base.to_owned(),
            token: token.map(str::to_owned),
        }
    }

    /// A request builder for `path` with the token (if any) set.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let builder = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        send(self.request(Method::GET, path)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        send(self.request(Method::DELETE, path)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        send(self.request(Method::POST, path).json(&body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        send(self.request(Method::PATCH, path).json(&body)).await
    }
}

/// Sends a request and keeps the whole response.
pub async fn send(builder: reqwest::RequestBuilder) -> Resp {
    let response = builder.send().await.expect("the server answers");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("a readable body");
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        text,
        json,
    }
}

/// Writes `request` on a fresh connection and reads until the server closes it (on the blocking
/// pool, with plain sockets, so every byte sent is exactly the test's).
pub async fn raw_exchange(addr: SocketAddr, request: &[u8]) -> String {
    use std::io::{Read, Write};
    let request = request.to_vec();
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).expect("a connection");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("a read timeout");
        stream.write_all(&request).expect("the request is sent");
        let mut answer = Vec::new();
        stream
            .read_to_end(&mut answer)
            .expect("the server answers and closes within 10 s");
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .expect("the exchange did not panic")
}

/// The shared server: an organization "Acme" where each role has one account, and the
/// outsider's own organization with a project and a task (the foreign resources).
pub struct World {
    pub base: String,
    pub addr: SocketAddr,
    pub owner: Account,
    pub admin: Account,
    pub member: Account,
    pub viewer: Account,
    pub outsider: Account,
    pub org: String,
    pub project: String,
    pub task: String,
    pub foreign_org: String,
    pub foreign_project: String,
    pub foreign_task: String,
}

const WORLD_PREFIX: &str = "flowforge-api-world-";

/// The settings the shared server runs with, beyond the test defaults.
pub const WORLD_FLAGS: &[&str] = &[
    "--max-body-bytes",
    "1024",
    "--cors-allowed-origins",
    "http://app.example",
];

impl World {
    /// The shared world, started and seeded on first use. It runs on a thread of its own so it
    /// outlives each test's runtime.
    pub fn get() -> &'static World {
        static WORLD: OnceLock<World> = OnceLock::new();
        WORLD.get_or_init(|| {
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("a runtime");
                runtime.block_on(async move {
                    remove_stale_world_dirs();
                    let app = TestApp::spawn_in(temp_dir_named(WORLD_PREFIX), WORLD_FLAGS).await;
                    let world = World::seed(&app).await;
                    tx.send(world).expect("the test waits for the world");
                    std::future::pending::<()>().await;
                    drop(app);
                });
            });
            rx.recv_timeout(Duration::from_secs(30))
                .expect("the shared server starts and is seeded")
        })
    }

    async fn seed(app: &TestApp) -> World {
        let mut set = tokio::task::JoinSet::new();
        for role in ["owner", "admin", "member", "viewer", "outsider"] {
            let base = app.base.clone();
            set.spawn(async move {
                (
                    role,
                    Account::create(&base, &format!("{role}@acme.test")).await,
                )
            });
        }
        let mut accounts = std::collections::HashMap::new();
        while let Some(joined) = set.join_next().await {
            let (role, account) = joined.expect("an account");
            accounts.insert(role, account);
        }
        let take = |role: &str| accounts[role].clone();
        let (owner, outsider) = (take("owner"), take("outsider"));
        let as_owner = app.with_token(&owner.access);
        let org = as_owner
            .post("/api/v1/organizations/", json!({"name": "Acme"}))
            .await
            .expect(StatusCode::CREATED)
            .id();
        for role in ["admin", "member", "viewer"] {
            as_owner
                .post(
                    &format!("/api/v1/organizations/{org}/members/"),
                    json!({"email": accounts[role].email, "role": role}),
                )
                .await
                .expect(StatusCode::CREATED);
        }
        let (project, task) = project_and_task(&as_owner, &org, "Launch").await;
        let as_outsider = app.with_token(&outsider.access);
        let foreign_org = as_outsider
            .post("/api/v1/organizations/", json!({"name": "Globex"}))
            .await
            .expect(StatusCode::CREATED)
            .id();
        let (foreign_project, foreign_task) =
            project_and_task(&as_outsider, &foreign_org, "Secret plan").await;
        World {
            base: app.base.clone(),
            addr: app.addr,
            admin: take("admin"),
            member: take("member"),
            viewer: take("viewer"),
            owner,
            outsider,
            org,
            project,
            task,
            foreign_org,
            foreign_project,
            foreign_task,
        }
    }

    /// A client acting as `account`.
    pub fn as_(&self, account: &Account) -> Api {
        Api::new(&self.base, Some(&account.access))
    }

    pub fn owner(&self) -> Api {
        self.as_(&self.owner)
    }

    pub fn admin(&self) -> Api {
        self.as_(&self.admin)
    }

    pub fn member(&self) -> Api {
        self.as_(&self.member)
    }

    pub fn viewer(&self) -> Api {
        self.as_(&self.viewer)
    }

    pub fn outsider(&self) -> Api {
        self.as_(&self.outsider)
    }

    /// A client without a token.
    pub fn anon(&self) -> Api {
        Api::new(&self.base, None)
    }

    /// Registers and logs in a fresh account on the shared server.
    pub async fn account(&self, email: &str) -> Account {
        Account::create(&self.base, email).await
    }
}

/// Creates a project named `name` in `org` with one task; returns both ids.
pub async fn project_and_task(api: &Api, org: &str, name: &str) -> (String, String) {
    let project = api
        .post(
            "/api/v1/projects/",
            json!({"organization": org, "name": name}),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    let task = api
        .post(
            "/api/v1/tasks/",
            json!({"project": project, "title": format!("{name}: first task")}),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    (project, task)
}
