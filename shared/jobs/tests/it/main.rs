//! Integration tests of the job queue on each backend (SQL on SQLite and Postgres, Redis), the scheduler and the worker.
#![allow(clippy::unwrap_used)] // a test fails by panicking

#[allow(dead_code)]
mod common;
mod queue;
mod scheduler;
mod worker;
