//! `notify.deliver`: sends one delivery over its rule's channel and records the outcome.

use super::deliveries::OWNERS;
use super::owner_notice::owner_addresses;
use super::rules::Target;
use super::{Notifier, NotifierError as E};
use crate::slack::SlackMessage;
use crate::{NotifyError, push, slack, webhook};
use agente_core::TenantId;
use agente_jobs::JobError;
use agente_network::smtp::Email;
use agente_store::Row;
use agente_store::sqlx::query;
use serde_json::{Value, json};
use std::time::Duration;

/// How long a push service keeps a message for an offline device.
const PUSH_TTL: Duration = Duration::from_secs(24 * 3600);
/// Most characters of the body in a push message (the whole payload is capped at ~4 KB).
const PUSH_BODY: usize = 1_000;

/// A delivery as read for sending.
struct Pending {
    event: String,
    subject: String,
    body: String,
    data: Value,
    rule: Option<(String, String)>,
    /// Set for a notice to the owners (no rule).
    audience: Option<String>,
}

impl Notifier {
    /// Sends delivery `id` (attempt `attempt` of `max_attempts`). A delivery
    /// already sent or failed is left alone (a repeated job). A passing failure before the
    /// last attempt answers `Retry…` for the queue; any other outcome is final and recorded.
    pub async fn deliver(
        &self,
        tenant: TenantId,
        id: &str,
        attempt: u32,
        max_attempts: u32,
    ) -> Result<(), JobError> {
        let pending = self.pending(tenant, id).await.map_err(retry)?;
        let Some(pending) = pending else {
            return Ok(());
        };
        let target = match (&pending.rule, pending.audience.as_deref()) {
            (Some((rule, sealed)), _) => self
                .open_target(tenant, rule, sealed)
                .map_err(|e| NotifyError::Permanent(e.to_string())),
            (None, Some(OWNERS)) => self.owners_target(tenant).await,
            (None, _) => Err(NotifyError::Permanent(
                "its rule was deleted before it was sent".into(),
            )),
        };
        let outcome = match target {
            Ok(target) => self.send(tenant, id, &target, &pending).await,
            Err(e) => Err(e),
        };
        let now = self.now_ms();
        let (status, error) = match &outcome {
            Ok(()) => ("sent", None),
            Err(e @ NotifyError::Retry { .. }) if attempt < max_attempts => {
                ("pending", Some(e.to_string()))
            }
            Err(e) => ("failed", Some(e.to_string())),
        };
        self.inner
            .db
            .tenant_execute(
                tenant,
                query(
                    "UPDATE notification_deliveries SET status = $1, attempts = attempts + 1, last_error = $2, \
                     sent_at = CASE WHEN $1 = 'sent' THEN $3 ELSE sent_at END \
                     WHERE id = $4 AND tenant_id = $5 AND status = 'pending'",
                )
                .bind(status)
                .bind(error)
                .bind(now)
                .bind(id)
                .bind(tenant.to_string()),
            )
            .await
            .map_err(|e| retry(e.into()))?;
        match outcome {
            Err(NotifyError::Retry { message, after }) if status == "pending" => Err(match after {
                Some(after) => JobError::RetryAfter { message, after },
                None => JobError::Retry(message),
            }),
            _ => Ok(()),
        }
    }

    async fn pending(&self, tenant: TenantId, id: &str) -> Result<Option<Pending>, E> {
        let mut tx = self.inner.db.tenant_read(tenant).await?;
        let row = query(
            "SELECT d.status, d.event, d.subject, d.body, d.data, d.rule_id, d.audience, r.target \
             FROM notification_deliveries d \
             LEFT JOIN notification_rules r ON r.id = d.rule_id AND r.tenant_id = d.tenant_id \
             WHERE d.id = $1 AND d.tenant_id = $2",
        )
        .bind(id)
        .bind(tenant.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        if row.try_get::<String, _>("status")? != "pending" {
            return Ok(None);
        }
        let rule: Option<String> = row.try_get("rule_id")?;
        let target: Option<String> = row.try_get("target")?;
        Ok(Some(Pending {
            event: row.try_get("event")?,
            subject: row.try_get("subject")?,
            body: row.try_get("body")?,
            data: serde_json::from_str(&row.try_get::<String, _>("data")?).unwrap_or(Value::Null),
            rule: rule.zip(target),
            audience: row.try_get("audience")?,
        }))
    }

    /// The owners as they are when the notice is sent.
    async fn owners_target(&self, tenant: TenantId) -> Result<Target, NotifyError> {
        let owners = async {
            let mut tx = self.inner.db.tenant_read(tenant).await?;
            owner_addresses(&mut tx, tenant).await
        }
        .await
        .map_err(|e| NotifyError::Retry {
            message: e.to_string(),
            after: None,
        })?;
        if owners.is_empty() {
            return Err(NotifyError::Permanent(
                "the workspace has no owner to tell".into(),
            ));
        }
        Ok(Target::Email { to: owners })
    }

    async fn send(
        &self,
        tenant: TenantId,
        delivery: &str,
        target: &Target,
        message: &Pending,
    ) -> Result<(), NotifyError> {
        let http = &self.inner.http;
        match target {
            Target::Email { to } => {
                let config = self.smtp_for(tenant).await?;
                let email = Email {
                    to: to.clone(),
                    subject: message.subject.clone(),
                    text: message.body.clone(),
                    ..Email::default()
                };
                agente_network::smtp::send(&config, &email)
                    .await
                    .map(|_| ())
                    .map_err(NotifyError::from)
            }
            Target::Slack { url } => {
                let text = format!(
                    "*{}*\n{}",
                    slack_escape(&message.subject),
                    slack_escape(&message.body)
                );
                slack::send(http, url, &SlackMessage { text, blocks: None }).await
            }
            Target::Webhook { url, secret } => {
                let mut payload = message.data.clone();
                payload["subject"] = json!(message.subject);
                payload["text"] = json!(message.body);
                let delivery = webhook::Delivery {
                    url,
                    secret: secret.as_bytes(),
                    event: &message.event,
                    id: delivery,
                    payload: &payload,
                };
                webhook::send(http, &delivery, self.now_ms() / 1_000)
                    .await
                    .map(|_| ())
            }
            Target::Push { user_ids } => self.push(tenant, user_ids.as_deref(), message).await,
        }
    }

    /// Pushes to every subscribed device of the rule's members: sent when one device took
    /// it; subscriptions the push service says ended are forgotten.
    async fn push(
        &self,
        tenant: TenantId,
        user_ids: Option<&[String]>,
        message: &Pending,
    ) -> Result<(), NotifyError> {
        let Some(vapid) = &self.inner.options.vapid else {
            return Err(NotifyError::Permanent(
                "Web Push is not set up on this server".into(),
            ));
        };
        let devices = self
            .push_subscriptions_of(tenant, user_ids)
            .await
            .map_err(|e| NotifyError::Retry {
                message: e.to_string(),
                after: None,
            })?;
        if devices.is_empty() {
            return Err(NotifyError::Permanent(
                "no member of this rule has turned on push notifications on a device".into(),
            ));
        }
        let body: String = message.body.chars().take(PUSH_BODY).collect();
        let payload = json!({
            "title": message.subject, "body": body,
            "url": message.data.get("link"), "tag": message.event,
        })
        .to_string();
        let (mut sent, mut errors) = (0, Vec::new());
        for (id, subscription) in devices {
            match push::send(
                &self.inner.http,
                vapid,
                &subscription,
                payload.as_bytes(),
                PUSH_TTL,
            )
            .await
            {
                Ok(()) => {
                    sent += 1;
                    self.push_used(tenant, &id).await;
                }
                Err(NotifyError::Gone(m)) => {
                    self.forget_push_subscription(tenant, &id).await;
                    errors.push(NotifyError::Gone(m));
                }
                Err(e) => errors.push(e),
            }
        }
        if sent > 0 {
            return Ok(());
        }
        // Nothing arrived: retry if any device may yet take it.
        match errors.iter().position(NotifyError::is_retryable) {
            Some(i) => Err(errors.swap_remove(i)),
            None => Err(errors
                .pop()
                .unwrap_or_else(|| NotifyError::Permanent("no device took the message".into()))),
        }
    }
}

/// Slack's `mrkdwn` reads `<`, `>` and `&` as markup.
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn retry(e: E) -> JobError {
    JobError::Retry(e.to_string())
}
