//! Two buses on one real Postgres / one real Redis stand for two replicas: what one
//! publishes, both hear, in order, under the same ids, so a browser resumes on either.

use agente_core::{TenantId, WorkflowId};
use agente_events::{Change, Delivery, EventBus, Filter};
use futures::{Stream, StreamExt};
use std::time::Duration;

fn postgres_url() -> String {
    std::env::var("AGENTE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn redis_client() -> redis::Client {
    let url =
        std::env::var("AGENTE_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    redis::Client::open(url).expect("a Redis URL")
}

async fn next(stream: &mut (impl Stream<Item = Delivery> + Unpin)) -> Delivery {
    tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("a delivery in time")
        .expect("the stream goes on")
}

fn node_of(d: &Delivery) -> (String, String) {
    match d {
        Delivery::Event(e) => match &e.change {
            Change::NodeStarted { node, .. } => (e.id.clone(), node.clone()),
            other => panic!("unexpected change {other:?}"),
        },
        Delivery::Gap => panic!("a gap"),
    }
}

fn started(node: &str) -> Change {
    Change::NodeStarted {
        execution_id: "e1".into(),
        node: node.into(),
    }
}

/// `a` publishes; `b` (another replica) hears it all in order, `a` hears its own; `b`
/// resumes from an id `a`'s listener saw; another tenant hears nothing.
async fn replicas_agree(a: EventBus, b: EventBus) {
    let (tenant, wf) = (TenantId::new(), WorkflowId::new());
    let filter = Filter {
        tenant,
        workflow: Some(wf),
    };
    let mut on_a = Box::pin(a.subscribe(filter, None));
    let mut on_b = Box::pin(b.subscribe(filter, None));
    let mut stranger = Box::pin(b.subscribe(
        Filter {
            tenant: TenantId::new(),
            workflow: None,
        },
        None,
    ));
    for n in 0..50 {
        a.publish(tenant, wf, started(&format!("node {n}")));
    }
    let mut ids = Vec::new();
    for n in 0..50 {
        let (id_a, node_a) = node_of(&next(&mut on_a).await);
        let (id_b, node_b) = node_of(&next(&mut on_b).await);
        assert_eq!(
            (&node_a, &node_b),
            (&format!("node {n}"), &format!("node {n}"))
        );
        assert_eq!(id_a, id_b, "one id on every replica");
        ids.push(id_a);
    }
    // A browser that saw event 9 on replica a reconnects to replica b.
    let mut resumed = Box::pin(b.subscribe(filter, Some(&ids[9])));
    let (id, node) = node_of(&next(&mut resumed).await);
    assert_eq!((id.as_str(), node.as_str()), (ids[10].as_str(), "node 10"));
    assert!(
        tokio::time::timeout(Duration::from_millis(300), stranger.next())
            .await
            .is_err(),
        "another tenant heard nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_replicas_hear_each_other() {
    let url = postgres_url();
    let a = EventBus::postgres(&url).await.expect("bus a");
    let b = EventBus::postgres(&url).await.expect("bus b");
    assert_eq!(a.transport(), "postgres");
    replicas_agree(a, b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_replicas_hear_each_other() {
    // A channel of its own: tests running at once do not hear each other.
    let channel = format!("agente-test:{}:events", uuid::Uuid::new_v4());
    let a = EventBus::redis(redis_client(), channel.clone())
        .await
        .expect("bus a");
    let b = EventBus::redis(redis_client(), channel)
        .await
        .expect("bus b");
    assert_eq!(a.transport(), "redis");
    replicas_agree(a, b).await;
}

#[tokio::test]
async fn an_unreachable_postgres_is_a_clear_error() {
    let e = EventBus::postgres("postgres://nobody@127.0.0.1:1/none")
        .await
        .expect_err("no bus");
    assert!(e.to_string().contains("Postgres"), "{e}");
}
