//! Roles and the tenant scope. An [`OrgScope`] is the only proof that an actor may act in an
//! organization: it is made by the store from the actor's membership row (or, for the operator,
//! by the admin entry point once the organization is found), never from input, and every tenant
//! store method takes one and filters on its organization id.

use crate::choice::choice_enum;
use crate::error::{Error, Result};
use crate::ids::{OrgId, UserId};

choice_enum! {
    /// A member's role. The variant order is the privilege order (`Viewer < Member < Admin < Owner`):
    /// comparisons between roles rely on it.
    Role {
        /// Reads everything in the organization.
        Viewer = "viewer",
        /// Also creates and changes tasks, and deletes the tasks they created.
        Member = "member",
        /// Also manages projects, every task, and members below admin.
        Admin = "admin",
        /// Also manages admins and owners, and deletes the organization.
        Owner = "owner",
    }
}

impl Role {
    /// Owners and admins: may manage projects, every task and the organization's settings.
    pub fn is_manager(self) -> bool {
        self >= Role::Admin
    }

    /// Everyone but viewers: may create and change tasks.
    pub fn is_writer(self) -> bool {
        self >= Role::Member
    }
}

/// An actor's verified membership in one organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgScope {
    org: OrgId,
    user: UserId,
    role: Role,
}

/// Something found in one of an actor's organizations, with the actor's scope there: the answer
/// of every `*_in_scope` lookup of the store (`org_in_scope`, `project_in_scope`,
/// `task_in_scope`), which is not found when the actor is not a member of its organization.
#[derive(Debug, Clone)]
pub(crate) struct Scoped<T> {
    /// The actor's scope in the organization holding `item`.
    pub(crate) scope: OrgScope,
    /// What was found.
    pub(crate) item: T,
}

impl OrgScope {
    /// A member's scope: only the store makes these, from a membership row it has just read.
    pub(crate) fn from_membership(org: OrgId, user: UserId, role: Role) -> Self {
        Self { org, user, role }
    }

    /// An operator's scope in `org`, with an owner's rights and no membership of its own: made
    /// only by the admin entry point, after it has checked that the organization exists.
    pub(crate) fn operator(org: OrgId) -> Self {
        Self {
            org,
            user: UserId::from(uuid::Uuid::nil()),
            role: Role::Owner,
        }
    }

    /// The organization.
    pub fn org(&self) -> OrgId {
        self.org
    }

    /// The acting user.
    pub fn user(&self) -> UserId {
        self.user
    }

    /// The acting user as the event log records them: `None` for an operator.
    pub(crate) fn actor(&self) -> Option<UserId> {
        (!self.user.as_uuid().is_nil()).then_some(self.user)
    }

    /// The actor's role in the organization.
    pub fn role(&self) -> Role {
        self.role
    }

    /// Fails with [`Error::Forbidden`] unless `allowed` holds.
    pub(crate) fn require(&self, allowed: bool) -> Result<()> {
        if allowed {
            Ok(())
        } else {
            Err(Error::role_too_low())
        }
    }

    /// Requires owner or admin.
    pub(crate) fn require_manager(&self) -> Result<()> {
        self.require(self.role.is_manager())
    }

    /// Requires any role but viewer.
    pub(crate) fn require_writer(&self) -> Result<()> {
        self.require(self.role.is_writer())
    }

    /// Whether this actor may delete a task created by `creator`: owners and admins any,
    /// members their own.
    pub(crate) fn may_delete_task(&self, creator: Option<UserId>) -> bool {
        self.role.is_manager() || (self.role == Role::Member && creator == Some(self.user))
    }

    /// Whether this actor may edit a comment written by `author`: only its author, while their
    /// role lets them write.
    pub(crate) fn may_edit_comment(&self, author: UserId) -> bool {
        self.role.is_writer() && author == self.user
    }

    /// Whether this actor may delete a comment written by `author`: owners and admins any, its
    /// author while their role lets them write.
    pub(crate) fn may_delete_comment(&self, author: UserId) -> bool {
        self.role.is_manager() || self.may_edit_comment(author)
    }

    /// Requires the owner role.
    pub(crate) fn require_owner(&self) -> Result<()> {
        self.require(self.role == Role::Owner)
    }

    /// Whether this actor may add a member with `role`: owners any role, admins below owner.
    pub(crate) fn may_add(&self, role: Role) -> bool {
        self.role == Role::Owner || (self.role == Role::Admin && role < Role::Owner)
    }

    /// Whether this actor may change a member from `from` to `to`: owners anyone to anything;
    /// admins only members and viewers, and never to owner.
    pub(crate) fn may_change(&self, from: Role, to: Role) -> bool {
        self.role == Role::Owner
            || (self.role == Role::Admin && from < Role::Admin && to < Role::Owner)
    }

    /// Whether this actor may remove `target` (whose role is `role`): owners anyone, admins
    /// members and viewers, and everyone themselves.
    pub(crate) fn may_remove(&self, target: UserId, role: Role) -> bool {
        target == self.user
            || self.role == Role::Owner
            || (self.role == Role::Admin && role < Role::Admin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_order_is_the_privilege_order() {
        assert!(
            Role::Viewer < Role::Member && Role::Member < Role::Admin && Role::Admin < Role::Owner
        );
        assert_eq!(
            Role::ALL,
            [Role::Viewer, Role::Member, Role::Admin, Role::Owner]
        );
        assert_eq!("owner".parse::<Role>().unwrap(), Role::Owner);
        assert!("Owner".parse::<Role>().is_err());
    }

    fn scope(role: Role) -> OrgScope {
        OrgScope::from_membership(OrgId::new(), UserId::new(), role)
    }

    #[test]
    fn admins_manage_only_the_roles_below_them() {
        let admin = scope(Role::Admin);
        assert!(admin.may_add(Role::Admin) && !admin.may_add(Role::Owner));
        assert!(admin.may_change(Role::Member, Role::Admin));
        assert!(!admin.may_change(Role::Admin, Role::Member));
        assert!(!admin.may_change(Role::Viewer, Role::Owner));
        assert!(admin.may_remove(UserId::new(), Role::Viewer));
        assert!(!admin.may_remove(UserId::new(), Role::Admin));
        assert!(admin.may_remove(admin.user(), Role::Admin));
    }

    #[test]
    fn members_and_viewers_manage_no_one_but_may_leave() {
        for role in [Role::Member, Role::Viewer] {
            let s = scope(role);
            assert!(!s.may_add(Role::Viewer));
            assert!(!s.may_change(Role::Viewer, Role::Viewer));
            assert!(!s.may_remove(UserId::new(), Role::Viewer));
            assert!(s.may_remove(s.user(), role));
        }
    }
}
