//! The editor's expression preview: the engine evaluates the expression for one input item
//! of the node as a run would (`agente_engine::Engine::preview`), over the workflow being
//! edited (unsaved changes and pinned items count) and the caller's earlier run.

use crate::WorkflowService;
use crate::error::WorkflowServiceError as E;
use agente_auth::{Action, Principal, Resource, check_permission};
use agente_core::ExecutionId;
use agente_engine::PreviewRequest;
use serde_json::{Map, Value};
use std::time::Duration;

/// Longest expression previewed (a parameter this long is code, not an expression).
pub const MAX_PREVIEW_EXPRESSION: usize = 16 * 1024;
/// Previews evaluated at once in this process: each holds a sandbox and a thread.
pub(crate) const PREVIEWS_AT_ONCE: usize = 4;
/// How long a preview waits for its turn before the caller is told to try again.
const PREVIEW_WAIT: Duration = Duration::from_secs(3);

/// What to preview.
#[derive(Clone, Debug)]
pub struct PreviewQuery {
    /// The workflow as the editor has it (n8n JSON), checked as a save checks it.
    pub document: String,
    pub node: String,
    pub expression: String,
    pub item: usize,
    /// The run whose items the node sees; none before the first run.
    pub execution: Option<ExecutionId>,
}

/// The value for the item, or why the expression failed (as the run would say it), and how
/// many input items there are.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpressionPreview {
    pub result: Result<Value, String>,
    pub items: usize,
}

impl WorkflowService {
    /// Previews `q.expression`. Evaluating runs the tenant's code, so it takes the right to
    /// run workflows; the expression failing is an answer, not an error.
    pub async fn preview_expression(
        &self,
        p: &Principal,
        q: PreviewQuery,
    ) -> Result<ExpressionPreview, E> {
        check_permission(p, Resource::Workflows, Action::Execute)?;
        if q.expression.len() > MAX_PREVIEW_EXPRESSION {
            return Err(E::BadInput(format!(
                "an expression to preview is at most {MAX_PREVIEW_EXPRESSION} bytes"
            )));
        }
        let workflow = self.parse_one(&q.document)?;
        let run_data = match q.execution {
            None => Map::new(),
            Some(id) => self
                .executions
                .get(p, id, true)
                .await?
                .data
                .as_ref()
                .and_then(|d| d.pointer("/resultData/runData"))
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
        };
        let turn = tokio::time::timeout(PREVIEW_WAIT, self.previews.clone().acquire_owned())
            .await
            .ok()
            .and_then(Result::ok)
            .ok_or_else(|| E::Busy("previews are busy; try again in a moment".into()))?;
        let engine = self.engine.clone();
        let key = p.tenant_id.to_string();
        let now_ms = self.clock.now_ms();
        // QuickJS runs synchronously; keep it off the runtime's workers.
        let answer = tokio::task::spawn_blocking(move || {
            let _turn = turn;
            let none = Map::new();
            engine.preview(&PreviewRequest {
                workflow: &workflow,
                run_data: &run_data,
                node: &q.node,
                expression: &q.expression,
                item: q.item,
                execution_id: &q.execution.map(|e| e.to_string()).unwrap_or_default(),
                env: &none,
                vars: &none,
                now_ms,
                sandbox_key: &key,
            })
        })
        .await
        .map_err(|e| E::Internal(format!("the preview stopped: {e}")))?;
        let preview = answer.map_err(|e| E::BadInput(e.to_string()))?;
        Ok(ExpressionPreview {
            result: preview.value.map_err(|e| e.to_string()),
            items: preview.items,
        })
    }
}
