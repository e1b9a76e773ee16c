//! Statements on refresh tokens: issued ones are recorded so they can be revoked.

use super::Tx;
use super::value::args;
use crate::error::Result;
use crate::ids::UserId;
use crate::time::Timestamp;

impl Tx<'_> {
    pub(crate) fn insert_refresh_token(
        &self,
        jti: &str,
        user: UserId,
        expires_at: Timestamp,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO refresh_tokens (jti, user_id, expires_at) VALUES (?, ?, ?)",
            args![jti, user, expires_at],
        )?;
        // Expired rows serve no purpose; dropping a few per issue keeps the table small.
        self.execute(
            "DELETE FROM refresh_tokens WHERE jti IN
               (SELECT jti FROM refresh_tokens WHERE user_id = ? AND expires_at < ? LIMIT 16)",
            args![user, Timestamp::now()],
        )?;
        Ok(())
    }

    /// Revokes a live token of `user`; returns whether it was live (recorded and not revoked).
    /// One conditional update: of two concurrent rotations of one token, only one sees it live.
    pub(crate) fn revoke_refresh_token(&self, jti: &str, user: UserId) -> Result<bool> {
        let changed = self.execute(
            "UPDATE refresh_tokens SET revoked_at = ? WHERE jti = ? AND user_id = ? AND revoked_at IS NULL",
            args![Timestamp::now(), jti, user],
        )?;
        Ok(changed == 1)
    }

    pub(crate) fn revoke_all_refresh_tokens(&self, user: UserId) -> Result<()> {
        self.execute(
            "UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
            args![Timestamp::now(), user],
        )?;
        Ok(())
    }
}
