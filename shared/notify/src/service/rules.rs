//! Notification rules: which events go over which channel to whom.

use super::{Notifier, NotifierError as E, new_id};
use crate::EventKind;
use agente_auth::{Action, Principal, Resource, check_permission};
use agente_core::TenantId;
use agente_store::sqlx::query;
use agente_store::{AnyConnection, AnyRow, Row};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Most rules per tenant.
const MAX_RULES: i64 = 50;
/// Most e-mail recipients of one rule.
const MAX_RECIPIENTS: usize = 20;
/// Default throttle: one message per rule and workflow (or metric) every 10 minutes.
const DEFAULT_THROTTLE_SECS: i64 = 600;
const MAX_THROTTLE_SECS: i64 = 7 * 24 * 3600;

/// `POST /notifications/rules`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewRule {
    pub name: String,
    pub events: Vec<String>,
    pub channel: String,
    /// Per channel: `{"to": [addresses]}` (email), `{"url"}` (slack: an incoming-webhook
    /// URL), `{"url", "secret"?}` (webhook; a secret is made when none is given), `{"userIds"?}`
    /// (push: those members' devices, or every member's).
    #[serde(default)]
    pub target: Value,
    #[serde(default)]
    pub workflow_id: Option<String>,
    #[serde(default)]
    pub throttle_seconds: Option<i64>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// `PATCH /notifications/rules/{id}`: what is given changes. A new target needs its channel.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RulePatch {
    pub name: Option<String>,
    pub events: Option<Vec<String>>,
    pub channel: Option<String>,
    pub target: Option<Value>,
    /// `null` clears the workflow filter.
    #[serde(default, deserialize_with = "some_or_null")]
    pub workflow_id: Option<Option<String>>,
    pub throttle_seconds: Option<i64>,
    pub enabled: Option<bool>,
}

fn some_or_null<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// A rule as listed: never its target's secrets.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RuleInfo {
    pub id: String,
    pub name: String,
    pub events: Vec<String>,
    pub channel: String,
    /// Where it sends, shown without secrets.
    #[serde(rename = "target")]
    pub target_label: String,
    pub workflow_id: Option<String>,
    #[serde(rename = "throttleSeconds")]
    pub throttle_secs: i64,
    pub enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// A webhook rule's signing secret, shown once: when it was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_secret: Option<String>,
}

impl RuleInfo {
    fn from_row(row: &AnyRow) -> Result<Self, E> {
        let events: String = row.try_get("events")?;
        Ok(Self {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            events: serde_json::from_str(&events).unwrap_or_default(),
            channel: row.try_get("channel")?,
            target_label: row.try_get("target_label")?,
            workflow_id: row.try_get("workflow_id")?,
            throttle_secs: row.try_get("throttle_secs")?,
            enabled: row.try_get::<Option<i64>, _>("disabled_at")?.is_none(),
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            signing_secret: None,
        })
    }
}

/// Where a rule sends, as sealed in its row.
#[derive(Clone, Serialize, Deserialize)]
#[serde(tag = "channel", rename_all = "camelCase")]
pub(crate) enum Target {
    Email {
        to: Vec<String>,
    },
    Slack {
        url: String,
    },
    Webhook {
        url: String,
        secret: String,
    },
    Push {
        #[serde(default, rename = "userIds")]
        user_ids: Option<Vec<String>>,
    },
}

impl Target {
    fn channel(&self) -> &'static str {
        match self {
            Target::Email { .. } => "email",
            Target::Slack { .. } => "slack",
            Target::Webhook { .. } => "webhook",
            Target::Push { .. } => "push",
        }
    }

    /// What lists show: addresses, or a URL's host (webhook URLs carry secrets).
    fn label(&self) -> String {
        let host = |url: &str| {
            reqwest::Url::parse(url)
                .ok()
                .and_then(|u| Some(format!("{}://{}/…", u.scheme(), u.host_str()?)))
                .unwrap_or_default()
        };
        match self {
            Target::Email { to } => to.join(", "),
            Target::Slack { url } => format!("Slack webhook {}", host(url)),
            Target::Webhook { url, .. } => host(url),
            Target::Push { user_ids: None } => "every member's devices".into(),
            Target::Push {
                user_ids: Some(ids),
            } => {
                format!(
                    "devices of {} member{}",
                    ids.len(),
                    if ids.len() == 1 { "" } else { "s" }
                )
            }
        }
    }
}

pub(crate) fn sealing_context(tenant: TenantId, rule: &str) -> String {
    format!("notification-rule/{tenant}/{rule}")
}

const COLUMNS: &str = "id, name, events, channel, target_label, workflow_id, throttle_secs, disabled_at, created_at, updated_at";

impl Notifier {
    pub async fn list_rules(&self, p: &Principal) -> Result<Vec<RuleInfo>, E> {
        check_permission(p, Resource::Notifications, Action::Read)?;
        let mut tx = self.inner.db.tenant_read(p.tenant_id).await?;
        let rows = query(&format!(
            "SELECT {COLUMNS} FROM notification_rules WHERE tenant_id = $1 ORDER BY created_at"
        ))
        .bind(p.tenant_id.to_string())
        .fetch_all(&mut *tx)
        .await?;
        rows.iter().map(RuleInfo::from_row).collect()
    }

    pub async fn create_rule(&self, p: &Principal, input: NewRule) -> Result<RuleInfo, E> {
        check_permission(p, Resource::Notifications, Action::Write)?;
        let name = check_name(&input.name)?;
        let events = check_events(&input.events)?;
        let throttle = check_throttle(input.throttle_seconds)?;
        let mut tx = self.inner.db.tenant_tx(p.tenant_id).await?;
        let target = self
            .check_target(&mut tx, p.tenant_id, &input.channel, &input.target)
            .await?;
        if let Some(workflow) = &input.workflow_id {
            check_workflow(&mut tx, p.tenant_id, workflow).await?;
        }
        let count: i64 = query("SELECT COUNT(*) AS n FROM notification_rules WHERE tenant_id = $1")
            .bind(p.tenant_id.to_string())
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        if count >= MAX_RULES {
            return Err(E::BadInput(format!(
                "a workspace can have at most {MAX_RULES} notification rules"
            )));
        }
        let id = new_id();
        let now = self.now_ms();
        let sealed = self.seal_target(p.tenant_id, &id, &target);
        query(
            "INSERT INTO notification_rules (id, tenant_id, name, events, channel, target, target_label, \
             workflow_id, throttle_secs, disabled_at, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
        )
        .bind(&id)
        .bind(p.tenant_id.to_string())
        .bind(&name)
        .bind(serde_json::to_string(&events).expect("strings serialise"))
        .bind(target.channel())
        .bind(sealed)
        .bind(target.label())
        .bind(input.workflow_id.clone())
        .bind(throttle)
        .bind((!input.enabled).then_some(now))
        .bind(p.user_id.map(|u| u.to_string()))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(RuleInfo {
            id,
            name,
            events,
            channel: target.channel().into(),
            target_label: target.label(),
            workflow_id: input.workflow_id,
            throttle_secs: throttle,
            enabled: input.enabled,
            created_at: now,
            updated_at: now,
            signing_secret: match target {
                Target::Webhook { secret, .. } => Some(secret),
                _ => None,
            },
        })
    }

    pub async fn update_rule(
        &self,
        p: &Principal,
        id: &str,
        patch: RulePatch,
    ) -> Result<RuleInfo, E> {
        check_permission(p, Resource::Notifications, Action::Write)?;
        let mut tx = self.inner.db.tenant_tx(p.tenant_id).await?;
        let mut rule = load_rule(&mut tx, p.tenant_id, id).await?;
        let now = self.now_ms();
        if let Some(name) = &patch.name {
            rule.name = check_name(name)?;
        }
        if let Some(events) = &patch.events {
            rule.events = check_events(events)?;
        }
        if let Some(throttle) = patch.throttle_seconds {
            rule.throttle_secs = check_throttle(Some(throttle))?;
        }
        if let Some(workflow) = &patch.workflow_id {
            if let Some(workflow) = workflow {
                check_workflow(&mut tx, p.tenant_id, workflow).await?;
            }
            rule.workflow_id = workflow.clone();
        }
        if let Some(enabled) = patch.enabled {
            rule.enabled = enabled;
        }
        let mut sealed = None;
        match (&patch.channel, &patch.target) {
            (Some(channel), Some(target)) => {
                let target = self
                    .check_target(&mut tx, p.tenant_id, channel, target)
                    .await?;
                rule.channel = target.channel().into();
                rule.target_label = target.label();
                sealed = Some(self.seal_target(p.tenant_id, id, &target));
                if let Target::Webhook { secret, .. } = target {
                    rule.signing_secret = Some(secret);
                }
            }
            (None, None) => {}
            _ => {
                return Err(E::BadInput(
                    "a new target needs its channel, and a new channel its target".into(),
                ));
            }
        }
        query(
            "UPDATE notification_rules SET name = $1, events = $2, workflow_id = $3, throttle_secs = $4, \
             disabled_at = CASE WHEN $5 IS NULL THEN NULL ELSE COALESCE(disabled_at, $5) END, \
             channel = $7, target_label = $8, target = COALESCE($9, target), updated_at = $6 \
             WHERE id = $10 AND tenant_id = $11",
        )
        .bind(&rule.name)
        .bind(serde_json::to_string(&rule.events).expect("strings serialise"))
        .bind(rule.workflow_id.clone())
        .bind(rule.throttle_secs)
        .bind((!rule.enabled).then_some(now))
        .bind(now)
        .bind(&rule.channel)
        .bind(&rule.target_label)
        .bind(sealed)
        .bind(id)
        .bind(p.tenant_id.to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        rule.updated_at = now;
        Ok(rule)
    }

    pub async fn delete_rule(&self, p: &Principal, id: &str) -> Result<(), E> {
        check_permission(p, Resource::Notifications, Action::Delete)?;
        let mut tx = self.inner.db.tenant_tx(p.tenant_id).await?;
        let done = query("DELETE FROM notification_rules WHERE id = $1 AND tenant_id = $2")
            .bind(id)
            .bind(p.tenant_id.to_string())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(E::NotFound("notification rule"));
        }
        tx.commit().await?;
        Ok(())
    }

    fn seal_target(&self, tenant: TenantId, rule: &str, target: &Target) -> String {
        let plain = serde_json::to_vec(target).expect("a target serialises");
        self.inner
            .secrets
            .seal(&plain, &sealing_context(tenant, rule))
    }

    pub(crate) fn open_target(
        &self,
        tenant: TenantId,
        rule: &str,
        sealed: &str,
    ) -> Result<Target, E> {
        let plain = self
            .inner
            .secrets
            .open(sealed, &sealing_context(tenant, rule))
            .map_err(|e| {
                agente_store::StoreError::Corrupt(format!("notification rule {rule}: {e}"))
            })?;
        serde_json::from_slice(&plain)
            .map_err(|e| agente_store::StoreError::Corrupt(e.to_string()).into())
    }

    async fn check_target(
        &self,
        conn: &mut AnyConnection,
        tenant: TenantId,
        channel: &str,
        target: &Value,
    ) -> Result<Target, E> {
        let field = |k: &str| target.get(k).filter(|v| !v.is_null());
        let url = |what: &str| -> Result<String, E> {
            let raw = field("url").and_then(Value::as_str).unwrap_or("").trim();
            let parsed = reqwest::Url::parse(raw)
                .ok()
                .filter(|u| {
                    matches!(u.scheme(), "https" | "http")
                        && u.host_str().is_some()
                        && raw.len() <= 2_048
                })
                .ok_or_else(|| E::BadInput(format!("{what} needs `target.url`, an http(s) URL")))?;
            self.inner
                .options
                .network
                .check_url(&parsed)
                .map_err(|e| E::BadInput(format!("{what}: {e}")))?;
            Ok(raw.to_string())
        };
        match channel {
            "email" => email_target(target),
            "slack" => Ok(Target::Slack {
                url: url("a Slack rule")?,
            }),
            "webhook" => {
                let url = url("a webhook rule")?;
                let secret = match field("secret").and_then(Value::as_str) {
                    Some(s) if (16..=256).contains(&s.len()) => s.to_string(),
                    Some(_) => {
                        return Err(E::BadInput(
                            "a webhook secret must be 16 to 256 characters (or left out, and one is made)".into(),
                        ));
                    }
                    None => agente_core::token::generate("whsec"),
                };
                Ok(Target::Webhook { url, secret })
            }
            "push" => self.push_target(conn, tenant, target).await,
            other => Err(E::BadInput(format!(
                "unknown channel `{other}`: use email, slack, webhook or push"
            ))),
        }
    }

    /// A push rule's members (all of them when none are named), each checked to be one.
    async fn push_target(
        &self,
        conn: &mut AnyConnection,
        tenant: TenantId,
        target: &Value,
    ) -> Result<Target, E> {
        let field = |k: &str| target.get(k).filter(|v| !v.is_null());
        if self.inner.options.vapid.is_none() {
            return Err(E::BadInput("Web Push is not set up on this server".into()));
        }
        let user_ids = match field("userIds") {
            None => None,
            Some(Value::Array(list)) if !list.is_empty() && list.len() <= 100 => {
                let ids: Vec<String> = list
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect();
                for id in &ids {
                    let found =
                        query("SELECT 1 AS one FROM users WHERE id = $1 AND tenant_id = $2")
                            .bind(id)
                            .bind(tenant.to_string())
                            .fetch_optional(&mut *conn)
                            .await?;
                    if found.is_none() {
                        return Err(E::BadInput(format!(
                            "`{id}` is not a member of this workspace"
                        )));
                    }
                }
                Some(ids)
            }
            Some(_) => {
                return Err(E::BadInput(
                    "`target.userIds` must list 1 to 100 members (or be left out: every member)"
                        .into(),
                ));
            }
        };
        Ok(Target::Push { user_ids })
    }
}

async fn load_rule(conn: &mut AnyConnection, tenant: TenantId, id: &str) -> Result<RuleInfo, E> {
    let row = query(&format!(
        "SELECT {COLUMNS} FROM notification_rules WHERE id = $1 AND tenant_id = $2"
    ))
    .bind(id)
    .bind(tenant.to_string())
    .fetch_optional(conn)
    .await?
    .ok_or(E::NotFound("notification rule"))?;
    RuleInfo::from_row(&row)
}

async fn check_workflow(conn: &mut AnyConnection, tenant: TenantId, id: &str) -> Result<(), E> {
    query("SELECT 1 AS one FROM workflows WHERE id = $1 AND tenant_id = $2")
        .bind(id)
        .bind(tenant.to_string())
        .fetch_optional(conn)
        .await?
        .map(|_| ())
        .ok_or(E::NotFound("workflow"))
}

fn check_name(name: &str) -> Result<String, E> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 128 {
        return Err(E::BadInput(
            "a rule needs a name of 1 to 128 characters".into(),
        ));
    }
    Ok(name.to_string())
}

fn check_events(events: &[String]) -> Result<Vec<String>, E> {
    let mut out: Vec<String> = Vec::new();
    for e in events {
        match EventKind::parse(e.trim()) {
            Some(kind) if kind != EventKind::Test => {
                if !out.iter().any(|o| o == kind.as_str()) {
                    out.push(kind.as_str().into());
                }
            }
            _ => {
                let known: Vec<&str> = EventKind::SUBSCRIBABLE.iter().map(|k| k.as_str()).collect();
                return Err(E::BadInput(format!(
                    "unknown event `{e}`: use {}",
                    known.join(", ")
                )));
            }
        }
    }
    if out.is_empty() {
        return Err(E::BadInput("a rule needs at least one event".into()));
    }
    Ok(out)
}

fn check_throttle(seconds: Option<i64>) -> Result<i64, E> {
    match seconds {
        None => Ok(DEFAULT_THROTTLE_SECS),
        Some(s) if (0..=MAX_THROTTLE_SECS).contains(&s) => Ok(s),
        Some(_) => Err(E::BadInput(format!(
            "`throttleSeconds` must be 0 to {MAX_THROTTLE_SECS}"
        ))),
    }
}

/// An e-mail rule's recipients: 1 to `MAX_RECIPIENTS` valid addresses.
fn email_target(target: &Value) -> Result<Target, E> {
    let field = |k: &str| target.get(k).filter(|v| !v.is_null());
    let to: Vec<String> = match field("to") {
        Some(Value::String(s)) => s
            .split(',')
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect(),
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .map(|a| a.trim().to_string())
            .collect(),
        _ => Vec::new(),
    };
    if to.is_empty() || to.len() > MAX_RECIPIENTS {
        return Err(E::BadInput(format!(
            "an e-mail rule needs `target.to`: 1 to {MAX_RECIPIENTS} addresses"
        )));
    }
    let to = to
        .iter()
        .map(|a| agente_core::Email::parse(a).map(|e| e.as_str().to_string()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| E::BadInput(e.to_string()))?;
    Ok(Target::Email { to })
}
