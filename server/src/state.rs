use crate::authn::RefreshCoalescer;
use crate::config::Config;
use agente_auth::AuthService;
use agente_store::Db;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub redis: Option<redis::aio::ConnectionManager>,
    pub auth: AuthService,
    pub workflows: agente_workflows::WorkflowService,
    pub notifier: agente_notify::Notifier,
    pub billing: agente_billing::Billing,
    pub ai: agente_ai::AiService,
    pub leptos: LeptosOptions,
    pub metrics: PrometheusHandle,
    /// The tenants this app's last scrape showed (see `ops::TenantGauges`).
    pub(crate) tenant_gauges: Arc<crate::ops::TenantGauges>,
    pub(crate) refreshes: RefreshCoalescer,
    pub(crate) webhook_limits: Arc<crate::webhook_limits::WebhookLimits>,
    /// Cancelled when the server starts draining: open streams end so it can stop.
    pub(crate) stopping: tokio_util::sync::CancellationToken,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
