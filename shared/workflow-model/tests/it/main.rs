//! The workflow model's integration tests: n8n exports through import, validation and export.

mod import_export;
