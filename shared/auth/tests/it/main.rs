//! Integration tests of auth against real databases (SQLite and Postgres).
#![allow(clippy::unwrap_used)] // a test fails by panicking

mod flows;
mod isolation;
