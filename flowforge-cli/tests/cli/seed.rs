//! `flowforge seed-demo`: a deterministic demo data set.

use std::collections::HashMap;

use crate::support::{Sandbox, items, key_values, strings};

const SMALL: [&str; 9] = [
    "seed-demo",
    "--orgs",
    "2",
    "--projects-per-org",
    "2",
    "--tasks-per-project",
    "5",
    "--users-per-org",
    "5",
];

fn seed(s: &Sandbox) -> HashMap<String, String> {
    let out = s.ok(&SMALL);
    assert!(
        out.starts_with("seeded 2 organizations, 10 users, 4 projects, 20 tasks in "),
        "{out}"
    );
    assert!(
        out.contains("password of every seeded user: flowforge-pass-1"),
        "{out}"
    );
    assert!(
        out.contains("owner=owner0@org0.example") && out.contains("owner=owner0@org1.example"),
        "{out}"
    );
    key_values(&out)
}

#[test]
fn seed_demo_prints_the_summary_and_credentials_that_work() {
    let s = Sandbox::new();
    let values = seed(&s);
    assert_eq!(values["LOGIN_EMAIL"], "owner0@org0.example");
    assert_eq!(values["LOGIN_PASSWORD"], "flowforge-pass-1");
    assert_eq!(values["TASK_IDS"].split(',').count(), 5, "{values:?}");
    assert!(!values["SEARCH_WORD"].is_empty());
    for key in ["ORG_ID", "PROJECT_ID"] {
        assert_eq!(values[key].len(), 36, "{key} is a UUID: {values:?}");
    }

    let orgs = s.json(&["org", "list"]);
    assert_eq!(items(&orgs).len(), 2);
    for org in items(&orgs) {
        assert_eq!(org["member_count"], 5);
        assert_eq!(org["project_count"], 2);
        assert_eq!(org["task_count"], 10);
    }
    let first = s.json(&["org", "show", &values["ORG_ID"]]);
    assert_eq!(first["slug"], "org0");

    // Users are {role}{i}@org{n}.example, with the roles spread as the Django seed spreads them.
    let members = s.json(&["member", "list", "org0"]);
    let mut roles: Vec<(&str, &str)> = items(&members)
        .iter()
        .map(|m| {
            (
                m["user"]["email"].as_str().unwrap(),
                m["role"].as_str().unwrap(),
            )
        })
        .collect();
    roles.sort_unstable();
    for (email, role) in &roles {
        assert!(
            email.starts_with(role) && email.ends_with("@org0.example"),
            "{email} {role}"
        );
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (_, role) in &roles {
        *counts.entry(role).or_default() += 1;
    }
    assert_eq!(
        counts,
        HashMap::from([("owner", 1), ("admin", 1), ("member", 2), ("viewer", 1)])
    );

    // Every seeded user logs in with the one password (a real argon2id hash).
    assert!(s.can_log_in("owner0@org0.example", "flowforge-pass-1"));
    assert!(s.can_log_in(roles[0].0, "flowforge-pass-1"));
    assert!(!s.can_log_in("owner0@org0.example", "wrong-password"));
    let owners = s.json(&["member", "list", "org1", "--role", "owner"]);
    assert_eq!(strings(&owners, "/user/email"), ["owner0@org1.example"]);
}

#[test]
fn the_same_seed_gives_the_same_ids() {
    let (a, b) = (Sandbox::new(), Sandbox::new());
    let (a, b) = (seed(&a), seed(&b));
    for key in [
        "ORG_ID",
        "PROJECT_ID",
        "TASK_IDS",
        "SEARCH_WORD",
        "LOGIN_EMAIL",
    ] {
        assert_eq!(a[key], b[key], "{key}");
    }
    let c = Sandbox::new();
    let out = c.ok(&[&SMALL[..], &["--seed", "7"]].concat());
    let c = key_values(&out);
    assert_ne!(a["TASK_IDS"], c["TASK_IDS"], "another seed, other data");
}

#[test]
fn seeding_a_database_that_has_users_is_a_conflict() {
    let s = Sandbox::new();
    seed(&s);
    let message = s.fails(&SMALL, 4);
    assert_eq!(
        message,
        "The database already has users: seed an empty database."
    );

    let s = Sandbox::new();
    s.user("ada@example.com");
    s.fails(&["seed-demo", "--orgs", "1", "--users-per-org", "1"], 4);
    assert!(items(&s.json(&["org", "list"])).is_empty());
}

#[test]
fn seed_demo_reads_the_password_from_stdin_and_checks_it() {
    let s = Sandbox::new();
    let args = [&SMALL[..], &["--password-stdin"]].concat();
    let message = s.fails_stdin(&args, "1234\n", 5);
    assert!(
        message.starts_with("password: ") && message.contains("too short"),
        "{message}"
    );
    assert!(
        items(&s.json(&["user", "list"])).is_empty(),
        "nothing seeded"
    );

    let out = s.ok_stdin(&args, "another-demo-pass\n");
    assert_eq!(key_values(&out)["LOGIN_PASSWORD"], "another-demo-pass");
    assert!(s.can_log_in("admin1@org1.example", "another-demo-pass"));
    assert!(!s.can_log_in("admin1@org1.example", "flowforge-pass-1"));
}

#[test]
fn seed_demo_needs_an_owner_per_organization() {
    let s = Sandbox::new();
    let message = s.fails(&["seed-demo", "--orgs", "1", "--users-per-org", "0"], 5);
    assert!(message.starts_with("users_per_org: "), "{message}");
}

#[test]
fn an_interrupted_seed_is_refused_pointing_to_resume_which_finishes_it() {
    let s = Sandbox::new();
    let ff = s.core("any key");
    let plan = flowforge_core::SeedPlan {
        orgs: 2,
        projects_per_org: 2,
        tasks_per_project: 5,
        users_per_org: 5,
        ..flowforge_core::SeedPlan::default()
    };
    // Killed after its tasks were written but before it could end: its mark stays.
    let killed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        ff.admin()
            .seed_demo(&plan, |_, _| panic!("killed by the test"))
    }));
    assert!(killed.is_err());
    drop(ff);

    let refused = s.fails(&SMALL, 4);
    assert!(
        refused.contains("interrupted after 20 of 20 tasks") && refused.contains("--resume"),
        "{refused}"
    );
    let resume: Vec<&str> = SMALL.iter().copied().chain(["--resume"]).collect();
    let out = s.ok(&resume);
    assert!(out.starts_with("resumed the interrupted run\nseeded 2 organizations, 10 users, 4 projects, 20 tasks in "), "{out}");
    assert_eq!(key_values(&out)["LOGIN_EMAIL"], "owner0@org0.example");
    let nothing = s.fails(&resume, 4);
    assert!(nothing.contains("nothing to resume"), "{nothing}");
    let orgs = s.json(&["org", "list"]);
    assert_eq!(items(&orgs).len(), 2);
}
