//! Command-line interface.

use crate::config::{Config, ServeArgs};
use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Agente: build, run and monitor automation workflows.
#[derive(Debug, Parser)]
#[command(name = "agente", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server (pages, API, webhooks). The default when no command is given.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate(ServeArgs),
}

pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    let command = cli
        .command
        .unwrap_or_else(|| Command::Serve(ServeArgs::parse_from(["serve"])));
    crate::startup::init_tracing();
    let result = match command {
        Command::Serve(args) => match Config::load(&args) {
            Ok(config) => crate::startup::serve(config).await,
            Err(e) => Err(e),
        },
        Command::Migrate(args) => match Config::load(&args) {
            Ok(config) => agente_store::Db::migrate(&config.database_url)
                .await
                .map(|()| println!("migrations applied to {}", config.database_label()))
                .map_err(anyhow::Error::from),
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
