//! Operations on user accounts: registration, the caller's own account (name, password), and
//! the operators' account administration, which [`Admin`](crate::Admin) exposes. A password is
//! hashed before its transaction starts, and changing or resetting one, or deactivating its
//! user, revokes every refresh token the user holds.

use super::{NewUser, PasswordChange, User, UserField, UserPatch, normalize_email};
use crate::FlowForge;
use crate::auth::{Actor, invalid_token, password};
use crate::error::{Error, FieldErrors, Result};
use crate::ids::UserId;
use crate::query::{Page, PageRequest, Search, Sort};
use crate::time::Timestamp;

impl FlowForge {
    /// Creates an account.
    ///
    /// # Errors
    /// [`Error::Forbidden`] when registration is turned off; [`Error::Validation`] for a bad email,
    /// a weak password or a long name; [`Error::Conflict`] when the email is taken.
    pub fn register(&self, input: &NewUser) -> Result<User> {
        if !self.config.allow_registration {
            return Err(Error::Forbidden("Registration is turned off.".into()));
        }
        self.create_user(input)
    }

    /// Creates an account without the registration switch (shared with the admin entry point).
    pub(crate) fn create_user(&self, input: &NewUser) -> Result<User> {
        let (user, hash) = new_account(input)?;
        self.store.write(|tx| tx.insert_user(&user, &hash))?;
        Ok(user)
    }

    /// Changes the actor's display name.
    ///
    /// # Errors
    /// [`Error::Validation`] for a name over 255 characters.
    pub fn update_me(&self, actor: &Actor, patch: &UserPatch) -> Result<User> {
        patch.validate()?;
        self.store.write(|tx| {
            if let Some(name) = &patch.full_name {
                tx.set_full_name(actor.id(), name.trim())?;
            }
            tx.user_by_id(actor.id())?.ok_or_else(invalid_token)
        })
    }

    /// Changes the actor's password and revokes every refresh token they hold.
    ///
    /// # Errors
    /// [`Error::Validation`] for a wrong current password or a new one that breaks the rules;
    /// [`Error::Conflict`] if the password changed while this one was being checked.
    pub fn change_password(&self, actor: &Actor, change: &PasswordChange) -> Result<()> {
        let stored = self
            .store
            .read(|tx| tx.password_hash(actor.id()))?
            .ok_or_else(invalid_token)?;
        let mut errors = FieldErrors::default();
        if !password::verify(&stored, &change.current_password) {
            errors.add("current_password", "The current password is wrong.");
        }
        password::add_rule_violations(
            &mut errors,
            "new_password",
            &change.new_password,
            &actor.user().email,
        );
        errors.into_result()?;
        let hash = password::hash(&change.new_password)?;
        self.store.write(|tx| {
            // Only if the password verified above is still the one in force.
            if !tx.replace_password_hash(actor.id(), &stored, &hash)? {
                return Err(Error::Conflict(
                    "The password was changed meanwhile; try again.".into(),
                ));
            }
            tx.revoke_all_refresh_tokens(actor.id())
        })
    }

    /// The user with this email, active or not.
    pub(crate) fn find_user(&self, email: &str) -> Result<Option<User>> {
        self.store
            .read(|tx| tx.user_by_email(&normalize_email(email)))
    }

    /// Every user, ordered by email, optionally searched by email and name.
    pub(crate) fn list_users(&self, search: &Search, page: PageRequest) -> Result<Page<User>> {
        let by_email = [Sort::asc(UserField::Email)];
        self.store
            .read(|tx| tx.list_all_users(search, &by_email, page))?
            .found()
    }

    /// Sets a user's password (checked against the rules) and revokes their refresh tokens.
    pub(crate) fn set_password(&self, user: UserId, new_password: &str) -> Result<()> {
        let found = self
            .store
            .read(|tx| tx.user_by_id(user))?
            .ok_or_else(Error::not_found)?;
        password::check_rules(new_password, &found.email)?;
        let hash = password::hash(new_password)?;
        self.store.write(|tx| {
            if !tx.set_password_hash(user, &hash)? {
                return Err(Error::not_found());
            }
            tx.revoke_all_refresh_tokens(user)
        })
    }

    /// Activates or deactivates a user; deactivating also revokes their refresh tokens.
    pub(crate) fn set_user_active(&self, user: UserId, active: bool) -> Result<()> {
        self.store.write(|tx| {
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
}

/// A validated account, not yet stored, with its password hash (hashing is slow: it is done
/// before any transaction starts).
pub(crate) fn new_account(input: &NewUser) -> Result<(User, String)> {
    let email = input.validate()?;
    let hash = password::hash(&input.password)?;
    let user = User {
        id: UserId::new(),
        email,
        full_name: input.full_name.trim().to_owned(),
        is_active: true,
        created_at: Timestamp::now(),
    };
    Ok((user, hash))
}
