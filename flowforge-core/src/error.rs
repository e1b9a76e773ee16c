//! The one error type of FlowForge. Every variant maps onto exactly one outcome of the HTTP
//! contract, and every message is fit to show the user who caused it: internal causes stay in the
//! `#[source]` chain for the log and never reach the message.

use std::collections::BTreeMap;
use std::fmt;

/// Field-keyed validation messages, in the shape of the contract's `errors` member.
///
/// Keys are body fields or query parameters; `non_field_errors` holds the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldErrors(BTreeMap<String, Vec<String>>);

impl FieldErrors {
    /// The key under which errors that belong to no single field are kept.
    pub const NON_FIELD: &'static str = "non_field_errors";

    /// Records `message` against `field`.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_default().push(message.into());
    }

    /// A set holding one message for one field.
    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = Self::default();
        errors.add(field, message);
        errors
    }

    /// Whether no message was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The messages recorded for `field`.
    pub fn get(&self, field: &str) -> Option<&[String]> {
        self.0.get(field).map(Vec::as_slice)
    }

    /// Every field with its messages, ordered by field name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// `Ok(())` when empty, else the whole set as [`Error::Validation`].
    ///
    /// # Errors
    /// [`Error::Validation`] when any message was recorded.
    pub fn into_result(self) -> Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(self))
        }
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (field, messages) in &self.0 {
            for message in messages {
                if !first {
                    f.write_str("; ")?;
                }
                first = false;
                write!(f, "{field}: {message}")?;
            }
        }
        Ok(())
    }
}

/// Everything that can go wrong in a FlowForge operation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is malformed or breaks a rule; the messages name the offending fields.
    #[error("Invalid input: {0}")]
    Validation(FieldErrors),
    /// No valid credentials: a wrong password, a bad, expired or revoked token, an inactive user.
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller is known but their role does not allow the operation.
    #[error("{0}")]
    Forbidden(String),
    /// The resource does not exist, was deleted, or belongs to a tenant the caller is not in:
    /// these three are deliberately indistinguishable.
    #[error("{0}")]
    NotFound(String),
    /// The operation clashes with existing state (a duplicate, the last owner, an archived project).
    #[error("{0}")]
    Conflict(String),
    /// Too many requests; the caller may retry after this many seconds.
    #[error("Request was throttled. Expected available in {retry_after} seconds.")]
    Throttled {
        /// Seconds until a request would be allowed again.
        retry_after: u64,
    },
    /// The storage cannot take the operation now (a full disk, a read-only database, a lock held
    /// past the timeout, a database that does not answer); the caller may retry after this many
    /// seconds. The cause is kept for the log.
    #[error("The service cannot store changes right now; try again later.")]
    Unavailable {
        /// Seconds after which a retry may succeed.
        retry_after: u64,
        /// What the storage reported.
        #[source]
        cause: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A failure inside FlowForge or its database; the message tells the caller nothing more.
    #[error("An internal error occurred.")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The result type of every fallible FlowForge operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A stable snake_case identifier of the variant, for logs and clients.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Validation(_) => "validation",
            Error::Unauthenticated(_) => "unauthenticated",
            Error::Forbidden(_) => "forbidden",
            Error::NotFound(_) => "not_found",
            Error::Conflict(_) => "conflict",
            Error::Throttled { .. } => "throttled",
            Error::Unavailable { .. } => "unavailable",
            Error::Internal(_) => "internal",
        }
    }

    /// The plain "Not found." answer shared by missing, deleted and foreign resources.
    pub fn not_found() -> Self {
        Error::NotFound("Not found.".into())
    }

    /// A validation error with one message for one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Validation(FieldErrors::single(field, message))
    }

    /// The answer to a caller whose role is too low.
    pub(crate) fn role_too_low() -> Self {
        Error::Forbidden("Your role in this organization does not allow this.".into())
    }

    pub(crate) fn internal(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error::Internal(Box::new(source))
    }
}
