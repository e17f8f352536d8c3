//! Notification rules, the delivery log and this member's push devices, for the UI.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::ssr::{context, require_principal, server_error};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleRow {
    pub id: String,
    pub name: String,
    pub events: Vec<String>,
    pub channel: String,
    pub target: String,
    pub throttle_secs: i64,
    pub enabled: bool,
}

/// A rule just made; a webhook rule's signing secret is shown this once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreatedRule {
    pub name: String,
    pub signing_secret: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub id: String,
    pub event: String,
    pub channel: String,
    pub target: String,
    pub subject: String,
    pub status: String,
    pub attempts: i64,
    pub suppressed: i64,
    pub error: Option<String>,
    pub created_at: i64,
    pub can_retry: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PushDevice {
    pub id: String,
    pub label: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// What the Notifications page shows at once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotificationsView {
    pub rules: Vec<RuleRow>,
    pub deliveries: Vec<DeliveryRow>,
    pub devices: Vec<PushDevice>,
    /// The key browsers subscribe with; none when push is off on this server.
    pub vapid_public_key: Option<String>,
}

#[server(prefix = "/sfn", endpoint = "notifications")]
pub async fn get_notifications() -> Result<NotificationsView, ServerFnError> {
    let p = require_principal()?;
    let notifier = context()?.notifier;
    let rules = notifier.list_rules(&p).await.map_err(server_error)?;
    let query = agente_notify::service::DeliveryQuery {
        limit: Some(50),
        ..Default::default()
    };
    let deliveries = notifier
        .list_deliveries(&p, &query)
        .await
        .map_err(server_error)?;
    let devices = notifier
        .list_push_subscriptions(&p)
        .await
        .map_err(server_error)?;
    Ok(NotificationsView {
        rules: rules
            .into_iter()
            .map(|r| RuleRow {
                id: r.id,
                name: r.name,
                events: r.events,
                channel: r.channel,
                target: r.target_label,
                throttle_secs: r.throttle_secs,
                enabled: r.enabled,
            })
            .collect(),
        deliveries: deliveries
            .into_iter()
            .map(|d| DeliveryRow {
                can_retry: d.status == "failed" && (d.rule_id.is_some() || d.audience.is_some()),
                id: d.id,
                event: d.event,
                channel: d.channel,
                target: d.target_label,
                subject: d.subject,
                status: d.status,
                attempts: d.attempts,
                suppressed: d.suppressed,
                error: d.last_error,
                created_at: d.created_at,
            })
            .collect(),
        devices: devices
            .into_iter()
            .map(|d| PushDevice {
                id: d.id,
                label: d.label,
                created_at: d.created_at,
                last_used_at: d.last_used_at,
            })
            .collect(),
        vapid_public_key: notifier.vapid_public_key(),
    })
}

/// Creates a rule from the page's form: `events` is a comma-separated list of event kinds
/// (the form offers common sets); one target field is read per channel (addresses for
/// e-mail, a URL for Slack and webhooks; push needs none).
#[server(prefix = "/sfn", endpoint = "create_notification_rule")]
pub async fn create_notification_rule(
    name: String,
    events: String,
    channel: String,
    target: Option<String>,
    throttle_minutes: Option<i64>,
) -> Result<CreatedRule, ServerFnError> {
    let p = require_principal()?;
    let events: Vec<String> = events
        .split(',')
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty())
        .collect();
    let target = target.unwrap_or_default();
    let target = match channel.as_str() {
        "email" => serde_json::json!({ "to": target }),
        "push" => serde_json::json!({}),
        _ => serde_json::json!({ "url": target.trim() }),
    };
    let rule = agente_notify::service::NewRule {
        name,
        events,
        channel,
        target,
        workflow_id: None,
        throttle_seconds: throttle_minutes.map(|m| m.saturating_mul(60)),
        enabled: true,
    };
    let created = context()?
        .notifier
        .create_rule(&p, rule)
        .await
        .map_err(server_error)?;
    Ok(CreatedRule {
        name: created.name,
        signing_secret: created.signing_secret,
    })
}

#[server(prefix = "/sfn", endpoint = "set_notification_rule_enabled")]
pub async fn set_notification_rule_enabled(id: String, enabled: bool) -> Result<(), ServerFnError> {
    let p = require_principal()?;
    let patch = agente_notify::service::RulePatch {
        enabled: Some(enabled),
        ..Default::default()
    };
    context()?
        .notifier
        .update_rule(&p, &id, patch)
        .await
        .map_err(server_error)?;
    Ok(())
}

#[server(prefix = "/sfn", endpoint = "delete_notification_rule")]
pub async fn delete_notification_rule(id: String) -> Result<(), ServerFnError> {
    let p = require_principal()?;
    context()?
        .notifier
        .delete_rule(&p, &id)
        .await
        .map_err(server_error)?;
    Ok(())
}

#[server(prefix = "/sfn", endpoint = "test_notification_rule")]
pub async fn test_notification_rule(id: String) -> Result<(), ServerFnError> {
    let p = require_principal()?;
    context()?
        .notifier
        .test_rule(&p, &id)
        .await
        .map_err(server_error)?;
    Ok(())
}

#[server(prefix = "/sfn", endpoint = "retry_notification")]
pub async fn retry_notification(id: String) -> Result<(), ServerFnError> {
    let p = require_principal()?;
    context()?
        .notifier
        .retry_delivery(&p, &id)
        .await
        .map_err(server_error)?;
    Ok(())
}

#[server(prefix = "/sfn", endpoint = "remove_push_device")]
pub async fn remove_push_device(id: String) -> Result<(), ServerFnError> {
    let p = require_principal()?;
    context()?
        .notifier
        .unsubscribe_push(&p, &id)
        .await
        .map_err(server_error)?;
    Ok(())
}

/// The workspace's own SMTP server as shown (never its password).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SmtpView {
    pub host: String,
    pub port: u16,
    pub security: String,
    pub username: Option<String>,
    pub has_password: bool,
    pub from: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateRow {
    pub event: String,
    pub label: String,
    pub subject: String,
    pub body: String,
    pub custom: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotificationSettingsView {
    pub smtp: Option<SmtpView>,
    /// The server has its own relay (`SMTP_URL`) for workspaces without one.
    pub server_fallback: bool,
    pub templates: Vec<TemplateRow>,
}

#[server(prefix = "/sfn", endpoint = "notification_settings")]
pub async fn get_notification_settings() -> Result<NotificationSettingsView, ServerFnError> {
    let p = require_principal()?;
    let notifier = context()?.notifier;
    let smtp = notifier.smtp_settings(&p).await.map_err(server_error)?;
    let templates = notifier.list_templates(&p).await.map_err(server_error)?;
    Ok(NotificationSettingsView {
        smtp: smtp.smtp.map(|s| SmtpView {
            host: s.host,
            port: s.port,
            security: s.security.as_str().to_string(),
            username: s.username,
            has_password: s.has_password,
            from: s.from,
        }),
        server_fallback: smtp.server_fallback,
        templates: templates
            .into_iter()
            .map(|t| TemplateRow {
                event: t.kind.as_str().to_string(),
                label: t.kind.label().to_string(),
                subject: t.template.subject,
                body: t.template.body,
                custom: t.custom,
            })
            .collect(),
    })
}

/// Saves the workspace's SMTP server; an empty password keeps the stored one.
#[server(prefix = "/sfn", endpoint = "save_smtp")]
pub async fn save_smtp(
    host: String,
    port: u16,
    security: String,
    username: Option<String>,
    password: Option<String>,
    from: String,
) -> Result<(), ServerFnError> {
    let p = require_principal()?;
    let settings: agente_notify::service::SmtpSettings =
        serde_json::from_value(serde_json::json!({
            "host": host, "port": port, "security": security,
            "username": username.filter(|u| !u.trim().is_empty()),
            "password": password.filter(|p| !p.is_empty()),
            "from": from,
        }))
        .map_err(|e| ServerFnError::new(format!("the settings are not valid: {e}")))?;
    context()?
        .notifier
        .set_smtp(&p, settings)
        .await
        .map_err(server_error)?;
    Ok(())
}

/// Forgets the workspace's SMTP server (the server's relay is used, if any).
#[server(prefix = "/sfn", endpoint = "clear_smtp")]
pub async fn clear_smtp() -> Result<(), ServerFnError> {
    let p = require_principal()?;
    context()?
        .notifier
        .clear_smtp(&p)
        .await
        .map_err(server_error)?;
    Ok(())
}

#[server(prefix = "/sfn", endpoint = "save_notification_template")]
pub async fn save_notification_template(
    event: String,
    subject: String,
    body: String,
) -> Result<(), ServerFnError> {
    let p = require_principal()?;
    let template = agente_notify::Template { subject, body };
    context()?
        .notifier
        .set_template(&p, &event, template)
        .await
        .map_err(server_error)?;
    Ok(())
}

#[server(prefix = "/sfn", endpoint = "reset_notification_template")]
pub async fn reset_notification_template(event: String) -> Result<(), ServerFnError> {
    let p = require_principal()?;
    context()?
        .notifier
        .reset_template(&p, &event)
        .await
        .map_err(server_error)?;
    Ok(())
}
