-- The seed-demo run in progress, if any: written with the organizations, advanced with each
-- batch of tasks, deleted when the run ends. A row left here marks a data set that an
-- interrupted run left partial; `seed-demo --resume` finishes it with the same plan.
CREATE TABLE seed_runs (
    id                integer PRIMARY KEY CHECK (id = 1),
    orgs              bigint NOT NULL,
    projects_per_org  bigint NOT NULL,
    tasks_per_project bigint NOT NULL,
    users_per_org     bigint NOT NULL,
    seed              text NOT NULL,                -- a u64, as decimal text
    tasks_written     bigint NOT NULL,
    started_at        timestamptz NOT NULL
);
