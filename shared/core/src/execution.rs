//! Where an execution is in its life, and what started it.
//!
//! ```text
//!   new ─claim─▶ running ─▶ success | error | canceled
//!                 │  ▲
//!         suspend ▼  │ claim
//!               waiting ─cancel─▶ canceled
//! ```
//! `new` and `waiting` may also be canceled; a `running` execution whose process went
//! silent is put back to `new` or `waiting` (or failed) by the reaper.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An execution's status, as stored and as n8n's public API names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ExecutionStatus {
    /// Queued: recorded with its trigger, waiting for a worker.
    New,
    Running,
    /// Suspended at a Wait node until a time or a call.
    Waiting,
    Success,
    Error,
    Canceled,
}

impl ExecutionStatus {
    pub const ALL: [ExecutionStatus; 6] = [
        Self::New,
        Self::Running,
        Self::Waiting,
        Self::Success,
        Self::Error,
        Self::Canceled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Running => "running",
            Self::Waiting => "waiting",
            Self::Success => "success",
            Self::Error => "error",
            Self::Canceled => "canceled",
        }
    }

    /// Whether the execution has ended (it will not run again by itself).
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Success | Self::Error | Self::Canceled)
    }
}

/// What started an execution (n8n's execution modes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ExecutionMode {
    /// Run from the editor or the API by a member.
    #[default]
    Manual,
    /// A production webhook call.
    Webhook,
    /// A schedule.
    Trigger,
    /// The error workflow of a failed execution.
    Error,
    /// A failed execution run again.
    Retry,
    /// A sub-workflow started by Execute Workflow.
    Integrated,
}

impl ExecutionMode {
    pub const ALL: [ExecutionMode; 6] = [
        Self::Manual,
        Self::Webhook,
        Self::Trigger,
        Self::Error,
        Self::Retry,
        Self::Integrated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Webhook => "webhook",
            Self::Trigger => "trigger",
            Self::Error => "error",
            Self::Retry => "retry",
            Self::Integrated => "integrated",
        }
    }

    /// Production runs count against the plan's executions; manual test runs and
    /// sub-workflow runs do not, as in n8n Cloud. The `executions_usage` trigger
    /// (migrations/*/0013_metering_and_stripe.sql) lists the same modes.
    pub fn is_metered(self) -> bool {
        matches!(
            self,
            Self::Webhook | Self::Trigger | Self::Error | Self::Retry
        )
    }
}

/// A status or mode name that is not one.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not an execution {1}")]
pub struct UnknownName(String, &'static str);

impl FromStr for ExecutionStatus {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownName(s.chars().take(40).collect(), "status"))
    }
}

impl FromStr for ExecutionMode {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownName(s.chars().take(40).collect(), "mode"))
    }
}

impl TryFrom<String> for ExecutionStatus {
    type Error = UnknownName;
    fn try_from(s: String) -> Result<Self, UnknownName> {
        s.parse()
    }
}

impl TryFrom<String> for ExecutionMode {
    type Error = UnknownName;
    fn try_from(s: String) -> Result<Self, UnknownName> {
        s.parse()
    }
}

impl fmt::Display for ExecutionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for ExecutionMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_serde_agrees() {
        for s in ExecutionStatus::ALL {
            assert_eq!(s.as_str().parse::<ExecutionStatus>().unwrap(), s);
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(
            "integrated".parse::<ExecutionMode>().unwrap(),
            ExecutionMode::Integrated
        );
        assert!("crashed".parse::<ExecutionStatus>().is_err());
        assert!("cli".parse::<ExecutionMode>().is_err());
        assert!(ExecutionMode::Retry.is_metered() && !ExecutionMode::Manual.is_metered());
        assert!(ExecutionStatus::Canceled.is_finished() && !ExecutionStatus::Waiting.is_finished());
    }
}
