//! Vocabulary shared by all Agente domain crates: identifiers, the tenant a request acts for,
//! member roles, an injectable clock, input newtypes and the encryption of secrets at rest.
//! This crate does no I/O.

pub mod clock;
pub mod email;
pub mod error_kind;
pub mod execution;
pub mod ids;
pub mod llm;
pub mod role;
pub mod secret_box;
pub mod token;
pub mod usage;

pub use clock::{Clock, FixedClock, SystemClock};
pub use email::Email;
pub use error_kind::{Classified, ErrorKind};
pub use execution::{ExecutionMode, ExecutionStatus};
pub use ids::{
    ApiKeyId, CredentialId, ExecutionId, InvitationId, RefreshTokenId, TenantId, TokenFamilyId,
    UserId, WorkflowId,
};
pub use role::Role;
pub use secret_box::SecretBox;
pub use usage::{
    ConcurrencyFuture, GateError, GateFuture, Limit, Meter, Refusal, Usage, UsageGate,
};
