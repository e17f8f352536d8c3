//! The service as the engine's host: Execute Workflow runs a workflow of the same tenant,
//! recorded as its own execution (mode `integrated`), as n8n does; AI nodes ask the language
//! models the service was given, metered for the tenant.

use super::Executions;
use crate::error::WorkflowServiceError as E;
use crate::records::WorkflowRef;
use crate::store::load;
use agente_auth::Principal;
use agente_core::llm::{ModelCall, ModelError, ModelFuture};
use agente_core::{ExecutionMode, WorkflowId};
use agente_engine::{BoxFuture, Host, Item, RunRequest, SubWorkflowCall, SubWorkflowSource};

pub(crate) struct SubWorkflows {
    pub executions: Executions,
    pub principal: Principal,
}

impl Host for SubWorkflows {
    fn chat(&self, call: ModelCall) -> ModelFuture<'_> {
        match &self.executions.language_models {
            Some(models) => models.chat(self.principal.tenant_id, call),
            None => Box::pin(async {
                Err(ModelError::Failed(
                    "no language models are set up for workflows on this server".into(),
                ))
            }),
        }
    }

    fn run_sub_workflow(&self, call: SubWorkflowCall) -> BoxFuture<'_, Result<Vec<Item>, String>> {
        Box::pin(async move {
            let (workflow_id, workflow) = match call.source {
                SubWorkflowSource::Stored(named) => {
                    let missing = || format!("workflow `{named}` does not exist");
                    let id: WorkflowId = named.parse().map_err(|_| missing())?;
                    let mut tx = self
                        .executions
                        .db
                        .tenant_read(self.principal.tenant_id)
                        .await
                        .map_err(|e| e.to_string())?;
                    let stored = load(&mut tx, &self.principal, id)
                        .await
                        .map_err(|e| match e {
                            E::NotFound(_) => missing(),
                            other => other.to_string(),
                        })?;
                    (WorkflowRef::Stored(id), stored.workflow)
                }
                SubWorkflowSource::Inline(workflow) => {
                    let parent = call.parent_execution_id;
                    (WorkflowRef::Inline { parent }, *workflow)
                }
            };
            let start = workflow
                .nodes()
                .iter()
                .find(|n| n.kind == "n8n-nodes-base.executeWorkflowTrigger" && !n.is_disabled())
                .or_else(|| {
                    workflow.nodes().iter().find(|n| {
                        !n.is_disabled() && agente_workflow_model::catalogue::is_trigger(&n.kind)
                    })
                })
                .map(|n| n.name.clone());
            let request = RunRequest {
                start,
                items: call.items,
                mode: ExecutionMode::Integrated,
                now_ms: self.executions.clock.now_ms(),
                depth: call.depth,
                // A caller that waits for the result cannot wait for a stored wait.
                durable_waits: !call.wait,
                ..RunRequest::default()
            };
            if !call.wait {
                self.executions
                    .start_in_background(&self.principal, workflow_id, workflow, request)
                    .await
                    .map_err(|e| e.to_string())?;
                return Ok(Vec::new());
            }
            let record = self
                .executions
                .execute_and_record(&self.principal, workflow_id, &workflow, request)
                .await
                .map_err(|e| e.to_string())?;
            let execution = record.execution.expect("fresh executions carry their data");
            if let Some(err) = execution.error {
                return Err(format!(
                    "the sub-workflow failed{}: {}",
                    err.node
                        .map(|n| format!(" in node `{n}`"))
                        .unwrap_or_default(),
                    err.message
                ));
            }
            Ok(execution
                .last_node
                .as_deref()
                .map(|n| execution.output(n))
                .unwrap_or_default()
                .into_iter()
                .map(Item::from_returned)
                .collect())
        })
    }
}
