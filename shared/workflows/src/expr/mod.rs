//! Expressions: `={{ … }}` templates in node parameters, evaluated as JavaScript like n8n.

#[cfg(feature = "server")]
mod sandbox;
mod template;

#[cfg(feature = "server")]
pub use sandbox::{EvalError, Limits, RunFacts, Sandbox, Scope, Source};
pub use template::{Segment, Template, UnclosedExpression};
