//! `flowforge events ORG --follow [--after ID]`: a spawned follower, read line by line.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use flowforge_core::Task;
use serde_json::Value;

use crate::events::{Ada, EVENT_FIELDS, acme, fields};
use crate::support::{Sandbox, items};

/// How long a follower may take to show what it should; only a bound against hanging.
const BOUND: Duration = Duration::from_secs(30);

/// A running `flowforge events ORG --follow ...`: its stdout lines as they come. Killed when
/// dropped.
struct Follower {
    child: Child,
    lines: Receiver<String>,
    errors: Receiver<String>,
}

impl Follower {
    /// Starts the follower and waits until it says it is live.
    fn start(s: &Sandbox, args: &[&str]) -> Self {
        let mut child = s
            .process(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let lines = reader(child.stdout.take().unwrap());
        let errors = reader(child.stderr.take().unwrap());
        let mut follower = Self {
            child,
            lines,
            errors,
        };
        let live = follower.errors.recv_timeout(BOUND);
        let live = live.unwrap_or_else(|_| {
            let _ = follower.child.kill();
            panic!("the follower never said it was live")
        });
        assert!(
            live.starts_with("following the events of Acme (acme)"),
            "{live}"
        );
        follower
    }

    /// The next `n` lines it prints.
    fn next(&mut self, n: usize) -> Vec<String> {
        let deadline = Instant::now() + BOUND;
        (0..n)
            .map(|i| {
                let left = deadline.saturating_duration_since(Instant::now());
                self.lines
                    .recv_timeout(left)
                    .unwrap_or_else(|_| panic!("line {} of {n} never came", i + 1))
            })
            .collect()
    }

    /// Waits for it to end by itself; returns its exit code and the next line of stderr.
    fn end(&mut self) -> (Option<i32>, String) {
        let deadline = Instant::now() + BOUND;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let line = self.errors.recv_timeout(BOUND).unwrap_or_default();
                return (status.code(), line);
            }
            assert!(Instant::now() < deadline, "the follower did not end");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether it printed anything more within a short while (nothing is expected).
    fn quiet(&mut self) -> bool {
        self.lines
            .recv_timeout(Duration::from_millis(1500))
            .is_err()
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The lines of `stream`, read on a thread of their own.
fn reader(stream: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

#[test]
fn follow_prints_each_new_event_once_in_order_and_nothing_of_the_past() {
    let s = acme();
    let ada = Ada::new(&s);
    let mut follower = Follower::start(&s, &["events", "acme", "--follow", "--json"]);
    let launch = ada.project("Launch");
    let tasks: Vec<Task> = (0..3)
        .map(|n| ada.task(&launch, &format!("Task {n}")))
        .collect();
    ada.finish(tasks[1].id);
    // The other organization's events are not followed.
    s.ok(&["member", "add", "other", "bob@example.com", "viewer"]);
    s.ok(&["member", "remove", "acme", "bob@example.com"]);

    let events: Vec<Value> = follower
        .next(6)
        .iter()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let seen: Vec<(u64, &str)> = events
        .iter()
        .map(|e| (e["sequence"].as_u64().unwrap(), e["type"].as_str().unwrap()))
        .collect();
    assert_eq!(
        seen,
        [
            (4, "project.created"),
            (5, "task.created"),
            (6, "task.created"),
            (7, "task.created"),
            (8, "task.updated"),
            (9, "member.removed"),
        ]
    );
    for event in &events {
        assert_eq!(fields(event), BTreeSet::from(EVENT_FIELDS), "{event}");
    }
    assert!(follower.quiet(), "nothing more was written");
    // What it printed is the log, event for event.
    let logged: Vec<Value> = items(&s.json(&["events", "acme", "--page-size", "6"])).to_vec();
    assert_eq!(events, logged.into_iter().rev().collect::<Vec<_>>());
}

#[test]
fn follow_after_an_event_replays_what_came_after_it_then_goes_live() {
    let s = acme();
    let ada = Ada::new(&s);
    let launch = ada.project("Launch");
    let listed = s.json(&["events", "acme"]);
    // After the second event: the third (bob's member.added) and the project's.
    let second = items(&listed).iter().find(|e| e["sequence"] == 2).unwrap();
    let cursor = second["id"].as_str().unwrap().to_owned();
    let mut follower = Follower::start(&s, &["events", "acme", "--follow", "--after", &cursor]);
    let replayed = follower.next(2);
    let task = ada.task(&launch, "Go live");
    let live = follower.next(1);

    let cells = |line: &str| line.split("  ").map(str::to_owned).collect::<Vec<_>>();
    let third = cells(&replayed[0]);
    let listed_third = &listed[1];
    assert_eq!(
        third[0],
        listed_third["id"].as_str().unwrap(),
        "the line starts with the event's id"
    );
    assert_eq!(
        third[1..4],
        [
            "3",
            listed_third["created_at"].as_str().unwrap(),
            "member.added"
        ]
    );
    assert_eq!(third[4], "system");
    assert_eq!(
        third[5],
        format!("user {}", listed_third["user"].as_str().unwrap())
    );
    assert_eq!(cells(&replayed[1])[3], "project.created");
    let created = cells(&live[0]);
    assert_eq!(created[1], "5");
    assert_eq!(created[3], "task.created");
    assert_eq!(created[4], ada.actor.id().to_string());
    assert_eq!(created[5], format!("task {}", task.id));
    assert!(follower.quiet(), "nothing more was written");
}

#[test]
fn follow_ends_saying_so_when_the_organization_is_deleted() {
    let s = acme();
    let mut follower = Follower::start(&s, &["events", "acme", "--follow"]);
    s.ok(&["org", "delete", "acme"]);
    let (code, message) = follower.end();
    assert_eq!(code, Some(3));
    assert_eq!(message, "flowforge: the organization acme was deleted");
}
