//! Timestamps as the contract shows them: RFC 3339 in UTC with milliseconds and a `Z`
//! (`2026-11-23T21:53:52.123Z`). Stored in that same text form, which sorts chronologically.

use std::fmt;

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};

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
    /// Written digit by digit for years 0 to 9999 (every list writes two per task, and
    /// chrono's general formatter was 3% of a page of tasks); chrono writes any other.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (date, time) = (self.0.date_naive(), self.0.time());
        let Some(year) = u32::try_from(date.year()).ok().filter(|&y| y <= 9999) else {
            return f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Millis, true));
        };
        // Milliseconds below 1,000 but in a leap second, which chrono keeps as 1,000 and more.
        let millis = time.nanosecond() / 1_000_000;
        let mut text = *b"0000-00-00T00:00:00.000Z";
        let mut put = |at: usize, width: usize, mut n: u32| {
            for i in (at..at + width).rev() {
                text[i] = b'0' + (n % 10) as u8;
                n /= 10;
            }
        };
        put(0, 4, year);
        put(5, 2, date.month());
        put(8, 2, date.day());
        put(11, 2, time.hour());
        put(14, 2, time.minute());
        put(17, 2, time.second() + millis / 1000);
        put(20, 3, millis % 1000);
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
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

    /// The digit-by-digit form is chrono's, for every year it writes.
    #[test]
    fn writes_what_chrono_writes() {
        let mut millis = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
        while millis < 253_402_300_800_000 + 86_400_000 * 400 {
            let t = Timestamp::from_millis(millis);
            let chrono = t.0.to_rfc3339_opts(SecondsFormat::Millis, true);
            assert_eq!(t.to_string(), chrono);
            millis += 7_777_777_777_777 / 1_000 + 123;
        }
        let leap: Timestamp = "2016-12-31T23:59:60.500Z".parse().unwrap();
        assert_eq!(leap.to_string(), "2016-12-31T23:59:60.500Z");
        assert_eq!(
            leap.to_string(),
            leap.0.to_rfc3339_opts(SecondsFormat::Millis, true)
        );
        let before_year_0 = Timestamp::from_millis(-62_167_219_200_001);
        assert_eq!(before_year_0.to_string(), "-0001-12-31T23:59:59.999Z");
    }

    #[test]
    fn shows_milliseconds_and_a_z_suffix() {
        let t = Timestamp::from_millis(1_795_470_832_123);
        assert_eq!(t.to_string(), "2026-11-23T21:53:52.123Z");
    }
}
