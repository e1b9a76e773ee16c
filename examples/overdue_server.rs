//! A custom server: FlowForge embedded in your own hyper service, with one read-only endpoint of
//! its own. `GET /overdue/` with `Authorization: Bearer <access token>` answers the caller's
//! teams' overdue tasks (due yesterday or earlier, not done) as a JSON array. The caller comes
//! from `FlowForge::authenticate_token` and the list from `list_tasks`, so the library's tenancy
//! rules decide what each caller sees: this file adds none of its own.
//!
//! Self-test on an in-memory database, on a free port (what CI runs):
//! `cargo run -p flowforge-examples --example overdue_server -- --self-test`
//!
//! Beside a FlowForge server, on its database and with its `SECRET_KEY` (default: the key a debug
//! server keeps beside the database), so that its access tokens work here too:
//! `DATABASE_URL=sqlite://flowforge.db PORT=8080 cargo run -p flowforge-examples --example overdue_server`
//! then `curl -H "Authorization: Bearer $ACCESS" http://127.0.0.1:8080/overdue/`.

use std::convert::Infallible;
use std::future::Future;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use chrono::{Days, Local};
use flowforge_core::{
    Config, DEFAULT_DATABASE_URL, Database, Error, FlowForge, NewOrg, NewProject, NewTask, NewUser,
    PageRequest, Status, Task, TaskQuery, load_or_generate_secret, resolve_secret_key,
};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{ALLOW, AUTHORIZATION, CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

type Reply = Response<Full<Bytes>>;
type AnyError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.as_slice() {
        [] => run().await,
        [flag] if flag == "--self-test" => self_test().await,
        _ => Err("usage: overdue_server [--self-test]".into()),
    };
    if let Err(error) = outcome {
        eprintln!("overdue_server: {error}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

async fn run() -> Result<(), AnyError> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.into());
    let database = Database::from_url(&url)?;
    // Resolved as a debug server resolves it, so that the server's tokens work here.
    let (secret, _) =
        resolve_secret_key(std::env::var("SECRET_KEY").ok().as_deref(), true, &database)?;
    let ff = FlowForge::open(&database, Config::new(secret))?;
    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port
            .parse()
            .map_err(|_| format!("PORT {port:?} is no port"))?,
        Err(_) => 8080,
    };
    // Loopback only: put a TLS-terminating proxy in front to serve anyone else.
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
    println!(
        "GET http://{}/overdue/ (Ctrl-C to stop)",
        listener.local_addr()?
    );
    serve(listener, Arc::new(ff), async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    Ok(())
}

/// Serves HTTP/1.1 on `listener` until `shutdown` completes.
async fn serve(listener: TcpListener, ff: Arc<FlowForge>, shutdown: impl Future<Output = ()>) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new());
    http.header_read_timeout(Duration::from_secs(30));
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(e) => { eprintln!("accept: {e}"); continue; }
            },
            () = &mut shutdown => return,
        };
        let ff = Arc::clone(&ff);
        let service = service_fn(move |request| {
            let ff = Arc::clone(&ff);
            async move { Ok::<_, Infallible>(handle(ff, request).await) }
        });
        tokio::spawn(http.serve_connection(TokioIo::new(stream), service));
    }
}

async fn handle(ff: Arc<FlowForge>, request: Request<Incoming>) -> Reply {
    if request.uri().path() != "/overdue/" {
        return error_reply(&Error::NotFound("Not found.".into()));
    }
    if request.method() != Method::GET {
        let mut reply = json(StatusCode::METHOD_NOT_ALLOWED, &problem(405, "Only GET."));
        reply
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET"));
        return reply;
    }
    let Some(token) = bearer(&request) else {
        let why = "Authorization header must be \"Bearer <token>\".";
        return error_reply(&Error::Unauthenticated(why.into()));
    };
    // The core is synchronous (SQLite, argon2): keep it off the async worker threads.
    match tokio::task::spawn_blocking(move || overdue(&ff, &token)).await {
        Ok(Ok(tasks)) => json(StatusCode::OK, &tasks),
        Ok(Err(error)) => error_reply(&error),
        Err(panicked) => error_reply(&Error::Internal(Box::new(panicked))),
    }
}

fn bearer(request: &Request<Incoming>) -> Option<String> {
    let header = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = header.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// The caller's overdue tasks, in all the organizations they belong to and no other.
fn overdue(ff: &FlowForge, access_token: &str) -> flowforge_core::Result<Vec<Task>> {
    let caller = ff.authenticate_token(access_token)?;
    let yesterday = (Local::now().date_naive() - Days::new(1)).to_string();
    let mut query = TaskQuery::from_pairs([
        ("due_before", yesterday.as_str()),
        ("status", "todo,in_progress,blocked"),
        ("ordering", "due_date,-priority"),
        ("page_size", "100"),
    ])?;
    let mut tasks = Vec::new();
    loop {
        let page = ff.list_tasks(&caller, &query)?;
        let more = page.has_next();
        query.page = PageRequest::new(page.page + 1, page.page_size);
        tasks.extend(page.items);
        if !more {
            return Ok(tasks);
        }
    }
}

fn problem(status: u16, detail: &str) -> serde_json::Value {
    serde_json::json!({ "status": status, "detail": detail })
}

/// The one mapping from the core's error to a status, as the FlowForge server does it.
fn error_reply(error: &Error) -> Reply {
    let status = match error {
        Error::Validation(_) => StatusCode::BAD_REQUEST,
        Error::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::Unavailable { cause, .. } => {
            eprintln!("the storage refused: {cause}"); // A full disk, a read-only file...
            StatusCode::SERVICE_UNAVAILABLE
        }
        Error::Internal(cause) => {
            eprintln!("internal error: {cause}"); // For the log; the caller learns nothing more.
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    let mut reply = json(status, &problem(status.as_u16(), &error.to_string()));
    if status == StatusCode::UNAUTHORIZED {
        let bearer = HeaderValue::from_static("Bearer");
        reply.headers_mut().insert(WWW_AUTHENTICATE, bearer);
    }
    reply
}

fn json(status: StatusCode, body: &impl serde::Serialize) -> Reply {
    let bytes = serde_json::to_vec(body).unwrap_or_default(); // Our types always serialize.
    let mut reply = Response::new(Full::new(Bytes::from(bytes)));
    *reply.status_mut() = status;
    let json = HeaderValue::from_static("application/json");
    reply.headers_mut().insert(CONTENT_TYPE, json);
    reply
}

/// Seeds an in-memory database, serves it on a free port and checks two real requests.
async fn self_test() -> Result<(), AnyError> {
    let (ff, token) = tokio::task::spawn_blocking(seed).await??;
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let address = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let stopped = async { stopped.await.unwrap_or_default() };
    let server = tokio::spawn(serve(listener, Arc::new(ff), stopped));
    let requests = move || Ok::<_, AnyError>((get(address, Some(&token))?, get(address, None)?));
    let answers = tokio::task::spawn_blocking(requests).await;
    let _ = stop.send(()); // Stop the server whatever the answers.
    server.await?;
    let ((status, body), (anonymous, _)) = answers??;

    let tasks: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap_or_default();
    let titles: Vec<_> = tasks.iter().filter_map(|t| t["title"].as_str()).collect();
    println!("GET http://{address}/overdue/ with a token: {status} {titles:?}");
    println!("GET http://{address}/overdue/ without one: {anonymous}");
    if status != 200 || titles != ["Renew the domain"] || anonymous != 401 {
        return Err("self-test failed: wanted 200 [\"Renew the domain\"] and 401".into());
    }
    println!("self-test passed");
    Ok(())
}

/// Two teams with tasks due at various dates; returns an access token of Ada, of the first.
fn seed() -> flowforge_core::Result<(FlowForge, String)> {
    let (secret, _) = load_or_generate_secret(&Database::Memory)?; // A fresh random key.
    let ff = FlowForge::open(&Database::Memory, Config::new(secret))?;
    let today = Local::now().date_naive();
    let teams = [
        ("ada@example.com", "Acme", "Renew the domain"),
        ("eve@example.com", "Globex", "Globex's overdue task"), // Never Ada's to see.
    ];
    for (email, team, overdue_title) in teams {
        let password = "self-test-pass";
        let user = NewUser {
            email: email.into(),
            password: password.into(),
            full_name: String::new(),
        };
        ff.register(&user)?;
        let me = ff.authenticate(email, password)?;
        let team = NewOrg {
            name: team.into(),
            slug: None,
        };
        let team = ff.create_organization(&me, &team)?;
        let project = ff.create_project(&me, &NewProject::new(team.id, "Ops"))?;
        for (title, status, due_in_days) in [
            (overdue_title, Status::InProgress, Some(-3)),
            ("Done long ago", Status::Done, Some(-10)),
            ("Due today", Status::Todo, Some(0)),
            ("Due next week", Status::Blocked, Some(7)),
            ("Whenever", Status::Todo, None),
        ] {
            let task = NewTask {
                status: Some(status),
                due_date: due_in_days.map(|days| today + chrono::Duration::days(days)),
                ..NewTask::new(project.id, title)
            };
            ff.create_task(&me, &task)?;
        }
    }
    let token = ff.login("ada@example.com", "self-test-pass")?.access;
    Ok((ff, token))
}

/// A plain HTTP/1.1 GET over std's TcpStream: the status code and the body.
fn get(address: SocketAddr, token: Option<&str>) -> std::io::Result<(u16, String)> {
    let mut stream = std::net::TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n"));
    let auth = auth.unwrap_or_default();
    let head = format!("GET /overdue/ HTTP/1.1\r\nHost: {address}\r\n{auth}Connection: close\r\n");
    stream.write_all(format!("{head}\r\n").as_bytes())?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response.split(' ').nth(1).and_then(|s| s.parse().ok());
    let body = response.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    Ok((status.unwrap_or(0), body.to_owned()))
}
