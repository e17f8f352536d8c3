//! Helpers shared by the service tests: a tenant, a service over a test database.

use agente_auth::{AuthMethod, Principal};
use agente_core::{Role, SystemClock, TenantId};
use agente_engine::{Engine, NetworkPolicy};
use agente_store::testing::TestDb;
use agente_workflows::{ServiceLimits, WorkflowService};
use std::sync::Arc;
use std::time::Duration;

/// A new tenant and an editor acting in it.
pub async fn tenant(db: &agente_store::Db, name: &str) -> Principal {
    let id = TenantId::new();
    let mut tx = db.tenant_tx(id).await.unwrap();
    agente_store::sqlx::query("INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, 0)")
        .bind(id.to_string())
        .bind(name)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Principal {
        tenant_id: id,
        user_id: None,
        role: Role::Editor,
        method: AuthMethod::AccessToken,
    }
}

/// A service whose HTTP Request node may reach local test servers.
pub fn service(db: &TestDb) -> WorkflowService {
    service_with_clock(db, Arc::new(SystemClock))
}

/// The same, reading the time from `clock`.
pub fn service_with_clock(db: &TestDb, clock: Arc<dyn agente_core::Clock>) -> WorkflowService {
    WorkflowService::new(
        db.db.clone(),
        Engine::new(Default::default(), NetworkPolicy::with_private(true)),
        agente_core::SecretBox::from_bytes(&[9u8; 32]),
        clock,
        ServiceLimits::default(),
    )
}

/// Polls `check` every 20 ms for up to 5 s until it answers something.
pub async fn eventually<T, F, Fut>(mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..250 {
        if let Some(found) = check().await {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the condition did not come true within 5 s");
}

/// What a claimed job of the service asks, read as a worker reads it (tenant from the job,
/// typed payload).
pub fn call<P: agente_jobs::JobPayload>(job: &agente_jobs::Job) -> (TenantId, P) {
    let call = agente_jobs::JobCall::<P>::from_job(job.clone()).unwrap();
    (call.tenant().unwrap(), call.payload)
}

/// Runs a claimed `workflow.execute` job.
pub async fn run_queued(
    svc: &WorkflowService,
    job: &agente_jobs::Job,
) -> Result<Option<agente_workflows::ExecutionRecord>, agente_workflows::WorkflowServiceError> {
    let (tenant, p) = call::<agente_workflows::ExecuteJob>(job);
    svc.executions().run_queued(tenant, p.execution).await
}

/// Runs a claimed `workflow.resume` job.
pub async fn resume_due(
    svc: &WorkflowService,
    job: &agente_jobs::Job,
) -> Result<Option<agente_workflows::ExecutionRecord>, agente_workflows::WorkflowServiceError> {
    let (tenant, p) = call::<agente_workflows::ResumeJob>(job);
    svc.executions().resume_due(tenant, p.execution).await
}
