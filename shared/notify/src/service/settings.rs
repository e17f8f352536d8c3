//! A tenant's notification settings: its own SMTP server (sealed) and its message
//! templates.

use super::{Notifier, NotifierError as E};
use crate::{EventKind, NotifyError, Template};
use agente_auth::{Action, Principal, Resource, check_permission};
use agente_core::TenantId;
use agente_network::smtp::{Security, SmtpConfig};
use agente_store::sqlx::query;
use agente_store::{AnyConnection, Row};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `PUT /notifications/smtp`. Without `password` the stored one is kept; `""` clears it.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    #[serde(default)]
    pub security: Security,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    pub from: String,
}

/// An event kind's template as the settings page shows it.
#[derive(Clone, Debug)]
pub struct TemplateInfo {
    pub kind: EventKind,
    pub template: Template,
    pub custom: bool,
}

/// An event kind's template as the API answers it.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateBody {
    /// The event kind (`execution.failed`, …).
    pub event: String,
    pub label: String,
    pub subject: String,
    pub body: String,
    /// Whether the workspace wrote it (else the built-in wording).
    pub custom: bool,
    /// Sample variables of the event kind, to write and preview with.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub variables: Value,
}

impl From<&TemplateInfo> for TemplateBody {
    fn from(t: &TemplateInfo) -> Self {
        Self {
            event: t.kind.as_str().to_string(),
            label: t.kind.label().to_string(),
            subject: t.template.subject.clone(),
            body: t.template.body.clone(),
            custom: t.custom,
            variables: Template::sample(t.kind),
        }
    }
}

/// The workspace's SMTP settings as shown.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SmtpSettingsBody {
    /// The workspace's own server; `null` when it has none.
    pub smtp: Option<SmtpShown>,
    /// Whether the server has a relay of its own to fall back on.
    pub server_fallback: bool,
}

/// An SMTP server as shown: never its password.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SmtpShown {
    pub host: String,
    pub port: u16,
    /// `none`, `startTls`, `opportunistic` or `tls`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub security: Security,
    pub username: Option<String>,
    pub has_password: bool,
    pub from: String,
}

impl From<&SmtpConfig> for SmtpShown {
    fn from(config: &SmtpConfig) -> Self {
        Self {
            host: config.host.clone(),
            port: config.port,
            security: config.security,
            username: config.username.clone(),
            has_password: config.password.is_some(),
            from: config.from.clone(),
        }
    }
}

fn smtp_context(tenant: TenantId) -> String {
    format!("notification-smtp/{tenant}")
}

impl Notifier {
    /// The tenant's own SMTP server, or `null`, and whether the server has one to fall back on.
    pub async fn smtp_settings(&self, p: &Principal) -> Result<SmtpSettingsBody, E> {
        check_permission(p, Resource::Notifications, Action::Read)?;
        let mut tx = self.inner.db.tenant_read(p.tenant_id).await?;
        let own = self.tenant_smtp(&mut tx, p.tenant_id).await?;
        Ok(SmtpSettingsBody {
            smtp: own.as_ref().map(SmtpShown::from),
            server_fallback: self.inner.options.smtp.is_some(),
        })
    }

    pub async fn set_smtp(
        &self,
        p: &Principal,
        input: SmtpSettings,
    ) -> Result<SmtpSettingsBody, E> {
        check_permission(p, Resource::Notifications, Action::Write)?;
        let host = input.host.trim();
        if host.is_empty() || host.len() > 253 || host.contains(['/', ' ', '@']) {
            return Err(E::BadInput("`host` must be a host name or address".into()));
        }
        if input.port == 0 {
            return Err(E::BadInput("`port` must be 1 to 65535".into()));
        }
        // Literal addresses and `localhost` are refused now; names are checked again (after
        // DNS) each time mail goes out.
        self.inner
            .options
            .network
            .check_host(host)
            .map_err(|e| E::BadInput(format!("`host`: {e}")))?;
        if !agente_network::smtp::is_mailbox(&input.from) {
            return Err(E::BadInput(format!(
                "`from` must be an address or `Name <address>`, not `{}`",
                input.from.chars().take(80).collect::<String>()
            )));
        }
        let limit = |v: &Option<String>, what: &str| match v {
            Some(s) if s.len() > 512 => {
                Err(E::BadInput(format!("`{what}` is longer than 512 bytes")))
            }
            _ => Ok(()),
        };
        limit(&input.username, "username")?;
        limit(&input.password, "password")?;
        let mut tx = self.inner.db.tenant_tx(p.tenant_id).await?;
        let kept = match input.password {
            Some(p) => Some(p),
            None => self
                .tenant_smtp(&mut tx, p.tenant_id)
                .await?
                .and_then(|old| old.password),
        };
        let config = SmtpConfig {
            host: host.to_string(),
            port: input.port,
            security: input.security,
            username: input.username.filter(|u| !u.is_empty()),
            password: kept.filter(|p| !p.is_empty()),
            from: input.from.trim().to_string(),
            accept_invalid_certs: false,
            tls_name: None,
            timeout_secs: Some(20),
        };
        let sealed = self.inner.secrets.seal(
            &serde_json::to_vec(&config).expect("settings serialise"),
            &smtp_context(p.tenant_id),
        );
        query(
            "INSERT INTO notification_settings (tenant_id, smtp, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant_id) DO UPDATE SET smtp = excluded.smtp, updated_at = excluded.updated_at",
        )
        .bind(p.tenant_id.to_string())
        .bind(sealed)
        .bind(self.now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(SmtpSettingsBody {
            smtp: Some(SmtpShown::from(&config)),
            server_fallback: self.inner.options.smtp.is_some(),
        })
    }

    pub async fn clear_smtp(&self, p: &Principal) -> Result<(), E> {
        check_permission(p, Resource::Notifications, Action::Write)?;
        let mut tx = self.inner.db.tenant_tx(p.tenant_id).await?;
        query("UPDATE notification_settings SET smtp = NULL, updated_at = $1 WHERE tenant_id = $2")
            .bind(self.now_ms())
            .bind(p.tenant_id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn tenant_smtp(
        &self,
        conn: &mut AnyConnection,
        tenant: TenantId,
    ) -> Result<Option<SmtpConfig>, E> {
        let row = query("SELECT smtp FROM notification_settings WHERE tenant_id = $1")
            .bind(tenant.to_string())
            .fetch_optional(conn)
            .await?;
        let Some(sealed) = row
            .map(|r| r.try_get::<Option<String>, _>("smtp"))
            .transpose()?
            .flatten()
        else {
            return Ok(None);
        };
        let plain = self
            .inner
            .secrets
            .open(&sealed, &smtp_context(tenant))
            .map_err(|e| agente_store::StoreError::Corrupt(format!("SMTP settings: {e}")))?;
        Ok(Some(serde_json::from_slice(&plain).map_err(|e| {
            agente_store::StoreError::Corrupt(e.to_string())
        })?))
    }

    /// Where e-mail for `tenant` goes: its own server (whose host must pass the network
    /// policy; the checked address is the one connected to), else the server's.
    pub(super) async fn smtp_for(&self, tenant: TenantId) -> Result<SmtpConfig, NotifyError> {
        let own = async {
            let mut tx = self.inner.db.tenant_read(tenant).await?;
            self.tenant_smtp(&mut tx, tenant).await
        }
        .await
        .map_err(|e| NotifyError::Retry {
            message: e.to_string(),
            after: None,
        })?;
        match own {
            Some(mut config) => {
                let address = self
                    .inner
                    .options
                    .network
                    .resolve(&config.host, config.port)
                    .await
                    .map_err(|e| NotifyError::Permanent(format!("the SMTP host: {e}")))?;
                config.tls_name = Some(std::mem::replace(&mut config.host, address.to_string()));
                Ok(config)
            }
            None => self.inner.options.smtp.clone().ok_or_else(|| {
                NotifyError::Permanent(
                    "no SMTP server: set one in the notification settings (or the server's SMTP_URL)".into(),
                )
            }),
        }
    }

    /// Every event kind's template: the tenant's where it wrote one, else the built-in.
    pub async fn list_templates(&self, p: &Principal) -> Result<Vec<TemplateInfo>, E> {
        check_permission(p, Resource::Notifications, Action::Read)?;
        let mut tx = self.inner.db.tenant_read(p.tenant_id).await?;
        let mut out = Vec::new();
        for kind in EventKind::SUBSCRIBABLE.into_iter().chain([EventKind::Test]) {
            let custom = self.tenant_template(&mut tx, p.tenant_id, kind).await?;
            out.push(TemplateInfo {
                kind,
                custom: custom.is_some(),
                template: custom.unwrap_or_else(|| Template::builtin(kind)),
            });
        }
        Ok(out)
    }

    /// Stores the tenant's template for `kind` after checking it renders.
    pub async fn set_template(
        &self,
        p: &Principal,
        kind: &str,
        template: Template,
    ) -> Result<TemplateInfo, E> {
        check_permission(p, Resource::Notifications, Action::Write)?;
        let kind = EventKind::parse(kind).ok_or(E::NotFound("event kind"))?;
        if template.subject.trim().is_empty() {
            return Err(E::BadInput("a template needs a subject".into()));
        }
        template
            .check(kind)
            .map_err(|e| E::BadInput(e.to_string()))?;
        let mut tx = self.inner.db.tenant_tx(p.tenant_id).await?;
        query(
            "INSERT INTO notification_templates (tenant_id, event, subject, body, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (tenant_id, event) DO UPDATE SET subject = excluded.subject, body = excluded.body, \
             updated_at = excluded.updated_at",
        )
        .bind(p.tenant_id.to_string())
        .bind(kind.as_str())
        .bind(&template.subject)
        .bind(&template.body)
        .bind(self.now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(TemplateInfo {
            kind,
            template,
            custom: true,
        })
    }

    /// Goes back to the built-in template for `kind`.
    pub async fn reset_template(&self, p: &Principal, kind: &str) -> Result<TemplateInfo, E> {
        check_permission(p, Resource::Notifications, Action::Write)?;
        let kind = EventKind::parse(kind).ok_or(E::NotFound("event kind"))?;
        let mut tx = self.inner.db.tenant_tx(p.tenant_id).await?;
        query("DELETE FROM notification_templates WHERE tenant_id = $1 AND event = $2")
            .bind(p.tenant_id.to_string())
            .bind(kind.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(TemplateInfo {
            kind,
            template: Template::builtin(kind),
            custom: false,
        })
    }

    /// Renders `template` with `kind`'s sample variables, for a preview while editing.
    pub fn preview_template(
        &self,
        p: &Principal,
        kind: &str,
        template: &Template,
    ) -> Result<Template, E> {
        check_permission(p, Resource::Notifications, Action::Read)?;
        let kind = EventKind::parse(kind).ok_or(E::NotFound("event kind"))?;
        template
            .render(&Template::sample(kind))
            .map_err(|e| E::BadInput(e.to_string()))
    }

    pub(super) async fn tenant_template(
        &self,
        conn: &mut AnyConnection,
        tenant: TenantId,
        kind: EventKind,
    ) -> Result<Option<Template>, E> {
        let row = query(
            "SELECT subject, body FROM notification_templates WHERE tenant_id = $1 AND event = $2",
        )
        .bind(tenant.to_string())
        .bind(kind.as_str())
        .fetch_optional(conn)
        .await?;
        row.map(|r| {
            Ok(Template {
                subject: r.try_get("subject")?,
                body: r.try_get("body")?,
            })
        })
        .transpose()
    }
}
