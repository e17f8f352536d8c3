//! Notices to the workspace's owners: an event they must hear of (a failed payment, a plan
//! limit reached) that no rule wants still goes out, by e-mail to every owner.

use super::deliveries::Recipient;
use super::{Notifier, NotifierError as E};
use crate::{Event, Template};
use agente_core::TenantId;
use agente_store::sqlx::query;
use agente_store::{AnyConnection, Row};

/// Most owners a notice names in its label (all of them receive it).
const LABEL_ADDRESSES: usize = 3;

impl Notifier {
    /// Writes the owners' notice of `event` (once per event); `None` when it was written
    /// before, or when it cannot go out: no owner, or no SMTP server (the tenant's or the
    /// server's) — a delivery bound to fail would only fill the log.
    pub(super) async fn notice_owners(
        &self,
        conn: &mut AnyConnection,
        tenant: TenantId,
        event: &Event,
        message: &Template,
    ) -> Result<Option<String>, E> {
        let owners = owner_addresses(conn, tenant).await?;
        if owners.is_empty() {
            return Ok(None);
        }
        if self.inner.options.smtp.is_none() && self.tenant_smtp(conn, tenant).await?.is_none() {
            tracing::debug!(%tenant, event = event.kind.as_str(),
                "no SMTP server: the owners' notice is not sent");
            return Ok(None);
        }
        let mut label = owners
            .iter()
            .take(LABEL_ADDRESSES)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if owners.len() > LABEL_ADDRESSES {
            label.push_str(&format!(" and {} more", owners.len() - LABEL_ADDRESSES));
        }
        let label = format!("workspace owners ({label})");
        self.insert_delivery(
            conn,
            tenant,
            &Recipient::Owners { label: &label },
            event,
            message,
        )
        .await
    }
}

/// The e-mail addresses of the workspace's owners, oldest account first.
pub(super) async fn owner_addresses(
    conn: &mut AnyConnection,
    tenant: TenantId,
) -> Result<Vec<String>, E> {
    let rows = query(
        "SELECT email FROM users WHERE tenant_id = $1 AND role = 'owner' ORDER BY created_at, id",
    )
    .bind(tenant.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| r.try_get("email").map_err(E::from))
        .collect()
}
