//! The OpenAPI document at `/api/schema/`: it is OpenAPI 3.1, declares exactly the contract's
//! operations, and tells the truth: every response the real server gives (and every request body
//! sent here) validates against the schema the document declares for it, with formats checked
//! and no undeclared member allowed.

use std::collections::BTreeSet;

use flowforge_core::query::SortField;
use flowforge_core::{MemberField, OrgField, ProjectField, TaskField};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{PASSWORD, Resp, TestApp, send};

/// Every operation of the contract (`shared/api-contract.md`), with whether it needs a token.
const OPERATIONS: &[(&str, &str, bool)] = &[
    ("get", "/api/v1/", false),
    ("post", "/api/v1/auth/register/", false),
    ("post", "/api/v1/auth/login/", false),
    ("post", "/api/v1/auth/refresh/", false),
    ("post", "/api/v1/auth/logout/", false),
    ("get", "/api/v1/auth/me/", true),
    ("patch", "/api/v1/auth/me/", true),
    ("post", "/api/v1/auth/password/", true),
    ("get", "/api/v1/organizations/", true),
    ("post", "/api/v1/organizations/", true),
    ("get", "/api/v1/organizations/{id}/", true),
    ("patch", "/api/v1/organizations/{id}/", true),
    ("delete", "/api/v1/organizations/{id}/", true),
    ("get", "/api/v1/organizations/{id}/members/", true),
    ("post", "/api/v1/organizations/{id}/members/", true),
    ("get", "/api/v1/organizations/{id}/members/{user_id}/", true),
    (
        "patch",
        "/api/v1/organizations/{id}/members/{user_id}/",
        true,
    ),
    (
        "delete",
        "/api/v1/organizations/{id}/members/{user_id}/",
        true,
    ),
    ("get", "/api/v1/projects/", true),
    ("post", "/api/v1/projects/", true),
    ("get", "/api/v1/projects/{id}/", true),
    ("patch", "/api/v1/projects/{id}/", true),
    ("delete", "/api/v1/projects/{id}/", true),
    ("get", "/api/v1/tasks/", true),
    ("post", "/api/v1/tasks/", true),
    ("get", "/api/v1/tasks/{id}/", true),
    ("patch", "/api/v1/tasks/{id}/", true),
    ("delete", "/api/v1/tasks/{id}/", true),
    ("get", "/api/schema/", false),
    ("get", "/api/docs/", false),
    ("get", "/healthz", false),
    ("get", "/readyz", false),
];

const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

async fn fetch_document(app: &TestApp) -> Value {
    let resp = app.anon().get("/api/schema/").await.expect(StatusCode::OK);
    assert_eq!(
        resp.header("content-type"),
        "application/vnd.oai.openapi+json; charset=utf-8"
    );
    assert!(resp.json.is_object(), "the document parses: {}", resp.text);
    resp.json
}

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
async fn the_document_is_openapi_3_1_and_declares_exactly_the_contracts_operations() {
    let app = TestApp::spawn(&[]).await;
    let doc = fetch_document(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["title"], "FlowForge API");

    let expected: BTreeSet<(String, String)> = OPERATIONS
        .iter()
        .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(declared_operations(&doc), expected);

    // Bearer (JWT) on exactly the operations that need a token.
    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    assert_eq!(scheme["bearerFormat"], "JWT");
    for (method, path, secured) in OPERATIONS {
        let op = &doc["paths"][path][method];
        let security = op.get("security").cloned().unwrap_or(json!([]));
        let wants = if *secured {
            json!([{"bearer": []}])
        } else {
            json!([])
        };
        assert_eq!(security, wants, "{method} {path}");
        assert!(op["operationId"].is_string(), "{method} {path}");
        let declared: Vec<&String> = op["responses"].as_object().unwrap().keys().collect();
        assert!(!declared.is_empty(), "{method} {path} declares no response");
        // Every body-taking operation says what it takes.
        if matches!(*method, "post" | "patch") {
            let schema = &op["requestBody"]["content"]["application/json"]["schema"]["$ref"];
            assert!(schema.is_string(), "{method} {path} has no request body");
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
    for (path, names) in [
        ("/api/v1/organizations/", fields::<OrgField>()),
        (
            "/api/v1/organizations/{id}/members/",
            fields::<MemberField>(),
        ),
        ("/api/v1/projects/", fields::<ProjectField>()),
        ("/api/v1/tasks/", fields::<TaskField>()),
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
        for common in ["page", "page_size", "search"] {
            assert!(
                params.iter().any(|p| p["name"] == common),
                "{path} {common}"
            );
        }
    }
    app.stop().await;
}

/// Makes every object schema with listed properties closed (`additionalProperties: false`) unless
/// it says otherwise, so that a member the server sends but the document does not declare fails.
fn closed(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out: serde_json::Map<String, Value> =
                map.iter().map(|(k, v)| (k.clone(), closed(v))).collect();
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                out.insert("additionalProperties".into(), Value::Bool(false));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(closed).collect()),
        other => other.clone(),
    }
}

/// Validates `instance` against `schema` (a schema object of the document, typically a `$ref`
/// into `#/components/schemas`), as JSON Schema 2020-12 with formats checked.
fn validate(components: &Value, schema: &Value, instance: &Value) -> Result<(), String> {
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": components,
        "allOf": [closed(schema)],
    });
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&root)
        .map_err(|e| format!("the schema does not compile: {e}"))?;
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

/// Drives the real server and checks every exchange against the document.
struct Checker {
    doc: Value,
    components: Value,
    base: String,
    http: reqwest::Client,
    /// `(method, path template)` of every exchange checked.
    seen: BTreeSet<(String, String)>,
    /// `(method, path template, status)` of every exchange checked.
    statuses: BTreeSet<(String, String, u16)>,
}

impl Checker {
    async fn new(app: &TestApp) -> Checker {
        let doc = fetch_document(app).await;
        let components = closed(&doc["components"]);
        Checker {
            doc,
            components,
            base: app.base.clone(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            seen: BTreeSet::new(),
            statuses: BTreeSet::new(),
        }
    }

    fn operation(&self, method: &Method, template: &str) -> &Value {
        let op = &self.doc["paths"][template][method.as_str().to_lowercase()];
        assert!(op.is_object(), "{method} {template} is not in the document");
        op
    }

    /// Resolves a `$ref` to a reusable response.
    fn response<'a>(&'a self, declared: &'a Value) -> &'a Value {
        match declared["$ref"].as_str() {
            Some(r) => self
                .doc
                .pointer(r.strip_prefix('#').unwrap())
                .unwrap_or_else(|| panic!("dangling {r}")),
            None => declared,
        }
    }

    /// Sends `method path` (an instance of `template`) with an optional token and JSON body,
    /// checks the exchange against the document and returns the response.
    async fn call(
        &mut self,
        method: Method,
        template: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        if let Some(body) = &body {
            let op = self.operation(&method, template);
            let schema = &op["requestBody"]["content"]["application/json"]["schema"];
            assert!(schema.is_object(), "{method} {template} takes no body");
            if let Err(e) = validate(&self.components, schema, body) {
                panic!(
                    "{method} {template}: the request body {body} is not what the document declares: {e}"
                );
            }
        }
        let mut builder = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(token) = token {
            builder = builder.bearer_auth(token);
        }
        if let Some(body) = &body {
            builder = builder.json(body);
        }
        let resp = send(builder).await;
        self.check(&method, template, &resp);
        resp
    }

    /// Like [`Checker::call`] with a JSON body that the document itself must refuse.
    async fn call_refused(
        &mut self,
        method: Method,
        template: &str,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> Resp {
        let op = self.operation(&method, template);
        let schema = &op["requestBody"]["content"]["application/json"]["schema"];
        assert!(
            validate(&self.components, schema, &body).is_err(),
            "{method} {template}: the document accepts the bad body {body}"
        );
        let builder = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .json(&body);
        let builder = match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        };
        let resp = send(builder).await;
        self.check(&method, template, &resp);
        resp
    }

    /// Like [`Checker::call`] with a raw body of `content_type`.
    async fn call_raw(
        &mut self,
        method: Method,
        template: &str,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Resp {
        let mut builder = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .header(CONTENT_TYPE, content_type)
            .body(body);
        if let Some(token) = token {
            builder = builder.bearer_auth(token);
        }
        let resp = send(builder).await;
        self.check(&method, template, &resp);
        resp
    }

    fn check(&mut self, method: &Method, template: &str, resp: &Resp) {
        let op = self.operation(method, template);
        let status = resp.status.as_u16();
        let declared = op["responses"].get(status.to_string()).unwrap_or_else(|| {
            panic!(
                "{method} {template} answered {status}, which the document does not declare: {}",
                resp.text
            )
        });
        let declared = self.response(declared);
        assert!(declared["description"].is_string());
        match declared.get("content").and_then(Value::as_object) {
            None => assert!(
                resp.text.is_empty(),
                "{method} {template} {status}: a body the document does not declare: {}",
                resp.text
            ),
            Some(content) => {
                let header = resp.header("content-type");
                let media = header.split(';').next().unwrap_or("").trim();
                let entry = content.get(media).unwrap_or_else(|| {
                    panic!("{method} {template} {status}: undeclared content type {header}")
                });
                if media.ends_with("json") {
                    let schema = &entry["schema"];
                    assert!(
                        schema.is_object(),
                        "{method} {template} {status}: no schema"
                    );
                    assert!(
                        !resp.json.is_null(),
                        "{method} {template} {status}: not JSON: {}",
                        resp.text
                    );
                    if let Err(e) = validate(&self.components, schema, &resp.json) {
                        panic!(
                            "{method} {template} {status}: the body does not match the document: {e}\n{}",
                            resp.text
                        );
                    }
                }
            }
        }
        let method = method.as_str().to_lowercase();
        self.seen.insert((method.clone(), template.to_owned()));
        self.statuses.insert((method, template.to_owned(), status));
    }
}

#[track_caller]
fn text(value: &Value) -> String {
    value.as_str().expect("a string").to_owned()
}

#[tokio::test]
async fn every_response_of_the_real_server_matches_the_document() {
    use Method as M;
    const ORGS: &str = "/api/v1/organizations/";
    const ORG: &str = "/api/v1/organizations/{id}/";
    const MEMBERS: &str = "/api/v1/organizations/{id}/members/";
    const MEMBER: &str = "/api/v1/organizations/{id}/members/{user_id}/";
    const PROJECTS: &str = "/api/v1/projects/";
    const PROJECT: &str = "/api/v1/projects/{id}/";
    const TASKS: &str = "/api/v1/tasks/";
    const TASK: &str = "/api/v1/tasks/{id}/";
    const ME: &str = "/api/v1/auth/me/";

    let app = TestApp::spawn(&[]).await;
    let mut c = Checker::new(&app).await;
    let missing = uuid::Uuid::now_v7().to_string();

    // Outside /api/v1/.
    for path in ["/api/schema/", "/api/docs/", "/healthz", "/readyz"] {
        c.call(M::GET, path, path, None, None)
            .await
            .expect(StatusCode::OK);
    }
    c.call(M::GET, "/api/v1/", "/api/v1/", None, None)
        .await
        .expect(StatusCode::OK);

    // Authentication.
    const REGISTER: &str = "/api/v1/auth/register/";
    const LOGIN: &str = "/api/v1/auth/login/";
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
        users.push((
            text(&user.json["id"]),
            email,
            text(&tokens.json["access"]),
            text(&tokens.json["refresh"]),
        ));
    }
    let [ada, bob, carol] = [&users[0], &users[1], &users[2]];
    let (a, b, cr) = (
        Some(ada.2.as_str()),
        Some(bob.2.as_str()),
        Some(carol.2.as_str()),
    );
    c.call(
        M::POST,
        REGISTER,
        REGISTER,
        None,
        Some(json!({"email": ada.1, "password": PASSWORD})),
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
        Some(json!({"email": ada.1, "password": "wrong password"})),
    )
    .await
    .expect(StatusCode::UNAUTHORIZED);

    const REFRESH: &str = "/api/v1/auth/refresh/";
    const LOGOUT: &str = "/api/v1/auth/logout/";
    let rotated = c
        .call(
            M::POST,
            REFRESH,
            REFRESH,
            None,
            Some(json!({"refresh": ada.3})),
        )
        .await
        .expect(StatusCode::OK);
    c.call(
        M::POST,
        REFRESH,
        REFRESH,
        None,
        Some(json!({"refresh": ada.3})),
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
    const PASSWORD_PATH: &str = "/api/v1/auth/password/";
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
    c.call(M::POST, ORGS, ORGS, a, Some(big))
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

    // Members.
    let members = format!("{org_path}members/");
    c.call(
        M::POST,
        MEMBERS,
        &members,
        a,
        Some(json!({"email": bob.1, "role": "member"})),
    )
    .await
    .expect(StatusCode::CREATED);
    c.call(
        M::POST,
        MEMBERS,
        &members,
        a,
        Some(json!({"email": carol.1, "role": "viewer"})),
    )
    .await
    .expect(StatusCode::CREATED);
    c.call(
        M::POST,
        MEMBERS,
        &members,
        a,
        Some(json!({"email": bob.1, "role": "viewer"})),
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
    let bob_path = format!("{members}{}/", bob.0);
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
    let ada_path = format!("{members}{}/", ada.0);
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

    // Projects.
    let project = c
        .call(
            M::POST,
            PROJECTS,
            PROJECTS,
            a,
            Some(json!({"organization": org, "name": "Launch", "description": "Go."})),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    let archived = c
        .call(
            M::POST,
            PROJECTS,
            PROJECTS,
            b,
            Some(json!({"organization": org, "name": "Old"})),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    c.call(
        M::POST,
        PROJECTS,
        PROJECTS,
        a,
        Some(json!({"organization": org, "name": "launch"})),
    )
    .await
    .expect(StatusCode::CONFLICT);
    c.call(
        M::POST,
        PROJECTS,
        PROJECTS,
        cr,
        Some(json!({"organization": org, "name": "Mine"})),
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    c.call(
        M::POST,
        PROJECTS,
        PROJECTS,
        a,
        Some(json!({"organization": missing, "name": "Nowhere"})),
    )
    .await
    .expect(StatusCode::BAD_REQUEST);
    c.call(
        M::GET,
        PROJECTS,
        &format!("{PROJECTS}?organization={org},{other}&is_archived=false&search=go&ordering=-updated_at&page_size=100"),
        a,
        None,
    )
    .await
    .expect(StatusCode::OK);
    c.call(M::GET, PROJECTS, PROJECTS, cr, None)
        .await
        .expect(StatusCode::OK);
    let project_path = format!("{PROJECTS}{project}/");
    c.call(M::GET, PROJECT, &project_path, cr, None)
        .await
        .expect(StatusCode::OK);
    c.call(
        M::PATCH,
        PROJECT,
        &project_path,
        a,
        Some(json!({"description": "Ship it.", "name": "Launch 2"})),
    )
    .await
    .expect(StatusCode::OK);
    c.call(
        M::PATCH,
        PROJECT,
        &format!("{PROJECTS}{archived}/"),
        a,
        Some(json!({"is_archived": true})),
    )
    .await
    .expect(StatusCode::OK);

    // Tasks.
    let task = c
        .call(
            M::POST,
            TASKS,
            TASKS,
            b,
            Some(json!({
                "project": project, "title": "Write the docs", "description": "All of them.",
                "status": "in_progress", "priority": "high", "assigned_to": ada.0,
                "due_date": "2026-12-01",
            })),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    let bare = c
        .call(
            M::POST,
            TASKS,
            TASKS,
            a,
            Some(
                json!({"project": project, "title": "Bare", "assigned_to": null, "due_date": null}),
            ),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    c.call(
        M::POST,
        TASKS,
        TASKS,
        a,
        Some(json!({"project": archived, "title": "Too late"})),
    )
    .await
    .expect(StatusCode::CONFLICT);
    c.call(
        M::POST,
        TASKS,
        TASKS,
        cr,
        Some(json!({"project": project, "title": "Mine"})),
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    c.call_refused(M::POST, TASKS, TASKS, a, json!({"project": project}))
        .await
        .expect(StatusCode::BAD_REQUEST);
    let page = c
        .call(M::GET, TASKS, &format!("{TASKS}?page_size=1"), cr, None)
        .await
        .expect(StatusCode::OK);
    assert_eq!(page.json["count"], 2, "{}", page.text);
    c.call(
        M::GET,
        TASKS,
        &format!(
            "{TASKS}?organization={org}&project={project}&status=todo&status=in_progress\
             &priority=high,medium&assigned_to=me,none&created_by=me,{}&due_before=2027-01-01\
             &due_after=2026-01-01&search=docs&ordering=-priority,title,due_date",
            bob.0
        ),
        a,
        None,
    )
    .await
    .expect(StatusCode::OK);
    c.call(M::GET, TASKS, &format!("{TASKS}?status=someday"), a, None)
        .await
        .expect(StatusCode::BAD_REQUEST);
    let task_path = format!("{TASKS}{task}/");
    c.call(M::GET, TASK, &task_path, cr, None)
        .await
        .expect(StatusCode::OK);
    c.call(
        M::PATCH,
        TASK,
        &task_path,
        b,
        Some(json!({"assigned_to": null, "due_date": null, "status": "done", "priority": "low", "title": "Docs written"})),
    )
    .await
    .expect(StatusCode::OK);
    c.call(
        M::PATCH,
        TASK,
        &format!("{TASKS}{bare}/"),
        a,
        Some(json!({"assigned_to": bob.0, "due_date": "2026-02-28", "description": "x"})),
    )
    .await
    .expect(StatusCode::OK);
    c.call(
        M::PATCH,
        TASK,
        &task_path,
        cr,
        Some(json!({"title": "Mine"})),
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    c.call(M::DELETE, TASK, &task_path, cr, None)
        .await
        .expect(StatusCode::FORBIDDEN);
    c.call(M::DELETE, TASK, &task_path, a, None)
        .await
        .expect(StatusCode::NO_CONTENT);
    c.call(M::GET, TASK, &task_path, a, None)
        .await
        .expect(StatusCode::NOT_FOUND);

    // Deletions.
    c.call(M::DELETE, PROJECT, &project_path, cr, None)
        .await
        .expect(StatusCode::FORBIDDEN);
    c.call(M::DELETE, PROJECT, &project_path, b, None)
        .await
        .expect(StatusCode::NO_CONTENT);
    c.call(M::DELETE, MEMBER, &ada_path, a, None)
        .await
        .expect(StatusCode::CONFLICT);
    c.call(
        M::DELETE,
        MEMBER,
        &format!("{members}{}/", carol.0),
        a,
        None,
    )
    .await
    .expect(StatusCode::NO_CONTENT);
    c.call(M::DELETE, ORG, &org_path, b, None)
        .await
        .expect(StatusCode::FORBIDDEN);
    c.call(M::DELETE, ORG, &org_path, a, None)
        .await
        .expect(StatusCode::NO_CONTENT);
    c.call(M::DELETE, ORG, &org_path, a, None)
        .await
        .expect(StatusCode::NOT_FOUND);

    // Every operation of the contract was checked at least once.
    let all: BTreeSet<(String, String)> = OPERATIONS
        .iter()
        .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let missed: Vec<_> = all.difference(&c.seen).collect();
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
