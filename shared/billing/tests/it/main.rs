//! Integration tests of billing: plans, quotas and metering on both databases, and Stripe through a local fake and localstripe.
#![allow(clippy::unwrap_used)] // a test fails by panicking
#![allow(clippy::too_many_lines)] // a scenario test reads top to bottom

mod billing;
#[allow(dead_code)]
mod common;
mod stripe_fake;
mod stripe_localstripe;
