//! Members of a tenant: list, change role, remove.
//!
//! Rules beyond the permission check: only an owner grants or takes away ownership, and a
//! tenant always keeps at least one owner.

use crate::service::RowExt;
use crate::{Action, AuthError, AuthService, Principal, Resource, check_permission};
use agente_core::{GateError, Limit, Role, TenantId, UserId};
use agente_store::sqlx::query;
use agente_store::{AnyConnection, Row};
use serde::Serialize;

/// A member as listed on Settings → Members.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    pub id: UserId,
    pub email: String,
    pub role: Role,
    pub mfa_enabled: bool,
    /// Unix milliseconds.
    pub created_at: i64,
}

impl AuthService {
    pub async fn list_members(&self, principal: &Principal) -> Result<Vec<Member>, AuthError> {
        check_permission(principal, Resource::Members, Action::Read)?;
        let mut tx = self.inner.db.tenant_read(principal.tenant_id).await?;
        let rows = query(
            "SELECT id, email, role, totp_enabled_at, created_at FROM users WHERE tenant_id = $1 \
             ORDER BY created_at, email",
        )
        .bind(principal.tenant_id.to_string())
        .fetch_all(&mut *tx)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Member {
                    id: r.id("id")?,
                    email: r.text("email")?,
                    role: r.role("role")?,
                    mfa_enabled: r.opt_int("totp_enabled_at")?.is_some(),
                    created_at: r.int("created_at")?,
                })
            })
            .collect()
    }

    pub async fn change_role(
        &self,
        principal: &Principal,
        member: UserId,
        role: Role,
    ) -> Result<(), AuthError> {
        check_permission(principal, Resource::Members, Action::Write)?;
        let tenant = principal.tenant_id;
        let mut tx = self.inner.db.tenant_tx(tenant).await?;
        let current = self.member_role(&mut tx, principal, member).await?;
        if (current == Role::Owner || role == Role::Owner) && principal.role != Role::Owner {
            return Err(AuthError::forbidden(
                "only an owner can grant or take away ownership",
            ));
        }
        if current == Role::Owner && role != Role::Owner {
            ensure_another_owner(&mut tx, principal, member).await?;
        }
        // A new token version: access tokens carrying the old role stop working now (the
        // browser's next request rotates its session and gets the new role).
        query(
            "UPDATE users SET role = $1, token_version = token_version + 1 \
             WHERE id = $2 AND tenant_id = $3",
        )
        .bind(role.as_str())
        .bind(member.to_string())
        .bind(tenant.to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(tenant_id = %tenant, user_id = %member, %role, "member role changed");
        Ok(())
    }

    /// Removes a member: their sessions end at once (their access tokens name a user that is
    /// gone, their refresh tokens go with them) and the API keys they made are revoked.
    pub async fn remove_member(
        &self,
        principal: &Principal,
        member: UserId,
    ) -> Result<(), AuthError> {
        check_permission(principal, Resource::Members, Action::Delete)?;
        let tenant = principal.tenant_id;
        let mut tx = self.inner.db.tenant_tx(tenant).await?;
        let current = self.member_role(&mut tx, principal, member).await?;
        if current == Role::Owner {
            if principal.role != Role::Owner {
                return Err(AuthError::forbidden("only an owner can remove an owner"));
            }
            ensure_another_owner(&mut tx, principal, member).await?;
        }
        let revoked = query(
            "UPDATE api_keys SET revoked_at = $1 WHERE created_by = $2 AND tenant_id = $3 \
             AND revoked_at IS NULL",
        )
        .bind(self.now_ms())
        .bind(member.to_string())
        .bind(tenant.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        query("DELETE FROM users WHERE id = $1 AND tenant_id = $2")
            .bind(member.to_string())
            .bind(tenant.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(tenant_id = %tenant, user_id = %member, api_keys_revoked = revoked, "member removed");
        Ok(())
    }

    async fn member_role(
        &self,
        conn: &mut agente_store::AnyConnection,
        principal: &Principal,
        member: UserId,
    ) -> Result<Role, AuthError> {
        query("SELECT role FROM users WHERE id = $1 AND tenant_id = $2")
            .bind(member.to_string())
            .bind(principal.tenant_id.to_string())
            .fetch_optional(conn)
            .await?
            .ok_or(AuthError::NotFound("member"))?
            .role("role")
    }
}

async fn ensure_another_owner(
    conn: &mut agente_store::AnyConnection,
    principal: &Principal,
    leaving: UserId,
) -> Result<(), AuthError> {
    let others = query(
        "SELECT COUNT(*) AS n FROM users WHERE tenant_id = $1 AND role = 'owner' AND id <> $2",
    )
    .bind(principal.tenant_id.to_string())
    .bind(leaving.to_string())
    .fetch_one(conn)
    .await?
    .int("n")?;
    if others == 0 {
        return Err(AuthError::Conflict(
            "a tenant must keep at least one owner".into(),
        ));
    }
    Ok(())
}

impl AuthService {
    /// Members of `tenant`, plus its open invitations when `invitations_at` gives the time
    /// they must not have expired by.
    pub(crate) async fn count_seats(
        &self,
        conn: &mut AnyConnection,
        tenant: TenantId,
        invitations_at: Option<i64>,
    ) -> Result<u64, AuthError> {
        let members = query("SELECT COUNT(*) AS n FROM users WHERE tenant_id = $1")
            .bind(tenant.to_string())
            .fetch_one(&mut *conn)
            .await?
            .try_get::<i64, _>("n")?;
        let open = match invitations_at {
            Some(now) => query(
                "SELECT COUNT(*) AS n FROM invitations WHERE tenant_id = $1 \
                 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2",
            )
            .bind(tenant.to_string())
            .bind(now)
            .fetch_one(&mut *conn)
            .await?
            .try_get::<i64, _>("n")?,
            None => 0,
        };
        Ok((members + open).max(0) as u64)
    }

    /// Refuses one more member when the plan's limit is reached (see `set_usage_gate`).
    pub(crate) async fn check_members(
        &self,
        tenant: TenantId,
        current: u64,
    ) -> Result<(), AuthError> {
        let Some(gate) = self.inner.usage_gate.get() else {
            return Ok(());
        };
        match gate.check_limit(tenant, Limit::Members, current).await {
            Ok(()) => Ok(()),
            Err(GateError::Refused(r)) => Err(AuthError::PlanLimit(r)),
            Err(GateError::Unavailable(msg)) => Err(AuthError::Limiter(msg)),
        }
    }
}
