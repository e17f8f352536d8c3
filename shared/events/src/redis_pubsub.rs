//! The bus over Redis pub/sub: `PUBLISH <channel> <batch>` out, a subscription in. Redis
//! delivers a connection's messages in the order it published them, to every subscriber,
//! the publisher's own process included.

use crate::hub::Hub;
use crate::{BusError, Event, OUTBOX, drain, read_batch};
use futures::StreamExt;
use redis::AsyncCommands;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

pub(crate) async fn start(
    client: redis::Client,
    channel: String,
    hub: Arc<Hub>,
    stop: CancellationToken,
) -> Result<mpsc::Sender<Event>, BusError> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(&channel).await?;
    let publisher = redis::aio::ConnectionManager::new(client.clone()).await?;
    tokio::spawn(listen(client, pubsub, channel.clone(), hub, stop.clone()));
    let (tx, rx) = mpsc::channel(OUTBOX);
    tokio::spawn(publish(publisher, channel, rx, stop));
    Ok(tx)
}

async fn listen(
    client: redis::Client,
    first: redis::aio::PubSub,
    channel: String,
    hub: Arc<Hub>,
    stop: CancellationToken,
) {
    let mut subscription = Some(first);
    loop {
        let pubsub = match subscription.take() {
            Some(p) => p,
            None => match subscribe(&client, &channel).await {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(error = %e, "the event bus could not subscribe on Redis; retrying");
                    tokio::select! {
                        () = stop.cancelled() => return,
                        () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                    }
                }
            },
        };
        let mut messages = pubsub.into_on_message();
        loop {
            let message = tokio::select! {
                () = stop.cancelled() => return,
                m = messages.next() => m,
            };
            let Some(message) = message else { break };
            match message.get_payload::<String>() {
                Ok(payload) => read_batch(&payload)
                    .into_iter()
                    .for_each(|e| hub.deliver(e)),
                Err(e) => tracing::warn!(error = %e, "an unreadable message on the event bus"),
            }
        }
        tracing::warn!("the event bus lost its Redis subscription; resubscribing");
        hub.gap();
    }
}

async fn subscribe(
    client: &redis::Client,
    channel: &str,
) -> redis::RedisResult<redis::aio::PubSub> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(channel).await?;
    Ok(pubsub)
}

async fn publish(
    conn: redis::aio::ConnectionManager,
    channel: String,
    outbox: mpsc::Receiver<Event>,
    stop: CancellationToken,
) {
    drain(outbox, stop, "Redis", |batch| {
        // A clone shares the one connection.
        let (mut conn, channel) = (conn.clone(), channel.clone());
        async move {
            conn.publish::<_, _, i64>(&channel, batch)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
    })
    .await;
}
