//! Following an organization's event log from a program that embeds FlowForge.
//!
//! A writer thread creates, changes and deletes tasks while the main thread follows the
//! organization's events with `FlowForge::subscribe`, printing each one as it commits. Then the
//! program resumes from a cursor it saved part way, with `FlowForge::events_since`, as a program
//! that stopped and started again would. It checks what it saw (every sequence number once and
//! in order, the resumed read agreeing with the live one) and exits non-zero otherwise, so CI
//! notices when it rots.
//!
//! Run it with `cargo run -p flowforge-examples --example follow_events` (an in-memory
//! database), or give a database URL: `... --example follow_events -- sqlite://events.db`.

use std::error::Error;
use std::time::{Duration, Instant};

use flowforge_core::{
    Config, Database, Event, EventType, EventsQuery, FlowForge, NewOrg, NewProject, NewTask,
    NewUser, Status, TaskPatch, Timestamp,
};

const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "correct horse battery";
/// Tasks the writer creates; it moves each one on, then deletes the last.
const TASKS: usize = 5;
/// Events the writer causes: a creation and an update per task, and one deletion.
const EXPECTED: usize = 2 * TASKS + 1;
/// How long to wait for them: only a bound, in case something is broken.
const BOUND: Duration = Duration::from_secs(30);

fn main() -> Result<(), Box<dyn Error>> {
    let database = match std::env::args().nth(1) {
        Some(url) => Database::from_url(&url)?,
        None => Database::Memory,
    };
    let ff = FlowForge::open(&database, Config::new("replace with a long random secret"))?;
    if ff.admin().find_user(EMAIL)?.is_none() {
        ff.register(&NewUser {
            email: EMAIL.into(),
            password: PASSWORD.into(),
            full_name: "Ada".into(),
        })?;
    }
    let ada = ff.authenticate(EMAIL, PASSWORD)?;
    // A fresh organization each run, so that a database file can be used again.
    let millis = Timestamp::now().as_datetime().timestamp_millis();
    let name = format!("Follow demo {millis}");
    let org = ff.create_organization(&ada, &NewOrg { name, slug: None })?;
    let project = ff.create_project(&ada, &NewProject::new(org.id, "Launch"))?;

    // Opened before the writer starts, and live only: it gets what commits from now on.
    let mut subscription = ff.subscribe(&ada, Some(org.id), None)?;
    let mut seen: Vec<Event> = Vec::new();
    std::thread::scope(|scope| -> Result<(), Box<dyn Error>> {
        let writer = scope.spawn(|| -> flowforge_core::Result<()> {
            let mut tasks = Vec::new();
            for n in 1..=TASKS {
                tasks.push(ff.create_task(&ada, &NewTask::new(project.id, format!("Step {n}")))?);
            }
            for (n, task) in tasks.iter().enumerate() {
                let status = if n % 2 == 0 {
                    Status::Done
                } else {
                    Status::InProgress
                };
                let patch = TaskPatch {
                    status: Some(status),
                    ..TaskPatch::default()
                };
                ff.update_task(&ada, task.id, &patch)?;
            }
            if let Some(last) = tasks.last() {
                ff.delete_task(&ada, last.id)?;
            }
            Ok(())
        });

        println!("following {} as the writer works:", org.name);
        let deadline = Instant::now() + BOUND;
        while seen.len() < EXPECTED && Instant::now() < deadline {
            for event in subscription.wait(Duration::from_secs(1), 100)? {
                println!("  {}", describe(&event));
                seen.push(event);
            }
        }
        writer.join().map_err(|_| "the writer panicked")??;
        Ok(())
    })?;

    // Every event once, in order: the organization's numbers run on without a gap from the
    // first one seen (the project's creation came before the subscription).
    let numbers: Vec<u64> = seen.iter().map(|e| e.sequence).collect();
    let first = numbers.first().copied().ok_or("no event arrived")?;
    let expected: Vec<u64> = (first..first + EXPECTED as u64).collect();
    check(
        numbers == expected,
        format!("sequence numbers {numbers:?}, expected {expected:?}"),
    )?;
    let count = |kind| seen.iter().filter(|e| e.kind == kind).count();
    check(
        (count(EventType::TaskCreated), count(EventType::TaskUpdated)) == (TASKS, TASKS)
            && count(EventType::TaskDeleted) == 1,
        "one creation and one update per task, and one deletion",
    )?;
    check(
        seen.iter().all(|e| e.actor == Some(ada.id())),
        "every event names its actor",
    )?;

    // A program that saved its position after the fourth event and started again reads on from
    // there with the cursor API, and gets exactly what followed it.
    let saved = seen[3].id;
    let query = EventsQuery {
        after: Some(saved),
        organization: Some(org.id),
        ..EventsQuery::default()
    };
    let batch = ff.events_since(&ada, &query)?;
    println!(
        "resumed after #{} (cursor {saved}): {} events",
        seen[3].sequence,
        batch.results.len()
    );
    for event in &batch.results {
        println!("  {}", describe(event));
    }
    check(
        batch.results == seen[4..],
        "the resumed read agrees with the live one",
    )?;
    check(
        batch.next == seen.last().map(|e| e.id),
        "the next read goes on after the last event",
    )?;
    println!(
        "ok: {} events, #{first} to #{}, each once and in order",
        seen.len(),
        first + EXPECTED as u64 - 1
    );
    Ok(())
}

/// One line for an event: its number, type, task and changed fields.
fn describe(event: &Event) -> String {
    let task = event.task.map(|id| id.to_string()).unwrap_or_default();
    let changes = event
        .changes
        .as_ref()
        .map(|changes| {
            let fields: Vec<String> = changes
                .0
                .iter()
                .map(|(field, change)| format!("{field}: {} -> {}", change.old, change.new))
                .collect();
            fields.join(", ")
        })
        .unwrap_or_default();
    let line = format!("#{:<3} {:<13} {task} {changes}", event.sequence, event.kind);
    line.trim_end().to_owned()
}

/// Fails the program with `what` unless `ok`.
fn check(ok: bool, what: impl Into<String>) -> Result<(), Box<dyn Error>> {
    if ok {
        Ok(())
    } else {
        Err(format!("check failed: {}", what.into()).into())
    }
}
