-- Task lists, counts and search are answered by the in-memory task index of each process
-- (flowforge-core/src/index/), which follows the table by version: every statement that writes
-- an organization's tasks bumps its row here and stamps the rows it wrote with the new version
-- (`change_seq`); a removal from the table (a project's cascade) bumps the generation, and a
-- reader then loads that organization anew. The trigram index and the column it indexed go.
CREATE TABLE task_versions (
    organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    generation      bigint NOT NULL,
    version         bigint NOT NULL
);
ALTER TABLE tasks ADD COLUMN change_seq bigint NOT NULL DEFAULT 0;
CREATE INDEX tasks_org_change ON tasks (organization_id, change_seq);
DROP INDEX tasks_search;
ALTER TABLE tasks DROP COLUMN search_text;
DROP FUNCTION search_terms(text, text);
-- Every write transaction locks this table first (see store/postgres/mod.rs): a table lock, unlike
-- the advisory lock function it replaces, is taken before the transaction's snapshot, so a
-- write that runs alone after losing conflicts sees every write that went before it.
CREATE TABLE write_gate ();
