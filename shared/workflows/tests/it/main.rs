//! The workflow service's integration tests (SQLite, and Postgres + Redis where the test
//! environment names them): one binary, a module per area.
#![allow(clippy::unwrap_used)] // a test fails by panicking
#![allow(clippy::too_many_lines)] // a scenario test reads top to bottom

mod common;
mod crud;
mod editor_runs;
mod live;
mod preview;
mod queue;
mod runs;
mod schedules;
mod versions;
mod waits;
mod webhooks;
