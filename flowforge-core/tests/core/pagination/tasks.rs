//! Task pages: random tasks in two projects (some touched, some deleted), random filters given
//! as repeated or comma-separated parameters, and random multi-term orderings.

use std::cmp::Ordering;
use std::collections::HashSet;

use chrono::{Days, NaiveDate};
use flowforge_core::{
    Actor, NewTask, PageRequest, Priority, Project, Role, Search, Sort, Status, Task, TaskField,
    TaskPatch, TaskQuery, UserFilter,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseResult;

use super::{config, search_matches, subset, walk};
use crate::support::{add, open, org, project, user};

/// Words of titles and descriptions: short ones (searched without the index) and non-ASCII.
const WORDS: &[&str] = &[
    "alpha", "beta", "gamma", "delta", "ux", "Ärger", "omega", "a",
];

const TASK_FIELDS: [TaskField; 6] = [
    TaskField::DueDate,
    TaskField::Priority,
    TaskField::Status,
    TaskField::Title,
    TaskField::CreatedAt,
    TaskField::UpdatedAt,
];

#[derive(Debug, Clone)]
struct TaskSpec {
    title: (usize, usize),
    description: Option<usize>,
    status: usize,
    priority: usize,
    due: Option<u64>,
    assignee: Option<usize>,
    creator: usize,
    second_project: bool,
    touch: bool,
    delete: bool,
}

prop_compose! {
    fn task_spec()(
        title in (0..WORDS.len(), 0..WORDS.len()),
        description in proptest::option::of(0..WORDS.len()),
        status in 0..4usize,
        priority in 0..4usize,
        due in proptest::option::weighted(0.7, 0..6u64),
        assignee in proptest::option::of(0..3usize),
        creator in 0..3usize,
        second_project in any::<bool>(),
        touch in proptest::bool::weighted(0.2),
        delete in proptest::bool::weighted(0.1),
    ) -> TaskSpec {
        TaskSpec {
            title,
            description,
            status,
            priority,
            due,
            assignee,
            creator,
            second_project,
            touch,
            delete,
        }
    }
}

/// How the assignee filter is given.
#[derive(Debug, Clone, Copy)]
enum Assignee {
    Me,
    Nobody,
    MeOrNobody,
    /// The user at this index (modulo the number of users).
    User(usize),
}

#[derive(Debug, Clone)]
struct Filters {
    status: Vec<Status>,
    priority: Vec<Priority>,
    search: Option<String>,
    assigned_to: Option<Assignee>,
    due_before: Option<u64>,
    project: Option<bool>,
    /// Whether list values are repeated parameters rather than comma-separated.
    repeat: bool,
}

fn search_text() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec((0..WORDS.len(), 0..3u8), 1..=2),
        any::<bool>(),
    )
        .prop_map(|(words, padded)| {
            let words: Vec<String> = words
                .into_iter()
                .map(|(i, case)| match case {
                    0 => WORDS[i].to_owned(),
                    1 => WORDS[i].to_uppercase(),
                    // A part of the word, so that substrings are searched too.
                    _ => WORDS[i].chars().skip(1).collect::<String>().to_lowercase(),
                })
                .filter(|w| !w.is_empty())
                .collect();
            if padded {
                format!("  {}  ", words.join("   "))
            } else {
                words.join(" ")
            }
        })
}

prop_compose! {
    fn filters()(
        status in prop_oneof![3 => Just(Vec::new()), 2 => subset(Status::ALL)],
        priority in prop_oneof![3 => Just(Vec::new()), 2 => subset(Priority::ALL)],
        search in proptest::option::weighted(0.4, search_text()),
        assigned_to in proptest::option::weighted(
            0.3,
            prop_oneof![
                Just(Assignee::Me),
                Just(Assignee::Nobody),
                Just(Assignee::MeOrNobody),
                (0..3usize).prop_map(Assignee::User)
            ],
        ),
        due_before in proptest::option::weighted(0.2, 0..6u64),
        project in proptest::option::weighted(0.2, any::<bool>()),
        repeat in any::<bool>(),
    ) -> Filters {
        Filters {
            status,
            priority,
            search,
            assigned_to,
            due_before,
            project,
            repeat,
        }
    }
}

/// One to three terms, each field at most once (a field given twice is a bad ordering).
fn task_ordering() -> impl Strategy<Value = Vec<Sort<TaskField>>> {
    proptest::collection::vec((0..TASK_FIELDS.len(), any::<bool>()), 1..=3).prop_map(|terms| {
        let mut seen = Vec::new();
        terms
            .into_iter()
            .filter(|(i, _)| {
                !seen.contains(i) && {
                    seen.push(*i);
                    true
                }
            })
            .map(|(i, descending)| Sort {
                field: TASK_FIELDS[i],
                descending,
            })
            .collect()
    })
}

fn base_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).expect("a date")
}

fn day(offset: u64) -> NaiveDate {
    base_date()
        .checked_add_days(Days::new(offset))
        .expect("a date")
}

/// A database with 1 to 3 users in one organization (two projects) and the tasks of `specs`.
struct TaskWorld {
    ff: crate::support::TestFf,
    users: Vec<Actor>,
    projects: [Project; 2],
    /// The live tasks, as the library returned them when last written.
    live: Vec<Task>,
}

impl TaskWorld {
    /// The user at index `i`, modulo the number of users.
    fn user(&self, i: usize) -> &Actor {
        &self.users[i % self.users.len()]
    }
}

fn build_tasks(user_count: usize, specs: &[TaskSpec]) -> TaskWorld {
    let ff = open();
    let users: Vec<Actor> = (0..user_count)
        .map(|i| user(&ff, &format!("user{i}@example.com")))
        .collect();
    let acme = org(&ff, &users[0], "Acme");
    for other in &users[1..] {
        add(&ff, &users[0], &acme, other, Role::Member);
    }
    let projects = [
        project(&ff, &users[0], &acme, "One"),
        project(&ff, &users[0], &acme, "Two"),
    ];
    let mut live = Vec::new();
    for spec in specs {
        let creator = &users[spec.creator % user_count];
        let new = NewTask {
            project: projects[usize::from(spec.second_project)].id,
            title: format!("{} {}", WORDS[spec.title.0], WORDS[spec.title.1]),
            description: spec
                .description
                .map(|i| format!("about {}", WORDS[i]))
                .unwrap_or_default(),
            status: Some(Status::ALL[spec.status]),
            priority: Some(Priority::ALL[spec.priority]),
            assigned_to: spec.assignee.map(|i| users[i % user_count].id()),
            due_date: spec.due.map(day),
        };
        let mut task = ff.create_task(creator, &new).expect("create task");
        if spec.touch {
            let patch = TaskPatch {
                status: Some(Status::ALL[(spec.status + 1) % 4]),
                ..TaskPatch::default()
            };
            task = ff
                .update_task(&users[0], task.id, &patch)
                .expect("update task");
        }
        if spec.delete {
            ff.delete_task(&users[0], task.id).expect("delete task");
        } else {
            live.push(task);
        }
    }
    TaskWorld {
        ff,
        users,
        projects,
        live,
    }
}

/// The query of `filters` and `ordering`, built in code.
fn task_query(
    world: &TaskWorld,
    filters: &Filters,
    ordering: &[Sort<TaskField>],
    page: PageRequest,
) -> TaskQuery {
    let assigned_to = match filters.assigned_to {
        None => Vec::new(),
        Some(Assignee::Me) => vec![UserFilter::Me],
        Some(Assignee::Nobody) => vec![UserFilter::Nobody],
        Some(Assignee::MeOrNobody) => vec![UserFilter::Me, UserFilter::Nobody],
        Some(Assignee::User(i)) => vec![UserFilter::Id(world.user(i).id())],
    };
    TaskQuery {
        project: filters
            .project
            .map(|second| vec![world.projects[usize::from(second)].id])
            .unwrap_or_default(),
        status: filters.status.clone(),
        priority: filters.priority.clone(),
        assigned_to,
        due_before: filters.due_before.map(day),
        search: filters
            .search
            .as_deref()
            .map(Search::new)
            .unwrap_or_default(),
        ordering: ordering.to_vec(),
        page,
        ..TaskQuery::default()
    }
}

/// The query-string pairs of the same query, as a client would send them.
fn task_pairs(
    world: &TaskWorld,
    filters: &Filters,
    ordering: &[Sort<TaskField>],
    page: PageRequest,
) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut list = |name: &str, values: Vec<String>| {
        if values.is_empty() {
            return;
        }
        if filters.repeat {
            pairs.extend(values.into_iter().map(|v| (name.to_owned(), v)));
        } else {
            pairs.push((name.to_owned(), values.join(",")));
        }
    };
    list(
        "status",
        filters
            .status
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect(),
    );
    list(
        "priority",
        filters
            .priority
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect(),
    );
    list(
        "assigned_to",
        match filters.assigned_to {
            None => Vec::new(),
            Some(Assignee::Me) => vec!["me".into()],
            Some(Assignee::Nobody) => vec!["none".into()],
            Some(Assignee::MeOrNobody) => vec!["me".into(), "none".into()],
            Some(Assignee::User(i)) => vec![world.user(i).id().to_string()],
        },
    );
    list(
        "project",
        filters
            .project
            .map(|second| vec![world.projects[usize::from(second)].id.to_string()])
            .unwrap_or_default(),
    );
    if let Some(offset) = filters.due_before {
        pairs.push(("due_before".into(), day(offset).to_string()));
    }
    if let Some(text) = &filters.search {
        pairs.push(("search".into(), text.clone()));
    }
    let ordering: Vec<String> = ordering
        .iter()
        .map(|s| {
            format!(
                "{}{}",
                if s.descending { "-" } else { "" },
                field_name(s.field)
            )
        })
        .collect();
    pairs.push(("ordering".into(), ordering.join(",")));
    pairs.push(("page".into(), page.page().to_string()));
    pairs.push(("page_size".into(), page.page_size().to_string()));
    pairs
}

fn field_name(field: TaskField) -> &'static str {
    match field {
        TaskField::DueDate => "due_date",
        TaskField::Priority => "priority",
        TaskField::Status => "status",
        TaskField::Title => "title",
        TaskField::CreatedAt => "created_at",
        TaskField::UpdatedAt => "updated_at",
    }
}

/// Whether the model says `task` matches `filters` for `me`.
fn task_matches(world: &TaskWorld, me: &Actor, filters: &Filters, task: &Task) -> bool {
    let assignee = task.assigned_to.as_ref().map(|u| u.id);
    let assigned_ok = match filters.assigned_to {
        None => true,
        Some(Assignee::Me) => assignee == Some(me.id()),
        Some(Assignee::Nobody) => assignee.is_none(),
        Some(Assignee::MeOrNobody) => assignee.is_none() || assignee == Some(me.id()),
        Some(Assignee::User(i)) => assignee == Some(world.user(i).id()),
    };
    let search_ok = filters
        .search
        .as_deref()
        .is_none_or(|text| search_matches(text, [&task.title, &task.description]));
    (filters.status.is_empty() || filters.status.contains(&task.status))
        && (filters.priority.is_empty() || filters.priority.contains(&task.priority))
        && filters
            .project
            .is_none_or(|second| task.project == world.projects[usize::from(second)].id)
        && filters
            .due_before
            .is_none_or(|offset| task.due_date.is_some_and(|d| d <= day(offset)))
        && assigned_ok
        && search_ok
}

/// The model's order: each term in turn (undated tasks last either way), then the id.
fn task_order(ordering: &[Sort<TaskField>], a: &Task, b: &Task) -> Ordering {
    for sort in ordering {
        let directed = |o: Ordering| if sort.descending { o.reverse() } else { o };
        let o = match sort.field {
            TaskField::DueDate => match (a.due_date, b.due_date) {
                (Some(x), Some(y)) => directed(x.cmp(&y)),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
            TaskField::Priority => directed(a.priority.cmp(&b.priority)),
            TaskField::Status => directed(a.status.cmp(&b.status)),
            TaskField::Title => directed(a.title.cmp(&b.title)),
            TaskField::CreatedAt => directed(a.created_at.cmp(&b.created_at)),
            TaskField::UpdatedAt => directed(a.updated_at.cmp(&b.updated_at)),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.id.cmp(&b.id)
}

fn check_task_pages(
    user_count: usize,
    specs: &[TaskSpec],
    actor: usize,
    filters: &Filters,
    ordering: &[Sort<TaskField>],
    page_size: u64,
) -> TestCaseResult {
    let world = build_tasks(user_count, specs);
    let me = &world.users[actor % user_count];

    let mut expected: Vec<Task> = world
        .live
        .iter()
        .filter(|t| task_matches(&world, me, filters, t))
        .cloned()
        .collect();
    expected.sort_by(|a, b| task_order(ordering, a, b));

    // The parser reads the client's pairs into the very query built in code.
    let first = PageRequest::new(1, page_size);
    let parsed = TaskQuery::from_pairs(task_pairs(&world, filters, ordering, first))
        .map_err(|e| TestCaseError::fail(format!("parsing failed: {e:?}")))?;
    prop_assert_eq!(&parsed, &task_query(&world, filters, ordering, first));

    let walked = walk(expected.len(), page_size, |number| {
        let query = TaskQuery {
            page: PageRequest::new(number, page_size),
            ..parsed.clone()
        };
        world.ff.list_tasks(me, &query)
    })?;
    let ids: Vec<_> = walked.iter().map(|t| t.id).collect();
    let unique: HashSet<_> = ids.iter().collect();
    prop_assert_eq!(unique.len(), ids.len(), "a task appears on two pages");
    let expected_ids: Vec<_> = expected.iter().map(|t| t.id).collect();
    prop_assert_eq!(
        &ids,
        &expected_ids,
        "the pages differ from the model's ordered list"
    );
    prop_assert_eq!(&walked, &expected);

    // One big page holds the same list.
    let whole = world
        .ff
        .list_tasks(
            me,
            &TaskQuery {
                page: PageRequest::new(1, 100),
                ..parsed.clone()
            },
        )
        .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
    prop_assert_eq!(whole.count, expected.len() as u64);
    prop_assert_eq!(
        whole.items.iter().map(|t| t.id).collect::<Vec<_>>(),
        expected_ids
    );
    Ok(())
}

proptest! {
    #![proptest_config(config(24))]

    #[test]
    fn walking_every_task_page_yields_the_filtered_ordered_list_once(
        user_count in 1..=3usize,
        specs in proptest::collection::vec(task_spec(), 0..60),
        actor in 0..3usize,
        filters in filters(),
        ordering in task_ordering(),
        page_size in 1..=25u64,
    ) {
        check_task_pages(user_count, &specs, actor, &filters, &ordering, page_size)?;
    }
}
