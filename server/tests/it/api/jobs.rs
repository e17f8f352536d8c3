//! A tenant's dead-lettered jobs over HTTP: listed, retried and deleted, never another's;
//! the platform's operator sees and clears every tenant's when asking for all.

use crate::helpers::{Backend, assert_problem, spawn_app, tenant_of};
use agente_jobs::NewJob;
use agente_store::backend_tests;
use reqwest::StatusCode;
use serde_json::{Value, json};

backend_tests!(dead_jobs_are_listed_retried_and_deleted_per_tenant);
async fn dead_jobs_are_listed_retried_and_deleted_per_tenant(backend: Backend) {
    dead_jobs_of(backend).await;
}

async fn dead_jobs_of(backend: Backend) {
    let app = spawn_app(backend).await;
    let b = app.backend;
    let (owner, _, _) = app.signup("deadletters").await;
    let (stranger, _, _) = app.signup("someone-else").await;
    let tenant = tenant_of(&owner);
    // A job nothing handles: the app's worker dead-letters it.
    let queue = &app.jobs;
    let poison = NewJob::new("nobody.handles.this", json!({"n": 1}))
        .tenant(tenant.parse().unwrap())
        .max_attempts(1);
    queue.enqueue(poison).await.unwrap();
    let mut dead = Value::Null;
    for _ in 0..250 {
        dead = app.get_json("/api/v1/jobs/dead", Some(&owner)).await;
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

    // The operator of the platform (the first account: the owner here) sees every tenant's
    // dead jobs when asking for all; nobody else may ask.
    let theirs = NewJob::new("nobody.handles.that", json!({"n": 2}))
        .tenant(tenant_of(&stranger).parse().unwrap())
        .max_attempts(1);
    queue.enqueue(theirs).await.unwrap();
    let mut all = Value::Null;
    for _ in 0..250 {
        all = app
            .get_json("/api/v1/jobs/dead?all=true", Some(&owner))
            .await;
        if all["data"].as_array().is_some_and(|d| d.len() >= 2) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let tenants: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|j| j["tenant"].as_str())
        .collect();
    assert!(
        tenants.contains(&tenant.as_str()) && tenants.contains(&tenant_of(&stranger).as_str()),
        "{b}: {all}"
    );
    let res = app.get("/api/v1/jobs/dead?all=true", Some(&stranger)).await;
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden", b).await;
    // The operator's view of the queues: figures and whether to scale.
    let ops: Value = app.get_json("/api/v1/ops/queues", Some(&owner)).await;
    let dead: u64 = ops["queues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["dead"].as_u64().unwrap())
        .sum();
    assert!(dead >= 2, "{b}: {ops}");
    // Dead jobs neither wait nor run: unless something else does right now, fewer workers
    // would do.
    let idle = ops["queues"]
        .as_array()
        .unwrap()
        .iter()
        .all(|q| q["ready"] == 0 && q["running"] == 0);
    assert_eq!(ops["advice"]["scale"] == "down", idle, "{b}: {ops}");
    let res = app.get("/api/v1/ops/queues", Some(&stranger)).await;
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden", b).await;
    let mine: Value = app.get_json("/api/v1/jobs/dead", Some(&owner)).await;
    assert_eq!(mine["data"].as_array().unwrap().len(), 1, "{b}: {mine}");
    let theirs_id = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["kind"] == "nobody.handles.that")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Another tenant sees nothing of this one's and can touch nothing.
    let theirs: Value = app.get_json("/api/v1/jobs/dead", Some(&stranger)).await;
    assert!(
        theirs["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|j| j["kind"] == "nobody.handles.that"),
        "{b}: {theirs}"
    );
    let res = app
        .post(
            &format!("/api/v1/jobs/dead/{id}/retry"),
            json!({}),
            Some(&stranger),
        )
        .await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found", b).await;
    let res = app
        .delete(&format!("/api/v1/jobs/dead/{id}"), &stranger)
        .await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found", b).await;

    let res = app.delete(&format!("/api/v1/jobs/dead/{id}"), &owner).await;
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    let after: Value = app.get_json("/api/v1/jobs/dead", Some(&owner)).await;
    assert_eq!(after["data"], json!([]));

    // The operator clears another tenant's dead job only when acting on all.
    let path = format!("/api/v1/jobs/dead/{theirs_id}");
    let res = app.delete(&path, &owner).await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found", b).await;
    let res = app.delete(&format!("{path}?all=true"), &owner).await;
    assert_eq!(res.status(), StatusCode::OK, "{b}");
}
