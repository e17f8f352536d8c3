//! Secrets out of what an execution leaves behind. A run sees its credentials and the
//! caller's headers as they are; what is stored and shown afterwards (run data, the error,
//! logs) has them masked: an HTTP node's error quoting a URL with an API key in its query,
//! a Set node copying `Authorization`, an echo server's answer.

use super::{Execution, RunRequest};
use serde_json::Value;

/// Credential fields whose values are secret, by a part of their name (lower case).
const SECRET_FIELDS: &[&str] = &[
    "password",
    "secret",
    "token",
    "key",
    "value",
    "auth",
    "signature",
    "private",
    "cookie",
];
/// … unless the name says it is something else (`token_type: "Bearer"`, `scope`).
const PLAIN_FIELDS: &[&str] = &[
    "type", "scope", "expires", "url", "name", "user", "host", "port",
];

/// Whether a field holds a secret, given whether the object it is in does.
fn is_secret_field(name: &str, within_secret: bool) -> bool {
    let name = name.to_ascii_lowercase();
    (within_secret || SECRET_FIELDS.iter().any(|f| name.contains(f)))
        && !PLAIN_FIELDS.iter().any(|f| name.contains(f))
}

/// What `request`'s execution must not show: the values the caller named, and the secret
/// fields of its credentials (at any depth: OAuth2 token data nests).
pub(crate) fn secrets_of(request: &RunRequest) -> Vec<String> {
    let mut secrets: Vec<String> = request.redact.clone();
    for credential in request.credentials.values() {
        collect(credential, false, &mut secrets);
    }
    secrets.retain(|s| s.len() >= 4);
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    secrets
}

fn collect(value: &Value, secret: bool, out: &mut Vec<String>) {
    match value {
        Value::String(s) if secret => out.push(s.clone()),
        Value::Object(fields) => {
            for (name, v) in fields {
                collect(v, is_secret_field(name, secret), out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect(v, secret, out)),
        _ => {}
    }
}

impl Execution {
    /// Masks `secrets` (longest first, so a value's parts do not leave the rest showing)
    /// in the run data, the error and the logs.
    pub(crate) fn mask(&mut self, secrets: &[String]) {
        if secrets.is_empty() {
            return;
        }
        let mask =
            |text: &str| agente_network::redact::secrets(text, secrets.iter().map(String::as_str));
        for runs in self.run_data.values_mut() {
            for run in runs {
                mask_value(&mut run.data, &mask);
                if let Some(error) = &mut run.error {
                    *error = mask(error);
                }
                for line in &mut run.logs {
                    *line = mask(line);
                }
            }
        }
        if let Some(error) = &mut self.error {
            error.message = mask(&error.message);
        }
    }
}

fn mask_value(value: &mut Value, mask: &impl Fn(&str) -> String) {
    match value {
        Value::String(s) => {
            let masked = mask(s);
            if masked != *s {
                *s = masked;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| mask_value(v, mask)),
        Value::Object(fields) => fields.values_mut().for_each(|v| mask_value(v, mask)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ExecutionError, NodeRun};
    use serde_json::json;

    #[test]
    fn credential_secrets_and_caller_values_are_masked_everywhere_they_were_copied() {
        let request = RunRequest {
            credentials: [(
                "c1".to_string(),
                json!({"name": "api_key", "value": "k-123456", "user": "bob",
                       "oauthTokenData": {"access_token": "at-987654", "token_type": "Bearer"}}),
            )]
            .into(),
            redact: vec!["Bearer caller-token".into(), "x".into()],
            ..RunRequest::default()
        };
        let secrets = secrets_of(&request);
        assert!(secrets.contains(&"k-123456".to_string()));
        assert!(secrets.contains(&"at-987654".to_string()));
        assert!(
            !secrets
                .iter()
                .any(|s| s == "bob" || s == "api_key" || s == "x" || s == "Bearer")
        );
        let mut exec = Execution {
            error: Some(ExecutionError {
                node: Some("HTTP".into()),
                message: "GET https://api.test/?api_key=k-123456 failed".into(),
            }),
            ..Execution::default()
        };
        exec.run_data.insert(
            "Set".into(),
            vec![NodeRun {
                start_time: 0,
                execution_time: 0,
                data: json!({"main": [[{"json": {"auth": "Bearer caller-token", "n": 1}}]]}),
                error: None,
                logs: vec!["token at-987654".into()],
                source: Vec::new(),
            }],
        );
        exec.mask(&secrets);
        let text = serde_json::to_string(&exec.run_data).unwrap() + &exec.error.unwrap().message;
        for secret in ["k-123456", "at-987654", "caller-token"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("\"n\":1"));
    }
}
