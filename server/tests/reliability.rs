//! Reliability of background work with real processes: 1,000 queued executions drained by
//! three `agente worker` processes over one Postgres while the test kills workers with
//! SIGKILL at random times and starts new ones. Every execution must end, once, and
//! successfully: leases hand killed workers' jobs on, the reaper restarts their executions.

use agente_auth::{AuthMethod, Principal};
use agente_core::{Role, SecretBox, SystemClock, TenantId};
use agente_store::Row;
use agente_store::sqlx::query;
use agente_store::testing::TestDb;
use agente_workflows::engine::Engine;
use agente_workflows::service::{ServiceLimits, WebhookCall, WorkflowService};
use rand::Rng;
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const EXECUTIONS: usize = 1_000;
const WORKERS: usize = 3;

struct Workers {
    url: String,
    key: String,
    dir: std::path::PathBuf,
    children: Vec<Child>,
}

impl Workers {
    fn spawn_one(&self) -> Child {
        Command::new(env!("CARGO_BIN_EXE_agente"))
            .args(["worker", "--concurrency", "8"])
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
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start a worker process")
    }
}

impl Drop for Workers {
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
    let db = TestDb::postgres().await.expect("a Postgres test database");
    let key = SecretBox::generate_key();
    let svc = WorkflowService::new(
        db.db.clone(),
        Engine::default(),
        SecretBox::from_base64(&key).unwrap(),
        Arc::new(SystemClock),
        ServiceLimits::default(),
    )
    .with_queued_background_runs();
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
    let id = svc.create(&p, &wf.to_string()).await.unwrap()[0].id.clone();
    svc.activate(&p, &id).await.unwrap();
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
    let mut workers = Workers {
        url: db.url.clone(),
        key,
        dir: dir.clone(),
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
    assert_eq!(
        succeeded, EXECUTIONS as i64,
        "every execution succeeded (seed {seed})"
    );
    assert!(kills > 0, "the test killed workers");
    drop(workers);
    let _ = std::fs::remove_dir_all(&dir);
}
