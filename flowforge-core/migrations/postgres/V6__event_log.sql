-- The event log (flowforge-core/src/event/): every committed write appends its events here in the
-- same transaction. `event_sequences` holds each organization's last sequence number; a write
-- takes the next one by updating that row, which it keeps locked until it commits: a concurrent
-- write of the same organization waits, then loses a serialization conflict and runs again with
-- the number after it. So numbers are gap-free and in commit order within an organization.
--
-- Across organizations, writes commit side by side and identity values are not in commit order,
-- so a follower reading by `id` alone could pass an event that commits late. The log's position
-- is (`txn`, `id`): `txn` is the writing transaction's id, and a reader only reads events whose
-- `txn` is below the oldest transaction still running when its snapshot was taken
-- (`pg_snapshot_xmin`). Every transaction below that horizon has ended, so no event can appear
-- behind a position a reader has passed.
CREATE TABLE event_sequences (
    organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    sequence        bigint NOT NULL
);
CREATE TABLE events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    txn             bigint NOT NULL,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    sequence        bigint NOT NULL,
    type            text COLLATE "C" NOT NULL,
    actor_id        uuid,
    project_id      uuid,
    task_id         uuid,
    comment_id      uuid,
    user_id         uuid,
    changes         text,           -- JSON: {field: {"old": v, "new": v}}, updates only
    created_at      timestamptz NOT NULL,
    UNIQUE (organization_id, sequence)
);
CREATE INDEX events_position ON events (txn, id);
CREATE INDEX events_task ON events (organization_id, task_id, sequence) WHERE task_id IS NOT NULL;
