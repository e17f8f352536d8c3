//! n8n-compatible workflows.
//!
//! The model reads and writes n8n's workflow export JSON without losing anything it does not
//! understand: every object keeps its unknown fields, numbers keep their exact form, and key
//! order is preserved, so import → export gives back an equal JSON value. Validation reports
//! every problem it finds, each with the node and a JSON path. This part compiles to wasm32
//! (the editor and offline views use it); the engine, schedules and the service sit behind the
//! `server` feature.

pub mod catalogue;
#[cfg(feature = "server")]
pub mod engine;
pub mod expr;
mod field;
pub mod graph;
pub mod model;
#[cfg(feature = "server")]
pub mod schedule;
#[cfg(feature = "server")]
pub mod service;
pub mod validate;

pub use field::Field;
pub use model::{Connection, Connections, Node, NodeCredential, OnError, Workflow, WorkflowError};
pub use validate::{Issue, Severity, validate};
