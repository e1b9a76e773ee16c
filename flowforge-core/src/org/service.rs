//! Operations on organizations. Reading needs membership; changing needs owner or admin;
//! deleting needs owner.

use super::{NewOrg, Org, OrgPatch, OrgQuery, slug_base, validate};
use crate::authz::{OrgScope, Role, Scoped};
use crate::error::{Error, Result};
use crate::event::{Changes, Draft, EventType};
use crate::ids::{OrgId, UserId};
use crate::query::search::fold_case;
use crate::store::Tx;
use crate::time::Timestamp;
use crate::{Actor, FlowForge, Page};

const NAME_TAKEN: &str = "An organization with this name already exists.";
const SLUG_TAKEN: &str = "An organization with this slug already exists.";

impl FlowForge {
    /// Lists the organizations the actor belongs to.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a page past the end.
    pub fn list_organizations(&self, actor: &Actor, query: &OrgQuery) -> Result<Page<Org>> {
        self.store
            .read(|tx| tx.list_orgs(actor.id(), query))?
            .found()
    }

    /// Creates an organization with the actor as its owner.
    ///
    /// # Errors
    /// [`Error::Validation`] for a bad name or slug; [`Error::Conflict`] when either is taken.
    pub fn create_organization(&self, actor: &Actor, input: &NewOrg) -> Result<Org> {
        self.store
            .write(|tx| create_with_owner(tx, actor.id(), input, Some(actor.id())))
    }

    /// One organization the actor belongs to.
    ///
    /// # Errors
    /// [`Error::NotFound`] when it does not exist or the actor is not a member.
    pub fn get_organization(&self, actor: &Actor, id: OrgId) -> Result<Org> {
        self.store
            .read(|tx| tx.org_in_scope(actor.id(), id))
            .map(|found| found.item)
    }

    /// Renames an organization or changes its slug (owners and admins).
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Forbidden`], [`Error::Validation`], [`Error::Conflict`].
    pub fn update_organization(&self, actor: &Actor, id: OrgId, patch: &OrgPatch) -> Result<Org> {
        self.store.write(|tx| {
            let Scoped { scope, item: old } = tx.org_in_scope(actor.id(), id)?;
            scope.require_manager()?;
            let name = validate(patch.name.as_deref(), patch.slug.as_deref())?;
            if let Some(name) = &name
                && tx.org_name_taken(&fold_case(name), Some(id))?
            {
                return Err(Error::Conflict(NAME_TAKEN.into()));
            }
            if let Some(slug) = &patch.slug
                && tx.org_slug_taken(slug, Some(id))?
            {
                return Err(Error::Conflict(SLUG_TAKEN.into()));
            }
            if name.is_some() || patch.slug.is_some() {
                tx.update_org(
                    &scope,
                    name.as_deref(),
                    patch.slug.as_deref(),
                    Timestamp::now(),
                )?;
            }
            let org = tx.org_in_scope(actor.id(), id)?.item;
            let changes = Changes::default()
                .field("name", &old.name, &org.name)
                .field("slug", &old.slug, &org.slug);
            if !changes.is_empty() {
                tx.append_event(
                    &scope,
                    &Draft::new(EventType::OrganizationUpdated).changes(changes),
                )?;
            }
            Ok(org)
        })
    }

    /// Deletes an organization with its memberships, projects and tasks (owners only).
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Forbidden`].
    pub fn delete_organization(&self, actor: &Actor, id: OrgId) -> Result<()> {
        self.store.write(|tx| {
            let scope = tx.scope(actor.id(), id)?;
            scope.require_owner()?;
            tx.delete_org(&scope)
        })?;
        // Nobody can list its tasks again: this process's index of them goes too.
        self.tasks.forget(id);
        Ok(())
    }
}

/// Creates an organization whose first member, `owner`, is its owner; `actor` is who does it
/// (`None`: an operator).
pub(crate) fn create_with_owner(
    tx: &Tx<'_>,
    owner: UserId,
    input: &NewOrg,
    actor: Option<UserId>,
) -> Result<Org> {
    let name = validate(Some(&input.name), input.slug.as_deref())?.unwrap_or_default();
    if tx.org_name_taken(&fold_case(&name), None)? {
        return Err(Error::Conflict(NAME_TAKEN.into()));
    }
    let slug = match &input.slug {
        Some(slug) if tx.org_slug_taken(slug, None)? => {
            return Err(Error::Conflict(SLUG_TAKEN.into()));
        }
        Some(slug) => slug.clone(),
        None => unique_slug(tx, &slug_base(&name))?,
    };
    let now = Timestamp::now();
    let org = Org {
        id: OrgId::new(),
        name,
        slug,
        role: Role::Owner,
        member_count: 1,
        created_at: now,
        updated_at: now,
    };
    tx.insert_org(&org, owner)?;
    let scope = match actor {
        Some(actor) => OrgScope::from_membership(org.id, actor, Role::Owner),
        None => OrgScope::operator(org.id),
    };
    tx.append_events(
        &scope,
        &[
            Draft::new(EventType::OrganizationCreated),
            Draft::new(EventType::MemberAdded).user(owner),
        ],
    )?;
    Ok(org)
}

fn unique_slug(tx: &Tx<'_>, base: &str) -> Result<String> {
    let mut slug = base.to_owned();
    let mut n = 1;
    while tx.org_slug_taken(&slug, None)? {
        n += 1;
        slug = format!("{base}-{n}");
    }
    Ok(slug)
}
