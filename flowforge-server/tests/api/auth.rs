//! Registration, login, token refresh and rotation, logout, the caller's own profile and
//! password change: each endpoint's success shape and its contract errors.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Api, PASSWORD, TestApp, World, unique};

fn email(tag: &str) -> String {
    format!("{}@auth.test", unique(tag).replace(' ', "-"))
}

#[tokio::test]
async fn register_returns_the_user_without_the_password() {
    let w = World::get();
    let address = email("Mixed.Case");
    let resp = w
        .anon()
        .post(
            "/api/v1/auth/register/",
            json!({"email": address.to_uppercase(), "password": PASSWORD, "full_name": "Ada L"}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(
        resp.header("content-type"),
        "application/json; charset=utf-8"
    );
    let user = resp.json.as_object().unwrap();
    let mut keys: Vec<&str> = user.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["created_at", "email", "full_name", "id", "is_active"]
    );
    assert_eq!(user["email"], address.to_lowercase(), "stored lowercased");
    assert_eq!(user["full_name"], "Ada L");
    assert_eq!(user["is_active"], true);
    assert!(user["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(!resp.text.contains(PASSWORD));
}

#[tokio::test]
async fn register_with_a_taken_email_in_any_case_is_conflict() {
    let w = World::get();
    let body =
        json!({"email": w.member.email.to_uppercase(), "password": PASSWORD, "full_name": ""});
    w.anon()
        .post("/api/v1/auth/register/", body)
        .await
        .problem(StatusCode::CONFLICT, "/api/v1/auth/register/");
}

#[tokio::test]
async fn register_with_invalid_fields_names_each_of_them() {
    let w = World::get();
    let resp = w
        .anon()
        .post(
            "/api/v1/auth/register/",
            json!({"email": "not-an-address", "password": "12345678", "full_name": ""}),
        )
        .await
        .problem(StatusCode::BAD_REQUEST, "/api/v1/auth/register/");
    assert!(resp.json["errors"]["email"].is_array(), "{}", resp.text);
    assert!(resp.json["errors"]["password"].is_array(), "{}", resp.text);
}

#[tokio::test]
async fn registration_turned_off_is_forbidden() {
    let app = TestApp::spawn(&["--allow-registration", "false"]).await;
    app.anon()
        .post(
            "/api/v1/auth/register/",
            json!({"email": "late@auth.test", "password": PASSWORD, "full_name": ""}),
        )
        .await
        .problem(StatusCode::FORBIDDEN, "/api/v1/auth/register/");
    app.stop().await;
}

#[tokio::test]
async fn login_returns_a_bearer_token_pair() {
    let w = World::get();
    let resp = w
        .anon()
        .post(
            "/api/v1/auth/login/",
            json!({"email": w.viewer.email, "password": PASSWORD}),
        )
        .await
        .expect(StatusCode::OK);
    let tokens = &resp.json;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    for kind in ["access", "refresh"] {
        assert_eq!(
            tokens[kind].as_str().unwrap().split('.').count(),
            3,
            "{kind} is a JWT"
        );
    }
    let me = Api::new(&w.base, tokens["access"].as_str())
        .get("/api/v1/auth/me/")
        .await
        .expect(StatusCode::OK);
    assert_eq!(me.json["email"], w.viewer.email.as_str());
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_401() {
    let w = World::get();
    let path = "/api/v1/auth/login/";
    let wrong_password = w
        .anon()
        .post(
            path,
            json!({"email": w.viewer.email, "password": "not the password"}),
        )
        .await
        .problem(StatusCode::UNAUTHORIZED, path);
    let unknown_email = w
        .anon()
        .post(
            path,
            json!({"email": "nobody@auth.test", "password": PASSWORD}),
        )
        .await
        .problem(StatusCode::UNAUTHORIZED, path);
    assert_eq!(wrong_password.text, unknown_email.text);
    assert_eq!(wrong_password.header("www-authenticate"), "Bearer");
}

#[tokio::test]
async fn refresh_rotates_the_pair_and_a_reuse_of_the_old_token_ends_the_family() {
    let w = World::get();
    let account = w.account(&email("refresh")).await;
    let path = "/api/v1/auth/refresh/";
    let rotated = w
        .anon()
        .post(path, json!({"refresh": account.refresh}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(rotated.json["token_type"], "Bearer");
    assert!(rotated.json["expires_in"].is_u64());
    let new_refresh = rotated.json["refresh"].as_str().unwrap();
    assert_ne!(new_refresh, account.refresh);
    let revoked = w
        .anon()
        .post(path, json!({"refresh": account.refresh}))
        .await
        .problem(StatusCode::UNAUTHORIZED, path);
    assert_eq!(revoked.header("www-authenticate"), "Bearer");
    // That was a reuse: the whole family ends, the rotated token with it.
    w.anon()
        .post(path, json!({"refresh": new_refresh}))
        .await
        .problem(StatusCode::UNAUTHORIZED, path);
    let access = rotated.json["access"].as_str().unwrap();
    crate::support::Api::new(&w.base, Some(access))
        .get("/api/v1/auth/me/")
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn logout_revokes_the_refresh_token_and_is_idempotent() {
    let w = World::get();
    let account = w.account(&email("logout")).await;
    let path = "/api/v1/auth/logout/";
    let body = json!({"refresh": account.refresh});
    let first = w
        .anon()
        .post(path, body.clone())
        .await
        .expect(StatusCode::NO_CONTENT);
    assert!(first.text.is_empty());
    w.anon()
        .post(path, body)
        .await
        .expect(StatusCode::NO_CONTENT);
    w.anon()
        .post("/api/v1/auth/refresh/", json!({"refresh": account.refresh}))
        .await
        .problem(StatusCode::UNAUTHORIZED, "/api/v1/auth/refresh/");
    w.anon()
        .post(path, json!({"refresh": "not.a.token"}))
        .await
        .problem(StatusCode::UNAUTHORIZED, path);
}

#[tokio::test]
async fn me_shows_and_updates_the_full_name_only() {
    let w = World::get();
    let account = w.account(&email("me")).await;
    let api = w.as_(&account);
    let me = api.get("/api/v1/auth/me/").await.expect(StatusCode::OK);
    assert_eq!(me.json["id"], account.id.as_str());
    assert!(me.json.get("password").is_none());
    let renamed = api
        .patch("/api/v1/auth/me/", json!({"full_name": "Grace Hopper"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(renamed.json["full_name"], "Grace Hopper");
    assert_eq!(renamed.json["email"], account.email.as_str());
    api.patch("/api/v1/auth/me/", json!({"email": "new@auth.test"}))
        .await
        .problem(StatusCode::BAD_REQUEST, "/api/v1/auth/me/");
}

#[tokio::test]
async fn password_change_revokes_every_refresh_token() {
    let w = World::get();
    let account = w.account(&email("password")).await;
    let path = "/api/v1/auth/password/";
    let api = w.as_(&account);
    api.post(
        path,
        json!({"current_password": "wrong password", "new_password": "a brand new secret"}),
    )
    .await
    .problem(StatusCode::BAD_REQUEST, path);
    api.post(
        path,
        json!({"current_password": PASSWORD, "new_password": "a brand new secret"}),
    )
    .await
    .expect(StatusCode::NO_CONTENT);
    w.anon()
        .post("/api/v1/auth/refresh/", json!({"refresh": account.refresh}))
        .await
        .problem(StatusCode::UNAUTHORIZED, "/api/v1/auth/refresh/");
    w.anon()
        .post(
            "/api/v1/auth/login/",
            json!({"email": account.email, "password": "a brand new secret"}),
        )
        .await
        .expect(StatusCode::OK);
}
