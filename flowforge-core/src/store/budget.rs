//! Bounded reads. A caller that must not stall (a server's thread that takes requests) runs a
//! read under a budget; a read whose work would pass it stops early, having only read, and the
//! caller runs it again where waiting is fine. SQLite's statements spend the budget by the steps
//! of its virtual machine (a progress handler on every connection, idle outside a bounded read);
//! the task index checks its own work (before it starts it, or as it goes where it cannot tell
//! before), reads what it would apply before applying it, and does not wait for its locks. A
//! write stops a bounded read before it starts.

use std::cell::Cell;

use crate::error::{Error, Result};

/// Steps of SQLite's virtual machine between two looks at the budget (within one statement).
pub(super) const STEPS_PER_TICK: i32 = 1_000;

/// Ticks a bounded read may spend: about 20,000 steps (loading an index of 1,000 tasks).
const TICKS: u32 = 20;

/// Work the task index does in memory for a bounded read at most, in slots looked at (a slot
/// tested against a roaring bitmap takes about 70 instructions, against a walk's bit set
/// fewer: some 1.4 million at most, half a millisecond on a slow core). A walk to page 2500 of 5000 tests 50,000 slots and goes to the pool.
pub(crate) const INDEX_WORK: u64 = 20_000;

thread_local! {
    /// Ticks left to this thread's bounded read; `None` outside one.
    static LEFT: Cell<Option<u32>> = const { Cell::new(None) };
    /// Whether this thread's bounded read has passed its budget.
    static SPENT: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` as a bounded read on this thread: `None` when its work would pass the budget (what
/// it did was reading only, and stopped), else what it returned.
pub(crate) fn bounded<T>(f: impl FnOnce() -> Result<T>) -> Option<Result<T>> {
    /// Ends the bounded read however `f` ends, a panic included.
    struct End;
    impl Drop for End {
        fn drop(&mut self) {
            LEFT.set(None);
            SPENT.set(false);
        }
    }
    // Nested in another, `f` spends the enclosing read's budget.
    let _end = (!active()).then(|| {
        LEFT.set(Some(TICKS));
        End
    });
    let out = f();
    (!SPENT.get()).then_some(out)
}

/// Whether this thread runs a bounded read.
pub(crate) fn active() -> bool {
    LEFT.get().is_some()
}

/// The error that ends a bounded read whose next step would pass its budget.
pub(crate) fn exceeded() -> Error {
    SPENT.set(true);
    Error::Internal("the bounded read passed its budget".into())
}

/// `Ok` unless this thread runs a bounded read and `work` would pass what its budget allows.
pub(crate) fn allow(work: u64, most: u64) -> Result<()> {
    if work > most && active() {
        Err(exceeded())
    } else {
        Ok(())
    }
}

/// The progress handler of every SQLite connection: spends a tick of this thread's bounded
/// read, if any; `true` (interrupt the statement) once none is left.
pub(super) fn tick() -> bool {
    match LEFT.get() {
        None => false,
        Some(0) => {
            SPENT.set(true);
            true
        }
        Some(left) => {
            LEFT.set(Some(left - 1));
            false
        }
    }
}
