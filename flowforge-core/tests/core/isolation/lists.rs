//! Lists: a foreign id in a filter matches nothing, exactly like a missing one, and no list or
//! search ever shows another tenant's items.

use flowforge_core::{Actor, OrgId, OrgQuery, ProjectId, ProjectQuery, TaskQuery, UserId};

use super::views;
use crate::support::{Mismatches, World};

#[test]
fn a_foreign_id_in_a_filter_matches_nothing_like_a_missing_one() {
    let w = World::new();
    let mut mismatches = Mismatches::default();
    for view in views(&w) {
        let who = &view.who;
        let (foreign_org, foreign_project, foreign_user) = (
            view.foreign_org.to_string(),
            view.foreign_project.to_string(),
            view.foreign_user.to_string(),
        );
        let (missing_org, missing_project, missing_user) = (
            OrgId::new().to_string(),
            ProjectId::new().to_string(),
            UserId::new().to_string(),
        );
        let own_project = view.own_project.to_string();

        // (filter, foreign value, missing value, how many items each must list)
        let task_filters = [
            (
                "project",
                foreign_project.clone(),
                missing_project.clone(),
                0,
            ),
            ("organization", foreign_org.clone(), missing_org.clone(), 0),
            ("assigned_to", foreign_user.clone(), missing_user.clone(), 0),
            ("created_by", foreign_user.clone(), missing_user.clone(), 0),
            // Next to one's own project, a foreign one adds nothing and hides nothing.
            (
                "project",
                format!("{foreign_project},{own_project}"),
                format!("{missing_project},{own_project}"),
                1,
            ),
        ];
        for (filter, foreign, missing, expected) in task_filters {
            let list = |value: &str| {
                let query = TaskQuery::from_pairs([(filter, value)]).expect("a well-formed filter");
                w.ff.list_tasks(view.actor, &query)
                    .map(|page| (page.count, page.items.len() as u64, page.items))
            };
            let what = format!("list tasks with {filter}={foreign} as {who}");
            let (foreign_page, missing_page) = (list(&foreign), list(&missing));
            mismatches.check(
                matches!(&missing_page, Ok((n, len, _)) if *n == expected && *len == expected),
                || {
                    format!(
                        "{what}: a missing id lists {missing_page:?}, expected {expected} item(s)"
                    )
                },
            );
            mismatches.alike(
                &what,
                &format!("{foreign_page:?}"),
                &format!("{missing_page:?}"),
            );
        }

        let list = |value: &str| {
            let query =
                ProjectQuery::from_pairs([("organization", value)]).expect("a well-formed filter");
            w.ff.list_projects(view.actor, &query)
                .map(|page| (page.count, page.items))
        };
        let what = format!("list projects with organization={foreign_org} as {who}");
        let (foreign_page, missing_page) = (list(&foreign_org), list(&missing_org));
        mismatches.check(
            matches!(&missing_page, Ok((0, items)) if items.is_empty()),
            || format!("{what}: a missing id lists {missing_page:?}, expected an empty page"),
        );
        mismatches.alike(
            &what,
            &format!("{foreign_page:?}"),
            &format!("{missing_page:?}"),
        );
    }
    mismatches.assert_none();
}

#[test]
fn lists_never_show_another_tenants_items() {
    let w = World::new();
    let mut mismatches = Mismatches::default();
    let everything = [("page_size", "100")];
    for view in views(&w) {
        let who = &view.who;
        let orgs = w.ff.list_organizations(
            view.actor,
            &OrgQuery::from_pairs(everything).expect("query"),
        );
        mismatches.check(
            orgs.as_ref()
                .is_ok_and(|p| p.count == 1 && p.items.iter().map(|o| o.id).eq([view.own_org])),
            || format!("list organizations as {who}: expected only their own, got {orgs:?}"),
        );
        let projects = w.ff.list_projects(
            view.actor,
            &ProjectQuery::from_pairs(everything).expect("query"),
        );
        mismatches.check(
            projects
                .as_ref()
                .is_ok_and(|p| p.count == 1 && p.items.iter().map(|p| p.id).eq([view.own_project])),
            || format!("list projects as {who}: expected only their own, got {projects:?}"),
        );
        let tasks = w.ff.list_tasks(
            view.actor,
            &TaskQuery::from_pairs(everything).expect("query"),
        );
        mismatches.check(
            tasks
                .as_ref()
                .is_ok_and(|p| p.count == 1 && p.items.iter().map(|t| t.id).eq([view.own_task])),
            || format!("list tasks as {who}: expected only their own, got {tasks:?}"),
        );
    }
    // Searching for the other tenant's words finds nothing either.
    let searches: [(&Actor, &str, [&str; 3]); 2] = [
        (&w.outsider, "outsider", ["Acme", "Launch", "press release"]),
        (&w.viewer, "viewer", ["Globex", "Secret plans", "Take over"]),
    ];
    for (actor, who, [org, project, task]) in searches {
        let orgs = w.ff.list_organizations(
            actor,
            &OrgQuery::from_pairs([("search", org)]).expect("query"),
        );
        mismatches.check(orgs.as_ref().is_ok_and(|p| p.count == 0), || {
            format!("search organizations for {org:?} as {who}: expected nothing, got {orgs:?}")
        });
        let projects = w.ff.list_projects(
            actor,
            &ProjectQuery::from_pairs([("search", project)]).expect("query"),
        );
        mismatches.check(projects.as_ref().is_ok_and(|p| p.count == 0), || {
            format!("search projects for {project:?} as {who}: expected nothing, got {projects:?}")
        });
        let tasks = w.ff.list_tasks(
            actor,
            &TaskQuery::from_pairs([("search", task)]).expect("query"),
        );
        mismatches.check(tasks.as_ref().is_ok_and(|p| p.count == 0), || {
            format!("search tasks for {task:?} as {who}: expected nothing, got {tasks:?}")
        });
    }
    mismatches.assert_none();
}
