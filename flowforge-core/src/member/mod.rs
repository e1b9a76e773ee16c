//! Memberships: who belongs to an organization with which role, and the rules for changing that.
//! An organization always keeps at least one owner.

mod service;

pub(crate) use service::{add, remove, set_role};

use serde::Serialize;
use serde_json::Value;

use crate::authz::Role;
use crate::error::{FieldErrors, Result};
use crate::input::Body;
use crate::query::{Common, PageRequest, Params, Search, Sort, SortField, ordering_or};
use crate::time::Timestamp;
use crate::user::{UserRef, check_email, normalize_email};

/// A user's membership in an organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Membership {
    /// The member.
    pub user: UserRef,
    /// Their role.
    pub role: Role,
    /// When they joined.
    pub joined_at: Timestamp,
}

/// Adds an existing, active user by email.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    serde(deny_unknown_fields)
)]
pub struct NewMembership {
    /// The user's email.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::email))]
    pub email: String,
    /// The role to give them.
    pub role: Role,
}

impl NewMembership {
    /// Reads a create body (`email`, `role`).
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) naming each bad or missing field.
    pub fn from_json(value: &Value) -> Result<Self> {
        let mut body = Body::parse(value, &["email", "role"], &["user", "joined_at"])?;
        let email = body.text("email", true);
        let role = body.choice("role", true);
        body.finish()?;
        let email = email.unwrap_or_default();
        let mut errors = FieldErrors::default();
        check_email(&mut errors, &normalize_email(&email));
        errors.into_result()?;
        Ok(Self {
            email,
            role: role.unwrap_or(Role::Viewer),
        })
    }
}

/// A change of a member's role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    serde(deny_unknown_fields)
)]
pub struct MembershipPatch {
    /// The new role.
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub role: Option<Role>,
}

impl MembershipPatch {
    /// Reads a `PATCH` body (`role`).
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an unknown role or field.
    pub fn from_json(value: &Value) -> Result<Self> {
        let mut body = Body::parse(value, &["role"], &["user", "joined_at"])?;
        let role = body.choice("role", false);
        body.finish()?;
        Ok(Self { role })
    }
}

/// The fields members can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberField {
    /// By joining time.
    JoinedAt,
    /// By email.
    Email,
    /// By role rank (ascending: viewer first).
    Role,
}

impl SortField for MemberField {
    const ALL: &'static [Self] = &[Self::JoinedAt, Self::Email, Self::Role];

    fn name(self) -> &'static str {
        match self {
            Self::JoinedAt => "joined_at",
            Self::Email => "email",
            Self::Role => "role",
        }
    }
}

/// A query of one organization's members.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberQuery {
    /// Only members with any of these roles (all when empty).
    pub role: Vec<Role>,
    /// Words to find in the email or full name.
    pub search: Search,
    /// The ordering; empty means by joining time.
    pub ordering: Vec<Sort<MemberField>>,
    /// The page wanted.
    pub page: PageRequest,
}

impl MemberQuery {
    /// Parses query-string pairs (`role`, `search`, `ordering`, `page`, `page_size`).
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for a bad filter, ordering or page size;
    /// [`Error::NotFound`](crate::Error::NotFound) `Invalid page.` for a bad page.
    pub fn from_pairs<I, K, V>(pairs: I) -> Result<Self>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let params = Params::new(pairs);
        let mut errors = FieldErrors::default();
        let role = params.choices("role", &mut errors);
        let Common {
            search,
            ordering,
            page,
        } = Common::read(&params, errors)?;
        Ok(Self {
            role,
            search,
            ordering,
            page,
        })
    }

    /// The ordering when the query names none: by joining time.
    pub(crate) const DEFAULT_ORDERING: &[Sort<MemberField>] = &[Sort::asc(MemberField::JoinedAt)];

    /// The order to read the list in: the one asked for, else [`Self::DEFAULT_ORDERING`].
    pub(crate) fn effective_ordering(&self) -> &[Sort<MemberField>] {
        ordering_or(&self.ordering, Self::DEFAULT_ORDERING)
    }
}
