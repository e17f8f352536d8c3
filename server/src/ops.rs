//! Operations endpoints: liveness, readiness and Prometheus metrics.
//!
//! `/metrics` names tenants and the deployment's load, so it is not public: it asks for
//! `AGENTE_METRICS_TOKEN` as a bearer token, or is served on a listen address of its own
//! (`AGENTE_METRICS_ADDR`, e.g. a private interface) without one. `/readyz` tells states,
//! never the text of a database error (which can name hosts and users).

use crate::AppState;
use crate::api::ApiError;
use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde_json::json;
use std::sync::OnceLock;
use std::time::Instant;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(guarded_metrics))
}

/// What the separate metrics listener serves: metrics without a token.
pub fn metrics_router() -> Router<AppState> {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
}

/// The process is up.
async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// The process can serve: the database (and Redis, when configured) answer.
async fn readyz(State(state): State<AppState>) -> Response {
    let database = state.db.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "readiness: the database does not answer");
    });
    let redis = match &state.redis {
        None => None,
        Some(conn) => {
            let mut conn = conn.clone();
            let pong: Result<String, _> = redis::cmd("PING").query_async(&mut conn).await;
            Some(pong.map(|_| ()).map_err(|e| {
                tracing::warn!(error = %e, "readiness: Redis does not answer");
            }))
        }
    };
    let ok = database.is_ok() && redis.as_ref().is_none_or(Result::is_ok);
    let show = |r: &Result<(), ()>| match r {
        Ok(()) => json!("ok"),
        Err(()) => json!("unavailable"),
    };
    let body = json!({
        "status": if ok { "ok" } else { "unavailable" },
        "database": show(&database),
        "redis": redis.as_ref().map(show).unwrap_or(json!("not configured")),
    });
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// `/metrics` on the main listener: only with the operator's token.
async fn guarded_metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = state.config.metrics_token.as_deref() else {
        return ApiError::not_found(
            "metrics are served on AGENTE_METRICS_ADDR, or here with AGENTE_METRICS_TOKEN",
        )
        .into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !agente_core::token::constant_time_eq(given.trim(), token) {
        return ApiError::Auth(agente_auth::AuthError::Unauthenticated).into_response();
    }
    metrics(State(state)).await.into_response()
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    record_queue_gauges(&state).await;
    (
        [("content-type", "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

/// Queue depth, age of the oldest due job, running and dead jobs per queue, read from the
/// database at each scrape: the signals an external autoscaler (KEDA, HPA) scales workers
/// on. The figures are the deployment's, whichever process is scraped.
async fn record_queue_gauges(state: &AppState) {
    let queue = state.workflows.jobs();
    match queue.stats().await {
        Ok(stats) => {
            for q in stats.iter().cloned() {
                let labels = [("queue", q.queue)];
                metrics::gauge!("agente_queue_ready_jobs", &labels).set(q.ready as f64);
                metrics::gauge!("agente_queue_scheduled_jobs", &labels).set(q.scheduled as f64);
                metrics::gauge!("agente_queue_running_jobs", &labels).set(q.running as f64);
                metrics::gauge!("agente_queue_dead_jobs", &labels).set(q.dead as f64);
                metrics::gauge!("agente_queue_oldest_ready_seconds", &labels)
                    .set(q.oldest_ready_ms as f64 / 1000.0);
            }
            // 1: add workers, 0: hold, -1: fewer would do (see `agente_jobs::scaling`).
            metrics::gauge!("agente_scale_advice")
                .set(agente_jobs::scaling::advise(&stats).scale.as_number() as f64);
        }
        Err(e) => tracing::warn!(error = %e, "reading queue figures for /metrics failed"),
    }
    match queue.tenant_load(TENANTS_IN_METRICS).await {
        Ok(load) => state.tenant_gauges.record(load),
        Err(e) => tracing::warn!(error = %e, "reading per-tenant load for /metrics failed"),
    }
}

/// The busiest tenants shown per scrape: enough to see who loads the queues, few enough to
/// keep the label set small.
const TENANTS_IN_METRICS: i64 = 20;

/// Per-tenant ready and running jobs of the busiest tenants. A tenant that dropped out of
/// the list reads zero once (the recorder keeps a gauge's last value), then is forgotten.
/// What was shown is the app's own, not the process's: the recorder is process-wide, and
/// another app in the process (tests run several) must not zero this one's tenants.
#[derive(Debug, Default)]
pub struct TenantGauges {
    shown: std::sync::Mutex<Vec<(String, String)>>,
}

impl TenantGauges {
    fn record(&self, load: Vec<agente_jobs::TenantLoad>) {
        let mut shown = self.shown.lock().unwrap_or_else(|e| e.into_inner());
        record_tenant_gauges(&mut shown, &load);
    }
}

fn record_tenant_gauges(shown: &mut Vec<(String, String)>, load: &[agente_jobs::TenantLoad]) {
    let now: Vec<(String, String)> = load
        .iter()
        .map(|l| (l.queue.clone(), l.tenant.to_string()))
        .collect();
    for (queue, tenant) in shown.iter().filter(|k| !now.contains(k)) {
        let labels = [("queue", queue.clone()), ("tenant", tenant.clone())];
        metrics::gauge!("agente_queue_tenant_ready_jobs", &labels).set(0.0);
        metrics::gauge!("agente_queue_tenant_running_jobs", &labels).set(0.0);
    }
    for l in load {
        let labels = [("queue", l.queue.clone()), ("tenant", l.tenant.to_string())];
        metrics::gauge!("agente_queue_tenant_ready_jobs", &labels).set(l.ready as f64);
        metrics::gauge!("agente_queue_tenant_running_jobs", &labels).set(l.running as f64);
    }
    *shown = now;
}

/// The process-wide Prometheus recorder (installed once, shared by every app instance).
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// Counts requests and their latency by route pattern (not raw path: bounded cardinality).
pub async fn record(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}
