-- FlowForge schema for PostgreSQL: the tables, keys and indexes of the SQLite schema, in native
-- types (uuid, timestamptz, date, boolean). Text compares and sorts by code point (COLLATE "C"),
-- as on SQLite, whatever the database's locale. Roles, statuses and priorities are stored as
-- their rank so that ordering by them follows the declared order.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- FlowForge's case folding (Unicode lower case, the final sigma as any sigma), as on SQLite,
-- where the application registers the same function. ICU's root locale lowers every script as
-- the application does, whatever the collation of the text or the locale of the database.
CREATE FUNCTION casefold(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT translate(lower($1 COLLATE "und-x-icu"), 'ς', 'σ') $$;

-- SQLite's name for the position of a substring, so that statements are written once.
CREATE FUNCTION instr(text, text) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT strpos($1, $2) $$;

-- What task search matches against: the distinct white-space separated words of the title and
-- the description, case-folded (as `casefold`, written out so that the function needs nothing
-- outside pg_catalog: a restore from pg_dump computes it with an empty search path). A search
-- word never contains white space, so it occurs in a field exactly when it occurs inside one of
-- these words.
CREATE FUNCTION search_terms(title text, description text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT coalesce(string_agg(DISTINCT word, ' '), '')
        FROM regexp_split_to_table(
            translate(lower((coalesce(title, '') || ' ' || coalesce(description, '')) COLLATE "und-x-icu"), 'ς', 'σ'),
            '\s+'
        ) AS word
        WHERE word <> ''
    $$;

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    email         text COLLATE "C" NOT NULL UNIQUE,   -- stored lowercased
    full_name     text COLLATE "C" NOT NULL DEFAULT '',
    password_hash text NOT NULL,
    is_active     boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL
);

CREATE TABLE organizations (
    id         uuid PRIMARY KEY,
    name       text COLLATE "C" NOT NULL,
    name_key   text COLLATE "C" NOT NULL UNIQUE,      -- case-folded name: unique without regard to case
    slug       text COLLATE "C" NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE memberships (
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            smallint NOT NULL CHECK (role BETWEEN 0 AND 3), -- viewer, member, admin, owner
    joined_at       timestamptz NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id, organization_id, role);
CREATE INDEX memberships_org_role ON memberships (organization_id, role);

CREATE TABLE projects (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            text COLLATE "C" NOT NULL,
    name_key        text COLLATE "C" NOT NULL,        -- case-folded name
    description     text COLLATE "C" NOT NULL DEFAULT '',
    is_archived     boolean NOT NULL DEFAULT false,
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    UNIQUE (organization_id, name_key),
    UNIQUE (id, organization_id)                      -- target of the tasks' composite key
);
CREATE INDEX projects_org_archived ON projects (organization_id, is_archived);

CREATE TABLE tasks (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    project_id      uuid NOT NULL,
    title           text COLLATE "C" NOT NULL,
    description     text COLLATE "C" NOT NULL DEFAULT '',
    status          smallint NOT NULL CHECK (status BETWEEN 0 AND 3),   -- todo, in_progress, done, blocked
    priority        smallint NOT NULL CHECK (priority BETWEEN 0 AND 3), -- low, medium, high, critical
    assigned_to     uuid REFERENCES users (id) ON DELETE SET NULL,
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    due_date        date,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    deleted_at      timestamptz,                      -- soft delete: set rows are gone from every read
    search_text     text COLLATE "C" NOT NULL GENERATED ALWAYS AS (search_terms(title, description)) STORED,
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
-- Substring search: `search_text LIKE '%word%'` is answered from the trigram index.
CREATE INDEX tasks_search ON tasks USING gin (search_text gin_trgm_ops);

CREATE TABLE refresh_tokens (
    jti        text PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id, expires_at);

-- The shared request throttle of every server on this database: for each rate and key, the
-- instants (microseconds since the epoch, comma-separated, oldest first) of the requests
-- admitted within the last period. Rows past `expires_at` hold nothing that counts.
CREATE TABLE throttle_log (
    rate       text NOT NULL,
    key        text NOT NULL,
    hits       text NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (rate, key)
);
CREATE INDEX throttle_log_expires ON throttle_log (expires_at);
