//! Any bytes as n8n workflow JSON: parsing and validation never panic, and whatever parses
//! exports to JSON that parses back to the same document (the lossless round trip).
#![no_main]

use agente_workflow_model::Workflow;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(workflows) = Workflow::many_from_json(text) else {
        return;
    };
    for workflow in workflows {
        let _ = agente_workflow_model::validate::validate(&workflow, &|_| true);
        let exported = workflow.to_value();
        let again: Workflow =
            serde_json::from_value(exported.clone()).expect("an export parses back");
        assert_eq!(again.to_value(), exported, "the round trip changed the document");
    }
});
