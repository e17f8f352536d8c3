//! Members' Web Push subscriptions: one per browser that turned notifications on.

use super::{Notifier, NotifierError as E, new_id};
use crate::push::Subscription;
use agente_auth::Principal;
use agente_core::TenantId;
use agente_store::sqlx::query;
use agente_store::{AnyRow, Row};

/// Most devices per member.
const MAX_DEVICES: i64 = 20;

/// One of a member's subscribed devices, as listed (never its endpoint or keys).
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PushSubscriptionInfo {
    pub id: String,
    pub label: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl PushSubscriptionInfo {
    fn from_row(row: &AnyRow) -> Result<Self, E> {
        Ok(Self {
            id: row.try_get("id")?,
            label: row.try_get("label")?,
            created_at: row.try_get("created_at")?,
            last_used_at: row.try_get("last_used_at")?,
        })
    }
}

/// The endpoint is a capability: rows find it by digest, as bearer secrets are.
fn endpoint_hash(endpoint: &str) -> String {
    agente_core::token::digest(endpoint)
}

fn sealing_context(tenant: TenantId, endpoint_hash: &str) -> String {
    format!("push-subscription/{tenant}/{endpoint_hash}")
}

impl Notifier {
    /// Stores the caller's browser subscription (again: it replaces the stored one).
    pub async fn subscribe_push(
        &self,
        p: &Principal,
        subscription: &Subscription,
        label: Option<&str>,
    ) -> Result<PushSubscriptionInfo, E> {
        let user = p.user_id.ok_or_else(|| {
            E::BadInput("push notifications are for signed-in members, not API keys".into())
        })?;
        if self.inner.options.vapid.is_none() {
            return Err(E::BadInput("Web Push is not set up on this server".into()));
        }
        subscription.check().map_err(E::BadInput)?;
        let url =
            reqwest::Url::parse(&subscription.endpoint).map_err(|e| E::BadInput(e.to_string()))?;
        self.inner
            .options
            .network
            .check_url(&url)
            .map_err(|e| E::BadInput(format!("the push endpoint: {e}")))?;
        let label: String = label
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| l.chars().take(80).collect())
            .unwrap_or_else(|| subscription.service());
        let hash = endpoint_hash(&subscription.endpoint);
        let sealed = self.inner.secrets.seal(
            &serde_json::to_vec(subscription).expect("a subscription serialises"),
            &sealing_context(p.tenant_id, &hash),
        );
        let now = self.now_ms();
        let mut tx = self.inner.db.tenant_tx(p.tenant_id).await?;
        let count: i64 = query(
            "SELECT COUNT(*) AS n FROM push_subscriptions WHERE tenant_id = $1 AND user_id = $2 AND endpoint_hash <> $3",
        )
        .bind(p.tenant_id.to_string())
        .bind(user.to_string())
        .bind(&hash)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        if count >= MAX_DEVICES {
            return Err(E::BadInput(format!(
                "a member can turn push on for at most {MAX_DEVICES} devices; remove one first"
            )));
        }
        query(
            "INSERT INTO push_subscriptions (id, tenant_id, user_id, endpoint_hash, subscription, label, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (tenant_id, endpoint_hash) DO UPDATE SET user_id = excluded.user_id, \
             subscription = excluded.subscription, label = excluded.label",
        )
        .bind(new_id())
        .bind(p.tenant_id.to_string())
        .bind(user.to_string())
        .bind(&hash)
        .bind(sealed)
        .bind(&label)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let row = query(
            "SELECT id, label, created_at, last_used_at FROM push_subscriptions WHERE tenant_id = $1 AND endpoint_hash = $2",
        )
        .bind(p.tenant_id.to_string())
        .bind(&hash)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        PushSubscriptionInfo::from_row(&row)
    }

    /// The caller's own devices.
    pub async fn list_push_subscriptions(
        &self,
        p: &Principal,
    ) -> Result<Vec<PushSubscriptionInfo>, E> {
        let Some(user) = p.user_id else {
            return Ok(Vec::new());
        };
        let mut tx = self.inner.db.tenant_read(p.tenant_id).await?;
        let rows = query(
            "SELECT id, label, created_at, last_used_at FROM push_subscriptions \
             WHERE tenant_id = $1 AND user_id = $2 ORDER BY created_at",
        )
        .bind(p.tenant_id.to_string())
        .bind(user.to_string())
        .fetch_all(&mut *tx)
        .await?;
        rows.iter().map(PushSubscriptionInfo::from_row).collect()
    }

    /// Turns push off for one of the caller's devices.
    pub async fn unsubscribe_push(&self, p: &Principal, id: &str) -> Result<(), E> {
        let user = p.user_id.ok_or(E::NotFound("push subscription"))?;
        let mut tx = self.inner.db.tenant_tx(p.tenant_id).await?;
        let done = query(
            "DELETE FROM push_subscriptions WHERE id = $1 AND tenant_id = $2 AND user_id = $3",
        )
        .bind(id)
        .bind(p.tenant_id.to_string())
        .bind(user.to_string())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(E::NotFound("push subscription"));
        }
        tx.commit().await?;
        Ok(())
    }

    /// The subscriptions of `users` (every member's when `None`), opened.
    pub(super) async fn push_subscriptions_of(
        &self,
        tenant: TenantId,
        users: Option<&[String]>,
    ) -> Result<Vec<(String, Subscription)>, E> {
        let mut tx = self.inner.db.tenant_read(tenant).await?;
        let rows = query(
            "SELECT id, user_id, endpoint_hash, subscription FROM push_subscriptions WHERE tenant_id = $1 ORDER BY created_at",
        )
        .bind(tenant.to_string())
        .fetch_all(&mut *tx)
        .await?;
        let mut out = Vec::new();
        for row in rows {
            let user: String = row.try_get("user_id")?;
            if users.is_some_and(|wanted| !wanted.contains(&user)) {
                continue;
            }
            let hash: String = row.try_get("endpoint_hash")?;
            let id: String = row.try_get("id")?;
            let opened = self
                .inner
                .secrets
                .open(
                    &row.try_get::<String, _>("subscription")?,
                    &sealing_context(tenant, &hash),
                )
                .ok()
                .and_then(|plain| serde_json::from_slice::<Subscription>(&plain).ok());
            match opened {
                Some(subscription) => out.push((id, subscription)),
                None => {
                    tracing::warn!(%tenant, subscription = %id, "a push subscription does not decrypt; skipped")
                }
            }
        }
        Ok(out)
    }

    pub(super) async fn push_used(&self, tenant: TenantId, id: &str) {
        let now = self.now_ms();
        let done = self
            .inner
            .db
            .tenant_execute(
                tenant,
                query("UPDATE push_subscriptions SET last_used_at = $1 WHERE id = $2 AND tenant_id = $3")
                    .bind(now)
                    .bind(id)
                    .bind(tenant.to_string()),
            )
            .await;
        if let Err(e) = done {
            tracing::warn!(error = %e, "recording a push subscription's use failed");
        }
    }

    pub(super) async fn forget_push_subscription(&self, tenant: TenantId, id: &str) {
        let done = self
            .inner
            .db
            .tenant_execute(
                tenant,
                query("DELETE FROM push_subscriptions WHERE id = $1 AND tenant_id = $2")
                    .bind(id)
                    .bind(tenant.to_string()),
            )
            .await;
        if let Err(e) = done {
            tracing::warn!(error = %e, "forgetting an ended push subscription failed");
        }
    }
}
