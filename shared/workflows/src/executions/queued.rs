//! Queued executions: a run nobody waits for (a webhook that answers at once, a sub-workflow
//! its caller does not wait for) is recorded `new` with what it starts from, and its
//! `workflow.execute` job is enqueued in the same transaction; a worker claims and runs it
//! (`pending.rs`). Without a queue (a service used alone) such runs start in a task.

use super::Executions;
use crate::error::WorkflowServiceError as E;
use crate::executions::lifecycle::{self, Run};
use crate::executions::pending::PendingRun;
use crate::jobs::{ExecuteJob, execution_job};
use crate::records::{ExecutionRecord, WorkflowRef};
use agente_auth::Principal;
use agente_core::{ExecutionId, ExecutionStatus, TenantId};
use agente_engine::RunRequest;
use agente_workflow_model::Workflow;

impl Executions {
    /// Starts a run nobody waits for: queued for a worker when this service queues its
    /// background runs, else in a task of this process (failures to record are logged).
    pub(crate) async fn start_in_background(
        &self,
        p: &Principal,
        workflow_id: WorkflowRef,
        workflow: Workflow,
        request: RunRequest,
    ) -> Result<(), E> {
        self.admit_run(p.tenant_id, request.execution_id, request.mode)
            .await?;
        if self.queue_background_runs {
            return self
                .enqueue_execution(p, workflow_id, &workflow, &request)
                .await;
        }
        let service = self.clone();
        let principal = p.clone();
        tokio::spawn(async move {
            if let Err(e) = service
                .execute_and_record(&principal, workflow_id, &workflow, request)
                .await
            {
                tracing::error!(error = %e, workflow = %workflow_id, "a background execution could not be recorded");
            }
        });
        Ok(())
    }

    /// Records execution `request.execution_id` as queued (`new`) with its trigger and the
    /// workflow as it is now, and the job that runs it, in one transaction.
    async fn enqueue_execution(
        &self,
        p: &Principal,
        workflow_id: WorkflowRef,
        workflow: &Workflow,
        request: &RunRequest,
    ) -> Result<(), E> {
        let state =
            PendingRun::encode_queued(workflow, request, self.limits.max_execution_data_bytes)
                .map_err(E::BadInput)?;
        let id = request.execution_id;
        let run = Run {
            tenant: p.tenant_id,
            id,
            workflow: workflow_id,
            mode: request.mode,
            started_at: self.clock.now_ms(),
        };
        let mut tx = self.db.tenant_tx(p.tenant_id).await?;
        lifecycle::insert_queued(&mut tx, &run, state).await?;
        let job = execution_job(
            &ExecuteJob { execution: id },
            p.tenant_id,
            format!("execute:{id}"),
        );
        let staged = self
            .jobs
            .stage(&mut tx, job)
            .await
            .map_err(|e| E::Internal(e.to_string()))?;
        tx.commit().await?;
        self.jobs.publish(staged).await;
        self.sync_concurrency(p.tenant_id).await;
        Ok(())
    }

    /// Runs queued execution `id` (of a `workflow.execute` job), if nobody has yet. `None`
    /// when there is nothing to run.
    pub async fn run_queued(
        &self,
        tenant: TenantId,
        id: ExecutionId,
    ) -> Result<Option<ExecutionRecord>, E> {
        self.claim_and_run(tenant, id, ExecutionStatus::New, |_| true, None, Vec::new())
            .await
    }
}
