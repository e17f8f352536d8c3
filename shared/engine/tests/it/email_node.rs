//! The Send Email node (`n8n-nodes-base.emailSend`) against a real SMTP server (aiosmtpd,
//! through `agente_network::testing`): one e-mail per item with expressions, n8n's v1 and v2
//! parameters and SMTP credential, and the network policy on the SMTP host.

use agente_engine::{Engine, Execution, ExecutionStatus, Item, NetworkPolicy, RunRequest};
use agente_network::testing::{SinkTls, SmtpSink};
use agente_workflow_model::Workflow;
use serde_json::{Value, json};
use std::collections::HashMap;

async fn run(node: Value, credential: Value, items: Vec<Value>, allow_private: bool) -> Execution {
    let mut node = node;
    node["name"] = json!("Mail");
    node["credentials"] = json!({"smtp": {"id": "smtp-1", "name": "Mail server"}});
    let wf: Workflow = serde_json::from_value(json!({
        "name": "mail",
        "nodes": [{"name": "Go", "type": "n8n-nodes-base.manualTrigger"}, node],
        "connections": {"Go": {"main": [[{"node": "Mail", "type": "main", "index": 0}]]}}
    }))
    .unwrap();
    let request = RunRequest {
        items: items.into_iter().map(Item::from_returned).collect(),
        credentials: HashMap::from([("smtp-1".to_string(), credential)]),
        ..RunRequest::default()
    };
    Engine::new(
        Default::default(),
        NetworkPolicy::with_private(allow_private),
    )
    .run(&wf, request)
    .await
}

fn credential(sink: &SmtpSink, secure: bool) -> Value {
    json!({"host": "127.0.0.1", "port": sink.port, "secure": secure, "user": "", "password": ""})
}

#[tokio::test]
async fn v2_sends_one_mail_per_item_with_expressions() {
    let sink = SmtpSink::start(SinkTls::None).await;
    let node = json!({
        "type": "n8n-nodes-base.emailSend", "typeVersion": 2.1,
        "parameters": {
            "fromEmail": "bot@example.test",
            "toEmail": "={{ $json.to }}",
            "subject": "=Order {{ $json.order }} shipped",
            "emailFormat": "both",
            "text": "=Hello {{ $json.name }}",
            "html": "=<p>Hello <b>{{ $json.name }}</b></p>",
            "options": {"ccEmail": "audit@example.test", "appendAttribution": false}
        }
    });
    let exec = run(
        node,
        credential(&sink, false),
        vec![
            json!({"to": "ann@example.test", "order": 1, "name": "Ann"}),
            json!({"to": "bob@example.test, carl@example.test", "order": 2, "name": "Bob"}),
        ],
        true,
    )
    .await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    let out = exec.output("Mail");
    assert_eq!(out.len(), 2);
    assert_eq!(
        out[1]["json"]["accepted"],
        json!([
            "bob@example.test",
            "carl@example.test",
            "audit@example.test"
        ])
    );
    assert!(out[0]["json"]["messageId"].as_str().unwrap().contains('@'));
    let mut mails = sink.delivered();
    mails.sort_by_key(|m| m.contains("Order 2"));
    assert_eq!(mails.len(), 2);
    assert!(
        mails[0].contains("Subject: Order 1 shipped"),
        "{}",
        mails[0]
    );
    assert!(mails[0].contains("Hello Ann"), "{}", mails[0]);
    assert!(mails[1].contains("Hello <b>Bob</b>"), "{}", mails[1]);
    assert!(
        !mails[1].contains("sent automatically"),
        "attribution was off"
    );
}

#[tokio::test]
async fn v1_parameters_and_smtps_with_a_self_signed_certificate_allowed() {
    let sink = SmtpSink::start(SinkTls::Smtps).await;
    let node = json!({
        "type": "n8n-nodes-base.emailSend", "typeVersion": 1,
        "parameters": {
            "fromEmail": "bot@example.test", "toEmail": "ops@example.test",
            "ccEmail": "lead@example.test", "subject": "Nightly report", "text": "All green",
            "options": {"allowUnauthorizedCerts": true}
        }
    });
    let exec = run(node.clone(), credential(&sink, true), vec![json!({})], true).await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    let mails = sink.delivered();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("All green"));

    // The same without allowing the unverifiable certificate: a clear failure, no mail.
    let mut strict = node;
    strict["parameters"]["options"] = json!({});
    let exec = run(strict, credential(&sink, true), vec![json!({})], true).await;
    assert_eq!(exec.status, ExecutionStatus::Error);
    assert!(exec.error.unwrap().message.to_lowercase().contains("tls"));
    assert_eq!(sink.delivered().len(), 1);
}

#[tokio::test]
async fn an_smtp_server_on_a_private_network_is_refused_by_default() {
    let sink = SmtpSink::start(SinkTls::None).await;
    let node = json!({
        "type": "n8n-nodes-base.emailSend", "typeVersion": 2,
        "parameters": {"fromEmail": "bot@example.test", "toEmail": "ops@example.test",
                       "subject": "s", "text": "t"}
    });
    let exec = run(node, credential(&sink, false), vec![json!({})], false).await;
    assert_eq!(exec.status, ExecutionStatus::Error);
    assert!(
        exec.error
            .unwrap()
            .message
            .contains("local or private network"),
        "refused before connecting"
    );
    assert!(sink.delivered().is_empty());
}

#[tokio::test]
async fn binary_properties_named_in_attachments_are_attached() {
    let sink = SmtpSink::start(SinkTls::None).await;
    let node = json!({
        "type": "n8n-nodes-base.emailSend", "typeVersion": 2.1,
        "parameters": {
            "fromEmail": "bot@example.test", "toEmail": "ann@example.test",
            "subject": "Your invoice", "emailFormat": "text", "text": "Attached.",
            "options": {"attachments": "invoice, logo", "appendAttribution": false}
        }
    });
    let item = json!({
        "json": {"n": 1},
        "binary": {
            "invoice": {"data": "JVBERi0xLjQKJSDigJwK", "mimeType": "application/pdf", "fileName": "INV-7.pdf"},
            "logo": {"data": "iVBORw0KGgo=", "mimeType": "image/png"}
        }
    });
    let exec = run(
        node.clone(),
        credential(&sink, false),
        vec![item.clone()],
        true,
    )
    .await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    let mail = sink.delivered().remove(0);
    assert!(mail.contains("multipart/mixed"), "{mail}");
    assert!(
        mail.contains("filename=\"INV-7.pdf\"") && mail.contains("application/pdf"),
        "{mail}"
    );
    assert!(
        mail.contains("JVBERi0xLjQKJSDigJwK"),
        "the PDF's bytes, base64"
    );
    assert!(
        mail.contains("filename=\"logo\"") && mail.contains("image/png"),
        "{mail}"
    );
    assert!(mail.contains("Attached."));

    // A property the item does not have is a clear error.
    let mut missing = node;
    missing["parameters"]["options"]["attachments"] = json!("contract");
    let exec = run(missing, credential(&sink, false), vec![item], true).await;
    assert_eq!(exec.status, ExecutionStatus::Error);
    assert!(
        exec.error
            .unwrap()
            .message
            .contains("no binary property `contract`")
    );
}
