//! How many of the evaluation requests the offline provider turns into valid workflows that
//! contain the expected nodes. Prints the figure and each miss; never fails on quality.
#![allow(clippy::unwrap_used)] // a test fails by panicking

use agente_ai::evaluation::{Case, cases, held_out, missing};
use agente_ai::{offline, workflow_check};
use std::time::Instant;

fn main() {
    score("tuned-on set", &cases());
    score("held-out set", &held_out());
}

fn score(label: &str, cases: &[Case]) {
    let started = Instant::now();
    let (mut valid, mut complete) = (0, 0);
    for case in cases {
        let planned = offline::plan(&case.request);
        match workflow_check::check(&planned.to_string()) {
            Ok(workflow) => {
                valid += 1;
                let lacking = missing(&workflow, &case.expect);
                if lacking.is_empty() {
                    complete += 1;
                } else {
                    let got: Vec<&str> = workflow["nodes"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter_map(|n| n["type"].as_str())
                        .collect();
                    println!(
                        "miss: {}\n  lacking {lacking:?}\n  got {got:?}",
                        case.request
                    );
                }
            }
            Err(errors) => println!("INVALID: {}\n  {errors:?}", case.request),
        }
    }
    let n = cases.len();
    let per_request = started.elapsed() / n as u32;
    println!(
        "{label}: {valid}/{n} valid, {complete}/{n} with the expected nodes ({:.0} %), {per_request:?} per request",
        complete as f64 * 100.0 / n as f64
    );
}
