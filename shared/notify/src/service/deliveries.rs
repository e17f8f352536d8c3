//! The delivery log and the fan-out that writes it: one row per (rule, event), rendered
//! once, sent by its `notify.deliver` job.

use super::{Notifier, NotifierError as E, new_id};
use crate::jobs::DeliverJob;
use crate::{Event, EventKind, Template};
use agente_auth::{Action, Principal, Resource, check_permission};
use agente_core::TenantId;
use agente_jobs::{NewJob, RetryPolicy};
use agente_store::sqlx::query;
use agente_store::{AnyConnection, AnyRow, Row};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// How `notify.deliver` retries: from 5 s, doubling, up to 30 min between attempts; with
/// [`DELIVER_ATTEMPTS`] attempts a receiver has about 20 minutes to come back.
pub const DELIVER_RETRY: RetryPolicy = RetryPolicy {
    base_ms: 5_000,
    max_ms: 30 * 60_000,
};
pub const DELIVER_ATTEMPTS: u32 = 8;

/// `GET /notifications/deliveries` filters, newest first.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryQuery {
    pub status: Option<String>,
    pub rule_id: Option<String>,
    /// Only rows created before this (Unix ms): the next page.
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

/// A row of the delivery log.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeliveryInfo {
    pub id: String,
    pub rule_id: Option<String>,
    /// `owners` for a notice to the workspace's owners (no rule).
    pub audience: Option<String>,
    pub event: String,
    pub channel: String,
    /// Where it went, shown without secrets (`#alerts`, `https://hooks.example/…`).
    #[serde(rename = "target")]
    pub target_label: String,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub attempts: i64,
    pub suppressed: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

impl DeliveryInfo {
    fn from_row(row: &AnyRow) -> Result<Self, E> {
        Ok(Self {
            id: row.try_get("id")?,
            rule_id: row.try_get("rule_id")?,
            audience: row.try_get("audience")?,
            event: row.try_get("event")?,
            channel: row.try_get("channel")?,
            target_label: row.try_get("target_label")?,
            subject: row.try_get("subject")?,
            body: row.try_get("body")?,
            status: row.try_get("status")?,
            attempts: row.try_get::<i64, _>("attempts")?,
            suppressed: row.try_get("suppressed")?,
            last_error: row.try_get("last_error")?,
            created_at: row.try_get("created_at")?,
            sent_at: row.try_get("sent_at")?,
        })
    }
}

const COLUMNS: &str = "id, rule_id, audience, event, channel, target_label, subject, body, status, \
     CAST(attempts AS BIGINT) AS attempts, suppressed, last_error, created_at, sent_at";

/// The `audience` of a delivery that goes to the workspace's owners.
pub(super) const OWNERS: &str = "owners";

/// Whom a delivery goes to.
pub(super) enum Recipient<'a> {
    /// A rule's target (channel and label as the rule shows them).
    Rule {
        id: &'a str,
        channel: &'a str,
        label: &'a str,
    },
    /// The workspace's owners by e-mail (no rule wanted an event they must hear of).
    Owners { label: &'a str },
}

/// A rule as the fan-out needs it.
struct Listener {
    id: String,
    channel: String,
    target_label: String,
    throttle_secs: i64,
}

impl Notifier {
    /// `notify.event`: writes a delivery (and its job) for each enabled rule that wants
    /// `event`, unless the rule sent for the same group within its throttle window (then
    /// that delivery counts one more suppressed). Runs again safely: a (rule, event) pair
    /// is written once. Answers how many deliveries were written.
    pub async fn fan_out(&self, tenant: TenantId, event: &Event) -> Result<usize, E> {
        let mut tx = self.inner.db.tenant_tx(tenant).await?;
        let rows = query(
            "SELECT id, events, channel, target_label, workflow_id, throttle_secs \
             FROM notification_rules WHERE tenant_id = $1 AND disabled_at IS NULL ORDER BY created_at",
        )
        .bind(tenant.to_string())
        .fetch_all(&mut *tx)
        .await?;
        let mut listeners = Vec::new();
        for row in &rows {
            let events: Vec<String> =
                serde_json::from_str(&row.try_get::<String, _>("events")?).unwrap_or_default();
            let workflow: Option<String> = row.try_get("workflow_id")?;
            let wanted = events.iter().any(|e| e == event.kind.as_str())
                && (workflow.is_none() || workflow == event.workflow_id);
            if wanted {
                listeners.push(Listener {
                    id: row.try_get("id")?,
                    channel: row.try_get("channel")?,
                    target_label: row.try_get("target_label")?,
                    throttle_secs: row.try_get("throttle_secs")?,
                });
            }
        }
        if listeners.is_empty() && !event.kind.reaches_owners() {
            return Ok(0);
        }
        let message = self.render(&mut tx, tenant, event).await?;
        let mut staged = Vec::new();
        if listeners.is_empty()
            && let Some(id) = self.notice_owners(&mut tx, tenant, event, &message).await?
        {
            staged.push(
                self.inner
                    .jobs
                    .stage(&mut tx, deliver_job(tenant, &id, None))
                    .await?,
            );
        }
        for rule in &listeners {
            if rule.throttle_secs > 0 {
                let since = event.occurred_at - rule.throttle_secs * 1_000;
                let recent = query(
                    "SELECT id FROM notification_deliveries WHERE tenant_id = $1 AND rule_id = $2 \
                     AND group_key = $3 AND created_at > $4 AND event_id <> $5 ORDER BY created_at DESC LIMIT 1",
                )
                .bind(tenant.to_string())
                .bind(&rule.id)
                .bind(&event.group)
                .bind(since)
                .bind(&event.id)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(recent) = recent {
                    query("UPDATE notification_deliveries SET suppressed = suppressed + 1 WHERE id = $1 AND tenant_id = $2")
                        .bind(recent.try_get::<String, _>("id")?)
                        .bind(tenant.to_string())
                        .execute(&mut *tx)
                        .await?;
                    continue;
                }
            }
            let to = Recipient::Rule {
                id: &rule.id,
                channel: &rule.channel,
                label: &rule.target_label,
            };
            if let Some(id) = self
                .insert_delivery(&mut tx, tenant, &to, event, &message)
                .await?
            {
                staged.push(
                    self.inner
                        .jobs
                        .stage(&mut tx, deliver_job(tenant, &id, None))
                        .await?,
                );
            }
        }
        tx.commit().await?;
        let written = staged.len();
        for job in staged {
            self.inner.jobs.publish(job).await;
        }
        Ok(written)
    }

    /// Sends a test message over rule `id` now (not throttled). Answers its delivery.
    pub async fn test_rule(&self, p: &Principal, id: &str) -> Result<DeliveryInfo, E> {
        check_permission(p, Resource::Notifications, Action::Write)?;
        let mut tx = self.inner.db.tenant_tx(p.tenant_id).await?;
        let row = query("SELECT name, channel, target_label FROM notification_rules WHERE id = $1 AND tenant_id = $2")
            .bind(id)
            .bind(p.tenant_id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(E::NotFound("notification rule"))?;
        let name: String = row.try_get("name")?;
        let event = Event {
            id: format!("test:{}", new_id()),
            kind: EventKind::Test,
            group: "test".into(),
            workflow_id: None,
            link: Some("/notifications".into()),
            occurred_at: self.now_ms(),
            data: json!({ "rule": name }),
        };
        let message = self.render(&mut tx, p.tenant_id, &event).await?;
        let (channel, label): (String, String) =
            (row.try_get("channel")?, row.try_get("target_label")?);
        let to = Recipient::Rule {
            id,
            channel: &channel,
            label: &label,
        };
        let delivery = self
            .insert_delivery(&mut tx, p.tenant_id, &to, &event, &message)
            .await?
            .expect("a new event id inserts");
        let staged = self
            .inner
            .jobs
            .stage(&mut tx, deliver_job(p.tenant_id, &delivery, None))
            .await?;
        let info = load(&mut tx, p.tenant_id, &delivery).await?;
        tx.commit().await?;
        self.inner.jobs.publish(staged).await;
        Ok(info)
    }

    pub async fn list_deliveries(
        &self,
        p: &Principal,
        q: &DeliveryQuery,
    ) -> Result<Vec<DeliveryInfo>, E> {
        check_permission(p, Resource::Notifications, Action::Read)?;
        let limit = q.limit.unwrap_or(50).clamp(1, 200);
        if let Some(status) = &q.status
            && !["pending", "sent", "failed"].contains(&status.as_str())
        {
            return Err(E::BadInput("`status` is pending, sent or failed".into()));
        }
        let mut tx = self.inner.db.tenant_read(p.tenant_id).await?;
        let rows = query(&format!(
            "SELECT {COLUMNS} FROM notification_deliveries WHERE tenant_id = $1 \
             AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR rule_id = $3) AND ($4 IS NULL OR created_at < $4) \
             ORDER BY created_at DESC, id DESC LIMIT $5"
        ))
        .bind(p.tenant_id.to_string())
        .bind(q.status.clone())
        .bind(q.rule_id.clone())
        .bind(q.before)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        rows.iter().map(DeliveryInfo::from_row).collect()
    }

    /// Sends a failed delivery again.
    pub async fn retry_delivery(&self, p: &Principal, id: &str) -> Result<DeliveryInfo, E> {
        check_permission(p, Resource::Notifications, Action::Write)?;
        let mut tx = self.inner.db.tenant_tx(p.tenant_id).await?;
        let done = query(
            "UPDATE notification_deliveries SET status = 'pending', last_error = NULL \
             WHERE id = $1 AND tenant_id = $2 AND status = 'failed' AND (rule_id IS NOT NULL OR audience IS NOT NULL)",
        )
        .bind(id)
        .bind(p.tenant_id.to_string())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            let exists = load(&mut tx, p.tenant_id, id).await?;
            return Err(E::BadInput(match (&exists.rule_id, &exists.audience) {
                (None, None) => "its rule was deleted".into(),
                _ => format!(
                    "only a failed delivery can be sent again; this one is {}",
                    exists.status
                ),
            }));
        }
        let staged = self
            .inner
            .jobs
            .stage(&mut tx, deliver_job(p.tenant_id, id, Some(self.now_ms())))
            .await?;
        let info = load(&mut tx, p.tenant_id, id).await?;
        tx.commit().await?;
        self.inner.jobs.publish(staged).await;
        Ok(info)
    }

    /// The event's message with the tenant's template for its kind (or the built-in one).
    pub(super) async fn render(
        &self,
        conn: &mut AnyConnection,
        tenant: TenantId,
        event: &Event,
    ) -> Result<Template, E> {
        let workspace: Option<String> = query("SELECT name FROM tenants WHERE id = $1")
            .bind(tenant.to_string())
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.try_get("name"))
            .transpose()?;
        let mut vars = event.data.clone();
        if !vars.is_object() {
            vars = json!({ "data": vars });
        }
        vars["workspace"] = json!(workspace.unwrap_or_default());
        vars["event"] = json!(event.kind.as_str());
        vars["link"] = json!(event.link.as_deref().map(|l| self.link(l)));
        let custom = self.tenant_template(conn, tenant, event.kind).await?;
        if let Some(custom) = custom {
            match custom.render(&vars) {
                Ok(message) => return Ok(message),
                Err(e) => tracing::warn!(%tenant, event = event.kind.as_str(), error = %e,
                    "a workspace's template did not render; the built-in one is used"),
            }
        }
        Template::builtin(event.kind).render(&vars).map_err(|e| {
            E::BadInput(format!(
                "the built-in template for {}: {e}",
                event.kind.as_str()
            ))
        })
    }

    /// Writes the delivery of `event` to `to`; `None` when it was written before.
    pub(super) async fn insert_delivery(
        &self,
        conn: &mut AnyConnection,
        tenant: TenantId,
        to: &Recipient<'_>,
        event: &Event,
        message: &Template,
    ) -> Result<Option<String>, E> {
        let (rule, audience, channel, target_label) = match *to {
            Recipient::Rule { id, channel, label } => (Some(id), None, channel, label),
            Recipient::Owners { label } => (None, Some(OWNERS), "email", label),
        };
        let id = new_id();
        let data = json!({
            "id": event.id, "type": event.kind.as_str(), "occurredAt": event.occurred_at,
            "link": event.link.as_deref().map(|l| self.link(l)), "data": event.data,
        });
        let done = query(
            "INSERT INTO notification_deliveries (id, tenant_id, rule_id, event_id, event, channel, target_label, \
             group_key, subject, body, data, status, attempts, suppressed, created_at, audience) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', 0, 0, $12, $13) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&id)
        .bind(tenant.to_string())
        .bind(rule)
        .bind(&event.id)
        .bind(event.kind.as_str())
        .bind(channel)
        .bind(target_label)
        .bind(&event.group)
        .bind(&message.subject)
        .bind(&message.body)
        .bind(data.to_string())
        .bind(self.now_ms())
        .bind(audience)
        .execute(conn)
        .await?;
        Ok((done.rows_affected() == 1).then_some(id))
    }
}

/// The job that sends delivery `id`; `again` (a manual retry's instant) makes a new key.
fn deliver_job(tenant: TenantId, id: &str, again: Option<i64>) -> NewJob {
    let mut job = NewJob::of(&DeliverJob {
        delivery: id.to_string(),
    })
    .tenant(tenant)
    .max_attempts(DELIVER_ATTEMPTS)
    .timeout_ms(120_000);
    job.idempotency_key = Some(match again {
        Some(at) => format!("notify:deliver:{id}:{at}"),
        None => format!("notify:deliver:{id}"),
    });
    job
}

pub(super) async fn load(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: &str,
) -> Result<DeliveryInfo, E> {
    let row = query(&format!(
        "SELECT {COLUMNS} FROM notification_deliveries WHERE id = $1 AND tenant_id = $2"
    ))
    .bind(id)
    .bind(tenant.to_string())
    .fetch_optional(conn)
    .await?
    .ok_or(E::NotFound("delivery"))?;
    DeliveryInfo::from_row(&row)
}
