//! Server functions: the UI's calls into the domain. Named endpoints under `/sfn/` so their
//! URLs are stable. Each checks the caller through the domain services, which apply the one
//! permission check.

mod accounts;
mod ai;
mod ai_settings;
mod billing;
mod editor;
mod history;
mod notifications;
mod plans;
mod workflows;

pub use accounts::*;
pub use ai::*;
pub use ai_settings::*;
pub use billing::*;
pub use editor::*;
pub use history::*;
pub use notifications::*;
pub use plans::*;
pub use workflows::*;
