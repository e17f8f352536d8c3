//! Invitations: an admin invites an e-mail address with a role; the invitee opens the link
//! (`/invite/<token>`), chooses a password and becomes a member. Sending the e-mail belongs
//! to the notifier; until then the inviter shares the link.

use crate::service::RowExt;
use crate::sessions::Session;
use crate::{Action, AuthError, AuthService, Principal, Resource, check_permission, password};
use agente_core::{Email, InvitationId, Role, TenantId, UserId, token};
use agente_store::TenantLookup;
use agente_store::sqlx::{FromRow, query};
use serde::Serialize;

/// A pending invitation as listed (without its token).
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationInfo {
    pub id: String,
    pub email: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub expires_at: i64,
    pub created_at: i64,
}

/// A new invitation: the only time its token is shown.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedInvitation {
    #[serde(flatten)]
    pub info: InvitationInfo,
    pub token: String,
}

/// What the invitee sees before accepting.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationPreview {
    pub email: String,
    pub role: Role,
    pub tenant_name: String,
}

impl AuthService {
    pub async fn invite(
        &self,
        principal: &Principal,
        email: &str,
        role: Role,
    ) -> Result<CreatedInvitation, AuthError> {
        check_permission(principal, Resource::Members, Action::Write)?;
        let email = Email::parse(email).map_err(|e| AuthError::Validation(e.to_string()))?;
        if role == Role::Owner {
            return Err(AuthError::Validation(
                "invite as admin, editor or viewer; promote to owner later".into(),
            ));
        }
        if !principal.role.at_least(role) {
            return Err(AuthError::forbidden(
                "you cannot invite someone with more rights than your own",
            ));
        }
        if self.inner.db.find_login(email.as_str()).await?.is_some() {
            return Err(AuthError::Conflict(
                "this e-mail address already has an account".into(),
            ));
        }
        let tenant = principal.tenant_id;
        let now = self.now_ms();
        let mut tx = self.inner.db.tenant_tx(tenant).await?;
        // A new invitation replaces any pending one for the same address.
        query("UPDATE invitations SET revoked_at = $1 WHERE tenant_id = $2 AND email = $3 AND accepted_at IS NULL AND revoked_at IS NULL")
            .bind(now)
            .bind(tenant.to_string())
            .bind(email.as_str())
            .execute(&mut *tx)
            .await?;
        // Open invitations count as seats: inviting past the plan's limit is refused now,
        // not when the invitee accepts.
        let seats = self.count_seats(&mut tx, tenant, Some(now)).await?;
        self.check_members(tenant, seats).await?;
        let token = token::generate("agi");
        let info = InvitationInfo {
            id: InvitationId::new().to_string(),
            email: email.to_string(),
            role,
            expires_at: now + self.inner.settings.invitation_ttl_secs * 1000,
            created_at: now,
        };
        query(
            "INSERT INTO invitations (id, tenant_id, email, role, token_hash, invited_by, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&info.id)
        .bind(tenant.to_string())
        .bind(&info.email)
        .bind(role.as_str())
        .bind(token::digest(&token))
        .bind(principal.user_id.map(|u| u.to_string()))
        .bind(info.expires_at)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(tenant_id = %tenant, invitation_id = %info.id, %role, "member invited");
        Ok(CreatedInvitation { info, token })
    }

    pub async fn list_invitations(
        &self,
        principal: &Principal,
    ) -> Result<Vec<InvitationInfo>, AuthError> {
        check_permission(principal, Resource::Members, Action::Read)?;
        let mut tx = self.inner.db.tenant_read(principal.tenant_id).await?;
        let rows = query(
            "SELECT id, email, role, expires_at, created_at FROM invitations WHERE tenant_id = $1 \
             AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC",
        )
        .bind(principal.tenant_id.to_string())
        .bind(self.now_ms())
        .fetch_all(&mut *tx)
        .await?;
        Ok(rows
            .iter()
            .map(InvitationInfo::from_row)
            .collect::<Result<_, _>>()?)
    }

    pub async fn revoke_invitation(
        &self,
        principal: &Principal,
        id: &str,
    ) -> Result<(), AuthError> {
        check_permission(principal, Resource::Members, Action::Write)?;
        let mut tx = self.inner.db.tenant_tx(principal.tenant_id).await?;
        let done = query(
            "UPDATE invitations SET revoked_at = $1 WHERE id = $2 AND tenant_id = $3 \
             AND accepted_at IS NULL AND revoked_at IS NULL",
        )
        .bind(self.now_ms())
        .bind(id)
        .bind(principal.tenant_id.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        if done == 0 {
            return Err(AuthError::NotFound("pending invitation"));
        }
        Ok(())
    }

    /// The invitation behind a link, if it is still valid.
    pub async fn preview_invitation(&self, token: &str) -> Result<InvitationPreview, AuthError> {
        let (tenant, mut tx, row) = self.open_invitation(token).await?;
        let tenant_name = query("SELECT name FROM tenants WHERE id = $1")
            .bind(tenant.to_string())
            .fetch_one(&mut *tx)
            .await?
            .text("name")?;
        Ok(InvitationPreview {
            email: row.text("email")?,
            role: row.role("role")?,
            tenant_name,
        })
    }

    /// Creates the invitee's account and logs them in.
    pub async fn accept_invitation(
        &self,
        token: &str,
        new_password: String,
    ) -> Result<Session, AuthError> {
        password::validate(&new_password)?;
        let (tenant, mut tx, row) = self.open_invitation(token).await?;
        let email =
            Email::parse(&row.text("email")?).map_err(|e| AuthError::Validation(e.to_string()))?;
        let role = row.role("role")?;
        let hash = password::hash(new_password).await?;
        let user = UserId::new();
        let accepted = query("UPDATE invitations SET accepted_at = $1 WHERE id = $2 AND tenant_id = $3 AND accepted_at IS NULL")
            .bind(self.now_ms())
            .bind(row.text("id")?)
            .bind(tenant.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if accepted == 0 {
            return Err(AuthError::InvalidToken);
        }
        // The plan may have shrunk since the invitation.
        let members = self.count_seats(&mut tx, tenant, None).await?;
        self.check_members(tenant, members).await?;
        self.insert_user(&mut tx, tenant, user, &email, &hash, role)
            .await?;
        let session = self
            .start_session(&mut tx, tenant, user, role, None)
            .await?;
        tx.commit().await?;
        tracing::info!(tenant_id = %tenant, user_id = %user, "invitation accepted");
        Ok(session)
    }

    async fn open_invitation(
        &self,
        token: &str,
    ) -> Result<(TenantId, agente_store::TenantTx, agente_store::AnyRow), AuthError> {
        if !token.starts_with("agi_") || token.len() > 100 {
            return Err(AuthError::InvalidToken);
        }
        let hash = token::digest(token);
        let tenant = self
            .inner
            .db
            .tenant_of(TenantLookup::Invitation, &hash)
            .await?
            .ok_or(AuthError::InvalidToken)?;
        let mut tx = self.inner.db.tenant_tx(tenant).await?;
        let row = query(
            "SELECT id, email, role FROM invitations WHERE token_hash = $1 AND tenant_id = $2 \
             AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $3",
        )
        .bind(&hash)
        .bind(tenant.to_string())
        .bind(self.now_ms())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AuthError::InvalidToken)?;
        Ok((tenant, tx, row))
    }
}
