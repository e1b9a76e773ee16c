//! HS256 access and refresh tokens. Only HS256 is accepted: `none` and every other algorithm,
//! a bad signature, an expired token or a token of the other kind are all refused alike.

use std::time::Duration;

use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode, get_current_timestamp,
};
use quick_cache::sync::Cache;
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

/// Access tokens whose signature was checked, at most this many: a client sends its token with
/// every call, and checking it again costs as much as the read it authorizes.
const VERIFIED_CAPACITY: usize = 1024;

/// The signing keys and lifetimes.
pub(crate) struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// The claims of access tokens verified with these keys, by the token's exact text.
    verified: Cache<String, Claims>,
    pub(crate) access_ttl: Duration,
    pub(crate) refresh_ttl: Duration,
}

impl TokenKeys {
    pub(crate) fn new(secret: &[u8], access_ttl: Duration, refresh_ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "sub"]);
        // Checked in `verify_at`, for a token verified before as for a new one.
        validation.validate_exp = false;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            verified: Cache::new(VERIFIED_CAPACITY),
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
        self.verify_at(token, kind, get_current_timestamp())
    }

    /// [`verify`](Self::verify) at `now` (seconds since the epoch). An access token seen
    /// before skips the signature and the parse, not the expiry or the kind.
    fn verify_at(&self, token: &str, kind: TokenKind, now: u64) -> Result<Claims> {
        let claims = match self.verified.get(token) {
            Some(claims) => claims,
            None => {
                let claims = decode::<Claims>(token, &self.decoding, &self.validation)
                    .map_err(|_| invalid_token())?
                    .claims;
                if claims.typ == TokenKind::Access {
                    self.verified.insert(token.to_owned(), claims.clone());
                }
                claims
            }
        };
        // jsonwebtoken's rule, without leeway: expired once `exp` is in the past.
        let expired = u64::try_from(claims.exp).map_or(true, |exp| exp < now);
        if claims.typ != kind || expired {
            return Err(invalid_token());
        }
        Ok(claims)
    }
}

/// The one answer to every unusable token.
pub(crate) fn invalid_token() -> Error {
    Error::Unauthenticated("Token is invalid or expired.".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &[u8]) -> TokenKeys {
        TokenKeys::new(secret, Duration::from_secs(60), Duration::from_secs(600))
    }

    fn issued(keys: &TokenKeys, kind: TokenKind) -> (String, Claims, u64) {
        let (token, claims) = keys.issue(UserId::from(Uuid::now_v7()), kind).unwrap();
        let exp = u64::try_from(claims.exp).unwrap();
        (token, claims, exp)
    }

    #[test]
    fn a_remembered_access_token_still_expires_and_keeps_its_kind() {
        let keys = keys(b"secret");
        let (token, claims, exp) = issued(&keys, TokenKind::Access);
        assert_eq!(
            keys.verify_at(&token, TokenKind::Access, exp).unwrap(),
            claims
        );
        assert!(
            keys.verified.get(&token).is_some(),
            "remembered once verified"
        );
        assert_eq!(
            keys.verify_at(&token, TokenKind::Access, exp).unwrap(),
            claims
        );
        assert!(keys.verify_at(&token, TokenKind::Access, exp + 1).is_err());
        assert!(keys.verify_at(&token, TokenKind::Refresh, exp).is_err());
    }

    #[test]
    fn an_expired_token_is_refused_the_first_time_too() {
        let keys = keys(b"secret");
        let (token, _, exp) = issued(&keys, TokenKind::Access);
        assert!(keys.verify_at(&token, TokenKind::Access, exp + 1).is_err());
    }

    #[test]
    fn refresh_tokens_and_refused_tokens_are_not_remembered() {
        let keys = keys(b"secret");
        let (refresh, claims, exp) = issued(&keys, TokenKind::Refresh);
        assert_eq!(
            keys.verify_at(&refresh, TokenKind::Refresh, exp).unwrap(),
            claims
        );
        assert!(keys.verified.get(&refresh).is_none());

        let (foreign, _, exp) = issued(&self::keys(b"another secret"), TokenKind::Access);
        assert!(keys.verify_at(&foreign, TokenKind::Access, exp).is_err());
        let (token, _, exp) = issued(&keys, TokenKind::Access);
        let mut tampered = token.clone();
        let last = if tampered.ends_with('A') { "B" } else { "A" };
        tampered.replace_range(tampered.len() - 1.., last);
        assert!(keys.verify_at(&tampered, TokenKind::Access, exp).is_err());
        assert!(keys.verified.get(&foreign).is_none() && keys.verified.get(&tampered).is_none());
        assert!(
            keys.verified.get(&token).is_none(),
            "never verified, never remembered"
        );
    }
}
