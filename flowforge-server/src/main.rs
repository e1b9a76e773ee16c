//! `flowforge-server`: runs the FlowForge API on the configured database.

use std::io::IsTerminal;
use std::process::ExitCode;

use flowforge_server::config::LogFormat;
use flowforge_server::{Settings, open, serve};
use tokio::net::TcpListener;

fn main() -> ExitCode {
    let settings = Settings::load();
    init_logging(settings.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    runtime.block_on(run(settings))
}

async fn run(settings: Settings) -> ExitCode {
    let bind = settings.bind;
    let app = match tokio::task::spawn_blocking(move || open(settings)).await {
        Ok(Ok(app)) => app,
        Ok(Err(e)) => return fail(&e.to_string()),
        Err(e) => return fail(&format!("start-up failed: {e}")),
    };
    let listener = match TcpListener::bind(bind).await {
        Ok(listener) => listener,
        Err(e) => return fail(&format!("BIND: cannot listen on {bind}: {e}")),
    };
    let base = format!("http://{}", listener.local_addr().unwrap_or(bind));
    println!("FlowForge is listening on {base}");
    println!("  API root:   {base}/api/v1/");
    println!("  Swagger UI: {base}/api/docs/");
    println!("  OpenAPI:    {base}/api/schema/");
    serve(listener, app, shutdown_signal()).await;
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

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => return interrupt.await.unwrap_or(()),
            };
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    interrupt.await.unwrap_or(());
    tracing::info!("shutting down");
}
