//! What the bus carries: one change to a tenant's workflow or to one of its executions, with
//! an id every process agrees on (the publisher gives it), so a browser that reconnects to
//! another replica resumes from the same place.

use agente_core::{TenantId, WorkflowId};
use serde::{Deserialize, Serialize};

/// Longest error text an event carries; the execution keeps the whole message.
pub const MAX_EVENT_ERROR_CHARS: usize = 500;

/// One change, as the browser reads it (the SSE `event:` name is its `type`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Change {
    /// A run began (`mode`: manual, webhook, trigger, …).
    ExecutionStarted {
        execution_id: String,
        mode: String,
    },
    NodeStarted {
        execution_id: String,
        node: String,
    },
    /// A node ran: items on each main output, the error it showed (if any), how long it took.
    NodeFinished {
        execution_id: String,
        node: String,
        items: Vec<usize>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        millis: u64,
    },
    /// A run ended, or stopped to wait (`status`: success, error, canceled, waiting, …).
    ExecutionFinished {
        execution_id: String,
        status: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        node: Option<String>,
    },
    /// A new version was stored (`by`: the user or API key that saved it).
    WorkflowSaved {
        version: i64,
        by: String,
    },
    WorkflowActivated {
        active: bool,
    },
}

impl Change {
    /// The SSE event name: the `type` the JSON carries.
    pub fn name(&self) -> &'static str {
        match self {
            Change::ExecutionStarted { .. } => "executionStarted",
            Change::NodeStarted { .. } => "nodeStarted",
            Change::NodeFinished { .. } => "nodeFinished",
            Change::ExecutionFinished { .. } => "executionFinished",
            Change::WorkflowSaved { .. } => "workflowSaved",
            Change::WorkflowActivated { .. } => "workflowActivated",
        }
    }

    /// Error texts shortened to what an event carries (whole in the execution).
    fn shortened(mut self) -> Self {
        if let Change::NodeFinished { error, .. } | Change::ExecutionFinished { error, .. } =
            &mut self
            && let Some(text) = error
            && text.chars().count() > MAX_EVENT_ERROR_CHARS
        {
            let mut short: String = text.chars().take(MAX_EVENT_ERROR_CHARS).collect();
            short.push('…');
            *text = short;
        }
        self
    }
}

/// A change with where it belongs and its id (UUIDv7: ordered by when it was published).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub id: String,
    pub tenant: TenantId,
    pub workflow_id: WorkflowId,
    #[serde(flatten)]
    pub change: Change,
}

impl Event {
    pub fn new(tenant: TenantId, workflow_id: WorkflowId, change: Change) -> Self {
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            tenant,
            workflow_id,
            change: change.shortened(),
        }
    }

    /// What a browser is sent: the change and its workflow, not the tenant.
    pub fn public_json(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(&self.change).unwrap_or_default();
        if let Some(fields) = value.as_object_mut() {
            fields.insert("id".into(), self.id.clone().into());
            fields.insert("workflowId".into(), self.workflow_id.to_string().into());
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_form_reads_back_and_names_the_type() {
        let event = Event::new(
            TenantId::new(),
            WorkflowId::new(),
            Change::NodeFinished {
                execution_id: "e1".into(),
                node: "If".into(),
                items: vec![2, 0],
                error: None,
                millis: 3,
            },
        );
        let text = serde_json::to_string(&event).unwrap();
        assert!(text.contains(r#""type":"nodeFinished""#), "{text}");
        assert!(text.contains(r#""executionId":"e1""#), "{text}");
        assert_eq!(serde_json::from_str::<Event>(&text).unwrap(), event);
        let public = event.public_json();
        assert_eq!(public["type"], "nodeFinished");
        assert_eq!(public["items"], serde_json::json!([2, 0]));
        assert!(public.get("tenant").is_none());
    }

    #[test]
    fn long_errors_are_shortened_on_a_character_boundary() {
        let event = Event::new(
            TenantId::new(),
            WorkflowId::new(),
            Change::ExecutionFinished {
                execution_id: "e".into(),
                status: "error".into(),
                error: Some("é".repeat(2_000)),
                node: None,
            },
        );
        let Change::ExecutionFinished { error: Some(e), .. } = event.change else {
            panic!("the change kept its kind");
        };
        assert_eq!(e.chars().count(), MAX_EVENT_ERROR_CHARS + 1);
    }
}
