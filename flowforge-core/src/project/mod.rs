//! Projects: the model, its inputs and list query. A project belongs to one organization for
//! its whole life; archiving it freezes its tasks.

mod service;

use serde::Serialize;
use serde_json::Value;

use crate::error::{FieldErrors, Result};
use crate::ids::{OrgId, ProjectId, UserId};
use crate::input::Body;
use crate::query::{Common, PageRequest, Params, Search, Sort, SortField, ordering_or};
use crate::time::Timestamp;

/// A project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Project {
    /// The project's id.
    pub id: ProjectId,
    /// The organization it belongs to.
    pub organization: OrgId,
    /// Its name, unique in the organization without regard to case.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Whether it is archived (its tasks can then not be added or changed).
    pub is_archived: bool,
    /// Who created it (`None` once that user is gone).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub created_by: Option<UserId>,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// A new project.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    serde(deny_unknown_fields)
)]
pub struct NewProject {
    /// The organization, which the actor must manage.
    pub organization: OrgId,
    /// 1 to 255 characters.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::title))]
    pub name: String,
    /// At most 20,000 characters.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::description, required = false))]
    pub description: String,
}

const READ_ONLY: &[&str] = &["id", "created_by", "created_at", "updated_at"];

impl NewProject {
    /// A project named `name` in `organization`, with no description.
    pub fn new(organization: OrgId, name: impl Into<String>) -> Self {
        Self {
            organization,
            name: name.into(),
            description: String::new(),
        }
    }

    /// Reads a create body (`organization`, `name`, `description`).
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) naming each bad or missing field.
    pub fn from_json(value: &Value) -> Result<Self> {
        let mut body = Body::parse(
            value,
            &["organization", "name", "description"],
            &[READ_ONLY, &["is_archived"]].concat(),
        )?;
        let organization = body.id("organization", true);
        let name = body.text("name", true);
        let description = body.text("description", false).unwrap_or_default();
        body.finish()?;
        Ok(Self {
            organization: organization.unwrap_or_default(),
            name: name.unwrap_or_default(),
            description,
        })
    }
}

/// A change to a project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    serde(deny_unknown_fields)
)]
pub struct ProjectPatch {
    /// A new name.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::title))]
    pub name: Option<String>,
    /// A new description.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::description))]
    pub description: Option<String>,
    /// Archive or unarchive.
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub is_archived: Option<bool>,
}

impl ProjectPatch {
    /// Reads a `PATCH` body (`name`, `description`, `is_archived`).
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) naming each bad field.
    pub fn from_json(value: &Value) -> Result<Self> {
        let mut body = Body::parse(
            value,
            &["name", "description", "is_archived"],
            &[READ_ONLY, &["organization"]].concat(),
        )?;
        let name = body.text("name", false);
        let description = body.text("description", false);
        let is_archived = body.boolean("is_archived");
        body.finish()?;
        Ok(Self {
            name,
            description,
            is_archived,
        })
    }
}

/// The fields projects can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectField {
    /// By name.
    Name,
    /// By creation time.
    CreatedAt,
    /// By last change.
    UpdatedAt,
}

impl SortField for ProjectField {
    const ALL: &'static [Self] = &[Self::Name, Self::CreatedAt, Self::UpdatedAt];

    fn name(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::CreatedAt => "created_at",
            Self::UpdatedAt => "updated_at",
        }
    }
}

/// A query of the projects of the actor's organizations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectQuery {
    /// Only projects of any of these organizations (all of the actor's when empty).
    pub organization: Vec<OrgId>,
    /// Only archived (`Some(true)`) or live (`Some(false)`) projects; both when `None`.
    pub is_archived: Option<bool>,
    /// Words to find in the name or description.
    pub search: Search,
    /// The ordering; empty means by name.
    pub ordering: Vec<Sort<ProjectField>>,
    /// The page wanted.
    pub page: PageRequest,
}

impl ProjectQuery {
    /// Parses query-string pairs (`organization`, `is_archived`, `search`, `ordering`, `page`,
    /// `page_size`).
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
        let organization = params.ids("organization", &mut errors);
        // `true` and `false`, exactly as `bool` parses them.
        let flags: Vec<bool> = params.choices("is_archived", &mut errors);
        // Any of true and false is no filter at all.
        let is_archived = match flags.as_slice() {
            [one] => Some(*one),
            _ => None,
        };
        let Common {
            search,
            ordering,
            page,
        } = Common::read(&params, errors)?;
        Ok(Self {
            organization,
            is_archived,
            search,
            ordering,
            page,
        })
    }

    /// The ordering when the query names none: by name.
    pub(crate) const DEFAULT_ORDERING: &[Sort<ProjectField>] = &[Sort::asc(ProjectField::Name)];

    /// The order to read the list in: the one asked for, else [`Self::DEFAULT_ORDERING`].
    pub(crate) fn effective_ordering(&self) -> &[Sort<ProjectField>] {
        ordering_or(&self.ordering, Self::DEFAULT_ORDERING)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_archived_takes_any_of_its_values() {
        let q = |pairs: &[(&str, &str)]| {
            ProjectQuery::from_pairs(pairs.iter().copied())
                .unwrap()
                .is_archived
        };
        assert_eq!(q(&[("is_archived", "true")]), Some(true));
        assert_eq!(
            q(&[("is_archived", "true"), ("is_archived", "false")]),
            None
        );
        assert_eq!(q(&[("is_archived", "false,false")]), Some(false));
        assert!(ProjectQuery::from_pairs([("is_archived", "yes")]).is_err());
    }
}
