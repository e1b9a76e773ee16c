-- Rows written and removed by the storage probe (store/probe.rs): at start, and for readiness
-- after the storage refused a write. Empty between probes.
CREATE TABLE storage_probe (
    id     bigserial PRIMARY KEY,
    filler text NOT NULL
);
