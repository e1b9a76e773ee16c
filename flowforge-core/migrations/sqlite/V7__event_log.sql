-- The event log (flowforge-core/src/event/): every committed write appends its events here in the
-- same transaction. `event_sequences` holds each organization's last sequence number; a write
-- takes the next one by updating that row, so numbers are gap-free and, writes being one at a
-- time, in commit order. `id` is the log's position across organizations: SQLite commits one
-- write at a time, so a later commit always has a larger id (AUTOINCREMENT never reuses the id of
-- a deleted event, which a follower's cursor may still name). `txn` is PostgreSQL's ordering key
-- and always 0 here, so that the statements are written once.
CREATE TABLE event_sequences (
    organization_id TEXT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    sequence        INTEGER NOT NULL
);
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
CREATE INDEX events_position ON events (txn, id);
CREATE INDEX events_task ON events (organization_id, task_id, sequence) WHERE task_id IS NOT NULL;
CREATE INDEX events_created ON events (created_at);
