//! Ids in request bodies: a project, an organization or an assignee of another tenant is refused
//! exactly like an id that names nothing, on the field that holds it, and nothing is written.

use std::fmt::Debug;

use flowforge_core::{
    Error, NewProject, NewTask, OrgId, ProjectId, ProjectQuery, Task, TaskPatch, TaskQuery, UserId,
};

use super::{View, answer, assert_unchanged, snapshot, views};
use crate::support::{Mismatches, World};

/// How many tasks and projects each tenant's owner sees.
fn counts(w: &World) -> [u64; 4] {
    let tasks = |a| {
        w.ff.list_tasks(a, &TaskQuery::default())
            .expect("list tasks")
            .count
    };
    let projects = |a| {
        w.ff.list_projects(a, &ProjectQuery::default())
            .expect("list projects")
            .count
    };
    [
        tasks(&w.owner),
        tasks(&w.outsider),
        projects(&w.owner),
        projects(&w.outsider),
    ]
}

/// Whether `result` is a validation error naming `field`.
fn names_field<T>(result: &Result<T, Error>, field: &str) -> bool {
    matches!(result, Err(Error::Validation(errors)) if errors.get(field).is_some())
}

/// Records a mismatch unless `foreign` and `missing` are alike, are validation errors naming
/// `field`, and nothing was written.
fn refused_alike(
    mismatches: &mut Mismatches,
    what: &str,
    field: &str,
    (foreign, foreign_id): (Result<impl Debug, Error>, &dyn ToString),
    (missing, missing_id): (Result<impl Debug, Error>, &dyn ToString),
) {
    mismatches.check(names_field(&missing, field), || {
        format!("{what}: a missing id answers {missing:?}, expected a validation error on {field}")
    });
    mismatches.check(names_field(&foreign, field), || {
        format!("{what}: a foreign id answers {foreign:?}, expected a validation error on {field}")
    });
    mismatches.alike(
        what,
        &answer(foreign, &[foreign_id]),
        &answer(missing, &[missing_id]),
    );
}

/// Runs `attempt` for every view on a fresh world, then asserts that it recorded no mismatch and
/// that nothing was written: no `items` (tasks or projects, as either owner counts them), and
/// nothing else either.
#[track_caller]
fn assert_refused_writing_nothing(
    items: &str,
    attempt: impl Fn(&World, &View<'_>, &mut Mismatches),
) {
    let w = World::new();
    let before = snapshot(&w);
    let counts_before = counts(&w);
    let mut mismatches = Mismatches::default();
    for view in views(&w) {
        attempt(&w, &view, &mut mismatches);
    }
    mismatches.check(counts(&w) == counts_before, || {
        format!(
            "{items} were written: {counts_before:?} -> {:?}",
            counts(&w)
        )
    });
    mismatches.assert_none();
    assert_unchanged(&w, &before);
}

#[test]
fn a_foreign_project_in_a_new_task_is_refused_like_a_missing_one() {
    assert_refused_writing_nothing("tasks", |w, view, mismatches| {
        let missing_id = ProjectId::new();
        for (case, title) in [("", "Planted"), (" with an empty title", "")] {
            let what = format!("create a task in a foreign project{case} as {}", view.who);
            let foreign =
                w.ff.create_task(view.actor, &NewTask::new(view.foreign_project, title));
            let missing =
                w.ff.create_task(view.actor, &NewTask::new(missing_id, title));
            refused_alike(
                mismatches,
                &what,
                "project",
                (foreign, &view.foreign_project),
                (missing, &missing_id),
            );
        }
    });
}

#[test]
fn a_foreign_organization_in_a_new_project_is_refused_like_a_missing_one() {
    assert_refused_writing_nothing("projects", |w, view, mismatches| {
        let missing_id = OrgId::new();
        for (case, name) in [("", "Planted"), (" with an empty name", "")] {
            let what = format!(
                "create a project in a foreign organization{case} as {}",
                view.who
            );
            let foreign =
                w.ff.create_project(view.actor, &NewProject::new(view.foreign_org, name));
            let missing =
                w.ff.create_project(view.actor, &NewProject::new(missing_id, name));
            refused_alike(
                mismatches,
                &what,
                "organization",
                (foreign, &view.foreign_org),
                (missing, &missing_id),
            );
        }
    });
}

/// A request that names the given user as a task's assignee.
type WithAssignee<'a> = dyn Fn(UserId) -> Result<Task, Error> + 'a;

#[test]
fn a_user_outside_the_organization_is_refused_as_assignee_like_a_missing_user() {
    assert_refused_writing_nothing("tasks", |w, view, mismatches| {
        // A viewer may not write tasks at all: whether they hear of the role or of the assignee
        // first, a foreign and a missing user must still answer alike.
        let strict = view.who != "viewer";
        let missing_id = UserId::new();
        let create = |assignee| {
            let input = NewTask {
                assigned_to: Some(assignee),
                ..NewTask::new(view.own_project, "Planted")
            };
            w.ff.create_task(view.actor, &input)
        };
        let update = |assignee| {
            let patch = TaskPatch {
                title: Some("Must not be written".into()),
                assigned_to: Some(Some(assignee)),
                ..TaskPatch::default()
            };
            w.ff.update_task(view.actor, view.own_task, &patch)
        };
        let attempts: [(&str, &WithAssignee); 2] = [
            (
                "create a task assigned to a user of another tenant",
                &create,
            ),
            ("assign a task to a user of another tenant", &update),
        ];
        for (action, attempt) in attempts {
            let what = format!("{action} as {}", view.who);
            let (foreign, missing) = (attempt(view.foreign_user), attempt(missing_id));
            if strict {
                refused_alike(
                    mismatches,
                    &what,
                    "assigned_to",
                    (foreign, &view.foreign_user),
                    (missing, &missing_id),
                );
            } else {
                mismatches.alike(
                    &what,
                    &answer(foreign, &[&view.foreign_user]),
                    &answer(missing, &[&missing_id]),
                );
            }
        }
    });
}
