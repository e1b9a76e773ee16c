//! Rates and the sliding window, with no clock and no storage of their own: a rate like
//! `60/minute`, the answer to one check ([`Decision`], with its [`Quota`]), and [`admit`], which
//! decides on a request given the times of a key's earlier admitted requests. The in-memory
//! limiter and the database's shared log both decide with it, so they agree.
//!
//! The semantics are those of Django REST Framework's `SimpleRateThrottle`: each key keeps a
//! sliding-window log of the instants of its admitted requests; no key ever has more than
//! `limit` admitted requests within any `period`; a denied request is not recorded.

use std::cmp::Reverse;
use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The periods a rate may name, with their length.
const PERIODS: [(&str, Duration); 4] = [
    ("second", Duration::from_secs(1)),
    ("minute", Duration::from_secs(60)),
    ("hour", Duration::from_secs(3_600)),
    ("day", Duration::from_secs(86_400)),
];

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

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: Duration = Duration::from_secs(1);

    fn rate(s: &str) -> Rate {
        s.parse().expect("valid rate")
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
}
