//! Moves SQLite's WAL checkpoints off the request path. A connection left to checkpoint by
//! itself does so inside the commit that crosses 1,000 WAL pages: that writer, and every writer
//! queued behind it, waits while the WAL is copied into the database and both are synced. The
//! server's connections turn that off and nudge this thread after each write instead; it
//! checkpoints on its own connection (passively: it never waits for, nor blocks, a writer or a
//! reader) at most every [`PAUSE`].
//!
//! Passive checkpoints alone never let the WAL start over while requests keep coming: SQLite
//! rewrites the WAL from its beginning only when a writer begins after every frame has been copied
//! and while no reader still reads from the WAL, and under steady load that moment never came. The
//! WAL grew without end (750 MB after 16 seconds of 32 connections writing), and every frame
//! written past its old end cost the file system a fresh block, zeroed first. So once the WAL
//! holds [`RESTART_FRAMES`], the thread copies what it can passively, then holds the writers' gate
//! (see `GroupCommit`) while it copies the rest and waits, at most [`RESTART_WAIT`], for readers
//! to leave the WAL (`RESTART`): the next write starts it over, in blocks the file already has.
//! Under that load the gate is held for 2 to 10 ms about twice a second.

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::group_commit::GroupCommit;
use super::held;
use crate::error::{Error, Result};

/// The least time between two checkpoints: writes in between are copied together.
const PAUSE: Duration = Duration::from_millis(100);
/// WAL frames (pages of 4 KiB) past which a checkpoint makes the WAL start over.
const RESTART_FRAMES: i64 = 4096;
/// Passive copies, at most, that catch up before the WAL is made to start over.
const CATCH_UP: usize = 4;
/// A copy this short leaves little for the copy that holds the writers' gate.
const SHORT_COPY: Duration = Duration::from_millis(5);
/// How long a checkpoint that makes the WAL start over waits for readers (writers wait for it).
const RESTART_WAIT: Duration = Duration::from_millis(50);

/// The handle writers nudge. Dropping it ends the thread and waits for it, so the database is
/// closed (and checkpointed by SQLite) when the pool is.
pub(super) struct Checkpointer {
    nudge: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread on its own connection to `path`, for the pool whose writers pass
    /// `gate`.
    pub(super) fn start(path: &Path, conn: Connection, gate: Arc<GroupCommit>) -> Result<Self> {
        conn.busy_timeout(RESTART_WAIT)?;
        let (nudge, nudged) = sync_channel(1);
        let thread = std::thread::Builder::new()
            .name(format!("checkpoint {}", path.display()))
            .spawn(move || run(&conn, &nudged, &gate))
            .map_err(Error::internal)?;
        Ok(Self {
            nudge: Some(nudge),
            thread: Some(thread),
        })
    }

    /// Tells the thread that a write committed. Never waits.
    pub(super) fn nudge(&self) {
        if let Some(nudge) = &self.nudge {
            match nudge.try_send(()) {
                Ok(()) | Err(TrySendError::Full(())) | Err(TrySendError::Disconnected(())) => {}
            }
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.nudge.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(conn: &Connection, nudged: &Receiver<()>, gate: &GroupCommit) {
    while nudged.recv().is_ok() {
        std::thread::sleep(PAUSE);
        // Writes committed during the pause are covered by this checkpoint.
        while nudged.try_recv().is_ok() {}
        // Snapshots threads kept between their reads from before those writes: ended, they no
        // longer hold frames back from the copy.
        held::end_parked(gate, &held::Kept::Stale);
        // A checkpoint that fails (busy with another process's, or the disk full) leaves the
        // WAL as it was; the next write's nudge tries again, and the write itself reports the
        // disk.
        if checkpoint(conn, "PASSIVE").is_some_and(|frames| frames >= RESTART_FRAMES) {
            // Copy what came during that copy, and so on while copies take long, so that the
            // gate is held for a short copy only.
            for _ in 0..CATCH_UP {
                let started = Instant::now();
                if checkpoint(conn, "PASSIVE").is_none() || started.elapsed() < SHORT_COPY {
                    break;
                }
            }
            gate.between_writes(|| {
                // The WAL starts over only once no snapshot reads from it.
                held::end_parked(gate, &held::Kept::All);
                checkpoint(conn, "RESTART")
            });
        }
    }
}

/// Runs a checkpoint in `mode`: the frames in the WAL when it began (writers may have added more
/// since), or `None` when it failed.
fn checkpoint(conn: &Connection, mode: &str) -> Option<i64> {
    conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| r.get(1))
        .ok()
}
