//! Statements on refresh tokens: issued ones are recorded, each with its family (the login it
//! descends from), so that one token or a whole family can be revoked.

use super::Tx;
use super::value::args;
use crate::error::Result;
use crate::ids::UserId;
use crate::time::Timestamp;

/// What rotating a presented refresh token found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rotation {
    /// It was live and is now revoked; its successor joins this family.
    Rotated { family: String },
    /// It was revoked already (rotated, logged out): a reuse, in this family.
    Reused { family: String },
    /// No such token of this user is recorded (or its record expired and was dropped).
    Unknown,
}

impl Tx<'_> {
    /// Records a refresh token of `family` (a login's first token starts a family: its own id).
    pub(crate) fn insert_refresh_token(
        &self,
        jti: &str,
        family: &str,
        user: UserId,
        expires_at: Timestamp,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO refresh_tokens (jti, family, user_id, expires_at) VALUES (?, ?, ?, ?)",
            args![jti, family, user, expires_at],
        )?;
        // Expired rows serve no purpose; dropping a few per issue keeps the table small.
        self.execute(
            "DELETE FROM refresh_tokens WHERE jti IN
               (SELECT jti FROM refresh_tokens WHERE user_id = ? AND expires_at < ? LIMIT 16)",
            args![user, Timestamp::now()],
        )?;
        Ok(())
    }

    /// Revokes a live token of `user`, or finds it already revoked. One conditional update: of
    /// two concurrent rotations of one token, only one sees it live.
    pub(crate) fn rotate_refresh_token(&self, jti: &str, user: UserId) -> Result<Rotation> {
        let rotated = self.row(
            "UPDATE refresh_tokens SET revoked_at = ?
             WHERE jti = ? AND user_id = ? AND revoked_at IS NULL RETURNING family",
            args![Timestamp::now(), jti, user],
            |r| r.get(0),
        )?;
        if let Some(family) = rotated {
            return Ok(Rotation::Rotated { family });
        }
        let family = self.row(
            "SELECT family FROM refresh_tokens WHERE jti = ? AND user_id = ?",
            args![jti, user],
            |r| r.get(0),
        )?;
        Ok(family.map_or(Rotation::Unknown, |family| Rotation::Reused { family }))
    }

    /// Revokes every live token of the family of `user`'s token `jti`; returns how many.
    pub(crate) fn revoke_refresh_family(&self, jti: &str, user: UserId) -> Result<u64> {
        self.execute(
            "UPDATE refresh_tokens SET revoked_at = ?
             WHERE family = (SELECT family FROM refresh_tokens WHERE jti = ? AND user_id = ?)
               AND revoked_at IS NULL",
            args![Timestamp::now(), jti, user],
        )
    }

    pub(crate) fn revoke_all_refresh_tokens(&self, user: UserId) -> Result<()> {
        self.execute(
            "UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
            args![Timestamp::now(), user],
        )?;
        Ok(())
    }
}
