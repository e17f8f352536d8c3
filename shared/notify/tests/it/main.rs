//! Integration tests of the notifier: senders over HTTP and the rules, templates and delivery log on both databases.
#![allow(clippy::unwrap_used)] // a test fails by panicking
#![allow(clippy::too_many_lines)] // a scenario test reads top to bottom

mod http;
mod notifier;
