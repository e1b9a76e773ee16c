//! The demo seeder on the backend under test, with more tasks than one bulk statement holds.

use std::collections::HashSet;

use flowforge_core::{SeedPlan, TaskQuery};

use crate::support::open;

#[test]
fn every_seeded_task_is_listed_once_and_found_by_search() {
    let ff = open();
    let plan = SeedPlan {
        orgs: 1,
        projects_per_org: 2,
        tasks_per_project: 601,
        users_per_org: 3,
        ..SeedPlan::default()
    };
    let report = ff.admin().seed_demo(&plan, |_, _| {}).unwrap();
    assert_eq!(report.tasks, 1202);
    let owner = ff
        .admin()
        .find_user("owner0@org0.example")
        .unwrap()
        .unwrap();
    let actor = ff.admin().act_as(owner.id).unwrap();

    let mut tasks = Vec::new();
    for page in 1..=13 {
        let page = page.to_string();
        let query = TaskQuery::from_pairs([("page", page.as_str()), ("page_size", "100")]).unwrap();
        let found = ff.list_tasks(&actor, &query).unwrap();
        assert_eq!(found.count, 1202);
        tasks.extend(found.items);
    }
    let ids: HashSet<_> = tasks.iter().map(|t| t.id).collect();
    assert_eq!(ids.len(), 1202, "each task once");

    let word = report.search_word.unwrap();
    let expected = tasks
        .iter()
        .filter(|t| {
            format!("{} {}", t.title, t.description)
                .to_lowercase()
                .contains(&word)
        })
        .count();
    assert!(expected > 0);
    let query = TaskQuery::from_pairs([("search", word.as_str())]).unwrap();
    assert_eq!(
        ff.list_tasks(&actor, &query).unwrap().count,
        expected as u64
    );
}
