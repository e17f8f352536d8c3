//! The queue on each backend (SQL on SQLite and Postgres, Redis): delivery, priorities, delays, fairness across
//! tenants, idempotency, leases, retries and dead letters. Time is a fixed clock.

use crate::common::{self, QueueBackend, queue_tests};

use agente_core::{FixedClock, TenantId};
use agente_jobs::{DeadJobs, Lease, NewJob, Queue, QueueError, Scope};
use serde_json::json;

const T0: i64 = 1_800_000_000_000;

fn queue_names() -> Vec<String> {
    vec!["default".to_string()]
}

/// The next due job, if any.
async fn claim(q: &Queue, worker: &str, lease_ms: u64) -> Option<Lease> {
    let mut leases = q.claim(&queue_names(), worker, lease_ms, 1).await.unwrap();
    assert!(leases.len() <= 1);
    leases.pop()
}

queue_tests!(a_job_is_claimed_once_and_completed);
async fn a_job_is_claimed_once_and_completed(backend: QueueBackend) {
    let (q, _t, _clock) = common::queue_on(backend, FixedClock::at_ms(T0)).await;
    let id = q
        .enqueue(NewJob::new("ping", json!({"n": 1})))
        .await
        .unwrap();
    let lease = claim(&q, "w1", 30_000)
        .await
        .unwrap_or_else(|| panic!("{backend}: nothing to claim"));
    assert_eq!(lease.job.id, id);
    assert_eq!(lease.job.payload, json!({"n": 1}));
    assert_eq!(lease.job.attempt, 1);
    assert!(
        claim(&q, "w2", 30_000).await.is_none(),
        "{backend}: claimed twice"
    );
    assert!(q.complete(&lease).await.unwrap());
    assert!(
        !q.complete(&lease).await.unwrap(),
        "{backend}: completed twice"
    );
    assert!(
        common::drained(&q).await,
        "{backend}: done jobs are not counted"
    );
}

queue_tests!(an_idempotency_key_makes_a_second_enqueue_the_same_job);
async fn an_idempotency_key_makes_a_second_enqueue_the_same_job(backend: QueueBackend) {
    let (q, _t, _clock) = common::queue_on(backend, FixedClock::at_ms(T0)).await;
    let a = q
        .enqueue(NewJob::new("bill", json!(1)).idempotency_key("usage-42"))
        .await
        .unwrap();
    let b = q
        .enqueue(NewJob::new("bill", json!(2)).idempotency_key("usage-42"))
        .await
        .unwrap();
    assert_eq!(a, b, "{backend}");
    let lease = claim(&q, "w", 30_000).await.unwrap();
    q.complete(&lease).await.unwrap();
    // Even after it ran, the key still names the job (until pruned).
    let c = q
        .enqueue(NewJob::new("bill", json!(3)).idempotency_key("usage-42"))
        .await
        .unwrap();
    assert_eq!(a, c, "{backend}");
    assert!(
        claim(&q, "w", 30_000).await.is_none(),
        "{backend}: ran twice"
    );
}

queue_tests!(higher_priority_first_and_delayed_jobs_wait_for_their_time);
async fn higher_priority_first_and_delayed_jobs_wait_for_their_time(backend: QueueBackend) {
    let (q, _t, clock) = common::queue_on(backend, FixedClock::at_ms(T0)).await;
    q.enqueue(NewJob::new("low", json!(null))).await.unwrap();
    q.enqueue(
        NewJob::new("later", json!(null))
            .priority(9)
            .run_at(T0 + 60_000),
    )
    .await
    .unwrap();
    q.enqueue(NewJob::new("high", json!(null)).priority(5))
        .await
        .unwrap();
    let kinds = |l: Option<Lease>| l.map(|l| l.job.kind);
    assert_eq!(
        kinds(claim(&q, "w", 30_000).await).as_deref(),
        Some("high"),
        "{backend}"
    );
    assert_eq!(
        kinds(claim(&q, "w", 30_000).await).as_deref(),
        Some("low"),
        "{backend}"
    );
    assert!(
        claim(&q, "w", 30_000).await.is_none(),
        "{backend}: delayed job ran early"
    );
    let stats = q.stats().await.unwrap();
    assert_eq!((stats[0].scheduled, stats[0].running), (1, 2), "{backend}");
    clock.advance_secs(60);
    assert_eq!(
        kinds(claim(&q, "w", 30_000).await).as_deref(),
        Some("later"),
        "{backend}"
    );
}

queue_tests!(one_tenants_backlog_does_not_starve_another_tenants_job);
async fn one_tenants_backlog_does_not_starve_another_tenants_job(backend: QueueBackend) {
    let (q, _t, _clock) = common::queue_on(backend, FixedClock::at_ms(T0)).await;
    let (busy, quiet) = (TenantId::new(), TenantId::new());
    for i in 0..200 {
        q.enqueue(NewJob::new("run", json!(i)).tenant(busy))
            .await
            .unwrap();
    }
    q.enqueue(NewJob::new("run", json!("mine")).tenant(quiet))
        .await
        .unwrap();
    let mut order = Vec::new();
    for _ in 0..4 {
        order.push(claim(&q, "w", 30_000).await.unwrap().job.tenant.unwrap());
    }
    let quiet_at = order
        .iter()
        .position(|t| *t == quiet)
        .expect("the quiet tenant's job ran");
    assert!(
        quiet_at <= 1,
        "{backend}: quiet tenant waited behind {quiet_at} jobs"
    );
    let stats = q.stats().await.unwrap();
    assert_eq!((stats[0].ready, stats[0].running), (197, 4), "{backend}");
}

queue_tests!(a_tenant_at_its_concurrency_limit_waits_while_others_run);
async fn a_tenant_at_its_concurrency_limit_waits_while_others_run(backend: QueueBackend) {
    let (q, _t, _clock) = common::queue_on(backend, FixedClock::at_ms(T0)).await;
    let q = q.with_tenant_concurrency(2);
    let (busy, other) = (TenantId::new(), TenantId::new());
    for i in 0..5 {
        // The busy tenant's jobs even come first by priority.
        q.enqueue(NewJob::new("run", json!(i)).tenant(busy).priority(5))
            .await
            .unwrap();
    }
    q.enqueue(NewJob::new("run", json!("a")).tenant(other))
        .await
        .unwrap();
    q.enqueue(NewJob::new("system", json!("s"))).await.unwrap();
    let mut claimed = Vec::new();
    while let Some(lease) = claim(&q, "w", 30_000).await {
        claimed.push(lease);
    }
    let of = |t: TenantId| claimed.iter().filter(|l| l.job.tenant == Some(t)).count();
    assert_eq!(of(busy), 2, "{backend}: two at a time for the busy tenant");
    assert_eq!(of(other), 1, "{backend}");
    assert_eq!(
        claimed.iter().filter(|l| l.job.tenant.is_none()).count(),
        1,
        "{backend}: untenanted jobs are not limited"
    );
    // One of the busy tenant's jobs ends: the next one may start.
    let done = claimed.iter().find(|l| l.job.tenant == Some(busy)).unwrap();
    q.complete(done).await.unwrap();
    let next = claim(&q, "w", 30_000).await.expect("the next job");
    assert_eq!(next.job.tenant, Some(busy), "{backend}");
    assert!(claim(&q, "w", 30_000).await.is_none(), "{backend}");
}

queue_tests!(a_tenants_own_cap_replaces_the_queues);
async fn a_tenants_own_cap_replaces_the_queues(backend: QueueBackend) {
    let (q, _t, _clock) = common::queue_on(backend, FixedClock::at_ms(T0)).await;
    let q = q.with_tenant_concurrency(3);
    let (small, unlimited, plain) = (TenantId::new(), TenantId::new(), TenantId::new());
    q.set_tenant_concurrency(small, Some(1)).await.unwrap();
    q.set_tenant_concurrency(unlimited, Some(0)).await.unwrap();
    assert_eq!(
        q.tenant_concurrency(small).await.unwrap(),
        Some(1),
        "{backend}"
    );
    assert_eq!(
        q.tenant_concurrency(plain).await.unwrap(),
        None,
        "{backend}"
    );
    for tenant in [small, unlimited, plain] {
        for i in 0..5 {
            q.enqueue(NewJob::new("run", json!(i)).tenant(tenant))
                .await
                .unwrap();
        }
    }
    let mut claimed = Vec::new();
    while let Some(lease) = claim(&q, "w", 30_000).await {
        claimed.push(lease);
    }
    let of =
        |t: TenantId, claimed: &[Lease]| claimed.iter().filter(|l| l.job.tenant == Some(t)).count();
    assert_eq!(of(small, &claimed), 1, "{backend}: its own cap");
    assert_eq!(of(unlimited, &claimed), 5, "{backend}: no cap");
    assert_eq!(of(plain, &claimed), 3, "{backend}: the queue's cap");
    // Without its own cap the tenant has the queue's again: two more may run.
    q.set_tenant_concurrency(small, None).await.unwrap();
    let mut more = Vec::new();
    while let Some(lease) = claim(&q, "w", 30_000).await {
        more.push(lease);
    }
    assert_eq!((of(small, &more), more.len()), (2, 2), "{backend}");
}

queue_tests!(failures_back_off_then_dead_letter_and_can_be_retried_or_purged);
async fn failures_back_off_then_dead_letter_and_can_be_retried_or_purged(backend: QueueBackend) {
    let (q, _t, clock) = common::queue_on(backend, FixedClock::at_ms(T0)).await;
    let (owner, stranger) = (TenantId::new(), TenantId::new());
    let id = q
        .enqueue(
            NewJob::new("flaky", json!({}))
                .max_attempts(2)
                .tenant(owner),
        )
        .await
        .unwrap();
    let first = claim(&q, "w", 30_000).await.unwrap();
    assert!(q.fail(&first, "HTTP 503", Some(10_000)).await.unwrap());
    assert!(
        claim(&q, "w", 30_000).await.is_none(),
        "{backend}: retried before its back-off"
    );
    clock.advance_secs(10);
    let second = claim(&q, "w", 30_000).await.unwrap();
    assert_eq!(second.job.attempt, 2);
    // Out of attempts: a retry request still dead-letters it.
    q.fail(&second, "HTTP 503 again", Some(10_000))
        .await
        .unwrap();
    let dead = q.dead_jobs(Scope::All, None, 10).await.unwrap();
    assert_eq!(dead.len(), 1, "{backend}");
    assert_eq!((dead[0].id.as_str(), dead[0].attempts), (id.as_str(), 2));
    assert_eq!(dead[0].error.as_deref(), Some("HTTP 503 again"));
    assert_eq!(q.stats().await.unwrap()[0].dead, 1);
    // A tenant sees and touches its own dead jobs only.
    let mine = q.dead_jobs(Scope::Tenant(owner), None, 10).await.unwrap();
    assert_eq!(mine.len(), 1, "{backend}");
    let theirs = Scope::Tenant(stranger);
    assert!(q.dead_jobs(theirs, None, 10).await.unwrap().is_empty());
    assert!(!q.retry_dead(theirs, &id).await.unwrap(), "{backend}");
    assert_eq!(q.purge_dead(theirs, DeadJobs::One(&id)).await.unwrap(), 0);

    assert!(q.retry_dead(Scope::Tenant(owner), &id).await.unwrap());
    let again = claim(&q, "w", 30_000).await.unwrap();
    assert_eq!(
        again.job.attempt, 1,
        "{backend}: a retried dead job gets fresh attempts"
    );
    q.fail(&again, "bad input", None).await.unwrap();
    let all = DeadJobs::All {
        queue: Some("default"),
    };
    assert_eq!(q.purge_dead(Scope::All, all).await.unwrap(), 1);
    assert!(q.dead_jobs(Scope::All, None, 10).await.unwrap().is_empty());
    assert!(!q.retry_dead(Scope::All, &id).await.unwrap());
}

queue_tests!(an_expired_lease_is_reaped_and_the_old_holder_cannot_finish);
async fn an_expired_lease_is_reaped_and_the_old_holder_cannot_finish(backend: QueueBackend) {
    let (q, _t, clock) = common::queue_on(backend, FixedClock::at_ms(T0)).await;
    q.enqueue(NewJob::new("slow", json!({})).max_attempts(2))
        .await
        .unwrap();
    let stale = claim(&q, "dead-worker", 30_000).await.unwrap();
    assert_eq!(
        q.reap().await.unwrap(),
        0,
        "{backend}: a live lease was reaped"
    );
    clock.advance_secs(31);
    assert_eq!(q.reap().await.unwrap(), 1, "{backend}");
    let fresh = claim(&q, "w2", 30_000).await.unwrap();
    assert_eq!(fresh.job.attempt, 2);
    assert!(
        !q.heartbeat(&stale, 30_000).await.unwrap(),
        "{backend}: stale lease renewed"
    );
    assert!(
        !q.complete(&stale).await.unwrap(),
        "{backend}: stale holder completed"
    );
    assert!(q.heartbeat(&fresh, 30_000).await.unwrap());
    // Its second lease also expires: no attempts left, so it is dead, with the reason.
    clock.advance_secs(31);
    assert_eq!(q.reap().await.unwrap(), 1);
    let dead = q.dead_jobs(Scope::All, None, 10).await.unwrap();
    assert!(
        dead[0].error.as_deref().unwrap().contains("lease"),
        "{backend}"
    );
}

queue_tests!(released_jobs_come_back_without_using_an_attempt);
async fn released_jobs_come_back_without_using_an_attempt(backend: QueueBackend) {
    let (q, _t, _clock) = common::queue_on(backend, FixedClock::at_ms(T0)).await;
    q.enqueue(NewJob::new("x", json!({}))).await.unwrap();
    let lease = claim(&q, "w", 30_000).await.unwrap();
    assert!(q.release(&lease).await.unwrap());
    let again = claim(&q, "w", 30_000).await.unwrap();
    assert_eq!(again.job.attempt, 1, "{backend}");
}

queue_tests!(bad_jobs_are_refused);
async fn bad_jobs_are_refused(_backend: QueueBackend) {
    let (q, _t, _clock) = common::queue_on(_backend, FixedClock::at_ms(T0)).await;
    let err = q
        .enqueue(NewJob::new("x", json!({})).queue(""))
        .await
        .unwrap_err();
    assert!(matches!(err, QueueError::BadJob(m) if m.contains("queue")));
}

/// Keys lost one by one (a flush racing live workers, an eviction) must not leave a job
/// that says it waits or runs where no worker will look: the reaper would wait for it
/// forever. Seen in the reliability test as one execution in a thousand never finishing.
#[tokio::test]
async fn a_redis_job_whose_keys_were_partly_lost_is_not_pending() {
    let url =
        std::env::var("AGENTE_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let client = redis::Client::open(url).unwrap();
    let conn = redis::aio::ConnectionManager::new(client).await.unwrap();
    let ns = format!("test-{}", uuid::Uuid::new_v4().simple());
    let prefix = format!("{{{ns}}}:jobs:");
    let clock = FixedClock::at_ms(T0);
    let q: Queue =
        agente_jobs::RedisQueue::new(conn.clone(), std::sync::Arc::new(clock), &ns).into();
    let tenant = TenantId::new();
    let del = |key: String| {
        let mut conn = conn.clone();
        async move {
            redis::cmd("DEL")
                .arg(key)
                .query_async::<i64>(&mut conn)
                .await
                .unwrap()
        }
    };
    let enqueue = |key: &'static str| {
        let mut job = NewJob::new("k", json!({})).tenant(tenant);
        job.idempotency_key = Some(key.into());
        let q = q.clone();
        async move { q.enqueue(job).await.unwrap() }
    };
    let pending = |key: &'static str| {
        let q = q.clone();
        async move { q.any_pending(&[key.to_string()]).await.unwrap() }
    };

    // Its tenant's rank lost: still pending, and the check puts the tenant back in line.
    enqueue("a").await;
    del(format!("{prefix}tenants:default")).await;
    assert!(pending("a").await);
    let lease = claim(&q, "w", 30_000)
        .await
        .expect("found again after the repair");
    // Running, then its lease entry lost (its worker then killed): not pending.
    assert!(pending("a").await);
    del(format!("{prefix}leases")).await;
    assert!(
        !pending("a").await,
        "a running job without a lease is nobody's"
    );
    drop(lease);

    // Its tenant's due set lost while the job hash says ready: not pending.
    enqueue("b").await;
    del(format!("{prefix}ready:default:{tenant}")).await;
    assert!(!pending("b").await);

    // Delayed jobs are pending; unknown keys are not.
    let mut later = NewJob::new("k", json!({})).tenant(tenant);
    later.idempotency_key = Some("c".into());
    q.enqueue(later.run_at(T0 + 60_000)).await.unwrap();
    assert!(pending("c").await);
    assert!(!pending("never-enqueued").await);
}
