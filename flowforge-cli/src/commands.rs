//! Each command: parse, one flowforge-core call, print. Errors become one line and an exit code.

use std::io::{BufRead, IsTerminal};

use flowforge_core::{
    Admin, Config, Database, Error, FlowForge, MemberQuery, NewMembership, NewOrg, NewUser,
    OrgSummary, Page, PageRequest, Search, SeedPlan, User, resolve_secret_key,
};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::{Cli, Command, MemberCommand, OrgCommand, Paging, PasswordSource, UserCommand};
use crate::output::{footer, print, say};

/// Why a command failed: a message for stderr and the exit code.
pub struct Failure {
    pub message: String,
    pub code: u8,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        let code = match &error {
            Error::NotFound(_) => 3,
            Error::Conflict(_) => 4,
            Error::Validation(_) => 5,
            _ => 1,
        };
        let message = match &error {
            Error::Validation(errors) => errors.to_string(),
            Error::Internal(cause) | Error::Unavailable { cause, .. } => {
                format!("{error} ({cause})")
            }
            other => other.to_string(),
        };
        Self { message, code }
    }
}

fn failure(message: impl Into<String>) -> Failure {
    Failure {
        message: message.into(),
        code: 1,
    }
}

pub type Outcome = Result<(), Failure>;

/// Runs one command line.
pub fn run(cli: Cli) -> Outcome {
    let database =
        Database::from_settings(cli.database.as_deref(), |name| std::env::var(name).ok())?;
    let json = cli.json;
    let config = |key: Vec<u8>| {
        let mut config = Config::new(key);
        config.synchronous = cli.sqlite_synchronous;
        config.event_retention = cli.event_retention_days.keep();
        config
    };
    match cli.command {
        Command::Migrate { status } => migrate(&database, status, json),
        Command::Token {
            email,
            debug,
            secret_key,
        } => {
            let (key, _) = resolve_secret_key(secret_key.as_deref(), debug, &database)?;
            let ff = FlowForge::open(&database, config(key.into_bytes()))?;
            let admin = ff.admin();
            let actor = admin.act_as(user_by_email(&admin, &email)?.id)?;
            say!("{}", admin.access_token(&actor)?);
            Ok(())
        }
        command => {
            // Tokens are not signed by these commands, so any key will do.
            let ff = FlowForge::open(&database, config(b"flowforge-cli".to_vec()))?;
            let admin = ff.admin();
            match command {
                Command::CreateOwner {
                    email,
                    org,
                    full_name,
                    password,
                } => {
                    // The password is asked for only when the user has to be created.
                    let password = match admin.find_user(&email)? {
                        Some(_) => String::new(),
                        None => read_password(&password)?,
                    };
                    let account = NewUser {
                        email,
                        password,
                        full_name,
                    };
                    let org = NewOrg {
                        name: org,
                        slug: None,
                    };
                    let (user, org) = admin.create_owner(&account, &org)?;
                    say!(
                        "created organization {} ({}) owned by {}",
                        org.name,
                        org.id,
                        user.email
                    );
                    Ok(())
                }
                Command::User(command) => user(&admin, command, json),
                Command::Org(command) => org(&admin, command, json),
                Command::Member(command) => member(&admin, command, json),
                Command::Events(args) => crate::events::run(&ff, args, json),
                Command::SeedDemo {
                    orgs,
                    projects_per_org,
                    tasks_per_project,
                    users_per_org,
                    seed,
                    password_stdin,
                    resume,
                } => {
                    let password = if password_stdin {
                        read_stdin_line()?
                    } else {
                        SeedPlan::default().password
                    };
                    let plan = SeedPlan {
                        orgs,
                        projects_per_org,
                        tasks_per_project,
                        users_per_org,
                        seed,
                        password,
                    };
                    seed_demo(&admin, &plan, resume)
                }
                Command::Migrate { .. } | Command::Token { .. } => unreachable!("handled above"),
            }
        }
    }
}

fn migrate(database: &Database, status: bool, json: bool) -> Outcome {
    if status {
        let states = database.migration_status()?;
        let rows = states
            .iter()
            .map(|m| {
                vec![
                    m.version.to_string(),
                    m.name.clone(),
                    if m.applied { "applied" } else { "pending" }.into(),
                ]
            })
            .collect();
        print(json, &states, &["version", "name", "state"], rows);
    } else {
        let applied = database.migrate()?;
        if applied.is_empty() {
            say!("no pending migrations");
        }
        for name in applied {
            say!("applied {name}");
        }
    }
    Ok(())
}

fn user(admin: &Admin<'_>, command: UserCommand, json: bool) -> Outcome {
    match command {
        UserCommand::Create {
            email,
            full_name,
            password,
        } => {
            let user = admin.create_user(&NewUser {
                email,
                password: read_password(&password)?,
                full_name,
            })?;
            show_users(json, &user, std::slice::from_ref(&user));
        }
        UserCommand::List(paging) => {
            let page = admin.list_users(&search(&paging)?, page_request(&paging))?;
            show_users(json, &page.items, &page.items);
            page_footer(json, &page);
        }
        UserCommand::Show { email } => {
            let user = user_by_email(admin, &email)?;
            show_users(json, &user, std::slice::from_ref(&user));
        }
        UserCommand::SetPassword { email, password } => {
            let user = user_by_email(admin, &email)?;
            admin.set_password(user.id, &read_password(&password)?)?;
            say!(
                "password of {} changed; their sessions are signed out",
                user.email
            );
        }
        UserCommand::Deactivate { email } => {
            admin.set_active(user_by_email(admin, &email)?.id, false)?;
            say!("{email} deactivated");
        }
        UserCommand::Activate { email } => {
            admin.set_active(user_by_email(admin, &email)?.id, true)?;
            say!("{email} activated");
        }
    }
    Ok(())
}

/// Prints `users` as a table, or `value` (one user or a list) as JSON.
fn show_users<T: serde::Serialize + ?Sized>(json: bool, value: &T, users: &[User]) {
    let rows = users
        .iter()
        .map(|u| {
            vec![
                u.id.to_string(),
                u.email.clone(),
                u.full_name.clone(),
                u.is_active.to_string(),
                u.created_at.to_string(),
            ]
        })
        .collect();
    print(
        json,
        value,
        &["id", "email", "full name", "active", "created"],
        rows,
    );
}

fn org(admin: &Admin<'_>, command: OrgCommand, json: bool) -> Outcome {
    match command {
        OrgCommand::List(paging) => {
            let page = admin.list_organizations(&search(&paging)?, page_request(&paging))?;
            show_orgs(json, &page.items, &page.items);
            page_footer(json, &page);
        }
        OrgCommand::Show { org } => {
            let org = org_by_key(admin, &org)?;
            show_orgs(json, &org, std::slice::from_ref(&org));
        }
        OrgCommand::Create { name, slug, owner } => {
            let owner = user_by_email(admin, &owner)?;
            let org = admin.create_organization(owner.id, &NewOrg { name, slug })?;
            let org = admin.find_organization(&org.id.to_string())?;
            show_orgs(json, &org, std::slice::from_ref(&org));
        }
        OrgCommand::Delete { org } => {
            let found = org_by_key(admin, &org)?;
            admin.delete_organization(found.id)?;
            say!("deleted organization {} ({})", found.name, found.id);
        }
    }
    Ok(())
}

/// Prints `orgs` as a table, or `value` (one organization or a list) as JSON.
fn show_orgs<T: serde::Serialize + ?Sized>(json: bool, value: &T, orgs: &[OrgSummary]) {
    let rows = orgs
        .iter()
        .map(|o| {
            let counts = [o.member_count, o.project_count, o.task_count].map(|n| n.to_string());
            [
                vec![o.id.to_string(), o.name.clone(), o.slug.clone()],
                counts.to_vec(),
            ]
            .concat()
        })
        .collect();
    print(
        json,
        value,
        &["id", "name", "slug", "members", "projects", "tasks"],
        rows,
    );
}

fn member(admin: &Admin<'_>, command: MemberCommand, json: bool) -> Outcome {
    let membership_row = |m: &flowforge_core::Membership| {
        vec![
            m.user.email.clone(),
            m.user.full_name.clone(),
            m.role.to_string(),
            m.joined_at.to_string(),
        ]
    };
    let header = ["email", "full name", "role", "joined"];
    match command {
        MemberCommand::List { org, role, paging } => {
            let org = org_by_key(admin, &org)?;
            let query = MemberQuery {
                role,
                search: search(&paging)?,
                page: page_request(&paging),
                ..MemberQuery::default()
            };
            let page = admin.list_members(org.id, &query)?;
            print(
                json,
                &page.items,
                &header,
                page.items.iter().map(membership_row).collect(),
            );
            page_footer(json, &page);
        }
        MemberCommand::Add { org, email, role } => {
            let org = org_by_key(admin, &org)?;
            let added = admin.add_member(org.id, &NewMembership { email, role })?;
            print(json, &added, &header, vec![membership_row(&added)]);
        }
        MemberCommand::SetRole { org, email, role } => {
            let org = org_by_key(admin, &org)?;
            let user = user_by_email(admin, &email)?;
            let changed = admin
                .set_member_role(org.id, user.id, role)
                .map_err(|e| not_a_member(e, &email, &org.name))?;
            print(json, &changed, &header, vec![membership_row(&changed)]);
        }
        MemberCommand::Remove { org, email } => {
            let org = org_by_key(admin, &org)?;
            let user = user_by_email(admin, &email)?;
            admin
                .remove_member(org.id, user.id)
                .map_err(|e| not_a_member(e, &email, &org.name))?;
            say!("removed {email} from {}", org.name);
        }
    }
    Ok(())
}

fn seed_demo(admin: &Admin<'_>, plan: &SeedPlan, resume: bool) -> Outcome {
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(0)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} tasks ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let progress = |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let report = if resume {
        admin.resume_seed_demo(plan, progress)?
    } else {
        if std::io::stderr().is_terminal() {
            // Beside the progress bar, for whoever may be tempted to interrupt it.
            eprintln!(
                "The run is marked in the database until it ends; if it is interrupted, finish \
                 it with --resume and the same options."
            );
        }
        admin.seed_demo(plan, progress)?
    };
    bar.finish_and_clear();
    if resume {
        say!("resumed the interrupted run");
    }
    say!(
        "seeded {} organizations, {} users, {} projects, {} tasks in {:.1}s",
        report.organizations.len(),
        report.users,
        report.projects,
        report.tasks,
        started.elapsed().as_secs_f64()
    );
    say!("password of every seeded user: {}", plan.password);
    for (n, org) in report.organizations.iter().enumerate() {
        say!("org{n}: id={} owner={}", org.id, org.owner_email);
    }
    if let (Some(org), Some(project)) = (report.organizations.first(), report.first_project) {
        let tasks: Vec<String> = report.first_tasks.iter().map(ToString::to_string).collect();
        say!("LOGIN_EMAIL={}", org.owner_email);
        say!("LOGIN_PASSWORD={}", plan.password);
        say!("ORG_ID={}", org.id);
        say!("PROJECT_ID={project}");
        say!("TASK_IDS={}", tasks.join(","));
        say!("SEARCH_WORD={}", report.search_word.unwrap_or_default());
    }
    Ok(())
}

fn user_by_email(admin: &Admin<'_>, email: &str) -> Result<User, Failure> {
    admin.find_user(email)?.ok_or_else(|| Failure {
        message: format!("no user has the email {email}"),
        code: 3,
    })
}

/// The organization whose id or slug is `key`; not found names the key.
pub fn org_by_key(admin: &Admin<'_>, key: &str) -> Result<OrgSummary, Failure> {
    admin.find_organization(key).map_err(|error| match error {
        Error::NotFound(_) => Failure {
            message: format!("no organization has the id or slug {key}"),
            code: 3,
        },
        other => other.into(),
    })
}

/// A member operation's not found (the organization and user exist) names who is missing where.
fn not_a_member(error: Error, email: &str, org: &str) -> Failure {
    match error {
        Error::NotFound(_) => Failure {
            message: format!("{email} is not a member of {org}"),
            code: 3,
        },
        other => other.into(),
    }
}

/// `--search`, read with the limits of a client's search.
fn search(paging: &Paging) -> Result<Search, Failure> {
    match paging.search.as_deref() {
        None => Ok(Search::default()),
        Some(text) => Search::parse(text).map_err(|m| Error::invalid("search", m).into()),
    }
}

fn page_request(paging: &Paging) -> PageRequest {
    PageRequest::new(paging.page, paging.page_size)
}

pub fn page_footer<T>(json: bool, page: &Page<T>) {
    footer(json, page.page, page.num_pages(), page.count);
}

/// The password: `--password-stdin`, else `FLOWFORGE_PASSWORD`, else a hidden prompt on a terminal.
fn read_password(source: &PasswordSource) -> Result<String, Failure> {
    if source.password_stdin {
        return read_stdin_line();
    }
    if let Ok(password) = std::env::var("FLOWFORGE_PASSWORD") {
        return Ok(password);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure {
            message:
                "no password: use --password-stdin or FLOWFORGE_PASSWORD when not on a terminal"
                    .into(),
            code: 2,
        });
    }
    let first = rpassword::prompt_password("Password: ")
        .map_err(|e| failure(format!("cannot read the password: {e}")))?;
    let again = rpassword::prompt_password("Again: ")
        .map_err(|e| failure(format!("cannot read the password: {e}")))?;
    if first != again {
        return Err(Failure {
            message: "the passwords differ".into(),
            code: 5,
        });
    }
    Ok(first)
}

fn read_stdin_line() -> Result<String, Failure> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| failure(format!("cannot read standard input: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
