//! Request throttling: keys saying who is counted, and a [`Limiter`] that answers "may this
//! request go ahead?" for one [`Rate`] and many keys. The rates and the window's decision are
//! those of the `rate` module, re-exported here.
//!
//! Invariant: no key ever has more than `limit` admitted requests within any `period`, however
//! many threads ask at once; a denied request is not recorded. Keys whose whole log has left
//! the window are swept away, so memory follows the keys seen recently.
//!
//! A [`Limiter`] counts in this process. [`FlowForge::throttle`](crate::FlowForge::throttle)
//! gives a [`Throttle`] that counts where every process sharing the database sees it (on
//! PostgreSQL, in the database; on SQLite, which one server owns, in memory).

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::rate::admit;
pub use crate::rate::{Decision, Quota, Rate, RateParseError, parse_optional_rate, tightest};

/// Fewest checks between two sweeps of expired keys.
const SWEEP_MIN: usize = 64;

/// Who a request is counted against. Keys of different kinds never collide.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ThrottleKey {
    /// The client's network address (anonymous requests).
    Address(IpAddr),
    /// An authenticated user, by an opaque identifier chosen by the caller.
    User(String),
    /// Login attempts for one email from one address; build it with [`ThrottleKey::login`].
    Login {
        /// The client's network address.
        address: IpAddr,
        /// The email tried, lowercased.
        email: String,
    },
}

impl ThrottleKey {
    /// The key for login attempts on `email` from `address`; the email is normalized as
    /// login normalizes it (trimmed, lowercased), so that every spelling that reaches one
    /// account shares one count.
    pub fn login(address: IpAddr, email: &str) -> Self {
        let email = crate::user::normalize_email(email);
        Self::Login { address, email }
    }
}

/// One rate applied to many keys, counted in this process. `Send + Sync`: share it behind
/// an `Arc`.
#[derive(Debug)]
pub struct Limiter {
    rate: Rate,
    /// The instant logged times are measured from.
    origin: Instant,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Times (since `origin`) of admitted requests per key, oldest first.
    history: HashMap<ThrottleKey, VecDeque<Duration>>,
    /// Checks left before the next sweep of expired keys.
    until_sweep: usize,
}

impl Limiter {
    /// A limiter admitting `rate.limit` requests per `rate.period` for each key.
    pub fn new(rate: Rate) -> Self {
        let state = Mutex::default();
        let origin = Instant::now();
        Self {
            rate,
            origin,
            state,
        }
    }

    /// Checks a request by `key` made now, recording it if allowed.
    pub fn check(&self, key: &ThrottleKey) -> Decision {
        let mut state = self.lock();
        // Read the clock under the lock so each key's log stays in order.
        let now = Instant::now();
        self.decide(&mut state, key, now)
    }

    /// Checks a request by `key` made at `now`, recording it if allowed. For tests
    /// and replays: instants should not go backwards.
    pub fn check_at(&self, key: &ThrottleKey, now: Instant) -> Decision {
        self.decide(&mut self.lock(), key, now)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // `decide` cannot panic halfway through an update, so a poisoned state is
        // still consistent: recover it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn decide(&self, state: &mut State, key: &ThrottleKey, now: Instant) -> Decision {
        let now = now.saturating_duration_since(self.origin);
        let period = self.rate.period;
        state.until_sweep = state.until_sweep.saturating_sub(1);
        if state.until_sweep == 0 {
            // Amortised O(1): the sweep costs O(keys) and the next one waits as many checks.
            state
                .history
                .retain(|_, log| log.back().is_some_and(|t| now.saturating_sub(*t) < period));
            state.until_sweep = state.history.len().max(SWEEP_MIN);
        }
        admit(
            state.history.entry(key.clone()).or_default(),
            now,
            self.rate,
        )
    }

    #[cfg(test)]
    fn key_count(&self) -> usize {
        self.lock().history.len()
    }
}

/// One rate applied to many keys, counted where every server on the database sees it; make
/// one with [`FlowForge::throttle`](crate::FlowForge::throttle).
pub struct Throttle {
    counts: Counts,
}

enum Counts {
    Local {
        name: String,
        limiter: Limiter,
    },
    #[cfg(feature = "postgres")]
    Shared {
        store: crate::store::Store,
        name: String,
        rate: Rate,
    },
}

impl Throttle {
    pub(crate) fn local(name: &str, rate: Rate) -> Self {
        let (name, limiter) = (name.to_owned(), Limiter::new(rate));
        Self {
            counts: Counts::Local { name, limiter },
        }
    }

    #[cfg(feature = "postgres")]
    pub(crate) fn shared(store: crate::store::Store, name: &str, rate: Rate) -> Self {
        let name = name.to_owned();
        Self {
            counts: Counts::Shared { store, name, rate },
        }
    }

    /// Checks a request by `key` made now, recording it if allowed.
    ///
    /// # Errors
    /// The store's error when the shared counts cannot be read or written
    /// ([`Error::Unavailable`](crate::Error::Unavailable) when the storage refuses).
    pub fn check(&self, key: &ThrottleKey) -> crate::Result<Decision> {
        match &self.counts {
            Counts::Local { limiter, .. } => Ok(limiter.check(key)),
            #[cfg(feature = "postgres")]
            Counts::Shared { store, name, rate } => store.throttle(name, &key.to_string(), *rate),
        }
    }
}

impl fmt::Debug for Throttle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.counts {
            Counts::Local { name, limiter } => f
                .debug_tuple("Throttle::Local")
                .field(name)
                .field(&limiter.rate)
                .finish(),
            #[cfg(feature = "postgres")]
            Counts::Shared { name, rate, .. } => f
                .debug_tuple("Throttle::Shared")
                .field(name)
                .field(rate)
                .finish(),
        }
    }
}

/// The key as stored by a shared throttle: its kind, then its parts, separated by spaces
/// (an address has none, so the email after it may hold anything).
impl fmt::Display for ThrottleKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ThrottleKey::Address(address) => write!(f, "address {address}"),
            ThrottleKey::User(user) => write!(f, "user {user}"),
            ThrottleKey::Login { address, email } => write!(f, "login {address} {email}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const SEC: Duration = Duration::from_secs(1);

    fn rate(s: &str) -> Rate {
        s.parse().expect("valid rate")
    }

    fn addr(n: u8) -> ThrottleKey {
        ThrottleKey::Address(IpAddr::V4(Ipv4Addr::new(10, 0, 0, n)))
    }

    /// (allowed, remaining, reset seconds, retry-after seconds): the headers' values.
    fn headers(decision: Decision) -> (bool, u32, u64, Option<u64>) {
        let q = decision.quota();
        (
            decision.is_allowed(),
            q.remaining,
            q.reset_secs(),
            q.retry_after_secs(),
        )
    }

    #[test]
    fn denies_past_the_limit_says_when_to_retry_and_frees_slots_as_the_window_slides() {
        let limiter = Limiter::new(rate("2/minute"));
        let t0 = Instant::now();
        let check = |secs: u32| headers(limiter.check_at(&addr(1), t0 + SEC * secs));
        assert_eq!(check(0), (true, 1, 60, None));
        assert_eq!(check(20), (true, 0, 40, None));
        assert_eq!(check(30), (false, 0, 30, Some(30)));
        assert_eq!(check(59), (false, 0, 1, Some(1)));
        // The first request leaves the window after exactly one period; denials left no trace.
        assert_eq!(check(60), (true, 0, 20, None));
        assert_eq!(check(79), (false, 0, 1, Some(1)));
        assert_eq!(check(80), (true, 0, 40, None));
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds_and_is_never_zero() {
        let limiter = Limiter::new(rate("1/minute"));
        let t0 = Instant::now();
        limiter.check_at(&addr(1), t0);
        let denied = limiter.check_at(&addr(1), t0 + Duration::from_millis(59_999));
        assert_eq!(denied.quota().retry_after, Some(Duration::from_millis(1)));
        assert_eq!(headers(denied), (false, 0, 1, Some(1)));
        let denied = limiter.check_at(&addr(1), t0 + Duration::from_millis(500));
        assert_eq!(headers(denied), (false, 0, 60, Some(60)));
        let never = Limiter::new(Rate {
            limit: 0,
            period: Duration::ZERO,
        });
        assert_eq!(headers(never.check(&addr(1))), (false, 0, 0, Some(1)));
    }

    #[test]
    fn admits_exactly_the_limit_under_concurrency() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Limiter>();
        let limiter = Limiter::new(rate("500/minute"));
        let key = ThrottleKey::User("u-1".into());
        let allowed: usize = std::thread::scope(|scope| {
            let checks = || {
                (0..200)
                    .filter(|_| limiter.check(&key).is_allowed())
                    .count()
            };
            let workers: Vec<_> = (0..8).map(|_| scope.spawn(checks)).collect();
            workers.into_iter().map(|w| w.join().expect("worker")).sum()
        });
        assert_eq!(allowed, 500);
    }

    #[test]
    fn distinct_keys_are_counted_independently() {
        let limiter = Limiter::new(rate("1/hour"));
        let ip = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let keys = [
            ThrottleKey::Address(ip),
            addr(2),
            ThrottleKey::User(ip.to_string()),
            ThrottleKey::login(ip, "10.0.0.1"),
        ];
        let t0 = Instant::now();
        let allowed = |key: &ThrottleKey| limiter.check_at(key, t0).is_allowed();
        assert!(keys.iter().all(allowed));
        assert!(!keys.iter().any(allowed));
    }

    #[test]
    fn login_key_ignores_the_case_of_the_email() {
        let key = |email| ThrottleKey::login(IpAddr::V4(Ipv4Addr::LOCALHOST), email);
        assert_eq!(key("Ann@X.ORG"), key("ann@x.org"));
        let limiter = Limiter::new(rate("1/minute"));
        assert!(limiter.check(&key("ANN@x.org")).is_allowed());
        assert!(!limiter.check(&key("ann@X.org")).is_allowed());
    }

    #[test]
    fn sweeps_away_keys_whose_history_has_expired() {
        let limiter = Limiter::new(rate("5/second"));
        let t0 = Instant::now();
        for n in 0..=255 {
            limiter.check_at(&addr(n), t0);
        }
        assert_eq!(limiter.key_count(), 256);
        let user = ThrottleKey::User("steady".into());
        for _ in 0..=256 {
            limiter.check_at(&user, t0 + SEC);
        }
        assert_eq!(limiter.key_count(), 1);
    }

    #[test]
    fn login_keys_normalize_the_email_as_login_does() {
        let address = IpAddr::from([127, 0, 0, 1]);
        assert_eq!(
            ThrottleKey::login(address, "  Ada@X.org "),
            ThrottleKey::login(address, "ada@x.org")
        );
    }
}
