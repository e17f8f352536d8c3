//! The attack suite: each test is an attempt a tenant (or an anonymous caller) could make
//! against another tenant or the platform, and asserts that it fails. On SQLite and on
//! Postgres + Redis, where the application logs in as `agente_app`.

mod accounts;
mod cross_site;
mod fixtures;
mod id_sweep;
mod network;
mod operations;
mod postgres;
mod runaway;
mod secrets;
mod starvation;
mod webhook_paths;
mod webhooks;
