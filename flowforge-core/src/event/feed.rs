//! The live feed of one handle: while any subscription is open, a thread reads the log after
//! the last position it read and puts each new event in every open subscription's mailbox. It
//! reads as soon as a write of this handle commits, and at least every [`poll_interval`] for the
//! writes of other processes (other servers on the same PostgreSQL database, the CLI).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::Duration;

use super::follow::Interest;
use super::{Cursor, Event};
use crate::store::{Backend, Store};

/// Events read from the log per statement.
const BATCH: usize = 1000;
/// Events a mailbox holds before its subscription stops taking them from the feed and reads
/// the log itself instead, until it has caught up.
pub(super) const MAILBOX_CAPACITY: usize = 10_000;

/// How long the feed waits for a write of this handle before it reads the log anyway.
fn poll_interval(backend: Backend) -> Duration {
    match backend {
        // One process owns the database; the interval only bounds how late a CLI write shows.
        Backend::Sqlite => Duration::from_secs(1),
        #[cfg(feature = "postgres")]
        Backend::Postgres => Duration::from_millis(250),
    }
}

/// The live feed: see the module's documentation.
#[derive(Clone)]
pub(crate) struct Feed {
    shared: Arc<Shared>,
}

struct Shared {
    store: Store,
    state: Mutex<State>,
    wake: Condvar,
    /// Whether the reading thread runs (so a commit with no subscriber costs one load).
    running: AtomicBool,
}

#[derive(Default)]
struct State {
    mailboxes: Vec<Weak<Mailbox>>,
    poked: bool,
}

impl Feed {
    /// A feed of `store`'s log, idle until the first subscription; it reads the log after each
    /// write `store` commits.
    pub(crate) fn new(store: &Store) -> Self {
        let shared = Arc::new(Shared {
            store: store.clone(),
            state: Mutex::default(),
            wake: Condvar::new(),
            running: AtomicBool::new(false),
        });
        // Weak: the store must not keep its own feed alive.
        let feed = Arc::downgrade(&shared);
        store.on_write(move || {
            if let Some(feed) = feed.upgrade() {
                feed.poke();
            }
        });
        Self { shared }
    }

    /// Delivers every event the feed reads from now on to `mailbox`, until it is dropped.
    pub(super) fn register(&self, mailbox: &Arc<Mailbox>) -> crate::Result<()> {
        let mut state = lock(&self.shared.state);
        state.mailboxes.push(Arc::downgrade(mailbox));
        if !self.shared.running.load(Ordering::Relaxed) {
            // Start from the head now, so that the new subscription misses nothing after it.
            let head = self.shared.store.read(|tx| tx.log_head())?;
            let shared = Arc::clone(&self.shared);
            std::thread::Builder::new()
                .name("flowforge-feed".into())
                .spawn(move || shared.run(head))
                .map_err(crate::Error::internal)?;
            self.shared.running.store(true, Ordering::Relaxed);
        }
        Ok(())
    }
}

impl Shared {
    /// A write committed: the reading thread, if any, reads the log now.
    fn poke(&self) {
        if self.running.load(Ordering::Relaxed) {
            lock(&self.state).poked = true;
            self.wake.notify_one();
        }
    }

    /// The reading thread: ends once no subscription is left.
    fn run(&self, mut cursor: Option<Cursor>) {
        let interval = poll_interval(self.store.backend());
        loop {
            {
                let mut state = lock(&self.state);
                if !state.poked {
                    state = self
                        .wake
                        .wait_timeout(state, interval)
                        .map_or_else(|e| e.into_inner().0, |(s, _)| s);
                }
                state.poked = false;
                state.mailboxes.retain(|m| m.strong_count() > 0);
                if state.mailboxes.is_empty() {
                    self.running.store(false, Ordering::Relaxed);
                    return;
                }
            }
            loop {
                let batch = match self.store.read(|tx| tx.events_after(None, cursor, BATCH)) {
                    Ok(batch) => batch,
                    Err(e) => {
                        tracing::warn!(error = %e, "the event feed could not read the log");
                        break;
                    }
                };
                let Some(last) = batch.last() else { break };
                cursor = Some(last.id);
                let full = batch.len() == BATCH;
                let batch: Vec<Arc<Event>> = batch.into_iter().map(Arc::new).collect();
                let mailboxes: Vec<Arc<Mailbox>> = lock(&self.state)
                    .mailboxes
                    .iter()
                    .filter_map(Weak::upgrade)
                    .collect();
                for mailbox in mailboxes {
                    mailbox.put(&batch);
                }
                if !full {
                    break;
                }
            }
        }
    }
}

/// Where the feed leaves a subscription's events.
#[derive(Default)]
pub(super) struct Mailbox {
    inbox: Mutex<Inbox>,
    arrived: Condvar,
    waker: Mutex<Option<Box<dyn Fn() + Send + Sync>>>,
}

#[derive(Default)]
pub(super) struct Inbox {
    pub(super) events: VecDeque<Arc<Event>>,
    /// Events were dropped for want of room: the subscription reads the log to catch up.
    overflowed: bool,
    /// What the subscription follows, once it has said; until then every event is kept.
    interest: Option<Interest>,
}

impl Inbox {
    /// Whether events wait here, or were dropped for want of room (and wait in the log).
    pub(super) fn has_events(&self) -> bool {
        self.overflowed || !self.events.is_empty()
    }
}

impl Mailbox {
    fn put(&self, batch: &[Arc<Event>]) {
        let mut kept = false;
        {
            let mut inbox = lock(&self.inbox);
            for event in batch {
                // Every event goes through the filter, kept or not, so that it follows each
                // membership change in order.
                let wanted = inbox.interest.as_mut().is_none_or(|i| i.admit(event));
                if !wanted || inbox.overflowed {
                    continue;
                }
                if inbox.events.len() == MAILBOX_CAPACITY {
                    inbox.events.clear();
                    inbox.overflowed = true;
                } else {
                    inbox.events.push_back(Arc::clone(event));
                }
                kept = true;
            }
        }
        if !kept {
            return;
        }
        self.arrived.notify_all();
        if let Some(wake) = lock(&self.waker).as_ref() {
            wake();
        }
    }

    /// Keeps from now on only the events `interest` admits; `interest` is as of the log's
    /// position `head`, and first follows the events after it already here.
    pub(super) fn filter(&self, mut interest: Interest, head: Option<Cursor>) {
        let mut inbox = lock(&self.inbox);
        for event in inbox
            .events
            .iter()
            .filter(|e| head.is_none_or(|h| e.id > h))
        {
            interest.admit(event);
        }
        inbox.interest = Some(interest);
    }

    /// Whether events were dropped for want of room since the last call, which empties the
    /// mailbox to take events again: the subscription then reads the log to catch up.
    pub(super) fn take_overflow(&self) -> bool {
        let mut inbox = lock(&self.inbox);
        if !inbox.overflowed {
            return false;
        }
        inbox.overflowed = false;
        inbox.events.clear();
        true
    }

    /// Drops what is queued as a mailbox out of room does (a test fixture).
    #[cfg(test)]
    pub(super) fn overflow(&self) {
        let mut inbox = lock(&self.inbox);
        inbox.events.clear();
        inbox.overflowed = true;
    }

    /// The inbox, for the subscription to take from.
    pub(super) fn inbox(&self) -> MutexGuard<'_, Inbox> {
        lock(&self.inbox)
    }

    /// Waits up to `timeout` for an event to arrive; returns the inbox.
    pub(super) fn wait(&self, timeout: Duration) -> MutexGuard<'_, Inbox> {
        let inbox = lock(&self.inbox);
        if inbox.has_events() {
            return inbox;
        }
        self.arrived
            .wait_timeout(inbox, timeout)
            .map_or_else(|e| e.into_inner().0, |(inbox, _)| inbox)
    }

    /// Calls `wake` whenever events arrive.
    pub(super) fn set_waker(&self, wake: Box<dyn Fn() + Send + Sync>) {
        *lock(&self.waker) = Some(wake);
    }
}

/// Locks a mutex, taking it over from a thread that panicked while holding it (the data it
/// guards stays consistent between statements).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
