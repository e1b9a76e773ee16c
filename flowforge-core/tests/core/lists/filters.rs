//! Filters: every task filter, with repeats and commas meaning any of the values and different
//! parameters narrowing each other; bad values are named; ids that name nothing visible match
//! nothing.

use flowforge_core::{Error, OrgId, Priority, ProjectId, Role, Status, UserId};

use super::{assert_title_sets, date, list, make, members, projects, solo, title_set, titles};
use crate::support::{add, assert_invalid, open, org, project, task, user};

#[test]
fn organization_and_project_filters_take_any_of_repeated_or_comma_separated_ids() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let acme = org(&ff, &ada, "Acme");
    let beta = org(&ff, &ada, "Beta");
    let launch = project(&ff, &ada, &acme, "Launch");
    let docs = project(&ff, &ada, &acme, "Docs");
    let ops = project(&ff, &ada, &beta, "Ops");
    task(&ff, &ada, &launch, "launch task");
    task(&ff, &ada, &docs, "docs task");
    task(&ff, &ada, &ops, "ops task");
    let (a, b) = (acme.id.to_string(), beta.id.to_string());
    let (l, d, o) = (
        launch.id.to_string(),
        docs.id.to_string(),
        ops.id.to_string(),
    );
    let all: &[&str] = &["launch task", "docs task", "ops task"];

    assert_title_sets(
        &ff,
        &ada,
        &[
            (&[], all),
            (&[("organization", &a)], &["launch task", "docs task"]),
            (&[("organization", &b)], &["ops task"]),
            (&[("organization", &format!("{a},{b}"))], all),
            (&[("organization", &a), ("organization", &b)], all),
            (&[("project", &l)], &["launch task"]),
            (
                &[("project", &format!("{l},{o}"))],
                &["launch task", "ops task"],
            ),
            (
                &[("project", &l), ("project", &d)],
                &["launch task", "docs task"],
            ),
            // Different parameters narrow each other.
            (&[("organization", &a), ("project", &o)], &[]),
            (
                &[("organization", &b), ("project", &format!("{l},{o}"))],
                &["ops task"],
            ),
        ],
    );
}

#[test]
fn status_filter_matches_any_of_repeated_or_comma_separated_values() {
    let (ff, ada, _, project) = solo();
    for status in Status::ALL {
        make(&ff, &ada, &project, status.as_str(), |t| {
            t.status = Some(*status)
        });
    }
    assert_title_sets(
        &ff,
        &ada,
        &[
            (&[("status", "todo")], &["todo"]),
            (&[("status", "in_progress")], &["in_progress"]),
            (&[("status", "todo,done")], &["todo", "done"]),
            (
                &[("status", "todo"), ("status", "blocked")],
                &["todo", "blocked"],
            ),
            (
                &[("status", "in_progress,done"), ("status", "blocked")],
                &["in_progress", "done", "blocked"],
            ),
            (&[("status", "done,done")], &["done"]),
        ],
    );
}

#[test]
fn priority_filter_matches_any_of_repeated_or_comma_separated_values() {
    let (ff, ada, _, project) = solo();
    for priority in Priority::ALL {
        make(&ff, &ada, &project, priority.as_str(), |t| {
            t.priority = Some(*priority)
        });
    }
    assert_title_sets(
        &ff,
        &ada,
        &[
            (&[("priority", "critical")], &["critical"]),
            (&[("priority", "critical,high")], &["critical", "high"]),
            (
                &[("priority", "low"), ("priority", "medium")],
                &["low", "medium"],
            ),
            (
                &[("priority", "low,critical"), ("priority", "high")],
                &["low", "critical", "high"],
            ),
        ],
    );
}

#[test]
fn different_filters_combine_so_that_all_of_them_must_hold() {
    let (ff, ada, _, project) = solo();
    for (title, status, priority) in [
        ("todo high", Status::Todo, Priority::High),
        ("todo low", Status::Todo, Priority::Low),
        ("done high", Status::Done, Priority::High),
    ] {
        make(&ff, &ada, &project, title, |t| {
            t.status = Some(status);
            t.priority = Some(priority);
        });
    }
    assert_title_sets(
        &ff,
        &ada,
        &[
            (&[("status", "todo"), ("priority", "high")], &["todo high"]),
            (
                &[("status", "todo,done"), ("priority", "high")],
                &["todo high", "done high"],
            ),
            (&[("status", "done"), ("priority", "low")], &[]),
            (&[("status", "todo"), ("search", "high")], &["todo high"]),
        ],
    );
}

#[test]
fn assigned_to_filter_takes_a_user_id_me_or_none() {
    let (ff, ada, org, project) = solo();
    let bob = user(&ff, "bob@example.com");
    add(&ff, &ada, &org, &bob, Role::Member);
    make(&ff, &ada, &project, "for ada", |t| {
        t.assigned_to = Some(ada.id())
    });
    make(&ff, &ada, &project, "for bob", |t| {
        t.assigned_to = Some(bob.id())
    });
    make(&ff, &ada, &project, "for nobody", |_| {});
    let (ada_id, bob_id) = (ada.id().to_string(), bob.id().to_string());

    assert_title_sets(&ff, &bob, &[(&[("assigned_to", "me")], &["for bob"])]);
    assert_title_sets(&ff, &bob, &[(&[("assigned_to", &ada_id)], &["for ada"])]);
    assert_title_sets(
        &ff,
        &ada,
        &[
            (&[("assigned_to", "me")], &["for ada"]),
            (&[("assigned_to", &bob_id)], &["for bob"]),
            (&[("assigned_to", "none")], &["for nobody"]),
            (&[("assigned_to", "me,none")], &["for ada", "for nobody"]),
            (
                &[("assigned_to", &bob_id), ("assigned_to", "none")],
                &["for bob", "for nobody"],
            ),
            (
                &[("assigned_to", &format!("{ada_id},{bob_id}"))],
                &["for ada", "for bob"],
            ),
        ],
    );
    assert_eq!(
        title_set(&ff, &bob, &[("assigned_to", &format!("me,{ada_id},none"))]).len(),
        3
    );
}

#[test]
fn created_by_filter_takes_a_user_id_or_me() {
    let (ff, ada, org, project) = solo();
    let bob = user(&ff, "bob@example.com");
    add(&ff, &ada, &org, &bob, Role::Member);
    task(&ff, &ada, &project, "by ada");
    task(&ff, &bob, &project, "by bob");
    let (ada_id, bob_id) = (ada.id().to_string(), bob.id().to_string());

    assert_title_sets(&ff, &bob, &[(&[("created_by", "me")], &["by bob"])]);
    assert_title_sets(
        &ff,
        &ada,
        &[
            (&[("created_by", "me")], &["by ada"]),
            (&[("created_by", &bob_id)], &["by bob"]),
            (
                &[("created_by", &format!("{ada_id},{bob_id}"))],
                &["by ada", "by bob"],
            ),
            (
                &[("created_by", "me"), ("created_by", &bob_id)],
                &["by ada", "by bob"],
            ),
        ],
    );
    // `none` is offered for the assignee only.
    assert_invalid(list(&ff, &ada, &[("created_by", "none")]), "created_by");
}

#[test]
fn due_before_and_due_after_are_inclusive_and_skip_undated_tasks() {
    let (ff, ada, _, project) = solo();
    for (title, due) in [
        ("first", "2026-03-01"),
        ("second", "2026-03-10"),
        ("third", "2026-03-20"),
    ] {
        make(&ff, &ada, &project, title, |t| t.due_date = Some(date(due)));
    }
    task(&ff, &ada, &project, "undated");

    let dated: &[&str] = &["first", "second", "third"];
    assert_title_sets(
        &ff,
        &ada,
        &[
            (&[("due_before", "2026-03-10")], &["first", "second"]),
            (&[("due_after", "2026-03-10")], &["second", "third"]),
            (
                &[("due_after", "2026-03-10"), ("due_before", "2026-03-10")],
                &["second"],
            ),
            (
                &[("due_after", "2026-03-11"), ("due_before", "2026-03-19")],
                &[],
            ),
            (&[("due_before", "2099-12-31")], dated),
            (&[("due_after", "2000-01-01")], dated),
            (&[("due_before", "2026-02-28")], &[]),
        ],
    );
    assert_eq!(
        title_set(
            &ff,
            &ada,
            &[("due_after", "2026-03-01"), ("due_before", "2026-03-20")]
        )
        .len(),
        3
    );
}

#[test]
fn a_bad_filter_value_is_a_validation_error_naming_the_parameter() {
    let (ff, ada, org, _) = solo();
    let good = org.id.to_string();
    let with_good = format!("{good},acme");
    let cases: &[(&str, &str)] = &[
        ("organization", "acme"),
        ("organization", &with_good),
        ("organization", "12"),
        ("project", "launch"),
        ("project", "00000000-0000-0000-0000"),
        ("status", "open"),
        ("status", "todo,finished"),
        ("status", "0"),
        ("priority", "urgent"),
        ("priority", "3"),
        ("priority", "high,highest"),
        ("assigned_to", "nobody"),
        ("assigned_to", "ada@example.com"),
        ("assigned_to", "me,someone"),
        ("created_by", "you"),
        ("created_by", "none"),
        ("due_before", "2026-02-30"),
        ("due_before", "03/01/2026"),
        ("due_after", "tomorrow"),
        ("due_after", "2026-13-01"),
    ];
    for &(name, value) in cases {
        match list(&ff, &ada, &[(name, value)]) {
            Err(Error::Validation(errors)) => {
                assert!(
                    errors.get(name).is_some(),
                    "{name}={value}: the errors do not name {name}: {errors}"
                )
            }
            other => panic!("{name}={value}: expected a validation error, got {other:?}"),
        }
    }
    // Every bad parameter is named at once.
    match list(
        &ff,
        &ada,
        &[
            ("status", "open"),
            ("priority", "urgent"),
            ("ordering", "colour"),
        ],
    ) {
        Err(Error::Validation(errors)) => {
            for name in ["status", "priority", "ordering"] {
                assert!(errors.get(name).is_some(), "{name} not named in {errors}");
            }
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    // The other lists' own filters.
    assert_invalid(
        projects(&ff, &ada, &[("organization", "acme")]),
        "organization",
    );
    assert_invalid(
        projects(&ff, &ada, &[("is_archived", "maybe")]),
        "is_archived",
    );
    assert_invalid(members(&ff, &ada, org.id, &[("role", "boss")]), "role");
    assert_invalid(members(&ff, &ada, org.id, &[("role", "owner,3")]), "role");
}

#[test]
fn a_well_formed_id_that_names_nothing_visible_matches_nothing() {
    let (ff, ada, org, project) = solo();
    task(&ff, &ada, &project, "visible");
    let eve = user(&ff, "eve@globex.example");
    let globex = self::org(&ff, &eve, "Globex");
    let secret = self::project(&ff, &eve, &globex, "Secret");
    task(&ff, &eve, &secret, "hidden");

    let missing_org = OrgId::new().to_string();
    let missing_project = ProjectId::new().to_string();
    let missing_user = UserId::new().to_string();
    let (foreign_org, foreign_project, eve_id) = (
        globex.id.to_string(),
        secret.id.to_string(),
        eve.id().to_string(),
    );
    for (name, value) in [
        ("organization", &missing_org),
        ("organization", &foreign_org),
        ("project", &missing_project),
        ("project", &foreign_project),
        ("assigned_to", &missing_user),
        ("assigned_to", &eve_id),
        ("created_by", &missing_user),
        ("created_by", &eve_id),
    ] {
        match list(&ff, &ada, &[(name, value.as_str())]) {
            Ok(page) => {
                assert_eq!(page.count, 0, "{name}={value}");
                assert!(page.items.is_empty(), "{name}={value}");
                assert!(!page.has_next() && !page.has_previous());
            }
            other => panic!("{name}={value}: expected an empty page, got {other:?}"),
        }
    }
    // A foreign id among visible ones changes nothing.
    let both = format!("{},{foreign_org}", org.id);
    assert_eq!(titles(&ff, &ada, &[("organization", &both)]), ["visible"]);
    let page = projects(&ff, &ada, &[("organization", &foreign_org)]).expect("projects");
    assert_eq!((page.count, page.items.len()), (0, 0));
}
