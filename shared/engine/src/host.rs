//! What the engine asks of whoever runs it: other workflows (Execute Workflow node) and
//! language models (AI nodes). The service implements it with the tenant's stored workflows
//! and the AI service; tests can implement it in memory.

use super::Item;
use agente_core::llm::{ModelCall, ModelError, ModelFuture};
use agente_workflow_model::Workflow;
use std::future::Future;
use std::pin::Pin;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Sub-workflows may call sub-workflows, but not without end.
pub const MAX_SUB_WORKFLOW_DEPTH: u8 = 8;

/// Which workflow an Execute Workflow node runs.
#[derive(Clone, Debug)]
pub enum SubWorkflowSource {
    /// A stored workflow of the same tenant, by id.
    Stored(String),
    /// Workflow JSON given in the node's parameters.
    Inline(Box<Workflow>),
}

/// One call of a sub-workflow.
#[derive(Clone, Debug)]
pub struct SubWorkflowCall {
    pub source: SubWorkflowSource,
    pub items: Vec<Item>,
    /// Wait for the sub-workflow and return its last node's items, or start it and go on.
    pub wait: bool,
    pub parent_execution_id: agente_core::ExecutionId,
    /// Nesting depth of the sub-workflow (the top-level execution is 0).
    pub depth: u8,
}

pub trait Host: Send + Sync {
    /// Runs a sub-workflow; answers the items of its last node (nothing when not waiting).
    fn run_sub_workflow(&self, call: SubWorkflowCall) -> BoxFuture<'_, Result<Vec<Item>, String>>;

    /// Asks a language model, metered for the run's tenant. Without the AI service there is
    /// none.
    fn chat(&self, call: ModelCall) -> ModelFuture<'_> {
        let _ = call;
        Box::pin(async {
            Err(ModelError::Failed(
                "no language models are set up for workflows on this server".into(),
            ))
        })
    }
}

impl std::fmt::Debug for dyn Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Host")
    }
}
