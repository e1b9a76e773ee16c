//! Settings: command-line flags over environment variables over a `.env` file in the working
//! directory, over defaults. A bad value stops the server at start with a message naming it.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use clap::{ArgAction, Parser, ValueEnum};
use flowforge_core::throttle::{Rate, parse_optional_rate};
use flowforge_core::{EventRetention, Synchronous};
use ipnet::IpNet;

use crate::hosts::{HostPattern, parse_host_pattern};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// Everything the server can be told.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "flowforge-server",
    version,
    about = "FlowForge's HTTP API on an SQLite file (or PostgreSQL)."
)]
pub struct Settings {
    /// Debug mode: generates a secret key if none is set (never use in production).
    #[arg(long, env = "DEBUG", default_value = "true", action = ArgAction::Set, value_parser = flowforge_core::parse_flag)]
    pub debug: bool,
    /// The key that signs tokens; required unless DEBUG is true.
    #[arg(long, env = "SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// The database: `sqlite://PATH` (relative to the working directory), `sqlite::memory:` or
    /// `postgres://...` [default: DB_NAME/DB_USER/DB_PASSWORD/DB_HOST/DB_PORT when DB_NAME is
    /// set, else sqlite://flowforge.db]
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// How SQLite makes a commit durable: `normal` (survives a crash of the process; the last
    /// commits may be lost on a power loss) or `full` (synced to disk before it is acknowledged:
    /// survives a power loss, at an fsync per write). PostgreSQL ignores it.
    #[arg(long, env = "SQLITE_SYNCHRONOUS", default_value = "normal", value_parser = Synchronous::parse)]
    pub sqlite_synchronous: Synchronous,
    /// The address to listen on.
    #[arg(long, env = "BIND", default_value = "127.0.0.1:8000")]
    pub bind: SocketAddr,
    /// Lifetime of access tokens (`900`, `900s`, `15m`, `12h`, `7d`).
    #[arg(long, env = "ACCESS_TOKEN_TTL", default_value = "15m", value_parser = parse_duration)]
    pub access_token_ttl: Duration,
    /// Lifetime of refresh tokens.
    #[arg(long, env = "REFRESH_TOKEN_TTL", default_value = "7d", value_parser = parse_duration)]
    pub refresh_token_ttl: Duration,
    /// Requests per client address without a valid token (`N/second|minute|hour|day` or `off`).
    #[arg(long, env = "THROTTLE_ANON", default_value = "60/minute", value_parser = parse_rate)]
    pub throttle_anon: RateSetting,
    /// Requests per authenticated user.
    #[arg(long, env = "THROTTLE_USER", default_value = "1200/minute", value_parser = parse_rate)]
    pub throttle_user: RateSetting,
    /// Login attempts per client address and email.
    #[arg(long, env = "THROTTLE_LOGIN", default_value = "10/minute", value_parser = parse_rate)]
    pub throttle_login: RateSetting,
    /// Whether anyone may register.
    #[arg(long, env = "ALLOW_REGISTRATION", default_value = "true", action = ArgAction::Set, value_parser = flowforge_core::parse_flag)]
    pub allow_registration: bool,
    /// Origins allowed to call the API from a browser, comma-separated (none by default).
    #[arg(
        long,
        env = "CORS_ALLOWED_ORIGINS",
        value_delimiter = ',',
        default_value = ""
    )]
    pub cors_allowed_origins: Vec<String>,
    /// How long a client may take to send a request's headers, or its body; an idle keep-alive
    /// connection is closed after the same time.
    #[arg(long, env = "REQUEST_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: Duration,
    /// The largest request body accepted, in bytes.
    #[arg(long, env = "MAX_BODY_BYTES", default_value = "1048576")]
    pub max_body_bytes: u64,
    /// Log format: `pretty` on a terminal and `json` otherwise, unless set.
    #[arg(long, env = "LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,
    /// Trust the proxy headers of every direct peer, as one proxy (only behind a proxy that sets
    /// them all); TRUSTED_PROXIES names the proxies instead.
    #[arg(long, env = "TRUST_PROXY", default_value = "false", action = ArgAction::Set, value_parser = flowforge_core::parse_flag)]
    pub trust_proxy: bool,
    /// The proxies whose headers are trusted: addresses or CIDRs, comma-separated (none by
    /// default).
    #[arg(long, env = "TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_proxy)]
    pub trusted_proxies: Vec<IpNet>,
    /// The headers a trusted proxy forwards the client's address, scheme and host in.
    #[arg(long, env = "PROXY_HEADERS", value_enum, default_value = "x-forwarded")]
    pub proxy_headers: ProxyHeaders,
    /// The hosts the server answers for, comma-separated: a name or address, `.example.com` for
    /// a domain and its subdomains, `*` for any; the port is not compared [default: 127.0.0.1,
    /// localhost, [::1] and the bind address]
    #[arg(long, env = "ALLOWED_HOSTS", value_delimiter = ',', value_parser = parse_host_pattern)]
    pub allowed_hosts: Vec<HostPattern>,
    /// How long the event log keeps an event, in days, or `forever`; older events are deleted
    /// at start and then every 24 hours.
    #[arg(long, env = "EVENT_RETENTION_DAYS", default_value_t)]
    pub event_retention_days: EventRetention,
    /// Connections open at once; beyond it a new one waits in the listen backlog until one closes
    /// [default: the descriptor limit less 128 (at least half of it), at most 10000]
    #[arg(long, env = "MAX_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: Option<u32>,
    /// How often an open event stream sends a keep-alive comment, and checks that its user may
    /// still follow the log.
    #[arg(long, env = "SSE_KEEPALIVE", default_value = "15s", value_parser = parse_duration)]
    pub sse_keepalive: Duration,
    /// Event streams (`GET /api/v1/events/` as `text/event-stream`) one user may hold open at
    /// once on this instance; one more is `429`.
    #[arg(long, env = "MAX_STREAMS_PER_USER", default_value = "5", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_streams_per_user: u32,
}

/// Which headers carry what a trusted proxy forwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProxyHeaders {
    /// `X-Forwarded-For`, `X-Forwarded-Proto` and `X-Forwarded-Host`.
    XForwarded,
    /// RFC 7239's `Forwarded` (`for=`, `proto=`, `host=`).
    Forwarded,
}

impl Settings {
    /// Reads `.env` (if present) into the environment, then the flags and environment. A bad
    /// value ends the process with one line naming the setting (help and version print as usual).
    pub fn load() -> Self {
        // A missing .env is normal; a malformed one is reported by the values it leaves unset.
        let _ = dotenvy::dotenv();
        Self::try_parse().unwrap_or_else(|e| {
            if matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            ) {
                e.exit();
            }
            let text = e.to_string();
            let line = text
                .lines()
                .next()
                .unwrap_or_default()
                .trim_start_matches("error: ");
            eprintln!("flowforge-server: {line}");
            std::process::exit(2);
        })
    }

    /// The origins CORS allows, without blanks.
    pub fn cors_origins(&self) -> impl Iterator<Item = &str> {
        self.cors_allowed_origins
            .iter()
            .map(|o| o.trim())
            .filter(|o| !o.is_empty())
    }
}

/// A throttle rate, or `off` (`None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateSetting(pub Option<Rate>);

fn parse_rate(text: &str) -> Result<RateSetting, String> {
    parse_optional_rate(text.trim())
        .map(RateSetting)
        .map_err(|e| e.to_string())
}

/// Parses a proxy's address (`10.0.0.7`, `::1`) or network (`10.0.0.0/8`, `fd00::/8`).
fn parse_proxy(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map(|net| net.trunc())
        .map_err(|_| format!("invalid proxy {text:?}: expected an address or a CIDR"))
}

/// Parses `900`, `900s`, `15m`, `12h` or `7d`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let seconds_per = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "invalid duration {text:?}: expected e.g. 900, 900s, 15m, 12h or 7d"
            ));
        }
    };
    let n: u64 = number.parse().map_err(|_| {
        format!("invalid duration {text:?}: expected e.g. 900, 900s, 15m, 12h or 7d")
    })?;
    if n == 0 {
        return Err(format!("invalid duration {text:?}: must be positive"));
    }
    Ok(Duration::from_secs(n.saturating_mul(seconds_per)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_the_units_of_the_settings_table() {
        assert_eq!(parse_duration("900").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_duration("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_duration("7d").unwrap(), Duration::from_secs(604_800));
        for bad in ["", "m", "15x", "-1m", "0"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn flags_override_defaults_and_bad_rates_name_the_setting() {
        let s = Settings::try_parse_from([
            "flowforge-server",
            "--throttle-anon",
            "off",
            "--debug",
            "false",
        ])
        .unwrap();
        assert_eq!(s.throttle_anon, RateSetting(None));
        assert!(!s.debug);
        assert_eq!(
            s.event_retention_days.keep(),
            Some(flowforge_core::DEFAULT_EVENT_RETENTION)
        );
        let s = Settings::try_parse_from(["flowforge-server", "--event-retention-days", "forever"])
            .unwrap();
        assert_eq!(s.event_retention_days.keep(), None);
        let err = Settings::try_parse_from(["flowforge-server", "--event-retention-days", "0"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("--event-retention-days"), "{err}");
        let err = Settings::try_parse_from(["flowforge-server", "--throttle-user", "lots"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("--throttle-user"), "{err}");
    }
}
