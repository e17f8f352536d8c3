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
