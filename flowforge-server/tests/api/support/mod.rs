//! The test harness: the real server in-process on `127.0.0.1:0` over a fresh SQLite file, a
//! small HTTP client that keeps every byte of a response (`client.rs`), a reader of event streams
//! (`sse.rs`), and one shared, seeded server (the `World`, `world.rs`) whose role accounts every
//! read-mostly test borrows, so the binary hashes few passwords. Nothing here sleeps to wait for the server: a server is ready
//! once it accepts.

mod client;
mod sse;
mod world;

pub use client::{Account, Api, Resp, raw_exchange, send};
pub use sse::{Sse, SseStream};
pub use world::{World, project_and_task};

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use clap::Parser;
use flowforge_server::{Settings, open, serve};
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
    /// The FlowForge the server runs on (for fixtures such as a capped database, which only
    /// SQLite has).
    #[cfg_attr(feature = "postgres", allow(dead_code))]
    pub ff: std::sync::Arc<flowforge_core::FlowForge>,
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
        let ff = std::sync::Arc::clone(app.flowforge());
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
            ff,
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
