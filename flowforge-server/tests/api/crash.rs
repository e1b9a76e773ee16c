//! Crashes: the built binary is SIGKILLed while several threads create and patch tasks, then
//! started again on the same SQLite file, round after round. After each restart every write
//! the server acknowledged is there (a write in flight when it died may or may not be), the
//! task lists agree with the tasks (counts of filters and searches over the API against a
//! brute-force pass over the rows read with rusqlite), and `PRAGMA integrity_check` is ok.
//!
//! `FLOWFORGE_CRASH_ROUNDS` sets the rounds (default 3, a few seconds); RELIABILITY.md records
//! a longer run and the command that repeats it.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::startup::{command, listening_address};
use crate::support::{PASSWORD, temp_dir};

const SECRET: &str = "a test secret key that is long enough";
const WRITERS: usize = 4;
const STATUSES: [&str; 4] = ["todo", "in_progress", "done", "blocked"];
const PRIORITIES: [&str; 4] = ["low", "medium", "high", "critical"];
/// Words the titles are made of, so that searches match many tasks and few.
const WORDS: [&str; 6] = ["amber", "basalt", "cobalt", "dune", "ember", "fjord"];

/// What a task holds of what the writers set.
#[derive(Debug, Clone, PartialEq, Eq)]
struct State {
    title: String,
    status: usize,
    priority: usize,
}

/// The writes the server acknowledged, and those in flight when it was killed.
#[derive(Default)]
struct Ledger {
    /// Each acknowledged task's last acknowledged state.
    acked: HashMap<String, State>,
    /// A patch in flight at the kill: the task may hold this state instead.
    pending_patches: HashMap<String, State>,
    /// Creates in flight at the kill: each may or may not have been written.
    pending_creates: usize,
    creates: u64,
    patches: u64,
}

/// A small, deterministic source of choices (no two rounds write alike).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// One HTTP/1.1 exchange on a fresh connection; `Err` unless a whole answer came back (of kind
/// `ConnectionRefused` when nothing could be sent).
fn exchange(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> std::io::Result<(u16, Value)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes())?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let incomplete = || std::io::Error::new(ErrorKind::UnexpectedEof, "cut short");
    let (head, body) = answer.split_once("\r\n\r\n").ok_or_else(incomplete)?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(incomplete)?;
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(str::to_owned)
        })
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    if body.len() < length {
        return Err(incomplete());
    }
    let json = serde_json::from_str(body).unwrap_or(Value::Null);
    Ok((status, json))
}

/// The server binary, killed when dropped (so a failing test leaves no process behind).
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    /// SIGKILL, and wait for the end.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts the binary on `db`.
fn start(dir: &Path, db: &Path) -> Server {
    let url = format!("sqlite://{}", db.display());
    let mut child = command(
        dir,
        &[
            ("DEBUG", "false"),
            ("SECRET_KEY", SECRET),
            ("DATABASE_URL", &url),
            ("THROTTLE_ANON", "off"),
            ("THROTTLE_USER", "off"),
            ("THROTTLE_LOGIN", "off"),
            ("RUST_LOG", "error"),
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .expect("the binary starts");
    let addr = listening_address(&mut child);
    Server { child, addr }
}

/// Writes until `stop`: creates tasks, and patches the ones this writer created.
fn write_until(
    addr: SocketAddr,
    token: &str,
    project: &str,
    writer: usize,
    seed: u64,
    stop: &AtomicBool,
    ledger: &Mutex<Ledger>,
) {
    let mut rng = Lcg(seed);
    let mut own: Vec<String> = Vec::new();
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let state = State {
            title: format!(
                "{} {} w{writer} n{n}",
                WORDS[rng.below(WORDS.len())],
                WORDS[rng.below(WORDS.len())]
            ),
            status: rng.below(STATUSES.len()),
            priority: rng.below(PRIORITIES.len()),
        };
        let body = json!({
            "title": state.title,
            "status": STATUSES[state.status],
            "priority": PRIORITIES[state.priority],
        });
        if own.is_empty() || rng.below(10) < 6 {
            let mut body = body;
            body["project"] = json!(project);
            match exchange(addr, "POST", "/api/v1/tasks/", Some(token), Some(&body)) {
                Ok((201, answer)) => {
                    let id = answer["id"].as_str().expect("an id").to_owned();
                    let mut ledger = ledger.lock().unwrap();
                    ledger.acked.insert(id.clone(), state);
                    ledger.creates += 1;
                    own.push(id);
                }
                Ok((status, answer)) => panic!("create answered {status}: {answer}"),
                Err(e) => {
                    if e.kind() != ErrorKind::ConnectionRefused {
                        ledger.lock().unwrap().pending_creates += 1;
                    }
                    return;
                }
            }
        } else {
            let id = own[rng.below(own.len())].clone();
            let path = format!("/api/v1/tasks/{id}/");
            match exchange(addr, "PATCH", &path, Some(token), Some(&body)) {
                Ok((200, _)) => {
                    let mut ledger = ledger.lock().unwrap();
                    ledger.acked.insert(id, state);
                    ledger.patches += 1;
                }
                Ok((status, answer)) => panic!("patch answered {status}: {answer}"),
                Err(e) => {
                    if e.kind() != ErrorKind::ConnectionRefused {
                        ledger.lock().unwrap().pending_patches.insert(id, state);
                    }
                    return;
                }
            }
        }
    }
}

/// The live tasks of the file, read directly: id to state.
fn rows(db: &Path) -> HashMap<String, State> {
    let conn = rusqlite::Connection::open(db).expect("the database opens");
    let mut statement = conn
        .prepare("SELECT id, title, status, priority FROM tasks WHERE deleted_at IS NULL")
        .unwrap();
    let rows = statement
        .query_map([], |r| {
            let rank = |i| r.get::<_, i64>(i).map(|n| usize::try_from(n).unwrap());
            Ok((
                r.get::<_, String>(0)?,
                State {
                    title: r.get(1)?,
                    status: rank(2)?,
                    priority: rank(3)?,
                },
            ))
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

/// Checks the restarted server and its file against what was acknowledged.
fn verify(addr: SocketAddr, token: &str, db: &Path, ledger: &mut Ledger, round: usize) {
    let conn = rusqlite::Connection::open(db).expect("the database opens");
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok", "round {round}: integrity_check");
    let stored = rows(db);

    // Every acknowledged write is there; a write in flight at the kill may be too.
    for (id, state) in &ledger.acked {
        let found = stored
            .get(id)
            .unwrap_or_else(|| panic!("round {round}: acknowledged task {id} is lost"));
        let in_flight = ledger.pending_patches.get(id);
        assert!(
            found == state || Some(found) == in_flight,
            "round {round}: task {id} holds {found:?}, acknowledged {state:?}, in flight {in_flight:?}"
        );
    }
    let extra = stored.len() - ledger.acked.len();
    assert!(
        extra <= ledger.pending_creates,
        "round {round}: {extra} tasks nobody asked for"
    );
    // Writes in flight settle as the file has them: the ledger follows the truth from here.
    for (id, state) in &stored {
        ledger.acked.insert(id.clone(), state.clone());
    }
    ledger.pending_patches.clear();
    ledger.pending_creates = 0;

    // The lists the index answers agree with a brute-force pass over the rows.
    let count = |query: &str| {
        let (status, answer) = exchange(
            addr,
            "GET",
            &format!("/api/v1/tasks/?{query}"),
            Some(token),
            None,
        )
        .expect("the list answers");
        assert_eq!(status, 200, "{query}: {answer}");
        answer["count"].as_u64().expect("a count") as usize
    };
    let brute = |keep: &dyn Fn(&State) -> bool| stored.values().filter(|s| keep(s)).count();
    assert_eq!(count("page_size=1"), stored.len(), "round {round}: all");
    for (rank, status) in STATUSES.iter().enumerate() {
        let query = format!("status={status}");
        assert_eq!(
            count(&query),
            brute(&|s| s.status == rank),
            "round {round}: {query}"
        );
    }
    for (rank, priority) in PRIORITIES.iter().enumerate() {
        let query = format!("priority={priority}&status=done,blocked");
        let expected = brute(&|s| s.priority == rank && s.status >= 2);
        assert_eq!(count(&query), expected, "round {round}: {query}");
    }
    for word in WORDS {
        let query = format!("search={word}");
        assert_eq!(
            count(&query),
            brute(&|s| s.title.contains(word)),
            "round {round}: {query}"
        );
        let two = format!("search={word}+w1&priority=high");
        let expected =
            brute(&|s| s.title.contains(word) && s.title.contains("w1") && s.priority == 2);
        assert_eq!(count(&two), expected, "round {round}: {two}");
    }
}

#[test]
fn every_acknowledged_write_survives_sigkill_and_the_lists_agree_with_the_tasks() {
    let rounds: usize = std::env::var("FLOWFORGE_CRASH_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    let dir = temp_dir();
    let db = dir.path().join("flowforge.db");
    let mut server = start(dir.path(), &db);
    let addr = server.addr;
    let account = json!({"email": "crash@test.example", "password": PASSWORD});
    let (status, _) =
        exchange(addr, "POST", "/api/v1/auth/register/", None, Some(&account)).expect("registered");
    assert_eq!(status, 201);
    let (_, tokens) =
        exchange(addr, "POST", "/api/v1/auth/login/", None, Some(&account)).expect("logged in");
    let token = tokens["access"].as_str().expect("a token").to_owned();
    let (_, org) = exchange(
        addr,
        "POST",
        "/api/v1/organizations/",
        Some(&token),
        Some(&json!({"name": "Crash"})),
    )
    .expect("an organization");
    let (_, project) = exchange(
        addr,
        "POST",
        "/api/v1/projects/",
        Some(&token),
        Some(&json!({"organization": org["id"], "name": "Writes"})),
    )
    .expect("a project");
    let project = project["id"].as_str().expect("a project id").to_owned();

    let mut ledger = Ledger::default();
    let started = Instant::now();
    for round in 0..rounds {
        let addr = server.addr;
        let stop = Arc::new(AtomicBool::new(false));
        let shared = Arc::new(Mutex::new(std::mem::take(&mut ledger)));
        let writers: Vec<_> = (0..WRITERS)
            .map(|writer| {
                let (token, project) = (token.clone(), project.clone());
                let (stop, shared) = (Arc::clone(&stop), Arc::clone(&shared));
                let seed = (round * WRITERS + writer) as u64;
                std::thread::spawn(move || {
                    write_until(addr, &token, &project, writer, seed, &stop, &shared);
                })
            })
            .collect();
        // Kill at a different moment each round, while every writer is busy.
        let mut rng = Lcg(round as u64 + 7);
        std::thread::sleep(Duration::from_millis(300 + rng.below(700) as u64));
        server.kill();
        stop.store(true, Ordering::Relaxed);
        for writer in writers {
            writer.join().expect("a writer thread");
        }
        ledger = Arc::into_inner(shared)
            .expect("the writers are done")
            .into_inner()
            .unwrap();
        server = start(dir.path(), &db);
        println!(
            "round {round}: {} tasks, {} creates and {} patches acknowledged so far, \
             {} creates and {} patches in flight at the kill",
            ledger.acked.len(),
            ledger.creates,
            ledger.patches,
            ledger.pending_creates,
            ledger.pending_patches.len()
        );
        verify(server.addr, &token, &db, &mut ledger, round);
    }
    println!(
        "{rounds} rounds in {:.1} s: {} creates and {} patches acknowledged, none lost",
        started.elapsed().as_secs_f64(),
        ledger.creates,
        ledger.patches
    );
    assert!(
        ledger.creates > 0 && ledger.patches > 0,
        "the writers wrote"
    );
}
