//! Runs on the canvas while they happen, and saves made elsewhere. The editor listens to
//! its workflow's live updates (`/api/v1/events`, server-sent events, resumed by the
//! browser after a lost connection) and keeps what each node of the latest manual run did.
//! The reading of events is plain Rust, tested on the server's target too.
#![cfg_attr(not(feature = "hydrate"), allow(dead_code))]

use crate::api::ExecutionView;
use serde_json::Value;
use std::collections::HashMap;

/// The event names the editor listens for.
pub const EVENT_NAMES: [&str; 7] = [
    "executionStarted",
    "nodeStarted",
    "nodeFinished",
    "executionFinished",
    "workflowSaved",
    "workflowActivated",
    "resync",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeStatus {
    Running,
    Success,
    Error,
}

/// What one node did in the run shown: over all its runs (a loop runs it again).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeRun {
    pub status: NodeStatus,
    /// Items on each main output, summed over its runs.
    pub items: Vec<usize>,
    pub runs: usize,
    pub error: Option<String>,
}

impl NodeRun {
    /// What the node's badge says.
    pub fn summary(&self) -> String {
        match self.status {
            NodeStatus::Running => "running…".into(),
            NodeStatus::Error => "failed".into(),
            NodeStatus::Success => {
                let n: usize = self.items.iter().sum();
                let items = if n == 1 {
                    "1 item".into()
                } else {
                    format!("{n} items")
                };
                if self.runs > 1 {
                    format!("{items} · {} runs", self.runs)
                } else {
                    items
                }
            }
        }
    }
}

/// The latest manual run of the workflow, as far as it has been heard.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunView {
    pub execution: Option<String>,
    /// `running` until it ends; then `success`, `error`, `waiting`, `canceled`.
    pub status: Option<String>,
    pub nodes: HashMap<String, NodeRun>,
}

/// What an event asks of the editor besides the run it shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Heard {
    Nothing,
    /// Something to read out in the status line.
    Say(String),
    /// The run ended: read out, and whether it failed.
    Finished {
        message: String,
        failed: bool,
    },
    /// A version was stored (by this editor or another).
    Saved(i64),
    Activated(bool),
    /// Events may have been missed: what is shown may be stale.
    Resync,
}

impl RunView {
    /// Takes in one event (`name`, its JSON data).
    pub fn hear(&mut self, name: &str, data: &Value) -> Heard {
        let execution = data["executionId"].as_str();
        let node = data["node"].as_str().unwrap_or_default();
        let ours = execution.is_some() && execution == self.execution.as_deref();
        match name {
            // Only manual runs are drawn: production runs of an active workflow do not
            // take the canvas from the person editing it.
            "executionStarted" if data["mode"] == "manual" => {
                *self = RunView {
                    execution: execution.map(str::to_string),
                    status: Some("running".into()),
                    nodes: HashMap::new(),
                };
                Heard::Say("Run started".into())
            }
            "nodeStarted" if ours => {
                let run = self.nodes.entry(node.to_string()).or_insert(NodeRun {
                    status: NodeStatus::Running,
                    items: Vec::new(),
                    runs: 0,
                    error: None,
                });
                run.status = NodeStatus::Running;
                Heard::Nothing
            }
            "nodeFinished" if ours => {
                let items: Vec<usize> = data["items"]
                    .as_array()
                    .map(|a| a.iter().map(|n| n.as_u64().unwrap_or(0) as usize).collect())
                    .unwrap_or_default();
                let error = data["error"].as_str().map(str::to_string);
                self.finished(node, &items, error);
                Heard::Nothing
            }
            "executionFinished" if ours => {
                let status = data["status"].as_str().unwrap_or("error").to_string();
                // A node cut off (stopped, timed out) never said it finished.
                for run in self.nodes.values_mut() {
                    if run.status == NodeStatus::Running {
                        run.status = NodeStatus::Error;
                    }
                }
                let failed = status == "error";
                let message = match (
                    status.as_str(),
                    data["node"].as_str(),
                    data["error"].as_str(),
                ) {
                    ("success", ..) => "Run finished: success".to_string(),
                    ("waiting", ..) => "Run is waiting (a Wait node)".to_string(),
                    ("canceled", ..) => "Run stopped".to_string(),
                    (_, Some(n), Some(e)) => format!("Run failed in {n}: {e}"),
                    (_, _, Some(e)) => format!("Run failed: {e}"),
                    _ => format!("Run ended: {status}"),
                };
                self.status = Some(status);
                Heard::Finished { message, failed }
            }
            "workflowSaved" => data["version"]
                .as_i64()
                .map_or(Heard::Nothing, Heard::Saved),
            "workflowActivated" => data["active"]
                .as_bool()
                .map_or(Heard::Nothing, Heard::Activated),
            "resync" => Heard::Resync,
            _ => Heard::Nothing,
        }
    }

    /// Items the run sent along an edge leaving `node`'s main output `output`.
    /// A stored execution as the canvas draws it: each node's runs summed.
    pub fn of_execution(view: &ExecutionView) -> Self {
        let mut shown = RunView {
            execution: Some(view.row.id.clone()),
            status: Some(view.row.status.clone()),
            nodes: HashMap::new(),
        };
        for run in &view.nodes {
            shown.finished(&run.node, &run.per_output, run.error.clone());
        }
        shown
    }

    /// One run of `node` ended with `items` on each output (or `error`).
    fn finished(&mut self, node: &str, items: &[usize], error: Option<String>) {
        let run = self.nodes.entry(node.to_string()).or_insert(NodeRun {
            status: NodeStatus::Success,
            items: Vec::new(),
            runs: 0,
            error: None,
        });
        if run.items.len() < items.len() {
            run.items.resize(items.len(), 0);
        }
        for (sum, n) in run.items.iter_mut().zip(items) {
            *sum += n;
        }
        run.runs += 1;
        run.status = if error.is_some() {
            NodeStatus::Error
        } else {
            NodeStatus::Success
        };
        run.error = error;
    }

    pub fn items_on(&self, node: &str, output: usize) -> Option<usize> {
        let run = self.nodes.get(node)?;
        (run.status != NodeStatus::Running).then(|| run.items.get(output).copied().unwrap_or(0))
    }
}

#[cfg(feature = "hydrate")]
mod imp {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    /// An open event stream; closed when dropped.
    pub struct Listening {
        source: web_sys::EventSource,
        _handlers: Vec<Closure<dyn Fn(web_sys::MessageEvent)>>,
        _state: [Closure<dyn Fn(web_sys::Event)>; 2],
    }

    impl Drop for Listening {
        fn drop(&mut self) {
            self.source.close();
        }
    }

    /// Listens to `workflow_id`'s live updates; `on(name, data)` for each, and
    /// `connected(true/false)` as the stream opens and drops. The browser reconnects by
    /// itself, sending the last event id it saw.
    pub fn listen(
        workflow_id: &str,
        on: impl Fn(&str, serde_json::Value) + Clone + 'static,
        connected: impl Fn(bool) + Clone + 'static,
    ) -> Option<Listening> {
        let url = format!("/api/v1/events?workflowId={workflow_id}");
        let source = web_sys::EventSource::new(&url).ok()?;
        let state = [true, false].map(|up| {
            let connected = connected.clone();
            let cb = Closure::<dyn Fn(web_sys::Event)>::new(move |_: web_sys::Event| connected(up));
            let name = if up { "open" } else { "error" };
            let _ = source.add_event_listener_with_callback(name, cb.as_ref().unchecked_ref());
            cb
        });
        let handlers = super::EVENT_NAMES
            .iter()
            .map(|name| {
                let on = on.clone();
                let cb = Closure::<dyn Fn(web_sys::MessageEvent)>::new(
                    move |ev: web_sys::MessageEvent| {
                        let data = ev
                            .data()
                            .as_string()
                            .and_then(|t| serde_json::from_str(&t).ok())
                            .unwrap_or_default();
                        on(name, data);
                    },
                );
                let _ = source.add_event_listener_with_callback(name, cb.as_ref().unchecked_ref());
                cb
            })
            .collect();
        Some(Listening {
            source,
            _handlers: handlers,
            _state: state,
        })
    }
}

#[cfg(feature = "hydrate")]
pub use imp::{Listening, listen};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hear(view: &mut RunView, name: &str, data: Value) -> Heard {
        view.hear(name, &data)
    }

    #[test]
    fn a_stored_execution_is_drawn_as_its_runs_summed() {
        use crate::api::{ExecutionRow, NodeRunView};
        let run = |node: &str, per_output: Vec<usize>, error: Option<&str>| NodeRunView {
            node: node.into(),
            execution_time: 1,
            outputs: Vec::new(),
            items: per_output.iter().sum(),
            per_output,
            error: error.map(str::to_string),
            logs: Vec::new(),
        };
        let view = ExecutionView {
            row: ExecutionRow {
                id: "e9".into(),
                workflow_id: "w".into(),
                status: "error".into(),
                mode: "manual".into(),
                started_at: 0,
                duration_ms: Some(5),
                error: Some("boom".into()),
                wait_till: None,
            },
            nodes: vec![
                run("If", vec![2, 1], None),
                run("If", vec![0, 1], None),
                run("Fail", vec![], Some("boom")),
            ],
            workflow: None,
        };
        let shown = RunView::of_execution(&view);
        assert_eq!(shown.execution.as_deref(), Some("e9"));
        assert_eq!(shown.nodes["If"].summary(), "4 items · 2 runs");
        assert_eq!(
            (shown.items_on("If", 0), shown.items_on("If", 1)),
            (Some(2), Some(2))
        );
        assert_eq!(shown.nodes["Fail"].status, NodeStatus::Error);
        assert_eq!(shown.nodes["Fail"].error.as_deref(), Some("boom"));
    }

    #[test]
    fn a_manual_run_is_followed_node_by_node() {
        let mut v = RunView::default();
        assert_eq!(
            hear(
                &mut v,
                "executionStarted",
                json!({"executionId": "e1", "mode": "manual"})
            ),
            Heard::Say("Run started".into())
        );
        hear(
            &mut v,
            "nodeStarted",
            json!({"executionId": "e1", "node": "If"}),
        );
        assert_eq!(v.nodes["If"].status, NodeStatus::Running);
        assert_eq!(v.items_on("If", 0), None, "no count while it runs");
        hear(
            &mut v,
            "nodeFinished",
            json!({"executionId": "e1", "node": "If", "items": [2, 1]}),
        );
        hear(
            &mut v,
            "nodeFinished",
            json!({"executionId": "e1", "node": "If", "items": [1, 0]}),
        );
        assert_eq!(
            (v.items_on("If", 0), v.items_on("If", 1)),
            (Some(3), Some(1))
        );
        assert_eq!(v.nodes["If"].summary(), "4 items · 2 runs");
        hear(
            &mut v,
            "nodeStarted",
            json!({"executionId": "e1", "node": "Boom"}),
        );
        let end = hear(
            &mut v,
            "executionFinished",
            json!({"executionId": "e1", "status": "error", "node": "Boom", "error": "too big"}),
        );
        assert_eq!(
            end,
            Heard::Finished {
                message: "Run failed in Boom: too big".into(),
                failed: true
            }
        );
        assert_eq!(
            v.nodes["Boom"].status,
            NodeStatus::Error,
            "cut off while running"
        );
    }

    #[test]
    fn other_runs_and_production_runs_leave_the_canvas_alone() {
        let mut v = RunView::default();
        hear(
            &mut v,
            "executionStarted",
            json!({"executionId": "e1", "mode": "manual"}),
        );
        hear(
            &mut v,
            "executionStarted",
            json!({"executionId": "e2", "mode": "webhook"}),
        );
        hear(
            &mut v,
            "nodeFinished",
            json!({"executionId": "e2", "node": "Hook", "items": [1]}),
        );
        assert_eq!(v.execution.as_deref(), Some("e1"));
        assert!(v.nodes.is_empty());
        assert_eq!(
            hear(&mut v, "workflowSaved", json!({"version": 7, "by": "u"})),
            Heard::Saved(7)
        );
        assert_eq!(hear(&mut v, "resync", json!({})), Heard::Resync);
    }
}
