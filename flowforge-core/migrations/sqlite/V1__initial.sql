-- FlowForge schema for SQLite. Ids are canonical UUID text; timestamps are RFC 3339 text in UTC
-- with milliseconds (they sort chronologically); roles, statuses and priorities are stored as
-- their rank so that ordering by them follows the declared order.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,           -- stored lowercased
    full_name     TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    is_active     INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at    TEXT NOT NULL
);

CREATE TABLE organizations (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL UNIQUE,              -- case-folded name: unique without regard to case
    slug       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE memberships (
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            INTEGER NOT NULL CHECK (role BETWEEN 0 AND 3), -- viewer, member, admin, owner
    joined_at       TEXT NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id, organization_id, role);
CREATE INDEX memberships_org_role ON memberships (organization_id, role);

CREATE TABLE projects (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    name_key        TEXT NOT NULL,                -- case-folded name
    description     TEXT NOT NULL DEFAULT '',
    is_archived     INTEGER NOT NULL DEFAULT 0 CHECK (is_archived IN (0, 1)),
    created_by      TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (organization_id, name_key),
    UNIQUE (id, organization_id)                  -- target of the tasks' composite key
);
CREATE INDEX projects_org_archived ON projects (organization_id, is_archived);

CREATE TABLE tasks (
    seq             INTEGER PRIMARY KEY,          -- a stable rowid, the search index's key
    id              TEXT NOT NULL UNIQUE,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    project_id      TEXT NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    status          INTEGER NOT NULL CHECK (status BETWEEN 0 AND 3),   -- todo, in_progress, done, blocked
    priority        INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 3), -- low, medium, high, critical
    assigned_to     TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_by      TEXT REFERENCES users (id) ON DELETE SET NULL,
    due_date        TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    deleted_at      TEXT,                         -- soft delete: set rows are gone from every read
    -- a task's project is always in the task's organization
    FOREIGN KEY (project_id, organization_id) REFERENCES projects (id, organization_id) ON DELETE CASCADE
);
CREATE INDEX tasks_project_status ON tasks (project_id, status);
CREATE INDEX tasks_assignee_status ON tasks (assigned_to, status);
-- The default task order (due date, undated last, then highest priority), walked in order.
CREATE INDEX tasks_org_default_order ON tasks (organization_id, (due_date IS NULL), due_date, priority DESC, id)
    WHERE deleted_at IS NULL;
CREATE INDEX tasks_org_created ON tasks (organization_id, created_at);
CREATE INDEX tasks_created_by ON tasks (created_by);

-- Substring search over title and description. The index holds `search_terms(title,
-- description)`: the distinct white-space separated words of both fields, case-folded (the same
-- folding applied to search words, by functions FlowForge registers on every connection). A
-- search word never contains white space, so it occurs in a field exactly when it occurs inside
-- one of these words; the tokenizer folds nothing more, so a `"word"` match is an exact
-- substring test. Contentless: the rows live in `tasks`; `seq` is the shared key.
CREATE VIRTUAL TABLE tasks_search USING fts5 (
    terms, content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 1'
);
-- A bulk load (the demo seeder) suspends the insert trigger inside its own transaction and
-- indexes the rows it wrote with one INSERT ... SELECT, about four times faster; other
-- connections never see it suspended.
CREATE TABLE search_sync (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    suspended INTEGER NOT NULL DEFAULT 0 CHECK (suspended IN (0, 1))
);
INSERT INTO search_sync (id, suspended) VALUES (1, 0);
CREATE TRIGGER tasks_search_insert AFTER INSERT ON tasks
WHEN (SELECT suspended FROM search_sync WHERE id = 1) = 0 BEGIN
    INSERT INTO tasks_search (rowid, terms) VALUES (new.seq, search_terms(new.title, new.description));
END;
CREATE TRIGGER tasks_search_delete AFTER DELETE ON tasks BEGIN
    DELETE FROM tasks_search WHERE rowid = old.seq;
END;
CREATE TRIGGER tasks_search_update AFTER UPDATE OF title, description ON tasks BEGIN
    DELETE FROM tasks_search WHERE rowid = old.seq;
    INSERT INTO tasks_search (rowid, terms) VALUES (new.seq, search_terms(new.title, new.description));
END;

CREATE TABLE refresh_tokens (
    jti        TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id, expires_at);
