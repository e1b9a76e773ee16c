//! `flowforge events ORG` (the log, its filters and pages), `--follow`, and `events prune`.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use flowforge_core::{
    Actor, FlowForge, NewProject, NewTask, Project, Status, Task, TaskId, TaskPatch,
};
use serde_json::Value;

use crate::support::{Sandbox, items, strings, usage_error};

/// How long a follower may take to show what it should; only a bound against hanging.
const BOUND: Duration = Duration::from_secs(30);

/// The fields of an event, as the contract lists them.
const EVENT_FIELDS: [&str; 11] = [
    "actor",
    "changes",
    "comment",
    "created_at",
    "id",
    "organization",
    "project",
    "sequence",
    "task",
    "type",
    "user",
];

/// Acts in the sandbox's database through the library, as ada (the owner of Acme).
struct Ada {
    ff: FlowForge,
    actor: Actor,
    org: flowforge_core::OrgId,
}

impl Ada {
    fn new(s: &Sandbox) -> Self {
        let ff = s.core("any key");
        let user = ff
            .admin()
            .find_user("ada@example.com")
            .unwrap()
            .expect("ada exists");
        let actor = ff.admin().act_as(user.id).unwrap();
        let org = ff.admin().find_organization("acme").unwrap().id;
        Self { ff, actor, org }
    }

    fn project(&self, name: &str) -> Project {
        self.ff
            .create_project(&self.actor, &NewProject::new(self.org, name))
            .unwrap()
    }

    fn task(&self, project: &Project, title: &str) -> Task {
        self.ff
            .create_task(&self.actor, &NewTask::new(project.id, title))
            .unwrap()
    }

    fn finish(&self, task: TaskId) {
        let patch = TaskPatch {
            status: Some(Status::Done),
            ..TaskPatch::default()
        };
        self.ff.update_task(&self.actor, task, &patch).unwrap();
    }
}

/// ada owns Acme (and bob, a member, was added by the operator), cid owns Other.
fn acme() -> Sandbox {
    let s = Sandbox::new();
    s.owner("ada@example.com", "Acme");
    s.owner("cid@example.com", "Other");
    s.user("bob@example.com");
    s.ok(&["member", "add", "acme", "bob@example.com", "member"]);
    s
}

/// The names of an object's fields.
fn fields(value: &Value) -> BTreeSet<&str> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .map(String::as_str)
        .collect()
}

fn sequences(listing: &Value) -> Vec<u64> {
    items(listing)
        .iter()
        .map(|e| e["sequence"].as_u64().expect("a sequence number"))
        .collect()
}

#[test]
fn the_log_lists_newest_first_with_every_filter_and_page() {
    let s = acme();
    let ada = Ada::new(&s);
    let launch = ada.project("Launch");
    let docs = ada.project("Docs");
    let fuel = ada.task(&launch, "Order fuel");
    let manual = ada.task(&docs, "Write the manual");
    ada.finish(fuel.id);
    s.ok(&["member", "set-role", "acme", "bob@example.com", "admin"]);

    let all = s.json(&["events", "acme"]);
    assert_eq!(sequences(&all), (1..=9).rev().collect::<Vec<_>>());
    assert_eq!(
        strings(&all, "/type"),
        [
            "member.role_changed",
            "task.updated",
            "task.created",
            "task.created",
            "project.created",
            "project.created",
            "member.added",
            "member.added",
            "organization.created",
        ]
    );
    let org_id = ada.org.to_string();
    for event in items(&all) {
        assert_eq!(fields(event), BTreeSet::from(EVENT_FIELDS), "{event}");
        assert_eq!(event["organization"], org_id.as_str());
        let id = event["id"].as_str().unwrap();
        assert!(
            id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
            "{id}"
        );
    }
    // Ada's own writes carry her id; the operator's carry no actor.
    let ada_id = ada.actor.id().to_string();
    assert_eq!(all[1]["actor"], ada_id.as_str());
    assert_eq!(all[0]["actor"], Value::Null);
    assert_eq!(
        all[1]["changes"],
        serde_json::json!({"status": {"old": "todo", "new": "done"}})
    );
    assert_eq!(all[1]["task"], fuel.id.to_string().as_str());
    assert_eq!(all[1]["project"], launch.id.to_string().as_str());
    assert_eq!(
        all[0]["changes"],
        serde_json::json!({"role": {"old": "member", "new": "admin"}})
    );
    // The organization by id lists the same; the other organization's events are not here.
    assert_eq!(s.json(&["events", &org_id]), all);
    assert_eq!(
        strings(&s.json(&["events", "other"]), "/type"),
        ["member.added", "organization.created"]
    );

    let listed = |args: &[&str]| {
        let mut full = vec!["events", "acme"];
        full.extend_from_slice(args);
        sequences(&s.json(&full))
    };
    assert_eq!(listed(&["--type", "task.created,task.updated"]), [8, 7, 6]);
    assert_eq!(
        listed(&["--type", "task.created", "--type", "member.role_changed"]),
        [9, 7, 6]
    );
    assert_eq!(listed(&["--project", &launch.id.to_string()]), [8, 6, 4]);
    let both = format!("{},{}", launch.id, docs.id);
    assert_eq!(
        listed(&["--project", &both, "--type", "project.created"]),
        [5, 4]
    );
    assert_eq!(listed(&["--task", &manual.id.to_string()]), [7]);
    assert_eq!(listed(&["--actor", &ada_id]), [8, 7, 6, 5, 4]);
    let nobody = "01a20b07-c3c0-736b-99a4-afce1527af7d";
    assert!(listed(&["--actor", nobody]).is_empty());

    // Times are inclusive at both ends: compare with what the full log says.
    let times: Vec<&str> = strings(&all, "/created_at");
    let (from, to) = (times[6], times[2]);
    let expected: Vec<u64> = items(&all)
        .iter()
        .filter(|e| {
            let t = e["created_at"].as_str().unwrap();
            from <= t && t <= to
        })
        .map(|e| e["sequence"].as_u64().unwrap())
        .collect();
    assert!(
        expected.contains(&3) && expected.contains(&7),
        "{expected:?}"
    );
    assert_eq!(listed(&["--since", from, "--until", to]), expected);
    assert_eq!(listed(&["--since", times[0]])[0], 9);
    assert!(listed(&["--until", "2000-01-01T00:00:00Z"]).is_empty());

    assert_eq!(listed(&["--page-size", "4", "--page", "2"]), [5, 4, 3, 2]);
    let table = s.ok(&["events", "acme", "--page-size", "4", "--page", "3"]);
    assert!(table.contains("organization.created"), "{table}");
    assert!(table.contains("page 3 of 3 (9 in all)"), "{table}");
    let table = s.ok(&[
        "events",
        "acme",
        "--type",
        "member.role_changed,task.updated",
    ]);
    for text in [
        "member.role_changed",
        "system",
        "role: \"member\" -> \"admin\"",
        "status: \"todo\" -> \"done\"",
        &format!("task {}", fuel.id),
        &ada_id,
        "page 1 of 1 (2 in all)",
    ] {
        assert!(table.contains(text), "{text}: {table}");
    }
}

#[test]
fn an_unknown_organization_a_bad_filter_or_a_page_past_the_end_is_refused() {
    let s = acme();
    for key in ["nope", "01a20b07-c3c0-736b-99a4-afce1527af7d"] {
        assert_eq!(
            s.fails(&["events", key], 3),
            format!("no organization has the id or slug {key}")
        );
        assert_eq!(
            s.fails(&["events", key, "--follow"], 3),
            format!("no organization has the id or slug {key}")
        );
    }
    assert_eq!(
        s.fails(&["events", "acme", "--page", "9"], 3),
        "Invalid page."
    );
    for args in [
        &["events", "acme", "--type", "task.exploded"][..],
        &["events", "acme", "--since", "yesterday"],
        &["events", "acme", "--project", "not-an-id"],
        &["events", "acme", "--follow", "--after", "00"],
        &[
            "events",
            "acme",
            "--after",
            "00000000000000000000000000000001",
        ],
        &["events", "acme", "--follow", "--type", "task.created"],
        &["events"],
        &["events", "prune", "--older-than", "-1"],
    ] {
        let stderr = usage_error(&mut s.cmd(args));
        assert!(stderr.contains("error:"), "{args:?}: {stderr}");
    }
    let stderr = usage_error(s.cmd(&["events", "prune"]).env("EVENT_RETENTION_DAYS", "0"));
    assert!(stderr.contains("forever"), "{stderr}");
}

#[test]
fn prune_deletes_what_is_older_than_the_cut_off_and_nothing_newer() {
    let s = acme();
    let before = s.json(&["events", "acme"]);
    let old = items(&before).len() + items(&s.json(&["events", "other"])).len();
    assert_eq!(old, 5);

    // Everything is younger than a day, and than the default 90 days.
    assert_eq!(
        s.ok(&["events", "prune"]).trim(),
        "deleted 0 events older than 90 days"
    );
    assert_eq!(
        s.ok(&["events", "prune", "--older-than", "1"]).trim(),
        "deleted 0 events older than 1 days"
    );
    let kept = s
        .cmd(&["events", "prune"])
        .env("EVENT_RETENTION_DAYS", "1")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&kept.stdout).trim(),
        "deleted 0 events older than 1 days"
    );
    let forever = s
        .cmd(&["events", "prune"])
        .env("EVENT_RETENTION_DAYS", "forever")
        .output()
        .unwrap();
    assert!(forever.status.success());
    assert_eq!(
        String::from_utf8_lossy(&forever.stdout).trim(),
        "deleted no events: EVENT_RETENTION_DAYS is forever"
    );
    assert_eq!(s.json(&["events", "acme"]), before);

    // 0 days: every event committed before now, in every organization.
    let pruned = s.json(&["events", "prune", "--older-than", "0"]);
    assert_eq!(pruned, serde_json::json!({"deleted": old}));
    assert!(items(&s.json(&["events", "acme"])).is_empty());
    assert!(items(&s.json(&["events", "other"])).is_empty());

    // What commits afterwards is kept, and numbering goes on where it was.
    s.ok(&["member", "set-role", "acme", "bob@example.com", "viewer"]);
    assert_eq!(sequences(&s.json(&["events", "acme"])), [4]);
    assert_eq!(
        s.ok(&["events", "prune", "--older-than", "1"]).trim(),
        "deleted 0 events older than 1 days"
    );
    assert_eq!(sequences(&s.json(&["events", "acme"])), [4]);
    assert_eq!(
        s.ok(&["events", "prune", "--older-than", "0"]).trim(),
        "deleted 1 event (every one committed before now)"
    );
}

/// A running `flowforge events ORG --follow ...`: its stdout lines as they come. Killed when
/// dropped.
struct Follower {
    child: Child,
    lines: Receiver<String>,
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
        let stderr = reader(child.stderr.take().unwrap());
        let mut follower = Self { child, lines };
        let live = stderr.recv_timeout(BOUND);
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
