//! `/api/v1/workflows/{id}/versions`: the history over the API — listed, read, compared,
//! restored (with `If-Match`), and nothing of it for another workspace.

use crate::helpers::{Backend, assert_problem, spawn_app};
use agente_store::backend_tests;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn doc(name: &str, nodes: &[&str]) -> Value {
    let nodes: Vec<Value> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| json!({"id": format!("id-{n}"), "name": n, "type": "n8n-nodes-base.noOp", "position": [i * 200, 0]}))
        .collect();
    json!({"name": name, "nodes": nodes, "connections": {}})
}

backend_tests!(the_version_history_over_the_api);
async fn the_version_history_over_the_api(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, _, _) = app.signup(&format!("versions-{backend:?}")).await;
    let id = app.create_workflow(doc("one", &["A"]), &owner).await;
    let res = app
        .put(
            &format!("/api/v1/workflows/{id}"),
            doc("two", &["A", "B"]),
            &owner,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}", app.backend);

    let listed: Value = app
        .get_json(&format!("/api/v1/workflows/{id}/versions"), Some(&owner))
        .await;
    let versions: Vec<(i64, i64)> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["version"].as_i64().unwrap(),
                v["nodeCount"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(versions, [(2, 2), (1, 1)], "{}", app.backend);
    assert!(listed["data"][0]["savedBy"].is_string());

    let one: Value = app
        .get_json(&format!("/api/v1/workflows/{id}/versions/1"), Some(&owner))
        .await;
    assert_eq!(
        (one["version"].as_i64(), &one["workflow"]["name"]),
        (Some(1), &json!("one"))
    );
    let changes: Value = app
        .get_json(
            &format!("/api/v1/workflows/{id}/versions/compare?from=1&to=2"),
            Some(&owner),
        )
        .await;
    assert_eq!(changes["added"], json!(["B"]), "{}", app.backend);
    assert_eq!(changes["nameChanged"], true);

    // Restoring against a version that moved on is refused; against the current one, a new
    // version with the old document.
    let stale = app
        .client
        .post(app.url(&format!("/api/v1/workflows/{id}/versions/1/restore")))
        .bearer_auth(&owner)
        .header("if-match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_problem(stale, StatusCode::CONFLICT, "version_conflict", app.backend).await;
    let restored = app
        .client
        .post(app.url(&format!("/api/v1/workflows/{id}/versions/1/restore")))
        .bearer_auth(&owner)
        .header("if-match", "\"2\"")
        .send()
        .await
        .unwrap();
    assert_eq!(restored.status(), StatusCode::OK, "{}", app.backend);
    let restored: Value = restored.json().await.unwrap();
    assert_eq!(
        (restored["versionId"].as_str(), &restored["name"]),
        (Some("3"), &json!("one"))
    );

    let res = app
        .get(
            &format!("/api/v1/workflows/{id}/versions/not-a-number"),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{}", app.backend);
    let res = app
        .get(&format!("/api/v1/workflows/{id}/versions/99"), Some(&owner))
        .await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found", app.backend).await;
    let (stranger, _, _) = app.signup(&format!("versions-stranger-{backend:?}")).await;
    for path in ["versions", "versions/1", "versions/compare?from=1&to=2"] {
        let res = app
            .get(&format!("/api/v1/workflows/{id}/{path}"), Some(&stranger))
            .await;
        assert_problem(res, StatusCode::NOT_FOUND, "not_found", app.backend).await;
    }
}
