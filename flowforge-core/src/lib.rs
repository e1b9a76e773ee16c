//! FlowForge: a multi-tenant workflow and task management backend, as a library.
//!
//! Organizations have members with roles (owner > admin > member > viewer); organizations have
//! projects; projects have tasks; tasks have comments. Every rule of the product lives in this
//! crate: tenancy, roles, validation, filtering, ordering, search and pagination. The HTTP
//! server and the admin CLI only translate to and from it, so a program that links this crate
//! gets the same guarantees.
//!
//! Every tenant operation takes an [`Actor`], which only authentication can produce, and sees
//! only the organizations that actor belongs to: a resource of another tenant is
//! [`Error::NotFound`], exactly like a missing one.
//!
//! ```
//! use flowforge_core::{Config, Database, FlowForge, NewUser, NewOrg, NewProject, NewTask,
//!                      NewMembership, Role, TaskQuery, Priority};
//!
//! # fn main() -> flowforge_core::Result<()> {
//! let ff = FlowForge::open(&Database::Memory, Config::new("a long random secret key"))?;
//! for email in ["ada@example.com", "bob@example.com"] {
//!     ff.register(&NewUser { email: email.into(), password: "correct horse".into(), full_name: String::new() })?;
//! }
//! let ada = ff.authenticate("ada@example.com", "correct horse")?;
//!
//! let org = ff.create_organization(&ada, &NewOrg { name: "Acme".into(), slug: None })?;
//! ff.add_member(&ada, org.id, &NewMembership { email: "bob@example.com".into(), role: Role::Member })?;
//! let project = ff.create_project(&ada, &NewProject::new(org.id, "Launch"))?;
//! for (title, priority) in [("Write docs", Priority::Low), ("Fix login", Priority::Critical)] {
//!     ff.create_task(&ada, &NewTask { priority: Some(priority), ..NewTask::new(project.id, title) })?;
//! }
//!
//! // The same parser the server uses for `?priority=critical,high&ordering=-created_at&page_size=10`.
//! let query = TaskQuery::from_pairs([("priority", "critical,high"), ("ordering", "-created_at"), ("page_size", "10")])?;
//! let page = ff.list_tasks(&ada, &query)?;
//! assert_eq!(page.count, 1);
//! assert_eq!(page.items[0].title, "Fix login");
//! # Ok(())
//! # }
//! ```

mod admin;
pub mod auth;
mod authz;
mod choice;
mod comment;
mod error;
mod event;
mod ids;
mod index;
mod input;
mod member;
mod org;
mod project;
pub mod query;
mod rate;
#[cfg(feature = "openapi")]
pub mod schema;
mod secret;
mod seed;
mod store;
mod task;
pub mod throttle;
mod time;
mod user;

use std::time::Duration;

pub use admin::Admin;
pub use auth::{Actor, TokenPair};
pub use authz::{OrgScope, Role};
pub use choice::UnknownChoice;
pub use comment::{Comment, CommentField, CommentPatch, CommentQuery, NewComment};
pub use error::{Error, FieldErrors, Result};
pub use event::{
    ActivityQuery, Change, Changes, Cursor, DEFAULT_EVENTS_LIMIT, Event, EventBatch,
    EventRetention, EventType, EventsQuery, MAX_EVENTS_LIMIT, MAX_RETENTION_DAYS, SECONDS_PER_DAY,
    Subscription, history_page,
};
pub use ids::{CommentId, OrgId, ProjectId, TaskId, UserId};
pub use member::{MemberField, MemberQuery, Membership, MembershipPatch, NewMembership};
pub use org::{NewOrg, Org, OrgField, OrgPatch, OrgQuery, OrgSummary};
pub use project::{NewProject, Project, ProjectField, ProjectPatch, ProjectQuery};
pub use query::{Page, PageRequest, Search, Sort};
pub use secret::{KeySource, generated_secret_path, load_or_generate_secret, resolve_secret_key};
pub use seed::{SeedPlan, SeedReport, SeededOrg};
/// A test fixture (the `test-support` feature), not part of the product's API.
#[cfg(all(feature = "postgres", feature = "test-support"))]
pub use store::ScratchSchema;
pub use store::{
    DEFAULT_DATABASE_URL, Database, HeldReader, MigrationState, Synchronous, end_parked_reads,
};
pub use task::{NewTask, Priority, Status, Task, TaskField, TaskPatch, TaskQuery, UserFilter};
pub use time::Timestamp;
pub use user::{Credentials, NewUser, PasswordChange, RefreshRequest, User, UserPatch, UserRef};

/// How long the event log keeps an event unless configured otherwise: 90 days.
pub const DEFAULT_EVENT_RETENTION: Duration = Duration::from_secs(90 * SECONDS_PER_DAY);

/// Settings of a FlowForge handle.
#[derive(Clone)]
pub struct Config {
    secret_key: Vec<u8>,
    /// How long an access token lives (default 15 minutes).
    pub access_ttl: Duration,
    /// How long a refresh token lives (default 7 days).
    pub refresh_ttl: Duration,
    /// Whether anyone may register (default true).
    pub allow_registration: bool,
    /// How an SQLite commit is made durable (default [`Synchronous::Normal`]).
    pub synchronous: Synchronous,
    /// How long the event log keeps an event (default 90 days; `None` keeps every event):
    /// [`FlowForge::prune_expired_events`] deletes older ones.
    pub event_retention: Option<Duration>,
}

impl Config {
    /// Default settings with `secret_key` signing the tokens.
    pub fn new(secret_key: impl Into<Vec<u8>>) -> Self {
        Self {
            secret_key: secret_key.into(),
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(7 * 24 * 3600),
            allow_registration: true,
            synchronous: Synchronous::default(),
            event_retention: Some(DEFAULT_EVENT_RETENTION),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("secret_key", &"<redacted>")
            .field("access_ttl", &self.access_ttl)
            .field("refresh_ttl", &self.refresh_ttl)
            .field("allow_registration", &self.allow_registration)
            .field("synchronous", &self.synchronous)
            .field("event_retention", &self.event_retention)
            .finish()
    }
}

/// Reads a yes/no setting (`DEBUG`, `ALLOW_REGISTRATION`, ...) the way the server and the CLI
/// both read them: `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`, in any case.
///
/// # Errors
/// A message fit to show when the text is none of those.
pub fn parse_flag(text: &str) -> std::result::Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(format!("expected true or false, got {text:?}")),
    }
}

/// A FlowForge database with its rules: the handle every operation goes through.
/// Cheap to share between threads (`Arc` it); each operation takes a pooled connection.
pub struct FlowForge {
    store: store::Store,
    tokens: auth::TokenKeys,
    config: Config,
    tasks: index::TaskIndex,
    recent: store::RecentTasks,
    feed: event::Feed,
}

impl FlowForge {
    /// Opens (creating if needed) the database and applies pending migrations.
    ///
    /// # Errors
    /// [`Error::Validation`] for an empty secret key or a database that cannot be opened;
    /// [`Error::Internal`] if a migration fails.
    pub fn open(database: &Database, config: Config) -> Result<Self> {
        if config.secret_key.is_empty() {
            return Err(Error::invalid(
                "secret_key",
                "The secret key may not be empty.",
            ));
        }
        let store = store::Store::open(database, config.synchronous)?;
        let tokens =
            auth::TokenKeys::new(&config.secret_key, config.access_ttl, config.refresh_ttl);
        Ok(Self {
            feed: event::Feed::new(&store),
            store,
            tokens,
            config,
            tasks: index::TaskIndex::default(),
            recent: store::RecentTasks::default(),
        })
    }

    /// The settings this handle was opened with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Whether the database answers.
    ///
    /// # Errors
    /// [`Error::Unavailable`] or [`Error::Internal`] when it does not.
    pub fn ping(&self) -> Result<()> {
        self.store.ping()
    }

    /// Whether the database answers and takes writes: a read; and, when the last write was
    /// refused by the storage (a full disk, a read-only file, a lock held past the timeout) and
    /// none succeeded since, a probe that writes and removes a row of a few pages. So the
    /// steady state costs one read, and readiness returns once the storage takes writes again
    /// (when space is freed, say) without any client write.
    ///
    /// # Errors
    /// [`Error::Unavailable`] while the storage refuses writes; as [`FlowForge::ping`].
    pub fn check_ready(&self) -> Result<()> {
        self.store.ping()?;
        if self.store.refusing() {
            self.store.probe_writes()?;
        }
        Ok(())
    }

    /// Whether the storage takes a write now, by the probe of [`FlowForge::check_ready`] (a
    /// server checks this at start, to refuse a database it cannot write).
    ///
    /// # Errors
    /// [`Error::Unavailable`] when the storage refuses it (a read-only file or directory, a
    /// full disk), with the storage's reason as its source.
    pub fn check_writable(&self) -> Result<()> {
        self.store.probe_writes()
    }

    /// A test fixture (the `test-support` feature), not part of the product's API: caps an
    /// SQLite database at `pages` pages (at least its current size), so that a write needing
    /// more room fails as on a full disk; `None` lifts the cap. No effect on PostgreSQL.
    #[cfg(feature = "test-support")]
    pub fn limit_sqlite_pages(&self, pages: Option<u32>) {
        self.store.limit_sqlite_pages(pages);
    }

    /// A throttle of `rate` called `name`, counting where every process on this database sees
    /// it: in the database on PostgreSQL, so that servers sharing it enforce one limit; in
    /// this process on SQLite, whose database one server owns. Throttles of different names
    /// count separately.
    pub fn throttle(&self, name: &str, rate: throttle::Rate) -> throttle::Throttle {
        match self.store.backend() {
            store::Backend::Sqlite => throttle::Throttle::local(name, rate),
            #[cfg(feature = "postgres")]
            store::Backend::Postgres => throttle::Throttle::shared(self.store.clone(), name, rate),
        }
    }

    /// Holds a pooled connection for this thread's reads until the guard drops: they then
    /// share one snapshot and wait for no pool, so a server can run a short read (one
    /// resource, a token's user) on the thread that took the request rather than hand it to
    /// another. `None` when no connection is to be had while one stays free for the threads
    /// that wait, writers among them (an in-memory database's single connection is never
    /// lent), this thread holds one already, or the database is PostgreSQL (its reads wait on
    /// the network): run the read where waiting is fine. A write while it is held ends its
    /// transaction, so the next read sees the write. A read whose cost grows with the data (a
    /// list) runs under it within a budget: [`HeldReader::bounded`].
    ///
    /// Dropped, the guard leaves the connection, its snapshot open, with the thread for its
    /// next hold (while two others stay free), which reuses the snapshot while no write through
    /// this handle has ended since it began and for at most a millisecond (a write made
    /// elsewhere is seen after that). The thread keeps that connection out of the pool until
    /// its next hold, its end, the checkpointer's next pass after a write, or
    /// [`end_parked_reads`], which a thread that holds readers should call when it goes idle
    /// (the server's workers do, before they park).
    pub fn hold_reader(&self) -> Option<HeldReader> {
        self.store.hold_reader()
    }

    /// The unscoped operations of the admin CLI, which act outside any tenant.
    ///
    /// Never expose this to a tenant's request: it bypasses every role and tenancy check.
    pub fn admin(&self) -> Admin<'_> {
        Admin::new(self)
    }
}
