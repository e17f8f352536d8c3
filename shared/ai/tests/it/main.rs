//! Integration tests of the AI service: providers over their wire formats, generation, explanation, the offline provider.
#![allow(clippy::unwrap_used)] // a test fails by panicking
#![allow(clippy::too_many_lines)] // a scenario test reads top to bottom

mod explain;
mod generate;
mod node_models;
mod offline;
mod providers;
