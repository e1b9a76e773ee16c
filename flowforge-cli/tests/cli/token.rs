//! `flowforge token --email E`: an access token the server accepts.

use crate::support::{Sandbox, failure, jwt_part, success};

fn issue(s: &Sandbox, envs: &[(&str, &str)]) -> String {
    let mut cmd = s.cmd(&["token", "--email", "ada@example.com"]);
    for (key, value) in envs {
        cmd.env(key, value);
    }
    let out = success(&mut cmd);
    let token = out.trim().to_owned();
    assert_eq!(out, format!("{token}\n"), "the token alone, on one line");
    token
}

/// Three non-empty base64url parts: an HS256 header and an access token's claims for ada.
fn assert_access_token(s: &Sandbox, token: &str) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    for part in &parts {
        assert!(
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "not base64url: {part}"
        );
    }
    assert_eq!(jwt_part(token, 0)["alg"], "HS256");
    let claims = jwt_part(token, 1);
    assert_eq!(claims["typ"], "access");
    let ada = s.json(&["user", "show", "ada@example.com"]);
    assert_eq!(claims["sub"], ada["id"]);
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert_eq!(lifetime, 15 * 60);
}

#[test]
fn token_is_signed_with_secret_key() {
    let s = Sandbox::new();
    s.user("ada@example.com");
    let token = issue(&s, &[("SECRET_KEY", "k")]);
    assert_access_token(&s, &token);
    let actor = s
        .core("k")
        .authenticate_token(&token)
        .expect("the key verifies it");
    assert_eq!(actor.user().email, "ada@example.com");
    assert!(s.core("another key").authenticate_token(&token).is_err());
    // A configured key needs no key file, even in debug mode.
    assert!(!s.dir().join("flowforge.db.secret").exists());
    // DEBUG=false is fine with a key.
    let token = issue(&s, &[("SECRET_KEY", "k"), ("DEBUG", "false")]);
    assert!(s.core("k").authenticate_token(&token).is_ok());
}

#[cfg(not(feature = "postgres"))]
#[test]
fn in_debug_mode_without_a_key_the_key_file_beside_the_database_is_used() {
    let s = Sandbox::new();
    s.user("ada@example.com");
    let key_file = s.dir().join("flowforge.db.secret");
    assert!(!key_file.exists());

    let first = issue(&s, &[]);
    let key = std::fs::read_to_string(&key_file).expect("the key file was created");
    assert!(!key.trim().is_empty());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the key file is private");
    }
    let second = issue(&s, &[("DEBUG", "true")]);
    let third = issue(&s, &[("DEBUG", "1"), ("SECRET_KEY", "")]);
    assert_eq!(
        std::fs::read_to_string(&key_file).unwrap(),
        key,
        "the key is kept"
    );

    let core = s.core(key.trim());
    for token in [&first, &second, &third] {
        assert_access_token(&s, token);
        let actor = core
            .authenticate_token(token)
            .expect("the file's key verifies it");
        assert_eq!(actor.user().email, "ada@example.com");
    }
    assert!(s.core("k").authenticate_token(&first).is_err());
}

/// Servers sharing a PostgreSQL database must share one key, which none can generate.
#[cfg(feature = "postgres")]
#[test]
fn on_postgres_a_secret_key_is_required_even_in_debug_mode() {
    let s = Sandbox::new();
    s.user("ada@example.com");
    let message = failure(
        s.cmd(&["token", "--email", "ada@example.com"])
            .env("DEBUG", "true"),
        5,
    );
    assert!(
        message.contains("SECRET_KEY") && message.contains("PostgreSQL"),
        "{message}"
    );
}

#[test]
fn without_debug_a_secret_key_is_required() {
    let s = Sandbox::new();
    s.user("ada@example.com");
    for debug in ["false", "0", "no", "OFF"] {
        let message = failure(
            s.cmd(&["token", "--email", "ada@example.com"])
                .env("DEBUG", debug),
            5,
        );
        assert!(message.contains("SECRET_KEY"), "{message}");
    }
    assert!(!s.dir().join("flowforge.db.secret").exists());
    let stderr = crate::support::usage_error(
        s.cmd(&["token", "--email", "ada@example.com"])
            .env("DEBUG", "maybe"),
    );
    assert!(stderr.contains("maybe"), "{stderr}");
}

#[test]
fn an_unknown_or_inactive_user_gets_no_token() {
    let s = Sandbox::new();
    s.user("ada@example.com");
    let message = failure(
        s.cmd(&["token", "--email", "nobody@example.com"])
            .env("SECRET_KEY", "k"),
        3,
    );
    assert_eq!(message, "no user has the email nobody@example.com");
    s.ok(&["user", "deactivate", "ada@example.com"]);
    let message = failure(
        s.cmd(&["token", "--email", "ada@example.com"])
            .env("SECRET_KEY", "k"),
        1,
    );
    assert!(message.contains("inactive"), "{message}");
}
