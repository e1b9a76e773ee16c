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

#[test]
fn a_run_interrupted_before_its_end_is_refused_a_rerun_and_resumed() {
    let ff = open();
    let plan = SeedPlan {
        orgs: 1,
        projects_per_org: 1,
        tasks_per_project: 7,
        users_per_org: 2,
        ..SeedPlan::default()
    };
    // Killed when its last batch was written, before the run could end.
    let killed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        ff.admin()
            .seed_demo(&plan, |_, _| panic!("killed by the test"))
    }));
    assert!(killed.is_err());
    let refused = ff.admin().seed_demo(&plan, |_, _| {}).unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("interrupted after 7 of 7 tasks"),
        "{refused}"
    );
    let report = ff.admin().resume_seed_demo(&plan, |_, _| {}).unwrap();
    assert_eq!(report.tasks, 7);
    assert_eq!(report.first_tasks.len(), 5);
    let again = ff.admin().resume_seed_demo(&plan, |_, _| {}).unwrap_err();
    assert!(again.to_string().contains("nothing to resume"), "{again}");
}
