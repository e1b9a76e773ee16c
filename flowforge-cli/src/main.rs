//! `flowforge`: the admin CLI of FlowForge. It works directly on the database the server uses
//! (same `DATABASE_URL`, `.env` and secret key) and, like the server, only translates: every
//! rule is flowforge-core's.

mod cli;
mod commands;
mod events;
mod output;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;

fn main() -> ExitCode {
    // A missing .env is normal.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("flowforge: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}
