//! `EVENT_RETENTION_DAYS`: the built binary prunes the event log by it at start (then daily),
//! logging how many events it deleted, and keeps the events younger than the retention.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use flowforge_core::{ActivityQuery, Config, Database, FlowForge, NewOrg, NewUser};

use crate::startup::command;
use crate::support::temp_dir;

const SECRET: &str = "a test secret key that is long enough";

/// Starts the binary on `url` with `retention` (unset: the default) and returns the fields of
/// its first log record about pruning; then kills it.
fn first_prune_record(
    dir: &std::path::Path,
    url: &str,
    retention: Option<&str>,
) -> serde_json::Value {
    let mut vars = vec![
        ("DEBUG", "false"),
        ("SECRET_KEY", SECRET),
        ("DATABASE_URL", url),
    ];
    if let Some(retention) = retention {
        vars.push(("EVENT_RETENTION_DAYS", retention));
    }
    let mut child = command(dir, &vars)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let record = loop {
        let Ok(line) = rx.recv_timeout(Duration::from_secs(10)) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("no log record about pruning the event log");
        };
        let Ok(record) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        let message = record["fields"]["message"].as_str().unwrap_or_default();
        if message.contains("event log") {
            break record["fields"].clone();
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    record
}

#[test]
fn the_server_prunes_by_the_retention_at_start_and_keeps_younger_events() {
    let dir = temp_dir();
    let path = dir.path().join("flowforge.db");
    let url = format!("sqlite://{}", path.display());
    let ff = FlowForge::open(&Database::File(path.clone()), Config::new(SECRET)).unwrap();
    let owner = ff
        .admin()
        .create_user(&NewUser {
            email: "ada@example.com".into(),
            password: "correct horse battery".into(),
            full_name: String::new(),
        })
        .unwrap();
    let org = ff
        .admin()
        .create_organization(
            owner.id,
            &NewOrg {
                name: "Acme".into(),
                slug: None,
            },
        )
        .unwrap();
    let logged = |ff: &FlowForge| {
        ff.admin()
            .organization_events(org.id, &ActivityQuery::default())
            .unwrap()
            .count
    };
    let events = logged(&ff);
    assert_eq!(
        events, 2,
        "organization.created and the owner's member.added"
    );
    drop(ff);

    let record = first_prune_record(dir.path(), &url, None);
    assert_eq!(record["message"], "pruned the event log");
    assert_eq!(
        (record["deleted"].as_u64(), record["days"].as_u64()),
        (Some(0), Some(90))
    );
    let record = first_prune_record(dir.path(), &url, Some("7"));
    assert_eq!(
        (record["deleted"].as_u64(), record["days"].as_u64()),
        (Some(0), Some(7))
    );
    let record = first_prune_record(dir.path(), &url, Some("forever"));
    assert_eq!(
        record["message"],
        "EVENT_RETENTION_DAYS is forever: the event log is not pruned"
    );

    let ff = FlowForge::open(&Database::File(path), Config::new(SECRET)).unwrap();
    assert_eq!(logged(&ff), events, "younger events are kept");
}
