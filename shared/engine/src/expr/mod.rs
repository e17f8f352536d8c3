//! Expressions: `={{ … }}` templates in node parameters (parsed by
//! `agente_workflow_model::template`), evaluated as JavaScript like n8n.

mod cost;
mod cpu;
mod guard;
pub mod offload;
mod sandbox;

pub use cost::is_bounded_expression;
pub use cpu::thread_cpu_time;
pub use guard::{CpuAllowance, RunGuard, Stop};
pub use sandbox::{EvalError, Limits, RunFacts, Sandbox, Scope, Source};
