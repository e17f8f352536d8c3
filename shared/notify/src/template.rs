//! Message templates: a subject and a text body per event kind, in Jinja syntax
//! (`{{ workflow.name }}`, `{% if node %}…{% endif %}`) rendered by MiniJinja, which runs a
//! tenant's template without access to anything but the event's variables, with a fuel
//! limit so a loop cannot hang a worker.

use crate::EventKind;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Longest subject after rendering, characters (longer is cut with `…`).
pub const MAX_SUBJECT: usize = 200;
/// Largest template source (subject and body), bytes.
pub const MAX_SOURCE: usize = 16 * 1024;
/// Largest rendered body, bytes (longer is cut with `…`).
pub const MAX_BODY: usize = 32 * 1024;
/// Template instructions per render: plenty for any message, too few for a runaway loop.
const FUEL: u64 = 50_000;

/// A subject and a body, as sources or rendered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Template {
    pub subject: String,
    pub body: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TemplateError {
    #[error("the {part} template is longer than {MAX_SOURCE} bytes")]
    TooLong { part: &'static str },
    #[error("the {part} template does not render: {message}")]
    Invalid { part: &'static str, message: String },
}

impl Template {
    /// The message used when the tenant wrote none.
    pub fn builtin(kind: EventKind) -> Self {
        let (subject, body) = match kind {
            EventKind::ExecutionFailed => (
                "Workflow “{{ workflow.name }}” failed",
                "The workflow “{{ workflow.name }}” failed{% if node %} at the node “{{ node }}”{% endif %}.\n\n\
                 Error: {{ error }}\n\
                 Started by: {{ execution.mode }}\n\
                 {% if link %}Execution: {{ link }}\n{% endif %}",
            ),
            EventKind::QuotaWarning => (
                "{{ percent }}% of your plan's {{ metric }} used",
                "Your workspace has used {{ used }} of the {{ limit }} {{ metric }} its plan includes \
                 for {{ period }} ({{ percent }}%).\n\n\
                 Past the limit, new {{ metric }} are refused until the next period or an upgrade.\n\
                 {% if link %}Plan and usage: {{ link }}\n{% endif %}",
            ),
            EventKind::QuotaExceeded => (
                "Your plan's {{ metric }} limit is reached",
                "Your workspace has used all {{ limit }} {{ metric }} its plan includes for {{ period }}.\n\n\
                 New {{ metric }} are refused until the next period or an upgrade.\n\
                 {% if link %}Plan and usage: {{ link }}\n{% endif %}",
            ),
            EventKind::PaymentFailed => (
                "A payment of {{ invoice.amount }} failed",
                "The payment of {{ invoice.amount }} for your subscription failed.\n\n\
                 Please update your payment method; the plan stays active for a grace period.\n\
                 {% if invoice.url %}Invoice: {{ invoice.url }}\n{% endif %}\
                 {% if link %}Billing: {{ link }}\n{% endif %}",
            ),
            EventKind::Test => (
                "Test notification from {{ workspace }}",
                "This is a test of the notification rule “{{ rule }}”. If you can read it, it works.\n",
            ),
        };
        Template {
            subject: subject.into(),
            body: body.into(),
        }
    }

    /// Variables like the ones a real event of `kind` brings, to check and preview with.
    pub fn sample(kind: EventKind) -> Value {
        let mut data = match kind {
            EventKind::ExecutionFailed => json!({
                "workflow": { "id": "wf_1", "name": "Sync orders" },
                "execution": { "id": "ex_1", "mode": "webhook" },
                "error": "The service was not able to process your request (HTTP 502)",
                "node": "HTTP Request",
            }),
            EventKind::QuotaWarning | EventKind::QuotaExceeded => json!({
                "metric": "executions", "used": 8_000, "limit": 10_000, "percent": 80, "period": "2026-11",
            }),
            EventKind::PaymentFailed => json!({
                "invoice": { "id": "in_1", "amount": "€49.00", "url": "https://invoice.example/in_1" },
            }),
            EventKind::Test => json!({ "rule": "On-call e-mail" }),
        };
        data["workspace"] = json!("Acme");
        data["link"] = json!("https://agente.example/executions/ex_1");
        data
    }

    /// Checks the sources: size, syntax, and a render with sample variables.
    pub fn check(&self, kind: EventKind) -> Result<(), TemplateError> {
        self.render(&Self::sample(kind)).map(|_| ())
    }

    /// Renders with `vars`; missing variables render empty. The subject is one line.
    pub fn render(&self, vars: &Value) -> Result<Template, TemplateError> {
        for (part, source) in [("subject", &self.subject), ("body", &self.body)] {
            if source.len() > MAX_SOURCE {
                return Err(TemplateError::TooLong { part });
            }
        }
        let mut env = minijinja::Environment::new();
        env.set_fuel(Some(FUEL));
        env.set_recursion_limit(20);
        let ctx = minijinja::Value::from(minijinja::value::Serde(vars));
        let render = |part: &'static str, source: &str| {
            env.render_str(source, ctx.clone())
                .map_err(|e| TemplateError::Invalid {
                    part,
                    message: describe(&e),
                })
        };
        let subject = render("subject", &self.subject)?;
        let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        let body = render("body", &self.body)?;
        Ok(Template {
            subject: cut_chars(&subject, MAX_SUBJECT),
            body: cut_bytes(body.trim_end(), MAX_BODY),
        })
    }
}

/// MiniJinja's message with the line it points at.
fn describe(e: &minijinja::Error) -> String {
    let mut message = e.kind().to_string();
    if let Some(detail) = e.detail() {
        message = format!("{message}: {detail}");
    }
    if let Some(line) = e.line() {
        message = format!("{message} (line {line})");
    }
    message
}

fn cut_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

fn cut_bytes(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut at = max;
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    format!("{}…", &s[..at])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_render_their_samples() {
        for kind in EventKind::SUBSCRIBABLE.into_iter().chain([EventKind::Test]) {
            let out = Template::builtin(kind)
                .render(&Template::sample(kind))
                .unwrap();
            assert!(!out.subject.is_empty() && !out.subject.contains('\n'));
            assert!(!out.body.contains("{{"), "{kind:?}: {}", out.body);
        }
        let failed = Template::builtin(EventKind::ExecutionFailed)
            .render(&Template::sample(EventKind::ExecutionFailed))
            .unwrap();
        assert_eq!(failed.subject, "Workflow “Sync orders” failed");
        assert!(failed.body.contains("at the node “HTTP Request”"));
        assert!(failed.body.contains("Error: The service was not able"));
    }

    #[test]
    fn missing_variables_render_empty_and_conditions_hold() {
        let t = Template {
            subject: "{{ nothing }}Hi\n{{ name }}".into(),
            body: "{% if node %}node{% else %}no node{% endif %}".into(),
        };
        let out = t.render(&json!({ "name": "Ann" })).unwrap();
        assert_eq!(out.subject, "Hi Ann");
        assert_eq!(out.body, "no node");
    }

    #[test]
    fn bad_syntax_and_runaway_loops_are_clear_errors() {
        let broken = Template {
            subject: "{{ workflow.name ".into(),
            body: String::new(),
        };
        let err = broken.check(EventKind::ExecutionFailed).unwrap_err();
        assert!(
            matches!(
                &err,
                TemplateError::Invalid {
                    part: "subject",
                    ..
                }
            ),
            "{err}"
        );
        let endless = Template {
            subject: "x".into(),
            body:
                "{% for i in range(100000) %}{% for j in range(100000) %}.{% endfor %}{% endfor %}"
                    .into(),
        };
        let err = endless.check(EventKind::Test).unwrap_err();
        assert!(
            matches!(&err, TemplateError::Invalid { part: "body", .. }),
            "{err}"
        );
        let huge = Template {
            subject: "x".repeat(MAX_SOURCE + 1),
            body: String::new(),
        };
        assert_eq!(
            huge.check(EventKind::Test),
            Err(TemplateError::TooLong { part: "subject" })
        );
    }

    #[test]
    fn long_output_is_cut() {
        let t = Template {
            subject: "{{ 'é' * 300 }}".into(),
            body: "{% for i in range(5000) %}0123456789{% endfor %}".into(),
        };
        let out = t.render(&json!({})).unwrap();
        assert_eq!(out.subject.chars().count(), MAX_SUBJECT + 1);
        assert!(out.body.len() <= MAX_BODY + '…'.len_utf8());
    }
}
