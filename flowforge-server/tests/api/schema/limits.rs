//! The limits the document states: the core's own numbers for the lists (page, search length,
//! ordering terms), and length limits and patterns on the bodies' texts that say of sample
//! values exactly what the server says of them.

use flowforge_core::query::{MAX_SEARCH_CHARS, SortField};
use flowforge_core::{CommentField, MemberField, OrgField, ProjectField, TaskField};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::checker::{closed, fetch_document, validate};
use crate::support::{Account, Api, TestApp};

/// A list's path, its ordering fields and whether it offers a search.
fn lists() -> [(&'static str, Vec<&'static str>, bool); 5] {
    fn fields<F: SortField>() -> Vec<&'static str> {
        F::ALL.iter().map(|f| f.name()).collect()
    }
    [
        ("/api/v1/organizations/", fields::<OrgField>(), true),
        (
            "/api/v1/organizations/{id}/members/",
            fields::<MemberField>(),
            true,
        ),
        ("/api/v1/projects/", fields::<ProjectField>(), true),
        ("/api/v1/tasks/", fields::<TaskField>(), true),
        (
            "/api/v1/tasks/{id}/comments/",
            fields::<CommentField>(),
            false,
        ),
    ]
}

/// The query parameter `name` of the list at `path`.
fn parameter<'a>(doc: &'a Value, path: &str, name: &str) -> &'a Value {
    doc["paths"][path]["get"]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{path}: no {name}"))
}

#[tokio::test]
async fn the_lists_parameters_carry_the_cores_limits() {
    let app = TestApp::spawn(&[]).await;
    let doc = fetch_document(&app).await;
    for (path, fields, searched) in lists() {
        if searched {
            let search = &parameter(&doc, path, "search")["schema"];
            assert_eq!(search["maxLength"], MAX_SEARCH_CHARS, "{path}");
        } else {
            let params = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
            assert!(!params.iter().any(|p| p["name"] == "search"), "{path}");
        }
        // Any positive page size is clamped, so neither has a maximum.
        for name in ["page", "page_size"] {
            let schema = &parameter(&doc, path, name)["schema"];
            assert_eq!(*schema, json!({"type": "integer", "minimum": 1}), "{path}");
        }
        let ordering = parameter(&doc, path, "ordering");
        assert_eq!(
            (&ordering["style"], &ordering["explode"]),
            (&json!("form"), &json!(false))
        );
        let schema = &ordering["schema"];
        assert_eq!(schema["maxItems"], fields.len(), "{path}");
        assert_eq!(
            (&schema["minItems"], &schema["uniqueItems"]),
            (&json!(1), &json!(true))
        );
        let terms: Vec<String> = fields
            .iter()
            .flat_map(|f| [(*f).to_owned(), format!("-{f}")])
            .collect();
        assert_eq!(schema["items"]["enum"], json!(terms), "{path}");
    }
    let schemas = &doc["components"]["schemas"];
    for (schema, field, limit, value) in [
        ("NewTask", "description", "maxLength", 20_000),
        ("NewOrganization", "slug", "maxLength", 64),
        ("NewUser", "full_name", "maxLength", 255),
        ("NewUser", "password", "minLength", 8),
        ("NewUser", "password", "maxLength", 128),
        ("NewUser", "email", "maxLength", 254),
    ] {
        let property = &schemas[schema]["properties"][field];
        assert_eq!(property[limit], value, "{schema}.{field}: {property}");
        assert!(
            property["pattern"].is_string(),
            "{schema}.{field}: {property}"
        );
    }
    // A title is measured trimmed: its length is in its pattern.
    let title = schemas["TaskPatch"]["properties"]["title"]["pattern"]
        .as_str()
        .unwrap();
    assert!(title.contains("{0,253}"), "{title}");
    let body = schemas["CommentPatch"]["properties"]["body"]["pattern"]
        .as_str()
        .unwrap();
    assert!(body.contains("{0,9998}"), "{body}");
}

#[tokio::test]
async fn the_orderings_the_document_allows_are_those_the_server_takes() {
    let app = TestApp::spawn(&[]).await;
    let doc = fetch_document(&app).await;
    let components = closed(&doc["components"]);
    let schema = &parameter(&doc, "/api/v1/organizations/", "ordering")["schema"];
    let owner = Api::new(
        &app.base,
        Some(&Account::create(&app.base, "o@example.com").await.access),
    );
    for terms in [
        vec!["name"],
        vec!["-created_at", "name"],
        vec!["name", "-name"],
        vec!["name", "name"],
        vec!["name", "created_at", "-name"],
        vec!["colour"],
        vec![""],
        vec!["name", ""],
    ] {
        let documented = validate(&components, schema, &json!(terms)).is_ok();
        let status = owner
            .get(&format!(
                "/api/v1/organizations/?ordering={}",
                terms.join(",")
            ))
            .await
            .status;
        assert_eq!(documented, status == StatusCode::OK, "{terms:?}: {status}");
    }
    app.stop().await;
}

/// Texts around each rule: blanks of every kind of white space, digits, NUL, lengths (once
/// trimmed) of names, titles and comments.
fn samples() -> Vec<String> {
    let mut samples: Vec<String> = [
        "ab",
        " cd ",
        "e",
        "12",
        "1 2",
        " 34 ",
        "  ",
        "\u{3000}fg\u{3000}",
        "\u{2003}h",
        "\u{1c}i",
        "j\u{0}k",
        "\u{a0}\u{a0}",
        "\t\n",
        "\u{feff}",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    samples.extend([
        "l".repeat(255),
        "m".repeat(256),
        format!(" {} ", "n".repeat(255)),
        format!("\u{2028}{}\t", "o".repeat(256)),
        format!("p{}q", " ".repeat(253)),
        "r".repeat(10_000),
        "s".repeat(10_001),
        format!("\u{3000}{}\n", "t".repeat(10_000)),
        format!("u{}v", "\n".repeat(9_998)),
        format!("w{}x", "\n".repeat(9_999)),
    ]);
    samples
}

#[tokio::test]
async fn text_patterns_say_of_sample_texts_what_the_server_says() {
    let app = TestApp::spawn(&[]).await;
    let doc = fetch_document(&app).await;
    let components = closed(&doc["components"]);
    let body_schema = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let owner = Api::new(
        &app.base,
        Some(&Account::create(&app.base, "o@example.com").await.access),
    );
    let org = owner
        .post("/api/v1/organizations/", json!({"name": "Home"}))
        .await
        .expect(StatusCode::CREATED)
        .id();
    let project = owner
        .post(
            "/api/v1/projects/",
            json!({"organization": org, "name": "Work"}),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    let task = owner
        .post(
            "/api/v1/tasks/",
            json!({"project": project, "title": "Talk"}),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    let comments = format!("/api/v1/tasks/{task}/comments/");
    // Each sample as an organization name, a task title and a comment.
    for sample in samples() {
        let cases = [
            (
                "NewOrganization",
                "/api/v1/organizations/",
                json!({"name": sample}),
            ),
            (
                "NewTask",
                "/api/v1/tasks/",
                json!({"project": project, "title": sample}),
            ),
            ("NewComment", comments.as_str(), json!({"body": sample})),
        ];
        for (schema, path, body) in cases {
            let documented = validate(&components, &body_schema(schema), &body).is_ok();
            let resp = owner.post(path, body).await;
            assert!(
                matches!(resp.status, StatusCode::CREATED | StatusCode::BAD_REQUEST),
                "{path} {sample:?}: {}",
                resp.text
            );
            assert_eq!(
                documented,
                resp.status == StatusCode::CREATED,
                "{schema} {sample:?}: the server said {}",
                resp.text
            );
        }
    }
    app.stop().await;
}
