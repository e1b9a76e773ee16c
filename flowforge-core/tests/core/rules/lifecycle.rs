//! The life of tasks and projects: a soft-deleted task is gone everywhere, an archived project's
//! tasks cannot change until it is unarchived, and deleting an organization or a project takes
//! what it holds with it.

use flowforge_core::{NewTask, Project, Status, TaskPatch, TaskQuery};

use super::{org_names, project_ids, task_count, task_ids};
use crate::support::{
    World, archive_project, assert_conflict, assert_invalid, assert_not_found, project, retitle,
    task,
};

/// Archives (or unarchives) the world's project, as its owner.
fn archive(world: &World, archived: bool) -> Project {
    world
        .ff
        .update_project(&world.owner, world.project.id, &archive_project(archived))
        .expect("archive")
}

// Soft delete.

#[test]
fn a_deleted_task_is_not_found_on_get_update_and_delete() {
    let world = World::new();
    let ff = &world.ff;
    ff.delete_task(&world.owner, world.task.id).unwrap();
    for actor in [&world.owner, &world.member, &world.viewer] {
        assert_not_found(ff.get_task(actor, world.task.id));
    }
    assert_not_found(ff.update_task(&world.member, world.task.id, &retitle("Back from the dead")));
    assert_not_found(ff.delete_task(&world.owner, world.task.id));
    assert_not_found(ff.delete_task(&world.member, world.task.id));
}

#[test]
fn a_deleted_task_is_gone_from_every_list() {
    let world = World::new();
    let ff = &world.ff;
    let kept = task(ff, &world.member, &world.project, "Kept");
    ff.delete_task(&world.member, world.task.id)
        .expect("a member deletes a task they created");
    for actor in [&world.owner, &world.member] {
        assert_eq!(task_ids(ff, actor), [kept.id]);
    }
    let by_project = TaskQuery {
        project: vec![world.project.id],
        ..TaskQuery::default()
    };
    assert_eq!(ff.list_tasks(&world.owner, &by_project).unwrap().count, 1);
    let searched = TaskQuery::from_pairs([("search", "press release")]).unwrap();
    assert_eq!(ff.list_tasks(&world.owner, &searched).unwrap().count, 0);
    let by_creator = TaskQuery::from_pairs([("created_by", "me")]).unwrap();
    assert_eq!(ff.list_tasks(&world.member, &by_creator).unwrap().count, 1);
}

// Archived projects.

#[test]
fn creating_a_task_in_an_archived_project_is_a_conflict() {
    let world = World::new();
    let ff = &world.ff;
    assert!(archive(&world, true).is_archived);
    let before = task_count(ff, &world.owner);
    for actor in [&world.owner, &world.admin, &world.member] {
        assert_conflict(
            ff.create_task(actor, &NewTask::new(world.project.id, "Too late")),
            "archived",
        );
    }
    assert_eq!(task_count(ff, &world.owner), before);
}

#[test]
fn updating_a_task_in_an_archived_project_is_a_conflict() {
    let world = World::new();
    let ff = &world.ff;
    archive(&world, true);
    assert_conflict(
        ff.update_task(&world.member, world.task.id, &retitle("Changed")),
        "archived",
    );
    let patch = TaskPatch {
        status: Some(Status::Done),
        ..TaskPatch::default()
    };
    assert_conflict(
        ff.update_task(&world.owner, world.task.id, &patch),
        "archived",
    );
    let still = ff
        .get_task(&world.owner, world.task.id)
        .expect("still readable");
    assert_eq!(
        (still.title.as_str(), still.status),
        ("Write the press release", Status::Todo)
    );
}

#[test]
fn unarchiving_a_project_lets_its_tasks_change_again() {
    let world = World::new();
    let ff = &world.ff;
    archive(&world, true);
    assert!(!archive(&world, false).is_archived);
    assert_eq!(
        ff.update_task(&world.member, world.task.id, &retitle("Changed"))
            .unwrap()
            .title,
        "Changed"
    );
    task(ff, &world.member, &world.project, "Added again");
}

#[test]
fn archiving_one_project_leaves_the_others_writable() {
    let world = World::new();
    let ff = &world.ff;
    let other = project(ff, &world.owner, &world.org, "Other");
    archive(&world, true);
    let in_other = task(ff, &world.member, &other, "Fine");
    ff.update_task(&world.member, in_other.id, &retitle("Still fine"))
        .unwrap();
}

// Cascading deletes.

#[test]
fn deleting_an_organization_removes_its_projects_and_tasks() {
    let world = World::new();
    let ff = &world.ff;
    let second = task(ff, &world.owner, &world.project, "Second");
    ff.delete_organization(&world.owner, world.org.id).unwrap();
    for actor in [&world.owner, &world.admin, &world.member] {
        assert_not_found(ff.get_organization(actor, world.org.id));
        assert_not_found(ff.get_project(actor, world.project.id));
        assert_not_found(ff.get_task(actor, world.task.id));
        assert_not_found(ff.get_task(actor, second.id));
        assert!(org_names(ff, actor).is_empty());
        assert!(project_ids(ff, actor).is_empty());
        assert!(task_ids(ff, actor).is_empty());
    }
    assert_not_found(ff.update_task(&world.owner, world.task.id, &retitle("x")));
    // The other tenant is untouched.
    assert_eq!(project_ids(ff, &world.outsider), [world.foreign_project.id]);
    assert_eq!(task_ids(ff, &world.outsider), [world.foreign_task.id]);
}

#[test]
fn deleting_a_project_removes_its_tasks() {
    let world = World::new();
    let ff = &world.ff;
    let other = project(ff, &world.owner, &world.org, "Other");
    let kept = task(ff, &world.member, &other, "Kept");
    ff.delete_project(&world.admin, world.project.id).unwrap();
    assert_not_found(ff.get_project(&world.owner, world.project.id));
    assert_not_found(ff.get_task(&world.owner, world.task.id));
    assert_not_found(ff.update_task(&world.member, world.task.id, &retitle("x")));
    assert_eq!(project_ids(ff, &world.owner), [other.id]);
    assert_eq!(task_ids(ff, &world.owner), [kept.id]);
    assert_invalid(
        ff.create_task(&world.member, &NewTask::new(world.project.id, "Orphan")),
        "project",
    );
}
