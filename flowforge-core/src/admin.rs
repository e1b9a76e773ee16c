//! The unscoped entry point of the admin CLI. Everything here acts outside any tenant and
//! skips role checks, so it is reachable only through the conspicuously named
//! [`FlowForge::admin`]; it still keeps every invariant (validation, uniqueness, one owner).

use crate::auth::{Actor, TokenKind};
use crate::authz::{OrgScope, Role};
use crate::error::{Error, Result};
use crate::event::{ActivityQuery, Cursor, Event, EventBatch, EventsQuery};
use crate::ids::{OrgId, UserId};
use crate::member::{MemberQuery, Membership, NewMembership};
use crate::org::{NewOrg, OrgField, OrgSummary};
use crate::query::{Page, PageRequest, Search, Sort};
use crate::store::Tx;
use crate::user::{NewUser, User};
use crate::{FlowForge, Org};

/// Unscoped operations for operators; see [`FlowForge::admin`].
pub struct Admin<'a> {
    ff: &'a FlowForge,
}

impl<'a> Admin<'a> {
    pub(crate) fn new(ff: &'a FlowForge) -> Self {
        Self { ff }
    }

    pub(crate) fn flowforge(&self) -> &'a FlowForge {
        self.ff
    }

    /// Creates a user whether or not registration is open.
    ///
    /// # Errors
    /// As [`FlowForge::register`], less the registration switch.
    pub fn create_user(&self, input: &NewUser) -> Result<User> {
        self.ff.create_user(input)
    }

    /// The user with this email, active or not.
    ///
    /// # Errors
    /// [`Error::Internal`] on a database failure.
    pub fn find_user(&self, email: &str) -> Result<Option<User>> {
        self.ff.find_user(email)
    }

    /// Every user, ordered by email, optionally searched by email and name.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a page past the end.
    pub fn list_users(&self, search: &Search, page: PageRequest) -> Result<Page<User>> {
        self.ff.list_users(search, page)
    }

    /// Sets a user's password (checked against the rules) and revokes their refresh tokens.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown user; [`Error::Validation`] for a weak password.
    pub fn set_password(&self, user: UserId, password: &str) -> Result<()> {
        self.ff.set_password(user, password)
    }

    /// Activates or deactivates a user; deactivating also revokes their refresh tokens.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown user.
    pub fn set_active(&self, user: UserId, active: bool) -> Result<()> {
        self.ff.set_user_active(user, active)
    }

    /// Creates an organization owned by `owner`.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown user; as [`FlowForge::create_organization`] otherwise.
    pub fn create_organization(&self, owner: UserId, input: &NewOrg) -> Result<Org> {
        self.ff.store.write(|tx| {
            tx.user_by_id(owner)?.ok_or_else(Error::not_found)?;
            crate::org::create_with_owner(tx, owner, input, None)
        })
    }

    /// Creates an organization owned by the user with `account.email`, creating that user first
    /// if absent (then `account` must be a valid registration), all in one transaction: a
    /// refused organization leaves no new user behind. Returns the owner and the organization.
    ///
    /// # Errors
    /// [`Error::Validation`] for a bad account or organization; [`Error::Conflict`] for a taken
    /// organization name or slug.
    pub fn create_owner(&self, account: &NewUser, org: &NewOrg) -> Result<(User, Org)> {
        // A new account's password is hashed before the transaction, not inside it.
        let (owner, new_hash) = match self.find_user(&account.email)? {
            Some(user) => (user, None),
            None => {
                let (user, hash) = crate::user::new_account(account)?;
                (user, Some(hash))
            }
        };
        self.ff.store.write(|tx| {
            if let Some(hash) = &new_hash {
                tx.insert_user(&owner, hash)?;
            }
            let org = crate::org::create_with_owner(tx, owner.id, org, None)?;
            Ok((owner.clone(), org))
        })
    }

    /// Every organization, by name, optionally searched by name and slug.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a page past the end.
    pub fn list_organizations(
        &self,
        search: &Search,
        page: PageRequest,
    ) -> Result<Page<OrgSummary>> {
        let by_name = [Sort::asc(OrgField::Name)];
        self.ff
            .store
            .read(|tx| tx.list_all_orgs(search, &by_name, page))?
            .found()
    }

    /// The organization whose id or slug is `key`.
    ///
    /// # Errors
    /// [`Error::NotFound`] when none has it.
    pub fn find_organization(&self, key: &str) -> Result<OrgSummary> {
        let id: Option<OrgId> = key.parse().ok();
        self.ff
            .store
            .read(|tx| tx.org_summary(id, key))?
            .ok_or_else(Error::not_found)
    }

    /// Deletes an organization with everything in it.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown organization.
    pub fn delete_organization(&self, org: OrgId) -> Result<()> {
        self.in_org(org, |tx, scope| tx.delete_org(scope))
    }

    /// The members of any organization.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown organization or a page past the end.
    pub fn list_members(&self, org: OrgId, query: &MemberQuery) -> Result<Page<Membership>> {
        self.in_org(org, |tx, scope| tx.list_members(scope, query)?.found())
    }

    /// Adds an active user to any organization with any role.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown organization or no active user with the email;
    /// [`Error::Conflict`] when they are already a member.
    pub fn add_member(&self, org: OrgId, input: &NewMembership) -> Result<Membership> {
        self.in_org(org, |tx, scope| crate::member::add(tx, scope, input))
    }

    /// Changes a member's role, keeping at least one owner.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown organization or member; [`Error::Conflict`] for the
    /// last owner.
    pub fn set_member_role(&self, org: OrgId, user: UserId, role: Role) -> Result<Membership> {
        self.in_org(org, |tx, scope| {
            let current = tx.membership(scope, user)?.ok_or_else(Error::not_found)?;
            crate::member::set_role(tx, scope, &current, role)
        })
    }

    /// Removes a member, keeping at least one owner; their open tasks become unassigned.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown organization or member; [`Error::Conflict`] for the
    /// last owner.
    pub fn remove_member(&self, org: OrgId, user: UserId) -> Result<()> {
        self.in_org(org, |tx, scope| {
            let current = tx.membership(scope, user)?.ok_or_else(Error::not_found)?;
            crate::member::remove(tx, scope, &current)
        })
    }

    /// The activity log of any organization, filtered, newest first: what its members see.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown organization or a page past the end.
    pub fn organization_events(&self, org: OrgId, query: &ActivityQuery) -> Result<Page<Event>> {
        self.ff
            .store
            .read(|tx| {
                if !tx.org_exists(org)? {
                    return Err(Error::not_found());
                }
                tx.org_events(&OrgScope::operator(org), query)
            })?
            .found()
    }

    /// The events after a cursor in log order, of `query.organization` or, without one, of
    /// every organization: the cursor API of [`FlowForge::events_since`] without membership.
    /// Give the answer's `next` to the next call; nothing is skipped or repeated.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown organization.
    pub fn events_since(&self, query: &EventsQuery) -> Result<EventBatch> {
        self.ff.store.read(|tx| match query.organization {
            Some(org) if !tx.org_exists(org)? => Err(Error::not_found()),
            Some(org) => crate::event::read_batch(tx, Some(&[org]), query),
            None => crate::event::read_batch(tx, None, query),
        })
    }

    /// The position of the newest event of the log now: reading on from it with
    /// [`Admin::events_since`] gives only the events that commit later.
    ///
    /// # Errors
    /// [`Error::Internal`] on a database failure.
    pub fn event_log_head(&self) -> Result<Option<Cursor>> {
        self.ff.store.read(|tx| tx.log_head())
    }

    /// Runs `f` in a write transaction with an operator's scope in `org`, once it exists.
    fn in_org<T>(
        &self,
        org: OrgId,
        mut f: impl FnMut(&Tx<'_>, &OrgScope) -> Result<T>,
    ) -> Result<T> {
        self.ff.store.write(|tx| {
            if !tx.org_exists(org)? {
                return Err(Error::not_found());
            }
            f(tx, &OrgScope::operator(org))
        })
    }

    /// Acts as `user` without their password, e.g. to print them a token.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown user; [`Error::Unauthenticated`] for an inactive one.
    pub fn act_as(&self, user: UserId) -> Result<Actor> {
        let user = self
            .ff
            .store
            .read(|tx| tx.user_by_id(user))?
            .ok_or_else(Error::not_found)?;
        if !user.is_active {
            return Err(Error::Unauthenticated("The user is inactive.".into()));
        }
        Ok(Actor::new(user))
    }

    /// A fresh access token for `actor`, signed with this handle's secret key.
    ///
    /// # Errors
    /// [`Error::Internal`] if signing fails.
    pub fn access_token(&self, actor: &Actor) -> Result<String> {
        self.ff
            .tokens
            .issue(actor.id(), TokenKind::Access)
            .map(|(token, _)| token)
    }
}
