-- The seed-demo run in progress, if any: written with the organizations, advanced with each
-- batch of tasks, deleted when the run ends. A row left here marks a data set that an
-- interrupted run left partial; `seed-demo --resume` finishes it with the same plan.
CREATE TABLE seed_runs (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    orgs              INTEGER NOT NULL,
    projects_per_org  INTEGER NOT NULL,
    tasks_per_project INTEGER NOT NULL,
    users_per_org     INTEGER NOT NULL,
    seed              TEXT NOT NULL,                -- a u64, as decimal text
    tasks_written     INTEGER NOT NULL,
    started_at        TEXT NOT NULL
);
