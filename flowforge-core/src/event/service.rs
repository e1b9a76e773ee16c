//! Reading the event log: a task's history, an organization's activity, the cursor API and
//! subscriptions, each seeing only the organizations the actor belongs to; and retention.

use std::time::Duration;

use super::{ActivityQuery, Event, EventBatch, EventsQuery, Subscription};
use crate::error::{Error, Result};
use crate::ids::{OrgId, TaskId};
use crate::query::PageRequest;
use crate::store::{Followed, Tx};
use crate::time::Timestamp;
use crate::{Actor, Cursor, FlowForge, Page};

/// Events deleted per transaction by a prune, so that it never holds the write lock for long.
const PRUNE_BATCH: usize = 5_000;

impl FlowForge {
    /// The history of a task of the actor's organizations (its own events and its comments'),
    /// newest first.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the task is missing, deleted or in another tenant, or for a
    /// page past the end.
    pub fn task_activity(
        &self,
        actor: &Actor,
        task: TaskId,
        page: PageRequest,
    ) -> Result<Page<Event>> {
        self.store
            .read(|tx| {
                let scope = tx.task_in_scope(actor.id(), task)?.scope;
                tx.task_events(&scope, task, page)
            })?
            .found()
    }

    /// The activity log of an organization the actor belongs to, filtered, newest first. Every
    /// member sees all of it: the log records the organization's work and its membership
    /// changes, nothing of a user's own account.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the actor is not a member, or for a page past the end.
    pub fn organization_activity(
        &self,
        actor: &Actor,
        org: OrgId,
        query: &ActivityQuery,
    ) -> Result<Page<Event>> {
        self.store
            .read(|tx| {
                let scope = tx.scope(actor.id(), org)?;
                tx.org_events(&scope, query)
            })?
            .found()
    }

    /// The events of the actor's organizations (or of `query.organization`) after a cursor, in
    /// log order: the cursor API for programs that poll. Give the answer's `next` to the next
    /// call; nothing is skipped or repeated.
    ///
    /// # Errors
    /// [`Error::NotFound`] when `query.organization` is not one of the actor's.
    pub fn events_since(&self, actor: &Actor, query: &EventsQuery) -> Result<EventBatch> {
        let wanted: Vec<OrgId> = query.organization.into_iter().collect();
        self.store.read(|tx| {
            let orgs = tx.member_orgs(actor.id(), &wanted)?;
            if query.organization.is_some() && orgs.is_empty() {
                return Err(Error::not_found());
            }
            read_batch(tx, Some(&orgs), query)
        })
    }

    /// Follows the log of the actor's organizations (or of `organization` alone): every event
    /// after `after`, then each new event as it commits, exactly once and in log order. Without
    /// `after` the subscription is live only. Access is checked for every event: once the actor
    /// leaves an organization, none of its events reaches the subscription.
    ///
    /// # Errors
    /// [`Error::NotFound`] when `organization` is not one of the actor's.
    pub fn subscribe(
        &self,
        actor: &Actor,
        organization: Option<OrgId>,
        after: Option<Cursor>,
    ) -> Result<Subscription> {
        Subscription::open(&self.store, &self.feed, actor.id(), organization, after)
    }

    /// Deletes the events committed before `before`, a few thousand per transaction; returns
    /// how many it deleted.
    ///
    /// # Errors
    /// When the database cannot be written.
    pub fn prune_events(&self, before: Timestamp) -> Result<u64> {
        let mut deleted = 0;
        loop {
            let n = self
                .store
                .write(|tx| tx.prune_events(before, PRUNE_BATCH))?;
            deleted += n;
            if n < PRUNE_BATCH as u64 {
                return Ok(deleted);
            }
        }
    }

    /// Deletes the events committed more than `age` ago (all those committed before now for a
    /// zero `age`); returns how many it deleted.
    ///
    /// # Errors
    /// As [`FlowForge::prune_events`].
    pub fn prune_events_older_than(&self, age: Duration) -> Result<u64> {
        self.prune_events(cutoff(age))
    }

    /// Deletes the events older than the configured retention
    /// ([`Config::event_retention`](crate::Config::event_retention)); none when it keeps
    /// events forever.
    ///
    /// # Errors
    /// As [`FlowForge::prune_events`].
    pub fn prune_expired_events(&self) -> Result<u64> {
        match self.config.event_retention {
            Some(keep) => self.prune_events_older_than(keep),
            None => Ok(0),
        }
    }
}

/// A batch of the cursor API in `tx`: the events of `orgs` (of every organization when `None`)
/// after `query.after`, and where the next read goes on from. The tenant's and the operator's
/// cursor reads both come here; `query.organization` is the caller's to resolve into `orgs`.
pub(crate) fn read_batch(
    tx: &Tx<'_>,
    orgs: Option<&[OrgId]>,
    query: &EventsQuery,
) -> Result<EventBatch> {
    let followed = orgs.map(|orgs| Followed { orgs, user: None });
    let results = tx.events_after(followed, query.after, query.limit)?;
    let next = if results.len() == query.limit {
        results.last().map(|e| e.id)
    } else {
        // Everything of these organizations up to the log's head is here: the next read
        // starts there, past the other tenants' events.
        let head = tx.log_head()?;
        results.last().map(|e| e.id).max(head).max(query.after)
    };
    Ok(EventBatch { results, next })
}

/// The time `keep` ago.
fn cutoff(keep: Duration) -> Timestamp {
    let millis = i64::try_from(keep.as_millis()).unwrap_or(i64::MAX);
    Timestamp::from_millis(
        Timestamp::now()
            .as_datetime()
            .timestamp_millis()
            .saturating_sub(millis),
    )
}
