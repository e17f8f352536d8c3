//! REST API tests: a real server on a random port, on SQLite and on Postgres (+ Redis).
#![allow(clippy::unwrap_used)] // a test fails by panicking

mod accounts;
mod ai;
mod background;
mod bad_input;
mod billing;
mod helpers;
mod jobs;
mod notifications;
mod operations;
mod sessions;
mod workflows;
