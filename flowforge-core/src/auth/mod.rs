//! Authentication: registration, login, token refresh with rotation, logout, and the
//! [`Actor`] that every tenant operation requires. An `Actor` can only be made here, from a
//! verified password or access token of an active user, or by the named admin bypass.

pub(crate) mod password;
mod token;

use serde::Serialize;

pub use token::{Claims, TokenKind};
pub(crate) use token::{TokenKeys, invalid_token};

use crate::FlowForge;
use crate::error::{Error, FieldErrors, Result};
use crate::ids::UserId;
use crate::time::Timestamp;
use crate::user::{NewUser, PasswordChange, User, UserPatch, normalize_email};

/// The user on whose behalf an operation runs, established by authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    user: User,
}

impl Actor {
    pub(crate) fn new(user: User) -> Self {
        Self { user }
    }

    /// The acting user's id.
    pub fn id(&self) -> UserId {
        self.user.id
    }

    /// The acting user as loaded when authenticated.
    pub fn user(&self) -> &User {
        &self.user
    }
}

/// The answer of login and refresh.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenPair {
    /// The access token, for `Authorization: Bearer`.
    pub access: String,
    /// The refresh token, exchanged once for a new pair.
    pub refresh: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

/// Shows everything but the secrets, which must never reach a log.
impl std::fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenPair")
            .field("access", &"<redacted>")
            .field("refresh", &"<redacted>")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .finish()
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

fn bad_credentials() -> Error {
    Error::Unauthenticated("No active account found with the given credentials.".into())
}

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

    /// Checks an email and password, taking about the same time whether or not the email exists.
    ///
    /// # Errors
    /// [`Error::Unauthenticated`] with one message for an unknown email, a wrong password and an
    /// inactive user alike.
    pub fn authenticate(&self, email: &str, password: &str) -> Result<Actor> {
        let found = self
            .store
            .read(|tx| tx.user_with_hash(&normalize_email(email)))?;
        match found {
            Some((user, hash)) => {
                if password::verify(&hash, password) && user.is_active {
                    Ok(Actor::new(user))
                } else {
                    Err(bad_credentials())
                }
            }
            None => {
                password::verify_dummy(password);
                Err(bad_credentials())
            }
        }
    }

    /// Authenticates and issues a token pair.
    ///
    /// # Errors
    /// As [`FlowForge::authenticate`].
    pub fn login(&self, email: &str, password: &str) -> Result<TokenPair> {
        let actor = self.authenticate(email, password)?;
        self.store.write(|tx| self.issue_pair(tx, actor.id()))
    }

    fn issue_pair(&self, tx: &crate::store::Tx<'_>, user: UserId) -> Result<TokenPair> {
        let (access, _) = self.tokens.issue(user, TokenKind::Access)?;
        let (refresh, claims) = self.tokens.issue(user, TokenKind::Refresh)?;
        tx.insert_refresh_token(
            &claims.jti,
            user,
            Timestamp::from_millis(claims.exp.saturating_mul(1000)),
        )?;
        Ok(TokenPair {
            access,
            refresh,
            token_type: "Bearer",
            expires_in: self.tokens.access_ttl.as_secs(),
        })
    }

    /// Exchanges a refresh token for a new pair, revoking the one presented (rotation).
    ///
    /// # Errors
    /// [`Error::Unauthenticated`] for an invalid, expired, revoked or access token, or an inactive user.
    pub fn refresh(&self, refresh_token: &str) -> Result<TokenPair> {
        let claims = self.tokens.verify(refresh_token, TokenKind::Refresh)?;
        let user = claims.user()?;
        self.store.write(|tx| {
            if !tx.revoke_refresh_token(&claims.jti, user)? {
                return Err(Error::Unauthenticated("Token is blacklisted.".into()));
            }
            if !tx.user_by_id(user)?.is_some_and(|u| u.is_active) {
                return Err(invalid_token());
            }
            self.issue_pair(tx, user)
        })
    }

    /// Revokes a refresh token; revoking one already revoked is no error.
    ///
    /// # Errors
    /// [`Error::Unauthenticated`] for a token that is invalid, expired or not a refresh token.
    pub fn logout(&self, refresh_token: &str) -> Result<()> {
        let claims = self.tokens.verify(refresh_token, TokenKind::Refresh)?;
        let user = claims.user()?;
        self.store
            .write(|tx| tx.revoke_refresh_token(&claims.jti, user).map(drop))
    }

    /// Establishes the actor of an access token.
    ///
    /// # Errors
    /// [`Error::Unauthenticated`] for a bad, expired or refresh token, or a missing or inactive user.
    pub fn authenticate_token(&self, access_token: &str) -> Result<Actor> {
        let claims = self.tokens.verify(access_token, TokenKind::Access)?;
        let user = claims.user()?;
        match self.store.read(|tx| tx.user_by_id(user))? {
            Some(user) if user.is_active => Ok(Actor::new(user)),
            _ => Err(invalid_token()),
        }
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

    /// Stores a new password hash and revokes the user's refresh tokens.
    pub(crate) fn set_password_unchecked(&self, user: UserId, new_password: &str) -> Result<()> {
        let hash = password::hash(new_password)?;
        self.store.write(|tx| {
            if !tx.set_password_hash(user, &hash)? {
                return Err(Error::not_found());
            }
            tx.revoke_all_refresh_tokens(user)
        })
    }
}
