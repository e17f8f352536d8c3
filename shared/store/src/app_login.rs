//! On Postgres the application logs in as `agente_app`, a role that owns nothing, is no
//! superuser and cannot bypass row-level security — not as the tables' owner switching
//! roles (`SET ROLE` can be undone with `RESET ROLE` by anything that runs SQL on the
//! connection; a login role cannot be left). The owner (the `DATABASE_URL` user) only
//! migrates, and gives the role its login: either the operator's own URL for it
//! (`AGENTE_APP_DATABASE_URL`) or a password the deployment derives from its master key.

use crate::StoreError;
use crate::backend::redact;
use sqlx::{AnyConnection, Connection, Executor, Row};

/// The role the application acts as on Postgres; row-level security applies to it.
pub const APP_ROLE: &str = "agente_app";

/// How the application logs in to Postgres.
#[derive(Clone)]
pub enum AppLogin {
    /// The operator's URL for the application's role (prepared by the operator).
    Url(String),
    /// `agente_app` on the owner's server and database with this password, which the
    /// owner sets on the role at start.
    Password(String),
}

impl std::fmt::Debug for AppLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppLogin::Url(url) => write!(f, "AppLogin::Url({})", redact(url)),
            AppLogin::Password(_) => f.write_str("AppLogin::Password(***)"),
        }
    }
}

impl AppLogin {
    /// The URL the application's pool connects with; with a password, the owner first
    /// gives the role that password and the right to log in (unless it logs in already).
    pub(crate) async fn prepare(&self, owner_url: &str) -> Result<String, StoreError> {
        let password = match self {
            AppLogin::Url(url) => return Ok(url.clone()),
            AppLogin::Password(password) => password,
        };
        if password.len() < 16 {
            return Err(StoreError::Config(
                "the application's database password is too short".into(),
            ));
        }
        let app_url = with_user(owner_url, APP_ROLE, password)?;
        if AnyConnection::connect(&app_url).await.is_ok() {
            return Ok(app_url);
        }
        let mut owner = AnyConnection::connect(owner_url).await?;
        // Roles take no bind parameters: the password is quoted as a literal.
        let statement = format!(
            "ALTER ROLE {APP_ROLE} WITH LOGIN PASSWORD '{}'",
            password.replace('\'', "''")
        );
        // The role is the cluster's: processes starting at once may race to change it
        // ("tuple concurrently updated"); the change is the same, so try again.
        let mut tries = 0;
        loop {
            tries += 1;
            match owner.execute(statement.as_str()).await {
                Ok(_) => break,
                Err(_) if tries < 5 => {
                    tokio::time::sleep(std::time::Duration::from_millis(50 * tries)).await;
                }
                Err(e) => {
                    return Err(StoreError::Config(format!(
                        "the database owner cannot give {APP_ROLE} its login ({e}); \
                         create the login yourself and set AGENTE_APP_DATABASE_URL"
                    )));
                }
            }
        }
        owner.close().await?;
        Ok(app_url)
    }
}

/// `url` with another user and password.
fn with_user(url: &str, user: &str, password: &str) -> Result<String, StoreError> {
    let mut parsed = url::Url::parse(url).map_err(|_| StoreError::UnsupportedUrl(redact(url)))?;
    parsed
        .set_username(user)
        .and_then(|()| parsed.set_password(Some(password)))
        .map_err(|()| StoreError::UnsupportedUrl(redact(url)))?;
    Ok(parsed.into())
}

/// Refuses a login that could see past row-level security: a superuser, a role with
/// BYPASSRLS, or the owner of the tables.
pub(crate) async fn check_is_confined(conn: &mut AnyConnection) -> Result<(), StoreError> {
    let row = sqlx::query(
        "SELECT r.rolsuper AS superuser, r.rolbypassrls AS bypass, \
         (SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user) AS owned \
         FROM pg_roles r WHERE r.rolname = current_user",
    )
    .fetch_one(&mut *conn)
    .await?;
    let superuser: bool = row.try_get("superuser")?;
    let bypass: bool = row.try_get("bypass")?;
    let owned: i64 = row.try_get("owned")?;
    if superuser || bypass || owned > 0 {
        return Err(StoreError::Config(
            "the application's database login must not be a superuser, bypass row-level \
             security or own the tables (use the agente_app role)"
                .into(),
        ));
    }
    Ok(())
}

/// Refuses an owner whose lookup functions would see nothing: they read across tenants, and
/// row-level security is forced on the owner too unless it bypasses it.
pub(crate) async fn check_owner_bypasses(conn: &mut AnyConnection) -> Result<(), StoreError> {
    let row = sqlx::query(
        "SELECT rolsuper OR rolbypassrls AS bypass FROM pg_roles WHERE rolname = current_user",
    )
    .fetch_one(&mut *conn)
    .await?;
    if !row.try_get::<bool, _>("bypass")? {
        return Err(StoreError::Config(
            "the role that migrates (DATABASE_URL's user) must be a superuser or have \
             BYPASSRLS: the lookups it owns read across tenants"
                .into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_url_keeps_the_server_and_database() {
        assert_eq!(
            with_user(
                "postgres://postgres@db.internal:5432/agente?sslmode=require",
                "agente_app",
                "p@ss/word"
            )
            .unwrap(),
            "postgres://agente_app:p%40ss%2Fword@db.internal:5432/agente?sslmode=require"
        );
        assert!(!format!("{:?}", AppLogin::Password("secret".into())).contains("secret"));
    }
}
