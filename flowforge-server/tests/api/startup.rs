//! The built binary: a bad setting stops it at start with one short message naming the setting
//! (no panic, no backtrace), and SIGTERM lets a request in flight finish before it exits 0.
//! Each child runs in a temporary directory with a cleared environment, so neither the
//! developer's variables nor a `.env` file can leak in, and under a time bound.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::temp_dir;

const BINARY: &str = env!("CARGO_BIN_EXE_flowforge-server");
const BOUND: Duration = Duration::from_secs(10);
const SECRET: &str = "a test secret key that is long enough";

/// The binary in `dir` with nothing in its environment but PATH and `vars`.
pub(crate) fn command(dir: &Path, vars: &[(&str, &str)]) -> Command {
    let mut command = Command::new(BINARY);
    command
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("LOG_FORMAT", "json")
        // An ephemeral port, so that no test depends on 8000 being free.
        .env("BIND", "127.0.0.1:0")
        .envs(vars.iter().copied())
        .stdin(Stdio::null());
    command
}

/// Waits for the child at most `BOUND`, killing it if it overruns.
fn wait_bounded(child: &mut Child) -> ExitStatus {
    let deadline = Instant::now() + BOUND;
    loop {
        if let Some(status) = child.try_wait().expect("the child can be waited on") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("flowforge-server did not exit within {BOUND:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Runs the binary to its end; returns its status and stderr.
fn run_to_exit(dir: &Path, vars: &[(&str, &str)]) -> (ExitStatus, String) {
    run_command_to_exit(&mut command(dir, vars))
}

/// Runs `command` to its end; returns its status and stderr.
fn run_command_to_exit(command: &mut Command) -> (ExitStatus, String) {
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let status = wait_bounded(&mut child);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (status, stderr)
}

#[track_caller]
fn assert_refused(vars: &[(&str, &str)], setting: &str) {
    let dir = temp_dir();
    std::fs::write(dir.path().join("not-a-directory"), b"").unwrap();
    let started = Instant::now();
    let (status, stderr) = run_to_exit(dir.path(), vars);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{setting}: slow to refuse"
    );
    assert_one_line_refusal(status, &stderr, setting);
}

/// Asserts a failed exit whose stderr is one short line naming `setting` (besides log records);
/// returns that line.
#[track_caller]
fn assert_one_line_refusal(status: ExitStatus, stderr: &str, setting: &str) -> String {
    assert!(!status.success(), "{setting}: it started anyway");
    assert!(!stderr.contains("panicked"), "{setting}: {stderr}");
    assert!(!stderr.contains("backtrace"), "{setting}: {stderr}");
    // The log's records (JSON) may come before it; the refusal is the one line that is not one.
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('{'))
        .collect();
    assert!(
        lines.len() == 1,
        "{setting}: one line expected, got:\n{stderr}"
    );
    assert!(
        lines[0].contains(setting),
        "{setting} not named in:\n{stderr}"
    );
    assert!(lines[0].len() < 200, "{setting}: a long message:\n{stderr}");
    lines[0].to_owned()
}

#[test]
fn an_unparsable_rate_stops_the_server_naming_the_setting() {
    assert_refused(&[("THROTTLE_ANON", "lots")], "THROTTLE_ANON");
}

#[test]
fn an_ambiguous_event_retention_stops_the_server_naming_the_setting() {
    assert_refused(&[("EVENT_RETENTION_DAYS", "0")], "EVENT_RETENTION_DAYS");
}

#[test]
fn production_mode_without_a_secret_key_stops_the_server() {
    assert_refused(&[("DEBUG", "false")], "SECRET_KEY");
}

#[test]
fn an_unreadable_database_stops_the_server() {
    assert_refused(
        &[
            ("SECRET_KEY", SECRET),
            ("DATABASE_URL", "sqlite://not-a-directory/flowforge.db"),
        ],
        "DATABASE_URL",
    );
}

#[test]
fn a_database_it_cannot_write_stops_the_server_naming_the_path_and_the_reason() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;

    let dir = temp_dir();
    let path = dir.path().join("flowforge.db");
    // An open handle keeps the WAL files beside the database, as a server killed mid-run leaves
    // them; SQLite then opens the read-only file without a complaint, and only a write fails.
    let holder = flowforge_core::FlowForge::open(
        &flowforge_core::Database::File(path.clone()),
        flowforge_core::Config::new(SECRET),
    )
    .expect("a database");
    let mode = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    mode(&path, 0o444);
    for wal_file in ["flowforge.db-wal", "flowforge.db-shm"] {
        mode(&dir.path().join(wal_file), 0o666);
    }
    mode(dir.path(), 0o755);
    let url = format!("sqlite://{}", path.display());
    let mut server = command(
        dir.path(),
        &[
            ("DEBUG", "false"),
            ("SECRET_KEY", SECRET),
            ("DATABASE_URL", &url),
        ],
    );
    // Root writes a read-only file all the same: run the server as nobody then.
    if std::fs::OpenOptions::new().write(true).open(&path).is_ok() {
        server.uid(65534).gid(65534);
    }
    let (status, stderr) = run_command_to_exit(&mut server);
    drop(holder);
    let line = assert_one_line_refusal(status, &stderr, "DATABASE_URL");
    assert!(
        line.contains(&path.display().to_string()),
        "the path is not named: {line}"
    );
    assert!(line.contains("readonly"), "the reason is not said: {line}");
}

#[test]
fn a_taken_bind_address_stops_the_server() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    assert_refused(&[("SECRET_KEY", SECRET), ("BIND", &address)], "BIND");
}

/// Reads one HTTP/1.1 head (through the blank line) from `stream`.
fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut byte).expect("the server answers");
        assert!(n == 1, "the connection closed mid-head: {head:?}");
        head.push(byte[0]);
    }
    String::from_utf8(head).unwrap()
}

fn exchange(addr: SocketAddr, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(BOUND)).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

fn post(addr: SocketAddr, path: &str, body: &str, extra_headers: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n{extra_headers}\r\n{body}",
        body.len()
    )
}

#[test]
fn sigterm_lets_a_request_in_flight_finish_then_exits_zero() {
    let dir = temp_dir();
    let mut child = command(
        dir.path(),
        &[
            ("DEBUG", "false"),
            ("SECRET_KEY", SECRET),
            ("RUST_LOG", "warn"),
        ],
    )
    .args(["--bind", "127.0.0.1:0"])
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .expect("the binary starts");
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        in_flight_request_survives_sigterm(&mut child)
    }));
    if result.is_err() {
        let _ = child.kill();
        let _ = child.wait();
    }
    result.unwrap();
    let status = wait_bounded(&mut child);
    assert_eq!(status.code(), Some(0), "exit after a graceful shutdown");
}

/// Waits for the child to say where it listens (its first line on stdout) and returns that.
pub(crate) fn listening_address(child: &mut Child) -> SocketAddr {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let line = rx.recv_timeout(BOUND).expect("the listening line");
    let url = line
        .strip_prefix("FlowForge is listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"));
    url.trim().parse().unwrap()
}

fn send_sigterm(child: &Child) {
    let terminated = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
}

fn in_flight_request_survives_sigterm(child: &mut Child) {
    let addr = listening_address(child);

    let credentials = r#"{"email": "late@shutdown.test", "password": "correct horse battery"}"#;
    let registered = exchange(addr, &post(addr, "/api/v1/auth/register/", credentials, ""));
    assert!(registered.starts_with("HTTP/1.1 201 "), "{registered}");

    // A login whose body the server is waiting for: in flight for as long as we like.
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(BOUND)).unwrap();
    let request = post(
        addr,
        "/api/v1/auth/login/",
        credentials,
        "Expect: 100-continue\r\n",
    );
    let (head, body) = request.split_at(request.len() - credentials.len());
    stream.write_all(head.as_bytes()).unwrap();
    let continue_head = read_head(&mut stream);
    assert!(
        continue_head.starts_with("HTTP/1.1 100 "),
        "{continue_head}"
    );

    send_sigterm(child);
    // Shutting down means no longer accepting.
    let deadline = Instant::now() + BOUND;
    while TcpStream::connect(addr).is_ok() {
        assert!(Instant::now() < deadline, "still accepting after SIGTERM");
        std::thread::sleep(Duration::from_millis(5));
    }

    stream.write_all(body.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    assert!(answer.contains("\"token_type\":\"Bearer\""), "{answer}");
}

/// The JSON body of a whole `Connection: close` answer, after checking its status.
#[track_caller]
fn body_of(answer: &str, status: u16) -> serde_json::Value {
    assert!(
        answer.starts_with(&format!("HTTP/1.1 {status} ")),
        "expected {status}: {answer}"
    );
    let (_, body) = answer.split_once("\r\n\r\n").expect("a head and a body");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"))
}

#[test]
fn passwords_and_tokens_never_reach_the_log_even_at_debug_level() {
    let dir = temp_dir();
    let mut child = command(
        dir.path(),
        &[
            ("DEBUG", "false"),
            ("SECRET_KEY", SECRET),
            ("LOG_FORMAT", "json"),
            ("RUST_LOG", "debug"),
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("the binary starts");
    // Drain stderr as it comes, so a chatty log can never fill the pipe and stall the server.
    let mut stderr = child.stderr.take().unwrap();
    let log = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let password = "Zebra-Quartz-Password-7731";
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let tokens = drive_requests_with_secrets(&mut child, password);
        send_sigterm(&child);
        tokens
    }));
    let (access, refresh, refreshed) = match result {
        Ok(tokens) => tokens,
        Err(panic) => {
            let _ = child.kill();
            let _ = child.wait();
            std::panic::resume_unwind(panic);
        }
    };
    let status = wait_bounded(&mut child);
    assert_eq!(status.code(), Some(0), "exit after SIGTERM");
    let log = log.join().unwrap();

    for (what, secret) in [
        ("the password", password),
        ("the access token", access.as_str()),
        ("the refresh token", refresh.as_str()),
        ("the rotated access token", refreshed.0.as_str()),
        ("the rotated refresh token", refreshed.1.as_str()),
    ] {
        assert!(!log.contains(secret), "{what} is in the log:\n{log}");
    }
    // The password's case-folded and URL-encoded forms must not show either.
    assert!(!log.to_lowercase().contains(&password.to_lowercase()));

    let log_records: Vec<serde_json::Value> = log
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .collect();
    let requests: Vec<&serde_json::Value> = log_records
        .iter()
        .filter(|line| line["fields"]["message"] == "request")
        .collect();
    let seen: Vec<(String, String, u64)> = requests
        .iter()
        .map(|line| {
            let fields = &line["fields"];
            (
                fields["method"].as_str().unwrap_or_default().to_owned(),
                fields["path"].as_str().unwrap_or_default().to_owned(),
                fields["status"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    let expected = [
        ("POST", "/api/v1/auth/register/", 201),
        ("POST", "/api/v1/auth/login/", 200),
        ("GET", "/api/v1/auth/me/", 200),
        ("POST", "/api/v1/auth/refresh/", 200),
        ("GET", "/api/v1/organizations/", 200),
        ("POST", "/api/v1/auth/refresh/", 401),
    ]
    .map(|(m, p, s)| (m.to_owned(), p.to_owned(), s));
    assert_eq!(seen, expected, "one request line per request:\n{log}");
    // The reuse of the rotated refresh token is logged, naming the user but no token.
    let reuses: Vec<&serde_json::Value> = log_records
        .iter()
        .filter(|line| {
            line["fields"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("refresh token was presented again"))
        })
        .collect();
    assert_eq!(reuses.len(), 1, "one reuse record:\n{log}");
    assert_eq!(reuses[0]["level"], "WARN");
    assert!(reuses[0]["fields"]["user"].is_string(), "{}", reuses[0]);
}

/// Registers, logs in, uses and refreshes the tokens, searches for the password, and presents
/// the rotated refresh token again; returns the access and refresh tokens and the rotated pair.
fn drive_requests_with_secrets(
    child: &mut Child,
    password: &str,
) -> (String, String, (String, String)) {
    let addr = listening_address(child);
    let credentials = format!(r#"{{"email": "quiet@log.test", "password": "{password}"}}"#);
    let registered = exchange(
        addr,
        &post(addr, "/api/v1/auth/register/", &credentials, ""),
    );
    body_of(&registered, 201);

    let login = exchange(addr, &post(addr, "/api/v1/auth/login/", &credentials, ""));
    let pair = body_of(&login, 200);
    let access = pair["access"].as_str().unwrap().to_owned();
    let refresh = pair["refresh"].as_str().unwrap().to_owned();

    let get = |path: &str, token: &str| {
        format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
             Connection: close\r\n\r\n"
        )
    };
    let me = exchange(addr, &get("/api/v1/auth/me/", &access));
    assert_eq!(body_of(&me, 200)["email"], "quiet@log.test");

    let body = format!(r#"{{"refresh": "{refresh}"}}"#);
    let refreshed = exchange(addr, &post(addr, "/api/v1/auth/refresh/", &body, ""));
    let rotated = body_of(&refreshed, 200);
    let rotated = (
        rotated["access"].as_str().unwrap().to_owned(),
        rotated["refresh"].as_str().unwrap().to_owned(),
    );

    let search = exchange(
        addr,
        &get(
            &format!("/api/v1/organizations/?search={password}"),
            &rotated.0,
        ),
    );
    assert_eq!(body_of(&search, 200)["count"], 0);

    // The first refresh token again, after its rotation: a reuse, refused and logged.
    let reused = exchange(addr, &post(addr, "/api/v1/auth/refresh/", &body, ""));
    assert!(reused.starts_with("HTTP/1.1 401 "), "{reused}");
    (access, refresh, rotated)
}
