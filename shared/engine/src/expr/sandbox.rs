//! The JavaScript sandbox expressions run in: QuickJS with a memory cap, a deadline per
//! call, and no host access (no require, process, fetch, timers or files exist in it).
//!
//! One sandbox serves one node run at a time: `load` hands it what the expressions may see
//! (input items, earlier nodes' outputs, workflow and execution facts), then `evaluate` runs
//! each parameter's template per item. Expressions are compiled once and cached by source.
//!
//! Beyond one call's deadline, the execution using the sandbox holds it with a
//! [`RunGuard`]: its deadline (`executionTimeout`), CPU allowance and stop request interrupt
//! running code too — `while(true){}` ends when the execution's allowance does, not only
//! when one call's does. On a runtime worker a call runs inline only for a slice, then off
//! the worker (`offload.rs`).

use super::cost::Cost;
use super::guard::{CpuAllowance, Interrupt, RunGuard, Stop};
use super::offload;
use agente_workflow_model::{Segment, Template};
use rquickjs::{Context, Function, Object, Runtime};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const PRELUDE: &str = include_str!("prelude.js");

/// Resource caps for one sandbox, and for the execution using it.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub memory_bytes: usize,
    /// Longest one evaluation may run.
    pub time: Duration,
    /// CPU time one execution's JavaScript may use, all its calls together (the nodes' own
    /// work is bounded by their input, their I/O by `executionTimeout` and byte caps).
    pub execution_cpu: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory_bytes: 64 * 1024 * 1024,
            time: Duration::from_secs(2),
            execution_cpu: Duration::from_secs(120),
        }
    }
}

/// Why an expression failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// The expression threw or did not compile; the message is JavaScript's.
    #[error("{0}")]
    Script(String),
    #[error("the expression ran longer than {0:?} and was stopped")]
    Timeout(Duration),
    #[error("the expression used more than {0} MiB of memory and was stopped")]
    OutOfMemory(usize),
    #[error("the sandbox could not start: {0}")]
    Setup(String),
    /// The execution's own limits stopped the code (see [`RunGuard`]).
    #[error("{0}")]
    Stopped(Stop),
}

/// What expressions of one node run can see, as JSON.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Scope<'a> {
    /// The node's input items (`{json, binary?}`).
    pub input: &'a [Value],
    /// Earlier nodes' output items by node name (first output, last run).
    pub nodes: serde_json::Map<String, Value>,
    pub prev_node: Option<&'a str>,
    pub run_index: usize,
    pub workflow: Value,
    pub execution: Value,
    /// Only variables on the operator's allow-list.
    pub env: serde_json::Map<String, Value>,
    pub vars: serde_json::Map<String, Value>,
    pub now_ms: i64,
    /// IANA zone of `$now`, `$today` and dates without an offset (the workflow's
    /// `settings.timezone`); UTC when empty.
    pub timezone: &'a str,
}

/// Facts of one execution that stay the same for each of its node runs.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunFacts<'a> {
    pub workflow: Value,
    pub execution: Value,
    pub env: &'a serde_json::Map<String, Value>,
    pub vars: &'a serde_json::Map<String, Value>,
    pub now_ms: i64,
    pub timezone: &'a str,
}

/// Where a node's input came from: a node and which of its outputs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub node: String,
    pub output: usize,
}

/// A QuickJS runtime and context with the prelude loaded.
pub struct Sandbox {
    _runtime: Runtime,
    context: Context,
    deadline_ms: Arc<AtomicU64>,
    guard: RunGuard,
    /// It has run tenant code that could redefine what bounded calls use (a Code node can
    /// replace `String.prototype.trim`): from then on all its calls start off the workers.
    tainted: AtomicBool,
    epoch: Instant,
    limits: Limits,
}

impl Sandbox {
    pub fn new(limits: Limits) -> Result<Self, EvalError> {
        let setup = |e: rquickjs::Error| EvalError::Setup(e.to_string());
        let runtime = Runtime::new().map_err(setup)?;
        runtime.set_memory_limit(limits.memory_bytes);
        runtime.set_max_stack_size(1024 * 1024);
        let epoch = Instant::now();
        let deadline_ms = Arc::new(AtomicU64::new(u64::MAX));
        let deadline = deadline_ms.clone();
        let guard = RunGuard::default();
        let run = guard.clone();
        runtime.set_interrupt_handler(Some(Box::new(move || {
            let now = epoch.elapsed().as_millis() as u64;
            now > deadline.load(Ordering::Relaxed) || run.should_interrupt(now)
        })));
        let context = Context::full(&runtime).map_err(setup)?;
        let sandbox = Self {
            _runtime: runtime,
            context,
            deadline_ms,
            guard,
            tainted: AtomicBool::new(false),
            epoch,
            limits,
        };
        sandbox.guarded(Cost::Bounded, |ctx| {
            // The one host function: a zone's UTC offset (minutes) at an instant, for the
            // prelude's DateTime. NaN for an unknown zone name.
            let offset = Function::new(ctx.clone(), zone_offset_minutes)?;
            ctx.globals().set("__zoneOffset", offset)?;
            ctx.eval::<(), _>(PRELUDE)
        })?;
        Ok(sandbox)
    }

    /// Holds the sandbox for an execution: its deadline, CPU allowance and stop request
    /// reach into the code it runs until [`Self::release`].
    pub fn hold(
        &self,
        deadline: Option<Instant>,
        allowance: CpuAllowance,
        cancel: tokio_util::sync::CancellationToken,
    ) {
        let ms = deadline.map(|at| at.saturating_duration_since(self.epoch).as_millis() as u64);
        self.guard.start(ms, allowance, cancel);
    }

    /// Ends the execution's hold (the sandbox goes back to the pool).
    pub fn release(&self) {
        self.guard.release();
    }

    /// Whether the code it runs now may run long: the holding execution used up its
    /// inline share, or the sandbox has run tenant programs. Its next nodes that only
    /// compute then run off the workers from their start.
    pub fn runs_long(&self) -> bool {
        self.guard.is_heavy() || self.tainted.load(Ordering::Relaxed)
    }

    /// Makes `scope` what the following evaluations see.
    pub fn load(&self, scope: &Scope<'_>) -> Result<(), EvalError> {
        let json = serde_json::to_string(scope).map_err(|e| EvalError::Setup(e.to_string()))?;
        self.call("load", (json.as_str(),), Cost::of_payload(json.len()))
            .map(|_: Option<String>| ())
    }

    /// Starts an execution: what every node run sees, and no node outputs yet.
    pub fn begin(&self, facts: &RunFacts<'_>) -> Result<(), EvalError> {
        let json = serde_json::to_string(facts).map_err(|e| EvalError::Setup(e.to_string()))?;
        self.call("begin", (json.as_str(),), Cost::of_payload(json.len()))
            .map(|_: Option<String>| ())
    }

    /// Records a node's outputs (`[[items of output 0], …]`), where its inputs came from and
    /// its context (`$node["X"].context`), for `$('Node')`, `$node` and paired-item lookups
    /// of later nodes.
    pub fn record(
        &self,
        node: &str,
        outputs: &Value,
        sources: &[Option<Source>],
        context: &Value,
    ) -> Result<(), EvalError> {
        let setup = |e: serde_json::Error| EvalError::Setup(e.to_string());
        let outputs = serde_json::to_string(outputs).map_err(setup)?;
        let sources = serde_json::to_string(sources).map_err(setup)?;
        let context = serde_json::to_string(context).map_err(setup)?;
        let cost = Cost::of_payload(outputs.len() + sources.len() + context.len());
        let args = (node, outputs.as_str(), sources.as_str(), context.as_str());
        self.call("record", args, cost).map(|_: Option<String>| ())
    }

    /// Makes the next evaluations see one node run: its input items (`{json, …}` values),
    /// run index, the previous node and the sources of its inputs.
    pub fn step(
        &self,
        input: &[Value],
        run_index: usize,
        prev_node: Option<&str>,
        sources: &[Option<Source>],
    ) -> Result<(), EvalError> {
        let json = serde_json::json!({
            "input": input,
            "runIndex": run_index,
            "prevNode": prev_node,
            "source": sources,
        })
        .to_string();
        self.call("step", (json.as_str(),), Cost::of_payload(json.len()))
            .map(|_: Option<String>| ())
    }

    /// What `$response` and `$pageCount` are for HTTP Request pagination expressions
    /// (`Null` and 0 outside of pagination).
    pub fn set_response(&self, response: &Value, page_count: usize) -> Result<(), EvalError> {
        let json = serde_json::to_string(response).map_err(|e| EvalError::Setup(e.to_string()))?;
        let cost = Cost::of_payload(json.len());
        self.call("response", (json.as_str(), page_count as u32), cost)
            .map(|_: Option<String>| ())
    }

    /// Evaluates a template for item `item_index`: typed for a lone `{{ … }}`, else text.
    pub fn evaluate(&self, template: &Template, item_index: usize) -> Result<Value, EvalError> {
        if let Some(expr) = template.single_expression() {
            let cost = Cost::of_expression(expr);
            let json: String = self.call("value", (expr, item_index as u32), cost)?;
            return serde_json::from_str(&json).map_err(|e| EvalError::Script(e.to_string()));
        }
        let mut out = String::new();
        for segment in &template.segments {
            match segment {
                Segment::Text(t) => out.push_str(t),
                Segment::Expr(e) => {
                    let cost = Cost::of_expression(e);
                    let args = (e.as_str(), item_index as u32);
                    out.push_str(&self.call::<String, _>("text", args, cost)?)
                }
            }
        }
        Ok(Value::String(out))
    }

    /// Runs Code-node JavaScript: over all input items, or (`each`) over item `item_index`.
    /// Answers what the code returned, as JSON.
    pub fn run_code(&self, code: &str, each: bool, item_index: usize) -> Result<Value, EvalError> {
        let args = (code, each, item_index as u32);
        let json: String = self.call("code", args, Cost::Unbounded)?;
        serde_json::from_str(&json).map_err(|e| EvalError::Script(e.to_string()))
    }

    /// One Date & Time node operation over its resolved parameters, with the loaded scope's
    /// time zone (the same DateTime expressions use).
    pub fn date_time(&self, operation: &str, params: &Value) -> Result<Value, EvalError> {
        let args = serde_json::json!({ "operation": operation, "params": params }).to_string();
        let cost = Cost::of_payload(args.len());
        let json: String = self.call("dateTime", (args.as_str(),), cost)?;
        serde_json::from_str(&json).map_err(|e| EvalError::Script(e.to_string()))
    }

    /// Whether the sandbox still evaluates (running out of memory can leave it unusable).
    pub fn is_healthy(&self) -> bool {
        let _ = self.take_logs();
        self.guarded(Cost::Bounded, |ctx| ctx.eval::<i32, _>("1 + 1"))
            .is_ok_and(|two| two == 2)
    }

    /// What the code printed with `console.*` since the last call.
    pub fn take_logs(&self) -> Vec<String> {
        self.call::<String, _>("takeLogs", (), Cost::Bounded)
            .ok()
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default()
    }

    fn call<R, A>(&self, method: &str, args: A, cost: Cost) -> Result<R, EvalError>
    where
        R: for<'js> rquickjs::FromJs<'js>,
        A: for<'js> rquickjs::function::IntoArgs<'js> + Clone,
    {
        // Cloned per run: a call that outran its slice runs again.
        self.guarded(cost, |ctx| {
            let api: Object = ctx.globals().get("__agente")?;
            let f: Function = api.get(method)?;
            f.call(args.clone())
        })
    }

    /// Runs `f` under the limits and turns QuickJS failures into [`EvalError`]s. On a
    /// runtime worker a bounded call (`cost.rs`) runs inline for what is left of the
    /// execution's inline share; past that it is interrupted and run again off the worker,
    /// as is every later call of the execution. Unbounded calls start off the worker.
    fn guarded<R>(
        &self,
        cost: Cost,
        f: impl for<'js> Fn(rquickjs::Ctx<'js>) -> rquickjs::Result<R>,
    ) -> Result<R, EvalError> {
        if cost == Cost::Unbounded {
            self.tainted.store(true, Ordering::Relaxed);
        } else if offload::on_worker() && !self.runs_long() {
            match self.attempt(&f, true) {
                Attempt::Done(result) => return result,
                Attempt::OutranSlice => self.guard.set_heavy(),
            }
        }
        match offload::in_place(|| self.attempt(&f, false)) {
            Attempt::Done(result) => result,
            // Off the workers a call has no slice to outrun.
            Attempt::OutranSlice => Err(EvalError::Timeout(self.limits.time)),
        }
    }

    /// One run of `f`: inline (within a slice) or not.
    fn attempt<R>(
        &self,
        f: &impl for<'js> Fn(rquickjs::Ctx<'js>) -> rquickjs::Result<R>,
        inline: bool,
    ) -> Attempt<R> {
        let start = self.epoch.elapsed();
        self.deadline_ms.store(
            (start + self.limits.time).as_millis() as u64,
            Ordering::Relaxed,
        );
        let meter = if inline {
            self.guard.begin_inline(start.as_millis() as u64)
        } else {
            self.guard.begin_off_worker()
        };
        let result = self.context.with(|ctx| {
            f(ctx.clone()).map_err(|err| match err {
                rquickjs::Error::Exception => describe_exception(&ctx),
                other => other.to_string(),
            })
        });
        self.guard.end_call(meter);
        self.deadline_ms.store(u64::MAX, Ordering::Relaxed);
        let message = match result {
            Ok(value) => return Attempt::Done(Ok(value)),
            Err(message) => message,
        };
        let interrupted = message.contains("interrupted");
        let error = match (interrupted, self.guard.last_interrupt()) {
            (true, Some(Interrupt::Slice)) => return Attempt::OutranSlice,
            (true, Some(Interrupt::Stop(stop))) => EvalError::Stopped(stop),
            _ if interrupted && self.epoch.elapsed() >= start + self.limits.time => {
                EvalError::Timeout(self.limits.time)
            }
            _ if message.contains("out of memory") || message.contains("Allocation") => {
                EvalError::OutOfMemory(self.limits.memory_bytes / (1024 * 1024))
            }
            _ => EvalError::Script(message),
        };
        Attempt::Done(Err(error))
    }
}

/// How one run of a call ended.
enum Attempt<R> {
    Done(Result<R, EvalError>),
    /// Interrupted at the end of its slice on a runtime worker.
    OutranSlice,
}

/// Minutes east of UTC of `zone` at `ms` (Unix milliseconds); NaN for an unknown zone.
fn zone_offset_minutes(zone: String, ms: f64) -> f64 {
    use chrono::{Offset, TimeZone};
    let Ok(tz) = zone.parse::<chrono_tz::Tz>() else {
        return f64::NAN;
    };
    match chrono::DateTime::from_timestamp_millis(ms as i64) {
        Some(at) => {
            f64::from(
                tz.offset_from_utc_datetime(&at.naive_utc())
                    .fix()
                    .local_minus_utc(),
            ) / 60.0
        }
        None => f64::NAN,
    }
}

fn describe_exception(ctx: &rquickjs::Ctx<'_>) -> String {
    let caught = ctx.catch();
    if let Some(exception) = caught.as_exception() {
        let name: Option<String> = exception.get("name").ok();
        let message = exception.message().unwrap_or_default();
        match name {
            Some(n) if !n.is_empty() && n != "Error" => format!("{n}: {message}"),
            _ => message,
        }
    } else if caught.is_null() || caught.is_undefined() {
        "out of memory or interrupted".into()
    } else {
        caught
            .as_string()
            .and_then(|s| s.to_string().ok())
            .unwrap_or_else(|| "the expression threw a value".into())
    }
}
