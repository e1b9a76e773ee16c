//! Comment pages: random numbers of comments on a task (some written in the same millisecond,
//! some after a pause), by several authors, read oldest or newest first with a random page size;
//! and the task's comments only, never another task's.

use std::cmp::Ordering;
use std::sync::OnceLock;

use flowforge_core::{
    Actor, Comment, CommentField, CommentQuery, NewComment, PageRequest, Role, Sort, Task,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseResult;

use super::{config, walk};
use crate::support::{TestFf, add, open, org, project, task, user};

/// A database with an organization of two writers and a project: registering hashes passwords,
/// so it is made once for every case; each case comments on tasks of its own.
struct Talk {
    ff: TestFf,
    writers: [Actor; 2],
    project: flowforge_core::Project,
}

fn talk() -> &'static Talk {
    static TALK: OnceLock<Talk> = OnceLock::new();
    TALK.get_or_init(|| {
        let ff = open();
        let owner = user(&ff, "owner@talk.example");
        let member = user(&ff, "member@talk.example");
        let acme = org(&ff, &owner, "Talk");
        add(&ff, &owner, &acme, &member, Role::Member);
        let project = project(&ff, &owner, &acme, "Talks");
        Talk {
            ff,
            writers: [owner, member],
            project,
        }
    })
}

#[derive(Debug, Clone)]
struct CommentCase {
    /// Per comment: which writer, and whether to pause first (a later millisecond).
    comments: Vec<(usize, bool)>,
    /// Comments on another task of the same project, written in between.
    elsewhere: usize,
    /// `None` for the default ordering.
    descending: Option<bool>,
    page_size: u64,
}

fn comment_case() -> impl Strategy<Value = CommentCase> {
    (
        proptest::collection::vec((0..2usize, proptest::bool::weighted(0.2)), 0..=24),
        0..=3usize,
        proptest::option::of(any::<bool>()),
        1..=7u64,
    )
        .prop_map(|(comments, elsewhere, descending, page_size)| CommentCase {
            comments,
            elsewhere,
            descending,
            page_size,
        })
}

/// The model: by creation time in the asked direction, ties by id ascending.
fn comment_order(descending: bool, a: &Comment, b: &Comment) -> Ordering {
    let by_time = a.created_at.cmp(&b.created_at);
    let by_time = if descending {
        by_time.reverse()
    } else {
        by_time
    };
    by_time.then(a.id.cmp(&b.id))
}

fn check_comment_pages(case: &CommentCase) -> TestCaseResult {
    let Talk {
        ff,
        writers,
        project,
    } = talk();
    let on: Task = task(ff, &writers[0], project, "Talked about");
    let aside: Task = task(ff, &writers[0], project, "Talked about elsewhere");
    let mut expected = Vec::new();
    for (n, &(writer, pause)) in case.comments.iter().enumerate() {
        if pause {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let body = NewComment::new(format!("Comment {n}"));
        expected.push(
            ff.create_comment(&writers[writer], on.id, &body)
                .expect("comment"),
        );
        if n < case.elsewhere {
            ff.create_comment(&writers[writer], aside.id, &body)
                .expect("comment elsewhere");
        }
    }
    expected.sort_by(|a, b| comment_order(case.descending == Some(true), a, b));
    let ordering = case
        .descending
        .map(|descending| Sort {
            field: CommentField::CreatedAt,
            descending,
        })
        .into_iter()
        .collect::<Vec<_>>();
    let walked = walk(expected.len(), case.page_size, |number| {
        let query = CommentQuery {
            ordering: ordering.clone(),
            page: PageRequest::new(number, case.page_size),
        };
        ff.list_comments(&writers[1], on.id, &query)
    })?;
    prop_assert_eq!(walked, expected);
    Ok(())
}

proptest! {
    #![proptest_config(config(24))]

    #[test]
    fn walking_every_comment_page_yields_the_tasks_comments_once_in_order(case in comment_case()) {
        check_comment_pages(&case)?;
    }
}
