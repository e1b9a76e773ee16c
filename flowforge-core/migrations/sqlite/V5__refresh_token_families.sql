-- Refresh-token families (reuse detection, as RFC 9700 advises): every refresh token rotated
-- from one login shares that login's `family`; presenting a token already rotated revokes the
-- whole family, and a logout ends it. A token issued before this migration is a family alone.
ALTER TABLE refresh_tokens ADD COLUMN family TEXT NOT NULL DEFAULT '';
UPDATE refresh_tokens SET family = jti;
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
