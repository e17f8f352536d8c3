//! Integration tests of auth against real databases (SQLite and Postgres).
#![allow(clippy::unwrap_used)] // a test fails by panicking
#![allow(clippy::too_many_lines)] // a scenario test reads top to bottom

mod flows;
mod isolation;
