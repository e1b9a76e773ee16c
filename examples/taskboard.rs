//! An embedded FlowForge: a command-line task board for a team, kept in a local database file.
//! No server: the library alone applies the same tenancy, role and validation rules as the API.
//!
//! A scripted tour on an in-memory database (what CI runs):
//! `cargo run -p flowforge-examples --example taskboard -- demo`
//!
//! A real board lives in `taskboard.db` in the working directory (`--db PATH` before the
//! subcommand, or `TASKBOARD_DB`, to choose another file): `init`, then
//! `add TITLE [--priority P] [--due YYYY-MM-DD]`, `mine`, `done ID`, `assign ID EMAIL`,
//! `invite EMAIL ROLE`, e.g.
//! `cargo run -p flowforge-examples --example taskboard -- init --team "Rocket Team"`.
//! You are `FLOWFORGE_EMAIL` (default `me@example.com`) with the password `FLOWFORGE_PASSWORD`
//! (default `taskboard-demo-pass`: set your own for real data). `invite` registers an email that
//! has no account yet with the password in `FLOWFORGE_INVITE_PASSWORD`.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{Days, Local, NaiveDate};
use clap::{Args, Parser, Subcommand};
use flowforge_core::{
    Actor, Config, Database, Error, FlowForge, MemberQuery, Membership, NewMembership, NewOrg,
    NewProject, NewTask, NewUser, PageRequest, Priority, Project, ProjectQuery, Result, Role,
    Search, Status, Task, TaskId, TaskPatch, TaskQuery, load_or_generate_secret,
};

const DEMO_PASSWORD: &str = "taskboard-demo-pass";

/// A team task board kept in a local FlowForge database.
#[derive(Parser)]
struct Cli {
    /// The database file.
    #[arg(long, env = "TASKBOARD_DB", default_value = "taskboard.db")]
    db: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the database, your account, a team and its board.
    Init {
        /// The team's name (unique in the database).
        #[arg(long, default_value = "My Team")]
        team: String,
    },
    /// Add a task to the board, assigned to you.
    Add(NewCard),
    /// List your open tasks, soonest due first.
    Mine,
    /// Mark a task done.
    Done { id: TaskId },
    /// Assign a task to a member of the team.
    Assign { id: TaskId, email: String },
    /// Add someone to the team as a viewer, member, admin or owner.
    Invite { email: String, role: Role },
    /// Run a scripted tour on an in-memory database and print the board.
    Demo,
}

#[derive(Args)]
struct NewCard {
    title: String,
    /// low, medium, high or critical.
    #[arg(long, default_value = "medium")]
    priority: Priority,
    /// The due date, YYYY-MM-DD.
    #[arg(long)]
    due: Option<NaiveDate>,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("taskboard: {}", describe(&error));
            ExitCode::FAILURE
        }
    }
}

/// One line for a person; the core's messages are already fit to show.
fn describe(error: &Error) -> String {
    match error {
        Error::Validation(fields) => format!("invalid input: {fields}"),
        Error::Unauthenticated(why) => format!("{why} (see FLOWFORGE_EMAIL, FLOWFORGE_PASSWORD)"),
        Error::Forbidden(why) => format!("not allowed: {why}"),
        Error::Internal(cause) => format!("{error} ({cause})"),
        other => other.to_string(),
    }
}

fn run(cli: Cli) -> Result<()> {
    if let Command::Demo = cli.command {
        return demo();
    }
    let db = cli.db.display();
    if !matches!(cli.command, Command::Init { .. }) && !cli.db.exists() {
        let missing = format!("No board at {db}: run `init` first.");
        return Err(Error::NotFound(missing));
    }
    // The key kept beside the file is the one a debug flowforge-server would use on it too.
    let database = Database::File(cli.db.clone());
    let (secret, _generated) = load_or_generate_secret(&database)?;
    let ff = FlowForge::open(&database, Config::new(secret))?;
    let email = std::env::var("FLOWFORGE_EMAIL").unwrap_or_else(|_| "me@example.com".into());
    let password = std::env::var("FLOWFORGE_PASSWORD").unwrap_or_else(|_| DEMO_PASSWORD.into());
    if let Command::Init { team } = &cli.command {
        init(&ff, &email, &password, team)?;
        println!("Board ready in {db} for {email}.");
        return Ok(());
    }
    let me = ff.authenticate(&email, &password)?;
    match cli.command {
        Command::Add(card) => {
            let task = add(&ff, &me, card)?;
            println!("Added {} {}", task.id, task.title);
        }
        Command::Mine => mine(&ff, &me)?,
        Command::Done { id } => println!("Done: {}", done(&ff, &me, id)?.title),
        Command::Assign { id, email } => {
            let task = assign(&ff, &me, id, &email)?;
            println!("Assigned to {email}: {}", task.title);
        }
        Command::Invite { email, role } => {
            let member = invite(&ff, &me, &email, role)?;
            println!("{} joined the team as {}.", member.user.email, member.role);
        }
        Command::Init { .. } | Command::Demo => {}
    }
    Ok(())
}

fn account(email: &str, password: &str) -> NewUser {
    NewUser {
        email: email.into(),
        password: password.into(),
        full_name: String::new(),
    }
}

/// Registers you, then creates your team (you become its owner) and its board.
fn init(ff: &FlowForge, email: &str, password: &str, team: &str) -> Result<Project> {
    ff.register(&account(email, password))?;
    let me = ff.authenticate(email, password)?;
    let team = NewOrg {
        name: team.into(),
        slug: None,
    };
    let team = ff.create_organization(&me, &team)?;
    ff.create_project(&me, &NewProject::new(team.id, "Board"))
}

/// The board: the oldest project you can see (the one `init` created).
fn board(ff: &FlowForge, me: &Actor) -> Result<Project> {
    let query = ProjectQuery::from_pairs([("ordering", "created_at"), ("page_size", "1")])?;
    let first = ff.list_projects(me, &query)?.items.into_iter().next();
    first.ok_or_else(|| Error::NotFound("You are on no team: run `init` or get invited.".into()))
}

fn add(ff: &FlowForge, me: &Actor, card: NewCard) -> Result<Task> {
    let task = NewTask {
        priority: Some(card.priority),
        due_date: card.due,
        assigned_to: Some(me.id()),
        ..NewTask::new(board(ff, me)?.id, card.title)
    };
    ff.create_task(me, &task)
}

/// My open tasks, with the same query-string filters the HTTP API takes.
fn mine(ff: &FlowForge, me: &Actor) -> Result<()> {
    let status = ("status", "todo,in_progress,blocked");
    let ordering = ("ordering", "due_date,-priority");
    let query = TaskQuery::from_pairs([("assigned_to", "me"), status, ordering])?;
    print_tasks(ff, me, query)
}

/// Prints every page of a task list.
fn print_tasks(ff: &FlowForge, me: &Actor, mut query: TaskQuery) -> Result<()> {
    loop {
        let page = ff.list_tasks(me, &query)?;
        if page.count == 0 {
            println!("  (no tasks)");
        }
        for task in &page.items {
            let due = task.due_date.map_or("-".into(), |d| d.to_string());
            let who = task.assigned_to.as_ref().map_or("-", |u| u.email.as_str());
            let (id, status, priority, title) = (task.id, task.status, task.priority, &task.title);
            println!("  {id}  {status:<11} {priority:<8} due {due:<10}  {who:<18} {title}");
        }
        if !page.has_next() {
            return Ok(());
        }
        query.page = PageRequest::new(page.page + 1, page.page_size);
    }
}

fn done(ff: &FlowForge, me: &Actor, id: TaskId) -> Result<Task> {
    let patch = TaskPatch {
        status: Some(Status::Done),
        ..TaskPatch::default()
    };
    ff.update_task(me, id, &patch).map_err(no_task(id))
}

fn assign(ff: &FlowForge, me: &Actor, id: TaskId, email: &str) -> Result<Task> {
    let task = ff.get_task(me, id).map_err(no_task(id))?;
    // Only the members of the task's own team can be found, and assigned.
    let query = MemberQuery {
        search: Search::new(email),
        page: PageRequest::new(1, 100),
        ..MemberQuery::default()
    };
    let members = ff.list_members(me, task.organization, &query)?.items;
    let email = email.trim();
    let not_member = || Error::NotFound(format!("{email} is not on this team."));
    let member = members
        .iter()
        .find(|m| m.user.email.eq_ignore_ascii_case(email));
    let member = member.ok_or_else(not_member)?;
    let patch = TaskPatch {
        assigned_to: Some(Some(member.user.id)),
        ..TaskPatch::default()
    };
    ff.update_task(me, id, &patch).map_err(no_task(id))
}

/// A task that is missing, deleted or another team's is "not found" alike.
fn no_task(id: TaskId) -> impl FnOnce(Error) -> Error {
    move |error| match error {
        Error::NotFound(_) => Error::NotFound(format!("No task {id} on your board.")),
        other => other,
    }
}

fn invite(ff: &FlowForge, me: &Actor, email: &str, role: Role) -> Result<Membership> {
    let team = board(ff, me)?.organization;
    let membership = NewMembership {
        email: email.into(),
        role,
    };
    match ff.add_member(me, team, &membership) {
        // No account has this email. `add_member` checks your role before it looks them up, so
        // you may invite them. No actor operation creates another person's account, so register
        // it as they would sign up themselves: `register` is the public sign-up and honours
        // `Config::allow_registration`; `admin().create_user` would bypass that, and `admin()`
        // is for operators, never for acting on a tenant's behalf.
        Err(Error::NotFound(_)) => {
            let Ok(password) = std::env::var("FLOWFORGE_INVITE_PASSWORD") else {
                let hint = "set FLOWFORGE_INVITE_PASSWORD to register them with that password";
                return Err(Error::NotFound(format!("{email} has no account: {hint}.")));
            };
            ff.register(&account(email, &password))?;
            ff.add_member(me, team, &membership)
        }
        other => other,
    }
}

/// The commands above, scripted on an in-memory database.
fn demo() -> Result<()> {
    let (secret, _) = load_or_generate_secret(&Database::Memory)?; // A fresh random key.
    let ff = FlowForge::open(&Database::Memory, Config::new(secret))?;
    let board = init(&ff, "ada@example.com", DEMO_PASSWORD, "Rocket Team")?;
    let ada = ff.authenticate("ada@example.com", DEMO_PASSWORD)?;
    ff.register(&account("grace@example.com", "grace-demo-pass"))?; // Grace signs up herself.
    invite(&ff, &ada, "grace@example.com", Role::Member)?;
    println!("ada: init --team \"Rocket Team\"\nada: invite grace@example.com member");
    let today = Local::now().date_naive();
    let mut ids = Vec::new();
    for (title, priority, in_days) in [
        ("Order fuel", Priority::Critical, Some(1)),
        ("Test the engines", Priority::High, Some(7)),
        ("Book the launch pad", Priority::Medium, Some(3)),
        ("Paint the rocket", Priority::Low, None),
    ] {
        let due = in_days.and_then(|days| today.checked_add_days(Days::new(days)));
        println!("ada: add {title:?} --priority {priority}");
        let card = NewCard {
            title: title.into(),
            priority,
            due,
        };
        ids.push(add(&ff, &ada, card)?.id);
    }
    let engines = assign(&ff, &ada, ids[1], "grace@example.com")?;
    println!("ada: assign {:?} grace@example.com", engines.title);
    println!("ada: done {:?}", done(&ff, &ada, ids[0])?.title);

    println!("\nada: mine");
    mine(&ff, &ada)?;
    let grace = ff.authenticate("grace@example.com", "grace-demo-pass")?;
    println!("\ngrace: mine");
    mine(&ff, &grace)?;
    println!("\nThe board, by status:");
    let project = board.id.to_string();
    let pairs = [
        ("project", project.as_str()),
        ("ordering", "status,due_date"),
    ];
    let query = TaskQuery::from_pairs(pairs)?;
    print_tasks(&ff, &ada, query)?;

    // The rules hold without a server: a member may not make anyone an admin.
    let refused = invite(&ff, &grace, "ada@example.com", Role::Admin);
    let Err(error @ Error::Forbidden(_)) = refused else {
        return Err(Error::Conflict(format!("expected a refusal: {refused:?}")));
    };
    let message = describe(&error);
    println!("\ngrace: invite ada@example.com admin\n{message}");
    Ok(())
}
