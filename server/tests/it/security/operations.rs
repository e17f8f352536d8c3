//! Operations endpoints (item 10): metrics are not public, readiness tells states only.

use crate::helpers::{Backend, assert_problem, spawn_app};
use agente_store::sqlx::{self, Connection, Executor};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn metrics_are_not_served_to_anyone_by_default() {
    let app = spawn_app(Backend::Sqlite).await;
    let (token, _, _) = app.signup("curious").await;
    for auth in [None, Some(token.as_str())] {
        let res = app.get("/metrics", auth).await;
        assert_problem(res, StatusCode::NOT_FOUND, "not_found", "no token set").await;
    }
}

#[tokio::test]
async fn readiness_says_unavailable_without_the_databases_words() {
    let app = spawn_app(Backend::Postgres).await;
    let ready: Value = app.get_json("/readyz", None).await;
    assert_eq!(ready["database"], "ok");
    // Keep the application's login out of the database and end its connections.
    let name = app.db.url.rsplit('/').next().unwrap().to_string();
    let mut admin = sqlx::AnyConnection::connect(&agente_store::testing::postgres_admin_url())
        .await
        .unwrap();
    let refuse = format!("ALTER DATABASE {name} CONNECTION LIMIT 0");
    admin.execute(refuse.as_str()).await.unwrap();
    let cut = format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND usename = 'agente_app'"
    );
    admin.execute(cut.as_str()).await.unwrap();
    let res = app.get("/readyz", None).await;
    let status = res.status();
    let text = res.text().await.unwrap();
    let restore = format!("ALTER DATABASE {name} CONNECTION LIMIT -1");
    admin.execute(restore.as_str()).await.unwrap();
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["database"], "unavailable", "{text}");
    for leak in ["agente_app", "connection", "error", &name] {
        assert!(!text.contains(leak), "readiness shows `{leak}`: {text}");
    }
}
