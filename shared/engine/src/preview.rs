//! The editor's preview of an expression: evaluated for one item of a node's input in an
//! earlier run, by the same sandbox with the same scope a run builds, so the preview and
//! the run agree. The earlier run's outputs (and the workflow's pinned items, which replace
//! a node's output as in a run) are what `$json`, `$input` and `$('Node')` read.

use crate::expr::{EvalError, RunFacts, Source};
use crate::run::{Engine, NodeRun};
use agente_workflow_model::{Template, Workflow, graph};
use serde_json::{Map, Value, json};

/// What to evaluate, and against which run.
#[derive(Debug)]
pub struct PreviewRequest<'a> {
    pub workflow: &'a Workflow,
    /// The earlier run's `runData` (node → runs); empty when there was none.
    pub run_data: &'a Map<String, Value>,
    /// The node whose parameter holds the expression.
    pub node: &'a str,
    /// The parameter's value: `={{ … }}` template text.
    pub expression: &'a str,
    /// Which input item (`$itemIndex`).
    pub item: usize,
    pub execution_id: &'a str,
    pub env: &'a Map<String, Value>,
    pub vars: &'a Map<String, Value>,
    pub now_ms: i64,
    /// Which pooled sandboxes may be used (the tenant), as for runs.
    pub sandbox_key: &'a str,
}

/// The result for one item (or why the expression failed, as a run would say it), and
/// how many input items there are to step through.
#[derive(Clone, Debug, PartialEq)]
pub struct Preview {
    pub value: Result<Value, EvalError>,
    pub items: usize,
}

#[derive(Debug, PartialEq, thiserror::Error)]
pub enum PreviewError {
    #[error("there is no node named '{0}'")]
    UnknownNode(String),
    #[error("not an expression: it must start with '='")]
    NotAnExpression,
    #[error("{0}")]
    Template(String),
}

/// A node's last run as the sandbox records it: its outputs and where its input came from.
struct Recorded {
    outputs: Value,
    sources: Vec<Option<Source>>,
}

impl Engine {
    /// Evaluates `request.expression` for one input item of `request.node`. Without an
    /// earlier run the node sees no input (as n8n's preview, `$json` is then empty).
    pub fn preview(&self, request: &PreviewRequest<'_>) -> Result<Preview, PreviewError> {
        let workflow = request.workflow;
        if workflow.node(request.node).is_none() {
            return Err(PreviewError::UnknownNode(request.node.to_string()));
        }
        let template = match Template::parse(request.expression) {
            None => return Err(PreviewError::NotAnExpression),
            Some(Err(e)) => return Err(PreviewError::Template(e.to_string())),
            Some(Ok(t)) => t,
        };
        // Only what a run would have recorded when the node runs: the nodes before it.
        let before = graph::upstream(workflow, request.node);
        let mut recorded = recorded_runs(workflow, request.run_data);
        let (input, prev, sources) = input_of(workflow, &recorded, request.node);
        recorded.retain(|(name, _)| before.contains(name.as_str()));
        let item = request.item.min(input.len().saturating_sub(1));
        let sandbox = match self.sandboxes.take(request.sandbox_key, self.limits) {
            Ok(sandbox) => sandbox,
            Err(e) => {
                return Ok(Preview {
                    value: Err(e),
                    items: input.len(),
                });
            }
        };
        let value = (|| {
            sandbox.begin(&RunFacts {
                workflow: json!({ "id": workflow.id.get(), "name": workflow.name(), "active": workflow.active.or(false) }),
                execution: json!({ "id": request.execution_id, "mode": "manual", "resumeUrl": "" }),
                env: request.env,
                vars: request.vars,
                now_ms: request.now_ms,
                timezone: crate::run::timezone_of(workflow),
            })?;
            for (name, run) in &recorded {
                sandbox.record(name, &run.outputs, &run.sources, &Value::Null)?;
            }
            sandbox.step(&input, 0, prev.as_deref(), &sources)?;
            sandbox.evaluate(&template, item)
        })();
        self.sandboxes.give_back(request.sandbox_key, sandbox);
        Ok(Preview {
            value,
            items: input.len(),
        })
    }
}

/// Each node's last run in `run_data`, then pinned items over it: a pinned node's output
/// is its pinned items, whatever it did when it ran.
fn recorded_runs(workflow: &Workflow, run_data: &Map<String, Value>) -> Vec<(String, Recorded)> {
    let mut recorded: Vec<(String, Recorded)> = run_data
        .iter()
        .filter(|(name, _)| workflow.node(name).is_some())
        .filter_map(|(name, runs)| {
            let last = runs.as_array()?.last()?;
            let run: NodeRun = serde_json::from_value(last.clone()).ok()?;
            let sources = run.source.iter().map(|s| s.as_ref().map(|s| s.to_source()));
            Some((
                name.clone(),
                Recorded {
                    outputs: run.data.get("main").cloned().unwrap_or(json!([])),
                    sources: sources.collect(),
                },
            ))
        })
        .collect();
    for (name, items) in workflow.pin_data.get().into_iter().flatten() {
        let Some(items) = items.as_array() else {
            continue;
        };
        let items: Vec<Value> = items.iter().map(as_item).collect();
        match recorded.iter_mut().find(|(n, _)| n == name) {
            Some((_, run)) => run.outputs = json!([items]),
            None if workflow.node(name).is_some() => recorded.push((
                name.clone(),
                Recorded {
                    outputs: json!([items]),
                    sources: Vec::new(),
                },
            )),
            None => {}
        }
    }
    recorded
}

/// Pinned items are stored as `{json}` items or as bare objects (n8n accepts both).
fn as_item(value: &Value) -> Value {
    if value.get("json").is_some() {
        value.clone()
    } else {
        json!({ "json": value })
    }
}

/// The node's first input in the run: where it came from when the node ran, else the first
/// node connected to its first input that has output.
fn input_of(
    workflow: &Workflow,
    recorded: &[(String, Recorded)],
    node: &str,
) -> (Vec<Value>, Option<String>, Vec<Option<Source>>) {
    let output_of = |source: &Source| {
        recorded
            .iter()
            .find(|(n, _)| *n == source.node)
            .and_then(|(_, run)| run.outputs.get(source.output))
            .and_then(Value::as_array)
            .cloned()
    };
    let ran_from = recorded
        .iter()
        .find(|(n, _)| n == node)
        .and_then(|(_, run)| run.sources.first().cloned().flatten());
    let connected = graph::links(workflow)
        .filter(|l| l.kind == "main" && l.target.node == node && l.target.index == 0)
        .map(|l| Source {
            node: l.source.to_string(),
            output: l.output,
        });
    ran_from
        .into_iter()
        .chain(connected)
        .find_map(|source| {
            let items = output_of(&source)?;
            Some((items, Some(source.node.clone()), vec![Some(source)]))
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workflow(pins: &str) -> Workflow {
        Workflow::from_json(&format!(
            r#"{{"name":"w","nodes":[
                {{"name":"Hook","type":"n8n-nodes-base.webhook","typeVersion":2,"position":[0,0],"parameters":{{}}}},
                {{"name":"Set","type":"n8n-nodes-base.set","typeVersion":3.4,"position":[200,0],"parameters":{{}}}}],
              "connections":{{"Hook":{{"main":[[{{"node":"Set","type":"main","index":0}}]]}}}},
              "pinData":{pins}}}"#
        ))
        .unwrap()
    }

    fn run_data() -> Map<String, Value> {
        serde_json::from_value(json!({
            "Hook": [{"startTime": 0, "executionTime": 1, "source": [],
                      "data": {"main": [[{"json": {"name": "Ada", "n": 2}}, {"json": {"name": "Bob", "n": 3}}]]}}]
        }))
        .unwrap()
    }

    fn preview(
        wf: &Workflow,
        data: &Map<String, Value>,
        expr: &str,
        item: usize,
    ) -> Result<Preview, PreviewError> {
        let empty = Map::new();
        Engine::default().preview(&PreviewRequest {
            workflow: wf,
            run_data: data,
            node: "Set",
            expression: expr,
            item,
            execution_id: "e1",
            env: &empty,
            vars: &empty,
            now_ms: 0,
            sandbox_key: "t",
        })
    }

    #[test]
    fn reads_the_input_item_of_an_earlier_run() {
        let wf = workflow("{}");
        let data = run_data();
        let first = preview(&wf, &data, "={{ $json.name.toUpperCase() }}", 0).unwrap();
        assert_eq!(
            first,
            Preview {
                value: Ok(json!("ADA")),
                items: 2
            }
        );
        let second = preview(
            &wf,
            &data,
            "=Hi {{ $json.name }}, {{ $('Hook').all().length }}",
            1,
        )
        .unwrap();
        assert_eq!(second.value, Ok(json!("Hi Bob, 2")));
        let typed = preview(&wf, &data, "={{ $input.item.json.n * 10 }}", 1).unwrap();
        assert_eq!(typed.value, Ok(json!(30)));
    }

    #[test]
    fn pinned_items_replace_what_the_node_gave() {
        let wf = workflow(r#"{"Hook":[{"json":{"name":"Pinned"}}]}"#);
        let got = preview(&wf, &run_data(), "={{ $json.name }}", 0).unwrap();
        assert_eq!(
            got,
            Preview {
                value: Ok(json!("Pinned")),
                items: 1
            }
        );
        // Without any run, pins alone feed the preview.
        let got = preview(&wf, &Map::new(), "={{ $json.name }}", 0).unwrap();
        assert_eq!(got.value, Ok(json!("Pinned")));
    }

    #[test]
    fn errors_are_the_runs_and_bad_requests_say_why() {
        let wf = workflow("{}");
        let data = run_data();
        let failed = preview(&wf, &data, "={{ $json.missing.deeper }}", 0).unwrap();
        assert_eq!(failed.items, 2);
        assert!(
            matches!(failed.value, Err(EvalError::Script(ref m)) if m.contains("deeper")),
            "{failed:?}"
        );
        assert_eq!(
            preview(&wf, &data, "plain", 0),
            Err(PreviewError::NotAnExpression)
        );
        assert!(matches!(
            preview(&wf, &data, "={{ 1 ", 0),
            Err(PreviewError::Template(_))
        ));
        let empty = Map::new();
        let unknown = Engine::default().preview(&PreviewRequest {
            workflow: &wf,
            run_data: &data,
            node: "Nope",
            expression: "={{ 1 }}",
            item: 0,
            execution_id: "",
            env: &empty,
            vars: &empty,
            now_ms: 0,
            sandbox_key: "t",
        });
        assert_eq!(unknown, Err(PreviewError::UnknownNode("Nope".into())));
    }

    #[test]
    fn without_a_run_the_node_sees_no_input() {
        let wf = workflow("{}");
        let got = preview(&wf, &Map::new(), "={{ $input.all().length }}", 0).unwrap();
        assert_eq!(
            got,
            Preview {
                value: Ok(json!(0)),
                items: 0
            }
        );
    }
}
