use crate::helpers::{Backend, spawn_app, spawn_app_with};
use agente_store::backend_tests;
use reqwest::StatusCode;
use serde_json::Value;

backend_tests!(health_readiness_metrics_and_headers);
async fn health_readiness_metrics_and_headers(backend: Backend) {
    let app = spawn_app_with(backend, |c| {
        c.metrics_token = Some("scrape-token".into());
    })
    .await;
    let b = app.backend;
    let res = app.get("/healthz", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers();
    assert!(h.get("x-request-id").is_some(), "{b}: request id");
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert!(
        h.get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert!(
        h.get("strict-transport-security").is_none(),
        "HSTS only behind TLS"
    );

    let ready: Value = app.get_json("/readyz", None).await;
    assert_eq!(ready["database"], "ok", "{b}");
    let redis = if backend == Backend::Postgres {
        "ok"
    } else {
        "not configured"
    };
    assert_eq!(ready["redis"], redis, "{b}");

    // Queue figures come from the queue (database or Redis) at each scrape (autoscaling
    // signals).
    let queue = format!("scrape-{b}");
    let jobs = &app.jobs;
    let tenant = agente_core::TenantId::new();
    for _ in 0..3 {
        jobs.enqueue(
            agente_jobs::NewJob::new("noop", serde_json::json!({}))
                .queue(&queue)
                .tenant(tenant),
        )
        .await
        .unwrap();
    }
    // Metrics name tenants: only with the operator's token.
    assert_eq!(
        app.get("/metrics", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/metrics", Some("wrong-token")).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let metrics = app
        .get("/metrics", Some("scrape-token"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(&format!(
            "agente_queue_tenant_ready_jobs{{queue=\"{queue}\",tenant=\"{tenant}\"}} 3"
        )),
        "{b}: per-tenant load: {metrics}"
    );
    assert!(metrics.contains("http_requests_total"), "{b}: {metrics}");
    assert!(
        metrics.contains(&format!("agente_queue_ready_jobs{{queue=\"{queue}\"}} 3")),
        "{b}: {metrics}"
    );
    // Three due jobs nobody has taken yet: workers are not short, nor idle.
    assert!(metrics.contains("agente_scale_advice 0"), "{b}: {metrics}");
}

#[tokio::test]
async fn openapi_document_lists_the_api() {
    let app = spawn_app(Backend::Sqlite).await;
    let doc: Value = app.get_json("/api/v1/openapi.json", None).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/me",
        "/api/v1/members",
        "/api/v1/api-keys",
        "/api/v1/workflows",
        "/api/v1/workflows/import",
        "/api/v1/workflows/{id}/activate",
        "/api/v1/workflows/{id}/listen",
        "/api/v1/executions/{id}/stop",
        "/api/v1/credentials",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from OpenAPI"
        );
    }
    assert!(
        doc["components"]["securitySchemes"]
            .get("n8n_api_key")
            .is_some()
    );
}

/// Every successful JSON answer names its shape: a schema of its own, not a bare object.
#[tokio::test]
async fn openapi_answers_have_typed_schemas() {
    let app = spawn_app(Backend::Sqlite).await;
    let doc: Value = app.get_json("/api/v1/openapi.json", None).await;
    let mut untyped = Vec::new();
    let mut typed = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(responses) = operation["responses"].as_object() else {
                continue;
            };
            for (status, answer) in responses {
                let schema = &answer["content"]["application/json"]["schema"];
                if !status.starts_with('2') || schema.is_null() {
                    continue;
                }
                let named = schema.get("$ref").is_some()
                    || schema.get("properties").is_some()
                    || schema.get("allOf").is_some()
                    || schema["items"].get("$ref").is_some();
                if named {
                    typed += 1;
                } else {
                    untyped.push(format!("{method} {path}: {schema}"));
                }
            }
        }
    }
    assert!(untyped.is_empty(), "{untyped:#?}");
    assert!(typed > 50, "{typed}");
}
