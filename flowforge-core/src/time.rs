//! Timestamps as the contract shows them: RFC 3339 in UTC with milliseconds and a `Z`
//! (`2026-11-23T21:53:52.123Z`). Stored in that same text form, which sorts chronologically.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Timelike, Utc};

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

impl Timestamp {
    /// The contract's text for years 0 to 9999, written digit by digit (every list writes two
    /// per task, and chrono's general formatter was 3% of a page of tasks); `None` for others.
    fn digits(&self) -> Option<[u8; 24]> {
        let (date, time) = (self.0.date_naive(), self.0.time());
        let year = u32::try_from(date.year()).ok().filter(|&y| y <= 9999)?;
        // Milliseconds below 1,000 but in a leap second, which chrono keeps as 1,000 and more.
        let millis = time.nanosecond() / 1_000_000;
        let mut text = *b"0000-00-00T00:00:00.000Z";
        put(&mut text, 0, 4, year);
        put(&mut text, 5, 2, date.month());
        put(&mut text, 8, 2, date.day());
        put(&mut text, 11, 2, time.hour());
        put(&mut text, 14, 2, time.minute());
        put(&mut text, 17, 2, time.second() + millis / 1000);
        put(&mut text, 20, 3, millis % 1000);
        Some(text)
    }

    /// Reads the text [`Timestamp::digits`] writes (how every timestamp is stored), digit by
    /// digit: `None` for any other text, a leap second included, which chrono then reads.
    fn from_digits(text: &str) -> Option<Self> {
        const MARKS: [(usize, u8); 7] = [
            (4, b'-'),
            (7, b'-'),
            (10, b'T'),
            (13, b':'),
            (16, b':'),
            (19, b'.'),
            (23, b'Z'),
        ];
        let text = text.as_bytes();
        if text.len() != 24 || MARKS.iter().any(|&(at, mark)| text[at] != mark) {
            return None;
        }
        let field = |at, width| field(text, at, width);
        let date = NaiveDate::from_ymd_opt(
            i32::try_from(field(0, 4)?).ok()?,
            field(5, 2)?,
            field(8, 2)?,
        )?;
        let time =
            date.and_hms_milli_opt(field(11, 2)?, field(14, 2)?, field(17, 2)?, field(20, 3)?)?;
        Some(Self(time.and_utc()))
    }
}

/// Writes `n` as `width` decimal digits at `at` (the lowest ones, should it have more).
fn put(text: &mut [u8], at: usize, width: usize, mut n: u32) {
    for i in (at..at + width).rev() {
        text[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// The number the `width` decimal digits at `at` write; `None` if one is not a digit.
fn field(text: &[u8], at: usize, width: usize) -> Option<u32> {
    text[at..at + width].iter().try_fold(0u32, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
    })
}

/// A date as the contract and the store write it (`2026-11-23`), digit by digit, for years 0
/// to 9999; `None` for others.
fn date_digits(date: NaiveDate) -> Option<[u8; 10]> {
    let year = u32::try_from(date.year()).ok().filter(|&y| y <= 9999)?;
    let mut text = *b"0000-00-00";
    put(&mut text, 0, 4, year);
    put(&mut text, 5, 2, date.month());
    put(&mut text, 8, 2, date.day());
    Some(text)
}

/// Reads a date as [`date_digits`] writes it (how every due date is stored), digit by digit;
/// chrono reads any other text (a year past 9999, a sign).
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    if bytes.len() == 10 && bytes[4] == b'-' && bytes[7] == b'-' {
        let field = |at, width| field(bytes, at, width);
        if let (Some(year), Some(month), Some(day)) = (field(0, 4), field(5, 2), field(8, 2)) {
            return NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day);
        }
    }
    text.parse().ok()
}

/// Serializes a due date as chrono does (`2026-11-23`, or `null`), from the stack where it can
/// (chrono's goes through `collect_str` and its formatting machinery: 3% of a page of tasks).
pub(crate) fn serialize_date<S: serde::Serializer>(
    date: &Option<NaiveDate>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::Serialize;
    match date.map(|d| (d, date_digits(d))) {
        Some((_, Some(text))) => {
            s.serialize_str(std::str::from_utf8(&text).map_err(serde::ser::Error::custom)?)
        }
        Some((date, None)) => date.serialize(s),
        None => s.serialize_none(),
    }
}

impl fmt::Display for Timestamp {
    /// [`Timestamp::digits`], or chrono's RFC 3339 for a year it does not write.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.digits() {
            Some(text) => f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?),
            None => f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Millis, true)),
        }
    }
}

impl serde::Serialize for Timestamp {
    /// As a string: the digits straight from the stack where it can (a serializer's
    /// `collect_str` goes through the formatting machinery and a second escaping pass).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.digits() {
            Some(text) => {
                s.serialize_str(std::str::from_utf8(&text).map_err(serde::ser::Error::custom)?)
            }
            None => s.collect_str(self),
        }
    }
}

impl std::str::FromStr for Timestamp {
    type Err = chrono::ParseError;

    /// Reads RFC 3339 text (any offset), as stored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(at) = Self::from_digits(s) {
            return Ok(at);
        }
        Ok(Self(DateTime::parse_from_rfc3339(s)?.with_timezone(&Utc)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dates are written and read as chrono writes and reads them, around the years the digits
    /// cover and past them.
    #[test]
    fn dates_are_written_and_read_as_chrono_does() {
        let mut days = 0;
        for year in [-5, 0, 1, 999, 1000, 1970, 2024, 2026, 9999, 10_000, 262_000] {
            for ordinal in [1, 59, 60, 61, 200, 365, 366] {
                let Some(date) = NaiveDate::from_yo_opt(year, ordinal) else {
                    continue;
                };
                days += 1;
                let ours = serde_json::to_string(&Wrapped(Some(date))).unwrap();
                assert_eq!(ours, serde_json::to_string(&date).unwrap());
                let text = date.to_string();
                assert_eq!(parse_date(&text), Some(date), "{text}");
            }
        }
        assert!(days > 60);
        assert_eq!(serde_json::to_string(&Wrapped(None)).unwrap(), "null");
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "2026-1-01",
            "2026/01/01",
            "20260101",
            "",
            "x",
        ] {
            assert_eq!(parse_date(bad), bad.parse().ok(), "{bad}");
        }
    }

    #[derive(serde::Serialize)]
    #[serde(transparent)]
    struct Wrapped(#[serde(serialize_with = "serialize_date")] Option<NaiveDate>);

    /// The digit-by-digit form is chrono's, for every year it writes.
    #[test]
    fn writes_what_chrono_writes() {
        let mut millis = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
        while millis < 253_402_300_800_000 + 86_400_000 * 400 {
            let t = Timestamp::from_millis(millis);
            let chrono = t.0.to_rfc3339_opts(SecondsFormat::Millis, true);
            assert_eq!(t.to_string(), chrono);
            assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{chrono}\""));
            if t.0.year() <= 9999 {
                // RFC 3339 has four-digit years: chrono reads no other either.
                assert_eq!(chrono.parse::<Timestamp>().unwrap(), t, "{chrono}");
            }
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
        assert_eq!(
            serde_json::to_string(&before_year_0).unwrap(),
            "\"-0001-12-31T23:59:59.999Z\""
        );
    }

    /// The digit-by-digit reader takes only the stored form, and refuses what chrono refuses.
    #[test]
    fn reads_what_chrono_reads() {
        let chrono = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|t| Timestamp(t.with_timezone(&Utc)))
        };
        for text in [
            "2026-11-23T21:53:52.123Z",
            "2024-02-29T00:00:00.000Z",
            "2016-12-31T23:59:60.500Z",
            "2026-11-23T22:53:52.123+01:00",
            "2026-11-23T21:53:52Z",
            "2026-11-23t21:53:52.123z",
            "2023-02-29T00:00:00.000Z",
            "2026-13-01T00:00:00.000Z",
            "2026-11-23T24:00:00.000Z",
            "2026-11-23T21:60:00.000Z",
            "2026-11-23T21:53:61.000Z",
            "2026-11-23T21:53:52.1234",
            "+026-11-23T21:53:52.123Z",
            "2026-11-23T21:53:52.12aZ",
            "2026-11-23 21:53:52.123Z",
        ] {
            assert_eq!(text.parse::<Timestamp>().ok(), chrono(text), "{text}");
        }
        assert!(Timestamp::from_digits("2016-12-31T23:59:60.500Z").is_none());
    }

    #[test]
    fn shows_milliseconds_and_a_z_suffix() {
        let t = Timestamp::from_millis(1_795_470_832_123);
        assert_eq!(t.to_string(), "2026-11-23T21:53:52.123Z");
    }
}
