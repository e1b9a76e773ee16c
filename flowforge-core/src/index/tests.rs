//! The index against a brute-force oracle: after random inserts, changes and deletes, every
//! filter, search, ordering and page gives the count and the page that filtering and sorting
//! all live tasks directly gives.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use uuid::Uuid;

use super::*;
use crate::query::search::fold_case;
use crate::query::{PageRequest, Search};

const WORDS: &[&str] = &[
    "Fix", "login", "update", "UPDATED", "page", "σoς", "x", "docs",
];

fn id<T: From<Uuid>>(n: u8) -> T {
    T::from(Uuid::from_u128(u128::from(n) + 1))
}

fn text(picks: &[usize]) -> String {
    picks
        .iter()
        .map(|i| WORDS[i % WORDS.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Debug, Clone)]
enum Op {
    /// Write task number `n` (insert or change).
    Put(u8, IndexRow),
    /// Soft-delete task number `n`.
    Delete(u8),
}

fn row() -> impl Strategy<Value = IndexRow> {
    (
        (0u8..3, 0usize..4, 0usize..4),
        (
            proptest::option::of(0u8..3),
            proptest::option::of(0u8..3),
            proptest::option::of(0i64..5),
        ),
        (0i64..4, 0i64..4, proptest::collection::vec(0usize..8, 0..4)),
        (proptest::collection::vec(0usize..8, 0..3), 0i64..1000),
    )
        .prop_map(
            |((project, status, priority), (assignee, creator, due), (c, u, t), (d, changed))| {
                IndexRow {
                    deleted: false,
                    id: id(0),
                    row: None,
                    project: id(project),
                    status: Status::ALL[status],
                    priority: Priority::ALL[priority],
                    assignee: assignee.map(id),
                    creator: creator.map(id),
                    due: due.map(|d| {
                        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(d as u64)
                    }),
                    created_at: Timestamp::from_millis(c),
                    updated_at: Timestamp::from_millis(u),
                    title: text(&t),
                    description: text(&d),
                    changed,
                }
            },
        )
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        // Most tasks with a row key, some without: a page of those lists its tasks by id.
        3 => (0u8..40, row()).prop_map(|(n, row)| Op::Put(n, IndexRow {
            id: id(n),
            row: (n % 7 != 0).then(|| i64::from(n) + 1),
            ..row
        })),
        1 => (0u8..40).prop_map(Op::Delete),
    ]
}

fn query() -> impl Strategy<Value = (TaskQuery, u8)> {
    (
        proptest::collection::vec(0u8..3, 0..2),
        proptest::collection::vec(0usize..4, 0..3),
        proptest::collection::vec(0usize..4, 0..2),
        proptest::collection::vec(proptest::option::of(0u8..4), 0..3),
        proptest::option::of(0i64..5),
        proptest::option::of(0i64..5),
        proptest::collection::vec(0usize..8, 0..3),
        proptest::collection::vec((0usize..6, any::<bool>()), 0..3),
        (1u64..5, 1u64..8),
        0u8..3,
    )
        .prop_map(
            |(
                projects,
                statuses,
                priorities,
                assignees,
                before,
                after,
                words,
                order,
                (page, size),
                me,
            )| {
                let day = |d: i64| {
                    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(d as u64)
                };
                let query = TaskQuery {
                    project: projects.into_iter().map(id).collect(),
                    status: statuses.into_iter().map(|s| Status::ALL[s]).collect(),
                    priority: priorities.into_iter().map(|p| Priority::ALL[p]).collect(),
                    assigned_to: assignees
                        .into_iter()
                        .map(|a| match a {
                            None => UserFilter::Nobody,
                            Some(3) => UserFilter::Me,
                            Some(n) => UserFilter::Id(id(n)),
                        })
                        .collect(),
                    due_before: before.map(day),
                    due_after: after.map(day),
                    search: Search::new(
                        &words
                            .iter()
                            .map(|w| &WORDS[*w][..WORDS[*w].len().min(3)])
                            .collect::<Vec<_>>()
                            .join(" "),
                    ),
                    ordering: order
                        .into_iter()
                        .map(|(f, desc)| Sort {
                            field: <TaskField as crate::query::SortField>::ALL[f],
                            descending: desc,
                        })
                        .collect(),
                    page: PageRequest::new(page, size),
                    ..TaskQuery::default()
                };
                (query, me)
            },
        )
}

/// What the list must show: every live task that passes the query, sorted by the terms.
fn oracle(live: &BTreeMap<u8, IndexRow>, query: &TaskQuery, me: UserId) -> Selection {
    let user = |f: &UserFilter, value: Option<UserId>| match f {
        UserFilter::Id(u) => value == Some(*u),
        UserFilter::Me => value == Some(me),
        UserFilter::Nobody => value.is_none(),
    };
    let mut rows: Vec<&IndexRow> = live
        .values()
        .filter(|r| query.project.is_empty() || query.project.contains(&r.project))
        .filter(|r| query.status.is_empty() || query.status.contains(&r.status))
        .filter(|r| query.priority.is_empty() || query.priority.contains(&r.priority))
        .filter(|r| {
            query.assigned_to.is_empty() || query.assigned_to.iter().any(|f| user(f, r.assignee))
        })
        .filter(|r| {
            query
                .due_before
                .is_none_or(|b| r.due.is_some_and(|d| d <= b))
        })
        .filter(|r| {
            query
                .due_after
                .is_none_or(|a| r.due.is_some_and(|d| d >= a))
        })
        .filter(|r| {
            let (title, description) = (fold_case(&r.title), fold_case(&r.description));
            query
                .search
                .words()
                .iter()
                .all(|w| title.contains(w.as_str()) || description.contains(w.as_str()))
        })
        .collect();
    // One sort per term, last term first (stable), after the final tie-break by id.
    rows.sort_by_key(|r| r.id);
    for term in query.effective_ordering().iter().rev() {
        rows.sort_by(|a, b| {
            let order = match term.field {
                TaskField::DueDate => a.due.cmp(&b.due),
                TaskField::Priority => a.priority.cmp(&b.priority),
                TaskField::Status => a.status.cmp(&b.status),
                TaskField::Title => a.title.as_bytes().cmp(b.title.as_bytes()),
                TaskField::CreatedAt => a.created_at.cmp(&b.created_at),
                TaskField::UpdatedAt => a.updated_at.cmp(&b.updated_at),
            };
            let order = if term.descending {
                order.reverse()
            } else {
                order
            };
            // Undated tasks last whatever the direction.
            match term.field {
                TaskField::DueDate => a.due.is_none().cmp(&b.due.is_none()).then(order),
                _ => order,
            }
        });
    }
    let page = query.page;
    let page: Vec<&IndexRow> = rows
        .iter()
        .skip(usize::try_from(page.offset()).unwrap())
        .take(usize::try_from(page.page_size()).unwrap())
        .copied()
        .collect();
    Selection {
        count: rows.len() as u64,
        ids: page.iter().map(|r| r.id).collect(),
        rows: page.iter().map(|r| r.row).collect(),
        versions: page.iter().map(|r| r.changed).collect(),
    }
}

/// The page every way the index can cut it: walking kept orders testing the matches as they
/// are and as a dense set, and selecting among matches.
fn every_way(tenants: &[&Tenant], listing: &Listing<'_>) -> [Selection; 3] {
    let matches: Vec<RoaringBitmap> = tenants
        .iter()
        .map(|t| t.matching(&listing.filter))
        .collect();
    let count = matches.iter().map(RoaringBitmap::len).sum();
    let orders: Vec<&[u32]> = tenants
        .iter()
        .map(|t| t.order(&listing.ordering).expect("the order is kept"))
        .collect();
    let walk = |dense| walk(tenants, &orders, &matches, count, listing, dense).unwrap();
    let selected = select(tenants, &matches, count, listing);
    [
        selection(count, &walk(false)),
        selection(count, &walk(true)),
        selection(count, &selected),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_index_lists_what_filtering_and_sorting_every_task_lists(
        ops in proptest::collection::vec(op(), 0..60),
        // No more orderings than a tenant keeps.
        queries in proptest::collection::vec(query(), 1..=tenant::MAX_ORDERS),
        keep_early in any::<bool>(),
    ) {
        // Two organizations: tasks with an even number in one, odd in the other.
        let mut tenants = [Tenant::default(), Tenant::default()];
        let keep = |tenants: &mut [Tenant; 2]| {
            for (query, _) in &queries {
                for tenant in tenants.iter_mut() {
                    tenant.keep_order(query.effective_ordering());
                }
            }
        };
        // Orders kept before the changes are kept through each; those made after, sorted whole.
        if keep_early {
            keep(&mut tenants);
        }
        let mut live = BTreeMap::new();
        for op in ops {
            match op {
                Op::Put(n, row) => {
                    live.insert(n, row.clone());
                    tenants[usize::from(n % 2)].apply(row);
                }
                Op::Delete(n) => {
                    if let Some(row) = live.remove(&n) {
                        tenants[usize::from(n % 2)].apply(IndexRow { deleted: true, ..row });
                    }
                }
            }
        }
        keep(&mut tenants);
        prop_assert_eq!(tenants[0].live() + tenants[1].live(), live.len() as u64);
        for (query, me) in queries {
            let me: UserId = id(me);
            let expected = oracle(&live, &query, me);
            let listing = Listing::new(&query, me);
            let [walked, walked_dense, selected] = every_way(&[&tenants[0], &tenants[1]], &listing);
            prop_assert_eq!(&walked, &expected, "walked {:?}", query);
            prop_assert_eq!(&walked_dense, &expected, "walked, dense {:?}", query);
            prop_assert_eq!(&selected, &expected, "selected {:?}", query);
            prop_assert_eq!(choose(&[&tenants[0], &tenants[1]], &listing).unwrap(), expected);
        }
    }
}

#[test]
fn a_page_is_cut_from_the_ranked_items_without_sorting_the_rest() {
    let items: Vec<u32> = (0..100).rev().collect();
    assert_eq!(page_of(items.clone(), 0, 3, u32::cmp), [0, 1, 2]);
    assert_eq!(page_of(items.clone(), 97, 103, u32::cmp), [97, 98, 99]);
    assert_eq!(page_of(items.clone(), 40, 42, u32::cmp), [40, 41]);
    assert!(page_of(items, 100, 120, u32::cmp).is_empty());
}

#[test]
fn a_tenant_keeps_the_first_orderings_asked_and_answers_others_by_selection() {
    let mut tenant = Tenant::default();
    let mut live = BTreeMap::new();
    let runner = &mut proptest::test_runner::TestRunner::deterministic();
    for n in 0..30u8 {
        let row = IndexRow {
            id: id(n),
            ..row().new_tree(runner).unwrap().current()
        };
        live.insert(n, row.clone());
        tenant.apply(row);
    }
    let fields = <TaskField as crate::query::SortField>::ALL;
    let orderings: Vec<Vec<Sort<TaskField>>> = fields
        .iter()
        .map(|&field| {
            vec![Sort {
                field,
                descending: false,
            }]
        })
        .collect();
    assert!(orderings.len() > tenant::MAX_ORDERS);
    for ordering in &orderings {
        tenant.keep_order(ordering);
    }
    for (i, ordering) in orderings.iter().enumerate() {
        assert_eq!(tenant.order(ordering).is_some(), i < tenant::MAX_ORDERS);
        let query = TaskQuery {
            ordering: ordering.clone(),
            page: PageRequest::new(2, 7),
            ..TaskQuery::default()
        };
        let listing = Listing::new(&query, id(0));
        assert_eq!(
            choose(&[&tenant], &listing).unwrap(),
            oracle(&live, &query, id(0))
        );
    }
}

/// A tenant of `tasks` tasks made from one random row, each as `vary` changes it.
fn tenant_of(tasks: u32, vary: impl Fn(u32, IndexRow) -> IndexRow) -> Tenant {
    let runner = &mut proptest::test_runner::TestRunner::deterministic();
    let template = row().new_tree(runner).unwrap().current();
    let mut tenant = Tenant::default();
    for n in 0..tasks {
        let row = IndexRow {
            id: TaskId::from(Uuid::from_u128(u128::from(n) + 1)),
            ..template.clone()
        };
        tenant.apply(vary(n, row));
    }
    tenant
}

/// Under a budget, a list whose selection would pass it stops, for its caller to run it again
/// unbounded; a page that a kept order reaches at once does not stop.
#[test]
fn a_bounded_list_stops_before_a_large_selection() {
    let tasks = 60_000u32;
    let mut tenant = tenant_of(tasks, |_, row| row);
    let query = TaskQuery::default();
    let listing = Listing::new(&query, id(0));
    let whole = choose(&[&tenant], &listing).unwrap();
    assert_eq!(whole.count, u64::from(tasks));
    assert!(
        budget::bounded(|| choose(&[&tenant], &listing)).is_none(),
        "a selection among every task passes the budget"
    );
    tenant.keep_order(&listing.ordering);
    let walked = budget::bounded(|| choose(&[&tenant], &listing))
        .expect("a walk of one page stays within the budget")
        .unwrap();
    assert_eq!(walked, whole);
}

/// Under a budget, a walk stops once it has tested more slots than allowed, however few the
/// matches' density promised: here the filter is on the ordered field, so every match lies at
/// the far end of the order.
#[test]
fn a_bounded_walk_stops_where_the_matches_lie_far_from_its_end() {
    let mut tenant = tenant_of(60_000, |n, row| IndexRow {
        status: if n % 4 == 0 {
            Status::Done
        } else {
            Status::Todo
        },
        ..row
    });
    let query = TaskQuery {
        status: vec![Status::Done],
        ordering: vec![Sort {
            field: TaskField::Status,
            descending: false,
        }],
        ..TaskQuery::default()
    };
    let listing = Listing::new(&query, id(0));
    tenant.keep_order(&listing.ordering);
    let whole = choose(&[&tenant], &listing).unwrap();
    assert_eq!(whole.count, 15_000);
    assert!(budget::bounded(|| choose(&[&tenant], &listing)).is_none());
}

/// Under a budget, a search over a vocabulary larger than the allowance stops before it scans.
#[test]
fn a_bounded_search_stops_before_a_large_vocabulary() {
    let tenant = tenant_of(30_000, |n, row| IndexRow {
        title: format!("word{n}"),
        ..row
    });
    let query = TaskQuery {
        search: Search::new("word123"),
        ..TaskQuery::default()
    };
    let listing = Listing::new(&query, id(0));
    assert_eq!(choose(&[&tenant], &listing).unwrap().count, 111);
    assert!(budget::bounded(|| choose(&[&tenant], &listing)).is_none());
}
