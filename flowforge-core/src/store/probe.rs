//! The storage probe: a write that needs new room in the database, to learn whether the
//! storage takes writes (at start, and for readiness after a write was refused). It stores a
//! row of [`PROBE_BYTES`] in `storage_probe`, commits, then deletes every row of the table and
//! commits again. A full disk or a capped database refuses the first commit (the rows of
//! earlier probes are gone, so their pages cannot serve it unless nothing else took them); a
//! read-only file refuses either.

use super::value::args;
use super::{Store, Tx};
use crate::error::Result;

/// The size of the probe's row: sixteen SQLite pages of the default size, more than one write
/// of FlowForge needs.
const PROBE_BYTES: usize = 64 * 1024;

impl Store {
    /// Writes and removes the probe row, in two write transactions; the store's refusal flag
    /// follows their outcome like any write's.
    ///
    /// # Errors
    /// [`Error::Unavailable`](crate::Error::Unavailable) when the storage refuses either write.
    pub(crate) fn probe_writes(&self) -> Result<()> {
        let filler = "x".repeat(PROBE_BYTES);
        self.write(|tx| tx.insert_probe(&filler))?;
        self.write(|tx| tx.clear_probes())
    }
}

impl Tx<'_> {
    fn insert_probe(&self, filler: &str) -> Result<()> {
        self.execute(
            "INSERT INTO storage_probe (filler) VALUES (?)",
            args![filler],
        )
        .map(drop)
    }

    fn clear_probes(&self) -> Result<()> {
        self.execute("DELETE FROM storage_probe", &[]).map(drop)
    }
}
