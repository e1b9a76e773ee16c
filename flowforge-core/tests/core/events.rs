//! The event log: one event per changed resource, appended in the write's own transaction and
//! numbered per organization without gaps; the history, activity and cursor reads; following
//! the log with a subscription; retention.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use flowforge_core::{
    ActivityQuery, Actor, Config, Error, Event, EventType, EventsQuery, FlowForge, NewTask, Org,
    PageRequest, Priority, Role, Status, Subscription, TaskPatch, Timestamp,
};
use serde_json::json;

use crate::support::{
    SECRET, World, add, archive_project, assert_not_found, open_shared, org, project,
    rename_project, retitle, task, user,
};

/// Every event of `org`, oldest first.
fn log(ff: &FlowForge, by: &Actor, org: &Org) -> Vec<Event> {
    let mut events = Vec::new();
    for page in 1.. {
        let query = ActivityQuery {
            page: PageRequest::new(page, 100),
            ..ActivityQuery::default()
        };
        let found = ff.organization_activity(by, org.id, &query).unwrap();
        events.extend(found.items);
        if events.len() as u64 >= found.count {
            break;
        }
    }
    events.reverse();
    events
}

fn kinds(events: &[Event]) -> Vec<&'static str> {
    events.iter().map(|e| e.kind.as_str()).collect()
}

/// Waits (up to a bound that only stops a hung test: 30 s) until `sub` has handed out `n`
/// events. On PostgreSQL an event is handed out once every transaction older than it has
/// ended, anywhere on the server: other work there holds events back while it runs.
fn take(sub: &mut Subscription, n: usize) -> Vec<Event> {
    let mut got = Vec::new();
    for _ in 0..300 {
        got.extend(sub.wait(Duration::from_millis(100), n - got.len()).unwrap());
        if got.len() == n {
            return got;
        }
    }
    panic!("only {} of {n} events arrived: {got:?}", got.len());
}

#[test]
fn every_write_appends_one_event_per_changed_resource() {
    let w = World::new();
    let ff = &w.ff;
    let events = log(ff, &w.owner, &w.org);
    assert_eq!(
        kinds(&events),
        [
            "organization.created",
            "member.added",
            "member.added",
            "member.added",
            "member.added",
            "project.created",
            "task.created",
        ]
    );
    let sequences: Vec<u64> = events.iter().map(|e| e.sequence).collect();
    assert_eq!(sequences, [1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(
        events[1].user,
        Some(w.owner.id()),
        "the creator joins as owner"
    );
    assert_eq!(events[2].user, Some(w.admin.id()));
    assert!(events.iter().all(|e| e.organization == w.org.id));
    let created = &events[6];
    assert_eq!(created.actor, Some(w.member.id()));
    assert_eq!(created.project, Some(w.project.id));
    assert_eq!(created.task, Some(w.task.id));
    assert_eq!(
        (created.user, created.comment, &created.changes),
        (None, None, &None)
    );

    // An update records each changed field, an assignee by id; a write changing nothing, none.
    let patch = TaskPatch {
        status: Some(Status::InProgress),
        priority: Some(Priority::Medium),
        assigned_to: Some(Some(w.member.id())),
        ..TaskPatch::default()
    };
    ff.update_task(&w.admin, w.task.id, &patch).unwrap();
    ff.update_task(&w.admin, w.task.id, &patch).unwrap();
    ff.update_member(&w.owner, w.org.id, w.viewer.id(), &role(Role::Viewer))
        .unwrap();
    let events = log(ff, &w.owner, &w.org);
    assert_eq!(events.len(), 8);
    let updated = &events[7];
    assert_eq!(updated.kind, EventType::TaskUpdated);
    assert_eq!(updated.actor, Some(w.admin.id()));
    assert_eq!(
        serde_json::to_value(&updated.changes).unwrap(),
        json!({
            "status": {"old": "todo", "new": "in_progress"},
            "assigned_to": {"old": null, "new": w.member.id()},
        })
    );

    ff.update_member(&w.owner, w.org.id, w.viewer.id(), &role(Role::Member))
        .unwrap();
    // Removing a member unassigns their open tasks: one event for the membership, one per task.
    ff.remove_member(&w.owner, w.org.id, w.member.id()).unwrap();
    ff.update_project(&w.admin, w.project.id, &rename_project("Relaunch"))
        .unwrap();
    ff.delete_task(&w.admin, w.task.id).unwrap();
    ff.delete_project(&w.admin, w.project.id).unwrap();
    let events = log(ff, &w.owner, &w.org);
    assert_eq!(
        kinds(&events[8..]),
        [
            "member.role_changed",
            "member.removed",
            "task.updated",
            "project.updated",
            "task.deleted",
            "project.deleted",
        ]
    );
    let role_changed = &events[8];
    assert_eq!(role_changed.user, Some(w.viewer.id()));
    assert_eq!(
        serde_json::to_value(&role_changed.changes).unwrap(),
        json!({"role": {"old": "viewer", "new": "member"}})
    );
    let unassigned = &events[10];
    assert_eq!(unassigned.actor, Some(w.owner.id()), "the removal's actor");
    assert_eq!(unassigned.task, Some(w.task.id));
    assert_eq!(unassigned.user, None);
    assert_eq!(
        serde_json::to_value(&unassigned.changes).unwrap(),
        json!({"assigned_to": {"old": w.member.id(), "new": null}})
    );
    assert_eq!(
        serde_json::to_value(&events[11].changes).unwrap(),
        json!({"name": {"old": "Launch", "new": "Relaunch"}})
    );
    let sequences: Vec<u64> = events.iter().map(|e| e.sequence).collect();
    assert_eq!(sequences, (1..=14).collect::<Vec<u64>>());
    // The other tenant's log is its own, numbered from 1.
    let foreign = log(ff, &w.outsider, &w.foreign);
    assert_eq!(foreign.first().map(|e| e.sequence), Some(1));
    assert!(foreign.iter().all(|e| e.organization == w.foreign.id));
}

fn role(role: Role) -> flowforge_core::MembershipPatch {
    flowforge_core::MembershipPatch { role: Some(role) }
}

#[test]
fn a_refused_or_rolled_back_write_leaves_no_event() {
    let w = World::new();
    let ff = &w.ff;
    let before = log(ff, &w.owner, &w.org);
    assert!(matches!(
        ff.create_task(&w.viewer, &NewTask::new(w.project.id, "No")),
        Err(Error::Forbidden(_))
    ));
    assert!(matches!(
        ff.create_task(&w.member, &NewTask::new(w.project.id, "")),
        Err(Error::Validation(_))
    ));
    assert!(matches!(
        ff.remove_member(&w.owner, w.org.id, w.owner.id()),
        Err(Error::Conflict(_))
    ));
    ff.update_project(&w.owner, w.project.id, &archive_project(true))
        .unwrap();
    assert!(matches!(
        ff.update_task(&w.member, w.task.id, &retitle("Archived")),
        Err(Error::Conflict(_))
    ));
    let after = log(ff, &w.owner, &w.org);
    assert_eq!(
        after.len(),
        before.len() + 1,
        "only the archiving: {after:?}"
    );
    assert_eq!(after.last().unwrap().kind, EventType::ProjectUpdated);
}

/// A write the storage refuses part way (a full disk) is rolled back whole: no task, no event.
#[cfg(not(feature = "postgres"))]
#[test]
fn a_write_the_storage_refuses_leaves_no_event() {
    let w = World::new();
    let ff = &w.ff;
    let before = log(ff, &w.owner, &w.org);
    ff.limit_sqlite_pages(Some(0));
    let long = "x".repeat(20_000);
    let mut refused = 0;
    for n in 0..50 {
        let input = NewTask {
            description: long.clone(),
            ..NewTask::new(w.project.id, format!("Task {n}"))
        };
        match ff.create_task(&w.member, &input) {
            Err(Error::Unavailable { .. }) => refused += 1,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
    ff.limit_sqlite_pages(None);
    assert_eq!(refused, 50);
    assert_eq!(log(ff, &w.owner, &w.org), before);
    let next = task(ff, &w.member, &w.project, "After the refusals");
    let after = log(ff, &w.owner, &w.org);
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after.last().unwrap().task, Some(next.id));
    assert_eq!(
        after.last().unwrap().sequence,
        before.len() as u64 + 1,
        "no gap"
    );
}

/// Writers of two organizations race while a reader follows the cursor API: each organization's
/// numbers are 1..n without a gap, and the reader sees every event exactly once, in log order.
#[test]
fn concurrent_writers_leave_no_gap_and_a_follower_misses_nothing() {
    let ff = Arc::new(open_shared(Config::new(SECRET)));
    let owner = user(&ff, "owner@example.com");
    let orgs: Vec<Org> = ["Acme", "Globex"]
        .iter()
        .map(|n| org(&ff, &owner, n))
        .collect();
    let projects: Vec<_> = orgs
        .iter()
        .map(|o| project(&ff, &owner, o, "Work"))
        .collect();
    let (threads, per_thread) = (6, 15);
    // Per organization: organization.created, member.added, project.created, then 2 per task.
    let expected = 2 * 3 + 2 * per_thread * threads;
    let follower = {
        let (ff, owner) = (Arc::clone(&ff), owner.clone());
        thread::spawn(move || {
            let mut seen = Vec::new();
            let mut query = EventsQuery {
                limit: 7,
                ..EventsQuery::default()
            };
            // The deadline only stops a hung test: the reader stops once it has everything.
            let deadline = Instant::now() + Duration::from_secs(60);
            while seen.len() < expected && Instant::now() < deadline {
                let batch = ff.events_since(&owner, &query).unwrap();
                seen.extend(batch.results);
                query.after = batch.next;
            }
            // Nothing more arrives after the last.
            thread::sleep(Duration::from_millis(300));
            seen.extend(ff.events_since(&owner, &query).unwrap().results);
            seen
        })
    };
    let barrier = Arc::new(Barrier::new(threads));
    let writers: Vec<_> = (0..threads)
        .map(|t| {
            let (ff, owner, barrier) = (Arc::clone(&ff), owner.clone(), Arc::clone(&barrier));
            let project = projects[t % 2].clone();
            thread::spawn(move || {
                barrier.wait();
                for i in 0..per_thread {
                    let task = task(&ff, &owner, &project, &format!("{t}-{i}"));
                    ff.update_task(&owner, task.id, &retitle(&format!("{t}-{i}!")))
                        .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let seen = follower.join().unwrap();

    let mut all = Vec::new();
    for org in &orgs {
        let events = log(&ff, &owner, org);
        let sequences: Vec<u64> = events.iter().map(|e| e.sequence).collect();
        assert_eq!(
            sequences,
            (1..=events.len() as u64).collect::<Vec<_>>(),
            "gap-free"
        );
        assert_eq!(events.len(), expected / 2);
        all.extend(events);
    }
    let ids: Vec<_> = seen.iter().map(|e| e.id).collect();
    let distinct: HashSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "no event twice");
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "in log order");
    assert_eq!(seen.len(), all.len(), "every event once");
    let mut last: HashMap<_, u64> = HashMap::new();
    for event in &seen {
        let previous = last.insert(event.organization, event.sequence).unwrap_or(0);
        assert_eq!(
            event.sequence,
            previous + 1,
            "each organization's events in order"
        );
    }
}

#[test]
fn a_subscription_catches_up_from_a_cursor_then_follows_and_stops_at_removal() {
    let w = World::new();
    let ff = &w.ff;
    // The member also belongs to a second organization, which keeps being followed.
    let other = org(ff, &w.owner, "Initech");
    add(ff, &w.owner, &other, &w.member, Role::Member);
    let other_project = project(ff, &w.owner, &other, "Other");

    let mut live = ff.subscribe(&w.member, None, None).unwrap();
    let first = task(ff, &w.owner, &w.project, "Live one");
    let got = take(&mut live, 1);
    assert_eq!(
        (got[0].kind, got[0].task),
        (EventType::TaskCreated, Some(first.id))
    );
    let cursor = got[0].id;
    drop(live);

    // Missed while away: replayed once, in order, then live events follow.
    let missed: Vec<_> = (0..3)
        .map(|n| task(ff, &w.owner, &w.project, &format!("Missed {n}")).id)
        .collect();
    task(ff, &w.outsider, &w.foreign_project, "Not theirs");
    let mut again = ff.subscribe(&w.member, None, Some(cursor)).unwrap();
    let got = take(&mut again, 3);
    assert_eq!(
        got.iter().map(|e| e.task.unwrap()).collect::<Vec<_>>(),
        missed
    );
    let after = task(ff, &w.owner, &other_project, "Live again");
    assert_eq!(take(&mut again, 1)[0].task, Some(after.id));

    // Removed: nothing of that organization, not even the removal; the other one goes on.
    ff.remove_member(&w.owner, w.org.id, w.member.id()).unwrap();
    task(ff, &w.owner, &w.project, "After the removal");
    let marker = task(ff, &w.owner, &other_project, "Marker");
    let got = take(&mut again, 1);
    assert_eq!(got[0].task, Some(marker.id), "{got:?}");
    assert!(again.ready(10).unwrap().is_empty());

    // Added back: that organization's events flow again, from the addition on.
    add(ff, &w.owner, &w.org, &w.member, Role::Viewer);
    let back = task(ff, &w.owner, &w.project, "Welcome back");
    let got = take(&mut again, 2);
    assert_eq!(got[0].kind, EventType::MemberAdded);
    assert_eq!(got[1].task, Some(back.id));

    // Narrowed to one organization; one the user is not in is not found.
    assert!(matches!(
        ff.subscribe(&w.member, Some(w.foreign.id), None),
        Err(Error::NotFound(_))
    ));
}

/// A write by another handle on the same database (another server, the CLI) reaches a
/// subscription too: the feed reads the log on a timer as well as after its own writes.
#[test]
fn a_write_by_another_process_reaches_a_subscription() {
    let ff = open_shared(Config::new(SECRET));
    let owner = user(&ff, "owner@example.com");
    let acme = org(&ff, &owner, "Acme");
    let project = project(&ff, &owner, &acme, "Work");
    let mut sub = ff.subscribe(&owner, Some(acme.id), None).unwrap();
    let elsewhere = ff.reopen();
    let written = task(&elsewhere, &owner, &project, "From elsewhere");
    assert_eq!(take(&mut sub, 1)[0].task, Some(written.id));
}

/// On PostgreSQL a reader's horizon stays behind a transaction still running anywhere on the
/// server, so what committed after that transaction began is past the log's head: a live
/// subscription opened then still starts after it, with what comes next.
#[cfg(feature = "postgres")]
#[test]
fn a_live_subscription_starts_after_what_committed_behind_a_running_transaction() {
    let ff = open_shared(Config::new(SECRET));
    let owner = user(&ff, "owner@example.com");
    let acme = org(&ff, &owner, "Acme");
    let board = project(&ff, &owner, &acme, "Board");
    let url = flowforge_core::ScratchSchema::test_server_url();
    let mut other = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let mut running = other.transaction().unwrap();
    running
        .query_one("SELECT pg_current_xact_id()", &[])
        .unwrap();
    let before = task(&ff, &owner, &board, "Before");
    let head = ff
        .events_since(
            &owner,
            &EventsQuery {
                organization: Some(acme.id),
                ..EventsQuery::default()
            },
        )
        .unwrap();
    assert!(
        head.results.iter().all(|e| e.task != Some(before.id)),
        "the cursor API waits for the running transaction"
    );
    let mut sub = ff.subscribe(&owner, None, None).unwrap();
    let after = task(&ff, &owner, &board, "After");
    running.commit().unwrap();
    assert_eq!(take(&mut sub, 1)[0].task, Some(after.id));
    assert!(
        sub.ready(10).unwrap().is_empty(),
        "{before:?} is not handed out"
    );
}

#[test]
fn a_task_history_holds_its_own_events_newest_first_and_hides_the_foreign_and_deleted() {
    let w = World::new();
    let ff = &w.ff;
    task(ff, &w.member, &w.project, "Another task");
    ff.update_task(&w.member, w.task.id, &retitle("Renamed"))
        .unwrap();
    let history = ff
        .task_activity(&w.viewer, w.task.id, PageRequest::default())
        .unwrap();
    assert_eq!(kinds(&history.items), ["task.updated", "task.created"]);
    assert_eq!(history.count, 2);
    assert_not_found(ff.task_activity(&w.viewer, w.foreign_task.id, PageRequest::default()));
    assert_not_found(ff.task_activity(&w.outsider, w.task.id, PageRequest::default()));
    ff.delete_task(&w.owner, w.task.id).unwrap();
    assert_not_found(ff.task_activity(&w.owner, w.task.id, PageRequest::default()));
    assert!(matches!(
        ff.task_activity(&w.owner, w.foreign_task.id, PageRequest::new(2, 20)),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn organization_activity_filters_by_subject_actor_type_and_time() {
    let w = World::new();
    let ff = &w.ff;
    thread::sleep(Duration::from_millis(5));
    let start = Timestamp::now();
    thread::sleep(Duration::from_millis(5));
    let second = task(ff, &w.admin, &w.project, "Second");
    ff.update_task(&w.member, second.id, &retitle("Second!"))
        .unwrap();
    let of = |pairs: &[(&str, &str)]| {
        let query = ActivityQuery::from_pairs(pairs.iter().copied()).unwrap();
        kinds(
            &ff.organization_activity(&w.viewer, w.org.id, &query)
                .unwrap()
                .items,
        )
    };
    let second_id = second.id.to_string();
    let admin_id = w.admin.id().to_string();
    let since = start.to_string();
    assert_eq!(
        of(&[("task", &second_id)]),
        ["task.updated", "task.created"]
    );
    assert_eq!(
        of(&[("actor", &admin_id), ("type", "task.created")]),
        ["task.created"]
    );
    assert_eq!(
        of(&[("type", "task.updated,member.removed")]),
        ["task.updated"]
    );
    assert_eq!(of(&[("since", &since)]), ["task.updated", "task.created"]);
    assert_eq!(
        of(&[("until", &since)]).len(),
        7,
        "everything of the world before"
    );
    assert_eq!(
        of(&[
            ("project", &w.project.id.to_string()),
            ("type", "project.created")
        ]),
        ["project.created"]
    );
    assert_not_found(ff.organization_activity(&w.viewer, w.foreign.id, &ActivityQuery::default()));
}

#[test]
fn pruning_deletes_older_events_and_numbering_goes_on() {
    let w = World::new();
    let ff = &w.ff;
    thread::sleep(Duration::from_millis(5));
    let cut = Timestamp::now();
    thread::sleep(Duration::from_millis(5));
    let kept = task(ff, &w.member, &w.project, "Kept");
    let foreign = log(ff, &w.outsider, &w.foreign);
    let total = log(ff, &w.owner, &w.org).len() + foreign.len();
    // Every older event but each organization's newest, where its numbers go on from.
    assert_eq!(ff.prune_events(cut).unwrap() as usize, total - 2);
    assert_eq!(
        log(ff, &w.outsider, &w.foreign),
        [foreign.last().unwrap().clone()]
    );
    let left = log(ff, &w.owner, &w.org);
    assert_eq!(left.len(), 1);
    assert_eq!((left[0].task, left[0].sequence), (Some(kept.id), 8));
    let next = task(ff, &w.member, &w.project, "Next");
    let left = log(ff, &w.owner, &w.org);
    assert_eq!((left[1].task, left[1].sequence), (Some(next.id), 9));
    // The default retention keeps them; a handle keeping events forever prunes nothing.
    assert_eq!(ff.prune_expired_events().unwrap(), 0);
}

#[test]
fn a_task_history_after_pruning_holds_its_kept_events_and_goes_on() {
    let w = World::new();
    let ff = &w.ff;
    let old = task(ff, &w.member, &w.project, "Old");
    ff.update_task(&w.member, old.id, &retitle("Older"))
        .unwrap();
    thread::sleep(Duration::from_millis(5));
    let cut = Timestamp::now();
    thread::sleep(Duration::from_millis(5));
    ff.update_task(&w.member, old.id, &retitle("Kept")).unwrap();
    task(ff, &w.member, &w.project, "Between");
    ff.update_task(&w.member, old.id, &retitle("Newest"))
        .unwrap();
    ff.prune_events(cut).unwrap();
    let titles = || {
        let history = ff
            .task_activity(&w.viewer, old.id, PageRequest::default())
            .unwrap();
        assert_eq!(history.count, history.items.len() as u64);
        history
            .items
            .iter()
            .map(|e| e.changes.as_ref().unwrap().0["title"].new.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(titles(), ["Newest", "Kept"]);
    ff.update_task(&w.member, old.id, &retitle("Next")).unwrap();
    assert_eq!(titles(), ["Next", "Newest", "Kept"]);
}

/// The feed drops what a subscription will not hand out before waking it: another tenant's
/// writes cost a follower nothing.
#[test]
fn a_subscription_is_not_woken_by_events_it_will_not_hand_out() {
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    let w = World::new();
    let ff = &w.ff;
    let mut member = ff.subscribe(&w.member, None, None).unwrap();
    let mut outsider = ff.subscribe(&w.outsider, None, None).unwrap();
    // Up to a marker of each, so that nothing written before is still on its way (on
    // PostgreSQL events of transactions running when a subscription opens may follow).
    let until = |sub: &mut Subscription, task: flowforge_core::TaskId| {
        while take(sub, 1)[0].task != Some(task) {}
    };
    until(
        &mut member,
        self::task(ff, &w.owner, &w.project, "Marker").id,
    );
    until(
        &mut outsider,
        self::task(ff, &w.outsider, &w.foreign_project, "Marker").id,
    );

    let woken = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&woken);
    member.on_arrival(move || {
        counter.fetch_add(1, SeqCst);
    });
    let foreign: Vec<_> = (0..5)
        .map(|n| task(ff, &w.outsider, &w.foreign_project, &format!("Foreign {n}")).id)
        .collect();
    // The outsider's subscription has them all: the feed has read and delivered them.
    let seen: Vec<_> = take(&mut outsider, 5)
        .iter()
        .map(|e| e.task.unwrap())
        .collect();
    assert_eq!(seen, foreign);
    assert_eq!(
        woken.load(SeqCst),
        0,
        "not woken for another tenant's events"
    );
    let own = task(ff, &w.owner, &w.project, "Own");
    assert_eq!(take(&mut member, 1)[0].task, Some(own.id));
    // The feed wakes after it has handed the event over, so the reader may be first.
    for _ in 0..100 {
        if woken.load(SeqCst) > 0 {
            return;
        }
        thread::sleep(Duration::from_millis(10));
    }
    panic!("woken for its own organization's event");
}

/// Catching up follows the user's membership changes in every organization, in log order: an
/// organization joined and left while away shows its events of that time only, and nothing
/// after the removal, however the log's reads are cut.
#[test]
fn catching_up_follows_joins_and_removals_while_away() {
    let w = World::new();
    let ff = &w.ff;
    let elsewhere = org(ff, &w.owner, "Elsewhere");
    let there = project(ff, &w.owner, &elsewhere, "There");
    let cursor = log(ff, &w.owner, &w.org).last().unwrap().id;

    add(ff, &w.owner, &elsewhere, &w.member, Role::Member);
    let while_in = task(ff, &w.owner, &there, "While a member");
    ff.remove_member(&w.owner, elsewhere.id, w.member.id())
        .unwrap();
    task(ff, &w.owner, &there, "After the removal");
    let home = task(ff, &w.owner, &w.project, "At home");

    let mut sub = ff.subscribe(&w.member, None, Some(cursor)).unwrap();
    let got = take(&mut sub, 3);
    assert_eq!(
        got.iter().map(|e| (e.kind, e.task)).collect::<Vec<_>>(),
        [
            (EventType::MemberAdded, None),
            (EventType::TaskCreated, Some(while_in.id)),
            (EventType::TaskCreated, Some(home.id)),
        ]
    );
    // Live, the organization left stays left.
    task(ff, &w.owner, &there, "Later there");
    let marker = task(ff, &w.owner, &w.project, "Later at home");
    assert_eq!(take(&mut sub, 1)[0].task, Some(marker.id));
}
