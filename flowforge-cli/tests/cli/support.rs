//! Shared fixtures: a sandbox (temporary directory and database) and helpers that run the binary
//! and check the shape of every outcome. A failure is always an exact exit code, one line on
//! stderr, nothing on stdout, and never a panic.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use flowforge_core::{Config, Database, FlowForge};
use serde_json::Value;
use tempfile::TempDir;

/// A password every rule accepts.
pub const PASSWORD: &str = "a-good-password";

/// One test's world: a temporary directory that is the working directory of every run, and the
/// database file `flowforge.db` in it (created by the first command that opens it).
pub struct Sandbox {
    dir: TempDir,
    /// With the `postgres` feature, the commands' database: a schema of its own on the test
    /// PostgreSQL server.
    #[cfg(feature = "postgres")]
    schema: flowforge_core::ScratchSchema,
}

impl Sandbox {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("a temporary directory"),
            #[cfg(feature = "postgres")]
            schema: flowforge_core::ScratchSchema::for_tests().unwrap_or_else(|e| panic!("{e}")),
        }
    }

    /// The temporary directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The database file.
    pub fn db_path(&self) -> PathBuf {
        self.dir().join("flowforge.db")
    }

    /// The database's URL (absolute): the SQLite file, or with the `postgres` feature the
    /// sandbox's PostgreSQL schema.
    pub fn url(&self) -> String {
        #[cfg(feature = "postgres")]
        return self.schema.url().to_owned();
        #[cfg(not(feature = "postgres"))]
        format!("sqlite://{}", self.db_path().display())
    }

    /// The binary with only `PATH` in its environment, run in the sandbox, with no arguments.
    pub fn bare(&self) -> Command {
        let mut cmd = Command::cargo_bin("flowforge").expect("the flowforge binary");
        cmd.env_clear().current_dir(self.dir());
        if let Some(path) = std::env::var_os("PATH") {
            cmd.env("PATH", path);
        }
        cmd
    }

    /// The binary on the sandbox's database with `args`.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = self.bare();
        cmd.arg("--database").arg(self.url()).args(args);
        cmd
    }

    /// The binary on the sandbox's database with `args`, as a process to spawn and watch
    /// (a command that runs until it is stopped).
    pub fn process(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_flowforge"));
        cmd.env_clear()
            .current_dir(self.dir())
            .stdin(std::process::Stdio::null());
        if let Some(path) = std::env::var_os("PATH") {
            cmd.env("PATH", path);
        }
        cmd.arg("--database").arg(self.url()).args(args);
        cmd
    }

    /// Runs `args`, expecting success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        success(&mut self.cmd(args))
    }

    /// Runs `args` with `stdin`, expecting success; returns stdout.
    pub fn ok_stdin(&self, args: &[&str], stdin: &str) -> String {
        success(self.cmd(args).write_stdin(stdin))
    }

    /// Runs `args` with `--json`, expecting success; returns the parsed output.
    pub fn json(&self, args: &[&str]) -> Value {
        let out = success(self.cmd(args).arg("--json"));
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("`{}` printed no JSON ({e}):\n{out}", args.join(" ")))
    }

    /// Runs `args`, expecting exit status `code`; returns the one line of stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        failure(&mut self.cmd(args), code)
    }

    /// Runs `args` with `stdin`, expecting exit status `code`; returns the one line of stderr.
    pub fn fails_stdin(&self, args: &[&str], stdin: &str, code: i32) -> String {
        failure(self.cmd(args).write_stdin(stdin), code)
    }

    /// Creates a user with [`PASSWORD`].
    pub fn user(&self, email: &str) {
        self.ok_stdin(
            &["user", "create", "--email", email, "--password-stdin"],
            &format!("{PASSWORD}\n"),
        );
    }

    /// Creates the user `email` (with [`PASSWORD`]) and the organization `org` they own.
    pub fn owner(&self, email: &str, org: &str) {
        self.ok_stdin(
            &[
                "create-owner",
                "--email",
                email,
                "--org",
                org,
                "--password-stdin",
            ],
            &format!("{PASSWORD}\n"),
        );
    }

    /// The library on the same database, signing with `key`.
    pub fn core(&self, key: &str) -> FlowForge {
        FlowForge::open(&Database::from_url(&self.url()).unwrap(), Config::new(key))
            .expect("the library opens the CLI's database")
    }

    /// Whether `email` can log in with `password`, asked of the library.
    pub fn can_log_in(&self, email: &str, password: &str) -> bool {
        self.core("any key").authenticate(email, password).is_ok()
    }
}

fn describe(cmd: &Command) -> String {
    let args: Vec<String> = cmd
        .get_args()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    format!("flowforge {}", args.join(" "))
}

/// Runs `cmd`, expecting exit status 0 and a clean stderr; returns stdout.
pub fn success(cmd: &mut Command) -> String {
    let name = describe(cmd);
    let out = cmd.output().expect("the binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "`{name}` failed with {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status.code()
    );
    assert_no_panic(&name, &stderr);
    stdout
}

/// Runs `cmd`, expecting exit status `code` (not a usage error), one line `flowforge: ...` on
/// stderr and nothing on stdout; returns the message after the prefix.
pub fn failure(cmd: &mut Command, code: i32) -> String {
    let name = describe(cmd);
    let out = cmd.output().expect("the binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_no_panic(&name, &stderr);
    assert_eq!(
        out.status.code(),
        Some(code),
        "`{name}` exit status\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.is_empty(), "`{name}` printed on failure:\n{stdout}");
    let line = stderr
        .strip_suffix('\n')
        .unwrap_or_else(|| panic!("`{name}`: stderr is not one terminated line: {stderr:?}"));
    assert!(
        !line.is_empty() && !line.contains('\n'),
        "`{name}`: the error is not one line: {stderr:?}"
    );
    line.strip_prefix("flowforge: ")
        .unwrap_or_else(|| panic!("`{name}`: the error lacks the `flowforge: ` prefix: {line:?}"))
        .to_owned()
}

/// Runs `cmd`, expecting clap's usage error (status 2); returns stderr.
pub fn usage_error(cmd: &mut Command) -> String {
    let name = describe(cmd);
    let out = cmd.output().expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_no_panic(&name, &stderr);
    assert_eq!(out.status.code(), Some(2), "`{name}`: stderr:\n{stderr}");
    assert!(out.stdout.is_empty(), "`{name}` printed on a usage error");
    stderr
}

fn assert_no_panic(name: &str, stderr: &str) {
    for sign in ["panicked", "RUST_BACKTRACE", "stack backtrace"] {
        assert!(
            !stderr.contains(sign),
            "`{name}` panicked or printed a backtrace:\n{stderr}"
        );
    }
}

/// The `KEY=value` lines of an output.
pub fn key_values(out: &str) -> HashMap<String, String> {
    out.lines()
        .filter_map(|line| line.split_once('='))
        .filter(|(key, _)| {
            !key.is_empty() && key.chars().all(|c| c.is_ascii_uppercase() || c == '_')
        })
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect()
}

/// The array a `--json` listing printed.
pub fn items(value: &Value) -> &[Value] {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not a JSON array: {value}"))
}

/// The `field` string of every item of a listing.
pub fn strings<'v>(value: &'v Value, pointer: &str) -> Vec<&'v str> {
    items(value)
        .iter()
        .map(|item| {
            item.pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("no string at {pointer} in {item}"))
        })
        .collect()
}

/// Decodes unpadded base64url (RFC 4648 §5), as JWT parts are written.
pub fn base64url(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'-' => 62,
            b'_' => 63,
            _ => panic!("{:?} is not base64url", char::from(c)),
        }
    };
    let mut out = Vec::new();
    for chunk in text.as_bytes().chunks(4) {
        assert!(chunk.len() > 1, "truncated base64url: {text}");
        let bits = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &c)| acc | (value(c) << (18 - 6 * i)));
        let bytes = bits.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

/// The JSON of one JWT part.
pub fn jwt_part(token: &str, index: usize) -> Value {
    let part = token
        .split('.')
        .nth(index)
        .unwrap_or_else(|| panic!("not a JWT: {token}"));
    serde_json::from_slice(&base64url(part)).expect("a JWT part is JSON")
}
