//! `flowforge org list|show|create|delete`.

use crate::support::{Sandbox, items, strings};

#[test]
fn create_list_show_and_delete_organizations() {
    let s = Sandbox::new();
    s.user("ada@example.com");

    let created = s.json(&[
        "org",
        "create",
        "--name",
        "Beta Team",
        "--owner",
        "ada@example.com",
    ]);
    let beta = &created;
    assert_eq!(beta["name"], "Beta Team");
    assert_eq!(beta["slug"], "beta-team");
    assert_eq!(beta["member_count"], 1);
    assert_eq!(beta["project_count"], 0);
    assert_eq!(beta["task_count"], 0);
    let beta_id = beta["id"].as_str().unwrap().to_owned();

    let table = s.ok(&[
        "org",
        "create",
        "--name",
        "Acme",
        "--slug",
        "acme-corp",
        "--owner",
        "ADA@example.com",
    ]);
    assert!(
        table.contains("Acme") && table.contains("acme-corp"),
        "{table}"
    );

    let listed = s.json(&["org", "list"]);
    assert_eq!(strings(&listed, "/name"), ["Acme", "Beta Team"]);
    assert_eq!(&listed[1], beta);
    let table = s.ok(&["org", "list"]);
    assert!(
        table.contains("acme-corp")
            && table.contains("beta-team")
            && table.contains("page 1 of 1 (2 in all)"),
        "{table}"
    );
    let searched = s.json(&["org", "list", "--search", "beta"]);
    assert_eq!(strings(&searched, "/slug"), ["beta-team"]);

    // By slug and by id alike.
    assert_eq!(&s.json(&["org", "show", "beta-team"]), beta);
    assert_eq!(&s.json(&["org", "show", &beta_id]), beta);
    let table = s.ok(&["org", "show", "acme-corp"]);
    assert!(table.contains("Acme") && !table.contains("Beta"), "{table}");

    let members = s.json(&["member", "list", "acme-corp"]);
    assert_eq!(strings(&members, "/user/email"), ["ada@example.com"]);
    assert_eq!(members[0]["role"], "owner");

    let out = s.ok(&["org", "delete", "acme-corp"]);
    assert!(out.starts_with("deleted organization Acme ("), "{out}");
    let out = s.ok(&["org", "delete", &beta_id]);
    assert_eq!(
        out.trim(),
        format!("deleted organization Beta Team ({beta_id})")
    );
    assert!(items(&s.json(&["org", "list"])).is_empty());
    assert!(s.ok(&["org", "list"]).contains("(0 in all)"));
    assert_eq!(
        s.fails(&["org", "show", &beta_id], 3),
        format!("no organization has the id or slug {beta_id}")
    );
    // The owner outlives their organizations.
    assert_eq!(
        strings(&s.json(&["user", "list"]), "/email"),
        ["ada@example.com"]
    );
}

#[test]
fn deleting_an_organization_deletes_its_projects_and_tasks() {
    let s = Sandbox::new();
    s.ok(&[
        "seed-demo",
        "--orgs",
        "2",
        "--projects-per-org",
        "1",
        "--tasks-per-project",
        "3",
        "--users-per-org",
        "1",
    ]);
    s.ok(&["org", "delete", "org0"]);
    let left = s.json(&["org", "list"]);
    assert_eq!(strings(&left, "/slug"), ["org1"]);
    assert_eq!(left[0]["task_count"], 3);
    s.fails(&["org", "show", "org0"], 3);
}

#[test]
fn an_unknown_organization_is_not_found() {
    let s = Sandbox::new();
    s.owner("ada@example.com", "Acme");
    for key in ["nope", "01a20b07-c3c0-736b-99a4-afce1527af7d"] {
        for args in [&["org", "show", key][..], &["org", "delete", key]] {
            assert_eq!(
                s.fails(args, 3),
                format!("no organization has the id or slug {key}"),
                "{args:?}"
            );
        }
    }
    assert_eq!(items(&s.json(&["org", "list"])).len(), 1);
}

#[test]
fn an_unknown_owner_is_not_found() {
    let s = Sandbox::new();
    let message = s.fails(
        &[
            "org",
            "create",
            "--name",
            "Acme",
            "--owner",
            "nobody@example.com",
        ],
        3,
    );
    assert_eq!(message, "no user has the email nobody@example.com");
}

#[test]
fn a_duplicate_name_or_slug_is_a_conflict_and_a_bad_one_is_invalid() {
    let s = Sandbox::new();
    s.owner("ada@example.com", "Acme");
    let create = |name: &str, slug: Option<&str>, code| {
        let mut args = vec![
            "org",
            "create",
            "--name",
            name,
            "--owner",
            "ada@example.com",
        ];
        if let Some(slug) = slug {
            args.extend(["--slug", slug]);
        }
        s.fails(&args, code)
    };
    assert_eq!(
        create("Acme", None, 4),
        "An organization with this name already exists."
    );
    assert!(
        create("acme", None, 4).contains("name already exists"),
        "names are unique in any case"
    );
    assert!(create("Other", Some("acme"), 4).contains("slug"));
    assert!(create("", None, 5).starts_with("name: "));
    assert!(create("Fine", Some("not a slug!"), 5).starts_with("slug: "));
    assert_eq!(items(&s.json(&["org", "list"])).len(), 1);
}

#[test]
fn a_search_over_the_client_limits_is_refused_naming_it() {
    let s = Sandbox::new();
    let words: Vec<String> = (0..101).map(|n| format!("w{n}x")).collect();
    let line = s.fails(&["org", "list", "--search", &words.join(" ")], 5);
    assert!(
        line.contains("search: Use at most 100 search words."),
        "{line}"
    );
    let line = s.fails(&["user", "list", "--search", &"x".repeat(4_001)], 5);
    assert!(line.contains("search: Ensure this field"), "{line}");
}
