//! Parsing and pagination: repeated single-valued parameters, `page_size` (positive, defaulted,
//! clamped), `page` (invalid when zero, text or past the end), empty lists, soft-deleted tasks,
//! and parsed queries equal to the same queries built in code.

use flowforge_core::{
    Error, OrgId, OrgQuery, PageRequest, Priority, ProjectId, ProjectQuery, Search, Sort, Status,
    TaskField, TaskQuery, UserFilter, UserId,
};

use super::{assert_invalid_page, date, every_list, list, make, members, orgs, projects, solo};
use crate::support::{assert_invalid, open, org, project, task, user};

#[test]
fn a_repeated_ordering_search_or_page_is_a_validation_error() {
    let (ff, ada, org, _) = solo();
    let repeats: [(&str, [(&str, &str); 2]); 3] = [
        (
            "ordering",
            [("ordering", "name"), ("ordering", "created_at")],
        ),
        ("search", [("search", "a"), ("search", "b")]),
        ("page", [("page", "1"), ("page", "1")]),
    ];
    for (name, pairs) in repeats {
        assert_invalid(OrgQuery::from_pairs(pairs), name);
        assert_invalid(ProjectQuery::from_pairs(pairs), name);
        assert_invalid(orgs(&ff, &ada, &pairs), name);
        assert_invalid(projects(&ff, &ada, &pairs), name);
    }
    let task_repeats: [(&str, [(&str, &str); 2]); 3] = [
        ("ordering", [("ordering", "title"), ("ordering", "-status")]),
        ("search", [("search", "x"), ("search", "x")]),
        ("page", [("page", "1"), ("page", "2")]),
    ];
    for (name, pairs) in task_repeats {
        assert_invalid(list(&ff, &ada, &pairs), name);
    }
    let member_repeats: [(&str, [(&str, &str); 2]); 3] = [
        ("ordering", [("ordering", "role"), ("ordering", "role")]),
        ("search", [("search", "ada"), ("search", "bob")]),
        ("page", [("page", "1"), ("page", "1")]),
    ];
    for (name, pairs) in member_repeats {
        assert_invalid(members(&ff, &ada, org.id, &pairs), name);
    }
}

#[test]
fn ordering_by_a_field_twice_or_by_more_terms_than_fields_is_invalid_on_every_list() {
    let (ff, ada, org, project) = solo();
    task(&ff, &ada, &project, "one");
    let twice = |field: &str| [format!("{field},-{field}"), vec![field; 2_000].join(",")];
    for text in twice("created_at") {
        let pairs = [("ordering", text.as_str())];
        assert_invalid(list(&ff, &ada, &pairs), "ordering");
        assert_invalid(projects(&ff, &ada, &pairs), "ordering");
        assert_invalid(orgs(&ff, &ada, &pairs), "ordering");
    }
    for text in twice("email") {
        let pairs = [("ordering", text.as_str())];
        assert_invalid(members(&ff, &ada, org.id, &pairs), "ordering");
    }
    // Every field once, in either direction, is an ordering.
    let every = "due_date,-priority,status,-title,created_at,-updated_at";
    let page = list(&ff, &ada, &[("ordering", every)]).expect("every field once");
    assert_eq!(page.items.len(), 1);
    let every = [("ordering", "-role,email,joined_at")];
    assert!(members(&ff, &ada, org.id, &every).is_ok());
}

#[test]
fn a_search_over_its_limits_is_invalid_on_every_list() {
    let (ff, ada, org, _) = solo();
    let letter = |k: usize| char::from(b'a' + u8::try_from(k % 26).unwrap());
    let words: Vec<String> = (0..16_000)
        .map(|n| {
            [letter(n / 676), letter(n / 26), letter(n)]
                .iter()
                .collect()
        })
        .collect();
    let too_many = words[..101].join(" ");
    let too_long = words.join(" ");
    for text in [too_many.as_str(), too_long.as_str()] {
        for (name, result) in every_list(&ff, &ada, org.id, &[("search", text)]) {
            match result {
                Err(Error::Validation(errors)) => assert!(errors.get("search").is_some(), "{name}"),
                other => panic!("{name}: expected a search error, got {other:?}"),
            }
        }
    }
    let hundred = words[..100].join(" ");
    for (name, result) in every_list(&ff, &ada, org.id, &[("search", hundred.as_str())]) {
        assert!(result.is_ok(), "{name}: {result:?}");
    }
}

#[test]
fn page_size_must_be_a_positive_number() {
    let (ff, ada, org, project) = solo();
    task(&ff, &ada, &project, "one");
    for bad in ["0", "-1", "abc", "1.5", "1e2", "-0"] {
        for (_, result) in every_list(&ff, &ada, org.id, &[("page_size", bad)]) {
            assert_invalid(result, "page_size");
        }
    }
    let page = list(&ff, &ada, &[("page_size", "1")]).expect("page_size 1");
    assert_eq!((page.page_size, page.items.len()), (1, 1));
}

#[test]
fn page_size_defaults_to_20_and_is_clamped_to_100() {
    let (ff, ada, _, project) = solo();
    for i in 0..105 {
        task(&ff, &ada, &project, &format!("task {i:03}"));
    }
    let first = list(&ff, &ada, &[]).expect("default page");
    assert_eq!(
        (first.count, first.page, first.page_size, first.items.len()),
        (105, 1, 20, 20)
    );
    assert!(first.has_next() && !first.has_previous());

    let clamped = list(&ff, &ada, &[("page_size", "500")]).expect("clamped");
    assert_eq!(
        (clamped.count, clamped.page_size, clamped.items.len()),
        (105, 100, 100)
    );
    assert!(clamped.has_next());
    let rest =
        list(&ff, &ada, &[("page_size", "500"), ("page", "2")]).expect("second clamped page");
    assert_eq!((rest.page, rest.page_size, rest.items.len()), (2, 100, 5));
    assert!(!rest.has_next() && rest.has_previous());
    assert_invalid_page(list(&ff, &ada, &[("page_size", "500"), ("page", "3")]));

    let exact = list(&ff, &ada, &[("page_size", "100")]).expect("100");
    assert_eq!(exact.items.len(), 100);
    // Any positive number, however many digits (revision 2 of the contract).
    for huge in [
        "9223372036854775808",
        "99999999999999999999",
        &"9".repeat(200),
    ] {
        let page = list(&ff, &ada, &[("page_size", huge)]).expect("a huge page size");
        assert_eq!((page.page_size, page.items.len()), (100, 100), "{huge}");
    }
    // Built in code, the same clamp.
    let built = TaskQuery {
        page: PageRequest::new(1, 500),
        ..TaskQuery::default()
    };
    assert_eq!(ff.list_tasks(&ada, &built).expect("built").items.len(), 100);
}

#[test]
fn page_zero_text_or_past_the_end_is_invalid_page() {
    let (ff, ada, org, project) = solo();
    for i in 0..3 {
        task(&ff, &ada, &project, &format!("task {i}"));
    }
    // Zero, text, and page 2 of lists that all fit on the first page of 20.
    for bad in ["0", "abc", "-1", "1.5", "00", "2"] {
        for (_, result) in every_list(&ff, &ada, org.id, &[("page", bad)]) {
            assert_invalid_page(result);
        }
    }
    assert_invalid_page(list(&ff, &ada, &[("page_size", "2"), ("page", "3")]));

    let last = list(&ff, &ada, &[("page_size", "2"), ("page", "2")]).expect("page 2");
    assert_eq!((last.count, last.page, last.items.len()), (3, 2, 1));
    assert!(!last.has_next() && last.has_previous());
    let exact = list(&ff, &ada, &[("page_size", "3"), ("page", "1")]).expect("page 1");
    assert!(!exact.has_next());
    assert_invalid_page(list(&ff, &ada, &[("page_size", "3"), ("page", "2")]));
}

#[test]
fn the_first_page_of_an_empty_list_exists() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let page = list(&ff, &ada, &[]).expect("no tasks");
    assert_eq!((page.count, page.page, page.items.len()), (0, 1, 0));
    assert!(!page.has_next() && !page.has_previous());
    assert_invalid_page(list(&ff, &ada, &[("page", "2")]));
    let page = orgs(&ff, &ada, &[("page", "1")]).expect("no organizations");
    assert_eq!((page.count, page.items.len()), (0, 0));
    let page = projects(&ff, &ada, &[]).expect("no projects");
    assert_eq!((page.count, page.items.len()), (0, 0));

    let acme = org(&ff, &ada, "Acme");
    let launch = project(&ff, &ada, &acme, "Launch");
    task(&ff, &ada, &launch, "one");
    let none = list(&ff, &ada, &[("status", "blocked"), ("page", "1")]).expect("nothing matches");
    assert_eq!((none.count, none.items.len()), (0, 0));
    assert!(!none.has_next());
    let none = members(&ff, &ada, acme.id, &[("role", "viewer")]).expect("no viewers");
    assert_eq!(none.count, 0);
}

#[test]
fn soft_deleted_tasks_never_appear() {
    let (ff, ada, _, project) = solo();
    let keep = make(&ff, &ada, &project, "keep me", |t| {
        t.assigned_to = Some(ada.id())
    });
    let gone = make(&ff, &ada, &project, "delete me", |t| {
        t.assigned_to = Some(ada.id());
        t.priority = Some(Priority::Critical);
        t.due_date = Some(date("2026-01-01"));
    });
    make(&ff, &ada, &project, "keep me too", |_| {});
    ff.delete_task(&ada, gone.id).expect("delete");

    let all = list(&ff, &ada, &[("page_size", "100")]).expect("list");
    assert_eq!(all.count, 2);
    assert!(all.items.iter().all(|t| t.id != gone.id));
    for pairs in [
        &[("search", "delete")][..],
        &[("priority", "critical")],
        &[("assigned_to", "me"), ("ordering", "-priority")],
        &[("due_before", "2026-12-31")],
        &[("created_by", "me"), ("ordering", "due_date")],
        &[("status", "todo"), ("page_size", "1")],
    ] {
        let page = list(&ff, &ada, pairs).expect("list");
        assert!(
            page.items.iter().all(|t| t.id != gone.id),
            "{pairs:?} shows a deleted task"
        );
        assert!(page.count <= 2, "{pairs:?} counts a deleted task");
    }
    assert_eq!(
        list(&ff, &ada, &[("assigned_to", "me")])
            .expect("mine")
            .items,
        [keep]
    );
    // The count and the pages agree that it is gone.
    assert_eq!(
        list(&ff, &ada, &[("page_size", "1"), ("page", "2")])
            .expect("page 2")
            .items
            .len(),
        1
    );
    assert_invalid_page(list(&ff, &ada, &[("page_size", "1"), ("page", "3")]));
}

#[test]
fn parsed_queries_equal_the_same_queries_built_in_code() {
    let (org, project, user) = (OrgId::new(), ProjectId::new(), UserId::new());
    let (o, p, u) = (org.to_string(), project.to_string(), user.to_string());
    let parsed = TaskQuery::from_pairs([
        ("organization", o.as_str()),
        ("project", p.as_str()),
        ("status", "todo,done"),
        ("priority", "high"),
        ("priority", "critical"),
        ("assigned_to", "me"),
        ("created_by", u.as_str()),
        ("due_after", "2026-01-01"),
        ("due_before", "2026-02-01"),
        ("search", "Fix LOGIN"),
        ("ordering", "-priority,title"),
        ("page", "2"),
        ("page_size", "7"),
    ])
    .expect("parse");
    assert_eq!(parsed.organization, [org]);
    assert_eq!(parsed.project, [project]);
    assert_eq!(parsed.status, [Status::Todo, Status::Done]);
    assert_eq!(parsed.priority, [Priority::High, Priority::Critical]);
    assert_eq!(parsed.assigned_to, [UserFilter::Me]);
    assert_eq!(parsed.created_by, [UserFilter::Id(user)]);
    assert_eq!(parsed.due_after, Some(date("2026-01-01")));
    assert_eq!(parsed.due_before, Some(date("2026-02-01")));
    assert_eq!(parsed.search, Search::new("fix login"));
    assert_eq!(
        parsed.ordering,
        [Sort::desc(TaskField::Priority), Sort::asc(TaskField::Title)]
    );
    assert_eq!(parsed.page, PageRequest::new(2, 7));
}
