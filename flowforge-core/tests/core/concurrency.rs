//! Concurrent writers on one database file: no `SQLITE_BUSY` reaches a caller, and rules that
//! read before they write (the last owner) hold when requests race.

use std::sync::{Arc, Barrier};
use std::thread;

use flowforge_core::{Config, Database, Error, FlowForge, NewTask, PageRequest, Role, TaskQuery};

use crate::support::{SECRET, TestFf, add, org, project, user};

fn open_shared() -> Arc<TestFf> {
    Arc::new(crate::support::open_shared(Config::new(SECRET)))
}

#[test]
fn concurrent_writers_on_one_file_all_succeed() {
    let ff = open_shared();
    let owner = user(&ff, "owner@example.com");
    let org = org(&ff, &owner, "Acme");
    let project = project(&ff, &owner, &org, "Launch");
    let threads = 8;
    let per_thread = 25;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (ff, owner, barrier) = (Arc::clone(&ff), owner.clone(), Arc::clone(&barrier));
            thread::spawn(move || {
                barrier.wait();
                for i in 0..per_thread {
                    ff.create_task(&owner, &NewTask::new(project.id, format!("task {t}-{i}")))
                        .unwrap_or_else(|e| panic!("thread {t} write {i} failed: {e:?}"));
                    ff.list_tasks(&owner, &TaskQuery::default())
                        .expect("read while others write");
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("writer thread");
    }
    let query = TaskQuery {
        page: PageRequest::new(1, 1),
        ..TaskQuery::default()
    };
    assert_eq!(
        ff.list_tasks(&owner, &query).unwrap().count,
        (threads * per_thread) as u64
    );
}

#[test]
fn two_owners_leaving_at_once_leave_one_owner_behind() {
    let ff = open_shared();
    for round in 0..5 {
        let first = user(&ff, &format!("first{round}@example.com"));
        let second = user(&ff, &format!("second{round}@example.com"));
        let org = org(&ff, &first, &format!("Org {round}"));
        add(&ff, &first, &org, &second, Role::Owner);
        let barrier = Arc::new(Barrier::new(2));
        let handles: Vec<_> = [first, second]
            .into_iter()
            .map(|actor| {
                let (ff, barrier) = (Arc::clone(&ff), Arc::clone(&barrier));
                thread::spawn(move || {
                    barrier.wait();
                    ff.remove_member(&actor, org.id, actor.id())
                })
            })
            .collect();
        let results: Vec<_> = handles
            .into_iter()
            .map(|h| h.join().expect("leaving thread"))
            .collect();
        let left = results.iter().filter(|r| r.is_ok()).count();
        let refused = results
            .iter()
            .filter(|r| matches!(r, Err(Error::Conflict(_))))
            .count();
        assert_eq!((left, refused), (1, 1), "round {round}: {results:?}");
    }
}

#[test]
fn a_database_that_cannot_be_opened_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::File(dir.path().join("missing-dir").join("flowforge.db"));
    match FlowForge::open(&db, Config::new(SECRET)) {
        Err(Error::Validation(errors)) => {
            let message = &errors.get("database_url").expect("names the setting")[0];
            assert!(message.starts_with("Cannot open the database"), "{message}");
        }
        Err(other) => panic!("expected a validation error, got {other:?}"),
        Ok(_) => panic!("opened a database in a missing directory"),
    }
}
