//! Integration tests of the job queue on each backend (SQL on SQLite and Postgres, Redis), the scheduler and the worker.
#![allow(clippy::unwrap_used)] // a test fails by panicking
#![allow(clippy::too_many_lines)] // a scenario test reads top to bottom

#[allow(dead_code)]
mod common;
mod queue;
mod scheduler;
mod worker;
