//! Outcomes (heartbeats, completions, failures) go to Redis in batches: one script call for
//! every outcome waiting, so a busy worker's outcomes cost one round trip, not one each,
//! while an idle worker's go at once (nothing waits for a timer).

use super::SCRIPTS;
use crate::QueueError;
use agente_core::Clock;
use redis::aio::ConnectionManager;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Most outcomes in one script call: keeps each call short for Redis's one thread.
const MAX_BATCH: usize = 256;

/// One outcome: `op` on job `id` held by `token`.
pub(super) struct Outcome {
    pub id: String,
    pub token: String,
    /// `beat`, `done`, `retry`, `dead` or `release`.
    pub op: &'static str,
    pub queue: String,
    /// Empty for a job without a tenant.
    pub tenant: String,
    pub history: bool,
    /// The new lease expiry (`beat`) or the retry time (`retry`).
    pub at: i64,
    pub error: String,
}

type Reply = oneshot::Sender<Result<bool, QueueError>>;

/// The sending side; the task that sends the batches ends when every sender is gone.
pub(super) struct Settler {
    tx: mpsc::UnboundedSender<(Outcome, Reply)>,
}

impl Settler {
    pub fn start(
        conn: ConnectionManager,
        prefix: String,
        clock: Arc<dyn Clock>,
        history_ttl_s: u64,
    ) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(rx, conn, prefix, clock, history_ttl_s));
        Self { tx }
    }

    /// Records `outcome`; `false` when the token no longer holds the job.
    pub async fn settle(&self, outcome: Outcome) -> Result<bool, QueueError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send((outcome, reply))
            .map_err(|_| gone("the outcome sender stopped"))?;
        answer
            .await
            .map_err(|_| gone("the outcome sender stopped"))?
    }
}

async fn run(
    mut rx: mpsc::UnboundedReceiver<(Outcome, Reply)>,
    mut conn: ConnectionManager,
    prefix: String,
    clock: Arc<dyn Clock>,
    history_ttl_s: u64,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let mut call = SCRIPTS.settle.prepare_invoke();
        call.arg(&prefix).arg(clock.now_ms()).arg(history_ttl_s);
        for (o, _) in &batch {
            call.arg(&o.id)
                .arg(&o.token)
                .arg(o.op)
                .arg(o.at)
                .arg(&o.error)
                .arg(&o.queue)
                .arg(&o.tenant)
                .arg(if o.history { "1" } else { "0" });
        }
        let answer: Result<Vec<i64>, redis::RedisError> = call.invoke_async(&mut conn).await;
        match answer {
            Ok(settled) => {
                for ((_, reply), n) in batch.into_iter().zip(settled) {
                    let _ = reply.send(Ok(n == 1));
                }
            }
            Err(e) => {
                let message = e.to_string();
                for (_, reply) in batch {
                    let _ = reply.send(Err(gone(&message)));
                }
            }
        }
    }
}

fn gone(message: &str) -> QueueError {
    QueueError::Redis(redis::RedisError::from((
        redis::ErrorKind::Io,
        "recording job outcomes failed",
        message.to_string(),
    )))
}
