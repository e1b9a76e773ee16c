//! The command line: what each command takes.

use clap::{Args, Parser, Subcommand};
use flowforge_core::{
    Cursor, EventRetention, EventType, ProjectId, Role, TaskId, Timestamp, UserId,
};

const EXIT_CODES: &str = "\
Exit status: 0 success; 1 other failure (database, internal); 2 usage error; 3 not found;
4 conflict (duplicate, last owner, database not empty); 5 invalid input (validation).

Passwords are never taken from a flag: they are read from a hidden prompt on a terminal, from
standard input with --password-stdin, or from FLOWFORGE_PASSWORD.";

/// The admin CLI of FlowForge.
#[derive(Debug, Parser)]
#[command(name = "flowforge", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// The database (`sqlite://PATH` or `postgres://...`); defaults to `DATABASE_URL`, else the
    /// PostgreSQL database of DB_NAME/DB_USER/DB_PASSWORD/DB_HOST/DB_PORT when DB_NAME is set,
    /// else `sqlite://flowforge.db`.
    #[arg(long, global = true, env = "DATABASE_URL", hide_env_values = true)]
    pub database: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
    /// How SQLite makes a commit durable: `normal` (survives a crash of the process) or `full`
    /// (also a power loss, at an fsync per write).
    #[arg(long, global = true, env = "SQLITE_SYNCHRONOUS", default_value = "normal", value_parser = flowforge_core::Synchronous::parse)]
    pub sqlite_synchronous: flowforge_core::Synchronous,
    /// How long the event log keeps an event, in days, or `forever`: what `events prune`
    /// deletes without --older-than (the server prunes by the same setting daily).
    #[arg(long, global = true, env = "EVENT_RETENTION_DAYS", default_value_t)]
    pub event_retention_days: EventRetention,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending migrations (or list them with --status).
    Migrate {
        /// List applied and pending migrations; change nothing.
        #[arg(long)]
        status: bool,
    },
    /// Create an organization with its owner, creating the user if absent.
    CreateOwner {
        /// The owner's email.
        #[arg(long)]
        email: String,
        /// The organization's name.
        #[arg(long)]
        org: String,
        /// The owner's full name (for a new user).
        #[arg(long, default_value = "")]
        full_name: String,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage organizations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Manage the members of an organization.
    #[command(subcommand)]
    Member(MemberCommand),
    /// Show an organization's event log, newest first (`events ORG`), follow it (`events ORG
    /// --follow`), or delete old events (`events prune`).
    Events(EventsArgs),
    /// Print a fresh access token for a user, signed with the server's key.
    Token {
        /// The user's email.
        #[arg(long)]
        email: String,
        /// Debug mode: use the key kept beside the database when SECRET_KEY is unset.
        #[arg(
            long,
            env = "DEBUG",
            default_value = "true",
            action = clap::ArgAction::Set,
            value_parser = flowforge_core::parse_flag
        )]
        debug: bool,
        /// The key the server signs tokens with.
        #[arg(long, env = "SECRET_KEY", hide_env_values = true)]
        secret_key: Option<String>,
    },
    /// Fill an empty database with a deterministic demo data set. The run is marked in the
    /// database until it ends: a run interrupted midway is refused a rerun, and finished by
    /// rerunning with --resume and the same options.
    SeedDemo {
        /// Organizations.
        #[arg(long, default_value_t = 10)]
        orgs: u32,
        /// Projects per organization.
        #[arg(long, default_value_t = 10)]
        projects_per_org: u32,
        /// Tasks per project.
        #[arg(long, default_value_t = 1000)]
        tasks_per_project: u32,
        /// Users per organization: an owner, then admin, member, viewer, member, ...
        #[arg(long, default_value_t = 5)]
        users_per_org: u32,
        /// The random seed: the same seed gives the same data.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Read the seeded users' password from standard input (default `flowforge-pass-1`).
        #[arg(long)]
        password_stdin: bool,
        /// Finish an interrupted run (given the same options) instead of starting one.
        #[arg(long)]
        resume: bool,
    },
}

/// Where a password comes from.
#[derive(Debug, Args)]
pub struct PasswordSource {
    /// Read the password from standard input instead of a prompt.
    #[arg(long)]
    pub password_stdin: bool,
}

/// Paging options of a listing.
#[derive(Debug, Args)]
pub struct Paging {
    /// Only items matching these words.
    #[arg(long)]
    pub search: Option<String>,
    /// The page (1-based).
    #[arg(long, default_value_t = 1)]
    pub page: u64,
    /// Items per page (at most 100).
    #[arg(long, default_value_t = 50)]
    pub page_size: u64,
}

/// `flowforge user ...`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user (whether or not registration is open).
    Create {
        /// The email.
        #[arg(long)]
        email: String,
        /// The full name.
        #[arg(long, default_value = "")]
        full_name: String,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// List users.
    List(Paging),
    /// Show a user.
    Show {
        /// The user's email.
        email: String,
    },
    /// Set a user's password (and sign them out everywhere).
    SetPassword {
        /// The user's email.
        email: String,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// Deactivate a user: no login, no token works.
    Deactivate {
        /// The user's email.
        email: String,
    },
    /// Activate a user again.
    Activate {
        /// The user's email.
        email: String,
    },
}

/// `flowforge org ...`
#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// List organizations.
    List(Paging),
    /// Show an organization (by id or slug).
    Show {
        /// The id or slug.
        org: String,
    },
    /// Create an organization owned by an existing user.
    Create {
        /// The name.
        #[arg(long)]
        name: String,
        /// The slug (derived from the name when absent).
        #[arg(long)]
        slug: Option<String>,
        /// The owner's email.
        #[arg(long)]
        owner: String,
    },
    /// Delete an organization with its members, projects and tasks.
    Delete {
        /// The id or slug.
        org: String,
    },
}

/// `flowforge member ...`
#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// List the members of an organization.
    List {
        /// The organization's id or slug.
        org: String,
        /// Only these roles.
        #[arg(long, value_delimiter = ',')]
        role: Vec<Role>,
        #[command(flatten)]
        paging: Paging,
    },
    /// Add a user to an organization.
    Add {
        /// The organization's id or slug.
        org: String,
        /// The user's email.
        email: String,
        /// The role: owner, admin, member or viewer.
        role: Role,
    },
    /// Change a member's role (an organization keeps at least one owner).
    SetRole {
        /// The organization's id or slug.
        org: String,
        /// The member's email.
        email: String,
        /// The new role.
        role: Role,
    },
    /// Remove a member (their open tasks become unassigned).
    Remove {
        /// The organization's id or slug.
        org: String,
        /// The member's email.
        email: String,
    },
}

/// `flowforge events ...`: an organization's log, or a subcommand. An organization whose slug is
/// a subcommand's name (`prune`) is named by its id.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct EventsArgs {
    /// What else to do with the log.
    #[command(subcommand)]
    pub command: Option<EventsCommand>,
    /// The organization's id or slug.
    #[arg(required = true)]
    pub org: Option<String>,
    /// Only events committed at or after this time (RFC 3339, e.g. 2026-11-23T21:53:52Z).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub since: Option<Timestamp>,
    /// Only events committed at or before this time (RFC 3339).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub until: Option<Timestamp>,
    /// Only events of these types (comma-separated, e.g. task.created,task.updated).
    #[arg(long = "type", value_name = "TYPES", value_delimiter = ',')]
    pub kind: Vec<EventType>,
    /// Only events about these projects (ids, comma-separated).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub project: Vec<ProjectId>,
    /// Only events about these tasks (ids, comma-separated).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub task: Vec<TaskId>,
    /// Only events by these users (ids, comma-separated).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub actor: Vec<UserId>,
    /// The page (1-based).
    #[arg(long, default_value_t = 1)]
    pub page: u64,
    /// Events per page (at most 100).
    #[arg(long, default_value_t = 50)]
    pub page_size: u64,
    /// Print each new event as it commits, oldest first, until interrupted (one line each, or
    /// one JSON object per line with --json); without --after, only those committed from now on.
    #[arg(
        long,
        conflicts_with_all = ["since", "until", "kind", "project", "task", "actor", "page", "page_size"]
    )]
    pub follow: bool,
    /// With --follow: first the events after this one (its `id` in --json output), so that a
    /// follower started again misses nothing.
    #[arg(long, value_name = "ID", requires = "follow", value_parser = parse_cursor)]
    pub after: Option<Cursor>,
}

/// `flowforge events prune`
#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Delete the events older than the retention (EVENT_RETENTION_DAYS, default 90 days) or
    /// than --older-than, in every organization; print how many were deleted.
    Prune {
        /// Delete the events committed more than this many days ago instead (0: every event
        /// committed before now; at most 36500); each organization's newest is kept.
        #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u64).range(0..=flowforge_core::MAX_RETENTION_DAYS))]
        older_than: Option<u64>,
    },
}

/// Reads `--after`: an event's `id`.
fn parse_cursor(text: &str) -> Result<Cursor, String> {
    text.trim()
        .parse()
        .map_err(|_| "not an event's id (the `id` of an event in --json output)".to_owned())
}

/// Reads `--since` and `--until`.
fn parse_time(text: &str) -> Result<Timestamp, String> {
    text.trim()
        .parse()
        .map_err(|e| format!("expected an RFC 3339 time such as 2026-11-23T21:53:52Z ({e})"))
}
