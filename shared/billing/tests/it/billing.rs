//! Billing over real databases (SQLite and Postgres): plans as data, the usage gate's hard
//! and soft limits (exact under concurrency), idempotent metering, quota warnings through
//! the notifier's queue, and plan changes.

use crate::common;

use agente_auth::Principal;
use agente_billing::{Billing, BillingError, BillingOptions, Plan};
use agente_core::{
    FixedClock, GateError, Limit, Meter, Refusal, Role, SecretBox, TenantId, Usage, UsageGate,
    UserId,
};
use agente_jobs::{DEFAULT_QUEUE, Queue, SqlQueue};
use agente_notify::{Event, Notifier, NotifierOptions};
use agente_store::Db;
use agente_store::backend_tests;
use agente_store::sqlx::query;
use agente_store::testing::Backend;
use agente_store::testing::TestDb;
use common::member;
use std::sync::Arc;
use std::time::Duration;

/// 2026-11-29T12:00:00Z
const NOW: i64 = 1_795_953_600_000;
const DAY: i64 = 86_400_000;

struct Setup {
    db: Db,
    queue: Queue,
    clock: FixedClock,
    billing: Billing,
    operator: Principal,
}

async fn setup(test: &TestDb) -> Setup {
    let db = test.db.clone();
    let clock = FixedClock::at_ms(NOW);
    let queue: Queue = SqlQueue::new(db.clone(), Arc::new(clock.clone())).into();
    let notifier = Notifier::new(
        db.clone(),
        queue.clone(),
        SecretBox::from_bytes(&[7u8; 32]),
        Arc::new(clock.clone()),
        NotifierOptions::default(),
    );
    let billing = Billing::new(
        db.clone(),
        Arc::new(clock.clone()),
        Some(notifier),
        BillingOptions {
            cache_ttl: Duration::ZERO,
            ..BillingOptions::default()
        },
    );
    billing.ensure_built_in_plans().await.unwrap();
    let operator = common::operator(test).await;
    Setup {
        db,
        queue,
        clock,
        billing,
        operator,
    }
}

impl Setup {
    async fn plan(&self, id: &str) -> Plan {
        let plans = self.billing.plans(true).await.unwrap();
        plans.into_iter().find(|p| p.id == id).unwrap()
    }

    /// Sets the free plan's included executions.
    async fn free_executions(&self, n: u64) {
        let mut free = self.plan("free").await;
        free.included_executions = Some(n);
        self.billing.save_plan(&self.operator, free).await.unwrap();
    }

    /// The quota events enqueued so far, as `(kind, percent)`.
    async fn quota_events(&self) -> Vec<(String, i64)> {
        let leases = self
            .queue
            .claim(&[DEFAULT_QUEUE.to_string()], "test", 30_000, 100)
            .await
            .unwrap();
        let mut seen = Vec::new();
        for lease in leases {
            let event: Event = serde_json::from_value(lease.job.payload.clone()).unwrap();
            seen.push((
                event.kind.as_str().to_string(),
                event.data["percent"].as_i64().unwrap(),
            ));
        }
        seen
    }
}

fn run(id: &str) -> Usage<'_> {
    Usage {
        meter: Meter::Executions,
        quantity: 1,
        id,
    }
}

backend_tests!(the_first_execution_past_a_hard_limit_is_refused_once_counted_once);
async fn the_first_execution_past_a_hard_limit_is_refused_once_counted_once(backend: Backend) {
    let test = backend.db().await;
    let s = setup(&test).await;
    s.free_executions(5).await;
    let owner = common::owner(&s.db).await;
    let t = owner.tenant_id;
    for i in 0..5 {
        s.billing.admit(t, run(&format!("e{i}"))).await.unwrap();
    }
    // Telling the same execution again neither counts nor refuses.
    s.billing.admit(t, run("e4")).await.unwrap();
    let refused = s.billing.admit(t, run("e5")).await.unwrap_err();
    match refused {
        GateError::Refused(Refusal::QuotaExhausted {
            meter, included, ..
        }) => {
            assert_eq!((meter, included), (Meter::Executions, 5), "{backend}");
        }
        other => panic!("{backend}: {other:?}"),
    }
    let overview = s.billing.overview(&owner).await.unwrap();
    let executions = &overview.meters[0];
    assert_eq!(
        (executions.used, executions.included, executions.hard),
        (5, Some(5), true),
        "{backend}"
    );
    // 4 of 5 is 80 %, 5 of 5 is 100 %; the refusal repeats the 100 % event, which the
    // queue's idempotency key absorbs.
    let events = s.quota_events().await;
    assert_eq!(
        events,
        vec![("quota.warning".into(), 80), ("quota.exceeded".into(), 100)],
        "{backend}"
    );
    // Another tenant is untouched; a new period starts from zero.
    let other = common::owner(&s.db).await;
    s.billing.admit(other.tenant_id, run("e5")).await.unwrap();
    s.clock.advance_secs(2 * 86_400);
    s.billing.admit(t, run("december")).await.unwrap();
}

backend_tests!(concurrent_admissions_stop_exactly_at_the_limit);
async fn concurrent_admissions_stop_exactly_at_the_limit(backend: Backend) {
    let test = backend.db().await;
    let s = setup(&test).await;
    s.free_executions(10).await;
    let t = common::owner(&s.db).await.tenant_id;
    let tasks: Vec<_> = (0..25)
        .map(|i| {
            let billing = s.billing.clone();
            tokio::spawn(async move {
                let id = format!("run-{i}");
                billing.admit(t, run(&id)).await
            })
        })
        .collect();
    let mut admitted = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => admitted += 1,
            Err(GateError::Refused(_)) => {}
            Err(e) => panic!("{backend}: {e}"),
        }
    }
    assert_eq!(admitted, 10, "{backend}");
}

backend_tests!(soft_limits_charge_overage_and_unlimited_meters_only_count);
async fn soft_limits_charge_overage_and_unlimited_meters_only_count(backend: Backend) {
    let test = backend.db().await;
    let s = setup(&test).await;
    let mut pro = s.plan("pro").await;
    pro.included_executions = Some(10);
    s.billing.save_plan(&s.operator, pro).await.unwrap();
    let owner = common::owner(&s.db).await;
    s.billing.change_plan(&owner, "pro").await.unwrap();
    for i in 0..12 {
        s.billing
            .admit(owner.tenant_id, run(&format!("r{i}")))
            .await
            .unwrap();
    }
    let tokens = Usage {
        meter: Meter::AiTokens,
        quantity: 1_500,
        id: "call-1",
    };
    s.billing.record(owner.tenant_id, tokens).await.unwrap();
    s.billing.record(owner.tenant_id, tokens).await.unwrap();
    let o = s.billing.overview(&owner).await.unwrap();
    assert_eq!(o.plan.id, "pro", "{backend}");
    assert_eq!(
        (o.meters[0].used, o.meters[0].hard),
        (12, false),
        "{backend}"
    );
    // 2 past 10 included: one started thousand at $2.00.
    assert_eq!(o.meters[0].overage_cost, 200, "{backend}");
    assert_eq!(o.meters[1].used, 1_500, "{backend}");
    let events = s.quota_events().await;
    assert_eq!(
        events,
        vec![("quota.warning".into(), 80), ("quota.exceeded".into(), 100)],
        "{backend}"
    );
}

backend_tests!(plan_changes_follow_limits_and_cancellation_ends_at_the_period_end);
async fn plan_changes_follow_limits_and_cancellation_ends_at_the_period_end(backend: Backend) {
    let test = backend.db().await;
    let s = setup(&test).await;
    let owner = common::owner(&s.db).await;
    let t = owner.tenant_id;
    for _ in 0..2 {
        member(&s.db, t, Role::Editor).await;
    }
    // Three members do not fit Free's two.
    assert!(matches!(
        s.billing.check_limit(t, Limit::Members, 3).await,
        Err(GateError::Refused(Refusal::LimitReached { max: 2, .. }))
    ));
    s.billing.change_plan(&owner, "business").await.unwrap();
    s.billing.check_limit(t, Limit::Members, 3).await.unwrap();
    match s.billing.change_plan(&owner, "free").await {
        Err(BillingError::Conflict(msg)) => assert!(msg.contains("remove 1"), "{msg}"),
        other => panic!("{backend}: {other:?}"),
    }
    // Only owners change plans; admins read.
    let admin = member(&s.db, t, Role::Admin).await;
    assert!(matches!(
        s.billing.change_plan(&admin, "pro").await,
        Err(BillingError::Auth(_))
    ));
    assert_eq!(
        s.billing.overview(&admin).await.unwrap().plan.id,
        "business"
    );
    s.billing.cancel_at_period_end(&owner).await.unwrap();
    let o = s.billing.overview(&owner).await.unwrap();
    assert!(o.cancel_at_period_end, "{backend}");
    s.billing.resume(&owner).await.unwrap();
    s.billing.cancel_at_period_end(&owner).await.unwrap();
    // 2026-12-01: the period is over, the plan has ended.
    s.clock.advance_secs(2 * 86_400);
    let o = s.billing.overview(&owner).await.unwrap();
    assert_eq!(
        (o.plan.id.as_str(), o.subscribed_plan.as_str()),
        ("free", "business"),
        "{backend}"
    );
    assert!(o.period.start >= NOW + DAY, "{backend}");
}

backend_tests!(only_operators_edit_plans_and_bad_plans_are_refused);
async fn only_operators_edit_plans_and_bad_plans_are_refused(backend: Backend) {
    let test = backend.db().await;
    let s = setup(&test).await;
    let owner = common::owner(&s.db).await;
    let mut pro = s.plan("pro").await;
    assert!(matches!(
        s.billing.save_plan(&owner, pro.clone()).await,
        Err(BillingError::Auth(_))
    ));
    pro.monthly_price = -5;
    assert!(matches!(
        s.billing.save_plan(&s.operator, pro.clone()).await,
        Err(BillingError::BadInput(_))
    ));
    // An archived plan keeps its place for the operator and leaves the offer.
    pro.monthly_price = 2_900;
    pro.available = false;
    s.billing.save_plan(&s.operator, pro).await.unwrap();
    let offered: Vec<_> = s.billing.plans(false).await.unwrap();
    assert!(offered.iter().all(|p| p.id != "pro"), "{backend}");
    assert_eq!(s.plan("pro").await.monthly_price, 2_900, "{backend}");
    assert!(matches!(
        s.billing.change_plan(&owner, "pro").await,
        Err(BillingError::NotFound(_))
    ));
    // Written once: a restart keeps the operator's edit.
    s.billing.ensure_built_in_plans().await.unwrap();
    assert_eq!(s.plan("pro").await.monthly_price, 2_900, "{backend}");
}

/// Inserts a finished execution of a new workflow of `tenant`, started `days_ago`.
async fn old_execution(db: &Db, tenant: TenantId, days_ago: i64) {
    let (workflow, execution) = (UserId::new().to_string(), UserId::new().to_string());
    let started = NOW - days_ago * DAY;
    let mut tx = db.tenant_tx(tenant).await.unwrap();
    query("INSERT INTO workflows (id, tenant_id, name, definition, version, created_at, updated_at) VALUES ($1, $2, 'w', '{}', 1, 0, 0)")
        .bind(&workflow)
        .bind(tenant.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    query("INSERT INTO executions (id, tenant_id, workflow_id, status, mode, started_at, finished_at) VALUES ($1, $2, $3, 'success', 'webhook', $4, $4)")
        .bind(&execution)
        .bind(tenant.to_string())
        .bind(&workflow)
        .bind(started)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn executions_of(db: &Db, tenant: TenantId) -> i64 {
    let mut tx = db.tenant_read(tenant).await.unwrap();
    let row = query("SELECT COUNT(*) AS n FROM executions WHERE tenant_id = $1")
        .bind(tenant.to_string())
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    agente_store::Row::try_get::<i64, _>(&row, "n").unwrap()
}

backend_tests!(execution_data_is_kept_as_long_as_the_plan_says);
async fn execution_data_is_kept_as_long_as_the_plan_says(backend: Backend) {
    let test = backend.db().await;
    let s = setup(&test).await;
    // Free keeps 7 days, Business 90; a lapsed Business subscription is on Free.
    let free = common::owner(&s.db).await;
    let business = common::owner(&s.db).await;
    s.billing.change_plan(&business, "business").await.unwrap();
    let lapsed = common::owner(&s.db).await;
    s.billing.change_plan(&lapsed, "business").await.unwrap();
    s.db.tenant_execute(
        lapsed.tenant_id,
        query("UPDATE billing_accounts SET status = 'canceled' WHERE tenant_id = $1")
            .bind(lapsed.tenant_id.to_string()),
    )
    .await
    .unwrap();
    for p in [&free, &business, &lapsed] {
        for days in [2, 8, 100] {
            old_execution(&s.db, p.tenant_id, days).await;
        }
    }
    let pruned = s.billing.prune_executions_by_plan().await.unwrap();
    assert_eq!(pruned, 2 + 1 + 2, "{backend}");
    assert_eq!(executions_of(&s.db, free.tenant_id).await, 1, "{backend}");
    assert_eq!(
        executions_of(&s.db, business.tenant_id).await,
        2,
        "{backend}"
    );
    assert_eq!(executions_of(&s.db, lapsed.tenant_id).await, 1, "{backend}");
}

backend_tests!(the_revenue_report_sums_subscriptions_churn_and_overage);
async fn the_revenue_report_sums_subscriptions_churn_and_overage(backend: Backend) {
    let test = backend.db().await;
    let s = setup(&test).await;
    let set = |tenant: TenantId, status: &'static str, canceled_at: Option<i64>| {
        let db = s.db.clone();
        async move {
            db.tenant_execute(
                tenant,
                query("UPDATE billing_accounts SET status = $1, canceled_at = $2 WHERE tenant_id = $3")
                    .bind(status)
                    .bind(canceled_at)
                    .bind(tenant.to_string()),
            )
            .await
            .unwrap();
        }
    };
    let active = common::owner(&s.db).await;
    s.billing.change_plan(&active, "pro").await.unwrap();
    let late = common::owner(&s.db).await;
    s.billing.change_plan(&late, "business").await.unwrap();
    set(late.tenant_id, "past_due", None).await;
    let trial = common::owner(&s.db).await;
    s.billing.change_plan(&trial, "pro").await.unwrap();
    set(trial.tenant_id, "trialing", None).await;
    let gone = common::owner(&s.db).await;
    s.billing.change_plan(&gone, "pro").await.unwrap();
    set(gone.tenant_id, "canceled", Some(NOW - DAY)).await;
    let gone_long_ago = common::owner(&s.db).await;
    s.billing.change_plan(&gone_long_ago, "pro").await.unwrap();
    set(gone_long_ago.tenant_id, "canceled", Some(NOW - 60 * DAY)).await;
    // 12,000 executions on Pro (10,000 included): two started thousands at $2.00.
    let heavy = Usage {
        meter: Meter::Executions,
        quantity: 12_000,
        id: "bulk",
    };
    s.billing.record(active.tenant_id, heavy).await.unwrap();
    // Free has no overage: its use earns nothing.
    let free = common::owner(&s.db).await;
    s.billing.record(free.tenant_id, heavy).await.unwrap();

    assert!(matches!(
        s.billing.revenue(&active).await,
        Err(BillingError::Auth(_))
    ));
    let r = s.billing.revenue(&s.operator).await.unwrap();
    assert_eq!(r.mrr, 2_400 + 9_900, "{backend}: trials pay nothing yet");
    assert_eq!(r.subscriptions.get("pro"), Some(&2), "{backend}");
    assert_eq!(r.subscriptions.get("business"), Some(&1), "{backend}");
    assert_eq!(r.churned, 1, "{backend}: only this month's ending");
    assert_eq!(r.churn_percent, 25.0, "{backend}");
    assert_eq!(r.usage_revenue, 400, "{backend}");
}
