//! Integration tests of the notifier: senders over HTTP and the rules, templates and delivery log on both databases.
#![allow(clippy::unwrap_used)] // a test fails by panicking

mod http;
mod notifier;
