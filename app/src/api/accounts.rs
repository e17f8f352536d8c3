//! Accounts, members, API keys and MFA.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::ssr::{context, require_principal, server_error};

/// The signed-in member as the UI shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeView {
    /// The member's id (empty for an API key): what browser-kept state is keyed by.
    pub user_id: String,
    pub email: String,
    pub role: String,
    pub tenant_name: String,
    pub mfa_enabled: bool,
}

/// The result of a log-in attempt that did not fail outright.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum LoginOutcome {
    LoggedIn,
    MfaRequired,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberView {
    pub id: String,
    pub email: String,
    pub role: String,
    pub mfa_enabled: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationView {
    pub id: String,
    pub email: String,
    pub role: String,
    pub expires_at: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyView {
    pub id: String,
    pub name: String,
    pub role: String,
    pub hint: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitePreviewView {
    pub email: String,
    pub role: String,
    pub tenant_name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MfaEnrolmentView {
    pub secret: String,
    pub otpauth_url: String,
}

#[cfg(feature = "ssr")]
fn parse_role(role: &str) -> Result<agente_core::Role, ServerFnError> {
    role.parse()
        .map_err(|e: agente_core::role::UnknownRole| ServerFnError::new(e.to_string()))
}

/// The signed-in member, or `None` when nobody is.
#[server(prefix = "/sfn", endpoint = "me")]
pub async fn get_me() -> Result<Option<MeView>, ServerFnError> {
    let Some(principal) = crate::ssr::principal() else {
        return Ok(None);
    };
    let me = context()?.auth.me(&principal).await.map_err(server_error)?;
    Ok(Some(MeView {
        user_id: me.user_id.map(|u| u.to_string()).unwrap_or_default(),
        email: me.email.unwrap_or_else(|| "API key".into()),
        role: me.role.to_string(),
        tenant_name: me.tenant_name,
        mfa_enabled: me.mfa_enabled,
    }))
}

#[server(prefix = "/sfn", endpoint = "login")]
pub async fn login(
    email: String,
    password: String,
    totp: Option<String>,
) -> Result<LoginOutcome, ServerFnError> {
    use agente_auth::{AuthError, LoginInput};
    let ctx = context()?;
    let input = LoginInput {
        email,
        password,
        totp: totp.filter(|t| !t.trim().is_empty()),
    };
    match ctx.auth.login(input, crate::ssr::client_ip()).await {
        Ok(session) => {
            crate::ssr::set_session_cookies(&session, ctx.secure_cookies);
            Ok(LoginOutcome::LoggedIn)
        }
        Err(AuthError::MfaRequired) => Ok(LoginOutcome::MfaRequired),
        Err(err) => Err(server_error(err)),
    }
}

#[server(prefix = "/sfn", endpoint = "signup")]
pub async fn signup(
    email: String,
    password: String,
    tenant_name: String,
) -> Result<(), ServerFnError> {
    let ctx = context()?;
    let input = agente_auth::SignupInput {
        email,
        password,
        tenant_name,
    };
    let session = ctx
        .auth
        .signup(input, crate::ssr::client_ip())
        .await
        .map_err(server_error)?;
    crate::ssr::set_session_cookies(&session, ctx.secure_cookies);
    Ok(())
}

#[server(prefix = "/sfn", endpoint = "logout")]
pub async fn logout() -> Result<(), ServerFnError> {
    let ctx = context()?;
    if let Some(token) = crate::ssr::refresh_cookie() {
        ctx.auth.logout(&token).await.map_err(server_error)?;
    }
    crate::ssr::clear_session_cookies(ctx.secure_cookies);
    Ok(())
}

#[server(prefix = "/sfn", endpoint = "members")]
pub async fn list_members() -> Result<Vec<MemberView>, ServerFnError> {
    let p = require_principal()?;
    let members = context()?
        .auth
        .list_members(&p)
        .await
        .map_err(server_error)?;
    Ok(members
        .into_iter()
        .map(|m| MemberView {
            id: m.id.to_string(),
            email: m.email,
            role: m.role.to_string(),
            mfa_enabled: m.mfa_enabled,
        })
        .collect())
}

#[server(prefix = "/sfn", endpoint = "invitations")]
pub async fn list_invitations() -> Result<Vec<InvitationView>, ServerFnError> {
    let p = require_principal()?;
    let invitations = context()?
        .auth
        .list_invitations(&p)
        .await
        .map_err(server_error)?;
    Ok(invitations
        .into_iter()
        .map(|i| InvitationView {
            id: i.id,
            email: i.email,
            role: i.role.to_string(),
            expires_at: i.expires_at,
        })
        .collect())
}

/// Invites `email`; answers the link path to share (`/invite/<token>`).
#[server(prefix = "/sfn", endpoint = "invite")]
pub async fn invite_member(email: String, role: String) -> Result<String, ServerFnError> {
    let p = require_principal()?;
    let created = context()?
        .auth
        .invite(&p, &email, parse_role(&role)?)
        .await
        .map_err(server_error)?;
    Ok(format!("/invite/{}", created.token))
}

#[server(prefix = "/sfn", endpoint = "revoke_invitation")]
pub async fn revoke_invitation(id: String) -> Result<(), ServerFnError> {
    let p = require_principal()?;
    context()?
        .auth
        .revoke_invitation(&p, &id)
        .await
        .map_err(server_error)
}

#[server(prefix = "/sfn", endpoint = "change_role")]
pub async fn change_role(id: String, role: String) -> Result<(), ServerFnError> {
    let p = require_principal()?;
    let member = id
        .parse()
        .map_err(|_| ServerFnError::new("unknown member"))?;
    context()?
        .auth
        .change_role(&p, member, parse_role(&role)?)
        .await
        .map_err(server_error)
}

#[server(prefix = "/sfn", endpoint = "remove_member")]
pub async fn remove_member(id: String) -> Result<(), ServerFnError> {
    let p = require_principal()?;
    let member = id
        .parse()
        .map_err(|_| ServerFnError::new("unknown member"))?;
    context()?
        .auth
        .remove_member(&p, member)
        .await
        .map_err(server_error)
}

#[server(prefix = "/sfn", endpoint = "invitation")]
pub async fn preview_invitation(token: String) -> Result<InvitePreviewView, ServerFnError> {
    let preview = context()?
        .auth
        .preview_invitation(&token)
        .await
        .map_err(server_error)?;
    Ok(InvitePreviewView {
        email: preview.email,
        role: preview.role.to_string(),
        tenant_name: preview.tenant_name,
    })
}

#[server(prefix = "/sfn", endpoint = "accept_invitation")]
pub async fn accept_invitation(token: String, password: String) -> Result<(), ServerFnError> {
    let ctx = context()?;
    let session = ctx
        .auth
        .accept_invitation(&token, password)
        .await
        .map_err(server_error)?;
    crate::ssr::set_session_cookies(&session, ctx.secure_cookies);
    Ok(())
}

#[server(prefix = "/sfn", endpoint = "api_keys")]
pub async fn list_api_keys() -> Result<Vec<ApiKeyView>, ServerFnError> {
    let p = require_principal()?;
    let keys = context()?
        .auth
        .list_api_keys(&p)
        .await
        .map_err(server_error)?;
    Ok(keys
        .into_iter()
        .map(|k| ApiKeyView {
            id: k.id,
            name: k.name,
            role: k.role.to_string(),
            hint: k.hint,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            revoked: k.revoked_at.is_some(),
        })
        .collect())
}

/// Creates a key and answers its secret: the only time it is shown.
#[server(prefix = "/sfn", endpoint = "create_api_key")]
pub async fn create_api_key(name: String, role: String) -> Result<String, ServerFnError> {
    let p = require_principal()?;
    let created = context()?
        .auth
        .create_api_key(&p, &name, parse_role(&role)?)
        .await
        .map_err(server_error)?;
    Ok(created.key)
}

#[server(prefix = "/sfn", endpoint = "revoke_api_key")]
pub async fn revoke_api_key(id: String) -> Result<(), ServerFnError> {
    let p = require_principal()?;
    context()?
        .auth
        .revoke_api_key(&p, &id)
        .await
        .map_err(server_error)
}

#[server(prefix = "/sfn", endpoint = "mfa_enrol")]
pub async fn mfa_enrol() -> Result<MfaEnrolmentView, ServerFnError> {
    let p = require_principal()?;
    let e = context()?.auth.mfa_enrol(&p).await.map_err(server_error)?;
    Ok(MfaEnrolmentView {
        secret: e.secret,
        otpauth_url: e.otpauth_url,
    })
}

#[server(prefix = "/sfn", endpoint = "mfa_confirm")]
pub async fn mfa_confirm(code: String, password: String) -> Result<(), ServerFnError> {
    let p = require_principal()?;
    context()?
        .auth
        .mfa_confirm(&p, &code, &password)
        .await
        .map_err(server_error)
}

#[server(prefix = "/sfn", endpoint = "mfa_disable")]
pub async fn mfa_disable(code: String, password: String) -> Result<(), ServerFnError> {
    let p = require_principal()?;
    context()?
        .auth
        .mfa_disable(&p, &code, &password)
        .await
        .map_err(server_error)
}
