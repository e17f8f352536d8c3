//! `/api/v1/events`: live updates over server-sent events — a manual run told node by node,
//! a resume from `Last-Event-ID`, and nothing for strangers.

use crate::helpers::{Backend, TestApp, assert_problem, spawn_app};
use agente_store::backend_tests;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

/// One server-sent event: its id, name and data.
type Sse = (Option<String>, String, Value);

/// An open event stream, read as events arrive.
struct Listener {
    res: Response,
    pending: String,
}

impl Listener {
    async fn open(app: &TestApp, query: &str, token: &str, last: Option<&str>) -> Response {
        let mut req = app
            .client
            .get(app.url(&format!("/api/v1/events{query}")))
            .bearer_auth(token);
        if let Some(id) = last {
            req = req.header("last-event-id", id);
        }
        req.send().await.unwrap()
    }

    /// The next event (comments and keep-alives skipped); `None` if none comes within `wait`.
    async fn next(&mut self, wait: Duration) -> Option<Sse> {
        loop {
            if let Some(end) = self.pending.find("\n\n") {
                let block: String = self.pending.drain(..end + 2).collect();
                let (mut id, mut name, mut data) = (None, None, String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id: ") {
                        id = Some(v.to_string());
                    } else if let Some(v) = line.strip_prefix("event: ") {
                        name = Some(v.to_string());
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        data.push_str(v);
                    }
                }
                if let Some(name) = name {
                    return Some((id, name, serde_json::from_str(&data).unwrap()));
                }
                continue;
            }
            let chunk = tokio::time::timeout(wait, self.res.chunk()).await.ok()?;
            let chunk = chunk.unwrap().expect("the stream stays open");
            self.pending.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

async fn listen(app: &TestApp, query: &str, token: &str, last: Option<&str>) -> Listener {
    let res = Listener::open(app, query, token, last).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", app.backend);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    Listener {
        res,
        pending: String::new(),
    }
}

backend_tests!(a_manual_run_is_told_live_and_a_listener_resumes_after_its_last_event);
async fn a_manual_run_is_told_live_and_a_listener_resumes_after_its_last_event(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, _, _) = app.signup(&format!("live-{backend:?}")).await;
    let id = app
        .create_workflow(
            json!({
                "name": "live",
                "nodes": [
                    {"name": "Go", "type": "n8n-nodes-base.manualTrigger", "position": [0, 0]},
                    {"name": "Two", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [200, 0],
                     "parameters": {"jsCode": "return [{json:{a:1}},{json:{a:2}}]"}}
                ],
                "connections": {"Go": {"main": [[{"node": "Two", "type": "main", "index": 0}]]}}
            }),
            &owner,
        )
        .await;
    let query = format!("?workflowId={id}");
    let mut live = listen(&app, &query, &owner, None).await;
    let (stranger, _, _) = app.signup(&format!("live-stranger-{backend:?}")).await;
    let mut strangers = listen(&app, "", &stranger, None).await;

    let res = app
        .post(
            &format!("/api/v1/workflows/{id}/run"),
            json!({}),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}", app.backend);
    let mut told = Vec::new();
    while let Some(event) = live.next(Duration::from_secs(10)).await {
        let done = event.1 == "executionFinished";
        told.push(event);
        if done {
            break;
        }
    }
    let names: Vec<&str> = told.iter().map(|(_, n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "executionStarted",
            "nodeStarted",
            "nodeFinished",
            "nodeStarted",
            "nodeFinished",
            "executionFinished"
        ],
        "{}",
        app.backend
    );
    let (_, _, two) = &told[4];
    assert_eq!(
        (two["node"].as_str(), &two["items"]),
        (Some("Two"), &json!([2]))
    );
    assert_eq!(two["workflowId"], id.as_str());
    assert_eq!(told[5].2["status"], "success");
    assert!(
        told.iter()
            .all(|(i, _, d)| i.as_deref() == d["id"].as_str() && i.is_some())
    );
    assert!(
        strangers.next(Duration::from_millis(300)).await.is_none(),
        "another workspace hears nothing"
    );

    // A browser that saw the second event reconnects: it gets the third next.
    let mut resumed = listen(&app, &query, &owner, told[1].0.as_deref()).await;
    let (id3, name3, _) = resumed.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        (id3, name3),
        (told[2].0.clone(), "nodeFinished".to_string())
    );
    // One this replica does not keep: read everything afresh.
    let mut lost = listen(
        &app,
        &query,
        &owner,
        Some("01900000-0000-7000-8000-000000000000"),
    )
    .await;
    assert_eq!(lost.next(Duration::from_secs(5)).await.unwrap().1, "resync");
}

backend_tests!(the_event_stream_needs_a_caller_and_a_workflow_id);
async fn the_event_stream_needs_a_caller_and_a_workflow_id(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.get("/api/v1/events", None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{}", app.backend);
    let (owner, _, _) = app.signup(&format!("live-bad-{backend:?}")).await;
    let res = Listener::open(&app, "?workflowId=not-an-id", &owner, None).await;
    assert_problem(res, StatusCode::BAD_REQUEST, "bad_input", app.backend).await;
    let res = Listener::open(&app, "?other=1", &owner, None).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{}", app.backend);
}

/// Postgres without Redis: events travel over `LISTEN/NOTIFY`, as the application's
/// confined login.
#[tokio::test]
async fn on_postgres_without_redis_events_travel_over_listen_notify() {
    let app = crate::helpers::spawn_app_with(Backend::Postgres, |c| c.redis_url = None).await;
    let (owner, _, _) = app.signup("live-pg").await;
    let id = app
        .create_workflow(
            json!({"name": "pg", "nodes": [
                {"name": "Go", "type": "n8n-nodes-base.manualTrigger", "position": [0, 0]}
            ], "connections": {}}),
            &owner,
        )
        .await;
    let mut live = listen(&app, &format!("?workflowId={id}"), &owner, None).await;
    let res = app
        .post(
            &format!("/api/v1/workflows/{id}/run"),
            json!({}),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let mut names = Vec::new();
    while let Some((_, name, data)) = live.next(Duration::from_secs(10)).await {
        names.push(name.clone());
        if name == "executionFinished" {
            assert_eq!(data["status"], "success");
            break;
        }
    }
    assert_eq!(
        names,
        [
            "executionStarted",
            "nodeStarted",
            "nodeFinished",
            "executionFinished"
        ]
    );
}
