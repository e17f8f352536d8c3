//! The offline provider's explanations: rules for the errors workflows usually meet (HTTP
//! statuses, unreachable hosts, timeouts, expressions reading what is not there, missing
//! parameters, bad JSON, mail servers), each with a cause, steps and, where a setting fixes
//! it, a patch.

use super::{Explanation, FailureContext, Patch};
use regex::Regex;
use serde_json::{Value, json};
use std::sync::LazyLock;

static STATUS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:\bHTTP\s*|status(?: code)?\s*:?\s*|\b)([45]\d\d)\b")
        .expect("a valid pattern")
});
static MISSING_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:cannot read propert(?:y|ies) of (?:undefined|null) \(reading '([^']+)'\)|([A-Za-z_$][\w$]*) is not defined|no (?:field|property|key) (?:named )?[`'\x22]?([\w.]+))").expect("a valid pattern")
});

fn has(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| text.contains(w))
}

/// Retrying a passing failure a few times, a little apart.
fn retries(wait_ms: u64) -> Patch {
    Patch {
        parameters: json!({}),
        settings: json!({ "retryOnFail": true, "maxTries": 3, "waitBetweenTries": wait_ms }),
    }
}

fn explanation(cause: impl Into<String>, steps: &[&str], patch: Option<Patch>) -> Explanation {
    Explanation {
        node: String::new(),
        cause: cause.into(),
        steps: steps.iter().map(|s| s.to_string()).collect(),
        patch,
        provider: "offline".into(),
    }
}

/// The explanation the rules give for `c`: the first rule that knows the failure, else a
/// general one.
pub fn explain(c: &FailureContext) -> Explanation {
    let error = c.error.to_lowercase();
    let http = c.node_type.ends_with(".httpRequest");
    let url = c
        .parameters
        .get("url")
        .and_then(Value::as_str)
        .unwrap_or("the URL");
    mail(c, &error)
        .or_else(|| http_status(c, &error, http, url))
        .or_else(|| timed_out(&error, http))
        .or_else(|| unreachable(&error, url))
        .or_else(|| missing_field(c))
        .or_else(|| bad_expression(&error))
        .or_else(|| not_json(&error))
        .or_else(|| missing_value(c, &error))
        .unwrap_or_else(|| fallback(c))
}

/// The mail server refused the connection or the login.
fn mail(c: &FailureContext, error: &str) -> Option<Explanation> {
    if !(c.node_type.ends_with(".emailSend") || has(error, &["smtp", "mail server", "starttls"])) {
        return None;
    }
    Some(explanation(
        "The mail server refused the connection or the login.",
        &[
            "Check the SMTP host, port and security (STARTTLS on 587, TLS on 465).",
            "Check the user name and password (many providers want an app password).",
        ],
        None,
    ))
}

/// An HTTP status the service answered with.
fn http_status(c: &FailureContext, error: &str, http: bool, url: &str) -> Option<Explanation> {
    if !(http || has(error, &["http", "status"])) {
        return None;
    }
    let status = STATUS
        .captures(&c.error)
        .and_then(|m| m[1].parse::<u16>().ok())?;
    Some(match status {
        401 | 403 => explanation(
            format!(
                "The service at {url} refused the request ({status}): the credentials are missing, wrong or lack permission."
            ),
            &[
                "Open the node's credential and check the key or token is current.",
                "Check the account behind it may use this endpoint (scopes, roles).",
                "If the API wants the key in a header, check its name (e.g. Authorization: Bearer …).",
            ],
            None,
        ),
        404 => explanation(
            format!(
                "Nothing was found at {url} (404): the address or an id in it is wrong, or the item was deleted."
            ),
            &[
                "Open the URL in a browser or with curl to check it exists.",
                "If it contains an expression, look at the input item: the id may be empty or different.",
                "Check the API's base path and version.",
            ],
            None,
        ),
        400 | 422 => explanation(
            format!(
                "The service rejected what was sent ({status}): a field is missing or has the wrong format."
            ),
            &[
                "Read the response body in the error: APIs usually name the field.",
                "Compare the body and query parameters with the API's documentation.",
                "Check the expressions in the body resolve to values (not empty) for this input.",
            ],
            None,
        ),
        429 => explanation(
            "The service is rate-limiting these requests (429): too many in a short time.",
            &[
                "Let the node retry, a few seconds apart (the patch turns this on).",
                "Process fewer items at a time (Loop Over Items with a small batch and a Wait).",
            ],
            Some(retries(5_000)),
        ),
        500..=599 => explanation(
            format!(
                "The service at {url} failed on its side ({status}); it may be down or overloaded."
            ),
            &[
                "Retry later, or let the node retry automatically (the patch turns this on).",
                "If it keeps failing for the same input, the input may trigger a bug there: try it by hand.",
            ],
            Some(retries(10_000)),
        ),
        _ => explanation(
            format!("The service answered with an error ({status})."),
            &[
                "Read the response in the error message and compare the request with the API's documentation.",
            ],
            None,
        ),
    })
}

/// The other side took too long.
fn timed_out(error: &str, http: bool) -> Option<Explanation> {
    let words = [
        "timed out",
        "timeout",
        "deadline",
        "etimedout",
        "did not answer in time",
    ];
    if !has(error, &words) {
        return None;
    }
    let mut patch = retries(5_000);
    if http {
        patch.parameters = json!({ "options": { "timeout": 30_000 } });
    }
    Some(explanation(
        "The other side took too long to answer.",
        &[
            "Give it more time (the patch sets a 30 s timeout where the node has one) and retry.",
            "If it is always slow, ask for less data per call (paging, filters).",
        ],
        Some(patch),
    ))
}

/// The host could not be reached (or the network policy forbids it).
fn unreachable(error: &str, url: &str) -> Option<Explanation> {
    if !has(
        error,
        &[
            "enotfound",
            "could not be reached",
            "connection refused",
            "econnrefused",
            "dns",
            "no such host",
            "network is unreachable",
            "not allowed to reach",
            "private network",
            "may not reach",
        ],
    ) {
        return None;
    }
    Some(explanation(
        format!(
            "The host of {url} could not be reached: its name does not resolve, nothing listens there, or the network policy forbids it."
        ),
        &[
            "Check the host name for typos.",
            "Check the service is up and reachable from this server.",
            "Private and local addresses are blocked for workflows unless the operator allows them.",
        ],
        None,
    ))
}

/// An expression reads a field the input item does not have.
fn missing_field(c: &FailureContext) -> Option<Explanation> {
    let m = MISSING_NAME.captures(&c.error)?;
    let name = m
        .get(1)
        .or_else(|| m.get(2))
        .or_else(|| m.get(3))
        .map(|n| n.as_str())
        .unwrap_or("a field");
    let available = c
        .input_sample
        .as_ref()
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect::<Vec<_>>().join(", "))
        .filter(|k| !k.is_empty())
        .unwrap_or_else(|| "no fields".into());
    Some(explanation(
        format!(
            "An expression reads `{name}`, which the input item does not have (it has: {available})."
        ),
        &[
            "Check the field's name and path against the input (upper/lower case matters).",
            "If it is only sometimes there, give a default: {{ $json.field ?? '' }}.",
            "If it comes from another node, reference it with $('Node name').item.json.field.",
        ],
        None,
    ))
}

/// An expression that is not valid JavaScript.
fn bad_expression(error: &str) -> Option<Explanation> {
    if !has(
        error,
        &[
            "expression",
            "syntaxerror",
            "unexpected token",
            "is not a function",
        ],
    ) {
        return None;
    }
    Some(explanation(
        "An expression in the node's parameters is not valid JavaScript or calls something that does not exist.",
        &[
            "Find the parameter whose value starts with = and check the part inside {{ }}.",
            "Test it in a Code node with the same input to see the exact error.",
        ],
        None,
    ))
}

/// Something expected JSON.
fn not_json(error: &str) -> Option<Explanation> {
    if !(has(error, &["json", "parse"])) {
        return None;
    }
    Some(explanation(
        "Something expected JSON and got text that is not JSON.",
        &[
            "If an API answers HTML or text, set the response format of the HTTP Request node accordingly.",
            "If a body is built from an expression, check it yields valid JSON (JSON.stringify helps).",
        ],
        None,
    ))
}

/// The node lacks a value it needs.
fn missing_value(c: &FailureContext, error: &str) -> Option<Explanation> {
    if !has(error, &["required", "missing", "is empty", "no value"]) {
        return None;
    }
    Some(explanation(
        format!("The node `{}` lacks a value it needs.", c.node),
        &[
            "Open the node and fill in the parameter the error names.",
            "If the value comes from an expression, check it is not empty for this input.",
        ],
        None,
    ))
}

/// What to look at when no rule knows the failure.
fn fallback(c: &FailureContext) -> Explanation {
    explanation(
        format!("The node `{}` failed: {}", c.node, c.error),
        &[
            "Open the execution and look at the node's input: is it what the node expects?",
            "Run the workflow by hand with the same input to reproduce it.",
            "Check the node's parameters against the service's documentation.",
        ],
        None,
    )
}
