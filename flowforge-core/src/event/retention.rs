//! How long the event log keeps an event, as the `EVENT_RETENTION_DAYS` setting writes it: a
//! whole number of days, or `forever`. The server and the CLI both read the setting with this one
//! parser and hand the result to [`Config::event_retention`](crate::Config::event_retention).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::DEFAULT_EVENT_RETENTION;

/// Seconds in a day, the unit of retention.
pub const SECONDS_PER_DAY: u64 = 24 * 3600;
/// A hundred years: longer is `forever` (and keeps the cut-off a date both backends store).
pub const MAX_RETENTION_DAYS: u64 = 36_500;

/// A retention setting: `90` (days, at least 1) or `forever` (keep every event). `0` is refused
/// rather than guessed at: it could as well mean "keep nothing" as "keep everything".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRetention {
    /// Whole days; `None` keeps every event.
    days: Option<u64>,
}

impl EventRetention {
    /// Keeps every event.
    pub const FOREVER: Self = Self { days: None };

    /// How long an event is kept (`None`: forever), as [`Config::event_retention`](crate::Config::event_retention) takes it.
    pub fn keep(self) -> Option<Duration> {
        self.days
            .map(|days| Duration::from_secs(days.saturating_mul(SECONDS_PER_DAY)))
    }
}

impl Default for EventRetention {
    /// [`DEFAULT_EVENT_RETENTION`]: 90 days.
    fn default() -> Self {
        Self {
            days: Some(DEFAULT_EVENT_RETENTION.as_secs() / SECONDS_PER_DAY),
        }
    }
}

impl FromStr for EventRetention {
    type Err = String;

    /// Reads `90` or `forever` (in any case, blanks around it ignored).
    fn from_str(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        if trimmed.eq_ignore_ascii_case("forever") {
            return Ok(Self::FOREVER);
        }
        match trimmed.parse::<u64>() {
            Ok(days) if (1..=MAX_RETENTION_DAYS).contains(&days) => Ok(Self { days: Some(days) }),
            Ok(0) => Err(format!(
                "invalid retention {text:?}: write `forever` to keep every event \
                 (0 days is ambiguous)"
            )),
            _ => Err(format!(
                "invalid retention {text:?}: expected a number of days from 1 to {MAX_RETENTION_DAYS}, \
                 or `forever`"
            )),
        }
    }
}

impl fmt::Display for EventRetention {
    /// The setting's text: `90` or `forever`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.days {
            Some(days) => write!(f, "{days}"),
            None => f.write_str("forever"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_or_forever_are_read_and_shown_back_and_zero_is_refused() {
        assert_eq!(EventRetention::default().to_string(), "90");
        assert_eq!(
            EventRetention::default().keep(),
            Some(DEFAULT_EVENT_RETENTION)
        );
        let week: EventRetention = " 7 ".parse().unwrap();
        assert_eq!(week.keep(), Some(Duration::from_secs(7 * SECONDS_PER_DAY)));
        assert_eq!(week.to_string(), "7");
        for forever in ["forever", "FOREVER", " Forever "] {
            let parsed: EventRetention = forever.parse().unwrap();
            assert_eq!(parsed, EventRetention::FOREVER);
            assert_eq!(parsed.keep(), None);
        }
        assert_eq!(
            EventRetention::FOREVER.to_string().parse(),
            Ok(EventRetention::FOREVER)
        );
        assert!(
            "0".parse::<EventRetention>()
                .unwrap_err()
                .contains("forever")
        );
        for bad in [
            "",
            "-1",
            "7d",
            "1.5",
            "never",
            "36501",
            "99999999999999999999",
        ] {
            assert!(bad.parse::<EventRetention>().is_err(), "{bad:?}");
        }
    }
}
