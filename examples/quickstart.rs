//! Quick start: open a database, register two users, create an organization, add a member,
//! then create tasks and list them with a filter, an ordering and a page.
//!
//! Run it with `cargo run -p flowforge-examples --example quickstart`.

use flowforge_core::{
    Config, Database, FlowForge, NewMembership, NewOrg, NewProject, NewTask, NewUser, Priority,
    Result, Role, Status, TaskQuery,
};

fn main() -> Result<()> {
    // An in-memory database; use `Database::File("flowforge.db".into())` to keep the data.
    let ff = FlowForge::open(
        &Database::Memory,
        Config::new("replace with a long random secret"),
    )?;

    for (email, name) in [("ada@example.com", "Ada"), ("grace@example.com", "Grace")] {
        let user = NewUser {
            email: email.into(),
            password: "correct horse battery".into(),
            full_name: name.into(),
        };
        ff.register(&user)?;
    }
    // Every tenant operation takes the acting user, established by authentication.
    let ada = ff.authenticate("ada@example.com", "correct horse battery")?;
    let grace = ff.authenticate("grace@example.com", "correct horse battery")?;

    let org = ff.create_organization(
        &ada,
        &NewOrg {
            name: "Acme Rockets".into(),
            slug: None,
        },
    )?;
    ff.add_member(
        &ada,
        org.id,
        &NewMembership {
            email: "grace@example.com".into(),
            role: Role::Member,
        },
    )?;
    let project = ff.create_project(&ada, &NewProject::new(org.id, "Moon launch"))?;

    let tasks = [
        ("Order fuel", Priority::Critical, Status::InProgress),
        ("Paint the rocket", Priority::Low, Status::Todo),
        ("Test the engines", Priority::High, Status::Todo),
        ("Book the launch pad", Priority::Medium, Status::Done),
    ];
    for (title, priority, status) in tasks {
        let task = NewTask {
            priority: Some(priority),
            status: Some(status),
            assigned_to: Some(grace.id()),
            ..NewTask::new(project.id, title)
        };
        ff.create_task(&ada, &task)?;
    }

    // Grace's open tasks, most urgent first, two per page: the same parser the HTTP server
    // uses for `?assigned_to=me&status=todo,in_progress&ordering=-priority&page_size=2`.
    let pairs = [
        ("assigned_to", "me"),
        ("status", "todo,in_progress"),
        ("ordering", "-priority"),
        ("page_size", "2"),
    ];
    let mut query = TaskQuery::from_pairs(pairs)?;
    loop {
        let page = ff.list_tasks(&grace, &query)?;
        println!(
            "page {} of {} ({} open tasks for Grace):",
            page.page,
            page.num_pages(),
            page.count
        );
        for task in &page.items {
            println!(
                "  [{:>8}] {:<11} {}",
                task.priority, task.status, task.title
            );
        }
        if !page.has_next() {
            break;
        }
        query.page = flowforge_core::PageRequest::new(page.page + 1, page.page_size);
    }
    Ok(())
}
