//! Business rules and validation: names, slugs and their uniqueness, task fields, JSON bodies,
//! the last-owner rule, member removal, soft delete, archived projects, cascading deletes, and
//! that a refused request writes nothing.

use flowforge_core::{
    Actor, Error, FieldErrors, FlowForge, MembershipPatch, NewOrganization, NewProject, NewTask,
    OrgQuery, OrganizationPatch, PageRequest, Priority, Project, ProjectId, ProjectPatch,
    ProjectQuery, Role, Status, Task, TaskId, TaskPatch, TaskQuery, UserId,
};
use serde_json::{Value, json};

use crate::support::{
    World, add, assert_conflict, assert_forbidden, assert_invalid, assert_not_found, open, org,
    project, task, user,
};

const READ_ONLY: &str = "This field is read-only.";
const UNKNOWN: &str = "Unknown field.";

/// The validation messages, or a panic naming what came instead.
#[track_caller]
fn field_errors<T: std::fmt::Debug>(result: Result<T, Error>) -> FieldErrors {
    match result {
        Err(Error::Validation(errors)) => errors,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// Asserts that `field` got exactly `message`.
#[track_caller]
fn assert_says(errors: &FieldErrors, field: &str, message: &str) {
    assert_eq!(
        errors.get(field),
        Some(&[message.to_owned()][..]),
        "{errors}"
    );
}

fn new_org(name: &str, slug: Option<&str>) -> NewOrganization {
    NewOrganization {
        name: name.into(),
        slug: slug.map(Into::into),
    }
}

fn all_tasks(ff: &FlowForge, actor: &Actor) -> Vec<Task> {
    let query = TaskQuery {
        page: PageRequest::new(1, 100),
        ..TaskQuery::default()
    };
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
    let query = ProjectQuery {
        page: PageRequest::new(1, 100),
        ..ProjectQuery::default()
    };
    ff.list_projects(actor, &query)
        .expect("list projects")
        .items
        .into_iter()
        .map(|p| p.id)
        .collect()
}

fn org_names(ff: &FlowForge, actor: &Actor) -> Vec<String> {
    let query = OrgQuery {
        page: PageRequest::new(1, 100),
        ..OrgQuery::default()
    };
    ff.list_organizations(actor, &query)
        .expect("list organizations")
        .items
        .into_iter()
        .map(|o| o.name)
        .collect()
}

fn assigned(task: &Task) -> Option<UserId> {
    task.assigned_to.as_ref().map(|u| u.id)
}

fn archive(world: &World, archived: bool) -> Project {
    let patch = ProjectPatch {
        is_archived: Some(archived),
        ..ProjectPatch::default()
    };
    world
        .ff
        .update_project(&world.owner, world.project.id, &patch)
        .expect("archive")
}

fn retitle(title: &str) -> TaskPatch {
    TaskPatch {
        title: Some(title.into()),
        ..TaskPatch::default()
    }
}

// Organizations: names.

#[test]
fn organization_name_must_have_2_to_255_characters() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    for bad in [
        String::new(),
        "A".into(),
        "   ".into(),
        " B ".into(),
        "x".repeat(256),
    ] {
        assert_invalid(ff.create_organization(&ada, &new_org(&bad, None)), "name");
    }
    assert!(org_names(&ff, &ada).is_empty());
    ff.create_organization(&ada, &new_org("AB", None))
        .expect("2 characters");
    ff.create_organization(&ada, &new_org(&"é".repeat(255), None))
        .expect("255 characters");
}

#[test]
fn organization_name_may_not_be_digits_only() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    assert_invalid(
        ff.create_organization(&ada, &new_org("12345", None)),
        "name",
    );
    assert_invalid(ff.create_organization(&ada, &new_org(" 42 ", None)), "name");
    let o = ff
        .create_organization(&ada, &new_org("42 Acme", None))
        .expect("digits and letters");
    let patch = OrganizationPatch {
        name: Some("2026".into()),
        ..OrganizationPatch::default()
    };
    assert_invalid(ff.update_organization(&ada, o.id, &patch), "name");
}

#[test]
fn organization_names_are_unique_without_regard_to_case() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let bob = user(&ff, "bob@example.com");
    org(&ff, &ada, "Acme");
    for taken in ["Acme", "ACME", "acme", " aCmE "] {
        assert_conflict(ff.create_organization(&bob, &new_org(taken, None)), "name");
    }
    assert!(org_names(&ff, &bob).is_empty());
}

#[test]
fn an_organization_cannot_be_renamed_to_a_taken_name_in_another_case() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    org(&ff, &ada, "Acme");
    let globex = org(&ff, &ada, "Globex");
    let patch = OrganizationPatch {
        name: Some("ACME".into()),
        ..OrganizationPatch::default()
    };
    assert_conflict(ff.update_organization(&ada, globex.id, &patch), "name");
    assert_eq!(ff.get_organization(&ada, globex.id).unwrap().name, "Globex");
    // Its own name in another case is not a clash with itself.
    let patch = OrganizationPatch {
        name: Some("GLOBEX".into()),
        ..OrganizationPatch::default()
    };
    assert_eq!(
        ff.update_organization(&ada, globex.id, &patch)
            .unwrap()
            .name,
        "GLOBEX"
    );
}

// Organizations: slugs.

#[test]
fn organization_slug_must_match_the_pattern() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let bad = [
        "", "Acme", "acme--x", "-acme", "acme-", "ac me", "ácme", "acme_x", "acme.x", "ACME",
    ];
    for (i, slug) in bad.into_iter().enumerate() {
        assert_invalid(
            ff.create_organization(&ada, &new_org(&format!("Org {i}"), Some(slug))),
            "slug",
        );
    }
    assert!(org_names(&ff, &ada).is_empty());
    for (i, slug) in ["acme", "acme-2", "a-b-c", "9lives", "0"]
        .into_iter()
        .enumerate()
    {
        let created = ff
            .create_organization(&ada, &new_org(&format!("Good {i}"), Some(slug)))
            .expect(slug);
        assert_eq!(created.slug, slug);
    }
}

#[test]
fn organization_slug_may_have_at_most_64_characters() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    assert_invalid(
        ff.create_organization(&ada, &new_org("Long", Some(&"a".repeat(65)))),
        "slug",
    );
    let at_limit = ff
        .create_organization(&ada, &new_org("Long", Some(&"a".repeat(64))))
        .unwrap();
    assert_eq!(at_limit.slug.len(), 64);
    let patch = OrganizationPatch {
        slug: Some("b".repeat(65)),
        ..OrganizationPatch::default()
    };
    assert_invalid(ff.update_organization(&ada, at_limit.id, &patch), "slug");
}

#[test]
fn organization_slugs_are_unique() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let bob = user(&ff, "bob@example.com");
    ff.create_organization(&ada, &new_org("Acme", Some("acme")))
        .unwrap();
    assert_conflict(
        ff.create_organization(&bob, &new_org("Other", Some("acme"))),
        "slug",
    );
    assert!(org_names(&ff, &bob).is_empty());
    let other = ff
        .create_organization(&bob, &new_org("Other", Some("other")))
        .unwrap();
    let patch = OrganizationPatch {
        slug: Some("acme".into()),
        ..OrganizationPatch::default()
    };
    assert_conflict(ff.update_organization(&bob, other.id, &patch), "slug");
    assert_eq!(ff.get_organization(&bob, other.id).unwrap().slug, "other");
    // Keeping one's own slug is no clash.
    let patch = OrganizationPatch {
        slug: Some("other".into()),
        ..OrganizationPatch::default()
    };
    ff.update_organization(&bob, other.id, &patch).unwrap();
}

#[test]
fn a_missing_slug_is_derived_from_the_name_and_made_unique() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    assert_eq!(org(&ff, &ada, "Acme").slug, "acme");
    assert_eq!(org(&ff, &ada, "Acme!").slug, "acme-2");
    assert_eq!(org(&ff, &ada, "ACME.").slug, "acme-3");
    assert_eq!(
        org(&ff, &ada, "Acme Rockets, Inc.").slug,
        "acme-rockets-inc"
    );
    // A derived slug is always a valid slug, whatever the name.
    for name in ["!!!", "Ünïcödé Näme", &"Very long name ".repeat(10)] {
        let slug = org(&ff, &ada, name).slug;
        assert!(!slug.is_empty() && slug.len() <= 64, "{slug}");
        assert!(
            slug.split('-').all(|p| !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())),
            "{slug}"
        );
    }
}

#[test]
fn a_derived_slug_steps_around_an_explicitly_taken_one() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    ff.create_organization(&ada, &new_org("Somebody", Some("acme")))
        .unwrap();
    ff.create_organization(&ada, &new_org("Somebody else", Some("acme-2")))
        .unwrap();
    assert_eq!(org(&ff, &ada, "Acme").slug, "acme-3");
}

#[test]
fn an_organization_body_refuses_role_and_unknown_fields() {
    let errors = field_errors(NewOrganization::from_json(
        &json!({"name": "Acme", "role": "owner", "plan": "gold"}),
    ));
    assert_says(&errors, "role", READ_ONLY);
    assert_says(&errors, "plan", UNKNOWN);
    for field in ["id", "member_count", "created_at", "updated_at"] {
        let errors = field_errors(OrganizationPatch::from_json(&json!({ field: "x" })));
        assert_says(&errors, field, READ_ONLY);
    }
    let errors = field_errors(OrganizationPatch::from_json(&json!({"role": "owner"})));
    assert_says(&errors, "role", READ_ONLY);
    let errors = field_errors(NewOrganization::from_json(&json!({})));
    assert_says(&errors, "name", "This field is required.");
    let parsed = NewOrganization::from_json(&json!({"name": "Acme"})).unwrap();
    assert_eq!(parsed.slug, None);
}

// Projects.

#[test]
fn project_names_are_unique_in_an_organization_without_regard_to_case() {
    let world = World::new();
    let ff = &world.ff;
    for taken in ["Launch", "LAUNCH", " launch "] {
        assert_conflict(
            ff.create_project(&world.owner, &NewProject::new(world.org.id, taken)),
            "name",
        );
    }
    let other = project(ff, &world.owner, &world.org, "Other");
    let patch = ProjectPatch {
        name: Some("lAuNcH".into()),
        ..ProjectPatch::default()
    };
    assert_conflict(ff.update_project(&world.admin, other.id, &patch), "name");
    assert_eq!(
        ff.get_project(&world.owner, other.id).unwrap().name,
        "Other"
    );
    let patch = ProjectPatch {
        name: Some("LAUNCH".into()),
        ..ProjectPatch::default()
    };
    assert_eq!(
        ff.update_project(&world.owner, world.project.id, &patch)
            .unwrap()
            .name,
        "LAUNCH"
    );
}

#[test]
fn the_same_project_name_is_allowed_in_another_organization() {
    let world = World::new();
    let copy = world
        .ff
        .create_project(
            &world.outsider,
            &NewProject::new(world.foreign.id, "launch"),
        )
        .unwrap();
    assert_eq!(copy.organization, world.foreign.id);
    assert_eq!(copy.name, "launch");
}

#[test]
fn project_name_must_have_1_to_255_characters_and_description_at_most_20000() {
    let world = World::new();
    let ff = &world.ff;
    let before = project_ids(ff, &world.owner).len();
    for bad in ["", "   ", &"n".repeat(256)] {
        assert_invalid(
            ff.create_project(&world.owner, &NewProject::new(world.org.id, bad)),
            "name",
        );
    }
    let long = NewProject {
        description: "d".repeat(20_001),
        ..NewProject::new(world.org.id, "Long")
    };
    assert_invalid(ff.create_project(&world.owner, &long), "description");
    assert_eq!(project_ids(ff, &world.owner).len(), before);
    let limit = NewProject {
        description: "d".repeat(20_000),
        ..NewProject::new(world.org.id, "n".repeat(255))
    };
    ff.create_project(&world.owner, &limit)
        .expect("at the limits");
    let patch = ProjectPatch {
        description: Some("d".repeat(20_001)),
        ..ProjectPatch::default()
    };
    assert_invalid(
        ff.update_project(&world.owner, world.project.id, &patch),
        "description",
    );
}

#[test]
fn a_project_update_body_refuses_read_only_and_unknown_fields() {
    let body = json!({"organization": "x", "id": "x", "created_by": "x", "created_at": "x", "color": "red"});
    let errors = field_errors(ProjectPatch::from_json(&body));
    for field in ["organization", "id", "created_by", "created_at"] {
        assert_says(&errors, field, READ_ONLY);
    }
    assert_says(&errors, "color", UNKNOWN);
    assert_invalid(
        ProjectPatch::from_json(&json!({"is_archived": "yes"})),
        "is_archived",
    );
    assert_invalid(ProjectPatch::from_json(&json!({"name": 5})), "name");
    let errors = field_errors(NewProject::from_json(
        &json!({"name": "x", "created_by": "x", "id": "x"}),
    ));
    assert_says(&errors, "created_by", READ_ONLY);
    assert_says(&errors, "id", READ_ONLY);
    let errors = field_errors(NewProject::from_json(
        &json!({"name": "x", "organization": "not-a-uuid"}),
    ));
    assert!(errors.get("organization").is_some(), "{errors}");
}

// Tasks: fields.

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
        assert_invalid(NewOrganization::from_json(&body), FieldErrors::NON_FIELD);
    }
}

// The last owner.

#[test]
fn the_last_owner_cannot_leave() {
    let world = World::new();
    assert_conflict(
        world
            .ff
            .remove_member(&world.owner, world.org.id, world.owner.id()),
        "owner",
    );
    assert_eq!(
        world
            .ff
            .get_member(&world.owner, world.org.id, world.owner.id())
            .unwrap()
            .role,
        Role::Owner
    );
}

#[test]
fn the_last_owner_cannot_be_demoted() {
    let world = World::new();
    for role in [Role::Admin, Role::Member, Role::Viewer] {
        let patch = MembershipPatch { role: Some(role) };
        assert_conflict(
            world
                .ff
                .update_member(&world.owner, world.org.id, world.owner.id(), &patch),
            "owner",
        );
    }
    assert_eq!(
        world
            .ff
            .get_member(&world.owner, world.org.id, world.owner.id())
            .unwrap()
            .role,
        Role::Owner
    );
    // Keeping the role is no demotion.
    let patch = MembershipPatch {
        role: Some(Role::Owner),
    };
    world
        .ff
        .update_member(&world.owner, world.org.id, world.owner.id(), &patch)
        .unwrap();
}

#[test]
fn the_last_owner_cannot_be_removed_by_anyone() {
    let world = World::new();
    let ff = &world.ff;
    assert_forbidden(ff.remove_member(&world.admin, world.org.id, world.owner.id()));
    assert_conflict(
        ff.remove_member(&world.owner, world.org.id, world.owner.id()),
        "owner",
    );
    assert_eq!(
        ff.get_member(&world.admin, world.org.id, world.owner.id())
            .unwrap()
            .role,
        Role::Owner
    );
}

#[test]
fn with_two_owners_one_may_leave_and_the_other_is_then_the_last() {
    let world = World::new();
    let ff = &world.ff;
    let patch = MembershipPatch {
        role: Some(Role::Owner),
    };
    ff.update_member(&world.owner, world.org.id, world.admin.id(), &patch)
        .unwrap();
    ff.remove_member(&world.owner, world.org.id, world.owner.id())
        .expect("one of two owners leaves");
    assert_not_found(ff.get_organization(&world.owner, world.org.id));
    assert_conflict(
        ff.remove_member(&world.admin, world.org.id, world.admin.id()),
        "owner",
    );
    let demote = MembershipPatch {
        role: Some(Role::Member),
    };
    assert_conflict(
        ff.update_member(&world.admin, world.org.id, world.admin.id(), &demote),
        "owner",
    );
}

#[test]
fn with_two_owners_one_may_demote_or_remove_the_other() {
    let world = World::new();
    let ff = &world.ff;
    add(ff, &world.owner, &world.org, &world.outsider, Role::Owner);
    let demote = MembershipPatch {
        role: Some(Role::Admin),
    };
    ff.update_member(&world.outsider, world.org.id, world.owner.id(), &demote)
        .expect("demote the other owner");
    let promote = MembershipPatch {
        role: Some(Role::Owner),
    };
    ff.update_member(&world.outsider, world.org.id, world.owner.id(), &promote)
        .unwrap();
    ff.remove_member(&world.owner, world.org.id, world.outsider.id())
        .expect("remove the other owner");
    assert_conflict(
        ff.remove_member(&world.owner, world.org.id, world.owner.id()),
        "owner",
    );
}

// Removing a member.

#[test]
fn removing_a_member_unassigns_their_open_tasks_in_that_organization_only() {
    let world = World::new();
    let ff = &world.ff;
    let mut open_tasks = Vec::new();
    for status in [Status::Todo, Status::InProgress, Status::Blocked] {
        let input = NewTask {
            status: Some(status),
            assigned_to: Some(world.member.id()),
            ..NewTask::new(world.project.id, format!("{status:?}"))
        };
        open_tasks.push(ff.create_task(&world.owner, &input).unwrap().id);
    }
    let done = NewTask {
        status: Some(Status::Done),
        assigned_to: Some(world.member.id()),
        ..NewTask::new(world.project.id, "Finished")
    };
    let done = ff.create_task(&world.owner, &done).unwrap().id;
    let to_admin = NewTask {
        assigned_to: Some(world.admin.id()),
        ..NewTask::new(world.project.id, "Admin's")
    };
    let to_admin = ff.create_task(&world.owner, &to_admin).unwrap().id;
    add(
        ff,
        &world.outsider,
        &world.foreign,
        &world.member,
        Role::Member,
    );
    let elsewhere = NewTask {
        assigned_to: Some(world.member.id()),
        ..NewTask::new(world.foreign_project.id, "Abroad")
    };
    let elsewhere = ff.create_task(&world.outsider, &elsewhere).unwrap().id;

    ff.remove_member(&world.owner, world.org.id, world.member.id())
        .unwrap();

    for id in open_tasks {
        let task = ff.get_task(&world.owner, id).unwrap();
        assert_eq!(assigned(&task), None, "{} kept its assignee", task.title);
    }
    assert_eq!(
        assigned(&ff.get_task(&world.owner, done).unwrap()),
        Some(world.member.id())
    );
    assert_eq!(
        assigned(&ff.get_task(&world.owner, to_admin).unwrap()),
        Some(world.admin.id())
    );
    assert_eq!(
        assigned(&ff.get_task(&world.outsider, elsewhere).unwrap()),
        Some(world.member.id())
    );
    assert_not_found(ff.get_task(&world.member, world.task.id));
    ff.get_task(&world.member, elsewhere)
        .expect("still a member of the other organization");
}

#[test]
fn a_member_who_leaves_is_unassigned_from_their_open_tasks() {
    let world = World::new();
    let ff = &world.ff;
    let patch = TaskPatch {
        assigned_to: Some(Some(world.member.id())),
        ..TaskPatch::default()
    };
    ff.update_task(&world.member, world.task.id, &patch)
        .unwrap();
    ff.remove_member(&world.member, world.org.id, world.member.id())
        .expect("leave");
    assert_eq!(
        assigned(&ff.get_task(&world.owner, world.task.id).unwrap()),
        None
    );
    assert!(org_names(ff, &world.member).is_empty());
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

// Nothing is written on a failed request.

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
    let patch = OrganizationPatch {
        name: Some("Renamed".into()),
        slug: Some("Bad Slug".into()),
    };
    assert_invalid(
        ff.update_organization(&world.owner, world.org.id, &patch),
        "slug",
    );
    let patch = OrganizationPatch {
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
