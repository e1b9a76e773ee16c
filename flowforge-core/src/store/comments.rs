//! Statements on comments, and the lookup of the members a comment mentions. Every statement
//! filters on the scope's organization and the comment's task; the caller has found that task
//! live in the same transaction, so a deleted task's comments are never read. A comment's
//! mentions are kept as a JSON array of user ids.

use super::Tx;
use super::list::{Select, Where, fetch_page, order_by, value};
use super::value::{Row, Value, args};
use crate::authz::OrgScope;
use crate::comment::{Comment, CommentField, CommentQuery};
use crate::error::{Error, Result};
use crate::ids::{CommentId, TaskId, UserId};
use crate::query::Page;
use crate::user::UserRef;

const COMMENT_COLUMNS: &str = "c.id, c.task_id, u.id, u.email, u.full_name, c.body, c.mentions,
    c.created_at, c.updated_at";
const COMMENT_FROM: &str = "comments c JOIN users u ON u.id = c.author_id";

fn comment_row(row: &Row) -> Result<Comment> {
    let mentions: String = row.get(6)?;
    Ok(Comment {
        id: row.get(0)?,
        task: row.get(1)?,
        author: UserRef {
            id: row.get(2)?,
            email: row.get(3)?,
            full_name: row.get(4)?,
        },
        body: row.get(5)?,
        mentions: serde_json::from_str(&mentions).map_err(Error::internal)?,
        created_at: row.get(7)?,
        updated_at: row.get(8)?,
    })
}

/// The stored form of a comment's mentions.
fn mentions_text(mentions: &[UserId]) -> Result<String> {
    serde_json::to_string(mentions).map_err(Error::internal)
}

impl Tx<'_> {
    /// A page of the comments of `task`, a task of the scope's organization.
    pub(crate) fn list_comments(
        &self,
        scope: &OrgScope,
        task: TaskId,
        query: &CommentQuery,
    ) -> Result<Page<Comment>> {
        let mut filter = Where::default();
        filter.and(
            "c.organization_id = ? AND c.task_id = ?",
            [value(scope.org()), value(task)],
        );
        let terms: Vec<(String, bool)> = query
            .effective_ordering()
            .iter()
            .map(|s| (comment_column(s.field).to_owned(), s.descending))
            .collect();
        fetch_page(
            self,
            &Select {
                columns: COMMENT_COLUMNS,
                from: COMMENT_FROM,
                count_from: "comments c",
            },
            &filter,
            &order_by(&terms, "c.id"),
            query.page,
            comment_row,
        )
    }

    /// The comment `id` if it is on `task`, a task of the scope's organization.
    pub(crate) fn comment(
        &self,
        scope: &OrgScope,
        task: TaskId,
        id: CommentId,
    ) -> Result<Option<Comment>> {
        let sql = format!(
            "SELECT {COMMENT_COLUMNS} FROM {COMMENT_FROM}
             WHERE c.id = ? AND c.task_id = ? AND c.organization_id = ?"
        );
        self.row(&sql, args![id, task, scope.org()], comment_row)
    }

    pub(crate) fn insert_comment(&self, scope: &OrgScope, c: &Comment) -> Result<()> {
        self.execute(
            "INSERT INTO comments (id, organization_id, task_id, author_id, body, mentions,
                                   created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            args![
                c.id,
                scope.org(),
                c.task,
                c.author.id,
                c.body,
                mentions_text(&c.mentions)?,
                c.created_at,
                c.updated_at
            ],
        )?;
        Ok(())
    }

    pub(crate) fn update_comment(&self, scope: &OrgScope, c: &Comment) -> Result<()> {
        self.execute(
            "UPDATE comments SET body = ?, mentions = ?, updated_at = ?
             WHERE id = ? AND task_id = ? AND organization_id = ?",
            args![
                c.body,
                mentions_text(&c.mentions)?,
                c.updated_at,
                c.id,
                c.task,
                scope.org()
            ],
        )?;
        Ok(())
    }

    pub(crate) fn delete_comment(
        &self,
        scope: &OrgScope,
        task: TaskId,
        id: CommentId,
    ) -> Result<()> {
        self.execute(
            "DELETE FROM comments WHERE id = ? AND task_id = ? AND organization_id = ?",
            args![id, task, scope.org()],
        )?;
        Ok(())
    }

    /// The members of the scope's organization (any role) whose email is one of `emails`
    /// (stored emails: lowercased), as `(email, id)`.
    pub(crate) fn members_by_email(
        &self,
        scope: &OrgScope,
        emails: &[String],
    ) -> Result<Vec<(String, UserId)>> {
        if emails.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; emails.len()].join(", ");
        let mut params = vec![value(scope.org())];
        params.extend(emails.iter().map(|email| Value::Text(email.clone())));
        self.rows(
            &format!(
                "SELECT u.email, u.id FROM memberships m JOIN users u ON u.id = m.user_id
                 WHERE m.organization_id = ? AND u.email IN ({marks})"
            ),
            &params,
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }
}

fn comment_column(field: CommentField) -> &'static str {
    match field {
        CommentField::CreatedAt => "c.created_at",
    }
}
