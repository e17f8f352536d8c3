//! The Agente server: HTTP (SSR pages, server functions, REST API) and the command line.
//! It translates HTTP into calls on the domain crates and back; no business rules here.

pub mod ai_config;
pub mod api;
mod assets;
mod authn;
pub mod background;
pub mod cli;
mod client_ip;
pub mod config;
mod cross_site;
pub mod housekeeping;
mod http_layers;
mod ops;
mod secrets;
mod server_fns;
pub mod startup;
mod state;
mod webhook;
pub mod webhook_limits;
pub mod webhook_origin;

pub use state::AppState;
