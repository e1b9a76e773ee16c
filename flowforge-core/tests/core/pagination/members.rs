//! Member pages: random organizations of up to six people with random roles and joining times,
//! a random role filter, search and ordering.

use std::cmp::Ordering;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering as Atomic};

use flowforge_core::{
    Actor, MemberField, MemberQuery, Membership, NewMembership, PageRequest, Role, Search, Sort,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseResult;

use super::{config, search_matches, subset, walk};
use crate::support::{named_user, open, org};

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
fn people() -> &'static (crate::support::TestFf, Vec<Actor>) {
    static PEOPLE_DB: OnceLock<(crate::support::TestFf, Vec<Actor>)> = OnceLock::new();
    PEOPLE_DB.get_or_init(|| {
        let ff = open();
        let actors = PEOPLE
            .iter()
            .map(|(email, name)| named_user(&ff, email, name))
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
            search.is_none_or(|text| search_matches(text, [&m.user.email, &m.user.full_name]))
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
