//! Integration tests of the store: SQLite specifics and group commit.
#![allow(clippy::unwrap_used)] // a test fails by panicking

mod group_commit;
mod sqlite;
