//! `flowforge migrate [--status]`.

use crate::support::{Sandbox, items};

#[test]
fn status_lists_the_migration_as_pending_then_migrate_applies_it_once() {
    let s = Sandbox::new();

    let table = s.ok(&["migrate", "--status"]);
    let row = table
        .lines()
        .find(|line| line.contains("initial"))
        .unwrap_or_else(|| panic!("no initial migration listed:\n{table}"));
    assert!(row.contains("pending"), "{row}");
    let status = s.json(&["migrate", "--status"]);
    let status = items(&status);
    assert_eq!(status.len(), 1, "{status:?}");
    assert_eq!(status[0]["version"], 1);
    assert_eq!(status[0]["name"], "initial");
    assert_eq!(status[0]["applied"], false);

    let applied = s.ok(&["migrate"]);
    assert_eq!(applied.trim(), "applied V1__initial");
    assert_eq!(s.ok(&["migrate"]).trim(), "no pending migrations");

    let table = s.ok(&["migrate", "--status"]);
    let row = table.lines().find(|line| line.contains("initial")).unwrap();
    assert!(row.contains("applied") && !row.contains("pending"), "{row}");
    assert_eq!(s.json(&["migrate", "--status"])[0]["applied"], true);
}

#[test]
fn status_changes_nothing() {
    let s = Sandbox::new();
    s.ok(&["migrate", "--status"]);
    s.ok(&["migrate", "--status"]);
    assert_eq!(s.json(&["migrate", "--status"])[0]["applied"], false);
}

#[test]
fn every_other_command_migrates_a_fresh_database_first() {
    let s = Sandbox::new();
    s.user("ada@example.com");
    assert_eq!(s.json(&["migrate", "--status"])[0]["applied"], true);
    assert_eq!(s.ok(&["migrate"]).trim(), "no pending migrations");
}
