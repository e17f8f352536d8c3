use super::*;
use agente_editor::position;
use serde_json::json;

fn positions(e: &Editor) -> Vec<(String, Point)> {
    e.workflow()
        .nodes()
        .iter()
        .map(|n| (n.name.clone(), position(n)))
        .collect()
}

fn at_of(e: &Editor, name: &str) -> Point {
    position(e.node(name).expect("the node is there"))
}

#[test]
fn tidy_up_lays_layers_left_to_right_with_branches_apart() {
    let mut wf = branching();
    // Scramble it.
    for (i, n) in wf["nodes"].as_array_mut().unwrap().iter_mut().enumerate() {
        n["position"] = json!([(i * 37 % 5) as f64 * 100.0, (i * 53 % 7) as f64 * 90.0]);
    }
    let mut e = editor(wf);
    e.tidy_up();
    let (hook, set, ifn, high, low) = (
        at_of(&e, "Webhook"),
        at_of(&e, "Set"),
        at_of(&e, "IF"),
        at_of(&e, "High"),
        at_of(&e, "Low"),
    );
    assert!(
        hook.x < set.x && set.x < ifn.x && ifn.x < high.x,
        "{:?}",
        positions(&e)
    );
    assert_eq!(high.x, low.x);
    assert!(high.y < low.y, "the true branch above the false one");
    assert_eq!(
        (hook.y, set.y, ifn.y),
        (ifn.y, ifn.y, (high.y + low.y) / 2.0),
        "the chain runs between its branches"
    );
    for (_, p) in positions(&e) {
        assert_eq!((p.x % 20.0, p.y % 20.0), (0.0, 0.0), "on the grid");
    }
    let once = json_of(&e);
    e.tidy_up();
    assert_eq!(json_of(&e), once, "tidy is stable");
}

#[test]
fn loops_separate_parts_sub_nodes_and_stickies() {
    let mut e = editor(json!({
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "position": [0, 0]},
            {"name": "Loop", "type": "n8n-nodes-base.splitInBatches", "position": [0, 0]},
            {"name": "Work", "type": "n8n-nodes-base.set", "position": [0, 0]},
            {"name": "Agent", "type": "@n8n/n8n-nodes-langchain.agent", "position": [0, 0]},
            {"name": "Model", "type": "@n8n/n8n-nodes-langchain.lmChatOpenAi", "position": [0, 0]},
            {"name": "Tool", "type": "@n8n/n8n-nodes-langchain.toolCode", "position": [0, 0]},
            {"name": "Other", "type": "n8n-nodes-base.scheduleTrigger", "position": [0, 0]},
            {"name": "Note", "type": "n8n-nodes-base.stickyNote", "position": [-500, -500]}
        ],
        "connections": {
            "Start": {"main": [[{"node": "Loop", "type": "main", "index": 0}]]},
            "Loop": {"main": [[], [{"node": "Work", "type": "main", "index": 0}]]},
            "Work": {"main": [[{"node": "Loop", "type": "main", "index": 0}, {"node": "Agent", "type": "main", "index": 0}]]},
            "Model": {"ai_languageModel": [[{"node": "Agent", "type": "ai_languageModel", "index": 0}]]},
            "Tool": {"ai_tool": [[{"node": "Agent", "type": "ai_tool", "index": 0}]]}
        }
    }));
    e.tidy_up();
    let (start, lp, work, agent) = (
        at_of(&e, "Start"),
        at_of(&e, "Loop"),
        at_of(&e, "Work"),
        at_of(&e, "Agent"),
    );
    assert!(
        start.x < lp.x && lp.x < work.x && work.x < agent.x,
        "the loop back does not pull Loop right"
    );
    let (model, tool) = (at_of(&e, "Model"), at_of(&e, "Tool"));
    assert!(
        model.y > agent.y && model.y == tool.y,
        "sub-nodes in a row under their agent"
    );
    assert!(model.x < tool.x && (model.x + tool.x) / 2.0 == agent.x);
    let other = at_of(&e, "Other");
    assert!(other.y > model.y, "a separate part goes below");
    assert_eq!(at_of(&e, "Note"), at(-500.0, -500.0), "stickies stay");
}

#[test]
fn a_thousand_node_chain_lays_out_without_deep_recursion() {
    let nodes: Vec<Value> = (0..1000)
        .map(|i| json!({"name": format!("N{i}"), "type": "n8n-nodes-base.set", "position": [0, 0]}))
        .collect();
    let connections: serde_json::Map<String, Value> = (0..999)
        .map(|i| {
            (
                format!("N{i}"),
                json!({"main": [[{"node": format!("N{}", i + 1), "type": "main", "index": 0}]]}),
            )
        })
        .collect();
    let mut e = editor(json!({"nodes": nodes, "connections": connections}));
    e.tidy_up();
    assert_eq!(at_of(&e, "N999").x - at_of(&e, "N0").x, 999.0 * 220.0);
}
