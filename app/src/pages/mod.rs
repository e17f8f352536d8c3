//! One module per area of the app.

mod auth;
mod settings;
mod shell;

pub use auth::{AcceptInvitePage, LoginPage, SignupPage};
pub use settings::{ApiKeysPage, MembersPage, SecurityPage, SettingsLayout};
pub use shell::{AppShell, ComingSoon, DashboardPage, NotFound};
