//! Registration: how an email is stored, which emails and passwords are refused (each by its
//! field and message), that a refused registration creates nothing, and the registration body.

use flowforge_core::{Config, Error, FlowForge, NewUser, User};
use serde_json::json;

use super::{LIKE_EMAIL, NUMERIC, SHORT, assert_message, assert_unauthenticated};
use crate::support::{
    PASSWORD, READ_ONLY, SECRET, UNKNOWN, assert_forbidden, assert_invalid, field_errors, open,
};

const BAD_EMAIL: &str = "Enter a valid email address.";

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
    for (email, password) in [
        ("ada.lovelace@example.com", "ada.lovelace"),
        ("ada.lovelace@example.com", "Ada.Lovelace"),
        ("ada.lovelace@example.com", "ada.lovelace@example.com"),
        ("Ada.Lovelace@Example.com", "ADA.LOVELACE@EXAMPLE.COM"),
    ] {
        assert_message(register(&ff, email, password), "password", LIKE_EMAIL);
    }
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
    let ff = crate::support::open_with(config);
    assert_forbidden(register(&ff, "ada@example.com", PASSWORD));
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
