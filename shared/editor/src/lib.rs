//! Editing a workflow the way the canvas does, as data: add, remove, move, rename, connect,
//! duplicate, copy and paste (n8n's clipboard format), tidy up, with undo and redo.
//!
//! Every command is made of a few edits, each of which knows its inverse, so undo keeps
//! only what changed (a 1,000-node workflow does not keep 100 copies of itself), and the
//! document stays the lossless n8n model: what the editor does not touch is written back as
//! it was read.
//!
//! Architecture invariant: no UI and no I/O; builds for wasm32 (the browser editor runs it)
//! and is tested with plain Rust tests.

mod clipboard;
mod connections;
mod edit;
mod editor;
pub mod expression;
mod history;
mod layout;
mod names;
mod nodes;
mod outputs;
mod wiring;

pub use clipboard::{MAX_PASTE_BYTES, MAX_PASTE_NODES, PasteError};
pub use connections::{Edge, Outlet};
pub use editor::{Editor, EditorError, MAX_NAME_CHARS, Point, position};
pub use history::UNDO_LIMIT;
pub use layout::snap;
pub use names::rename_references;
