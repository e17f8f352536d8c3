//! What a Webhook node's parameters ask of the HTTP exchange: authentication (checked
//! before anything runs), the raw body, and the answer (status, headers, which data).

use crate::webhook_call::{WebhookCall, WebhookReply};
use agente_core::token::constant_time_eq;
use agente_engine::{Execution, ExecutionStatus, node_credential};
use agente_workflow_model::Node;
use base64::Engine as _;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// The Webhook node's `authentication` (the Wait node's `incomingAuthentication`): `none`,
/// `basicAuth` (credential `httpBasicAuth`: user, password) or `headerAuth` (credential
/// `httpHeaderAuth`: name, value). Answers the refusal to send, as n8n words it, or `None`
/// to go on.
pub(super) fn check_auth(
    node: &Node,
    headers: &Map<String, Value>,
    credentials: &HashMap<String, Value>,
) -> Option<WebhookReply> {
    let params = node.parameters();
    let method = params
        .get("authentication")
        .or_else(|| params.get("incomingAuthentication"))
        .and_then(Value::as_str)
        .unwrap_or("none");
    let header = |name: &str| {
        headers
            .get(&name.to_ascii_lowercase())
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let wrong = || Some(WebhookReply::message(403, "Authorization data is wrong!"));
    let unusable = |e: String| {
        Some(WebhookReply::message(
            500,
            &format!("The webhook's authentication is not set up: {e}"),
        ))
    };
    match method {
        "none" => None,
        "basicAuth" => {
            let cred = match node_credential(node, "httpBasicAuth", credentials) {
                Ok(c) => c,
                Err(e) => return unusable(e),
            };
            let given = header("authorization");
            let Some(encoded) = given.strip_prefix("Basic ") else {
                return Some(WebhookReply {
                    status: 401,
                    headers: vec![("www-authenticate".into(), "Basic realm=\"Webhook\"".into())],
                    body: json!({ "message": "Authorization is required!" }),
                    html: false,
                });
            };
            let expected = format!(
                "{}:{}",
                cred["user"].as_str().unwrap_or_default(),
                cred["password"].as_str().unwrap_or_default()
            );
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .unwrap_or_default();
            if constant_time_eq(&String::from_utf8_lossy(&decoded), &expected) {
                None
            } else {
                wrong()
            }
        }
        "headerAuth" => {
            let cred = match node_credential(node, "httpHeaderAuth", credentials) {
                Ok(c) => c,
                Err(e) => return unusable(e),
            };
            let name = cred["name"].as_str().unwrap_or_default();
            let expected = cred["value"].as_str().unwrap_or_default();
            if !name.is_empty() && constant_time_eq(&header(name), expected) {
                None
            } else {
                wrong()
            }
        }
        other => unusable(format!(
            "`{other}` is not supported (use basic or header auth)"
        )),
    }
}

/// What a caller sent that proves who it is — `Authorization`, `Proxy-Authorization` and the
/// header the node's header authentication reads — to be masked in the stored execution
/// (the run itself sees the headers as sent, as n8n's does).
pub(super) fn caller_secrets(
    node: &Node,
    headers: &Map<String, Value>,
    credentials: &HashMap<String, Value>,
) -> Vec<String> {
    let mut names = vec![
        "authorization".to_string(),
        "proxy-authorization".to_string(),
    ];
    if let Ok(cred) = node_credential(node, "httpHeaderAuth", credentials)
        && let Some(name) = cred.get("name").and_then(Value::as_str)
    {
        names.push(name.to_ascii_lowercase());
    }
    let mut secrets = Vec::new();
    for name in names {
        let Some(value) = headers.get(&name).and_then(Value::as_str) else {
            continue;
        };
        secrets.push(value.to_string());
        // `Basic <base64>` and `Bearer <token>`: the credential part on its own too, and
        // what basic authentication decodes to.
        if let Some((_, token)) = value.split_once(' ') {
            secrets.push(token.trim().to_string());
            if let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(token.trim())
                && let Ok(text) = String::from_utf8(decoded)
            {
                secrets.extend(
                    text.split_once(':')
                        .map(|(_, password)| password.to_string()),
                );
                secrets.push(text);
            }
        }
    }
    secrets
}

/// With `options.rawBody`, the body as received, as binary data `data`.
pub(super) fn raw_body(node: &Node, call: &WebhookCall) -> Option<Map<String, Value>> {
    let wanted = node
        .parameters()
        .get("options")
        .and_then(|o| o.get("rawBody"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if !wanted || call.raw_body.is_empty() {
        return None;
    }
    let mime = call
        .headers
        .get("content-type")
        .and_then(Value::as_str)
        .unwrap_or("application/octet-stream");
    let property = node
        .parameters()
        .get("options")
        .and_then(|o| o.get("binaryPropertyName"))
        .and_then(Value::as_str)
        .unwrap_or("data");
    Some(Map::from_iter([(
        property.to_string(),
        json!({
            "data": base64::engine::general_purpose::STANDARD.encode(&call.raw_body),
            "mimeType": mime.split(';').next().unwrap_or(mime).trim(),
            "fileSize": format!("{} B", call.raw_body.len()),
        }),
    )]))
}

/// The answer the Webhook node's response parameters describe.
pub(super) struct Respond {
    status: u16,
    headers: Vec<(String, String)>,
    /// `firstEntryJson` (default), `allEntries` or `noData` (when the last node finishes).
    data: String,
    /// Only this property of the first item (`firstEntryJson`).
    property: Option<String>,
    no_body: bool,
}

impl Respond {
    pub fn of(node: &Node) -> Self {
        let params = node.parameters();
        let options = params.get("options").and_then(Value::as_object);
        let option = |k: &str| options.and_then(|o| o.get(k));
        // v1 has `responseCode` at the top, v2 in the options.
        let status = option("responseCode")
            .or_else(|| params.get("responseCode"))
            .and_then(Value::as_u64)
            .filter(|c| (100..600).contains(c))
            .unwrap_or(200) as u16;
        let headers = option("responseHeaders")
            .and_then(|h| h.get("entries"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|e| {
                Some((
                    e.get("name")?.as_str()?.to_string(),
                    e.get("value")?.as_str()?.to_string(),
                ))
            })
            .collect();
        Self {
            status,
            headers,
            data: params
                .get("responseData")
                .and_then(Value::as_str)
                .unwrap_or("firstEntryJson")
                .to_string(),
            property: option("responsePropertyName")
                .and_then(Value::as_str)
                .filter(|p| !p.is_empty())
                .map(str::to_string),
            no_body: option("noResponseBody")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        }
    }

    fn reply(&self, body: Value) -> WebhookReply {
        WebhookReply {
            status: self.status,
            headers: self.headers.clone(),
            body: if self.no_body { Value::Null } else { body },
            html: false,
        }
    }

    /// `responseMode: onReceived`: answer before the run.
    pub fn at_once(&self) -> WebhookReply {
        self.reply(json!({ "message": "Workflow was started" }))
    }

    /// `lastNode` and `responseNode`: answer from the finished execution.
    pub fn after(&self, execution: &Execution) -> WebhookReply {
        if let Some(response) = &execution.response {
            return WebhookReply {
                status: response.status,
                headers: response.headers.clone(),
                body: response.body.clone(),
                html: response.html,
            };
        }
        if execution.status == ExecutionStatus::Canceled {
            return WebhookReply::message(500, "The execution was stopped");
        }
        if execution.error.is_some() {
            // The error stays in the execution, where the tenant reads it; the caller may be
            // anyone, and an error can quote what a node received or sent.
            return WebhookReply::message(500, "Error in workflow");
        }
        let last = execution
            .last_node
            .as_deref()
            .map(|n| execution.output(n))
            .unwrap_or_default();
        let body = match self.data.as_str() {
            "noData" => Value::Null,
            "allEntries" => Value::Array(last.iter().map(|i| i["json"].clone()).collect()),
            "firstEntryJson" => {
                let first = last
                    .first()
                    .map(|i| i["json"].clone())
                    .unwrap_or_else(|| json!({}));
                match &self.property {
                    Some(p) => first.get(p).cloned().unwrap_or(Value::Null),
                    None => first,
                }
            }
            other => {
                return WebhookReply::message(
                    500,
                    &format!("the Webhook node's response data `{other}` is not supported"),
                );
            }
        };
        self.reply(body)
    }
}
