//! Version history as members use it: list a workflow's kept versions, open one, compare
//! two, and restore one — a restore is a save of the old document as a new version, so it is
//! itself in the history and undone the same way.

use crate::WorkflowService;
use crate::error::WorkflowServiceError as E;
use crate::store::{StoredWorkflow, load};
use crate::versions::{self, VersionInfo};
use agente_auth::{Action, Principal, Resource, check_permission};
use agente_core::WorkflowId;
use agente_workflow_model::Workflow;
use agente_workflow_model::diff::{Changes, compare};

impl WorkflowService {
    /// The kept versions of workflow `id`, newest first.
    pub async fn versions(&self, p: &Principal, id: WorkflowId) -> Result<Vec<VersionInfo>, E> {
        check_permission(p, Resource::Workflows, Action::Read)?;
        let mut tx = self.db.tenant_read(p.tenant_id).await?;
        load(&mut tx, p, id).await?;
        versions::list(&mut tx, p, id).await
    }

    /// Version `version` of workflow `id`, with its document.
    pub async fn version(
        &self,
        p: &Principal,
        id: WorkflowId,
        version: i64,
    ) -> Result<(VersionInfo, Workflow), E> {
        check_permission(p, Resource::Workflows, Action::Read)?;
        let mut tx = self.db.tenant_read(p.tenant_id).await?;
        versions::one(&mut tx, p, id, version).await
    }

    /// What changed from version `from` to version `to` of workflow `id`.
    pub async fn compare_versions(
        &self,
        p: &Principal,
        id: WorkflowId,
        from: i64,
        to: i64,
    ) -> Result<Changes, E> {
        let (_, old) = self.version(p, id, from).await?;
        let (_, new) = self.version(p, id, to).await?;
        Ok(compare(&old, &new))
    }

    /// Saves version `version`'s document as the newest version (if the workflow is still
    /// at `expected_version`, when given).
    pub async fn restore_version(
        &self,
        p: &Principal,
        id: WorkflowId,
        version: i64,
        expected_version: Option<i64>,
    ) -> Result<StoredWorkflow, E> {
        check_permission(p, Resource::Workflows, Action::Write)?;
        let (_, workflow) = self.version(p, id, version).await?;
        self.update(p, id, &workflow.to_value().to_string(), expected_version)
            .await
    }
}
