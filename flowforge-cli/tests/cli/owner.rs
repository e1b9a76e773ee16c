//! `flowforge create-owner`: the first thing a new installation needs.

use crate::support::{PASSWORD, Sandbox, failure, items, strings, success};

#[test]
fn create_owner_reads_the_password_from_stdin_and_creates_user_and_org() {
    let s = Sandbox::new();
    let out = s.ok_stdin(
        &[
            "create-owner",
            "--email",
            "ada@example.com",
            "--org",
            "Acme Inc",
            "--full-name",
            "Ada Lovelace",
            "--password-stdin",
        ],
        "a-good-password\n",
    );
    assert!(
        out.starts_with("created organization Acme Inc (")
            && out.contains("owned by ada@example.com"),
        "{out}"
    );

    let orgs = s.json(&["org", "list"]);
    let orgs = items(&orgs);
    assert_eq!(orgs.len(), 1);
    assert_eq!(orgs[0]["name"], "Acme Inc");
    assert_eq!(orgs[0]["slug"], "acme-inc");
    assert_eq!(orgs[0]["member_count"], 1);
    let id = orgs[0]["id"].as_str().unwrap();
    assert!(
        out.contains(id),
        "the printed id is the organization's: {out}"
    );

    let members = s.json(&["member", "list", "acme-inc"]);
    assert_eq!(strings(&members, "/user/email"), ["ada@example.com"]);
    assert_eq!(members[0]["role"], "owner");
    assert_eq!(members[0]["user"]["full_name"], "Ada Lovelace");
    assert!(s.can_log_in("ada@example.com", PASSWORD));
}

#[test]
fn create_owner_for_an_existing_user_creates_another_org_without_a_password() {
    let s = Sandbox::new();
    s.owner("ada@example.com", "Acme");
    // No stdin, no FLOWFORGE_PASSWORD, no terminal: an existing user needs no password.
    let out = s.ok(&[
        "create-owner",
        "--email",
        "ada@example.com",
        "--org",
        "Beta",
    ]);
    assert!(out.contains("created organization Beta"), "{out}");

    let orgs = s.json(&["org", "list"]);
    assert_eq!(strings(&orgs, "/name"), ["Acme", "Beta"]);
    let members = s.json(&["member", "list", "beta", "--role", "owner"]);
    assert_eq!(strings(&members, "/user/email"), ["ada@example.com"]);
    assert_eq!(items(&s.json(&["user", "list"])).len(), 1);
    assert!(
        s.can_log_in("ada@example.com", PASSWORD),
        "the password is unchanged"
    );
}

#[test]
fn create_owner_reads_flowforge_password() {
    let s = Sandbox::new();
    success(
        s.cmd(&[
            "create-owner",
            "--email",
            "ada@example.com",
            "--org",
            "Acme",
        ])
        .env("FLOWFORGE_PASSWORD", "from-the-environment"),
    );
    assert!(s.can_log_in("ada@example.com", "from-the-environment"));
}

#[test]
fn create_owner_without_a_password_source_off_a_terminal_fails_clearly() {
    let s = Sandbox::new();
    let message = s.fails(
        &[
            "create-owner",
            "--email",
            "ada@example.com",
            "--org",
            "Acme",
        ],
        2,
    );
    assert!(
        message.contains("no password")
            && message.contains("--password-stdin")
            && message.contains("FLOWFORGE_PASSWORD"),
        "{message}"
    );
    assert!(items(&s.json(&["user", "list"])).is_empty());
    assert!(items(&s.json(&["org", "list"])).is_empty());
}

#[test]
fn create_owner_applies_the_password_rules() {
    let s = Sandbox::new();
    let args = [
        "create-owner",
        "--email",
        "ada@example.com",
        "--org",
        "Acme",
        "--password-stdin",
    ];
    let message = s.fails_stdin(&args, "short\n", 5);
    assert_eq!(
        message,
        "password: This password is too short. It must contain at least 8 characters."
    );
    let message = failure(
        s.cmd(&args[..5]).env("FLOWFORGE_PASSWORD", "12345678901"),
        5,
    );
    assert_eq!(message, "password: This password is entirely numeric.");
    // An empty standard input is an empty password, not a hang or a panic.
    let message = s.fails_stdin(&args, "", 5);
    assert!(message.contains("too short"), "{message}");
    assert!(items(&s.json(&["user", "list"])).is_empty());
    assert!(items(&s.json(&["org", "list"])).is_empty());
}

#[test]
fn create_owner_strips_only_the_line_ending_from_stdin() {
    let s = Sandbox::new();
    s.ok_stdin(
        &[
            "create-owner",
            "--email",
            "ada@example.com",
            "--org",
            "Acme",
            "--password-stdin",
        ],
        " spaced password \r\nsecond line ignored\n",
    );
    assert!(s.can_log_in("ada@example.com", " spaced password "));
}

#[test]
fn create_owner_rejects_a_bad_email_and_a_taken_org_name() {
    let s = Sandbox::new();
    let message = s.fails_stdin(
        &[
            "create-owner",
            "--email",
            "not-an-email",
            "--org",
            "Acme",
            "--password-stdin",
        ],
        "a-good-password\n",
        5,
    );
    assert_eq!(message, "email: Enter a valid email address.");
    s.owner("ada@example.com", "Acme");
    let message = s.fails(
        &[
            "create-owner",
            "--email",
            "ada@example.com",
            "--org",
            "Acme",
        ],
        4,
    );
    assert!(message.contains("already exists"), "{message}");
}

#[test]
fn a_refused_organization_leaves_no_new_user_behind() {
    let s = Sandbox::new();
    s.owner("ada@example.com", "Acme");
    let message = s.fails_stdin(
        &[
            "create-owner",
            "--email",
            "grace@example.com",
            "--org",
            "ACME",
            "--password-stdin",
        ],
        "a-good-password\n",
        4,
    );
    assert!(message.contains("already exists"), "{message}");
    s.fails(&["user", "show", "grace@example.com"], 3);
}
