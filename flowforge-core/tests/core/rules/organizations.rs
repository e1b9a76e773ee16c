//! Organizations: the name and slug rules, their uniqueness without regard to case, derived
//! slugs, and the organization body.

use flowforge_core::{NewOrg, OrgPatch, OrgQuery, PageRequest, Role, Search};
use serde_json::json;

use super::{assert_says, new_org, org_names};
use crate::support::{
    READ_ONLY, UNKNOWN, add, assert_conflict, assert_invalid, field_errors, open, org, rename_org,
    reslug_org, user,
};

// Names.

#[test]
fn organization_name_must_have_2_to_255_characters() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    for bad in [
        String::new(),
        "A".into(),
        "   ".into(),
        " B ".into(),
        "x".repeat(256),
    ] {
        assert_invalid(ff.create_organization(&ada, &new_org(&bad, None)), "name");
    }
    assert!(org_names(&ff, &ada).is_empty());
    ff.create_organization(&ada, &new_org("AB", None))
        .expect("2 characters");
    ff.create_organization(&ada, &new_org(&"é".repeat(255), None))
        .expect("255 characters");
}

#[test]
fn organization_name_may_not_be_digits_only() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    assert_invalid(
        ff.create_organization(&ada, &new_org("12345", None)),
        "name",
    );
    assert_invalid(ff.create_organization(&ada, &new_org(" 42 ", None)), "name");
    let o = ff
        .create_organization(&ada, &new_org("42 Acme", None))
        .expect("digits and letters");
    assert_invalid(
        ff.update_organization(&ada, o.id, &rename_org("2026")),
        "name",
    );
}

#[test]
fn organization_names_are_unique_without_regard_to_case() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let bob = user(&ff, "bob@example.com");
    org(&ff, &ada, "Acme");
    for taken in ["Acme", "ACME", "acme", " aCmE "] {
        assert_conflict(ff.create_organization(&bob, &new_org(taken, None)), "name");
    }
    assert!(org_names(&ff, &bob).is_empty());
}

#[test]
fn an_organization_cannot_be_renamed_to_a_taken_name_in_another_case() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    org(&ff, &ada, "Acme");
    let globex = org(&ff, &ada, "Globex");
    assert_conflict(
        ff.update_organization(&ada, globex.id, &rename_org("ACME")),
        "name",
    );
    assert_eq!(ff.get_organization(&ada, globex.id).unwrap().name, "Globex");
    // Its own name in another case is not a clash with itself.
    assert_eq!(
        ff.update_organization(&ada, globex.id, &rename_org("GLOBEX"))
            .unwrap()
            .name,
        "GLOBEX"
    );
}

// Slugs.

#[test]
fn organization_slug_must_match_the_pattern() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let bad = [
        "", "Acme", "acme--x", "-acme", "acme-", "ac me", "ácme", "acme_x", "acme.x", "ACME",
    ];
    for (i, slug) in bad.into_iter().enumerate() {
        assert_invalid(
            ff.create_organization(&ada, &new_org(&format!("Org {i}"), Some(slug))),
            "slug",
        );
    }
    assert!(org_names(&ff, &ada).is_empty());
    for (i, slug) in ["acme", "acme-2", "a-b-c", "9lives", "0"]
        .into_iter()
        .enumerate()
    {
        let created = ff
            .create_organization(&ada, &new_org(&format!("Good {i}"), Some(slug)))
            .expect(slug);
        assert_eq!(created.slug, slug);
    }
}

#[test]
fn organization_slug_may_have_at_most_64_characters() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    assert_invalid(
        ff.create_organization(&ada, &new_org("Long", Some(&"a".repeat(65)))),
        "slug",
    );
    let at_limit = ff
        .create_organization(&ada, &new_org("Long", Some(&"a".repeat(64))))
        .unwrap();
    assert_eq!(at_limit.slug.len(), 64);
    let patch = reslug_org(&"b".repeat(65));
    assert_invalid(ff.update_organization(&ada, at_limit.id, &patch), "slug");
}

#[test]
fn organization_slugs_are_unique() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let bob = user(&ff, "bob@example.com");
    ff.create_organization(&ada, &new_org("Acme", Some("acme")))
        .unwrap();
    assert_conflict(
        ff.create_organization(&bob, &new_org("Other", Some("acme"))),
        "slug",
    );
    assert!(org_names(&ff, &bob).is_empty());
    let other = ff
        .create_organization(&bob, &new_org("Other", Some("other")))
        .unwrap();
    assert_conflict(
        ff.update_organization(&bob, other.id, &reslug_org("acme")),
        "slug",
    );
    assert_eq!(ff.get_organization(&bob, other.id).unwrap().slug, "other");
    // Keeping one's own slug is no clash.
    ff.update_organization(&bob, other.id, &reslug_org("other"))
        .unwrap();
}

#[test]
fn a_missing_slug_is_derived_from_the_name_and_made_unique() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    assert_eq!(org(&ff, &ada, "Acme").slug, "acme");
    assert_eq!(org(&ff, &ada, "Acme!").slug, "acme-2");
    assert_eq!(org(&ff, &ada, "ACME.").slug, "acme-3");
    assert_eq!(
        org(&ff, &ada, "Acme Rockets, Inc.").slug,
        "acme-rockets-inc"
    );
    // A derived slug is always a valid slug, whatever the name.
    for name in ["!!!", "Ünïcödé Näme", &"Very long name ".repeat(10)] {
        let slug = org(&ff, &ada, name).slug;
        assert!(!slug.is_empty() && slug.len() <= 64, "{slug}");
        assert!(
            slug.split('-').all(|p| !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())),
            "{slug}"
        );
    }
}

#[test]
fn a_derived_slug_steps_around_an_explicitly_taken_one() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    ff.create_organization(&ada, &new_org("Somebody", Some("acme")))
        .unwrap();
    ff.create_organization(&ada, &new_org("Somebody else", Some("acme-2")))
        .unwrap();
    assert_eq!(org(&ff, &ada, "Acme").slug, "acme-3");
}

#[test]
fn an_organization_body_refuses_role_and_unknown_fields() {
    let errors = field_errors(NewOrg::from_json(
        &json!({"name": "Acme", "role": "owner", "plan": "gold"}),
    ));
    assert_says(&errors, "role", READ_ONLY);
    assert_says(&errors, "plan", UNKNOWN);
    for field in ["id", "member_count", "created_at", "updated_at"] {
        let errors = field_errors(OrgPatch::from_json(&json!({ field: "x" })));
        assert_says(&errors, field, READ_ONLY);
    }
    let errors = field_errors(OrgPatch::from_json(&json!({"role": "owner"})));
    assert_says(&errors, "role", READ_ONLY);
    let errors = field_errors(NewOrg::from_json(&json!({})));
    assert_says(&errors, "name", "This field is required.");
    let parsed = NewOrg::from_json(&json!({"name": "Acme"})).unwrap();
    assert_eq!(parsed.slug, None);
}

// Member counts.

/// An organization's member count (stored, kept by the database as memberships come and go) is
/// the same in the organization, the member's list and the operator's listing.
#[test]
fn member_counts_follow_members_coming_and_going() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    let acme = org(&ff, &ada, "Acme");
    org(&ff, &ada, "Other");
    let people: Vec<_> = (0..3)
        .map(|n| user(&ff, &format!("p{n}@example.com")))
        .collect();
    for person in &people {
        add(&ff, &ada, &acme, person, Role::Member);
    }
    ff.remove_member(&ada, acme.id, people[1].id()).unwrap();
    let counts = || {
        let mine = ff.list_organizations(&ada, &OrgQuery::default()).unwrap();
        let all = ff
            .admin()
            .list_organizations(&Search::default(), PageRequest::new(1, 20))
            .unwrap();
        let mine: Vec<_> = mine
            .items
            .iter()
            .map(|o| (o.name.clone(), o.member_count))
            .collect();
        let all: Vec<_> = all
            .items
            .iter()
            .map(|o| (o.name.clone(), o.member_count))
            .collect();
        assert_eq!(mine, all);
        mine
    };
    assert_eq!(counts(), [("Acme".to_owned(), 3), ("Other".to_owned(), 1)]);
    assert_eq!(ff.get_organization(&ada, acme.id).unwrap().member_count, 3);
    ff.remove_member(&people[0], acme.id, people[0].id())
        .unwrap();
    add(&ff, &ada, &acme, &people[1], Role::Viewer);
    assert_eq!(counts(), [("Acme".to_owned(), 3), ("Other".to_owned(), 1)]);
    ff.delete_organization(&ada, acme.id).unwrap();
    assert_eq!(counts(), [("Other".to_owned(), 1)]);
}
