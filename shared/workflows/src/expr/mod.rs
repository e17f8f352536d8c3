//! Expressions: `={{ … }}` templates in node parameters, evaluated as JavaScript like n8n.

#[cfg(feature = "server")]
mod cpu;
#[cfg(feature = "server")]
mod sandbox;
mod template;

#[cfg(feature = "server")]
pub use cpu::thread_cpu_time;
#[cfg(feature = "server")]
pub use sandbox::{EvalError, Limits, RunFacts, RunGuard, Sandbox, Scope, Source, Stop};
pub use template::{Segment, Template, UnclosedExpression};
