use super::*;
use agente_editor::{MAX_PASTE_BYTES, PasteError};
use serde_json::json;

/// What n8n's editor puts on the clipboard when nodes are copied in it.
fn from_n8n() -> String {
    let exported: Value = serde_json::from_str(include_str!(
        "../../../workflow-model/tests/fixtures/n8n-2.8.4-export.json"
    ))
    .expect("the fixture is JSON");
    let wf = &exported[0];
    serde_json::to_string_pretty(&json!({
        "nodes": wf["nodes"],
        "connections": wf["connections"],
        "pinData": {},
        "meta": {"templateCredsSetupCompleted": true, "instanceId": "0f1e2d3c"}
    }))
    .expect("JSON writes")
}

#[test]
fn nodes_copied_in_n8n_paste_with_their_wiring_and_go_back_as_n8n_reads_them() {
    let text = from_n8n();
    let copied: Value = serde_json::from_str(&text).unwrap();
    let mut e = editor(branching());
    let pasted = e.paste(&text, at(1000.0, 500.0)).unwrap();
    assert_eq!(pasted.len(), copied["nodes"].as_array().unwrap().len());
    // "Webhook" is taken here: the pasted one is renamed, and so is every connection to it.
    assert_eq!(pasted[0], "Webhook1");
    let wf = json_of(&e);
    let first = &wf["nodes"][5];
    // The block's top-left corner (x of Webhook, y of Set High) lands where asked.
    assert_eq!(first["position"], json!([1000, 600]));
    assert_eq!(wf["nodes"][8]["position"], json!([1660, 500]));
    assert_eq!(first["id"], "id-1");
    assert_ne!(
        first["webhookId"], copied["nodes"][0]["webhookId"],
        "a pasted webhook listens on its own id"
    );
    assert_eq!(first["parameters"], copied["nodes"][0]["parameters"]);
    assert_eq!(
        wf["connections"]["Webhook1"],
        copied["connections"]["Webhook"]
    );

    // Copying the pasted block gives n8n's format back: nodes and their connections.
    let names: Vec<&str> = pasted.iter().map(String::as_str).collect();
    let again: Value = serde_json::from_str(&e.copy(&names).unwrap()).unwrap();
    assert_eq!(again["nodes"].as_array().unwrap().len(), pasted.len());
    assert_eq!(
        again["connections"]["Webhook1"],
        copied["connections"]["Webhook"]
    );
    let typed: Workflow = serde_json::from_value(again).expect("reads as a workflow");
    assert_eq!(
        typed.nodes()[1].parameters(),
        copied["nodes"][1]["parameters"].as_object().unwrap()
    );
}

#[test]
fn a_copy_keeps_only_connections_inside_the_selection_and_its_pins() {
    let mut e = editor(branching());
    e.set_pin_data("IF", Some(json!([{"json": {"ok": true}}])))
        .unwrap();
    let text = e.copy(&["IF", "High"]).unwrap();
    let copied: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        copied["connections"],
        json!({"IF": {"main": [[{"node": "High", "type": "main", "index": 0}], []]}})
    );
    assert_eq!(copied["pinData"], json!({"IF": [{"json": {"ok": true}}]}));
    assert!(text.contains("\n  \"nodes\""), "pretty, as n8n writes it");
}

#[test]
fn pasted_expressions_follow_renamed_nodes_without_renaming_twice() {
    // "Set" exists; pasting Set, Set1 and Set2 renames them Set1, Set2 and Set3: a chain in
    // which each new name is another copy's old one. Each expression must name the copy of
    // the node it named, not the node renamed after it.
    let mut e = editor(
        json!({"nodes": [{"name": "Set", "type": "n8n-nodes-base.set", "position": [0, 0]}]}),
    );
    let copy = |name: &str, names: &str| {
        json!({"name": name, "type": "n8n-nodes-base.set", "position": [0, 0],
               "parameters": {"v": format!("={{{{ $('{names}').item.json.a }}}}")}})
    };
    let text = json!({
        "nodes": [copy("Set", "Set1"), copy("Set1", "Set2"), copy("Set2", "Set")],
        "connections": {"Set": {"main": [[{"node": "Set1", "type": "main", "index": 0}]]}}
    })
    .to_string();
    assert_eq!(
        e.paste(&text, at(0.0, 300.0)).unwrap(),
        ["Set1", "Set2", "Set3"]
    );
    let wf = json_of(&e);
    let named = |i: usize| {
        wf["nodes"][i]["parameters"]["v"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(named(1), "={{ $('Set2').item.json.a }}");
    assert_eq!(named(2), "={{ $('Set3').item.json.a }}");
    assert_eq!(named(3), "={{ $('Set1').item.json.a }}");
    assert_eq!(wf["connections"]["Set1"]["main"][0][0]["node"], "Set2");
}

#[test]
fn bad_clipboard_text_is_refused_and_changes_nothing() {
    let mut e = editor(branching());
    let before = json_of(&e);
    assert!(matches!(
        e.paste("hello", at(0.0, 0.0)),
        Err(PasteError::NotNodes(_))
    ));
    assert!(matches!(
        e.paste("{\"nodes\": [{\"name\": 3}]}", at(0.0, 0.0)),
        Err(PasteError::NotNodes(_))
    ));
    assert_eq!(
        e.paste("{\"nodes\": []}", at(0.0, 0.0)),
        Err(PasteError::NoNodes)
    );
    assert_eq!(
        e.paste(&" ".repeat(MAX_PASTE_BYTES + 1), at(0.0, 0.0)),
        Err(PasteError::TooLarge)
    );
    assert_eq!(json_of(&e), before);
    assert!(!e.can_undo());
}

#[test]
fn duplicates_sit_beside_the_originals_wired_among_themselves() {
    let mut e = editor(branching());
    let copies = e.duplicate(&["Set", "IF"]).unwrap();
    assert_eq!(copies, ["Set1", "IF1"]);
    let wf = json_of(&e);
    assert_eq!(wf["nodes"][5]["position"], json!([260, 40]));
    assert_eq!(
        wf["connections"]["Set1"]["main"],
        json!([[{"node": "IF1", "type": "main", "index": 0}]])
    );
    assert_eq!(
        wf["connections"]["IF1"]["main"],
        json!([[], []]),
        "edges to High/Low were not copied"
    );
    let cut = e.cut(&["Set1", "IF1"]).unwrap();
    assert!(cut.contains("IF1"));
    assert_eq!(json_of(&e)["nodes"].as_array().unwrap().len(), 5);
}
