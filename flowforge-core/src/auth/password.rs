//! Password hashing (argon2id with OWASP's recommended parameters) and the password rules.
//! Verification of an unknown user runs against a fixed dummy hash so that it costs the same
//! time as for a known one.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::{Error, Result};

/// argon2id, 19 MiB of memory, 2 iterations, 1 lane: OWASP's password storage recommendation.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes `password` with a fresh random salt, in PHC string form.
///
/// # Errors
/// [`Error::Internal`] if the hasher fails (it does not for valid parameters).
pub(crate) fn hash(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(e.to_string().into()))
}

/// Whether `password` matches `stored`; a malformed stored hash matches nothing.
pub(crate) fn verify(stored: &str, password: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Spends the time of one verification for an email that has no account.
pub(crate) fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("flowforge-timing-equalizer").unwrap_or_default());
    verify(dummy, password);
}

/// Checks `password` against the rules, naming the `password` field in the error.
pub(crate) fn check_rules(password: &str, email: &str) -> Result<()> {
    let mut errors = crate::error::FieldErrors::default();
    add_rule_violations(&mut errors, "password", password, email);
    errors.into_result()
}

/// Adds each rule `password` breaks to `errors`, under `field`.
pub(crate) fn add_rule_violations(
    errors: &mut crate::error::FieldErrors,
    field: &str,
    password: &str,
    email: &str,
) {
    for message in rule_violations(password, email) {
        errors.add(field, message);
    }
}

/// The shortest password, in characters.
pub(crate) const MIN_PASSWORD: usize = 8;
/// The longest password, in characters.
pub(crate) const MAX_PASSWORD: usize = 128;

/// The password rules: at least 8 characters, not all digits, not the email or its local part.
pub(crate) fn rule_violations(password: &str, email: &str) -> Vec<&'static str> {
    let mut messages = Vec::new();
    if password.chars().count() < MIN_PASSWORD {
        messages.push("This password is too short. It must contain at least 8 characters.");
    }
    if !password.is_empty() && password.chars().all(|c| c.is_ascii_digit()) {
        messages.push("This password is entirely numeric.");
    }
    if password.chars().count() > MAX_PASSWORD {
        messages.push("Ensure this field has no more than 128 characters.");
    }
    let lowered = password.to_lowercase();
    let local = email.split('@').next().unwrap_or_default();
    if !email.is_empty() && (lowered == email || lowered == local) {
        messages.push("The password may not be the email address or its local part.");
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let stored = hash("correct horse").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify(&stored, "correct horse"));
        assert!(!verify(&stored, "correct horsE"));
        assert!(!verify("not a hash", "correct horse"));
    }

    #[test]
    fn password_rules_name_every_violation() {
        assert!(rule_violations("long enough pass", "ann@example.com").is_empty());
        assert_eq!(rule_violations("1234567", "a@b.co").len(), 2);
        assert_eq!(
            rule_violations("Ann.Smith", "ann.smith@example.com"),
            ["The password may not be the email address or its local part."]
        );
        assert_eq!(
            rule_violations("ANN@EXAMPLE.COM", "ann@example.com").len(),
            1
        );
    }
}
