//! One module per area of the app.

mod ai_settings;
mod assistant;
mod auth;
mod billing;
mod executions;
mod history;
mod notification_settings;
mod notifications;
mod plans;
mod settings;
mod shell;
mod workflows;

pub use ai_settings::AiSettingsPage;
pub use auth::{AcceptInvitePage, LoginPage, SignupPage};
pub use billing::BillingPage;
pub use executions::{ExecutionDetailPage, ExecutionsPage};
pub use history::{WorkflowHistoryPage, WorkflowVersionPage};
pub use notifications::NotificationsPage;
pub use plans::PlansPage;
pub use settings::{ApiKeysPage, MembersPage, SecurityPage, SettingsLayout};
pub use shell::{AppShell, ComingSoon, DashboardPage, NotFound};
pub use workflows::WorkflowsPage;
