-- The event log (flowforge-core/src/event/): every committed write appends its events here in the
-- same transaction. An organization's numbers (`sequence`) continue from its newest event (SQLite
-- runs one write at a time, so they are gap-free and in commit order; pruning keeps each
-- organization's newest event). `id` is the log's position across organizations: a later commit
-- always has a larger id (AUTOINCREMENT never reuses the id of a deleted event, which a follower's
-- cursor may still name), and it alone orders positions. `txn` is PostgreSQL's ordering key and
-- always 0 here. Each index is a page every append writes: the organization's numbers (its
-- activity, newest first, and its next number) and a task's history; a prune walks the primary key.
CREATE TABLE events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    txn             INTEGER NOT NULL DEFAULT 0,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    sequence        INTEGER NOT NULL,
    type            TEXT NOT NULL,
    actor_id        TEXT,
    project_id      TEXT,
    task_id         TEXT,
    comment_id      TEXT,
    user_id         TEXT,
    changes         TEXT,           -- JSON: {field: {"old": v, "new": v}}, updates only
    created_at      TEXT NOT NULL,
    UNIQUE (organization_id, sequence)
);
CREATE INDEX events_task ON events (organization_id, task_id, sequence) WHERE task_id IS NOT NULL;
