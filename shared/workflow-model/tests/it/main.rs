//! The workflow model's integration tests: n8n exports through import, validation and export.
#![allow(clippy::unwrap_used)] // a test fails by panicking

mod import_export;
