//! REST API tests: a real server on a random port, on SQLite and on Postgres (+ Redis).

mod accounts;
mod ai;
mod background;
mod bad_input;
mod billing;
mod jobs;
mod live;
mod notifications;
mod operations;
mod sessions;
mod versions;
mod workflows;
