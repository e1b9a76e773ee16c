//! Comments are seen only through their task: on a foreign, missing or deleted task every
//! comment operation answers exactly like on a task that does not exist; a comment id of another
//! task (of the same or another tenant) answers like one that does not exist; and nothing is
//! written.

use flowforge_core::{
    Actor, CommentId, CommentPatch, CommentQuery, Error, NewComment, Project, Task, TaskId,
};

use super::{answer, views};
use crate::support::{Mismatches, World, task};

/// A comment operation on a task and a comment id (list and create ignore the comment).
type Op = fn(&World, &Actor, TaskId, CommentId) -> Result<(), Error>;

/// Every comment operation, deletion last.
const OPS: [(&str, Op); 5] = [
    ("list comments", |w, a, task, _| {
        w.ff.list_comments(a, task, &CommentQuery::default())
            .map(drop)
    }),
    ("comment", |w, a, task, _| {
        w.ff.create_comment(a, task, &NewComment::new("Planted"))
            .map(drop)
    }),
    ("get a comment", |w, a, task, id| {
        w.ff.get_comment(a, task, id).map(drop)
    }),
    ("edit a comment", |w, a, task, id| {
        let patch = CommentPatch {
            body: Some("Hijacked".into()),
        };
        w.ff.update_comment(a, task, id, &patch).map(drop)
    }),
    ("delete a comment", |w, a, task, id| {
        w.ff.delete_comment(a, task, id)
    }),
];

/// What one tenant holds: a commented task, another commented task, and a deleted task that
/// had a comment.
struct Commented {
    task: TaskId,
    comment: CommentId,
    other_comment: CommentId,
    deleted_task: TaskId,
    deleted_comment: CommentId,
}

impl Commented {
    /// Comments in `project` by `owner` (who also deletes the deleted task).
    fn new(w: &World, owner: &Actor, project: &Project, commented: &Task) -> Self {
        let say = |task: TaskId| {
            w.ff.create_comment(owner, task, &NewComment::new("Mine"))
                .expect("comment")
                .id
        };
        let other = task(&w.ff, owner, project, "Another task");
        let deleted = task(&w.ff, owner, project, "A task to delete");
        let deleted_comment = say(deleted.id);
        w.ff.delete_task(owner, deleted.id).expect("delete task");
        Self {
            task: commented.id,
            comment: say(commented.id),
            other_comment: say(other.id),
            deleted_task: deleted.id,
            deleted_comment,
        }
    }

    /// Every comment of the tenant's live tasks, as its owner sees them.
    fn snapshot(&self, w: &World, owner: &Actor) -> String {
        let all = CommentQuery::default();
        format!("{:?}", w.ff.list_comments(owner, self.task, &all))
    }
}

#[test]
fn comments_of_foreign_missing_or_deleted_tasks_and_of_other_tasks_answer_alike() {
    let w = World::new();
    let org = Commented::new(&w, &w.owner, &w.project, &w.task);
    let foreign = Commented::new(&w, &w.outsider, &w.foreign_project, &w.foreign_task);
    let before = (
        org.snapshot(&w, &w.owner),
        foreign.snapshot(&w, &w.outsider),
    );
    let mut mismatches = Mismatches::default();
    for view in views(&w) {
        let (own, other) = if view.own_task == w.task.id {
            (&org, &foreign)
        } else {
            (&foreign, &org)
        };
        let (missing_task, missing_comment) = (TaskId::new(), CommentId::new());
        for (name, op) in OPS {
            let what = |case: &str| format!("{name} {case} as {}", view.who);
            let run =
                |task: TaskId, id: CommentId| answer(op(&w, view.actor, task, id), &[&task, &id]);
            let missing = run(missing_task, missing_comment);
            let cases = [
                ("on a foreign task", other.task, other.comment),
                ("on a deleted task", own.deleted_task, own.deleted_comment),
            ];
            for (case, task, comment) in cases {
                mismatches.both_not_found(&what(case), &run(task, comment), &missing);
            }
            if name.ends_with("a comment") {
                let missing = run(own.task, missing_comment);
                let cases = [
                    ("of another tenant's task", other.comment),
                    ("of another task", own.other_comment),
                    ("of a deleted task", own.deleted_comment),
                ];
                for (case, comment) in cases {
                    mismatches.both_not_found(&what(case), &run(own.task, comment), &missing);
                }
            }
        }
    }
    mismatches.assert_none();
    let after = (
        org.snapshot(&w, &w.owner),
        foreign.snapshot(&w, &w.outsider),
    );
    assert_eq!(before, after, "a comment was written");
}
