//! Tasks: the title, description and assignee rules, and the task bodies (unknown, read-only and
//! mistyped fields, every writable field, a body that is not an object).

use flowforge_core::{FieldErrors, NewOrg, NewTask, Priority, Status, TaskPatch, UserId};
use serde_json::{Value, json};

use super::{assert_says, assigned, task_count};
use crate::support::{READ_ONLY, UNKNOWN, World, assert_invalid, field_errors, retitle, user};

// Fields.

#[test]
fn task_title_is_required() {
    let world = World::new();
    let errors = field_errors(NewTask::from_json(
        &json!({"project": world.project.id.to_string()}),
    ));
    assert_says(&errors, "title", "This field is required.");
    assert_invalid(
        NewTask::from_json(&json!({"project": world.project.id.to_string(), "title": null})),
        "title",
    );
}

#[test]
fn task_title_may_not_be_blank_or_over_255_characters() {
    let world = World::new();
    let ff = &world.ff;
    for bad in ["", "   ", "\t\n", &"t".repeat(256)] {
        assert_invalid(
            ff.create_task(&world.member, &NewTask::new(world.project.id, bad)),
            "title",
        );
        assert_invalid(
            ff.update_task(&world.member, world.task.id, &retitle(bad)),
            "title",
        );
    }
    assert_eq!(
        ff.get_task(&world.member, world.task.id).unwrap().title,
        "Write the press release"
    );
    ff.create_task(
        &world.member,
        &NewTask::new(world.project.id, "é".repeat(255)),
    )
    .expect("255 characters");
}

#[test]
fn task_description_over_20000_characters_is_invalid() {
    let world = World::new();
    let ff = &world.ff;
    let long = NewTask {
        description: "d".repeat(20_001),
        ..NewTask::new(world.project.id, "Long")
    };
    assert_invalid(ff.create_task(&world.member, &long), "description");
    let patch = TaskPatch {
        description: Some("d".repeat(20_001)),
        ..TaskPatch::default()
    };
    assert_invalid(
        ff.update_task(&world.member, world.task.id, &patch),
        "description",
    );
    let limit = NewTask {
        description: "d".repeat(20_000),
        ..NewTask::new(world.project.id, "Limit")
    };
    ff.create_task(&world.member, &limit)
        .expect("20,000 characters");
}

#[test]
fn assigning_a_task_to_a_non_member_is_invalid_on_assigned_to() {
    let world = World::new();
    let ff = &world.ff;
    let loner = user(ff, "loner@example.com");
    let before = task_count(ff, &world.owner);
    for stranger in [world.outsider.id(), loner.id(), UserId::new()] {
        let input = NewTask {
            assigned_to: Some(stranger),
            ..NewTask::new(world.project.id, "Assigned")
        };
        assert_invalid(ff.create_task(&world.member, &input), "assigned_to");
        let patch = TaskPatch {
            assigned_to: Some(Some(stranger)),
            ..TaskPatch::default()
        };
        assert_invalid(
            ff.update_task(&world.member, world.task.id, &patch),
            "assigned_to",
        );
    }
    assert_eq!(task_count(ff, &world.owner), before);
    assert_eq!(
        assigned(&ff.get_task(&world.owner, world.task.id).unwrap()),
        None
    );
    // A member of the organization, any role, may be assigned.
    let input = NewTask {
        assigned_to: Some(world.viewer.id()),
        ..NewTask::new(world.project.id, "Assigned")
    };
    assert_eq!(
        assigned(&ff.create_task(&world.member, &input).unwrap()),
        Some(world.viewer.id())
    );
}

#[test]
fn a_removed_member_can_no_longer_be_assigned() {
    let world = World::new();
    let ff = &world.ff;
    ff.remove_member(&world.owner, world.org.id, world.viewer.id())
        .unwrap();
    let patch = TaskPatch {
        assigned_to: Some(Some(world.viewer.id())),
        ..TaskPatch::default()
    };
    assert_invalid(
        ff.update_task(&world.owner, world.task.id, &patch),
        "assigned_to",
    );
}

// JSON bodies.

fn task_body(world: &World, extra: Value) -> Value {
    let mut body = json!({"project": world.project.id.to_string(), "title": "From JSON"});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    body
}

#[test]
fn a_task_body_refuses_unknown_fields() {
    let world = World::new();
    let errors = field_errors(NewTask::from_json(&task_body(
        &world,
        json!({"colour": "red", "Title": "x"}),
    )));
    assert_says(&errors, "colour", UNKNOWN);
    assert_says(&errors, "Title", UNKNOWN);
    let errors = field_errors(TaskPatch::from_json(&json!({"estimate": 3})));
    assert_says(&errors, "estimate", UNKNOWN);
}

#[test]
fn a_task_body_refuses_read_only_fields() {
    let world = World::new();
    let fields = [
        "id",
        "created_by",
        "organization",
        "created_at",
        "updated_at",
    ];
    for field in fields {
        let errors = field_errors(NewTask::from_json(&task_body(
            &world,
            json!({ field: "x" }),
        )));
        assert_says(&errors, field, READ_ONLY);
    }
    for field in fields.into_iter().chain(["project"]) {
        let errors = field_errors(TaskPatch::from_json(
            &json!({ field: world.foreign_project.id.to_string() }),
        ));
        assert_says(&errors, field, READ_ONLY);
    }
}

#[test]
fn a_task_body_with_wrong_types_names_each_field() {
    let world = World::new();
    let body = task_body(
        &world,
        json!({"status": "urgent", "priority": "p0", "due_date": "tomorrow", "assigned_to": "x", "description": 5}),
    );
    let errors = field_errors(NewTask::from_json(&body));
    for field in [
        "status",
        "priority",
        "due_date",
        "assigned_to",
        "description",
    ] {
        assert!(errors.get(field).is_some(), "{field} not named: {errors}");
    }
    assert!(
        errors.get("title").is_none() && errors.get("project").is_none(),
        "{errors}"
    );
    let patch =
        json!({"status": "urgent", "due_date": "tomorrow", "assigned_to": "x", "title": ["a"]});
    let errors = field_errors(TaskPatch::from_json(&patch));
    for field in ["status", "due_date", "assigned_to", "title"] {
        assert!(errors.get(field).is_some(), "{field} not named: {errors}");
    }
    for bad_date in [
        "2026-02-30",
        "2026-2-3",
        "03/02/2026",
        "2026-02-03T00:00:00Z",
    ] {
        assert_invalid(
            TaskPatch::from_json(&json!({ "due_date": bad_date })),
            "due_date",
        );
    }
    assert_invalid(
        NewTask::from_json(&json!({"project": "x", "title": "t"})),
        "project",
    );
}

#[test]
fn a_task_body_reads_every_writable_field() {
    let world = World::new();
    let body = task_body(
        &world,
        json!({"status": "in_progress", "priority": "critical", "due_date": "2026-03-01",
               "assigned_to": world.admin.id().to_string(), "description": "words"}),
    );
    let created = world
        .ff
        .create_task(&world.member, &NewTask::from_json(&body).unwrap())
        .unwrap();
    assert_eq!(created.status, Status::InProgress);
    assert_eq!(created.priority, Priority::Critical);
    assert_eq!(
        created.due_date.map(|d| d.to_string()).as_deref(),
        Some("2026-03-01")
    );
    assert_eq!(assigned(&created), Some(world.admin.id()));
    let patch = TaskPatch::from_json(&json!({"assigned_to": null, "due_date": null})).unwrap();
    let cleared = world
        .ff
        .update_task(&world.member, created.id, &patch)
        .unwrap();
    assert_eq!((assigned(&cleared), cleared.due_date), (None, None));
    assert_eq!(cleared.priority, Priority::Critical);
}

#[test]
fn a_body_that_is_not_an_object_is_refused() {
    for body in [json!([]), json!("task"), json!(null), json!(3)] {
        assert_invalid(NewTask::from_json(&body), FieldErrors::NON_FIELD);
        assert_invalid(TaskPatch::from_json(&body), FieldErrors::NON_FIELD);
        assert_invalid(NewOrg::from_json(&body), FieldErrors::NON_FIELD);
    }
}
