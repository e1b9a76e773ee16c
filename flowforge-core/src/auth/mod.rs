//! Authentication: login, token refresh with rotation, logout, and the [`Actor`] that every
//! tenant operation requires. An `Actor` can only be made here, from a verified password or
//! access token of an active user, or by the named admin bypass. Accounts themselves
//! (registration, password changes) are the user's operations, in `user/service.rs`.
//!
//! Refresh tokens come in families, one per login: each rotation's new token joins the family
//! of the one it replaces. Presenting a token already rotated revokes the whole family (the
//! thief's and the owner's copies alike, as RFC 9700 advises) and is logged; a logout with any
//! token of a family ends it. Access tokens are not recorded: they live out their short life.

pub(crate) mod password;
mod token;

use serde::Serialize;

pub use token::{Claims, TokenKind};
pub(crate) use token::{TokenKeys, invalid_token};

use crate::FlowForge;
use crate::error::{Error, Result};
use crate::ids::UserId;
use crate::store::Rotation;
use crate::time::Timestamp;
use crate::user::{User, normalize_email};

/// The user on whose behalf an operation runs, established by authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    user: User,
    /// When the access token it was established by expires, in seconds since the epoch.
    expires_at: Option<i64>,
}

impl Actor {
    pub(crate) fn new(user: User) -> Self {
        Self {
            user,
            expires_at: None,
        }
    }

    /// When the credentials that established this actor stop being valid, in seconds since the
    /// epoch: an access token's expiry; `None` when no token did (a password, an operator).
    /// What outlasts one request, such as an event stream, ends then.
    pub fn expires_at(&self) -> Option<i64> {
        self.expires_at
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

/// The answer to a refresh token that was revoked (or never recorded).
fn revoked_token() -> Error {
    Error::Unauthenticated("Token is blacklisted.".into())
}

fn bad_credentials() -> Error {
    Error::Unauthenticated("No active account found with the given credentials.".into())
}

impl FlowForge {
    /// Checks an email and password, taking about the same time whether or not the email exists.
    /// A matching password stored with older hashing parameters is stored again with today's.
    ///
    /// # Errors
    /// [`Error::Unauthenticated`] with one message for an unknown email, a wrong password and an
    /// inactive user alike; the storage's errors if that new hash cannot be written.
    pub fn authenticate(&self, email: &str, password: &str) -> Result<Actor> {
        let found = self
            .store
            .read(|tx| tx.user_with_hash(&normalize_email(email)))?;
        match found {
            Some((user, hash)) => {
                if !(password::verify(&hash, password) && user.is_active) {
                    return Err(bad_credentials());
                }
                if password::is_outdated(&hash) {
                    // Hashed with older parameters: hashed again now that the password is known,
                    // unless it changed meanwhile.
                    let new = password::hash(password)?;
                    self.store
                        .write(|tx| tx.replace_password_hash(user.id, &hash, &new))?;
                }
                Ok(Actor::new(user))
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
        self.store.write(|tx| self.issue_pair(tx, actor.id(), None))
    }

    /// Issues a pair whose refresh token joins `family`, or starts a family of its own.
    fn issue_pair(
        &self,
        tx: &crate::store::Tx<'_>,
        user: UserId,
        family: Option<&str>,
    ) -> Result<TokenPair> {
        let (access, _) = self.tokens.issue(user, TokenKind::Access)?;
        let (refresh, claims) = self.tokens.issue(user, TokenKind::Refresh)?;
        tx.insert_refresh_token(
            &claims.jti,
            family.unwrap_or(&claims.jti),
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

    /// Exchanges a refresh token for a new pair of the same family, revoking the one presented
    /// (rotation). Presenting a token already revoked revokes its whole family (reuse
    /// detection), which is logged with the user and the family, never the token.
    ///
    /// # Errors
    /// [`Error::Unauthenticated`] for an invalid, expired, revoked or access token, or an inactive user.
    pub fn refresh(&self, refresh_token: &str) -> Result<TokenPair> {
        let claims = self.tokens.verify(refresh_token, TokenKind::Refresh)?;
        let user = claims.user()?;
        // A reuse ends its family in a committed write, then answers as any revoked token.
        let outcome =
            self.store
                .write(|tx| match tx.rotate_refresh_token(&claims.jti, user)? {
                    Rotation::Rotated { family } => {
                        if !tx.user_by_id(user)?.is_some_and(|u| u.is_active) {
                            return Err(invalid_token());
                        }
                        self.issue_pair(tx, user, Some(&family)).map(Ok)
                    }
                    Rotation::Reused { family } => {
                        let revoked = tx.revoke_refresh_family(&claims.jti, user)?;
                        Ok(Err((family, revoked)))
                    }
                    Rotation::Unknown => Err(revoked_token()),
                })?;
        outcome.map_err(|(family, revoked)| {
            tracing::warn!(
                user = %user,
                family = %family,
                revoked,
                "a revoked refresh token was presented again: its family is revoked"
            );
            revoked_token()
        })
    }

    /// Ends the session of a refresh token: revokes every token of its family. Logging out
    /// with a token already revoked (rotated, or logged out) is no error, and ends the family
    /// too.
    ///
    /// # Errors
    /// [`Error::Unauthenticated`] for a token that is invalid, expired or not a refresh token.
    pub fn logout(&self, refresh_token: &str) -> Result<()> {
        let claims = self.tokens.verify(refresh_token, TokenKind::Refresh)?;
        let user = claims.user()?;
        self.store
            .write(|tx| tx.revoke_refresh_family(&claims.jti, user).map(drop))
    }

    /// Establishes the actor of an access token.
    ///
    /// # Errors
    /// [`Error::Unauthenticated`] for a bad, expired or refresh token, or a missing or inactive user.
    pub fn authenticate_token(&self, access_token: &str) -> Result<Actor> {
        let claims = self.tokens.verify(access_token, TokenKind::Access)?;
        let user = claims.user()?;
        match self.store.read(|tx| tx.user_by_id(user))? {
            Some(user) if user.is_active => Ok(Actor {
                user,
                expires_at: Some(claims.exp),
            }),
            _ => Err(invalid_token()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::password;
    use crate::{Config, Database, FlowForge, NewUser, UserId};

    /// A database with one user, ada@example.com, whose password is "correct horse".
    fn with_ada() -> (FlowForge, UserId) {
        let ff = FlowForge::open(&Database::Memory, Config::new("secret")).unwrap();
        let ada = NewUser {
            email: "ada@example.com".into(),
            password: "correct horse".into(),
            full_name: String::new(),
        };
        let id = ff.register(&ada).unwrap().id;
        (ff, id)
    }

    #[test]
    fn a_login_hashes_an_outdated_password_hash_again() {
        let (ff, id) = with_ada();
        let old = password::hash_with_older_parameters("correct horse");
        ff.store.write(|tx| tx.set_password_hash(id, &old)).unwrap();
        let stored = || ff.store.read(|tx| tx.password_hash(id)).unwrap().unwrap();

        assert!(ff.authenticate("ada@example.com", "wrong horse").is_err());
        assert_eq!(stored(), old, "a failed login changes nothing");
        ff.authenticate("ada@example.com", "correct horse").unwrap();
        let new = stored();
        assert!(new.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{new}");
        assert!(ff.authenticate("ada@example.com", "correct horse").is_ok());
        assert_eq!(stored(), new, "a current hash is kept");
    }

    #[test]
    fn an_unknown_email_runs_the_password_verifier_as_a_wrong_password_does() {
        let (ff, _) = with_ada();
        let verifications_in = |email: &str| {
            let before = password::verifications();
            assert!(ff.authenticate(email, "wrong horse").is_err());
            password::verifications() - before
        };
        assert_eq!(verifications_in("ada@example.com"), 1);
        assert_eq!(verifications_in("nobody@example.com"), 1);
        assert_eq!(verifications_in("nobody@example.com"), 1, "and again");
    }
}
