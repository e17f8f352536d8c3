//! Accounts and tenants: sign-up, log-in with optional TOTP, short-lived JWT access tokens,
//! rotating refresh tokens with reuse detection, roles and the one permission check, member
//! invitations and API keys.
//!
//! Everything a handler needs goes through [`AuthService`]; everything that decides whether
//! a caller may act goes through [`check_permission`].

mod api_keys;
mod error;
mod invitations;
mod jwt;
mod members;
pub mod mfa;
mod operators;
mod password;
mod permission;
mod principal;
pub mod rate_limit;
mod service;
mod sessions;

pub use api_keys::{ApiKeyInfo, CreatedApiKey};
pub use error::AuthError;
pub use invitations::{CreatedInvitation, InvitationInfo, InvitationPreview};
pub use jwt::JwtKeys;
pub use members::Member;
pub use mfa::MfaEnrolment;
pub use operators::{require_operator, set_operator};
pub use permission::{Action, Resource, check_permission};
pub mod cookies;
pub use principal::{AuthMethod, ClientIp, Principal};
pub use rate_limit::RateLimiter;
pub use service::{AuthService, AuthSettings, Me};
pub use sessions::{LoginInput, Session, SignupInput};
