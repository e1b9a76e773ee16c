//! Token verification with the fixture's fixed key: no input panics, and no token verifies
//! unless the key signed it over an HS256 header and live claims of the right kind.
//!
//! The first byte chooses how the rest makes a token:
//! - as it is (any text in an `Authorization` header);
//! - as edits of a genuine access or refresh token (`position`, `length`, bytes), which must all
//!   be refused unless they leave it unchanged;
//! - as a header and claims, split at the first NUL, signed with the real key: then a token
//!   may verify only if its header's `alg` is `HS256`, its `typ` claim is the kind asked for,
//!   its `exp` has not passed and (for an access token) its `sub` is the user's. In the claims, `$ME`, `$NOW`, `$PAST` and `$FUTURE`
//!   stand for the user's id and for times, so that the fuzzer can reach tokens that do verify.
#![no_main]

use std::sync::LazyLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flowforge_fuzz::{FIXTURE, SECRET_KEY, answer};
use jsonwebtoken::{Algorithm, EncodingKey};
use libfuzzer_sys::fuzz_target;

/// A genuine pair of the fixture's owner.
static GENUINE: LazyLock<flowforge_core::TokenPair> = LazyLock::new(|| {
    answer(
        "login",
        FIXTURE
            .ff
            .login("owner@example.com", "correct horse battery"),
    )
    .expect("pair")
});

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 4 {
        0 => verify(&String::from_utf8_lossy(rest), None),
        1 => verify(
            &String::from_utf8_lossy(&edit(GENUINE.access.as_bytes(), rest)),
            None,
        ),
        2 => verify(
            &String::from_utf8_lossy(&edit(GENUINE.refresh.as_bytes(), rest)),
            None,
        ),
        _ => {
            let split = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
            let header = String::from_utf8_lossy(&rest[..split]).into_owned();
            let claims = placeholders(&String::from_utf8_lossy(
                rest.get(split + 1..).unwrap_or(&[]),
            ));
            verify(&sign(&header, &claims), Some((&header, &claims)));
        }
    }
});

/// Checks `token` as an access token, and as a refresh token to log out with: a token that is
/// not genuine and was not `signed` here, or whose header and claims break a rule, must be
/// refused.
fn verify(token: &str, signed: Option<(&str, &str)>) {
    let fx = &*FIXTURE;
    let before = now();
    if answer("authenticate", fx.ff.authenticate_token(token)).is_some() && token != GENUINE.access
    {
        let claims = obeyed(token, signed, "access", before);
        assert_eq!(
            claims.sub.as_deref(),
            Some(fx.owner.id().to_string().as_str()),
            "{token:?} verified for another sub"
        );
    }
    if answer("logout", fx.ff.logout(token)).is_some() && token != GENUINE.refresh {
        obeyed(token, signed, "refresh", before);
    }
}

/// The claims the rules are about. Read as a struct, as the server reads them: other members may
/// hold what a `Value` cannot (a number out of `f64`'s range), which the server ignores.
#[derive(serde::Deserialize)]
struct Claims {
    typ: Option<String>,
    exp: Option<i64>,
    sub: Option<String>,
}

/// The header member the rules are about, read as [`Claims`] are.
#[derive(serde::Deserialize)]
struct Header {
    alg: Option<String>,
}

/// The claims of a `token` that verified as `kind`, after checking it was signed here with an
/// HS256 header and live claims of that kind.
fn obeyed(token: &str, signed: Option<(&str, &str)>, kind: &str, before: i64) -> Claims {
    let (header, claims) =
        signed.unwrap_or_else(|| panic!("a forged token verified as {kind}: {token:?}"));
    let header: Header = serde_json::from_str(header).expect("a header that verified is JSON");
    let claims: Claims = serde_json::from_str(claims).expect("claims that verified are JSON");
    assert_eq!(
        header.alg.as_deref(),
        Some("HS256"),
        "{token:?} verified with another alg"
    );
    assert_eq!(
        claims.typ.as_deref(),
        Some(kind),
        "{token:?} verified as {kind}"
    );
    let exp = claims.exp.expect("an integer exp");
    assert!(exp >= before, "{token:?} verified past its exp");
    claims
}

/// `genuine` with the edits `script` describes: each is a position (one byte, wrapping), a
/// length to replace (one byte, up to 7) and that many new bytes.
fn edit(genuine: &[u8], mut script: &[u8]) -> Vec<u8> {
    let mut token = genuine.to_vec();
    while let [at, len, tail @ ..] = script {
        let at = usize::from(*at) * token.len().max(1) / 256;
        let removed = usize::from(len & 7).min(token.len() - at);
        let inserted = usize::from(len >> 3).min(tail.len());
        token.splice(at..at + removed, tail[..inserted].iter().copied());
        script = &tail[inserted..];
    }
    token
}

/// The claims text with the placeholders put in.
fn placeholders(claims: &str) -> String {
    let now = now();
    claims
        .replace("$ME", &FIXTURE.owner.id().to_string())
        .replace("$NOW", &now.to_string())
        .replace("$PAST", &(now - 1000).to_string())
        .replace("$FUTURE", &(now + 1000).to_string())
}

/// `header.claims.signature`, signed with the fixture's key whatever the header says.
fn sign(header: &str, claims: &str) -> String {
    let message = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let key = EncodingKey::from_secret(SECRET_KEY.as_bytes());
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &key, Algorithm::HS256)
        .expect("HMAC signs anything");
    format!("{message}.{signature}")
}

/// Seconds since the epoch.
fn now() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    i64::try_from(since.expect("after 1970").as_secs()).expect("fits")
}
