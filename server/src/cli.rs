//! Command-line interface.

use crate::background::{Roles, process_name};
use crate::config::{Config, ServeArgs};
use agente_jobs::WorkerOptions;
use anyhow::Context;
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
    /// Run the web server (pages, API, webhooks) with a worker and the scheduler. The
    /// default when no command is given.
    Serve(ServeCommand),
    /// Run only a worker: execute queued jobs (scheduled workflow runs, …).
    Worker(WorkerCommand),
    /// Run only the scheduler: enqueue schedule firings (once across all schedulers).
    Scheduler(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate(ServeArgs),
    /// Grant or revoke operator rights (editing plans, the revenue report) to an account.
    /// The first account of an installation is an operator already.
    Operator(OperatorCommand),
}

#[derive(Debug, clap::Args)]
struct OperatorCommand {
    #[command(flatten)]
    common: ServeArgs,
    #[arg(value_enum)]
    action: OperatorAction,
    /// The account's e-mail address.
    email: String,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum OperatorAction {
    Grant,
    Revoke,
}

#[derive(Debug, clap::Args)]
struct ServeCommand {
    #[command(flatten)]
    common: ServeArgs,
    /// Serve the web only; run `agente worker` and `agente scheduler` elsewhere.
    #[arg(long)]
    no_workers: bool,
}

#[derive(Debug, clap::Args)]
struct WorkerCommand {
    #[command(flatten)]
    common: ServeArgs,
    /// Jobs run at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=1024))]
    concurrency: u16,
    /// Queues to drain, in order of preference, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = agente_jobs::DEFAULT_QUEUE)]
    queues: Vec<String>,
}

pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or_else(|| {
        Command::Serve(ServeCommand {
            common: ServeArgs::parse_from(["serve"]),
            no_workers: false,
        })
    });
    crate::startup::init_tracing();
    let result = match command {
        Command::Serve(args) => match Config::load(&args.common) {
            Ok(config) => {
                let roles = Roles {
                    workers: (!args.no_workers).then(worker_options),
                    scheduler: !args.no_workers,
                };
                crate::startup::serve(config, roles).await
            }
            Err(e) => Err(e),
        },
        Command::Worker(args) => match Config::load(&args.common) {
            Ok(config) => {
                let options = WorkerOptions {
                    concurrency: usize::from(args.concurrency),
                    queues: args.queues,
                    ..worker_options()
                };
                let roles = Roles {
                    workers: Some(options),
                    scheduler: false,
                };
                crate::startup::run_background(config, roles).await
            }
            Err(e) => Err(e),
        },
        Command::Scheduler(args) => match Config::load(&args) {
            Ok(config) => {
                let roles = Roles {
                    workers: None,
                    scheduler: true,
                };
                crate::startup::run_background(config, roles).await
            }
            Err(e) => Err(e),
        },
        Command::Operator(args) => match Config::load(&args.common) {
            Ok(config) => operator(config, args.action, &args.email).await,
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

/// Operator rights are written as the database's owner: the application's own login may
/// not grant them.
async fn operator(config: Config, action: OperatorAction, email: &str) -> anyhow::Result<()> {
    agente_store::Db::migrate(&config.database_url).await?;
    let owner = agente_store::Db::connect_owner(&config.database_url)
        .await
        .context("cannot connect to the database as its owner")?;
    let grant = matches!(action, OperatorAction::Grant);
    let now = agente_core::Clock::now_ms(&agente_core::SystemClock);
    agente_auth::set_operator(&owner, email, grant, now).await?;
    owner.close().await;
    println!(
        "{email} {} an operator",
        if grant { "is now" } else { "is no longer" }
    );
    Ok(())
}

/// A job whose worker has not beaten for `AGENTE_JOB_LEASE_SECS` (default 30) goes to
/// another worker; `AGENTE_TENANT_CONCURRENCY` caps one tenant's running jobs per queue
/// across all workers (default: no cap).
fn worker_options() -> WorkerOptions {
    let lease = crate::config::number("AGENTE_JOB_LEASE_SECS", 30).unwrap_or(30);
    let per_tenant = crate::config::number("AGENTE_TENANT_CONCURRENCY", 0).unwrap_or(0);
    WorkerOptions {
        id: process_name(),
        lease: std::time::Duration::from_secs(lease as u64),
        tenant_concurrency: u32::try_from(per_tenant).unwrap_or(0),
        ..WorkerOptions::default()
    }
}
