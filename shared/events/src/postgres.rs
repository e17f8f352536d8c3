//! The bus over Postgres: `NOTIFY agente_events, '<batch>'` out, `LISTEN agente_events` in.
//! Postgres delivers notifications in commit order to every listening session, the
//! sender's own included.

use crate::hub::Hub;
use crate::{BusError, Event, OUTBOX, drain, read_batch};
use sqlx::postgres::{PgListener, PgPoolOptions};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const CHANNEL: &str = "agente_events";

pub(crate) async fn start(
    url: &str,
    hub: Arc<Hub>,
    stop: CancellationToken,
) -> Result<mpsc::Sender<Event>, BusError> {
    // One connection listens, one sends; a database that cannot be reached fails fast.
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(Duration::from_secs(5))
        .connect(url)
        .await?;
    let mut listener = PgListener::connect_with(&pool).await?;
    listener.listen(CHANNEL).await?;
    tokio::spawn(listen(listener, hub, stop.clone()));
    let (tx, rx) = mpsc::channel(OUTBOX);
    tokio::spawn(publish(pool, rx, stop));
    Ok(tx)
}

async fn listen(mut listener: PgListener, hub: Arc<Hub>, stop: CancellationToken) {
    loop {
        let received = tokio::select! {
            () = stop.cancelled() => return,
            r = listener.try_recv() => r,
        };
        match received {
            Ok(Some(note)) => read_batch(note.payload())
                .into_iter()
                .for_each(|e| hub.deliver(e)),
            // The connection was lost; the next call reconnects (and listens again).
            Ok(None) => {
                tracing::warn!("the event bus lost its Postgres connection; reconnecting");
                hub.gap();
            }
            Err(e) => {
                tracing::warn!(error = %e, "the event bus could not listen on Postgres; retrying");
                hub.gap();
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

async fn publish(pool: sqlx::PgPool, outbox: mpsc::Receiver<Event>, stop: CancellationToken) {
    drain(outbox, stop, "Postgres", |batch| {
        let pool = pool.clone();
        async move {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(batch)
                .execute(&pool)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
    })
    .await;
}
