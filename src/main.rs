//! The binary: parses the command line and runs the command (`cli`).

use clap::Parser;
use hitchpost::cli::Cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"))
        // Whatever RUST_LOG says: these crates log raw HTTP bodies and headers at debug and
        // trace, which carry provider tokens and API keys. No secret reaches a log.
        .filter_module("ureq", log::LevelFilter::Info)
        .filter_module("ureq_proto", log::LevelFilter::Info)
        .filter_module("rustls", log::LevelFilter::Info)
        .filter_module("actix_http", log::LevelFilter::Info)
        .filter_module("awc", log::LevelFilter::Info)
        .filter_module("h2", log::LevelFilter::Info)
        .init();
    match Cli::parse().run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hitchpost: {e}");
            ExitCode::FAILURE
        }
    }
}
