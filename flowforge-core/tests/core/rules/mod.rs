//! Business rules and validation: names, slugs and their uniqueness, task fields, JSON bodies,
//! the last-owner rule, member removal, soft delete, archived projects, cascading deletes, and
//! that a refused request writes nothing.

mod comments;
mod lifecycle;
mod members;
mod nothing_written;
mod organizations;
mod projects;
mod tasks;

use flowforge_core::{
    Actor, FieldErrors, FlowForge, NewOrg, OrgQuery, ProjectId, ProjectQuery, Task, TaskId,
    TaskQuery, UserId,
};

/// The query pairs of a page that holds every item these tests make.
const EVERYTHING: [(&str, &str); 1] = [("page_size", "100")];

/// Asserts that `field` got exactly `message`.
#[track_caller]
fn assert_says(errors: &FieldErrors, field: &str, message: &str) {
    assert_eq!(
        errors.get(field),
        Some(&[message.to_owned()][..]),
        "{errors}"
    );
}

fn new_org(name: &str, slug: Option<&str>) -> NewOrg {
    NewOrg {
        name: name.into(),
        slug: slug.map(Into::into),
    }
}

fn all_tasks(ff: &FlowForge, actor: &Actor) -> Vec<Task> {
    let query = TaskQuery::from_pairs(EVERYTHING).expect("task query");
    ff.list_tasks(actor, &query).expect("list tasks").items
}

fn task_ids(ff: &FlowForge, actor: &Actor) -> Vec<TaskId> {
    all_tasks(ff, actor).into_iter().map(|t| t.id).collect()
}

fn task_count(ff: &FlowForge, actor: &Actor) -> u64 {
    ff.list_tasks(actor, &TaskQuery::default())
        .expect("list tasks")
        .count
}

fn project_ids(ff: &FlowForge, actor: &Actor) -> Vec<ProjectId> {
    let query = ProjectQuery::from_pairs(EVERYTHING).expect("project query");
    let page = ff.list_projects(actor, &query).expect("list projects");
    page.map(|p| p.id).items
}

fn org_names(ff: &FlowForge, actor: &Actor) -> Vec<String> {
    let query = OrgQuery::from_pairs(EVERYTHING).expect("organization query");
    let page = ff
        .list_organizations(actor, &query)
        .expect("list organizations");
    page.map(|o| o.name).items
}

fn assigned(task: &Task) -> Option<UserId> {
    task.assigned_to.as_ref().map(|u| u.id)
}
