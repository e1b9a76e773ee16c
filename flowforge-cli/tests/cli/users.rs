//! `flowforge user create|list|show|set-password|deactivate|activate`.

use crate::support::{PASSWORD, Sandbox, failure, items, strings, success};

fn create(s: &Sandbox, email: &str, full_name: &str, password: &str) -> serde_json::Value {
    let out = success(
        s.cmd(&[
            "user",
            "create",
            "--email",
            email,
            "--full-name",
            full_name,
            "--password-stdin",
            "--json",
        ])
        .write_stdin(format!("{password}\n")),
    );
    serde_json::from_str(&out).expect("JSON")
}

#[test]
fn create_list_and_show_users() {
    let s = Sandbox::new();
    let created = create(&s, "  Ada@Example.COM ", "Ada Lovelace", PASSWORD);
    let created = &created;
    assert_eq!(created["email"], "ada@example.com");
    assert_eq!(created["full_name"], "Ada Lovelace");
    assert_eq!(created["is_active"], true);
    assert!(created["id"].as_str().is_some_and(|id| id.len() == 36));
    assert!(created.get("password").is_none() && created.get("password_hash").is_none());

    let table = s.ok_stdin(
        &[
            "user",
            "create",
            "--email",
            "bob@example.com",
            "--password-stdin",
        ],
        "another-password\n",
    );
    assert!(
        table.contains("bob@example.com") && table.contains("true"),
        "{table}"
    );

    let listed = s.json(&["user", "list"]);
    assert_eq!(
        strings(&listed, "/email"),
        ["ada@example.com", "bob@example.com"]
    );
    assert_eq!(&listed[0], created);
    let table = s.ok(&["user", "list"]);
    assert!(
        table.contains("ada@example.com")
            && table.contains("Ada Lovelace")
            && table.contains("page 1 of 1 (2 in all)"),
        "{table}"
    );
    let searched = s.json(&["user", "list", "--search", "lovelace"]);
    assert_eq!(strings(&searched, "/email"), ["ada@example.com"]);
    let paged = s.json(&["user", "list", "--page", "2", "--page-size", "1"]);
    assert_eq!(strings(&paged, "/email"), ["bob@example.com"]);
    assert!(
        s.ok(&["user", "list", "--page-size", "1"])
            .contains("page 1 of 2 (2 in all)")
    );
    let message = s.fails(&["user", "list", "--page", "3", "--page-size", "1"], 3);
    assert_eq!(message, "Invalid page.");

    let shown = s.json(&["user", "show", "ADA@example.com"]);
    assert_eq!(&shown, created);
    let table = s.ok(&["user", "show", "bob@example.com"]);
    assert!(
        table.contains("bob@example.com") && !table.contains("ada@"),
        "{table}"
    );

    assert!(s.can_log_in("ada@example.com", PASSWORD));
    assert!(s.can_log_in("bob@example.com", "another-password"));
}

#[test]
fn create_reads_flowforge_password() {
    let s = Sandbox::new();
    success(
        s.cmd(&["user", "create", "--email", "ada@example.com"])
            .env("FLOWFORGE_PASSWORD", "env-password"),
    );
    assert!(s.can_log_in("ada@example.com", "env-password"));
    // --password-stdin wins over the variable.
    success(
        s.cmd(&[
            "user",
            "create",
            "--email",
            "bob@example.com",
            "--password-stdin",
        ])
        .env("FLOWFORGE_PASSWORD", "env-password")
        .write_stdin("stdin-password\n"),
    );
    assert!(s.can_log_in("bob@example.com", "stdin-password"));
    let message = s.fails(&["user", "create", "--email", "cid@example.com"], 2);
    assert!(message.contains("--password-stdin"), "{message}");
}

#[test]
fn a_duplicate_email_is_a_conflict() {
    let s = Sandbox::new();
    s.user("ada@example.com");
    for email in ["ada@example.com", "ADA@Example.com"] {
        let message = s.fails_stdin(
            &["user", "create", "--email", email, "--password-stdin"],
            "some-other-password\n",
            4,
        );
        assert_eq!(message, "A user with this email already exists.");
    }
    assert!(
        s.can_log_in("ada@example.com", PASSWORD),
        "the first account is intact"
    );
}

#[test]
fn a_weak_password_or_bad_input_is_invalid_and_names_the_rule() {
    let s = Sandbox::new();
    let cases = [
        (
            "ada@example.com",
            "short",
            "password: This password is too short. It must contain at least 8 characters.",
        ),
        (
            "ada@example.com",
            "1234567890",
            "password: This password is entirely numeric.",
        ),
        (
            "longname@example.com",
            "LongName",
            "password: The password may not be the email address or its local part.",
        ),
        (
            "not-an-email",
            PASSWORD,
            "email: Enter a valid email address.",
        ),
    ];
    for (email, password, expected) in cases {
        let message = s.fails_stdin(
            &["user", "create", "--email", email, "--password-stdin"],
            &format!("{password}\n"),
            5,
        );
        assert_eq!(message, expected, "{email} / {password}");
    }
    assert!(items(&s.json(&["user", "list"])).is_empty());
}

#[test]
fn set_password_changes_it_and_checks_the_rules() {
    let s = Sandbox::new();
    s.user("ada@example.com");
    let out = s.ok_stdin(
        &[
            "user",
            "set-password",
            "ada@example.com",
            "--password-stdin",
        ],
        "a-new-password\n",
    );
    assert_eq!(
        out.trim(),
        "password of ada@example.com changed; their sessions are signed out"
    );
    assert!(s.can_log_in("ada@example.com", "a-new-password"));
    assert!(!s.can_log_in("ada@example.com", PASSWORD));

    success(
        s.cmd(&["user", "set-password", "ada@example.com"])
            .env("FLOWFORGE_PASSWORD", "from-the-env"),
    );
    assert!(s.can_log_in("ada@example.com", "from-the-env"));

    let message = s.fails_stdin(
        &[
            "user",
            "set-password",
            "ada@example.com",
            "--password-stdin",
        ],
        "tiny\n",
        5,
    );
    assert!(message.contains("at least 8 characters"), "{message}");
    let message = s.fails_stdin(
        &[
            "user",
            "set-password",
            "ada@example.com",
            "--password-stdin",
        ],
        "ada\n",
        5,
    );
    assert!(message.contains("may not be the email"), "{message}");
    assert!(s.can_log_in("ada@example.com", "from-the-env"), "unchanged");
}

#[test]
fn a_refresh_token_dies_with_a_password_change() {
    let s = Sandbox::new();
    s.user("ada@example.com");
    let pair = s.core("k").login("ada@example.com", PASSWORD).unwrap();
    s.ok_stdin(
        &[
            "user",
            "set-password",
            "ada@example.com",
            "--password-stdin",
        ],
        "a-new-password\n",
    );
    assert!(s.core("k").refresh(&pair.refresh).is_err());
}

#[test]
fn deactivate_and_activate() {
    let s = Sandbox::new();
    s.user("ada@example.com");
    let pair = s.core("k").login("ada@example.com", PASSWORD).unwrap();

    let out = s.ok(&["user", "deactivate", "ada@example.com"]);
    assert_eq!(out.trim(), "ada@example.com deactivated");
    assert_eq!(
        s.json(&["user", "show", "ada@example.com"])["is_active"],
        false
    );
    assert!(!s.can_log_in("ada@example.com", PASSWORD));
    assert!(s.core("k").authenticate_token(&pair.access).is_err());
    assert!(s.core("k").refresh(&pair.refresh).is_err());
    // Deactivating twice is harmless.
    s.ok(&["user", "deactivate", "ada@example.com"]);

    let out = s.ok(&["user", "activate", "ada@example.com"]);
    assert_eq!(out.trim(), "ada@example.com activated");
    assert_eq!(
        s.json(&["user", "show", "ada@example.com"])["is_active"],
        true
    );
    assert!(s.can_log_in("ada@example.com", PASSWORD));
}

#[test]
fn an_unknown_user_is_not_found() {
    let s = Sandbox::new();
    s.user("ada@example.com");
    for args in [
        &["user", "show", "nobody@example.com"][..],
        &["user", "deactivate", "nobody@example.com"],
        &["user", "activate", "nobody@example.com"],
    ] {
        assert_eq!(
            s.fails(args, 3),
            "no user has the email nobody@example.com",
            "{args:?}"
        );
    }
    let message = failure(
        s.cmd(&[
            "user",
            "set-password",
            "nobody@example.com",
            "--password-stdin",
        ])
        .write_stdin("a-good-password\n"),
        3,
    );
    assert_eq!(message, "no user has the email nobody@example.com");
}
