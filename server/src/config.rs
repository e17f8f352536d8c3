//! Configuration from flags and environment variables, with embedded-mode defaults.

use anyhow::Context;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Flags shared by every command that opens the database.
#[derive(Debug, Clone, clap::Parser)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Directory for the SQLite database, generated secrets and local files.
    #[arg(long, env = "AGENTE_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
}

/// Everything the server needs to start.
#[derive(Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    /// How the application logs in to Postgres: `AGENTE_APP_DATABASE_URL`, else `agente_app`
    /// with a password derived from the master key (the owner sets it at start).
    pub app_login: agente_store::AppLogin,
    pub redis_url: Option<String>,
    pub master_key: String,
    pub jwt_secret: Vec<u8>,
    /// Public base URL; `https://…` turns on Secure cookies and HSTS.
    pub public_url: Option<String>,
    /// Webhooks on an origin of their own (`AGENTE_WEBHOOK_URL`); the app host then
    /// refuses webhook paths.
    pub webhook_origin: Option<crate::webhook_origin::WebhookOrigin>,
    /// Calls per minute a webhook accepts per caller address and per listening node
    /// (`AGENTE_WEBHOOK_RATE_PER_IP`, `AGENTE_WEBHOOK_RATE_PER_WEBHOOK`; 0: no limit).
    pub webhook_rates: crate::webhook_limits::WebhookRates,
    /// Proxies whose `X-Forwarded-For` names the client (`AGENTE_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The bearer token `/metrics` asks for (`AGENTE_METRICS_TOKEN`); without one, metrics
    /// are served only on `metrics_addr`.
    pub metrics_token: Option<String>,
    /// A listen address of its own for `/metrics` (`AGENTE_METRICS_ADDR`, e.g. a private
    /// interface), served there without a token.
    pub metrics_addr: Option<SocketAddr>,
    pub site_root: String,
    pub site_pkg_dir: String,
    pub output_name: String,
    pub hash_files: bool,
    /// Finished executions older than this are deleted (n8n's `EXECUTIONS_DATA_MAX_AGE`, hours).
    pub prune_max_age_hours: i64,
    /// … and all but this many per tenant (n8n's `EXECUTIONS_DATA_PRUNE_MAX_COUNT`).
    pub prune_max_count: i64,
    /// Let the HTTP Request node reach loopback and private networks (off by default: a
    /// tenant's workflow must not probe the server's own network).
    pub http_allow_private: bool,
    /// Non-public networks workflows and notifications may reach anyway
    /// (`AGENTE_HTTP_ALLOW_NETWORKS`: `10.0.5.0/24,fd00::/64`).
    pub http_allow_networks: Vec<ipnet::IpNet>,
    /// An egress proxy for calls to user-given destinations (`AGENTE_OUTBOUND_PROXY`);
    /// `HTTP(S)_PROXY` is ignored for them.
    pub outbound_proxy: Option<String>,
    /// CPU time one execution may use, all its nodes and code together
    /// (`AGENTE_EXECUTION_CPU_SECS`, default 120).
    pub execution_cpu_secs: u64,
    /// A running execution whose process has not beaten for this long is taken as dead
    /// and queued again (`AGENTE_EXECUTION_STALE_SECS`, default 60).
    pub execution_stale_secs: i64,
    /// A queued execution not picked up for this long has its job sent again (lost in a
    /// Redis restart, say): `AGENTE_PENDING_STALE_SECS`, default 300.
    pub pending_stale_secs: i64,
    /// Prefix of this deployment's queue keys in Redis (`AGENTE_REDIS_NAMESPACE`, default
    /// `agente`), so deployments can share one Redis.
    pub redis_namespace: String,
    /// The server's SMTP relay for notifications (`SMTP_URL`; sender `AGENTE_SMTP_FROM`).
    pub smtp: Option<agente_network::smtp::SmtpConfig>,
    /// Web Push key (`AGENTE_VAPID_PRIVATE_KEY`, base64url; generated in the data directory
    /// when unset) and contact (`AGENTE_VAPID_CONTACT`).
    pub vapid: agente_notify::push::Vapid,
    /// Delivery log rows older than this many days are deleted (`AGENTE_NOTIFICATION_LOG_DAYS`).
    pub notification_log_days: i64,
    /// The plan of a tenant that never chose one (`AGENTE_DEFAULT_PLAN`, default `free`).
    pub default_plan: String,
    /// Stripe (`STRIPE_SECRET_KEY`, `STRIPE_WEBHOOK_SECRET`, `STRIPE_API_BASE`); none: the
    /// local provider, which charges nothing.
    pub stripe: Option<agente_billing::StripeConfig>,
    /// AI providers (`OPENAI_*`, `ANTHROPIC_*`, `AGENTE_AI_*`); none: the offline provider.
    pub ai: crate::ai_config::AiSettings,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("data_dir", &self.data_dir)
            .field("database", &self.database_label())
            .field(
                "redis",
                &self.redis_url.as_deref().map(agente_store::db_redact),
            )
            .finish_non_exhaustive()
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

pub(crate) fn number(name: &str, default: i64) -> anyhow::Result<i64> {
    match env(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .with_context(|| format!("{name} must be a positive whole number, not `{v}`")),
    }
}

/// A count that may be 0 (`number` wants a positive one).
fn count(name: &str, default: u32) -> anyhow::Result<u32> {
    match env(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<u32>()
            .with_context(|| format!("{name} must be a whole number, not `{v}`")),
    }
}

impl Config {
    #[allow(clippy::too_many_lines)] // one field per setting, read in one place
    pub fn load(args: &ServeArgs) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&args.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {}",
                args.data_dir.display()
            )
        })?;
        let database_url = env("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}/agente.db", args.data_dir.display()));
        let master_key = match env("AGENTE_MASTER_KEY") {
            Some(key) => key,
            None => crate::secrets::load_or_create(
                &args.data_dir,
                "master.key",
                agente_core::SecretBox::generate_key,
            )?,
        };
        agente_core::SecretBox::from_base64(&master_key).context("AGENTE_MASTER_KEY")?;
        let app_login = match env("AGENTE_APP_DATABASE_URL") {
            Some(url) => agente_store::AppLogin::Url(url),
            None => agente_store::AppLogin::Password(agente_core::token::derive(
                &master_key,
                "postgres agente_app login",
            )),
        };
        let jwt_secret = match env("AGENTE_JWT_SECRET") {
            Some(secret) => secret,
            None => crate::secrets::load_or_create(
                &args.data_dir,
                "jwt.secret",
                agente_core::SecretBox::generate_key,
            )?,
        };
        let smtp = match env("SMTP_URL") {
            Some(url) => {
                let from =
                    env("AGENTE_SMTP_FROM").unwrap_or_else(|| "Agente <agente@localhost>".into());
                Some(
                    agente_network::smtp::SmtpConfig::from_url(&url, &from)
                        .map_err(anyhow::Error::msg)?,
                )
            }
            None => None,
        };
        let vapid_key = match env("AGENTE_VAPID_PRIVATE_KEY") {
            Some(key) => key,
            None => crate::secrets::load_or_create(
                &args.data_dir,
                "vapid.key",
                agente_notify::push::Vapid::generate_key,
            )?,
        };
        let contact =
            env("AGENTE_VAPID_CONTACT").unwrap_or_else(|| "mailto:agente@localhost".into());
        let vapid = agente_notify::push::Vapid::from_base64(&vapid_key, &contact)
            .map_err(anyhow::Error::msg)
            .context("AGENTE_VAPID_PRIVATE_KEY / AGENTE_VAPID_CONTACT")?;
        Ok(Self {
            addr: args.addr,
            data_dir: args.data_dir.clone(),
            database_url,
            app_login,
            redis_url: env("REDIS_URL"),
            master_key,
            jwt_secret: jwt_secret.into_bytes(),
            public_url: env("AGENTE_PUBLIC_URL"),
            webhook_origin: env("AGENTE_WEBHOOK_URL")
                .map(|url| {
                    crate::webhook_origin::WebhookOrigin::parse(
                        &url,
                        env("AGENTE_PUBLIC_URL").as_deref(),
                    )
                    .map_err(|e| anyhow::anyhow!("AGENTE_WEBHOOK_URL {e}"))
                })
                .transpose()?,
            webhook_rates: crate::webhook_limits::WebhookRates {
                per_ip: count("AGENTE_WEBHOOK_RATE_PER_IP", 1_200)?,
                per_webhook: count("AGENTE_WEBHOOK_RATE_PER_WEBHOOK", 3_000)?,
            },
            trusted_proxies: match env("AGENTE_TRUSTED_PROXIES") {
                Some(list) => agente_network::NetworkPolicy::parse_networks(&list)
                    .map_err(anyhow::Error::msg)
                    .context("AGENTE_TRUSTED_PROXIES")?,
                None => Vec::new(),
            },
            metrics_token: env("AGENTE_METRICS_TOKEN"),
            metrics_addr: env("AGENTE_METRICS_ADDR")
                .map(|a| {
                    a.parse::<SocketAddr>()
                        .with_context(|| format!("AGENTE_METRICS_ADDR `{a}` is not host:port"))
                })
                .transpose()?,
            site_root: env("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            site_pkg_dir: env("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|| "pkg".into()),
            output_name: env("LEPTOS_OUTPUT_NAME").unwrap_or_else(|| "agente".into()),
            hash_files: env("LEPTOS_HASH_FILES").is_none_or(|v| v == "true"),
            prune_max_age_hours: number("EXECUTIONS_DATA_MAX_AGE", 336)?,
            prune_max_count: number("EXECUTIONS_DATA_PRUNE_MAX_COUNT", 10_000)?,
            http_allow_private: env("AGENTE_HTTP_ALLOW_PRIVATE").is_some_and(|v| v == "true"),
            http_allow_networks: match env("AGENTE_HTTP_ALLOW_NETWORKS") {
                Some(list) => agente_network::NetworkPolicy::parse_networks(&list)
                    .map_err(anyhow::Error::msg)
                    .context("AGENTE_HTTP_ALLOW_NETWORKS")?,
                None => Vec::new(),
            },
            outbound_proxy: env("AGENTE_OUTBOUND_PROXY"),
            execution_cpu_secs: number("AGENTE_EXECUTION_CPU_SECS", 120)? as u64,
            execution_stale_secs: number("AGENTE_EXECUTION_STALE_SECS", 60)?,
            pending_stale_secs: number("AGENTE_PENDING_STALE_SECS", 300)?,
            redis_namespace: env("AGENTE_REDIS_NAMESPACE").unwrap_or_else(|| "agente".into()),
            smtp,
            vapid,
            notification_log_days: number("AGENTE_NOTIFICATION_LOG_DAYS", 30)?,
            default_plan: env("AGENTE_DEFAULT_PLAN").unwrap_or_else(|| "free".into()),
            stripe: env("STRIPE_SECRET_KEY").map(|secret_key| agente_billing::StripeConfig {
                secret_key,
                webhook_secret: env("STRIPE_WEBHOOK_SECRET"),
                api_base: env("STRIPE_API_BASE"),
            }),
            ai: crate::ai_config::AiSettings::from_env(env)?,
        })
    }

    /// A configuration for tests and tools: the database at `database_url` (its application
    /// role logging in with `app_login`), files in `data_dir`, fresh secrets, an ephemeral
    /// port, no external service, and every default `load` gives without environment.
    pub fn for_tests(
        database_url: &str,
        app_login: agente_store::AppLogin,
        data_dir: PathBuf,
    ) -> anyhow::Result<Self> {
        Ok(Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir,
            database_url: database_url.to_string(),
            app_login,
            redis_url: None,
            master_key: agente_core::SecretBox::generate_key(),
            jwt_secret: agente_core::SecretBox::generate_key().into_bytes(),
            public_url: None,
            webhook_origin: None,
            webhook_rates: Default::default(),
            trusted_proxies: Vec::new(),
            metrics_token: None,
            metrics_addr: None,
            site_root: "target/site".into(),
            site_pkg_dir: "pkg".into(),
            output_name: "agente".into(),
            hash_files: false,
            prune_max_age_hours: 336,
            prune_max_count: 10_000,
            http_allow_private: false,
            http_allow_networks: Vec::new(),
            outbound_proxy: None,
            execution_cpu_secs: 120,
            execution_stale_secs: 60,
            pending_stale_secs: 300,
            redis_namespace: "agente".into(),
            smtp: None,
            vapid: agente_notify::push::Vapid::from_base64(
                &agente_notify::push::Vapid::generate_key(),
                "mailto:test@example.com",
            )
            .map_err(anyhow::Error::msg)?,
            notification_log_days: 30,
            default_plan: "free".into(),
            stripe: None,
            ai: crate::ai_config::AiSettings::default(),
        })
    }

    /// Served over TLS (directly or behind a proxy), per the public URL.
    pub fn secure(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    /// The database URL without its password.
    pub fn database_label(&self) -> String {
        agente_store::db_redact(&self.database_url)
    }
}
