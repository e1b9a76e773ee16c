//! The walk's organizations and their members.

use reqwest::Method as M;
use reqwest::StatusCode;
use serde_json::json;

use super::super::checker::Checker;
use super::{MEMBER, MEMBERS, ORG, ORGS, Users};

/// Organizations; returns the ids of Ada's two, "Acme" (the one the walk goes on in) and "Beta".
pub async fn organizations(c: &mut Checker, users: &Users, missing: &str) -> (String, String) {
    let (a, _, _) = users.tokens();
    // Organizations.
    let org = c
        .call(M::POST, ORGS, ORGS, a, Some(json!({"name": "Acme"})))
        .await
        .expect(StatusCode::CREATED)
        .id();
    let other = c
        .call(
            M::POST,
            ORGS,
            ORGS,
            a,
            Some(json!({"name": "Beta", "slug": "beta"})),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    c.call(M::POST, ORGS, ORGS, a, Some(json!({"name": "ACME"})))
        .await
        .expect(StatusCode::CONFLICT);
    let big = json!({"name": "x".repeat(1_100_000)});
    c.call_refused(M::POST, ORGS, ORGS, a, big)
        .await
        .expect(StatusCode::PAYLOAD_TOO_LARGE);
    let first = c
        .call(M::GET, ORGS, &format!("{ORGS}?page_size=1"), a, None)
        .await
        .expect(StatusCode::OK);
    assert!(first.json["next"].is_string(), "{}", first.text);
    let second = c
        .call(
            M::GET,
            ORGS,
            &format!("{ORGS}?page_size=1&page=2&ordering=-created_at&search=a"),
            a,
            None,
        )
        .await
        .expect(StatusCode::OK);
    assert!(second.json["previous"].is_string(), "{}", second.text);
    c.call(M::GET, ORGS, &format!("{ORGS}?ordering=colour"), a, None)
        .await
        .expect(StatusCode::BAD_REQUEST);
    c.call(M::GET, ORGS, &format!("{ORGS}?page=99"), a, None)
        .await
        .expect(StatusCode::NOT_FOUND);
    c.call(M::GET, ORGS, ORGS, None, None)
        .await
        .expect(StatusCode::UNAUTHORIZED);
    let org_path = format!("{ORGS}{org}/");
    c.call(M::GET, ORG, &org_path, a, None)
        .await
        .expect(StatusCode::OK);
    c.call(M::GET, ORG, &format!("{ORGS}{missing}/"), a, None)
        .await
        .expect(StatusCode::NOT_FOUND);
    c.call(
        M::PATCH,
        ORG,
        &org_path,
        a,
        Some(json!({"name": "Acme Inc"})),
    )
    .await
    .expect(StatusCode::OK);
    c.call(M::PATCH, ORG, &org_path, a, Some(json!({"slug": "beta"})))
        .await
        .expect(StatusCode::CONFLICT);

    (org, other)
}

/// Members of `org`: Bob joins as a member (then admin), Carol as a viewer.
pub async fn members(c: &mut Checker, users: &Users, org: &str) {
    let (a, _, cr) = users.tokens();
    let Users { ada, bob, carol } = users;
    let org_path = format!("{ORGS}{org}/");
    // Members.
    let members = format!("{org_path}members/");
    c.call(
        M::POST,
        MEMBERS,
        &members,
        a,
        Some(json!({"email": bob.email, "role": "member"})),
    )
    .await
    .expect(StatusCode::CREATED);
    c.call(
        M::POST,
        MEMBERS,
        &members,
        a,
        Some(json!({"email": carol.email, "role": "viewer"})),
    )
    .await
    .expect(StatusCode::CREATED);
    c.call(
        M::POST,
        MEMBERS,
        &members,
        a,
        Some(json!({"email": bob.email, "role": "viewer"})),
    )
    .await
    .expect(StatusCode::CONFLICT);
    c.call(
        M::POST,
        MEMBERS,
        &members,
        a,
        Some(json!({"email": "nobody@schema.test", "role": "viewer"})),
    )
    .await
    .expect(StatusCode::NOT_FOUND);
    c.call(
        M::POST,
        MEMBERS,
        &members,
        cr,
        Some(json!({"email": "nobody@schema.test", "role": "viewer"})),
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    c.call(
        M::GET,
        MEMBERS,
        &format!("{members}?role=member,viewer&role=owner&search=schema&ordering=role,-email"),
        a,
        None,
    )
    .await
    .expect(StatusCode::OK);
    c.call(M::GET, MEMBERS, &format!("{members}?role=king"), a, None)
        .await
        .expect(StatusCode::BAD_REQUEST);
    let bob_path = format!("{members}{}/", bob.id);
    c.call(M::GET, MEMBER, &bob_path, cr, None)
        .await
        .expect(StatusCode::OK);
    c.call(
        M::PATCH,
        MEMBER,
        &bob_path,
        a,
        Some(json!({"role": "admin"})),
    )
    .await
    .expect(StatusCode::OK);
    let ada_path = format!("{members}{}/", ada.id);
    c.call(
        M::PATCH,
        MEMBER,
        &ada_path,
        a,
        Some(json!({"role": "admin"})),
    )
    .await
    .expect(StatusCode::CONFLICT);
    c.call(M::PATCH, ORG, &org_path, cr, Some(json!({"name": "Mine"})))
        .await
        .expect(StatusCode::FORBIDDEN);
}
