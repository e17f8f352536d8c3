//! Engine benchmarks: expression evaluation per item, and a 10,000-item
//! Set → Code → Aggregate run. `cargo bench -p agente-engine`.
#![allow(clippy::unwrap_used)] // a test fails by panicking

use agente_engine::expr::{Limits, Sandbox, Scope};
use agente_engine::{Engine, Item, RunRequest};
use agente_workflow_model::{Template, Workflow};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};

fn expressions(c: &mut Criterion) {
    let input: Vec<Value> = (0..1000)
        .map(|i| json!({"json": {"n": i, "name": format!("item-{i}")}}))
        .collect();
    let sandbox = Sandbox::new(Limits::default()).unwrap();
    sandbox
        .load(&Scope {
            input: &input,
            ..Scope::default()
        })
        .unwrap();
    let typed = Template::parse("={{ $json.n * 2 }}").unwrap().unwrap();
    let text = Template::parse("=Hello {{ $json.name.toUpperCase() }} #{{ $itemIndex }}")
        .unwrap()
        .unwrap();
    let mut group = c.benchmark_group("expressions");
    group.throughput(Throughput::Elements(input.len() as u64));
    group.bench_function("typed `$json.n * 2` x1000 items", |b| {
        b.iter(|| {
            (0..input.len()).for_each(|i| {
                std::hint::black_box(sandbox.evaluate(&typed, i).unwrap());
            })
        })
    });
    group.bench_function("text template x1000 items", |b| {
        b.iter(|| {
            (0..input.len()).for_each(|i| {
                std::hint::black_box(sandbox.evaluate(&text, i).unwrap());
            })
        })
    });
    group.finish();
}

fn ten_thousand_items(c: &mut Criterion) {
    // Set → Code → Aggregate, shared with examples/ten_thousand_rss.rs.
    let wf = Workflow::from_json(include_str!("set_code_aggregate.json")).unwrap();
    let items: Vec<Item> = (0..10_000)
        .map(|i| Item::from_value(json!({"i": i})))
        .collect();
    let engine = Engine::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("workflow");
    group.sample_size(10);
    group.throughput(Throughput::Elements(items.len() as u64));
    group.bench_function("Set -> Code -> Aggregate, 10k items", |b| {
        b.to_async(&runtime).iter(|| async {
            let exec = engine
                .run(
                    &wf,
                    RunRequest {
                        items: items.clone(),
                        ..RunRequest::default()
                    },
                )
                .await;
            assert!(exec.error.is_none(), "{:?}", exec.error);
        })
    });
    group.finish();
}

criterion_group!(benches, expressions, ten_thousand_items);
criterion_main!(benches);
