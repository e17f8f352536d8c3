//! The Slack node (`n8n-nodes-base.slack`, message / post) against a local server speaking
//! Slack's Web API (`chat.postMessage`: bearer token, JSON body, `{"ok": …}` answers, 429
//! with `Retry-After`).

use agente_engine::{Engine, Execution, ExecutionStatus, Item, NetworkPolicy, RunRequest};
use agente_workflow_model::Workflow;
use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const TOKEN: &str = "xoxb-test-token";

type Posted = Arc<Mutex<Vec<Value>>>;

/// A fake of `POST /api/chat.postMessage`; answers its base URL and what it accepted.
async fn slack_api() -> (String, Posted) {
    let posted: Posted = Arc::default();
    let seen = posted.clone();
    let app = axum::Router::new().route(
        "/api/chat.postMessage",
        post(move |headers: HeaderMap, Json(body): Json<Value>| {
            let seen = seen.clone();
            async move {
                if headers.get("authorization").and_then(|v| v.to_str().ok())
                    != Some(&format!("Bearer {TOKEN}"))
                {
                    return Json(json!({"ok": false, "error": "invalid_auth"})).into_response();
                }
                match body["channel"].as_str() {
                    Some("C_MISSING") => {
                        Json(json!({"ok": false, "error": "channel_not_found"})).into_response()
                    }
                    Some("C_BUSY") => (
                        StatusCode::TOO_MANY_REQUESTS,
                        [("retry-after", "30")],
                        Json(json!({"ok": false, "error": "ratelimited"})),
                    )
                        .into_response(),
                    Some(channel) => {
                        seen.lock().unwrap().push(body.clone());
                        Json(json!({"ok": true, "channel": channel, "ts": "1700000000.000100",
                            "message": {"type": "message", "text": body["text"], "blocks": body["blocks"]}}))
                        .into_response()
                    }
                    None => Json(json!({"ok": false, "error": "channel_not_found"})).into_response(),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/api", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, posted)
}

async fn run(
    parameters: Value,
    version: f64,
    base: &str,
    token: &str,
    allow_private: bool,
) -> Execution {
    let wf: Workflow = serde_json::from_value(json!({
        "name": "slack",
        "nodes": [
            {"name": "Go", "type": "n8n-nodes-base.manualTrigger"},
            {"name": "Slack", "type": "n8n-nodes-base.slack", "typeVersion": version,
             "parameters": parameters,
             "credentials": {"slackApi": {"id": "slack-1", "name": "Slack bot"}}}
        ],
        "connections": {"Go": {"main": [[{"node": "Slack", "type": "main", "index": 0}]]}}
    }))
    .unwrap();
    let request = RunRequest {
        items: vec![Item::from_value(json!({"order": 42, "who": "Ann"}))],
        credentials: HashMap::from([(
            "slack-1".to_string(),
            json!({"accessToken": token, "baseUrl": base}),
        )]),
        ..RunRequest::default()
    };
    Engine::new(
        Default::default(),
        NetworkPolicy::with_private(allow_private),
    )
    .run(&wf, request)
    .await
}

#[tokio::test]
async fn posts_text_to_a_channel_in_a_thread() {
    let (base, posted) = slack_api().await;
    let exec = run(
        json!({
            "select": "channel",
            "channelId": {"__rl": true, "value": "C0123", "mode": "id"},
            "text": "=Order {{ $json.order }} for {{ $json.who }} shipped",
            "otherOptions": {"includeLinkToWorkflow": false, "mrkdwn": true,
                             "thread_ts": {"replyValues": {"thread_ts": "1699999999.000001"}}}
        }),
        2.2,
        &base,
        TOKEN,
        true,
    )
    .await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    let body = posted.lock().unwrap()[0].clone();
    assert_eq!(
        body,
        json!({"channel": "C0123", "text": "Order 42 for Ann shipped", "mrkdwn": true,
               "thread_ts": "1699999999.000001"})
    );
    let out = &exec.output("Slack")[0]["json"];
    assert_eq!(out["ok"], true);
    assert_eq!(out["message_timestamp"], "1700000000.000100");
}

#[tokio::test]
async fn posts_blocks_to_a_user_with_the_attribution_by_default() {
    let (base, posted) = slack_api().await;
    let exec = run(
        json!({
            "select": "user",
            "user": {"__rl": true, "value": "U0456", "mode": "id"},
            "messageType": "block",
            "blocksUi": "{\"blocks\": [{\"type\": \"section\", \"text\": {\"type\": \"mrkdwn\", \"text\": \"*Hi*\"}}]}",
            "text": "Hi"
        }),
        2.2,
        &base,
        TOKEN,
        true,
    )
    .await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    let body = posted.lock().unwrap()[0].clone();
    assert_eq!(body["channel"], "U0456");
    assert_eq!(body["blocks"][0]["type"], "section");
    assert_eq!(body["text"], "Hi\n_Automated with Agente_");
}

#[tokio::test]
async fn slack_refusals_fail_the_node_with_slacks_reason() {
    let (base, posted) = slack_api().await;
    let to = |channel: &str| json!({"channelId": {"__rl": true, "value": channel, "mode": "id"}, "text": "x"});
    let error = |exec: Execution| exec.error.expect("an error").message;

    let missing = run(to("C_MISSING"), 2.2, &base, TOKEN, true).await;
    assert!(error(missing).contains("channel_not_found"));
    let busy = run(to("C_BUSY"), 2.2, &base, TOKEN, true).await;
    assert!(error(busy).contains("retry after 30 s"));
    let wrong_token = run(to("C0123"), 2.2, &base, "xoxb-wrong", true).await;
    assert!(error(wrong_token).contains("invalid_auth"));
    let no_text = run(
        json!({"channelId": "C0123", "text": ""}),
        2.2,
        &base,
        TOKEN,
        true,
    )
    .await;
    assert!(error(no_text).contains("no text"));
    assert!(posted.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_slack_api_on_a_private_network_is_refused_by_default() {
    let (base, posted) = slack_api().await;
    let exec = run(
        json!({"channelId": "C0123", "text": "x"}),
        2.2,
        &base,
        TOKEN,
        false,
    )
    .await;
    assert_eq!(exec.status, ExecutionStatus::Error);
    assert!(
        exec.error
            .unwrap()
            .message
            .contains("local or private network")
    );
    assert!(posted.lock().unwrap().is_empty());
}

#[tokio::test]
async fn an_oauth2_credential_posts_with_its_user_token() {
    let (base, posted) = slack_api().await;
    let wf: Workflow = serde_json::from_value(json!({
        "name": "slack",
        "nodes": [
            {"name": "Go", "type": "n8n-nodes-base.manualTrigger"},
            {"name": "Slack", "type": "n8n-nodes-base.slack", "typeVersion": 2.2,
             "parameters": {"authentication": "oAuth2", "select": "channel",
                 "channelId": {"__rl": true, "value": "C0999", "mode": "id"},
                 "text": "via OAuth", "otherOptions": {"includeLinkToWorkflow": false}},
             "credentials": {"slackOAuth2Api": {"id": "slack-o", "name": "Slack app"}}}
        ],
        "connections": {"Go": {"main": [[{"node": "Slack", "type": "main", "index": 0}]]}}
    }))
    .unwrap();
    let token_data = |user: Option<&str>| {
        let mut data = json!({"access_token": "xoxb-bot-token"});
        if let Some(user) = user {
            data["authed_user"] = json!({"access_token": user});
        }
        HashMap::from([(
            "slack-o".to_string(),
            json!({"clientId": "c", "clientSecret": "s", "oauthTokenData": data, "baseUrl": base}),
        )])
    };
    let engine = Engine::new(Default::default(), NetworkPolicy::with_private(true));
    let run = |credentials| RunRequest {
        items: vec![Item::from_value(json!({}))],
        credentials,
        ..RunRequest::default()
    };
    let exec = engine.run(&wf, run(token_data(Some(TOKEN)))).await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    assert_eq!(posted.lock().unwrap()[0]["text"], "via OAuth");
    // The bot token alone is used when there is no user token; the fake knows only TOKEN.
    let exec = engine.run(&wf, run(token_data(None))).await;
    assert_eq!(exec.status, ExecutionStatus::Error);
    assert!(exec.error.unwrap().message.contains("invalid_auth"));
}
