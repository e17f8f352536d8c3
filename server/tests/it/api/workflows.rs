//! n8n-shaped workflow API, executions and production webhooks over HTTP.

use crate::helpers::{Backend, assert_problem, spawn_app};
use agente_store::backend_tests;
use reqwest::StatusCode;
use serde_json::{Value, json};

const BENCH: &str =
    include_str!("../../../../shared/workflow-model/tests/fixtures/a-webhook-bench.json");

backend_tests!(import_activate_call_webhook_and_read_executions);
async fn import_activate_call_webhook_and_read_executions(backend: Backend) {
    let app = spawn_app(backend).await;
    let b = app.backend;
    let (owner, _, _) = app.signup("flows").await;
    let key: Value = app
        .post_json(
            "/api/v1/api-keys",
            json!({"name": "n8n cli", "role": "editor"}),
            Some(&owner),
        )
        .await;
    let key = key["key"].as_str().unwrap().to_string();
    let with_key = |req: reqwest::RequestBuilder| req.header("X-N8N-API-KEY", &key);

    let res = with_key(
        app.client
            .post(app.url("/api/v1/workflows/import"))
            .header("content-type", "application/json")
            .body(BENCH),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    let imported: Value = res.json().await.unwrap();
    let id = imported["data"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(imported["data"][0]["active"], false);

    let res = with_key(
        app.client
            .post(app.url(&format!("/api/v1/workflows/{id}/activate"))),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    let listed: Value = with_key(app.client.get(app.url("/api/v1/workflows?active=true")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"].as_array().unwrap().len(), 1, "{b}");

    let res = app
        .client
        .post(app.url("/webhook/bench"))
        .json(&json!({"n": 10}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"tier": "low", "score": 20})
    );
    let res = app
        .client
        .post(app.url("/webhook/nothing-here"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::NOT_FOUND, "not_found", b).await;

    let execs: Value = with_key(
        app.client
            .get(app.url(&format!("/api/v1/executions?workflowId={id}"))),
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let exec_id = execs["data"][0]["id"].as_str().unwrap();
    assert_eq!(execs["data"][0]["status"], "success");
    let detail: Value = with_key(
        app.client
            .get(app.url(&format!("/api/v1/executions/{exec_id}?includeData=true"))),
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(
        detail["data"]["resultData"]["lastNodeExecuted"], "Respond",
        "{b}"
    );

    // A manual run with input items.
    let wf = json!({"name": "double", "nodes": [
        {"name": "Go", "type": "n8n-nodes-base.manualTrigger"},
        {"name": "Double", "type": "n8n-nodes-base.code", "parameters": {"jsCode": "return $input.all().map(i => ({json: {n: i.json.n * 2}}));"}}
    ], "connections": {"Go": {"main": [[{"node": "Double", "type": "main", "index": 0}]]}}});
    let created: Value = app.post_json("/api/v1/workflows", wf, Some(&owner)).await;
    let run: Value = app
        .post_json(
            &format!("/api/v1/workflows/{}/run", created["id"].as_str().unwrap()),
            json!({"items": [{"n": 2}, {"n": 5}]}),
            Some(&owner),
        )
        .await;
    assert_eq!(run["status"], "success", "{b}: {run}");
    let res = app
        .post(
            &format!("/api/v1/executions/{}/retry", run["id"].as_str().unwrap()),
            json!({}),
            Some(&owner),
        )
        .await;
    assert_problem(
        res,
        StatusCode::BAD_REQUEST,
        "bad_input",
        "retrying a success",
    )
    .await;
    let out = &run["data"]["resultData"]["runData"]["Double"][0]["data"]["main"][0];
    assert_eq!(out[1]["json"]["n"], 10);
}

#[tokio::test]
async fn invalid_workflows_list_their_issues_and_viewers_cannot_write() {
    let app = spawn_app(Backend::Sqlite).await;
    let (owner, _, _) = app.signup("issues").await;
    let bad = json!({"name": "x", "nodes": [{"name": "A", "type": "t"}, {"name": "A", "type": "t"}], "connections": {}});
    let body = assert_problem(
        app.post("/api/v1/workflows", bad, Some(&owner)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_workflow",
        "dup",
    )
    .await;
    assert_eq!(body["issues"][0]["code"], "duplicate_node_name");
    assert_eq!(body["issues"][0]["path"], "/nodes/1/name");

    let draft: Value = app
        .post_json("/api/v1/workflows", json!({"name": "draft", "nodes": [{"name": "M", "type": "acme.mystery"}], "connections": {}}), Some(&owner)).await;
    let res = app
        .post(
            &format!(
                "/api/v1/workflows/{}/activate",
                draft["id"].as_str().unwrap()
            ),
            json!({}),
            Some(&owner),
        )
        .await;
    let body = assert_problem(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_workflow",
        "activate",
    )
    .await;
    assert!(
        body["issues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["code"] == "unsupported_node_type")
    );

    let res = app
        .client
        .post(app.url("/api/v1/workflows"))
        .bearer_auth(&owner)
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::BAD_REQUEST, "bad_input", "malformed").await;

    let viewer: Value = app
        .post_json(
            "/api/v1/api-keys",
            json!({"name": "ro", "role": "viewer"}),
            Some(&owner),
        )
        .await;
    let viewer = viewer["key"].as_str().unwrap();
    let res = app
        .post(
            "/api/v1/workflows",
            json!({"name": "v", "nodes": []}),
            Some(viewer),
        )
        .await;
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden", "viewer").await;
    assert_eq!(
        app.get("/api/v1/workflows", Some(viewer)).await.status(),
        StatusCode::OK
    );
    let res = app.get("/api/v1/workflows?limit=abc", Some(viewer)).await;
    assert_problem(res, StatusCode::BAD_REQUEST, "invalid_query", "bad limit").await;
}

backend_tests!(credentials_are_stored_sealed_and_never_returned);
async fn credentials_are_stored_sealed_and_never_returned(backend: Backend) {
    let app = spawn_app(backend).await;
    let b = app.backend;
    let (owner, _, _) = app.signup("creds").await;
    let res = app
        .post("/api/v1/credentials", json!({"name": "Stripe", "type": "httpHeaderAuth", "data": {"name": "Authorization", "value": "Bearer sk_live_hunter2"}}), Some(&owner))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    let text = res.text().await.unwrap();
    assert!(!text.contains("hunter2"), "{b}: create answered the secret");
    let id = serde_json::from_str::<Value>(&text).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let listed = app
        .get("/api/v1/credentials", Some(&owner))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        listed.contains("Stripe") && !listed.contains("hunter2"),
        "{b}: {listed}"
    );
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/credentials/{id}")))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let listed: Value = app.get_json("/api/v1/credentials", Some(&owner)).await;
    assert!(listed["data"].as_array().unwrap().is_empty());
}

backend_tests!(test_webhooks_and_stopping_executions_over_http);
async fn test_webhooks_and_stopping_executions_over_http(backend: Backend) {
    let app = spawn_app(backend).await;
    let b = app.backend;
    let (owner, _, _) = app.signup("listener").await;
    let wf = json!({"name": "slow hook", "nodes": [
        {"name": "Hook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "webhookId": "s1",
         "parameters": {"httpMethod": "POST", "path": "slow", "responseMode": "lastNode"}},
        {"name": "Wait", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "parameters": {"amount": 30, "unit": "seconds"}}
    ], "connections": {"Hook": {"main": [[{"node": "Wait", "type": "main", "index": 0}]]}}});
    let created: Value = app.post_json("/api/v1/workflows", wf, Some(&owner)).await;
    let id = created["id"].as_str().unwrap().to_string();

    // Nobody listens yet: a clear 404.
    let res = app
        .client
        .post(app.url("/webhook-test/slow"))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::NOT_FOUND, "not_found", b).await;
    let res = app
        .post(
            &format!("/api/v1/workflows/{id}/listen"),
            json!({}),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["listening"], json!(["POST /webhook-test/slow"]));

    // The test call waits on the Wait node; stop it through the API.
    let call = tokio::spawn(
        app.client
            .post(app.url("/webhook-test/slow"))
            .json(&json!({"hello": 1}))
            .send(),
    );
    let mut running = None;
    for _ in 0..250 {
        let list: Value = app
            .get_json("/api/v1/executions?status=running", Some(&owner))
            .await;
        if let Some(id) = list["data"][0]["id"].as_str() {
            running = Some(id.to_string());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let running = running.expect("the execution shows as running");
    let res = app
        .post(
            &format!("/api/v1/executions/{running}/stop"),
            json!({}),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "canceled");
    let answered = call.await.unwrap().unwrap();
    assert_eq!(answered.status(), StatusCode::INTERNAL_SERVER_ERROR, "{b}");
    assert_eq!(
        answered.json::<Value>().await.unwrap()["message"],
        "The execution was stopped"
    );
    // Stopping a finished execution is a conflict, not a 500.
    let res = app
        .post(
            &format!("/api/v1/executions/{running}/stop"),
            json!({}),
            Some(&owner),
        )
        .await;
    assert_problem(res, StatusCode::CONFLICT, "conflict", b).await;
}

backend_tests!(a_wait_for_a_webhook_resumes_over_http);
async fn a_wait_for_a_webhook_resumes_over_http(backend: Backend) {
    let app = spawn_app(backend).await;
    let b = app.backend;
    let (owner, _, _) = app.signup("approver").await;
    let wf = json!({"name": "approval", "nodes": [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
        {"name": "Approval", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "parameters": {
            "resume": "webhook", "httpMethod": "POST", "responseMode": "lastNode"}}
    ], "connections": {"Start": {"main": [[{"node": "Approval", "type": "main", "index": 0}]]}}});
    let id = &app.create_workflow(wf, &owner).await;
    let run: Value = app
        .post_json(
            &format!("/api/v1/workflows/{id}/run"),
            json!({}),
            Some(&owner),
        )
        .await;
    assert_eq!(run["status"], "waiting", "{b}: {run}");
    let execution = run["id"].as_str().unwrap();

    // Unknown executions and other methods: a clear 404.
    let res = app
        .client
        .get(app.url(&format!("/webhook-waiting/{execution}")))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::NOT_FOUND, "not_found", b).await;
    let res = app
        .client
        .post(app.url(&format!("/webhook-waiting/{execution}")))
        .json(&json!({"answer": "yes"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    assert_eq!(res.json::<Value>().await.unwrap()["body"]["answer"], "yes");
    let stored: Value = app
        .get_json(&format!("/api/v1/executions/{execution}"), Some(&owner))
        .await;
    assert_eq!(stored["status"], "success", "{b}: {stored}");
    let res = app
        .client
        .post(app.url(&format!("/webhook-waiting/{execution}")))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::NOT_FOUND, "not_found", b).await;
}

#[tokio::test]
async fn schedule_history_over_http_is_the_tenants_own() {
    let app = spawn_app(Backend::Sqlite).await;
    let b = app.backend;
    let (owner, _, _) = app.signup("scheduler").await;
    let (stranger, _, _) = app.signup("stranger").await;
    let wf = json!({"name": "hourly", "nodes": [
        {"name": "Every hour", "type": "n8n-nodes-base.scheduleTrigger", "typeVersion": 1.2,
         "parameters": {"rule": {"interval": [{"field": "hours", "hoursInterval": 1}]}}}
    ], "connections": {}});
    let created: Value = app.post_json("/api/v1/workflows", wf, Some(&owner)).await;
    let id = created["id"].as_str().unwrap();
    let res = app
        .get(
            &format!("/api/v1/workflows/{id}/schedule-history?limit=5"),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    assert_eq!(res.json::<Value>().await.unwrap()["data"], json!([]));
    let res = app
        .get(
            &format!("/api/v1/workflows/{id}/schedule-history"),
            Some(&stranger),
        )
        .await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found", b).await;
}

backend_tests!(put_with_if_match_replaces_only_the_version_it_names);
async fn put_with_if_match_replaces_only_the_version_it_names(backend: Backend) {
    let app = spawn_app(backend).await;
    let b = app.backend;
    let (owner, _, _) = app.signup("if-match").await;
    let id = app
        .create_workflow(serde_json::from_str(BENCH).unwrap(), &owner)
        .await;
    let put = |if_match: &'static str, name: &'static str| {
        let mut doc: Value = serde_json::from_str(BENCH).unwrap();
        doc["name"] = json!(name);
        app.client
            .put(app.url(&format!("/api/v1/workflows/{id}")))
            .bearer_auth(&owner)
            .header("if-match", if_match)
            .json(&doc)
            .send()
    };

    let res = put("\"1\"", "Saved on version 1").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["versionId"], "2", "{b}");

    let res = put("\"1\"", "Also based on version 1").await.unwrap();
    let problem = assert_problem(res, StatusCode::CONFLICT, "version_conflict", b).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("version 2"),
        "{b}: {problem}"
    );

    // POST /workflows takes one workflow; an array is refused before anything is stored.
    let before: Value = app.get_json("/api/v1/workflows", Some(&owner)).await;
    let doc: Value = serde_json::from_str(BENCH).unwrap();
    let res = app
        .post("/api/v1/workflows", json!([doc.clone(), doc]), Some(&owner))
        .await;
    assert_problem(res, StatusCode::BAD_REQUEST, "bad_input", b).await;
    let after: Value = app.get_json("/api/v1/workflows", Some(&owner)).await;
    assert_eq!(
        after["data"].as_array().map(Vec::len),
        before["data"].as_array().map(Vec::len),
        "{b}"
    );

    let res = put("version two", "Unreadable precondition").await.unwrap();
    assert_problem(res, StatusCode::BAD_REQUEST, "bad_input", b).await;

    let res = put("W/\"2\"", "Saved on version 2").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    let stored: Value = app
        .get_json(&format!("/api/v1/workflows/{id}"), Some(&owner))
        .await;
    assert_eq!(
        (stored["name"].as_str(), stored["versionId"].as_str()),
        (Some("Saved on version 2"), Some("3")),
        "{b}"
    );
}
