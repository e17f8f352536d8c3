//! The server's integration tests in one binary: the REST API (`api`) and the attack suite
//! (`security`), each test against a real server on a random port, on SQLite and on
//! Postgres + Redis (where the application logs in as `agente_app`).
#![allow(clippy::unwrap_used)] // a test fails by panicking
#![allow(clippy::too_many_lines)] // a scenario test reads top to bottom

mod api;
mod helpers;
mod security;
