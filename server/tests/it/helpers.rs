use agente_server::config::Config;
use agente_store::testing::TestDb;
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use std::net::SocketAddr;

/// A running server with its own database.
pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub backend: &'static str,
    /// The JWT signing secret, for forging tokens in tests.
    pub jwt_secret: Vec<u8>,
    /// Held so the test database lives as long as the app.
    #[allow(dead_code)]
    pub db: TestDb,
    /// The app's job queue (SQL on SQLite; Redis with Postgres).
    pub jobs: agente_jobs::Queue,
}

/// Postgres runs with Redis for the job queue and rate limits, as in production.
pub use agente_store::testing::Backend;

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Like [`spawn_app`], letting the test adjust the configuration first.
pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let db = backend.db().await;
    let data_dir =
        std::env::temp_dir().join(format!("agente-api-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&data_dir).unwrap();
    let login = agente_store::AppLogin::Password(agente_store::testing::TEST_APP_PASSWORD.into());
    let mut config = Config::for_tests(&db.url, login, data_dir).unwrap();
    if backend == Backend::Postgres {
        config.redis_url = Some(
            std::env::var("AGENTE_TEST_REDIS_URL")
                .unwrap_or_else(|_| "redis://127.0.0.1:6379".into()),
        );
    }
    // Apps running at once keep their jobs apart in the one Redis.
    config.redis_namespace = format!("test-{}", uuid::Uuid::new_v4().simple());
    adjust(&mut config);
    let jwt_secret = config.jwt_secret.clone();
    let state = agente_server::startup::build_state(config)
        .await
        .expect("app state");
    // Workers as in `agente serve`: runs nobody waits for go through the queue.
    let roles = agente_server::background::Roles {
        workers: Some(agente_jobs::WorkerOptions {
            idle_poll: std::time::Duration::from_millis(20),
            ..Default::default()
        }),
        scheduler: false,
    };
    std::mem::forget(agente_server::background::start(
        &state.db,
        &state.workflows,
        &state.notifier,
        &state.billing,
        roles,
        std::sync::Arc::new(agente_core::SystemClock),
    ));
    let jobs = state.workflows.jobs().clone();
    let app = agente_server::startup::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let name = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres+redis",
    };
    TestApp {
        base: format!("http://{addr}"),
        client,
        backend: name,
        jwt_secret,
        db,
        jobs,
    }
}

/// A unique e-mail address (Redis rate-limit keys outlive a test database).
pub fn email(name: &str) -> String {
    format!("{name}-{}@example.test", uuid::Uuid::new_v4().simple())
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn post(&self, path: &str, body: Value, token: Option<&str>) -> Response {
        let mut req = self.client.post(self.url(path)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    pub async fn put(&self, path: &str, body: Value, token: &str) -> Response {
        self.client
            .put(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Stores `workflow` for the caller; answers its id.
    pub async fn create_workflow(&self, workflow: Value, token: &str) -> String {
        let created: Value = self
            .post_json("/api/v1/workflows", workflow, Some(token))
            .await;
        created["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: not created: {created}", self.backend))
            .to_string()
    }

    /// Stores a credential of `kind` with `data` (under a fresh name); answers its id.
    pub async fn create_credential(&self, kind: &str, data: Value, token: &str) -> String {
        let name = format!("{kind} {}", uuid::Uuid::new_v4().simple());
        let created: Value = self
            .post_json(
                "/api/v1/credentials",
                json!({"name": name, "type": kind, "data": data}),
                Some(token),
            )
            .await;
        created["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: not created: {created}", self.backend))
            .to_string()
    }

    pub async fn delete(&self, path: &str, token: &str) -> Response {
        self.client
            .delete(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut req = self.client.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    /// GETs `path` and reads the answer's JSON body (whatever its status).
    pub async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&str>,
    ) -> T {
        self.get(path, token).await.json().await.unwrap()
    }

    /// POSTs `body` to `path` and reads the answer's JSON body (whatever its status).
    pub async fn post_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: Value,
        token: Option<&str>,
    ) -> T {
        self.post(path, body, token).await.json().await.unwrap()
    }

    /// Signs up a new tenant; answers (access token, refresh token, e-mail).
    pub async fn signup(&self, who: &str) -> (String, String, String) {
        let email = email(who);
        let res = self
            .post(
                "/api/v1/auth/signup",
                json!({"email": email, "password": "a long password", "tenant_name": who}),
                None,
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{}: signup",
            self.backend
        );
        let body: Value = res.json().await.unwrap();
        (
            body["access_token"].as_str().unwrap().into(),
            body["refresh_token"].as_str().unwrap().into(),
            email,
        )
    }
}

/// Asserts an RFC 9457 problem with `status` and `code`; answers the body.
pub async fn assert_problem(res: Response, status: StatusCode, code: &str, context: &str) -> Value {
    assert_eq!(res.status(), status, "{context}");
    let ctype = res
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(ctype, "application/problem+json", "{context}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], code, "{context}: {body}");
    assert_eq!(body["status"], status.as_u16(), "{context}");
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{context}"
    );
    body
}

/// The tenant of an access token, from its claims.
pub fn tenant_of(token: &str) -> String {
    use base64::Engine;
    let claims = token.split('.').nth(1).unwrap();
    let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(claims)
        .unwrap();
    let claims: Value = serde_json::from_slice(&claims).unwrap();
    claims["tid"].as_str().unwrap().to_string()
}
