//! n8n-compatible workflows as data: the model, validation, the node catalogue and the
//! `={{ … }}` template syntax.
//!
//! The model reads and writes n8n's workflow export JSON without losing anything it does not
//! understand: every object keeps its unknown fields, numbers keep their exact form, and key
//! order is preserved, so import → export gives back an equal JSON value. Validation reports
//! every problem it finds, each with the node and a JSON path.
//!
//! Architecture invariant: this crate builds for wasm32 (the browser editor and offline views
//! use it), so it depends on nothing that does I/O; running workflows is `agente-engine`'s job.

pub mod catalogue;
pub mod diff;
mod field;
pub mod graph;
pub mod model;
pub mod params;
pub mod ports;
pub mod template;
pub mod validate;

pub use field::Field;
pub use model::{Connection, Connections, Node, NodeCredential, OnError, Workflow, WorkflowError};
pub use template::{Segment, Template, UnclosedExpression};
pub use validate::{Issue, Severity, validate};
