//! One tenant cannot starve the others (item 2), with real processes: the `agente` binary
//! serves while one tenant keeps every core busy with JavaScript, and `/healthz` and
//! another tenant's webhook still answer. Before executions ran on threads of their own,
//! two such runs took both runtime workers and nothing else was answered until they ended.
//! The bounds below are generous (this is no benchmark): they separate "answers" from
//! "waits for the loops to end", which take minutes.

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::AsyncBufReadExt;

/// The binary, started on a fresh data directory; killed when dropped.
struct Server {
    child: tokio::process::Child,
    base: String,
    metrics: String,
    _dir: tempdir::Dir,
}

mod tempdir {
    /// A directory removed on drop.
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    async fn start() -> Self {
        let dir =
            std::env::temp_dir().join(format!("agente-starve-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let metrics = format!("127.0.0.1:{}", free_port());
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_agente"))
            .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(&dir)
            .env("AGENTE_DEFAULT_PLAN", "enterprise")
            .env("AGENTE_EXECUTION_CPU_SECS", "60")
            .env("AGENTE_METRICS_ADDR", &metrics)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("the agente binary starts");
        let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let base = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(url) = line.strip_prefix("Agente is listening on ") {
                    return url.trim().to_string();
                }
            }
            panic!("the server ended before it listened")
        })
        .await
        .expect("the server listens within a minute");
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self {
            child,
            base,
            metrics: format!("http://{metrics}/metrics"),
            _dir: tempdir::Dir(dir),
        }
    }
}

async fn signup(client: &reqwest::Client, base: &str, who: &str) -> String {
    let v: Value = client
        .post(format!("{base}/api/v1/auth/signup"))
        .json(
            &json!({"email": format!("{who}-{}@example.test", uuid::Uuid::new_v4().simple()),
                      "password": "a long password", "tenant_name": who}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["access_token"].as_str().unwrap().to_string()
}

/// Webhook `path` → `body.n` items of the body → Code running `js` once per item,
/// answering when done.
async fn hook(client: &reqwest::Client, base: &str, token: &str, path: &str, js: &str) {
    let last = json!({"name": "Code", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [400, 0],
                      "parameters": {"mode": "runOnceForEachItem", "jsCode": js}});
    hook_with(client, base, token, path, last).await;
}

/// Stores `workflow` for the tenant of `token` and activates it.
async fn activate(client: &reqwest::Client, base: &str, token: &str, workflow: &Value) {
    let created: Value = client
        .post(format!("{base}/api/v1/workflows"))
        .bearer_auth(token)
        .json(workflow)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    let res = client
        .post(format!("{base}/api/v1/workflows/{id}/activate"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

/// Webhook `path` → `body.n` items of the body → `last` (a node named `Code`).
async fn hook_with(client: &reqwest::Client, base: &str, token: &str, path: &str, last: Value) {
    let workflow = json!({
        "name": path,
        "nodes": [
            {"name": "Hook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "webhookId": path, "position": [0, 0],
             "parameters": {"path": path, "httpMethod": "POST", "responseMode": "lastNode"}},
            {"name": "Items", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [200, 0],
             "parameters": {"jsCode": "const body = $input.first().json.body; return Array.from({ length: body.n || 1 }, () => ({ json: body }));"}},
            last
        ],
        "connections": {
            "Hook": {"main": [[{"node": "Items", "type": "main", "index": 0}]]},
            "Items": {"main": [[{"node": "Code", "type": "main", "index": 0}]]}
        }
    });
    activate(client, base, token, &workflow).await;
}

/// Webhook `path` → one item per entry of `body.list` (Split Out, no program) → a Set
/// node whose expression runs `expr` per item.
async fn hook_expression(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    path: &str,
    expr: &str,
) {
    let workflow = json!({
        "name": path,
        "nodes": [
            {"name": "Hook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "webhookId": path, "position": [0, 0],
             "parameters": {"path": path, "httpMethod": "POST", "responseMode": "lastNode"}},
            {"name": "Items", "type": "n8n-nodes-base.splitOut", "typeVersion": 1, "position": [200, 0],
             "parameters": {"fieldToSplitOut": "body.list", "options": {}}},
            {"name": "Set", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": [400, 0],
             "parameters": {"mode": "manual", "assignments": {"assignments": [
                 {"id": "a", "name": "n", "value": format!("={{{{ {expr} }}}}"), "type": "number"}]}, "options": {}}}
        ],
        "connections": {
            "Hook": {"main": [[{"node": "Items", "type": "main", "index": 0}]]},
            "Items": {"main": [[{"node": "Set", "type": "main", "index": 0}]]}
        }
    });
    activate(client, base, token, &workflow).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_other_tenants_stay_answered_while_one_tenant_spins_every_core() {
    let server = Server::start().await;
    let base = server.base.clone();
    let client = reqwest::Client::new();
    let greedy = signup(&client, &base, "greedy").await;
    let polite = signup(&client, &base, "polite").await;
    // Each call spins 1.5 s per item over 40 items (a minute), below one call's own limit.
    hook(
        &client,
        &base,
        &greedy,
        "spin",
        "const t = Date.now(); while (Date.now() - t < 1500) {} return $input.item;",
    )
    .await;
    // No program at all, only expressions: a sort QuickJS never interrupts, per item.
    let greedy_expressions = signup(&client, &base, "greedy-expressions").await;
    hook_expression(
        &client,
        &base,
        &greedy_expressions,
        "spin-expression",
        "Array.from({ length: 400000 }, (_, i) => 'k' + ((i * 7919) % 400000)).sort().length",
    )
    .await;
    hook(
        &client,
        &base,
        &polite,
        "hello",
        "return { json: { hello: $input.item.json.name } };",
    )
    .await;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let spinners: Vec<_> = (0..cores * 2)
        .map(|i| {
            let path = if i % 2 == 0 {
                "spin"
            } else {
                "spin-expression"
            };
            let (client, url) = (client.clone(), format!("{base}/webhook/{path}"));
            tokio::spawn(async move {
                let _ = client
                    .post(url)
                    .json(&json!({"n": 40, "list": (0..40).collect::<Vec<_>>()}))
                    .timeout(Duration::from_secs(600))
                    .send()
                    .await;
            })
        })
        .collect();
    // Let the loops take the cores.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let mut slowest_health = Duration::ZERO;
    let mut slowest_webhook = Duration::ZERO;
    for _ in 0..10 {
        let started = Instant::now();
        let res = client
            .get(format!("{base}/healthz"))
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .expect("/healthz answers while the cores are busy");
        assert_eq!(res.status(), StatusCode::OK);
        slowest_health = slowest_health.max(started.elapsed());

        let started = Instant::now();
        let res = client
            .post(format!("{base}/webhook/hello"))
            .json(&json!({"name": "Ada"}))
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .expect("another tenant's webhook answers while the cores are busy");
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.json::<Value>().await.unwrap(), json!({"hello": "Ada"}));
        slowest_webhook = slowest_webhook.max(started.elapsed());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Metrics are served on their own address without a token, and not on the main one.
    let res = client.get(&server.metrics).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("http_requests_total"));
    let res = client.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    eprintln!(
        "busy cores: slowest /healthz {slowest_health:?}, slowest other webhook {slowest_webhook:?}"
    );
    assert!(
        slowest_health < Duration::from_secs(1),
        "{slowest_health:?}"
    );
    assert!(
        slowest_webhook < Duration::from_secs(5),
        "{slowest_webhook:?}"
    );
    for s in spinners {
        s.abort();
    }
    drop(server.child);
}
