//! One outbound-network policy (item 4): every client that calls a destination a tenant
//! gives, against every spelling of an address on the server's side. A listener on the
//! loopback counts connections: none may arrive.

use crate::helpers::{Backend, TestApp, spawn_app, spawn_app_with};
use agente_store::backend_tests;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts the connections made to it (on every loopback address, v4 and v6).
struct Tripwire {
    port: u16,
    hits: Arc<AtomicUsize>,
}

impl Tripwire {
    async fn start() -> Self {
        let listener = match tokio::net::TcpListener::bind("[::]:0").await {
            Ok(l) => l,
            Err(_) => tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap(),
        };
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(AtomicUsize::new(0));
        let counted = hits.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                drop(socket);
            }
        });
        Self { port, hits }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// Hosts that all land on this machine (or its private or metadata networks).
fn hosts() -> Vec<&'static str> {
    vec![
        "127.0.0.1",
        "2130706433",
        "0x7f000001",
        "0x7f.0.0.1",
        "0177.0.0.1",
        "127.1",
        "0",
        "0.0.0.0",
        "localhost",
        "LOCALHOST.",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "[::127.0.0.1]",
        "[64:ff9b::7f00:1]",
        "[2002:7f00:1::]",
        "[fec0::1]",
        "[fd00::1]",
        "169.254.169.254",
        "100.64.0.1",
        "10.0.0.1",
        "192.168.0.1",
    ]
}

/// Manual Trigger → `node`; answers the finished execution.
async fn run_node(app: &TestApp, token: &str, node: Value) -> Value {
    let workflow = json!({
        "name": "outbound",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
            node
        ],
        "connections": {"Start": {"main": [[{"node": "Call", "type": "main", "index": 0}]]}}
    });
    let id = app.create_workflow(workflow, token).await;
    app.post_json(
        &format!("/api/v1/workflows/{id}/run"),
        json!({}),
        Some(token),
    )
    .await
}

fn refused(execution: &Value) -> bool {
    execution["status"] == "error"
        && execution["data"]["resultData"]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("local or private network"))
}

#[tokio::test]
async fn no_client_reaches_the_servers_side_by_any_spelling_of_an_address() {
    let trap = Tripwire::start().await;
    let port = trap.port;
    let app = spawn_app(Backend::Sqlite).await;
    let (token, _, _) = app.signup("outbound").await;
    let push = agente_notify::testing::PushService::start().await;
    let subscription = push.subscribe("phone");
    for host in hosts() {
        let url = format!("http://{host}:{port}/hook");
        // The HTTP Request node.
        let exec = run_node(
            &app,
            &token,
            json!({"name": "Call", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2,
                   "position": [200, 0], "parameters": {"url": url}}),
        )
        .await;
        assert!(refused(&exec), "HTTP node, {url}: {exec}");

        // The OpenAI node with a credential whose URL is the address.
        let openai = app
            .create_credential(
                "openAiApi",
                json!({"apiKey": "sk-x", "url": format!("http://{host}:{port}/v1")}),
                &token,
            )
            .await;
        let exec = run_node(
            &app,
            &token,
            json!({"name": "Call", "type": "n8n-nodes-base.openAi", "typeVersion": 1.1, "position": [200, 0],
                   "parameters": {"resource": "text", "operation": "message",
                                  "modelId": {"__rl": true, "value": "gpt-4o-mini", "mode": "list"},
                                  "messages": {"values": [{"content": "hi"}]}},
                   "credentials": {"openAiApi": {"id": openai, "name": "x"}}}),
        )
        .await;
        assert!(refused(&exec), "OpenAI node, {host}: {exec}");

        // The tenant's own key for the assistant: its URL is the address. The assistant
        // falls back to the offline planner; the address is never called (the tripwire).
        let res = app
            .put(
                "/api/v1/ai/settings",
                json!({"generation": {"use": "own", "credentialId": openai, "model": "gpt-4o-mini"}}),
                &token,
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{host}");
        let res = app
            .post(
                "/api/v1/ai/workflows/generate",
                json!({"description": "every morning fetch https://example.com and post it to slack"}),
                Some(&token),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "own key, {host}");

        // The Slack node with a Slack-compatible API at the address.
        let slack = app
            .create_credential(
                "slackApi",
                json!({"accessToken": "xoxb", "baseUrl": format!("http://{host}:{port}/api")}),
                &token,
            )
            .await;
        let exec = run_node(
            &app,
            &token,
            json!({"name": "Call", "type": "n8n-nodes-base.slack", "typeVersion": 2.2, "position": [200, 0],
                   "parameters": {"select": "channel", "channelId": {"__rl": true, "value": "C1", "mode": "id"}, "text": "hi"},
                   "credentials": {"slackApi": {"id": slack, "name": "x"}}}),
        )
        .await;
        assert!(refused(&exec), "Slack node, {host}: {exec}");

        // The Send Email node with an SMTP server at the address (its host alone).
        let smtp_host = host.trim_start_matches('[').trim_end_matches(']');
        let smtp = app
            .create_credential(
                "smtp",
                json!({"host": smtp_host, "port": port, "secure": false}),
                &token,
            )
            .await;
        let exec = run_node(
            &app,
            &token,
            json!({"name": "Call", "type": "n8n-nodes-base.emailSend", "typeVersion": 2.1, "position": [200, 0],
                   "parameters": {"fromEmail": "a@example.test", "toEmail": "b@example.test", "subject": "s", "emailFormat": "text", "text": "t"},
                   "credentials": {"smtp": {"id": smtp, "name": "x"}}}),
        )
        .await;
        assert!(refused(&exec), "Send Email node, {smtp_host}: {exec}");

        // Notification rules: Slack and signed webhooks.
        for channel in ["slack", "webhook"] {
            let res = app
                .post(
                    "/api/v1/notifications/rules",
                    json!({"name": "x", "events": ["execution.failed"], "channel": channel,
                           "target": {"url": url}}),
                    Some(&token),
                )
                .await;
            assert_eq!(
                res.status(),
                StatusCode::BAD_REQUEST,
                "{channel} rule, {url}"
            );
        }
        // A Web Push endpoint.
        let mut device = subscription.clone();
        device.endpoint = url.clone();
        let res = app
            .post(
                "/api/v1/notifications/push-subscriptions",
                json!({"subscription": device}),
                Some(&token),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::BAD_REQUEST,
            "push endpoint, {url}"
        );
        // The workspace's own SMTP server (literal addresses and `localhost` at once; other
        // names when mail goes out, like the node).
        if smtp_host.parse::<std::net::IpAddr>().is_ok()
            || smtp_host.eq_ignore_ascii_case("localhost")
        {
            let res = app
                .put(
                    "/api/v1/notifications/smtp",
                    json!({"host": smtp_host, "port": port, "security": "none", "from": "a@example.test"}),
                    &token,
                )
                .await;
            assert_eq!(
                res.status(),
                StatusCode::BAD_REQUEST,
                "workspace SMTP, {smtp_host}"
            );
        }
    }
    assert_eq!(trap.hits(), 0, "a client reached the loopback");
}

backend_tests!(redirects_and_names_are_checked_at_every_hop);
async fn redirects_and_names_are_checked_at_every_hop(backend: Backend) {
    let trap = Tripwire::start().await;
    // A server the operator opened (127.0.0.2) that redirects to the loopback it did not.
    let redirector = axum::Router::new().route(
        "/go",
        axum::routing::get({
            let to = format!("http://127.0.0.1:{}/inside", trap.port);
            move || async move { axum::response::Redirect::temporary(&to) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.2:0").await.unwrap();
    let opened = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, redirector).await.unwrap() });
    let app = spawn_app_with(backend, |c| {
        c.http_allow_networks = vec!["127.0.0.2/32".parse().unwrap()];
    })
    .await;
    let (token, _, _) = app.signup("redirects").await;
    let exec = run_node(
        &app,
        &token,
        json!({"name": "Call", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2,
               "position": [200, 0], "parameters": {"url": format!("http://{opened}/go")}}),
    )
    .await;
    assert!(refused(&exec), "{}: {exec}", app.backend);
    // The opened network itself is reachable (the redirect is what was refused).
    let exec = run_node(
        &app,
        &token,
        json!({"name": "Call", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2,
               "position": [200, 0], "parameters": {"url": format!("http://{opened}/go"),
               "options": {"redirect": {"redirect": {"followRedirects": false}},
                           "response": {"response": {"neverError": true, "fullResponse": true}}}}}),
    )
    .await;
    assert_eq!(exec["status"], "success", "{exec}");
    assert_eq!(trap.hits(), 0, "a redirect reached the loopback");
}
