//! Throw-away databases for tests: a fresh SQLite file or a fresh Postgres database per test,
//! migrated and ready. Postgres is reached through `AGENTE_TEST_POSTGRES_URL` (default: the
//! local server as user `postgres`); tests that need it fail loudly when it is absent.
#![allow(clippy::unwrap_used)] // test support: a panic fails the test that uses it

use crate::{AppLogin, Db, DbOptions, StoreError};

/// The password test databases give the application's role. One for every test: the role is
/// the cluster's, shared by every test database at once.
pub const TEST_APP_PASSWORD: &str = "agente-app-test-password";

/// Where the admin connection for creating test databases points.
pub fn postgres_admin_url() -> String {
    std::env::var("AGENTE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// A migrated database that lives as long as the test.
pub struct TestDb {
    pub db: Db,
    /// The URL with the database's owner (for raw SQL in isolation tests).
    pub url: String,
    /// The URL the application logs in with (Postgres: as `agente_app`).
    pub app_url: String,
    _dir: Option<TempDir>,
}

impl TestDb {
    pub async fn sqlite() -> Result<Self, StoreError> {
        let dir = TempDir::new();
        let url = format!("sqlite://{}/agente.db", dir.0.display());
        let db = Db::open(&url, &DbOptions::default()).await?;
        Ok(Self {
            db,
            app_url: url.clone(),
            url,
            _dir: Some(dir),
        })
    }

    pub async fn postgres() -> Result<Self, StoreError> {
        use sqlx::{Connection, Executor};
        sqlx::any::install_default_drivers();
        let admin = postgres_admin_url();
        let name = format!("agente_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::AnyConnection::connect(&admin).await?;
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await?;
        conn.close().await?;
        let (base, _) = admin.rsplit_once('/').expect("admin URL names a database");
        let url = format!("{base}/{name}");
        let db = Db::open(&url, &Self::options()).await?;
        let mut app_url = url::Url::parse(&url).expect("the test URL parses");
        let _ = app_url.set_username(crate::APP_ROLE);
        let _ = app_url.set_password(Some(TEST_APP_PASSWORD));
        Ok(Self {
            db,
            app_url: app_url.into(),
            url,
            _dir: None,
        })
    }

    /// The pool settings of test databases (a fixed password for the application's role).
    pub fn options() -> DbOptions {
        DbOptions {
            max_connections: 4,
            app_login: Some(AppLogin::Password(TEST_APP_PASSWORD.into())),
            ..DbOptions::default()
        }
    }
}

/// The backends a test runs on: the embedded one, and the production one (Postgres, with
/// Redis where the code under test uses it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// A fresh migrated database of this backend.
    pub async fn db(self) -> TestDb {
        match self {
            Backend::Sqlite => TestDb::sqlite().await,
            Backend::Postgres => TestDb::postgres().await,
        }
        .expect("a test database (is Postgres running?)")
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Makes two tests of `async fn name(backend: Backend)`: `name::sqlite` and
/// `name::postgres`, so a failure on one backend never hides the other's result. An optional
/// second argument is passed to `#[tokio::test(…)]`.
///
/// ```ignore
/// backend_tests!(rows_stay_with_their_tenant);
/// async fn rows_stay_with_their_tenant(backend: Backend) {
///     let db = backend.db().await;
///     // …
/// }
/// ```
#[macro_export]
macro_rules! backend_tests {
    ($name:ident) => {
        $crate::backend_tests!($name, crate = "tokio");
    };
    ($name:ident, $($tokio_args:tt)*) => {
        mod $name {
            #[tokio::test($($tokio_args)*)]
            async fn sqlite() {
                super::$name($crate::testing::Backend::Sqlite).await
            }
            #[tokio::test($($tokio_args)*)]
            async fn postgres() {
                super::$name($crate::testing::Backend::Postgres).await
            }
        }
    };
}

/// A temporary directory removed on drop (kept small to avoid a dependency).
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new() -> Self {
        let path =
            std::env::temp_dir().join(format!("agente-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).expect("temp dir is writable");
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
