//! The role matrices of the organization, project and task operations.

use flowforge_core::{NewProject, NewTask, ProjectQuery, Task, TaskPatch, TaskQuery};

use super::{NO, OK, read, run_matrix, write};
use crate::support::{
    World, archive_project, rename_org, rename_project, reslug_org, retitle, task,
};

/// How many tasks the owner sees whose title or description holds `text`.
fn tasks_matching(w: &World, text: &str) -> u64 {
    let query = TaskQuery::from_pairs([("search", text)]).expect("task query");
    w.ff.list_tasks(&w.owner, &query)
        .map(|page| page.count)
        .unwrap_or(u64::MAX)
}

/// How many projects the owner sees whose name or description holds `text`.
fn projects_matching(w: &World, text: &str) -> u64 {
    let query = ProjectQuery::from_pairs([("search", text)]).expect("project query");
    w.ff.list_projects(&w.owner, &query)
        .map(|page| page.count)
        .unwrap_or(u64::MAX)
}

/// A task created by the owner (the world's own task was created by the member).
fn owners_task(w: &World) -> Task {
    task(&w.ff, &w.owner, &w.project, "The owner's own task")
}

#[test]
fn role_matrix_of_organization_operations() {
    run_matrix(&[
        read("get the organization", [OK, OK, OK, OK], |w, a| {
            w.ff.get_organization(a, w.org.id).map(drop)
        }),
        write(
            "rename the organization",
            [OK, OK, NO, NO],
            |w, a| {
                w.ff.update_organization(a, w.org.id, &rename_org("Acme Renamed"))
                    .map(drop)
            },
            |w| {
                w.ff.get_organization(&w.owner, w.org.id)
                    .is_ok_and(|o| o.name == "Acme Renamed")
            },
        ),
        write(
            "change the organization's slug",
            [OK, OK, NO, NO],
            |w, a| {
                w.ff.update_organization(a, w.org.id, &reslug_org("acme-co"))
                    .map(drop)
            },
            |w| {
                w.ff.get_organization(&w.owner, w.org.id)
                    .is_ok_and(|o| o.slug == "acme-co")
            },
        ),
        write(
            "delete the organization",
            [OK, NO, NO, NO],
            |w, a| w.ff.delete_organization(a, w.org.id),
            |w| w.ff.get_organization(&w.owner, w.org.id).is_err(),
        ),
    ]);
}

#[test]
fn role_matrix_of_project_operations() {
    run_matrix(&[
        read("get the project", [OK, OK, OK, OK], |w, a| {
            w.ff.get_project(a, w.project.id).map(drop)
        }),
        write(
            "create a project",
            [OK, OK, NO, NO],
            |w, a| {
                w.ff.create_project(a, &NewProject::new(w.org.id, "Roadmap"))
                    .map(drop)
            },
            |w| projects_matching(w, "Roadmap") == 1,
        ),
        write(
            "rename the project",
            [OK, OK, NO, NO],
            |w, a| {
                w.ff.update_project(a, w.project.id, &rename_project("Relaunch"))
                    .map(drop)
            },
            |w| {
                w.ff.get_project(&w.owner, w.project.id)
                    .is_ok_and(|p| p.name == "Relaunch")
            },
        ),
        write(
            "archive the project",
            [OK, OK, NO, NO],
            |w, a| {
                w.ff.update_project(a, w.project.id, &archive_project(true))
                    .map(drop)
            },
            |w| {
                w.ff.get_project(&w.owner, w.project.id)
                    .is_ok_and(|p| p.is_archived)
            },
        ),
        write(
            "delete the project",
            [OK, OK, NO, NO],
            |w, a| w.ff.delete_project(a, w.project.id),
            |w| w.ff.get_project(&w.owner, w.project.id).is_err(),
        ),
    ]);
}

#[test]
fn role_matrix_of_task_operations() {
    run_matrix(&[
        read("get the task", [OK, OK, OK, OK], |w, a| {
            w.ff.get_task(a, w.task.id).map(drop)
        }),
        write(
            "create a task",
            [OK, OK, OK, NO],
            |w, a| {
                w.ff.create_task(a, &NewTask::new(w.project.id, "Draft the FAQ"))
                    .map(drop)
            },
            |w| tasks_matching(w, "Draft the FAQ") == 1,
        ),
        write(
            "update a task the member created",
            [OK, OK, OK, NO],
            |w, a| {
                w.ff.update_task(a, w.task.id, &retitle("Retitled"))
                    .map(drop)
            },
            |w| {
                w.ff.get_task(&w.owner, w.task.id)
                    .is_ok_and(|t| t.title == "Retitled")
            },
        ),
        write(
            "update a task the owner created",
            [OK, OK, OK, NO],
            |w, a| {
                w.ff.update_task(a, owners_task(w).id, &retitle("Retitled by someone"))
                    .map(drop)
            },
            |w| tasks_matching(w, "Retitled by someone") == 1,
        ),
        write(
            "assign a task to the viewer",
            [OK, OK, OK, NO],
            |w, a| {
                let patch = TaskPatch {
                    assigned_to: Some(Some(w.viewer.id())),
                    ..TaskPatch::default()
                };
                w.ff.update_task(a, w.task.id, &patch).map(drop)
            },
            |w| {
                w.ff.get_task(&w.owner, w.task.id)
                    .is_ok_and(|t| t.assigned_to.is_some_and(|u| u.id == w.viewer.id()))
            },
        ),
        write(
            "delete a task the member created",
            [OK, OK, OK, NO],
            |w, a| w.ff.delete_task(a, w.task.id),
            |w| w.ff.get_task(&w.owner, w.task.id).is_err(),
        ),
        write(
            "delete a task the owner created",
            [OK, OK, NO, NO],
            |w, a| w.ff.delete_task(a, owners_task(w).id),
            |w| tasks_matching(w, "The owner's own task") == 0,
        ),
    ]);
}
