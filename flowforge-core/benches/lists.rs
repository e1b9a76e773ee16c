//! List and search latency on a large tenant.
//!
//! `cargo bench -p flowforge-core --bench lists`; the size is `FLOWFORGE_BENCH_TASKS`
//! (default 100,000 tasks in one organization of 10 projects), built once in a temporary file.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use flowforge_core::{
    Actor, Config, Database, FlowForge, NewOrg, NewProject, NewTask, NewUser, Priority, Status,
    TaskQuery,
};

/// Words with Zipf-like weights: the first is common, the last rare.
const WORDS: &[&str] = &[
    "update",
    "review",
    "deploy",
    "fix",
    "design",
    "customer",
    "invoice",
    "report",
    "migrate",
    "database",
    "budget",
    "onboarding",
    "release",
    "security",
    "audit",
    "quarterly",
    "roadmap",
    "kubernetes",
    "translation",
    "zeppelin",
];

fn word(n: u64) -> &'static str {
    // Index i is picked with weight 1/(i+1), from a cheap deterministic sequence.
    let weights: f64 = (1..=WORDS.len()).map(|i| 1.0 / i as f64).sum();
    let mut target = (n.wrapping_mul(2_654_435_761) % 10_000) as f64 / 10_000.0 * weights;
    for (i, w) in WORDS.iter().enumerate() {
        target -= 1.0 / (i + 1) as f64;
        if target <= 0.0 {
            return w;
        }
    }
    WORDS[WORDS.len() - 1]
}

fn seed(ff: &FlowForge, tasks: u64) -> Actor {
    let user = NewUser {
        email: "owner@bench.example".into(),
        password: "flowforge-pass-1".into(),
        full_name: "Owner".into(),
    };
    ff.register(&user).expect("register");
    let owner = ff
        .authenticate("owner@bench.example", "flowforge-pass-1")
        .expect("login");
    let org = ff
        .create_organization(
            &owner,
            &NewOrg {
                name: "Bench".into(),
                slug: None,
            },
        )
        .expect("org");
    let projects: Vec<_> = (0..10)
        .map(|i| {
            ff.create_project(&owner, &NewProject::new(org.id, format!("Project {i}")))
                .expect("project")
        })
        .collect();
    let started = Instant::now();
    for n in 0..tasks {
        let task = NewTask {
            description: format!("{} the {} for {}", word(n + 1), word(n + 2), word(n + 3)),
            status: Some(Status::ALL[(n % 4) as usize]),
            priority: Some(Priority::ALL[(n / 4 % 4) as usize]),
            due_date: (n % 7 != 0)
                .then(|| chrono::NaiveDate::from_num_days_from_ce_opt(739_000 + (n % 180) as i32))
                .flatten(),
            ..NewTask::new(
                projects[(n % 10) as usize].id,
                format!("{} {} #{n}", word(n), word(n * 7)),
            )
        };
        ff.create_task(&owner, &task).expect("task");
    }
    eprintln!("seeded {tasks} tasks in {:.1?}", started.elapsed());
    owner
}

fn lists(c: &mut Criterion) {
    let tasks = std::env::var("FLOWFORGE_BENCH_TASKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let ff = FlowForge::open(
        &Database::File(dir.path().join("bench.db")),
        Config::new("bench"),
    )
    .expect("open");
    let owner = seed(&ff, tasks);
    let cases: &[(&str, &[(&str, &str)])] = &[
        ("default page", &[]),
        ("status filter", &[("status", "blocked")]),
        (
            "priority ordering, page 50",
            &[("ordering", "-priority,title"), ("page", "50")],
        ),
        ("search common word", &[("search", "update")]),
        ("search rare word", &[("search", "zeppelin")]),
        ("search two words", &[("search", "deploy customer")]),
        ("search short word", &[("search", "fi")]),
        ("search absent word", &[("search", "qwertyuiop")]),
    ];
    let mut group = c.benchmark_group(format!("list_tasks/{tasks}"));
    group.sample_size(20);
    for (name, pairs) in cases {
        let query = TaskQuery::from_pairs(pairs.iter().copied()).expect("query");
        group.bench_function(*name, |b| {
            b.iter(|| black_box(ff.list_tasks(&owner, &query).expect("list")))
        });
    }
    group.finish();
}

criterion_group!(benches, lists);
criterion_main!(benches);
