//! A subscription: one reader following the log of the organizations it may see. It first reads
//! what it missed from the log (after the cursor it was opened with), then takes live events from
//! its mailbox, each exactly once and in log order, and checks access for every event: it
//! follows its user's membership changes as they pass, so that nothing of an organization the
//! user has left reaches it.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use super::feed::{Feed, Mailbox};
use super::{Cursor, Event, EventType};
use crate::error::Result;
use crate::ids::{OrgId, UserId};
use crate::store::{Followed, Seen, Store};

/// Events read from the log per statement while catching up.
const CATCH_UP_BATCH: usize = 500;

/// A live, access-checked view of the event log; see [`FlowForge::subscribe`](crate::FlowForge::subscribe).
pub struct Subscription {
    store: Store,
    user: UserId,
    /// What it follows now.
    interest: Interest,
    mailbox: Arc<Mailbox>,
    /// The position of the last event handed out (or passed over): nothing at or before it is
    /// handed out again.
    last: Option<Cursor>,
    /// Whether events may still be in the log that the mailbox does not hold.
    catching_up: bool,
    /// Opened live on PostgreSQL: the transactions its opening snapshot saw committed beyond
    /// the head, whose events it skips (they came before it).
    seen: Option<Seen>,
}

impl Subscription {
    /// Registers a mailbox with `feed`, then reads the user's organizations: every event after
    /// `after` (or, live only, after the log's head now) reaches the subscription once.
    pub(crate) fn open(
        store: &Store,
        feed: &Feed,
        user: UserId,
        only: Option<OrgId>,
        after: Option<Cursor>,
    ) -> Result<Self> {
        let mailbox = Arc::new(Mailbox::default());
        feed.register(&mailbox)?;
        let wanted: Vec<OrgId> = only.into_iter().collect();
        // The memberships, the head and what else committed, from one snapshot.
        let (orgs, head, seen) = store.read(|tx| {
            let seen = match after {
                Some(_) => None,
                None => tx.seen_beyond_head()?,
            };
            Ok((tx.member_orgs(user, &wanted)?, tx.log_head()?, seen))
        })?;
        if only.is_some() && orgs.is_empty() {
            return Err(crate::Error::not_found());
        }
        let interest = Interest {
            user,
            only,
            orgs: orgs.into_iter().collect(),
        };
        // From here on the feed drops, before waking anyone, the events this subscription
        // would not hand out.
        mailbox.filter(interest.clone(), head);
        Ok(Self {
            store: store.clone(),
            user,
            interest,
            mailbox,
            last: after.or(head),
            catching_up: after.is_some(),
            seen,
        })
    }

    /// The position of the last event handed out (or of the log's head when the subscription
    /// opened live and nothing has come since): where a new subscription would go on from.
    pub fn last(&self) -> Option<Cursor> {
        self.last
    }

    /// Calls `wake` (from another thread) whenever new events may be ready: a program that
    /// cannot block on [`Subscription::wait`] (an async task) takes them with
    /// [`Subscription::ready`] when woken.
    pub fn on_arrival(&self, wake: impl Fn() + Send + Sync + 'static) {
        self.mailbox.set_waker(Box::new(wake));
    }

    /// Up to `max` events ready now, in log order, without waiting for new ones (but reading
    /// the log while catching up, which may take a database round trip).
    ///
    /// # Errors
    /// [`Error::Unavailable`](crate::Error::Unavailable) or
    /// [`Error::Internal`](crate::Error::Internal) when the log cannot be read; the
    /// subscription stays usable and reads on from where it was.
    pub fn ready(&mut self, max: usize) -> Result<Vec<Event>> {
        let mut out = Vec::new();
        while out.len() < max {
            if self.mailbox.take_overflow() {
                // The events it dropped are in the log: read on from the last one handed out.
                self.catching_up = true;
            }
            if !self.catching_up {
                break;
            }
            let limit = CATCH_UP_BATCH.min(max - out.len());
            let orgs: Vec<OrgId> = self.interest.orgs.iter().copied().collect();
            let scope = Followed {
                orgs: &orgs,
                user: Some(self.user),
            };
            let batch = self
                .store
                .read(|tx| tx.events_after(Some(scope), self.last, limit))?;
            let mut done = batch.len() < limit;
            for event in batch {
                let followed = self.interest.orgs.len();
                self.pass(event, &mut out);
                if self.interest.orgs.len() > followed {
                    // The read did not ask for the newly followed organization's events: ask
                    // again from here.
                    done = false;
                    break;
                }
            }
            if done {
                // What the log held is read; the mailbox holds what came since.
                self.catching_up = false;
            }
        }
        let mailbox = Arc::clone(&self.mailbox);
        let mut inbox = mailbox.inbox();
        while out.len() < max
            && let Some(event) = inbox.events.pop_front()
        {
            self.pass(Arc::unwrap_or_clone(event), &mut out);
        }
        Ok(out)
    }

    /// Whether more events are ready than the last [`Subscription::ready`] returned (it stopped
    /// at its `max`): call it again before waiting.
    pub fn has_more(&self) -> bool {
        self.catching_up || self.mailbox.inbox().has_events()
    }

    /// Waits up to `timeout` for events, then returns those ready (perhaps none).
    ///
    /// # Errors
    /// As [`Subscription::ready`].
    pub fn wait(&mut self, timeout: Duration, max: usize) -> Result<Vec<Event>> {
        let ready = self.ready(max)?;
        if !ready.is_empty() {
            return Ok(ready);
        }
        drop(self.mailbox.wait(timeout));
        self.ready(max)
    }

    /// Whether the subscription's user may still follow the log: `false` once they have been
    /// deactivated (their tokens no longer work either).
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn still_allowed(&self) -> Result<bool> {
        Ok(self
            .store
            .read(|tx| tx.user_by_id(self.user))?
            .is_some_and(|user| user.is_active))
    }

    /// Hands `event` out unless it was already, came before a live subscription opened, or its
    /// organization is not (or no longer) followed.
    fn pass(&mut self, event: Event, out: &mut Vec<Event>) {
        if self.last.is_some_and(|last| event.id <= last)
            || self
                .seen
                .as_ref()
                .is_some_and(|seen| seen.saw(event.id.txn))
        {
            return;
        }
        self.last = Some(event.id);
        if self.interest.admit(&event) {
            out.push(event);
        }
    }
}

/// The organizations a subscription follows, and how its user's own events change them: it
/// follows an organization from its user's `member.added` there (or from the
/// `organization.created` of one they create, which comes first) and stops at their
/// `member.removed`. Applied to the log in order, by the subscription and by its mailbox alike.
#[derive(Debug, Clone)]
pub(super) struct Interest {
    user: UserId,
    /// The one organization asked for, if any.
    only: Option<OrgId>,
    orgs: HashSet<OrgId>,
}

impl Interest {
    /// Follows what `event` changes of the user's memberships; whether it is an event of an
    /// organization followed (after that change).
    pub(super) fn admit(&mut self, event: &Event) -> bool {
        let org = event.organization;
        let wanted = self.only.is_none_or(|only| only == org);
        match event.kind {
            EventType::MemberAdded if event.user == Some(self.user) && wanted => {
                self.orgs.insert(org);
            }
            EventType::OrganizationCreated if event.actor == Some(self.user) && wanted => {
                self.orgs.insert(org);
            }
            EventType::MemberRemoved if event.user == Some(self.user) => {
                self.orgs.remove(&org);
            }
            _ => {}
        }
        self.orgs.contains(&org)
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("user", &self.user)
            .field("orgs", &self.interest.orgs)
            .field("last", &self.last)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use crate::{Config, Database, EventType, FlowForge, NewOrg, NewProject, NewTask, NewUser};

    /// Events a full mailbox dropped are read from the log: each once, in order.
    #[test]
    fn a_subscription_whose_mailbox_overflowed_reads_the_log_and_loses_nothing() {
        let ff = FlowForge::open(&Database::Memory, Config::new("a test key")).unwrap();
        let user = ff
            .register(&NewUser {
                email: "ann@example.com".into(),
                password: "a long password".into(),
                full_name: String::new(),
            })
            .unwrap();
        let ann = ff.admin().act_as(user.id).unwrap();
        let org = ff
            .create_organization(
                &ann,
                &NewOrg {
                    name: "Acme".into(),
                    slug: None,
                },
            )
            .unwrap();
        let project = ff
            .create_project(&ann, &NewProject::new(org.id, "P"))
            .unwrap();
        let mut sub = ff.subscribe(&ann, None, None).unwrap();
        let mut written = Vec::new();
        for n in 0..3 {
            written.push(
                ff.create_task(&ann, &NewTask::new(project.id, format!("t{n}")))
                    .unwrap()
                    .id,
            );
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while sub.mailbox.inbox().events.len() < 3 {
            assert!(Instant::now() < deadline, "the feed delivers");
            std::thread::sleep(Duration::from_millis(5));
        }
        sub.mailbox.overflow();
        for n in 3..5 {
            written.push(
                ff.create_task(&ann, &NewTask::new(project.id, format!("t{n}")))
                    .unwrap()
                    .id,
            );
        }
        let mut got = Vec::new();
        while got.len() < 5 {
            assert!(Instant::now() < deadline, "only {got:?}");
            got.extend(sub.wait(Duration::from_millis(50), 10).unwrap());
        }
        assert!(got.iter().all(|e| e.kind == EventType::TaskCreated));
        assert_eq!(
            got.iter().map(|e| e.task.unwrap()).collect::<Vec<_>>(),
            written
        );
        assert!(sub.ready(10).unwrap().is_empty(), "nothing twice");
    }
}
