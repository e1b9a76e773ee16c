//! Accepting connections without exhausting the process. At most `MAX_CONNECTIONS` are open at
//! once: beyond it the next one waits in the listen backlog until one closes. An accept that
//! fails for want of a resource (descriptors: `EMFILE`, `ENFILE`; memory) pauses accepting, from
//! 10 ms doubling to 1 s, so it neither spins a core nor floods the log, while the connections
//! already open are served on; such failures are logged at most once a second, with a count of
//! those left out.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The default connection cap, whatever the descriptor limit.
const LARGEST_DEFAULT: usize = 10_000;
/// Descriptors the default cap leaves for the database (a pool of up to 16 connections, with
/// SQLite's WAL and shared-memory files), the log, the listener and the runtime.
const HEADROOM: usize = 128;
const FIRST_PAUSE: Duration = Duration::from_millis(10);
const LONGEST_PAUSE: Duration = Duration::from_secs(1);
const LOG_INTERVAL: Duration = Duration::from_secs(1);
/// Connections the kernel completes and holds while none is accepted (at the cap, or paused);
/// the kernel may lower it (`net.core.somaxconn`). The usual 128 would leave the rest of a
/// burst retrying their handshakes, for seconds each.
const BACKLOG: u32 = 1024;

/// Listens on `addr` with a backlog of [`BACKLOG`].
///
/// # Errors
/// The socket's, as `TcpListener::bind` would give them (address in use, not available).
pub fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// The default `MAX_CONNECTIONS`: the soft descriptor limit less [`HEADROOM`] (at least half of
/// it), at most 10,000.
pub fn default_max_connections() -> usize {
    cap_for(descriptor_limit())
}

fn cap_for(limit: Option<u64>) -> usize {
    match limit.map(|n| usize::try_from(n).unwrap_or(usize::MAX)) {
        None => LARGEST_DEFAULT,
        Some(n) => n
            .saturating_sub(HEADROOM)
            .max(n / 2)
            .clamp(1, LARGEST_DEFAULT),
    }
}

/// The soft limit on open descriptors; `None` when unlimited or unknown.
#[cfg(unix)]
fn descriptor_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

#[cfg(not(unix))]
fn descriptor_limit() -> Option<u64> {
    None
}

/// A listener that hands out connections with a slot each.
pub struct Acceptor {
    listener: TcpListener,
    slots: Arc<Semaphore>,
    max: usize,
    pause: Duration,
    failures: LogLimiter,
    full: LogLimiter,
}

impl Acceptor {
    /// Accepts on `listener`, at most `max` connections at once.
    pub fn new(listener: TcpListener, max: usize) -> Self {
        Self {
            listener,
            slots: Arc::new(Semaphore::new(max)),
            max,
            pause: FIRST_PAUSE,
            failures: LogLimiter::default(),
            full: LogLimiter::default(),
        }
    }

    /// The next connection, with its peer and the slot it holds until dropped. Cancel-safe.
    pub async fn accept(&mut self) -> (TcpStream, SocketAddr, OwnedSemaphorePermit) {
        loop {
            let slot = match Arc::clone(&self.slots).try_acquire_owned() {
                Ok(slot) => slot,
                Err(_) => {
                    if let Some(left_out) = self.full.note(Instant::now()) {
                        tracing::warn!(
                            max_connections = self.max,
                            left_out,
                            "connection limit reached; new connections wait until one closes"
                        );
                    }
                    Arc::clone(&self.slots)
                        .acquire_owned()
                        .await
                        .expect("the semaphore is never closed")
                }
            };
            match self.listener.accept().await {
                Ok((stream, peer)) => {
                    self.pause = FIRST_PAUSE;
                    return (stream, peer, slot);
                }
                Err(e) if is_connection_error(&e) => {
                    tracing::debug!(error = %e, "a connection ended before it was accepted");
                }
                Err(e) => {
                    drop(slot);
                    if let Some(left_out) = self.failures.note(Instant::now()) {
                        tracing::warn!(
                            error = %e,
                            left_out,
                            pause_ms = self.pause.as_millis() as u64,
                            "accept failed; pausing before the next accept"
                        );
                    }
                    tokio::time::sleep(self.pause).await;
                    self.pause = (self.pause * 2).min(LONGEST_PAUSE);
                }
            }
        }
    }
}

/// A failure of one incoming connection rather than of the listener or the process.
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
    )
}

/// Lets a repeated event into the log at most once per [`LOG_INTERVAL`], counting the rest.
#[derive(Debug, Default)]
struct LogLimiter {
    last: Option<Instant>,
    left_out: u64,
}

impl LogLimiter {
    /// Whether the event at `now` is logged; if so, with how many were left out since the last.
    fn note(&mut self, now: Instant) -> Option<u64> {
        match self.last {
            Some(last) if now.saturating_duration_since(last) < LOG_INTERVAL => {
                self.left_out += 1;
                None
            }
            _ => {
                self.last = Some(now);
                Some(std::mem::take(&mut self.left_out))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_cap_leaves_headroom_below_the_descriptor_limit() {
        assert_eq!(cap_for(Some(256)), 128);
        assert_eq!(cap_for(Some(1024)), 896);
        assert_eq!(cap_for(Some(100)), 50);
        assert_eq!(cap_for(Some(1)), 1);
        assert_eq!(cap_for(Some(1 << 20)), LARGEST_DEFAULT);
        assert_eq!(cap_for(None), LARGEST_DEFAULT);
        assert!(default_max_connections() >= 1);
    }

    #[test]
    fn a_burst_of_events_is_logged_once_a_second_with_the_count_left_out() {
        let mut limiter = LogLimiter::default();
        let start = Instant::now();
        assert_eq!(limiter.note(start), Some(0));
        for n in 1..1000 {
            assert_eq!(limiter.note(start + Duration::from_micros(n)), None);
        }
        assert_eq!(limiter.note(start + Duration::from_millis(999)), None);
        assert_eq!(limiter.note(start + LOG_INTERVAL), Some(1000));
        assert_eq!(limiter.note(start + LOG_INTERVAL * 2), Some(0));
    }
}
