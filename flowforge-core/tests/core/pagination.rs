//! Pagination as a property: for random data, filters and orderings, walking every page with a
//! random page size yields exactly the list a model computes (filter, order, id tie-break), each
//! item once, with the same `count` on every page and `has_next` false only on the last page.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering as Atomic};

use chrono::{Days, NaiveDate};
use flowforge_core::{
    Actor, Error, FlowForge, MemberField, MemberQuery, Membership, NewMembership, NewTask, NewUser,
    Page, PageRequest, Priority, Project, Role, Search, Sort, Status, Task, TaskField, TaskPatch,
    TaskQuery, UserFilter,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseResult;

use crate::support::{PASSWORD, add, open, org, project, user};

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

/// No regression files: this module writes nothing next to the sources.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(cases)
    }
}

/// Walks every page of a list of `total` items with `page_size`, checking the page bookkeeping,
/// and returns the items in the order seen. `fetch` gets a 1-based page number.
fn walk<T>(
    total: usize,
    page_size: u64,
    mut fetch: impl FnMut(u64) -> Result<Page<T>, Error>,
) -> Result<Vec<T>, TestCaseError> {
    let total = total as u64;
    let pages = total.div_ceil(page_size).max(1);
    let mut seen = Vec::new();
    for number in 1..=pages {
        let page = fetch(number)
            .map_err(|e| TestCaseError::fail(format!("page {number} of {pages}: {e:?}")))?;
        prop_assert_eq!(page.count, total, "count on page {}", number);
        prop_assert_eq!(page.page, number);
        prop_assert_eq!(page.page_size, page_size);
        let expected_len = page_size.min(total - (number - 1) * page_size);
        prop_assert_eq!(
            page.items.len() as u64,
            expected_len,
            "items on page {} of {}",
            number,
            pages
        );
        prop_assert_eq!(
            page.has_next(),
            number < pages,
            "has_next on page {} of {}",
            number,
            pages
        );
        prop_assert_eq!(
            page.has_previous(),
            number > 1,
            "has_previous on page {}",
            number
        );
        prop_assert_eq!(page.num_pages(), pages);
        seen.extend(page.items);
    }
    match fetch(pages + 1) {
        Err(Error::NotFound(message)) => prop_assert_eq!(message, "Invalid page."),
        other => {
            return Err(TestCaseError::fail(format!(
                "page {} past the end answered {:?}",
                pages + 1,
                other.map(|p| p.items.len())
            )));
        }
    }
    Ok(seen)
}

// ---------------------------------------------------------------------------------------------
// Tasks
// ---------------------------------------------------------------------------------------------

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

fn task_spec() -> impl Strategy<Value = TaskSpec> {
    (
        (0..WORDS.len(), 0..WORDS.len()),
        proptest::option::of(0..WORDS.len()),
        (0..4usize, 0..4usize),
        proptest::option::weighted(0.7, 0..6u64),
        proptest::option::of(0..3usize),
        0..3usize,
        any::<bool>(),
        proptest::bool::weighted(0.2),
        proptest::bool::weighted(0.1),
    )
        .prop_map(
            |(
                title,
                description,
                (status, priority),
                due,
                assignee,
                creator,
                second_project,
                touch,
                delete,
            )| {
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
            },
        )
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

fn subset<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = Vec<T>> {
    proptest::collection::vec(any::<bool>(), all.len()).prop_map(move |picks| {
        all.iter()
            .zip(picks)
            .filter(|(_, pick)| *pick)
            .map(|(v, _)| *v)
            .collect()
    })
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

fn filters() -> impl Strategy<Value = Filters> {
    (
        prop_oneof![3 => Just(Vec::new()), 2 => subset(Status::ALL)],
        prop_oneof![3 => Just(Vec::new()), 2 => subset(Priority::ALL)],
        proptest::option::weighted(0.4, search_text()),
        proptest::option::weighted(
            0.3,
            prop_oneof![
                Just(Assignee::Me),
                Just(Assignee::Nobody),
                Just(Assignee::MeOrNobody),
                (0..3usize).prop_map(Assignee::User)
            ],
        ),
        proptest::option::weighted(0.2, 0..6u64),
        proptest::option::weighted(0.2, any::<bool>()),
        any::<bool>(),
    )
        .prop_map(
            |(status, priority, search, assigned_to, due_before, project, repeat)| Filters {
                status,
                priority,
                search,
                assigned_to,
                due_before,
                project,
                repeat,
            },
        )
}

fn task_ordering() -> impl Strategy<Value = Vec<Sort<TaskField>>> {
    proptest::collection::vec((0..TASK_FIELDS.len(), any::<bool>()), 1..=3).prop_map(|terms| {
        terms
            .into_iter()
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
    ff: FlowForge,
    users: Vec<Actor>,
    projects: [Project; 2],
    /// The live tasks, as the library returned them when last written.
    live: Vec<Task>,
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
        Some(Assignee::User(i)) => vec![UserFilter::Id(world.users[i % world.users.len()].id())],
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
            Some(Assignee::User(i)) => vec![world.users[i % world.users.len()].id().to_string()],
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
        Some(Assignee::User(i)) => assignee == Some(world.users[i % world.users.len()].id()),
    };
    let search_ok = filters.search.as_deref().is_none_or(|text| {
        let (title, description) = (task.title.to_lowercase(), task.description.to_lowercase());
        text.split_whitespace()
            .map(str::to_lowercase)
            .all(|w| title.contains(&w) || description.contains(&w))
    });
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

// ---------------------------------------------------------------------------------------------
// Members
// ---------------------------------------------------------------------------------------------

const PEOPLE: [(&str, &str); 6] = [
    ("ada@example.com", "Ada Lovelace"),
    ("bob@sample.org", "Robert Tables"),
    ("cy@example.com", "Cy Young"),
    ("dee@example.net", "Dee Dee Ramone"),
    ("eve@sample.org", "Eve Online"),
    ("fay@example.com", "Fay Wray"),
];

const MEMBER_SEARCHES: [&str; 9] = [
    "example",
    "SAMPLE",
    "ada",
    "ee",
    "y",
    "o",
    "@",
    "dee ramone",
    "zzz",
];

const MEMBER_FIELDS: [MemberField; 3] =
    [MemberField::JoinedAt, MemberField::Email, MemberField::Role];

/// Registering hashes a password, so the people are registered once for every case; each case
/// makes its own organization.
fn people() -> &'static (FlowForge, Vec<Actor>) {
    static PEOPLE_DB: OnceLock<(FlowForge, Vec<Actor>)> = OnceLock::new();
    PEOPLE_DB.get_or_init(|| {
        let ff = open();
        let actors = PEOPLE
            .iter()
            .map(|(email, name)| {
                let user = ff
                    .register(&NewUser {
                        email: (*email).into(),
                        password: PASSWORD.into(),
                        full_name: (*name).into(),
                    })
                    .expect("register");
                ff.admin().act_as(user.id).expect("act as")
            })
            .collect();
        (ff, actors)
    })
}

#[derive(Debug, Clone)]
struct MemberCase {
    /// The owner (who makes the organization) and the others, each with a role, in joining order.
    owner: usize,
    others: Vec<(usize, Role, bool)>,
    roles: Vec<Role>,
    search: Option<usize>,
    ordering: Vec<Sort<MemberField>>,
    page_size: u64,
}

fn member_case() -> impl Strategy<Value = MemberCase> {
    (
        0..PEOPLE.len(),
        Just((0..PEOPLE.len()).collect::<Vec<_>>()).prop_shuffle(),
        proptest::collection::vec(
            (
                proptest::sample::select(Role::ALL),
                proptest::bool::weighted(0.3),
            ),
            PEOPLE.len(),
        ),
        0..PEOPLE.len(),
        prop_oneof![2 => Just(Vec::new()), 1 => subset(Role::ALL)],
        proptest::option::weighted(0.4, 0..MEMBER_SEARCHES.len()),
        proptest::collection::vec((0..MEMBER_FIELDS.len(), any::<bool>()), 0..=3),
        1..=7u64,
    )
        .prop_map(
            |(owner, order, roles_and_pauses, count, roles, search, ordering, page_size)| {
                let others = order
                    .into_iter()
                    .filter(|&i| i != owner)
                    .take(count)
                    .zip(roles_and_pauses)
                    .map(|(i, (role, pause))| (i, role, pause))
                    .collect();
                let ordering = ordering
                    .into_iter()
                    .map(|(i, descending)| Sort {
                        field: MEMBER_FIELDS[i],
                        descending,
                    })
                    .collect();
                MemberCase {
                    owner,
                    others,
                    roles,
                    search,
                    ordering,
                    page_size,
                }
            },
        )
}

fn member_order(ordering: &[Sort<MemberField>], a: &Membership, b: &Membership) -> Ordering {
    let default = [Sort::asc(MemberField::JoinedAt)];
    let ordering = if ordering.is_empty() {
        &default[..]
    } else {
        ordering
    };
    for sort in ordering {
        let o = match sort.field {
            MemberField::JoinedAt => a.joined_at.cmp(&b.joined_at),
            MemberField::Email => a.user.email.cmp(&b.user.email),
            MemberField::Role => a.role.cmp(&b.role),
        };
        let o = if sort.descending { o.reverse() } else { o };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.user.id.cmp(&b.user.id)
}

fn check_member_pages(case: &MemberCase) -> TestCaseResult {
    static ORGS: AtomicUsize = AtomicUsize::new(0);
    let (ff, actors) = people();
    let owner = &actors[case.owner];
    let acme = org(
        ff,
        owner,
        &format!("Org {}", ORGS.fetch_add(1, Atomic::Relaxed)),
    );
    let mut all = vec![
        ff.get_member(owner, acme.id, owner.id())
            .expect("owner membership"),
    ];
    for &(i, role, pause) in &case.others {
        if pause {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let input = NewMembership {
            email: actors[i].user().email.clone(),
            role,
        };
        all.push(ff.add_member(owner, acme.id, &input).expect("add member"));
    }
    let search = case.search.map(|i| MEMBER_SEARCHES[i]);
    let mut expected: Vec<Membership> = all
        .into_iter()
        .filter(|m| case.roles.is_empty() || case.roles.contains(&m.role))
        .filter(|m| {
            search.is_none_or(|text| {
                let (email, name) = (m.user.email.to_lowercase(), m.user.full_name.to_lowercase());
                text.split_whitespace()
                    .map(str::to_lowercase)
                    .all(|w| email.contains(&w) || name.contains(&w))
            })
        })
        .collect();
    expected.sort_by(|a, b| member_order(&case.ordering, a, b));

    let query = MemberQuery {
        role: case.roles.clone(),
        search: search.map(Search::new).unwrap_or_default(),
        ordering: case.ordering.clone(),
        page: PageRequest::default(),
    };
    let walked = walk(expected.len(), case.page_size, |number| {
        let page = MemberQuery {
            page: PageRequest::new(number, case.page_size),
            ..query.clone()
        };
        ff.list_members(owner, acme.id, &page)
    })?;
    prop_assert_eq!(walked, expected);
    Ok(())
}

proptest! {
    #![proptest_config(config(32))]

    #[test]
    fn walking_every_member_page_yields_the_filtered_ordered_members_once(case in member_case()) {
        check_member_pages(&case)?;
    }
}
