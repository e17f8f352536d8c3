//! Workflow CRUD and activation.

use crate::WorkflowService;
use crate::error::WorkflowServiceError as E;
use crate::records::Page;
use agente_auth::{Action, Principal, Resource, check_permission};
use agente_core::WorkflowId;
use agente_events::Change;
use agente_store::sqlx::query;
use agente_store::{AnyConnection, AnyRow, Row, TenantTx};
use agente_workflow_model::validate::{Severity, validate};
use agente_workflow_model::{Field, Workflow};
use serde::Deserialize;

/// A workflow as stored for a tenant.
#[derive(Clone, Debug)]
pub struct StoredWorkflow {
    pub id: WorkflowId,
    pub workflow: Workflow,
    pub active: bool,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl StoredWorkflow {
    pub(crate) fn from_row(row: &AnyRow) -> Result<Self, E> {
        let definition: String = row.try_get("definition")?;
        let workflow = Workflow::from_json(&definition)
            .map_err(|e| agente_store::StoreError::Corrupt(e.to_string()))?;
        Ok(Self {
            id: row.try_get::<String, _>("id")?.parse().map_err(|_| {
                agente_store::StoreError::Corrupt("a workflow id is not one".into())
            })?,
            workflow,
            active: row.try_get::<Option<i64>, _>("active_at")?.is_some(),
            version: row.try_get("version")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

/// `GET /workflows` filters.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ListQuery {
    pub active: Option<bool>,
    pub name: Option<String>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

const COLUMNS: &str = "id, definition, active_at, version, created_at, updated_at";

impl WorkflowService {
    /// Parses and checks an incoming document: size, JSON shape, and the problems that make
    /// a workflow unusable even as a draft (no name, clashing node names, settings out of
    /// range).
    pub fn parse_document(&self, text: &str) -> Result<Vec<Workflow>, E> {
        if text.len() > self.limits.max_workflow_bytes {
            return Err(E::BadInput(format!(
                "the workflow is larger than {} bytes",
                self.limits.max_workflow_bytes
            )));
        }
        let workflows = Workflow::many_from_json(text).map_err(|e| E::BadInput(e.to_string()))?;
        for wf in &workflows {
            let blocking: Vec<_> = validate(wf, &|_| true)
                .into_iter()
                .filter(|i| {
                    matches!(
                        i.code,
                        "missing_name"
                            | "duplicate_node_name"
                            | "bad_node_name"
                            | "too_many_nodes"
                            | "bad_setting"
                    )
                })
                .collect();
            if !blocking.is_empty() {
                return Err(E::Invalid(blocking));
            }
        }
        Ok(workflows)
    }

    pub async fn list(&self, p: &Principal, q: &ListQuery) -> Result<Page<StoredWorkflow>, E> {
        check_permission(p, Resource::Workflows, Action::Read)?;
        let limit = q.limit.unwrap_or(100).clamp(1, 250) as i64;
        let mut tx = self.db.tenant_read(p.tenant_id).await?;
        let name = q
            .name
            .as_deref()
            .map(|n| format!("%{}%", agente_store::like_escape(&n.to_lowercase())));
        let active = q.active.map(i64::from).unwrap_or(-1);
        let rows = query(&format!(
            "SELECT {COLUMNS} FROM workflows WHERE tenant_id = $1 AND ($2 = '' OR id < $2) \
             AND ($3 = '' OR LOWER(name) LIKE $3 ESCAPE '\\') \
             AND ($4 = -1 OR ($4 = 1 AND active_at IS NOT NULL) OR ($4 = 0 AND active_at IS NULL)) \
             ORDER BY id DESC LIMIT $5"
        ))
        .bind(p.tenant_id.to_string())
        .bind(q.cursor.clone().unwrap_or_default())
        .bind(name.unwrap_or_default())
        .bind(active)
        .bind(limit + 1)
        .fetch_all(&mut *tx)
        .await?;
        let mut data = rows
            .iter()
            .map(StoredWorkflow::from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let next_cursor = (data.len() as i64 > limit).then(|| {
            data.truncate(limit as usize);
            data.last().map(|w| w.id.to_string()).unwrap_or_default()
        });
        Ok(Page { data, next_cursor })
    }

    pub async fn get(&self, p: &Principal, id: WorkflowId) -> Result<StoredWorkflow, E> {
        check_permission(p, Resource::Workflows, Action::Read)?;
        let mut tx = self.db.tenant_read(p.tenant_id).await?;
        load(&mut tx, p, id).await
    }

    /// Stores new workflows (one document may hold several); they start inactive.
    pub async fn create(&self, p: &Principal, text: &str) -> Result<Vec<StoredWorkflow>, E> {
        check_permission(p, Resource::Workflows, Action::Write)?;
        let workflows = self.parse_document(text)?;
        self.insert(p, workflows).await
    }

    /// Stores one new workflow; a document holding several is refused before anything is
    /// stored (n8n's `POST /workflows`, the editor's first save).
    pub async fn create_one(&self, p: &Principal, text: &str) -> Result<StoredWorkflow, E> {
        check_permission(p, Resource::Workflows, Action::Write)?;
        let workflow = self.parse_one(text)?;
        let mut stored = self.insert(p, vec![workflow]).await?;
        Ok(stored.remove(0))
    }

    /// The one workflow a document holds.
    pub(crate) fn parse_one(&self, text: &str) -> Result<Workflow, E> {
        let mut workflows = self.parse_document(text)?;
        if workflows.len() != 1 {
            return Err(E::BadInput(
                "send exactly one workflow (several are imported through /workflows/import)".into(),
            ));
        }
        Ok(workflows.remove(0))
    }

    async fn insert(
        &self,
        p: &Principal,
        workflows: Vec<Workflow>,
    ) -> Result<Vec<StoredWorkflow>, E> {
        let now = self.clock.now_ms();
        let mut tx = self.db.tenant_tx(p.tenant_id).await?;
        let mut stored = Vec::new();
        for mut workflow in workflows {
            workflow.id = Field::Absent;
            workflow.active = Field::Absent;
            let id = WorkflowId::new();
            query(
                "INSERT INTO workflows (id, tenant_id, name, definition, version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 1, $5, $5)",
            )
            .bind(id.to_string())
            .bind(p.tenant_id.to_string())
            .bind(workflow.name())
            .bind(workflow.to_value().to_string())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            crate::versions::keep(&mut tx, p, id, &workflow, 1, now).await?;
            stored.push(StoredWorkflow {
                id,
                workflow,
                active: false,
                version: 1,
                created_at: now,
                updated_at: now,
            });
        }
        tx.commit().await?;
        Ok(stored)
    }

    /// Replaces a workflow's document; an active workflow stays active only if still valid.
    /// With `expected_version`, only the document at that version is replaced (an editor's
    /// save): a newer one is a [`E::VersionConflict`] and nothing changes.
    pub async fn update(
        &self,
        p: &Principal,
        id: WorkflowId,
        text: &str,
        expected_version: Option<i64>,
    ) -> Result<StoredWorkflow, E> {
        check_permission(p, Resource::Workflows, Action::Write)?;
        let mut workflow = self.parse_one(text)?;
        workflow.id = Field::Absent;
        workflow.active = Field::Absent;
        let mut tx = self.db.tenant_tx(p.tenant_id).await?;
        let current = load(&mut tx, p, id).await?;
        if let Some(expected) = expected_version
            && expected != current.version
        {
            return Err(E::VersionConflict {
                expected,
                current: current.version,
            });
        }
        // The row is written first: its lock makes a second save of the same version wait
        // for this one and then find the version moved on (changing nothing), before
        // webhooks or schedules are touched.
        let now = self.clock.now_ms();
        let guard = if expected_version.is_some() {
            " AND version = $6"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE workflows SET name = $1, definition = $2, version = version + 1, updated_at = $3 \
             WHERE id = $4 AND tenant_id = $5{guard} RETURNING version"
        );
        let mut update = query(&sql)
            .bind(workflow.name())
            .bind(workflow.to_value().to_string())
            .bind(now)
            .bind(id.to_string())
            .bind(p.tenant_id.to_string());
        if let Some(expected) = expected_version {
            update = update.bind(expected);
        }
        let Some(row) = update.fetch_optional(&mut *tx).await? else {
            return Err(E::VersionConflict {
                expected: expected_version.unwrap_or(current.version),
                current: load(&mut tx, p, id).await?.version,
            });
        };
        let version: i64 = row.try_get("version")?;
        crate::versions::keep(&mut tx, p, id, &workflow, version, now).await?;
        if current.active {
            self.webhooks.register(&mut tx, p, id, &workflow).await?;
            self.schedules
                .register(&mut tx, p.tenant_id, id, &workflow)
                .await?;
        }
        let stored = self.commit_change(tx, p, id).await?;
        let by = p
            .user_id
            .map_or_else(|| "api-key".to_string(), |u| u.to_string());
        self.events.publish(
            p.tenant_id,
            id,
            Change::WorkflowSaved {
                version: stored.version,
                by,
            },
        );
        Ok(stored)
    }

    pub async fn delete(&self, p: &Principal, id: WorkflowId) -> Result<StoredWorkflow, E> {
        check_permission(p, Resource::Workflows, Action::Delete)?;
        let mut tx = self.db.tenant_tx(p.tenant_id).await?;
        let current = load(&mut tx, p, id).await?;
        self.schedules.remove(&mut tx, id).await?;
        query("DELETE FROM workflows WHERE id = $1 AND tenant_id = $2")
            .bind(id.to_string())
            .bind(p.tenant_id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.webhooks.changed();
        Ok(current)
    }

    /// Commits a change of workflow `id` and answers it as stored now; every cached
    /// webhook route ends (its workflow or activation may have changed).
    async fn commit_change(
        &self,
        mut tx: TenantTx,
        p: &Principal,
        id: WorkflowId,
    ) -> Result<StoredWorkflow, E> {
        let updated = load(&mut tx, p, id).await?;
        tx.commit().await?;
        self.webhooks.changed();
        Ok(updated)
    }

    /// Activates after full validation (including supported node types); registers webhooks.
    pub async fn activate(&self, p: &Principal, id: WorkflowId) -> Result<StoredWorkflow, E> {
        check_permission(p, Resource::Workflows, Action::Write)?;
        let mut tx = self.db.tenant_tx(p.tenant_id).await?;
        let current = load(&mut tx, p, id).await?;
        let errors: Vec<_> = validate(&current.workflow, &|n| self.engine.supports(n))
            .into_iter()
            .filter(|i| i.severity == Severity::Error)
            .collect();
        if !errors.is_empty() {
            return Err(E::Invalid(errors));
        }
        if !current.active {
            self.check_activation(&mut tx, p.tenant_id).await?;
        }
        self.webhooks
            .register(&mut tx, p, id, &current.workflow)
            .await?;
        // A schedule that cannot fire is refused here rather than silently never running.
        self.schedules
            .register(&mut tx, p.tenant_id, id, &current.workflow)
            .await?;
        query("UPDATE workflows SET active_at = $1 WHERE id = $2 AND tenant_id = $3")
            .bind(self.clock.now_ms())
            .bind(id.to_string())
            .bind(p.tenant_id.to_string())
            .execute(&mut *tx)
            .await?;
        let stored = self.commit_change(tx, p, id).await?;
        self.tell_activation(p, id, true);
        Ok(stored)
    }

    fn tell_activation(&self, p: &Principal, id: WorkflowId, active: bool) {
        self.events
            .publish(p.tenant_id, id, Change::WorkflowActivated { active });
    }

    pub async fn deactivate(&self, p: &Principal, id: WorkflowId) -> Result<StoredWorkflow, E> {
        check_permission(p, Resource::Workflows, Action::Write)?;
        let mut tx = self.db.tenant_tx(p.tenant_id).await?;
        load(&mut tx, p, id).await?;
        self.schedules.remove(&mut tx, id).await?;
        self.webhooks.unregister(&mut tx, id).await?;
        query("UPDATE workflows SET active_at = NULL WHERE id = $1 AND tenant_id = $2")
            .bind(id.to_string())
            .bind(p.tenant_id.to_string())
            .execute(&mut *tx)
            .await?;
        let stored = self.commit_change(tx, p, id).await?;
        self.tell_activation(p, id, false);
        Ok(stored)
    }
}

pub(crate) async fn load(
    conn: &mut AnyConnection,
    p: &Principal,
    id: WorkflowId,
) -> Result<StoredWorkflow, E> {
    let row = query(&format!(
        "SELECT {COLUMNS} FROM workflows WHERE id = $1 AND tenant_id = $2"
    ))
    .bind(id.to_string())
    .bind(p.tenant_id.to_string())
    .fetch_optional(conn)
    .await?
    .ok_or(E::NotFound("workflow"))?;
    StoredWorkflow::from_row(&row)
}
