//! Operations on memberships. Owners manage anyone; admins manage members and viewers and
//! never make owners; anyone may leave. The last owner can be neither removed nor demoted.

use super::{MemberQuery, Membership, MembershipPatch, NewMembership};
use crate::authz::{OrgScope, Role};
use crate::error::{Error, Result};
use crate::event::{Changes, Draft, EventType};
use crate::ids::{OrgId, UserId};
use crate::store::Tx;
use crate::task::Status;
use crate::time::Timestamp;
use crate::user::normalize_email;
use crate::{Actor, FlowForge, Page};

impl FlowForge {
    /// Lists the members of an organization the actor belongs to.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the actor is not a member, or for a page past the end.
    pub fn list_members(
        &self,
        actor: &Actor,
        org: OrgId,
        query: &MemberQuery,
    ) -> Result<Page<Membership>> {
        self.store.read(|tx| {
            let scope = tx.scope(actor.id(), org)?;
            tx.list_members(&scope, query)?.found()
        })
    }

    /// One member of an organization the actor belongs to.
    ///
    /// # Errors
    /// [`Error::NotFound`] when either is not a member.
    pub fn get_member(&self, actor: &Actor, org: OrgId, user: UserId) -> Result<Membership> {
        self.store.read(|tx| {
            let scope = tx.scope(actor.id(), org)?;
            tx.membership(&scope, user)?.ok_or_else(Error::not_found)
        })
    }

    /// Adds an active user, found by email, with a role.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown organization or no active user with that email;
    /// [`Error::Forbidden`] when the actor may not grant that role; [`Error::Conflict`] when the
    /// user is already a member.
    pub fn add_member(
        &self,
        actor: &Actor,
        org: OrgId,
        input: &NewMembership,
    ) -> Result<Membership> {
        self.store.write(|tx| {
            let scope = tx.scope(actor.id(), org)?;
            scope.require(scope.may_add(input.role))?;
            add(tx, &scope, input)
        })
    }

    /// Changes a member's role.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Forbidden`], and [`Error::Conflict`] when it would leave the
    /// organization without an owner.
    pub fn update_member(
        &self,
        actor: &Actor,
        org: OrgId,
        user: UserId,
        patch: &MembershipPatch,
    ) -> Result<Membership> {
        self.store.write(|tx| {
            let scope = tx.scope(actor.id(), org)?;
            let current = tx.membership(&scope, user)?.ok_or_else(Error::not_found)?;
            let role = patch.role.unwrap_or(current.role);
            scope.require(scope.may_change(current.role, role))?;
            set_role(tx, &scope, &current, role)
        })
    }

    /// Removes a member (or lets the actor leave); their open tasks in the organization become
    /// unassigned.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Forbidden`], and [`Error::Conflict`] for the last owner.
    pub fn remove_member(&self, actor: &Actor, org: OrgId, user: UserId) -> Result<()> {
        self.store.write(|tx| {
            let scope = tx.scope(actor.id(), org)?;
            let current = tx.membership(&scope, user)?.ok_or_else(Error::not_found)?;
            scope.require(scope.may_remove(user, current.role))?;
            remove(tx, &scope, &current)
        })
    }
}

fn last_owner() -> Error {
    Error::Conflict("An organization must keep at least one owner.".into())
}

/// Adds a member once the actor's right to do so is established.
pub(crate) fn add(tx: &Tx<'_>, scope: &OrgScope, input: &NewMembership) -> Result<Membership> {
    let user = tx
        .user_by_email(&normalize_email(&input.email))?
        .filter(|u| u.is_active)
        .ok_or_else(|| Error::NotFound("No active user has this email.".into()))?;
    if tx.membership(scope, user.id)?.is_some() {
        return Err(Error::Conflict(
            "This user is already a member of the organization.".into(),
        ));
    }
    let joined_at = Timestamp::now();
    tx.insert_membership(scope.org(), user.id, input.role, joined_at)?;
    tx.append_event(scope, &Draft::new(EventType::MemberAdded).user(user.id))?;
    Ok(Membership {
        user: user.into(),
        role: input.role,
        joined_at,
    })
}

/// Changes a role once the actor's right to do so is established, keeping one owner.
pub(crate) fn set_role(
    tx: &Tx<'_>,
    scope: &OrgScope,
    current: &Membership,
    role: Role,
) -> Result<Membership> {
    if current.role == Role::Owner && role != Role::Owner && tx.owner_count(scope)? <= 1 {
        return Err(last_owner());
    }
    if role != current.role {
        tx.set_member_role(scope, current.user.id, role)?;
        tx.append_event(
            scope,
            &Draft::new(EventType::MemberRoleChanged)
                .user(current.user.id)
                .changes(Changes::default().field("role", &current.role, &role)),
        )?;
    }
    Ok(Membership {
        role,
        ..current.clone()
    })
}

/// Removes a member once the actor's right to do so is established, keeping one owner.
pub(crate) fn remove(tx: &Tx<'_>, scope: &OrgScope, current: &Membership) -> Result<()> {
    if current.role == Role::Owner && tx.owner_count(scope)? <= 1 {
        return Err(last_owner());
    }
    let user = current.user.id;
    let unassigned = tx.unassign_tasks(scope, user, &Status::open(), Timestamp::now())?;
    tx.delete_membership(scope, user)?;
    let mut events = vec![Draft::new(EventType::MemberRemoved).user(user)];
    events.extend(unassigned.into_iter().map(|(project, task)| {
        Draft::new(EventType::TaskUpdated)
            .task(project, task)
            .changes(Changes::default().field("assigned_to", &Some(user), &None))
    }));
    tx.append_events(scope, &events)
}
