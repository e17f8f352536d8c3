//! The engine: runs a workflow's nodes over items in n8n's v1 order.

mod context;
mod item;
pub mod nodes;
mod run;

pub use context::{NodeContext, NodeError, WebhookResponse};
pub use item::{Item, get_path, set_path};
pub use run::{Engine, Execution, ExecutionError, ExecutionStatus, NodeRun, RunRequest};
