//! Where the database comes from (`--database`, `DATABASE_URL`, `.env`, the default) and what
//! happens when it cannot be used; usage errors.

use crate::support::{Sandbox, failure, items, success, usage_error};

#[test]
fn a_database_in_a_missing_directory_is_one_clean_line() {
    let s = Sandbox::new();
    let url = "sqlite:///nonexistent-dir/x.db";
    for args in [
        &["migrate"][..],
        &["migrate", "--status"],
        &["user", "list"],
        &["org", "list", "--json"],
        &["seed-demo", "--orgs", "1"],
    ] {
        let message = failure(s.bare().args(["--database", url]).args(args), 5);
        assert!(
            message.starts_with("database_url: Cannot open the database /nonexistent-dir/x.db: "),
            "{args:?}: {message}"
        );
    }
    // In debug mode `token` first needs the key file kept beside the database.
    let message = failure(
        s.bare()
            .args(["--database", url, "token", "--email", "ada@example.com"]),
        5,
    );
    assert!(
        message.starts_with("secret_key: Cannot use the key file /nonexistent-dir/x.db.secret: "),
        "{message}"
    );
    let message = failure(
        s.bare()
            .args(["--database", url, "token", "--email", "ada@example.com"])
            .env("SECRET_KEY", "k"),
        5,
    );
    assert!(
        message.starts_with("database_url: Cannot open"),
        "{message}"
    );
}

#[cfg(not(feature = "postgres"))]
#[test]
fn a_postgres_url_needs_the_postgres_feature() {
    let s = Sandbox::new();
    for args in [&["migrate"][..], &["user", "list"]] {
        let message = failure(
            s.bare()
                .args(["--database", "postgres://flowforge@localhost/flowforge"])
                .args(args),
            5,
        );
        assert!(
            message.contains("no PostgreSQL support") && message.contains("\"postgres\" feature"),
            "{message}"
        );
    }
    let message = failure(
        s.bare()
            .env("DATABASE_URL", "postgresql://localhost/x")
            .arg("migrate"),
        5,
    );
    assert!(message.contains("no PostgreSQL support"), "{message}");
}

#[test]
fn database_url_is_read_from_the_environment_and_the_flag_wins() {
    let s = Sandbox::new();
    success(
        s.bare()
            .env("DATABASE_URL", "sqlite://from-env.db")
            .args([
                "user",
                "create",
                "--email",
                "env@example.com",
                "--password-stdin",
            ])
            .write_stdin("a-good-password\n"),
    );
    assert!(s.dir().join("from-env.db").exists());
    assert!(!s.db_path().exists());

    // The flag overrides the variable.
    let out = success(s.bare().env("DATABASE_URL", "sqlite://from-env.db").args([
        "--database",
        "sqlite://flag.db",
        "user",
        "list",
        "--json",
    ]));
    assert_eq!(out.trim(), "[]");
    let out = success(
        s.bare()
            .env("DATABASE_URL", "sqlite://from-env.db")
            .args(["user", "list", "--json"]),
    );
    assert!(out.contains("env@example.com"), "{out}");
}

#[test]
fn a_dot_env_file_in_the_working_directory_is_read() {
    let s = Sandbox::new();
    std::fs::write(s.dir().join(".env"), "DATABASE_URL=sqlite://dotenv.db\n").unwrap();
    success(s.bare().arg("migrate"));
    assert!(s.dir().join("dotenv.db").exists());
    assert!(!s.dir().join("flowforge.db").exists());
}

#[test]
fn the_default_database_is_flowforge_db_in_the_working_directory() {
    let s = Sandbox::new();
    success(s.bare().arg("migrate"));
    assert!(s.db_path().exists());
    // `--database` may also come after the subcommand, and a relative path is relative to the
    // working directory.
    success(
        s.bare()
            .args(["migrate", "--database", "sqlite://other.db"]),
    );
    assert!(s.dir().join("other.db").exists());
    let listed = success(
        s.bare()
            .args(["org", "list", "--json", "--database", "other.db"]),
    );
    assert!(items(&serde_json::from_str(&listed).unwrap()).is_empty());
}

#[test]
fn usage_errors_exit_2_and_help_documents_the_exit_codes() {
    let s = Sandbox::new();
    usage_error(&mut s.bare());
    usage_error(s.bare().arg("frobnicate"));
    usage_error(s.bare().args(["user", "create"]));
    usage_error(
        s.bare()
            .args(["member", "add", "acme", "ada@example.com", "emperor"]),
    );
    usage_error(s.bare().args([
        "user",
        "create",
        "--email",
        "a@b.example",
        "--password",
        "x",
    ]));
    assert!(!s.db_path().exists(), "a usage error opened the database");

    let help = success(s.bare().arg("--help"));
    for text in [
        "2 usage error",
        "3 not found",
        "4 conflict",
        "5 invalid input",
    ] {
        assert!(help.contains(text), "--help lacks {text:?}:\n{help}");
    }
}
