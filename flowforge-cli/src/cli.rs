//! The command line: what each command takes.

use clap::{Args, Parser, Subcommand};
use flowforge_core::Role;

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
