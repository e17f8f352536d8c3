//! The `agente` binary. All logic lives in the library; this only runs it.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    agente_server::cli::run().await
}
