//! The service's background jobs: the payload of each job type, the one way each is
//! enqueued, and how a worker runs it (`job_handlers`). Every job names its tenant on the
//! job itself; payloads carry ids only (the database holds what a run starts from).

use crate::WorkflowService;
use crate::error::WorkflowServiceError as E;
use crate::records::ExecutionRecord;
use agente_core::{ExecutionId, TenantId, WorkflowId};
use agente_engine::BoxFuture;
use agente_jobs::{Handlers, JobCall, JobError, JobPayload, NewJob, RetryPolicy};
use serde::{Deserialize, Serialize};
use std::future::Future;
use tokio_util::sync::CancellationToken;

/// Runs a queued execution (`queued.rs`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExecuteJob {
    pub execution: ExecutionId,
}

impl JobPayload for ExecuteJob {
    const KIND: &'static str = "workflow.execute";
}

/// Resumes a waiting execution when its time comes (`waiting.rs`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ResumeJob {
    pub execution: ExecutionId,
}

impl JobPayload for ResumeJob {
    const KIND: &'static str = "workflow.resume";
}

/// One firing of a schedule trigger (`scheduled.rs`); the scheduler adds the firing's
/// planned instant.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleJob {
    pub workflow: WorkflowId,
    /// The trigger node's name.
    pub node: String,
    /// When the firing was due (Unix ms); the time of the run when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_at: Option<i64>,
}

impl JobPayload for ScheduleJob {
    const KIND: &'static str = "workflow.schedule";
}

/// The job that starts or resumes execution `id` of `tenant`; `key` makes each enqueue of
/// one purpose run once.
pub(crate) fn execution_job<P: JobPayload>(payload: &P, tenant: TenantId, key: String) -> NewJob {
    tenant_job(payload, tenant).idempotency_key(key)
}

/// A job of `tenant` carrying `payload`. Handlers read the tenant from the job; it is also
/// written into the payload for workers of the release before, which read it there, so a
/// rolling deploy (or a rollback) does not send their jobs to the dead letters. Nothing
/// reads it back; it can go once no such worker is left.
pub(crate) fn tenant_job<P: JobPayload>(payload: &P, tenant: TenantId) -> NewJob {
    let mut job = NewJob::of(payload).tenant(tenant);
    if let Some(fields) = job.payload.as_object_mut() {
        fields.insert("tenant".into(), tenant.to_string().into());
    }
    job
}

/// What a worker runs for each of the service's job types.
pub fn job_handlers(service: &WorkflowService) -> Handlers {
    Handlers::new()
        .register(
            RetryPolicy::default(),
            acting(service, |s, tenant, job: ExecuteJob| async move {
                s.executions().run_queued(tenant, job.execution).await
            }),
        )
        .register(
            RetryPolicy::default(),
            acting(service, |s, tenant, job: ResumeJob| async move {
                s.executions().resume_due(tenant, job.execution).await
            }),
        )
        .register(
            RetryPolicy::default(),
            acting(service, |s, tenant, job: ScheduleJob| async move {
                s.run_scheduled(tenant, &job).await
            }),
        )
}

/// A handler that runs `work` for the job's tenant (a job without one is fatal) and
/// decides what its outcome means for the queue.
fn acting<P, F, Fut>(
    service: &WorkflowService,
    work: F,
) -> impl Fn(JobCall<P>) -> BoxFuture<'static, Result<(), JobError>> + Send + Sync + 'static
where
    P: JobPayload,
    F: Fn(WorkflowService, TenantId, P) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Option<ExecutionRecord>, E>> + Send + 'static,
{
    let service = service.clone();
    move |call: JobCall<P>| {
        let run = call
            .tenant()
            .map(|tenant| work(service.clone(), tenant, call.payload));
        Box::pin(async move { decide(run?.await) })
    }
}

/// A job that ran a workflow succeeded even when the execution failed (that is recorded
/// with the execution); bad input will be bad again, anything else may pass next time.
fn decide(result: Result<Option<ExecutionRecord>, E>) -> Result<(), JobError> {
    match result {
        Ok(_) => Ok(()),
        Err(e @ E::BadInput(_)) => Err(JobError::Fatal(e.to_string())),
        Err(e) => Err(JobError::Retry(e.to_string())),
    }
}

impl WorkflowService {
    /// Sets stalled executions going again every `reap_every` until `shutdown`: any worker
    /// process may, the row updates make each recovery happen once.
    pub async fn reap_until(self, shutdown: CancellationToken) {
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(self.executions.reap_every()) => {}
            }
            match self.executions.reap(false).await {
                Ok(0) => {}
                Ok(n) => tracing::warn!(
                    recovered = n,
                    "stalled executions were queued again or failed"
                ),
                Err(e) => tracing::warn!(error = %e, "looking for stalled executions failed"),
            }
        }
    }
}
