//! The unscoped entry point of the admin CLI. Everything here acts outside any tenant and
//! skips role checks, so it is reachable only through the conspicuously named
//! [`FlowForge::admin`]; it still keeps every invariant (validation, uniqueness, one owner).

use crate::auth::{Actor, TokenKind};
use crate::error::{Error, Result};
use crate::ids::UserId;
use crate::org::NewOrganization;
use crate::query::{Page, PageRequest, Search};
use crate::user::{NewUser, User, normalize_email};
use crate::{FlowForge, Organization};

/// Unscoped operations for operators; see [`FlowForge::admin`].
pub struct Admin<'a> {
    ff: &'a FlowForge,
}

impl<'a> Admin<'a> {
    pub(crate) fn new(ff: &'a FlowForge) -> Self {
        Self { ff }
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
        self.ff
            .store
            .read(|tx| tx.user_by_email(&normalize_email(email)))
    }

    /// Every user, ordered by email, optionally searched by email and name.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a page past the end.
    pub fn list_users(&self, search: &Search, page: PageRequest) -> Result<Page<User>> {
        self.ff.store.read(|tx| tx.list_all_users(search, page))
    }

    /// Sets a user's password (checked against the rules) and revokes their refresh tokens.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown user; [`Error::Validation`] for a weak password.
    pub fn set_password(&self, user: UserId, password: &str) -> Result<()> {
        let found = self
            .ff
            .store
            .read(|tx| tx.user_by_id(user))?
            .ok_or_else(Error::not_found)?;
        crate::auth::password::check_rules(password, &found.email, "password")?;
        self.ff.set_password_unchecked(user, password)
    }

    /// Activates or deactivates a user; deactivating also revokes their refresh tokens.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown user.
    pub fn set_active(&self, user: UserId, active: bool) -> Result<()> {
        self.ff.store.write(|tx| {
            if !tx.set_user_active(user, active)? {
                return Err(Error::not_found());
            }
            if active {
                Ok(())
            } else {
                tx.revoke_all_refresh_tokens(user)
            }
        })
    }

    /// Creates an organization owned by `owner`.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown user; as [`FlowForge::create_organization`] otherwise.
    pub fn create_organization(
        &self,
        owner: UserId,
        input: &NewOrganization,
    ) -> Result<Organization> {
        self.ff.store.write(|tx| {
            tx.user_by_id(owner)?.ok_or_else(Error::not_found)?;
            crate::org::create_with_owner(tx, owner, input)
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
