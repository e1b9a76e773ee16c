//! Organizations (tenants): the model (as a member and as an operator sees it), its inputs and
//! list query, and the operations on it.

mod service;

pub(crate) use service::create_with_owner;

use serde::Serialize;
use serde_json::Value;

use crate::authz::Role;
use crate::error::{FieldErrors, Result};
use crate::ids::OrgId;
use crate::input::{Body, MAX_NAME, check_length};
use crate::query::{Common, PageRequest, Params, Search, Sort, SortField, ordering_or};
use crate::time::Timestamp;

/// An organization as one of its members sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = Organization))]
pub struct Org {
    /// The organization's id.
    pub id: OrgId,
    /// Its name, unique without regard to case.
    pub name: String,
    /// Its URL-safe short name, unique.
    pub slug: String,
    /// The caller's role in it.
    pub role: Role,
    /// How many members it has.
    pub member_count: u64,
    /// When it was created.
    pub created_at: Timestamp,
    /// When its name or slug last changed.
    pub updated_at: Timestamp,
}

/// An organization as an operator sees it: no caller role, but its sizes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OrgSummary {
    /// The organization's id.
    pub id: OrgId,
    /// Its name.
    pub name: String,
    /// Its slug.
    pub slug: String,
    /// How many members it has.
    pub member_count: u64,
    /// How many projects it has.
    pub project_count: u64,
    /// How many live tasks it has.
    pub task_count: u64,
    /// When it was created.
    pub created_at: Timestamp,
}

/// A new organization; its creator becomes its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = NewOrganization),
    serde(deny_unknown_fields)
)]
pub struct NewOrg {
    /// 2 to 255 characters, not digits only, unique without regard to case.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::org_name))]
    pub name: String,
    /// `[a-z0-9]+(-[a-z0-9]+)*`, at most 64; derived from the name when absent.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::slug))]
    pub slug: Option<String>,
}

const WRITABLE: &[&str] = &["name", "slug"];
const READ_ONLY: &[&str] = &["id", "role", "member_count", "created_at", "updated_at"];

impl NewOrg {
    /// Reads a create body (`name`, optional `slug`).
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) naming each bad or missing field.
    pub fn from_json(value: &Value) -> Result<Self> {
        let mut body = Body::parse(value, WRITABLE, READ_ONLY)?;
        let name = body.text("name", true);
        let slug = body.text("slug", false);
        body.finish()?;
        Ok(Self {
            name: name.unwrap_or_default(),
            slug,
        })
    }
}

/// A change to an organization's name or slug.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = OrganizationPatch),
    serde(deny_unknown_fields)
)]
pub struct OrgPatch {
    /// A new name.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::org_name))]
    pub name: Option<String>,
    /// A new slug.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::slug))]
    pub slug: Option<String>,
}

impl OrgPatch {
    /// Reads a `PATCH` body.
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) naming each bad field.
    pub fn from_json(value: &Value) -> Result<Self> {
        let mut body = Body::parse(value, WRITABLE, READ_ONLY)?;
        let name = body.text("name", false);
        let slug = body.text("slug", false);
        body.finish()?;
        Ok(Self { name, slug })
    }
}

/// The shortest organization name, in characters once trimmed.
pub(crate) const MIN_ORG_NAME: usize = 2;
/// The longest slug, in characters.
pub(crate) const MAX_SLUG: usize = 64;

/// Checks a name and slug, returning the trimmed name.
fn validate(name: Option<&str>, slug: Option<&str>) -> Result<Option<String>> {
    let mut errors = FieldErrors::default();
    let name = name.map(str::trim);
    if let Some(name) = name {
        check_length(&mut errors, "name", name, MIN_ORG_NAME, MAX_NAME);
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_digit()) {
            errors.add("name", "The name may not be digits only.");
        }
    }
    if let Some(slug) = slug {
        if slug.chars().count() > MAX_SLUG {
            errors.add("slug", "Ensure this field has no more than 64 characters.");
        } else if !is_slug(slug) {
            errors.add(
                "slug",
                "Use lowercase letters, digits and single hyphens between them.",
            );
        }
    }
    errors.into_result()?;
    Ok(name.map(str::to_owned))
}

/// Whether `text` matches `[a-z0-9]+(-[a-z0-9]+)*`.
fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// The slug derived from a name, before making it unique.
fn slug_base(name: &str) -> String {
    let slug = slug::slugify(name);
    let cut: String = slug.chars().take(56).collect();
    let cut = cut.trim_matches('-');
    if cut.is_empty() {
        "org".to_owned()
    } else {
        cut.to_owned()
    }
}

/// The fields organizations can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgField {
    /// By name.
    Name,
    /// By creation time.
    CreatedAt,
}

impl SortField for OrgField {
    const ALL: &'static [Self] = &[Self::Name, Self::CreatedAt];

    fn name(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::CreatedAt => "created_at",
        }
    }
}

/// A query of the caller's organizations: search on the name, ordering (default `name`), a page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgQuery {
    /// Words to find in the name.
    pub search: Search,
    /// The ordering; empty means by name.
    pub ordering: Vec<Sort<OrgField>>,
    /// The page wanted.
    pub page: PageRequest,
}

impl OrgQuery {
    /// Parses query-string pairs (`search`, `ordering`, `page`, `page_size`).
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for a bad ordering or page size or a repeated
    /// parameter; [`Error::NotFound`](crate::Error::NotFound) `Invalid page.` for a bad page.
    pub fn from_pairs<I, K, V>(pairs: I) -> Result<Self>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let params = Params::new(pairs);
        let Common {
            search,
            ordering,
            page,
        } = Common::read(&params, FieldErrors::default())?;
        Ok(Self {
            search,
            ordering,
            page,
        })
    }

    /// The ordering when the query names none: by name.
    pub(crate) const DEFAULT_ORDERING: &[Sort<OrgField>] = &[Sort::asc(OrgField::Name)];

    /// The order to read the list in: the one asked for, else [`Self::DEFAULT_ORDERING`].
    pub(crate) fn effective_ordering(&self) -> &[Sort<OrgField>] {
        ordering_or(&self.ordering, Self::DEFAULT_ORDERING)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_words_joined_by_single_hyphens() {
        for good in ["acme", "acme-2", "a-b-c", "9lives"] {
            assert!(is_slug(good), "{good}");
        }
        for bad in ["", "Acme", "acme--x", "-acme", "acme-", "ac me", "ácme"] {
            assert!(!is_slug(bad), "{bad}");
        }
    }

    #[test]
    fn a_slug_is_derived_from_any_name() {
        assert_eq!(slug_base("Acme Rockets, Inc."), "acme-rockets-inc");
        assert_eq!(slug_base("!!!"), "org");
        assert!(slug_base(&"long name ".repeat(20)).len() <= 56);
    }
}
