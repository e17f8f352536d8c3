use super::*;
use agente_editor::{Edge, EditorError};
use serde_json::{Value, json};

#[test]
fn added_nodes_get_unique_names_fresh_ids_and_whole_positions() {
    let mut e = editor(branching());
    let name = e.add_node(node("Set", "n8n-nodes-base.set"), at(100.0, 40.5));
    assert_eq!(name, "Set1");
    let added = &json_of(&e)["nodes"][5];
    assert_eq!(added["id"], "id-1");
    assert_eq!(added["position"], json!([100, 40.5]));
    assert_eq!(
        e.add_node(node("Set", "n8n-nodes-base.set"), at(0.0, 0.0)),
        "Set2"
    );
}

#[test]
fn removing_a_node_takes_its_connections_and_pins_and_nothing_else() {
    let mut e = editor(branching());
    e.set_pin_data("Set", Some(json!([{"json": {"a": 1}}])))
        .unwrap();
    e.remove_nodes(&["Set"]).unwrap();
    let wf = json_of(&e);
    let names: Vec<&str> = wf["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Webhook", "IF", "High", "Low"]);
    assert_eq!(
        wf["connections"],
        json!({
            "Webhook": {"main": [[]]},
            "IF": {"main": [[{"node": "High", "type": "main", "index": 0}], [{"node": "Low", "type": "main", "index": 0}]]}
        })
    );
    assert_eq!(wf["pinData"], json!({}));
    assert_eq!(wf["settings"], json!({"executionOrder": "v1"}));
    assert_eq!(
        e.remove_nodes(&["Nobody"]),
        Err(EditorError::UnknownNode("Nobody".into()))
    );
}

#[test]
fn renaming_follows_connections_pins_and_expressions() {
    let mut e = editor(branching());
    e.set_pin_data("Webhook", Some(json!([{"json": {"body": 1}}])))
        .unwrap();
    e.rename_node("Webhook", "Incoming order").unwrap();
    let wf = json_of(&e);
    assert_eq!(wf["nodes"][0]["name"], "Incoming order");
    assert_eq!(
        wf["nodes"][1]["parameters"]["value"],
        "={{ $('Incoming order').item.json.body }}"
    );
    let keys: Vec<&String> = wf["connections"].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["Incoming order", "Set", "IF"],
        "the entry keeps its place"
    );
    assert!(wf["pinData"].get("Incoming order").is_some());

    assert_eq!(
        e.rename_node("Set", "IF"),
        Err(EditorError::NameTaken("IF".into()))
    );
    assert_eq!(e.rename_node("Set", "  "), Err(EditorError::EmptyName));
    assert_eq!(
        e.rename_node("Set", &"x".repeat(129)),
        Err(EditorError::NameTooLong)
    );
    e.rename_node("IF", "Is it big?").unwrap();
    assert_eq!(
        json_of(&e)["connections"]["Set"]["main"][0][0]["node"],
        "Is it big?"
    );
}

#[test]
fn connecting_dedupes_refuses_loops_on_one_node_and_pads_outputs() {
    let mut e = editor(branching());
    assert!(
        !e.connect(&main_out("Webhook", 0), "Set", 0).unwrap(),
        "already there"
    );
    assert_eq!(
        e.connect(&main_out("Set", 0), "Set", 0),
        Err(EditorError::SelfConnection)
    );
    // An error output (index 1 of a node that had one output so far).
    assert!(e.connect(&main_out("Set", 1), "Low", 0).unwrap());
    assert_eq!(
        json_of(&e)["connections"]["Set"]["main"],
        json!([[{"node": "IF", "type": "main", "index": 0}], [{"node": "Low", "type": "main", "index": 0}]])
    );
    // A new source goes at the end of the map.
    assert!(e.connect(&main_out("Low", 0), "High", 0).unwrap());
    let keys: Vec<String> = json_of(&e)["connections"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(keys.last().map(String::as_str), Some("Low"));
    let edge = Edge {
        from: main_out("Low", 0),
        to: "High".into(),
        input: 0,
    };
    assert!(e.disconnect(&edge));
    assert!(!e.disconnect(&edge));
}

#[test]
fn ai_sub_nodes_connect_by_their_own_type() {
    let mut e = editor(json!({"nodes": [], "connections": {}}));
    let agent = e.add_node(
        node("AI Agent", "@n8n/n8n-nodes-langchain.agent"),
        at(0.0, 0.0),
    );
    let model = e.add_node(
        node("Chat Model", "@n8n/n8n-nodes-langchain.lmChatOpenAi"),
        at(0.0, 200.0),
    );
    let out = Outlet {
        node: model.clone(),
        kind: "ai_languageModel".into(),
        index: 0,
    };
    e.connect(&out, &agent, 0).unwrap();
    assert_eq!(
        json_of(&e)["connections"],
        json!({"Chat Model": {"ai_languageModel": [[{"node": "AI Agent", "type": "ai_languageModel", "index": 0}]]}})
    );
    assert_eq!(
        e.edges(),
        [Edge {
            from: out,
            to: agent,
            input: 0
        }]
    );
}

#[test]
fn a_node_dropped_on_an_edge_is_wired_into_it_as_one_step() {
    let mut e = editor(branching());
    let name = e.add_node(node("Wait", "n8n-nodes-base.wait"), at(330.0, 0.0));
    let edge = Edge {
        from: main_out("Set", 0),
        to: "IF".into(),
        input: 0,
    };
    e.insert_on_edge(&name, &edge).unwrap();
    let wf = json_of(&e);
    assert_eq!(
        wf["connections"]["Set"]["main"],
        json!([[{"node": "Wait", "type": "main", "index": 0}]])
    );
    assert_eq!(
        wf["connections"]["Wait"]["main"],
        json!([[{"node": "IF", "type": "main", "index": 0}]])
    );
    e.undo();
    assert_eq!(
        json_of(&e)["connections"],
        branching()["connections"],
        "one undo unwires it"
    );
    assert!(
        json_of(&e)["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["name"] == "Wait")
    );
    assert!(e.insert_on_edge("Nobody", &edge).is_err());
}

#[test]
fn d_disables_a_mixed_selection_and_enables_an_all_disabled_one() {
    let mut e = editor(branching());
    e.toggle_disabled(&["Set"]).unwrap();
    e.toggle_disabled(&["Set", "IF"]).unwrap();
    assert_eq!(json_of(&e)["nodes"][2]["disabled"], true);
    e.toggle_disabled(&["Set", "IF"]).unwrap();
    assert!(json_of(&e)["nodes"][1].get("disabled").is_none());
    assert!(json_of(&e)["nodes"][2].get("disabled").is_none());
}

#[test]
fn node_details_change_parameters_but_never_the_name() {
    let mut e = editor(branching());
    e.update_node("Set", |n| {
        n.name = "Sneaky".into();
        n.parameters = agente_workflow_model::Field::Value(serde_json::Map::from_iter([(
            "x".to_string(),
            json!(1),
        )]));
        n.retry_on_fail = agente_workflow_model::Field::Value(true);
    })
    .unwrap();
    let set = &json_of(&e)["nodes"][1];
    assert_eq!(
        (
            set["name"].as_str(),
            &set["parameters"],
            &set["retryOnFail"]
        ),
        (Some("Set"), &json!({"x": 1}), &json!(true))
    );
    let revision = e.revision();
    e.update_node("Set", |_| {}).unwrap();
    assert_eq!(e.revision(), revision, "no change, no step");
}

/// A Switch routing to A, B, C by three rules, its failures to Err.
fn routes() -> Value {
    json!({
        "name": "Routes",
        "nodes": [
            {"name": "Route", "type": "n8n-nodes-base.switch", "typeVersion": 3, "position": [0, 0],
             "onError": "continueErrorOutput",
             "parameters": {"rules": {"values": [{"outputKey": "a"}, {"outputKey": "b"}, {"outputKey": "c"}]}}},
            {"name": "A", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [220, 0], "parameters": {}},
            {"name": "B", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [220, 200], "parameters": {}},
            {"name": "C", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [220, 400], "parameters": {}},
            {"name": "Err", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [220, 600], "parameters": {}}
        ],
        "connections": {"Route": {"main": [
            [{"node": "A", "type": "main", "index": 0}],
            [{"node": "B", "type": "main", "index": 0}],
            [{"node": "C", "type": "main", "index": 0}],
            [{"node": "Err", "type": "main", "index": 0}]
        ]}}
    })
}

fn to(node: &str) -> Value {
    json!([{"node": node, "type": "main", "index": 0}])
}

fn set_rules(e: &mut agente_editor::Editor, keys: &[&str]) {
    let values: Vec<Value> = keys.iter().map(|k| json!({"outputKey": k})).collect();
    e.update_node("Route", |n| {
        let p = json!({"rules": {"values": values}});
        n.parameters =
            agente_workflow_model::Field::Value(p.as_object().cloned().expect("an object"));
    })
    .expect("Route is there");
}

#[test]
fn connections_follow_their_outputs_when_rules_come_and_go() {
    let mut e = editor(routes());
    let before = json_of(&e);
    // The middle rule goes: its connection with it; C moves up; errors still go to Err.
    set_rules(&mut e, &["a", "c"]);
    assert_eq!(
        json_of(&e)["connections"]["Route"]["main"],
        json!([to("A"), to("C"), to("Err")])
    );
    assert!(e.undo());
    assert_eq!(json_of(&e), before, "one step undoes both");
    // A rule added in front: a new, empty output there; the rest keep theirs.
    set_rules(&mut e, &["z", "a", "b", "c"]);
    assert_eq!(
        json_of(&e)["connections"]["Route"]["main"],
        json!([[], to("A"), to("B"), to("C"), to("Err")])
    );
    assert!(e.undo());
    // The error output switched off: what it fed goes; nothing else moves.
    e.update_node("Route", |n| {
        n.on_error = agente_workflow_model::Field::Value("stopWorkflow".into());
    })
    .unwrap();
    assert_eq!(
        json_of(&e)["connections"]["Route"]["main"],
        json!([to("A"), to("B"), to("C")])
    );
    assert!(e.undo());
    // A fallback output comes before the error output.
    e.update_node("Route", |n| {
        let mut p = n.parameters.get().cloned().unwrap_or_default();
        p.insert("options".into(), json!({"fallbackOutput": "extra"}));
        n.parameters = agente_workflow_model::Field::Value(p);
    })
    .unwrap();
    assert_eq!(
        json_of(&e)["connections"]["Route"]["main"],
        json!([to("A"), to("B"), to("C"), [], to("Err")])
    );
    // A rule's own settings changed: nothing moves.
    let now = json_of(&e)["connections"].clone();
    e.update_node("Route", |n| {
        let mut p = n.parameters.get().cloned().unwrap_or_default();
        p["rules"]["values"][0]["outputKey"] = json!("renamed");
        n.parameters = agente_workflow_model::Field::Value(p);
    })
    .unwrap();
    assert_eq!(json_of(&e)["connections"], now);
}

#[test]
fn a_type_the_editor_does_not_know_keeps_its_connections() {
    let mut e = editor(json!({
        "name": "Unknown",
        "nodes": [
            {"name": "X", "type": "n8n-nodes-community.many", "typeVersion": 1, "position": [0, 0], "parameters": {}},
            {"name": "A", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [220, 0], "parameters": {}}
        ],
        "connections": {"X": {"main": [[], [], [{"node": "A", "type": "main", "index": 0}]]}}
    }));
    let before = json_of(&e)["connections"].clone();
    e.update_node("X", |n| {
        n.parameters = agente_workflow_model::Field::Value(
            json!({"anything": 1}).as_object().cloned().unwrap(),
        );
    })
    .unwrap();
    assert_eq!(json_of(&e)["connections"], before);
}

#[test]
fn moves_land_on_the_positions_given() {
    let mut e = editor(branching());
    e.move_nodes(&["High", "Low"], 20.0, -20.0).unwrap();
    let wf = json_of(&e);
    assert_eq!(
        (
            wf["nodes"][3]["position"].clone(),
            wf["nodes"][4]["position"].clone()
        ),
        (json!([680, -120]), json!([680, 80]))
    );
}
