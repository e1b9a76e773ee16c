//! Starting and stopping: opening the database from the settings, serving the connections
//! `accept.rs` lets in with timeouts, and a graceful shutdown that lets requests in flight finish.

use std::future::Future;
use std::sync::{Arc, mpsc};
use std::time::Duration;

use flowforge_core::{Config, Database, FlowForge, KeySource, SECONDS_PER_DAY, resolve_secret_key};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use crate::accept::{Acceptor, default_max_connections};
use crate::app::App;
use crate::config::Settings;

/// How long requests in flight may take to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// How often the event log is pruned of the events older than the retention.
const PRUNE_EVERY: Duration = Duration::from_secs(SECONDS_PER_DAY);

/// Why the server could not start, in one line naming the setting.
#[derive(Debug)]
pub struct StartError(pub String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

/// Opens the configured database and builds the server's state.
///
/// # Errors
/// A [`StartError`] naming the setting at fault (database, secret key).
pub fn open(settings: Settings) -> Result<App, StartError> {
    let database = Database::from_settings(settings.database_url.as_deref(), |name| {
        std::env::var(name).ok()
    })
    .map_err(|e| StartError(format!("DATABASE_URL: {}", first_message(&e))))?;
    let (secret, source) =
        resolve_secret_key(settings.secret_key.as_deref(), settings.debug, &database)
            .map_err(|e| StartError(format!("SECRET_KEY: {}", first_message(&e))))?;
    if let KeySource::Generated(generated) = source {
        tracing::warn!(
            generated,
            "DEBUG is on and SECRET_KEY is unset: using a key kept beside the database"
        );
    }
    let mut config = Config::new(secret);
    config.access_ttl = settings.access_token_ttl;
    config.refresh_ttl = settings.refresh_token_ttl;
    config.allow_registration = settings.allow_registration;
    config.synchronous = settings.sqlite_synchronous;
    config.event_retention = settings.event_retention_days.keep();
    let ff = FlowForge::open(&database, config)
        .map_err(|e| StartError(format!("DATABASE_URL: {}", first_message(&e))))?;
    // A database that takes no write (a read-only file or directory, a full disk) would answer
    // every write with 503: refuse it now, saying why.
    ff.check_writable().map_err(|e| {
        StartError(format!(
            "DATABASE_URL: cannot write {}: {}",
            database_name(&database),
            storage_reason(&e)
        ))
    })?;
    Ok(App::new(ff, settings))
}

/// The database as a message names it: an SQLite file by its path.
fn database_name(database: &Database) -> String {
    match database {
        Database::File(path) => format!("the database {}", path.display()),
        _ => "the database".to_owned(),
    }
}

/// What the storage said about a refused write.
fn storage_reason(error: &flowforge_core::Error) -> String {
    match error {
        flowforge_core::Error::Unavailable { cause, .. }
        | flowforge_core::Error::Internal(cause) => cause.to_string(),
        other => other.to_string(),
    }
}

fn first_message(error: &flowforge_core::Error) -> String {
    match error {
        flowforge_core::Error::Validation(errors) => errors
            .iter()
            .flat_map(|(_, m)| m.iter())
            .next()
            .cloned()
            .unwrap_or_else(|| error.to_string()),
        flowforge_core::Error::Internal(cause)
        | flowforge_core::Error::Unavailable { cause, .. } => format!("{error} ({cause})"),
        other => other.to_string(),
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then drains connections. The event
/// log is pruned meanwhile (see [`start_pruning`]).
pub async fn serve(listener: TcpListener, app: App, shutdown: impl Future<Output = ()>) {
    // Dropped when serving ends, which ends the pruning thread (after a prune under way).
    let _pruning = start_pruning(app.flowforge());
    let app = Arc::new(app);
    let max_connections = app
        .settings()
        .max_connections
        .map_or_else(default_max_connections, |n| n as usize);
    tracing::info!(max_connections, "accepting connections");
    let mut acceptor = Acceptor::new(listener, max_connections);
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(app.settings().request_timeout);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            (stream, peer, slot) = acceptor.accept() => {
                let app = Arc::clone(&app);
                let service = service_fn(move |req| {
                    let app = Arc::clone(&app);
                    async move { Ok::<_, std::convert::Infallible>(app.handle(req, peer).await) }
                });
                let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
                tokio::spawn(async move {
                    if let Err(e) = connection.await {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                    drop(slot);
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(acceptor);
    // Event streams never end by themselves: end them, so their connections can close.
    app.close_streams();
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("all connections closed"),
        () = tokio::time::sleep(SHUTDOWN_GRACE) => tracing::warn!("shutdown grace period over; closing"),
    }
}

/// Deletes the events older than the retention now, then every [`PRUNE_EVERY`], on a thread of
/// its own (a prune may take a while and must not hold a worker or the blocking pool, which
/// a shutdown waits for), until the returned sender is dropped. A prune is a few thousand events
/// per transaction, so a process that exits in the middle of one keeps what it had deleted. A
/// failure is logged and the next prune tried in a day; it never stops the server.
fn start_pruning(ff: &Arc<FlowForge>) -> Option<mpsc::Sender<()>> {
    let Some(keep) = ff.config().event_retention else {
        tracing::info!("EVENT_RETENTION_DAYS is forever: the event log is not pruned");
        return None;
    };
    let (stop, stopped) = mpsc::channel::<()>();
    // Weak: between prunes the thread does not keep the database open.
    let ff = Arc::downgrade(ff);
    let days = keep.as_secs() / SECONDS_PER_DAY;
    let spawned = std::thread::Builder::new()
        .name("flowforge-prune".into())
        .spawn(move || {
            loop {
                let Some(ff) = ff.upgrade() else { return };
                match ff.prune_expired_events() {
                    Ok(deleted) => tracing::info!(deleted, days, "pruned the event log"),
                    Err(e) => tracing::error!(
                        error = first_message(&e),
                        "could not prune the event log; trying again in 24 h"
                    ),
                }
                drop(ff);
                if stopped.recv_timeout(PRUNE_EVERY) != Err(mpsc::RecvTimeoutError::Timeout) {
                    return;
                }
            }
        });
    match spawned {
        Ok(_) => Some(stop),
        Err(e) => {
            tracing::error!(error = %e, "could not start pruning the event log");
            None
        }
    }
}
