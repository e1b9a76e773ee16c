//! Accounts and tokens: registration rules, login, the shape and kinds of tokens, which tokens
//! are refused, refresh rotation, logout, password changes, deactivation and the `me` update.

use flowforge_core::auth::{Claims, TokenKind};
use flowforge_core::{
    Actor, Config, Database, Error, FieldErrors, FlowForge, NewUser, PasswordChange, TokenPair,
    User, UserPatch,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use crate::support::{PASSWORD, SECRET, assert_invalid, open, user};

const SHORT: &str = "This password is too short. It must contain at least 8 characters.";
const NUMERIC: &str = "This password is entirely numeric.";
const LIKE_EMAIL: &str = "The password may not be the email address or its local part.";
const BAD_EMAIL: &str = "Enter a valid email address.";
const READ_ONLY: &str = "This field is read-only.";
const UNKNOWN: &str = "Unknown field.";

fn new_user(email: &str, password: &str) -> NewUser {
    NewUser {
        email: email.into(),
        password: password.into(),
        full_name: "Ada Lovelace".into(),
    }
}

fn register(ff: &FlowForge, email: &str, password: &str) -> Result<User, Error> {
    ff.register(&new_user(email, password))
}

fn login(ff: &FlowForge, email: &str) -> TokenPair {
    ff.login(email, PASSWORD).expect("login")
}

/// The validation messages, or a panic naming what came instead.
#[track_caller]
fn field_errors<T: std::fmt::Debug>(result: Result<T, Error>) -> FieldErrors {
    match result {
        Err(Error::Validation(errors)) => errors,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// Asserts a validation error whose messages for `field` include `message`.
#[track_caller]
fn assert_message<T: std::fmt::Debug>(result: Result<T, Error>, field: &str, message: &str) {
    let errors = field_errors(result);
    let messages = errors
        .get(field)
        .unwrap_or_else(|| panic!("no error on {field}: {errors}"));
    assert!(
        messages.iter().any(|m| m == message),
        "{field} said {messages:?}, expected {message:?}"
    );
}

#[track_caller]
fn assert_unauthenticated<T: std::fmt::Debug>(result: Result<T, Error>) {
    assert!(
        matches!(result, Err(Error::Unauthenticated(_))),
        "expected unauthenticated, got {result:?}"
    );
}

/// Seconds since the epoch.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

/// The claims FlowForge itself would put in a token for `actor`, expiring `ttl` seconds from now
/// (negative for a token that has already expired).
fn claims(actor: &Actor, typ: TokenKind, ttl: i64) -> Claims {
    let iat = now() - 3600;
    Claims {
        sub: actor.id().to_string(),
        iat,
        exp: now() + ttl,
        jti: uuid_like(),
        typ,
    }
}

/// A unique hex token id, like the library's own.
fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!(
        "{:032x}",
        (u128::from(NEXT.fetch_add(1, Ordering::Relaxed)) << 64) | now() as u128
    )
}

/// Signs `claims` with `algorithm` and `secret`.
fn sign(claims: &Claims, algorithm: Algorithm, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

/// Unpadded base64url (RFC 4648 §5), as JWTs use.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// An unsigned token: `base64url(header).base64url(payload).` with `alg` in the header.
fn unsigned(alg: &str, claims: &Claims) -> String {
    let header = json!({"alg": alg, "typ": "JWT"}).to_string();
    let payload = serde_json::to_string(claims).expect("claims serialize");
    format!(
        "{}.{}.",
        base64url(header.as_bytes()),
        base64url(payload.as_bytes())
    )
}

/// `token` with one character of its signature changed.
fn tamper_signature(token: &str) -> String {
    let dot = token.rfind('.').expect("three parts");
    let mut bytes = token.as_bytes().to_vec();
    let at = dot + 5;
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).expect("ascii")
}

#[test]
fn the_local_base64url_encoder_matches_rfc_4648() {
    assert_eq!(base64url(b""), "");
    assert_eq!(base64url(b"f"), "Zg");
    assert_eq!(base64url(b"fo"), "Zm8");
    assert_eq!(base64url(b"foo"), "Zm9v");
    assert_eq!(base64url(b"foob"), "Zm9vYg");
    assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
}

// Registration.

#[test]
fn registration_stores_the_email_trimmed_and_lowercased() {
    let ff = open();
    let created = register(&ff, "  Ada.Lovelace@Example.COM \t", PASSWORD).unwrap();
    assert_eq!(created.email, "ada.lovelace@example.com");
    assert!(created.is_active);
    assert_eq!(created.full_name, "Ada Lovelace");
    let actor = ff
        .authenticate("ADA.LOVELACE@example.com", PASSWORD)
        .unwrap();
    assert_eq!(actor.id(), created.id);
    assert_eq!(actor.user().email, "ada.lovelace@example.com");
}

#[test]
fn registering_an_email_taken_in_another_case_is_a_conflict() {
    let ff = open();
    register(&ff, "ada@example.com", PASSWORD).unwrap();
    for taken in ["ada@example.com", "ADA@Example.com", " Ada@example.com "] {
        let result = register(&ff, taken, PASSWORD);
        assert!(
            matches!(result, Err(Error::Conflict(_))),
            "{taken}: {result:?}"
        );
    }
}

#[test]
fn registration_rejects_an_invalid_email_by_name() {
    let ff = open();
    for bad in [
        "not-an-email",
        "ada@",
        "@example.com",
        "ada example@example.com",
        "ada@@example.com",
    ] {
        assert_message(register(&ff, bad, PASSWORD), "email", BAD_EMAIL);
    }
    assert_invalid(register(&ff, "", PASSWORD), "email");
    assert_invalid(register(&ff, "   ", PASSWORD), "email");
}

#[test]
fn registration_rejects_a_password_under_8_characters() {
    let ff = open();
    assert_message(
        register(&ff, "ada@example.com", "abc123!"),
        "password",
        SHORT,
    );
    assert_message(register(&ff, "ada@example.com", ""), "password", SHORT);
    register(&ff, "ada@example.com", "abc123!x").expect("8 characters are enough");
}

#[test]
fn registration_rejects_an_entirely_numeric_password() {
    let ff = open();
    assert_message(
        register(&ff, "ada@example.com", "1234567890"),
        "password",
        NUMERIC,
    );
}

#[test]
fn registration_rejects_a_password_equal_to_the_email_or_its_local_part() {
    let ff = open();
    assert_message(
        register(&ff, "ada.lovelace@example.com", "ada.lovelace"),
        "password",
        LIKE_EMAIL,
    );
    assert_message(
        register(&ff, "ada.lovelace@example.com", "Ada.Lovelace"),
        "password",
        LIKE_EMAIL,
    );
    assert_message(
        register(&ff, "ada.lovelace@example.com", "ada.lovelace@example.com"),
        "password",
        LIKE_EMAIL,
    );
    assert_message(
        register(&ff, "Ada.Lovelace@Example.com", "ADA.LOVELACE@EXAMPLE.COM"),
        "password",
        LIKE_EMAIL,
    );
}

#[test]
fn registration_names_every_bad_field_at_once() {
    let ff = open();
    let errors = field_errors(register(&ff, "nope", "1234"));
    assert!(errors.get("email").is_some(), "{errors}");
    let password = errors.get("password").expect("password named");
    assert!(
        password.iter().any(|m| m == SHORT) && password.iter().any(|m| m == NUMERIC),
        "{password:?}"
    );
}

#[test]
fn a_failed_registration_creates_no_account() {
    let ff = open();
    assert_invalid(register(&ff, "ada@example.com", "short"), "password");
    assert_eq!(ff.admin().find_user("ada@example.com").unwrap(), None);
    assert_unauthenticated(ff.login("ada@example.com", "short"));
    register(&ff, "ada@example.com", PASSWORD).expect("the email is still free");
}

#[test]
fn registration_is_forbidden_when_turned_off() {
    // `Config` has a private field, so it is built with `new` and then changed.
    let mut config = Config::new(SECRET);
    config.allow_registration = false;
    let ff = FlowForge::open(&Database::Memory, config).unwrap();
    let result = register(&ff, "ada@example.com", PASSWORD);
    assert!(matches!(result, Err(Error::Forbidden(_))), "{result:?}");
    assert_eq!(ff.admin().find_user("ada@example.com").unwrap(), None);
    // The admin entry point still creates accounts, and they can log in.
    ff.admin()
        .create_user(&new_user("ada@example.com", PASSWORD))
        .unwrap();
    ff.login("ada@example.com", PASSWORD).unwrap();
}

#[test]
fn a_registration_body_refuses_unknown_and_read_only_fields() {
    let body = json!({"email": "a@b.co", "password": PASSWORD, "is_active": false, "id": "x", "admin": true});
    let errors = field_errors(NewUser::from_json(&body));
    assert_eq!(errors.get("is_active").unwrap(), [READ_ONLY]);
    assert_eq!(errors.get("id").unwrap(), [READ_ONLY]);
    assert_eq!(errors.get("admin").unwrap(), [UNKNOWN]);
    let errors = field_errors(NewUser::from_json(&json!({"full_name": "Ada"})));
    assert_eq!(errors.get("email").unwrap(), ["This field is required."]);
    assert_eq!(errors.get("password").unwrap(), ["This field is required."]);
    let parsed = NewUser::from_json(&json!({"email": "a@b.co", "password": PASSWORD})).unwrap();
    assert_eq!(parsed.full_name, "");
}

// Login.

#[test]
fn login_gives_the_same_error_for_a_wrong_email_and_a_wrong_password() {
    let ff = open();
    user(&ff, "ada@example.com");
    let wrong_email = ff.login("bob@example.com", PASSWORD).unwrap_err();
    let wrong_password = ff.login("ada@example.com", "not the password").unwrap_err();
    assert!(
        matches!(wrong_email, Error::Unauthenticated(_)),
        "{wrong_email:?}"
    );
    assert_eq!(format!("{wrong_email:?}"), format!("{wrong_password:?}"));
    assert_eq!(wrong_email.to_string(), wrong_password.to_string());
    assert_eq!(wrong_email.code(), wrong_password.code());
    let through_authenticate = ff.authenticate("ada@example.com", "").unwrap_err();
    assert_eq!(through_authenticate.to_string(), wrong_email.to_string());
}

#[test]
fn login_issues_a_bearer_pair_whose_access_token_authenticates() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let pair = ff.login(" ADA@example.com ", PASSWORD).unwrap();
    assert_eq!(pair.token_type, "Bearer");
    assert_eq!(pair.expires_in, 15 * 60);
    assert_ne!(pair.access, pair.refresh);
    assert_eq!(pair.access.split('.').count(), 3);
    let actor = ff.authenticate_token(&pair.access).unwrap();
    assert_eq!(actor.id(), ada.id());
    assert_eq!(actor.user().email, "ada@example.com");
}

#[test]
fn an_admin_issued_access_token_authenticates() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let token = ff.admin().access_token(&ada).unwrap();
    assert_eq!(ff.authenticate_token(&token).unwrap().id(), ada.id());
}

// Which tokens are refused.

#[test]
fn a_refresh_token_used_as_an_access_token_is_unauthenticated() {
    let ff = open();
    user(&ff, "ada@example.com");
    let pair = login(&ff, "ada@example.com");
    assert_unauthenticated(ff.authenticate_token(&pair.refresh));
}

#[test]
fn an_access_token_used_as_a_refresh_token_is_unauthenticated() {
    let ff = open();
    user(&ff, "ada@example.com");
    let pair = login(&ff, "ada@example.com");
    assert_unauthenticated(ff.refresh(&pair.access));
    assert_unauthenticated(ff.logout(&pair.access));
    // Neither attempt spent the real refresh token.
    ff.refresh(&pair.refresh).unwrap();
}

#[test]
fn a_token_crafted_like_the_library_with_the_secret_is_accepted() {
    // The control for the refusals below: the crafted claims are the real shape.
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let token = sign(
        &claims(&ada, TokenKind::Access, 600),
        Algorithm::HS256,
        SECRET,
    );
    assert_eq!(ff.authenticate_token(&token).unwrap().id(), ada.id());
}

#[test]
fn a_token_with_a_tampered_signature_is_unauthenticated() {
    let ff = open();
    user(&ff, "ada@example.com");
    let pair = login(&ff, "ada@example.com");
    let tampered = tamper_signature(&pair.access);
    assert_ne!(tampered, pair.access);
    assert_unauthenticated(ff.authenticate_token(&tampered));
    assert_unauthenticated(ff.refresh(&tamper_signature(&pair.refresh)));
    assert_unauthenticated(ff.logout(&tamper_signature(&pair.refresh)));
    let unsigned_real = format!("{}.", &pair.access[..pair.access.rfind('.').unwrap()]);
    assert_unauthenticated(ff.authenticate_token(&unsigned_real));
}

#[test]
fn a_token_whose_payload_was_swapped_is_unauthenticated() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let bob = user(&ff, "bob@example.com");
    let signed = sign(
        &claims(&ada, TokenKind::Access, 600),
        Algorithm::HS256,
        SECRET,
    );
    let forged = sign(
        &claims(&bob, TokenKind::Access, 600),
        Algorithm::HS256,
        "another secret",
    );
    let parts: Vec<&str> = signed.split('.').collect();
    let forged_payload = forged.split('.').nth(1).unwrap();
    let swapped = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
    assert_unauthenticated(ff.authenticate_token(&swapped));
}

#[test]
fn a_token_signed_with_another_secret_is_unauthenticated() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let access = sign(
        &claims(&ada, TokenKind::Access, 600),
        Algorithm::HS256,
        "not the secret key of this handle",
    );
    let refresh = sign(
        &claims(&ada, TokenKind::Refresh, 600),
        Algorithm::HS256,
        "not the secret key of this handle",
    );
    assert_unauthenticated(ff.authenticate_token(&access));
    assert_unauthenticated(ff.refresh(&refresh));
    assert_unauthenticated(ff.logout(&refresh));
    // A handle with another secret refuses this handle's tokens too.
    let other = FlowForge::open(&Database::Memory, Config::new("a different secret")).unwrap();
    let pair = login(&ff, "ada@example.com");
    assert_unauthenticated(other.authenticate_token(&pair.access));
}

#[test]
fn an_expired_token_is_unauthenticated() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let access = sign(
        &claims(&ada, TokenKind::Access, -60),
        Algorithm::HS256,
        SECRET,
    );
    assert_unauthenticated(ff.authenticate_token(&access));
    let refresh = sign(
        &claims(&ada, TokenKind::Refresh, -60),
        Algorithm::HS256,
        SECRET,
    );
    assert_unauthenticated(ff.refresh(&refresh));
    assert_unauthenticated(ff.logout(&refresh));
}

#[test]
fn a_token_that_expired_a_second_ago_gets_no_leeway() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let access = sign(
        &claims(&ada, TokenKind::Access, -2),
        Algorithm::HS256,
        SECRET,
    );
    assert_unauthenticated(ff.authenticate_token(&access));
}

#[test]
fn a_handle_with_a_zero_access_lifetime_issues_tokens_that_expire() {
    let mut config = Config::new(SECRET);
    config.access_ttl = std::time::Duration::ZERO;
    let ff = FlowForge::open(&Database::Memory, config).unwrap();
    user(&ff, "ada@example.com");
    let pair = login(&ff, "ada@example.com");
    assert_eq!(pair.expires_in, 0);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_unauthenticated(ff.authenticate_token(&pair.access));
}

#[test]
fn an_unsigned_alg_none_token_is_unauthenticated() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    for alg in ["none", "None", "NONE", "nOnE"] {
        let access = unsigned(alg, &claims(&ada, TokenKind::Access, 600));
        assert_unauthenticated(ff.authenticate_token(&access));
        let refresh = unsigned(alg, &claims(&ada, TokenKind::Refresh, 600));
        assert_unauthenticated(ff.refresh(&refresh));
        assert_unauthenticated(ff.logout(&refresh));
    }
}

#[test]
fn an_alg_none_header_on_a_validly_signed_token_is_unauthenticated() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let signed = sign(
        &claims(&ada, TokenKind::Access, 600),
        Algorithm::HS256,
        SECRET,
    );
    let mut parts = signed.split('.');
    let (_, payload, signature) = (parts.next(), parts.next().unwrap(), parts.next().unwrap());
    let header = base64url(json!({"alg": "none", "typ": "JWT"}).to_string().as_bytes());
    assert_unauthenticated(ff.authenticate_token(&format!("{header}.{payload}.{signature}")));
    assert_unauthenticated(ff.authenticate_token(&format!("{header}.{payload}.")));
}

#[test]
fn tokens_signed_with_hs384_or_hs512_and_the_right_secret_are_unauthenticated() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    for algorithm in [Algorithm::HS384, Algorithm::HS512] {
        let access = sign(&claims(&ada, TokenKind::Access, 600), algorithm, SECRET);
        assert_unauthenticated(ff.authenticate_token(&access));
        let refresh = sign(&claims(&ada, TokenKind::Refresh, 600), algorithm, SECRET);
        assert_unauthenticated(ff.refresh(&refresh));
        assert_unauthenticated(ff.logout(&refresh));
    }
}

#[test]
fn a_validly_signed_token_for_an_unknown_user_is_unauthenticated() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let mut claims = claims(&ada, TokenKind::Access, 600);
    claims.sub = flowforge_core::UserId::new().to_string();
    assert_unauthenticated(ff.authenticate_token(&sign(&claims, Algorithm::HS256, SECRET)));
    claims.sub = "not a user id".into();
    assert_unauthenticated(ff.authenticate_token(&sign(&claims, Algorithm::HS256, SECRET)));
}

#[test]
fn malformed_tokens_are_unauthenticated() {
    let ff = open();
    for garbage in [
        "",
        "garbage",
        "a.b.c",
        "..",
        "Bearer x.y.z",
        "eyJhbGciOiJIUzI1NiJ9.e30.",
    ] {
        assert_unauthenticated(ff.authenticate_token(garbage));
        assert_unauthenticated(ff.refresh(garbage));
    }
}

// Refresh rotation and logout.

#[test]
fn refresh_issues_a_new_pair_that_works() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let first = login(&ff, "ada@example.com");
    let second = ff.refresh(&first.refresh).unwrap();
    assert_eq!(second.token_type, "Bearer");
    assert_eq!(second.expires_in, 15 * 60);
    assert_ne!(second.refresh, first.refresh);
    assert_ne!(second.access, first.access);
    assert_eq!(
        ff.authenticate_token(&second.access).unwrap().id(),
        ada.id()
    );
    let third = ff.refresh(&second.refresh).unwrap();
    assert_eq!(ff.authenticate_token(&third.access).unwrap().id(), ada.id());
}

#[test]
fn refresh_token_is_refused_after_rotation() {
    let ff = open();
    user(&ff, "ada@example.com");
    let first = login(&ff, "ada@example.com");
    ff.refresh(&first.refresh).unwrap();
    assert_unauthenticated(ff.refresh(&first.refresh));
    assert_unauthenticated(ff.refresh(&first.refresh));
}

#[test]
fn the_rotated_refresh_token_keeps_working_after_the_old_one_is_refused() {
    let ff = open();
    user(&ff, "ada@example.com");
    let first = login(&ff, "ada@example.com");
    let second = ff.refresh(&first.refresh).unwrap();
    assert_unauthenticated(ff.refresh(&first.refresh));
    let third = ff
        .refresh(&second.refresh)
        .expect("the new refresh token works");
    ff.authenticate_token(&third.access).unwrap();
}

#[test]
fn logout_revokes_the_refresh_token() {
    let ff = open();
    user(&ff, "ada@example.com");
    let pair = login(&ff, "ada@example.com");
    ff.logout(&pair.refresh).unwrap();
    assert_unauthenticated(ff.refresh(&pair.refresh));
}

#[test]
fn logging_out_twice_is_no_error() {
    let ff = open();
    user(&ff, "ada@example.com");
    let pair = login(&ff, "ada@example.com");
    ff.logout(&pair.refresh).unwrap();
    ff.logout(&pair.refresh)
        .expect("an already revoked token logs out again");
    // A token revoked by rotation logs out too.
    let other = login(&ff, "ada@example.com");
    ff.refresh(&other.refresh).unwrap();
    ff.logout(&other.refresh).unwrap();
}

#[test]
fn logout_with_garbage_is_unauthenticated() {
    let ff = open();
    for garbage in ["garbage", "", "a.b.c", "not.a.jwt"] {
        assert_unauthenticated(ff.logout(garbage));
    }
}

#[test]
fn logout_revokes_only_the_session_it_names() {
    let ff = open();
    user(&ff, "ada@example.com");
    let laptop = login(&ff, "ada@example.com");
    let phone = login(&ff, "ada@example.com");
    ff.logout(&laptop.refresh).unwrap();
    assert_unauthenticated(ff.refresh(&laptop.refresh));
    ff.refresh(&phone.refresh)
        .expect("the other session is untouched");
}

// Password changes.

fn change(current: &str, new: &str) -> PasswordChange {
    PasswordChange {
        current_password: current.into(),
        new_password: new.into(),
    }
}

#[test]
fn change_password_with_a_wrong_current_password_names_current_password() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let errors =
        field_errors(ff.change_password(&ada, &change("not the password", "a brand new pass")));
    assert!(errors.get("current_password").is_some(), "{errors}");
    assert!(errors.get("new_password").is_none(), "{errors}");
    ff.login("ada@example.com", PASSWORD)
        .expect("the old password still works");
    assert_unauthenticated(ff.login("ada@example.com", "a brand new pass"));
}

#[test]
fn change_password_to_a_weak_one_names_new_password() {
    let ff = open();
    let ada = user(&ff, "ada.lovelace@example.com");
    let session = login(&ff, "ada.lovelace@example.com");
    assert_message(
        ff.change_password(&ada, &change(PASSWORD, "short")),
        "new_password",
        SHORT,
    );
    assert_message(
        ff.change_password(&ada, &change(PASSWORD, "12345678901")),
        "new_password",
        NUMERIC,
    );
    assert_message(
        ff.change_password(&ada, &change(PASSWORD, "ada.lovelace")),
        "new_password",
        LIKE_EMAIL,
    );
    assert_message(
        ff.change_password(&ada, &change(PASSWORD, "Ada.Lovelace@example.com")),
        "new_password",
        LIKE_EMAIL,
    );
    let errors = field_errors(ff.change_password(&ada, &change(PASSWORD, "short")));
    assert!(errors.get("current_password").is_none(), "{errors}");
    // Nothing changed: the password and the session are as they were.
    ff.login("ada.lovelace@example.com", PASSWORD).unwrap();
    ff.refresh(&session.refresh)
        .expect("a refused change revokes nothing");
}

#[test]
fn change_password_names_both_fields_when_both_are_bad() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let errors = field_errors(ff.change_password(&ada, &change("wrong", "1234")));
    assert!(
        errors.get("current_password").is_some() && errors.get("new_password").is_some(),
        "{errors}"
    );
}

#[test]
fn changing_the_password_revokes_every_refresh_token_of_the_user() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    user(&ff, "bob@example.com");
    let laptop = login(&ff, "ada@example.com");
    let phone = login(&ff, "ada@example.com");
    let bobs = login(&ff, "bob@example.com");
    ff.change_password(&ada, &change(PASSWORD, "a brand new pass"))
        .unwrap();
    assert_unauthenticated(ff.refresh(&laptop.refresh));
    assert_unauthenticated(ff.refresh(&phone.refresh));
    ff.refresh(&bobs.refresh)
        .expect("another user's session is untouched");
}

#[test]
fn after_a_password_change_the_new_password_logs_in_and_the_old_does_not() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    ff.change_password(&ada, &change(PASSWORD, "a brand new pass"))
        .unwrap();
    assert_unauthenticated(ff.login("ada@example.com", PASSWORD));
    let pair = ff.login("ada@example.com", "a brand new pass").unwrap();
    ff.refresh(&pair.refresh)
        .expect("a session opened after the change works");
}

#[test]
fn a_password_change_body_requires_both_fields() {
    let errors = field_errors(PasswordChange::from_json(&json!({})));
    assert_eq!(
        errors.get("current_password").unwrap(),
        ["This field is required."]
    );
    assert_eq!(
        errors.get("new_password").unwrap(),
        ["This field is required."]
    );
    let errors = field_errors(PasswordChange::from_json(
        &json!({"current_password": "x", "new_password": "y", "x": 1}),
    ));
    assert_eq!(errors.get("x").unwrap(), [UNKNOWN]);
}

// Deactivation.

#[test]
fn a_deactivated_user_cannot_log_in() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    ff.admin().set_active(ada.id(), false).unwrap();
    assert_unauthenticated(ff.login("ada@example.com", PASSWORD));
    assert_unauthenticated(ff.authenticate("ada@example.com", PASSWORD));
    assert_unauthenticated(ff.admin().act_as(ada.id()));
}

#[test]
fn a_deactivated_user_cannot_use_an_access_token_they_hold() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let pair = login(&ff, "ada@example.com");
    ff.authenticate_token(&pair.access).unwrap();
    ff.admin().set_active(ada.id(), false).unwrap();
    assert_unauthenticated(ff.authenticate_token(&pair.access));
}

#[test]
fn a_deactivated_user_cannot_refresh() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let pair = login(&ff, "ada@example.com");
    ff.admin().set_active(ada.id(), false).unwrap();
    assert_unauthenticated(ff.refresh(&pair.refresh));
}

#[test]
fn a_reactivated_user_can_log_in_again() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    ff.admin().set_active(ada.id(), false).unwrap();
    ff.admin().set_active(ada.id(), true).unwrap();
    let pair = login(&ff, "ada@example.com");
    assert_eq!(ff.authenticate_token(&pair.access).unwrap().id(), ada.id());
}

#[test]
fn deactivating_an_unknown_user_is_not_found() {
    let ff = open();
    let result = ff.admin().set_active(flowforge_core::UserId::new(), false);
    assert!(matches!(result, Err(Error::NotFound(_))), "{result:?}");
}

// The caller's own account.

#[test]
fn update_me_changes_the_full_name() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let updated = ff
        .update_me(
            &ada,
            &UserPatch {
                full_name: Some("Augusta Ada King".into()),
            },
        )
        .unwrap();
    assert_eq!(updated.full_name, "Augusta Ada King");
    assert_eq!(updated.email, "ada@example.com");
    assert_eq!(updated.id, ada.id());
    let pair = login(&ff, "ada@example.com");
    assert_eq!(
        ff.authenticate_token(&pair.access)
            .unwrap()
            .user()
            .full_name,
        "Augusta Ada King"
    );
    let unchanged = ff.update_me(&ada, &UserPatch::default()).unwrap();
    assert_eq!(unchanged.full_name, "Augusta Ada King");
}

#[test]
fn update_me_rejects_a_full_name_over_255_characters() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let before = ada.user().full_name.clone();
    assert_invalid(
        ff.update_me(
            &ada,
            &UserPatch {
                full_name: Some("é".repeat(256)),
            },
        ),
        "full_name",
    );
    let pair = login(&ff, "ada@example.com");
    assert_eq!(
        ff.authenticate_token(&pair.access)
            .unwrap()
            .user()
            .full_name,
        before
    );
    let at_limit = ff
        .update_me(
            &ada,
            &UserPatch {
                full_name: Some("é".repeat(255)),
            },
        )
        .unwrap();
    assert_eq!(at_limit.full_name.chars().count(), 255);
}

#[test]
fn a_me_body_refuses_email_and_is_active_as_read_only() {
    let errors = field_errors(UserPatch::from_json(
        &json!({"email": "x@y.co", "is_active": false}),
    ));
    assert_eq!(errors.get("email").unwrap(), [READ_ONLY]);
    assert_eq!(errors.get("is_active").unwrap(), [READ_ONLY]);
    let errors = field_errors(UserPatch::from_json(
        &json!({"full_name": "Ada", "password": "x"}),
    ));
    assert_eq!(errors.get("password").unwrap(), [UNKNOWN]);
    assert_invalid(UserPatch::from_json(&json!({"full_name": 7})), "full_name");
    assert_eq!(
        UserPatch::from_json(&json!({"full_name": "Ada"}))
            .unwrap()
            .full_name
            .as_deref(),
        Some("Ada")
    );
}
