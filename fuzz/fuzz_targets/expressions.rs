//! Any text as a parameter value: template parsing never panics, and evaluating what parses
//! in a small sandbox ends (value or error) within its limits, never crashing the host.
#![no_main]

use agente_engine::expr::{Limits, Sandbox, Scope};
use agente_workflow_model::Template;
use libfuzzer_sys::fuzz_target;
use serde_json::json;
use std::sync::OnceLock;
use std::time::Duration;

fn sandbox() -> &'static std::sync::Mutex<Sandbox> {
    static SANDBOX: OnceLock<std::sync::Mutex<Sandbox>> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        let sandbox = Sandbox::new(Limits {
            memory_bytes: 16 * 1024 * 1024,
            time: Duration::from_millis(50),
            ..Limits::default()
        })
        .expect("sandbox");
        let input = [json!({"json": {"name": "Ada", "n": 3, "list": [1, 2, 3]}})];
        sandbox
            .load(&Scope {
                input: &input,
                timezone: "Europe/Berlin",
                ..Scope::default()
            })
            .expect("scope");
        std::sync::Mutex::new(sandbox)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(Ok(template)) = Template::parse(text) else {
        return;
    };
    let sandbox = sandbox().lock().unwrap_or_else(|e| e.into_inner());
    let _ = sandbox.evaluate(&template, 0);
});
