//! Sessions: login, the bearer pair it issues, refresh rotation and logout.

use flowforge_core::Error;

use super::{assert_unauthenticated, login, signed_in};
use crate::support::{PASSWORD, open, user};

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

// Refresh rotation and logout.

#[test]
fn refresh_issues_a_new_pair_that_works() {
    let (ff, ada, first) = signed_in();
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
    let (ff, _, first) = signed_in();
    ff.refresh(&first.refresh).unwrap();
    assert_unauthenticated(ff.refresh(&first.refresh));
    assert_unauthenticated(ff.refresh(&first.refresh));
}

// Families: every token rotated from one login; a reuse or a logout ends the whole family.

#[test]
fn reusing_a_rotated_refresh_token_revokes_every_token_of_its_login() {
    let (ff, ada, first) = signed_in();
    let second = ff.refresh(&first.refresh).unwrap();
    let third = ff.refresh(&second.refresh).unwrap();
    // The first token, rotated long ago, comes back (stolen, say): refused, and the family ends.
    assert_unauthenticated(ff.refresh(&first.refresh));
    assert_unauthenticated(ff.refresh(&third.refresh));
    assert_unauthenticated(ff.refresh(&second.refresh));
    // Access tokens already issued live out their time.
    for pair in [&first, &second, &third] {
        assert_eq!(ff.authenticate_token(&pair.access).unwrap().id(), ada.id());
    }
}

#[test]
fn a_reuse_ends_only_the_family_of_the_reused_token() {
    let (ff, _, laptop) = signed_in();
    let phone = login(&ff, "ada@example.com");
    let laptop_next = ff.refresh(&laptop.refresh).unwrap();
    assert_unauthenticated(ff.refresh(&laptop.refresh));
    assert_unauthenticated(ff.refresh(&laptop_next.refresh));
    let phone_next = ff
        .refresh(&phone.refresh)
        .expect("another login's family is untouched");
    ff.refresh(&phone_next.refresh).unwrap();
}

#[test]
fn logging_out_with_any_token_of_a_family_ends_the_family() {
    let (ff, _, first) = signed_in();
    let second = ff.refresh(&first.refresh).unwrap();
    let third = ff.refresh(&second.refresh).unwrap();
    // Out with the newest token: the family ends.
    ff.logout(&third.refresh).unwrap();
    assert_unauthenticated(ff.refresh(&third.refresh));

    // Out with a token rotated long ago: the newest of its family ends too.
    let other = login(&ff, "ada@example.com");
    let other_next = ff.refresh(&other.refresh).unwrap();
    ff.logout(&other.refresh).unwrap();
    assert_unauthenticated(ff.refresh(&other_next.refresh));
    ff.authenticate_token(&other_next.access)
        .expect("its access token lives out its time");
}

#[test]
fn logout_revokes_the_refresh_token() {
    let (ff, _, pair) = signed_in();
    ff.logout(&pair.refresh).unwrap();
    assert_unauthenticated(ff.refresh(&pair.refresh));
}

#[test]
fn logging_out_twice_is_no_error() {
    let (ff, _, pair) = signed_in();
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
    let (ff, _, laptop) = signed_in();
    let phone = login(&ff, "ada@example.com");
    ff.logout(&laptop.refresh).unwrap();
    assert_unauthenticated(ff.refresh(&laptop.refresh));
    ff.refresh(&phone.refresh)
        .expect("the other session is untouched");
}
