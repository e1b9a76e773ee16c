//! The shared server: one seeded world whose role accounts the read-mostly tests borrow.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use super::{Account, Api, TestApp, temp_dir_named};

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
/// The settings the shared server runs with, beyond the test defaults.
pub const WORLD_FLAGS: &[&str] = &[
    "--max-body-bytes",
    "1024",
    "--cors-allowed-origins",
    "http://app.example",
    "--allowed-hosts",
    "127.0.0.1,flowforge.test",
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
