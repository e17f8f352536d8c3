//! A tenant's dead-lettered jobs over HTTP: listed, retried and deleted, never another's.

use crate::helpers::{BACKENDS, assert_problem, spawn_app};
use agente_jobs::{NewJob, SqlQueue};
use agente_store::Row;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;

#[tokio::test]
async fn dead_jobs_are_listed_retried_and_deleted_per_tenant() {
    let app = spawn_app(BACKENDS[0]).await;
    let b = app.backend;
    let (owner, _, _) = app.signup("deadletters").await;
    let (stranger, _, _) = app.signup("someone-else").await;
    let tenant: String = {
        let mut tx = app.db.db.system_tx().await.unwrap();
        let row = agente_store::sqlx::query("SELECT id FROM tenants WHERE name = 'deadletters'")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        row.try_get("id").unwrap()
    };
    // A job nothing handles: the app's worker dead-letters it.
    let queue = SqlQueue::new(app.db.db.clone(), Arc::new(agente_core::SystemClock));
    let poison = NewJob::new("nobody.handles.this", json!({"n": 1}))
        .tenant(tenant.parse().unwrap())
        .max_attempts(1);
    queue.enqueue(poison).await.unwrap();
    let mut dead = Value::Null;
    for _ in 0..250 {
        dead = app
            .get("/api/v1/jobs/dead", Some(&owner))
            .await
            .json()
            .await
            .unwrap();
        if dead["data"].as_array().is_some_and(|d| !d.is_empty()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let job = &dead["data"][0];
    assert_eq!(job["kind"], "nobody.handles.this", "{b}: {dead}");
    assert!(
        job["error"].as_str().unwrap().contains("no handler"),
        "{dead}"
    );
    let id = job["id"].as_str().unwrap();

    // Another tenant sees nothing and can touch nothing.
    let theirs: Value = app
        .get("/api/v1/jobs/dead", Some(&stranger))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["data"], json!([]));
    let res = app
        .post(
            &format!("/api/v1/jobs/dead/{id}/retry"),
            json!({}),
            Some(&stranger),
        )
        .await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found", b).await;
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/jobs/dead/{id}")))
        .bearer_auth(&stranger)
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::NOT_FOUND, "not_found", b).await;

    let res = app
        .client
        .delete(app.url(&format!("/api/v1/jobs/dead/{id}")))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    let after: Value = app
        .get("/api/v1/jobs/dead", Some(&owner))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["data"], json!([]));
}
