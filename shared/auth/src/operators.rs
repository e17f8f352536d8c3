//! Operators: the people who run the platform (edit plans, read the revenue report). Not a
//! tenant role: an operator is a member of some tenant who may also act on platform data.
//! The first account of a brand-new installation becomes one; after that only
//! `agente operator` grants and revokes.

use crate::{AuthError, Principal};
use agente_core::{Email, UserId};
use agente_store::sqlx::query;
use agente_store::{AnyConnection, Backend, Db, Row};

/// Refuses unless the caller is a member who is an operator (API keys never are).
pub async fn require_operator(db: &Db, p: &Principal) -> Result<(), AuthError> {
    let user = p.user()?;
    if is_operator(db, user).await? {
        Ok(())
    } else {
        Err(AuthError::forbidden(
            "only an operator of this platform may do this",
        ))
    }
}

async fn is_operator(db: &Db, user: UserId) -> Result<bool, AuthError> {
    // `operators` has no row-level security: any connection may read it.
    let mut tx = db.system_read().await?;
    let row = query("SELECT 1 AS one FROM operators WHERE user_id = $1")
        .bind(user.to_string())
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(row.is_some())
}

/// Makes `user` an operator when this is the installation's very first sign-up (inside
/// it). Never again afterwards, even once every operator is gone: a public sign-up must not
/// be able to take over the platform.
pub(crate) async fn grant_if_first(
    conn: &mut AnyConnection,
    backend: Backend,
    user: UserId,
    now_ms: i64,
) -> Result<bool, AuthError> {
    let granted = match backend {
        Backend::Postgres => query("SELECT agente_grant_first_operator($1, $2) AS granted")
            .bind(user.to_string())
            .bind(now_ms)
            .fetch_one(conn)
            .await?
            .try_get::<bool, _>("granted")?,
        Backend::Sqlite => {
            let first = query(
                "INSERT INTO installation_flags (name, set_at) VALUES ('first_account', $1) \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(now_ms)
            .execute(&mut *conn)
            .await?
            .rows_affected()
                == 1;
            if first {
                query("INSERT INTO operators (user_id, granted_at) VALUES ($1, $2)")
                    .bind(user.to_string())
                    .bind(now_ms)
                    .execute(&mut *conn)
                    .await?;
            }
            first
        }
    };
    Ok(granted)
}

/// Grants (or revokes) operator rights to the account with `email`: the CLI's
/// `agente operator grant|revoke`. `owner` is a connection as the database's owner
/// ([`Db::connect_owner`]): the application itself cannot write operator rights.
pub async fn set_operator(
    owner: &Db,
    email: &str,
    operator: bool,
    now_ms: i64,
) -> Result<(), AuthError> {
    let email = Email::parse(email).map_err(|e| AuthError::Validation(e.to_string()))?;
    let Some((user, _tenant)) = owner.find_login(email.as_str()).await? else {
        return Err(AuthError::NotFound("account"));
    };
    let mut tx = owner.system_tx().await?;
    let statement = if operator {
        query(
            "INSERT INTO operators (user_id, granted_at) VALUES ($1, $2) \
             ON CONFLICT (user_id) DO NOTHING",
        )
        .bind(user.to_string())
        .bind(now_ms)
    } else {
        query("DELETE FROM operators WHERE user_id = $1").bind(user.to_string())
    };
    statement.execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}
