//! `flowforge-server`: runs the FlowForge API on the configured database.

use std::io::IsTerminal;
use std::process::ExitCode;

use flowforge_server::config::LogFormat;
use flowforge_server::{Settings, listen, open, serve};

/// Core calls that run at once on the blocking pool: twice the larger connection pool (16 on
/// PostgreSQL), so every connection stays busy while password hashes run beside them. Beyond it a
/// call waits in the runtime's queue; unbounded, each waiting call held a thread of its own
/// (hundreds under 32 connections, with their stacks and allocator arenas).
const BLOCKING_THREADS: usize = 32;

/// jemalloc, configured in `.cargo/config.toml` to give freed memory back within a quarter of a
/// second. glibc's allocator kept what the blocking threads had freed, in an arena per thread,
/// so the server's memory climbed with the load it had seen.
#[cfg(unix)]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let settings = Settings::load();
    init_logging(settings.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(BLOCKING_THREADS)
        // A worker keeps the read snapshot of its last request for the next; an idle one gives
        // it back, so that none outlives the requests it served.
        .on_thread_park(flowforge_core::end_parked_reads)
        .build();
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    runtime.block_on(run(settings))
}

async fn run(settings: Settings) -> ExitCode {
    let bind = settings.bind;
    // Bind first: a taken address is refused before the database is created or migrated.
    let listener = match listen(bind) {
        Ok(listener) => listener,
        Err(e) => return fail(&format!("BIND: cannot listen on {bind}: {e}")),
    };
    let app = match tokio::task::spawn_blocking(move || open(settings)).await {
        Ok(Ok(app)) => app,
        Ok(Err(e)) => return fail(&e.to_string()),
        Err(e) => return fail(&format!("start-up failed: {e}")),
    };
    // Install the signal handlers before announcing readiness, so a SIGTERM that follows the
    // announcement is always a graceful shutdown.
    let shutdown = shutdown_signal();
    let base = format!("http://{}", listener.local_addr().unwrap_or(bind));
    println!("FlowForge is listening on {base}");
    println!("  API root:   {base}/api/v1/");
    println!("  Swagger UI: {base}/api/docs/");
    println!("  OpenAPI:    {base}/api/schema/");
    serve(listener, app, shutdown).await;
    ExitCode::SUCCESS
}

fn fail(message: &str) -> ExitCode {
    eprintln!("flowforge-server: {message}");
    ExitCode::FAILURE
}

fn init_logging(format: Option<LogFormat>) {
    let format = format.unwrap_or(if std::io::stderr().is_terminal() {
        LogFormat::Pretty
    } else {
        LogFormat::Json
    });
    let filter =
        tracing_subscriber::EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| "info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Pretty => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Completes on SIGINT or SIGTERM. The handlers are installed when this is called, not when the
/// future is first polled.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt());
        let term = signal(SignalKind::terminate());
        async move {
            match (interrupt, term) {
                (Ok(mut interrupt), Ok(mut term)) => {
                    tokio::select! {
                        _ = interrupt.recv() => {}
                        _ = term.recv() => {}
                    }
                }
                _ => tokio::signal::ctrl_c().await.unwrap_or(()),
            }
            tracing::info!("shutting down");
        }
    }
    #[cfg(not(unix))]
    async {
        tokio::signal::ctrl_c().await.unwrap_or(());
        tracing::info!("shutting down");
    }
}
