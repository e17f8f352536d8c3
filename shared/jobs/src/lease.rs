//! Named leases in the database: at most one holder at a time, renewed by that holder
//! before it runs out, taken over by another once it has. The same SQL works on SQLite and
//! Postgres, so the scheduler needs neither advisory locks nor Redis to run once.

use crate::QueueError;
use crate::system_tx::execute_alone;
use agente_store::Db;
use agente_store::sqlx;

/// Takes or renews the lease `name` for `holder` until `until_ms`. `true` when `holder`
/// holds it now.
pub async fn acquire(
    db: &Db,
    name: &str,
    holder: &str,
    now_ms: i64,
    until_ms: i64,
) -> Result<bool, QueueError> {
    let take = sqlx::query(
        "INSERT INTO leases (name, holder, until) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until \
         WHERE leases.holder = excluded.holder OR leases.until < $4",
    )
    .bind(name)
    .bind(holder)
    .bind(until_ms)
    .bind(now_ms);
    Ok(execute_alone(db, take).await? == 1)
}

/// Gives the lease up (on shutdown), so another process need not wait for it to expire.
pub async fn release(db: &Db, name: &str, holder: &str) -> Result<(), QueueError> {
    let give_up = sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
        .bind(name)
        .bind(holder);
    execute_alone(db, give_up).await.map(drop)
}
