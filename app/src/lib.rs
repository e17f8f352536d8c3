//! The Leptos UI: server-rendered, hydrated in the browser. Pages call the server through
//! the server functions in [`api`], which call the domain crates; nothing here knows SQL.

pub mod api;
mod app;
mod components;
mod editor;
#[cfg(feature = "hydrate")]
mod generation_stream;
mod pages;
mod sse_events;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use app::{App, shell};
