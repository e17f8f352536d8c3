//! Jobs per second through the Redis queue, for `bench/queue_throughput.sh` (which runs the
//! same workload through BullMQ beside it). Enqueues `--jobs` jobs with 64 enqueues in
//! flight, then drains them with `--workers` workers of `--concurrency` slots each, every
//! worker on a connection of its own. Prints one JSON line with both rates.
//!
//! `--kind noop` does nothing; `--kind small` sums the 100 numbers of its payload and
//! formats the result (a job that reads its input and computes a little).
#![allow(clippy::unwrap_used)] // a test fails by panicking

use agente_core::SystemClock;
use agente_jobs::{Handlers, NewJob, Queue, RedisQueue, RetryPolicy, Worker, WorkerOptions};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}

async fn queue(url: &str, namespace: &str) -> RedisQueue {
    let client = redis::Client::open(url).expect("a Redis URL");
    let conn = redis::aio::ConnectionManager::new(client)
        .await
        .expect("Redis is reachable");
    RedisQueue::new(conn, Arc::new(SystemClock), namespace)
}

#[tokio::main]
async fn main() {
    let jobs: u64 = arg("--jobs", "20000").parse().unwrap();
    let workers: usize = arg("--workers", "1").parse().unwrap();
    let concurrency: usize = arg("--concurrency", "16").parse().unwrap();
    let kind = arg("--kind", "noop");
    let url = arg("--redis", "redis://127.0.0.1:6379");
    let namespace = format!("bench-{}", uuid::Uuid::new_v4().simple());
    let producer = queue(&url, &namespace).await;

    let payload = match kind.as_str() {
        "small" => json!({ "numbers": (0..100).collect::<Vec<u32>>() }),
        _ => json!({}),
    };
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut senders = tokio::task::JoinSet::new();
    for _ in 0..64 {
        let (q, next, payload, kind) = (
            producer.clone(),
            next.clone(),
            payload.clone(),
            kind.clone(),
        );
        senders.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < jobs {
                q.enqueue(NewJob::new(kind.clone(), payload.clone()))
                    .await
                    .expect("enqueue");
            }
        });
    }
    senders.join_all().await;
    let enqueue_s = started.elapsed().as_secs_f64();

    let done = Arc::new(AtomicU64::new(0));
    let all_done = CancellationToken::new();
    let stop = CancellationToken::new();
    let started = Instant::now();
    let mut running = Vec::new();
    for w in 0..workers {
        let (done, all_done) = (done.clone(), all_done.clone());
        let handlers = Handlers::new().on(&kind, RetryPolicy::default(), move |job| {
            let (done, all_done) = (done.clone(), all_done.clone());
            async move {
                if let Some(numbers) = job.payload["numbers"].as_array() {
                    let sum: u64 = numbers.iter().filter_map(|n| n.as_u64()).sum();
                    std::hint::black_box(format!("sum={sum}"));
                }
                if done.fetch_add(1, Ordering::Relaxed) + 1 == jobs {
                    all_done.cancel();
                }
                Ok(())
            }
        });
        let options = WorkerOptions {
            id: format!("bench-{w}"),
            concurrency,
            idle_poll: Duration::from_millis(5),
            ..WorkerOptions::default()
        };
        let q: Queue = queue(&url, &namespace).await.into();
        running.push(tokio::spawn(
            Worker::new(q, handlers, options).run(stop.clone()),
        ));
    }
    all_done.cancelled().await;
    let process_s = started.elapsed().as_secs_f64();
    stop.cancel();
    for r in running {
        let _ = r.await;
    }
    let leftover = producer.stats().await.expect("stats");
    let _ = producer.flush().await;
    println!(
        "{}",
        json!({
            "system": "agente",
            "kind": kind,
            "jobs": jobs,
            "workers": workers,
            "concurrency": concurrency,
            "enqueue_per_s": (jobs as f64 / enqueue_s).round(),
            "process_per_s": (jobs as f64 / process_s).round(),
            "left_in_queue": leftover.iter().map(|s| s.ready + s.running + s.scheduled).sum::<u64>(),
        })
    );
}
