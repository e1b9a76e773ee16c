//! One's own account: password changes (and the sessions they end), deactivation, and the `me`
//! update.

use flowforge_core::{Error, FlowForge, PasswordChange, UserPatch};
use serde_json::json;

use super::{LIKE_EMAIL, NUMERIC, SHORT, assert_message, assert_unauthenticated, login, signed_in};
use crate::support::{PASSWORD, READ_ONLY, UNKNOWN, assert_invalid, field_errors, open, user};

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
    for (weak, message) in [
        ("short", SHORT),
        ("12345678901", NUMERIC),
        ("ada.lovelace", LIKE_EMAIL),
        ("Ada.Lovelace@example.com", LIKE_EMAIL),
    ] {
        assert_message(
            ff.change_password(&ada, &change(PASSWORD, weak)),
            "new_password",
            message,
        );
    }
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
    let (ff, ada, pair) = signed_in();
    ff.authenticate_token(&pair.access).unwrap();
    ff.admin().set_active(ada.id(), false).unwrap();
    assert_unauthenticated(ff.authenticate_token(&pair.access));
}

#[test]
fn a_deactivated_user_cannot_refresh() {
    let (ff, ada, pair) = signed_in();
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

/// A `me` patch that sets the full name.
fn full_name(name: String) -> UserPatch {
    UserPatch {
        full_name: Some(name),
    }
}

/// The full name ada@example.com has in a session opened now.
fn full_name_at_login(ff: &FlowForge) -> String {
    let pair = login(ff, "ada@example.com");
    let actor = ff.authenticate_token(&pair.access).unwrap();
    actor.user().full_name.clone()
}

#[test]
fn update_me_changes_the_full_name() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let updated = ff
        .update_me(&ada, &full_name("Augusta Ada King".into()))
        .unwrap();
    assert_eq!(updated.full_name, "Augusta Ada King");
    assert_eq!(updated.email, "ada@example.com");
    assert_eq!(updated.id, ada.id());
    assert_eq!(full_name_at_login(&ff), "Augusta Ada King");
    let unchanged = ff.update_me(&ada, &UserPatch::default()).unwrap();
    assert_eq!(unchanged.full_name, "Augusta Ada King");
}

#[test]
fn update_me_rejects_a_full_name_over_255_characters() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let before = ada.user().full_name.clone();
    assert_invalid(ff.update_me(&ada, &full_name("é".repeat(256))), "full_name");
    assert_eq!(full_name_at_login(&ff), before);
    let at_limit = ff.update_me(&ada, &full_name("é".repeat(255))).unwrap();
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
