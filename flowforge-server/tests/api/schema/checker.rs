//! The checker: drives the real server and validates every exchange against the document
//! (JSON Schema 2020-12, formats checked, no undeclared member allowed).

use std::collections::BTreeSet;

use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Resp, TestApp, send};

/// The document the server serves at `/api/schema/`.
pub async fn fetch_document(app: &TestApp) -> Value {
    let resp = app.anon().get("/api/schema/").await.expect(StatusCode::OK);
    assert_eq!(
        resp.header("content-type"),
        "application/vnd.oai.openapi+json; charset=utf-8"
    );
    assert!(resp.json.is_object(), "the document parses: {}", resp.text);
    resp.json
}

/// Makes every object schema with listed properties closed (`additionalProperties: false`) unless
/// it says otherwise, so that a member the server sends but the document does not declare fails.
pub fn closed(value: &Value) -> Value {
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
pub fn validate(components: &Value, schema: &Value, instance: &Value) -> Result<(), String> {
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
pub struct Checker {
    doc: Value,
    components: Value,
    base: String,
    http: reqwest::Client,
    /// `(method, path template)` of every exchange checked.
    pub seen: BTreeSet<(String, String)>,
    /// `(method, path template, status)` of every exchange checked.
    pub statuses: BTreeSet<(String, String, u16)>,
}

impl Checker {
    pub async fn new(app: &TestApp) -> Checker {
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
    pub async fn call(
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
    pub async fn call_refused(
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
    pub async fn call_raw(
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
