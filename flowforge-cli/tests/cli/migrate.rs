//! `flowforge migrate [--status]`.

use crate::support::{Sandbox, items};

#[test]
fn status_lists_the_migrations_as_pending_then_migrate_applies_them_once() {
    let s = Sandbox::new();

    let table = s.ok(&["migrate", "--status"]);
    let row = table
        .lines()
        .find(|line| line.contains("initial"))
        .unwrap_or_else(|| panic!("no initial migration listed:\n{table}"));
    assert!(row.contains("pending"), "{row}");
    let status = s.json(&["migrate", "--status"]);
    let status = items(&status);
    assert_eq!(status[0]["version"], 1);
    assert_eq!(status[0]["name"], "initial");
    assert!(status.iter().all(|m| m["applied"] == false), "{status:?}");
    // SQLite's second migration moved new tasks' search indexing out of a trigger; the next
    // hands lists to the task index; then come the storage probe, refresh-token families, the
    // seeder's run mark, the event log and comments; SQLite's next links task histories; the
    // last stores each organization's member count.
    let known = if cfg!(feature = "postgres") { 8 } else { 10 };
    assert_eq!(status.len(), known, "{status:?}");
    // Each backend has its own list: one line per migration, in order.
    let expected: Vec<String> = status
        .iter()
        .map(|m| format!("applied V{}__{}", m["version"], m["name"].as_str().unwrap()))
        .collect();

    let applied = s.ok(&["migrate"]);
    assert_eq!(applied.lines().collect::<Vec<_>>(), expected);
    assert_eq!(s.ok(&["migrate"]).trim(), "no pending migrations");

    let table = s.ok(&["migrate", "--status"]);
    let row = table.lines().find(|line| line.contains("initial")).unwrap();
    assert!(row.contains("applied") && !row.contains("pending"), "{row}");
    let status = s.json(&["migrate", "--status"]);
    assert!(
        items(&status).iter().all(|m| m["applied"] == true),
        "{status:?}"
    );
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
