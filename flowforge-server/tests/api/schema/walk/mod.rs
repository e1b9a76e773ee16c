//! The walk through the API, one function per resource, each exchange checked against the
//! document by the [`Checker`]. Each function takes what the earlier ones made.

use reqwest::Method as M;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::checker::Checker;
use crate::support::PASSWORD;

mod comments;
mod events;
mod tenancy;
mod work;

pub use comments::comments;
pub use events::events;
pub use tenancy::{members, organizations};
pub use work::{deletions, projects, tasks};

pub(super) const ORGS: &str = "/api/v1/organizations/";
pub(super) const ORG: &str = "/api/v1/organizations/{id}/";
pub(super) const MEMBERS: &str = "/api/v1/organizations/{id}/members/";
pub(super) const MEMBER: &str = "/api/v1/organizations/{id}/members/{user_id}/";
pub(super) const PROJECTS: &str = "/api/v1/projects/";
pub(super) const PROJECT: &str = "/api/v1/projects/{id}/";
pub(super) const TASKS: &str = "/api/v1/tasks/";
pub(super) const TASK: &str = "/api/v1/tasks/{id}/";
pub(super) const ME: &str = "/api/v1/auth/me/";
pub(super) const REGISTER: &str = "/api/v1/auth/register/";
pub(super) const LOGIN: &str = "/api/v1/auth/login/";

/// An account the walk registered and logged in.
pub struct User {
    pub id: String,
    pub email: String,
    pub access: String,
    pub refresh: String,
}

/// Ada owns the organization, Bob becomes an admin, Carol a viewer.
pub struct Users {
    pub ada: User,
    pub bob: User,
    pub carol: User,
}

impl Users {
    /// Ada's, Bob's and Carol's access tokens.
    pub(super) fn tokens(&self) -> (Option<&str>, Option<&str>, Option<&str>) {
        (
            Some(self.ada.access.as_str()),
            Some(self.bob.access.as_str()),
            Some(self.carol.access.as_str()),
        )
    }
}

#[track_caller]
fn text(value: &Value) -> String {
    value.as_str().expect("a string").to_owned()
}

/// Outside `/api/v1/`, and the API root.
pub async fn meta(c: &mut Checker) {
    // Outside /api/v1/.
    for path in ["/api/schema/", "/api/docs/", "/healthz", "/readyz"] {
        c.call(M::GET, path, path, None, None)
            .await
            .expect(StatusCode::OK);
    }
    c.call(M::GET, "/api/v1/", "/api/v1/", None, None)
        .await
        .expect(StatusCode::OK);
}

/// Registration, tokens and the caller's own account; returns the three accounts.
pub async fn auth(c: &mut Checker) -> Users {
    let mut users = Vec::new();
    for name in ["ada", "bob", "carol"] {
        let email = format!("{name}@schema.test");
        let user = c
            .call(
                M::POST,
                REGISTER,
                REGISTER,
                None,
                Some(json!({"email": email, "password": PASSWORD, "full_name": name})),
            )
            .await
            .expect(StatusCode::CREATED);
        let tokens = c
            .call(
                M::POST,
                LOGIN,
                LOGIN,
                None,
                Some(json!({"email": email, "password": PASSWORD})),
            )
            .await
            .expect(StatusCode::OK);
        users.push(User {
            id: text(&user.json["id"]),
            email,
            access: text(&tokens.json["access"]),
            refresh: text(&tokens.json["refresh"]),
        });
    }
    let carol = users.pop().expect("carol");
    let bob = users.pop().expect("bob");
    let ada = users.pop().expect("ada");
    let users = Users { ada, bob, carol };
    let ada = &users.ada;
    let (a, b, _) = users.tokens();
    c.call(
        M::POST,
        REGISTER,
        REGISTER,
        None,
        Some(json!({"email": ada.email, "password": PASSWORD})),
    )
    .await
    .expect(StatusCode::CONFLICT);
    c.call_refused(M::POST, REGISTER, REGISTER, None, json!({}))
        .await
        .expect(StatusCode::BAD_REQUEST);
    c.call_refused(
        M::POST,
        REGISTER,
        REGISTER,
        None,
        json!({"email": "eve@schema.test", "password": PASSWORD, "is_active": false}),
    )
    .await
    .expect(StatusCode::BAD_REQUEST);
    c.call_raw(
        M::POST,
        REGISTER,
        REGISTER,
        None,
        "text/plain",
        b"email=x".to_vec(),
    )
    .await
    .expect(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    c.call(
        M::POST,
        LOGIN,
        LOGIN,
        None,
        Some(json!({"email": ada.email, "password": "wrong password"})),
    )
    .await
    .expect(StatusCode::UNAUTHORIZED);

    pub(super) const REFRESH: &str = "/api/v1/auth/refresh/";
    pub(super) const LOGOUT: &str = "/api/v1/auth/logout/";
    let rotated = c
        .call(
            M::POST,
            REFRESH,
            REFRESH,
            None,
            Some(json!({"refresh": ada.refresh})),
        )
        .await
        .expect(StatusCode::OK);
    c.call(
        M::POST,
        REFRESH,
        REFRESH,
        None,
        Some(json!({"refresh": ada.refresh})),
    )
    .await
    .expect(StatusCode::UNAUTHORIZED);
    c.call(
        M::POST,
        LOGOUT,
        LOGOUT,
        None,
        Some(json!({"refresh": text(&rotated.json["refresh"])})),
    )
    .await
    .expect(StatusCode::NO_CONTENT);
    c.call(M::POST, LOGOUT, LOGOUT, None, Some(json!({"refresh": "x"})))
        .await
        .expect(StatusCode::UNAUTHORIZED);

    c.call(M::GET, ME, ME, a, None).await.expect(StatusCode::OK);
    c.call(M::GET, ME, ME, None, None)
        .await
        .expect(StatusCode::UNAUTHORIZED);
    c.call(M::PATCH, ME, ME, a, Some(json!({"full_name": "Ada L."})))
        .await
        .expect(StatusCode::OK);
    c.call_refused(M::PATCH, ME, ME, a, json!({"full_name": null}))
        .await
        .expect(StatusCode::BAD_REQUEST)
        .json["errors"]["full_name"]
        .as_array()
        .expect("the field is named");
    pub(super) const PASSWORD_PATH: &str = "/api/v1/auth/password/";
    c.call(
        M::POST,
        PASSWORD_PATH,
        PASSWORD_PATH,
        b,
        Some(json!({"current_password": PASSWORD, "new_password": "another horse battery"})),
    )
    .await
    .expect(StatusCode::NO_CONTENT);
    c.call(
        M::POST,
        PASSWORD_PATH,
        PASSWORD_PATH,
        b,
        Some(json!({"current_password": "wrong", "new_password": "another horse battery"})),
    )
    .await
    .expect(StatusCode::BAD_REQUEST);

    users
}
