//! Request throttling: rates like `60/minute`, keys saying who is counted, and a
//! [`Limiter`] that answers "may this request go ahead?" for one rate and many keys.
//!
//! The semantics are those of Django REST Framework's `SimpleRateThrottle`: each key
//! keeps a sliding-window log of the instants of its admitted requests. Invariant:
//! no key ever has more than `limit` admitted requests within any `period`, however
//! many threads ask at once; a denied request is not recorded. Keys whose whole log
//! has left the window are swept away, so memory follows the keys seen recently.
//!
//! A [`Limiter`] counts in this process. [`FlowForge::throttle`](crate::FlowForge::throttle)
//! gives a [`Throttle`] that counts where every process sharing the database sees it (on
//! PostgreSQL, in the database; on SQLite, which one server owns, in memory).

use std::cmp::Reverse;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// The periods a rate may name, with their length.
const PERIODS: [(&str, Duration); 4] = [
    ("second", Duration::from_secs(1)),
    ("minute", Duration::from_secs(60)),
    ("hour", Duration::from_secs(3_600)),
    ("day", Duration::from_secs(86_400)),
];

/// Fewest checks between two sweeps of expired keys.
const SWEEP_MIN: usize = 64;

/// A number of requests allowed per period, written as in DRF: `N/period`.
///
/// `N` is a positive whole number; the period is `second`, `minute`, `hour` or `day`,
/// any prefix of one (`s`, `sec`, `m`, `min`, `h`, `d`...) or its plural, in any case.
/// No spaces or other text are allowed. Displayed in full, e.g. `60/minute`; a
/// period other than those four (only by building a `Rate` by hand) shows as `5/90s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    /// Requests allowed within one period.
    pub limit: u32,
    /// Length of the sliding window.
    pub period: Duration,
}

/// A rate that could not be parsed; its message is fit to show to whoever wrote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid rate {0:?}: expected N/second, N/minute, N/hour or N/day")]
pub struct RateParseError(String);

impl FromStr for Rate {
    type Err = RateParseError;

    /// # Errors
    ///
    /// [`RateParseError`] if the text is not of the form described at [`Rate`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || RateParseError(s.to_owned());
        let (count, unit) = s.split_once('/').ok_or_else(invalid)?;
        if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        let limit = count.parse().ok().filter(|&n| n > 0).ok_or_else(invalid)?;
        let &(_, period) = PERIODS
            .iter()
            .find(|(name, _)| names_period(unit, name))
            .ok_or_else(invalid)?;
        Ok(Self { limit, period })
    }
}

/// Whether `unit` spells the period `name`: a non-empty prefix of it, or its plural.
fn names_period(unit: &str, name: &str) -> bool {
    let unit = unit.to_ascii_lowercase();
    !unit.is_empty() && (name.starts_with(&unit) || unit == format!("{name}s"))
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match PERIODS.iter().find(|(_, period)| *period == self.period) {
            Some((name, _)) => write!(f, "{}/{name}", self.limit),
            None => write!(f, "{}/{:?}", self.limit, self.period),
        }
    }
}

/// Parses a rate setting where `off` (in any case) turns throttling off (`None`).
///
/// # Errors
///
/// [`RateParseError`] if the text is neither `off` nor a valid [`Rate`].
pub fn parse_optional_rate(s: &str) -> Result<Option<Rate>, RateParseError> {
    if s.eq_ignore_ascii_case("off") {
        Ok(None)
    } else {
        s.parse().map(Some)
    }
}

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

/// The numbers behind the `RateLimit-*` and `Retry-After` headers of one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Requests allowed per period (`RateLimit-Limit`).
    pub limit: u32,
    /// Requests still allowed in the window, this one counted (`RateLimit-Remaining`).
    pub remaining: u32,
    /// Time until the oldest request in the window leaves it, freeing a slot
    /// (`RateLimit-Reset`); the whole period when the window is empty.
    pub reset_after: Duration,
    /// On a throttled answer only, how long to wait before trying again (`Retry-After`).
    pub retry_after: Option<Duration>,
}

impl Quota {
    /// [`Quota::reset_after`] in whole seconds, rounded up.
    pub fn reset_secs(&self) -> u64 {
        ceil_secs(self.reset_after)
    }

    /// [`Quota::retry_after`] in whole seconds, rounded up and at least 1;
    /// `None` when the request was allowed.
    pub fn retry_after_secs(&self) -> Option<u64> {
        self.retry_after.map(|wait| ceil_secs(wait).max(1))
    }
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// The answer to one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The request may go ahead and has been recorded.
    Allowed(Quota),
    /// The request must be refused (HTTP 429); nothing was recorded.
    Throttled(Quota),
}

impl Decision {
    /// Whether the request may go ahead.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Self::Allowed(_))
    }

    /// The header values, whichever the answer.
    pub fn quota(&self) -> &Quota {
        match self {
            Self::Allowed(quota) | Self::Throttled(quota) => quota,
        }
    }
}

/// Of the answers given under several rates, the tightest, whose headers to send: a
/// throttled one if any (the longest wait), else the one with the fewest remaining
/// (ties: the smallest limit). `None` only for an empty slice.
pub fn tightest(decisions: &[Decision]) -> Option<&Decision> {
    decisions.iter().min_by_key(|d| {
        let q = d.quota();
        (d.is_allowed(), q.remaining, Reverse(q.retry_after), q.limit)
    })
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

/// Decides on a request at `now` given the times of the key's earlier admitted requests
/// (oldest first, on the same clock): drops the times that left the window, and records `now`
/// if the request is allowed.
pub(crate) fn admit(log: &mut VecDeque<Duration>, now: Duration, rate: Rate) -> Decision {
    let Rate { limit, period } = rate;
    while log
        .front()
        .is_some_and(|t| now.saturating_sub(*t) >= period)
    {
        log.pop_front();
    }
    let allowed = log.len() < limit as usize;
    if allowed {
        log.push_back(now);
    }
    let reset_after = log.front().map_or(period, |&oldest| {
        period.saturating_sub(now.saturating_sub(oldest))
    });
    let remaining = limit.saturating_sub(log.len() as u32);
    let retry_after = (!allowed).then_some(reset_after);
    let quota = Quota {
        limit,
        remaining,
        reset_after,
        retry_after,
    };
    if allowed {
        Decision::Allowed(quota)
    } else {
        Decision::Throttled(quota)
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

    /// Whether the counts are kept in the database (so a check waits on it).
    pub fn is_shared(&self) -> bool {
        !matches!(self.counts, Counts::Local { .. })
    }

    /// Checks a request by `key` made now, recording it if allowed.
    ///
    /// # Errors
    /// [`Error::Internal`](crate::Error::Internal) when the shared counts cannot be read.
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
    fn parses_every_spelling_of_each_period_and_writes_the_full_name() {
        let spellings = [
            (1, "s sec second seconds S"),
            (60, "m min minute minutes Minute"),
            (3_600, "h ho hour hours HOUR"),
            (86_400, "d da day days Day"),
        ];
        for (secs, units) in spellings {
            for unit in units.split(' ') {
                let period = Duration::from_secs(secs);
                assert_eq!(rate(&format!("7/{unit}")), Rate { limit: 7, period });
            }
        }
        assert_eq!(rate("60/min").to_string(), "60/minute");
        assert_eq!(rate("100000/days").to_string(), "100000/day");
        let period = Duration::from_secs(90);
        assert_eq!(Rate { limit: 5, period }.to_string(), "5/90s");
    }

    #[test]
    fn rejects_empty_malformed_zero_and_junk_rates_with_a_readable_message() {
        let bad = ",abc,60,/minute,60/,0/minute,x/minute,-1/minute,+5/minute,1.5/minute,60/week,\
            60/mins,60/minutely, 60/minute,60/minute ,60 / minute,60/minute/x,99999999999/second,off";
        for s in bad.split(',') {
            assert!(s.parse::<Rate>().is_err(), "{s:?} should be rejected");
        }
        let message = "abc".parse::<Rate>().unwrap_err().to_string();
        let expected = r#"invalid rate "abc": expected N/second, N/minute, N/hour or N/day"#;
        assert_eq!(message, expected);
    }

    #[test]
    fn off_in_any_case_turns_throttling_off() {
        assert_eq!(parse_optional_rate("off"), Ok(None));
        assert_eq!(parse_optional_rate("OFF"), Ok(None));
        assert_eq!(parse_optional_rate("5/h"), Ok(Some(rate("5/hour"))));
        assert!(parse_optional_rate("of").is_err());
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
    fn tightest_prefers_a_throttled_decision_then_the_fewest_remaining() {
        let quota = |limit, remaining, wait: Option<u64>| Quota {
            limit,
            remaining,
            reset_after: SEC,
            retry_after: wait.map(Duration::from_secs),
        };
        let roomy = Decision::Allowed(quota(100, 90, None));
        let tight = Decision::Allowed(quota(10, 2, None));
        let tighter = Decision::Allowed(quota(5, 2, None));
        let short = Decision::Throttled(quota(1000, 0, Some(3)));
        let long = Decision::Throttled(quota(1000, 0, Some(30)));
        assert_eq!(tightest(&[]), None);
        assert_eq!(tightest(&[roomy, tight, tighter]), Some(&tighter));
        assert_eq!(tightest(&[roomy, short, tight, long]), Some(&long));
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
