//! The contract's "Lists" through the public API: every task filter (repeats and commas meaning
//! any of them), orderings (ranked choices, undated tasks last both ways, defaults, the id
//! tie-break), literal search, and the parsing of `page`, `page_size`, `ordering` and `search`.

mod filters;
mod index;
mod ordering;
mod parsing;
mod search;

use std::fmt::Debug;

use chrono::NaiveDate;
use flowforge_core::{
    Actor, Error, FlowForge, MemberQuery, NewTask, Org, OrgId, OrgQuery, Page, Project,
    ProjectQuery, Task, TaskQuery,
};

use crate::support::{open, org, project, user};

type Pairs<'a> = [(&'a str, &'a str)];

/// Parses `pairs` as the server would and lists tasks.
fn list(ff: &FlowForge, actor: &Actor, pairs: &Pairs<'_>) -> Result<Page<Task>, Error> {
    ff.list_tasks(actor, &TaskQuery::from_pairs(pairs.iter().copied())?)
}

/// The titles of the one page `pairs` asks for, in list order.
#[track_caller]
fn titles(ff: &FlowForge, actor: &Actor, pairs: &Pairs<'_>) -> Vec<String> {
    match list(ff, actor, pairs) {
        Ok(page) => page.items.into_iter().map(|t| t.title).collect(),
        Err(e) => panic!("listing tasks with {pairs:?} failed: {e:?}"),
    }
}

/// The titles of the one page `pairs` asks for, sorted (for filters, where order is not the point).
#[track_caller]
fn title_set(ff: &FlowForge, actor: &Actor, pairs: &Pairs<'_>) -> Vec<String> {
    sorted(titles(ff, actor, pairs))
}

/// `words` as sorted owned strings.
fn set(words: &[&str]) -> Vec<String> {
    sorted(words.iter().map(|w| (*w).to_owned()).collect())
}

fn sorted(mut strings: Vec<String>) -> Vec<String> {
    strings.sort();
    strings
}

/// Asserts, for each row, the titles its query lists to `actor`, sorted (for filters, where order
/// is not the point).
#[track_caller]
fn assert_title_sets(ff: &FlowForge, actor: &Actor, rows: &[(&Pairs<'_>, &[&str])]) {
    for (pairs, expected) in rows {
        assert_eq!(title_set(ff, actor, pairs), set(expected), "{pairs:?}");
    }
}

/// Creates a task titled `title` in `project` after `edit` has set its other fields.
fn make(
    ff: &FlowForge,
    by: &Actor,
    project: &Project,
    title: &str,
    edit: impl FnOnce(&mut NewTask),
) -> Task {
    let mut new = NewTask::new(project.id, title);
    edit(&mut new);
    ff.create_task(by, &new).expect("create task")
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

/// One user, ada@example.com, owning one organization, Acme, with one project, Launch.
type Solo = (crate::support::TestFf, Actor, Org, Project);

fn solo() -> Solo {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let org = org(&ff, &ada, "Acme");
    let project = project(&ff, &ada, &org, "Launch");
    (ff, ada, org, project)
}

#[track_caller]
fn assert_invalid_page<T: Debug>(result: Result<T, Error>) {
    match result {
        Err(Error::NotFound(message)) => assert_eq!(message, "Invalid page."),
        other => panic!("expected the not-found answer `Invalid page.`, got {other:?}"),
    }
}

fn members(
    ff: &FlowForge,
    actor: &Actor,
    org: OrgId,
    pairs: &Pairs<'_>,
) -> Result<Page<String>, Error> {
    let page = ff.list_members(actor, org, &MemberQuery::from_pairs(pairs.iter().copied())?)?;
    Ok(page.map(|m| m.user.email))
}

fn projects(ff: &FlowForge, actor: &Actor, pairs: &Pairs<'_>) -> Result<Page<String>, Error> {
    let page = ff.list_projects(actor, &ProjectQuery::from_pairs(pairs.iter().copied())?)?;
    Ok(page.map(|p| p.name))
}

fn orgs(ff: &FlowForge, actor: &Actor, pairs: &Pairs<'_>) -> Result<Page<String>, Error> {
    let page = ff.list_organizations(actor, &OrgQuery::from_pairs(pairs.iter().copied())?)?;
    Ok(page.map(|o| o.name))
}

#[track_caller]
fn items<T: Debug>(result: Result<Page<T>, Error>) -> Vec<T> {
    match result {
        Ok(page) => page.items,
        Err(e) => panic!("listing failed: {e:?}"),
    }
}

/// The answer of every list (tasks by title, projects, organizations, members) to `pairs`, each
/// with its name.
fn every_list(
    ff: &FlowForge,
    actor: &Actor,
    org: OrgId,
    pairs: &Pairs<'_>,
) -> [(&'static str, Result<Page<String>, Error>); 4] {
    [
        ("tasks", list(ff, actor, pairs).map(|p| p.map(|t| t.title))),
        ("projects", projects(ff, actor, pairs)),
        ("organizations", orgs(ff, actor, pairs)),
        ("members", members(ff, actor, org, pairs)),
    ]
}
