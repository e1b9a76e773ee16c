//! `flowforge events`: an organization's log (a page, newest first), following it as events
//! commit (the core's cursor API, polled), and pruning old events by the retention setting.

use std::time::Duration;

use flowforge_core::{
    ActivityQuery, Admin, Cursor, Error, Event, EventsQuery, FlowForge, MAX_EVENTS_LIMIT,
    OrgSummary, PageRequest, SECONDS_PER_DAY,
};

use crate::cli::{EventsArgs, EventsCommand};
use crate::commands::{Failure, Outcome, org_by_key, page_footer};
use crate::output::{print, say};

/// How long a follower waits before reading the log again once it has caught up: it shares the
/// database with other processes, so nothing tells it of their commits.
const FOLLOW_POLL: Duration = Duration::from_millis(500);

/// Runs `flowforge events ...`.
pub fn run(ff: &FlowForge, args: EventsArgs, json: bool) -> Outcome {
    if let Some(EventsCommand::Prune { older_than }) = args.command {
        return prune(ff, older_than, json);
    }
    let admin = ff.admin();
    // clap requires the organization when there is no subcommand.
    let org = org_by_key(&admin, args.org.as_deref().unwrap_or_default())?;
    if args.follow {
        return follow(&admin, &org, args.after, json);
    }
    let query = ActivityQuery {
        project: args.project,
        task: args.task,
        actor: args.actor,
        kind: args.kind,
        since: args.since,
        until: args.until,
        page: PageRequest::new(args.page, args.page_size),
    };
    let page = admin.organization_events(org.id, &query)?;
    let rows = page.items.iter().map(cells).collect();
    print(
        json,
        &page.items,
        &["seq", "time", "type", "actor", "subject", "changes"],
        rows,
    );
    page_footer(json, &page);
    Ok(())
}

/// Prints the organization's events as they commit, from `after` (or from now), until the
/// process is interrupted or nobody reads its output.
fn follow(admin: &Admin<'_>, org: &OrgSummary, after: Option<Cursor>, json: bool) -> Outcome {
    let mut query = EventsQuery {
        after: match after {
            Some(after) => Some(after),
            None => admin.event_log_head()?,
        },
        limit: MAX_EVENTS_LIMIT,
        organization: Some(org.id),
    };
    // On stderr, so that stdout holds only events; it also says the follower is live.
    eprintln!(
        "following the events of {} ({}); stop with Ctrl-C",
        org.name, org.slug
    );
    loop {
        let batch = admin.events_since(&query).map_err(|error| match error {
            Error::NotFound(_) => Failure {
                message: format!("the organization {} was deleted", org.slug),
                code: 3,
            },
            other => other.into(),
        })?;
        for event in &batch.results {
            if json {
                say!("{}", serde_json::to_string(event).unwrap_or_default());
            } else {
                let mut line = vec![event.id.to_string()];
                line.extend(cells(event));
                say!("{}", line.join("  ").trim_end());
            }
        }
        let caught_up = batch.results.len() < query.limit;
        query.after = batch.next.or(query.after);
        if caught_up {
            std::thread::sleep(FOLLOW_POLL);
        }
    }
}

/// Deletes the events older than `older_than` days, or than the configured retention.
fn prune(ff: &FlowForge, older_than: Option<u64>, json: bool) -> Outcome {
    let deleted = match older_than {
        Some(days) => {
            ff.prune_events_older_than(Duration::from_secs(days.saturating_mul(SECONDS_PER_DAY)))?
        }
        None => ff.prune_expired_events()?,
    };
    let days = older_than.or_else(|| {
        ff.config()
            .event_retention
            .map(|age| age.as_secs() / SECONDS_PER_DAY)
    });
    let events = if deleted == 1 { "event" } else { "events" };
    if json {
        say!("{}", serde_json::json!({ "deleted": deleted }));
    } else {
        match days {
            Some(0) => say!("deleted {deleted} {events} (every one committed before now)"),
            Some(days) => say!("deleted {deleted} {events} older than {days} days"),
            None => say!("deleted no events: EVENT_RETENTION_DAYS is forever"),
        }
    }
    Ok(())
}

/// An event's cells: sequence, time, type, actor, subject, changes.
fn cells(event: &Event) -> Vec<String> {
    let subject = if let Some(id) = event.comment {
        format!("comment {id}")
    } else if let Some(id) = event.task {
        format!("task {id}")
    } else if let Some(id) = event.user {
        format!("user {id}")
    } else if let Some(id) = event.project {
        format!("project {id}")
    } else {
        String::new()
    };
    let changes = event.changes.as_ref().map_or_else(String::new, |changes| {
        changes
            .0
            .iter()
            .map(|(field, change)| format!("{field}: {} -> {}", change.old, change.new))
            .collect::<Vec<_>>()
            .join("; ")
    });
    vec![
        event.sequence.to_string(),
        event.created_at.to_string(),
        event.kind.to_string(),
        event
            .actor
            .map_or_else(|| "system".to_owned(), |actor| actor.to_string()),
        subject,
        changes,
    ]
}
