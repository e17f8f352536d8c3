//! The database (item 11): row-level security binds every tenant table, owners included;
//! search patterns are text.

use crate::helpers::{Backend, spawn_app};
use agente_store::backend_tests;
use agente_store::sqlx::{self, Connection, Row};
use serde_json::{Value, json};

/// Tables that carry a tenant but are the platform's: job queues and schedules (their
/// handlers act inside the tenant a row names) and Stripe's event log.
const SYSTEM_TABLES: &[&str] = &[
    "jobs",
    "job_tenants",
    "job_tenant_caps",
    "schedules",
    "stripe_events",
];

#[tokio::test]
async fn every_tenant_table_forces_row_level_security() {
    let app = spawn_app(Backend::Postgres).await;
    let mut owner = sqlx::AnyConnection::connect(&app.db.url).await.unwrap();
    let rows = sqlx::query(
        "SELECT c.relname::text AS name, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind = 'r' AND EXISTS ( \
           SELECT 1 FROM information_schema.columns col WHERE col.table_schema = 'public' \
           AND col.table_name = c.relname AND col.column_name IN ('tenant_id', 'tenant_key'))",
    )
    .fetch_all(&mut owner)
    .await
    .unwrap();
    assert!(rows.len() > 20, "{} tables", rows.len());
    for row in rows {
        let name: String = row.get("name");
        if SYSTEM_TABLES.contains(&name.as_str()) {
            continue;
        }
        let (rls, forced): (bool, bool) = (row.get("rls"), row.get("forced"));
        assert!(rls && forced, "{name}: rls {rls}, forced {forced}");
    }
}

backend_tests!(name_searches_take_wildcards_as_text);
async fn name_searches_take_wildcards_as_text(backend: Backend) {
    let app = spawn_app(backend).await;
    let (token, _, _) = app.signup("search").await;
    for name in ["50% off", "5000 off", "a_b", "axb"] {
        app.create_workflow(
            json!({"name": name, "nodes": [{"name": "Go", "type": "n8n-nodes-base.manualTrigger", "position": [0, 0]}], "connections": {}}),
            &token,
        )
        .await;
    }
    for (query, expected) in [
        ("50%25", vec!["50% off"]),
        ("a_b", vec!["a_b"]),
        ("%25", vec!["50% off"]),
    ] {
        let page: Value = app
            .get_json(&format!("/api/v1/workflows?name={query}"), Some(&token))
            .await;
        let names: Vec<&str> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, expected, "{}: {query}", app.backend);
    }
}
