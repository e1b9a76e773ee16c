//! Tests of the SQL itself: which statements a list runs, and how SQLite plans them.

use std::cell::RefCell;

use rusqlite::trace::{TraceEvent, TraceEventCodes};

use crate::query::PageRequest;
use crate::{
    Actor, CommentQuery, Config, Database, FlowForge, NewComment, NewMembership, NewOrg,
    NewProject, NewTask, NewUser, Org, ProjectQuery, Role, TaskQuery,
};

thread_local! {
    static STATEMENTS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Records each statement once, as it finishes, with its bound values expanded.
fn record(event: TraceEvent<'_>) {
    if let TraceEvent::Profile(stmt, _) = event {
        let sql = stmt
            .expanded_sql()
            .unwrap_or_else(|| stmt.sql().into_owned());
        STATEMENTS.with(|s| s.borrow_mut().push(sql));
    }
}

/// Runs `f` and returns the statements it ran on this thread, with bound values expanded.
fn traced<T>(ff: &FlowForge, f: impl FnOnce() -> T) -> (T, Vec<String>) {
    ff.store
        .with_conn(|c| c.trace_v2(TraceEventCodes::SQLITE_TRACE_PROFILE, Some(record)))
        .unwrap();
    STATEMENTS.with(|s| s.borrow_mut().clear());
    let out = f();
    ff.store
        .with_conn(|c| c.trace_v2(TraceEventCodes::empty(), None))
        .unwrap();
    (out, STATEMENTS.with(|s| s.borrow_mut().drain(..).collect()))
}

fn user(ff: &FlowForge, email: &str) -> Actor {
    let password = "flowforge-pass-1".to_owned();
    let user = ff
        .register(&NewUser {
            email: email.into(),
            password,
            full_name: String::new(),
        })
        .unwrap();
    ff.admin().act_as(user.id).unwrap()
}

fn organization(ff: &FlowForge, owner: &Actor, name: &str) -> Org {
    let new = NewOrg {
        name: name.into(),
        slug: None,
    };
    ff.create_organization(owner, &new).unwrap()
}

/// An organization with a project of `tasks` tasks, all assigned to a second member.
fn seeded(tasks: usize) -> (FlowForge, Actor) {
    seeded_in(&Database::Memory, tasks)
}

/// As [`seeded`], in `database`.
fn seeded_in(database: &Database, tasks: usize) -> (FlowForge, Actor) {
    let ff = FlowForge::open(database, Config::new("secret")).unwrap();
    let owner = user(&ff, "owner@example.com");
    let member = user(&ff, "member@example.com");
    let org = organization(&ff, &owner, "Acme");
    ff.add_member(
        &owner,
        org.id,
        &NewMembership {
            email: "member@example.com".into(),
            role: Role::Member,
        },
    )
    .unwrap();
    let project = ff
        .create_project(&owner, &NewProject::new(org.id, "Launch"))
        .unwrap();
    for i in 0..tasks {
        let task = NewTask {
            assigned_to: Some(member.id()),
            ..NewTask::new(project.id, format!("Task number {i}"))
        };
        ff.create_task(&owner, &task).unwrap();
    }
    (ff, owner)
}

#[test]
fn listing_a_hundred_tasks_with_assignees_runs_no_more_statements_than_listing_one() {
    let (ff, owner) = seeded(100);
    let list = |size| {
        let query = TaskQuery {
            page: PageRequest::new(1, size),
            ..TaskQuery::default()
        };
        // Every task read from the table, none taken from the tasks lists last read.
        ff.recent.clear();
        traced(&ff, || ff.list_tasks(&owner, &query).unwrap())
    };
    // The first list of an organization loads its task index; count the lists after it.
    list(1);
    let (one, one_sql) = list(1);
    let (hundred, hundred_sql) = list(100);
    assert_eq!(one.items.len(), 1);
    assert_eq!(hundred.items.len(), 100);
    assert!(hundred.items.iter().all(|t| {
        t.assigned_to
            .as_ref()
            .is_some_and(|a| a.email == "member@example.com")
    }));
    assert!(!one_sql.is_empty());
    assert_eq!(
        one_sql.len(),
        hundred_sql.len(),
        "1 task: {one_sql:#?}\n100 tasks: {hundred_sql:#?}"
    );
}

/// A task of the first organization of `owner` (of [`seeded`]) with `count` comments, each by
/// the owner or the member in turn.
fn commented(ff: &FlowForge, owner: &Actor, count: usize) -> crate::TaskId {
    let task = ff.list_tasks(owner, &TaskQuery::default()).unwrap().items[0].id;
    let member = ff.admin().find_user("member@example.com").unwrap().unwrap();
    let member = ff.admin().act_as(member.id).unwrap();
    for i in 0..count {
        let author = if i % 2 == 0 { owner } else { &member };
        let body = format!("Comment {i} for @owner@example.com and @member@example.com");
        ff.create_comment(author, task, &NewComment::new(body))
            .unwrap();
    }
    task
}

#[test]
fn listing_a_hundred_comments_with_authors_runs_no_more_statements_than_listing_one() {
    let (ff, owner) = seeded(1);
    let task = commented(&ff, &owner, 100);
    let list = |size| {
        let query = CommentQuery {
            page: PageRequest::new(1, size),
            ..CommentQuery::default()
        };
        traced(&ff, || ff.list_comments(&owner, task, &query).unwrap())
    };
    let (one, one_sql) = list(1);
    let (hundred, hundred_sql) = list(100);
    assert_eq!(one.items.len(), 1);
    assert_eq!(hundred.items.len(), 100);
    assert!(
        hundred
            .items
            .iter()
            .all(|c| c.author.email.ends_with("@example.com"))
    );
    assert!(hundred.items.iter().all(|c| c.mentions.len() == 2));
    assert!(!one_sql.is_empty());
    assert_eq!(
        one_sql.len(),
        hundred_sql.len(),
        "1 comment: {one_sql:#?}\n100 comments: {hundred_sql:#?}"
    );
}

#[test]
fn a_tasks_comments_are_read_through_their_index_in_either_order() {
    let (ff, owner) = seeded(3);
    let task = commented(&ff, &owner, 30);
    let mut checked = 0;
    for ordering in ["created_at", "-created_at"] {
        let query = CommentQuery::from_pairs([("ordering", ordering)]).unwrap();
        let (_, statements) = traced(&ff, || ff.list_comments(&owner, task, &query).unwrap());
        for (sql, steps) in plans(&ff, &statements) {
            if !sql.contains("comments") {
                continue;
            }
            checked += 1;
            assert!(
                steps.iter().any(|s| s.contains("comments_task_created")),
                "{sql}\nnot through the index: {steps:#?}"
            );
            assert!(
                !steps
                    .iter()
                    .any(|s| s == "SCAN c" || s.starts_with("SCAN c ") && !s.contains("INDEX")),
                "{sql}\nscans the comments: {steps:#?}"
            );
        }
    }
    assert_eq!(checked, 4, "a count and a page for each ordering");
}

#[test]
fn a_task_history_follows_its_links_and_walks_no_other_event() {
    let (ff, owner) = seeded(30);
    let task = commented(&ff, &owner, 25);
    for title in ["Renamed", "Renamed again"] {
        let patch = crate::TaskPatch {
            title: Some(title.into()),
            ..crate::TaskPatch::default()
        };
        ff.update_task(&owner, task, &patch).unwrap();
    }
    let mut seen = Vec::new();
    let mut statements = Vec::new();
    for n in 1..=3 {
        let (page, sql) = traced(&ff, || {
            ff.task_activity(&owner, task, PageRequest::new(n, 10))
                .unwrap()
        });
        assert_eq!(page.count, 28, "created, 25 comments, 2 updates");
        seen.extend(page.items);
        statements.extend(sql);
    }
    let kinds: Vec<&str> = seen.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds.len(), 28);
    assert_eq!(
        kinds[..3],
        ["task.updated", "task.updated", "comment.created"]
    );
    assert_eq!(kinds[27], "task.created");
    assert!(seen.iter().all(|e| e.task == Some(task)));
    assert!(seen.windows(2).all(|w| w[0].sequence > w[1].sequence));
    let mut checked = 0;
    for (sql, steps) in plans(&ff, &statements) {
        if !sql.contains("events") {
            continue;
        }
        checked += 1;
        // Each event is read by its id, from the task row's link on: no walk of the log.
        let on_events = |s: &&String| s.split(' ').nth(1).is_some_and(|t| t == "e" || t == "p");
        assert!(
            steps
                .iter()
                .filter(on_events)
                .all(|s| s.ends_with("USING INTEGER PRIMARY KEY (rowid=?)")),
            "{sql}\nwalks the log: {steps:#?}"
        );
    }
    assert_eq!(checked, 6, "a count and a page for each of three pages");
}

/// The plan of each SELECT a list ran, one line per plan step.
fn plans(ff: &FlowForge, statements: &[String]) -> Vec<(String, Vec<String>)> {
    statements
        .iter()
        .filter(|sql| sql.trim_start().starts_with("SELECT"))
        .map(|sql| {
            let steps = ff
                .store
                .with_conn(|c| {
                    let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
                    stmt.query_map([], |r| r.get::<_, String>(3))
                        .unwrap()
                        .collect::<Result<Vec<_>, _>>()
                        .unwrap()
                })
                .unwrap();
            (sql.clone(), steps)
        })
        .collect()
}

#[test]
fn no_main_list_query_scans_the_tasks_or_projects_table_without_an_index() {
    let (ff, owner) = seeded(30);
    let me = owner.id().to_string();
    let queries: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("status", "todo,done")],
        vec![("assigned_to", "me")],
        vec![("assigned_to", &me), ("status", "todo")],
        vec![("created_by", "me")],
        vec![("search", "number 7")],
        vec![("search", "ta")],
        vec![("ordering", "-priority,title")],
        vec![("ordering", "created_at"), ("due_after", "2026-01-01")],
    ];
    let mut checked = 0;
    for pairs in queries {
        let query = TaskQuery::from_pairs(pairs.iter().copied()).unwrap();
        let (_, statements) = traced(&ff, || ff.list_tasks(&owner, &query).unwrap());
        let (_, project_statements) = traced(&ff, || {
            ff.list_projects(&owner, &ProjectQuery::default()).unwrap()
        });
        for (sql, steps) in plans(&ff, &[statements, project_statements].concat()) {
            checked += 1;
            for step in &steps {
                let full_scan = ["SCAN t", "SCAN tasks", "SCAN p", "SCAN projects"]
                    .iter()
                    .any(|table| {
                        step == table
                            || step.starts_with(&format!("{table} ")) && !step.contains("INDEX")
                    });
                assert!(!full_scan, "{sql}\nscans without an index: {steps:#?}");
            }
        }
    }
    assert!(checked >= 18, "only {checked} statements were planned");
}

/// The SQLite VM steps of the SELECTs among `statements`, run again.
fn vm_steps(ff: &FlowForge, statements: &[String]) -> i32 {
    statements
        .iter()
        .filter(|sql| sql.trim_start().starts_with("SELECT"))
        .map(|sql| {
            ff.store
                .with_conn(|c| {
                    let mut stmt = c.prepare(sql).unwrap();
                    let mut rows = stmt.raw_query();
                    while rows.next().unwrap().is_some() {}
                    drop(rows);
                    stmt.get_status(rusqlite::StatementStatus::VmStep)
                })
                .unwrap()
        })
        .sum()
}

/// The organization list reads each organization's stored member count: it takes as many VM
/// steps for an organization of 300 members as for one of 1 (counting them took a step or more
/// per member of every organization listed).
#[test]
fn the_organization_list_does_not_count_members() {
    let (ff, small) = seeded(0);
    let big = user(&ff, "big@example.com");
    let org = organization(&ff, &big, "Big");
    ff.store
        .with_conn(|c| {
            for n in 0..300 {
                let id = uuid::Uuid::now_v7().to_string();
                c.execute(
                    "INSERT INTO users (id, email, password_hash, created_at)
                     VALUES (?1, ?2, 'x', '2026-01-01T00:00:00.000Z')",
                    (&id, format!("m{n}@example.com")),
                )?;
                c.execute(
                    "INSERT INTO memberships (organization_id, user_id, role, joined_at)
                     VALUES (?1, ?2, 0, '2026-01-01T00:00:00.000Z')",
                    (org.id.to_string(), &id),
                )?;
            }
            Ok::<_, rusqlite::Error>(())
        })
        .unwrap()
        .unwrap();
    let list = |actor: &Actor| {
        let (page, statements) = traced(&ff, || {
            ff.list_organizations(actor, &crate::OrgQuery::default())
                .unwrap()
        });
        (page.items[0].member_count, vm_steps(&ff, &statements))
    };
    let (small_members, small_steps) = list(&small);
    let (big_members, big_steps) = list(&big);
    assert_eq!((small_members, big_members), (2, 301));
    assert_eq!(small_steps, big_steps);
}

/// A page's tasks are read by their rowids, which the index keeps: one B-tree descent each,
/// where the id took two (its index, then the table).
#[test]
fn a_page_of_tasks_is_read_by_rowid() {
    let (ff, owner) = seeded(30);
    let (page, statements) = traced(&ff, || {
        ff.list_tasks(&owner, &TaskQuery::default()).unwrap()
    });
    assert_eq!(page.items.len(), 20);
    let reads: Vec<_> = plans(&ff, &statements)
        .into_iter()
        .filter(|(sql, _)| sql.contains("t.seq IN"))
        .collect();
    assert_eq!(reads.len(), 1, "{statements:#?}");
    let (sql, steps) = &reads[0];
    assert!(
        steps
            .iter()
            .any(|s| s == "SEARCH t USING INTEGER PRIMARY KEY (rowid=?)"),
        "{sql}\n{steps:#?}"
    );
    assert!(!statements.iter().any(|s| s.contains("t.id IN")));
}

/// A page read by rowid shows only the tasks the index chose: were a rowid the index holds to
/// name another organization's task (nothing FlowForge does moves one without a reload), that
/// task is left out, not shown.
#[test]
fn a_rowid_naming_another_organizations_task_shows_nothing_of_it() {
    let (ff, owner) = seeded(3);
    let stranger = user(&ff, "stranger@example.com");
    let theirs = organization(&ff, &stranger, "Theirs");
    let project = ff
        .create_project(&stranger, &NewProject::new(theirs.id, "Secret"))
        .unwrap();
    let secret = ff
        .create_task(&stranger, &NewTask::new(project.id, "Their task"))
        .unwrap();
    let before = ff.list_tasks(&owner, &TaskQuery::default()).unwrap();
    let mine = before.items[0].id;
    // Behind the index's back (no new version): the secret task takes the rowid of one of mine.
    ff.store
        .with_conn(|c| {
            let seq: i64 = c.query_row(
                "SELECT seq FROM tasks WHERE id = ?",
                [mine.to_string()],
                |r| r.get(0),
            )?;
            c.execute(
                "UPDATE tasks SET seq = seq + 1000000 WHERE id = ?",
                [mine.to_string()],
            )?;
            c.execute(
                "UPDATE tasks SET seq = ?1 WHERE id = ?2",
                (seq, secret.id.to_string()),
            )
        })
        .unwrap()
        .unwrap();
    // The page is read from the table, not taken from the tasks lists last read.
    ff.recent.clear();
    let after = ff.list_tasks(&owner, &TaskQuery::default()).unwrap();
    assert!(
        after
            .items
            .iter()
            .all(|t| t.id != secret.id && t.organization != theirs.id)
    );
    assert_eq!(
        after.items.len(),
        before.items.len() - 1,
        "the moved task is left out"
    );
}

/// A task whose rowid does not fit the index's 32 bits is listed all the same, its page read
/// by id.
#[test]
fn a_task_with_a_rowid_past_32_bits_is_listed_by_id() {
    let (ff, owner) = seeded(3);
    let before = ff.list_tasks(&owner, &TaskQuery::default()).unwrap();
    let moved = before.items[1].id;
    ff.store
        .with_conn(|c| {
            c.execute(
                "UPDATE tasks SET seq = 5000000000 WHERE id = ?",
                [moved.to_string()],
            )?;
            // A new generation: the index is loaded again, and reads the new rowid.
            c.execute("UPDATE task_versions SET generation = generation + 1", [])
        })
        .unwrap()
        .unwrap();
    ff.recent.clear();
    let (after, statements) = traced(&ff, || {
        ff.list_tasks(&owner, &TaskQuery::default()).unwrap()
    });
    assert_eq!(after.items, before.items);
    assert!(
        statements.iter().any(|s| s.contains("t.id IN")),
        "{statements:#?}"
    );
    assert!(!statements.iter().any(|s| s.contains("t.seq IN")));
}

#[test]
fn twelve_hundred_distinct_search_words_stay_under_the_expression_depth_limit() {
    let (ff, owner) = seeded(1);
    // 1,200 three-letter words, none a substring of another, so none is dropped as implied;
    // joined one after another they would nest 1,200 deep, past SQLite's limit of 1,000.
    let words: Vec<String> = (0..1200u32)
        .map(|n| {
            let letter = |k: u32| char::from(b'a' + u8::try_from(k % 26).unwrap());
            [letter(n / 676), letter(n / 26), letter(n)]
                .iter()
                .collect()
        })
        .collect();
    let query = ProjectQuery {
        search: crate::Search::new(&words.join(" ")),
        ..ProjectQuery::default()
    };
    assert_eq!(query.search.words().len(), 1200);
    let page = ff
        .list_projects(&owner, &query)
        .expect("a long search is still a search");
    assert_eq!(page.count, 0);
}

#[test]
fn a_deleted_organization_leaves_the_task_index() {
    let (ff, owner) = seeded(3);
    assert_eq!(
        ff.list_tasks(&owner, &TaskQuery::default()).unwrap().count,
        3
    );
    assert_eq!(ff.tasks.len(), 1);
    let org = ff
        .list_organizations(&owner, &Default::default())
        .unwrap()
        .items[0]
        .id;
    ff.delete_organization(&owner, org).unwrap();
    assert_eq!(ff.tasks.len(), 0);
    assert_eq!(
        ff.list_tasks(&owner, &TaskQuery::default()).unwrap().count,
        0
    );
}

#[test]
fn writes_reach_the_database_file_through_the_checkpointer_not_the_writers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flowforge.db");
    let ff = FlowForge::open(&Database::File(path.clone()), Config::new("secret")).unwrap();
    let autocheckpoint = ff
        .store
        .with_conn(|c| c.pragma_query_value(None, "wal_autocheckpoint", |r| r.get::<_, i64>(0)))
        .unwrap()
        .unwrap();
    assert_eq!(
        autocheckpoint, 0,
        "a pooled connection checkpoints in its commits"
    );
    // Closed, the migrated database is all in the file.
    drop(ff);
    let before = std::fs::metadata(&path).unwrap().len();
    // Only the checkpointer copies the WAL of these writes into the file while the pool is open.
    let (_ff, _owner) = seeded_in(&Database::File(path.clone()), 200);
    let grew = (0..200).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        std::fs::metadata(&path).unwrap().len() > before
    });
    assert!(grew, "the database file stayed at {before} bytes");
}

/// A bounded list (what a server runs on the thread that took the request) stops short of
/// the work such a thread must not do, loading an organization's index, sorting it for a new
/// order or catching it up by many writes, and changes nothing doing so: the list run after it
/// unbounded catches the index up rather than loading it whole. Within its budget it gives the
/// unbounded answer.
#[test]
fn a_bounded_list_stops_short_of_loading_or_long_catch_ups() {
    let dir = tempfile::tempdir().unwrap();
    let (ff, owner) = seeded_in(&Database::File(dir.path().join("bounded.db")), 2_000);
    let bounded = |query: &TaskQuery| {
        let held = ff.hold_reader().unwrap();
        held.bounded(|| ff.list_tasks(&owner, query))
    };
    let by_title = TaskQuery::from_pairs([("ordering", "title")]).unwrap();
    let query = TaskQuery::default();
    let bounded_default = || bounded(&query);
    assert!(
        bounded_default().is_none(),
        "the first list loads 2,000 tasks"
    );
    let whole = ff.list_tasks(&owner, &query).unwrap();
    assert_eq!(whole.count, 2_000);
    assert!(
        bounded(&by_title).is_none(),
        "a new order sorts 2,000 tasks"
    );
    let titled = ff.list_tasks(&owner, &by_title).unwrap();
    let listed = bounded(&by_title).expect("a kept order").unwrap();
    assert_eq!(ids(&listed.items), ids(&titled.items));
    let bounded = bounded_default;
    let listed = bounded().expect("a loaded index").unwrap();
    assert_eq!(listed.count, whole.count);
    assert_eq!(ids(&listed.items), ids(&whole.items));

    let project = whole.items[0].project;
    for i in 0..40 {
        ff.create_task(&owner, &NewTask::new(project, format!("Later {i}")))
            .unwrap();
    }
    assert!(bounded().is_none(), "40 writes to catch up");
    let (caught_up, statements) = traced(&ff, || ff.list_tasks(&owner, &query).unwrap());
    assert_eq!(caught_up.count, 2_040);
    assert!(
        statements.iter().any(|s| s.contains("change_seq >"))
            && !statements
                .iter()
                .any(|s| s.contains("WHERE organization_id =")
                    && s.contains("AND deleted_at IS NULL")),
        "{statements:#?}"
    );
    let listed = bounded().expect("a current index").unwrap();
    assert_eq!(ids(&listed.items), ids(&caught_up.items));

    // One write that changes 2,000 tasks (the member they are assigned to leaves): the
    // bounded catch-up is stopped while it reads them and leaves the index as it was.
    let org = whole.items[0].organization;
    let member = whole.items[0].assigned_to.as_ref().unwrap().id;
    ff.remove_member(&owner, org, member).unwrap();
    assert!(bounded().is_none(), "2,000 changed rows to read");
    let (after, statements) = traced(&ff, || ff.list_tasks(&owner, &query).unwrap());
    assert!(after.items.iter().all(|t| t.assigned_to.is_none()));
    assert!(
        !statements
            .iter()
            .any(|s| s.contains("WHERE organization_id =") && s.contains("AND deleted_at IS NULL")),
        "caught up, not loaded whole: {statements:#?}"
    );
}

fn ids(tasks: &[crate::Task]) -> Vec<crate::ids::TaskId> {
    tasks.iter().map(|t| t.id).collect()
}

/// A list read again takes its unchanged tasks from the ones lists last read, reading from the
/// table only the task that changed since, and the assignees' names afresh.
#[test]
fn a_page_read_again_reads_only_what_changed() {
    let (ff, owner) = seeded(30);
    let query = TaskQuery::default();
    let first = ff.list_tasks(&owner, &query).unwrap();
    let changed = first.items[3].id;
    ff.update_task(
        &owner,
        changed,
        &crate::TaskPatch {
            title: Some("Renamed".into()),
            ..crate::TaskPatch::default()
        },
    )
    .unwrap();
    let member = ff
        .admin()
        .act_as(first.items[0].assigned_to.as_ref().unwrap().id)
        .unwrap();
    let patch = crate::UserPatch {
        full_name: Some("New Name".into()),
    };
    ff.update_me(&member, &patch).unwrap();
    let (again, statements) = traced(&ff, || ff.list_tasks(&owner, &query).unwrap());
    let reads: Vec<&String> = statements
        .iter()
        .filter(|s| s.contains("FROM tasks t"))
        .collect();
    assert_eq!(reads.len(), 1, "{statements:#?}");
    let keys = reads[0].split("t.seq IN (").nth(1).unwrap();
    let keys = &keys[..keys.find(')').unwrap()];
    assert!(keys.parse::<i64>().is_ok(), "one task: {}", reads[0]);
    let users = statements.iter().filter(|s| s.contains("FROM users"));
    assert_eq!(users.count(), 1, "the assignees, once: {statements:#?}");
    assert_eq!(again.items[3].title, "Renamed");
    assert!(
        again
            .items
            .iter()
            .all(|t| t.assigned_to.as_ref().unwrap().full_name == "New Name")
    );
    ff.recent.clear();
    assert_eq!(again, ff.list_tasks(&owner, &query).unwrap());
}
