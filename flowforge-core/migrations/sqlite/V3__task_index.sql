-- Task lists, counts and search are answered by the in-memory task index of each process
-- (flowforge-core/src/index/), which follows the table by version: every statement that writes
-- an organization's tasks bumps its row here and stamps the rows it wrote with the new version
-- (`change_seq`); a removal from the table (a project's cascade) bumps the generation, and a
-- reader then loads that organization anew. The trigram index goes: each commit added a segment
-- that FTS5 later merged into segments the size of every tenant's postings, on the write path.
CREATE TABLE task_versions (
    organization_id TEXT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    generation      INTEGER NOT NULL,
    version         INTEGER NOT NULL
);
ALTER TABLE tasks ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tasks_org_change ON tasks (organization_id, change_seq);
DROP TRIGGER tasks_search_update;
DROP TRIGGER tasks_search_delete;
DROP TABLE tasks_search;
