//! Users: the account model, its inputs and their validation rules, and (in `service.rs`) the
//! operations on accounts.

mod service;

pub(crate) use service::new_account;

use serde::Serialize;
use serde_json::Value;

use crate::auth::password;
use crate::error::{FieldErrors, Result};
use crate::ids::UserId;
use crate::input::{Body, MAX_NAME, check_length};
use crate::query::SortField;
use crate::time::Timestamp;

/// A user account as the API shows it. The password hash never leaves the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    /// The user's id.
    pub id: UserId,
    /// The login email, lowercased.
    pub email: String,
    /// The display name (may be empty).
    pub full_name: String,
    /// Whether the user may log in and use tokens.
    pub is_active: bool,
    /// When the account was created.
    pub created_at: Timestamp,
}

/// The short form of a user embedded in memberships and tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserRef {
    /// The user's id.
    pub id: UserId,
    /// The user's email.
    pub email: String,
    /// The user's display name.
    pub full_name: String,
}

/// A registration.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    serde(deny_unknown_fields)
)]
pub struct NewUser {
    /// The login email; stored trimmed and lowercased.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::email))]
    pub email: String,
    /// The password, checked against the password rules.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::new_password))]
    pub password: String,
    /// The display name.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::full_name, required = false))]
    pub full_name: String,
}

/// Shows everything but the secrets, which must never reach a log.
impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .field("full_name", &self.full_name)
            .finish()
    }
}

impl NewUser {
    /// Reads a registration body (`email`, `password`, `full_name`).
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) naming each bad or missing field.
    pub fn from_json(value: &Value) -> Result<Self> {
        let mut body = Body::parse(
            value,
            &["email", "password", "full_name"],
            &["id", "is_active", "created_at"],
        )?;
        let email = body.text("email", true);
        let password = body.text("password", true);
        let full_name = body.text("full_name", false).unwrap_or_default();
        body.finish()?;
        Ok(Self {
            email: email.unwrap_or_default(),
            password: password.unwrap_or_default(),
            full_name,
        })
    }

    /// Checks every rule, returning the normalized email.
    pub(crate) fn validate(&self) -> Result<String> {
        let mut errors = FieldErrors::default();
        let email = normalize_email(&self.email);
        check_email(&mut errors, &email);
        password::add_rule_violations(&mut errors, "password", &self.password, &email);
        check_length(&mut errors, "full_name", &self.full_name, 0, MAX_NAME);
        errors.into_result()?;
        Ok(email)
    }
}

/// A change to the caller's own account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    serde(deny_unknown_fields)
)]
pub struct UserPatch {
    /// A new display name, if given.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::full_name))]
    pub full_name: Option<String>,
}

impl UserPatch {
    /// Reads a `PATCH /auth/me/` body.
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for unknown, read-only or malformed fields.
    pub fn from_json(value: &Value) -> Result<Self> {
        let mut body = Body::parse(
            value,
            &["full_name"],
            &["id", "email", "is_active", "created_at"],
        )?;
        let full_name = body.text("full_name", false);
        body.finish()?;
        Ok(Self { full_name })
    }

    pub(crate) fn validate(&self) -> Result<()> {
        let mut errors = FieldErrors::default();
        if let Some(name) = &self.full_name {
            check_length(&mut errors, "full_name", name, 0, MAX_NAME);
        }
        errors.into_result()
    }
}

/// A password change by the account's owner.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    serde(deny_unknown_fields)
)]
pub struct PasswordChange {
    /// The password in force, proving the caller knows it.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::any_text))]
    pub current_password: String,
    /// The password to set, checked against the password rules.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::new_password))]
    pub new_password: String,
}

/// Shows everything but the secrets, which must never reach a log.
impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordChange")
            .field("current_password", &"<redacted>")
            .field("new_password", &"<redacted>")
            .finish()
    }
}

impl PasswordChange {
    /// Reads a `POST /auth/password/` body.
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) naming each bad or missing field.
    pub fn from_json(value: &Value) -> Result<Self> {
        let mut body = Body::parse(value, &["current_password", "new_password"], &[])?;
        let current_password = body.text("current_password", true);
        let new_password = body.text("new_password", true);
        body.finish()?;
        Ok(Self {
            current_password: current_password.unwrap_or_default(),
            new_password: new_password.unwrap_or_default(),
        })
    }
}

/// The fields the operators' list of users can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserField {
    /// By email.
    Email,
}

impl SortField for UserField {
    const ALL: &'static [Self] = &[Self::Email];

    fn name(self) -> &'static str {
        match self {
            Self::Email => "email",
        }
    }
}

/// Emails are compared and stored trimmed and lowercased.
pub(crate) fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The longest email address, in bytes.
pub(crate) const MAX_EMAIL: usize = 254;

/// Records a message if `email` is not a valid address.
pub(crate) fn check_email(errors: &mut FieldErrors, email: &str) {
    if email.is_empty() {
        errors.add("email", "This field may not be blank.");
    } else if email.len() > MAX_EMAIL
        || !email_address::EmailAddress::is_valid(email)
        || !email.contains('.')
    {
        errors.add("email", "Enter a valid email address.");
    }
}

impl From<User> for UserRef {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            email: user.email,
            full_name: user.full_name,
        }
    }
}

/// A login body: `email` and `password`.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    serde(deny_unknown_fields)
)]
pub struct Credentials {
    /// The login email.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::any_text))]
    pub email: String,
    /// The password.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::any_text))]
    pub password: String,
}

/// Shows everything but the secrets, which must never reach a log.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl Credentials {
    /// Reads a login body.
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) naming each missing or malformed field.
    pub fn from_json(value: &Value) -> Result<Self> {
        let mut body = Body::parse(value, &["email", "password"], &[])?;
        let email = body.text("email", true);
        let password = body.text("password", true);
        body.finish()?;
        Ok(Self {
            email: email.unwrap_or_default(),
            password: password.unwrap_or_default(),
        })
    }
}

/// A body carrying a refresh token (refresh and logout).
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    serde(deny_unknown_fields)
)]
pub struct RefreshRequest {
    /// The refresh token.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::any_text))]
    pub refresh: String,
}

/// Shows everything but the secrets, which must never reach a log.
impl std::fmt::Debug for RefreshRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshRequest")
            .field("refresh", &"<redacted>")
            .finish()
    }
}

impl RefreshRequest {
    /// Reads a `{refresh}` body.
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) when `refresh` is missing or not a string.
    pub fn from_json(value: &Value) -> Result<Self> {
        let mut body = Body::parse(value, &["refresh"], &[])?;
        let refresh = body.text("refresh", true);
        body.finish()?;
        Ok(Self {
            refresh: refresh.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show_in_debug_output() {
        let shown = format!(
            "{:?} {:?} {:?} {:?}",
            NewUser {
                email: "a@b.co".into(),
                password: "hunter2hunter2".into(),
                full_name: String::new()
            },
            PasswordChange {
                current_password: "old-secret-1".into(),
                new_password: "new-secret-2".into()
            },
            Credentials {
                email: "a@b.co".into(),
                password: "hunter2hunter2".into()
            },
            RefreshRequest {
                refresh: "eyJ.refresh.token".into()
            },
        );
        for secret in [
            "hunter2hunter2",
            "old-secret-1",
            "new-secret-2",
            "eyJ.refresh.token",
        ] {
            assert!(!shown.contains(secret), "{secret} shown in {shown}");
        }
        assert!(shown.contains("a@b.co"));
    }
}
