//! A refused request writes nothing: not one field of a task, project or organization, however
//! many of its other fields were good.

use flowforge_core::{Error, NewTask, OrgPatch, Priority, ProjectPatch, Status, TaskPatch};

use super::{all_tasks, new_org, org_names, task_ids};
use crate::support::{World, assert_conflict, assert_forbidden, assert_invalid, project};

#[test]
fn a_task_create_with_one_bad_field_writes_nothing() {
    let world = World::new();
    let ff = &world.ff;
    let before = all_tasks(ff, &world.owner);
    let bad_inputs = [
        NewTask {
            assigned_to: Some(world.outsider.id()),
            ..NewTask::new(world.project.id, "Good title")
        },
        NewTask {
            description: "d".repeat(20_001),
            ..NewTask::new(world.project.id, "Good title")
        },
        NewTask::new(world.project.id, " "),
        NewTask::new(world.foreign_project.id, "Good title"),
    ];
    for input in &bad_inputs {
        assert!(
            matches!(
                ff.create_task(&world.member, input),
                Err(Error::Validation(_))
            ),
            "{input:?}"
        );
    }
    assert_forbidden(ff.create_task(&world.viewer, &NewTask::new(world.project.id, "Viewer's")));
    assert_eq!(all_tasks(ff, &world.owner), before);
    assert_eq!(task_ids(ff, &world.outsider), [world.foreign_task.id]);
}

#[test]
fn a_task_update_with_one_bad_field_changes_nothing() {
    let world = World::new();
    let ff = &world.ff;
    let before = ff.get_task(&world.owner, world.task.id).unwrap();
    let patch = TaskPatch {
        title: Some("A perfectly good title".into()),
        status: Some(Status::Done),
        priority: Some(Priority::High),
        assigned_to: Some(Some(world.outsider.id())),
        ..TaskPatch::default()
    };
    assert_invalid(
        ff.update_task(&world.member, world.task.id, &patch),
        "assigned_to",
    );
    let patch = TaskPatch {
        status: Some(Status::Done),
        description: Some("d".repeat(20_001)),
        ..TaskPatch::default()
    };
    assert_invalid(
        ff.update_task(&world.member, world.task.id, &patch),
        "description",
    );
    assert_eq!(ff.get_task(&world.owner, world.task.id).unwrap(), before);
}

#[test]
fn a_refused_project_or_organization_change_writes_nothing() {
    let world = World::new();
    let ff = &world.ff;
    let other = project(ff, &world.owner, &world.org, "Other");
    let patch = ProjectPatch {
        name: Some("launch".into()),
        description: Some("new words".into()),
        is_archived: Some(true),
    };
    assert_conflict(ff.update_project(&world.owner, other.id, &patch), "name");
    assert_eq!(ff.get_project(&world.owner, other.id).unwrap(), other);
    let patch = OrgPatch {
        name: Some("Renamed".into()),
        slug: Some("Bad Slug".into()),
    };
    assert_invalid(
        ff.update_organization(&world.owner, world.org.id, &patch),
        "slug",
    );
    let patch = OrgPatch {
        name: Some("Renamed".into()),
        slug: Some(world.foreign.slug.clone()),
    };
    assert_conflict(
        ff.update_organization(&world.owner, world.org.id, &patch),
        "slug",
    );
    assert_eq!(
        ff.get_organization(&world.owner, world.org.id)
            .unwrap()
            .name,
        "Acme"
    );
    let count = org_names(ff, &world.owner).len();
    assert_invalid(
        ff.create_organization(&world.owner, &new_org("Fine name", Some("--"))),
        "slug",
    );
    assert_eq!(org_names(ff, &world.owner).len(), count);
}
