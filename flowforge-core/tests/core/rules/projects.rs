//! Projects: names unique in an organization without regard to case, the name and description
//! limits, and the project bodies.

use flowforge_core::{NewProject, ProjectPatch};
use serde_json::json;

use super::{assert_says, project_ids};
use crate::support::{
    READ_ONLY, UNKNOWN, World, assert_conflict, assert_invalid, field_errors, project,
    rename_project,
};

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
    assert_conflict(
        ff.update_project(&world.admin, other.id, &rename_project("lAuNcH")),
        "name",
    );
    assert_eq!(
        ff.get_project(&world.owner, other.id).unwrap().name,
        "Other"
    );
    assert_eq!(
        ff.update_project(&world.owner, world.project.id, &rename_project("LAUNCH"))
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
