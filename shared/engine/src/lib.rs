//! The engine: runs a workflow's nodes over items in n8n's v1 order, evaluating `={{ … }}`
//! expressions as JavaScript in a bounded sandbox (`expr`).
//!
//! Architecture invariant: the engine stores nothing and knows no tenants. What a run needs
//! from outside (sub-workflows, model calls, credentials already opened) comes through the
//! [`Host`] and the [`RunRequest`]; what it produced goes back in the [`Execution`]. Outbound
//! calls go through `agente-network`'s policy.

mod budget;
mod context;
pub mod expr;
mod host;
mod item;
pub mod nodes;
mod observer;
mod pool;
mod preview;
mod redaction;
mod run;

pub use agente_core::{ExecutionId, ExecutionMode, ExecutionStatus};
pub use agente_network::NetworkPolicy;
pub use budget::{ExecutionBudget, MAX_EXECUTION_RESPONSE_BYTES, MAX_RESPONSE_BYTES};
pub use context::{NodeContext, NodeError, Suspend, WebhookResponse, node_credential};
pub use host::{BoxFuture, Host, MAX_SUB_WORKFLOW_DEPTH, SubWorkflowCall, SubWorkflowSource};
pub use item::{Item, get_path, set_path};
pub use observer::{NodeFinished, RunObserver};
pub use preview::{Preview, PreviewError, PreviewRequest};
pub use run::{
    Engine, Execution, ExecutionError, NodeRun, Resume, RunRequest, Suspended, TaskSource,
};
