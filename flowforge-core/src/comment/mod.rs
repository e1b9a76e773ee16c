//! Comments on tasks: the model, its inputs and list query. A comment belongs to one live task
//! and is seen only through it: a task that is gone (deleted, or in another tenant) takes its
//! comments with it. Its mentions are always those of its current body, as of its last write.

mod mentions;
mod service;

pub(crate) use mentions::mentioned_emails;

use serde::Serialize;
use serde_json::Value;

use crate::error::{FieldErrors, Result};
use crate::ids::{CommentId, TaskId, UserId};
use crate::input::Body;
use crate::query::{Ordered, PageRequest, Params, Sort, SortField, ordering_or};
use crate::time::Timestamp;
use crate::user::UserRef;

/// The longest comment body, in characters once trimmed.
pub(crate) const MAX_BODY: usize = 10_000;

/// A comment on a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comment {
    /// The comment's id.
    pub id: CommentId,
    /// The task it is on.
    pub task: TaskId,
    /// Who wrote it.
    pub author: UserRef,
    /// 1 to 10,000 characters of text (markdown, kept as text), trimmed.
    pub body: String,
    /// The members its body mentions (`@` and their email), each once, in order of first
    /// mention.
    pub mentions: Vec<UserId>,
    /// When it was written.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// A new comment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    serde(deny_unknown_fields)
)]
pub struct NewComment {
    /// 1 to 10,000 characters once trimmed.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::comment_body))]
    pub body: String,
}

/// The fields a body may not write: all but `body`, which is the only one a comment takes.
const READ_ONLY: &[&str] = &[
    "id",
    "task",
    "author",
    "mentions",
    "created_at",
    "updated_at",
];
const WRITABLE: &[&str] = &["body"];

impl NewComment {
    /// A comment saying `body`.
    pub fn new(body: impl Into<String>) -> Self {
        Self { body: body.into() }
    }

    /// Reads a create body (`body`).
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) naming each bad, missing, unknown or
    /// read-only field.
    pub fn from_json(value: &Value) -> Result<Self> {
        let mut body = Body::parse(value, WRITABLE, READ_ONLY)?;
        let text = body.text("body", true);
        body.finish()?;
        Ok(Self::new(text.unwrap_or_default()))
    }
}

/// A change to a comment; `None` leaves the body as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    serde(deny_unknown_fields)
)]
pub struct CommentPatch {
    /// A new body, 1 to 10,000 characters once trimmed; its mentions replace the old ones.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::comment_body))]
    pub body: Option<String>,
}

impl CommentPatch {
    /// Reads a `PATCH` body (`body`).
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) naming each bad, unknown or read-only
    /// field.
    pub fn from_json(value: &Value) -> Result<Self> {
        let mut body = Body::parse(value, WRITABLE, READ_ONLY)?;
        let text = body.text("body", false);
        body.finish()?;
        Ok(Self { body: text })
    }
}

/// The fields comments can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentField {
    /// By creation time.
    CreatedAt,
}

impl SortField for CommentField {
    const ALL: &'static [Self] = &[Self::CreatedAt];

    fn name(self) -> &'static str {
        match self {
            Self::CreatedAt => "created_at",
        }
    }
}

/// A query of one task's comments: an ordering and a page (the list has no filters or search).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommentQuery {
    /// The ordering; empty means oldest first.
    pub ordering: Vec<Sort<CommentField>>,
    /// The page wanted.
    pub page: PageRequest,
}

impl CommentQuery {
    /// Parses query-string pairs (`ordering`, `page`, `page_size`).
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for a bad ordering or page size;
    /// [`Error::NotFound`](crate::Error::NotFound) `Invalid page.` for a bad page.
    pub fn from_pairs<I, K, V>(pairs: I) -> Result<Self>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let params = Params::new(pairs);
        let Ordered { ordering, page } = Ordered::read(&params, FieldErrors::default())?;
        Ok(Self { ordering, page })
    }

    /// The ordering when the query names none: oldest first.
    pub(crate) const DEFAULT_ORDERING: &[Sort<CommentField>] =
        &[Sort::asc(CommentField::CreatedAt)];

    /// The order to read the list in: the one asked for, else [`Self::DEFAULT_ORDERING`].
    pub(crate) fn effective_ordering(&self) -> &[Sort<CommentField>] {
        ordering_or(&self.ordering, Self::DEFAULT_ORDERING)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::Error;

    #[test]
    fn only_the_body_is_written_and_every_other_field_is_named() {
        let read = NewComment::from_json(&json!({"body": "Looks good"})).unwrap();
        assert_eq!(read.body, "Looks good");
        let Err(Error::Validation(errors)) = CommentPatch::from_json(
            &json!({"body": "x", "author": "a", "mentions": [], "colour": "red"}),
        ) else {
            panic!("expected a validation error");
        };
        assert_eq!(errors.get("author").unwrap(), ["This field is read-only."]);
        assert_eq!(
            errors.get("mentions").unwrap(),
            ["This field is read-only."]
        );
        assert_eq!(errors.get("colour").unwrap(), ["Unknown field."]);
        assert_eq!(CommentPatch::from_json(&json!({})).unwrap().body, None);
        assert!(NewComment::from_json(&json!({})).is_err());
    }

    #[test]
    fn comments_order_by_creation_only() {
        let q = CommentQuery::from_pairs([("ordering", "-created_at"), ("page_size", "5")]);
        assert_eq!(q.unwrap().ordering, [Sort::desc(CommentField::CreatedAt)]);
        for bad in ["body", "created_at,-created_at", "updated_at"] {
            assert!(
                CommentQuery::from_pairs([("ordering", bad)]).is_err(),
                "{bad}"
            );
        }
        // No search is offered: the parameter is ignored like any other unknown one.
        assert!(CommentQuery::from_pairs([("search", "a"), ("search", "b")]).is_ok());
    }
}
