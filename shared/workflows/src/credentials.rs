//! Credentials: API keys and passwords a tenant's workflows use, sealed with the master key
//! and bound to tenant and credential id. No API returns them in clear; the engine receives
//! the ones a workflow references, for the duration of a run.

use crate::error::WorkflowServiceError as E;
use agente_auth::{Action, Principal, Resource, check_permission};
use agente_core::{Clock, CredentialId, SecretBox, TenantId};
use agente_store::sqlx::{self, FromRow, query};
use agente_store::{AnyConnection, Db, Row};
use agente_workflow_model::Workflow;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// `POST /credentials`.
#[derive(Clone, Debug, Deserialize)]
pub struct NewCredential {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: serde_json::Map<String, Value>,
}

/// A credential as listed: never its data.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CredentialInfo {
    #[sqlx(try_from = "String")]
    pub id: CredentialId,
    pub name: String,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub created_at: i64,
    pub updated_at: i64,
}

fn context(tenant: TenantId, id: &str) -> String {
    format!("credential/{tenant}/{id}")
}

const MAX_DATA_BYTES: usize = 64 * 1024;

/// A tenant's credential `id`, opened for a use on the server (the AI service calling a
/// provider with the tenant's own key): its type and data. No API returns it.
pub async fn open_credential(
    conn: &mut AnyConnection,
    secrets: &agente_core::SecretBox,
    tenant: TenantId,
    id: &str,
) -> Result<(String, Value), E> {
    let row = query("SELECT type, data FROM credentials WHERE id = $1 AND tenant_id = $2")
        .bind(id)
        .bind(tenant.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(E::NotFound("credential"))?;
    let sealed: String = row.try_get("data")?;
    let plain = secrets
        .open(&sealed, &context(tenant, id))
        .map_err(|e| agente_store::StoreError::Corrupt(format!("credential {id}: {e}")))?;
    let data = serde_json::from_slice(&plain)
        .map_err(|e| agente_store::StoreError::Corrupt(e.to_string()))?;
    Ok((row.try_get("type")?, data))
}

/// A tenant's credentials: created, listed and deleted through the API, opened only for
/// a run (`for_workflow`).
#[derive(Clone)]
pub struct Credentials {
    db: Db,
    secrets: SecretBox,
    clock: Arc<dyn Clock>,
}

impl Credentials {
    pub(crate) fn new(db: Db, secrets: SecretBox, clock: Arc<dyn Clock>) -> Self {
        Self { db, secrets, clock }
    }

    pub async fn create(&self, p: &Principal, input: NewCredential) -> Result<CredentialInfo, E> {
        check_permission(p, Resource::Credentials, Action::Write)?;
        let name = input.name.trim();
        if name.is_empty()
            || name.chars().count() > 128
            || input.kind.trim().is_empty()
            || input.kind.len() > 128
        {
            return Err(E::BadInput(
                "a credential needs a name and a type of 1 to 128 characters".into(),
            ));
        }
        let plain = Value::Object(input.data).to_string();
        if plain.len() > MAX_DATA_BYTES {
            return Err(E::BadInput(format!(
                "credential data is limited to {MAX_DATA_BYTES} bytes"
            )));
        }
        let id = CredentialId::new();
        let sealed = self
            .secrets
            .seal(plain.as_bytes(), &context(p.tenant_id, &id.to_string()));
        let now = self.clock.now_ms();
        let mut tx = self.db.tenant_tx(p.tenant_id).await?;
        query("INSERT INTO credentials (id, tenant_id, name, type, data, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)")
            .bind(id.to_string())
            .bind(p.tenant_id.to_string())
            .bind(name)
            .bind(input.kind.trim())
            .bind(sealed)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(CredentialInfo {
            id,
            name: name.into(),
            kind: input.kind.trim().into(),
            created_at: now,
            updated_at: now,
        })
    }

    pub async fn list(&self, p: &Principal) -> Result<Vec<CredentialInfo>, E> {
        check_permission(p, Resource::Credentials, Action::Read)?;
        let mut tx = self.db.tenant_read(p.tenant_id).await?;
        let rows = query("SELECT id, name, type, created_at, updated_at FROM credentials WHERE tenant_id = $1 ORDER BY name")
            .bind(p.tenant_id.to_string())
            .fetch_all(&mut *tx)
            .await?;
        Ok(rows
            .iter()
            .map(CredentialInfo::from_row)
            .collect::<Result<_, _>>()?)
    }

    pub async fn delete(&self, p: &Principal, id: CredentialId) -> Result<CredentialInfo, E> {
        check_permission(p, Resource::Credentials, Action::Delete)?;
        let mut tx = self.db.tenant_tx(p.tenant_id).await?;
        let row = query("SELECT id, name, type, created_at, updated_at FROM credentials WHERE id = $1 AND tenant_id = $2")
            .bind(id.to_string())
            .bind(p.tenant_id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(E::NotFound("credential"))?;
        query("DELETE FROM credentials WHERE id = $1 AND tenant_id = $2")
            .bind(id.to_string())
            .bind(p.tenant_id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(CredentialInfo::from_row(&row)?)
    }

    /// Whether any node of `workflow` references a credential.
    pub(crate) fn used_by(workflow: &Workflow) -> bool {
        workflow
            .nodes()
            .iter()
            .any(|n| n.credentials.get().is_some_and(|c| !c.is_empty()))
    }

    /// The decrypted data of every credential `workflow` references (by id, else by name),
    /// keyed by the credential's id and by its name.
    pub(crate) async fn for_workflow(
        &self,
        conn: &mut AnyConnection,
        tenant: TenantId,
        workflow: &Workflow,
    ) -> Result<HashMap<String, Value>, E> {
        let wanted: Vec<(Option<String>, Option<String>)> = workflow
            .nodes()
            .iter()
            .filter_map(|n| n.credentials.get())
            .flat_map(|c| {
                c.values()
                    .map(|r| (r.id.get().cloned(), r.name.get().cloned()))
            })
            .collect();
        if wanted.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = query("SELECT id, name, data FROM credentials WHERE tenant_id = $1")
            .bind(tenant.to_string())
            .fetch_all(conn)
            .await?;
        let mut out = HashMap::new();
        for row in rows {
            let (id, name): (String, String) = (row.try_get("id")?, row.try_get("name")?);
            if !wanted
                .iter()
                .any(|(wid, wname)| wid.as_deref() == Some(&id) || wname.as_deref() == Some(&name))
            {
                continue;
            }
            let sealed: String = row.try_get("data")?;
            let plain = self
                .secrets
                .open(&sealed, &context(tenant, &id))
                .map_err(|e| agente_store::StoreError::Corrupt(format!("credential {id}: {e}")))?;
            let data: Value = serde_json::from_slice(&plain)
                .map_err(|e| agente_store::StoreError::Corrupt(e.to_string()))?;
            out.insert(name, data.clone());
            out.insert(id, data);
        }
        Ok(out)
    }
}
