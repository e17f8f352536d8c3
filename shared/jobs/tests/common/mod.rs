//! Helpers shared by the queue and worker tests.

use agente_core::Clock;
use agente_jobs::{Queue, RedisQueue, SqlQueue};
use agente_store::testing::TestDb;
use std::sync::Arc;

/// A queue on each backend: SQL on SQLite and on Postgres, and Redis (with SQLite beside it
/// for what lives in the database), each with its own clock from `clock`. Each Redis queue
/// has a namespace of its own, so tests running at once do not see each other's jobs.
pub async fn each_queue<C: Clock + Clone + 'static>(
    clock: impl Fn() -> C,
) -> Vec<(&'static str, Queue, TestDb, C)> {
    let mut out = Vec::new();
    for (backend, t) in TestDb::each().await.unwrap() {
        let c = clock();
        let q = SqlQueue::new(t.db.clone(), Arc::new(c.clone())).into();
        out.push((backend, q, t, c));
    }
    let c = clock();
    let q = redis_queue(Arc::new(c.clone())).await.into();
    out.push(("redis", q, TestDb::sqlite().await.unwrap(), c));
    out
}

/// A Redis queue in a namespace of its own.
pub async fn redis_queue(clock: Arc<dyn Clock>) -> RedisQueue {
    let url =
        std::env::var("AGENTE_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let client = redis::Client::open(url).unwrap();
    let conn = redis::aio::ConnectionManager::new(client).await.unwrap();
    RedisQueue::new(
        conn,
        clock,
        &format!("test-{}", uuid::Uuid::new_v4().simple()),
    )
}

/// Nothing waits, runs or lies dead in any queue.
#[allow(dead_code)]
pub async fn drained(q: &Queue) -> bool {
    q.stats()
        .await
        .unwrap()
        .iter()
        .all(|s| s.ready + s.scheduled + s.running + s.dead == 0)
}
