//! Tokens: crafted the way the library makes them, a token is accepted; every other token is
//! refused (the wrong kind, a tampered or swapped part, another secret or algorithm, `alg: none`,
//! expired, an unknown user, garbage), with the unauthenticated answer.

use flowforge_core::auth::{Claims, TokenKind};
use flowforge_core::{Actor, Config, FlowForge};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use super::{assert_unauthenticated, login, signed_in};
use crate::support::{SECRET, open, user};

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

/// A token of kind `typ` for `actor`, signed as the library signs it, expiring `ttl` seconds from
/// now.
fn signed(actor: &Actor, typ: TokenKind, ttl: i64) -> String {
    sign(&claims(actor, typ, ttl), Algorithm::HS256, SECRET)
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

/// Asserts that the tokens `make` gives for each kind are refused: an access token by
/// `authenticate_token`, a refresh token by `refresh` and by `logout`.
#[track_caller]
fn assert_refused(ff: &FlowForge, make: impl Fn(TokenKind) -> String) {
    assert_unauthenticated(ff.authenticate_token(&make(TokenKind::Access)));
    let refresh = make(TokenKind::Refresh);
    assert_unauthenticated(ff.refresh(&refresh));
    assert_unauthenticated(ff.logout(&refresh));
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

#[test]
fn a_refresh_token_used_as_an_access_token_is_unauthenticated() {
    let (ff, _, pair) = signed_in();
    assert_unauthenticated(ff.authenticate_token(&pair.refresh));
}

#[test]
fn an_access_token_used_as_a_refresh_token_is_unauthenticated() {
    let (ff, _, pair) = signed_in();
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
    let token = signed(&ada, TokenKind::Access, 600);
    assert_eq!(ff.authenticate_token(&token).unwrap().id(), ada.id());
}

#[test]
fn a_token_with_a_tampered_signature_is_unauthenticated() {
    let (ff, _, pair) = signed_in();
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
    let genuine = signed(&ada, TokenKind::Access, 600);
    let forged = sign(
        &claims(&bob, TokenKind::Access, 600),
        Algorithm::HS256,
        "another secret",
    );
    let parts: Vec<&str> = genuine.split('.').collect();
    let forged_payload = forged.split('.').nth(1).unwrap();
    let swapped = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
    assert_unauthenticated(ff.authenticate_token(&swapped));
}

#[test]
fn a_token_signed_with_another_secret_is_unauthenticated() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    assert_refused(&ff, |kind| {
        sign(
            &claims(&ada, kind, 600),
            Algorithm::HS256,
            "not the secret key of this handle",
        )
    });
    // A handle with another secret refuses this handle's tokens too.
    let other = crate::support::open_with(Config::new("a different secret"));
    let pair = login(&ff, "ada@example.com");
    assert_unauthenticated(other.authenticate_token(&pair.access));
}

#[test]
fn an_expired_token_is_unauthenticated() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    assert_refused(&ff, |kind| signed(&ada, kind, -60));
}

#[test]
fn a_token_that_expired_a_second_ago_gets_no_leeway() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let access = signed(&ada, TokenKind::Access, -2);
    assert_unauthenticated(ff.authenticate_token(&access));
}

#[test]
fn a_handle_with_a_zero_access_lifetime_issues_tokens_that_expire() {
    let mut config = Config::new(SECRET);
    config.access_ttl = std::time::Duration::ZERO;
    let ff = crate::support::open_with(config);
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
        assert_refused(&ff, |kind| unsigned(alg, &claims(&ada, kind, 600)));
    }
}

#[test]
fn an_alg_none_header_on_a_validly_signed_token_is_unauthenticated() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let genuine = signed(&ada, TokenKind::Access, 600);
    let mut parts = genuine.split('.');
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
        assert_refused(&ff, |kind| {
            sign(&claims(&ada, kind, 600), algorithm, SECRET)
        });
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

#[test]
fn a_validly_signed_token_missing_any_claim_is_unauthenticated() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let key = EncodingKey::from_secret(SECRET.as_bytes());
    let sign_value = |claims: &serde_json::Value| {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &key).expect("sign")
    };
    let whole = serde_json::to_value(claims(&ada, TokenKind::Access, 600)).expect("claims");
    // The control: every claim present, the token is accepted.
    assert_eq!(
        ff.authenticate_token(&sign_value(&whole)).unwrap().id(),
        ada.id()
    );
    for missing in ["sub", "iat", "exp", "jti", "typ"] {
        let mut partial = whole.clone();
        partial.as_object_mut().expect("an object").remove(missing);
        assert_unauthenticated(ff.authenticate_token(&sign_value(&partial)));
    }
}

#[test]
fn a_header_naming_another_key_does_not_choose_the_key() {
    // RFC 8725 §3.10: `kid`, `jku` and `jwk` are not trusted; only the handle's key verifies.
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let other = EncodingKey::from_secret(b"the attacker's key");
    assert_refused(&ff, |kind| {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("the attacker's key".into());
        header.jku = Some("https://attacker.example/jwks.json".into());
        jsonwebtoken::encode(&header, &claims(&ada, kind, 600), &other).expect("sign")
    });
}
