//! The notifier over real databases (SQLite and Postgres) and real receivers: an SMTP sink
//! (aiosmtpd), a Slack-style incoming webhook, a signature-checking webhook receiver and a
//! Web Push service that checks VAPID and decrypts. Jobs are drained from the real queue.

use agente_auth::{AuthMethod, Principal};
use agente_core::{Role, SecretBox, SystemClock, TenantId, UserId};
use agente_jobs::{DEFAULT_QUEUE, JobCall, JobError, Queue, SqlQueue};
use agente_network::NetworkPolicy;
use agente_network::smtp::{Security, SmtpConfig};
use agente_network::testing::{SinkTls, SmtpSink};
use agente_notify::push::Vapid;
use agente_notify::service::{DeliveryInfo, DeliveryQuery, NewRule, RulePatch, SmtpSettings};
use agente_notify::testing::PushService;
use agente_notify::{
    DeliverJob, Event, EventKind, Notifier, NotifierError, NotifierOptions, Template, webhook,
};
use agente_store::Db;
use agente_store::backend_tests;
use agente_store::testing::Backend;
use agente_store::testing::TestDb;
use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::routing::post;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Seen = Arc<Mutex<Vec<(String, HeaderMap, Value)>>>;

/// Slack's incoming webhook (`/slack`, answers `ok`) and a generic receiver (`/hook`).
async fn receivers() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let (a, b) = (seen.clone(), seen.clone());
    let app = axum::Router::new()
        .route(
            "/slack",
            post(move |h: HeaderMap, body: Bytes| async move {
                a.lock()
                    .unwrap()
                    .push(("slack".into(), h, serde_json::from_slice(&body).unwrap()));
                "ok"
            }),
        )
        .route(
            "/hook",
            post(move |h: HeaderMap, body: Bytes| async move {
                let raw = String::from_utf8(body.to_vec()).unwrap();
                b.lock()
                    .unwrap()
                    .push(("hook".into(), h, json!({ "raw": raw })));
                "thanks"
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, seen)
}

struct Setup {
    db: Db,
    queue: Queue,
    notifier: Notifier,
    admin: Principal,
}

async fn tenant(db: &Db, name: &str, role: Role) -> Principal {
    let id = TenantId::new();
    let user = UserId::new();
    let mut tx = db.tenant_tx(id).await.unwrap();
    agente_store::sqlx::query("INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, 0)")
        .bind(id.to_string())
        .bind(name)
        .execute(&mut *tx)
        .await
        .unwrap();
    agente_store::sqlx::query(
        "INSERT INTO users (id, tenant_id, email, password_hash, role, created_at) VALUES ($1, $2, $3, 'x', 'owner', 0)",
    )
    .bind(user.to_string())
    .bind(id.to_string())
    .bind(format!("{user}@example.com"))
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Principal {
        tenant_id: id,
        user_id: Some(user),
        role,
        method: AuthMethod::AccessToken,
    }
}

async fn setup(test: &TestDb, allow_private: bool, smtp: Option<SmtpConfig>) -> Setup {
    let db = test.db.clone();
    let queue: Queue = SqlQueue::new(db.clone(), Arc::new(SystemClock)).into();
    let options = NotifierOptions {
        public_url: Some("https://agente.example".into()),
        smtp,
        vapid: Some(Vapid::from_base64(&Vapid::generate_key(), "mailto:ops@example.com").unwrap()),
        network: NetworkPolicy::with_private(allow_private),
        proxy: None,
    };
    let notifier = Notifier::new(
        db.clone(),
        queue.clone(),
        SecretBox::from_bytes(&[7u8; 32]),
        Arc::new(SystemClock),
        options,
    );
    let admin = tenant(&db, "Acme", Role::Admin).await;
    Setup {
        db,
        queue,
        notifier,
        admin,
    }
}

/// Runs every due notification job as a worker would; answers the errors of failed ones.
async fn drain(s: &Setup) -> Vec<String> {
    let mut errors = Vec::new();
    loop {
        let leases = s
            .queue
            .claim(&[DEFAULT_QUEUE.to_string()], "test", 30_000, 16)
            .await
            .unwrap();
        if leases.is_empty() {
            return errors;
        }
        for lease in leases {
            let outcome = agente_notify::job_handlers(&s.notifier)
                .handle(lease.job.clone())
                .await;
            match outcome {
                Ok(()) => {
                    s.queue.complete(&lease).await.unwrap();
                }
                Err(e) => {
                    errors.push(e.to_string());
                    s.queue.fail(&lease, &e.to_string(), None).await.unwrap();
                }
            }
        }
    }
}

fn rule(name: &str, channel: &str, target: Value) -> NewRule {
    serde_json::from_value(json!({
        "name": name, "events": ["execution.failed"], "channel": channel, "target": target,
    }))
    .unwrap()
}

fn failed(execution: &str, workflow: &str) -> Event {
    Event::execution_failed(
        execution,
        workflow,
        "Sync orders",
        "webhook",
        "HTTP 502 from the shop",
        Some("Fetch"),
        agente_core::Clock::now_ms(&SystemClock),
    )
}

/// The server's SMTP relay: the sink.
fn relay(sink: &SmtpSink) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".into(),
        port: sink.port,
        security: Security::None,
        username: None,
        password: None,
        from: "Agente <alerts@agente.example>".into(),
        accept_invalid_certs: false,
        tls_name: None,
        timeout_secs: Some(10),
    }
}

async fn deliveries(s: &Setup) -> Vec<DeliveryInfo> {
    s.notifier
        .list_deliveries(&s.admin, &DeliveryQuery::default())
        .await
        .unwrap()
}

backend_tests!(an_event_reaches_every_channel_rendered_and_signed);
async fn an_event_reaches_every_channel_rendered_and_signed(backend: Backend) {
    let sink = SmtpSink::start(SinkTls::None).await;
    let (base, seen) = receivers().await;
    let push = PushService::start().await;
    let test = backend.db().await;
    let s = setup(&test, true, Some(relay(&sink))).await;
    let n = &s.notifier;
    n.create_rule(
        &s.admin,
        rule(
            "Ops mail",
            "email",
            json!({ "to": ["ops@acme.test", "Lead@Acme.test"] }),
        ),
    )
    .await
    .unwrap();
    n.create_rule(
        &s.admin,
        rule("Slack", "slack", json!({ "url": format!("{base}/slack") })),
    )
    .await
    .unwrap();
    let hook = n
        .create_rule(
            &s.admin,
            rule(
                "Hook",
                "webhook",
                json!({ "url": format!("{base}/hook?token=abc") }),
            ),
        )
        .await
        .unwrap();
    let secret = hook
        .signing_secret
        .clone()
        .expect("a made secret is shown once");
    assert!(secret.starts_with("whsec_"));
    n.create_rule(&s.admin, rule("Phones", "push", json!({})))
        .await
        .unwrap();
    n.subscribe_push(
        &s.admin,
        &push.subscribe(&format!("{backend}-phone")),
        Some("Pixel"),
    )
    .await
    .unwrap();
    n.subscribe_push(&s.admin, &push.subscribe("gone"), None)
        .await
        .unwrap();
    assert_eq!(n.list_push_subscriptions(&s.admin).await.unwrap().len(), 2);

    // Listed rules never show secrets.
    let listed = serde_json::to_string(&n.list_rules(&s.admin).await.unwrap()).unwrap();
    assert!(
        !listed.contains("whsec_") && !listed.contains("token=abc"),
        "{listed}"
    );

    let before_mail = sink.delivered().len();
    let before_seen = seen.lock().unwrap().len();
    n.emit(s.admin.tenant_id, &failed("ex-1", "wf-1"))
        .await
        .unwrap();
    let errors = drain(&s).await;
    assert!(errors.is_empty(), "{backend}: {errors:?}");

    let log = deliveries(&s).await;
    assert_eq!(log.len(), 4, "{backend}");
    for d in &log {
        assert_eq!(d.status, "sent", "{backend}: {d:?}");
        assert_eq!(d.subject, "Workflow “Sync orders” failed");
        assert!(
            d.body.contains("https://agente.example/executions/ex-1"),
            "{}",
            d.body
        );
    }

    let mails = sink.delivered();
    assert_eq!(mails.len(), before_mail + 1, "{backend}");
    let mail = mails.iter().find(|m| m.contains("ex-1")).unwrap();
    assert!(
        mail.contains("ops@acme.test") && mail.contains("lead@acme.test"),
        "{mail}"
    );
    assert!(mail.contains("Error: HTTP 502 from the shop"), "{mail}");

    let seen_now: Vec<_> = seen.lock().unwrap()[before_seen..].to_vec();
    let slack = seen_now.iter().find(|(k, ..)| k == "slack").unwrap();
    assert!(
        slack.2["text"]
            .as_str()
            .unwrap()
            .starts_with("*Workflow “Sync orders” failed*\n")
    );
    let (_, headers, body) = seen_now.iter().find(|(k, ..)| k == "hook").unwrap();
    let raw = body["raw"].as_str().unwrap();
    let signature = headers
        .get(webhook::SIGNATURE_HEADER)
        .unwrap()
        .to_str()
        .unwrap();
    let now_s = agente_core::Clock::now_ms(&SystemClock) / 1000;
    webhook::verify(secret.as_bytes(), signature, raw.as_bytes(), now_s, 300)
        .expect("signed with the rule's secret");
    let payload: Value = serde_json::from_str(raw).unwrap();
    assert_eq!(payload["type"], "execution.failed");
    assert_eq!(payload["data"]["workflow"]["id"], "wf-1");
    assert_eq!(payload["subject"], "Workflow “Sync orders” failed");

    let pushed: Vec<_> = push
        .received()
        .into_iter()
        .filter(|(d, _)| d == &format!("{backend}-phone"))
        .collect();
    assert_eq!(pushed.len(), 1);
    assert_eq!(pushed[0].1["title"], "Workflow “Sync orders” failed");
    assert_eq!(pushed[0].1["url"], "https://agente.example/executions/ex-1");
    // The ended subscription was forgotten.
    let devices = n.list_push_subscriptions(&s.admin).await.unwrap();
    assert_eq!(
        devices.iter().map(|d| d.label.as_str()).collect::<Vec<_>>(),
        ["Pixel"]
    );

    // The same event told again notifies nobody twice.
    n.emit(s.admin.tenant_id, &failed("ex-1", "wf-1"))
        .await
        .unwrap();
    let event = failed("ex-1", "wf-1");
    assert_eq!(n.fan_out(s.admin.tenant_id, &event).await.unwrap(), 0);
    drain(&s).await;
    assert_eq!(deliveries(&s).await.len(), 4, "{backend}");
}

backend_tests!(throttling_holds_back_repeats_per_workflow_and_counts_them);
async fn throttling_holds_back_repeats_per_workflow_and_counts_them(backend: Backend) {
    let (base, _seen) = receivers().await;
    let test = backend.db().await;
    let s = setup(&test, true, None).await;
    let r = s
        .notifier
        .create_rule(
            &s.admin,
            rule("Slack", "slack", json!({ "url": format!("{base}/slack") })),
        )
        .await
        .unwrap();
    assert_eq!(r.throttle_secs, 600, "10 minutes by default");
    for i in 0..5 {
        s.notifier
            .emit(s.admin.tenant_id, &failed(&format!("a{i}"), "wf-a"))
            .await
            .unwrap();
        drain(&s).await;
    }
    s.notifier
        .emit(s.admin.tenant_id, &failed("b0", "wf-b"))
        .await
        .unwrap();
    drain(&s).await;
    let log = deliveries(&s).await;
    assert_eq!(log.len(), 2, "{backend}: one per workflow");
    let a = log
        .iter()
        .find(|d| d.body.contains("/executions/a0"))
        .unwrap();
    assert_eq!(a.suppressed, 4, "{backend}");

    // Without throttling every event goes out.
    s.notifier
        .update_rule(
            &s.admin,
            &r.id,
            RulePatch {
                throttle_seconds: Some(0),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    s.notifier
        .emit(s.admin.tenant_id, &failed("a9", "wf-a"))
        .await
        .unwrap();
    drain(&s).await;
    assert_eq!(deliveries(&s).await.len(), 3, "{backend}");

    // A disabled rule hears nothing.
    s.notifier
        .update_rule(
            &s.admin,
            &r.id,
            RulePatch {
                enabled: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    s.notifier
        .emit(s.admin.tenant_id, &failed("a10", "wf-a"))
        .await
        .unwrap();
    drain(&s).await;
    assert_eq!(deliveries(&s).await.len(), 3, "{backend}");

    // A rule for one workflow hears only that workflow's failures.
    s.db.tenant_execute(
        s.admin.tenant_id,
        agente_store::sqlx::query(
            "INSERT INTO workflows (id, tenant_id, name, definition, version, created_at, updated_at) \
             VALUES ('wf-c', $1, 'c', '{}', 1, 0, 0)",
        )
        .bind(s.admin.tenant_id.to_string()),
    )
    .await
    .unwrap();
    let mut only_c = rule("Only C", "slack", json!({ "url": format!("{base}/slack") }));
    only_c.workflow_id = Some("wf-c".into());
    s.notifier.create_rule(&s.admin, only_c).await.unwrap();
    let mut unknown = rule(
        "Unknown",
        "slack",
        json!({ "url": format!("{base}/slack") }),
    );
    unknown.workflow_id = Some("wf-nope".into());
    assert!(matches!(
        s.notifier.create_rule(&s.admin, unknown).await,
        Err(NotifierError::NotFound(_))
    ));
    for (execution, workflow) in [("a11", "wf-a"), ("c1", "wf-c")] {
        s.notifier
            .emit(s.admin.tenant_id, &failed(execution, workflow))
            .await
            .unwrap();
    }
    drain(&s).await;
    let log = deliveries(&s).await;
    assert_eq!(log.len(), 4, "{backend}: only wf-c's failure went out");
    assert!(log[0].body.contains("/executions/c1"), "{backend}");
}

backend_tests!(passing_failures_retry_after_the_receivers_wait_then_fail_for_good);
async fn passing_failures_retry_after_the_receivers_wait_then_fail_for_good(backend: Backend) {
    let push = PushService::start().await;
    let test = backend.db().await;
    let s = setup(&test, true, None).await;
    s.notifier
        .create_rule(&s.admin, rule("Phones", "push", json!({})))
        .await
        .unwrap();
    s.notifier
        .subscribe_push(&s.admin, &push.subscribe("busy"), None)
        .await
        .unwrap();
    s.notifier
        .emit(s.admin.tenant_id, &failed("ex-1", "wf-1"))
        .await
        .unwrap();
    // Fan out only.
    let lease = s
        .queue
        .claim(&[DEFAULT_QUEUE.into()], "t", 30_000, 1)
        .await
        .unwrap()
        .remove(0);
    let event: Event = serde_json::from_value(lease.job.payload.clone()).unwrap();
    assert_eq!(
        s.notifier.fan_out(s.admin.tenant_id, &event).await.unwrap(),
        1
    );
    s.queue.complete(&lease).await.unwrap();
    let lease = s
        .queue
        .claim(&[DEFAULT_QUEUE.into()], "t", 30_000, 1)
        .await
        .unwrap()
        .remove(0);
    let job = &lease.job;
    assert_eq!(job.kind, "notify.deliver");
    let delivery = JobCall::<DeliverJob>::from_job(job.clone())
        .unwrap()
        .payload
        .delivery;
    match s
        .notifier
        .deliver(s.admin.tenant_id, &delivery, 1, job.max_attempts)
        .await
    {
        Err(JobError::RetryAfter { after, message }) => {
            assert_eq!(after, Duration::from_secs(3), "{backend}");
            assert!(message.contains("429"), "{message}");
        }
        other => panic!("{backend}: expected a retry, got {other:?}"),
    }
    let d = &deliveries(&s).await[0];
    assert_eq!((d.status.as_str(), d.attempts), ("pending", 1), "{backend}");
    assert!(d.last_error.as_deref().unwrap().contains("429"));
    // The last attempt records the failure for good and does not ask for another.
    s.notifier
        .deliver(
            s.admin.tenant_id,
            &delivery,
            job.max_attempts,
            job.max_attempts,
        )
        .await
        .unwrap();
    let d = &deliveries(&s).await[0];
    assert_eq!((d.status.as_str(), d.attempts), ("failed", 2), "{backend}");
    // A repeated job leaves a finished delivery alone.
    s.notifier
        .deliver(s.admin.tenant_id, &delivery, 1, job.max_attempts)
        .await
        .unwrap();
    assert_eq!(deliveries(&s).await[0].attempts, 2);
    s.queue.complete(&lease).await.unwrap();

    // Sent again by hand: pending, and its job goes out.
    let again = s.notifier.retry_delivery(&s.admin, &d.id).await.unwrap();
    assert_eq!(again.status, "pending");
    let err = s
        .notifier
        .retry_delivery(&s.admin, &d.id)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("only a failed delivery"), "{err}");
    assert_eq!(
        s.queue
            .claim(&[DEFAULT_QUEUE.into()], "t", 30_000, 5)
            .await
            .unwrap()
            .len(),
        1
    );
}

backend_tests!(a_tenants_own_smtp_server_is_sealed_and_held_to_the_network_policy);
async fn a_tenants_own_smtp_server_is_sealed_and_held_to_the_network_policy(backend: Backend) {
    let sink = SmtpSink::start(SinkTls::None).await;
    let test = backend.db().await;
    for allow_private in [false, true] {
        let s = setup(&test, allow_private, None).await;
        let settings: SmtpSettings = serde_json::from_value(json!({
            "host": "127.0.0.1", "port": sink.port, "security": "none",
            "username": "mailer", "password": "hunter2-secret", "from": "Acme Alerts <alerts@acme.test>",
        }))
        .unwrap();
        if !allow_private {
            // A literal private address is refused when saved (names are checked again
            // after DNS at each send).
            let refused = s.notifier.set_smtp(&s.admin, settings).await.unwrap_err();
            assert!(
                refused.to_string().contains("local or private network"),
                "{backend}: {refused}"
            );
            continue;
        }
        let shown = s.notifier.set_smtp(&s.admin, settings).await.unwrap();
        assert!(shown.smtp.as_ref().unwrap().has_password);
        let text = serde_json::to_string(&shown).unwrap();
        assert!(!text.contains("hunter2"), "{text}");
        // Stored sealed.
        let mut tx = s.db.tenant_read(s.admin.tenant_id).await.unwrap();
        let raw: String = agente_store::Row::get(
            &agente_store::sqlx::query(
                "SELECT smtp FROM notification_settings WHERE tenant_id = $1",
            )
            .bind(s.admin.tenant_id.to_string())
            .fetch_one(&mut *tx)
            .await
            .unwrap(),
            "smtp",
        );
        drop(tx);
        assert!(
            !raw.contains("hunter2") && !raw.contains("mailer"),
            "{backend}"
        );
        // Saving without a password keeps it; an empty one clears it (the plain sink
        // offers no AUTH, so the test mail goes without).
        let again: SmtpSettings = serde_json::from_value(json!({
            "host": "127.0.0.1", "port": sink.port, "security": "none", "username": "mailer", "from": "alerts@acme.test",
        }))
        .unwrap();
        let shown = s.notifier.set_smtp(&s.admin, again).await.unwrap();
        assert!(shown.smtp.unwrap().has_password);
        let cleared: SmtpSettings = serde_json::from_value(json!({
            "host": "127.0.0.1", "port": sink.port, "security": "none", "username": "", "password": "", "from": "alerts@acme.test",
        }))
        .unwrap();
        let shown = s.notifier.set_smtp(&s.admin, cleared).await.unwrap();
        assert!(!shown.smtp.unwrap().has_password);

        let r = s
            .notifier
            .create_rule(
                &s.admin,
                rule("Mail", "email", json!({ "to": "ops@acme.test" })),
            )
            .await
            .unwrap();
        let test = s.notifier.test_rule(&s.admin, &r.id).await.unwrap();
        assert_eq!(test.subject, "Test notification from Acme");
        drain(&s).await;
        let d = deliveries(&s).await.remove(0);
        assert_eq!(d.status, "sent", "{backend}: {d:?}");
    }
    assert_eq!(sink.delivered().len(), 1, "one test mail, when allowed");
}

backend_tests!(rules_are_checked_and_kept_to_their_tenant);
async fn rules_are_checked_and_kept_to_their_tenant(backend: Backend) {
    let test = backend.db().await;
    let s = setup(&test, false, None).await;
    let n = &s.notifier;
    let bad = |event: &str, channel: &str, target: Value| {
        serde_json::from_value::<NewRule>(
            json!({ "name": "x", "events": [event], "channel": channel, "target": target }),
        )
        .unwrap()
    };
    for (input, expect) in [
        (
            bad("execution.succeeded", "email", json!({ "to": ["a@b.co"] })),
            "unknown event",
        ),
        (bad("execution.failed", "sms", json!({})), "unknown channel"),
        (
            bad("execution.failed", "email", json!({ "to": [] })),
            "1 to 20 addresses",
        ),
        (
            bad(
                "execution.failed",
                "email",
                json!({ "to": ["not an address"] }),
            ),
            "not a valid e-mail",
        ),
        (
            bad(
                "execution.failed",
                "webhook",
                json!({ "url": "ftp://x.example" }),
            ),
            "http(s) URL",
        ),
        (
            bad(
                "execution.failed",
                "webhook",
                json!({ "url": "http://127.0.0.1:9/x" }),
            ),
            "local or private",
        ),
        (
            bad(
                "execution.failed",
                "webhook",
                json!({ "url": "https://x.example", "secret": "short" }),
            ),
            "16 to 256",
        ),
        (
            bad("execution.failed", "push", json!({ "userIds": ["nobody"] })),
            "not a member",
        ),
    ] {
        let err = n.create_rule(&s.admin, input).await.unwrap_err();
        assert!(
            matches!(err, NotifierError::BadInput(_)),
            "{backend}: {err}"
        );
        assert!(
            err.to_string().contains(expect),
            "{backend}: `{err}` lacks `{expect}`"
        );
    }
    let viewer = Principal {
        role: Role::Viewer,
        ..s.admin.clone()
    };
    assert!(matches!(
        n.list_rules(&viewer).await,
        Err(NotifierError::Auth(_))
    ));
    let editor = Principal {
        role: Role::Editor,
        ..s.admin.clone()
    };
    assert!(n.list_rules(&editor).await.is_ok());
    assert!(matches!(
        n.create_rule(&editor, rule("x", "email", json!({ "to": ["a@b.co"] })))
            .await,
        Err(NotifierError::Auth(_))
    ));

    let mine = n
        .create_rule(&s.admin, rule("Mine", "email", json!({ "to": ["a@b.co"] })))
        .await
        .unwrap();
    let other = tenant(&s.db, "Other", Role::Admin).await;
    assert!(n.list_rules(&other).await.unwrap().is_empty(), "{backend}");
    assert!(matches!(
        n.delete_rule(&other, &mine.id).await,
        Err(NotifierError::NotFound(_))
    ));
    assert!(matches!(
        n.test_rule(&other, &mine.id).await,
        Err(NotifierError::NotFound(_))
    ));
    n.test_rule(&s.admin, &mine.id).await.unwrap();
    let theirs = n
        .list_deliveries(&other, &DeliveryQuery::default())
        .await
        .unwrap();
    assert!(theirs.is_empty(), "{backend}");
    let log = deliveries(&s).await;
    assert!(matches!(
        n.retry_delivery(&other, &log[0].id).await,
        Err(NotifierError::NotFound(_))
    ));
    // An event for the other tenant does not reach this tenant's rule.
    let mut event = failed("x1", "wf");
    event.kind = EventKind::ExecutionFailed;
    assert_eq!(n.fan_out(other.tenant_id, &event).await.unwrap(), 0);
    n.delete_rule(&s.admin, &mine.id).await.unwrap();
    assert!(n.list_rules(&s.admin).await.unwrap().is_empty());
}

backend_tests!(a_tenants_template_words_its_messages);
async fn a_tenants_template_words_its_messages(backend: Backend) {
    let (base, seen) = receivers().await;
    let test = backend.db().await;
    let s = setup(&test, true, None).await;
    let n = &s.notifier;
    let broken = Template {
        subject: "{{ workflow.name ".into(),
        body: "x".into(),
    };
    let err = n
        .set_template(&s.admin, "execution.failed", broken)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("subject template does not render"),
        "{err}"
    );
    let mine = Template {
        subject: "[{{ workspace }}] {{ workflow.name }} broke".into(),
        body: "{{ error | upper }}{% if node %} in {{ node }}{% endif %}".into(),
    };
    let preview = n
        .preview_template(&s.admin, "execution.failed", &mine)
        .unwrap();
    assert_eq!(preview.subject, "[Acme] Sync orders broke");
    n.set_template(&s.admin, "execution.failed", mine)
        .await
        .unwrap();
    let listed = n.list_templates(&s.admin).await.unwrap();
    assert!(
        listed
            .iter()
            .any(|t| t.kind == EventKind::ExecutionFailed && t.custom)
    );
    n.create_rule(
        &s.admin,
        rule("Slack", "slack", json!({ "url": format!("{base}/slack") })),
    )
    .await
    .unwrap();
    let before = seen.lock().unwrap().len();
    n.emit(s.admin.tenant_id, &failed("ex-7", "wf-7"))
        .await
        .unwrap();
    drain(&s).await;
    let text = seen.lock().unwrap()[before..]
        .iter()
        .find(|(k, ..)| k == "slack")
        .unwrap()
        .2["text"]
        .clone();
    assert_eq!(
        text, "*[Acme] Sync orders broke*\nHTTP 502 FROM THE SHOP in Fetch",
        "{backend}"
    );
    let reset = n
        .reset_template(&s.admin, "execution.failed")
        .await
        .unwrap();
    assert!(!reset.custom);
    assert!(matches!(
        n.set_template(&s.admin, "nope", Template::builtin(EventKind::Test))
            .await,
        Err(NotifierError::NotFound(_))
    ));
}

backend_tests!(a_failed_payment_reaches_the_owners_when_no_rule_wants_it);
async fn a_failed_payment_reaches_the_owners_when_no_rule_wants_it(backend: Backend) {
    let sink = SmtpSink::start(SinkTls::None).await;
    let test = backend.db().await;
    let s = setup(&test, true, Some(relay(&sink))).await;
    let n = &s.notifier;
    let owner: String = {
        let mut tx = s.db.tenant_read(s.admin.tenant_id).await.unwrap();
        let row = agente_store::sqlx::query("SELECT email FROM users WHERE tenant_id = $1")
            .bind(s.admin.tenant_id.to_string())
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        agente_store::Row::try_get(&row, "email").unwrap()
    };
    let now = agente_core::Clock::now_ms(&SystemClock);
    let before = sink.delivered().len();

    // No rule: the owners hear of a failed payment, once however often it is told.
    let payment = Event::payment_failed(
        &format!("in_{backend}"),
        "24.00 USD",
        Some(&format!("https://invoice.example/in_{backend}")),
        now,
    );
    n.emit(s.admin.tenant_id, &payment).await.unwrap();
    assert!(drain(&s).await.is_empty(), "{backend}");
    assert_eq!(n.fan_out(s.admin.tenant_id, &payment).await.unwrap(), 0);
    let log = deliveries(&s).await;
    assert_eq!(log.len(), 1, "{backend}: one notice");
    assert_eq!(log[0].audience.as_deref(), Some("owners"));
    assert_eq!(log[0].rule_id, None);
    assert_eq!(log[0].channel, "email");
    assert_eq!(log[0].status, "sent", "{backend}: {:?}", log[0].last_error);
    assert!(
        log[0].target_label.contains(&owner),
        "{}",
        log[0].target_label
    );
    let mails = sink.delivered();
    assert_eq!(mails.len(), before + 1, "{backend}");
    let mail = mails
        .iter()
        .find(|m| m.contains(&format!("in_{backend}")))
        .expect("the notice");
    assert!(mail.contains(&owner), "addressed to the owner: {mail}");
    assert!(mail.contains("24.00 USD"), "{mail}");

    // A warning is a rule's business: no rule, no message.
    let warning = Event::quota(
        EventKind::QuotaWarning,
        "executions",
        80,
        100,
        "2026-11",
        now,
    );
    assert_eq!(n.fan_out(s.admin.tenant_id, &warning).await.unwrap(), 0);

    // With a rule for it, the rule gets it and the owners get no second copy.
    let mut wanted = rule(
        "Billing hook",
        "email",
        json!({ "to": ["billing@acme.test"] }),
    );
    wanted.events = vec!["payment.failed".into()];
    n.create_rule(&s.admin, wanted).await.unwrap();
    let again = Event::payment_failed(&format!("in_{backend}_2"), "24.00 USD", None, now);
    assert_eq!(n.fan_out(s.admin.tenant_id, &again).await.unwrap(), 1);
    assert!(drain(&s).await.is_empty());
    let newest = &deliveries(&s).await[0];
    assert_eq!(newest.audience, None);
    assert_eq!(newest.target_label, "billing@acme.test");
    assert_eq!(sink.delivered().len(), before + 2);
}

backend_tests!(without_an_smtp_server_no_owners_notice_is_written);
async fn without_an_smtp_server_no_owners_notice_is_written(backend: Backend) {
    let test = backend.db().await;
    let s = setup(&test, true, None).await;
    let now = agente_core::Clock::now_ms(&SystemClock);
    let exceeded = Event::quota(
        EventKind::QuotaExceeded,
        "executions",
        100,
        100,
        "2026-11",
        now,
    );
    assert_eq!(
        s.notifier
            .fan_out(s.admin.tenant_id, &exceeded)
            .await
            .unwrap(),
        0,
        "{backend}"
    );
    assert!(deliveries(&s).await.is_empty(), "{backend}");
}
