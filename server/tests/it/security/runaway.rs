//! Runaway work (items 2 and 12): JavaScript that loops ends when the execution's
//! allowance does — its CPU budget, its timeout, a stop request —, a tenant runs only as
//! many manual runs at once as its plan allows, and out-of-range settings are refused.

use crate::helpers::{Backend, TestApp, assert_problem, spawn_app, spawn_app_with};
use crate::security::fixtures::{code, items};
use agente_store::backend_tests;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// Each item spins for `ms` milliseconds of wall time (under the per-call limit).
fn spin_per_item(ms: u64) -> String {
    format!("const t = Date.now(); while (Date.now() - t < {ms}) {{}} return $input.item;")
}

async fn run(app: &TestApp, token: &str, id: &str, n: usize) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/workflows/{id}/run")))
        .bearer_auth(token)
        .json(&items(n))
        .timeout(Duration::from_secs(120))
        .send()
        .await
        .unwrap()
}

fn error_of(execution: &Value) -> String {
    execution["data"]["resultData"]["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_loop_over_every_item_ends_at_the_executions_cpu_budget() {
    let app = spawn_app_with(Backend::Sqlite, |c| c.execution_cpu_secs = 1).await;
    let (token, _, _) = app.signup("spinner").await;
    // 10,000 items × 200 ms would be over half an hour; the budget is one second.
    let id = app
        .create_workflow(
            code(&spin_per_item(200), "runOnceForEachItem", json!({})),
            &token,
        )
        .await;
    let started = std::time::Instant::now();
    let execution: Value = run(&app, &token, &id, 10_000).await.json().await.unwrap();
    assert_eq!(execution["status"], "error", "{execution}");
    assert!(
        error_of(&execution).contains("s of CPU time"),
        "{}",
        error_of(&execution)
    );
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_execution_timeout_interrupts_running_javascript() {
    let app = spawn_app(Backend::Sqlite).await;
    let (token, _, _) = app.signup("timeout").await;
    // Each item stays under one call's own limit (2 s); 100 of them would take 150 s
    // unless the workflow's timeout (1 s) reaches into the running code.
    let id = app
        .create_workflow(
            code(
                &spin_per_item(1_500),
                "runOnceForEachItem",
                json!({"executionTimeout": 1}),
            ),
            &token,
        )
        .await;
    let started = std::time::Instant::now();
    let execution: Value = run(&app, &token, &id, 100).await.json().await.unwrap();
    assert_eq!(execution["status"], "error");
    assert!(
        error_of(&execution).contains("executionTimeout"),
        "{}",
        error_of(&execution)
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

// A multi-thread runtime, as the server's: code runs off its workers while the test keeps
// asking (on a current-thread runtime, which has no worker to spare, it would run in line).
backend_tests!(
    a_stop_request_interrupts_running_javascript_and_manual_runs_are_capped,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn a_stop_request_interrupts_running_javascript_and_manual_runs_are_capped(backend: Backend) {
    let app = spawn_app(backend).await;
    let b = app.backend;
    // A Free workspace runs two manual runs at once.
    let (token, _, _) = app.signup("capped").await;
    let id = app
        .create_workflow(
            code(&spin_per_item(1_500), "runOnceForEachItem", json!({})),
            &token,
        )
        .await;
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let (client, url, token) = (
                app.client.clone(),
                app.url(&format!("/api/v1/workflows/{id}/run")),
                token.clone(),
            );
            tokio::spawn(async move {
                client
                    .post(url)
                    .bearer_auth(token)
                    .json(&items(1_000))
                    .send()
                    .await
                    .unwrap()
                    .json::<Value>()
                    .await
                    .unwrap()
            })
        })
        .collect();
    // Both are running once they are listed.
    let mut running = Vec::new();
    for _ in 0..100 {
        let page: Value = app
            .get_json("/api/v1/executions?status=running", Some(&token))
            .await;
        running = page["data"].as_array().cloned().unwrap_or_default();
        if running.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(running.len(), 2, "{b}: {running:?}");
    let third = run(&app, &token, &id, 1).await;
    assert_problem(third, StatusCode::TOO_MANY_REQUESTS, "too_many_runs", b).await;

    // Stopping reaches into the running code: without that, each run would go on
    // through its 1,000 items of 1.5 s (25 minutes).
    for execution in &running {
        let res = app
            .post(
                &format!(
                    "/api/v1/executions/{}/stop",
                    execution["id"].as_str().unwrap()
                ),
                json!({}),
                Some(&token),
            )
            .await;
        assert!(res.status().is_success(), "{b}: stop {}", res.status());
    }
    for run in runs {
        let execution = tokio::time::timeout(Duration::from_secs(60), run)
            .await
            .expect("the stopped runs went on")
            .unwrap();
        assert_eq!(execution["status"], "canceled", "{b}: {execution}");
    }
    // Their places are free again.
    let quick = app
        .create_workflow(
            code("return $input.all();", "runOnceForAllItems", json!({})),
            &token,
        )
        .await;
    assert_eq!(
        run(&app, &token, &quick, 1).await.status(),
        StatusCode::OK,
        "{b}"
    );
}

backend_tests!(settings_out_of_range_are_refused_not_panicked_on);
async fn settings_out_of_range_are_refused_not_panicked_on(backend: Backend) {
    let app = spawn_app(backend).await;
    let b = app.backend;
    let (token, _, _) = app.signup("numbers").await;
    for timeout in [
        json!(1e300),
        json!(-5),
        json!(0),
        json!("600"),
        json!(86_401),
    ] {
        let res = app
            .post(
                "/api/v1/workflows",
                code(
                    "return [];",
                    "runOnceForAllItems",
                    json!({"executionTimeout": timeout}),
                ),
                Some(&token),
            )
            .await;
        let body =
            assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_workflow", b).await;
        assert_eq!(
            body["issues"][0]["path"], "/settings/executionTimeout",
            "{b}: {timeout}: {body}"
        );
    }
    let fine = app
        .post(
            "/api/v1/workflows",
            code(
                "return [];",
                "runOnceForAllItems",
                json!({"executionTimeout": -1}),
            ),
            Some(&token),
        )
        .await;
    assert_eq!(fine.status(), StatusCode::OK, "{b}: -1 is no timeout");
}
