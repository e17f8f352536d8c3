//! One execution: the scheduling loop, per-node settings (disabled, pinned data, retries,
//! error handling, execute once, always output data) and the run data n8n records.
//!
//! Order (n8n v1): depth first. After a node runs, its children are scheduled output by
//! output and connection by connection, and the first child's branch runs to its end before
//! the next child starts. A node with several connected inputs waits until each has data;
//! when nothing else can run, a waiting node runs with what it has (as n8n does for a Merge
//! whose other branch produced nothing).

mod drive;

use super::context::{NodeContext, NodeError, WebhookResponse};
use super::pool::SandboxPool;
use super::{ExecutionBudget, Host, Item, NetworkPolicy, nodes};
use crate::expr::{Limits, RunFacts, Sandbox, Source};
use agente_core::{ExecutionId, ExecutionMode, ExecutionStatus};
use agente_network::OutboundHttp;
use agente_workflow_model::graph::Graph;
use agente_workflow_model::{Node, Workflow, catalogue};
use drive::Drive;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Runaway loops stop after this many node runs.
const MAX_NODE_RUNS: usize = 10_000;

/// How an execution starts.
#[derive(Clone, Debug, Default)]
pub struct RunRequest {
    /// The trigger to start from; the first enabled trigger when `None`.
    pub start: Option<String>,
    /// Items the trigger emits (webhook request, manual input). One empty item when empty.
    pub items: Vec<Item>,
    pub execution_id: ExecutionId,
    pub mode: ExecutionMode,
    pub now_ms: i64,
    pub env: serde_json::Map<String, Value>,
    pub vars: serde_json::Map<String, Value>,
    /// Decrypted credentials the workflow references, by credential id and by name.
    pub credentials: HashMap<String, Value>,
    /// Values the finished execution must not show (a caller's `Authorization`, secrets
    /// of the credentials above): masked in its run data, error and logs.
    pub redact: Vec<String>,
    /// Runs sub-workflows; without one the Execute Workflow node fails.
    pub host: Option<Arc<dyn Host>>,
    /// Cancelling it stops the execution (the running node is dropped at its next await).
    pub cancel: CancellationToken,
    /// Sub-workflow nesting depth (0 at the top).
    pub depth: u8,
    /// Which sandboxes this run may reuse (the tenant): see `pool.rs`.
    pub sandbox_key: String,
    /// `$execution.resumeUrl`: where a call resumes this execution's Wait node.
    pub resume_url: String,
    /// Whether a long wait may suspend the run (`ExecutionStatus::Waiting`): its caller
    /// keeps the state and resumes it. Without, waits over a minute fail.
    pub durable_waits: bool,
    /// Go on with a waiting execution instead of starting one.
    pub resume: Option<Resume>,
    /// Hears each node start and end while the run goes (live updates).
    pub observer: Option<Arc<dyn crate::RunObserver>>,
    /// Run only what leads to this node, and it, then stop (the editor's "execute step").
    pub destination: Option<String>,
    /// Outputs of nodes that ran before (an earlier run's data): these nodes give them
    /// again instead of running, as n8n's partial runs do. Pinned items come first.
    pub reused: HashMap<String, Vec<Vec<Item>>>,
}

/// A waiting execution, and what its Wait node outputs as it goes on.
#[derive(Clone, Debug)]
pub struct Resume {
    pub suspended: Suspended,
    /// The resuming webhook call's items; the Wait node's input passes through when `None`.
    pub items: Option<Vec<Item>>,
}

/// Where a waiting execution stopped: all it needs to go on, in this process or another.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Suspended {
    /// The Wait node.
    pub node: String,
    /// When it goes on by itself; `None` when only a call to its webhook resumes it.
    pub wait_till_ms: Option<i64>,
    /// Whether a call to its resume webhook resumes it.
    pub on_webhook: bool,
    state: RunState,
    run_data: IndexMap<String, Vec<NodeRun>>,
    last_node: Option<String>,
}

impl Suspended {
    /// How many node runs happened before this wait: tells one wait of an execution from
    /// the next.
    pub fn step(&self) -> usize {
        self.state.total_runs
    }
}

/// The scheduling state of a run between two node runs.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunState {
    stack: Vec<Pending>,
    waiting: IndexMap<String, Vec<Slot>>,
    runs_so_far: HashMap<String, usize>,
    /// What nodes keep between their runs in this execution (Loop Over Items' queue).
    node_state: HashMap<String, Value>,
    /// The input sources of each node's last run: with run data they rebuild what
    /// expressions see when a waiting run goes on.
    sources: HashMap<String, Vec<Option<Source>>>,
    total_runs: usize,
}

/// How waiting for one node ended.
enum Outcome {
    Done(Result<Vec<Vec<Item>>, NodeError>),
    TimedOut,
    Canceled,
}

/// The failure that ended an execution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExecutionError {
    pub node: Option<String>,
    pub message: String,
}

/// One run of one node, as n8n records it in `runData`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeRun {
    pub start_time: i64,
    /// Milliseconds.
    pub execution_time: u64,
    /// `{"main": [[items of output 0], [items of output 1], …]}`
    pub data: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<String>,
    /// Where each input's items came from (`[]` for a trigger), as n8n records it: what
    /// `$('Node').item` and the editor's expression preview follow back.
    #[serde(default)]
    pub source: Vec<Option<TaskSource>>,
}

/// One input's origin in a node run: n8n's `{previousNode, previousNodeOutput}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskSource {
    pub previous_node: String,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub previous_node_output: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl TaskSource {
    /// n8n's form of a node run's input sources; a trigger's (no source at all) is `[]`.
    pub fn list(sources: &[Option<Source>]) -> Vec<Option<TaskSource>> {
        if sources.iter().all(Option::is_none) {
            return Vec::new();
        }
        sources
            .iter()
            .map(|s| {
                s.as_ref().map(|s| TaskSource {
                    previous_node: s.node.clone(),
                    previous_node_output: s.output,
                })
            })
            .collect()
    }

    pub fn to_source(&self) -> Source {
        Source {
            node: self.previous_node.clone(),
            output: self.previous_node_output,
        }
    }
}

/// The result of running a workflow.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Execution {
    pub status: ExecutionStatus,
    pub error: Option<ExecutionError>,
    pub run_data: IndexMap<String, Vec<NodeRun>>,
    pub last_node: Option<String>,
    #[serde(skip)]
    pub response: Option<WebhookResponse>,
    /// Set when the status is `Waiting`.
    #[serde(skip)]
    pub suspended: Option<Box<Suspended>>,
}

impl Default for Execution {
    fn default() -> Self {
        Self {
            status: ExecutionStatus::Success,
            error: None,
            run_data: IndexMap::new(),
            last_node: None,
            response: None,
            suspended: None,
        }
    }
}

impl Execution {
    fn failed(node: Option<&str>, message: String) -> Self {
        Self {
            status: ExecutionStatus::Error,
            error: Some(ExecutionError {
                node: node.map(str::to_string),
                message,
            }),
            ..Self::default()
        }
    }

    /// Items of output 0 of the last run of `node`.
    pub fn output(&self, node: &str) -> Vec<Value> {
        self.output_of(node, 0)
    }

    pub fn output_of(&self, node: &str, index: usize) -> Vec<Value> {
        self.run_data
            .get(node)
            .and_then(|runs| runs.last())
            .and_then(|run| run.data["main"].get(index))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }
}

/// Runs workflows. Cheap to share.
#[derive(Clone, Debug)]
pub struct Engine {
    pub limits: Limits,
    /// The one client for user-given URLs (connection pools are shared), under the
    /// engine's network policy.
    pub(crate) http: OutboundHttp,
    pub(crate) sandboxes: SandboxPool,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new(Limits::default(), NetworkPolicy::default())
    }
}

/// Items waiting at one input of a node, and where they came from (none for the trigger).
type Slot = Option<(Option<Source>, Vec<Item>)>;

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Pending {
    node: String,
    inputs: Vec<Slot>,
    /// Set on the Wait node of a run that goes on: what it outputs instead of running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    resumed: Option<Vec<Item>>,
}

impl Engine {
    pub fn new(limits: Limits, network: NetworkPolicy) -> Self {
        Self {
            limits,
            http: OutboundHttp::with_policy(network),
            sandboxes: SandboxPool::default(),
        }
    }

    /// Calls to user-given URLs through `http` (an operator's proxy, say) instead of a
    /// client of its own; `http`'s policy is the engine's.
    pub fn with_http(mut self, http: OutboundHttp) -> Self {
        self.http = http;
        self
    }

    /// Where the engine's calls to user-given destinations may go.
    pub fn network(&self) -> &NetworkPolicy {
        self.http.policy()
    }

    /// Whether this engine can run `node`.
    pub fn supports(&self, node: &Node) -> bool {
        nodes::supports(node)
    }

    /// Runs `workflow` as `request` says: from a trigger, or on from where it waited. Its
    /// deadline, CPU allowance and stop request reach into running code through the
    /// sandbox's hold; long or program-running code runs off the runtime's workers
    /// (`expr/offload.rs`).
    pub async fn run(&self, workflow: &Workflow, request: RunRequest) -> Execution {
        let sandbox = match self.sandboxes.take(&request.sandbox_key, self.limits) {
            Ok(s) => s,
            Err(e) => return Execution::failed(None, e.to_string()),
        };
        let budget = ExecutionBudget::default()
            .with_cpu(self.limits.execution_cpu)
            .with_deadline(deadline_of(workflow));
        sandbox.hold(
            budget.deadline(),
            budget.cpu().clone(),
            request.cancel.clone(),
        );
        let mut exec = self.run_in(&sandbox, workflow, &request, &budget).await;
        sandbox.release();
        self.sandboxes.give_back(&request.sandbox_key, sandbox);
        exec.mask(&super::redaction::secrets_of(&request));
        exec
    }

    async fn run_in(
        &self,
        sandbox: &Sandbox,
        workflow: &Workflow,
        request: &RunRequest,
        budget: &ExecutionBudget,
    ) -> Execution {
        let timezone = timezone_of(workflow);
        let facts = RunFacts {
            workflow: json!({ "id": workflow.id.get(), "name": workflow.name(), "active": workflow.active.or(false) }),
            execution: json!({ "id": request.execution_id, "mode": request.mode, "resumeUrl": request.resume_url }),
            env: &request.env,
            vars: &request.vars,
            now_ms: request.now_ms,
            timezone,
        };
        if let Err(e) = sandbox.begin(&facts) {
            return Execution::failed(None, e.to_string());
        }
        let (exec, state) = match &request.resume {
            None => match first_state(workflow, request) {
                Ok(state) => (Execution::default(), state),
                Err(message) => return Execution::failed(None, message),
            },
            Some(resume) => match resumed_state(sandbox, workflow, resume) {
                Ok(started) => started,
                Err(message) => return Execution::failed(Some(&resume.suspended.node), message),
            },
        };
        let drive = Drive {
            http: &self.http,
            sandbox,
            workflow,
            request,
            budget,
            graph: match &request.destination {
                Some(destination) => Graph::leading_to(workflow, destination),
                None => Graph::new(workflow),
            },
            started: Instant::now(),
        };
        drive.run(exec, state).await
    }
}

/// The zone of `$now` and of dates without an offset: `settings.timezone`, else UTC.
pub(crate) fn timezone_of(workflow: &Workflow) -> &str {
    workflow
        .setting("timezone")
        .and_then(Value::as_str)
        .filter(|z| *z != "DEFAULT")
        .unwrap_or("UTC")
}

/// `settings.executionTimeout` (seconds; -1 or absent: none) as an instant from now. The
/// validator keeps it in range; a stored document that is not is read without a panic (too
/// large: no deadline).
fn deadline_of(workflow: &Workflow) -> Option<Instant> {
    workflow
        .setting("executionTimeout")
        .and_then(Value::as_f64)
        .filter(|s| *s > 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .and_then(|d| Instant::now().checked_add(d))
}

/// A fresh run: the trigger (the request's, else the first enabled one) with its items.
fn first_state(workflow: &Workflow, request: &RunRequest) -> Result<RunState, String> {
    let start = request.start.clone().or_else(|| {
        workflow
            .nodes()
            .iter()
            .find(|n| !n.is_disabled() && catalogue::is_trigger(&n.kind))
            .map(|n| n.name.clone())
    });
    let start = start
        .filter(|s| workflow.node(s).is_some())
        .ok_or("the workflow has no trigger to start from")?;
    let items = if request.items.is_empty() {
        vec![Item::default()]
    } else {
        request.items.clone()
    };
    Ok(RunState {
        stack: vec![Pending {
            node: start,
            inputs: vec![Some((None, items))],
            resumed: None,
        }],
        ..RunState::default()
    })
}

/// A run going on after a wait: the sandbox is given back every node's last output (what
/// `$('Node')` and paired items read), and the Wait node on top of the stack is marked done
/// with the resuming items (else its input).
fn resumed_state(
    sandbox: &Sandbox,
    workflow: &Workflow,
    resume: &Resume,
) -> Result<(Execution, RunState), String> {
    let suspended = &resume.suspended;
    let mut state = suspended.state.clone();
    for (name, runs) in &suspended.run_data {
        let Some(last) = runs.last() else { continue };
        let sources = state
            .sources
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let context = state
            .node_state
            .get(name)
            .and_then(|s| s.get("context"))
            .unwrap_or(&Value::Null);
        sandbox
            .record(name, &last.data["main"], sources, context)
            .map_err(|e| e.to_string())?;
    }
    let top = state
        .stack
        .last_mut()
        .filter(|p| p.node == suspended.node && workflow.node(&p.node).is_some())
        .ok_or("the saved state of this waiting execution does not fit its workflow")?;
    top.resumed = Some(match &resume.items {
        Some(items) => items.clone(),
        None => top
            .inputs
            .first()
            .cloned()
            .flatten()
            .map(|(_, items)| items)
            .unwrap_or_default(),
    });
    let exec = Execution {
        run_data: suspended.run_data.clone(),
        last_node: suspended.last_node.clone(),
        ..Execution::default()
    };
    Ok((exec, state))
}

/// Runs one node with its settings: disabled nodes pass input through, pinned data replaces
/// the output, `executeOnce` keeps the first item, retries wait between tries.
async fn run_node(
    workflow: &Workflow,
    reused: &HashMap<String, Vec<Vec<Item>>>,
    ctx: &mut NodeContext<'_>,
) -> Result<Vec<Vec<Item>>, NodeError> {
    let node = ctx.node;
    if node.is_disabled() {
        return Ok(vec![nodes::pass_through(ctx)]);
    }
    if let Some(Value::Array(pinned)) = workflow.pin_data.get().and_then(|p| p.get(&node.name)) {
        return Ok(vec![
            pinned.iter().cloned().map(Item::from_returned).collect(),
        ]);
    }
    if let Some(outputs) = reused.get(&node.name) {
        return Ok(outputs.clone());
    }
    if node.execute_once.or(false) {
        for input in &mut ctx.inputs {
            input.truncate(1);
        }
    }
    let (tries, wait_ms) = node.retry().unwrap_or((1, 0));
    let mut attempt = 1;
    loop {
        match nodes::execute(ctx).await {
            Ok(out) => return Ok(out),
            Err(err) if attempt < tries => {
                ctx.logs
                    .push(format!("try {attempt} of {tries} failed: {err}"));
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(wait_ms)).await;
            }
            Err(err) => return Err(err),
        }
    }
}

fn error_items(input: &[Item], err: &NodeError) -> Vec<Item> {
    let error = json!({ "error": err.to_string() });
    let count = input.len().max(1);
    (0..count)
        .map(|i| Item::from_value(error.clone()).paired(i))
        .collect()
}

/// Hands each output's items to the nodes connected to it (see the module comment).
fn schedule_children(
    workflow: &Workflow,
    graph: &Graph<'_>,
    node: &Node,
    outputs: Vec<Vec<Item>>,
    stack: &mut Vec<Pending>,
    waiting: &mut IndexMap<String, Vec<Slot>>,
) {
    let mut ready = Vec::new();
    for (index, items) in outputs.into_iter().enumerate() {
        if items.is_empty() {
            continue;
        }
        for connection in graph.children(&node.name, index) {
            let Some(target) = workflow.node(&connection.node) else {
                continue;
            };
            let slot = connection.index as usize;
            let inputs_needed = graph.input_count(&target.name);
            let arrived = Some((
                Some(Source {
                    node: node.name.clone(),
                    output: index,
                }),
                items.clone(),
            ));
            if inputs_needed <= 1 {
                let mut inputs = vec![None; slot + 1];
                inputs[slot] = arrived;
                ready.push(Pending {
                    node: target.name.clone(),
                    inputs,
                    resumed: None,
                });
                continue;
            }
            let entry = waiting
                .entry(target.name.clone())
                .or_insert_with(|| vec![None; inputs_needed]);
            if entry.len() <= slot {
                entry.resize(slot + 1, None);
            }
            entry[slot] = arrived;
            if entry.iter().all(Option::is_some) {
                let inputs = waiting.shift_remove(&target.name).unwrap_or_default();
                ready.push(Pending {
                    node: target.name.clone(),
                    inputs,
                    resumed: None,
                });
            }
        }
    }
    // Last pushed runs first: push in reverse so the first child's branch goes first.
    stack.extend(ready.into_iter().rev());
}
