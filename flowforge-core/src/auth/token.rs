//! HS256 access and refresh tokens. Only HS256 is accepted: `none` and every other algorithm,
//! a bad signature, an expired token or a token of the other kind are all refused alike.

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::ids::UserId;

/// Which of the two kinds a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    /// A short-lived token for API calls.
    Access,
    /// A long-lived token that can only be exchanged for a new pair.
    Refresh,
}

/// The claims FlowForge puts in every token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// Issued at, in seconds since the epoch.
    pub iat: i64,
    /// Expires at, in seconds since the epoch.
    pub exp: i64,
    /// A unique token id (revocation is by this id).
    pub jti: String,
    /// The kind of token.
    pub typ: TokenKind,
}

impl Claims {
    /// The user the token was issued to.
    pub(crate) fn user(&self) -> Result<UserId> {
        self.sub.parse().map_err(|_| invalid_token())
    }
}

/// The signing keys and lifetimes.
pub(crate) struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub(crate) access_ttl: Duration,
    pub(crate) refresh_ttl: Duration,
}

impl TokenKeys {
    pub(crate) fn new(secret: &[u8], access_ttl: Duration, refresh_ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_ttl,
            refresh_ttl,
        }
    }

    /// Signs a new token of `kind` for `user`.
    pub(crate) fn issue(&self, user: UserId, kind: TokenKind) -> Result<(String, Claims)> {
        let ttl = match kind {
            TokenKind::Access => self.access_ttl,
            TokenKind::Refresh => self.refresh_ttl,
        };
        let iat = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user.to_string(),
            iat,
            exp: iat.saturating_add(i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX)),
            jti: Uuid::now_v7().simple().to_string(),
            typ: kind,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(Error::internal)?;
        Ok((token, claims))
    }

    /// Verifies signature, algorithm, expiry and kind, returning the claims.
    pub(crate) fn verify(&self, token: &str, kind: TokenKind) -> Result<Claims> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| invalid_token())?;
        if data.claims.typ != kind {
            return Err(invalid_token());
        }
        Ok(data.claims)
    }
}

/// The one answer to every unusable token.
pub(crate) fn invalid_token() -> Error {
    Error::Unauthenticated("Token is invalid or expired.".into())
}
