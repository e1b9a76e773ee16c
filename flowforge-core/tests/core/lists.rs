//! The contract's "Lists" through the public API: every task filter (repeats and commas meaning
//! any of them), orderings (ranked choices, undated tasks last both ways, defaults, the id
//! tie-break), literal search, and the parsing of `page`, `page_size`, `ordering` and `search`.

use std::fmt::Debug;
use std::thread::sleep;
use std::time::Duration;

use chrono::NaiveDate;
use flowforge_core::{
    Actor, Error, FlowForge, MemberQuery, NewOrganization, NewProject, NewTask, NewUser, OrgId,
    OrgQuery, Organization, Page, PageRequest, Priority, Project, ProjectId, ProjectPatch,
    ProjectQuery, Role, Search, Sort, Status, Task, TaskField, TaskPatch, TaskQuery, UserFilter,
    UserId,
};

use crate::support::{PASSWORD, add, assert_invalid, open, org, project, task, user};

type Pairs<'a> = [(&'a str, &'a str)];

/// Parses `pairs` as the server would and lists tasks.
fn list(ff: &FlowForge, actor: &Actor, pairs: &Pairs<'_>) -> Result<Page<Task>, Error> {
    ff.list_tasks(actor, &TaskQuery::from_pairs(pairs.iter().copied())?)
}

/// The titles of the one page `pairs` asks for, in list order.
#[track_caller]
fn titles(ff: &FlowForge, actor: &Actor, pairs: &Pairs<'_>) -> Vec<String> {
    match list(ff, actor, pairs) {
        Ok(page) => page.items.into_iter().map(|t| t.title).collect(),
        Err(e) => panic!("listing tasks with {pairs:?} failed: {e:?}"),
    }
}

/// The titles of the one page `pairs` asks for, sorted (for filters, where order is not the point).
#[track_caller]
fn title_set(ff: &FlowForge, actor: &Actor, pairs: &Pairs<'_>) -> Vec<String> {
    let mut titles = titles(ff, actor, pairs);
    titles.sort();
    titles
}

/// `words` as sorted owned strings.
fn set(words: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
    out.sort();
    out
}

/// Creates a task titled `title` in `project` after `edit` has set its other fields.
fn make(
    ff: &FlowForge,
    by: &Actor,
    project: &Project,
    title: &str,
    edit: impl FnOnce(&mut NewTask),
) -> Task {
    let mut new = NewTask::new(project.id, title);
    edit(&mut new);
    ff.create_task(by, &new).expect("create task")
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

/// Registers a user with a chosen full name and returns them as an actor.
fn named_user(ff: &FlowForge, email: &str, full_name: &str) -> Actor {
    let user = ff
        .register(&NewUser {
            email: email.into(),
            password: PASSWORD.into(),
            full_name: full_name.into(),
        })
        .expect("register");
    ff.admin().act_as(user.id).expect("act as")
}

/// One user owning one organization with one project.
struct Solo {
    ff: FlowForge,
    ada: Actor,
    org: Organization,
    project: Project,
}

fn solo() -> Solo {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let org = org(&ff, &ada, "Acme");
    let project = project(&ff, &ada, &org, "Launch");
    Solo {
        ff,
        ada,
        org,
        project,
    }
}

#[track_caller]
fn assert_invalid_page<T: Debug>(result: Result<T, Error>) {
    match result {
        Err(Error::NotFound(message)) => assert_eq!(message, "Invalid page."),
        other => panic!("expected the not-found answer `Invalid page.`, got {other:?}"),
    }
}

fn members(
    ff: &FlowForge,
    actor: &Actor,
    org: OrgId,
    pairs: &Pairs<'_>,
) -> Result<Page<String>, Error> {
    let page = ff.list_members(actor, org, &MemberQuery::from_pairs(pairs.iter().copied())?)?;
    Ok(page.map(|m| m.user.email))
}

fn projects(ff: &FlowForge, actor: &Actor, pairs: &Pairs<'_>) -> Result<Page<String>, Error> {
    let page = ff.list_projects(actor, &ProjectQuery::from_pairs(pairs.iter().copied())?)?;
    Ok(page.map(|p| p.name))
}

fn orgs(ff: &FlowForge, actor: &Actor, pairs: &Pairs<'_>) -> Result<Page<String>, Error> {
    let page = ff.list_organizations(actor, &OrgQuery::from_pairs(pairs.iter().copied())?)?;
    Ok(page.map(|o| o.name))
}

#[track_caller]
fn items<T: Debug>(result: Result<Page<T>, Error>) -> Vec<T> {
    match result {
        Ok(page) => page.items,
        Err(e) => panic!("listing failed: {e:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------------------------

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
    let all = set(&["launch task", "docs task", "ops task"]);

    assert_eq!(title_set(&ff, &ada, &[]), all);
    assert_eq!(
        title_set(&ff, &ada, &[("organization", &a)]),
        set(&["launch task", "docs task"])
    );
    assert_eq!(
        title_set(&ff, &ada, &[("organization", &b)]),
        set(&["ops task"])
    );
    assert_eq!(
        title_set(&ff, &ada, &[("organization", &format!("{a},{b}"))]),
        all
    );
    assert_eq!(
        title_set(&ff, &ada, &[("organization", &a), ("organization", &b)]),
        all
    );

    assert_eq!(
        title_set(&ff, &ada, &[("project", &l)]),
        set(&["launch task"])
    );
    assert_eq!(
        title_set(&ff, &ada, &[("project", &format!("{l},{o}"))]),
        set(&["launch task", "ops task"])
    );
    assert_eq!(
        title_set(&ff, &ada, &[("project", &l), ("project", &d)]),
        set(&["launch task", "docs task"])
    );

    // Different parameters narrow each other.
    assert_eq!(
        title_set(&ff, &ada, &[("organization", &a), ("project", &o)]),
        Vec::<String>::new()
    );
    assert_eq!(
        title_set(
            &ff,
            &ada,
            &[("organization", &b), ("project", &format!("{l},{o}"))]
        ),
        set(&["ops task"])
    );
}

#[test]
fn status_filter_matches_any_of_repeated_or_comma_separated_values() {
    let Solo {
        ff, ada, project, ..
    } = solo();
    for status in Status::ALL {
        make(&ff, &ada, &project, status.as_str(), |t| {
            t.status = Some(*status)
        });
    }
    assert_eq!(title_set(&ff, &ada, &[("status", "todo")]), set(&["todo"]));
    assert_eq!(
        title_set(&ff, &ada, &[("status", "in_progress")]),
        set(&["in_progress"])
    );
    assert_eq!(
        title_set(&ff, &ada, &[("status", "todo,done")]),
        set(&["todo", "done"])
    );
    assert_eq!(
        title_set(&ff, &ada, &[("status", "todo"), ("status", "blocked")]),
        set(&["todo", "blocked"])
    );
    assert_eq!(
        title_set(
            &ff,
            &ada,
            &[("status", "in_progress,done"), ("status", "blocked")]
        ),
        set(&["in_progress", "done", "blocked"])
    );
    assert_eq!(
        title_set(&ff, &ada, &[("status", "done,done")]),
        set(&["done"])
    );
}

#[test]
fn priority_filter_matches_any_of_repeated_or_comma_separated_values() {
    let Solo {
        ff, ada, project, ..
    } = solo();
    for priority in Priority::ALL {
        make(&ff, &ada, &project, priority.as_str(), |t| {
            t.priority = Some(*priority)
        });
    }
    assert_eq!(
        title_set(&ff, &ada, &[("priority", "critical")]),
        set(&["critical"])
    );
    assert_eq!(
        title_set(&ff, &ada, &[("priority", "critical,high")]),
        set(&["critical", "high"])
    );
    assert_eq!(
        title_set(&ff, &ada, &[("priority", "low"), ("priority", "medium")]),
        set(&["low", "medium"])
    );
    assert_eq!(
        title_set(
            &ff,
            &ada,
            &[("priority", "low,critical"), ("priority", "high")]
        ),
        set(&["low", "critical", "high"])
    );
}

#[test]
fn different_filters_combine_so_that_all_of_them_must_hold() {
    let Solo {
        ff, ada, project, ..
    } = solo();
    make(&ff, &ada, &project, "todo high", |t| {
        t.status = Some(Status::Todo);
        t.priority = Some(Priority::High);
    });
    make(&ff, &ada, &project, "todo low", |t| {
        t.status = Some(Status::Todo);
        t.priority = Some(Priority::Low);
    });
    make(&ff, &ada, &project, "done high", |t| {
        t.status = Some(Status::Done);
        t.priority = Some(Priority::High);
    });
    assert_eq!(
        title_set(&ff, &ada, &[("status", "todo"), ("priority", "high")]),
        set(&["todo high"])
    );
    assert_eq!(
        title_set(&ff, &ada, &[("status", "todo,done"), ("priority", "high")]),
        set(&["todo high", "done high"])
    );
    assert_eq!(
        title_set(&ff, &ada, &[("status", "done"), ("priority", "low")]),
        Vec::<String>::new()
    );
    assert_eq!(
        title_set(&ff, &ada, &[("status", "todo"), ("search", "high")]),
        set(&["todo high"])
    );
}

#[test]
fn assigned_to_filter_takes_a_user_id_me_or_none() {
    let Solo {
        ff,
        ada,
        org,
        project,
    } = solo();
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

    assert_eq!(
        title_set(&ff, &ada, &[("assigned_to", "me")]),
        set(&["for ada"])
    );
    assert_eq!(
        title_set(&ff, &bob, &[("assigned_to", "me")]),
        set(&["for bob"])
    );
    assert_eq!(
        title_set(&ff, &ada, &[("assigned_to", &bob_id)]),
        set(&["for bob"])
    );
    assert_eq!(
        title_set(&ff, &bob, &[("assigned_to", &ada_id)]),
        set(&["for ada"])
    );
    assert_eq!(
        title_set(&ff, &ada, &[("assigned_to", "none")]),
        set(&["for nobody"])
    );
    assert_eq!(
        title_set(&ff, &ada, &[("assigned_to", "me,none")]),
        set(&["for ada", "for nobody"])
    );
    assert_eq!(
        title_set(
            &ff,
            &ada,
            &[("assigned_to", &bob_id), ("assigned_to", "none")]
        ),
        set(&["for bob", "for nobody"])
    );
    assert_eq!(
        title_set(&ff, &ada, &[("assigned_to", &format!("{ada_id},{bob_id}"))]),
        set(&["for ada", "for bob"])
    );
    assert_eq!(
        title_set(&ff, &bob, &[("assigned_to", &format!("me,{ada_id},none"))]).len(),
        3
    );
}

#[test]
fn created_by_filter_takes_a_user_id_or_me() {
    let Solo {
        ff,
        ada,
        org,
        project,
    } = solo();
    let bob = user(&ff, "bob@example.com");
    add(&ff, &ada, &org, &bob, Role::Member);
    task(&ff, &ada, &project, "by ada");
    task(&ff, &bob, &project, "by bob");
    let (ada_id, bob_id) = (ada.id().to_string(), bob.id().to_string());

    assert_eq!(
        title_set(&ff, &ada, &[("created_by", "me")]),
        set(&["by ada"])
    );
    assert_eq!(
        title_set(&ff, &bob, &[("created_by", "me")]),
        set(&["by bob"])
    );
    assert_eq!(
        title_set(&ff, &ada, &[("created_by", &bob_id)]),
        set(&["by bob"])
    );
    assert_eq!(
        title_set(&ff, &ada, &[("created_by", &format!("{ada_id},{bob_id}"))]),
        set(&["by ada", "by bob"])
    );
    assert_eq!(
        title_set(&ff, &ada, &[("created_by", "me"), ("created_by", &bob_id)]),
        set(&["by ada", "by bob"])
    );
    // `none` is offered for the assignee only.
    assert_invalid(list(&ff, &ada, &[("created_by", "none")]), "created_by");
}

#[test]
fn due_before_and_due_after_are_inclusive_and_skip_undated_tasks() {
    let Solo {
        ff, ada, project, ..
    } = solo();
    for (title, due) in [
        ("first", "2026-03-01"),
        ("second", "2026-03-10"),
        ("third", "2026-03-20"),
    ] {
        make(&ff, &ada, &project, title, |t| t.due_date = Some(date(due)));
    }
    task(&ff, &ada, &project, "undated");

    assert_eq!(
        title_set(&ff, &ada, &[("due_before", "2026-03-10")]),
        set(&["first", "second"])
    );
    assert_eq!(
        title_set(&ff, &ada, &[("due_after", "2026-03-10")]),
        set(&["second", "third"])
    );
    assert_eq!(
        title_set(
            &ff,
            &ada,
            &[("due_after", "2026-03-10"), ("due_before", "2026-03-10")]
        ),
        set(&["second"])
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
    assert_eq!(
        title_set(
            &ff,
            &ada,
            &[("due_after", "2026-03-11"), ("due_before", "2026-03-19")]
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        title_set(&ff, &ada, &[("due_before", "2099-12-31")]),
        set(&["first", "second", "third"])
    );
    assert_eq!(
        title_set(&ff, &ada, &[("due_after", "2000-01-01")]),
        set(&["first", "second", "third"])
    );
    assert_eq!(
        title_set(&ff, &ada, &[("due_before", "2026-02-28")]),
        Vec::<String>::new()
    );
}

#[test]
fn a_bad_filter_value_is_a_validation_error_naming_the_parameter() {
    let Solo { ff, ada, org, .. } = solo();
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
    let Solo {
        ff,
        ada,
        org,
        project,
    } = solo();
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

// ---------------------------------------------------------------------------------------------
// Ordering
// ---------------------------------------------------------------------------------------------

#[test]
fn priority_orders_by_rank_not_alphabet() {
    let Solo {
        ff, ada, project, ..
    } = solo();
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
    assert_eq!(
        titles(&ff, &ada, &[("ordering", "priority")]),
        ["low", "medium", "high", "critical"]
    );
    assert_eq!(
        titles(&ff, &ada, &[("ordering", "-priority")]),
        ["critical", "high", "medium", "low"]
    );
}

#[test]
fn status_orders_by_declared_order_not_alphabet() {
    let Solo {
        ff, ada, project, ..
    } = solo();
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
    assert_eq!(
        titles(&ff, &ada, &[("ordering", "status")]),
        ["todo", "in_progress", "done", "blocked"]
    );
    assert_eq!(
        titles(&ff, &ada, &[("ordering", "-status")]),
        ["blocked", "done", "in_progress", "todo"]
    );
}

#[test]
fn undated_tasks_sort_after_dated_ones_in_both_directions() {
    let Solo {
        ff, ada, project, ..
    } = solo();
    task(&ff, &ada, &project, "undated one");
    make(&ff, &ada, &project, "late", |t| {
        t.due_date = Some(date("2026-05-01"))
    });
    make(&ff, &ada, &project, "early", |t| {
        t.due_date = Some(date("2026-01-15"))
    });
    task(&ff, &ada, &project, "undated two");
    make(&ff, &ada, &project, "middle", |t| {
        t.due_date = Some(date("2026-03-01"))
    });
    let undated = set(&["undated one", "undated two"]);

    let ascending = titles(&ff, &ada, &[("ordering", "due_date")]);
    assert_eq!(ascending[..3], ["early", "middle", "late"], "{ascending:?}");
    assert_eq!(
        set(&ascending[3..]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()),
        undated,
        "{ascending:?}"
    );

    let descending = titles(&ff, &ada, &[("ordering", "-due_date")]);
    assert_eq!(
        descending[..3],
        ["late", "middle", "early"],
        "{descending:?}"
    );
    assert_eq!(
        set(&descending[3..]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()),
        undated,
        "{descending:?}"
    );

    // Also when due_date is not the first term.
    let by_status = titles(&ff, &ada, &[("ordering", "status,-due_date")]);
    assert_eq!(by_status[..3], ["late", "middle", "early"], "{by_status:?}");
}

#[test]
fn default_task_ordering_is_due_date_then_highest_priority() {
    let Solo {
        ff, ada, project, ..
    } = solo();
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
    let by_priority = titles(&ff, &ada, &[("ordering", "priority,due_date")]);
    assert_eq!(
        by_priority,
        [
            "march low",
            "undated low",
            "february medium",
            "march medium",
            "undated high",
            "march critical"
        ]
    );
}

#[test]
fn several_ordering_terms_apply_in_turn() {
    let Solo {
        ff, ada, project, ..
    } = solo();
    for (title, status) in [
        ("b", Status::Done),
        ("a", Status::Done),
        ("c", Status::Todo),
        ("a2", Status::Todo),
    ] {
        make(&ff, &ada, &project, title, |t| t.status = Some(status));
    }
    assert_eq!(
        titles(&ff, &ada, &[("ordering", "status,title")]),
        ["a2", "c", "a", "b"]
    );
    assert_eq!(
        titles(&ff, &ada, &[("ordering", "status,-title")]),
        ["c", "a2", "b", "a"]
    );
    assert_eq!(
        titles(&ff, &ada, &[("ordering", "-status,title")]),
        ["a", "b", "a2", "c"]
    );
    assert_eq!(
        titles(&ff, &ada, &[("ordering", "title")]),
        ["a", "a2", "b", "c"]
    );
    assert_eq!(
        titles(&ff, &ada, &[("ordering", "-title")]),
        ["c", "b", "a2", "a"]
    );
}

#[test]
fn ties_are_broken_by_id_so_pages_never_overlap_or_skip() {
    let Solo {
        ff, ada, project, ..
    } = solo();
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
    let Solo { ff, ada, org, .. } = solo();
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

    assert_eq!(
        emails(&[("ordering", "role")]),
        [
            "bob@example.com",
            "dee@example.com",
            "cy@example.com",
            "ada@example.com"
        ]
    );
    assert_eq!(
        emails(&[("ordering", "-role")]),
        [
            "ada@example.com",
            "cy@example.com",
            "dee@example.com",
            "bob@example.com"
        ]
    );
    assert_eq!(
        emails(&[]),
        [
            "ada@example.com",
            "dee@example.com",
            "bob@example.com",
            "cy@example.com"
        ]
    );
    assert_eq!(emails(&[("ordering", "joined_at")]), emails(&[]));
    assert_eq!(
        emails(&[("ordering", "-joined_at")]),
        [
            "cy@example.com",
            "bob@example.com",
            "dee@example.com",
            "ada@example.com"
        ]
    );
    assert_eq!(
        emails(&[("ordering", "email")]),
        [
            "ada@example.com",
            "bob@example.com",
            "cy@example.com",
            "dee@example.com"
        ]
    );
    assert_eq!(
        emails(&[("ordering", "-email")]),
        [
            "dee@example.com",
            "cy@example.com",
            "bob@example.com",
            "ada@example.com"
        ]
    );
    // The role filter, with repeats and commas.
    assert_eq!(
        emails(&[("role", "admin,owner"), ("ordering", "role")]),
        ["cy@example.com", "ada@example.com"]
    );
    assert_eq!(
        emails(&[
            ("role", "viewer"),
            ("role", "member"),
            ("ordering", "-role")
        ]),
        ["dee@example.com", "bob@example.com"]
    );
    // Every member sees the same list, whatever their own role.
    assert_eq!(
        items(members(&ff, &bob, acme.id, &[("ordering", "role")])),
        emails(&[("ordering", "role")])
    );
}

#[test]
fn projects_default_to_name_order_and_filter_on_archived() {
    let Solo { ff, ada, org, .. } = solo();
    let beta = self::org(&ff, &ada, "Beta");
    // `solo` made "Launch" in Acme.
    for name in ["Charlie", "Alpha"] {
        sleep(Duration::from_millis(3));
        project(&ff, &ada, &org, name);
    }
    sleep(Duration::from_millis(3));
    let bravo = project(&ff, &ada, &beta, "Bravo");
    ff.update_project(
        &ada,
        bravo.id,
        &ProjectPatch {
            is_archived: Some(true),
            ..ProjectPatch::default()
        },
    )
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

// ---------------------------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------------------------

#[test]
fn every_search_word_must_occur_in_the_title_or_the_description() {
    let Solo {
        ff, ada, project, ..
    } = solo();
    for (title, description) in [
        ("Fix login bug", "Users cannot sign in on mobile"),
        ("Write docs", "A login guide for mobile users"),
        ("Login page redesign", ""),
        ("Release party", "cake"),
        ("alpha", "beta"),
    ] {
        make(&ff, &ada, &project, title, |t| {
            t.description = description.into()
        });
    }
    let search = |text: &str| title_set(&ff, &ada, &[("search", text)]);

    assert_eq!(
        search("login"),
        set(&["Fix login bug", "Write docs", "Login page redesign"])
    );
    assert_eq!(search("LOGIN"), search("login"));
    assert_eq!(
        search("gin"),
        search("login"),
        "a word is a substring, not a whole word"
    );
    // AND across words, OR across fields: one word in the title and one in the description is enough.
    assert_eq!(
        search("login mobile"),
        set(&["Fix login bug", "Write docs"])
    );
    assert_eq!(
        search("mobile login"),
        search("login mobile"),
        "words are not a phrase"
    );
    assert_eq!(search("bug LOGIN"), set(&["Fix login bug"]));
    assert_eq!(search("login cake"), Vec::<String>::new());
    assert_eq!(search("  login \t  page\n "), set(&["Login page redesign"]));
    assert_eq!(search("cake"), set(&["Release party"]));
    // A word never spans the two fields.
    assert_eq!(search("alphabeta"), Vec::<String>::new());
    assert_eq!(search("alpha beta"), set(&["alpha"]));
    // Blank search is no search.
    assert_eq!(search("   ").len(), 5);
}

#[test]
fn search_words_shorter_than_three_characters_are_found_too() {
    let Solo {
        ff, ada, project, ..
    } = solo();
    for (title, description) in [
        ("UX review", ""),
        ("Fix flux capacitor", ""),
        ("Tax form", ""),
        ("Other", "about ux"),
    ] {
        make(&ff, &ada, &project, title, |t| {
            t.description = description.into()
        });
    }
    let search = |text: &str| title_set(&ff, &ada, &[("search", text)]);

    assert_eq!(
        search("ux"),
        set(&["UX review", "Fix flux capacitor", "Other"])
    );
    assert_eq!(search("Ux"), search("ux"));
    assert_eq!(
        search("x"),
        set(&["UX review", "Fix flux capacitor", "Tax form", "Other"])
    );
    assert_eq!(search("ux review"), set(&["UX review"]));
    assert_eq!(search("re ux"), set(&["UX review"]));
    assert_eq!(search("ux ab"), set(&["Other"]));
    assert_eq!(search("fo"), set(&["Tax form"]));
    assert_eq!(search("q"), Vec::<String>::new());
}

#[test]
fn search_ignores_case_beyond_ascii() {
    let Solo {
        ff, ada, project, ..
    } = solo();
    for (title, description) in [
        ("Ärger im Büro", ""),
        ("Kein Problem", "nur ärger"),
        ("ПРИВЕТ мир", ""),
        ("Die straße", ""),
        ("Plain", "nothing"),
    ] {
        make(&ff, &ada, &project, title, |t| {
            t.description = description.into()
        });
    }
    let search = |text: &str| title_set(&ff, &ada, &[("search", text)]);

    let aerger = set(&["Ärger im Büro", "Kein Problem"]);
    assert_eq!(search("ÄRGER"), aerger);
    assert_eq!(search("ärger"), aerger);
    assert_eq!(search("äRgEr"), aerger);
    assert_eq!(search("Ä"), aerger);
    assert_eq!(search("BÜRO"), set(&["Ärger im Büro"]));
    assert_eq!(search("Büro ärger"), set(&["Ärger im Büro"]));
    assert_eq!(search("привет"), set(&["ПРИВЕТ мир"]));
    assert_eq!(search("МИР"), set(&["ПРИВЕТ мир"]));
    assert_eq!(search("STRAßE"), set(&["Die straße"]));
    assert_eq!(search("aerger"), Vec::<String>::new());
}

#[test]
fn search_finds_text_exactly_as_written_in_any_script() {
    let Solo {
        ff, ada, project, ..
    } = solo();
    task(&ff, &ada, &project, "Trip to İstanbul");
    task(&ff, &ada, &project, "ᏣᎳᎩ language");
    task(&ff, &ada, &project, "Ϳ and Ԩ");
    // Each search text occurs in its title as written (or differs from it only in case), so
    // each must find it: a longer word can never find less than its own prefix.
    let cases = [
        ("İs", "Trip to İstanbul"),
        ("İstanbul", "Trip to İstanbul"),
        ("to İstanbul", "Trip to İstanbul"),
        ("ᏣᎳ", "ᏣᎳᎩ language"),
        ("ᏣᎳᎩ", "ᏣᎳᎩ language"),
        ("ꮳꮃꭹ", "ᏣᎳᎩ language"),
        ("Ϳ", "Ϳ and Ԩ"),
        ("Ϳ and", "Ϳ and Ԩ"),
        ("ϳ and ԩ", "Ϳ and Ԩ"),
        ("Ϳ a", "Ϳ and Ԩ"),
    ];
    let mut missed = Vec::new();
    for (text, title) in cases {
        let found = titles(&ff, &ada, &[("search", text)]);
        if found != [title] {
            missed.push(format!(
                "search={text:?} found {found:?}, expected [{title:?}]"
            ));
        }
    }
    assert!(
        missed.is_empty(),
        "search misses text its titles contain:\n{}",
        missed.join("\n")
    );
}

#[test]
fn hostile_search_text_is_searched_literally_and_never_an_error() {
    let Solo {
        ff, ada, project, ..
    } = solo();
    let corpus = [
        "say \"hello\" there",
        "star * power",
        "call NEAR(a b) now",
        "well-known dash",
        "this OR that",
        "cats AND dogs",
        "it's mine",
        "100% done",
        "snake_case name",
        "back\\slash path",
        "title: colon",
        "caret ^x here",
        "plain words only",
        "Orange android",
        "handle percent sign",
    ];
    for title in corpus {
        task(&ff, &ada, &project, title);
    }
    let brief = [
        "\"", "*", "NEAR(", "-", "OR", "AND", "'", "%", "_", "\\", "title:", "^x",
    ];
    let more = [
        "\"hello\"",
        "\"unterminated",
        "NEAR",
        "NEAR(a",
        "a*",
        "*star",
        "-dash",
        "NOT",
        "this OR that",
        "cats AND dogs",
        "(",
        ")",
        ":",
        "{title}",
        "+",
        "^",
        "%%",
        "100%",
        "e_c",
        "'; DROP TABLE tasks; --",
        "\"\"\"",
        "\\\\",
        "OR AND NOT",
        "title:colon",
        "*:*",
    ];
    for text in brief.iter().chain(more.iter()) {
        let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
        let mut expected: Vec<String> = corpus
            .iter()
            .filter(|title| {
                words
                    .iter()
                    .all(|w| title.to_lowercase().contains(w.as_str()))
            })
            .map(|title| (*title).to_owned())
            .collect();
        expected.sort();
        match list(&ff, &ada, &[("search", text)]) {
            Ok(page) => {
                let mut got: Vec<String> = page.items.into_iter().map(|t| t.title).collect();
                got.sort();
                assert_eq!(got, expected, "search={text:?}");
                assert_eq!(page.count, expected.len() as u64, "search={text:?}");
            }
            Err(e) => panic!("search={text:?} failed: {e:?}"),
        }
    }
    // Each of the contract's examples really does find something, so the checks above bite.
    for text in brief {
        let page = list(&ff, &ada, &[("search", text)]).expect("search");
        assert!(page.count > 0, "search={text:?} found nothing");
        assert!(
            page.count < corpus.len() as u64,
            "search={text:?} found everything"
        );
    }
    // Built in code, the same.
    let built = TaskQuery {
        search: Search::new("%"),
        ..TaskQuery::default()
    };
    assert_eq!(ff.list_tasks(&ada, &built).expect("search").items.len(), 1);
}

#[test]
fn search_text_with_a_nul_character_is_still_a_search() {
    let Solo {
        ff,
        ada,
        org,
        project,
    } = solo();
    task(&ff, &ada, &project, "abc task");
    let mut failures = Vec::new();
    for text in ["a\0bc", "abc\0", "\0\0\0", "ab\0", "\0"] {
        let pairs = [("search", text)];
        if let Err(e) = list(&ff, &ada, &pairs) {
            failures.push(format!("tasks, search={text:?}: {e:?}"));
        }
        if let Err(e) = projects(&ff, &ada, &pairs) {
            failures.push(format!("projects, search={text:?}: {e:?}"));
        }
        if let Err(e) = orgs(&ff, &ada, &pairs) {
            failures.push(format!("organizations, search={text:?}: {e:?}"));
        }
        if let Err(e) = members(&ff, &ada, org.id, &pairs) {
            failures.push(format!("members, search={text:?}: {e:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "a search was an error:\n{}",
        failures.join("\n")
    );
}

#[test]
fn a_search_of_many_words_is_still_a_search() {
    let Solo {
        ff,
        ada,
        org,
        project,
    } = solo();
    task(&ff, &ada, &project, "ordinary work");
    // About 3 to 6 KB of query string: well within what a client may send.
    let short = vec!["o"; 1500].join(" ");
    let long = vec!["ord"; 1500].join(" ");
    let mut failures = Vec::new();
    for (what, text) in [
        ("1500 one-letter words", &short),
        ("1500 three-letter words", &long),
    ] {
        let pairs = [("search", text.as_str())];
        match list(&ff, &ada, &pairs) {
            Ok(page) => assert_eq!(page.count, 1, "tasks, {what}"),
            Err(e) => failures.push(format!("tasks, {what}: {e:?}")),
        }
        if let Err(e) = projects(&ff, &ada, &pairs) {
            failures.push(format!("projects, {what}: {e:?}"));
        }
        if let Err(e) = orgs(&ff, &ada, &pairs) {
            failures.push(format!("organizations, {what}: {e:?}"));
        }
        if let Err(e) = members(&ff, &ada, org.id, &pairs) {
            failures.push(format!("members, {what}: {e:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "a long search was an error:\n{}",
        failures.join("\n")
    );
}

#[test]
fn search_follows_edits_and_deletions() {
    let Solo {
        ff, ada, project, ..
    } = solo();
    let t = task(&ff, &ada, &project, "Original heading");
    let found = |text: &str| list(&ff, &ada, &[("search", text)]).expect("search").count;
    assert_eq!(found("original"), 1);
    ff.update_task(
        &ada,
        t.id,
        &TaskPatch {
            title: Some("Renamed heading".into()),
            ..TaskPatch::default()
        },
    )
    .expect("rename");
    assert_eq!(found("original"), 0);
    assert_eq!(found("renamed"), 1);
    ff.update_task(
        &ada,
        t.id,
        &TaskPatch {
            description: Some("zebra crossing".into()),
            ..TaskPatch::default()
        },
    )
    .expect("describe");
    assert_eq!(found("ZEBRA"), 1);
    assert_eq!(found("zebra renamed"), 1);
    ff.delete_task(&ada, t.id).expect("delete");
    assert_eq!(found("zebra"), 0);
    assert_eq!(found("heading"), 0);
}

#[test]
fn members_are_searched_by_email_and_full_name() {
    let ff = open();
    let ada = named_user(&ff, "ada@example.com", "Ada Lovelace");
    let bob = named_user(&ff, "bob@sample.org", "Robert Tables");
    let acme = org(&ff, &ada, "Acme");
    add(&ff, &ada, &acme, &bob, Role::Member);
    let search = |text: &str| {
        let mut emails = items(members(&ff, &ada, acme.id, &[("search", text)]));
        emails.sort();
        emails
    };
    let (a, b) = ("ada@example.com", "bob@sample.org");

    assert_eq!(search("lovelace"), [a]);
    assert_eq!(search("SAMPLE"), [b]);
    assert_eq!(search("ada example"), [a]);
    assert_eq!(search("robert sample.org"), [b]);
    assert_eq!(search("ob"), [b]);
    assert_eq!(search("@"), [a, b]);
    assert_eq!(search("lovelace tables"), Vec::<String>::new());
    assert_eq!(search("%"), Vec::<String>::new());
    assert_eq!(search("_"), Vec::<String>::new());
    assert_eq!(search("\" OR 1=1"), Vec::<String>::new());
}

#[test]
fn projects_are_searched_by_name_and_description() {
    let Solo { ff, ada, org, .. } = solo();
    for (name, description) in [
        ("Docs", "the launch guide"),
        ("Ops", ""),
        ("Marketing_2026", "100% push"),
    ] {
        ff.create_project(
            &ada,
            &NewProject {
                description: description.into(),
                ..NewProject::new(org.id, name)
            },
        )
        .expect("project");
    }
    let search = |text: &str| {
        let mut names = items(projects(&ff, &ada, &[("search", text)]));
        names.sort();
        names
    };
    assert_eq!(search("launch"), ["Docs", "Launch"]);
    assert_eq!(search("LAUNCH guide"), ["Docs"]);
    assert_eq!(search("ops"), ["Ops"]);
    assert_eq!(search("_"), ["Marketing_2026"]);
    assert_eq!(search("%"), ["Marketing_2026"]);
    assert_eq!(search("push marketing"), ["Marketing_2026"]);
    assert_eq!(search("nothing"), Vec::<String>::new());
}

#[test]
fn organizations_are_searched_by_name() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    for name in ["Acme Rockets", "acme two", "Beta Labs", "100% Pure"] {
        ff.create_organization(
            &ada,
            &NewOrganization {
                name: name.into(),
                slug: None,
            },
        )
        .expect("org");
    }
    let search = |text: &str| {
        let mut names = items(orgs(&ff, &ada, &[("search", text)]));
        names.sort();
        names
    };
    assert_eq!(search("ACME"), ["Acme Rockets", "acme two"]);
    assert_eq!(search("rock"), ["Acme Rockets"]);
    assert_eq!(search("two acme"), ["acme two"]);
    assert_eq!(search("labs"), ["Beta Labs"]);
    assert_eq!(search("%"), ["100% Pure"]);
    assert_eq!(
        search("acme-two"),
        Vec::<String>::new(),
        "the slug is not searched"
    );
    assert_eq!(search("_"), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------------
// Parsing and pagination
// ---------------------------------------------------------------------------------------------

#[test]
fn a_repeated_ordering_search_or_page_is_a_validation_error() {
    let Solo { ff, ada, org, .. } = solo();
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
fn page_size_must_be_a_positive_number() {
    let Solo {
        ff,
        ada,
        org,
        project,
    } = solo();
    task(&ff, &ada, &project, "one");
    for bad in ["0", "-1", "abc", "1.5", "1e2", "-0"] {
        let pairs = [("page_size", bad)];
        assert_invalid(list(&ff, &ada, &pairs), "page_size");
        assert_invalid(projects(&ff, &ada, &pairs), "page_size");
        assert_invalid(orgs(&ff, &ada, &pairs), "page_size");
        assert_invalid(members(&ff, &ada, org.id, &pairs), "page_size");
    }
    let page = list(&ff, &ada, &[("page_size", "1")]).expect("page_size 1");
    assert_eq!((page.page_size, page.items.len()), (1, 1));
}

#[test]
fn page_size_defaults_to_20_and_is_clamped_to_100() {
    let Solo {
        ff, ada, project, ..
    } = solo();
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
    let huge = list(&ff, &ada, &[("page_size", "99999999999999999999")]);
    match huge {
        Ok(page) => assert_eq!(page.page_size, 100),
        Err(e) => assert!(
            matches!(e, Error::Validation(_)),
            "a huge page size gave {e:?}"
        ),
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
    let Solo {
        ff,
        ada,
        org,
        project,
    } = solo();
    for i in 0..3 {
        task(&ff, &ada, &project, &format!("task {i}"));
    }
    for bad in ["0", "abc", "-1", "1.5", "00"] {
        assert_invalid_page(list(&ff, &ada, &[("page", bad)]));
        assert_invalid_page(orgs(&ff, &ada, &[("page", bad)]));
        assert_invalid_page(projects(&ff, &ada, &[("page", bad)]));
        assert_invalid_page(members(&ff, &ada, org.id, &[("page", bad)]));
    }
    assert_invalid_page(list(&ff, &ada, &[("page_size", "2"), ("page", "3")]));
    assert_invalid_page(list(&ff, &ada, &[("page", "2")]));
    assert_invalid_page(orgs(&ff, &ada, &[("page", "2")]));
    assert_invalid_page(projects(&ff, &ada, &[("page", "2")]));
    assert_invalid_page(members(&ff, &ada, org.id, &[("page", "2")]));

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
    let Solo {
        ff, ada, project, ..
    } = solo();
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
