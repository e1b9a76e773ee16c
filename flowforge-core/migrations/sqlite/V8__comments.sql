-- Comments on tasks. A comment carries its task's organization, on which every statement
-- filters. It goes with its task's row (deleting a project deletes its tasks, and they their
-- comments); a soft-deleted task keeps its rows, and every read hides its comments with it.
-- Users are never deleted (they are deactivated), so an author always exists.
CREATE TABLE comments (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    task_id         TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    author_id       TEXT NOT NULL REFERENCES users (id),
    body            TEXT NOT NULL,
    mentions        TEXT NOT NULL DEFAULT '[]',   -- a JSON array of user ids, in order of first mention
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
-- A task's comments in either order of creation, ties by id; also the cascade's lookup.
CREATE INDEX comments_task_created ON comments (task_id, created_at, id);
