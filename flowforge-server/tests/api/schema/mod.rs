//! The OpenAPI document at `/api/schema/`: it is OpenAPI 3.1, declares exactly the operations
//! of the server's route table, and tells the truth: every response the real server gives (and
//! every request body sent here) validates against the schema the document declares for it,
//! with formats checked and no undeclared member allowed.

mod checker;
mod limits;
mod walk;

use std::collections::BTreeSet;

use flowforge_core::query::SortField;
use flowforge_core::{CommentField, MemberField, OrgField, ProjectField, TaskField};
use flowforge_server::{Verb, routes};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::TestApp;
use checker::{Checker, closed, fetch_document, validate};

/// The route table's operations, as `(method, path)` in the document's spelling.
fn table_operations() -> BTreeSet<(String, String)> {
    routes()
        .map(|r| (r.method().as_str().to_lowercase(), r.path().to_owned()))
        .collect()
}

const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The operations the document declares, as `(method, path)`.
fn declared_operations(doc: &Value) -> BTreeSet<(String, String)> {
    let paths = doc["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            let item = item.as_object().expect("a path item");
            item.keys()
                .filter(|k| HTTP_METHODS.contains(&k.as_str()))
                .map(|m| (m.clone(), path.clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Every `$ref` string anywhere in `value`.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_declares_exactly_the_route_tables_operations() {
    let app = TestApp::spawn(&[]).await;
    let doc = fetch_document(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["title"], "FlowForge API");
    assert_eq!(declared_operations(&doc), table_operations());

    // Bearer (JWT) on exactly the operations that need a token.
    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    assert_eq!(scheme["bearerFormat"], "JWT");
    for route in routes() {
        let (method, path) = (route.method().as_str().to_lowercase(), route.path());
        let op = &doc["paths"][path][&method];
        let security = op.get("security").cloned().unwrap_or(json!([]));
        let wants = if route.is_public() {
            json!([])
        } else {
            json!([{"bearer": []}])
        };
        assert_eq!(security, wants, "{method} {path}");
        assert!(op["operationId"].is_string(), "{method} {path}");
        let responses = op["responses"].as_object().unwrap();
        assert!(
            !responses.is_empty(),
            "{method} {path} declares no response"
        );
        // The shared responses, on every operation of their kind.
        let shared = |status: &str, name: &str| {
            responses[status]["$ref"] == format!("#/components/responses/{name}")
        };
        if route.is_api() {
            assert!(shared("429", "TooManyRequests"), "{method} {path}: 429");
            assert!(shared("503", "ServiceUnavailable"), "{method} {path}: 503");
        }
        if !route.is_public() {
            assert!(shared("401", "Unauthorized"), "{method} {path}: 401");
        }
        // Every body-taking operation says what it takes, and answers 413 and 415.
        if matches!(route.method(), Verb::Post | Verb::Patch) {
            let schema = &op["requestBody"]["content"]["application/json"]["schema"]["$ref"];
            assert!(schema.is_string(), "{method} {path} has no request body");
            assert!(shared("413", "PayloadTooLarge"), "{method} {path}: 413");
            assert!(
                shared("415", "UnsupportedMediaType"),
                "{method} {path}: 415"
            );
        }
        if path.contains('{') {
            assert!(responses.contains_key("404"), "{method} {path}: 404");
        }
        // Every path parameter in the template is declared as a path parameter.
        for name in path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        {
            let params = op["parameters"].as_array().expect("parameters");
            assert!(
                params
                    .iter()
                    .any(|p| p["name"] == name && p["in"] == "path" && p["required"] == true),
                "{method} {path}: path parameter {name}"
            );
        }
    }

    // Every `$ref` resolves inside the document.
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let pointer = r.strip_prefix('#').expect("a local reference");
        assert!(doc.pointer(pointer).is_some(), "dangling {r}");
    }

    // The hand-written ordering descriptions name exactly the fields the core accepts.
    fn fields<F: SortField>() -> Vec<&'static str> {
        F::ALL.iter().map(|f| f.name()).collect()
    }
    for (path, names, searched) in [
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
    ] {
        let params = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
        let ordering = params.iter().find(|p| p["name"] == "ordering").unwrap();
        let text = ordering["description"].as_str().unwrap();
        let named: BTreeSet<&str> = text
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|w| !w.starts_with('-'))
            .collect();
        let wanted: BTreeSet<&str> = names.into_iter().collect();
        assert_eq!(named, wanted, "{path}: {text}");
        for common in ["page", "page_size"] {
            assert!(
                params.iter().any(|p| p["name"] == common),
                "{path} {common}"
            );
        }
        assert_eq!(
            params.iter().any(|p| p["name"] == "search"),
            searched,
            "{path} search"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn every_response_of_the_real_server_matches_the_document() {
    let app = TestApp::spawn(&[]).await;
    let mut c = Checker::new(&app).await;
    let missing = uuid::Uuid::now_v7().to_string();
    walk::meta(&mut c).await;
    let users = walk::auth(&mut c).await;
    let (org, other) = walk::organizations(&mut c, &users, &missing).await;
    walk::members(&mut c, &users, &org).await;
    let (project, archived) = walk::projects(&mut c, &users, (&org, &other), &missing).await;
    walk::tasks(&mut c, &users, &org, (&project, &archived)).await;
    walk::comments(&mut c, &users, &org, &missing).await;
    walk::events(&mut c, &users, &org, &project, &missing).await;
    walk::deletions(&mut c, &users, &org, &project).await;

    // Every operation of the route table was checked at least once.
    let missed: Vec<_> = table_operations().difference(&c.seen).cloned().collect();
    assert!(missed.is_empty(), "never exercised: {missed:?}");
    assert!(c.statuses.len() > 60, "{}", c.statuses.len());
    app.stop().await;
}

#[tokio::test]
async fn a_throttled_answer_matches_the_document() {
    let app = TestApp::spawn(&["--throttle-anon", "1/minute"]).await;
    let mut c = Checker::new(&app).await;
    c.call(Method::GET, "/api/v1/", "/api/v1/", None, None)
        .await
        .expect(StatusCode::OK);
    let resp = c
        .call(Method::GET, "/api/v1/", "/api/v1/", None, None)
        .await
        .expect(StatusCode::TOO_MANY_REQUESTS);
    assert!(!resp.header("retry-after").is_empty());
    app.stop().await;
}

#[tokio::test]
async fn the_validation_checks_formats_enums_and_undeclared_members() {
    let app = TestApp::spawn(&[]).await;
    let doc = fetch_document(&app).await;
    let components = closed(&doc["components"]);
    let schema = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let ok = |name: &str, instance: Value| validate(&components, &schema(name), &instance);
    assert!(ok("UserId", json!("01a20ad6-fb00-77f1-a38d-d8b7b163a0fa")).is_ok());
    assert!(ok("UserId", json!("not-a-uuid")).is_err());
    assert!(ok("Timestamp", json!("2026-11-23T21:53:52.123Z")).is_ok());
    assert!(ok("Timestamp", json!("2026-11-23 21:53")).is_err());
    assert!(ok("Role", json!("owner")).is_ok());
    assert!(ok("Role", json!("king")).is_err());
    let user = json!({
        "id": "01a20ad6-fb00-77f1-a38d-d8b7b163a0fa", "email": "a@b.test", "full_name": "",
        "is_active": true, "created_at": "2026-11-23T21:53:52.123Z",
    });
    assert!(ok("User", user.clone()).is_ok());
    let mut extra = user.clone();
    extra["password"] = json!("secret");
    assert!(ok("User", extra).is_err(), "an undeclared member passes");
    let mut missing = user;
    missing.as_object_mut().unwrap().remove("email");
    assert!(ok("User", missing).is_err());
    let empty = json!({"count": 0, "next": null, "previous": null, "results": []});
    assert!(ok("Paginated_Task", empty).is_ok());
    assert!(ok("Paginated_Task", json!({"count": 0, "results": []})).is_err());
    // Request bodies: a nullable assignee, a non-nullable title, no unknown member.
    assert!(ok("TaskPatch", json!({"assigned_to": null, "due_date": null})).is_ok());
    assert!(ok("TaskPatch", json!({"title": null})).is_err());
    assert!(
        ok(
            "TaskPatch",
            json!({"project": "01a20ad6-fb00-77f1-a38d-d8b7b163a0fa"})
        )
        .is_err()
    );
    app.stop().await;
}
