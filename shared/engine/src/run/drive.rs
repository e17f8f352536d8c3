//! The scheduling loop of one execution: take the next node, run it under the execution's
//! limits, settle its error handling, record the run, schedule its children — until none is
//! left, one fails, the run is stopped or times out, or a Wait node suspends it.

use super::{
    Execution, ExecutionError, MAX_NODE_RUNS, NodeRun, Outcome, Pending, RunRequest, RunState,
    Suspended, TaskSource, error_items, run_node, schedule_children,
};
use crate::context::{NodeContext, NodeError, Suspend};
use crate::expr::{Sandbox, Source, offload};
use crate::{ExecutionBudget, Item, NodeFinished, nodes};
use agente_core::ExecutionStatus;
use agente_network::OutboundHttp;
use agente_workflow_model::graph::Graph;
use agente_workflow_model::{Node, OnError, Workflow};
use serde_json::{Value, json};
use std::time::Instant;

/// What the loop does after a node run.
enum Next {
    Continue,
    Stop,
    /// A Wait node suspended the run; it goes on from there later.
    Suspend(Suspend),
}

/// A node run's outputs and the error text its run data shows.
type Settled = (Result<Vec<Vec<Item>>, String>, Option<String>);

/// What every node run of one execution shares.
pub(super) struct Drive<'a> {
    pub http: &'a OutboundHttp,
    pub sandbox: &'a Sandbox,
    pub workflow: &'a Workflow,
    pub request: &'a RunRequest,
    pub budget: &'a ExecutionBudget,
    pub graph: Graph<'a>,
    /// When the run started here, for each node run's start time.
    pub started: Instant,
}

impl<'a> Drive<'a> {
    /// Runs nodes until the execution ends or suspends.
    pub(super) async fn run(&self, mut exec: Execution, mut state: RunState) -> Execution {
        loop {
            if self.request.cancel.is_cancelled() {
                exec.status = ExecutionStatus::Canceled;
                break;
            }
            let Some(pending) = next_pending(&mut state) else {
                break;
            };
            state.total_runs += 1;
            if state.total_runs > MAX_NODE_RUNS {
                let message =
                    format!("stopped after {MAX_NODE_RUNS} node runs: the workflow loops");
                fail(&mut exec, Some(&pending.node), message);
                break;
            }
            let Some(node) = self.workflow.node(&pending.node) else {
                // Only a saved state that does not fit its workflow gets here.
                let message = "the node to run next is not in the workflow".into();
                fail(&mut exec, Some(&pending.node), message);
                break;
            };
            match self.step(node, pending, &mut exec, &mut state).await {
                Next::Continue => {}
                Next::Stop => break,
                Next::Suspend(suspend) => {
                    exec.status = ExecutionStatus::Waiting;
                    exec.suspended = Some(Box::new(Suspended {
                        node: node.name.clone(),
                        wait_till_ms: suspend.till_ms,
                        on_webhook: suspend.on_webhook,
                        state: std::mem::take(&mut state),
                        run_data: exec.run_data.clone(),
                        last_node: exec.last_node.clone(),
                    }));
                    break;
                }
            }
        }
        exec
    }

    /// One node run: run it, then record it and schedule its children.
    async fn step(
        &self,
        node: &'a Node,
        pending: Pending,
        exec: &mut Execution,
        state: &mut RunState,
    ) -> Next {
        let run_index = state.next_run_index(&node.name);
        let (sources, inputs): (Vec<Option<Source>>, Vec<Vec<Item>>) = pending
            .inputs
            .into_iter()
            .map(|slot| slot.unwrap_or_default())
            .unzip();
        self.tell_started(node);
        let started = Instant::now();
        let start_time = self.request.now_ms + self.started.elapsed().as_millis() as i64;
        let input_values: Vec<Value> = inputs
            .first()
            .map(|i| i.iter().map(Item::to_value).collect())
            .unwrap_or_default();
        let loaded = self.sandbox.step(
            &input_values,
            run_index,
            exec.last_node.as_deref(),
            &sources,
        );
        let node_state = state.node_state.remove(&node.name).unwrap_or(Value::Null);
        let mut ctx = self.context(node, inputs, run_index, start_time, node_state);
        let outcome = match (loaded, pending.resumed) {
            (Err(e), _) => Outcome::Done(Err(NodeError::Failed(e.to_string()))),
            // The Wait node a run goes on from: its wait is over.
            (Ok(()), Some(items)) => Outcome::Done(Ok(vec![items])),
            (Ok(()), None) => self.run_guarded(node, &mut ctx).await,
        };
        let Some(result) = self.within_limits(node, outcome, exec) else {
            return Next::Stop;
        };
        if !ctx.state.is_null() {
            state
                .node_state
                .insert(node.name.clone(), std::mem::take(&mut ctx.state));
        }
        if let (Some(suspend), Ok(_)) = (ctx.suspend.take(), &result) {
            // The Wait node runs again (as done) when the execution goes on.
            if let Some(n) = state.runs_so_far.get_mut(&node.name) {
                *n = n.saturating_sub(1);
            }
            state.total_runs -= 1;
            let inputs = sources.into_iter().zip(ctx.inputs).map(Some).collect();
            state.stack.push(Pending {
                node: node.name.clone(),
                inputs,
                resumed: None,
            });
            return Next::Suspend(suspend);
        }
        let (result, error_text) = settle(node, result, &ctx);
        if let Some(response) = ctx.response.take() {
            exec.response.get_or_insert(response);
        }
        let mut out = result.clone().unwrap_or_default();
        if node.always_output_data.or(false) && out.iter().all(Vec::is_empty) {
            out = vec![vec![Item::default()]];
        }
        let data = json!({ "main": out.iter().map(|items| items.iter().map(Item::to_value).collect::<Vec<_>>()).collect::<Vec<_>>() });
        let context = state
            .node_state
            .get(&node.name)
            .and_then(|s| s.get("context"))
            .unwrap_or(&Value::Null);
        let recorded = self
            .sandbox
            .record(&node.name, &data["main"], &sources, context);
        let run = NodeRun {
            start_time,
            execution_time: started.elapsed().as_millis() as u64,
            data,
            error: error_text,
            logs: std::mem::take(&mut ctx.logs),
            source: TaskSource::list(&sources),
        };
        state.sources.insert(node.name.clone(), sources);
        self.tell_finished(node, &out, &run);
        exec.run_data
            .entry(node.name.clone())
            .or_default()
            .push(run);
        exec.last_node = Some(node.name.clone());
        if let Err(message) = result {
            fail(exec, Some(&node.name), message);
            return Next::Stop;
        }
        if let Err(e) = recorded {
            fail(exec, Some(&node.name), e.to_string());
            return Next::Stop;
        }
        schedule_children(
            self.workflow,
            &self.graph,
            node,
            out,
            &mut state.stack,
            &mut state.waiting,
        );
        Next::Continue
    }

    fn tell_started(&self, node: &Node) {
        if let Some(observer) = &self.request.observer {
            observer.node_started(&node.name);
        }
    }

    /// Tells the observer how a node run ended; its error as the finished execution will
    /// show it (secrets masked).
    fn tell_finished(&self, node: &Node, out: &[Vec<Item>], run: &NodeRun) {
        let Some(observer) = &self.request.observer else {
            return;
        };
        let masked = |text: &str| {
            let secrets = crate::redaction::secrets_of(self.request);
            agente_network::redact::secrets(text, secrets.iter().map(String::as_str))
        };
        observer.node_finished(NodeFinished {
            node: &node.name,
            items: out.iter().map(Vec::len).collect(),
            error: run.error.as_deref().map(masked),
            millis: run.execution_time,
        });
    }

    /// What a node sees of the execution for one run.
    fn context(
        &self,
        node: &'a Node,
        inputs: Vec<Vec<Item>>,
        run_index: usize,
        now_ms: i64,
        state: Value,
    ) -> NodeContext<'a> {
        NodeContext {
            node,
            workflow: self.workflow,
            inputs,
            run_index,
            sandbox: self.sandbox,
            credentials: &self.request.credentials,
            http: self.http,
            budget: self.budget,
            host: self.request.host.as_deref(),
            execution_id: self.request.execution_id,
            depth: self.request.depth,
            now_ms,
            durable_waits: self.request.durable_waits,
            state,
            logs: Vec::new(),
            response: None,
            suspend: None,
        }
    }

    /// Runs the node until it ends, the workflow's deadline passes or the run is stopped.
    async fn run_guarded(&self, node: &Node, ctx: &mut NodeContext<'a>) -> Outcome {
        let deadline = self.budget.deadline();
        let timeout = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(at.into()).await,
                None => std::future::pending().await,
            }
        };
        let running = async {
            tokio::select! {
                result = run_node(self.workflow, &self.request.reused, ctx) => Outcome::Done(result),
                () = timeout => Outcome::TimedOut,
                () = self.request.cancel.cancelled() => Outcome::Canceled,
            }
        };
        // A program, or a computing node whose code may run long, runs off the runtime's
        // workers from its start.
        if nodes::runs_in_place(node, self.sandbox.runs_long()) {
            offload::run_node_in_place(running).await
        } else {
            running.await
        }
    }

    /// The node's result, unless the execution's limits ended it: those end it whatever the
    /// node made of its interruption (continue-on-fail, retries and error outputs must not
    /// run past them).
    fn within_limits(
        &self,
        node: &Node,
        outcome: Outcome,
        exec: &mut Execution,
    ) -> Option<Result<Vec<Vec<Item>>, NodeError>> {
        let canceled = |exec: &mut Execution| {
            exec.status = ExecutionStatus::Canceled;
            exec.last_node = Some(node.name.clone());
        };
        if self.request.cancel.is_cancelled() {
            canceled(exec);
            return None;
        }
        if let Some(stop) = self.budget.stop() {
            fail(exec, Some(&node.name), self.budget.describe(stop));
            return None;
        }
        match outcome {
            Outcome::Done(result) => Some(result),
            Outcome::TimedOut => {
                let message = "the workflow timed out (settings.executionTimeout)".into();
                fail(exec, Some(&node.name), message);
                None
            }
            Outcome::Canceled => {
                canceled(exec);
                None
            }
        }
    }
}

/// The next node to run: the top of the stack, else the first node still waiting for input
/// (it runs with what it has).
fn next_pending(state: &mut RunState) -> Option<Pending> {
    state.stack.pop().or_else(|| {
        state
            .waiting
            .shift_remove_index(0)
            .map(|(node, inputs)| Pending {
                node,
                inputs,
                resumed: None,
            })
    })
}

/// A failed node run as its `onError` setting says: stop the workflow, or go on with the
/// error as an item on the regular or the error output.
impl RunState {
    /// Which run of `node` this is (0 for its first).
    fn next_run_index(&mut self, node: &str) -> usize {
        *self
            .runs_so_far
            .entry(node.to_string())
            .and_modify(|n| *n += 1)
            .or_insert(0)
    }
}

fn settle(
    node: &Node,
    result: Result<Vec<Vec<Item>>, NodeError>,
    ctx: &NodeContext<'_>,
) -> Settled {
    match result {
        Ok(out) => (Ok(out), None),
        Err(err) => match node.on_error() {
            OnError::StopWorkflow => (Err(err.to_string()), Some(err.to_string())),
            OnError::ContinueRegularOutput => (
                Ok(vec![error_items(ctx.input(), &err)]),
                Some(err.to_string()),
            ),
            OnError::ContinueErrorOutput => {
                let mut out = vec![Vec::new(); agente_workflow_model::ports::main_outputs(node)];
                out.push(error_items(ctx.input(), &err));
                (Ok(out), Some(err.to_string()))
            }
        },
    }
}

fn fail(exec: &mut Execution, node: Option<&str>, message: String) {
    exec.status = ExecutionStatus::Error;
    exec.error = Some(ExecutionError {
        node: node.map(str::to_string),
        message,
    });
}
