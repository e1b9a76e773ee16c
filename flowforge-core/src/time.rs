//! Timestamps as the contract shows them: RFC 3339 in UTC with milliseconds and a `Z`
//! (`2026-11-23T21:53:52.123Z`). Stored in that same text form, which sorts chronologically.

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};

/// A point in time with millisecond precision, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// The current time, truncated to whole milliseconds so it survives a round trip unchanged.
    pub fn now() -> Self {
        Self::from_millis(Utc::now().timestamp_millis())
    }

    /// The time `millis` milliseconds after the Unix epoch (clamped to the epoch if out of range).
    pub fn from_millis(millis: i64) -> Self {
        Self(DateTime::from_timestamp_millis(millis).unwrap_or_default())
    }

    /// The underlying date and time.
    pub fn as_datetime(&self) -> DateTime<Utc> {
        self.0
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::str::FromStr for Timestamp {
    type Err = chrono::ParseError;

    /// Reads RFC 3339 text (any offset), as stored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(DateTime::parse_from_rfc3339(s)?.with_timezone(&Utc)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_milliseconds_and_a_z_suffix() {
        let t = Timestamp::from_millis(1_795_470_832_123);
        assert_eq!(t.to_string(), "2026-11-23T21:53:52.123Z");
    }
}
