//! Webhook paths with parameters, the Webhook node's authentication, and test webhooks.

use crate::common::{service, tenant};
use agente_store::backend_tests;
use agente_store::testing::Backend;
use agente_store::testing::TestDb;
use agente_workflows::{NewCredential, WebhookCall, WorkflowServiceError};
use base64::Engine as _;
use serde_json::{Map, Value, json};

/// Webhook (answers with the last node) → Respond with what the item carried.
fn hook(path: &str, webhook_id: &str, auth: &str, credentials: Value) -> Value {
    json!({"name": format!("hook {path}"), "nodes": [
        {"name": "Hook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "webhookId": webhook_id,
         "parameters": {"httpMethod": "GET", "path": path, "authentication": auth, "responseMode": "lastNode"},
         "credentials": credentials},
        {"name": "Echo", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "parameters": {
            "mode": "manual", "assignments": {"assignments": [
                {"name": "params", "value": "={{ $json.params }}", "type": "object"},
                {"name": "mode", "value": "={{ $json.executionMode }}", "type": "string"}]}}}
    ], "connections": {"Hook": {"main": [[{"node": "Echo", "type": "main", "index": 0}]]}}})
}

fn get(path: &str, headers: &[(&str, &str)]) -> WebhookCall {
    WebhookCall {
        method: "GET".into(),
        path: path.into(),
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
            .collect::<Map<_, _>>(),
        ..WebhookCall::default()
    }
}

backend_tests!(paths_with_parameters_are_registered_under_the_webhook_id);
async fn paths_with_parameters_are_registered_under_the_webhook_id(backend: Backend) {
    let db = backend.db().await;
    let svc = service(&db);
    let a = tenant(&db.db, "A").await;
    let wid = format!("wh-{backend}");
    let id = svc
        .create(
            &a,
            &hook("user/:id/:tab", &wid, "none", json!({})).to_string(),
        )
        .await
        .unwrap()[0]
        .id;
    svc.activate(&a, id).await.unwrap();
    // A fixed path beside it wins when both match.
    let fixed = svc
        .create(
            &a,
            &hook(&format!("{wid}/user/me/info"), "other", "none", json!({})).to_string(),
        )
        .await
        .unwrap()[0]
        .id;
    svc.activate(&a, fixed).await.unwrap();

    let reply = svc
        .handle_webhook(get(&format!("{wid}/user/42/orders"), &[]))
        .await
        .unwrap();
    assert_eq!(reply.status, 200, "{backend}: {:?}", reply.body);
    assert_eq!(reply.body["params"], json!({"id": "42", "tab": "orders"}));
    assert_eq!(reply.body["mode"], "production");
    let reply = svc
        .handle_webhook(get(&format!("{wid}/user/me/info"), &[]))
        .await
        .unwrap();
    assert_eq!(reply.body["params"], json!({}), "{backend}");
    for wrong in [
        format!("{wid}/user/42"),
        format!("{wid}/team/1/x"),
        "user/42/x".into(),
    ] {
        assert!(
            matches!(
                svc.handle_webhook(get(&wrong, &[])).await,
                Err(WorkflowServiceError::NotFound(_))
            ),
            "{backend}: {wrong}"
        );
    }
}

backend_tests!(header_and_basic_auth_are_checked_before_anything_runs);
async fn header_and_basic_auth_are_checked_before_anything_runs(backend: Backend) {
    let db = backend.db().await;
    let svc = service(&db);
    let a = tenant(&db.db, "A").await;
    let cred = |name: &str, kind: &str, data: Value| NewCredential {
        name: name.into(),
        kind: kind.into(),
        data: serde_json::from_value(data).unwrap(),
    };
    let header = svc
        .credentials()
        .create(
            &a,
            cred(
                "hdr",
                "httpHeaderAuth",
                json!({"name": "X-Token", "value": "s3cret"}),
            ),
        )
        .await
        .unwrap();
    let basic = svc
        .credentials()
        .create(
            &a,
            cred(
                "basic",
                "httpBasicAuth",
                json!({"user": "ann", "password": "pa:ss"}),
            ),
        )
        .await
        .unwrap();
    let h = format!("h-{backend}");
    let b = format!("b-{backend}");
    for wf in [
        hook(
            &h,
            "1",
            "headerAuth",
            json!({"httpHeaderAuth": {"id": header.id, "name": "hdr"}}),
        ),
        hook(
            &b,
            "2",
            "basicAuth",
            json!({"httpBasicAuth": {"id": basic.id, "name": "basic"}}),
        ),
    ] {
        let id = svc.create(&a, &wf.to_string()).await.unwrap()[0].id;
        svc.activate(&a, id).await.unwrap();
    }

    let status = |reply: Result<agente_workflows::WebhookReply, _>| reply.unwrap().status;
    assert_eq!(
        status(svc.handle_webhook(get(&h, &[])).await),
        403,
        "{backend}"
    );
    assert_eq!(
        status(svc.handle_webhook(get(&h, &[("x-token", "wrong")])).await),
        403
    );
    assert_eq!(
        status(svc.handle_webhook(get(&h, &[("x-token", "s3cret")])).await),
        200
    );

    let basic_header = |user: &str, pass: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
        )
    };
    let missing = svc.handle_webhook(get(&b, &[])).await.unwrap();
    assert_eq!(missing.status, 401, "{backend}");
    assert!(missing.headers.iter().any(|(k, _)| k == "www-authenticate"));
    let wrong = basic_header("ann", "nope");
    assert_eq!(
        status(
            svc.handle_webhook(get(&b, &[("authorization", &wrong)]))
                .await
        ),
        403
    );
    let right = basic_header("ann", "pa:ss");
    assert_eq!(
        status(
            svc.handle_webhook(get(&b, &[("authorization", &right)]))
                .await
        ),
        200
    );

    // A node whose credential is gone refuses rather than running unauthenticated.
    let admin = agente_auth::Principal {
        role: agente_core::Role::Admin,
        ..a.clone()
    };
    svc.credentials().delete(&admin, header.id).await.unwrap();
    let reply = svc
        .handle_webhook(get(&h, &[("x-token", "s3cret")]))
        .await
        .unwrap();
    assert_eq!(reply.status, 500, "{backend}");
    assert!(!reply.body.to_string().contains("s3cret"));
}

backend_tests!(test_webhooks_answer_one_call_while_listening);
async fn test_webhooks_answer_one_call_while_listening(backend: Backend) {
    let db = backend.db().await;
    let svc = service(&db);
    let a = tenant(&db.db, "A").await;
    let b = tenant(&db.db, "B").await;
    let path = format!("try-{backend}");
    let wf = hook(&path, "t1", "none", json!({})).to_string();
    let id = svc.create(&a, &wf).await.unwrap()[0].id;
    let test_call = || WebhookCall {
        test: true,
        ..get(&path, &[])
    };
    // Not listening: nothing answers, and the production URL is not live either.
    assert!(matches!(
        svc.handle_webhook(test_call()).await,
        Err(WorkflowServiceError::NotFound(_))
    ));
    let listening = svc.webhooks().listen_for_test_call(&a, id).await.unwrap();
    assert_eq!(
        listening,
        vec![format!("GET /webhook-test/{path}")],
        "{backend}"
    );
    assert!(matches!(
        svc.handle_webhook(get(&path, &[])).await,
        Err(WorkflowServiceError::NotFound(_))
    ));
    // Another tenant cannot listen on the same test path meanwhile.
    let other = svc.create(&b, &wf).await.unwrap()[0].id;
    assert!(
        matches!(
            svc.webhooks().listen_for_test_call(&b, other).await,
            Err(WorkflowServiceError::Conflict(_))
        ),
        "{backend}"
    );

    let reply = svc.handle_webhook(test_call()).await.unwrap();
    assert_eq!(reply.body["mode"], "test", "{backend}");
    // One call per listen.
    assert!(matches!(
        svc.handle_webhook(test_call()).await,
        Err(WorkflowServiceError::NotFound(_))
    ));
    // Listening made the path A's: B still may not listen there, nor activate it;
    // once A's workflow is gone, B may.
    assert!(
        matches!(
            svc.webhooks().listen_for_test_call(&b, other).await,
            Err(WorkflowServiceError::Conflict(m)) if m.contains("not available")
        ),
        "{backend}"
    );
    svc.delete(&a, id).await.unwrap();
    svc.webhooks()
        .listen_for_test_call(&b, other)
        .await
        .unwrap();
}

#[tokio::test]
async fn response_options_shape_the_answer() {
    let db = TestDb::sqlite().await.unwrap();
    let svc = service(&db);
    let a = tenant(&db.db, "A").await;
    // Webhook → Code that returns two items.
    let wf = |path: &str, response_data: &str, options: Value| {
        json!({"name": path, "nodes": [
            {"name": "Hook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "webhookId": path,
             "parameters": {"httpMethod": "POST", "path": path, "responseMode": "lastNode",
                            "responseData": response_data, "options": options}},
            {"name": "Two", "type": "n8n-nodes-base.code", "typeVersion": 2, "parameters": {
                "jsCode": "const raw = $input.first().binary?.data?.data ?? null; return [{json: {n: 1, raw}}, {json: {n: 2}}];"}}
        ], "connections": {"Hook": {"main": [[{"node": "Two", "type": "main", "index": 0}]]}}})
    };
    let cases = [
        (
            "all",
            "allEntries",
            json!({"responseCode": 201, "responseHeaders": {"entries": [{"name": "x-kind", "value": "all"}]}}),
        ),
        (
            "prop",
            "firstEntryJson",
            json!({"responsePropertyName": "n"}),
        ),
        ("none", "noData", json!({})),
        ("raw", "firstEntryJson", json!({"rawBody": true})),
        ("silent", "firstEntryJson", json!({"noResponseBody": true})),
    ];
    for (path, data, options) in cases {
        let id = svc
            .create(&a, &wf(path, data, options).to_string())
            .await
            .unwrap()[0]
            .id;
        svc.activate(&a, id).await.unwrap();
    }
    let call = |path: &str| WebhookCall {
        method: "POST".into(),
        path: path.into(),
        headers: Map::from_iter([("content-type".to_string(), json!("text/plain"))]),
        body: json!("hello"),
        raw_body: "hello".into(),
        ..WebhookCall::default()
    };
    let all = svc.handle_webhook(call("all")).await.unwrap();
    assert_eq!(all.status, 201);
    assert_eq!(all.headers, vec![("x-kind".to_string(), "all".to_string())]);
    assert_eq!(all.body, json!([{"n": 1, "raw": null}, {"n": 2}]));
    assert_eq!(
        svc.handle_webhook(call("prop")).await.unwrap().body,
        json!(1)
    );
    assert_eq!(
        svc.handle_webhook(call("none")).await.unwrap().body,
        Value::Null
    );
    assert_eq!(
        svc.handle_webhook(call("raw")).await.unwrap().body,
        json!({"n": 1, "raw": "aGVsbG8="})
    );
    let silent = svc.handle_webhook(call("silent")).await.unwrap();
    assert_eq!((silent.status, silent.body), (200, Value::Null));
}

backend_tests!(a_saved_change_or_deactivation_is_seen_by_the_very_next_call);
async fn a_saved_change_or_deactivation_is_seen_by_the_very_next_call(backend: Backend) {
    let db = backend.db().await;
    let svc = service(&db);
    let a = tenant(&db.db, "A").await;
    let mut doc = hook("orders", "wh-1", "none", json!({}));
    let id = svc.create(&a, &doc.to_string()).await.unwrap()[0].id;
    svc.activate(&a, id).await.unwrap();
    let call = || svc.handle_webhook(get("orders", &[]));
    assert_eq!(
        call().await.unwrap().body["mode"],
        "production",
        "{backend}"
    );
    // Resolved routes are cached; saving the workflow must not leave the old one running.
    doc["nodes"][1]["parameters"]["assignments"]["assignments"][1]["value"] = json!("changed");
    svc.update(&a, id, &doc.to_string(), None).await.unwrap();
    assert_eq!(call().await.unwrap().body["mode"], "changed", "{backend}");
    svc.deactivate(&a, id).await.unwrap();
    assert!(
        matches!(call().await, Err(WorkflowServiceError::NotFound(_))),
        "{backend}: a deactivated workflow still answered"
    );
}

backend_tests!(ip_whitelist_and_ignore_bots_keep_callers_out);
async fn ip_whitelist_and_ignore_bots_keep_callers_out(backend: Backend) {
    let db = backend.db().await;
    let svc = service(&db);
    let a = tenant(&db.db, "A").await;
    let mut doc = hook("guarded", "wh-g", "none", json!({}));
    doc["nodes"][0]["parameters"]["options"] =
        json!({"ipWhitelist": "10.0.0.0/8, 192.168.1.5", "ignoreBots": true});
    let id = svc.create(&a, &doc.to_string()).await.unwrap()[0].id;
    svc.activate(&a, id).await.unwrap();
    let call = |ip: Option<&str>, agent: &str| {
        let mut call = get("guarded", &[("user-agent", agent)]);
        call.remote_ip = ip.map(|ip| ip.parse().unwrap());
        svc.handle_webhook(call)
    };
    let browser = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0";
    assert_eq!(
        call(Some("10.2.3.4"), browser).await.unwrap().status,
        200,
        "{backend}"
    );
    assert_eq!(
        call(Some("192.168.1.5"), browser).await.unwrap().status,
        200
    );
    for outside in [Some("192.168.1.6"), Some("8.8.8.8"), None] {
        let reply = call(outside, browser).await.unwrap();
        assert_eq!(reply.status, 403, "{backend}: {outside:?}");
        assert_eq!(
            reply.body["message"],
            "IP is not whitelisted to access the webhook!"
        );
    }
    let bot = call(Some("10.2.3.4"), "Slackbot-LinkExpanding 1.0")
        .await
        .unwrap();
    assert_eq!(bot.status, 403, "{backend}");
}
