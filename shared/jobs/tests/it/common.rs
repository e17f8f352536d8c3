//! Helpers shared by the queue and worker tests.

use agente_core::Clock;
use agente_jobs::{Queue, RedisQueue, SqlQueue};
use agente_store::testing::TestDb;
use std::sync::Arc;

/// The queue's backends: SQL on SQLite, SQL on Postgres, and Redis (with SQLite beside it
/// for what lives in the database).
#[derive(Clone, Copy, Debug)]
pub enum QueueBackend {
    Sqlite,
    Postgres,
    Redis,
}

impl std::fmt::Display for QueueBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            QueueBackend::Sqlite => "sqlite",
            QueueBackend::Postgres => "postgres",
            QueueBackend::Redis => "redis",
        })
    }
}

/// A queue on `backend` whose time is `clock`. Each Redis queue has a namespace of its
/// own, so tests running at once do not see each other's jobs.
pub async fn queue_on<C: Clock + Clone + 'static>(
    backend: QueueBackend,
    clock: C,
) -> (Queue, TestDb, C) {
    let shared: Arc<dyn Clock> = Arc::new(clock.clone());
    let (queue, db) = match backend {
        QueueBackend::Sqlite | QueueBackend::Postgres => {
            let db = match backend {
                QueueBackend::Sqlite => TestDb::sqlite().await.unwrap(),
                _ => TestDb::postgres().await.unwrap(),
            };
            (SqlQueue::new(db.db.clone(), shared).into(), db)
        }
        QueueBackend::Redis => (
            redis_queue(shared).await.into(),
            TestDb::sqlite().await.unwrap(),
        ),
    };
    (queue, db, clock)
}

/// Makes one test per queue backend of `async fn name(backend: QueueBackend)`
/// (`name::sqlite`, `name::postgres`, `name::redis`); a second argument goes to
/// `#[tokio::test(…)]`.
macro_rules! queue_tests {
    ($name:ident) => {
        queue_tests!($name, crate = "tokio");
    };
    ($name:ident, $($tokio_args:tt)*) => {
        mod $name {
            use crate::common::QueueBackend;
            #[tokio::test($($tokio_args)*)]
            async fn sqlite() {
                super::$name(QueueBackend::Sqlite).await
            }
            #[tokio::test($($tokio_args)*)]
            async fn postgres() {
                super::$name(QueueBackend::Postgres).await
            }
            #[tokio::test($($tokio_args)*)]
            async fn redis() {
                super::$name(QueueBackend::Redis).await
            }
        }
    };
}
pub(crate) use queue_tests;

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
