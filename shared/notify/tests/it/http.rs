//! Slack and signed-webhook senders against local HTTP servers speaking Slack's incoming
//! webhook answers and a receiver that verifies signatures.

use agente_network::{HttpSettings, NetworkPolicy, OutboundHttp};
use agente_notify::NotifyError;
use agente_notify::slack::{self, SlackMessage};
use agente_notify::webhook::{self, Delivery};
use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SECRET: &[u8] = b"whsec_test_secret";

type Seen = Arc<Mutex<Vec<(HeaderMap, Value)>>>;

/// Answers as Slack and as a signature-checking receiver; remembers what it accepted.
async fn server() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let (slack_seen, hook_seen) = (seen.clone(), seen.clone());
    let app = Router::new()
        .route(
            "/services/ok",
            post(move |headers: HeaderMap, body: Bytes| async move {
                let value: Value = serde_json::from_slice(&body).unwrap();
                slack_seen.lock().unwrap().push((headers, value));
                "ok"
            }),
        )
        .route(
            "/services/invalid",
            post(|| async { (StatusCode::BAD_REQUEST, "invalid_payload") }),
        )
        .route(
            "/services/removed",
            post(|| async { (StatusCode::NOT_FOUND, "no_service") }),
        )
        .route(
            "/services/busy",
            post(|| async {
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [("retry-after", "7")],
                    "rate_limited",
                )
            }),
        )
        .route(
            "/services/down",
            post(|| async { (StatusCode::SERVICE_UNAVAILABLE, "oops") }),
        )
        .route(
            "/hook",
            post(move |headers: HeaderMap, body: Bytes| async move {
                let signature = headers
                    .get(webhook::SIGNATURE_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs() as i64;
                if webhook::verify(SECRET, signature, &body, now, 300).is_err() {
                    return StatusCode::UNAUTHORIZED.into_response();
                }
                let value: Value = serde_json::from_slice(&body).unwrap();
                hook_seen.lock().unwrap().push((headers, value));
                StatusCode::NO_CONTENT.into_response()
            }),
        )
        .route("/gone", post(|| async { StatusCode::GONE }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, seen)
}

/// The senders' client, with the local test servers allowed.
fn client() -> OutboundHttp {
    OutboundHttp::new(
        NetworkPolicy::allow_private(),
        &HttpSettings {
            read_timeout: Some(Duration::from_secs(5)),
            ..HttpSettings::default()
        },
    )
    .unwrap()
}

fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn slack_gets_the_message_and_its_refusals_are_classified() {
    let (base, seen) = server().await;
    let message = SlackMessage {
        text: "Workflow *Invoices* failed".into(),
        blocks: Some(
            json!([{"type": "section", "text": {"type": "mrkdwn", "text": "*Invoices* failed"}}]),
        ),
    };
    slack::send(&client(), &format!("{base}/services/ok"), &message)
        .await
        .unwrap();
    let (headers, body) = seen.lock().unwrap()[0].clone();
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(body["text"], "Workflow *Invoices* failed");
    assert_eq!(body["blocks"][0]["type"], "section");

    let err = |path: &'static str| {
        let (base, message) = (base.clone(), message.clone());
        async move {
            slack::send(&client(), &format!("{base}{path}"), &message)
                .await
                .unwrap_err()
        }
    };
    let invalid = err("/services/invalid").await;
    assert!(
        matches!(&invalid, NotifyError::Permanent(m) if m.contains("invalid_payload")),
        "{invalid:?}"
    );
    assert!(!err("/services/removed").await.is_retryable());
    match err("/services/busy").await {
        NotifyError::Retry { after, .. } => assert_eq!(after, Some(Duration::from_secs(7))),
        other => panic!("{other:?}"),
    }
    assert!(err("/services/down").await.is_retryable());
    // Nothing listens there: another attempt may find it, and the URL is not in the error.
    let nowhere = "http://127.0.0.1:9/services/T000/B000/secretpart";
    let gone = slack::send(&client(), nowhere, &message).await.unwrap_err();
    assert!(gone.is_retryable(), "{gone:?}");
    assert!(!gone.to_string().contains("secretpart"), "{gone}");
}

#[tokio::test]
async fn bad_slack_messages_are_refused_before_sending() {
    let empty = SlackMessage::default();
    let err = slack::send(&client(), "http://127.0.0.1:9/x", &empty)
        .await
        .unwrap_err();
    assert!(matches!(err, NotifyError::Permanent(_)));
    let message = SlackMessage {
        text: "hi".into(),
        blocks: None,
    };
    let err = slack::send(&client(), "ftp://example.test/x", &message)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("http(s)"), "{err}");
}

#[tokio::test]
async fn a_signed_webhook_verifies_at_the_receiver_and_a_wrong_secret_does_not() {
    let (base, seen) = server().await;
    let payload = json!({"execution": "e-1", "workflow": "Invoices", "error": "HTTP 503"});
    let delivery = Delivery {
        url: &format!("{base}/hook"),
        secret: SECRET,
        event: "execution.failed",
        id: "d-42",
        payload: &payload,
    };
    assert_eq!(
        webhook::send(&client(), &delivery, now_s()).await.unwrap(),
        204
    );
    let (headers, body) = seen.lock().unwrap()[0].clone();
    assert_eq!(body, payload);
    assert_eq!(headers[webhook::EVENT_HEADER], "execution.failed");
    assert_eq!(headers[webhook::DELIVERY_HEADER], "d-42");

    let forged = Delivery {
        secret: b"not the secret",
        ..delivery.clone()
    };
    let err = webhook::send(&client(), &forged, now_s())
        .await
        .unwrap_err();
    assert!(
        matches!(err, NotifyError::Permanent(ref m) if m.contains("401")),
        "{err:?}"
    );
    // Signed ten minutes ago: stale at the receiver.
    let err = webhook::send(&client(), &delivery, now_s() - 600)
        .await
        .unwrap_err();
    assert!(!err.is_retryable(), "{err:?}");
    assert_eq!(seen.lock().unwrap().len(), 1);

    let gone = Delivery {
        url: &format!("{base}/gone"),
        ..delivery
    };
    assert!(
        !webhook::send(&client(), &gone, now_s())
            .await
            .unwrap_err()
            .is_retryable()
    );
}
