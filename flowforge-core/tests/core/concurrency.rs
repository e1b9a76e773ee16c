//! Concurrent writers on one database file: no `SQLITE_BUSY` reaches a caller, and rules that
//! read before they write (the last owner) hold when requests race.

use std::sync::{Arc, Barrier};
use std::thread;

use flowforge_core::{Config, Error, NewTask, PageRequest, PasswordChange, Role, TaskQuery};

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

/// Runs `f(i)` for `i` in `0..n` on `n` threads released together; returns the results in order.
fn race<T: Send + 'static>(n: usize, f: impl Fn(usize) -> T + Send + Sync + 'static) -> Vec<T> {
    let barrier = Arc::new(Barrier::new(n));
    let f = Arc::new(f);
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let (barrier, f) = (Arc::clone(&barrier), Arc::clone(&f));
            thread::spawn(move || {
                barrier.wait();
                f(i)
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().expect("racing thread"))
        .collect()
}

#[test]
fn a_refresh_token_used_by_several_requests_at_once_is_exchanged_once() {
    let ff = open_shared();
    let ada = user(&ff, "ada@example.com");
    for round in 0..5 {
        let pair = ff
            .login(&ada.user().email, crate::support::PASSWORD)
            .expect("log in");
        let ff2 = Arc::clone(&ff);
        let results = race(4, move |_| ff2.refresh(&pair.refresh));
        let exchanged = results.iter().filter(|r| r.is_ok()).count();
        let refused = results
            .iter()
            .filter(|r| matches!(r, Err(Error::Unauthenticated(_))))
            .count();
        assert_eq!((exchanged, refused), (1, 3), "round {round}: {results:?}");
    }
}

#[test]
fn the_same_user_added_by_two_admins_at_once_becomes_a_member_once() {
    let ff = open_shared();
    let owner = user(&ff, "owner@example.com");
    let admin = user(&ff, "admin@example.com");
    let org = org(&ff, &owner, "Acme");
    add(&ff, &owner, &org, &admin, Role::Admin);
    for round in 0..5 {
        let newcomer = user(&ff, &format!("new{round}@example.com"));
        let (ff2, actors) = (Arc::clone(&ff), [owner.clone(), admin.clone()]);
        let email = newcomer.user().email.clone();
        let results = race(2, move |i| {
            let membership = flowforge_core::NewMembership {
                email: email.clone(),
                role: Role::Member,
            };
            ff2.add_member(&actors[i], org.id, &membership)
        });
        let added = results.iter().filter(|r| r.is_ok()).count();
        let conflicts = results
            .iter()
            .filter(|r| matches!(r, Err(Error::Conflict(_))))
            .count();
        assert_eq!((added, conflicts), (1, 1), "round {round}: {results:?}");
    }
}

#[test]
fn a_throttle_admits_exactly_its_limit_under_concurrent_checks() {
    let ff = open_shared();
    let rate: flowforge_core::throttle::Rate = "40/minute".parse().unwrap();
    let throttle = Arc::new(ff.throttle("test", rate));
    let key = flowforge_core::throttle::ThrottleKey::User("someone".into());
    let admitted: usize = race(8, move |_| {
        (0..10)
            .filter(|_| throttle.check(&key).expect("check").is_allowed())
            .count()
    })
    .into_iter()
    .sum();
    assert_eq!(admitted, 40);
}

/// Two handles on one PostgreSQL database, as two servers would hold: one limit between them,
/// and each sees the other's writes at once.
#[cfg(feature = "postgres")]
#[test]
fn two_handles_on_one_postgres_database_share_limits_and_writes() {
    use flowforge_core::throttle::{Rate, ThrottleKey};

    let schema = flowforge_core::ScratchSchema::for_tests().unwrap_or_else(|e| panic!("{e}"));
    let first = flowforge_core::FlowForge::open(schema.database(), Config::new(SECRET)).unwrap();
    let second = flowforge_core::FlowForge::open(schema.database(), Config::new(SECRET)).unwrap();

    let rate: Rate = "3/minute".parse().unwrap();
    let (a, b) = (first.throttle("anon", rate), second.throttle("anon", rate));
    let key = ThrottleKey::Address([192, 0, 2, 1].into());
    let answers: Vec<bool> = [&a, &b, &a, &b]
        .iter()
        .map(|t| t.check(&key).unwrap().is_allowed())
        .collect();
    assert_eq!(answers, [true, true, true, false]);
    let other = ThrottleKey::Address([192, 0, 2, 2].into());
    assert!(b.check(&other).unwrap().is_allowed(), "keys count apart");

    let owner = user(&first, "owner@example.com");
    let org = org(&first, &owner, "Acme");
    let project = project(&first, &owner, &org, "Launch");
    let on_second = second.admin().act_as(owner.id()).unwrap();
    let task = second
        .create_task(
            &on_second,
            &NewTask::new(project.id, "Written by the second"),
        )
        .unwrap();
    assert_eq!(first.get_task(&owner, task.id).unwrap().title, task.title);
    first.delete_task(&owner, task.id).unwrap();
    assert!(matches!(
        second.get_task(&on_second, task.id),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn a_throttle_counts_keys_of_any_text() {
    let ff = open_shared();
    let rate: flowforge_core::throttle::Rate = "1/minute".parse().unwrap();
    let throttle = ff.throttle("login", rate);
    let address = [192, 0, 2, 9].into();
    let long = format!("{}@example.com", "é".repeat(3_000));
    for email in ["nul\0byte@example.com", long.as_str()] {
        let key = flowforge_core::throttle::ThrottleKey::login(address, email);
        assert!(throttle.check(&key).expect("a first check").is_allowed());
        assert!(!throttle.check(&key).expect("a second check").is_allowed());
    }
}

#[test]
fn many_writers_updating_the_same_tasks_all_succeed() {
    let ff = open_shared();
    let owner = user(&ff, "owner@example.com");
    let org = org(&ff, &owner, "Acme");
    let project = project(&ff, &owner, &org, "Launch");
    let tasks: Vec<_> = (0..2)
        .map(|i| {
            ff.create_task(&owner, &NewTask::new(project.id, format!("task {i}")))
                .unwrap()
                .id
        })
        .collect();
    let ff2 = Arc::clone(&ff);
    let failures: Vec<String> = race(8, move |t| {
        let mut failures = Vec::new();
        for i in 0..15 {
            let patch = flowforge_core::TaskPatch {
                title: Some(format!("writer {t} edit {i}")),
                ..Default::default()
            };
            if let Err(e) = ff2.update_task(&owner, tasks[i % 2], &patch) {
                failures.push(format!("writer {t} edit {i}: {e:?}"));
            }
        }
        failures
    })
    .into_iter()
    .flatten()
    .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn two_password_changes_at_once_leave_exactly_one_new_password() {
    let ff = open_shared();
    let ada = user(&ff, "ada@example.com");
    let new_password = |i: usize| format!("brand-new-secret-{i}");
    let (ff2, actor) = (Arc::clone(&ff), ada.clone());
    let results = race(2, move |i| {
        let change = PasswordChange {
            current_password: crate::support::PASSWORD.into(),
            new_password: new_password(i),
        };
        ff2.change_password(&actor, &change)
    });
    let winners: Vec<usize> = (0..2).filter(|&i| results[i].is_ok()).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    let loser = 1 - winners[0];
    // The loser either saw the password change under it, or read the new one and failed to
    // verify: nothing of its change is kept either way.
    assert!(
        matches!(
            &results[loser],
            Err(Error::Conflict(_)) | Err(Error::Validation(_))
        ),
        "{results:?}"
    );
    assert!(
        ff.login("ada@example.com", &new_password(winners[0]))
            .is_ok()
    );
    assert!(ff.login("ada@example.com", &new_password(loser)).is_err());
    assert!(
        ff.login("ada@example.com", crate::support::PASSWORD)
            .is_err()
    );
}
