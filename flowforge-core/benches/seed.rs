//! Bulk-load speed: `Admin::seed_demo` (what `flowforge seed-demo` runs) into a new SQLite file,
//! from the first user written to the last task indexed.
//!
//! `cargo bench -p flowforge-core --bench seed`; the size is `FLOWFORGE_BENCH_SEED_TASKS`
//! (default 200,000 tasks: 10 organizations of 10 projects, two of the seeder's transactions).

use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use flowforge_core::{Config, Database, FlowForge, SeedPlan};

fn seed(c: &mut Criterion) {
    let tasks: u32 = std::env::var("FLOWFORGE_BENCH_SEED_TASKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let plan = SeedPlan {
        orgs: 10,
        projects_per_org: 10,
        tasks_per_project: (tasks / 100).max(1),
        ..SeedPlan::default()
    };
    let mut group = c.benchmark_group("seed_demo");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30))
        .throughput(Throughput::Elements(
            u64::from(plan.tasks_per_project) * 100,
        ));
    group.bench_function("tasks", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("temporary directory");
                let db = Database::File(dir.path().join("seed.db"));
                let ff = FlowForge::open(&db, Config::new("bench-secret")).expect("open");
                (dir, ff)
            },
            // Closing the handle (and its final checkpoint) happens after the timing.
            |(dir, ff)| {
                let report = ff.admin().seed_demo(&plan, |_, _| {}).expect("seed");
                (dir, ff, report)
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

criterion_group!(benches, seed);
criterion_main!(benches);
