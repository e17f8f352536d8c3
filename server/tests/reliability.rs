//! Reliability of background work with real processes: 1,000 queued executions drained by
//! three `agente worker` processes over one Postgres — jobs in the database, or in Redis —
//! while the test kills workers with SIGKILL at random times and starts new ones; with Redis
//! it also deletes every queued job mid-run (a Redis flush) and cuts every database
//! connection. Every execution must end, once, and successfully: leases hand killed
//! workers' jobs on, the reaper restarts their executions and re-sends lost jobs. Two
//! `agente scheduler` processes fire each tick of a schedule once.
#![allow(clippy::unwrap_used)] // a test fails by panicking
#![allow(clippy::too_many_lines)] // a scenario test reads top to bottom

use agente_auth::{AuthMethod, Principal};
use agente_core::{Clock, Role, SecretBox, SystemClock, TenantId};
use agente_engine::Engine;
use agente_store::Row;
use agente_store::sqlx::query;
use agente_store::testing::TestDb;
use agente_workflows::{ServiceLimits, WebhookCall, WorkflowService};
use rand::Rng;
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const EXECUTIONS: usize = 1_000;
const WORKERS: usize = 3;

fn redis_url() -> String {
    std::env::var("AGENTE_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A Redis queue in a namespace of its own, and that namespace.
async fn redis_queue() -> (agente_jobs::RedisQueue, String) {
    let namespace = format!("reliability-{}", uuid::Uuid::new_v4().simple());
    let client = redis::Client::open(redis_url()).unwrap();
    let conn = redis::aio::ConnectionManager::new(client).await.unwrap();
    let queue = agente_jobs::RedisQueue::new(conn, Arc::new(SystemClock), &namespace);
    (queue, namespace)
}

struct Processes {
    url: String,
    key: String,
    dir: std::path::PathBuf,
    /// The Redis namespace when jobs go through Redis.
    redis_namespace: Option<String>,
    children: Vec<Child>,
}

impl Processes {
    fn spawn_one(&self) -> Child {
        self.spawn(&["worker", "--concurrency", "8"])
    }

    fn spawn(&self, args: &[&str]) -> Child {
        let mut command = Command::new(env!("CARGO_BIN_EXE_agente"));
        if let Some(namespace) = &self.redis_namespace {
            command
                .env("REDIS_URL", redis_url())
                .env("AGENTE_REDIS_NAMESPACE", namespace);
        }
        command
            .args(args)
            .env("DATABASE_URL", &self.url)
            .env("AGENTE_MASTER_KEY", &self.key)
            .env(
                "AGENTE_JWT_SECRET",
                "reliability-test-jwt-secret-of-at-least-32-bytes",
            )
            .env("AGENTE_DATA_DIR", &self.dir)
            // Short enough for the test to finish quickly after each kill.
            .env("AGENTE_EXECUTION_STALE_SECS", "2")
            .env("AGENTE_JOB_LEASE_SECS", "2")
            .env("AGENTE_PENDING_STALE_SECS", "2")
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start a worker process")
    }
}

impl Drop for Processes {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

async fn counts(db: &agente_store::Db, tenant: TenantId) -> (i64, i64, i64) {
    let row = db
        .tenant_fetch_optional(
            tenant,
            query(
                "SELECT COUNT(*) AS all_rows, \
                 SUM(CASE WHEN finished_at IS NOT NULL THEN 1 ELSE 0 END) AS finished, \
                 SUM(CASE WHEN status = 'success' THEN 1 ELSE 0 END) AS succeeded \
                 FROM executions WHERE tenant_id = $1",
            )
            .bind(tenant.to_string()),
        )
        .await
        .unwrap()
        .unwrap();
    let n = |c: &str| row.try_get::<Option<i64>, _>(c).unwrap().unwrap_or(0);
    (n("all_rows"), n("finished"), n("succeeded"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_executions_all_finish_once_while_workers_are_killed() {
    drain_under_chaos(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_nothing_is_lost_when_redis_is_flushed_or_the_database_drops_connections() {
    drain_under_chaos(Some(redis_queue().await)).await;
}

/// Queues `EXECUTIONS` runs, then drains them with `WORKERS` worker processes while killing
/// them; with Redis (the queue and its namespace) also flushes it and cuts the database's
/// connections once each.
async fn drain_under_chaos(redis: Option<(agente_jobs::RedisQueue, String)>) {
    let db = TestDb::postgres().await.expect("a Postgres test database");
    let key = SecretBox::generate_key();
    let mut svc = WorkflowService::new(
        db.db.clone(),
        Engine::default(),
        SecretBox::from_base64(&key).unwrap(),
        Arc::new(SystemClock),
        ServiceLimits::default(),
    )
    .with_queued_background_runs();
    if let Some((queue, _)) = &redis {
        svc = svc.with_queue(queue.clone().into());
    }
    let tenant = TenantId::new();
    db.db
        .tenant_execute(
            tenant,
            query("INSERT INTO tenants (id, name, created_at) VALUES ($1, 'reliability', 0)")
                .bind(tenant.to_string()),
        )
        .await
        .unwrap();
    let p = Principal {
        tenant_id: tenant,
        user_id: None,
        role: Role::Editor,
        method: AuthMethod::AccessToken,
    };
    // Each run takes a little while, so kills land in the middle of runs.
    let wf = json!({"name": "work", "nodes": [
        {"name": "Hook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "webhookId": "work",
         "parameters": {"httpMethod": "POST", "path": "work", "responseMode": "onReceived"}},
        {"name": "Busy", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "parameters": {"amount": 0.1, "unit": "seconds"}},
        {"name": "Done", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "parameters": {
            "assignments": {"assignments": [{"name": "n", "value": "={{ $json.body.n }}", "type": "number"}]}}}
    ], "connections": {
        "Hook": {"main": [[{"node": "Busy", "type": "main", "index": 0}]]},
        "Busy": {"main": [[{"node": "Done", "type": "main", "index": 0}]]}
    }});
    let id = svc.create(&p, &wf.to_string()).await.unwrap()[0].id;
    svc.activate(&p, id).await.unwrap();
    for n in 0..EXECUTIONS {
        svc.handle_webhook(WebhookCall {
            method: "POST".into(),
            path: "work".into(),
            body: json!({ "n": n }),
            ..WebhookCall::default()
        })
        .await
        .unwrap();
    }
    assert_eq!(counts(&db.db, tenant).await.0, EXECUTIONS as i64);

    // Workers read their secrets from the environment; the directory only has to exist.
    let dir = std::env::temp_dir().join(format!(
        "agente-reliability-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let mut workers = Processes {
        url: db.url.clone(),
        key,
        dir: dir.clone(),
        redis_namespace: redis.as_ref().map(|(_, ns)| ns.clone()),
        children: Vec::new(),
    };
    for _ in 0..WORKERS {
        let child = workers.spawn_one();
        workers.children.push(child);
    }
    let seed: u64 = rand::thread_rng().r#gen();
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(seed);
    println!("kill schedule seed: {seed}");
    let started = Instant::now();
    let mut kills = 0;
    let (mut flushed, mut cut) = (0, 0);
    loop {
        let (_, finished, _) = counts(&db.db, tenant).await;
        if finished == EXECUTIONS as i64 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "only {finished} of {EXECUTIONS} executions finished in 3 minutes (seed {seed})"
        );
        tokio::time::sleep(Duration::from_millis(rng.gen_range(300..900))).await;
        // Kill while there is work left, a dozen times at most.
        if kills < 12 && finished < EXECUTIONS as i64 * 9 / 10 {
            let victim = rng.gen_range(0..WORKERS);
            let _ = workers.children[victim].kill();
            let _ = workers.children[victim].wait();
            workers.children[victim] = workers.spawn_one();
            kills += 1;
        }
        if let Some((queue, _)) = &redis {
            if flushed == 0 && finished >= EXECUTIONS as i64 / 4 {
                flushed = queue.flush().await.unwrap();
                println!("flushed Redis ({flushed} keys) at {finished} finished");
            }
            if cut == 0 && finished >= EXECUTIONS as i64 / 2 {
                cut = drop_connections(&db.url).await;
                println!("cut {cut} database connections at {finished} finished");
            }
        }
    }
    let (all, finished, succeeded) = counts(&db.db, tenant).await;
    let restarted: i64 = db
        .db
        .tenant_fetch_optional(
            tenant,
            query("SELECT COALESCE(SUM(attempts), 0) AS n FROM executions WHERE tenant_id = $1")
                .bind(tenant.to_string()),
        )
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64, _>("n")
        .unwrap();
    println!(
        "{EXECUTIONS} executions, {kills} kills, {restarted} restarts by the reaper, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(
        (all, finished),
        (EXECUTIONS as i64, EXECUTIONS as i64),
        "seed {seed}"
    );
    if succeeded != EXECUTIONS as i64 {
        // What a failed one says, for the report.
        let failed = db
            .db
            .tenant_fetch_optional(
                tenant,
                query(
                    "SELECT id, status, attempts, error FROM executions \
                     WHERE tenant_id = $1 AND status <> 'success' LIMIT 1",
                )
                .bind(tenant.to_string()),
            )
            .await
            .unwrap();
        if let Some(row) = failed {
            println!(
                "not a success: {} {} after {} attempts: {:?}",
                row.try_get::<String, _>("id").unwrap_or_default(),
                row.try_get::<String, _>("status").unwrap_or_default(),
                row.try_get::<i64, _>("attempts").unwrap_or_default(),
                row.try_get::<Option<String>, _>("error").ok().flatten()
            );
        }
    }
    assert_eq!(
        succeeded, EXECUTIONS as i64,
        "every execution succeeded (seed {seed})"
    );
    assert!(kills > 0, "the test killed workers");
    if redis.is_some() {
        assert!(flushed > 0, "the test flushed the queue");
        assert!(cut > 0, "the test cut database connections");
    }
    drop(workers);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Ends every session on the test's database, as a database restart or a network cut
/// would: the processes must reconnect. Answers how many were ended.
async fn drop_connections(url: &str) -> u64 {
    use agente_store::sqlx::{AnyConnection, Connection};
    let name = url.rsplit('/').next().unwrap();
    let mut admin = AnyConnection::connect(&agente_store::testing::postgres_admin_url())
        .await
        .unwrap();
    let n = query(
        "SELECT COUNT(*) AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = $1 AND pid <> pg_backend_pid()) AS ended",
    )
    .bind(name)
    .fetch_one(&mut admin)
    .await
    .unwrap()
    .try_get::<i64, _>("n")
    .unwrap();
    let _ = admin.close().await;
    n as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_scheduler_processes_fire_each_tick_once() {
    let db = TestDb::postgres().await.expect("a Postgres test database");
    let (queue, namespace) = redis_queue().await;
    let every_second = agente_jobs::ScheduleSpec {
        id: "ticks/0".into(),
        cron: agente_jobs::CronSchedule::parse("* * * * * *", "UTC").unwrap(),
        every_weeks: 1,
        job: agente_jobs::NewJob::new("reliability.tick", json!({})),
        misfire: agente_jobs::Misfire::Skip,
    };
    let mut tx = db.db.system_tx().await.unwrap();
    agente_jobs::scheduler::register_in(
        &mut tx,
        SystemClock.now_ms(),
        "ticks",
        None,
        &[every_second],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let dir = std::env::temp_dir().join(format!("agente-sched-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut schedulers = Processes {
        url: db.url.clone(),
        key: SecretBox::generate_key(),
        dir: dir.clone(),
        redis_namespace: Some(namespace),
        children: Vec::new(),
    };
    for _ in 0..2 {
        let child = schedulers.spawn(&["scheduler"]);
        schedulers.children.push(child);
    }
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(8)).await;
    drop(schedulers);
    let elapsed = started.elapsed().as_secs_f64();
    let mut firings = queue.owner_history("ticks", 1_000).await.unwrap();
    firings.sort_by_key(|f| f.enqueued_at);
    println!(
        "{} firings in {elapsed:.1} s by two schedulers",
        firings.len()
    );
    assert!(
        firings.len() >= 4 && firings.len() as f64 <= elapsed + 1.0,
        "{} firings in {elapsed:.1} s",
        firings.len()
    );
    for pair in firings.windows(2) {
        // Ticks are a second apart: a tick fired twice would show two firings close together.
        assert!(
            pair[1].enqueued_at - pair[0].enqueued_at >= 500,
            "two firings {} ms apart",
            pair[1].enqueued_at - pair[0].enqueued_at
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
