//! Moves SQLite's WAL checkpoints off the request path. A connection left to checkpoint by
//! itself does so inside the commit that crosses 1,000 WAL pages: that writer, and every writer
//! queued behind it, waits while the WAL is copied into the database and both are synced. The
//! server's connections turn that off and nudge this thread after each write instead; it
//! checkpoints on its own connection (passively: it never waits for, nor blocks, a writer or a
//! reader) at most every [`PAUSE`].

use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

/// The least time between two checkpoints: writes in between are copied together.
const PAUSE: Duration = Duration::from_millis(100);

/// The handle writers nudge. Dropping it ends the thread and waits for it, so the database is
/// closed (and checkpointed by SQLite) when the pool is.
pub(super) struct Checkpointer {
    nudge: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread on its own connection to `path`.
    pub(super) fn start(path: &Path, conn: Connection) -> std::io::Result<Self> {
        let (nudge, nudged) = sync_channel(1);
        let thread = std::thread::Builder::new()
            .name(format!("checkpoint {}", path.display()))
            .spawn(move || run(&conn, &nudged))?;
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

fn run(conn: &Connection, nudged: &Receiver<()>) {
    while nudged.recv().is_ok() {
        std::thread::sleep(PAUSE);
        // Writes committed during the pause are covered by this checkpoint.
        while nudged.try_recv().is_ok() {}
        // A checkpoint that fails (busy with another process's, or the disk full) leaves the
        // WAL as it was; the next write's nudge tries again, and the write itself reports the
        // disk.
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
    }
}
