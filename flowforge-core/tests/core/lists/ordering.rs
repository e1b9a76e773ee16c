//! Ordering: ranked choices order by rank, undated tasks come last both ways, several terms
//! apply in turn, each list has its default and its offered fields, and ties are broken by id.

use std::thread::sleep;
use std::time::Duration;

use flowforge_core::{Actor, FlowForge, Priority, Role, Status, Task, TaskQuery};

use super::{Pairs, date, items, list, make, members, orgs, projects, set, solo, titles};
use crate::support::{add, archive_project, assert_invalid, open, org, project, task, user};

/// Asserts, for each row, the titles in the order its `ordering` lists them to `actor`.
#[track_caller]
fn assert_orderings(ff: &FlowForge, actor: &Actor, rows: &[(&str, &[&str])]) {
    for (ordering, expected) in rows {
        assert_eq!(
            titles(ff, actor, &[("ordering", ordering)]),
            *expected,
            "ordering={ordering}"
        );
    }
}

#[test]
fn priority_orders_by_rank_not_alphabet() {
    let (ff, ada, _, project) = solo();
    for priority in [
        Priority::High,
        Priority::Low,
        Priority::Critical,
        Priority::Medium,
    ] {
        make(&ff, &ada, &project, priority.as_str(), |t| {
            t.priority = Some(priority)
        });
    }
    assert_orderings(
        &ff,
        &ada,
        &[
            ("priority", &["low", "medium", "high", "critical"]),
            ("-priority", &["critical", "high", "medium", "low"]),
        ],
    );
}

#[test]
fn status_orders_by_declared_order_not_alphabet() {
    let (ff, ada, _, project) = solo();
    for status in [
        Status::Done,
        Status::Blocked,
        Status::Todo,
        Status::InProgress,
    ] {
        make(&ff, &ada, &project, status.as_str(), |t| {
            t.status = Some(status)
        });
    }
    assert_orderings(
        &ff,
        &ada,
        &[
            ("status", &["todo", "in_progress", "done", "blocked"]),
            ("-status", &["blocked", "done", "in_progress", "todo"]),
        ],
    );
}

#[test]
fn undated_tasks_sort_after_dated_ones_in_both_directions() {
    let (ff, ada, _, project) = solo();
    for (title, due) in [
        ("undated one", None),
        ("late", Some("2026-05-01")),
        ("early", Some("2026-01-15")),
        ("undated two", None),
        ("middle", Some("2026-03-01")),
    ] {
        make(&ff, &ada, &project, title, |t| t.due_date = due.map(date));
    }
    let undated = set(&["undated one", "undated two"]);

    for (ordering, dated) in [
        ("due_date", ["early", "middle", "late"]),
        ("-due_date", ["late", "middle", "early"]),
    ] {
        let listed = titles(&ff, &ada, &[("ordering", ordering)]);
        assert_eq!(listed[..3], dated, "{listed:?}");
        let rest: Vec<&str> = listed[3..].iter().map(String::as_str).collect();
        assert_eq!(set(&rest), undated, "{listed:?}");
    }

    // Also when due_date is not the first term.
    let by_status = titles(&ff, &ada, &[("ordering", "status,-due_date")]);
    assert_eq!(by_status[..3], ["late", "middle", "early"], "{by_status:?}");
}

#[test]
fn default_task_ordering_is_due_date_then_highest_priority() {
    let (ff, ada, _, project) = solo();
    let specs: [(&str, Option<&str>, Priority); 6] = [
        ("march low", Some("2026-03-01"), Priority::Low),
        ("undated high", None, Priority::High),
        ("march critical", Some("2026-03-01"), Priority::Critical),
        ("february medium", Some("2026-02-01"), Priority::Medium),
        ("undated low", None, Priority::Low),
        ("march medium", Some("2026-03-01"), Priority::Medium),
    ];
    for (title, due, priority) in specs {
        make(&ff, &ada, &project, title, |t| {
            t.due_date = due.map(date);
            t.priority = Some(priority);
        });
    }
    let expected = [
        "february medium",
        "march critical",
        "march medium",
        "march low",
        "undated high",
        "undated low",
    ];
    assert_eq!(titles(&ff, &ada, &[]), expected);
    assert_eq!(
        titles(&ff, &ada, &[("ordering", "due_date,-priority")]),
        expected
    );
    // A query built in code with no ordering gets the same default.
    let built = ff.list_tasks(&ada, &TaskQuery::default()).expect("list");
    assert_eq!(
        built
            .items
            .iter()
            .map(|t| t.title.as_str())
            .collect::<Vec<_>>(),
        expected
    );
    // An explicit ordering replaces the default.
    assert_orderings(
        &ff,
        &ada,
        &[(
            "priority,due_date",
            &[
                "march low",
                "undated low",
                "february medium",
                "march medium",
                "undated high",
                "march critical",
            ],
        )],
    );
}

#[test]
fn several_ordering_terms_apply_in_turn() {
    let (ff, ada, _, project) = solo();
    for (title, status) in [
        ("b", Status::Done),
        ("a", Status::Done),
        ("c", Status::Todo),
        ("a2", Status::Todo),
    ] {
        make(&ff, &ada, &project, title, |t| t.status = Some(status));
    }
    assert_orderings(
        &ff,
        &ada,
        &[
            ("status,title", &["a2", "c", "a", "b"]),
            ("status,-title", &["c", "a2", "b", "a"]),
            ("-status,title", &["a", "b", "a2", "c"]),
            ("title", &["a", "a2", "b", "c"]),
            ("-title", &["c", "b", "a2", "a"]),
        ],
    );
}

#[test]
fn ties_are_broken_by_id_so_pages_never_overlap_or_skip() {
    let (ff, ada, _, project) = solo();
    let mut created: Vec<Task> = (0..9)
        .map(|i| task(&ff, &ada, &project, &format!("same {i}")))
        .collect();
    created.sort_by_key(|t| t.id);
    let by_id: Vec<_> = created.iter().map(|t| t.id).collect();
    for ordering in [
        "priority",
        "-priority",
        "status",
        "-status",
        "due_date",
        "-due_date",
        "created_at,priority",
    ] {
        let mut walked = Vec::new();
        for page in 1..=5 {
            let page = page.to_string();
            let got = list(
                &ff,
                &ada,
                &[("ordering", ordering), ("page_size", "2"), ("page", &page)],
            )
            .expect("page");
            assert_eq!(got.count, 9);
            walked.extend(got.items.iter().map(|t| t.id));
        }
        let whole: Vec<_> = list(&ff, &ada, &[("ordering", ordering), ("page_size", "100")])
            .expect("one page")
            .items
            .iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(
            walked, whole,
            "ordering={ordering}: the pages differ from the whole list"
        );
        if !ordering.starts_with("created_at") {
            // Every task ties on the field, so the id alone decides.
            assert_eq!(
                walked, by_id,
                "ordering={ordering}: ties are not broken by id"
            );
        }
        let mut unique = walked.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique, by_id, "ordering={ordering}: pages overlap or skip");
    }
}

#[test]
fn an_ordering_field_the_list_does_not_offer_is_a_validation_error_on_ordering() {
    let (ff, ada, org, _) = solo();
    for bad in [
        "name",
        "-assigned_to",
        "due_date,bogus",
        "id",
        "organization",
        "--priority",
        "priority desc",
        "description",
    ] {
        assert_invalid(list(&ff, &ada, &[("ordering", bad)]), "ordering");
    }
    for bad in ["title", "-status", "organization", "name,owner"] {
        assert_invalid(projects(&ff, &ada, &[("ordering", bad)]), "ordering");
    }
    for bad in ["full_name", "-name", "user", "role,priority"] {
        assert_invalid(members(&ff, &ada, org.id, &[("ordering", bad)]), "ordering");
    }
    for bad in ["slug", "member_count", "-updated_at", "role"] {
        assert_invalid(orgs(&ff, &ada, &[("ordering", bad)]), "ordering");
    }
    // Each offered field is accepted, in either direction.
    for field in [
        "due_date",
        "priority",
        "status",
        "title",
        "created_at",
        "updated_at",
    ] {
        for term in [field.to_owned(), format!("-{field}")] {
            assert!(
                list(&ff, &ada, &[("ordering", &term)]).is_ok(),
                "tasks: {term}"
            );
        }
    }
    for term in [
        "name",
        "-name",
        "created_at",
        "-created_at",
        "updated_at",
        "-updated_at",
    ] {
        assert!(
            projects(&ff, &ada, &[("ordering", term)]).is_ok(),
            "projects: {term}"
        );
    }
    for term in [
        "joined_at",
        "-joined_at",
        "email",
        "-email",
        "role",
        "-role",
    ] {
        assert!(
            members(&ff, &ada, org.id, &[("ordering", term)]).is_ok(),
            "members: {term}"
        );
    }
    for term in ["name", "-name", "created_at", "-created_at"] {
        assert!(
            orgs(&ff, &ada, &[("ordering", term)]).is_ok(),
            "orgs: {term}"
        );
    }
}

#[test]
fn members_order_by_role_rank_with_viewers_first() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let bob = user(&ff, "bob@example.com");
    let cy = user(&ff, "cy@example.com");
    let dee = user(&ff, "dee@example.com");
    let acme = org(&ff, &ada, "Acme");
    // Joining times a few milliseconds apart, in an order unlike both email and role.
    for (who, role) in [
        (&dee, Role::Member),
        (&bob, Role::Viewer),
        (&cy, Role::Admin),
    ] {
        sleep(Duration::from_millis(3));
        add(&ff, &ada, &acme, who, role);
    }
    let emails = |pairs: &Pairs<'_>| items(members(&ff, &ada, acme.id, pairs));
    let (a, b, c, d) = (
        "ada@example.com",
        "bob@example.com",
        "cy@example.com",
        "dee@example.com",
    );

    assert_eq!(emails(&[]), [a, d, b, c]);
    assert_eq!(emails(&[("ordering", "joined_at")]), emails(&[]));
    for (ordering, expected) in [
        ("role", [b, d, c, a]),
        ("-role", [a, c, d, b]),
        ("-joined_at", [c, b, d, a]),
        ("email", [a, b, c, d]),
        ("-email", [d, c, b, a]),
    ] {
        assert_eq!(
            emails(&[("ordering", ordering)]),
            expected,
            "ordering={ordering}"
        );
    }
    // The role filter, with repeats and commas.
    assert_eq!(
        emails(&[("role", "admin,owner"), ("ordering", "role")]),
        [c, a]
    );
    assert_eq!(
        emails(&[
            ("role", "viewer"),
            ("role", "member"),
            ("ordering", "-role")
        ]),
        [d, b]
    );
    // Every member sees the same list, whatever their own role.
    assert_eq!(
        items(members(&ff, &bob, acme.id, &[("ordering", "role")])),
        emails(&[("ordering", "role")])
    );
}

#[test]
fn projects_default_to_name_order_and_filter_on_archived() {
    let (ff, ada, org, _) = solo();
    let beta = self::org(&ff, &ada, "Beta");
    // `solo` made "Launch" in Acme.
    for name in ["Charlie", "Alpha"] {
        sleep(Duration::from_millis(3));
        project(&ff, &ada, &org, name);
    }
    sleep(Duration::from_millis(3));
    let bravo = project(&ff, &ada, &beta, "Bravo");
    ff.update_project(&ada, bravo.id, &archive_project(true))
        .expect("archive");
    let names = |pairs: &Pairs<'_>| items(projects(&ff, &ada, pairs));

    assert_eq!(names(&[]), ["Alpha", "Bravo", "Charlie", "Launch"]);
    assert_eq!(
        names(&[("ordering", "name")]),
        ["Alpha", "Bravo", "Charlie", "Launch"]
    );
    assert_eq!(
        names(&[("ordering", "-name")]),
        ["Launch", "Charlie", "Bravo", "Alpha"]
    );
    assert_eq!(
        names(&[("ordering", "created_at")]),
        ["Launch", "Charlie", "Alpha", "Bravo"]
    );
    assert_eq!(names(&[("ordering", "-updated_at")])[0], "Bravo");
    assert_eq!(names(&[("is_archived", "true")]), ["Bravo"]);
    assert_eq!(
        names(&[("is_archived", "false")]),
        ["Alpha", "Charlie", "Launch"]
    );
    let both = format!("{},{}", org.id, beta.id);
    assert_eq!(names(&[("organization", &both)]).len(), 4);
    assert_eq!(names(&[("organization", &beta.id.to_string())]), ["Bravo"]);
    assert_eq!(
        names(&[
            ("organization", &org.id.to_string()),
            ("organization", &beta.id.to_string())
        ])
        .len(),
        4
    );
}

#[test]
fn organizations_default_to_name_order() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    for name in ["Zeta", "Acme", "Midway"] {
        sleep(Duration::from_millis(3));
        org(&ff, &ada, name);
    }
    let names = |pairs: &Pairs<'_>| items(orgs(&ff, &ada, pairs));
    assert_eq!(names(&[]), ["Acme", "Midway", "Zeta"]);
    assert_eq!(names(&[("ordering", "name")]), ["Acme", "Midway", "Zeta"]);
    assert_eq!(names(&[("ordering", "-name")]), ["Zeta", "Midway", "Acme"]);
    assert_eq!(
        names(&[("ordering", "created_at")]),
        ["Zeta", "Acme", "Midway"]
    );
    assert_eq!(
        names(&[("ordering", "-created_at")]),
        ["Midway", "Acme", "Zeta"]
    );
}

/// Organization names order without regard to case, and pages cut that order.
#[test]
fn organizations_order_by_name_without_case_and_page_in_that_order() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    for name in ["midway", "Zeta", "acme", "Bravo"] {
        org(&ff, &ada, name);
    }
    let names = |pairs: &Pairs<'_>| items(orgs(&ff, &ada, pairs));
    assert_eq!(names(&[]), ["acme", "Bravo", "midway", "Zeta"]);
    assert_eq!(
        names(&[("ordering", "-name"), ("page_size", "3")]),
        ["Zeta", "midway", "Bravo"]
    );
    assert_eq!(names(&[("page", "2"), ("page_size", "3")]), ["Zeta"]);
}
