//! Memory of repeated 10,000-item runs (Set → Code → Aggregate): prints the process's
//! resident and peak memory after each batch of runs. Flat figures mean a run leaves
//! nothing behind. Run: bench/memory_10k.sh
#![allow(clippy::unwrap_used)] // a test fails by panicking
use agente_engine::{Engine, Item, RunRequest};
use agente_workflow_model::Workflow;
use serde_json::json;

fn memory_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let wf = Workflow::from_json(include_str!("../benches/set_code_aggregate.json"))
        .expect("the bench workflow parses");
    let items: Vec<Item> = (0..10_000)
        .map(|i| Item::from_value(json!({"i": i})))
        .collect();
    let engine = Engine::default();
    println!("{:>5} {:>12} {:>12}", "runs", "RSS MiB", "peak MiB");
    let mut done = 0;
    for batch in [1, 4, 5, 10, 20, 20] {
        for _ in 0..batch {
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
        }
        done += batch;
        println!(
            "{done:>5} {:>12.1} {:>12.1}",
            memory_kib("VmRSS:") as f64 / 1024.0,
            memory_kib("VmHWM:") as f64 / 1024.0
        );
    }
}
