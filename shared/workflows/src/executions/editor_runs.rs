//! Runs started in the editor: the workflow as the editor has it (saved or not), whole or
//! only up to one node ("execute step"), which reuses what the nodes before it gave in the
//! earlier run instead of running them again, as n8n's partial runs do.

use super::ManualRun;
use crate::WorkflowService;
use crate::error::WorkflowServiceError as E;
use crate::records::ExecutionRecord;
use agente_auth::{Action, Principal, Resource, check_permission};
use agente_core::{ExecutionId, WorkflowId};
use agente_engine::Item;
use agente_workflow_model::Field;
use serde_json::Value;
use std::collections::HashMap;

/// What the editor asks to run.
#[derive(Clone, Debug, Default)]
pub struct EditorRun {
    /// The n8n JSON of the workflow as the editor has it.
    pub document: String,
    /// Run only what leads to this node, and it.
    pub destination: Option<String>,
    /// The earlier run whose outputs the nodes before `destination` give again.
    pub previous: Option<ExecutionId>,
}

impl WorkflowService {
    /// Runs the editor's document of workflow `id` (which must be stored: the execution
    /// belongs to it) by its manual trigger.
    pub async fn run_from_editor(
        &self,
        p: &Principal,
        id: WorkflowId,
        run: EditorRun,
    ) -> Result<ExecutionRecord, E> {
        check_permission(p, Resource::Workflows, Action::Execute)?;
        let stored = self.get(p, id).await?;
        let mut workflow = self.parse_one(&run.document)?;
        // What `$workflow` says is the stored workflow's, not the caller's.
        workflow.id = Field::Value(serde_json::Value::String(stored.id.to_string()));
        workflow.active = Field::Value(stored.active);
        if let Some(d) = run.destination.as_deref()
            && workflow.node(d).is_none()
        {
            return Err(E::BadInput(format!(
                "there is no node named '{d}' to run up to"
            )));
        }
        let reused = match (&run.destination, run.previous) {
            (Some(destination), Some(previous)) => {
                let earlier = self.executions.get(p, previous, true).await?;
                if earlier.workflow_id.stored() != Some(id) {
                    return Err(E::BadInput(
                        "the run to go on from is not one of this workflow".into(),
                    ));
                }
                outputs_before(earlier.data.as_ref(), destination)
            }
            _ => HashMap::new(),
        };
        let manual = ManualRun {
            items: Vec::new(),
            destination: run.destination,
            reused,
        };
        self.executions.run_manual(p, id, &workflow, manual).await
    }
}

/// The outputs of the nodes of an earlier run that ran once and did not fail, but the
/// destination's own (it runs again). A node that ran several times (a loop) runs again:
/// its last output alone would replay one turn of the loop for ever. Only the nodes leading
/// to the destination run at all, so only theirs are used.
fn outputs_before(data: Option<&Value>, destination: &str) -> HashMap<String, Vec<Vec<Item>>> {
    let Some(runs) = data
        .and_then(|d| d.pointer("/resultData/runData"))
        .and_then(Value::as_object)
    else {
        return HashMap::new();
    };
    runs.iter()
        .filter(|(node, _)| node.as_str() != destination)
        .filter_map(|(node, runs)| {
            let [last] = runs.as_array()?.as_slice() else {
                return None;
            };
            if last.get("error").is_some_and(|e| !e.is_null()) {
                return None;
            }
            let outputs = last
                .pointer("/data/main")?
                .as_array()?
                .iter()
                .map(Item::list_from)
                .collect();
            Some((node.clone(), outputs))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reuses_what_ran_and_did_not_fail_but_the_destination() {
        let data = json!({"resultData": {"runData": {
            "A": [{"data": {"main": [[{"json": {"n": 1}}]]}}],
            "If": [{"data": {"main": [[], [{"json": {"n": 2}}]]}}],
            "Loop": [{"data": {"main": [[{"json": {}}]]}}, {"data": {"main": [[{"json": {}}]]}}],
            "Broken": [{"error": "no", "data": {"main": [[{"json": {}}]]}}],
            "Target": [{"data": {"main": [[{"json": {"n": 3}}]]}}]
        }}});
        let reused = outputs_before(Some(&data), "Target");
        let mut names: Vec<&str> = reused.keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["A", "If"]);
        assert_eq!(reused["If"].len(), 2, "every output is kept");
        assert_eq!(reused["If"][1][0].to_value()["json"], json!({"n": 2}));
        assert!(outputs_before(None, "Target").is_empty());
    }
}
