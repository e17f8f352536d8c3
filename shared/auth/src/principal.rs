use agente_core::{Role, TenantId, UserId};
use serde::{Deserialize, Serialize};

/// How the caller proved who they are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthMethod {
    /// A JWT access token (browser cookie or `Authorization: Bearer`).
    AccessToken,
    /// An API key, acting with the key's role.
    ApiKey { key_id: String },
}

/// The authenticated caller of a request: the tenant it acts in and with what role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub tenant_id: TenantId,
    /// The member behind the call; `None` for API keys (they act as the tenant).
    pub user_id: Option<UserId>,
    pub role: Role,
    pub method: AuthMethod,
}

impl Principal {
    /// The member behind the call, or `Forbidden` for API keys on member-only operations.
    pub fn user(&self) -> Result<UserId, crate::AuthError> {
        self.user_id.ok_or_else(|| {
            crate::AuthError::forbidden("this operation needs a member's session, not an API key")
        })
    }
}

/// The client's address, as the server saw it; put in request extensions by the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub std::net::IpAddr);
