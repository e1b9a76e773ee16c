//! The layer walls, read from the sources: the store runs what it is told and names nothing
//! above it, the vocabulary and the models know nothing of the store, the server never takes
//! the admin bypass, and the server and the CLI hold no SQL. Each rule names files (a folder means every `.rs` file under it, paths
//! relative to flowforge-core) and the names none of them may contain; comments are not read.

use std::fs;
use std::path::{Path, PathBuf};

struct Rule {
    /// The wall the rule keeps.
    wall: &'static str,
    files: &'static [&'static str],
    forbidden: &'static [&'static str],
}

const RULES: &[Rule] = &[
    Rule {
        wall: "the store names no service, the admin entry point, the seeder or the limiter",
        files: &["src/store"],
        forbidden: &[
            "service::",
            "auth::",
            "admin::",
            "Admin",
            "seed::",
            "throttle::",
            "Throttle",
            "Limiter",
        ],
    },
    Rule {
        wall: "the vocabulary, the models and the list queries do not name the store",
        files: &[
            "src/ids.rs",
            "src/choice.rs",
            "src/time.rs",
            "src/error.rs",
            "src/rate.rs",
            "src/comment/mod.rs",
            "src/comment/mentions.rs",
            "src/org/mod.rs",
            "src/member/mod.rs",
            "src/project/mod.rs",
            "src/task/mod.rs",
            "src/task/query.rs",
            "src/user/mod.rs",
            "src/event/mod.rs",
            "src/query",
        ],
        forbidden: &["store::", "Tx"],
    },
    Rule {
        wall: "the server never takes the admin bypass: a tenant's request acts as its actor",
        files: &["../flowforge-server/src"],
        forbidden: &["admin()", "Admin<"],
    },
    Rule {
        wall: "the server and the CLI hold no SQL",
        files: &["../flowforge-server/src", "../flowforge-cli/src"],
        forbidden: &[
            "SELECT ",
            "INSERT INTO",
            "UPDATE ",
            "DELETE FROM",
            "CREATE TABLE",
            "ALTER TABLE",
            "DROP TABLE",
        ],
    },
];

#[test]
fn every_layer_names_only_what_lies_below_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut breaches = Vec::new();
    for rule in RULES {
        for file in rule.files.iter().flat_map(|f| rust_files(&root.join(f))) {
            let text = fs::read_to_string(&file).expect("a readable source file");
            for (n, line) in code_lines(&text) {
                for name in rule.forbidden.iter().filter(|name| names(line, name)) {
                    let file = file.strip_prefix(root).unwrap_or(&file).display();
                    breaches.push(format!("{file}:{n} names {name:?}: {}", rule.wall));
                }
            }
        }
    }
    assert!(breaches.is_empty(), "{}", breaches.join("\n"));
}

/// `path` if it is a file, else every `.rs` file under it; a path that does not exist fails, so
/// that a moved file cannot leave a rule checking nothing.
fn rust_files(path: &Path) -> Vec<PathBuf> {
    assert!(path.exists(), "{} does not exist", path.display());
    if path.is_file() {
        return vec![path.to_owned()];
    }
    let mut files = Vec::new();
    for entry in fs::read_dir(path).expect("a readable folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files
}

/// The numbered lines of `text` without their `//` comments.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter_map(|(i, line)| {
        let code = line.split(" // ").next().unwrap_or_default();
        (!code.trim_start().starts_with("//")).then_some((i + 1, code))
    })
}

/// Whether `line` contains `name` not as part of a longer identifier.
fn names(line: &str, name: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    line.match_indices(name).any(|(at, _)| {
        let joined_before = line[..at].chars().next_back().is_some_and(is_ident);
        let joined_after = name.ends_with(is_ident)
            && line[at + name.len()..].chars().next().is_some_and(is_ident);
        !joined_before && !joined_after
    })
}
