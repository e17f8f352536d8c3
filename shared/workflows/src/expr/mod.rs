//! Expressions: `={{ … }}` templates in node parameters, evaluated as JavaScript like n8n.

#[cfg(feature = "server")]
mod sandbox;
mod template;

#[cfg(feature = "server")]
pub use sandbox::{EvalError, Limits, Sandbox, Scope};
pub use template::{Segment, Template, UnclosedExpression};
