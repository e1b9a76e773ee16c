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
fn command(dir: &Path, vars: &[(&str, &str)]) -> Command {
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
    let mut child = command(dir, vars)
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
    assert!(!status.success(), "{setting}: it started anyway");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{setting}: slow to refuse"
    );
    assert!(!stderr.contains("panicked"), "{setting}: {stderr}");
    assert!(!stderr.contains("backtrace"), "{setting}: {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(
        lines.len() == 1,
        "{setting}: one line expected, got:\n{stderr}"
    );
    assert!(
        lines[0].contains(setting),
        "{setting} not named in:\n{stderr}"
    );
    assert!(lines[0].len() < 200, "{setting}: a long message:\n{stderr}");
}

#[test]
fn an_unparsable_rate_stops_the_server_naming_the_setting() {
    assert_refused(&[("THROTTLE_ANON", "lots")], "THROTTLE_ANON");
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

fn in_flight_request_survives_sigterm(child: &mut Child) {
    // Ready when it says where it listens.
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
    let addr: SocketAddr = url.trim().parse().unwrap();

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

    let terminated = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
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
