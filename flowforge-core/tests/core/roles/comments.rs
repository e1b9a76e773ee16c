//! The role matrix of the comment operations: members read, owners, admins and members comment,
//! only the author edits, the author, owners and admins delete.

use flowforge_core::{Actor, Comment, CommentPatch, CommentQuery, NewComment};

use super::{NO, OK, read, run_matrix, write};
use crate::support::World;

/// A comment `author` wrote on the world's task.
fn comment_by(w: &World, author: &Actor, body: &str) -> Comment {
    w.ff.create_comment(author, w.task.id, &NewComment::new(body))
        .expect("create comment")
}

/// The bodies of the world's task's comments, as the owner sees them.
fn bodies(w: &World) -> Vec<String> {
    w.ff.list_comments(&w.owner, w.task.id, &CommentQuery::default())
        .map(|page| page.items.into_iter().map(|c| c.body).collect())
        .unwrap_or_default()
}

fn says(body: &str) -> CommentPatch {
    CommentPatch {
        body: Some(body.into()),
    }
}

#[test]
fn role_matrix_of_comment_operations() {
    run_matrix(&[
        read("list the task's comments", [OK, OK, OK, OK], |w, a| {
            comment_by(w, &w.member, "Listed");
            let page = w.ff.list_comments(a, w.task.id, &CommentQuery::default())?;
            assert!(page.items.iter().any(|c| c.body == "Listed"));
            Ok(())
        }),
        read("get a comment", [OK, OK, OK, OK], |w, a| {
            let comment = comment_by(w, &w.member, "Read me");
            let read = w.ff.get_comment(a, w.task.id, comment.id)?;
            assert_eq!(read, comment);
            Ok(())
        }),
        write(
            "comment on the task",
            [OK, OK, OK, NO],
            |w, a| {
                w.ff.create_comment(a, w.task.id, &NewComment::new("A new comment"))
                    .map(drop)
            },
            |w| bodies(w) == ["A new comment"],
        ),
        write(
            "edit the member's comment",
            [NO, NO, OK, NO],
            |w, a| {
                let comment = comment_by(w, &w.member, "The member's comment");
                w.ff.update_comment(a, w.task.id, comment.id, &says("Edited"))
                    .map(drop)
            },
            |w| bodies(w) == ["Edited"],
        ),
        write(
            "edit the owner's comment",
            [OK, NO, NO, NO],
            |w, a| {
                let comment = comment_by(w, &w.owner, "The owner's comment");
                w.ff.update_comment(a, w.task.id, comment.id, &says("Edited"))
                    .map(drop)
            },
            |w| bodies(w) == ["Edited"],
        ),
        write(
            "delete the member's comment",
            [OK, OK, OK, NO],
            |w, a| {
                let comment = comment_by(w, &w.member, "The member's comment");
                w.ff.delete_comment(a, w.task.id, comment.id)
            },
            |w| bodies(w).is_empty(),
        ),
        write(
            "delete the owner's comment",
            [OK, OK, NO, NO],
            |w, a| {
                let comment = comment_by(w, &w.owner, "The owner's comment");
                w.ff.delete_comment(a, w.task.id, comment.id)
            },
            |w| bodies(w).is_empty(),
        ),
        write(
            "delete the admin's comment",
            [OK, OK, NO, NO],
            |w, a| {
                let comment = comment_by(w, &w.admin, "The admin's comment");
                w.ff.delete_comment(a, w.task.id, comment.id)
            },
            |w| bodies(w).is_empty(),
        ),
    ]);
}
