//! The seeder against a direct scan of what it wrote, and an interrupted run resumed.

use super::*;
use crate::{Config, Database, FlowForge, TaskQuery};

#[test]
fn seeded_tasks_are_searched_as_a_direct_scan_of_the_table_finds_them() {
    let ff = FlowForge::open(&Database::Memory, Config::new("secret")).unwrap();
    let plan = SeedPlan {
        orgs: 2,
        projects_per_org: 2,
        tasks_per_project: 30,
        ..SeedPlan::default()
    };
    let report = ff.admin().seed_demo(&plan, |_, _| {}).unwrap();
    assert_eq!(report.tasks, 120);
    let owner = ff
        .admin()
        .find_user("owner0@org0.example")
        .unwrap()
        .unwrap();
    let actor = ff.admin().act_as(owner.id).unwrap();
    let word = report.search_word.unwrap();
    for text in [word.as_str(), "the", "zzz", "re"] {
        let query = TaskQuery::from_pairs([("search", text), ("page_size", "100")]).unwrap();
        let mut listed: Vec<String> = ff
            .list_tasks(&actor, &query)
            .unwrap()
            .items
            .into_iter()
            .map(|t| t.id.to_string())
            .collect();
        let mut scanned: Vec<String> = ff
            .store
            .read(|tx| {
                tx.rows(
                    "SELECT t.id FROM tasks t JOIN memberships m
                     ON m.organization_id = t.organization_id AND m.user_id = ?
                     WHERE t.deleted_at IS NULL
                     AND (instr(casefold(t.title), ?) > 0 OR instr(casefold(t.description), ?) > 0)",
                    crate::store::value::args![owner.id, text, text],
                    |r| r.get(0),
                )
            })
            .unwrap();
        listed.sort();
        scanned.sort();
        assert_eq!(listed, scanned, "search {text:?}");
    }
    let query = TaskQuery::from_pairs([("search", word.as_str())]).unwrap();
    assert!(
        ff.list_tasks(&actor, &query).unwrap().count > 0,
        "{word} is found"
    );
    // A task created after the load is listed too.
    let project = report.first_project.unwrap();
    ff.create_task(&actor, &crate::NewTask::new(project, "Tune the xylophone"))
        .unwrap();
    let query = TaskQuery::from_pairs([("search", "xylophone")]).unwrap();
    assert_eq!(ff.list_tasks(&actor, &query).unwrap().count, 1);
}

/// Every task id of the database, sorted.
fn task_ids(ff: &FlowForge) -> Vec<String> {
    let mut ids: Vec<String> = ff
        .store
        .read(|tx| tx.rows("SELECT id FROM tasks", &[], |r| r.get(0)))
        .unwrap();
    ids.sort();
    ids
}

#[test]
fn an_interrupted_run_is_refused_until_resumed_and_then_equals_an_uninterrupted_one() {
    let plan = SeedPlan {
        orgs: 2,
        projects_per_org: 2,
        tasks_per_project: 30,
        ..SeedPlan::default()
    };
    let whole = FlowForge::open(&Database::Memory, Config::new("secret")).unwrap();
    let expected = whole.admin().seed_demo(&plan, |_, _| {}).unwrap();

    // A run killed after its first batch of tasks (BATCH is 50 in these tests).
    let ff = FlowForge::open(&Database::Memory, Config::new("secret")).unwrap();
    let killed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        ff.admin().seed_demo(&plan, |done, _| {
            assert!(done < 50, "killed after {done} tasks");
        })
    }));
    assert!(killed.is_err(), "the run was interrupted");
    assert_eq!(task_ids(&ff).len(), 50);

    let again = ff.admin().seed_demo(&plan, |_, _| {}).unwrap_err();
    let message = again.to_string();
    assert!(matches!(again, Error::Conflict(_)), "{again:?}");
    assert!(
        message.contains("interrupted after 50 of 120 tasks") && message.contains("--resume"),
        "{message}"
    );
    let other_seed = SeedPlan {
        seed: 7,
        ..plan.clone()
    };
    let refused = ff.admin().resume_seed_demo(&other_seed, |_, _| {});
    assert!(
        matches!(&refused, Err(Error::Conflict(m)) if m.contains("--seed 42")),
        "{refused:?}"
    );
    let other_password = SeedPlan {
        password: "another-pass-2".into(),
        ..plan.clone()
    };
    let refused = ff.admin().resume_seed_demo(&other_password, |_, _| {});
    assert!(
        matches!(&refused, Err(Error::Validation(e)) if e.get("password").is_some()),
        "{refused:?}"
    );
    assert_eq!(task_ids(&ff).len(), 50, "a refusal writes nothing");

    let mut seen = Vec::new();
    let resumed = ff
        .admin()
        .resume_seed_demo(&plan, |done, total| seen.push((done, total)))
        .unwrap();
    assert_eq!(seen, [(100, 120), (120, 120)]);
    assert_eq!(resumed, expected);
    assert_eq!(task_ids(&ff), task_ids(&whole));

    // The run is over: nothing to resume, and the database is no longer empty.
    let nothing = ff.admin().resume_seed_demo(&plan, |_, _| {});
    assert!(
        matches!(&nothing, Err(Error::Conflict(m)) if m.contains("nothing to resume")),
        "{nothing:?}"
    );
    let full = ff.admin().seed_demo(&plan, |_, _| {}).unwrap_err();
    assert!(full.to_string().contains("already has users"), "{full}");
}
