//! A small HTTP client that keeps every byte of a response, and the accounts it acts as.

use std::net::SocketAddr;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::PASSWORD;

/// A registered, logged-in user.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub email: String,
    pub access: String,
    pub refresh: String,
}

impl Account {
    pub async fn create(base: &str, email: &str) -> Account {
        let api = Api::new(base, None);
        let user = api
            .post(
                "/api/v1/auth/register/",
                json!({"email": email, "password": PASSWORD, "full_name": email}),
            )
            .await
            .expect(StatusCode::CREATED);
        let tokens = api
            .post(
                "/api/v1/auth/login/",
                json!({"email": email, "password": PASSWORD}),
            )
            .await
            .expect(StatusCode::OK);
        Account {
            id: user.json["id"].as_str().expect("an id").to_owned(),
            email: email.to_owned(),
            access: tokens.json["access"]
                .as_str()
                .expect("an access token")
                .to_owned(),
            refresh: tokens.json["refresh"]
                .as_str()
                .expect("a refresh token")
                .to_owned(),
        }
    }
}

/// A response with everything kept: status, headers, raw body and the body as JSON (or null).
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Resp {
    /// Asserts the status (showing the body when it differs) and hands the response on.
    #[track_caller]
    pub fn expect(self, status: StatusCode) -> Resp {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        self
    }

    /// A header as text ("" when absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts an RFC 9457 problem of `status` whose `instance` is `path`.
    #[track_caller]
    pub fn problem(self, status: StatusCode, path: &str) -> Resp {
        let resp = self.expect(status);
        assert_eq!(resp.header("content-type"), "application/problem+json");
        assert_eq!(resp.json["type"], "about:blank");
        assert_eq!(resp.json["status"], status.as_u16());
        assert_eq!(resp.json["title"], status.canonical_reason().unwrap());
        assert!(resp.json["detail"].is_string(), "{}", resp.text);
        assert_eq!(resp.json["instance"], path);
        resp
    }

    /// The `id` member of the body.
    pub fn id(&self) -> String {
        self.json["id"].as_str().expect("an id").to_owned()
    }
}

/// A client for one server, optionally presenting a bearer token. It never follows redirects.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Api {
    pub fn new(base: &str, token: Option<&str>) -> Api {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client");
        Api {
            http,
            base: base.to_owned(),
            token: token.map(str::to_owned),
        }
    }

    /// A request builder for `path` with the token (if any) set.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let builder = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        send(self.request(Method::GET, path)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        send(self.request(Method::DELETE, path)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        send(self.request(Method::POST, path).json(&body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        send(self.request(Method::PATCH, path).json(&body)).await
    }
}

/// Sends a request and keeps the whole response.
pub async fn send(builder: reqwest::RequestBuilder) -> Resp {
    let response = builder.send().await.expect("the server answers");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("a readable body");
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        text,
        json,
    }
}

/// Writes `request` on a fresh connection and reads until the server closes it (on the blocking
/// pool, with plain sockets, so every byte sent is exactly the test's).
pub async fn raw_exchange(addr: SocketAddr, request: &[u8]) -> String {
    use std::io::{Read, Write};
    let request = request.to_vec();
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).expect("a connection");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("a read timeout");
        stream.write_all(&request).expect("the request is sent");
        let mut answer = Vec::new();
        stream
            .read_to_end(&mut answer)
            .expect("the server answers and closes within 10 s");
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .expect("the exchange did not panic")
}
