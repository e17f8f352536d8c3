//! Integration tests of the store: SQLite specifics and group commit.
#![allow(clippy::unwrap_used)] // a test fails by panicking
#![allow(clippy::too_many_lines)] // a scenario test reads top to bottom

mod group_commit;
mod sqlite;
