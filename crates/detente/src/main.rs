//! `detente`: the command of a detente node — thin wiring over the
//! `detente-node` library: the binary parses and calls, the library holds the rules.
#![forbid(unsafe_code)]

mod admin;
mod bench_taxii;
mod cli;
mod demo;
mod maintenance;
mod officer;
mod output;
mod taxii_pull;
mod verify;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
