//! The shared request throttle on PostgreSQL: each rate and key has one row holding the times
//! of its admitted requests, on the database's clock, which every server shares.
//!
//! A request that the log already refuses is refused from a plain read, without a lock or a
//! write: entries only ever join the window, so a refusal read from a snapshot still holds.
//! Otherwise the check locks the row (read committed), so checks of one key by any number of
//! servers queue on it and each sees the last one's write.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use super::value::{Row, args};
use super::{Mode, Store};
use crate::error::{Error, Result};
use crate::rate::{Decision, Rate, admit};
use crate::time::Timestamp;

/// Every this many checks (per process), rows whose window has passed are deleted.
const SWEEP_EVERY: u32 = 1_000;
static CHECKS: AtomicU32 = AtomicU32::new(0);

/// The longest key stored: longer ones (an email of any length can be tried at login) are cut.
const MAX_KEY_BYTES: usize = 512;

/// The database's clock, in microseconds since the Unix epoch.
const NOW: &str = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS bigint)";

impl Store {
    /// Checks a request by `key` under the rate called `name`, recording it if allowed.
    pub(crate) fn throttle(&self, name: &str, key: &str, rate: Rate) -> Result<Decision> {
        // Servers configured with different rates under one name keep separate logs.
        let rate_key = format!("{name} {rate}");
        let key = storable(key);
        let refused = self.run(Mode::Read, |tx| {
            let sql = format!("SELECT hits, {NOW} FROM throttle_log WHERE rate = ? AND key = ?");
            let Some((mut log, now)) = tx.row(&sql, args![rate_key, key], read_log)? else {
                return Ok(None);
            };
            Ok(Some(admit(&mut log, now, rate)).filter(|d| !d.is_allowed()))
        })?;
        if let Some(decision) = refused {
            return Ok(decision);
        }
        let sweep = CHECKS
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(SWEEP_EVERY);
        self.run(Mode::Locking, |tx| {
            if sweep {
                tx.execute("DELETE FROM throttle_log WHERE expires_at < now()", &[])?;
            }
            // Creates the row of a new key, or locks the existing one, and reads it.
            let sql = format!(
                "INSERT INTO throttle_log AS l (rate, key, hits, expires_at) VALUES (?, ?, '', now())
                 ON CONFLICT (rate, key) DO UPDATE SET rate = l.rate RETURNING hits, {NOW}"
            );
            let (mut log, now) = tx
                .row(&sql, args![rate_key, key], read_log)?
                .ok_or_else(|| Error::Internal("the throttle row was not returned".into()))?;
            let decision = admit(&mut log, now, rate);
            if decision.is_allowed() {
                let hits = log
                    .iter()
                    .map(|t| t.as_micros().to_string())
                    .collect::<Vec<_>>()
                    .join(",");
                let expires = now + rate.period;
                let expires =
                    Timestamp::from_millis(i64::try_from(expires.as_millis()).unwrap_or(i64::MAX));
                tx.execute(
                    "UPDATE throttle_log SET hits = ?, expires_at = ? WHERE rate = ? AND key = ?",
                    args![hits, expires, rate_key, key],
                )?;
            }
            Ok(decision)
        })
    }
}

/// A row's log of admitted times and the database's clock.
fn read_log(row: &Row) -> Result<(VecDeque<Duration>, Duration)> {
    let hits: String = row.get(0)?;
    let now: i64 = row.get(1)?;
    let log = hits
        .split(',')
        .filter_map(|t| t.parse().ok())
        .map(Duration::from_micros)
        .collect();
    Ok((
        log,
        Duration::from_micros(u64::try_from(now).unwrap_or_default()),
    ))
}

/// `key` as PostgreSQL text can hold it: without NUL characters, and at most `MAX_KEY_BYTES`.
fn storable(key: &str) -> String {
    let mut key = key.replace('\0', "\u{fffd}");
    if key.len() > MAX_KEY_BYTES {
        let mut end = MAX_KEY_BYTES;
        while !key.is_char_boundary(end) {
            end -= 1;
        }
        key.truncate(end);
    }
    key
}
