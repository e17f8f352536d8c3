//! Workers against each queue backend (SQL on SQLite and Postgres, Redis): every job runs once across
//! several workers, a poison job dead-letters with its error, a slow one times out, and
//! shutdown hands a still-running job back.

use crate::common::{self, QueueBackend, queue_tests};

use agente_core::SystemClock;
use agente_jobs::{Handlers, JobError, NewJob, RetryPolicy, Worker, WorkerOptions};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const FAST_RETRY: RetryPolicy = RetryPolicy {
    base_ms: 10,
    max_ms: 20,
};

fn options(id: &str) -> WorkerOptions {
    WorkerOptions {
        id: id.into(),
        concurrency: 4,
        idle_poll: Duration::from_millis(10),
        lease: Duration::from_secs(3),
        shutdown_grace: Duration::from_millis(200),
        ..WorkerOptions::default()
    }
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..1_000 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for {what}");
}

queue_tests!(
    two_workers_run_every_job_once,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn two_workers_run_every_job_once(backend: QueueBackend) {
    let (q, _t, _clock) = common::queue_on(backend, SystemClock).await;
    for i in 0..100 {
        q.enqueue(NewJob::new("count", json!({ "i": i })))
            .await
            .unwrap();
    }
    let seen: Arc<Mutex<HashMap<i64, u32>>> = Arc::default();
    let stop = CancellationToken::new();
    let mut workers = Vec::new();
    for w in 0..2 {
        let seen = seen.clone();
        let handlers = Handlers::new().on("count", FAST_RETRY, move |job| {
            let seen = seen.clone();
            async move {
                let i = job.payload["i"].as_i64().unwrap();
                *seen.lock().unwrap().entry(i).or_default() += 1;
                Ok(())
            }
        });
        let worker = Worker::new(q.clone(), handlers, options(&format!("w{w}")));
        workers.push(tokio::spawn(worker.run(stop.clone())));
    }
    until("100 jobs", || seen.lock().unwrap().len() == 100).await;
    stop.cancel();
    for w in workers {
        w.await.unwrap();
    }
    assert!(
        seen.lock().unwrap().values().all(|n| *n == 1),
        "{backend}: a job ran twice"
    );
    assert!(common::drained(&q).await, "{backend}: jobs left over");
}

queue_tests!(
    poison_and_slow_jobs_end_in_the_dead_letters_with_their_error,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn poison_and_slow_jobs_end_in_the_dead_letters_with_their_error(backend: QueueBackend) {
    let (q, _t, _clock) = common::queue_on(backend, SystemClock).await;
    q.enqueue(NewJob::new("poison", json!({})).max_attempts(3))
        .await
        .unwrap();
    q.enqueue(
        NewJob::new("slow", json!({}))
            .max_attempts(1)
            .timeout_ms(50),
    )
    .await
    .unwrap();
    q.enqueue(NewJob::new("unknown", json!({})).max_attempts(3))
        .await
        .unwrap();
    let attempts = Arc::new(Mutex::new(0));
    let counter = attempts.clone();
    let handlers = Handlers::new()
        .on("poison", FAST_RETRY, move |_job| {
            *counter.lock().unwrap() += 1;
            async { Err(JobError::Retry("cannot parse the invoice".into())) }
        })
        .on("slow", FAST_RETRY, |_job| async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok(())
        });
    let stop = CancellationToken::new();
    let worker = tokio::spawn(Worker::new(q.clone(), handlers, options("w")).run(stop.clone()));
    let mut dead = Vec::new();
    for _ in 0..500 {
        dead = q
            .dead_jobs(agente_jobs::Scope::All, None, 10)
            .await
            .unwrap();
        if dead.len() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.cancel();
    worker.await.unwrap();
    let error_of = |kind: &str| {
        dead.iter()
            .find(|d| d.kind == kind)
            .and_then(|d| d.error.clone())
            .unwrap_or_default()
    };
    assert_eq!(error_of("poison"), "cannot parse the invoice", "{backend}");
    assert_eq!(
        *attempts.lock().unwrap(),
        3,
        "{backend}: poison job attempts"
    );
    assert!(
        error_of("slow").contains("timed out after 50 ms"),
        "{backend}"
    );
    assert!(error_of("unknown").contains("no handler"), "{backend}");
}

queue_tests!(
    shutdown_hands_a_running_job_back,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn shutdown_hands_a_running_job_back(backend: QueueBackend) {
    let (q, _t, _clock) = common::queue_on(backend, SystemClock).await;
    q.enqueue(NewJob::new("long", json!({}))).await.unwrap();
    let started = Arc::new(Mutex::new(false));
    let flag = started.clone();
    let handlers = Handlers::new().on("long", FAST_RETRY, move |_job| {
        *flag.lock().unwrap() = true;
        async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok(())
        }
    });
    let stop = CancellationToken::new();
    let worker = tokio::spawn(Worker::new(q.clone(), handlers, options("w")).run(stop.clone()));
    until("the job to start", || *started.lock().unwrap()).await;
    stop.cancel();
    tokio::time::timeout(Duration::from_secs(5), worker)
        .await
        .expect("shutdown waits only its grace")
        .unwrap();
    let lease = q
        .claim(&["default".to_string()], "next", 30_000, 1)
        .await
        .unwrap()
        .pop();
    let lease = lease.unwrap_or_else(|| panic!("{backend}: the job was not handed back"));
    assert_eq!(
        lease.job.attempt, 1,
        "{backend}: the cut-off attempt counted"
    );
}
