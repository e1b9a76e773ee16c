//! Connections that try to exhaust the server. Always run: beyond `MAX_CONNECTIONS` a new
//! connection waits until one closes. Ignored by a plain `cargo test` (they hold hundreds of
//! connections for seconds) and run by `.ci/run`, one at a time: the abuse suite, on loopback and
//! bounded in time, against the built binary. Descriptor exhaustion under `ulimit -n 256` (the
//! accept loop pauses and logs about once a second, its CPU time stays low, open connections are
//! served on, and with the default cap new ones wait instead of failing), and slow clients (a
//! normal client's p99 with hundreds of idle and one-byte-a-second connections open). Each
//! prints its figures; `ABUSE_SECONDS` (default 3, at most 60) sets how long each phase lasts.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::startup::listening_address;
use crate::support::{TestApp, temp_dir};

const BINARY: &str = env!("CARGO_BIN_EXE_flowforge-server");
const BOUND: Duration = Duration::from_secs(10);
/// The descriptor limit of the exhaustion runs, below the connections they open.
const ULIMIT: u32 = 256;
const IDLE: usize = 300;
const TRICKLING: usize = 200;

fn get(path: &str, extra: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n")
}

#[tokio::test]
async fn beyond_max_connections_a_new_connection_waits_until_one_closes() {
    let app = TestApp::spawn(&["--max-connections", "2"]).await;
    let addr = app.addr;
    // Plain sockets on the blocking pool, while the runtime serves.
    tokio::task::spawn_blocking(move || {
        let connect = || {
            let stream = TcpStream::connect(addr).unwrap();
            stream.set_read_timeout(Some(BOUND)).unwrap();
            stream
        };
        let mut open: Vec<TcpStream> = (0..2).map(|_| connect()).collect();
        for stream in &mut open {
            assert_eq!(exchange(stream, &get("/healthz", "")).0, 200);
        }
        let mut waiting = connect();
        let request = get("/healthz", "Connection: close\r\n");
        waiting.write_all(request.as_bytes()).unwrap();
        waiting
            .set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let mut answer = Vec::new();
        let early = waiting.read_to_end(&mut answer);
        assert!(
            early.is_err() && answer.is_empty(),
            "answered while both slots were taken: {early:?} {}",
            String::from_utf8_lossy(&answer)
        );
        drop(open.pop());
        waiting.set_read_timeout(Some(BOUND)).unwrap();
        waiting.read_to_end(&mut answer).unwrap();
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    })
    .await
    .unwrap();
    app.stop().await;
}

/// How long each phase of the suite lasts.
fn phase() -> Duration {
    let seconds = std::env::var("ABUSE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3u64);
    Duration::from_secs(seconds.clamp(1, 60))
}

/// The built server, in a temporary directory, under a descriptor limit if asked, with its JSON
/// log collected as it comes; killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    log: Arc<Mutex<Vec<serde_json::Value>>>,
    _dir: TempDir,
}

impl Server {
    fn start(ulimit: Option<u32>, vars: &[(&str, &str)]) -> Server {
        let dir = temp_dir();
        let limit = ulimit.map_or_else(String::new, |n| format!("ulimit -n {n} && "));
        let mut child = Command::new("sh")
            .args(["-c", &format!("{limit}exec \"$0\""), BINARY])
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .envs([
                ("BIND", "127.0.0.1:0"),
                ("DEBUG", "false"),
                ("SECRET_KEY", "a test secret key that is long enough"),
                ("LOG_FORMAT", "json"),
                ("RUST_LOG", "warn,flowforge_server::serve=info"),
                ("THROTTLE_ANON", "off"),
                ("THROTTLE_USER", "off"),
                ("THROTTLE_LOGIN", "off"),
                // Idle connections are the point here: the header timeout must not end them.
                ("REQUEST_TIMEOUT", "5m"),
            ])
            .envs(vars.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().unwrap();
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(value) = serde_json::from_str(&line) {
                    lines.lock().unwrap().push(value);
                }
            }
        });
        let addr = listening_address(&mut child);
        Server {
            child,
            addr,
            log,
            _dir: dir,
        }
    }

    /// User and system CPU time so far, in clock ticks.
    fn cpu_ticks(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        let after_name = &stat[stat.rfind(')').unwrap() + 1..];
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        // Fields 14 and 15 of proc(5), counted from the state (field 3).
        fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
    }

    /// The log lines whose message starts with `message`.
    fn lines(&self, message: &str) -> Vec<serde_json::Value> {
        let log = self.log.lock().unwrap();
        log.iter()
            .filter(|line| {
                line["fields"]["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with(message))
            })
            .cloned()
            .collect()
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect_timeout(&self.addr, BOUND).expect("a connection");
        stream.set_read_timeout(Some(BOUND)).unwrap();
        stream
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100)
}

/// Sends `request` on a keep-alive connection and reads the answer; its status and body.
fn exchange(stream: &mut TcpStream, request: &str) -> (u16, String) {
    stream.write_all(request.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok());
    (
        status.unwrap_or_else(|| panic!("no status in {status_line:?}")),
        String::from_utf8_lossy(&body).into_owned(),
    )
}

fn post(path: &str, body: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// Opens `n` connections that send nothing.
fn idle(server: &Server, n: usize) -> Vec<TcpStream> {
    (0..n).map(|_| server.connect()).collect()
}

#[test]
#[ignore = "the abuse suite: .ci/run runs it"]
fn descriptor_exhaustion_pauses_accepting_and_the_server_recovers() {
    let hold = phase();
    // A cap above the descriptor limit, as a misconfiguration would set it: accepts must fail.
    let server = Server::start(Some(ULIMIT), &[("MAX_CONNECTIONS", "1000")]);
    let mut open = server.connect();
    assert_eq!(exchange(&mut open, &get("/healthz", "")).0, 200);
    let cpu_before = server.cpu_ticks();
    let connections = idle(&server, IDLE);
    std::thread::sleep(hold);
    let cpu = server.cpu_ticks() - cpu_before;
    let failures = server.lines("accept failed");
    assert_eq!(
        exchange(&mut open, &get("/healthz", "")).0,
        200,
        "an open connection is served while accepts fail"
    );
    drop(connections);
    let mut fresh = server.connect();
    let (status, _) = exchange(&mut fresh, &get("/healthz", ""));
    assert_eq!(status, 200, "a new connection is served once they closed");

    let left_out: u64 = failures
        .iter()
        .filter_map(|line| line["fields"]["left_out"].as_u64())
        .sum();
    let hold_ticks = hold.as_secs() * ticks_per_second();
    println!(
        "abuse: {IDLE} idle connections over `ulimit -n {ULIMIT}` for {hold:?}: {} accept-failure \
         log lines ({left_out} failures left out), server CPU {cpu} ticks of {hold_ticks}; \
         open connection served, new connection served after they closed",
        failures.len()
    );
    assert!(!failures.is_empty(), "the descriptors never ran out");
    assert!(
        failures.len() as u64 <= hold.as_secs() + 2,
        "more than one accept-failure line a second: {}",
        failures.len()
    );
    assert!(
        cpu * 4 < hold_ticks,
        "the accept loop spun: {cpu} ticks of CPU in {hold_ticks}"
    );
}

#[test]
#[ignore = "the abuse suite: .ci/run runs it"]
fn with_the_default_cap_new_connections_wait_instead_of_failing() {
    let hold = phase();
    let server = Server::start(Some(ULIMIT), &[]);
    let cpu_before = server.cpu_ticks();
    let connections = idle(&server, IDLE);
    let mut waiting = server.connect();
    waiting
        .write_all(get("/healthz", "Connection: close\r\n").as_bytes())
        .unwrap();
    waiting.set_read_timeout(Some(hold)).unwrap();
    let mut answer = Vec::new();
    let early = waiting.read_to_end(&mut answer);
    assert!(
        early
            .as_ref()
            .is_err_and(|e| matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)),
        "answered while the cap was reached: {early:?} {answer:?}"
    );
    let cpu = server.cpu_ticks() - cpu_before;
    drop(connections);
    waiting.set_read_timeout(Some(BOUND)).unwrap();
    waiting.read_to_end(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");

    let cap = server.lines("accepting connections")[0]["fields"]["max_connections"].clone();
    let failures = server.lines("accept failed");
    let full = server.lines("connection limit reached");
    println!(
        "abuse: default cap under `ulimit -n {ULIMIT}`: MAX_CONNECTIONS {cap}; {IDLE} idle \
         connections: {} accept failures, {} limit-reached log lines, server CPU {cpu} ticks in \
         {hold:?}; the connection over the cap waited and was served once they closed",
        failures.len(),
        full.len()
    );
    assert!(failures.is_empty(), "{failures:?}");
    assert!(!full.is_empty(), "the cap was never reached");
}

/// The `q` quantile of `samples` (sorted here), in milliseconds.
fn quantile(samples: &mut [Duration], q: f64) -> f64 {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * q).round() as usize;
    samples[index].as_secs_f64() * 1000.0
}

/// Requests `request` back to back on `stream` for `length`; each one's latency.
fn measure(stream: &mut TcpStream, request: &str, length: Duration) -> Vec<Duration> {
    let mut samples = Vec::new();
    let start = Instant::now();
    while start.elapsed() < length {
        let sent = Instant::now();
        assert_eq!(exchange(stream, request).0, 200);
        samples.push(sent.elapsed());
    }
    samples
}

#[test]
#[ignore = "the abuse suite: .ci/run runs it"]
fn slow_clients_leave_a_normal_clients_p99_within_twice_its_own() {
    let hold = phase();
    let server = Server::start(None, &[]);
    let mut client = server.connect();
    let credentials = r#"{"email": "normal@abuse.test", "password": "correct horse battery"}"#;
    assert_eq!(
        exchange(&mut client, &post("/api/v1/auth/register/", credentials)).0,
        201
    );
    let (status, tokens) = exchange(&mut client, &post("/api/v1/auth/login/", credentials));
    assert_eq!(status, 200);
    let tokens: serde_json::Value = serde_json::from_str(&tokens).unwrap();
    let auth = format!(
        "Authorization: Bearer {}\r\n",
        tokens["access"].as_str().unwrap()
    );
    let request = get("/api/v1/tasks/", &auth);

    let mut without = measure(&mut client, &request, hold);
    let connections = idle(&server, IDLE);
    let trickling = Arc::new(Mutex::new(idle(&server, TRICKLING)));
    let writer = {
        let trickling = Arc::clone(&trickling);
        std::thread::spawn(move || {
            let bytes = get("/api/v1/", "");
            for byte in bytes.as_bytes().iter().cycle() {
                for stream in trickling.lock().unwrap().iter_mut() {
                    // A stream the server has closed just stops counting.
                    let _ = stream.write_all(&[*byte]);
                }
                std::thread::sleep(Duration::from_secs(1));
                if Arc::strong_count(&trickling) == 1 {
                    break;
                }
            }
        })
    };
    let mut with = measure(&mut client, &request, hold);
    drop(connections);
    drop(trickling);
    writer.join().unwrap();
    without.extend(measure(&mut client, &request, hold));

    let (base_p50, base_p99) = (quantile(&mut without, 0.5), quantile(&mut without, 0.99));
    let (slow_p50, slow_p99) = (quantile(&mut with, 0.5), quantile(&mut with, 0.99));
    println!(
        "abuse: slow clients ({IDLE} idle and {TRICKLING} one-byte-a-second connections, \
         {hold:?}): GET /api/v1/tasks/ p50 {slow_p50:.2} ms, p99 {slow_p99:.2} ms over {} \
         requests; without them p50 {base_p50:.2} ms, p99 {base_p99:.2} ms over {}",
        with.len(),
        without.len()
    );
    // Twice the p99, plus a millisecond for the timer noise of a busy machine.
    assert!(
        slow_p99 <= 2.0 * base_p99 + 1.0,
        "p99 {slow_p99:.2} ms with slow clients, {base_p99:.2} ms without"
    );
}
