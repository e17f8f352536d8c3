//! Helpers shared by the queue and worker tests.

use agente_jobs::SqlQueue;

/// Nothing waits, runs or lies dead in any queue.
pub async fn drained(q: &SqlQueue) -> bool {
    q.stats()
        .await
        .unwrap()
        .iter()
        .all(|s| s.ready + s.scheduled + s.running + s.dead == 0)
}
