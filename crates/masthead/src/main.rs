//! The `masthead` binary: the command line, configuration, and wiring of the library crates.

mod backup;
mod check;
mod cli;
mod config;
mod demo;
mod generate;
mod https;
mod import;
mod init;
mod media_store;
mod meeting;
mod migrate;
mod newsletter;
mod reload;
mod restore;
mod serve;
mod service;
mod token;
mod user;
mod wire;

use clap::Parser;
use std::io::IsTerminal;
use std::process::ExitCode;

/// mimalloc for the Rust side's allocations: a page's rendering allocates and frees
/// thousands of small values, and glibc's `malloc`/`free`/`realloc` were a fifth of an
/// uncached article's instructions (docs/PERFORMANCE.md). C libraries (SQLite, the TLS
/// library) keep the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    if let Err(e) = init_logging() {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs to stderr, filtered by `MASTHEAD_LOG` (default `info,sqlx=warn,tower_http=warn`),
/// as text or, with `MASTHEAD_LOG_FORMAT=json`, as one JSON object a line (with the fields
/// of the spans it was logged in, such as a request's `request_id`).
fn init_logging() -> Result<(), String> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MASTHEAD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    // Colours only for a person at a terminal: a log file or the journal gets plain text
    // (and each request's span is formatted once, without escape codes).
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let format = std::env::var("MASTHEAD_LOG_FORMAT").unwrap_or_default();
    match format.trim() {
        "" | "text" => logs.init(),
        "json" => logs.json().init(),
        other => {
            return Err(format!(
                "MASTHEAD_LOG_FORMAT must be \"json\" or \"text\" (the default), not {other:?}"
            ));
        }
    }
    Ok(())
}
