//! `flowforge events ORG` (the log, its filters and pages) and `events prune`; `follow.rs` has
//! `--follow`.

use std::collections::BTreeSet;

use flowforge_core::{
    Actor, FlowForge, NewProject, NewTask, Project, Status, Task, TaskId, TaskPatch,
};
use serde_json::Value;

use crate::support::{Sandbox, items, strings, usage_error};

/// The fields of an event, as the contract lists them.
pub const EVENT_FIELDS: [&str; 11] = [
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
pub struct Ada {
    pub ff: FlowForge,
    pub actor: Actor,
    pub org: flowforge_core::OrgId,
}

impl Ada {
    pub fn new(s: &Sandbox) -> Self {
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

    pub fn project(&self, name: &str) -> Project {
        self.ff
            .create_project(&self.actor, &NewProject::new(self.org, name))
            .unwrap()
    }

    pub fn task(&self, project: &Project, title: &str) -> Task {
        self.ff
            .create_task(&self.actor, &NewTask::new(project.id, title))
            .unwrap()
    }

    pub fn finish(&self, task: TaskId) {
        let patch = TaskPatch {
            status: Some(Status::Done),
            ..TaskPatch::default()
        };
        self.ff.update_task(&self.actor, task, &patch).unwrap();
    }
}

/// ada owns Acme (and bob, a member, was added by the operator), cid owns Other.
pub fn acme() -> Sandbox {
    let s = Sandbox::new();
    s.owner("ada@example.com", "Acme");
    s.owner("cid@example.com", "Other");
    s.user("bob@example.com");
    s.ok(&["member", "add", "acme", "bob@example.com", "member"]);
    s
}

/// The names of an object's fields.
pub fn fields(value: &Value) -> BTreeSet<&str> {
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

    // 0 days: every event committed before now, in every organization, but each
    // organization's newest (its number is where the next one counts from).
    let pruned = s.json(&["events", "prune", "--older-than", "0"]);
    assert_eq!(pruned, serde_json::json!({"deleted": old - 2}));
    assert_eq!(sequences(&s.json(&["events", "acme"])), [3]);
    assert_eq!(items(&s.json(&["events", "other"])).len(), 1);

    // What commits afterwards is kept, and numbering goes on where it was.
    s.ok(&["member", "set-role", "acme", "bob@example.com", "viewer"]);
    assert_eq!(sequences(&s.json(&["events", "acme"])), [4, 3]);
    assert_eq!(
        s.ok(&["events", "prune", "--older-than", "1"]).trim(),
        "deleted 0 events older than 1 days"
    );
    assert_eq!(sequences(&s.json(&["events", "acme"])), [4, 3]);
    assert_eq!(
        s.ok(&["events", "prune", "--older-than", "0"]).trim(),
        "deleted 1 event (every one committed before now)"
    );
    assert_eq!(sequences(&s.json(&["events", "acme"])), [4]);
}
