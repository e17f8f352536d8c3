//! What happened, as told to the notifier: producers (the workflow service, billing) build
//! an [`Event`] and enqueue its [`Event::job`]; the `notify.event` job fans it out to the
//! tenant's rules.

use agente_core::TenantId;
use agente_jobs::NewJob;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The kinds of events rules can ask for (and `test`, which only the test button sends).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    #[serde(rename = "execution.failed")]
    ExecutionFailed,
    #[serde(rename = "quota.warning")]
    QuotaWarning,
    #[serde(rename = "quota.exceeded")]
    QuotaExceeded,
    #[serde(rename = "payment.failed")]
    PaymentFailed,
    #[serde(rename = "test")]
    Test,
}

impl EventKind {
    /// Every kind a rule may subscribe to.
    pub const SUBSCRIBABLE: [EventKind; 4] = [
        EventKind::ExecutionFailed,
        EventKind::QuotaWarning,
        EventKind::QuotaExceeded,
        EventKind::PaymentFailed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ExecutionFailed => "execution.failed",
            EventKind::QuotaWarning => "quota.warning",
            EventKind::QuotaExceeded => "quota.exceeded",
            EventKind::PaymentFailed => "payment.failed",
            EventKind::Test => "test",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Test]
            .into_iter()
            .chain(Self::SUBSCRIBABLE)
            .find(|k| k.as_str() == s)
    }

    /// Whether the workspace's owners hear of it by e-mail when no rule wants it: money and
    /// hard stops are never silent.
    pub fn reaches_owners(self) -> bool {
        matches!(self, EventKind::PaymentFailed | EventKind::QuotaExceeded)
    }

    /// What it means, for people choosing rules.
    pub fn label(self) -> &'static str {
        match self {
            EventKind::ExecutionFailed => "A production execution failed",
            EventKind::QuotaWarning => "A plan limit is 80% used",
            EventKind::QuotaExceeded => "A plan limit is reached",
            EventKind::PaymentFailed => "A payment failed",
            EventKind::Test => "Test message",
        }
    }
}

/// One occurrence of something a tenant may want to hear about.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Event {
    /// Unique per occurrence: the same event told twice notifies once.
    pub id: String,
    pub kind: EventKind,
    /// Throttling counts per rule and group (a workflow, a quota metric).
    pub group: String,
    /// Rules limited to a workflow hear only its events.
    #[serde(default)]
    pub workflow_id: Option<String>,
    /// A path in the app the message points to (`/executions/…`).
    #[serde(default)]
    pub link: Option<String>,
    /// Unix ms.
    pub occurred_at: i64,
    /// The template's variables.
    pub data: Value,
}

impl Event {
    /// A production execution ended in error.
    pub fn execution_failed(
        execution_id: &str,
        workflow_id: &str,
        workflow_name: &str,
        mode: &str,
        error: &str,
        node: Option<&str>,
        now_ms: i64,
    ) -> Self {
        Event {
            id: format!("execution.failed:{execution_id}"),
            kind: EventKind::ExecutionFailed,
            group: format!("workflow:{workflow_id}"),
            workflow_id: Some(workflow_id.into()),
            link: Some(format!("/executions/{execution_id}")),
            occurred_at: now_ms,
            data: json!({
                "workflow": { "id": workflow_id, "name": workflow_name },
                "execution": { "id": execution_id, "mode": mode },
                "error": error,
                "node": node,
            }),
        }
    }

    /// A plan limit at 80 % (`QuotaWarning`) or 100 % (`QuotaExceeded`) in `period`
    /// (e.g. `2026-11`): once per metric, level and period.
    pub fn quota(
        kind: EventKind,
        metric: &str,
        used: i64,
        limit: i64,
        period: &str,
        now_ms: i64,
    ) -> Self {
        let percent = if limit > 0 { used * 100 / limit } else { 100 };
        Event {
            id: format!("{}:{metric}:{period}", kind.as_str()),
            kind,
            group: format!("quota:{metric}"),
            workflow_id: None,
            link: Some("/billing".into()),
            occurred_at: now_ms,
            data: json!({
                "metric": metric, "used": used, "limit": limit,
                "percent": percent, "period": period,
            }),
        }
    }

    /// A subscription payment failed.
    pub fn payment_failed(
        invoice_id: &str,
        amount: &str,
        invoice_url: Option<&str>,
        now_ms: i64,
    ) -> Self {
        Event {
            id: format!("payment.failed:{invoice_id}"),
            kind: EventKind::PaymentFailed,
            group: "billing".into(),
            workflow_id: None,
            link: Some("/billing".into()),
            occurred_at: now_ms,
            data: json!({ "invoice": { "id": invoice_id, "amount": amount, "url": invoice_url } }),
        }
    }

    /// The job that fans this event out for `tenant`; enqueued twice, it runs once.
    pub fn job(&self, tenant: TenantId) -> NewJob {
        NewJob::of(self)
            .tenant(tenant)
            .idempotency_key(format!("notify:{tenant}:{}", self.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_by_name() {
        for kind in EventKind::SUBSCRIBABLE {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_value(kind).unwrap();
            assert_eq!(json, Value::String(kind.as_str().into()));
        }
        assert_eq!(EventKind::parse("execution.succeeded"), None);
    }

    #[test]
    fn an_event_is_its_jobs_payload_and_key() {
        let tenant = TenantId::new();
        let event = Event::quota(EventKind::QuotaWarning, "executions", 80, 100, "2026-11", 1);
        assert_eq!(event.data["percent"], 80);
        let job = event.job(tenant);
        assert_eq!(job.kind, "notify.event");
        assert_eq!(job.tenant, Some(tenant));
        assert_eq!(
            job.idempotency_key.as_deref(),
            Some(format!("notify:{tenant}:quota.warning:executions:2026-11").as_str())
        );
        let back: Event = serde_json::from_value(job.payload).unwrap();
        assert_eq!(back, event);
    }
}
