//! Group commit: one-statement writes that arrive together share one transaction.
//!
//! Every execution ends with one write (its record). Under load many end at once; written
//! one by one, each pays a commit (an fsync on Postgres) and, on SQLite, they fight over the
//! single write lock — the loser sleeps in SQLite's busy handler, which is where the tail
//! latency of a webhook came from. Here one task owns the writing: it takes whatever is
//! queued (up to `MAX_BATCH`), writes it in one transaction and answers each caller. If the
//! batch fails, each statement is retried alone so that one bad row cannot sink the others.

use crate::StoreError;
use crate::backend::Backend;
use crate::tenant_binding::{bind_tenant, execute_as};
use agente_core::TenantId;
use sqlx::AnyPool;
use sqlx::any::AnyArguments;
use tokio::sync::{mpsc, oneshot};

/// Statements written in one transaction at most.
const MAX_BATCH: usize = 128;

/// A value bound to a [`Statement`] placeholder.
#[derive(Clone, Debug)]
pub enum Arg {
    Text(Option<String>),
    Int(Option<i64>),
    Bytes(Vec<u8>),
}

impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(Some(v))
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(Some(v.to_string()))
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v)
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::Int(v)
    }
}
impl From<Vec<u8>> for Arg {
    fn from(v: Vec<u8>) -> Self {
        Arg::Bytes(v)
    }
}

/// One SQL statement with owned arguments, so it can wait in the writer's queue and be
/// run again alone if its batch fails.
#[derive(Clone, Debug)]
pub struct Statement {
    sql: &'static str,
    args: Vec<Arg>,
}

impl Statement {
    pub fn new(sql: &'static str) -> Self {
        Self {
            sql,
            args: Vec::new(),
        }
    }

    /// Binds the next `$n` placeholder.
    pub fn bind(mut self, arg: impl Into<Arg>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub(crate) fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, AnyArguments<'_>> {
        let mut q = sqlx::query(self.sql);
        for arg in &self.args {
            q = match arg {
                Arg::Text(v) => q.bind(v.as_deref()),
                Arg::Int(v) => q.bind(*v),
                Arg::Bytes(v) => q.bind(v.as_slice()),
            };
        }
        q
    }
}

struct Pending {
    tenant: TenantId,
    statement: Statement,
    done: oneshot::Sender<Result<u64, StoreError>>,
}

/// The queue in front of the writing task.
#[derive(Clone, Debug)]
pub(crate) struct GroupCommit {
    queue: mpsc::UnboundedSender<Pending>,
}

impl GroupCommit {
    /// Starts the writing task on the current Tokio runtime. It ends when every handle to
    /// the queue is gone.
    pub(crate) fn start(pool: AnyPool, backend: Backend) -> Self {
        let (queue, rx) = mpsc::unbounded_channel();
        tokio::spawn(write_loop(Writer { pool, backend }, rx));
        Self { queue }
    }

    /// Queues `statement` and waits until it is committed (or failed). Answers the rows
    /// affected, or the statement back when the writing task is gone (its runtime ended).
    pub(crate) async fn execute(
        &self,
        tenant: TenantId,
        statement: Statement,
    ) -> Result<Result<u64, StoreError>, Statement> {
        let (done, answer) = oneshot::channel();
        self.queue
            .send(Pending {
                tenant,
                statement,
                done,
            })
            .map_err(|unsent| unsent.0.statement)?;
        // A dropped answer means the task died mid-write: whether it committed is unknown.
        Ok(answer
            .await
            .unwrap_or(Err(StoreError::Database(sqlx::Error::WorkerCrashed))))
    }
}

struct Writer {
    pool: AnyPool,
    backend: Backend,
}

async fn write_loop(writer: Writer, mut rx: mpsc::UnboundedReceiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let outcome = if batch.len() == 1 {
            Err(())
        } else {
            writer.write_batch(&batch).await.map_err(|e| {
                tracing::warn!(error = %e, size = batch.len(), "a grouped write failed; writing its statements one by one");
            })
        };
        match outcome {
            Ok(counts) => {
                for (pending, count) in batch.drain(..).zip(counts) {
                    let _ = pending.done.send(Ok(count));
                }
            }
            Err(()) => {
                for pending in batch.drain(..) {
                    let result = writer.write_one(pending.tenant, &pending.statement).await;
                    let _ = pending.done.send(result);
                }
            }
        }
    }
}

impl Writer {
    async fn write_batch(&self, batch: &[Pending]) -> Result<Vec<u64>, StoreError> {
        let begin = match self.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        };
        let mut tx = self.pool.begin_with(begin).await?;
        let mut counts = Vec::with_capacity(batch.len());
        let mut bound_to = None;
        for pending in batch {
            if self.backend == Backend::Postgres && bound_to != Some(pending.tenant) {
                bind_tenant(&mut tx, pending.tenant).await?;
                bound_to = Some(pending.tenant);
            }
            counts.push(
                pending
                    .statement
                    .query()
                    .execute(&mut *tx)
                    .await?
                    .rows_affected(),
            );
        }
        tx.commit().await?;
        Ok(counts)
    }

    async fn write_one(&self, tenant: TenantId, statement: &Statement) -> Result<u64, StoreError> {
        execute_as(&self.pool, self.backend, tenant, statement.query()).await
    }
}
