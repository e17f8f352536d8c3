//! The embedded default: SQLite in WAL mode with foreign keys on.

use agente_store::{Db, DbOptions, Row};

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys() {
    let dir = std::env::temp_dir().join(format!("agente-wal-{}", uuid::Uuid::new_v4().simple()));
    let db = Db::open(
        &format!("sqlite://{}/agente.db", dir.display()),
        &DbOptions::default(),
    )
    .await
    .unwrap();
    let mut tx = db.tenant_read(agente_core::TenantId::new()).await.unwrap();
    let mode: String = agente_store::sqlx::query("PRAGMA journal_mode")
        .fetch_one(&mut *tx)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(mode.to_lowercase(), "wal");
    let fk: i64 = agente_store::sqlx::query("PRAGMA foreign_keys")
        .fetch_one(&mut *tx)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(fk, 1);
    drop(tx);
    db.close().await;
    std::fs::remove_dir_all(dir).unwrap();
}

/// A request dropped while its transaction is starting (the caller went away, a timeout
/// fired) must not hand the pool a connection still inside that transaction: the next
/// user of the connection would fail to begin, and on SQLite the open `BEGIN IMMEDIATE`
/// would hold the write lock for good.
#[tokio::test]
async fn a_transaction_dropped_while_it_begins_leaves_the_pool_usable() {
    use std::future::Future;
    use std::task::{Context, Poll};

    let dir = std::env::temp_dir().join(format!("agente-drop-{}", uuid::Uuid::new_v4().simple()));
    // One connection, so that every attempt reuses the connection the one before dropped.
    let options = DbOptions {
        max_connections: 1,
        ..DbOptions::default()
    };
    let db = Db::open(&format!("sqlite://{}/agente.db", dir.display()), &options)
        .await
        .unwrap();
    let waker = futures::task::noop_waker();
    let mut dropped_while_pending = 0;
    for attempt in 0..400 {
        // Let the connection released before go back to the pool first.
        tokio::task::yield_now().await;
        let mut begin = Box::pin(db.system_tx());
        // Poll a varying number of times, letting the database thread work in between,
        // so that the drop lands on each await of the begin in turn.
        let polls = attempt % 8;
        let mut pending = polls > 0;
        for _ in 0..polls {
            if let Poll::Ready(tx) = begin.as_mut().poll(&mut Context::from_waker(&waker)) {
                drop(tx.unwrap());
                pending = false;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_micros(50 * (attempt % 5))).await;
        }
        drop(begin);
        dropped_while_pending += u32::from(pending);
        let tx = tokio::time::timeout(std::time::Duration::from_secs(10), db.system_tx())
            .await
            .expect("a connection comes back to the pool")
            .unwrap_or_else(|e| panic!("attempt {attempt}: {e}"));
        tx.commit().await.unwrap();
    }
    // Many attempts must have dropped a begin under way, or this tested nothing.
    assert!(dropped_while_pending > 40, "{dropped_while_pending}");
    db.close().await;
    std::fs::remove_dir_all(dir).unwrap();
}
