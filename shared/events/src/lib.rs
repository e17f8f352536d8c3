//! The event bus: live updates any process publishes and every web replica hears, so a
//! browser connected to any replica sees a run on any worker as it goes.
//!
//! - **In-process** (the embedded default): the hub is the bus.
//! - **Postgres** (`LISTEN/NOTIFY`) or **Redis** (pub/sub, preferred when `REDIS_URL` is set):
//!   a publisher task sends each event out; a listener task hears every process's events,
//!   its own included, and hands them to the hub. Events go out in batches (one NOTIFY or
//!   PUBLISH carries what queued meanwhile), in the order they were published.
//!
//! Publishing never waits and never fails the caller: live updates are news, the database
//! stays the record. What may have been missed (a transport reconnecting, a listener too
//! slow) reaches listeners as a `Delivery::Gap`, so they read afresh instead of showing a
//! stale state.

mod event;
mod hub;
mod postgres;
mod redis_pubsub;

pub use event::{Change, Event, MAX_EVENT_ERROR_CHARS};
pub use hub::{Delivery, RECENT_EVENTS};

use agente_core::{TenantId, WorkflowId};
use futures::Stream;
use hub::Hub;
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::{CancellationToken, DropGuard};

/// Events waiting to go out before new ones are dropped (with a warning).
const OUTBOX: usize = 10_000;
/// The most bytes one NOTIFY / PUBLISH carries (Postgres refuses payloads of 8,000 bytes).
const MAX_BATCH_BYTES: usize = 7_000;

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("the event bus could not reach Postgres: {0}")]
    Postgres(#[from] sqlx::Error),
    #[error("the event bus could not reach Redis: {0}")]
    Redis(#[from] redis::RedisError),
}

/// Which events a listener wants: its tenant's, for one workflow or all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Filter {
    pub tenant: TenantId,
    pub workflow: Option<WorkflowId>,
}

impl Filter {
    fn admits(&self, event: &Event) -> bool {
        event.tenant == self.tenant && self.workflow.is_none_or(|w| w == event.workflow_id)
    }
}

/// The bus. Cheap to clone; the transport's tasks stop when the last clone goes.
#[derive(Clone)]
pub struct EventBus {
    hub: Arc<Hub>,
    /// Where events go out; none in-process (they go straight to the hub).
    outbox: Option<mpsc::Sender<Event>>,
    transport: &'static str,
    _stop: Arc<DropGuard>,
}

impl std::fmt::Debug for EventBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventBus")
            .field("transport", &self.transport)
            .finish()
    }
}

impl EventBus {
    /// Events reach listeners of this process only (one process: the embedded default).
    pub fn in_process() -> Self {
        Self {
            hub: Arc::new(Hub::new()),
            outbox: None,
            transport: "in-process",
            _stop: Arc::new(CancellationToken::new().drop_guard()),
        }
    }

    /// Events travel through Postgres `LISTEN/NOTIFY` on the database at `url`. Fails when
    /// the first listening connection cannot be made; later losses are reconnected.
    pub async fn postgres(url: &str) -> Result<Self, BusError> {
        let (hub, stop) = (Arc::new(Hub::new()), CancellationToken::new());
        let outbox = postgres::start(url, hub.clone(), stop.clone()).await?;
        Ok(Self::remote(hub, outbox, "postgres", stop))
    }

    /// Events travel through Redis pub/sub on `channel`. Fails when the first subscription
    /// cannot be made; later losses are reconnected.
    pub async fn redis(client: redis::Client, channel: String) -> Result<Self, BusError> {
        let (hub, stop) = (Arc::new(Hub::new()), CancellationToken::new());
        let outbox = redis_pubsub::start(client, channel, hub.clone(), stop.clone()).await?;
        Ok(Self::remote(hub, outbox, "redis", stop))
    }

    fn remote(
        hub: Arc<Hub>,
        outbox: mpsc::Sender<Event>,
        transport: &'static str,
        stop: CancellationToken,
    ) -> Self {
        Self {
            hub,
            outbox: Some(outbox),
            transport,
            _stop: Arc::new(stop.drop_guard()),
        }
    }

    /// `in-process`, `postgres` or `redis`.
    pub fn transport(&self) -> &'static str {
        self.transport
    }

    /// Publishes a change of `workflow_id` (never waits; see the module's notes).
    pub fn publish(&self, tenant: TenantId, workflow_id: WorkflowId, change: Change) {
        let event = Event::new(tenant, workflow_id, change);
        match &self.outbox {
            None => self.hub.deliver(event),
            Some(outbox) => {
                if let Err(e) = outbox.try_send(event) {
                    tracing::warn!(error = %e, "an event was dropped: the bus's outbox is full or closed");
                }
            }
        }
    }

    /// What `filter` admits from after `last_seen` (an event id the listener saw), then
    /// live. When `last_seen` is no longer kept here, the stream begins with a `Gap`.
    pub fn subscribe(
        &self,
        filter: Filter,
        last_seen: Option<&str>,
    ) -> impl Stream<Item = Delivery> + Send + use<> {
        let start = self.hub.listen(last_seen);
        let replay: Vec<Delivery> = match start.replay {
            Some(events) => events
                .into_iter()
                .filter(|e| filter.admits(e))
                .map(Delivery::Event)
                .collect(),
            None => vec![Delivery::Gap],
        };
        let live = futures::stream::unfold(start.live, move |mut live| async move {
            loop {
                match live.recv().await {
                    Ok(Delivery::Event(e)) if !filter.admits(&e) => continue,
                    Ok(delivery) => return Some((delivery, live)),
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        return Some((Delivery::Gap, live));
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        });
        futures::StreamExt::chain(futures::stream::iter(replay), live)
    }
}

/// Sends what is published until `stop`, in batches: `send` carries one (a NOTIFY, a
/// PUBLISH). A batch that fails is logged and dropped; listeners see the gap by event id.
pub(crate) async fn drain<F, Fut>(
    mut outbox: mpsc::Receiver<Event>,
    stop: CancellationToken,
    transport: &'static str,
    mut send: F,
) where
    F: FnMut(String) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    loop {
        let first = tokio::select! {
            () = stop.cancelled() => return,
            e = outbox.recv() => match e { Some(e) => e, None => return },
        };
        for batch in batches(first, &mut outbox) {
            if let Err(error) = send(batch).await {
                tracing::warn!(%error, transport, "events could not be sent");
            }
        }
    }
}

/// Takes what queued in `outbox` after `first` into batches of at most `MAX_BATCH_BYTES`
/// (JSON arrays of events): what one NOTIFY / PUBLISH carries.
pub(crate) fn batches(first: Event, outbox: &mut mpsc::Receiver<Event>) -> Vec<String> {
    let mut out = Vec::new();
    let mut batch: Vec<String> = Vec::new();
    let mut size = 2;
    let mut next = Some(first);
    while let Some(event) = next.take() {
        let Ok(text) = serde_json::to_string(&event) else {
            continue;
        };
        if text.len() + 2 > MAX_BATCH_BYTES {
            tracing::warn!(
                bytes = text.len(),
                "an event too large for the bus was dropped"
            );
        } else {
            if size + text.len() + 1 > MAX_BATCH_BYTES {
                out.push(format!("[{}]", batch.join(",")));
                batch.clear();
                size = 2;
            }
            size += text.len() + 1;
            batch.push(text);
        }
        if out.len() < 16 {
            next = outbox.try_recv().ok();
        }
    }
    if !batch.is_empty() {
        out.push(format!("[{}]", batch.join(",")));
    }
    out
}

/// The events of one received batch; a payload that is not one is logged and skipped.
pub(crate) fn read_batch(payload: &str) -> Vec<Event> {
    serde_json::from_str(payload).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "a message on the event bus was not a batch of events");
        Vec::new()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    fn saved(version: i64) -> Change {
        Change::WorkflowSaved {
            version,
            by: "u".into(),
        }
    }

    async fn next(stream: &mut (impl Stream<Item = Delivery> + Unpin)) -> Delivery {
        tokio::time::timeout(std::time::Duration::from_secs(5), stream.next())
            .await
            .expect("a delivery in time")
            .expect("the stream goes on")
    }

    fn version(d: &Delivery) -> i64 {
        match d {
            Delivery::Event(e) => match e.change {
                Change::WorkflowSaved { version, .. } => version,
                _ => -1,
            },
            Delivery::Gap => -2,
        }
    }

    #[tokio::test]
    async fn a_listener_hears_only_its_tenant_and_workflow() {
        let bus = EventBus::in_process();
        let (tenant, other) = (TenantId::new(), TenantId::new());
        let (wf, wf2) = (WorkflowId::new(), WorkflowId::new());
        let mut mine = Box::pin(bus.subscribe(
            Filter {
                tenant,
                workflow: Some(wf),
            },
            None,
        ));
        bus.publish(other, wf, saved(1));
        bus.publish(tenant, wf2, saved(2));
        bus.publish(tenant, wf, saved(3));
        assert_eq!(version(&next(&mut mine).await), 3);
    }

    #[tokio::test]
    async fn a_listener_resumes_after_the_last_event_it_saw() {
        let bus = EventBus::in_process();
        let (tenant, wf) = (TenantId::new(), WorkflowId::new());
        let filter = Filter {
            tenant,
            workflow: None,
        };
        let mut first = Box::pin(bus.subscribe(filter, None));
        for v in 1..=3 {
            bus.publish(tenant, wf, saved(v));
        }
        let Delivery::Event(one) = next(&mut first).await else {
            panic!("an event");
        };
        drop(first);
        bus.publish(tenant, wf, saved(4));
        let mut resumed = Box::pin(bus.subscribe(filter, Some(&one.id)));
        let seen: Vec<i64> = [
            next(&mut resumed).await,
            next(&mut resumed).await,
            next(&mut resumed).await,
        ]
        .iter()
        .map(version)
        .collect();
        assert_eq!(seen, [2, 3, 4]);
        bus.publish(tenant, wf, saved(5));
        assert_eq!(version(&next(&mut resumed).await), 5);
    }

    #[tokio::test]
    async fn an_id_no_longer_kept_begins_with_a_gap() {
        let bus = EventBus::in_process();
        let filter = Filter {
            tenant: TenantId::new(),
            workflow: None,
        };
        let mut stream = Box::pin(bus.subscribe(filter, Some("0190-not-kept")));
        assert_eq!(next(&mut stream).await, Delivery::Gap);
    }

    #[tokio::test]
    async fn a_listener_that_falls_behind_is_told_so() {
        let bus = EventBus::in_process();
        let (tenant, wf) = (TenantId::new(), WorkflowId::new());
        let mut slow = Box::pin(bus.subscribe(
            Filter {
                tenant,
                workflow: None,
            },
            None,
        ));
        for v in 0..2_000 {
            bus.publish(tenant, wf, saved(v));
        }
        assert_eq!(next(&mut slow).await, Delivery::Gap);
    }

    #[test]
    fn batches_stay_under_the_payload_limit_and_keep_the_order() {
        let (tx, mut rx) = mpsc::channel(OUTBOX);
        let (tenant, wf) = (TenantId::new(), WorkflowId::new());
        for v in 1..100 {
            tx.try_send(Event::new(tenant, wf, saved(v))).unwrap();
        }
        let out = batches(Event::new(tenant, wf, saved(0)), &mut rx);
        assert!(out.len() > 1, "{} batches", out.len());
        assert!(out.iter().all(|b| b.len() <= MAX_BATCH_BYTES));
        let versions: Vec<i64> = out
            .iter()
            .flat_map(|b| read_batch(b))
            .map(|e| version(&Delivery::Event(Arc::new(e))))
            .collect();
        assert_eq!(versions, (0..100).collect::<Vec<_>>());
    }
}
