//! The shared request throttle on PostgreSQL: each rate and key has one row holding the times
//! of its admitted requests. A check locks that row (read committed), so checks of one key by
//! any number of servers queue on it and each sees the last one's write; times come from the
//! database's clock, which every server shares.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use super::value::args;
use super::{Mode, Store};
use crate::error::Result;
use crate::throttle::{Decision, Rate, admit};
use crate::time::Timestamp;

/// Every this many checks (per process), rows whose window has passed are deleted.
const SWEEP_EVERY: u32 = 1_000;
static CHECKS: AtomicU32 = AtomicU32::new(0);

impl Store {
    /// Checks a request by `key` under the rate called `name`, recording it if allowed.
    pub(crate) fn throttle(&self, name: &str, key: &str, rate: Rate) -> Result<Decision> {
        let sweep = CHECKS
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(SWEEP_EVERY);
        self.run(Mode::Locking, |tx| {
            if sweep {
                tx.execute("DELETE FROM throttle_log WHERE expires_at < now()", &[])?;
            }
            // The row must exist to be locked; a new key starts with an empty log.
            tx.execute(
                "INSERT INTO throttle_log (rate, key, hits, expires_at) VALUES (?, ?, '', now())
                 ON CONFLICT (rate, key) DO NOTHING",
                args![name, key],
            )?;
            let (hits, now): (String, i64) = tx
                .row(
                    "SELECT hits, CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS bigint)
                     FROM throttle_log WHERE rate = ? AND key = ? FOR UPDATE",
                    args![name, key],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?
                .unwrap_or_default();
            let mut log: VecDeque<Duration> = hits
                .split(',')
                .filter_map(|t| t.parse().ok())
                .map(Duration::from_micros)
                .collect();
            let now = Duration::from_micros(u64::try_from(now).unwrap_or_default());
            let decision = admit(&mut log, now, rate);
            let newest = log.back().copied().unwrap_or(now);
            let expires = newest + rate.period;
            let hits = log
                .iter()
                .map(|t| t.as_micros().to_string())
                .collect::<Vec<_>>()
                .join(",");
            tx.execute(
                "UPDATE throttle_log SET hits = ?, expires_at = ? WHERE rate = ? AND key = ?",
                args![
                    hits,
                    Timestamp::from_millis(i64::try_from(expires.as_millis()).unwrap_or(i64::MAX)),
                    name,
                    key
                ],
            )?;
            Ok(decision)
        })
    }
}
