//! Plans in the database: the built-in ones written once, the operator's edits kept.

use super::{Billing, BillingError as E};
use crate::plan::{Plan, built_in};
use agente_auth::{Principal, require_operator};
use agente_core::UserId;
use agente_store::sqlx::query;
use agente_store::{AnyConnection, Backend, Row};

impl Billing {
    /// Writes the built-in plans that are missing (an operator's edits stay). Called on
    /// start.
    pub async fn ensure_built_in_plans(&self) -> Result<(), E> {
        let mut tx = self.inner.db.system_tx().await?;
        let backend = self.inner.db.backend();
        for plan in built_in() {
            write_plan(&mut tx, backend, None, &plan, self.now_ms()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every plan, cheapest first; archived ones only when `all`.
    pub async fn plans(&self, all: bool) -> Result<Vec<Plan>, E> {
        let mut tx = self.inner.db.system_read().await?;
        let rows = query("SELECT spec FROM plans ORDER BY position, id")
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut plans = Vec::with_capacity(rows.len());
        for row in rows {
            let plan = parse(&row.try_get::<String, _>("spec")?)?;
            if all || plan.available {
                plans.push(plan);
            }
        }
        Ok(plans)
    }

    /// Every plan, archived ones too: operators only (they edit them).
    pub async fn all_plans(&self, p: &Principal) -> Result<Vec<Plan>, E> {
        require_operator(&self.inner.db, p).await?;
        self.plans(true).await
    }

    /// Creates or replaces a plan: operators only. Tenants on it get the new limits within
    /// the cache's lifetime.
    pub async fn save_plan(&self, p: &Principal, plan: Plan) -> Result<Plan, E> {
        require_operator(&self.inner.db, p).await?;
        plan.validate().map_err(E::BadInput)?;
        let mut tx = self.inner.db.system_tx().await?;
        let backend = self.inner.db.backend();
        write_plan(&mut tx, backend, Some(p.user()?), &plan, self.now_ms()).await?;
        tx.commit().await?;
        self.forget_all();
        tracing::info!(plan = %plan.id, "plan saved");
        Ok(plan)
    }
}

impl Billing {
    /// Deletes finished executions older than the retention of each tenant's plan.
    pub async fn prune_executions_by_plan(&self) -> Result<u64, E> {
        Ok(self
            .inner
            .db
            .prune_executions_by_plan(self.now_ms(), &self.inner.options.default_plan)
            .await?)
    }
}

/// Writes `plan`: replaces the stored one when an operator (`actor`) saves it, else adds
/// it only when missing. On Postgres through `agente_write_plan`, which checks the operator
/// itself: the application role cannot write plans directly.
async fn write_plan(
    conn: &mut AnyConnection,
    backend: Backend,
    actor: Option<UserId>,
    plan: &Plan,
    now_ms: i64,
) -> Result<(), E> {
    let replace = actor.is_some();
    let sql = match (backend, replace) {
        (Backend::Postgres, _) => "SELECT agente_write_plan($6, $1, $2, $3, $4, $5, $7)",
        (Backend::Sqlite, true) => {
            "INSERT INTO plans (id, position, retention_days, spec, updated_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (id) DO UPDATE SET position = excluded.position, \
             retention_days = excluded.retention_days, spec = excluded.spec, \
             updated_at = excluded.updated_at"
        }
        (Backend::Sqlite, false) => {
            "INSERT INTO plans (id, position, retention_days, spec, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING"
        }
    };
    let mut statement = query(sql)
        .bind(&plan.id)
        .bind(plan.position)
        .bind(plan.retention_days as i32)
        .bind(spec(plan))
        .bind(now_ms);
    if backend == Backend::Postgres {
        statement = statement.bind(actor.map(|a| a.to_string())).bind(replace);
    }
    statement.execute(conn).await?;
    Ok(())
}

/// The plan `id` as stored, if any.
pub(super) async fn load_plan(conn: &mut AnyConnection, id: &str) -> Result<Option<Plan>, E> {
    let row = query("SELECT spec FROM plans WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| parse(&r.try_get::<String, _>("spec")?))
        .transpose()
}

fn spec(plan: &Plan) -> String {
    serde_json::to_string(plan).expect("a plan serialises")
}

fn parse(spec: &str) -> Result<Plan, E> {
    serde_json::from_str(spec).map_err(|e| E::Corrupt(format!("plan: {e}")))
}
