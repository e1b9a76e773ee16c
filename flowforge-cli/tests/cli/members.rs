//! `flowforge member list|add|set-role|remove`, with the last-owner rule.

use crate::support::{Sandbox, items, strings, usage_error};

/// ada owns Acme; bob, cid and dee exist but belong to nothing.
fn acme() -> Sandbox {
    let s = Sandbox::new();
    s.owner("ada@example.com", "Acme");
    for email in ["bob@example.com", "cid@example.com", "dee@example.com"] {
        s.user(email);
    }
    s
}

#[test]
fn add_list_set_role_and_remove_members() {
    let s = acme();
    let added = s.json(&["member", "add", "acme", "bob@example.com", "admin"]);
    assert_eq!(added["user"]["email"], "bob@example.com");
    assert_eq!(added["role"], "admin");
    assert!(added["joined_at"].is_string());
    let table = s.ok(&["member", "add", "acme", "cid@example.com", "member"]);
    assert!(
        table.contains("cid@example.com") && table.contains("member"),
        "{table}"
    );
    // The organization by id works as by slug.
    let id = s.json(&["org", "show", "acme"])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.ok(&["member", "add", &id, "dee@example.com", "viewer"]);
    assert_eq!(s.json(&["org", "show", "acme"])["member_count"], 4);

    let all = s.json(&["member", "list", "acme"]);
    assert_eq!(items(&all).len(), 4);
    let table = s.ok(&["member", "list", &id]);
    for text in [
        "ada@example.com",
        "dee@example.com",
        "viewer",
        "page 1 of 1 (4 in all)",
    ] {
        assert!(table.contains(text), "{text}: {table}");
    }
    let managers = s.json(&["member", "list", "acme", "--role", "owner,admin"]);
    let mut managers = strings(&managers, "/user/email");
    managers.sort_unstable();
    assert_eq!(managers, ["ada@example.com", "bob@example.com"]);
    let viewers = s.json(&["member", "list", "acme", "--role", "viewer"]);
    assert_eq!(strings(&viewers, "/user/email"), ["dee@example.com"]);
    let searched = s.json(&["member", "list", "acme", "--search", "cid"]);
    assert_eq!(strings(&searched, "/user/email"), ["cid@example.com"]);
    let paged = s.json(&["member", "list", "acme", "--page", "2", "--page-size", "3"]);
    assert_eq!(items(&paged).len(), 1);

    let changed = s.json(&["member", "set-role", "acme", "cid@example.com", "admin"]);
    assert_eq!(changed["user"]["email"], "cid@example.com");
    assert_eq!(changed["role"], "admin");
    let table = s.ok(&["member", "set-role", "acme", "dee@example.com", "member"]);
    assert!(
        table.contains("dee@example.com") && table.contains("member"),
        "{table}"
    );
    let admins = s.json(&["member", "list", "acme", "--role", "admin"]);
    assert_eq!(items(&admins).len(), 2);

    let out = s.ok(&["member", "remove", "acme", "dee@example.com"]);
    assert_eq!(out.trim(), "removed dee@example.com from Acme");
    let left = s.json(&["member", "list", "acme"]);
    assert!(!strings(&left, "/user/email").contains(&"dee@example.com"));
    assert_eq!(items(&left).len(), 3);
}

#[test]
fn the_last_owner_cannot_be_removed_or_demoted() {
    let s = acme();
    const RULE: &str = "An organization must keep at least one owner.";
    assert_eq!(
        s.fails(&["member", "remove", "acme", "ada@example.com"], 4),
        RULE
    );
    for role in ["admin", "member", "viewer"] {
        assert_eq!(
            s.fails(&["member", "set-role", "acme", "ada@example.com", role], 4),
            RULE
        );
    }
    let owners = s.json(&["member", "list", "acme", "--role", "owner"]);
    assert_eq!(strings(&owners, "/user/email"), ["ada@example.com"]);

    // With a second owner, the first may step down and then leave; the second is then the last.
    s.ok(&["member", "add", "acme", "bob@example.com", "owner"]);
    s.ok(&["member", "set-role", "acme", "ada@example.com", "admin"]);
    s.ok(&["member", "remove", "acme", "ada@example.com"]);
    assert_eq!(
        s.fails(&["member", "remove", "acme", "bob@example.com"], 4),
        RULE
    );
    let owners = s.json(&["member", "list", "acme", "--role", "owner"]);
    assert_eq!(strings(&owners, "/user/email"), ["bob@example.com"]);
}

#[test]
fn unknown_users_organizations_and_memberships_are_not_found() {
    let s = acme();
    let message = s.fails(
        &["member", "add", "acme", "nobody@example.com", "member"],
        3,
    );
    assert_eq!(message, "No active user has this email.");
    s.ok(&["user", "deactivate", "bob@example.com"]);
    let message = s.fails(&["member", "add", "acme", "bob@example.com", "member"], 3);
    assert_eq!(message, "No active user has this email.");

    for args in [
        &["member", "list", "nope"][..],
        &["member", "add", "nope", "cid@example.com", "member"],
        &["member", "set-role", "nope", "ada@example.com", "admin"],
        &["member", "remove", "nope", "ada@example.com"],
    ] {
        assert_eq!(
            s.fails(args, 3),
            "no organization has the id or slug nope",
            "{args:?}"
        );
    }

    for args in [
        &["member", "set-role", "acme", "cid@example.com", "admin"][..],
        &["member", "remove", "acme", "cid@example.com"],
    ] {
        assert_eq!(
            s.fails(args, 3),
            "cid@example.com is not a member of Acme",
            "{args:?}"
        );
    }
    assert_eq!(
        s.fails(&["member", "remove", "acme", "nobody@example.com"], 3),
        "no user has the email nobody@example.com"
    );
    assert_eq!(
        s.fails(&["member", "list", "acme", "--page", "2"], 3),
        "Invalid page."
    );
}

#[test]
fn adding_a_member_twice_is_a_conflict() {
    let s = acme();
    s.ok(&["member", "add", "acme", "bob@example.com", "member"]);
    let message = s.fails(&["member", "add", "acme", "bob@example.com", "admin"], 4);
    assert!(message.contains("already"), "{message}");
    assert!(
        s.fails(&["member", "add", "acme", "ada@example.com", "viewer"], 4)
            .contains("already")
    );
    let bob = s.json(&["member", "list", "acme", "--search", "bob"]);
    assert_eq!(bob[0]["role"], "member");
}

#[test]
fn an_unknown_role_is_a_usage_error() {
    let s = acme();
    for args in [
        &["member", "add", "acme", "bob@example.com", "emperor"][..],
        &["member", "set-role", "acme", "ada@example.com", "god"],
        &["member", "list", "acme", "--role", "owner,bogus"],
    ] {
        let stderr = usage_error(&mut s.cmd(args));
        assert!(stderr.contains("invalid value"), "{stderr}");
    }
}
