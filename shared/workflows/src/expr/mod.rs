//! Expressions: `={{ … }}` templates in node parameters, evaluated as JavaScript like n8n.

#[cfg(feature = "server")]
mod cost;
#[cfg(feature = "server")]
mod cpu;
#[cfg(feature = "server")]
mod guard;
#[cfg(feature = "server")]
pub mod offload;
#[cfg(feature = "server")]
mod sandbox;
mod template;

#[cfg(feature = "server")]
pub use cost::is_bounded_expression;
#[cfg(feature = "server")]
pub use cpu::thread_cpu_time;
#[cfg(feature = "server")]
pub use guard::{CpuAllowance, RunGuard, Stop};
#[cfg(feature = "server")]
pub use sandbox::{EvalError, Limits, RunFacts, Sandbox, Scope, Source};
pub use template::{Segment, Template, UnclosedExpression};
