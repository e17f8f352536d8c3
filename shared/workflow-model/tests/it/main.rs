//! The workflow model's integration tests: n8n exports through import, validation and export.
#![allow(clippy::unwrap_used)] // a test fails by panicking
#![allow(clippy::too_many_lines)] // a scenario test reads top to bottom

mod import_export;
