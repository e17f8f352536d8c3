//! Builds the application from its configuration and runs it.

use crate::authn::RefreshCoalescer;
use crate::background::Roles;
use crate::config::Config;
use crate::{
    AppState, api, assets, authn, client_ip, cross_site, http_layers, ops, server_fns, webhook,
    webhook_origin,
};
use agente_app::{App, shell, ssr::ServerContext};
use agente_auth::{AuthService, AuthSettings, JwtKeys, RateLimiter};
use agente_billing::{Billing, BillingOptions, Stripe};
use agente_core::{Clock, SecretBox, SystemClock};
use agente_engine::Engine;
use agente_engine::expr::Limits;
use agente_network::{HttpSettings, NetworkPolicy, OutboundHttp};
use agente_store::{Db, DbOptions};
use agente_workflows::{ServiceLimits, WorkflowService};
use anyhow::Context;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tracing_subscriber::EnvFilter;

/// Logs to stderr; `RUST_LOG` filters, `AGENTE_LOG_FORMAT=json` for machines.
pub fn init_tracing() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if std::env::var("AGENTE_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Opens (and migrates) the database, trying again for about half a minute: processes
/// started while the database restarts, or while its connections are cut, wait for it
/// instead of exiting.
async fn open_database(config: &Config) -> anyhow::Result<Db> {
    let mut wait = std::time::Duration::from_millis(250);
    let mut tries = 0;
    loop {
        tries += 1;
        let options = DbOptions {
            app_login: Some(config.app_login.clone()),
            ..DbOptions::default()
        };
        match Db::open(&config.database_url, &options).await {
            Ok(db) => return Ok(db),
            // A database that answers but is not set up right will not get better.
            Err(e) if tries < 8 && !matches!(e, agente_store::StoreError::Config(_)) => {
                tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "the database is not reachable yet");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(std::time::Duration::from_secs(8));
            }
            Err(e) => {
                return Err(e).with_context(|| {
                    format!("cannot open the database {}", config.database_label())
                });
            }
        }
    }
}

/// Connects to the databases and assembles the services, in the order they need each other.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    let db = open_database(&config).await?;
    let redis = connect_redis(&config).await?;
    let limiter = match &redis {
        Some(conn) => RateLimiter::redis(conn.clone()),
        None => RateLimiter::memory(),
    };
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    // Redis carries the jobs when configured; the database stays their truth.
    let jobs: agente_jobs::Queue = match &redis {
        Some(conn) => {
            agente_jobs::RedisQueue::new(conn.clone(), clock.clone(), &config.redis_namespace)
                .into()
        }
        None => agente_jobs::SqlQueue::new(db.clone(), clock.clone()).into(),
    };
    let secrets = SecretBox::from_base64(&config.master_key).context("AGENTE_MASTER_KEY")?;
    let auth = AuthService::new(
        db.clone(),
        JwtKeys::new(&config.jwt_secret).context("AGENTE_JWT_SECRET")?,
        secrets.clone(),
        limiter,
        clock.clone(),
        AuthSettings::default(),
    );
    let network = NetworkPolicy::with_private(config.http_allow_private)
        .allow_networks(config.http_allow_networks.iter().copied());
    let notifier = agente_notify::Notifier::new(
        db.clone(),
        jobs.clone(),
        secrets.clone(),
        clock.clone(),
        agente_notify::NotifierOptions {
            public_url: config.public_url.clone(),
            smtp: config.smtp.clone(),
            vapid: Some(config.vapid.clone()),
            network: network.clone(),
            proxy: config.outbound_proxy.clone(),
        },
    );
    let billing = billing(&config, &db, &clock, &notifier).await?;
    let gate: Arc<dyn agente_core::UsageGate> = Arc::new(billing.clone());
    auth.set_usage_gate(gate.clone());
    let ai = ai_service(&config, &gate, &network, &db, &secrets, &clock)?;
    let parts = WorkflowParts {
        db: db.clone(),
        jobs,
        secrets,
        clock,
        network,
        gate,
        ai: ai.clone(),
    };
    let events = connect_events(&config, &db).await?;
    let workflows = workflow_service(&config, parts)?.with_events(events);
    Ok(AppState {
        leptos: leptos_options(&config),
        webhook_limits: Arc::new(crate::webhook_limits::WebhookLimits::new(
            config.webhook_rates,
        )),
        config: Arc::new(config),
        db,
        redis,
        auth,
        workflows,
        notifier,
        billing,
        ai,
        metrics: ops::metrics_handle(),
        tenant_gauges: Arc::default(),
        refreshes: RefreshCoalescer::default(),
        stopping: tokio_util::sync::CancellationToken::new(),
    })
}

async fn connect_redis(config: &Config) -> anyhow::Result<Option<redis::aio::ConnectionManager>> {
    let Some(url) = &config.redis_url else {
        return Ok(None);
    };
    let client = redis::Client::open(url.as_str()).context("REDIS_URL is not a valid Redis URL")?;
    let manager = redis::aio::ConnectionManager::new(client)
        .await
        .context("cannot connect to Redis")?;
    Ok(Some(manager))
}

/// The event bus live updates travel on: Redis pub/sub when Redis is set, else Postgres
/// `LISTEN/NOTIFY` on a Postgres database, else this process alone (the embedded default).
/// On Postgres it listens as the application's confined login, not as the owner.
async fn connect_events(config: &Config, db: &Db) -> anyhow::Result<agente_events::EventBus> {
    use agente_events::EventBus;
    let bus = if let Some(url) = &config.redis_url {
        let client =
            redis::Client::open(url.as_str()).context("REDIS_URL is not a valid Redis URL")?;
        EventBus::redis(client, format!("{}:events", config.redis_namespace)).await?
    } else if db.backend() == agente_store::Backend::Postgres {
        EventBus::postgres(db.login_url()).await?
    } else {
        EventBus::in_process()
    };
    tracing::info!(
        transport = bus.transport(),
        "live updates travel on the event bus"
    );
    Ok(bus)
}

/// Billing, with the built-in plans written.
async fn billing(
    config: &Config,
    db: &Db,
    clock: &Arc<dyn Clock>,
    notifier: &agente_notify::Notifier,
) -> anyhow::Result<Billing> {
    let stripe = match &config.stripe {
        Some(c) => Some(Stripe::new(c.clone()).context("the Stripe settings")?),
        None => None,
    };
    let billing = Billing::new(
        db.clone(),
        clock.clone(),
        Some(notifier.clone()),
        BillingOptions {
            default_plan: config.default_plan.clone(),
            stripe,
            public_url: config.public_url.clone(),
            ..BillingOptions::default()
        },
    );
    billing
        .ensure_built_in_plans()
        .await
        .context("cannot write the built-in plans")?;
    Ok(billing)
}

fn ai_service(
    config: &Config,
    gate: &Arc<dyn agente_core::UsageGate>,
    network: &NetworkPolicy,
    db: &Db,
    secrets: &SecretBox,
    clock: &Arc<dyn Clock>,
) -> anyhow::Result<agente_ai::AiService> {
    let ai = agente_ai::AiService::new(
        &config.ai.providers,
        config.ai.generation_order.as_deref(),
        config.ai.analysis_order.as_deref(),
        Some(gate.clone()),
    )
    .context("the AI settings")?
    .with_node_network(
        network.clone(),
        config.ai.timeout.unwrap_or(Duration::from_secs(60)),
    )
    .with_store(db.clone(), secrets.clone(), clock.clone());
    tracing::info!(providers = ?ai.generation_providers(), "workflow generation");
    Ok(ai)
}

/// What the workflow service is built on.
struct WorkflowParts {
    db: Db,
    jobs: agente_jobs::Queue,
    secrets: SecretBox,
    clock: Arc<dyn Clock>,
    network: NetworkPolicy,
    gate: Arc<dyn agente_core::UsageGate>,
    ai: agente_ai::AiService,
}

fn workflow_service(config: &Config, parts: WorkflowParts) -> anyhow::Result<WorkflowService> {
    let outbound = OutboundHttp::new(
        parts.network.clone(),
        &HttpSettings {
            proxy: config.outbound_proxy.clone(),
            ..HttpSettings::default()
        },
    )
    .context("AGENTE_OUTBOUND_PROXY")?;
    let engine = Engine::new(
        Limits {
            execution_cpu: Duration::from_secs(config.execution_cpu_secs),
            ..Limits::default()
        },
        parts.network,
    )
    .with_http(outbound);
    // Where webhooks are reached: their own origin, else the app's.
    let public_url = config
        .webhook_origin
        .as_ref()
        .map(|o| o.url.as_str())
        .or(config.public_url.as_deref())
        .unwrap_or_default();
    Ok(WorkflowService::new(
        parts.db,
        engine,
        parts.secrets,
        parts.clock,
        ServiceLimits::default(),
    )
    .with_public_url(public_url)
    .with_queue(parts.jobs)
    .with_queued_background_runs()
    .with_usage_gate(parts.gate)
    .with_language_models(Arc::new(parts.ai))
    .with_running_stale_after_ms(config.execution_stale_secs * 1000)
    .with_pending_stale_after_ms(config.pending_stale_secs * 1000))
}

fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(config.output_name.clone())
        .site_root(config.site_root.clone())
        .site_pkg_dir(config.site_pkg_dir.clone())
        .site_addr(config.addr)
        .hash_files(config.hash_files)
        .build()
}

/// What pages and server functions get from the server.
fn server_context(state: &AppState) -> ServerContext {
    ServerContext {
        auth: state.auth.clone(),
        workflows: state.workflows.clone(),
        notifier: state.notifier.clone(),
        billing: state.billing.clone(),
        ai: state.ai.clone(),
        secure_cookies: state.config.secure(),
    }
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let context = {
        let ctx = server_context(&state);
        move || {
            provide_context(ctx.clone());
            leptos::nonce::provide_nonce();
        }
    };
    let routes = generate_route_list(App);
    let pages = Router::new()
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(axum::middleware::from_fn(server_fns::limit_bodies))
        .layer(server_fns::extractor_limit());
    // Webhooks act for their workflow's tenant, never for the caller: they are merged past
    // the authentication layer (no session is read, rotated or paid for on them).
    let config = state.config.clone();
    let app = Router::new()
        .nest("/api/v1", api::router())
        .merge(ops::router())
        .merge(assets::router(&state.config))
        .merge(pages)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            authn::authenticate,
        ))
        .merge(webhook::router())
        // Each edge layer gets the configuration only (one Arc, not the whole state).
        .layer(axum::middleware::from_fn_with_state(
            config.clone(),
            cross_site::refuse,
        ))
        .layer(axum::middleware::from_fn_with_state(
            config.clone(),
            client_ip::record,
        ))
        .layer(axum::middleware::from_fn_with_state(
            config.webhook_origin.clone().map(Arc::new),
            webhook_origin::separate,
        ));
    http_layers::apply(app, &state.config).with_state(state)
}

/// Runs the server until Ctrl-C or SIGTERM, then drains in-flight requests.
pub async fn serve(config: Config, roles: Roles) -> anyhow::Result<()> {
    let addr = config.addr;
    tracing::info!(?config, "starting");
    let state = build_state(config).await?;
    // On the embedded database this is the only process: whatever it left running was
    // interrupted, and is queued again (or failed) at once rather than after a minute.
    let embedded = state.db.backend() == agente_store::Backend::Sqlite;
    let recovered = state.workflows.executions().reap(embedded).await?;
    if recovered > 0 {
        tracing::warn!(
            recovered,
            "executions interrupted or stalled were queued again or marked failed"
        );
    }
    if roles.scheduler {
        crate::housekeeping::register(&state.db, &state.config, SystemClock.now_ms()).await?;
    }
    let db = state.db.clone();
    let background = crate::background::start(
        &state.db,
        &state.workflows,
        &state.notifier,
        &state.billing,
        roles,
        Arc::new(agente_core::SystemClock),
    );
    if let Some(metrics_addr) = state.config.metrics_addr {
        let listener = tokio::net::TcpListener::bind(metrics_addr)
            .await
            .with_context(|| format!("cannot listen on {metrics_addr} (AGENTE_METRICS_ADDR)"))?;
        println!(
            "Metrics are served on http://{}/metrics",
            listener.local_addr()?
        );
        let metrics = ops::metrics_router().with_state(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, metrics).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    let stopping = state.stopping.clone();
    let app = router(state);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    println!("Agente is listening on http://{}", listener.local_addr()?);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        stopping.cancel();
    })
    .await
    .context("server error")?;
    background.stop().await;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Runs background roles without the web server (`agente worker`, `agente scheduler`)
/// until Ctrl-C or SIGTERM.
pub async fn run_background(config: Config, roles: Roles) -> anyhow::Result<()> {
    tracing::info!(?config, ?roles, "starting");
    let state = build_state(config).await?;
    if roles.scheduler {
        crate::housekeeping::register(&state.db, &state.config, SystemClock.now_ms()).await?;
    }
    let background = crate::background::start(
        &state.db,
        &state.workflows,
        &state.notifier,
        &state.billing,
        roles,
        Arc::new(agente_core::SystemClock),
    );
    println!("Agente background roles are running");
    shutdown_signal().await;
    background.stop().await;
    state.db.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}
