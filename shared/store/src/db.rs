use crate::StoreError;
use crate::app_login::AppLogin;
use crate::backend::{Backend, redact};
use crate::group_commit::{GroupCommit, Statement};
use crate::tenant_binding::{bind_tenant, execute_as};
use agente_core::TenantId;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection, Executor, Transaction};
use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

/// Pool settings.
#[derive(Clone, Debug)]
pub struct DbOptions {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// How the application logs in to Postgres (required there; unused on SQLite).
    pub app_login: Option<AppLogin>,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(5),
            app_login: None,
        }
    }
}

/// A connection pool plus the knowledge of which backend it talks to.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// Started on first use, on the runtime that uses it.
    group: Arc<OnceLock<GroupCommit>>,
    /// What the pool logs in with, for connections of its own (the event bus's LISTEN).
    url: LoginUrl,
}

/// A database URL with its password: shown as `…` by `Debug`, so it never reaches a log.
#[derive(Clone)]
struct LoginUrl(Arc<str>);

impl std::fmt::Debug for LoginUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("…")
    }
}

impl Db {
    /// Applies pending migrations over a dedicated connection as the URL's own user (on
    /// Postgres that user owns the tables and creates the application role; it must bypass
    /// row-level security, which is forced on owners too, for its lookup functions).
    pub async fn migrate(url: &str) -> Result<(), StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        let mut conn = AnyConnection::connect_with(&connect_options(url, backend)?).await?;
        match backend {
            Backend::Postgres => {
                crate::app_login::check_owner_bypasses(&mut conn).await?;
                POSTGRES_MIGRATIONS.run(&mut conn).await?
            }
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&mut conn).await?,
        }
        conn.close().await?;
        Ok(())
    }

    /// Opens the application pool at `url`. On Postgres `url` must log in as a confined
    /// role (`agente_app`: no superuser, no BYPASSRLS, owning nothing), checked here, so
    /// row-level security holds for everything the application runs.
    pub async fn connect(url: &str, options: &DbOptions) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        let max = match backend {
            Backend::Postgres => options.max_connections,
            // SQLite has one writer; a few readers suffice and avoid lock convoys.
            Backend::Sqlite => options.max_connections.min(4),
        };
        let mut pool_options = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(options.acquire_timeout)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    match backend {
                        Backend::Postgres => {}
                        Backend::Sqlite => {
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                                 PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;",
                            )
                            .await?;
                        }
                    }
                    Ok(())
                })
            });
        // Only SQLite needs it: sqlx-postgres rolls back a BEGIN whose caller went away
        // itself, and the hook costs a boxed future on every acquire.
        if backend == Backend::Sqlite {
            pool_options = pool_options.before_acquire(|conn, _meta| {
                Box::pin(async move { left_outside_transaction(conn).await })
            });
        }
        let pool = pool_options
            .connect_with(connect_options(url, backend)?)
            .await?;
        if backend == Backend::Postgres {
            let mut conn = pool.acquire().await?;
            crate::app_login::check_is_confined(&mut conn).await?;
        }
        Ok(Self {
            pool,
            backend,
            group: Arc::default(),
            url: LoginUrl(url.into()),
        })
    }

    /// A small pool as the owner (the migrating user), for the few operator commands that
    /// write what the application may not (operator rights). Never for serving requests.
    pub async fn connect_owner(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect_with(connect_options(url, backend)?)
            .await?;
        Ok(Self {
            pool,
            backend,
            group: Arc::default(),
            url: LoginUrl(url.into()),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL this pool logs in with (the application's confined login on Postgres), for
    /// a connection of its own such as the event bus's `LISTEN`. It holds the password:
    /// never log it.
    pub fn login_url(&self) -> &str {
        &self.url.0
    }

    /// Migrates as the owner at `url`, then connects as the application: what
    /// `agente serve` does on start. On Postgres the application's login comes from
    /// `options.app_login` (see `app_login.rs`).
    pub async fn open(url: &str, options: &DbOptions) -> Result<Self, StoreError> {
        Self::migrate(url).await?;
        match Backend::of_url(url)? {
            Backend::Sqlite => Self::connect(url, options).await,
            Backend::Postgres => {
                let login = options.app_login.as_ref().ok_or_else(|| {
                    StoreError::Config(
                        "Postgres needs the application's login (AGENTE_APP_DATABASE_URL, or \
                         a password the owner gives agente_app)"
                            .into(),
                    )
                })?;
                let app_url = login.prepare(url).await?;
                Self::connect(&app_url, options).await
            }
        }
    }

    /// A transaction bound to one tenant: on Postgres, `app.tenant_id` is set for this
    /// transaction only, so row-level security confines every statement in it.
    pub async fn tenant_tx(&self, tenant: TenantId) -> Result<TenantTx, StoreError> {
        self.bind_tenant(self.begin(false).await?, tenant).await
    }

    /// A write transaction bound to no tenant, for system tables that span tenants (the
    /// job queue). On Postgres, row-level security shows it no tenant's rows.
    pub async fn system_tx(&self) -> Result<Transaction<'static, sqlx::Any>, StoreError> {
        self.begin(false).await
    }

    /// A read-only transaction bound to no tenant, for tables no tenant owns (plans,
    /// operators): on SQLite it does not take the write lock.
    pub async fn system_read(&self) -> Result<Transaction<'static, sqlx::Any>, StoreError> {
        self.begin(true).await
    }

    /// A read-only transaction bound to one tenant. On SQLite it does not take the write
    /// lock, so reads run beside a writer; on Postgres the server refuses writes in it.
    pub async fn tenant_read(&self, tenant: TenantId) -> Result<TenantTx, StoreError> {
        self.bind_tenant(self.begin(true).await?, tenant).await
    }

    async fn bind_tenant(
        &self,
        mut tx: Transaction<'static, sqlx::Any>,
        tenant: TenantId,
    ) -> Result<TenantTx, StoreError> {
        if self.backend == Backend::Postgres {
            bind_tenant(&mut tx, tenant).await?;
        }
        Ok(TenantTx { tx, tenant })
    }

    /// Runs one write as `tenant` in a transaction shared with the other writes queued at
    /// the same moment (see `group_commit`): for the one write every execution makes.
    pub async fn tenant_execute_grouped(
        &self,
        tenant: TenantId,
        statement: Statement,
    ) -> Result<u64, StoreError> {
        // SQLite commits without fsync (WAL, synchronous=NORMAL): a batch saves little
        // there, and the hop through the writing task cost 2 ms of p99 at 10 concurrent
        // webhook calls (bench/webhook_load.sh). Postgres waits for a WAL flush per commit.
        if self.backend == Backend::Sqlite {
            return self.tenant_execute(tenant, statement.query()).await;
        }
        let group = self
            .group
            .get_or_init(|| GroupCommit::start(self.pool.clone(), self.backend));
        match group.execute(tenant, statement).await {
            Ok(result) => result,
            // The writer's runtime has ended (a test's, typically): write directly.
            Err(statement) => self.tenant_execute(tenant, statement.query()).await,
        }
    }

    /// Runs one statement as `tenant`: on Postgres in a transaction bound to the tenant; on
    /// SQLite by itself, as one statement is atomic there and BEGIN/COMMIT would cost two
    /// more trips to the database thread (this is the write every execution makes).
    /// Answers the number of rows affected.
    pub async fn tenant_execute<'q>(
        &self,
        tenant: TenantId,
        statement: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<u64, StoreError> {
        execute_as(&self.pool, self.backend, tenant, statement).await
    }

    /// Reads at most one row with one statement as `tenant`: on Postgres in a read-only
    /// transaction bound to the tenant; on SQLite by itself (one statement reads one
    /// consistent snapshot). For hot paths that need a single read.
    pub async fn tenant_fetch_optional<'q>(
        &self,
        tenant: TenantId,
        statement: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<Option<sqlx::any::AnyRow>, StoreError> {
        match self.backend {
            Backend::Sqlite => Ok(statement.fetch_optional(&self.pool).await?),
            Backend::Postgres => {
                let mut tx = self.tenant_read(tenant).await?;
                let row = statement.fetch_optional(&mut *tx).await?;
                tx.commit().await?;
                Ok(row)
            }
        }
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn begin(&self, read_only: bool) -> Result<Transaction<'static, sqlx::Any>, StoreError> {
        let statement = match (self.backend, read_only) {
            // Writers take SQLite's write lock up front: a deferred transaction that reads and
            // then writes fails with SQLITE_BUSY instead of waiting when another writer went
            // first.
            (Backend::Sqlite, false) => "BEGIN IMMEDIATE",
            (Backend::Sqlite, true) => "BEGIN DEFERRED",
            (Backend::Postgres, false) => "BEGIN",
            (Backend::Postgres, true) => "BEGIN READ ONLY",
        };
        Ok(self.pool.begin_with(statement).await?)
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Whether an idle SQLite connection may serve again. sqlx 0.8 leaves it inside its
/// transaction when the future beginning one with a custom statement (our
/// `BEGIN IMMEDIATE`) is dropped between the BEGIN and the `Transaction` it returns — a
/// caller that went away, a timeout —, so nothing rolls it back: the next `begin_with` on
/// it fails, and the open transaction holds SQLite's write lock. Such a connection is
/// closed instead (closing rolls back). Checked when a connection is taken, not when it is
/// given back: a transaction dropped without a commit (every read that ends by dropping
/// its transaction) is still rolling back then, and waiting for it cost 13 % of the
/// webhook path's throughput at one caller (bench/webhook_load.sh).
async fn left_outside_transaction(conn: &mut AnyConnection) -> Result<bool, sqlx::Error> {
    if !conn.is_in_transaction() {
        return Ok(true);
    }
    // A transaction dropped without a commit rolls back on the connection's own thread, in
    // order with its other commands: once a ping has come back, that has happened. (The
    // pool pings before this check already, `test_before_acquire`; this one only runs for a
    // connection that looks stuck.)
    conn.ping().await?;
    if conn.is_in_transaction() {
        tracing::warn!("a database connection came back inside a transaction; closing it");
        return Ok(false);
    }
    Ok(true)
}

fn connect_options(url: &str, backend: Backend) -> Result<AnyConnectOptions, StoreError> {
    if backend == Backend::Sqlite {
        create_sqlite_parent_dir(url);
    }
    let url = match backend {
        Backend::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
        _ => url.to_string(),
    };
    let mut opts =
        AnyConnectOptions::from_str(&url).map_err(|_| StoreError::UnsupportedUrl(redact(&url)))?;
    opts = opts.disable_statement_logging();
    Ok(opts)
}

fn create_sqlite_parent_dir(url: &str) {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    if let Some(parent) = std::path::Path::new(path).parent() {
        let _ = std::fs::create_dir_all(parent);
    }
}

/// A transaction whose statements are confined to one tenant. Commit it explicitly;
/// dropping it rolls back.
pub struct TenantTx {
    tx: Transaction<'static, sqlx::Any>,
    tenant: TenantId,
}

impl TenantTx {
    pub fn tenant(&self) -> TenantId {
        self.tenant
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        Ok(self.tx.commit().await?)
    }
}

impl Deref for TenantTx {
    type Target = AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl DerefMut for TenantTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_backends_and_hides_passwords() {
        assert_eq!(
            Backend::of_url("postgres://u:p@h/db").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::of_url("sqlite://data/agente.db").unwrap(),
            Backend::Sqlite
        );
        let err = Backend::of_url("mysql://root:hunter2@h/db")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("hunter2"), "{err}");
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
    }
}
