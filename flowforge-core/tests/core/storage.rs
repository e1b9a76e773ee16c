//! A storage that cannot take writes: an SQLite database capped at its size (the test fixture
//! `limit_sqlite_pages`, which makes SQLite answer `SQLITE_FULL` exactly as on a full disk)
//! refuses writes with `Error::Unavailable`, keeps answering reads, is not ready until a write
//! can succeed again, and recovers without being reopened once room returns.

#[cfg(not(feature = "postgres"))]
#[test]
fn a_full_database_refuses_writes_as_unavailable_and_recovers_when_room_returns() {
    use flowforge_core::{Config, Database, Error, FlowForge, NewTask, TaskQuery};

    use crate::support::{SECRET, org, project, user};

    let dir = tempfile::tempdir().unwrap();
    let ff = FlowForge::open(
        &Database::File(dir.path().join("flowforge.db")),
        Config::new(SECRET),
    )
    .unwrap();
    let ada = user(&ff, "ada@example.com");
    let acme = org(&ff, &ada, "Acme");
    let site = project(&ff, &ada, &acme, "Site");
    let create = |n: usize| {
        let description = format!("{n} ").repeat(400);
        ff.create_task(
            &ada,
            &NewTask {
                description,
                ..NewTask::new(site.id, format!("Task {n}"))
            },
        )
    };
    ff.check_ready().expect("ready before the disk fills");

    ff.limit_sqlite_pages(Some(1));
    let mut created = 0;
    let refusal = loop {
        match create(created) {
            Ok(_) => created += 1,
            Err(e) => break e,
        }
        assert!(created < 1000, "the capped database never filled");
    };
    match &refusal {
        Error::Unavailable { retry_after, cause } => {
            assert_eq!(*retry_after, 30);
            assert!(cause.to_string().contains("full"), "{cause}");
        }
        other => panic!("expected unavailable, got {other:?}"),
    }
    assert_eq!(refusal.code(), "unavailable");
    // Nothing of the refused write was kept, reads still answer, and readiness says no.
    let listed = ff.list_tasks(&ada, &TaskQuery::default()).unwrap();
    assert_eq!(listed.count, created as u64);
    ff.ping().expect("reads still answer");
    assert!(matches!(ff.check_ready(), Err(Error::Unavailable { .. })));
    assert!(matches!(ff.check_ready(), Err(Error::Unavailable { .. })));

    // Room returns: ready again without any other write, and writes succeed.
    ff.limit_sqlite_pages(None);
    ff.check_ready().expect("ready once room returns");
    create(created).expect("a write succeeds again");
    let listed = ff.list_tasks(&ada, &TaskQuery::default()).unwrap();
    assert_eq!(listed.count, created as u64 + 1);
}

#[test]
fn a_writable_database_passes_the_start_check_on_every_backend() {
    let ff = crate::support::open();
    ff.check_writable().expect("a fresh database takes writes");
    ff.check_writable().expect("again");
    ff.check_ready().expect("ready");
}
